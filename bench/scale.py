"""How cost grows with the size of the network, on both stores.

    .venv/bin/python bench/scale.py [--scales 0.25 0.5 1 2 4] [--runs 20] [--skip-neo4j]

Runs the seeded synthetic network (`loaders.synthetic`, synthetic municipalities at every
size so that the series is comparable; 1 = Germany: 10,752 Gemeinden, about 61,000
nodes and 216,000 relationships; 4 ≈ the ~98,000 local administrative units of the EU)
and prints per size and store:

* load time (one `store.write` of the whole network into an empty store),
* p95 of questions 1–5 (the worst of the seven question variants of `bench/queries.py`)
  and of the recommendations (question 6), warm,
* the network metrics (question 7), cold (nothing cached: a fresh process),
* memory: the peak RSS of the Python process; for Neo4j also the server's peak RSS and
  its heap (used after the run; the old generation's peak),
* the growth exponent k between neighbouring sizes (cost ∝ rows^k: 1 is linear).

Each (store, size) runs in its own Python process (so that its peak RSS is its own), and
each size gets a fresh Neo4j test server (``KOMMUNETZ_NEO4J_HEAP``, default here 4g, the
same for every size). Figures taken while other work runs are not comparable; run it on
a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

HEAP = "4g"
PASSWORD = "kommunetz-scale"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))]


def run_one(kind: str, scale: float, runs: int, uri: str | None) -> dict[str, Any]:
    """Load, ask and measure one store at one size (in this process)."""
    from queries import questions, sample_inputs, time_questions  # bench/queries.py

    from graph.questions.metrics import network_metrics
    from graph.stores.neo4j.store import Neo4jStore
    from graph.stores.sqlite.store import EmbeddedStore
    from loaders.synthetic import synthetic_batch

    batch = synthetic_batch(1, scale=scale)
    rows = len(batch.nodes) + len(batch.rels)
    timed, warm = sample_inputs(batch, 1, max(runs, 10))
    with tempfile.TemporaryDirectory(prefix="kommunetz-scale-") as tmp:
        store: Any
        if kind == "embedded":
            store = EmbeddedStore(Path(tmp) / "scale.sqlite")
        else:
            assert uri is not None
            store = Neo4jStore.connect(uri, "neo4j", PASSWORD)
            # a fresh JVM compiles every statement on first use: a tiny network first
            store.write(synthetic_batch(2, scale=0.01))
            network_metrics(store)
            for ask in questions(sample_inputs(synthetic_batch(2, scale=0.01), 1, 4)[1]).values():
                ask(store, 0)
            store.clear()
        t0 = time.perf_counter()
        store.write(batch)
        load = time.perf_counter() - t0
        t0 = time.perf_counter()
        network_metrics(store)
        metrics = time.perf_counter() - t0
        res = time_questions(store, questions(timed), questions(warm), runs)
        out: dict[str, Any] = {
            "kind": kind,
            "scale": scale,
            "nodes": len(batch.nodes),
            "rels": len(batch.rels),
            "rows": rows,
            "load": load,
            "metrics": metrics,
            "q15": max(p95 for name, (_, _, p95) in res.items() if name[0] in "12345"),
            "q15_name": max((p95, name) for name, (_, _, p95) in res.items() if name[0] in "12345")[
                1
            ],
            "q6": next(p95 for name, (_, _, p95) in res.items() if name.startswith("6")),
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
        if kind == "neo4j":
            out |= neo4j_memory(store)
            store.clear()
        store.close()
    return out


_JMX = "CALL dbms.queryJmx($name) YIELD attributes RETURN attributes[$attr].value.properties AS m"


def neo4j_memory(store: Any) -> dict[str, float]:
    def jmx(name: str, attr: str) -> dict[str, int]:
        return dict(store.session.read(_JMX, name=name, attr=attr)[0]["m"])

    heap = jmx("java.lang:type=Memory", "HeapMemoryUsage")
    old = jmx("java.lang:type=MemoryPool,name=G1 Old Gen", "PeakUsage")
    return {"heap_used_mb": heap["used"] / 2**20, "old_gen_peak_mb": old["used"] / 2**20}


def vm_hwm_mb(pid: int) -> float | None:
    """Peak RSS of a process (Linux), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def child(kind: str, scale: float, runs: int, uri: str | None) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--one", kind, str(scale), "--runs", str(runs)]
    if uri:
        cmd += ["--uri", uri]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} × {scale:g} failed:\n{proc.stderr[-3000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def exponent(a: dict[str, Any], b: dict[str, Any], key: str) -> str:
    if a[key] <= 0 or b[key] <= 0:
        return "–"
    return f"{math.log(b[key] / a[key]) / math.log(b['rows'] / a['rows']):.2f}"


def report(results: dict[str, list[dict[str, Any]]]) -> None:
    """The table per store and the growth exponents between neighbouring sizes."""
    for kind, rows in results.items():
        if not rows:
            continue
        print(f"\n{'eingebettet' if kind == 'embedded' else 'Neo4j'} (Zeit in s, p95 in ms, MB)")
        head = (
            f"{'×':>5} {'Knoten':>8} {'Bez.':>8} {'Laden':>7} {'F1–5 p95':>9} {'F6 p95':>7} "
            f"{'Kennz.':>7} {'RSS Py':>7}"
        )
        if kind == "neo4j":
            head += f" {'RSS JVM':>8} {'Heap':>6} {'OldGen↑':>8}"
        print(head)
        for r in rows:
            line = (
                f"{r['scale']:>5g} {r['nodes']:>8,} {r['rels']:>8,} {r['load']:>7.1f} "
                f"{r['q15']:>9.1f} {r['q6']:>7.1f} {r['metrics']:>7.1f} {r['rss_mb']:>7.0f}"
            )
            if kind == "neo4j":
                line += (
                    f" {r.get('server_rss_mb') or 0:>8.0f} {r['heap_used_mb']:>6.0f}"
                    f" {r['old_gen_peak_mb']:>8.0f}"
                )
            print(line + f"   (langsamste Frage 1–5: {r['q15_name']})")
        print("Wachstumsexponent k (Kosten ∝ Zeilen^k; 1 = linear) zwischen benachbarten Größen:")
        for a, b in pairwise(rows):
            ks = ", ".join(
                f"{name} {exponent(a, b, key)}"
                for name, key in (
                    ("Laden", "load"),
                    ("F1–5", "q15"),
                    ("F6", "q6"),
                    ("Kennzahlen", "metrics"),
                    ("RSS", "rss_mb"),
                )
            )
            print(f"  × {a['scale']:g} → {b['scale']:g}: {ks}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--scales", type=float, nargs="+", default=[0.25, 0.5, 1, 2, 4])
    ap.add_argument("--runs", type=int, default=20, help="timed calls per question")
    ap.add_argument("--skip-neo4j", action="store_true")
    ap.add_argument("--one", nargs=2, metavar=("STORE", "SCALE"), help=argparse.SUPPRESS)
    ap.add_argument("--uri", help=argparse.SUPPRESS)
    ap.add_argument(
        "--report", type=Path, help="only print the tables of an earlier run's output file"
    )
    args = ap.parse_args(argv)
    if args.report:
        saved: dict[str, list[dict[str, Any]]] = {"embedded": [], "neo4j": []}
        for line in args.report.read_text(encoding="utf-8").splitlines():
            if ": {" in line:
                r = json.loads(line.split(": ", 1)[1])
                saved[r["kind"]].append(r)
        report(saved)
        return 0
    if args.one:
        print(json.dumps(run_one(args.one[0], float(args.one[1]), args.runs, args.uri)))
        return 0

    results: dict[str, list[dict[str, Any]]] = {"embedded": [], "neo4j": []}
    for scale in args.scales:
        r = child("embedded", scale, args.runs, None)
        results["embedded"].append(r)
        print(f"eingebettet × {scale:g}: {json.dumps(r)}", flush=True)
        if args.skip_neo4j:
            continue
        from tests.neo4j_server import server as neo4j_server

        os.environ.setdefault("KOMMUNETZ_NEO4J_HEAP", HEAP)
        with tempfile.TemporaryDirectory(prefix="kommunetz-scale-neo4j-") as tmp:
            srv = neo4j_server.start(Path(tmp), password=PASSWORD)
            try:
                r = child("neo4j", scale, args.runs, srv.uri)
                r["server_rss_mb"] = vm_hwm_mb(srv.process.pid)
            finally:
                srv.stop()
        results["neo4j"].append(r)
        print(f"Neo4j × {scale:g}: {json.dumps(r)}", flush=True)

    report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
