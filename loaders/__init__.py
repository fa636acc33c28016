"""Loaders turn a source into validated records (`graph.core.records.Batch`), one module
per source kind: `curated` (the YAML files in ``data/``), `destatis` (the official
municipality directory), `csv_table` (projects and cooperations from a spreadsheet),
`synthetic` (a seeded Germany-scale network for tests and benchmarks). They know file
formats, not databases. `load` reads paths and writes them to a store in one call."""

from loaders.loading import FileLoaded, LoadReport, load

__all__ = ["FileLoaded", "LoadReport", "load"]
