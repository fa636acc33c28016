"""Many users at once (issue 15, item 6), in the test run so that the figures are in the
CI log: `bench/many_users.py` on both stores — 20 concurrent browser sessions for a
bounded time, 10 of them registering; on Neo4j the server is stopped in the middle and
started again. The script checks every page, every registration (in the store exactly
once, nothing left in the outbox) and prints sessions, pages, registrations and p50/p95."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM
from tests.conftest import REQUIRE_NEO4J
from tests.neo4j_server import server as neo4j_server

REPO = Path(__file__).resolve().parents[2]
#: Seconds of browsing per store: long enough for every session to see every page a few
#: times, short enough for the whole CI run to stay well under 15 minutes.
DURATION = os.environ.get("KOMMUNETZ_LOAD_SECONDS", "45")

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    "argv", [["--store", "embedded"], ["--store", "neo4j", "--outage"]], ids=["embedded", "neo4j"]
)
def test_many_users(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} fehlt (Debian-Paket chromium; `make browser` installiert es)")
    if "neo4j" in argv:
        try:
            neo4j_server.build()
        except neo4j_server.Unavailable as exc:
            if REQUIRE_NEO4J:
                pytest.fail(f"KOMMUNETZ_REQUIRE_NEO4J=1 but the Neo4j test server failed: {exc}")
            pytest.skip(f"NEO4J TESTS SKIPPED: {exc}")
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "many_users.py"), *argv, "--duration", DURATION],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    with capsys.disabled():  # the figures, in the CI log
        print("\n" + proc.stdout.rstrip())
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
