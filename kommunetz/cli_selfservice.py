"""``kommunetz proposals …`` (the coordinator's review of members' proposals, the audit
log) and ``kommunetz mail …`` (hand the mail queue to the SMTP server, send a test mail).

Each command is argument parsing plus one library call; settings are read here:
``KOMMUNETZ_SMTP_*``, ``KOMMUNETZ_BASE_URL``, ``KOMMUNETZ_COORDINATOR_EMAIL`` and
``KOMMUNETZ_OUTBOX`` (the mail queue and waiting proposals live in its folder).
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from graph.core.errors import KommunetzError, StoreUnavailable
from graph.core.store import GraphStore
from graph.joining.export import audit_csv
from graph.joining.mail import send_test_mail
from graph.joining.notify import Mailer, tell_proposal_decision
from graph.joining.proposal import ProposalStatus, parse_proposal_id
from graph.joining.proposals import (
    ProposalOutbox,
    comparison,
    deliver_proposals,
    proposal_store,
)
from graph.joining.service import purge_unconfirmed
from graph.joining.workflow import registration_store
from graph.present.text import format_timestamp
from graph.stores.open import open_store
from kommunetz.cli_registrations import outbox_from_env, who, write_private_file
from kommunetz.mail_settings import mailer_from, proposal_outbox_at

STATUS_NAMES = {s.value: s for s in ProposalStatus} | {s.german: s for s in ProposalStatus}


def mailer_from_env() -> Mailer:
    return mailer_from(os.environ.get, outbox_from_env().directory)


def proposal_outbox_from_env() -> ProposalOutbox:
    return proposal_outbox_at(outbox_from_env().directory)


def _status(text: str | None) -> ProposalStatus | None:
    if text is None:
        return None
    try:
        return STATUS_NAMES[text.strip().lower()]
    except KeyError:
        allowed = ", ".join(s.value for s in ProposalStatus)
        raise KommunetzError(f"--status „{text}“: erlaubt sind {allowed}") from None


def cmd_list(args: argparse.Namespace, store: GraphStore) -> int:
    ps = proposal_store(store).proposals(_status(args.status))
    if args.json:
        print(json.dumps([p.as_dict() for p in ps], ensure_ascii=False, indent=2))
        return 0
    for p in ps:
        print(
            f"{p.reference}  {p.status.german:<30} {format_timestamp(p.submitted_at)}  "
            f"{p.municipality_name}: {p.kind.german} „{p.title}“"
        )
    print(f"{len(ps)} Vorschlag/Vorschläge.")
    return 0


def cmd_show(args: argparse.Namespace, store: GraphStore) -> int:
    p = proposal_store(store).proposal(parse_proposal_id(args.id))
    if p is None:
        raise KommunetzError(f"Vorschlag {args.id.strip().upper()} gibt es nicht (mehr).")
    target = f" (ändert {p.target})" if p.target else " (neu)"
    print(f"{p.reference}: {p.kind.german}{target} von {p.municipality_name} (AGS {p.ags})")
    print(f"Stand: {p.status.german}; eingereicht {format_timestamp(p.submitted_at)}")
    if p.partner_ags:
        print(f"Partnerkommune: AGS {p.partner_ags}")
    width = max(len(f) for f, _, _ in comparison(p))
    print(f"{'Feld':<{width}}  vorher  →  nachher")
    for field, before, after in comparison(p):
        mark = "" if before == after else "  *"
        print(f"{field:<{width}}  {before}  →  {after}{mark}")
    if p.reason:
        print(f"Begründung: {p.reason}")
    return 0


def cmd_approve(args: argparse.Namespace, store: GraphStore) -> int:
    ps = proposal_store(store)
    p = ps.approve(parse_proposal_id(args.id), now=datetime.now(UTC), decided_by=who())
    if (to := ps.author_address(p)) is not None:
        tell_proposal_decision(mailer_from_env(), p, to)
    print(f"{p.reference} übernommen: {p.kind.german} „{p.title}“ ist jetzt im Graphen.")
    return 0


def cmd_reject(args: argparse.Namespace, store: GraphStore) -> int:
    ps = proposal_store(store)
    p = ps.reject(parse_proposal_id(args.id), args.reason, now=datetime.now(UTC), decided_by=who())
    if (to := ps.author_address(p)) is not None:
        tell_proposal_decision(mailer_from_env(), p, to)
    print(f"{p.reference} abgelehnt.")
    return 0


def cmd_audit(args: argparse.Namespace, store: GraphStore) -> int:
    entries = registration_store(store).audit_log()
    if args.csv:
        write_private_file(Path(args.csv), audit_csv(entries))
        print(f"Geschrieben: {args.csv} ({len(entries)} Einträge)")
        return 0
    for e in entries:
        detail = f" – {e.detail}" if e.detail else ""
        print(f"{format_timestamp(e.at)}  {e.actor}: {e.action} {e.subject}{detail}")
    print(f"{len(entries)} Einträge.")
    return 0


def cmd_mail_deliver(args: argparse.Namespace, store: GraphStore | None) -> int:
    """Erase what is due, hand over waiting proposals, then send the queue; works with
    the store down (then only the mail goes)."""
    mailer = mailer_from_env()
    try:
        opened = open_store(args.settings)
    except StoreUnavailable as exc:
        print(f"Datenbank nicht erreichbar ({exc}); nur der Versand.")
    else:
        try:
            rs = registration_store(opened)
            erased = purge_unconfirmed(rs, outbox_from_env(), mailer.queue)
            if erased:
                print(f"{len(erased)} unbestätigte Registrierung(en) gelöscht (älter als 7 Tage).")
            moved = deliver_proposals(proposal_store(opened), proposal_outbox_from_env())
            if moved:
                print(f"{moved} zwischengespeicherte(r) Vorschlag/Vorschläge übermittelt.")
        finally:
            opened.close()
    report = mailer.flush()
    print(report.describe())
    return 0


def cmd_mail_test(args: argparse.Namespace, store: GraphStore | None) -> int:
    send_test_mail(mailer_from_env().settings, args.to)
    print(f"Testnachricht an {args.to} versandt.")
    return 0


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``proposals`` and ``mail`` to the ``kommunetz`` parser."""
    parser = sub.add_parser(
        "proposals", help="Vorschläge der Mitglieder prüfen (übernehmen, ablehnen), Protokoll"
    )
    commands = parser.add_subparsers(dest="proposals_command", required=True)
    p = commands.add_parser("list", help="Vorschläge auflisten")
    p.add_argument("--status", help="pending|awaiting_partner|approved|rejected")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)
    p = commands.add_parser("show", help="ein Vorschlag: vorher und nachher")
    p.add_argument("id", metavar="VORSCHLAG")
    p.set_defaults(func=cmd_show)
    p = commands.add_parser("approve", help="Vorschlag übernehmen (in den Graphen schreiben)")
    p.add_argument("id", metavar="VORSCHLAG")
    p.set_defaults(func=cmd_approve)
    p = commands.add_parser("reject", help="Vorschlag ablehnen")
    p.add_argument("id", metavar="VORSCHLAG")
    p.add_argument("--reason", required=True, help="Begründung (Pflicht)")
    p.set_defaults(func=cmd_reject)
    p = commands.add_parser("audit", help="Protokoll: wer, wann, was, Entscheidung")
    p.add_argument("--csv", metavar="AUSGABE.csv", help="als CSV schreiben")
    p.set_defaults(func=cmd_audit)

    parser = sub.add_parser("mail", help="E-Mail: Postausgang versenden, Testnachricht")
    commands = parser.add_subparsers(dest="mail_command", required=True)
    p = commands.add_parser("deliver", help="wartende Nachrichten senden (vorher Fälliges löschen)")
    p.set_defaults(func=cmd_mail_deliver, needs_store=False)
    p = commands.add_parser("test", help="Testnachricht an eine Adresse senden")
    p.add_argument("to", metavar="ADRESSE")
    p.set_defaults(func=cmd_mail_test, needs_store=False)
