"""E-mail: the settings of an SMTP server, a durable mail queue, and handing the queue to
the server.

Every mail is queued first (one ``0600`` file in the mail folder of the outbox) and sent
from the queue; a mail leaves the queue only after the server has accepted it. So when
the server is down or not configured nothing is lost: the mail waits, and
`deliver_mail` (on the next page visit, or ``kommunetz mail deliver`` from cron) sends it
later. The queue holds the mail's text, links with tokens included: it is personal data
and secret, readable by its owner only, and an erase removes the mails to an address.

The settings are read at the edge (``KOMMUNETZ_SMTP_*`` from the environment or the
Streamlit secrets) and passed in. Nothing here logs a mail's text.
"""

from __future__ import annotations

import json
import secrets
import smtplib
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from graph.core.errors import KommunetzError
from graph.joining.spool import write_private

SECURITY_MODES: Final[tuple[str, ...]] = ("starttls", "ssl", "none")
DEFAULT_PORT: Final[dict[str, int]] = {"starttls": 587, "ssl": 465, "none": 25}
SUFFIX = ".json"


class MailNotConfigured(KommunetzError):
    """No SMTP server is configured: mails wait in the queue."""


class MailUnavailable(KommunetzError):
    """The SMTP server cannot be reached or refused the mail for now."""


@dataclass(frozen=True)
class MailSettings:
    """How to reach the SMTP server. ``security``: ``starttls`` (default: plain connect,
    then STARTTLS before anything else is said), ``ssl`` (TLS from the first byte) or
    ``none`` (only for a relay on the same machine)."""

    host: str | None = None
    port: int | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str | None = None
    security: str = "starttls"
    cafile: str | None = None
    timeout: float = 10.0

    @classmethod
    def from_lookup(cls, lookup: Callable[[str], str | None]) -> MailSettings:
        """From ``KOMMUNETZ_SMTP_HOST``, ``_PORT``, ``_USER``, ``_PASSWORD``, ``_FROM``,
        ``_SECURITY`` (starttls|ssl|none), ``_CAFILE`` (a CA to trust besides the
        system's, e.g. for an internal relay) via ``lookup``."""
        security = (lookup("KOMMUNETZ_SMTP_SECURITY") or "starttls").strip().lower()
        if security not in SECURITY_MODES:
            raise KommunetzError(
                f"KOMMUNETZ_SMTP_SECURITY „{security}“: erlaubt sind {', '.join(SECURITY_MODES)}."
            )
        port = (lookup("KOMMUNETZ_SMTP_PORT") or "").strip()
        if port and not port.isdigit():
            raise KommunetzError(f"KOMMUNETZ_SMTP_PORT „{port}“ ist keine Portnummer.")
        return cls(
            host=(lookup("KOMMUNETZ_SMTP_HOST") or "").strip() or None,
            port=int(port) if port else None,
            user=(lookup("KOMMUNETZ_SMTP_USER") or "").strip() or None,
            password=lookup("KOMMUNETZ_SMTP_PASSWORD") or None,
            sender=(lookup("KOMMUNETZ_SMTP_FROM") or "").strip() or None,
            security=security,
            cafile=(lookup("KOMMUNETZ_SMTP_CAFILE") or "").strip() or None,
        )

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORT[self.security]


class Mail(BaseModel):
    """One mail in the queue."""

    model_config = ConfigDict(extra="forbid")

    id: str
    to: str
    subject: str
    body: str
    kind: str
    created_at: str
    #: the registration the mail is about (so that an erase finds it)
    about: str | None = None
    attempts: int = 0
    last_error: str | None = None


def new_mail(
    to: str,
    subject: str,
    body: str,
    kind: str,
    now: datetime | None = None,
    about: str | None = None,
) -> Mail:
    now = now or datetime.now(UTC)
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
    return Mail(
        id=f"m-{stamp}-{secrets.token_hex(6)}",
        to=to,
        subject=subject,
        body=body,
        kind=kind,
        created_at=now.astimezone(UTC).isoformat(timespec="seconds"),
        about=about,
    )


