"""The living network end to end, in a real browser (Debian Chromium through Playwright)
against the real app (``streamlit run``) and a real SMTP server (aiosmtpd on a loopback
port, STARTTLS required): a municipality registers → the confirmation mail arrives →
the address is confirmed by a button (opening the link alone confirms nothing) → the
coordinator approves → the member's contact asks for a sign-in link → signs in →
proposes a project → the coordinator approves it → the project is in the explorer with
its source. Used and expired tokens are refused, no token reaches the server's log, and
not one request leaves this machine."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from graph.joining.proposal import ProposalStatus
from graph.joining.proposals import Proposals
from graph.joining.registration import Status
from graph.joining.tokens import Purpose
from graph.joining.workflow import registration_store
from graph.stores.sqlite.store import EmbeddedStore
from kommunetz.auth import hash_password
from tests.browser.conftest import Requests, built, click_option, curated_db, running_app
from tests.mail_server import MailServer, Received, mail_server
from tests.neo4j_server.server import free_port

pytestmark = pytest.mark.browser

ADMIN, PASSWORD = "koordination", "ein sehr geheimes Passwort"
NAME = "Musterdorf am See"
AGS = "05358999"
EMAIL = "erika@musterdorf.example"
COORDINATOR = "koordination@netzwerk.example"
TITLE = "Digitale Bauakte Musterdorf"
SUMMARY = "Bauanträge <img src=x onerror=alert(1)> vollständig digital"
TIMEOUT = 60_000  # ms: a busy machine


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[str, Path, MailServer]]:
    """The SMTP server and the app on its own copy of the curated data, with a
    coordinator account; the app's links point at itself."""
    with mail_server(tmp_path) as smtp:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        db = curated_db(tmp_path / "app.sqlite")
        extra = {
            **smtp.env(),
            "KOMMUNETZ_OUTBOX": str(tmp_path / "outbox"),
            "KOMMUNETZ_PRIVACY_CONTROLLER": "Stadt Musterdorf, Markt 1, 12345 Musterdorf",
            "KOMMUNETZ_ADMIN_USER": ADMIN,
            "KOMMUNETZ_ADMIN_PASSWORD_HASH": hash_password(PASSWORD),
            "KOMMUNETZ_BASE_URL": url,
            "KOMMUNETZ_COORDINATOR_EMAIL": COORDINATOR,
        }
        with running_app(db, tmp_path, extra, port=port) as running:
            assert running == url
            yield url, db, smtp


def wait_for_mail(smtp: MailServer, to: str, count: int) -> Received:
    """The ``count``-th mail to ``to`` (waits for it)."""
    deadline = time.monotonic() + 60
    while len(got := smtp.to(to)) < count:
        assert time.monotonic() < deadline, f"mail {count} to {to} did not arrive: {got}"
        time.sleep(0.3)
    return got[count - 1]


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["t"][0]


def registration(db: Path) -> Any:
    store = EmbeddedStore(db)
    try:
        [reg] = registration_store(store).registrations()
        return reg
    finally:
        store.close()


