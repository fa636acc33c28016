"""Pick the loader for a path by what it is: a folder or ``.yaml`` of curated facts, a
Destatis directory file (``.xlsx``, GV100AD ``.txt``/``.zip``), or a ``.csv`` table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from graph.core.errors import Problem, ValidationFailed
from graph.core.records import Batch

Progress = Callable[[int, int], None]


def read_any(
    path: str | Path, *, population_date: str | None = None, progress: Progress | None = None
) -> Batch:
    """The batch of records in ``path``. Raises `ValidationFailed` (nothing partial)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if p.is_dir() or suffix in (".yaml", ".yml"):
        from loaders.curated import read_curated

        return read_curated(p)
    if suffix == ".csv":
        from loaders.csv_table import read_csv

        return read_csv(p)
    if suffix in (".xlsx", ".txt", ".zip"):
        from loaders.destatis import read_directory

        return read_directory(p, population_date=population_date, progress=progress)
    if not p.exists():
        raise ValidationFailed([Problem(str(p), None, None, "Datei nicht gefunden")])
    raise ValidationFailed(
        [
            Problem(
                str(p),
                None,
                None,
                "unbekanntes Format: erwartet wird ein Ordner oder eine .yaml-, .csv-, .xlsx- "
                "(Destatis AuszugGV) oder .txt-Datei (Destatis GV100AD)",
            )
        ]
    )
