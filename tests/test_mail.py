"""Mail through a real SMTP server (aiosmtpd on a loopback port, STARTTLS required): the
queue keeps every mail until the server has accepted it — also across an outage."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.core.errors import KommunetzError
from graph.joining.mail import (
    MailNotConfigured,
    MailQueue,
    MailSettings,
    MailUnavailable,
    connect,
    deliver_mail,
    new_mail,
    send_test_mail,
)
from kommunetz.mail_settings import PER_ADDRESS, PER_CLIENT, MailLimits
from tests.mail_server import MailServer, mail_server

TO = "erika@musterdorf.example"


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[MailServer]:
    with mail_server(tmp_path) as server:
        yield server


def settings_of(server: MailServer, **changes: str) -> MailSettings:
    env: dict[str, str] = server.env() | changes
    return MailSettings.from_lookup(env.get)


def test_settings_from_the_environment() -> None:
    s = MailSettings.from_lookup(
        {"KOMMUNETZ_SMTP_HOST": "mail.example", "KOMMUNETZ_SMTP_FROM": "a@b.example"}.get
    )
    assert s.configured and s.effective_port == 587 and s.security == "starttls"
    assert "password" not in repr(MailSettings(password="geheim")).replace("password=", "")
    nothing: dict[str, str] = {}
    assert not MailSettings.from_lookup(nothing.get).configured
    with pytest.raises(KommunetzError, match="erlaubt sind"):
        MailSettings.from_lookup({"KOMMUNETZ_SMTP_SECURITY": "tls13"}.get)
    with pytest.raises(KommunetzError, match="keine Portnummer"):
        MailSettings.from_lookup({"KOMMUNETZ_SMTP_PORT": "x"}.get)


def test_queued_mail_is_sent_over_starttls(smtp: MailServer, tmp_path: Path) -> None:
    queue = MailQueue(tmp_path / "mail")
    queue.put(new_mail(TO, "Betreff äöü", "Hallo Erika,\nein Link: https://x/y?t=abc\n", "t"))
    assert len(queue) == 1
    [path] = (tmp_path / "mail").iterdir()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "mail").stat().st_mode) == 0o700

    report = deliver_mail(queue, settings_of(smtp))
    assert (report.sent, report.waiting) == (1, 0), report
    assert len(queue) == 0
    [got] = smtp.to(TO)
    assert got.subject == "Betreff äöü"
    assert "https://x/y?t=abc" in got.body
    assert got.message["Auto-Submitted"] == "auto-generated"
    assert got.sender == "kommunetz@netzwerk.example"


def test_the_server_requires_starttls_and_plain_text_is_refused(smtp: MailServer) -> None:
    with pytest.raises(MailUnavailable):
        send_test_mail(settings_of(smtp, KOMMUNETZ_SMTP_SECURITY="none"), TO)
    assert smtp.received == []
    # an untrusted certificate is refused by the client: no mail over an unverified TLS
    with pytest.raises(MailUnavailable):
        send_test_mail(settings_of(smtp, KOMMUNETZ_SMTP_CAFILE=""), TO)
    send_test_mail(settings_of(smtp), TO)
    assert len(smtp.to(TO)) == 1


def test_smtp_down_mail_waits_and_goes_out_once_it_is_back(tmp_path: Path) -> None:
    server = MailServer(tmp_path)
    settings = settings_of(server)
    queue = MailQueue(tmp_path / "mail")
    for i in range(3):
        queue.put(new_mail(TO, f"Nachricht {i}", f"Text {i}\n", "t"))

    # the server is down: nothing is lost, the reason is told
    report = deliver_mail(queue, settings)
    assert (report.sent, report.waiting) == (0, 3)
    assert report.problem and "nicht erreichbar" in report.problem
    assert len(queue) == 3

    server.start()
    try:
        report = deliver_mail(queue, settings)
        assert (report.sent, report.waiting) == (3, 0)
        assert sorted(m.subject for m in server.to(TO)) == [f"Nachricht {i}" for i in range(3)]
        # delivered once: a second run sends nothing
        assert deliver_mail(queue, settings).sent == 0
        assert len(server.received) == 3
    finally:
        server.stop()
    print(f"\nSMTP outage: 3 mails queued while down, {len(server.received)} delivered after")


def test_without_a_server_configured_mail_waits(tmp_path: Path) -> None:
    queue = MailQueue(tmp_path / "mail")
    queue.put(new_mail(TO, "x", "y", "t"))
    report = deliver_mail(queue, MailSettings())
    assert report.waiting == 1 and report.problem and "Kein Mailserver" in report.problem
    with pytest.raises(MailNotConfigured):
        connect(MailSettings())


def test_erase_removes_the_mails_to_an_address(tmp_path: Path) -> None:
    queue = MailQueue(tmp_path / "mail")
    queue.put(new_mail(TO.upper(), "x", "y", "t"))
    queue.put(new_mail("other@example.org", "x", "y", "t"))
    assert queue.erase_address(TO) == 1
    assert [m.to for m in queue] == ["other@example.org"]
    assert TO not in "".join(p.read_text() for p in (tmp_path / "mail").iterdir()).lower()


def test_mail_limits_per_address_and_per_client() -> None:
    now = [0.0]
    limits = MailLimits(clock=lambda: now[0])
    for i in range(PER_ADDRESS):
        assert limits.wait(TO, f"client-{i}") == 0
        limits.record(TO.upper(), f"client-{i}")
    assert limits.wait(TO, "yet another client") > 0, "per address, whoever asks"
    assert limits.wait("other@example.org", "client-0") == 0
    for i in range(PER_CLIENT - 1):
        limits.record(f"a{i}@example.org", "client-0")
    assert limits.wait("fresh@example.org", "client-0") > 0, "per client, whatever address"
    now[0] += 3600
    assert limits.wait(TO, "client-0") == 0, "an hour later"
