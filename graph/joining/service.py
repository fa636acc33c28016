"""Joining the network, end to end: what the form offers, checking a form against the
graph, sending it (to the store, or to the outbox when the store is unreachable), handing
the outbox over later, and erasing a registration wherever it is.

The Mitmachen and Verwaltung pages, the CLI and the tests call these functions; the
stores only see `Submission`s through the workflow (`graph.joining.workflow`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from graph.core.errors import Problem, StoreUnavailable, ValidationFailed
from graph.core.membership import members
from graph.core.store import GraphStore
from graph.joining.form import (
    RegistrationForm,
    Submission,
    new_submission,
    parse_reference,
    validate_form,
)
from graph.joining.mail import MailQueue
from graph.joining.notify import (
    Mailer,
    send_confirmation,
    send_sign_in,
    tell_coordinator_confirmed,
    tell_decision,
)
from graph.joining.outbox import Outbox
from graph.joining.proposals import ProposalOutbox
from graph.joining.registration import (
    OPEN_NETWORK_ID,
    Admission,
    DuplicatePending,
    ReferenceTaken,
    Registration,
    Status,
)
from graph.joining.tokens import Purpose
from graph.joining.workflow import Registrations
from graph.present.sources import destatis_editions


@dataclass(frozen=True)
class Topic:
    id: str
    name: str
    facet: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.facet})" if self.facet else self.name


@dataclass(frozen=True)
class FormContext:
    """What the form needs from the graph: the topics to choose from, whether the Destatis
    directory is loaded (then the municipality is chosen from it), and the AGS of the open
    network's members (they need not register again; `graph.core.membership`)."""

    topics: tuple[Topic, ...] = ()
    has_directory: bool = False
    member_ags: frozenset[str] = frozenset()

    @property
    def topic_names(self) -> dict[str, str]:
        return {t.id: t.name for t in self.topics}


def form_context(store: GraphStore) -> FormContext:
    """Read what the form needs; raises `StoreUnavailable` when the store is down."""
    g = store.graph(["Topic"])
    topics = sorted(
        (Topic(d["key"], str(d["name"]), str(d.get("facet") or "")) for _, d in g.nodes(data=True)),
        key=lambda t: (t.facet != "Baustein", t.facet, t.name.lower()),
    )
    member_ags = frozenset(
        m.actor.key
        for m in members(store.graph(), OPEN_NETWORK_ID)
        if m.actor.label == "Municipality"
    )
    return FormContext(tuple(topics), bool(destatis_editions(store)), member_ags)


def check_form(store: GraphStore, form: RegistrationForm, ctx: FormContext) -> None:
    """What only the graph can tell about a form: the municipality is in the directory (when
    one is loaded) and not a member yet, and the topics exist. Raises `ValidationFailed`."""
    problems = []
    if form.ags in ctx.member_ags:
        problems.append(
            Problem(
                "Formular",
                None,
                "Kommune",
                f"{form.municipality_name} (AGS {form.ags}) ist bereits Mitglied des Netzwerks.",
            )
        )
    if ctx.has_directory and not store.existing([("Municipality", form.ags)]):
        problems.append(
            Problem(
                "Formular",
                None,
                "Gemeindeschlüssel (AGS)",
                f"{form.ags} steht nicht im amtlichen Gemeindeverzeichnis. Bitte wählen Sie "
                "Ihre Kommune aus der Suche.",
            )
        )
    known = ctx.topic_names
    unknown = [t for t in form.interests if t not in known]
    if known and unknown:
        problems.append(
            Problem("Formular", None, "Themen", f"unbekannte Themen: {', '.join(unknown)}")
        )
    if problems:
        raise ValidationFailed(problems)


@dataclass(frozen=True)
class Sent:
    """A registration on its way: ``queued`` when it waits in the outbox because the store
    was unreachable (its reference number is final either way)."""

    reference: str
    queued: bool


def send(registrations: Registrations | None, sub: Submission, outbox: Outbox) -> Sent:
    """Store ``sub``, or keep it in ``outbox`` when there is no store or it is unreachable.

    `DuplicatePending` and `ReferenceTaken` pass through: they are answers, not outages."""
    if registrations is not None:
        try:
            registrations.submit_registration(sub)
            return Sent(sub.reference, queued=False)
        except StoreUnavailable:
            pass
    outbox.put(sub)
    return Sent(sub.reference, queued=True)


