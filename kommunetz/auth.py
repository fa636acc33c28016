"""The coordinator's login for the Verwaltung page, and the attempt limits that guard it
and the public form.

The password is never stored: the settings hold a salted scrypt hash
(``KOMMUNETZ_ADMIN_PASSWORD_HASH``, made by ``kommunetz registrations hash-password``).
Checking compares in constant time and costs the same whether or not the user name is
right, so timing tells an attacker nothing; after `MAX_FAILURES` failed attempts within
`LOCKOUT` seconds the login is locked, whatever is typed, until the first of them is that
old.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from graph.core.errors import InvalidInput, KommunetzError

# scrypt cost: ~50–100 ms and 32 MiB per check — cheap for one coordinator, expensive for
# anyone trying passwords offline against a leaked hash.
SCRYPT_N: Final[int] = 2**15
SCRYPT_R: Final[int] = 8
SCRYPT_P: Final[int] = 1
_MAXMEM = 64 * 1024 * 1024
PREFIX: Final[str] = "scrypt"

MAX_FAILURES: Final[int] = 5
LOCKOUT: Final[float] = 15 * 60
#: A coordinator session ends after this long without a click.
IDLE_TIMEOUT: Final[float] = 30 * 60
MIN_PASSWORD: Final[int] = 12


class AuthNotConfigured(KommunetzError):
    """No coordinator account is configured (or its hash is malformed)."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM)


def hash_password(password: str) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64) for the settings; refuses short passwords
    (`InvalidInput`: the CLI's exit code 2)."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"Das Passwort muss mindestens {MIN_PASSWORD} Zeichen lang sein.")
    salt = os.urandom(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return "$".join([PREFIX, str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(digest)])


@dataclass(frozen=True)
class PasswordHash:
    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes

    @classmethod
    def parse(cls, text: str) -> PasswordHash:
        try:
            prefix, n, r, p, salt, digest = text.strip().split("$")
            if prefix != PREFIX:
                raise ValueError(prefix)
            return cls(int(n), int(r), int(p), base64.b64decode(salt), base64.b64decode(digest))
        except ValueError as exc:
            raise AuthNotConfigured(
                "KOMMUNETZ_ADMIN_PASSWORD_HASH ist kein gültiger Passwort-Hash. Erzeugen Sie "
                "ihn mit: kommunetz registrations hash-password"
            ) from exc

    def matches(self, password: str) -> bool:
        candidate = _scrypt(password, self.salt, self.n, self.r, self.p)
        return hmac.compare_digest(candidate, self.digest)


#: Checked against when the user name is wrong, so that a wrong name costs the same time.
_DUMMY = PasswordHash(SCRYPT_N, SCRYPT_R, SCRYPT_P, b"\0" * 16, b"\0" * 64)


@dataclass(frozen=True)
class Credentials:
    """The coordinator's user name and password hash, as configured."""

    user: str
    password_hash: PasswordHash

    @classmethod
    def from_settings(cls, lookup: Callable[[str], str | None]) -> Credentials:
        """From ``KOMMUNETZ_ADMIN_USER`` / ``KOMMUNETZ_ADMIN_PASSWORD_HASH`` via ``lookup``
        (environment or Streamlit secrets). Raises `AuthNotConfigured` with what to do."""
        user = (lookup("KOMMUNETZ_ADMIN_USER") or "").strip()
        hashed = (lookup("KOMMUNETZ_ADMIN_PASSWORD_HASH") or "").strip()
        if not user or not hashed:
            raise AuthNotConfigured(
                "Die Verwaltung ist noch nicht eingerichtet: Setzen Sie KOMMUNETZ_ADMIN_USER "
                "und KOMMUNETZ_ADMIN_PASSWORD_HASH (in der Umgebung oder in "
                ".streamlit/secrets.toml). Den Hash erzeugt: kommunetz registrations "
                "hash-password"
            )
        return cls(user, PasswordHash.parse(hashed))

    def check(self, user: str, password: str) -> bool:
        """True if both match; the same work either way, compared in constant time."""
        user_ok = hmac.compare_digest(
            user.strip().casefold().encode(), self.user.casefold().encode()
        )
        password_ok = (self.password_hash if user_ok else _DUMMY).matches(password)
        return user_ok and password_ok


class AttemptLimiter:
    """At most ``limit`` events per sliding ``window`` of seconds for each key; a key with
    that many is blocked until the oldest of them leaves the window. Thread-safe; one
    instance serves all sessions of an app process (failed logins, so that a new browser
    session does not reset the count) or one session (submissions of the form)."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window = limit, window
        self._clock = clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        events = self._events.setdefault(key, deque())
        while events and now - events[0] >= self.window:
            events.popleft()
        return events

    def wait(self, key: str) -> float:
        """Seconds until ``key`` may try again; 0 if it may now."""
        with self._lock:
            now = self._clock()
            events = self._recent(key, now)
            if len(events) < self.limit:
                return 0.0
            return events[-self.limit] + self.window - now

    def remaining(self, key: str) -> int:
        """How many more events ``key`` may have before it is blocked."""
        with self._lock:
            return max(0, self.limit - len(self._recent(key, self._clock())))

    def record(self, key: str) -> None:
        with self._lock:
            now = self._clock()
            self._recent(key, now).append(now)

    def reset(self, key: str) -> None:
        with self._lock:
            self._events.pop(key, None)


def login_limiter() -> AttemptLimiter:
    """Failed logins: after `MAX_FAILURES` within `LOCKOUT` seconds, locked until the
    first of them is `LOCKOUT` old."""
    return AttemptLimiter(MAX_FAILURES, LOCKOUT)


def minutes(seconds: float) -> int:
    """Whole minutes to wait, at least 1 (for messages)."""
    return max(1, int(-(-seconds // 60)))
