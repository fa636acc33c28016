"""Curated-load benchmark on the embedded store: `kommunetz load` of ``data/`` (the pilot,
its network and the programmes of ``data/programme/``) into a fresh store, and again
unchanged; parse and write separately, median of five runs. Target: under 2 s.

    .venv/bin/python bench/curated_load.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from graph.stores.sqlite.store import EmbeddedStore  # noqa: E402
from loaders.loading import DATA_DIR, load  # noqa: E402

RUNS = 5
TARGET_S = 2.0


def main() -> int:
    fresh: list[float] = []
    again: list[float] = []
    parse: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(RUNS):
            store = EmbeddedStore(Path(tmp) / f"bench{i}.sqlite")
            for times in (fresh, again):
                t0 = time.perf_counter()
                report = load(store, [DATA_DIR])
                times.append(time.perf_counter() - t0)
                if times is fresh:
                    parse.append(report.files[0].read_seconds)
            store.close()
    files = report.files[0]
    print(f"curated data: {files.nodes:,} nodes, {files.relationships:,} relationships")
    print(
        f"fresh store: median {statistics.median(fresh):.2f} s "
        f"(parse {statistics.median(parse):.2f} s), max {max(fresh):.2f} s"
    )
    print(f"unchanged reload: median {statistics.median(again):.2f} s, max {max(again):.2f} s")
    worst = max(fresh + again)
    print(
        f"target < {TARGET_S:.0f} s: {'OK' if worst < TARGET_S else 'SLOW'} (worst {worst:.2f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
