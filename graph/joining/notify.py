"""The mails the workflow sends — confirm your address, sign in, the coordinator's news,
decisions — worded in German, queued in the mail queue and sent from there at once when
the server answers (`graph.joining.mail`). A link's token appears in the mail's text only.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.joining.mail import MailDelivery, MailQueue, MailSettings, deliver_mail, new_mail
from graph.joining.proposal import Proposal, ProposalStatus
from graph.joining.registration import Registration
from graph.joining.tokens import KEEP_UNCONFIRMED, VALIDITY, Purpose
from graph.present.text import format_timestamp

SIGNATURE = "\n-- \nKoordination des offenen Netzwerks kommunales E-Government (kommunetz)\n"
CONFIRM_PATH = "bestaetigen"
SIGN_IN_PATH = "mitglieder"


@dataclass(frozen=True)
class Mailer:
    """Where mails go: the queue, the server, the app's public address (for links) and
    the coordinator's address (for news; none: no news by mail)."""

    queue: MailQueue
    settings: MailSettings
    base_url: str
    coordinator: str | None = None

    def link(self, path: str, token: str | None = None) -> str:
        base = self.base_url.rstrip("/")
        return f"{base}/{path}?t={token}" if token else f"{base}/{path}"

    def send(
        self, to: str, subject: str, body: str, kind: str, about: str | None = None
    ) -> MailDelivery:
        """Queue the mail (durably), then try to send everything waiting. ``about``: the
        registration it concerns."""
        self.queue.put(new_mail(to, subject, body + SIGNATURE, kind, about=about))
        return self.flush()

    def flush(self) -> MailDelivery:
        return deliver_mail(self.queue, self.settings)


def _hours(purpose: Purpose) -> str:
    minutes = int(VALIDITY[purpose].total_seconds() // 60)
    return f"{minutes // 60} Stunden" if minutes >= 120 else f"{minutes} Minuten"


def send_confirmation(mailer: Mailer, reg: Registration, token: str) -> None:
    if reg.contact is None:
        return
    mailer.send(
        reg.contact.email,
        f"Bitte bestätigen Sie Ihre Registrierung {reg.reference}",
        f"Guten Tag,\n\nfür {reg.municipality_name} ist eine Registrierung beim offenen "
        f"Netzwerk kommunales E-Government eingegangen (Referenz {reg.reference}), mit "
        "dieser E-Mail-Adresse als Kontakt.\n\n"
        "Bitte bestätigen Sie die Adresse: Öffnen Sie den Link und klicken Sie dort auf "
        f"„Adresse bestätigen“.\n\n{mailer.link(CONFIRM_PATH, token)}\n\n"
        f"Der Link gilt {_hours(Purpose.CONFIRM)} und nur einmal. Ohne Bestätigung wird die "
        f"Registrierung nach {KEEP_UNCONFIRMED.days} Tagen gelöscht. Haben Sie sich nicht "
        "registriert, müssen Sie nichts tun.\n",
        "confirm",
        reg.id,
    )


def send_sign_in(mailer: Mailer, reg: Registration, token: str) -> None:
    if reg.contact is None:
        return
    mailer.send(
        reg.contact.email,
        "Ihr Anmeldelink für kommunetz",
        f"Guten Tag,\n\nmit diesem Link melden Sie sich als Kontakt von "
        f"{reg.municipality_name} an und können Projekte, Kooperationen und "
        f"Veranstaltungen Ihrer Kommune vorschlagen:\n\n{mailer.link(SIGN_IN_PATH, token)}\n\n"
        f"Der Link gilt {_hours(Purpose.SIGN_IN)} und nur einmal. Haben Sie ihn nicht "
        "angefordert, müssen Sie nichts tun.\n",
        "signin",
        reg.id,
    )


def tell_coordinator_confirmed(mailer: Mailer, reg: Registration) -> None:
    if not mailer.coordinator:
        return
    mailer.send(
        mailer.coordinator,
        f"Neue bestätigte Registrierung {reg.reference}: {reg.municipality_name}",
        f"{reg.municipality_name} (AGS {reg.ags}) hat die Registrierung {reg.reference} "
        f"bestätigt (eingegangen {format_timestamp(reg.submitted_at)}). Sie wartet auf Ihre "
        f"Entscheidung in der Verwaltung:\n\n{mailer.link('verwaltung')}\n",
        "news",
    )


def tell_coordinator_proposal(mailer: Mailer, proposal: Proposal) -> None:
    if not mailer.coordinator:
        return
    mailer.send(
        mailer.coordinator,
        f"Neuer Vorschlag {proposal.reference} von {proposal.municipality_name}",
        f"{proposal.municipality_name} schlägt vor: {proposal.kind.german} "
        f"„{proposal.title}“. Er wartet auf Ihre Prüfung:\n\n{mailer.link('vorschlaege')}\n",
        "news",
    )


def tell_decision(mailer: Mailer, reg: Registration, *, approved: bool) -> None:
    if reg.contact is None:
        return
    if approved:
        body = (
            f"Guten Tag,\n\n{reg.municipality_name} ist jetzt Mitglied des offenen Netzwerks "
            f"(Registrierung {reg.reference}). Als Kontakt können Sie sich künftig mit "
            "dieser Adresse anmelden und die Einträge Ihrer Kommune pflegen:\n\n"
            f"{mailer.link(SIGN_IN_PATH)}\n"
        )
        subject = f"Aufgenommen: {reg.municipality_name} ist Mitglied"
    else:
        body = (
            f"Guten Tag,\n\ndie Registrierung {reg.reference} für {reg.municipality_name} "
            f"wurde abgelehnt. Begründung der Koordination:\n\n{reg.reason or '–'}\n"
        )
        subject = f"Ihre Registrierung {reg.reference}"
    mailer.send(reg.contact.email, subject, body, "decision", reg.id)


def tell_proposal_decision(mailer: Mailer, proposal: Proposal, to: str) -> None:
    approved = proposal.status is ProposalStatus.APPROVED
    verdict = "übernommen und ist jetzt öffentlich" if approved else "nicht übernommen"
    body = (
        f"Guten Tag,\n\nIhr Vorschlag {proposal.reference} ({proposal.kind.german} "
        f"„{proposal.title}“) wurde {verdict}."
    )
    if proposal.reason:
        body += f"\n\nBegründung der Koordination:\n\n{proposal.reason}"
    mailer.send(to, f"Ihr Vorschlag {proposal.reference}", body + "\n", "decision", proposal.author)
