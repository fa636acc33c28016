"""The TopoJSON files in ``data/geo/``: read them, cut out what a map needs, turn them back
into GeoJSON (pure Python; the app, ``scripts/`` and ``bench/`` share this module).

The shipped files keep d3-geo's ring orientation (exterior clockwise), which Vega-Lite
reads as it is. A GeoJSON consumer that follows RFC 7946 (exterior counter-clockwise)
asks for ``rfc7946=True``; planar renderers such as deck.gl accept either.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def load(path: str | Path) -> dict[str, Any]:
    """The topology of a file (UTF-8 JSON)."""
    return dict(json.loads(Path(path).read_text(encoding="utf-8")))


def decoded_arcs(topology: dict[str, Any]) -> list[list[list[float]]]:
    """All arcs as lists of [lon, lat], undoing the delta encoding and the quantisation."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    digits = max(0, len(repr(sx).split(".")[-1]))
    out = []
    for arc in topology["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append([round(x * sx + tx, digits), round(y * sy + ty, digits)])
        out.append(pts)
    return out


def _ring(refs: list[int], arcs: list[list[list[float]]], reverse: bool) -> list[list[float]]:
    pts: list[list[float]] = []
    for r in refs:
        arc = arcs[r] if r >= 0 else arcs[~r][::-1]
        pts.extend(arc if not pts else arc[1:])
    return pts[::-1] if reverse else pts


def features(topology: dict[str, Any], name: str, *, rfc7946: bool = False) -> list[dict[str, Any]]:
    """The GeoJSON features of object ``name`` (e.g. "kreise")."""
    arcs = decoded_arcs(topology)
    out = []
    for g in topology["objects"][name]["geometries"]:
        if g["type"] == "Polygon":
            coords: Any = [_ring(r, arcs, rfc7946) for r in g["arcs"]]
        else:
            coords = [[_ring(r, arcs, rfc7946) for r in poly] for poly in g["arcs"]]
        out.append(
            {
                "type": "Feature",
                "properties": g.get("properties", {}),
                "geometry": {"type": g["type"], "coordinates": coords},
            }
        )
    return out


def feature_collection(
    topology: dict[str, Any], name: str, *, rfc7946: bool = False
) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features(topology, name, rfc7946=rfc7946)}


def subset(topology: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """A topology with only the objects ``names`` and the arcs they use (renumbered).
    Arcs are delta-encoded each on its own, so they can be dropped freely."""
    used: dict[int, int] = {}

    def walk(refs: Any) -> Any:
        if isinstance(refs, int):
            i = refs if refs >= 0 else ~refs
            new = used.setdefault(i, len(used))
            return new if refs >= 0 else ~new
        return [walk(r) for r in refs]

    objects = {}
    for name in names:
        obj = topology["objects"][name]
        objects[name] = {
            **obj,
            "geometries": [{**g, "arcs": walk(g["arcs"])} for g in obj["geometries"]],
        }
    arcs = [None] * len(used)
    for old, new in used.items():
        arcs[new] = topology["arcs"][old]
    return {**topology, "objects": objects, "arcs": arcs}


def only(topology: dict[str, Any], name: str, prefix: str) -> dict[str, Any]:
    """A topology with only object ``name``, and of it only the areas whose ``ags`` starts
    with ``prefix`` (e.g. the Kreise of one Land: ``only(topo, "kreise", "05")``)."""
    obj = topology["objects"][name]
    kept = [g for g in obj["geometries"] if str(g["properties"]["ags"]).startswith(prefix)]
    return subset({**topology, "objects": {name: {**obj, "geometries": kept}}}, [name])


def areas(topology: dict[str, Any], name: str) -> dict[str, dict[str, Any]]:
    """The properties of each area of object ``name`` by its ``ags``."""
    return {
        str(g["properties"]["ags"]): dict(g["properties"])
        for g in topology["objects"][name]["geometries"]
    }
