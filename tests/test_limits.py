"""The form's limits per client and per contact address (issue 15, item 2): across
sessions, threads and processes, persistent, without addresses in clear."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from graph.joining.limits import DAY, HOUR, Limit, SubmissionLimits


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_per_client_and_per_contact(tmp_path: Path) -> None:
    clock = Clock()
    limits = SubmissionLimits(
        tmp_path / "l.json", client=Limit(3, HOUR), contact=Limit(2, DAY), clock=clock
    )
    assert [limits.admit("192.0.2.1", f"a{i}@x.de") for i in range(3)] == [0, 0, 0]
    assert limits.admit("192.0.2.1", "neu@x.de") == HOUR  # the client is at its limit
    assert limits.admit("192.0.2.2", "neu@x.de") == 0  # another client is not
    assert limits.admit("192.0.2.3", "NEU@x.de ") == 0
    wait = limits.admit("192.0.2.4", "neu@x.de")  # the contact is, from any client
    assert wait == DAY
    clock.now += HOUR
    assert limits.admit("192.0.2.1", "b@x.de") == 0  # the hour has passed for the client
    assert limits.admit("192.0.2.5", "neu@x.de") > 0  # not the day for the contact
    clock.now += DAY
    assert limits.admit("192.0.2.5", "neu@x.de") == 0


def test_a_refused_attempt_is_not_counted(tmp_path: Path) -> None:
    clock = Clock()
    limits = SubmissionLimits(
        tmp_path / "l.json", client=Limit(1, HOUR), contact=Limit(5, DAY), clock=clock
    )
    assert limits.admit("c", "a@x.de") == 0
    for _ in range(5):
        assert limits.admit("c", "a@x.de") > 0
    assert limits.admit("d", "a@x.de") == 0  # the contact has 2 of 5, not 7


def test_it_persists_and_holds_no_address_in_clear(tmp_path: Path) -> None:
    path = tmp_path / "l.json"
    SubmissionLimits(path, client=Limit(1, HOUR)).admit("198.51.100.7", "erika@dorf.example")
    assert SubmissionLimits(path, client=Limit(1, HOUR)).admit("198.51.100.7", "x@y.de") > 0
    text = path.read_text(encoding="utf-8")
    assert "198.51.100.7" not in text and "erika" not in text
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_damaged_file_starts_afresh(tmp_path: Path) -> None:
    path = tmp_path / "l.json"
    path.write_text("{kaputt", encoding="utf-8")
    assert SubmissionLimits(path).admit("c", "a@x.de") == 0


def test_threads_share_one_count(tmp_path: Path) -> None:
    limits = SubmissionLimits(tmp_path / "l.json", client=Limit(4, HOUR))
    with ThreadPoolExecutor(16) as pool:
        waits = list(pool.map(lambda i: limits.admit("c", f"p{i}@x.de"), range(40)))
    assert sum(1 for w in waits if w == 0) == 4


def _admit(args: tuple[str, int]) -> float:
    path, i = args
    return SubmissionLimits(Path(path), client=Limit(3, HOUR)).admit("c", f"p{i}@x.de")


def test_processes_share_one_count(tmp_path: Path) -> None:
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        waits = pool.map(_admit, [(str(tmp_path / "l.json"), i) for i in range(12)])
    assert sum(1 for w in waits if w == 0) == 3
