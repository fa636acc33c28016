"""Loading as one library call: `load(store, paths)` reads each path with the loader for
its kind (`loaders.detect`) and writes it to the store, one all-or-nothing write per path.
`kommunetz load` (and so `make run`, through ``kommunetz load --if-empty``) is this call
plus printing what it reports.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from graph.core.store import GraphStore, WriteSummary
from loaders.detect import read_any

#: The curated data of the repository, loaded when no path is given.
DATA_DIR = Path(__file__).resolve().parents[1] / "data"

#: ``progress(file name, rows done, rows in all)`` while a large file is read.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class FileLoaded:
    """One path, read and written: what it held, what changed, how long it took."""

    path: Path
    nodes: int
    relationships: int
    notices: tuple[str, ...]
    summary: WriteSummary
    read_seconds: float
    write_seconds: float

    @property
    def seconds(self) -> float:
        return self.read_seconds + self.write_seconds


@dataclass
class LoadReport:
    """What `load` did: the files in order, or ``skipped`` when ``if_empty`` found data."""

    files: list[FileLoaded] = field(default_factory=list)
    skipped: bool = False

    @property
    def changed(self) -> bool:
        return any(f.summary.changed for f in self.files)


def load(
    store: GraphStore,
    paths: Sequence[str | Path] = (),
    *,
    population_date: str | None = None,
    if_empty: bool = False,
    progress: Progress | None = None,
    on_file: Callable[[FileLoaded], None] | None = None,
) -> LoadReport:
    """Load ``paths`` (default: the curated data, `DATA_DIR`) into ``store``, each path as
    one all-or-nothing write, in order; with ``if_empty`` only into an empty store.

    ``population_date`` is the reference date of a GV100AD file's population figures;
    ``on_file`` hears about each path as soon as it is written. Raises `ValidationFailed`
    (that file wrote nothing; the earlier ones stay written) or `StoreUnavailable`."""
    report = LoadReport()
    if if_empty and not store.is_empty():
        report.skipped = True
        return report
    for raw in paths or [DATA_DIR]:
        path = Path(raw)
        t0 = time.perf_counter()

        def file_progress(done: int, total: int, name: str = path.name) -> None:
            if progress is not None:
                progress(name, done, total)

        batch = read_any(path, population_date=population_date, progress=file_progress)
        t1 = time.perf_counter()
        summary = store.write(batch)
        loaded = FileLoaded(
            path,
            len(batch.nodes),
            len(batch.rels),
            tuple(batch.notices),
            summary,
            t1 - t0,
            time.perf_counter() - t1,
        )
        report.files.append(loaded)
        if on_file is not None:
            on_file(loaded)
    return report
