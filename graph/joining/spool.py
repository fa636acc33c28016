"""Private, durable files: what the outboxes (waiting registrations, waiting proposals,
the mail queue) write. A folder ``0700``, files ``0600`` (they hold personal data),
written under a temporary name, synced and renamed, so a crash leaves the whole file or
none.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from graph.core.errors import KommunetzError


class OutboxError(KommunetzError):
    """An outbox folder cannot be created or written: nothing could be kept."""


def ensure_private_dir(directory: Path) -> None:
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(directory, 0o700)
    except OSError as exc:
        raise OutboxError(
            f"Der Zwischenspeicher {directory} kann nicht angelegt werden: "
            f"{exc.strerror}. Prüfen Sie KOMMUNETZ_OUTBOX und die Schreibrechte."
        ) from exc


def write_private(directory: Path, name: str, data: bytes) -> Path:
    """Write ``data`` to ``directory/name`` durably (written, synced, renamed, the folder
    synced) and readable by its owner only; raises `OutboxError`."""
    ensure_private_dir(directory)
    final = directory / name
    tmp = directory / f".{name}.{os.getpid()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, final)
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)  # the rename itself survives a power cut
        finally:
            os.close(dir_fd)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise OutboxError(
            f"Die Angaben können nicht zwischengespeichert werden ({final}): {exc.strerror}."
        ) from exc
    return final