class MailQueue:
    """A folder of mails waiting to be sent, one ``m-….json`` file each, oldest first."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def put(self, mail: Mail) -> Path:
        return write_private(
            self.directory, f"{mail.id}{SUFFIX}", mail.model_dump_json(indent=1).encode("utf-8")
        )

    def _files(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(p for p in self.directory.glob(f"m-*{SUFFIX}") if p.is_file())

    def __len__(self) -> int:
        return len(self._files())

    def __iter__(self) -> Iterator[Mail]:
        for path in self._files():
            try:
                yield Mail.model_validate(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, ValidationError):
                continue  # a file being written or removed by another process

    def remove(self, mail_id: str) -> bool:
        try:
            (self.directory / f"{mail_id}{SUFFIX}").unlink()
        except FileNotFoundError:
            return False
        return True

    def erase_address(self, address: str) -> int:
        """Remove every waiting mail to ``address`` (Art. 17 DSGVO); how many."""
        wanted = address.strip().casefold()
        return sum(self.remove(m.id) for m in list(self) if m.to.casefold() == wanted)

    def erase_about(self, reg_id: str) -> int:
        """Remove every waiting mail about the registration ``reg_id``; how many."""
        return sum(self.remove(m.id) for m in list(self) if m.about == reg_id)


def message(settings: MailSettings, mail: Mail) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.sender or ""
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    domain = (settings.sender or "kommunetz.invalid").rpartition("@")[2].strip(">") or None
    msg["Message-ID"] = make_msgid(domain=domain)
    msg["Auto-Submitted"] = "auto-generated"  # no out-of-office replies, please
    msg.set_content(mail.body)
    return msg


def _tls(settings: MailSettings) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if settings.cafile:
        context.load_verify_locations(cafile=settings.cafile)
    return context


Connection = smtplib.SMTP


def connect(settings: MailSettings) -> Connection:
    """An open, secured and logged-in connection; raises `MailUnavailable`."""
    if not settings.configured or settings.host is None:
        raise MailNotConfigured(
            "Kein Mailserver eingerichtet (KOMMUNETZ_SMTP_HOST, KOMMUNETZ_SMTP_FROM): die "
            "Nachrichten warten im Postausgang."
        )
    try:
        smtp: smtplib.SMTP
        if settings.security == "ssl":
            smtp = smtplib.SMTP_SSL(
                settings.host,
                settings.effective_port,
                timeout=settings.timeout,
                context=_tls(settings),
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.effective_port, timeout=settings.timeout)
            if settings.security == "starttls":
                smtp.starttls(context=_tls(settings))
        if settings.user:
            smtp.login(settings.user, settings.password or "")
        return smtp
    except (OSError, smtplib.SMTPException) as exc:
        raise MailUnavailable(
            f"Der Mailserver {settings.host}:{settings.effective_port} ist nicht erreichbar "
            f"oder lehnt ab ({type(exc).__name__})."
        ) from exc


@dataclass
class MailDelivery:
    """What `deliver_mail` did: mails sent, still waiting, and why the rest waits."""

    sent: int = 0
    waiting: int = 0
    problem: str | None = None

    def describe(self) -> str:
        text = f"{self.sent} Nachricht(en) versandt, {self.waiting} warten."
        return f"{text} {self.problem}" if self.problem else text


Outcome = Literal["sent", "refused"]


def deliver_mail(queue: MailQueue, settings: MailSettings) -> MailDelivery:
    """Send every waiting mail over one connection; a mail leaves the queue only once the
    server accepted it. When the server cannot be reached, everything waits (and the
    reason is reported); a mail the server refuses for good stays with its error."""
    report = MailDelivery()
    waiting = list(queue)
    if not waiting:
        return report
    try:
        smtp = connect(settings)
    except KommunetzError as exc:
        report.waiting, report.problem = len(waiting), str(exc)
        return report
    try:
        for i, mail in enumerate(waiting):
            try:
                smtp.send_message(message(settings, mail))
            except smtplib.SMTPRecipientsRefused:
                mail.attempts += 1
                mail.last_error = "Empfänger abgelehnt"
                queue.put(mail)
                report.waiting += 1
                continue
            except (OSError, smtplib.SMTPException) as exc:
                report.waiting += len(waiting) - i
                report.problem = f"Versand unterbrochen ({type(exc).__name__})."
                break
            queue.remove(mail.id)
            report.sent += 1
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return report


def send_test_mail(settings: MailSettings, to: str) -> None:
    """Send one test mail directly (not through the queue); raises `MailUnavailable`."""
    smtp = connect(settings)
    try:
        smtp.send_message(
            message(
                settings,
                new_mail(
                    to,
                    "kommunetz: Testnachricht",
                    "Diese Nachricht bestätigt, dass kommunetz über diesen Mailserver "
                    "senden kann.\n",
                    "test",
                ),
            )
        )
    except (OSError, smtplib.SMTPException) as exc:
        raise MailUnavailable(f"Die Testnachricht wurde abgelehnt ({type(exc).__name__}).") from exc
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
