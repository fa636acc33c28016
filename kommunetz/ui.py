"""What every page of the app shares: the store (one per server process, cached as a
resource), settings read from the environment or Streamlit secrets, and German number
formatting. Pages call `graph/` through these; they never talk to a database themselves."""

from __future__ import annotations

import os
from typing import Any

import streamlit as st

from graph.connect import StoreSettings, open_store
from graph.errors import StoreUnavailable
from graph.outbox import Outbox, default_outbox_dir
from graph.store import GraphStore

SETTING_NAMES = ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE", "KOMMUNETZ_DB")


def secret(name: str) -> str | None:
    """A setting from the environment, else from ``.streamlit/secrets.toml``."""
    value = os.environ.get(name)
    if value:
        return value
    try:
        found = st.secrets.get(name)
    except Exception:  # no secrets file at all: Streamlit raises, we just have no secret
        return None
    return str(found) if found else None


def settings() -> StoreSettings:
    return StoreSettings.from_mapping(
        {name: value for name in SETTING_NAMES if (value := secret(name))}
    )


@st.cache_resource(show_spinner=False)
def _store(current: StoreSettings) -> GraphStore:
    return open_store(current)


def get_store() -> GraphStore:
    """The configured store, or a German error on the page and a stop."""
    try:
        return _store(settings())
    except StoreUnavailable as exc:
        st.error(f"Die Datenbank ist nicht erreichbar. {exc}")
        st.stop()
        raise  # unreachable: st.stop() raises


def try_store() -> GraphStore | None:
    """The configured store, or None while it cannot be reached — for what must work
    anyway (the registration form keeps its submissions in the outbox then)."""
    try:
        return _store(settings())
    except StoreUnavailable:
        return None


def outbox() -> Outbox:
    """Where submissions wait while the store is unreachable (``KOMMUNETZ_OUTBOX``)."""
    return Outbox(secret("KOMMUNETZ_OUTBOX") or default_outbox_dir())


def fmt_int(n: Any) -> str:
    """German thousands separator: 10752 → 10.752."""
    return f"{int(n):,}".replace(",", ".")
