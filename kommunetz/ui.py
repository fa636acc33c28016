"""What every page of the app shares: the store (one per server process, cached as a
resource), the loaded graph with its index and layout (cached per data version), settings
read from the environment or Streamlit secrets. Pages call `graph/` through these (and
escape what they show with `kommunetz.safe_text.md`); they never talk to a database
themselves."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import networkx as nx
import streamlit as st

from graph.core.errors import StoreUnavailable
from graph.core.store import GraphStore
from graph.joining.outbox import Outbox, default_outbox_dir
from graph.present import explore, layout
from graph.stores.open import StoreSettings, open_store

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


_legacy_mode_left = threading.Event()


def leave_legacy_page_mode() -> None:
    """Make sure pages run inside app.py's navigation.

    Streamlit runs the first script of a fresh server in its old multipage mode when the
    app folder has a ``pages/`` directory: a visitor who lands on ``/netzwerk`` gets
    ``pages/netzwerk.py`` alone — without app.py's navigation, German page language and
    footer — and so does everyone after, until someone opens the start page, whose run of
    `st.navigation` ends that mode. This ends it at once and runs the page again, now
    inside app.py. It reruns once per server process only: Streamlit's AppTest switches
    the mode back on before every run, and rerunning each time would swallow the clicks
    a test sends. (The flag is Streamlit-internal; should it disappear, nothing happens.)
    """
    from streamlit.runtime.pages_manager import PagesManager

    if not getattr(PagesManager, "uses_pages_directory", None):
        return
    PagesManager.uses_pages_directory = False
    if not _legacy_mode_left.is_set():
        _legacy_mode_left.set()
        st.rerun()


def get_store() -> GraphStore:
    """The configured store, or a German error on the page and a stop."""
    leave_legacy_page_mode()
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


@dataclass(frozen=True)
class Loaded:
    """The public graph of one data version with what every view needs of it."""

    version: int
    graph: nx.MultiDiGraph
    index: explore.GraphIndex
    positions: dict[str, layout.Point]


@st.cache_resource(show_spinner=False, max_entries=2)
def _loaded(current: StoreSettings, version: int) -> Loaded:
    # a resource, not cache_data: unpickling an 11,000-node graph on every rerun costs
    # about a second; the frozen graph is shared by all sessions and never changed
    g = _store(current).graph()
    return Loaded(version, g, explore.index(g), layout.positions(g))


def loaded() -> Loaded:
    """The current graph (reloaded when a write has changed the data version), or a
    German error on the page and a stop."""
    store = get_store()
    try:
        return _loaded(settings(), store.version())
    except StoreUnavailable as exc:
        st.error(f"Die Datenbank ist nicht erreichbar. {exc}")
        st.stop()
        raise  # unreachable: st.stop() raises
