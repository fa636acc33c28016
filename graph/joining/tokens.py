"""Tokens in mailed links: confirming a registration's address (72 hours) and signing in
as a member's contact (30 minutes).

A token is 256 random bits (`secrets.token_urlsafe`), shown once — in the mail — and
stored only as its SHA-256, with its purpose, what it is for (a registration id) and
when it expires. Redeeming one marks it used in the same transaction as what it allows,
so it works once; a used, expired, unknown or wrong-purpose token is refused with the
same message (nothing tells a guesser which it was). Tokens are never logged: only
`token_hash` of them is ever passed to a store.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from graph.core.errors import KommunetzError

TOKEN_BYTES: Final[int] = 32


class Purpose(StrEnum):
    CONFIRM = "confirm"
    SIGN_IN = "signin"


VALIDITY: Final[dict[Purpose, timedelta]] = {
    Purpose.CONFIRM: timedelta(hours=72),
    Purpose.SIGN_IN: timedelta(minutes=30),
}

#: Unconfirmed registrations are erased this long after they were sent.
KEEP_UNCONFIRMED: Final[timedelta] = timedelta(days=7)

TOKEN_FIELDS: Final[tuple[str, ...]] = (
    "hash",
    "purpose",
    "subject",
    "created_at",
    "expires_at",
    "used_at",
)


class TokenRefused(KommunetzError):
    """A link's token is unknown, used, expired or for something else."""


REFUSED: Final[str] = (
    "Dieser Link ist nicht (mehr) gültig: Er wurde schon benutzt oder ist abgelaufen. "
    "Fordern Sie bitte einen neuen an."
)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoredToken:
    """A token as a store keeps it (never the token itself)."""

    hash: str
    purpose: str
    subject: str
    created_at: str
    expires_at: str
    used_at: str | None = None

    def usable(self, purpose: Purpose, now: datetime) -> bool:
        return (
            self.purpose == purpose.value
            and self.used_at is None
            and now < datetime.fromisoformat(self.expires_at)
        )


@dataclass(frozen=True)
class Issued:
    """A token just made: ``token`` goes into the mail, ``stored`` into the store."""

    token: str
    stored: StoredToken


def issue(purpose: Purpose, subject: str, now: datetime) -> Issued:
    token = new_token()
    return Issued(
        token,
        StoredToken(
            token_hash(token),
            purpose.value,
            subject,
            now.isoformat(timespec="seconds"),
            (now + VALIDITY[purpose]).isoformat(timespec="seconds"),
        ),
    )
