"""Shared fixtures: reference data from ../shared, and a fresh store per test on SQLite
and on a real Neo4j server that the test session starts and stops itself."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.core.store import GraphStore
from graph.stores.neo4j.store import Neo4jStore
from graph.stores.sqlite.store import EmbeddedStore
from tests.neo4j_server import server as neo4j_server_mod

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KOMMUNETZ_SHARED", REPO.parent / "shared")).resolve()
REFERENCE_DIR = SHARED / "data" / "municipalities"
REQUIRE_NEO4J = os.environ.get("KOMMUNETZ_REQUIRE_NEO4J") == "1"
STORE_KINDS = ["embedded", "neo4j"]
#: Upper bound (s) for one run of the app in Streamlit's AppTest. A test waits for the run
#: to end, not for a fixed time; the bound is generous so that a busy machine (a full
#: `make test` beside other jobs) gives the same result as a quiet one.
APP_TIMEOUT = 240


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The Destatis reference files in ../shared (not part of a user's clone)."""
    if not REFERENCE_DIR.is_dir():
        pytest.skip(
            f"reference data not found at {REFERENCE_DIR} (only in the development checkout; "
            "set KOMMUNETZ_SHARED to use another copy)"
        )
    return REFERENCE_DIR


@pytest.fixture(scope="session")
def reference_research() -> Path:
    """The research dossier in ../shared (not part of a user's clone)."""
    path = SHARED / "research" / "modellkommunen.yaml"
    if not path.is_file():
        pytest.skip(f"research dossier not found at {path} (only in the development checkout)")
    return path


@pytest.fixture(scope="session")
def neo4j_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[neo4j_server_mod.Server]:
    """A Neo4j 5.26 Community server for this test session, on a free local port."""
    try:
        server = neo4j_server_mod.start(tmp_path_factory.mktemp("neo4j"))
    except neo4j_server_mod.Unavailable as exc:
        if REQUIRE_NEO4J:
            pytest.fail(f"KOMMUNETZ_REQUIRE_NEO4J=1 but the Neo4j test server failed: {exc}")
        pytest.skip(f"NEO4J TESTS SKIPPED: {exc}")
    yield server
    server.stop()


def open_test_store(request: pytest.FixtureRequest, kind: str, tmp_path: Path) -> GraphStore:
    """A fresh, empty store of ``kind`` for one test."""
    if kind == "embedded":
        return EmbeddedStore(tmp_path / "kommunetz.sqlite")
    server = request.getfixturevalue("neo4j_server")
    store = Neo4jStore.connect(server.uri, server.user, server.password)
    store.clear()
    return store


def point_env_at(
    request: pytest.FixtureRequest, kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Set the environment so that the CLI or the app opens the store ``open_test_store``
    gave this test, as on a user's machine: KOMMUNETZ_DB, or the NEO4J_* settings."""
    for var in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("KOMMUNETZ_DB", str(tmp_path / "kommunetz.sqlite"))
    if kind == "neo4j":
        server = request.getfixturevalue("neo4j_server")
        monkeypatch.setenv("NEO4J_URI", server.uri)
        monkeypatch.setenv("NEO4J_USERNAME", server.user)
        monkeypatch.setenv("NEO4J_PASSWORD", server.password)


@pytest.fixture(params=STORE_KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """Every contract test runs once per store; both must give the same answers."""
    s = open_test_store(request, request.param, tmp_path)
    yield s
    s.close()


@pytest.fixture
def tmp_db(tmp_path: Path) -> Path:
    return tmp_path / "kommunetz.sqlite"


@pytest.fixture
def cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    """The CLI on a fresh embedded store with the curated data loaded (outbox beside it);
    returns the folder."""
    from kommunetz.cli import main

    for var in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("KOMMUNETZ_DB", str(tmp_path / "cli.sqlite"))
    monkeypatch.setenv("KOMMUNETZ_OUTBOX", str(tmp_path / "outbox"))
    assert main(["load"]) == 0
    capsys.readouterr()
    return tmp_path


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print how many tests ran against the real Neo4j server (CI must show them)."""
    counts = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        counts[outcome] = sum(
            1
            for rep in terminalreporter.stats.get(outcome, [])
            if "neo4j" in getattr(rep, "nodeid", "")
        )
    terminalreporter.write_line(
        "Neo4j tests (real server): " + ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With KOMMUNETZ_NO_SKIPS=1 (set by .ci/run) a skipped test fails the run: CI must
    run the Neo4j, browser and reference-data tests, not pass around them."""
    if os.environ.get("KOMMUNETZ_NO_SKIPS") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if reporter and skipped:
        reporter.write_line(
            f"KOMMUNETZ_NO_SKIPS=1: {len(skipped)} test(s) were skipped; CI treats that as failure",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _app_like_a_running_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run AppTest's pages inside app.py's navigation, as a running server does.

    A server leaves Streamlit's old pages/-folder mode on its first run, once per process
    (`kommunetz.ui.leave_legacy_page_mode`, guarded by the first-visit browser tests), and
    stays out of it. AppTest instead switches that mode back on before every run, so a
    page would run alone, without app.py's navigation and footer — a state no visitor
    ever sees. After Streamlit has decided the mode, this puts it where a server has it."""
    from streamlit.runtime.pages_manager import PagesManager

    decide = PagesManager.__init__

    def like_a_server(self: PagesManager, *args: object, **kwargs: object) -> None:
        decide(self, *args, **kwargs)  # type: ignore[arg-type]
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", like_a_server)
