"""The Streamlit settings the app relies on (`.streamlit/config.toml`): privacy, its own
navigation, and what each script run costs at Germany scale."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

CONFIG = Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml"


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))


def test_no_usage_statistics_and_no_lookup_of_the_external_address(
    config: dict[str, Any],
) -> None:
    # Datenschutz: Streamlit would otherwise send usage statistics and ask a third-party
    # host for the machine's external address at start-up
    assert config["browser"]["gatherUsageStats"] is False
    assert config["browser"]["serverAddress"]


def test_the_app_draws_its_own_navigation(config: dict[str, Any]) -> None:
    assert config["client"]["showSidebarNavigation"] is False


def test_no_full_garbage_collection_after_every_run(config: dict[str, Any]) -> None:
    # with the Germany-scale graph in memory Streamlit's default collection after each
    # run took 0.5–1 s of every new session, filter change and click (docs/performance.md)
    assert config["runner"]["postScriptGC"] is False


def test_no_file_watcher_walking_the_modules_after_every_run(config: dict[str, Any]) -> None:
    assert config["server"]["fileWatcherType"] == "none"
    assert config["server"]["runOnSave"] is False
