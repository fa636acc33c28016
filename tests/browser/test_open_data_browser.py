"""The "Offene Daten" page in real headless Chromium: a user sees the files with their
metadata, downloads one and gets exactly the bytes the table's checksum names — and the
browser talks to no other host."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import TIMEOUT, Requests, built

pytestmark = pytest.mark.browser


def test_download_a_file_and_check_its_checksum(
    page: tuple[Any, Requests], app_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tab, requests = page
    tab.goto(f"{app_url}/daten")
    built(tab)
    tab.get_by_role("heading", name="Offene Daten", exact=True).wait_for(timeout=TIMEOUT)
    tab.wait_for_function("() => document.documentElement.lang === 'de'", timeout=TIMEOUT)
    tables = tab.locator("table")
    tables.first.wait_for(timeout=TIMEOUT)
    head = [h.strip() for h in tables.nth(0).locator("thead th").all_inner_texts() if h.strip()]
    assert head == ["Datei", "Inhalt", "Format", "Größe"]
    item = tab.locator("li", has_text="kommunetz-kommunen.geojson:")
    listed_sha = item.locator("code").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", listed_sha)
    assert item.locator("code").is_visible()

    button = tab.get_by_role("button", name="kommunetz-kommunen.geojson herunterladen")
    with tab.expect_download(timeout=TIMEOUT) as info:
        button.click()
    download = info.value
    assert download.suggested_filename == "kommunetz-kommunen.geojson"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    assert hashlib.sha256(target.read_bytes()).hexdigest() == listed_sha

    tab.get_by_role("button", name="catalog.ttl herunterladen").wait_for(timeout=TIMEOUT)
    tab.screenshot(path=str(tmp_path / "offene-daten.png"), full_page=True)
    with capsys.disabled():  # shown in the CI log
        print(f"\nRequests to non-local hosts on the Offene Daten page: {len(requests.non_local)}")
    assert requests.non_local == [], requests.non_local
