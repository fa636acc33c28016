"""``kommunetz proposals …``, ``kommunetz mail …`` and the new ``registrations``
commands as a coordinator runs them, on both stores, with a real SMTP server."""

from __future__ import annotations

import csv
import io
import json
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graph.joining.proposal import ProposalKind
from graph.joining.proposals import Proposals
from graph.joining.tokens import Purpose
from graph.joining.workflow import registration_store
from graph.stores.open import StoreSettings, open_store
from kommunetz.cli import main
from tests.mail_server import MailServer, mail_server
from tests.registration_helpers import make_submission
from tests.test_cli import cli_store  # noqa: F401  (the fixture: both stores, by environment)
from tests.test_cli_registrations import run

EMAIL = "erika.mustermann@dueren.example"


@pytest.fixture
def smtp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MailServer]:
    monkeypatch.setenv("KOMMUNETZ_OUTBOX", str(tmp_path / "outbox"))
    monkeypatch.setenv("KOMMUNETZ_BASE_URL", "http://127.0.0.1:8650")
    with mail_server(tmp_path) as server:
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        yield server


def test_review_a_proposal_from_the_command_line(
    cli_store: str,  # noqa: F811
    smtp: MailServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["load"]) == 0
    store = open_store(StoreSettings.from_env())
    try:
        rs = registration_store(store)
        now = datetime.now(UTC)
        sub = make_submission(now, confirm=True)
        rs.submit_registration(sub)

        # an unconfirmed registration: listed as such, cannot be approved, link resent
        code, out, _ = run(capsys, "registrations", "list")
        assert "Adresse unbestätigt" in out
        code, _, err = run(capsys, "registrations", "approve", sub.reference)
        assert code == 1 and "nicht bestätigt" in err
        code, out, _ = run(capsys, "registrations", "resend", sub.reference)
        assert code == 0 and "Bestätigungslink" in out
        [mail] = smtp.to(EMAIL)
        token = mail.link("bestaetigen").rpartition("t=")[2]
        assert token not in out
        rs.confirm_address(token, now=now)
        code, out, _ = run(capsys, "registrations", "approve", sub.reference)
        assert code == 0 and "aufgenommen" in out
        assert "Aufgenommen" in smtp.to(EMAIL)[-1].subject  # the applicant is told

        member = rs.registration(sub.id)
        assert member is not None
        ps = Proposals(rs)
        p = ps.draft(
            member,
            ProposalKind.PROJECT,
            {"title": "Digitale Bauakte", "topics": ["t-e-akte"], "status": "läuft"},
            now=now,
        )
        ps.submit(p, now=now)
    finally:
        store.close()

    code, out, _ = run(capsys, "proposals", "list", "--status", "pending")
    assert code == 0 and p.reference in out and "Digitale Bauakte" in out
    code, out, _ = run(capsys, "proposals", "show", p.reference.lower())
    assert code == 0 and "Titel" in out and "→  Digitale Bauakte  *" in out
    code, out, _ = run(capsys, "proposals", "approve", p.reference)
    assert code == 0 and "übernommen" in out
    assert p.reference in smtp.to(EMAIL)[-1].subject  # the member is told
    code, _, err = run(capsys, "proposals", "approve", p.reference)
    assert code == 1 and "nicht zur Prüfung offen" in err
    code, _, err = run(capsys, "proposals", "reject", p.reference, "--reason", "x")
    assert code == 1
    listed = json.loads(run(capsys, "proposals", "list", "--json")[1])
    assert [x["status"] for x in listed] == ["approved"]

    out_csv = tmp_path / "protokoll.csv"
    code, out, _ = run(capsys, "proposals", "audit", "--csv", str(out_csv))
    assert code == 0 and stat.S_IMODE(out_csv.stat().st_mode) == 0o600
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text("utf-8-sig")), delimiter=";"))
    actions = [r["Was"] for r in rows]
    assert actions[-1] == "Vorschlag übernommen"
    assert {"Adresse bestätigt", "Registrierung aufgenommen", "Vorschlag eingereicht"} <= set(
        actions
    )
    assert EMAIL not in out_csv.read_text("utf-8-sig")


def test_mail_deliver_sends_what_waited_and_purges(
    cli_store: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("KOMMUNETZ_OUTBOX", str(tmp_path / "outbox"))
    assert main(["load"]) == 0
    server = MailServer(tmp_path)
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    store = open_store(StoreSettings.from_env())
    try:
        rs = registration_store(store)
        old = make_submission(datetime(2025, 1, 2, tzinfo=UTC), confirm=True)  # long due
        rs.submit_registration(old)
        fresh = make_submission(
            datetime.now(UTC), ags="05358", municipality_name="Kreis Düren", confirm=True
        )
        rs.submit_registration(fresh)
        rs.issue_token(Purpose.CONFIRM, fresh.id, datetime.now(UTC))
    finally:
        store.close()
    # the server is down: resend queues the mail
    code, out, _ = run(capsys, "registrations", "resend", fresh.reference)
    assert code == 0
    assert len(list((tmp_path / "outbox-mail").glob("m-*.json"))) == 1
    code, out, _ = run(capsys, "mail", "deliver")
    assert code == 0 and "1 unbestätigte Registrierung(en) gelöscht" in out and "1 warten" in out
    server.start()
    try:
        code, out, _ = run(capsys, "mail", "deliver")
        assert code == 0 and "1 Nachricht(en) versandt, 0 warten" in out
        assert len(server.received) == 1
        code, out, _ = run(capsys, "mail", "test", "test@example.org")
        assert code == 0 and len(server.to("test@example.org")) == 1
    finally:
        server.stop()
    code, out, _ = run(capsys, "registrations", "list", "--json")
    assert [r["reference"] for r in json.loads(out)] == [fresh.reference]
