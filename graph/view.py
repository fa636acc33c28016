"""Interactive network view (vis-network through pyvis). PLACEHOLDER: issue 3 replaces the
implementation; the signatures below are the contract other parts call."""

from __future__ import annotations

import html
from pathlib import Path

import networkx as nx

from graph.store import GraphStore


def render_html(g: nx.MultiDiGraph, *, height: str = "600px", title: str = "") -> str:
    """A standalone HTML page showing ``g`` (no third-party URLs; all text escaped)."""
    items = "".join(f"<li>{html.escape(str(d.get('name', n)))}</li>" for n, d in g.nodes(data=True))
    return f"<!doctype html><html lang='de'><meta charset='utf-8'><ul>{items}</ul></html>"


def export_html(store: GraphStore, out: Path, *, focus: str | None = None, depth: int = 1) -> None:
    """Write the whole public graph (or the neighbourhood of ``focus``) as standalone HTML."""
    out.write_text(render_html(store.graph()), encoding="utf-8")