def register(
    registrations: Registrations | None,
    form: RegistrationForm,
    outbox: Outbox,
    *,
    controller: str | None,
    context: FormContext | None = None,
    now: Callable[[], datetime] | None = None,
    confirm: bool = False,
) -> Sent:
    """Check ``form`` against the graph (when reachable), give it a reference number and
    send it. A clash of reference numbers draws a new one; nothing else is retried.
    ``confirm``: the address is to be confirmed by a mailed link (the web form)."""
    if registrations is not None and context is not None:
        try:
            check_form(registrations.store, form, context)
        except StoreUnavailable:
            registrations = None
    for _ in range(5):
        sub = new_submission(form, controller, now() if now else None, confirm=confirm)
        try:
            return send(registrations, sub, outbox)
        except ReferenceTaken:
            continue
    raise ReferenceTaken("Es konnte keine freie Referenznummer vergeben werden.")


@dataclass
class Delivery:
    """What `deliver` did: references delivered now, found delivered already, still
    waiting (with the German reason), and whether the store went away meanwhile."""

    delivered: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    waiting: list[tuple[str, str]] = field(default_factory=list)
    unavailable: bool = False
    busy: bool = False  # another session was delivering: nothing done here

    def describe(self) -> str:
        if self.busy:
            return (
                "Eine andere Sitzung übermittelt die zwischengespeicherten Registrierungen "
                "gerade; sie übernimmt alle."
            )
        parts = [f"{len(self.delivered)} übermittelt"]
        if self.already:
            parts.append(f"{len(self.already)} waren schon übermittelt")
        if self.waiting:
            parts.append(f"{len(self.waiting)} warten weiter")
        text = ", ".join(parts) + "."
        if self.unavailable:
            text += " Die Datenbank ist nicht erreichbar; der Rest folgt beim nächsten Versuch."
        return text


def deliver(registrations: Registrations, outbox: Outbox, mailer: Mailer | None = None) -> Delivery:
    """Hand every waiting submission to the store; remove a file once the store has it;
    with ``mailer``, mail the confirmation link of each one that needs it.

    A submission that meets a pending registration for the same municipality waits on
    (it goes in once the coordinator has decided the other); an unreadable file waits with
    its reason. Stops, keeping the rest, when the store becomes unreachable. One delivery
    at a time (`Outbox.delivering`): while another runs, returns at once with ``busy``."""
    report = Delivery()
    with outbox.delivering() as mine:
        if not mine:
            report.busy = True
            return report
        _deliver_all(registrations, outbox, mailer, report)
    return report


def _deliver_all(
    registrations: Registrations, outbox: Outbox, mailer: Mailer | None, report: Delivery
) -> None:
    for item in outbox:
        if item.submission is None:
            report.waiting.append((item.reference, item.problem or "nicht lesbar"))
            continue
        try:
            receipt = registrations.submit_registration(item.submission)
        except StoreUnavailable:
            report.unavailable = True
            break
        except (DuplicatePending, ReferenceTaken) as exc:
            report.waiting.append((item.reference, str(exc)))
            continue
        outbox.remove(item.submission.id)
        (report.delivered if receipt.created else report.already).append(receipt.reference)
        if receipt.created and item.submission.confirm and mailer is not None:
            start_confirmation(registrations, mailer, item.submission.id)


def erase(
    registrations: Registrations,
    outbox: Outbox,
    reference: str,
    mail: MailQueue | None = None,
    proposals: ProposalOutbox | None = None,
) -> bool:
    """Erase a registration everywhere (Art. 17 DSGVO): from the store (registration,
    contact, tokens, undecided proposals, the contact in decided ones and in the audit
    log), from the outbox, and the mails waiting for its address. Returns whether
    anything was found; raises `NotFound` for text that is no reference."""
    reg_id = parse_reference(reference)
    addresses = {
        w.submission.form.contact.email
        for w in outbox
        if w.submission is not None and w.submission.id == reg_id
    }
    reg = registrations.registration(reg_id)
    if reg is not None and reg.contact is not None:
        addresses.add(reg.contact.email)
    in_store = registrations.erase_registration(reg_id)
    in_outbox = outbox.remove(reg_id)
    if mail is not None:
        mail.erase_about(reg_id)
        # mails to the address about nothing else still kept (the address is gone for good
        # unless another registration still has it)
        others = {r.contact.email for r in registrations.registrations() if r.contact}
        for address in addresses - others:
            mail.erase_address(address)
    if proposals is not None:
        proposals.erase_author(reg_id)
    return in_store or in_outbox


# --------------------------------------------------------------------------- by mail


