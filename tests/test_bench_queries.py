"""`bench/queries.py` runs end to end and prints its figures (on a small network; the
figures themselves are for a person on a quiet machine, not for a test)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from tests.neo4j_server.server import Server

BENCH = Path(__file__).resolve().parents[1] / "bench" / "queries.py"


def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_queries", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_on_the_embedded_store(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEO4J_URI", raising=False)
    assert bench().main(["--scale", "0.01", "--runs", "3", "--skip-neo4j"]) == 0
    out = capsys.readouterr().out
    assert "Laden eingebettet:" in out
    assert "1 Thema (topic)" in out and "p95" in out
    assert "embedded:" in out and "Betweenness exakt" in out


@pytest.mark.neo4j
def test_bench_on_neo4j(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, neo4j_server: Server
) -> None:
    monkeypatch.setenv("NEO4J_URI", neo4j_server.uri)
    monkeypatch.setenv("NEO4J_USERNAME", neo4j_server.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password)
    args = ["--scale", "0.01", "--runs", "3"]
    assert bench().main(args) == 0
    assert "--wipe-configured-neo4j" in capsys.readouterr().out  # never wipes unasked
    assert bench().main([*args, "--wipe-configured-neo4j"]) == 0
    out = capsys.readouterr().out
    assert "Laden Neo4j:" in out
    assert "ein MERGE je Zeile" in out
    assert "Verhältnis p95 Neo4j / eingebettet:" in out
