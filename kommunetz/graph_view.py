"""The network graph on a page: a small Streamlit component that draws a view with
vis-network and tells the page which node was clicked.

``st.iframe`` has no way back to Python, so a click could only highlight. This component
is served by the app itself (``components.declare_component`` with a local folder, built
once per process from `graph.present.view.component_files`): its page loads vis-network
from the app, never from a CDN, and the browser caches it, so a rerun sends only the
view's data — and nothing at all when the view has not changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st
import streamlit.components.v1 as components

if TYPE_CHECKING:
    import networkx as nx

#: Room under the graph for the summary and the keyboard help (the component reports its
#: exact height once drawn; this is the height before).
TEXT_ROOM = 70


@dataclass(frozen=True)
class Click:
    """A click on a node: ``action`` is ``details`` (a click) or ``focus`` (a double click)."""

    node: str
    action: str


@lru_cache(maxsize=1)
def _component() -> Any:
    from graph.present.view import component_files

    files = component_files()
    digest = hashlib.sha256("".join(files.values()).encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"kommunetz-graph-{digest}"
    if not (folder / "index.html").exists():
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            tmp = folder / f".{name}.{os.getpid()}"
            tmp.write_text(content, encoding="utf-8")
            tmp.replace(folder / name)  # whole or not at all: another process may read it
    return components.declare_component("kommunetz_graph", path=str(folder))


def graph_view(
    payload: dict[str, Any],
    view_key: str,
    *,
    key: str,
    label: str,
    summary: str,
    height: int = 600,
) -> Click | None:
    """Draw a view (``payload`` of `graph.present.view.view_payload`, ``view_key`` its
    fingerprint: the frame draws again only when it changes) and return the click the
    user made since the last run (None if none).

    ``label`` names the graph for screen readers (the frame's title and the canvas's
    label), ``summary`` says what it shows (`graph.present.view.summary_line`).
    """
    from graph.present.view import KEYS_HELP

    value = _component()(
        payload=payload,
        view=view_key,
        height=height,
        label=label,
        summary=summary,
        keys=KEYS_HELP,
        default=None,
        # one widget key per place, not per view: the frame stays, and draws again only
        # when the view's data change
        key=f"kn-graph-{key}",
        tab_index=0,
    )
    seen = f"kn-graph-{key}-seen"
    if not isinstance(value, dict) or value.get("n") == st.session_state.get(seen):
        return None
    st.session_state[seen] = value.get("n")
    node, action = value.get("node"), value.get("action")
    ids = {n["id"] for n in payload["nodes"]}
    if not isinstance(node, str) or node not in ids or action not in ("details", "focus"):
        return None
    return Click(node, str(action))


def small_graph_view(g: nx.MultiDiGraph, *, label: str, height: int = 420) -> None:
    """A graph in an answer, its frame as tall as its content (clicks are not used
    there). Its place is named by what it shows: two answers on a page, two places."""
    from graph.present.view import summary_line, view_payload

    payload = view_payload(g)
    view_key = fingerprint(payload)
    graph_view(
        payload,
        view_key,
        key=f"answer-{view_key}",
        label=label,
        summary=summary_line(g),
        height=height,
    )


def fingerprint(payload: dict[str, Any]) -> str:
    """A short fingerprint of what the component draws: same fingerprint, same picture."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:20]
