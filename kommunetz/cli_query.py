"""``kommunetz query …``: the guided questions on the command line.

Every subcommand is one call into `graph.questions.rows` (or `graph.questions.recommend`,
`graph.questions.metrics`) plus argument parsing; the answer prints as German text, as JSON
(``--json``, for scripts and other tools) or goes to a CSV file (``--csv``). Names are
resolved as in the app: an ambiguous name ends with a message listing the candidates.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from graph.core.store import GraphStore
from graph.core.validity import resolve_stand, today
from graph.present.csv import to_csv
from graph.questions.answer import Answer
from graph.questions.metrics import network_metrics
from graph.questions.partners import partners
from graph.questions.paths import MAX_HOPS, connections
from graph.questions.recommend import recommend
from graph.questions.shared_topics import shared_topics
from graph.questions.topic import topic_members
from graph.questions.workshops import workshops
from graph.stores.as_of import StoreAsOf

Ask = Callable[[argparse.Namespace, GraphStore], Answer]


def _show(ask: Ask) -> Callable[[argparse.Namespace, GraphStore], int]:
    def run(args: argparse.Namespace, store: GraphStore) -> int:
        if args.stand:  # the network as of then (a date that is no date: exit 2)
            args.stand = resolve_stand(args.stand)
            store = StoreAsOf(store, args.stand)
        answer = ask(args, store)
        if args.csv:
            Path(args.csv).write_bytes(to_csv(answer.rows()))
        if args.json:
            shown = answer.as_dict()
            if args.stand:
                shown["stand"] = args.stand
            print(json.dumps(shown, ensure_ascii=False, indent=2))
        else:
            if args.stand:
                then = "heute ist" if args.stand == today().isoformat() else "damals war"
                print(f"Stand {args.stand}: das Netzwerk, wie es {then}")
            print("\n".join(answer.lines()))
            if args.csv:
                print(f"Tabelle geschrieben: {args.csv}")
        return 0

    return run


def register_query(sub: argparse._SubParsersAction) -> None:
    """Add ``query`` and its subcommands to the ``kommunetz`` parser."""
    query = sub.add_parser("query", help="Fragen an das Netzwerk (Themen, Partner, Wege …)")
    qsub = query.add_subparsers(dest="question", required=True)

    def add(name: str, help_: str, ask: Ask) -> argparse.ArgumentParser:
        p = qsub.add_parser(name, help=help_)
        p.add_argument("--json", action="store_true", help="Antwort als JSON ausgeben")
        p.add_argument("--csv", metavar="DATEI", help="Tabelle als CSV (Semikolon, UTF-8)")
        p.add_argument(
            "--stand",
            help="das Netzwerk zu diesem Datum oder Jahr fragen (JJJJ, JJJJ-MM, JJJJ-MM-TT "
            "oder „heute“); ohne: alle Zeiten, auch Beendetes",
        )
        p.set_defaults(func=_show(ask))
        return p

    p = add(
        "topic",
        "Wer arbeitet an einem Thema?",
        lambda a, s: topic_members(s, a.topic, members_only=a.members_only, limit=a.limit),
    )
    p.add_argument("topic", help="Thema (Name, Teil des Namens oder Id), z. B. E-Akte")
    p.add_argument("--members-only", action="store_true", help="nur Netzwerkmitglieder")
    p.add_argument("--limit", type=int, default=50, help="höchstens so viele Akteure")

    p = add(
        "partners",
        "Mit wem arbeitet eine Kommune zusammen, und warum?",
        lambda a, s: partners(s, a.actor, limit=a.limit),
    )
    p.add_argument("actor", help="Kommune (Name oder AGS) oder Organisation")
    p.add_argument("--limit", type=int, default=50)

    p = add(
        "path",
        "Wie sind zwei Kommunen oder Organisationen verbunden?",
        lambda a, s: connections(
            s, a.a, a.b, k=a.k, include_admin=a.with_admin, max_hops=a.max_hops
        ),
    )
    p.add_argument("a", help="erste Kommune oder Organisation")
    p.add_argument("b", help="zweite Kommune oder Organisation")
    p.add_argument("-k", type=int, default=3, help="höchstens so viele Wege (Standard 3)")
    p.add_argument(
        "--with-admin",
        action="store_true",
        help="auch Verwaltungsbeziehungen (liegt im Land, gehört zum Kreis) nutzen",
    )
    p.add_argument("--max-hops", type=int, default=MAX_HOPS, choices=range(1, MAX_HOPS + 1))

    p = add(
        "shared-topics",
        "An welchen Themen arbeiten zwei Kommunen beide?",
        lambda a, s: shared_topics(s, a.a, a.b),
    )
    p.add_argument("a")
    p.add_argument("b")

    p = add(
        "workshops",
        "Veranstaltungen: wer richtete aus, wer nahm teil, zu welchem Thema?",
        lambda a, s: workshops(s, actor=a.actor, topic=a.topic, limit=a.limit),
    )
    p.add_argument("--actor", help="nur Veranstaltungen dieser Kommune oder Organisation")
    p.add_argument("--topic", help="nur Veranstaltungen zu diesem Thema")
    p.add_argument("--limit", type=int, default=50)

    p = add(
        "recommend",
        "Partnervorschläge mit Begründung, auch für Kommunen außerhalb des Netzwerks (AGS)",
        lambda a, s: recommend(s, a.actor, topics=a.topic or None, limit=a.limit),
    )
    p.add_argument("actor", help="Kommune (Name oder AGS) oder Organisation")
    p.add_argument(
        "--topic",
        action="append",
        help="Interessen (mehrfach möglich); sonst die Themen der eigenen Vorhaben",
    )
    p.add_argument("--limit", type=int, default=10)

    add(
        "metrics",
        "Kennzahlen des Kooperationsgraphen (Partner, Vermittlung, Gruppen, Hinweise)",
        lambda a, s: network_metrics(s),
    )
