"""The Mitmachen form and the Verwaltung page in the real app (Streamlit AppTest): submit,
validation, duplicates, honeypot, rate limit, an unreachable store; login, lock-out,
approve, reject, erase — and no page shown to the public ever contains contact data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from graph.joining.limits import CLIENT_LIMIT, CONTACT_LIMIT
from graph.joining.registration import OPEN_NETWORK_ID, Status
from graph.joining.workflow import Registrations, registration_store
from graph.stores.sqlite.store import EmbeddedStore
from kommunetz.auth import MAX_FAILURES, hash_password
from kommunetz.safe_text import md
from loaders.curated import read_curated
from loaders.destatis import read_directory
from tests.conftest import APP_TIMEOUT
from tests.registration_helpers import NOW, make_submission, store_text

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")
PAGES = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "pages").glob("*.py"))
GV_TINY = REPO / "tests" / "fixtures" / "destatis" / "gv100ad_tiny.txt"
ADMIN, PASSWORD = "koordination", "ein sehr geheimes Passwort"
EMAIL = "erika@musterdorf.example"
PERSONAL = (EMAIL, "Erika Musterfrau", "+49 30 1234567", "Referat Digitales 42")
CONTROLLER = "Stadt Musterdorf, Markt 1, 12345 Musterdorf, datenschutz@musterdorf.example"


@pytest.fixture(scope="module")
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def app_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, password_hash: str
) -> Iterator[Registrations]:
    """The curated data in a fresh embedded store, an outbox, a coordinator account; the
    app reads them from the environment, as in production. Yields the store's
    registrations to check (the store itself is ``.store``)."""
    db = tmp_path / "app.sqlite"
    store = EmbeddedStore(db)
    store.write(read_curated(REPO / "data"))
    for name in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KOMMUNETZ_PRIVACY_CONTROLLER", CONTROLLER)
    monkeypatch.setenv("KOMMUNETZ_DB", str(db))
    monkeypatch.setenv("KOMMUNETZ_OUTBOX", str(tmp_path / "outbox"))
    monkeypatch.setenv("KOMMUNETZ_ADMIN_USER", ADMIN)
    monkeypatch.setenv("KOMMUNETZ_ADMIN_PASSWORD_HASH", password_hash)
    st.cache_resource.clear()  # the app's store and its failed-login count
    yield registration_store(store)
    st.cache_resource.clear()
    store.close()


def page(name: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
    at.switch_page(f"pages/{name}.py")
    at.run()
    assert not at.exception, at.exception
    return at


def fill(at: AppTest, **fields: Any) -> AppTest:
    """Fill the Mitmachen form (keys without the ``mm_`` prefix) and send it."""
    values: dict[str, Any] = {
        "name": "Musterdorf",
        "ags": "05358999",
        "contact_name": "Erika Musterfrau",
        "contact_function": "Referat Digitales 42",
        "contact_email": EMAIL,
        "contact_phone": "+49 30 1234567",
        "interests": ["t-e-akte"],
        "offer": "",
        "seek": "Austausch zur E-Akte",
        "consent": True,
    }
    values.update(fields)
    for key, value in values.items():
        if key == "interests":
            at.multiselect(key="mm_interests").set_value(value)
        elif key == "consent":
            at.checkbox(key="mm_consent").set_value(value)
        elif key in ("offer", "seek", "projects"):
            at.text_area(key=f"mm_{key}").input(value)
        else:
            at.text_input(key=f"mm_{key}").input(value)
    at.button(key="FormSubmitter:mm_form-Registrierung absenden").click()
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest, kind: str) -> list[str]:
    return [str(e.value) for e in getattr(at, kind)]


def everything(at: AppTest) -> str:
    """All a page sends to the browser: every element's message, widget labels and values
    and table data included — without backslashes, so that text escaped for Markdown
    (``erika\\@dueren\\.example``) is found as typed. (Search for ASCII: table data are
    bytes, whose other characters the message text shows as octal escapes.)"""
    out: list[str] = []

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(out).replace("\\", "")


# --------------------------------------------------------------------------- Mitmachen


def test_mitmachen_shows_members_and_how_to_join(app_env: Registrations) -> None:
    at = page("mitmachen")
    headers = texts(at, "header")
    assert headers == [
        "Was Mitglieder davon haben",
        "Wer schon dabei ist",
        "So funktioniert die Aufnahme",
        "Registrierung",
    ]
    open_net, pilot = (t.value for t in at.table)
    assert list(open_net.columns) == ["Name", "Art", "Land", "Mitglied seit"]
    assert md("Norderstedt") in set(open_net["Name"])
    # the membership rule: the 8 Modellkommunen, and through the Bewerbergemeinschaft
    # Ibbenbüren (a Modellkommune) its 9 municipalities and the KAAW
    assert len(pilot) == 18
    via = [n for n in pilot["Name"] if "(über Bewerbergemeinschaft" in n.replace("\\", "")]
    assert len(via) == 10
    assert md("Düren") in set(pilot["Name"])
    # the one German date wording: a month is written out, as on the start page
    halle = pilot[pilot["Name"] == md("Halle (Saale)")].iloc[0]
    assert halle["ausgewählt"] == md("August 2014")
    labels = [w.label for w in at.text_input] + [w.label for w in at.checkbox]
    assert "Dienstliche E-Mail-Adresse *" in labels
    assert any(label.startswith("Ich habe den Datenschutzhinweis gelesen") for label in labels)
    notice = " ".join(texts(at, "markdown"))
    assert "Art. 6 Abs. 1 Buchst. a DSGVO" in notice and "Speicherdauer" in notice


def test_a_registration_gets_a_reference_and_waits_for_review(app_env: Registrations) -> None:
    at = fill(page("mitmachen"), name="Musterdorf <script>alert(1)</script>")
    [success] = texts(at, "success")
    [reg] = app_env.registrations()
    assert md(reg.reference) in success and "Referenznummer" in success
    assert reg.status is Status.PENDING
    assert reg.municipality_name == "Musterdorf <script>alert(1)</script>"
    assert reg.contact is not None and reg.contact.email == EMAIL
    assert reg.interests == ("t-e-akte",)
    assert not app_env.store.graph().has_node("Municipality:05358999")  # nothing public yet

    at.button(key="mm_again").click()
    at.run()
    assert texts(at, "success") == [] and at.text_input(key="mm_contact_email")


def test_every_problem_is_named_in_german_and_nothing_is_stored(
    app_env: Registrations,
) -> None:
    at = fill(
        page("mitmachen"),
        ags="5358",
        contact_email="erika(at)musterdorf",
        interests=[],
        seek="",
        consent=False,
    )
    summary, *at_fields = texts(at, "error")
    assert summary.startswith("Bitte prüfen Sie Ihre Angaben – 4 Felder sind markiert:")
    for part in ("Gemeindeschlüssel \\(AGS\\)", "E\\-Mail\\: ist keine gültige", "Einwilligung"):
        assert part in summary, summary
    # each below its own field, all at once (the text fields and the consent)
    assert len(at_fields) == 4, at_fields  # AGS, e-mail, consent, and no topic or text
    assert any(e.startswith("E\\-Mail\\:") for e in at_fields)
    assert app_env.registrations() == []


def test_a_second_registration_while_one_is_pending(app_env: Registrations) -> None:
    fill(page("mitmachen"))
    at = fill(page("mitmachen"), contact_email="jemand@musterdorf.example")
    [error] = texts(at, "error")
    assert "liegt bereits eine Registrierung vor" in error
    assert "Erika" not in everything(at)
    assert len(app_env.registrations()) == 1


def test_the_honeypot_stores_nothing(app_env: Registrations) -> None:
    at = fill(page("mitmachen"), website="https://spam.example")
    assert texts(at, "success") == ["Vielen Dank! Ihre Registrierung ist eingegangen."]
    assert app_env.registrations() == []


def test_the_form_is_limited_per_client_across_sessions(
    app_env: Registrations, tmp_path: Path
) -> None:
    # each from a fresh browser session (as a reload gives), each for another contact, so
    # that only the client's limit applies
    sent = [
        fill(
            page("mitmachen"),
            ags=f"053589{i:02}",
            name=f"Dorf {i}",
            contact_email=f"p{i}@dorf.example",
        )
        for i in range(10, 10 + CLIENT_LIMIT.count + 1)
    ]
    assert all(at.success for at in sent[:-1]), [texts(at, "error") for at in sent]
    [error] = texts(sent[-1], "error")
    assert "in kurzer Zeit mehrere Registrierungen" in error and "erneut" in error
    stored = len(app_env.registrations())
    st.cache_resource.clear()  # as after a restart of the app: the count is kept
    again = fill(page("mitmachen"), ags="05358998", name="Dorf X", contact_email="neu@dorf.example")
    assert texts(again, "error") and len(app_env.registrations()) == stored
    counts = (tmp_path / "anmeldegrenzen.json").read_text(encoding="utf-8")
    assert "dorf.example" not in counts and "lokal" not in counts  # no address in clear


def test_the_form_is_limited_per_contact_across_clients(
    app_env: Registrations, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kommunetz.ui

    addresses = iter(f"192.0.2.{i}" for i in range(1, 100))
    monkeypatch.setattr(kommunetz.ui, "client_address", lambda: next(addresses))
    sent = [
        fill(page("mitmachen"), ags=f"053589{i:02}", name=f"Dorf {i}", contact_email=EMAIL.upper())
        for i in range(CONTACT_LIMIT.count + 1)
    ]
    assert all(at.success for at in sent[:-1]), [texts(at, "error") for at in sent]
    assert "in kurzer Zeit mehrere Registrierungen" in texts(sent[-1], "error")[0]
    assert len(app_env.registrations()) == CONTACT_LIMIT.count


def test_with_a_directory_the_municipality_is_chosen_from_it(app_env: Registrations) -> None:
    app_env.store.write(read_directory(GV_TINY))
    at = page("mitmachen")
    assert "mm_ags" not in [w.key for w in at.text_input]
    at = fill_contact_only(at)
    summary, at_field = texts(at, "error")
    assert summary.startswith("Bitte prüfen Sie Ihre Angaben – ein Feld ist markiert:")
    assert at_field == md("Bitte wählen Sie Ihre Kommune aus dem Gemeindeverzeichnis.")

    at = page("mitmachen")
    at.text_input(key="mm_query").input("München")
    at.run()
    options = at.selectbox(key="mm_choice").options
    assert any("München (kreisfreie Stadt, Bayern, AGS 09162000)" in o for o in options)
    at.selectbox(key="mm_choice").select_index(
        next(i for i, o in enumerate(options) if "09162000" in o)
    )
    at.run()
    at = fill_contact_only(at)
    assert texts(at, "success"), texts(at, "error")
    [reg] = app_env.registrations()
    assert (reg.ags, reg.municipality_name) == ("09162000", "München")


def test_a_single_hit_is_chosen_at_once(app_env: Registrations) -> None:
    """An AGS (also without its leading zero) finds one municipality: it is chosen, not
    left at "Bitte wählen" — also after an earlier search with several hits."""
    app_env.store.write(read_directory(GV_TINY))
    at = page("mitmachen")
    at.text_input(key="mm_query").input("München")
    at.run()
    assert len(at.selectbox(key="mm_choice").options) > 1
    assert at.selectbox(key="mm_choice").value is None
    at.text_input(key="mm_query").input("9162000")
    at.run()
    chosen = at.selectbox(key="mm_choice").value
    assert chosen is not None and chosen.key == "09162000"
    at = fill_contact_only(at)
    assert texts(at, "success"), texts(at, "error")
    [reg] = app_env.registrations()
    assert reg.ags == "09162000"


def test_without_a_privacy_controller_the_form_is_not_open(
    app_env: Registrations, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nobody may consent to a placeholder: without KOMMUNETZ_PRIVACY_CONTROLLER the page
    says the registration is not open yet and offers no form."""
    monkeypatch.delenv("KOMMUNETZ_PRIVACY_CONTROLLER")
    at = page("mitmachen")
    assert any("noch nicht geöffnet" in i for i in texts(at, "info"))
    assert not [c for c in at.checkbox if c.key == "mm_consent"]
    assert not [t for t in at.text_input if t.key == "mm_contact_email"]


