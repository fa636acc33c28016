"""Write the public graph to files other tools open: GraphML and GEXF (Gephi, yEd,
Cytoscape) and JSON (node-link, for scripts).

GraphML and GEXF take scalar attributes only, so lists are joined with "; " and missing
values left out; GEXF reserves an edge attribute called ``type``, so the relationship type
travels as ``relation`` in both formats, and each node's display text as ``label``.

The GEXF is **dynamic**: every node and relationship whose validity is known
(`graph.core.validity`) carries ``start`` and ``end`` as ISO days, so Gephi's timeline
plays the network through time; an unknown end is left open. The data's own ``start`` and
``end`` texts (``2014``) travel as ``start_text`` and ``end_text``. Every file states its
"Stand" (the graph attribute ``stand`` in GraphML, the description in GEXF's meta).
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any, Literal

import networkx as nx

from graph.core.errors import KommunetzError
from graph.core.search import fold
from graph.core.validity import node_validity, rel_validity, today

Format = Literal["graphml", "gexf", "json"]
FORMATS: tuple[Format, ...] = ("graphml", "gexf", "json")


def _scalar(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return value


def _spell(clean: dict[str, Any], validity: tuple[date | None, date | None]) -> None:
    """Move the data's ``start``/``end`` texts aside and set the ISO days of the validity."""
    for prop in ("start", "end"):
        if prop in clean:
            clean[f"{prop}_text"] = clean.pop(prop)
    first, last = validity
    if first is not None:
        clean["start"] = first.isoformat()
    if last is not None:
        clean["end"] = last.isoformat()


def for_gephi(g: nx.MultiDiGraph, *, dynamic: bool = False) -> nx.MultiDiGraph:
    """A copy of ``g`` with attributes GraphML/GEXF writers accept; with ``dynamic`` the
    ``start``/``end`` of each fact's validity (for GEXF)."""
    out = nx.MultiDiGraph()
    for nid, attrs in g.nodes(data=True):
        clean = {k: _scalar(v) for k, v in attrs.items() if v is not None}
        clean["node_type"] = clean.pop("type")
        clean["label"] = clean.get("name", nid)
        if dynamic:
            _spell(clean, node_validity(attrs))
        out.add_node(nid, **clean)
    for a, b, key, attrs in g.edges(keys=True, data=True):
        clean = {k: _scalar(v) for k, v in attrs.items() if v is not None}
        clean["relation"] = clean.pop("type")
        if dynamic:
            _spell(clean, rel_validity(attrs))
        out.add_edge(a, b, key=key, **clean)
    return out


def export_bytes(g: nx.MultiDiGraph, fmt: str, *, stand: str | None = None) -> bytes:
    """``g`` as ``fmt``, in memory (for a download button); ``stand`` is the as-of date
    the file states (default: today)."""
    if fmt not in FORMATS:
        raise KommunetzError(f"Unbekanntes Format „{fmt}“ (möglich: {', '.join(FORMATS)})")
    stated = stand or today().isoformat()
    if fmt == "json":
        data = nx.node_link_data(g, edges="edges")
        data["graph"] = {**data.get("graph", {}), "stand": stated}
        return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    buffer = io.BytesIO()
    if fmt == "graphml":
        out = for_gephi(g)
        out.graph["stand"] = stated
        nx.write_graphml(out, buffer)
        return buffer.getvalue()
    nx.write_gexf(for_gephi(g, dynamic=True), buffer)
    text = buffer.getvalue().decode("utf-8")
    meta_end = text.find("</meta>")
    if meta_end >= 0:  # networkx writes no description: the Stand goes there
        note = f"<description>kommunetz, Stand {stated}</description>"
        text = text[:meta_end] + note + text[meta_end:]
    return text.encode("utf-8")


def export_graph(g: nx.MultiDiGraph, fmt: str, out: Path) -> None:
    """Write ``g`` as ``fmt`` to ``out``."""
    content = export_bytes(g, fmt)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(content)
    except OSError as exc:
        raise KommunetzError(f"Kann {out} nicht schreiben: {exc.strerror}") from exc


#: The longest file name stem a download gets (before the extension).
MAX_STEM = 80


def file_name(what: str, ext: str) -> str:
    """A download's file name after what it holds: ``Partner von Norderstedt`` →
    ``kommunetz-partner-von-norderstedt.csv`` (ASCII, so every system keeps it)."""
    slug = fold(what).replace(" ", "-")
    stem = f"kommunetz-{slug}"[:MAX_STEM].rstrip("-") if slug else "kommunetz"
    return f"{stem}.{ext}"
