"""End to end in a real browser (Debian Chromium through Playwright) against the real app
(``streamlit run``): a municipality registers on Mitmachen, confirms its address with the
mailed link, the coordinator logs in on Verwaltung and approves it, and the new member is
shown — with typed HTML shown as text, no script run, and not one request to a host other
than the app's."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Dialog

from graph.joining.registration import OPEN_NETWORK_ID, Status
from graph.joining.workflow import registration_store
from graph.stores.sqlite.store import EmbeddedStore
from kommunetz.auth import hash_password
from tests.browser.conftest import TIMEOUT, built, click_option, curated_db, running_app
from tests.mail_server import MailServer, mail_server
from tests.neo4j_server.server import free_port

pytestmark = pytest.mark.browser

ADMIN, PASSWORD = "koordination", "ein sehr geheimes Passwort"
NAME = "Musterdorf <b>am See</b>"
XSS = "<img src=x onerror=alert(1)><script>alert(2)</script>"
EMAIL = "erika@musterdorf.example"


@pytest.fixture
def join_app(tmp_path: Path) -> Iterator[tuple[str, Path, MailServer]]:
    """The app on its own copy of the curated data, with a coordinator account and a
    local SMTP server (the address is confirmed by a mailed link before approval)."""
    db = curated_db(tmp_path / "app.sqlite")
    with mail_server(tmp_path) as smtp:
        port = free_port()
        extra = {
            **smtp.env(),
            "KOMMUNETZ_BASE_URL": f"http://127.0.0.1:{port}",
            "KOMMUNETZ_OUTBOX": str(tmp_path / "outbox"),
            "KOMMUNETZ_ADMIN_USER": ADMIN,
            "KOMMUNETZ_ADMIN_PASSWORD_HASH": hash_password(PASSWORD),
            "KOMMUNETZ_PRIVACY_CONTROLLER": "Stadt Musterdorf, Markt 1, 12345 Musterdorf",
        }
        with running_app(db, tmp_path, extra, port=port) as url:
            yield url, db, smtp


def test_register_approve_and_see_the_new_member(
    browser: Any, join_app: tuple[str, Path, MailServer], capsys: pytest.CaptureFixture[str]
) -> None:
    from playwright.sync_api import expect

    url, db, smtp = join_app
    foreign: list[str] = []
    dialogs: list[str] = []
    context = browser.new_context(locale="de-DE")
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)  # an upper bound: every step waits for a condition
        expect.set_options(timeout=TIMEOUT)
        page.on(
            "request",
            lambda r: (
                None
                if r.url.startswith(url) or r.url.startswith("data:")
                else foreign.append(r.url)
            ),
        )

        def on_dialog(d: Dialog) -> None:
            dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", on_dialog)

        # --- a municipality registers
        page.goto(f"{url}/mitmachen")
        built(page)  # typing into a page that still runs can be lost
        expect(page.get_by_role("heading", name="Mitmachen im offenen Netzwerk")).to_be_visible()
        expect(page.locator(".st-key-mm_website")).to_be_hidden()  # the honeypot
        page.get_by_role("textbox", name="Name der Kommune *", exact=True).fill(NAME)
        page.get_by_role("textbox", name="Amtlicher Gemeindeschlüssel (AGS) *", exact=True).fill(
            "05358999"
        )
        page.get_by_role("textbox", name="Name *", exact=True).fill("Erika Musterfrau")
        page.get_by_role("textbox", name="Funktion *", exact=True).fill("E-Government-Beauftragte")
        page.get_by_role("textbox", name="Dienstliche E-Mail-Adresse *", exact=True).fill(EMAIL)
        topics = page.get_by_role("combobox", name="Themen, die Sie interessieren")
        topics.click()
        topics.press_sequentially("E-Akte")
        click_option(page.get_by_role("option", name=re.compile(r"^E-Akte")))
        page.keyboard.press("Escape")  # close the list (it hides the rest from readers)
        page.get_by_role("textbox", name="Was wir anbieten", exact=True).fill(XSS)
        consent = page.get_by_role("checkbox", name=re.compile("Datenschutzhinweis gelesen"))
        consent.focus()
        page.keyboard.press("Space")  # keyboard, as without a mouse
        expect(consent).to_be_checked()
        page.get_by_role("button", name="Registrierung absenden").click()
        confirmation = page.get_by_text("Ihre Referenznummer lautet")
        expect(confirmation).to_be_visible()
        found = re.search(r"R-\d{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", confirmation.inner_text())
        assert found, confirmation.inner_text()
        reference = found.group(0)

        # --- the applicant confirms the address with the mailed link
        deadline = time.monotonic() + 60
        while not smtp.to(EMAIL):
            assert time.monotonic() < deadline, "the confirmation mail did not arrive"
            time.sleep(0.3)
        page.goto(smtp.to(EMAIL)[0].link("bestaetigen"))
        page.get_by_role("button", name="Adresse bestätigen").click()
        expect(page.get_by_text("Die Adresse ist bestätigt")).to_be_visible()

        # --- the coordinator logs in and approves
        page.goto(f"{url}/verwaltung")
        built(page)
        page.get_by_role("textbox", name="Benutzername", exact=True).fill(ADMIN)
        page.get_by_role("textbox", name="Passwort", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        expect(page.get_by_text(f"Angemeldet als {ADMIN}")).to_be_visible()
        built(page)
        page.get_by_text(reference).click()  # open the registration's expander
        details = page.get_by_role("table", name=f"Angaben der Registrierung {reference}")
        expect(details).to_contain_text(EMAIL)
        expect(details).to_contain_text(XSS)  # shown as text ...
        assert details.locator("img, script").count() == 0  # ... not as markup
        page.get_by_role("button", name="Aufnehmen").click()
        expect(page.get_by_text("ist jetzt Mitglied des offenen Netzwerks seit")).to_be_visible()
        built(page)

        # --- everyone sees the new member (contact data nowhere)
        page.goto(f"{url}/mitmachen")
        built(page)
        members = page.get_by_role("table", name=re.compile("^Offenes Netzwerk"))
        expect(members).to_contain_text(NAME)
        assert members.locator("b").count() == 0
        assert EMAIL not in page.content()

        # --- ... and in the explorer: found by search, drawn in the graph, as text
        page.goto(f"{url}/netzwerk")
        built(page)
        page.get_by_label("Suche nach Name oder AGS").fill("05358999")
        page.get_by_role("button", name="Suchen").click()
        page.get_by_role("heading", name=f"Umgebung von {NAME} (Tiefe 1)").wait_for()
        built(page)
        frame = page.frame_locator("iframe[title^='Netzwerkgrafik']")
        frame.locator("body[data-drawn='1']").wait_for(state="attached")
        # the graph's frame stays across runs: wait until it has drawn the new view
        frame.locator("body").evaluate(
            """() => new Promise(done => {
              const ready = () => {
                const net = window.kommunetzNetwork;
                const node = net && net.body.data.nodes.get('Municipality:05358999');
                if (node && node.label && net.getSelectedNodes().length) { done(); }
                else { setTimeout(ready, 50); }
              };
              ready();
            })"""
        )
        selected = frame.locator("body").evaluate(
            "() => window.kommunetzNetwork.getSelectedNodes()"
        )
        assert selected == ["Municipality:05358999"]
        label = frame.locator("body").evaluate(
            "() => window.kommunetzNetwork.body.data.nodes.get('Municipality:05358999').label"
        )
        assert label == NAME, "the name is drawn as typed text"
        assert frame.locator("b").count() == 0, "... never as markup"
        neighbours = frame.locator("body").evaluate(
            "() => window.kommunetzNetwork.getConnectedNodes('Municipality:05358999')"
        )
        assert f"Network:{OPEN_NETWORK_ID}" in neighbours
        assert EMAIL not in page.content()
    finally:
        context.close()

    with capsys.disabled():  # shown in the CI log
        print(
            f"\nJoin end to end: requests to other hosts {len(foreign)}, scripts run {len(dialogs)}"
        )
    assert dialogs == [], f"a script ran: {dialogs}"
    assert foreign == [], f"requests to other hosts: {foreign}"
    store = EmbeddedStore(db)
    try:
        [reg] = registration_store(store).registrations()
        assert reg.reference == reference and reg.status is Status.APPROVED
        g = store.graph()
        assert g.nodes["Municipality:05358999"]["name"] == NAME
        assert g.has_edge("Municipality:05358999", f"Network:{OPEN_NETWORK_ID}", key="MEMBER_OF")
    finally:
        store.close()
