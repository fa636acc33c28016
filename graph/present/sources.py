"""Sources as the app shows them: the list of all sources and the Destatis editions whose
attribution the licence requires."""

from __future__ import annotations

from typing import Any

from graph.core.store import GraphStore


def source_table(store: GraphStore) -> list[dict[str, Any]]:
    """One row per Source node: id, title, publisher, address; sorted by title."""
    g = store.graph(["Source"])
    rows = [
        {
            "Id": d["key"],
            "Titel": d.get("title", ""),
            "Herausgeber": d.get("publisher", ""),
            "Adresse": d.get("url", ""),
        }
        for _, d in g.nodes(data=True)
    ]
    return sorted(rows, key=lambda r: str(r["Titel"]).lower())


def destatis_editions(store: GraphStore) -> list[dict[str, Any]]:
    """The loaded editions of the Destatis directory (Source nodes the loader created)."""
    g = store.graph(["Source"])
    return [
        dict(d)
        for _, d in sorted(g.nodes(data=True))
        if str(d["key"]).startswith("destatis-gv-") and d.get("licence")
    ]
