"""The outbox: submissions that could not reach the store wait here, one file each, until
`graph.joining.service.deliver` hands them over.

The files hold personal data, so the folder is created ``0700`` and every file ``0600``;
a file is written under a temporary name, synced and renamed into place, so that a crash
leaves either the whole submission or none. Delivery removes the file only after the store
has confirmed the registration; because stores accept a submission's id only once, two
processes delivering the same file at the same time still create one registration.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from graph.core.paths import data_dir
from graph.joining.form import Submission, parse_reference
from graph.joining.spool import OutboxError, write_private

__all__ = ["Outbox", "OutboxError", "Waiting", "default_outbox_dir"]

SUFFIX = ".json"


def default_outbox_dir() -> Path:
    """Beside the default embedded database, in the user's data directory."""
    return data_dir() / "outbox"


@dataclass(frozen=True)
class Waiting:
    """One file in the outbox: its submission, or why it cannot be read."""

    path: Path
    submission: Submission | None
    problem: str | None = None

    @property
    def reference(self) -> str:
        return self.submission.reference if self.submission else self.path.stem.upper()


class Outbox:
    """A folder of waiting submissions, one ``<id>.json`` file each."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def put(self, sub: Submission) -> Path:
        """Keep ``sub`` (durably: written, synced, renamed) and return its file."""
        return write_private(
            self.directory, f"{sub.id}{SUFFIX}", sub.model_dump_json(indent=1).encode("utf-8")
        )

    @contextlib.contextmanager
    def delivering(self) -> Iterator[bool]:
        """Whether the caller may hand the waiting submissions over now (True) or another
        session or process is doing so already (False): one delivery at a time, by an
        exclusive lock on a file beside their folder. After an outage every visitor of
        the Mitmachen page would otherwise deliver the same submissions at once — on
        Neo4j each waiting on the others' uniqueness locks, pages for minutes (the
        many-users outage run). Where the lock file cannot be made, delivery goes on as
        without it (the submissions' ids keep a second delivery harmless)."""
        path = self.directory.with_name(f"{self.directory.name}.delivering.lock")  # beside it
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            lock = open(path, "a")  # noqa: SIM115
        except OSError:
            yield True
            return
        with lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _files(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(p for p in self.directory.glob(f"r-*{SUFFIX}") if p.is_file())

    def __len__(self) -> int:
        return len(self._files())

    def __iter__(self) -> Iterator[Waiting]:
        """The waiting submissions, oldest reference first; unreadable files with a reason
        (they stay for the coordinator to look at, nothing is dropped silently)."""
        for path in self._files():
            try:
                sub = Submission.model_validate(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, ValidationError) as exc:
                yield Waiting(path, None, f"nicht lesbar ({type(exc).__name__})")
                continue
            yield Waiting(path, sub)

    def remove(self, reg_id: str) -> bool:
        """Delete the file of ``reg_id`` (after delivery, or on a request to erase)."""
        try:
            (self.directory / f"{parse_reference(reg_id)}{SUFFIX}").unlink()
        except FileNotFoundError:
            return False
        return True
