"""How often the public form may be sent: per client address and per contact address,
across browser sessions and server restarts (docs/registrations.md, "Grenzen").

A limit per browser session is no limit: a reload is a new session. So every accepted
submission is counted under the client's address and under the contact's e-mail address,
in a small file beside the outbox that all sessions and processes of the app share
(``fcntl`` lock, written whole under a temporary name). It holds no address in clear:
each key is an HMAC-SHA-256 under a random secret kept in the same file, and entries
older than their window are dropped on every write, so it holds at most a day of
timestamps. The CLI (the coordinator's tool) has no limit.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from graph.core.errors import KommunetzError

HOUR: Final[float] = 3600.0
DAY: Final[float] = 24 * HOUR


@dataclass(frozen=True)
class Limit:
    """At most ``count`` submissions per ``window`` seconds for one key of a kind."""

    count: int
    window: float


#: Defaults: a person who corrects a mistake gets through; a script does not. A network
#: of municipalities behind one proxy address may need more per client
#: (``KOMMUNETZ_SUBMISSIONS_PER_CLIENT``).
CLIENT_LIMIT: Final[Limit] = Limit(5, HOUR)
CONTACT_LIMIT: Final[Limit] = Limit(3, DAY)


class LimitsUnavailable(KommunetzError):
    """The limits file cannot be read or written (the form then takes nothing)."""


class SubmissionLimits:
    """The shared count of accepted submissions by client and by contact address."""

    def __init__(
        self,
        path: Path,
        *,
        client: Limit = CLIENT_LIMIT,
        contact: Limit = CONTACT_LIMIT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path)
        self.limits = {"client": client, "contact": contact}
        self._clock = clock
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, Any]]:
        """The file's content, under an exclusive lock; written back when the block ends."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with (
                self._lock,
                open(self.path.with_name(self.path.name + ".lock"), "a") as lock,
            ):
                fcntl.flock(lock, fcntl.LOCK_EX)
                data = self._read()
                yield data
                self._write(data)
        except OSError as exc:
            raise LimitsUnavailable(
                f"Die Zählung der Registrierungen ({self.path}) ist nicht verfügbar: "
                f"{exc.strerror or exc}"
            ) from exc

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = {}
        except (ValueError, UnicodeDecodeError):
            data = {}  # a damaged file starts afresh: it only ever holds recent counts
        if not isinstance(data, dict) or not isinstance(data.get("secret"), str):
            data = {"secret": secrets.token_hex(32), "events": {}}
        if not isinstance(data.get("events"), dict):
            data["events"] = {}
        return data

    def _write(self, data: dict[str, Any]) -> None:
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @staticmethod
    def _key(data: dict[str, Any], kind: str, value: str) -> str:
        secret = bytes.fromhex(data["secret"])
        return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()

    def admit(self, client: str, contact: str) -> float:
        """Count one submission from ``client`` for ``contact`` and return 0 — or, when
        either has reached its limit, count nothing and return the seconds to wait."""
        now = self._clock()
        with self._locked() as data:
            events: dict[str, list[float]] = data["events"]
            longest = max(limit.window for limit in self.limits.values())
            for key in list(events):  # forget what no window looks at any more
                events[key] = [t for t in events[key] if now - t < longest]
                if not events[key]:
                    del events[key]
            keys = {
                kind: self._key(data, kind, value.strip().casefold())
                for kind, value in (("client", client), ("contact", contact))
            }
            wait = 0.0
            for kind, key in keys.items():
                limit = self.limits[kind]
                recent = sorted(t for t in events.get(key, ()) if now - t < limit.window)
                if len(recent) >= limit.count:
                    wait = max(wait, recent[-limit.count] + limit.window - now)
            if wait > 0:
                return wait
            for key in keys.values():
                events.setdefault(key, []).append(now)
            return 0.0
