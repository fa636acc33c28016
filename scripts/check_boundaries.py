"""Check the derived boundary files against the source, with independent tools.

* the reprojection against PROJ (pyproj), for every vertex of the Kreise layer: once with
  the same Helmert parameters (tests the formulas) and once with PROJ's own choice for
  EPSG:31467 → EPSG:4326 (tests the choice of transformation);
* the shapes with GEOS (shapely): every polygon valid, neighbouring Kreise without
  overlaps (the sum of the Kreis areas equals the area of their union) and without gaps
  (the union of the Kreise equals the union of the Länder), the 16 Länder likewise, and
  how far the simplified borders are from the original ones (Hausdorff distance);
* the ring orientation (exterior clockwise, holes counter-clockwise, as in the file's
  metadata).

Needs ``pip install pyproj shapely`` (not a dependency of the app):

    .venv/bin/python scripts/check_boundaries.py
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import derive_boundaries as derive
import geo_topojson

DATA = derive.DEFAULT_OUT


def check_projection(source: Path) -> None:
    from pyproj import Transformer

    pts = sorted(
        {
            p
            for f in derive.read_layer(source, "KRS")
            for poly in f.polygons
            for ring in poly
            for p in ring
        }
    )
    ours = [derive.gk3_to_wgs84(x, y) for x, y in pts]
    same = Transformer.from_crs(
        "+proj=tmerc +lat_0=0 +lon_0=9 +k=1 +x_0=3500000 +y_0=0 +ellps=bessel "
        "+towgs84=598.1,73.7,418.2,0.202,0.045,-2.455,6.7 +units=m +no_defs",
        "EPSG:4326",
        always_xy=True,
    )
    default = Transformer.from_crs("EPSG:31467", "EPSG:4326", always_xy=True)
    for label, tr in (("gleiche Helmert-Parameter", same), ("PROJ-Standard", default)):
        xs, ys = zip(*pts, strict=True)
        lon, lat = tr.transform(xs, ys)
        dmax = max(
            max(abs(a[0] - b) * 111_320 * 0.64, abs(a[1] - c) * 111_320)
            for a, b, c in zip(ours, lon, lat, strict=True)
        )
        print(
            f"Umrechnung vs. PROJ ({label}): größte Abweichung {dmax:.3f} m "
            f"über {len(pts):,} Punkte"
        )
    print(f"  PROJ-Standard-Operation: {default.description}")


def _reprojector(src: str) -> Any:
    """A function that moves a shapely geometry from ``src`` to EPSG:3035 (LAEA Europe,
    equal-area metres)."""
    import numpy as np
    import shapely
    from pyproj import Transformer

    tr = Transformer.from_crs(src, "EPSG:3035", always_xy=True)

    def move(geom: Any) -> Any:
        return shapely.transform(geom, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))

    return move


LEVEL_OF = {"laender": "LAN", "kreise": "KRS", "verbaende": "VWG", "gemeinden": "GEM"}


def _source_invalid(source: Path, layer: str) -> set[str]:
    """Names of source features that GEOS already finds invalid (rings touching themselves
    in one vertex, e.g. Bayern at Jungholz, which meets Austria in a single point)."""
    from shapely.geometry import MultiPolygon, Polygon

    return {
        f.props["name"]
        for f in derive.read_layer(source, layer)
        if not MultiPolygon([Polygon(p[0], p[1:]) for p in f.polygons]).is_valid
    }


def check_shapes(path: Path, source: Path) -> None:
    from shapely.geometry import shape
    from shapely.ops import unary_union

    topo = geo_topojson.load(path)
    to_m = _reprojector("EPSG:4326")
    layers = {}
    for name in topo["objects"]:
        feats = geo_topojson.features(topo, name, rfc7946=True)
        if not feats:
            continue
        geoms = [to_m(shape(f["geometry"])) for f in feats]
        invalid = {
            f["properties"]["name"] for f, g in zip(feats, geoms, strict=True) if not g.is_valid
        }
        inherited = invalid & _source_invalid(source, LEVEL_OF[name])
        union = unary_union(geoms)
        total = sum(g.area for g in geoms)
        print(
            f"{path.name} / {name}: {len(geoms)} Flächen, ungültig: {len(invalid)} "
            f"(davon schon in der Quelle: {len(inherited)} {sorted(inherited)}), "
            f"Überlappung {(total - union.area) / 1e6:.4f} km² "
            f"({(total - union.area) / union.area:.2e} der Fläche)"
        )
        layers[name] = (feats, geoms, union)
        # orientation as the file says: exterior clockwise (the raw file, not rfc7946)
        raw = geo_topojson.features(topo, name)
        wrong = 0
        for f in raw:
            polys = (
                f["geometry"]["coordinates"]
                if f["geometry"]["type"] == "MultiPolygon"
                else [f["geometry"]["coordinates"]]
            )
            for poly in polys:
                for i, ring in enumerate(poly):
                    if (derive._signed_area(ring) < 0) != (i == 0):
                        wrong += 1
        print(f"  Ringe mit falscher Orientierung: {wrong}")
    if {"laender", "kreise"} <= set(layers):
        gap = layers["laender"][2].symmetric_difference(layers["kreise"][2]).area
        print(f"  Länder ⊕ Kreise (Lücken/Überstände): {gap / 1e6:.4f} km²")
    # distance to the original borders
    if "kreise" in layers:
        orig = {f.key: f for f in derive.read_layer(source, "KRS")}
        to_m2 = _reprojector("EPSG:31467")
        from shapely.geometry import MultiPolygon, Polygon

        worst = (0.0, "")
        for f, g in zip(layers["kreise"][0], layers["kreise"][1], strict=True):
            o = orig[f["properties"]["ags"]]
            og = MultiPolygon([Polygon(p[0], p[1:]) for p in o.polygons])
            d = to_m2(og).boundary.hausdorff_distance(g.boundary)
            worst = max(worst, (d, f["properties"]["name"]))
        print(
            f"  größte Hausdorff-Abweichung der Kreisgrenzen vom Original: {worst[0]:.0f} m "
            f"({worst[1]})"
        )


def main() -> int:
    source = derive.DEFAULT_SOURCE
    check_projection(source)
    check_shapes(DATA / "vg5000_2021_laender_kreise.topo.json", source)
    for p in sorted((DATA / "gemeinden").glob("*.topo.json")):
        if p.name.endswith(("_09.topo.json", "_11.topo.json", "_16.topo.json")):
            check_shapes(p, source)
    return 0


if __name__ == "__main__":
    sys.exit(main())
