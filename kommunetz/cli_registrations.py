"""``kommunetz registrations …``: the registration workflow for coordinators who script.

Each command is argument parsing plus one call into `graph.joining.service` or the
store's registration workflow (`graph.joining.workflow.registration_store`); errors are
`KommunetzError`s that `kommunetz.cli.main` prints as one German line with an exit code.
Settings are read here, at the edge: ``KOMMUNETZ_OUTBOX`` (the outbox folder),
``KOMMUNETZ_PRIVACY_CONTROLLER`` (the body named in the privacy notice a consent refers
to).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from graph.core.errors import InvalidInput, KommunetzError
from graph.core.store import GraphStore
from graph.joining.export import registrations_csv
from graph.joining.form import parse_reference
from graph.joining.notify import Mailer
from graph.joining.outbox import Outbox, default_outbox_dir
from graph.joining.registration import parse_status
from graph.joining.service import (
    approve,
    deliver,
    erase,
    form_context,
    purge_unconfirmed,
    read_forms,
    reject,
    start_confirmation,
    submit_forms,
)
from graph.joining.workflow import erasure_due, registration_store
from graph.present.text import format_day, format_timestamp
from kommunetz.auth import MIN_PASSWORD, hash_password
from kommunetz.exit_codes import EXIT_INVALID
from kommunetz.mail_settings import mailer_from, proposal_outbox_at


def outbox_from_env() -> Outbox:
    return Outbox(os.environ.get("KOMMUNETZ_OUTBOX") or default_outbox_dir())


def _mailer() -> Mailer:
    return mailer_from(os.environ.get, outbox_from_env().directory)


def who() -> str:
    """Who decided, as recorded with the decision."""
    try:
        return f"Kommandozeile ({getpass.getuser()})"
    except (OSError, KeyError):
        return "Kommandozeile"


def cmd_submit(args: argparse.Namespace, store: GraphStore) -> int:
    outcomes = submit_forms(
        registration_store(store),
        read_forms(Path(args.file)),
        outbox_from_env(),
        controller=os.environ.get("KOMMUNETZ_PRIVACY_CONTROLLER"),
    )
    for o in outcomes:
        who = f"{o.form.municipality_name} (AGS {o.form.ags})"
        if o.sent is None:
            print(f"abgelehnt: {who}: {o.refused}", file=sys.stderr)
        elif o.sent.queued:
            print(f"{o.sent.reference} {who}: zwischengespeichert (Datenbank nicht erreichbar)")
        else:
            print(f"{o.sent.reference} {who}: eingegangen")
    refused = sum(o.sent is None for o in outcomes)
    print(f"{len(outcomes) - refused} von {len(outcomes)} Registrierungen angenommen.")
    return EXIT_INVALID if refused else 0


def cmd_list(args: argparse.Namespace, store: GraphStore) -> int:
    status = parse_status(args.status) if args.status else None
    regs = registration_store(store).registrations(status)
    if args.json:
        print(json.dumps([r.as_dict() for r in regs], ensure_ascii=False, indent=2))
        return 0
    now = datetime.now(UTC)
    for r in regs:
        contact = f"{r.contact.name} <{r.contact.email}>" if r.contact else "–"
        decided = f", {r.status.german} am {format_day(r.decided_at)}" if r.decided_at else ""
        due = " – Löschung fällig" if erasure_due(r, now) else ""
        due += "" if r.confirmed else " – Adresse unbestätigt"
        print(
            f"{r.reference}  {r.status.german:<11} {format_timestamp(r.submitted_at)}  "
            f"{r.municipality_name} (AGS {r.ags}), {contact}{decided}{due}"
        )
    print(f"{len(regs)} Registrierung(en).")
    waiting = len(outbox_from_env())
    if waiting:
        print(
            f"Dazu {waiting} im Postausgang (noch nicht in der Datenbank; "
            "übermitteln mit: kommunetz registrations deliver)."
        )
    return 0


def cmd_approve(args: argparse.Namespace, store: GraphStore) -> int:
    admission = approve(
        registration_store(store), _mailer(), parse_reference(args.id), decided_by=who()
    )
    reg = admission.registration
    if admission.was_member:
        print(f"{reg.reference} aufgenommen; {reg.municipality_name} war schon Mitglied.")
    else:
        created = " (neu im Graphen angelegt)" if admission.municipality_created else ""
        print(
            f"{reg.reference} aufgenommen: {reg.municipality_name} (AGS {reg.ags}){created} ist "
            f"Mitglied des offenen Netzwerks seit {format_day(reg.decided_at or '')}."
        )
    return 0


def cmd_reject(args: argparse.Namespace, store: GraphStore) -> int:
    rs = registration_store(store)
    reg = reject(rs, _mailer(), parse_reference(args.id), args.reason, decided_by=who())
    print(f"{reg.reference} abgelehnt ({reg.municipality_name}).")
    return 0


def cmd_erase(args: argparse.Namespace, store: GraphStore) -> int:
    reference = parse_reference(args.id).upper()
    box = outbox_from_env()
    proposals = proposal_outbox_at(box.directory)
    if not erase(registration_store(store), box, args.id, _mailer().queue, proposals):
        raise KommunetzError(f"Registrierung {reference} gibt es nicht (mehr).")
    print(f"{reference} gelöscht: Registrierung und Kontaktdaten sind entfernt.")
    return 0


def cmd_resend(args: argparse.Namespace, store: GraphStore) -> int:
    reg_id = parse_reference(args.id)
    if not start_confirmation(registration_store(store), _mailer(), reg_id):
        raise KommunetzError(
            f"{reg_id.upper()}: nichts zu bestätigen (schon bestätigt, entschieden oder gelöscht)."
        )
    print(f"{reg_id.upper()}: neuer Bestätigungslink ist unterwegs (gilt 72 Stunden).")
    return 0


def cmd_purge(args: argparse.Namespace, store: GraphStore) -> int:
    erased = purge_unconfirmed(registration_store(store), outbox_from_env(), _mailer().queue)
    print(f"{len(erased)} unbestätigte Registrierung(en) gelöscht (älter als 7 Tage).")
    for reference in erased:
        print(f"  {reference}")
    return 0


def write_private_file(out: Path, data: bytes) -> None:
    """Write a file that holds personal data: readable by its owner only, from the first
    byte."""
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
    except OSError as exc:
        raise KommunetzError(f"Kann {out} nicht schreiben: {exc.strerror}") from exc


def cmd_export(args: argparse.Namespace, store: GraphStore) -> int:
    out = Path(args.out)
    data = registrations_csv(
        registration_store(store).registrations(), form_context(store).topic_names
    )
    write_private_file(out, data)
    print(f"Geschrieben: {out} (enthält Kontaktdaten – nur für die Koordination)")
    return 0


def cmd_deliver(args: argparse.Namespace, store: GraphStore) -> int:
    report = deliver(registration_store(store), outbox_from_env(), _mailer())
    print(report.describe())
    for reference, reason in report.waiting:
        print(f"  wartet: {reference}: {reason}")
    return 0


def cmd_hash_password(args: argparse.Namespace, store: GraphStore | None) -> int:
    if sys.stdin.isatty():
        password = getpass.getpass(f"Neues Passwort (mindestens {MIN_PASSWORD} Zeichen): ")
        if getpass.getpass("Noch einmal: ") != password:
            raise InvalidInput("Die beiden Eingaben stimmen nicht überein.")
    else:
        password = sys.stdin.readline().rstrip("\n")
    print(f"KOMMUNETZ_ADMIN_PASSWORD_HASH={hash_password(password)}")
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``registrations`` and its subcommands to the ``kommunetz`` parser."""
    parser = sub.add_parser(
        "registrations",
        help="Registrierungen von Kommunen (einreichen, prüfen, aufnehmen, löschen)",
        description="Registrierungen für das offene Netzwerk. Die Ausgaben von list und "
        "export enthalten Kontaktdaten: nur für die Koordination.",
    )
    commands = parser.add_subparsers(dest="registrations_command", required=True)

    p = commands.add_parser("submit", help="Registrierungen aus einer JSON-Datei einreichen")
    p.add_argument("file", metavar="DATEI.json")
    p.set_defaults(func=cmd_submit)

    p = commands.add_parser("list", help="Registrierungen auflisten")
    p.add_argument("--status", help="offen|aufgenommen|abgelehnt (auch pending|approved|rejected)")
    p.add_argument("--json", action="store_true", help="als JSON ausgeben")
    p.set_defaults(func=cmd_list)

    p = commands.add_parser("approve", help="Kommune aufnehmen")
    p.add_argument("id", metavar="REFERENZ")
    p.set_defaults(func=cmd_approve)

    p = commands.add_parser("reject", help="Registrierung ablehnen")
    p.add_argument("id", metavar="REFERENZ")
    p.add_argument("--reason", required=True, help="Begründung (Pflicht)")
    p.set_defaults(func=cmd_reject)

    p = commands.add_parser("erase", help="Registrierung und Kontaktdaten endgültig löschen")
    p.add_argument("id", metavar="REFERENZ")
    p.set_defaults(func=cmd_erase)

    p = commands.add_parser("resend", help="neuen Bestätigungslink an die Kontaktadresse senden")
    p.add_argument("id", metavar="REFERENZ")
    p.set_defaults(func=cmd_resend)

    p = commands.add_parser(
        "purge", help="unbestätigte Registrierungen löschen, die älter als 7 Tage sind"
    )
    p.set_defaults(func=cmd_purge)

    p = commands.add_parser("export", help="Registrierungen als CSV (mit Kontaktdaten)")
    p.add_argument("out", metavar="AUSGABE.csv")
    p.set_defaults(func=cmd_export)

    p = commands.add_parser("deliver", help="zwischengespeicherte Registrierungen übermitteln")
    p.set_defaults(func=cmd_deliver)

    p = commands.add_parser(
        "hash-password", help="Passwort-Hash für KOMMUNETZ_ADMIN_PASSWORD_HASH erzeugen"
    )
    p.set_defaults(func=cmd_hash_password, needs_store=False)
