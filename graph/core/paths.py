"""Where kommunetz keeps its files without further settings: the user's data directory
(``$XDG_DATA_HOME/kommunetz``, by default ``~/.local/share/kommunetz``). Read by the store
opener (the embedded database) and the outbox; neither needs the other for it."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """The user's kommunetz data directory (not created here)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kommunetz"


def default_db_path() -> Path:
    """Where the embedded store lives without KOMMUNETZ_DB."""
    return data_dir() / "kommunetz.sqlite"
