"""A real SMTP server for the tests: aiosmtpd on a free loopback port, requiring STARTTLS
with a throwaway self-signed certificate (made with ``openssl``), recording every mail
it accepts. It can be stopped and started again on the same port (an outage)."""

from __future__ import annotations

import email
import email.policy
import re
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from tests.neo4j_server.server import free_port

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        part = self.message.get_body(("plain",))
        return str(part.get_content()) if part is not None else ""

    def link(self, path: str) -> str:
        """The first link in the body to ``…/path?t=…``."""
        found = re.search(rf"https?://\S+/{re.escape(path)}\?t=[A-Za-z0-9_-]+", self.body)
        assert found, self.body
        return found.group(0)


class _Handler:
    def __init__(self, box: list[Received], lock: threading.Lock) -> None:
        self.box, self.lock = box, lock

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        with self.lock:
            self.box.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), msg))
        return "250 OK"


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1/localhost (cert, key)."""
    cert, key = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


class MailServer:
    """The server; ``received`` holds every accepted mail, in order."""

    def __init__(self, directory: Path) -> None:
        self.cert, key = make_certificate(directory)
        self.tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.tls.load_cert_chain(self.cert, key)
        self.port = free_port()
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(
            _Handler(self.received, self._lock),
            hostname=HOST,
            port=self.port,
            tls_context=self.tls,
            require_starttls=True,
            ready_timeout=30,
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def env(self, sender: str = "kommunetz@netzwerk.example") -> dict[str, str]:
        """The settings that point kommunetz at this server."""
        return {
            "KOMMUNETZ_SMTP_HOST": HOST,
            "KOMMUNETZ_SMTP_PORT": str(self.port),
            "KOMMUNETZ_SMTP_FROM": sender,
            "KOMMUNETZ_SMTP_SECURITY": "starttls",
            "KOMMUNETZ_SMTP_CAFILE": str(self.cert),
        }

    def to(self, address: str) -> list[Received]:
        with self._lock:
            return [m for m in self.received if address in m.recipients]


@contextmanager
def mail_server(directory: Path) -> Iterator[MailServer]:
    server = MailServer(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()
