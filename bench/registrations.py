"""Registration workflow figures on both stores: submissions one after another and 50 at
once (all must arrive, exactly once), approvals, and on Neo4j an outage — how fast a
submission falls back to the outbox and how many are delivered after the restart.

    .venv/bin/python bench/registrations.py [--n 200]

Neo4j: the server in NEO4J_URI (its database is CLEARED — use a scratch one), else a
throwaway server started here (tests/neo4j_server, needs Java + Maven) and stopped at the
end. Timings depend on the machine; take them on a quiet one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph.core.records import Batch, Node
from graph.core.store import GraphStore
from graph.joining.form import Submission, new_submission, validate_form
from graph.joining.outbox import Outbox
from graph.joining.registration import OPEN_NETWORK_ID
from graph.joining.service import deliver, send
from graph.joining.workflow import registration_store
from graph.stores.neo4j.store import Neo4jStore
from graph.stores.sqlite.store import EmbeddedStore

SRC = ["bench"]
CONCURRENT = 50


def base() -> Batch:
    return Batch(
        "bench",
        nodes=[
            Node("Source", "bench", {"url": "https://example.org", "title": "Benchmark"}),
            Node("State", "05", {"name": "Nordrhein-Westfalen", "sources": SRC}),
            Node("Network", OPEN_NETWORK_ID, {"name": "Offenes Netzwerk", "sources": SRC}),
        ],
    )


def submissions(n: int, offset: int = 0) -> list[Submission]:
    """``n`` submissions for ``n`` different Gemeinden (AGS 05 + 6 digits)."""
    out = []
    for i in range(offset, offset + n):
        form = validate_form(
            {
                "ags": f"05{i:06d}",
                "municipality_name": f"Gemeinde {i}",
                "contact": {"name": f"Person {i}", "function": "CDO", "email": f"p{i}@x.example"},
                "seek": "Austausch",
                "consent": True,
            }
        )
        out.append(new_submission(form, "Benchmark"))
    return out


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:8.1f}/s ({seconds * 1000 / count:6.1f} ms each)"


def run_store(name: str, store: GraphStore, n: int, outbox: Outbox) -> None:
    store.clear()
    store.write(base())
    rs = registration_store(store)
    subs = submissions(n)
    t0 = time.perf_counter()
    for sub in subs:
        rs.submit_registration(sub)
    sequential = time.perf_counter() - t0
    print(f"[{name}] submit, one after another: {n} in {sequential:.2f} s = {rate(n, sequential)}")

    many = submissions(CONCURRENT, offset=n)
    start = threading.Barrier(CONCURRENT)

    def one(sub: Submission) -> float:
        start.wait()
        t = time.perf_counter()
        send(rs, sub, outbox)
        return time.perf_counter() - t

    t0 = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENT) as pool:
        latencies = list(pool.map(one, many))
    wall = time.perf_counter() - t0
    stored = {r.id for r in rs.registrations()}
    arrived = sum(1 for s in many if s.id in stored)
    print(
        f"[{name}] {CONCURRENT} concurrent submissions: {arrived} of {CONCURRENT} arrived, "
        f"outbox {'empty' if len(outbox) == 0 else f'holds {len(outbox)}'}; "
        f"{wall:.2f} s wall = {rate(CONCURRENT, wall)}, "
        f"median latency {statistics.median(latencies) * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms; "
        f"throughput ratio concurrent/sequential {(CONCURRENT / wall) / (n / sequential):.2f}"
    )

    k = min(n, 50)
    t0 = time.perf_counter()
    for sub in subs[:k]:
        rs.approve_registration(sub.id, now=datetime.now(UTC))
    approving = time.perf_counter() - t0
    print(f"[{name}] approve (public facts + decision, one transaction): {rate(k, approving)}")
    store.clear()


@contextmanager
def neo4j_store() -> Iterator[tuple[Neo4jStore, Callable[[], None], Callable[[], None]]]:
    """A store plus stop/start callables (no-ops for an external server)."""
    uri = os.environ.get("NEO4J_URI")
    if uri:
        store = Neo4jStore.connect(
            uri, os.environ.get("NEO4J_USERNAME"), os.environ.get("NEO4J_PASSWORD")
        )
        yield store, (lambda: None), (lambda: None)
        store.close()
        return
    from tests.neo4j_server import server as server_mod

    home = Path(tempfile.mkdtemp(prefix="kommunetz-bench-neo4j-"))
    port = server_mod.free_port()
    box = {"server": server_mod.start(home, port)}

    def stop() -> None:
        box["server"].stop()

    def start() -> None:
        box["server"] = server_mod.start(home, port)

    s = box["server"]
    store = Neo4jStore.connect(s.uri, s.user, s.password)
    try:
        yield store, stop, start
    finally:
        store.close()
        box["server"].stop()


def outage(store: Neo4jStore, stop: Callable[[], None], start: Callable[[], None], n: int) -> None:
    store.clear()
    store.write(base())
    rs = registration_store(store)
    with tempfile.TemporaryDirectory() as tmp:
        outbox = Outbox(Path(tmp) / "outbox")
        stop()
        subs = submissions(n, offset=10_000)
        t0 = time.perf_counter()
        queued = sum(send(rs, s, outbox).queued for s in subs)
        fallback = time.perf_counter() - t0
        start()
        t0 = time.perf_counter()
        report = deliver(rs, outbox)
        delivering = time.perf_counter() - t0
        again = deliver(rs, outbox)
    stored = {r.id for r in rs.registrations()}
    print(
        f"[neo4j outage] {queued} of {n} submissions kept in the outbox while the server was "
        f"down ({fallback * 1000 / n:.1f} ms each to fall back); after the restart "
        f"{len(report.delivered)} of {queued} delivered in {delivering:.2f} s, a second "
        f"delivery found {len(again.delivered) + len(again.already)}; outbox "
        f"{'empty' if not report.waiting else 'NOT empty'}; "
        f"{sum(s.id in stored for s in subs)} of {n} in the store, each once"
    )
    store.clear()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="submissions one after another")
    parser.add_argument("--no-neo4j", action="store_true", help="only the embedded store")
    args = parser.parse_args()
    print(f"kommunetz registration benchmark, {os.cpu_count()} CPU(s), n={args.n}")
    with tempfile.TemporaryDirectory() as tmp:
        store = EmbeddedStore(Path(tmp) / "bench.sqlite")
        run_store("embedded", store, args.n, Outbox(Path(tmp) / "outbox-embedded"))
        store.close()
        if not args.no_neo4j:
            with neo4j_store() as (neo, stop, start):
                run_store("neo4j", neo, args.n, Outbox(Path(tmp) / "outbox-neo4j"))
                if os.environ.get("NEO4J_URI"):
                    print("[neo4j outage] skipped: the server in NEO4J_URI is not ours to stop")
                else:
                    outage(neo, stop, start, 20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