def fill_contact_only(at: AppTest) -> AppTest:
    """Fill and send the form's contact, text and consent; the municipality as it is."""
    at.text_input(key="mm_contact_name").input("Erika Musterfrau")
    at.text_input(key="mm_contact_function").input("CDO")
    at.text_input(key="mm_contact_email").input(EMAIL)
    at.text_area(key="mm_seek").input("Austausch")
    at.checkbox(key="mm_consent").check()
    at.button(key="FormSubmitter:mm_form-Registrierung absenden").click()
    at.run()
    assert not at.exception, at.exception
    return at


def test_while_the_database_is_down_the_form_keeps_the_registration(
    app_env: Registrations, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:9")  # nothing listens there
    at = page("mitmachen")
    assert any("nicht erreichbar" in w for w in texts(at, "warning"))
    at = fill_offline(at)
    [success] = texts(at, "success")
    assert any("sicher zwischengespeichert" in info for info in texts(at, "info"))
    files = list((tmp_path / "outbox").iterdir())
    assert len(files) == 1 and md(files[0].stem.upper()) in success

    monkeypatch.delenv("NEO4J_URI")  # the database is back: the next visit delivers
    st.cache_resource.clear()
    page("mitmachen")
    assert list((tmp_path / "outbox").iterdir()) == []
    assert [r.reference for r in app_env.registrations()] == [files[0].stem.upper()]


def fill_offline(at: AppTest) -> AppTest:
    """The form without topics (they come from the database)."""
    at.text_input(key="mm_name").input("Musterdorf")
    at.text_input(key="mm_ags").input("05358999")
    return fill_contact_only(at)


# --------------------------------------------------------------------------- Verwaltung


def login(user: str = ADMIN, password: str = PASSWORD, at: AppTest | None = None) -> AppTest:
    at = at or page("verwaltung")
    at.text_input(key="vw_user").input(user)
    at.text_input(key="vw_password").input(password)
    at.button(key="FormSubmitter:vw_login-Anmelden").click()
    at.run()
    assert not at.exception, at.exception
    return at


def test_verwaltung_without_an_account_explains_the_setup(
    app_env: Registrations, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KOMMUNETZ_ADMIN_PASSWORD_HASH")
    at = page("verwaltung")
    [warning] = texts(at, "warning")
    assert "noch nicht eingerichtet" in warning and "hash\\-password" in warning
    assert at.text_input.len == 0


def test_login_and_lock_out(app_env: Registrations) -> None:
    app_env.submit_registration(make_submission())
    at = login(password="falsch")
    assert texts(at, "error") == ["Benutzername oder Passwort ist falsch."]
    assert "Erika" not in everything(at)
    for _ in range(MAX_FAILURES - 1):
        at = login(password="falsch", at=at)
    at = login(at=at)  # right, but too late: locked from this client, also a new session
    assert "Minuten gesperrt" in texts(at, "error")[0]
    assert "Minuten gesperrt" in texts(login(), "error")[0]
    assert "Erika" not in everything(at)


def test_login_warns_before_it_locks_and_locks_only_that_client(
    app_env: Registrations, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone else's wrong tries do not lock the coordinator out at their own desk; the
    page warns while tries are left."""
    import kommunetz.ui

    monkeypatch.setattr(kommunetz.ui, "client_address", lambda: "203.0.113.7")
    at = login(password="falsch")
    assert texts(at, "warning") == []  # one wrong try: no fuss yet
    for _ in range(MAX_FAILURES - 3):
        at = login(password="falsch", at=at)
    [warning] = texts(at, "warning")
    assert warning.startswith("Noch 2 Versuche") and "15 Minuten gesperrt" in warning
    at = login(password="falsch", at=at)
    assert texts(at, "warning")[0].startswith("Noch 1 Versuch:")
    at = login(password="falsch", at=at)
    assert "Minuten gesperrt" in texts(login(), "error")[0]  # this client is locked
    monkeypatch.setattr(kommunetz.ui, "client_address", lambda: "198.51.100.2")
    at = login()  # the coordinator, elsewhere: the right password works
    assert texts(at, "error") == []
    assert at.session_state["coordinator"][0] == ADMIN


def test_login_then_approve(app_env: Registrations, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KOMMUNETZ_PRIVACY_CONTROLLER")  # the coordinator is reminded of it
    sub = make_submission(ags="05358999", municipality_name="Musterdorf <b>fett</b>")
    app_env.submit_registration(sub)
    at = login()
    assert texts(at, "error") == []
    assert any("nennt noch keine verantwortliche Stelle" in w for w in texts(at, "warning"))
    assert at.tabs[0].label == "Offen (1)"
    [expander] = at.expander
    assert expander.label.startswith(f"{sub.reference} · {md('Musterdorf <b>fett</b>')} (AGS")
    details = at.table[0].value
    assert md("erika.mustermann@dueren.example") in set(details["Inhalt"])
    at.button(key=f"vw_approve_{sub.id}").click()
    at.run()
    [success] = texts(at, "success")
    assert "ist jetzt Mitglied des offenen Netzwerks seit" in success
    assert at.tabs[0].label == "Offen (0)" and at.tabs[1].label == "Entschieden (1)"
    reg = app_env.registration(sub.id)
    assert reg is not None and reg.status is Status.APPROVED and reg.decided_by == ADMIN
    assert app_env.store.graph().has_edge(
        "Municipality:05358999", f"Network:{OPEN_NETWORK_ID}", key="MEMBER_OF"
    )
    # the new member is listed for everyone, its name escaped
    names = set(page("mitmachen").table[0].value["Name"])
    assert md("Musterdorf <b>fett</b>") in names


def test_reject_needs_a_reason(app_env: Registrations) -> None:
    sub = make_submission()
    app_env.submit_registration(sub)
    at = login()
    at.button(key=f"vw_reject_{sub.id}").click()
    at.run()
    assert any("Grund für die Ablehnung" in e for e in texts(at, "error"))
    at.text_area(key=f"vw_reason_{sub.id}").input("Bitte über den Kreis anmelden")
    at.button(key=f"vw_reject_{sub.id}").click()
    at.run()
    assert texts(at, "success") == [f"{sub.reference} abgelehnt."]
    reg = app_env.registration(sub.id)
    assert reg is not None and reg.reason == "Bitte über den Kreis anmelden"


def test_erase_needs_a_confirmation_and_leaves_no_trace(app_env: Registrations) -> None:
    sub = make_submission()
    app_env.submit_registration(sub)
    at = login()
    assert at.button(key=f"vw_erase_{sub.id}").disabled
    at.checkbox(key=f"vw_erase_ok_{sub.id}").check()
    at.run()
    at.button(key=f"vw_erase_{sub.id}").click()
    at.run()
    assert texts(at, "success") == [
        f"{sub.reference} gelöscht: Registrierung und Kontaktdaten sind entfernt."
    ]
    assert app_env.registrations() == []
    assert "erika.mustermann@dueren.example" not in store_text(app_env.store)
    assert "erika.mustermann" not in everything(at)


def test_erase_by_reference_and_export(app_env: Registrations) -> None:
    sub = make_submission()
    app_env.submit_registration(sub)
    at = login()
    assert at.get("download_button")[0].proto.label == "Registrierungen als CSV herunterladen"
    at.text_input(key="vw_erase_ref").input("Düren")
    at.checkbox(key="vw_erase_sure").check()
    at.button(key="FormSubmitter:vw_erase_form-Löschen").click()
    at.run()
    assert any("keine Referenznummer" in e for e in texts(at, "error"))
    at.text_input(key="vw_erase_ref").input(sub.reference.lower())
    at.button(key="FormSubmitter:vw_erase_form-Löschen").click()
    at.run()
    assert texts(at, "success") == [
        f"{md(sub.reference)} gelöscht: Registrierung und Kontaktdaten sind entfernt."
    ]
    assert app_env.registrations() == []


# --------------------------------------------------------------------------- no leaks


def test_no_public_page_shows_contact_data(app_env: Registrations) -> None:
    fill(page("mitmachen"), projects="Projekt Geheimakte 4711")
    approved = make_submission(ags="05358998", municipality_name="Nachbardorf")
    app_env.submit_registration(approved)
    app_env.approve_registration(approved.id, now=NOW)
    secrets = (*PERSONAL, "Projekt Geheimakte 4711", "erika.mustermann@dueren.example")
    assert len(PAGES) >= 5
    for name in PAGES:  # every page, as another visitor sees it (Verwaltung: logged out)
        at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
        at.switch_page(name)
        at.run()
        shown = everything(at)
        for secret in secrets:
            assert secret not in shown, f"{secret!r} shown on {name}"
    # the scan is not blind: the coordinator, logged in, does see the contact
    assert EMAIL in everything(login())


def test_verwaltung_reminds_of_rejections_older_than_six_months(app_env: Registrations) -> None:
    old, recent = make_submission(), make_submission(ags="05358998")
    for sub in (old, recent):
        app_env.submit_registration(sub)
    app_env.reject_registration(old.id, "kein Bedarf", now=NOW - timedelta(days=400))
    app_env.reject_registration(recent.id, "kein Bedarf", now=datetime.now(UTC))
    [warning] = [w for w in texts(login(), "warning") if "sechs Monate" in w]
    assert old.reference in warning and recent.reference not in warning


@pytest.mark.reference_data
def test_the_full_directory_tells_namesakes_apart(
    app_env: Registrations, reference_dir: Path
) -> None:
    """With the whole Destatis directory (10,752 Gemeinden), a name that exists several
    times is offered with kind, Land and AGS, and the chosen one is registered."""
    app_env.store.write(read_directory(reference_dir / "AuszugGV4QAktuell_2024.xlsx"))
    at = page("mitmachen")
    at.text_input(key="mm_query").input("Neuenkirchen")
    at.run()
    options = at.selectbox(key="mm_choice").options
    assert len(options) >= 5
    assert all(re.search(r"\(.+, .+, AGS \d{8}\)$", o) for o in options), options
    # Neuenkirchen in Nordrhein-Westfalen is a member already, through the
    # Bewerbergemeinschaft Ibbenbüren (the membership rule): the form says so
    choice = next(i for i, o in enumerate(options) if "Nordrhein-Westfalen" in o)
    at.selectbox(key="mm_choice").select_index(choice)
    at.run()
    at = fill_contact_only(at)
    assert any("05566060) ist bereits Mitglied" in e.replace("\\", "") for e in texts(at, "error"))
    assert app_env.registrations() == []
    choice = next(i for i, o in enumerate(options) if "Niedersachsen" in o)
    at.selectbox(key="mm_choice").select_index(choice)
    at.run()
    at = fill_contact_only(at)
    assert texts(at, "success"), texts(at, "error")
    [reg] = app_env.registrations()
    assert reg.municipality_name == "Neuenkirchen" and reg.ags.startswith("03")


def test_logout_and_idle_timeout(app_env: Registrations) -> None:
    import time

    from kommunetz.auth import IDLE_TIMEOUT

    app_env.submit_registration(make_submission())
    at = login()
    assert at.tabs[0].label == "Offen (1)"
    at.button(key="vw_logout").click()
    at.run()
    assert at.tabs.len == 0 and at.text_input(key="vw_password")

    at = login()
    at.session_state["coordinator"] = (ADMIN, time.monotonic() - IDLE_TIMEOUT - 1)
    at.run()
    assert texts(at, "info") == ["Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an."]
    assert at.tabs.len == 0 and "Erika" not in everything(at)
