"""Write the public graph to files other tools open: GraphML and GEXF (Gephi, yEd,
Cytoscape) and JSON (node-link, for scripts).

GraphML and GEXF take scalar attributes only, so lists are joined with "; " and missing
values left out; GEXF reserves an edge attribute called ``type``, so the relationship type
travels as ``relation`` in both formats, and each node's display text as ``label``.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, Literal

import networkx as nx

from graph.core.errors import KommunetzError

Format = Literal["graphml", "gexf", "json"]
FORMATS: tuple[Format, ...] = ("graphml", "gexf", "json")


def _scalar(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return value


def for_gephi(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``g`` with attributes GraphML/GEXF writers accept."""
    out = nx.MultiDiGraph()
    for nid, attrs in g.nodes(data=True):
        clean = {k: _scalar(v) for k, v in attrs.items() if v is not None}
        clean["node_type"] = clean.pop("type")
        clean["label"] = clean.get("name", nid)
        out.add_node(nid, **clean)
    for a, b, key, attrs in g.edges(keys=True, data=True):
        clean = {k: _scalar(v) for k, v in attrs.items() if v is not None}
        clean["relation"] = clean.pop("type")
        out.add_edge(a, b, key=key, **clean)
    return out


def export_bytes(g: nx.MultiDiGraph, fmt: str) -> bytes:
    """``g`` as ``fmt``, in memory (for a download button)."""
    if fmt not in FORMATS:
        raise KommunetzError(f"Unbekanntes Format „{fmt}“ (möglich: {', '.join(FORMATS)})")
    if fmt == "json":
        data = nx.node_link_data(g, edges="edges")
        return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    buffer = io.BytesIO()
    writer = nx.write_graphml if fmt == "graphml" else nx.write_gexf
    writer(for_gephi(g), buffer)
    return buffer.getvalue()


def export_graph(g: nx.MultiDiGraph, fmt: str, out: Path) -> None:
    """Write ``g`` as ``fmt`` to ``out``."""
    content = export_bytes(g, fmt)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(content)
    except OSError as exc:
        raise KommunetzError(f"Kann {out} nicht schreiben: {exc.strerror}") from exc