def test_register_confirm_admit_sign_in_propose_and_see_the_project(
    browser: Any, world: tuple[str, Path, MailServer], capsys: pytest.CaptureFixture[str]
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)  # a busy machine: wait as long as for actions
    url, db, smtp = world
    seen = Requests()
    dialogs: list[str] = []
    contexts = []

    def new_page() -> Any:
        context = browser.new_context(locale="de-DE", viewport={"width": 1400, "height": 1000})
        context.on("request", seen)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)

        def on_dialog(d: Any) -> None:
            dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", on_dialog)
        return page

    tokens: list[str] = []
    try:
        # --- a municipality registers on Mitmachen
        applicant = new_page()
        applicant.goto(f"{url}/mitmachen")
        built(applicant)  # typed during the run, input can be lost
        applicant.get_by_role("textbox", name="Name der Kommune *", exact=True).fill(NAME)
        applicant.get_by_role(
            "textbox", name="Amtlicher Gemeindeschlüssel (AGS) *", exact=True
        ).fill(AGS)
        applicant.get_by_role("textbox", name="Name *", exact=True).fill("Erika Musterfrau")
        applicant.get_by_role("textbox", name="Funktion *", exact=True).fill("E-Government")
        applicant.get_by_role("textbox", name="Dienstliche E-Mail-Adresse *", exact=True).fill(
            EMAIL
        )
        applicant.get_by_role("textbox", name="Was wir suchen", exact=True).fill("Austausch")
        consent = applicant.get_by_role("checkbox", name=re.compile("Datenschutzhinweis gelesen"))
        consent.focus()
        applicant.keyboard.press("Space")  # the label covers the box
        expect(consent).to_be_checked()
        applicant.get_by_role("button", name="Registrierung absenden").click()
        confirmation = applicant.get_by_text("Ihre Referenznummer lautet")
        expect(confirmation).to_be_visible()
        expect(applicant.get_by_text("Bitte bestätigen Sie Ihre E-Mail-Adresse")).to_be_visible()
        reference = re.search(r"R-\d{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", confirmation.inner_text())
        assert reference
        reference_text = reference.group(0)

        # --- the mail arrives, over STARTTLS, with a link
        mail = wait_for_mail(smtp, EMAIL, 1)
        assert reference_text in mail.subject
        link = mail.link("bestaetigen")
        assert link.startswith(f"{url}/bestaetigen?t=")
        tokens.append(token_of(link))
        assert len(tokens[0]) >= 43  # 256 bits

        # --- opening the link (as a mail scanner would) confirms nothing; the button does
        applicant.goto(link)
        button = applicant.get_by_role("button", name="Adresse bestätigen")
        expect(button).to_be_visible()
        assert not registration(db).confirmed, "a GET alone must not confirm"
        button.click()
        expect(applicant.get_by_text("Die Adresse ist bestätigt")).to_be_visible()
        assert registration(db).confirmed
        news = wait_for_mail(smtp, COORDINATOR, 1)
        assert reference_text in news.subject and EMAIL not in news.body

        # --- the used link is refused
        applicant.goto(link)
        applicant.get_by_role("button", name="Adresse bestätigen").click()
        expect(applicant.get_by_text("nicht (mehr) gültig")).to_be_visible()

        # --- the coordinator logs in and approves; the applicant is told
        coordinator = new_page()
        coordinator.goto(f"{url}/verwaltung")
        built(coordinator)  # typed during the run, input can be lost
        coordinator.get_by_role("textbox", name="Benutzername", exact=True).fill(ADMIN)
        coordinator.get_by_role("textbox", name="Passwort", exact=True).fill(PASSWORD)
        coordinator.get_by_role("button", name="Anmelden").click()
        expect(coordinator.get_by_text(f"Angemeldet als {ADMIN}")).to_be_visible()
        coordinator.get_by_text(reference_text).click()
        coordinator.get_by_role("button", name="Aufnehmen").click()
        expect(coordinator.get_by_text("ist jetzt Mitglied des offenen Netzwerks")).to_be_visible()
        decision = wait_for_mail(smtp, EMAIL, 2)
        assert "Aufgenommen" in decision.subject

        # --- the member's contact asks for a sign-in link and signs in with it
        member = new_page()
        member.goto(f"{url}/mitglieder")
        member.get_by_role("textbox", name="Ihre dienstliche E-Mail-Adresse").fill(EMAIL)
        member.get_by_role("button", name="Anmeldelink anfordern").click()
        expect(member.get_by_text("Anmeldelink unterwegs")).to_be_visible()
        sign_in = wait_for_mail(smtp, EMAIL, 3).link("mitglieder")
        tokens.append(token_of(sign_in))
        member.goto(sign_in)
        expect(member.get_by_role("button", name="Anmelden")).to_be_visible()
        member.get_by_role("button", name="Anmelden").click()
        expect(member.get_by_text(f"Angemeldet als Kontakt von {NAME}")).to_be_visible()

        # --- ... and proposes a project
        member.get_by_role("textbox", name="Titel *").fill(TITLE)
        member.get_by_role("textbox", name="Kurzbeschreibung").fill(SUMMARY)
        member.get_by_role("textbox", name="Stand").fill("läuft")
        member.get_by_role("textbox", name="Beginn (Jahr, Monat oder Tag)").fill("2025")
        topics = member.get_by_role("combobox", name="Themen")
        topics.click()
        topics.press_sequentially("E-Akte")
        click_option(member.get_by_role("option", name=re.compile(r"^E-Akte")))
        member.keyboard.press("Escape")
        member.get_by_role("button", name="Vorschlag einreichen").click()
        thanks = member.get_by_text("Ihr Vorschlag V-")
        expect(thanks).to_be_visible()
        found = re.search(r"V-\d{4}-[0-9A-Z]{8}", thanks.inner_text())
        assert found
        proposal_ref = found.group(0)
        wait_for_mail(smtp, COORDINATOR, 2)

        # nothing is public before review
        member.goto(f"{url}/netzwerk")
        built(member)  # typed during the run, input can be lost
        member.get_by_label("Suche nach Name oder AGS").fill(TITLE)
        member.get_by_role("button", name="Suchen").click()
        expect(member.get_by_text(f"Keine Treffer gefunden für „{TITLE}“")).to_be_visible()

        # --- the coordinator reviews it: before/after, then approves
        coordinator.get_by_role("link", name="Vorschläge der Mitglieder prüfen").click()
        coordinator.get_by_text(re.compile(f"^{proposal_ref} · ")).click()  # its expander
        table = coordinator.get_by_role(
            "table", name=f"Vorher und nachher: Vorschlag {proposal_ref}"
        )
        expect(table).to_contain_text(TITLE)
        expect(table).to_contain_text(SUMMARY)  # as text ...
        assert table.locator("img").count() == 0  # ... never as markup
        coordinator.get_by_role("button", name="Übernehmen").click()
        expect(coordinator.get_by_text(f"{proposal_ref} übernommen")).to_be_visible()
        coordinator.get_by_role("tab", name="Protokoll").click()
        expect(coordinator.get_by_text("Vorschlag übernommen").first).to_be_visible()
        wait_for_mail(smtp, EMAIL, 4)

        # --- the project is in the explorer, with its source: the municipality's statement
        member.goto(f"{url}/netzwerk")
        built(member)  # typed during the run, input can be lost
        member.get_by_label("Suche nach Name oder AGS").fill(TITLE)
        member.get_by_role("button", name="Suchen").click()
        member.get_by_role("heading", name=f"Umgebung von {TITLE} (Tiefe 1)").wait_for()
        sources = member.locator("[data-testid='stMarkdown']", has_text="Quellen")
        expect(sources).to_contain_text(f"Angaben von {NAME} über kommunetz, eingereicht am")
        expect(sources).to_contain_text(proposal_ref)
        expect(member.get_by_text("Bauanträge <img src=x onerror=alert(1)>").first).to_be_visible()
        assert EMAIL not in member.content()

        # --- an expired sign-in link (issued 31 minutes ago) is refused, so is a used one
        store = EmbeddedStore(db)
        try:
            reg = registration(db)
            expired = registration_store(store).issue_token(
                Purpose.SIGN_IN, reg.id, datetime.now(UTC) - timedelta(minutes=31)
            )
        finally:
            store.close()
        tokens.append(expired)
        stranger = new_page()
        for token in (expired, tokens[1]):
            stranger.goto(f"{url}/mitglieder?t={token}")
            stranger.get_by_role("button", name="Anmelden").click()
            expect(stranger.get_by_text("nicht (mehr) gültig")).to_be_visible()
            expect(stranger.get_by_text("Angemeldet als Kontakt")).to_have_count(0)
    finally:
        for context in contexts:
            context.close()

    log = (Path(db).parent / "streamlit.log").read_text()
    with capsys.disabled():  # shown in the CI log
        print(
            f"\nSelf-service end to end: {len(smtp.received)} mails over STARTTLS, "
            f"requests {len(seen.all)}, to other hosts {len(seen.non_local)}, "
            f"scripts run {len(dialogs)}"
        )
    assert seen.non_local == [], f"requests to other hosts: {seen.non_local}"
    assert dialogs == [], f"a script ran: {dialogs}"
    for token in tokens:
        assert token not in log, "a token reached the server's log"
    store = EmbeddedStore(db)
    try:
        [reg] = registration_store(store).registrations()
        assert reg.status is Status.APPROVED and reg.confirmed
        [p] = Proposals(registration_store(store)).proposals()
        assert p.status is ProposalStatus.APPROVED and p.reference == proposal_ref
        g = store.graph()
        assert g.has_edge(f"Municipality:{AGS}", f"Project:p-{p.id}", key="RUNS")
    finally:
        store.close()