def start_confirmation(
    registrations: Registrations, mailer: Mailer, reg_id: str, now: datetime | None = None
) -> bool:
    """Mail a (new) confirmation link for an unconfirmed registration; False if there is
    nothing to confirm (confirmed already, or gone)."""
    reg = registrations.registration(reg_id)
    if reg is None or reg.confirmed or reg.status is not Status.PENDING:
        return False
    token = registrations.issue_token(Purpose.CONFIRM, reg_id, now or datetime.now(UTC))
    send_confirmation(mailer, reg, token)
    return True


def confirm(
    registrations: Registrations, mailer: Mailer, token: str, now: datetime | None = None
) -> Registration:
    """Confirm an address by its link's token; the coordinator is told. Raises
    `TokenRefused`."""
    reg, newly = registrations.confirm_address(token, now=now or datetime.now(UTC))
    if newly:
        tell_coordinator_confirmed(mailer, reg)
    return reg


def request_sign_in(
    registrations: Registrations, mailer: Mailer, email: str, now: datetime | None = None
) -> bool:
    """Mail a sign-in link if ``email`` is the confirmed contact of a member. The page
    answers the same either way (nobody learns whose address is known)."""
    reg = registrations.member_contact(email)
    if reg is None:
        return False
    token = registrations.issue_token(Purpose.SIGN_IN, reg.id, now or datetime.now(UTC))
    send_sign_in(mailer, reg, token)
    return True


def approve(
    registrations: Registrations, mailer: Mailer | None, reg_id: str, *, decided_by: str | None
) -> Admission:
    """Approve and tell the applicant."""
    admission = registrations.approve_registration(
        reg_id, now=datetime.now(UTC), decided_by=decided_by
    )
    if mailer is not None:
        tell_decision(mailer, admission.registration, approved=True)
    return admission


def reject(
    registrations: Registrations,
    mailer: Mailer | None,
    reg_id: str,
    reason: str,
    *,
    decided_by: str | None,
) -> Registration:
    """Reject with a reason and tell the applicant."""
    reg = registrations.reject_registration(
        reg_id, reason, now=datetime.now(UTC), decided_by=decided_by
    )
    if mailer is not None:
        tell_decision(mailer, reg, approved=False)
    return reg


def purge_unconfirmed(
    registrations: Registrations,
    outbox: Outbox,
    mail: MailQueue | None,
    now: datetime | None = None,
) -> list[str]:
    """Erase every registration left unconfirmed for `KEEP_UNCONFIRMED` (the confirmation
    mail says so); the references erased."""
    due = registrations.unconfirmed_due(now or datetime.now(UTC))
    for reg in due:
        erase(registrations, outbox, reg.id, mail)
    return [reg.reference for reg in due]


def read_forms(path: Path) -> list[RegistrationForm]:
    """The registrations in a JSON file (one object, or a list of them — say, collected at
    an event), all validated before any is sent: one bad entry, and nothing is.

    Raises `ValidationFailed` with the entry and field of every problem."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        problem = Problem(str(path), None, None, f"nicht lesbar: {exc.strerror}")
        raise ValidationFailed([problem]) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise ValidationFailed(
            [Problem(str(path), line, None, f"kein gültiges JSON in UTF-8 ({exc})")]
        ) from None
    entries = data if isinstance(data, list) else [data]
    forms: list[RegistrationForm] = []
    problems: list[Problem] = []
    for i, entry in enumerate(entries, 1):
        where = f"{path}, Eintrag {i}" if isinstance(data, list) else str(path)
        if not isinstance(entry, dict):
            problems.append(Problem(where, None, None, "Abschnitt mit Feldern erwartet"))
            continue
        try:
            forms.append(validate_form(entry, where))
        except ValidationFailed as exc:
            problems.extend(exc.problems)
    if not entries:
        problems.append(Problem(str(path), None, None, "enthält keine Registrierung"))
    if problems:
        raise ValidationFailed(problems)
    return forms


@dataclass(frozen=True)
class FileOutcome:
    """What became of one entry of a file: sent (maybe queued), or refused with why."""

    form: RegistrationForm
    sent: Sent | None
    refused: str | None = None


def submit_forms(
    registrations: Registrations,
    forms: list[RegistrationForm],
    outbox: Outbox,
    *,
    controller: str | None,
) -> list[FileOutcome]:
    """Send each of ``forms`` as the web form would (same checks against the graph); a
    refusal of one (pending already, a member already) does not stop the others."""
    context = form_context(registrations.store)
    outcomes = []
    for form in forms:
        try:
            sent = register(registrations, form, outbox, controller=controller, context=context)
        except (ValidationFailed, DuplicatePending) as exc:
            outcomes.append(FileOutcome(form, None, str(exc)))
            continue
        outcomes.append(FileOutcome(form, sent))
    return outcomes
