"""The ``kommunetz`` command: a thin shell over `loaders` and `graph`.

Every command is argument parsing plus one library call; errors are `KommunetzError`s
that become one readable German message and an exit code, never a traceback: 2 for
unusable input (`InvalidInput`: a file with errors, an unknown or ambiguous name, a
question that cannot be asked that way), 3 when the store cannot be reached, 1 for
anything else.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import loaders
from graph.core.errors import InvalidInput, KommunetzError, StoreUnavailable
from graph.core.stats import graph_stats
from graph.core.store import GraphStore, WriteSummary
from graph.core.validity import as_of
from graph.present.dcat import SETTING_NAMES as PUBLISH_SETTINGS
from graph.present.dcat import Publisher
from graph.present.export import FORMATS, export_graph
from graph.present.publish import publication, write_publication
from graph.present.text import format_date, format_int, relation_name, type_name
from graph.present.view import export_html, focused_view
from graph.stores.open import StoreSettings, open_store
from kommunetz import cli_registrations, cli_selfservice
from kommunetz.cli_query import register_query
from kommunetz.exit_codes import EXIT_ERROR, EXIT_INVALID, EXIT_UNAVAILABLE


def _fmt_counts(counts: dict[str, int], names: Callable[[str], str]) -> str:
    return ", ".join(f"{n} {names(k)}" for k, n in sorted(counts.items())) or "–"


def _node_name(label: str) -> str:
    return type_name(label, plural=True)


def _describe(summary: WriteSummary) -> str:
    text = (
        f"  Knoten neu: {_fmt_counts(summary.nodes_created, _node_name)}\n"
        f"  Knoten geändert: {_fmt_counts(summary.nodes_updated, _node_name)}\n"
        f"  Beziehungen neu: {_fmt_counts(summary.rels_created, str)}\n"
        f"  Beziehungen geändert: {_fmt_counts(summary.rels_updated, str)}"
    )
    return text + _describe_kept(summary)


def _describe_kept(summary: WriteSummary) -> str:
    """What an older edition of the directory left alone (the store has a newer one)."""
    if not summary.nodes_kept and not summary.rels_kept:
        return ""
    return (
        "\n  Ältere Ausgabe – beibehalten, weil ein neuerer Gebietsstand gespeichert ist: "
        f"{_fmt_counts(summary.nodes_kept, _node_name)}; "
        f"Beziehungen: {_fmt_counts(summary.rels_kept, str)}"
    )


class _Bars:
    """Progress bars on stderr for long parses (tqdm), one per file, shown only on a
    terminal."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.name = ""

    def __call__(self, name: str, done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        if self.bar is None or name != self.name:
            self.close()
            from tqdm import tqdm

            self.bar, self.name = tqdm(total=total, desc=name, unit=" Zeilen", leave=False), name
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def cmd_load(args: argparse.Namespace, store: GraphStore) -> int:
    bars = _Bars()

    def report(f: loaders.FileLoaded) -> None:
        bars.close()
        for notice in f.notices:
            print(f"Hinweis: {notice}")
        print(
            f"{f.path}: {f.nodes} Knoten und {f.relationships} Beziehungen gelesen "
            f"({f.read_seconds:.2f} s), geschrieben in {store.kind} ({f.write_seconds:.2f} s), "
            f"gesamt {f.seconds:.2f} s"
        )
        print(
            _describe(f.summary)
            if f.summary.changed
            else "  keine Änderungen" + _describe_kept(f.summary)
        )

    try:
        done = loaders.load(
            store,
            args.paths,
            population_date=args.population_date,
            if_empty=args.if_empty,
            progress=bars,
            on_file=report,
        )
    finally:
        bars.close()
    if done.skipped:
        print("Die Datenbank enthält schon Daten; nichts geladen.")
    return 0


def cmd_stats(args: argparse.Namespace, store: GraphStore) -> int:
    stats = graph_stats(as_of(store.graph(), args.stand)) if args.stand else store.stats()
    if args.json:
        print(stats.to_json())
        return 0
    print(f"Datenbank: {args.settings.describe()}")
    for label, n in sorted(stats.nodes.items()):
        print(f"  {_node_name(label):<18} {n:>8}")
    for rtype, n in sorted(stats.relationships.items()):
        print(f"  {rtype:<18} {n:>8}  ({relation_name(rtype)})")
    if stats.networks:
        print("Mitglieder je Netzwerk:")
    for key, net in sorted(stats.networks.items()):
        print(f"  {net['name'] or key}: {net['members']} Mitglieder")
    return 0


def cmd_export(args: argparse.Namespace, store: GraphStore) -> int:
    out = Path(args.out)
    if args.format == "html":  # the explorer's standalone view
        export_html(store, out, focus=args.focus, depth=args.depth)
    else:  # the same focus and depth as the HTML view, or the whole graph
        g = focused_view(store, args.focus, args.depth)[2].graph if args.focus else store.graph()
        export_graph(g, args.format, out)
    print(f"Geschrieben: {out}")
    return 0


def cmd_publish(args: argparse.Namespace, store: GraphStore) -> int:
    publisher = Publisher.from_mapping({n: v for n in PUBLISH_SETTINGS if (v := os.environ.get(n))})
    out = Path(args.outdir)
    pub = publication(store.graph(), publisher)
    write_publication(pub, out)
    for notice in publisher.notices():
        print(f"Hinweis: {notice}")
    print(f"Geschrieben nach {out} (Stand {format_date(pub.as_of.isoformat())}):")
    for f in pub.files:
        print(
            f"  {f.name:<32} {f.kind.label:<14} {format_int(f.size):>11} Bytes  SHA-256 {f.sha256}"
        )
    return 0


def cmd_reset(args: argparse.Namespace, store: GraphStore) -> int:
    if not args.yes:
        print(
            "Löscht ALLE Daten der Datenbank. Zum Bestätigen: kommunetz reset --yes",
            file=sys.stderr,
        )
        return EXIT_ERROR
    store.clear()
    print(f"Alle Daten gelöscht ({args.settings.describe()}).")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kommunetz",
        description="Wissensgraph des kommunalen E-Government-Netzwerks. Ohne NEO4J_URI "
        "arbeitet kommunetz mit einer eingebetteten Datenbank (KOMMUNETZ_DB).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("load", help="Daten laden (Ordner/YAML, Destatis .xlsx/.txt, CSV)")
    p.add_argument("paths", nargs="*", help=f"Standard: {loaders.loading.DATA_DIR}")
    p.add_argument(
        "--population-date",
        metavar="JJJJ-MM-TT",
        help="Stichtag der Bevölkerungszahlen (nur GV100AD, dort nicht enthalten)",
    )
    p.add_argument("--if-empty", action="store_true", help="nur laden, wenn die Datenbank leer ist")
    p.set_defaults(func=cmd_load)

    p = sub.add_parser("stats", help="Knoten und Beziehungen zählen")
    p.add_argument("--json", action="store_true", help="als JSON ausgeben")
    p.add_argument(
        "--stand", help="das Netzwerk zu diesem Datum oder Jahr zählen (JJJJ, JJJJ-MM, JJJJ-MM-TT)"
    )
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("export", help="Graph als GraphML, GEXF, JSON oder HTML schreiben")
    p.add_argument("--format", choices=[*FORMATS, "html"], required=True)
    p.add_argument(
        "--focus", help="nur die Umgebung dieses Knotens (Name oder AGS), in jedem Format"
    )
    p.add_argument("--depth", type=int, default=1, choices=[1, 2, 3])
    p.add_argument("out")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "publish",
        help="offene Daten schreiben: CSV, JSON-LD, GraphML, GEXF, GeoJSON und "
        "DCAT-AP.de-Metadaten (catalog.ttl, catalog.jsonld)",
    )
    p.add_argument("outdir", metavar="ORDNER")
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("reset", help="alle Daten löschen")
    p.add_argument("--yes", action="store_true")
    p.set_defaults(func=cmd_reset)

    cli_registrations.add_parser(sub)
    cli_selfservice.add_parsers(sub)
    register_query(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:  # `kommunetz stats | head`: the reader left, that is fine
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - stays open until exit
        return 0


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    args.settings = StoreSettings.from_env()
    try:
        # a command that needs no data (hash-password) must work while Neo4j is down
        store = open_store(args.settings) if getattr(args, "needs_store", True) else None
    except StoreUnavailable as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except InvalidInput as exc:  # KOMMUNETZ_DB names a file that is no database
        print(f"Fehler: {exc}", file=sys.stderr)
        return EXIT_INVALID
    try:
        return int(args.func(args, store))
    except InvalidInput as exc:  # a file with errors, an unknown name, a question asked wrong
        print(f"Fehler: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except StoreUnavailable as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except KommunetzError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        if store is not None:
            store.close()


if __name__ == "__main__":
    sys.exit(main())
