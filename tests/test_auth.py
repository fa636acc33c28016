"""The coordinator's credentials and the attempt limits (login lock-out, form rate limit)."""

from __future__ import annotations

import pytest

from kommunetz.auth import (
    LOCKOUT,
    MAX_FAILURES,
    AttemptLimiter,
    AuthNotConfigured,
    Credentials,
    hash_password,
    login_limiter,
    minutes,
)


def test_a_hash_verifies_its_password_only() -> None:
    first, second = (
        hash_password("richtig langes Passwort"),
        hash_password("richtig langes Passwort"),
    )
    assert first != second  # salted
    assert "richtig" not in first
    settings = {"KOMMUNETZ_ADMIN_USER": "Koordination", "KOMMUNETZ_ADMIN_PASSWORD_HASH": first}
    creds = Credentials.from_settings(settings.get)
    assert creds.check("koordination ", "richtig langes Passwort")  # the name is case-blind
    assert not creds.check("koordination", "richtig langes passwort")
    assert not creds.check("admin", "richtig langes Passwort")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({}, "Die Verwaltung ist noch nicht eingerichtet"),
        ({"KOMMUNETZ_ADMIN_USER": "k"}, "KOMMUNETZ_ADMIN_PASSWORD_HASH"),
        (
            {"KOMMUNETZ_ADMIN_USER": "k", "KOMMUNETZ_ADMIN_PASSWORD_HASH": "geheim"},
            "kein gültiger Passwort-Hash",
        ),
    ],
)
def test_missing_or_plain_settings_are_refused(settings: dict[str, str], message: str) -> None:
    with pytest.raises(AuthNotConfigured) as info:
        Credentials.from_settings(settings.get)
    assert message in str(info.value)


def test_login_lock_out() -> None:
    now = [1000.0]
    limiter = AttemptLimiter(MAX_FAILURES, LOCKOUT, clock=lambda: now[0])
    for _ in range(MAX_FAILURES - 1):
        limiter.record("koordination")
        now[0] += 10
    assert limiter.wait("koordination") == 0
    limiter.record("koordination")
    assert limiter.wait("koordination") == pytest.approx(LOCKOUT - 40)
    assert limiter.wait("jemand anderes") == 0
    now[0] += LOCKOUT - 40
    assert limiter.wait("koordination") == 0  # the first failure has run out
    limiter.reset("koordination")
    assert limiter.wait("koordination") == 0
    assert minutes(LOCKOUT - 40) == 15 and minutes(1) == 1
    assert login_limiter().limit == MAX_FAILURES
