"""The self-service pages in the real app (Streamlit AppTest): a link's page shows a
button and confirms nothing before the click; sign-in links are answered the same for
every address and limited; the review page needs the coordinator; an unconfirmed
registration cannot be admitted in Verwaltung."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from graph.joining.proposal import ProposalKind, ProposalStatus
from graph.joining.proposals import Proposals
from graph.joining.tokens import Purpose
from graph.joining.workflow import Registrations, registration_store
from graph.stores.sqlite.store import EmbeddedStore
from kommunetz.auth import hash_password
from kommunetz.mail_settings import PER_ADDRESS
from loaders.curated import read_curated
from tests.registration_helpers import make_submission

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")
ADMIN, PASSWORD = "koordination", "ein sehr geheimes Passwort"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Registrations]:
    db = tmp_path / "app.sqlite"
    store = EmbeddedStore(db)
    store.write(read_curated(REPO / "data"))
    for name in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KOMMUNETZ_DB", str(db))
    monkeypatch.setenv("KOMMUNETZ_OUTBOX", str(tmp_path / "outbox"))
    monkeypatch.setenv("KOMMUNETZ_ADMIN_USER", ADMIN)
    monkeypatch.setenv("KOMMUNETZ_ADMIN_PASSWORD_HASH", hash_password(PASSWORD))
    st.cache_resource.clear()
    yield registration_store(store)
    st.cache_resource.clear()
    store.close()


def open_page(name: str, token: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(f"pages/{name}.py")
    if token is not None:
        at.query_params["t"] = token
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_confirmation_page_confirms_on_the_click_only(env: Registrations) -> None:
    sub = make_submission(
        datetime.now(UTC), ags="05358999", municipality_name="Musterdorf", confirm=True
    )
    env.submit_registration(sub)
    token = env.issue_token(Purpose.CONFIRM, sub.id, datetime.now(UTC))

    assert open_page("bestaetigen").info  # no token: what the page is for
    at = open_page("bestaetigen", token)
    assert [b.label for b in at.button] == ["Adresse bestätigen"]
    assert not env.registration(sub.id).confirmed  # type: ignore[union-attr]
    at.button(key="cf_confirm").click().run()
    assert any("Adresse ist bestätigt" in s.value for s in at.success)
    assert env.registration(sub.id).confirmed  # type: ignore[union-attr]

    again = open_page("bestaetigen", token)
    again.button(key="cf_confirm").click().run()
    assert any("abgelaufen" in e.value for e in again.error), (
        [e.value for e in again.error],
        [m.value for m in again.markdown],
        [m.value for m in again.success],
    )


def test_sign_in_links_answer_the_same_for_every_address_and_are_limited(
    env: Registrations,
) -> None:
    at = open_page("mitglieder")
    answers = set()
    for i in range(PER_ADDRESS):
        at.text_input(key="mg_email").input(f"unbekannt{i % 2}@example.org")
        at.button(key="FormSubmitter:mg_link-Anmeldelink anfordern").click().run()
        answers.add(tuple(s.value for s in at.success))
    assert len(answers) == 1 and "Anmeldelink" in next(iter(answers))[0]
    for _ in range(3):  # past the per-client limit (5 an hour)
        at.text_input(key="mg_email").input("unbekannt0@example.org")
        at.button(key="FormSubmitter:mg_link-Anmeldelink anfordern").click().run()
    assert any("Minuten erneut" in e.value for e in at.error)
    assert not [b for b in at.button if b.label == "Vorschlag einreichen"]


def test_a_used_or_unknown_sign_in_link_is_refused(env: Registrations) -> None:
    at = open_page("mitglieder", "x" * 43)
    at.button(key="mg_sign_in").click().run()
    assert any("abgelaufen" in e.value for e in at.error)
    assert not any("Angemeldet als" in m.value for m in at.markdown)


def test_the_review_page_needs_the_coordinator(env: Registrations) -> None:
    at = open_page("vorschlaege")
    assert any("in der Verwaltung an" in i.value for i in at.info)
    assert not at.tabs


def test_an_unconfirmed_registration_cannot_be_admitted(env: Registrations) -> None:
    sub = make_submission(
        datetime.now(UTC), ags="05358999", municipality_name="Musterdorf", confirm=True
    )
    env.submit_registration(sub)
    at = open_page("verwaltung")
    at.text_input(key="vw_user").input(ADMIN)
    at.text_input(key="vw_password").input(PASSWORD)
    at.button(key="FormSubmitter:vw_login-Anmelden").click().run()
    assert at.button(key=f"vw_approve_{sub.id}").disabled
    assert any("noch nicht bestätigt" in i.value for i in at.info)
    at.button(key=f"vw_resend_{sub.id}").click().run()
    assert any("neuer Bestätigungslink" in s.value for s in at.success)
    mails = list((Path(str(env.store.path)).parent / "outbox-mail").glob("m-*.json"))  # type: ignore[attr-defined]
    assert len(mails) == 1, "the link waits in the mail queue (no server configured)"


def test_a_signed_in_member_proposes_a_project(env: Registrations) -> None:
    now = datetime.now(UTC)
    sub = make_submission(now, ags="05358999", municipality_name="Musterdorf", confirm=True)
    env.submit_registration(sub)
    env.confirm_address(env.issue_token(Purpose.CONFIRM, sub.id, now), now=now)
    env.approve_registration(sub.id, now=now)

    at = open_page("mitglieder", env.issue_token(Purpose.SIGN_IN, sub.id, now))
    assert not any("Angemeldet als" in m.value for m in at.markdown)  # not before the click
    at.button(key="mg_sign_in").click().run()
    assert any("Angemeldet als Kontakt von" in m.value for m in at.markdown)
    k = "project_neu"
    at.text_input(key=f"mg_title_{k}").input("Digitale Bauakte")
    at.text_input(key=f"mg_start_{k}").input("2025")
    at.multiselect(key=f"mg_topics_{k}").set_value(["t-e-akte"])
    at.button(key=f"FormSubmitter:mg_form_{k}-Vorschlag einreichen").click().run()
    assert any("liegt der Koordination vor" in s.value for s in at.success), [
        e.value for e in at.error
    ]
    [p] = Proposals(env).proposals()
    assert p.change["title"] == "Digitale Bauakte" and p.change["topics"] == ["t-e-akte"]
    assert f"Project:p-{p.id}" not in env.store.graph()  # nothing public before review

    at.text_input(key=f"mg_start_{k}").input("25")  # a broken date: German message
    at.button(key=f"FormSubmitter:mg_form_{k}-Vorschlag einreichen").click().run()
    assert any("Beginn" in e.value and "kein Datum" in e.value for e in at.error)


def test_the_other_member_confirms_a_cooperation_on_its_page(env: Registrations) -> None:
    now = datetime.now(UTC)
    regs = []
    for ags, name, email in (
        ("05358999", "Musterdorf", "a@musterdorf.example"),
        ("05358998", "Beispielstadt", "b@beispielstadt.example"),
    ):
        sub = make_submission(
            now, ags=ags, municipality_name=name, contact={"email": email}, confirm=True
        )
        env.submit_registration(sub)
        env.confirm_address(env.issue_token(Purpose.CONFIRM, sub.id, now), now=now)
        regs.append(env.approve_registration(sub.id, now=now).registration)
    ps = Proposals(env)
    p = ps.draft(
        regs[0],
        ProposalKind.COOPERATION,
        {"title": "Gemeinsame E-Akte"},
        partner_ags="05358998",
        now=now,
    )
    ps.submit(p, now=now)

    at = open_page("mitglieder", env.issue_token(Purpose.SIGN_IN, regs[1].id, now))
    at.button(key="mg_sign_in").click().run()
    assert any("schlägt eine Kooperation vor" in m.value for m in at.markdown)
    at.button(key=f"mg_confirm_{p.id}").click().run()
    assert any("bestätigt" in s.value for s in at.success)
    assert ps.proposal(p.id).status is ProposalStatus.PENDING  # type: ignore[union-attr]
