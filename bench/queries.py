"""Benchmark of the guided questions at Germany scale, on both stores.

    .venv/bin/python bench/queries.py [--scale 1.0] [--runs 40] [--skip-neo4j]

Loads the seeded synthetic network (`loaders.synthetic`; all municipalities of the
Destatis directory in ``../shared/data/municipalities`` when it is there) into a fresh
embedded store and into Neo4j, and prints:

* load time and rows/s per store, and for Neo4j the rows/s of one ``MERGE`` per row in its
  own transaction (the way most tutorials load) on a sample, with the ratio;
* p50/p95 latency of every question on both stores (after one warm-up call per store,
  whose time is printed as "kalt");
* the time to compute the network metrics (cold, then cached).

Neo4j: without ``NEO4J_URI`` the bench starts its own throwaway server (the test
server, ``tests/neo4j_server``) and stops it at the end. With ``NEO4J_URI`` it uses that
database only with ``--wipe-configured-neo4j``, because it deletes everything in it.

For Neo4j the same rows are then also loaded the offline way, with ``neo4j-admin
database import full`` into the stopped test server (`bench/admin_import.py`; only when
the bench started that server itself), and the figures read back are compared.

Targets (issue 16): p95 ≤ 20 ms for questions 1–5 embedded and ≤ 40 ms on Neo4j;
recommendations p95 ≤ 150 ms warm and ≤ 1 s cold; full load into Neo4j ≤ 20 s; metrics
≤ 5 s cold. Timings taken while other work runs on the machine are not
comparable; the script prints the figures, a person judges them.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from graph.core.records import Batch  # noqa: E402
from graph.core.store import GraphStore  # noqa: E402
from graph.questions.metrics import network_metrics  # noqa: E402
from graph.questions.partners import partners  # noqa: E402
from graph.questions.paths import connections  # noqa: E402
from graph.questions.recommend import recommend  # noqa: E402
from graph.questions.shared_topics import shared_topics  # noqa: E402
from graph.questions.topic import topic_members  # noqa: E402
from graph.questions.workshops import workshops  # noqa: E402
from graph.stores.neo4j.store import Neo4jStore  # noqa: E402
from graph.stores.sqlite.store import EmbeddedStore  # noqa: E402
from loaders.synthetic import synthetic_batch  # noqa: E402

DIRECTORY = REPO.parent / "shared" / "data" / "municipalities" / "AuszugGV4QAktuell_2024.xlsx"
TARGET_P95_MS = {"embedded": 20.0, "neo4j": 40.0}
TARGET_REC_MS = 150.0
TARGET_REC_COLD_MS = 1000.0
TARGET_LOAD_S = 20.0
TARGET_METRICS_S = 5.0
MERGE_SAMPLE = 2_000
#: The bench's own Neo4j server's heap. The whole load is one transaction (all or nothing)
#: whose state Neo4j keeps on the heap: with the test server's 2 GB the garbage collector
#: takes a large part of it (docs/performance.md). A server for a first load of this
#: size should get 4 GB (`server.memory.heap.initial_size` = `max_size` = 4g).
HEAP = "4g"


def build_batch(seed: int, scale: float, directory: Path | None) -> Batch:
    dir_batch = None
    if directory is not None and directory.is_file() and scale == 1.0:
        from loaders.detect import read_any

        dir_batch = read_any(directory)
    return synthetic_batch(seed, scale=scale, directory=dir_batch)


PER_ROW_MERGE = "MERGE (n:Project {id: $key}) SET n += $props"


def rows_of(batch: Batch) -> int:
    return len(batch.nodes) + len(batch.rels)


def one_merge_per_row(store: Neo4jStore, batch: Batch, n: int) -> float:
    """Rows/s of one auto-committed ``MERGE`` statement per node (on a sample)."""
    nodes = [x for x in batch.nodes if x.label == "Project"][:n]
    store.clear()
    t0 = time.perf_counter()
    with store.driver.session(database=store.database) as session:
        for node in nodes:  # the way most tutorials load: one statement, one commit per row
            session.run(PER_ROW_MERGE, key=node.key, props=dict(node.props)).consume()
    seconds = time.perf_counter() - t0
    store.clear()
    return len(nodes) / seconds


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def sample_inputs(
    batch: Batch, seed: int, n: int
) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """Inputs for the timed calls, and warm-up inputs that use every query variant once
    (a Cypher statement is compiled on its first use; that is the cold time, not p95)."""
    rng = random.Random(seed)
    active = sorted({r.start.id for r in batch.rels if r.type in ("RUNS", "PARTY_TO", "ATTENDED")})
    keys = [a.split(":", 1)[1] for a in active]
    munis = [a.split(":", 1)[1] for a in active if a.startswith("Municipality:")]
    orgs = [a.split(":", 1)[1] for a in active if a.startswith("Organisation:")]
    topics = sorted(x.key for x in batch.nodes if x.label == "Topic")
    timed: dict[str, list[Any]] = {
        "actors": rng.sample(keys, n),
        "pairs": [tuple(rng.sample(keys, 2)) for _ in range(n)],
        "topics": [rng.choice(topics) for _ in range(n)],
    }
    m = rng.sample(munis, 2)
    o = rng.sample(orgs, 2) if len(orgs) >= 2 else m  # a tiny network may lack them
    warm: dict[str, list[Any]] = {
        "actors": [m[0], o[0], m[1], o[1]],
        "pairs": [(m[0], m[1]), (m[0], o[0]), (o[0], m[0]), (o[0], o[1])],
        "topics": topics[:4],
    }
    return timed, warm


Ask = Callable[[GraphStore, int], Any]


def questions(inputs: dict[str, list[Any]]) -> dict[str, Ask]:
    a, p, t = inputs["actors"], inputs["pairs"], inputs["topics"]
    return {
        "1 Thema (topic)": lambda s, i: topic_members(s, t[i % len(t)]),
        "2 Partner (partners)": lambda s, i: partners(s, a[i % len(a)]),
        "3 Wege (path)": lambda s, i: connections(s, *p[i % len(p)]),
        "4 gemeinsame Themen": lambda s, i: shared_topics(s, *p[i % len(p)]),
        "5 Veranstaltungen (Akteur)": lambda s, i: workshops(s, actor=a[i % len(a)]),
        "5 Veranstaltungen (Thema)": lambda s, i: workshops(s, topic=t[i % len(t)]),
        "5 Veranstaltungen (alle)": lambda s, i: workshops(s),
        "6 Vorschläge (recommend)": lambda s, i: recommend(s, a[i % len(a)]),
    }


def time_questions(
    store: GraphStore, qs: dict[str, Ask], warm: dict[str, Ask], runs: int
) -> dict[str, tuple[float, float, float]]:
    out = {}
    for name, ask in qs.items():
        t0 = time.perf_counter()
        warm[name](store, 0)  # the first call builds per-version caches, compiles Cypher
        cold = time.perf_counter() - t0
        for i in range(1, 4):
            warm[name](store, i)
        times = []
        for i in range(runs):
            t0 = time.perf_counter()
            ask(store, i)
            times.append(time.perf_counter() - t0)
        out[name] = (cold * 1000, percentile(times, 50) * 1000, percentile(times, 95) * 1000)
    return out


def time_metrics(store: GraphStore) -> tuple[float, float, Any]:
    t0 = time.perf_counter()
    m = network_metrics(store)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    network_metrics(store)
    return cold, time.perf_counter() - t0, m


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--runs", type=int, default=40, help="timed calls per question and store")
    ap.add_argument("--skip-neo4j", action="store_true")
    ap.add_argument("--wipe-configured-neo4j", action="store_true")
    ap.add_argument("--directory", type=Path, default=DIRECTORY)
    ap.add_argument(
        "--heap",
        default=HEAP,
        help="heap of the bench's own Neo4j server (initial = maximum, as Neo4j advises); "
        "the load is one transaction, whose state lives on the heap",
    )
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    batch = build_batch(args.seed, args.scale, args.directory)
    counts = batch.counts()
    print(
        f"Synthetisches Netz (seed {args.seed}, scale {args.scale:g}): "
        f"{len(batch.nodes):,} Knoten, {len(batch.rels):,} Beziehungen, erzeugt in "
        f"{time.perf_counter() - t0:.1f} s"
    )
    print("  " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts["nodes"].items())))
    timed, warm_inputs = sample_inputs(batch, args.seed, max(args.runs, 10))
    qs, warm = questions(timed), questions(warm_inputs)
    results: dict[str, dict[str, tuple[float, float, float]]] = {}
    metrics: dict[str, tuple[float, float, Any]] = {}
    loads: dict[str, float] = {}
    rec_cold: dict[str, float] = {}

    with tempfile.TemporaryDirectory(prefix="kommunetz-bench-") as tmp:
        embedded = EmbeddedStore(Path(tmp) / "bench.sqlite")
        t0 = time.perf_counter()
        embedded.write(batch)
        loads["embedded"] = time.perf_counter() - t0
        print(
            f"\nLaden eingebettet: {loads['embedded']:.1f} s, "
            f"{rows_of(batch) / loads['embedded']:,.0f} Zeilen/s"
        )
        # metrics first: their cold time includes reading the cooperation graph
        metrics["embedded"] = time_metrics(embedded)
        results["embedded"] = time_questions(embedded, qs, warm, args.runs)
        embedded.close()
        # a new process's store: no cache, and no other store's graph in memory (with it,
        # every full collection of Python's collector walks a million more objects)
        del embedded
        gc.collect()
        fresh = EmbeddedStore(Path(tmp) / "bench.sqlite")
        t0 = time.perf_counter()
        recommend(fresh, warm_inputs["actors"][0])
        rec_cold["embedded"] = time.perf_counter() - t0
        fresh.close()

        if not args.skip_neo4j:
            server = None
            uri = os.environ.get("NEO4J_URI")
            if uri and not args.wipe_configured_neo4j:
                print(
                    "\nNEO4J_URI ist gesetzt: der Benchmark löscht die Datenbank und braucht "
                    "dafür --wipe-configured-neo4j. Neo4j übersprungen."
                )
            else:
                if uri:
                    neo = Neo4jStore.connect(
                        uri,
                        os.environ.get("NEO4J_USERNAME"),
                        os.environ.get("NEO4J_PASSWORD"),
                        os.environ.get("NEO4J_DATABASE") or "neo4j",
                    )
                else:
                    from tests.neo4j_server import server as neo4j_server

                    print(f"\nStarte Neo4j (Testserver, Heap {args.heap}) …")
                    os.environ["KOMMUNETZ_NEO4J_HEAP"] = args.heap
                    os.environ["KOMMUNETZ_NEO4J_JAVA_OPTS"] = f"-Xms{args.heap}"
                    server = neo4j_server.start(Path(tmp) / "neo4j")
                    neo = Neo4jStore.connect(server.uri, server.user, server.password)
                try:
                    # a freshly started JVM compiles every statement on first use (up to a
                    # second each, some 50 statements): load a small network of the same
                    # shape and ask every question on it first, and report that apart
                    small = synthetic_batch(args.seed + 1, scale=0.02)
                    t0 = time.perf_counter()
                    neo.write(small)
                    warm_s = time.perf_counter() - t0
                    network_metrics(neo)
                    _, small_inputs = sample_inputs(small, args.seed, 4)
                    for ask in questions(small_inputs).values():
                        for i in range(4):
                            ask(neo, i)
                    neo.clear()
                    print(
                        f"Neo4j aufwärmen: kleines Netz ({rows_of(small):,} Zeilen) in "
                        f"{warm_s:.1f} s geladen, alle Fragen einmal gestellt (erste "
                        f"Ausführung jeder Anweisung), zusammen {time.perf_counter() - t0:.1f} s"
                    )
                    per_row = one_merge_per_row(neo, batch, MERGE_SAMPLE)
                    neo.clear()
                    t0 = time.perf_counter()
                    neo.write(batch)
                    loads["neo4j"] = time.perf_counter() - t0
                    batched = rows_of(batch) / loads["neo4j"]
                    print(
                        f"Laden Neo4j: {loads['neo4j']:.1f} s, {batched:,.0f} Zeilen/s "
                        f"(Ziel ≤ {TARGET_LOAD_S:.0f} s: "
                        f"{'erfüllt' if loads['neo4j'] <= TARGET_LOAD_S else 'VERFEHLT'})"
                    )
                    print(
                        f"  ein MERGE je Zeile (Stichprobe {MERGE_SAMPLE:,} Knoten): "
                        f"{per_row:,.0f} Zeilen/s; gebündelt ist {batched / per_row:,.0f}× "
                        "schneller"
                    )
                    metrics["neo4j"] = time_metrics(neo)
                    results["neo4j"] = time_questions(neo, qs, warm, args.runs)
                    fresh_neo = Neo4jStore(neo.driver, neo.database)  # nothing cached
                    t0 = time.perf_counter()
                    recommend(fresh_neo, warm_inputs["actors"][0])
                    rec_cold["neo4j"] = time.perf_counter() - t0
                    if server is not None:
                        from admin_import import admin_import

                        figures = neo.stats()
                        neo.close()
                        t, server = admin_import(batch, server, Path(tmp) / "admin")
                        neo = Neo4jStore.connect(server.uri, server.user, server.password)
                        t0 = time.perf_counter()
                        neo.ensure_schema()  # the import creates no constraints
                        t["schema"] = time.perf_counter() - t0
                        same = neo.stats() == figures
                        print(
                            f"neo4j-admin database import (offline, dieselben Zeilen): CSV "
                            f"schreiben {t['csv']:.1f} s + Import {t['import']:.1f} s + Neustart "
                            f"{t['restart']:.1f} s + Constraints {t['schema']:.1f} s = "
                            f"{sum(t.values()):.1f} s (ohne Neustart "
                            f"{sum(t.values()) - t['restart']:.1f} s; über Bolt "
                            f"{loads['neo4j']:.1f} s); Kennzahlen danach "
                            f"{'gleich' if same else 'VERSCHIEDEN'}"
                        )
                    neo.clear()
                finally:
                    neo.close()
                    if server is not None:
                        server.stop()

    print(
        f"\nAntwortzeiten in ms ({args.runs} Aufrufe je Frage und Datenbank; „kalt“ = erster "
        "Aufruf nach dem Laden)"
    )
    kinds = list(results)
    header = f"{'Frage':<28}" + "".join(f"{k + ' kalt':>16}{'p50':>9}{'p95':>9}" for k in kinds)
    print(header)
    for name in qs:
        line = f"{name:<28}"
        for k in kinds:
            cold, p50, p95 = results[k][name]
            mark = " "
            if name[0] in "12345" and p95 > TARGET_P95_MS[k]:
                mark = "!"
            if name[0] == "6" and (p95 > TARGET_REC_MS or cold > TARGET_REC_COLD_MS):
                mark = "!"
            line += f"{cold:>16.1f}{p50:>9.1f}{p95:>8.1f}{mark}"
        print(line)
    print(
        "(! = über dem Ziel: Fragen 1–5 p95 ≤ "
        + " / ".join(f"{v:.0f} ms {k}" for k, v in TARGET_P95_MS.items())
        + f"; Vorschläge p95 ≤ {TARGET_REC_MS:.0f} ms, kalt ≤ {TARGET_REC_COLD_MS:.0f} ms)"
    )
    for k, seconds in rec_cold.items():
        ok = "erfüllt" if seconds * 1000 <= TARGET_REC_COLD_MS else "VERFEHLT"
        print(
            f"6 Vorschläge ganz kalt ({k}: neues Store-Objekt, nichts im Cache, liest den "
            f"Kooperationsgraphen): {seconds * 1000:.0f} ms (Ziel ≤ {TARGET_REC_COLD_MS:.0f} ms: "
            f"{ok})"
        )
    if len(kinds) == 2:
        print("\nVerhältnis p95 Neo4j / eingebettet:")
        for name in qs:
            e, n = results["embedded"][name][2], results["neo4j"][name][2]
            print(f"  {name:<28}{n / e:>8.1f}")

    print("\nKennzahlen (Frage 7)")
    for k, (cold, cached, m) in metrics.items():
        ok = "erfüllt" if cold <= TARGET_METRICS_S else "VERFEHLT"
        print(
            f"  {k}: {cold:.1f} s berechnet (Ziel ≤ {TARGET_METRICS_S:.0f} s: {ok}), "
            f"danach aus dem Cache {cached * 1000:.1f} ms; {m.actors:,} Akteure, {m.ties:,} "
            f"Partnerschaften, {m.community_count} Gruppen, Betweenness "
            f"{'Stichprobe' if m.betweenness_sampled else 'exakt'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
