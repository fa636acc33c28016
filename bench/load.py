"""Load benchmark: how long the curated data and the official directory take to load into
each store, rows per second, and batched UNWIND … MERGE against one MERGE per row.

    .venv/bin/python bench/load.py [--directory PATH]

Uses the Neo4j of NEO4J_URI if set, else starts the throwaway test server (Java 17 +
Maven) and stops it afterwards. The directory defaults to ../shared's 2024 AuszugGV.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from graph.core.store import GraphStore  # noqa: E402
from graph.stores.neo4j.store import Neo4jStore  # noqa: E402
from graph.stores.sqlite.store import EmbeddedStore  # noqa: E402
from loaders.curated import read_curated  # noqa: E402
from loaders.destatis import read_directory  # noqa: E402
from tests.neo4j_server import server as neo4j_server  # noqa: E402

DEFAULT_DIRECTORY = REPO.parent / "shared/data/municipalities/AuszugGV4QAktuell_2024.xlsx"
PER_ROW_SAMPLE = 1000


def bench_store(name: str, store: GraphStore, directory: Path) -> dict[str, float]:
    store.clear()
    out: dict[str, float] = {}
    t0 = time.perf_counter()
    curated = read_curated(REPO / "data")
    t1 = time.perf_counter()
    store.write(curated)
    t2 = time.perf_counter()
    print(f"[{name}] curated data: parse {t1 - t0:.2f} s, write {t2 - t1:.2f} s")
    for run in ("first (cold)", "again, unchanged", "after reset (warm)"):
        if run.startswith("after reset"):
            store.clear()
        t0 = time.perf_counter()
        batch = read_directory(directory)
        t1 = time.perf_counter()
        summary = store.write(batch)
        t2 = time.perf_counter()
        rows = len(batch.nodes) + len(batch.rels)
        print(
            f"[{name}] directory {run}: parse {t1 - t0:.2f} s + write {t2 - t1:.2f} s = "
            f"{t2 - t0:.2f} s for {rows:,} rows ({rows / (t2 - t1):,.0f} rows/s written); "
            f"changed: {summary.changed}"
        )
        out[run] = t2 - t0
    return out


def per_row_comparison(store: Neo4jStore, directory: Path) -> None:
    """One auto-commit MERGE per row, the way most tutorials load, on a sample."""
    batch = read_directory(directory)
    rows = [n for n in batch.nodes if n.label == "Municipality"][:PER_ROW_SAMPLE]
    store.clear()
    query = "MERGE (n:Municipality {ags: $key}) SET n += $props"
    t0 = time.perf_counter()
    with store.driver.session(database=store.database) as session:
        for n in rows:
            session.run(query, key=n.key, props=dict(n.props)).consume()
    per_row = len(rows) / (time.perf_counter() - t0)
    store.clear()
    t0 = time.perf_counter()
    store.write(batch)
    batched = (len(batch.nodes) + len(batch.rels)) / (time.perf_counter() - t0)
    print(
        f"[neo4j] one MERGE per row: {per_row:,.0f} rows/s ({len(rows)} rows); batched "
        f"UNWIND … MERGE: {batched:,.0f} rows/s → {batched / per_row:,.0f}× faster"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--directory", type=Path, default=DEFAULT_DIRECTORY)
    args = parser.parse_args()
    if not args.directory.exists():
        print(f"directory file not found: {args.directory}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        results = {
            "embedded": bench_store(
                "embedded", EmbeddedStore(Path(tmp) / "bench.sqlite"), args.directory
            )
        }
        server = None
        if os.environ.get("NEO4J_URI"):
            neo = Neo4jStore.connect(
                os.environ["NEO4J_URI"],
                os.environ.get("NEO4J_USERNAME"),
                os.environ.get("NEO4J_PASSWORD"),
            )
        else:
            server = neo4j_server.start(Path(tmp) / "neo4j")
            neo = Neo4jStore.connect(server.uri, server.user, server.password)
        try:
            results["neo4j"] = bench_store("neo4j", neo, args.directory)
            per_row_comparison(neo, args.directory)
            neo.clear()
        finally:
            neo.close()
            if server:
                server.stop()
    print("\nsummary (directory edition, parse + write; target < 5 s on each store):")
    for name, res in results.items():
        worst = max(res.values())
        print(
            f"  {name:<9} cold {res['first (cold)']:.2f} s, warm "
            f"{res['after reset (warm)']:.2f} s, unchanged reload "
            f"{res['again, unchanged']:.2f} s, median "
            f"{statistics.median(res.values()):.2f} s → {'OK' if worst < 5 else 'SLOW'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
