"""Derive the map boundaries kommunetz ships from the official BKG VG5000 (Stand 01.01.2021).

Input: the *Verwaltungsgebiete 1:5 000 000, Ebenen, Stand 01.01.* (VG5000) of the
Bundesamt für Kartographie und Geodäsie, as shapefiles in EPSG:31467 (DHDN / 3-degree
Gauss-Krüger zone 3). Users download it from

    https://gdz.bkg.bund.de/index.php/default/open-data/verwaltungsgebiete-1-5-000-000-ebenen-stand-01-01-vg5000-ebenen-01-01.html

(choose "UTM32s"/"GK3" shape, Stand 01.01.2021, and unpack the folder holding
``VG5000_LAN.shp``, ``VG5000_KRS.shp``, ``VG5000_VWG.shp``, ``VG5000_GEM.shp`` with their
``.dbf``/``.shx``/``.cpg``). Licence: Datenlizenz Deutschland – Namensnennung – 2.0;
the attribution "© GeoBasis-DE / BKG 2021 (Daten verändert)" goes with every map.

Output, in ``data/geo/`` (see ``data/geo/README.md``):

* ``vg5000_2021_laender_kreise.topo.json`` – the 16 Länder (land area only) and the
  401 Kreise in one TopoJSON topology: what the app ships and draws;
* ``vg5000_2021_gemeinden.topo.json`` – optional: the 4,605 Verwaltungsgemeinschaften
  (Gemeindeverbände) and 10,997 Gemeinden in a second topology;
* ``abweichungen.json`` – which Kreis and Gemeinde keys exist only in the 2021 shapes or
  only in the Destatis directory given with ``--directory`` (mergers since 2021), so that
  the app can say so instead of guessing.

What happens to the shapes, and why:

1. **Land area only.** Features with ``GF`` = 9 ("mit Struktur", the land part; the
   sea and Bodensee parts have ``GF`` = 8 in this edition – ``VG_WERTE.dbf`` lists the
   codes; other editions use 4 for land, which is accepted too).
2. **Shared borders (TopoJSON arcs).** All rings of one file are cut where three or more
   borders meet; every border between two neighbours is then stored once, as one arc
   that both reference. Simplifying an arc therefore moves both neighbours' border in
   the same way: no gaps or slivers can arise between Kreise, and Länder borders are
   exactly the Kreis borders (the VG5000 levels share their vertices exactly).
3. **Simplification** (Douglas–Peucker per arc, in metres in the source projection,
   arc ends fixed, each arc keeping at least its farthest vertex so that no ring of two
   arcs collapses). Afterwards every pair of arcs is checked for crossings and every ring
   for its orientation; arcs involved in a problem are simplified again with half the
   tolerance until none is left.
4. **Reprojection** to WGS 84 (EPSG:4326): inverse Gauss-Krüger on the Bessel ellipsoid
   (Krüger series), then the 7-parameter Helmert transformation DHDN → WGS 84 of
   EPSG:1777 (about 3 m accuracy – far below the 1:5 000 000 generalisation). Pure
   Python on purpose: no PROJ build or datum grid decides the result, so the output is the
   same on every machine.
5. **Coordinates on a 0.0001° grid** (TopoJSON ``transform``, about 11 m north–south,
   7 m east–west): ample for a 1:5 000 000 source even when zoomed to a Land.
6. **Ring orientation** as d3-geo and therefore Vega/Vega-Lite need it: exterior rings
   clockwise, holes counter-clockwise (in lon/lat with north up). This is the opposite of
   RFC 7946 GeoJSON; a reader that needs RFC 7946 reverses each ring (planar renderers
   such as deck.gl do not care).

Properties of every feature: ``id`` and ``ags`` (Land 2, Kreis 5, Gemeinde 8 digits;
Gemeindeverbände have no AGS and carry their 9-digit ``ars`` instead), Gemeinden also
``ars`` (12 digits), ``name`` (``GEN``), ``kind`` (``BEZ``, e.g. "Landkreis"), ``level``
("Land", "Kreis", "Gemeindeverband", "Gemeinde").

Regenerate (the output is byte-identical for the same input; the tests of the shipped file
compare against it):

    .venv/bin/pip install -e ".[geo]"
    .venv/bin/python scripts/derive_boundaries.py \\
        --source ../shared/data/geo/vg5000_2021-01-01 \\
        --directory ../shared/data/municipalities/AuszugGV4QAktuell_2024.xlsx

``--measure`` prints file sizes for a range of tolerances without writing anything.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO.parent / "shared" / "data" / "geo" / "vg5000_2021-01-01"
DEFAULT_DIRECTORY = (
    REPO.parent / "shared" / "data" / "municipalities" / "AuszugGV4QAktuell_2024.xlsx"
)
DEFAULT_OUT = REPO / "data" / "geo"

STAND = "2021-01-01"
ATTRIBUTION = "© GeoBasis-DE / BKG 2021 (Daten verändert)"
ATTRIBUTION_URL = "https://www.bkg.bund.de"
LICENSE = "dl-de/by-2-0"
LICENSE_NAME = "Datenlizenz Deutschland – Namensnennung – Version 2.0"
LICENSE_URL = "https://www.govdata.de/dl-de/by-2-0"
DOWNLOAD_URL = (
    "https://gdz.bkg.bund.de/index.php/default/open-data/"
    "verwaltungsgebiete-1-5-000-000-ebenen-stand-01-01-vg5000-ebenen-01-01.html"
)

#: ``GF`` codes of land area with structure: 9 in VG5000 2021 ("mit Struktur"; the sea and
#: Bodensee parts are 8), 4 ("mit Struktur Land") in editions that split 1–4.
LAND_GF = frozenset({4, 9})

#: Simplification tolerance per output file in metres (Douglas–Peucker), chosen by
#: measurement (``--measure``; see data/geo/README.md).
TOLERANCE_M = {"laender_kreise": 100.0, "gemeinden": 100.0}

#: Grid of the stored coordinates in degrees (TopoJSON transform).
GRID_DEG = 1e-4

#: Size limits (bytes): the issue's 1 MB for Länder + Kreise; for the optional per-Land
#: Gemeinden files 800 kB each (the largest, Bayern, is 0.77 MB) and 4 MB in all (3.6 MB now).
BUDGET = {"laender_kreise": 1_000_000, "gemeinden": 800_000, "gemeinden_total": 4_000_000}

#: VG5000 ``BEZ`` values of the pseudo-Verbände of Gemeinden that belong to no
#: Gemeindeverband: their shape is the Gemeinde's own, so they are left out.
NOT_A_VERBAND = frozenset(
    {
        "Einheitsgemeinde",
        "Gemeinschaftsfreie Gemeinde",
        "Amtsfreie Gemeinde",
        "Verbandsfreie Gemeinde",
    }
)

Point = tuple[float, float]
IPoint = tuple[int, int]


# --------------------------------------------------------------------------- projection

# Bessel 1841 (DHDN) and WGS 84.
_BESSEL_A, _BESSEL_INVF = 6377397.155, 299.1528128
_WGS84_A, _WGS84_INVF = 6378137.0, 298.257223563
# Gauss-Krüger zone 3: central meridian 9° E, scale 1, false easting 3,500 km.
_GK_LON0, _GK_FE = math.radians(9.0), 3_500_000.0
# EPSG:1777 "DHDN to WGS 84 (2)", position-vector convention (as PROJ's towgs84).
_HELMERT = (598.1, 73.7, 418.2, 0.202, 0.045, -2.455, 6.7)


def _krueger_coefficients(a: float, inv_f: float) -> tuple[float, list[float], list[float]]:
    """Rectifying radius and the inverse Krüger series coefficients (to n³, good to well
    under a millimetre within the zone)."""
    f = 1 / inv_f
    n = f / (2 - f)
    big_a = a / (1 + n) * (1 + n**2 / 4 + n**4 / 64)
    beta = [n / 2 - 2 * n**2 / 3 + 37 * n**3 / 96, n**2 / 48 + n**3 / 15, 17 * n**3 / 480]
    delta = [2 * n - 2 * n**2 / 3 - 2 * n**3, 7 * n**2 / 3 - 8 * n**3 / 5, 56 * n**3 / 15]
    return big_a, beta, delta


_GK_A, _GK_BETA, _GK_DELTA = _krueger_coefficients(_BESSEL_A, _BESSEL_INVF)


def _gk_to_bessel(x: float, y: float) -> tuple[float, float]:
    """Gauss-Krüger zone 3 (easting, northing in m) → latitude, longitude on Bessel (rad)."""
    xi = y / _GK_A
    eta = (x - _GK_FE) / _GK_A
    xi1, eta1 = xi, eta
    for j, b in enumerate(_GK_BETA, start=1):
        xi1 -= b * math.sin(2 * j * xi) * math.cosh(2 * j * eta)
        eta1 -= b * math.cos(2 * j * xi) * math.sinh(2 * j * eta)
    chi = math.asin(math.sin(xi1) / math.cosh(eta1))
    lon = _GK_LON0 + math.atan2(math.sinh(eta1), math.cos(xi1))
    lat = chi + sum(d * math.sin(2 * j * chi) for j, d in enumerate(_GK_DELTA, start=1))
    return lat, lon


def _to_ecef(lat: float, lon: float, a: float, inv_f: float) -> tuple[float, float, float]:
    e2 = (2 - 1 / inv_f) / inv_f
    n = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
    return (
        n * math.cos(lat) * math.cos(lon),
        n * math.cos(lat) * math.sin(lon),
        n * (1 - e2) * math.sin(lat),
    )


def _from_ecef(x: float, y: float, z: float, a: float, inv_f: float) -> tuple[float, float]:
    e2 = (2 - 1 / inv_f) / inv_f
    p = math.hypot(x, y)
    lat = math.atan2(z, p * (1 - e2))
    for _ in range(5):  # converges to < 1e-12 rad in three steps at these latitudes
        n = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
        lat = math.atan2(z + e2 * n * math.sin(lat), p)
    return lat, math.atan2(y, x)


def gk3_to_wgs84(x: float, y: float) -> Point:
    """EPSG:31467 (m) → EPSG:4326 (longitude, latitude in degrees)."""
    lat, lon = _gk_to_bessel(x, y)
    bx, by, bz = _to_ecef(lat, lon, _BESSEL_A, _BESSEL_INVF)
    tx, ty, tz, rx, ry, rz, ppm = _HELMERT
    rx, ry, rz = (math.radians(v / 3600) for v in (rx, ry, rz))
    s = 1 + ppm * 1e-6
    wx = tx + s * (bx - rz * by + ry * bz)
    wy = ty + s * (rz * bx + by - rx * bz)
    wz = tz + s * (-ry * bx + rx * by + bz)
    lat, lon = _from_ecef(wx, wy, wz, _WGS84_A, _WGS84_INVF)
    return math.degrees(lon), math.degrees(lat)


# --------------------------------------------------------------------------- reading


@dataclass
class Feature:
    """One administrative unit: its properties and polygons (exterior, holes...) as
    closed rings of source coordinates."""

    key: str
    props: dict[str, str]
    polygons: list[list[list[Point]]]


#: Layer file → (level, properties builder).
LEVELS = {
    "LAN": "Land",
    "KRS": "Kreis",
    "VWG": "Gemeindeverband",
    "GEM": "Gemeinde",
}


def _signed_area(ring: Sequence[tuple[float, float]]) -> float:
    """Shoelace area: positive for a counter-clockwise ring (x east, y north)."""
    s = 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        s += x0 * y1 - x1 * y0
    return s / 2


def _inside(pt: Point, ring: Sequence[Point]) -> bool:
    x, y = pt
    hit = False
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            hit = not hit
    return hit


def _clean(points: Iterable[Sequence[float]]) -> list[Point]:
    """A closed ring without repeated consecutive vertices."""
    ring: list[Point] = []
    for p in points:
        q = (float(p[0]), float(p[1]))
        if not ring or ring[-1] != q:
            ring.append(q)
    if ring[0] != ring[-1]:
        ring.append(ring[0])
    return ring


def _polygons(rings: list[list[Point]]) -> list[list[list[Point]]]:
    """Group a shape's rings into polygons. The shapefile convention (clockwise exterior,
    counter-clockwise holes) tells which is which; each hole goes to the smallest exterior
    that contains its vertices."""
    exteriors = [r for r in rings if _signed_area(r) < 0]
    holes = [r for r in rings if _signed_area(r) > 0]
    polys = [[r] for r in exteriors]
    for h in holes:
        best, best_area = None, math.inf
        for poly in polys:
            ext = poly[0]
            votes = sum(_inside(p, ext) for p in h[:-1])
            area = -_signed_area(ext)
            if votes * 2 >= len(h) - 1 and area < best_area:
                best, best_area = poly, area
        if best is None:
            raise SystemExit(f"Loch ohne umgebenden Ring gefunden ({len(h)} Punkte)")
        best.append(h)
    return polys


def read_layer(source: Path, layer: str) -> list[Feature]:
    """The land-area features of one VG5000 layer, sorted by key."""
    import shapefile  # pyshp: optional extra "geo"

    base = source / f"VG5000_{layer}"
    cpg = base.with_suffix(".cpg")
    encoding = cpg.read_text(encoding="ascii").strip() if cpg.exists() else "utf-8"
    level = LEVELS[layer]
    features: dict[str, Feature] = {}
    with shapefile.Reader(str(base), encoding=encoding) as reader:
        for sr in reader.iterShapeRecords():
            rec = sr.record
            if rec["GF"] not in LAND_GF:
                continue
            ars, ags = str(rec["ARS"]), str(rec["AGS"])
            props = {"name": str(rec["GEN"]), "kind": str(rec["BEZ"]), "level": level}
            if layer == "VWG":
                key = ars[:9]
                props = {"ars": key, **props}
            elif layer == "GEM":
                key = ags
                props = {"ags": ags, "ars": ars, **props}
            else:
                key = ars[: {"LAN": 2, "KRS": 5}[layer]]
                props = {"ags": key, **props}
            shape = sr.shape
            bounds = [*shape.parts, len(shape.points)]
            rings = [_clean(shape.points[a:b]) for a, b in itertools.pairwise(bounds)]
            rings = [r for r in rings if len(r) >= 4]
            if key in features:
                raise SystemExit(f"{base}.dbf: Schlüssel {key} kommt doppelt vor")
            features[key] = Feature(key, props, _polygons(rings))
    return [features[k] for k in sorted(features)]


def source_digest(source: Path, layers: Iterable[str]) -> dict[str, str]:
    """SHA-256 of each input file: says exactly which download a file was made from."""
    out = {}
    for layer in layers:
        for ext in (".shp", ".dbf"):
            p = source / f"VG5000_{layer}{ext}"
            out[p.name] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


# --------------------------------------------------------------------------- topology


@dataclass
class Topology:
    """Rings cut into shared arcs. ``refs[f][p][r]`` lists the arc indexes of ring ``r``
    of polygon ``p`` of feature ``f`` (``~i`` = arc ``i`` reversed)."""

    arcs: list[list[Point]]
    refs: list[list[list[list[int]]]]
    objects: dict[str, list[Feature]]
    order: list[tuple[str, int]] = field(default_factory=list)  # (object, index) per refs


def _junctions(rings: Iterable[list[Point]]) -> set[Point]:
    """Vertices where borders meet: more than two distinct neighbours over all rings."""
    neighbours: dict[Point, set[Point]] = defaultdict(set)
    for ring in rings:
        n = len(ring) - 1
        for i in range(n):
            p = ring[i]
            neighbours[p].add(ring[i - 1] if i else ring[n - 1])
            neighbours[p].add(ring[i + 1])
    return {p for p, ns in neighbours.items() if len(ns) > 2}


def build_topology(objects: dict[str, list[Feature]]) -> Topology:
    """Cut every ring at the junctions and store each border once (TopoJSON arcs)."""
    all_rings = [
        r for feats in objects.values() for f in feats for poly in f.polygons for r in poly
    ]
    junctions = _junctions(all_rings)
    arcs: list[list[Point]] = []
    index: dict[tuple[Point, ...], int] = {}

    def arc_ref(points: list[Point]) -> int:
        key = tuple(points)
        if key in index:
            return index[key]
        rkey = key[::-1]
        if rkey in index:
            return ~index[rkey]
        index[key] = len(arcs)
        arcs.append(points)
        return index[key]

    def ring_refs(ring: list[Point]) -> list[int]:
        body = ring[:-1]
        cuts = [i for i, p in enumerate(body) if p in junctions]
        if not cuts:
            # A closed border met by nothing else (an island, an enclave): start at its
            # smallest vertex so that both rings sharing it find the same arc.
            i = body.index(min(body))
            fwd = body[i:] + body[:i]
            back = [fwd[0], *fwd[:0:-1]]
            for cand, neg in ((fwd, False), (back, True)):
                key = (*cand, cand[0])
                if key in index:
                    return [~index[key] if neg else index[key]]
            index[(*fwd, fwd[0])] = len(arcs)
            arcs.append([*fwd, fwd[0]])
            return [len(arcs) - 1]
        start = cuts[0]
        rot = body[start:] + body[:start] + [body[start]]
        refs, last = [], 0
        for i in range(1, len(rot)):
            if rot[i] in junctions or i == len(rot) - 1:
                refs.append(arc_ref(rot[last : i + 1]))
                last = i
        return refs

    topo = Topology(arcs, [], objects)
    for name, feats in objects.items():
        for i, f in enumerate(feats):
            topo.refs.append([[ring_refs(r) for r in poly] for poly in f.polygons])
            topo.order.append((name, i))
    return topo


# --------------------------------------------------------------------------- simplify


def _seg_dist2(p: Point, a: Point, b: Point) -> float:
    ax, ay = a
    dx, dy = b[0] - ax, b[1] - ay
    px, py = p[0] - ax, p[1] - ay
    d2 = dx * dx + dy * dy
    if d2 == 0:
        return px * px + py * py
    t = max(0.0, min(1.0, (px * dx + py * dy) / d2))
    ex, ey = px - t * dx, py - t * dy
    return ex * ex + ey * ey


def _douglas_peucker(points: list[Point], tol: float) -> list[int]:
    """Indexes kept by Douglas–Peucker (iterative), always the ends and – if the arc has
    interior vertices – at least the farthest one."""
    n = len(points)
    if n <= 2:
        return list(range(n))
    keep = {0, n - 1}
    tol2 = tol * tol
    stack = [(0, n - 1)]
    first = True
    while stack:
        a, b = stack.pop()
        best, best_d = -1, -1.0
        for i in range(a + 1, b):
            d = _seg_dist2(points[i], points[a], points[b])
            if d > best_d:
                best, best_d = i, d
        if best > 0 and (best_d > tol2 or first):
            keep.add(best)
            stack.append((a, best))
            stack.append((best, b))
        first = False
    return sorted(keep)


def simplify_arc(points: list[Point], tol: float) -> list[Point]:
    if tol <= 0:
        return points
    if points[0] == points[-1] and len(points) > 3:
        # A closed arc: split at its vertex farthest from the start, simplify both halves.
        far = max(
            range(1, len(points) - 1), key=lambda i: _seg_dist2(points[i], points[0], points[0])
        )
        left = _douglas_peucker(points[: far + 1], tol)
        right = _douglas_peucker(points[far:], tol)
        return [points[i] for i in left] + [points[far + i] for i in right[1:]]
    return [points[i] for i in _douglas_peucker(points, tol)]


# --------------------------------------------------------------------------- quantise + check


def _quantise(points: list[Point], project: dict[Point, IPoint]) -> list[IPoint]:
    out: list[IPoint] = []
    for p in points:
        q = project[p]
        if not out or out[-1] != q:
            out.append(q)
    if len(out) == 1:
        out.append(out[0])
    return out


def _orient(a: IPoint, b: IPoint, c: IPoint) -> int:
    v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    return (v > 0) - (v < 0)


def _on_segment(a: IPoint, b: IPoint, p: IPoint) -> bool:
    return min(a[0], b[0]) <= p[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])


def _segments_conflict(a: IPoint, b: IPoint, c: IPoint, d: IPoint) -> bool:
    """Whether segments ab and cd meet anywhere other than in one shared end point."""
    shared = {a, b} & {c, d}
    o1, o2, o3, o4 = _orient(a, b, c), _orient(a, b, d), _orient(c, d, a), _orient(c, d, b)
    if shared:
        if len(shared) == 2:
            return True  # the same segment twice
        # Touching in one end is fine unless they are collinear and overlap.
        if o1 == 0 and o2 == 0:
            s = shared.pop()
            other1 = b if a == s else a
            other2 = d if c == s else c
            dot = (other1[0] - s[0]) * (other2[0] - s[0]) + (other1[1] - s[1]) * (other2[1] - s[1])
            return dot > 0
        return False
    if o1 != o2 and o3 != o4:
        return True
    return (
        (o1 == 0 and _on_segment(a, b, c))
        or (o2 == 0 and _on_segment(a, b, d))
        or (o3 == 0 and _on_segment(c, d, a))
        or (o4 == 0 and _on_segment(c, d, b))
    )


def crossing_arcs(arcs: list[list[IPoint]], cell: int = 200) -> set[int]:
    """Arcs that cross or overlap another arc (or themselves) anywhere but at shared
    ends, found with a uniform grid over the segments."""
    grid: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for ai, arc in enumerate(arcs):
        for si in range(len(arc) - 1):
            (x0, y0), (x1, y1) = arc[si], arc[si + 1]
            for gx in range(min(x0, x1) // cell, max(x0, x1) // cell + 1):
                for gy in range(min(y0, y1) // cell, max(y0, y1) // cell + 1):
                    grid[gx, gy].append((ai, si))
    bad: set[int] = set()
    seen: set[tuple[int, int, int, int]] = set()
    for segs in grid.values():
        for i in range(len(segs)):
            ai, si = segs[i]
            a, b = arcs[ai][si], arcs[ai][si + 1]
            for j in range(i + 1, len(segs)):
                aj, sj = segs[j]
                if ai == aj and abs(si - sj) <= 1:
                    continue  # neighbours in one arc share their common vertex
                pair = (ai, si, aj, sj)
                if pair in seen:
                    continue
                seen.add(pair)
                c, d = arcs[aj][sj], arcs[aj][sj + 1]
                if a == b or c == d:
                    continue
                if ai == aj and arcs[ai][0] == arcs[ai][-1] and {si, sj} == {0, len(arcs[ai]) - 2}:
                    continue  # first and last segment of a closed arc meet at its start
                if _segments_conflict(a, b, c, d):
                    bad.update((ai, aj))
    return bad


def _ring_points(refs: list[int], arcs: list[list[IPoint]]) -> list[IPoint]:
    pts: list[IPoint] = []
    for r in refs:
        arc = arcs[r] if r >= 0 else arcs[~r][::-1]
        pts.extend(arc if not pts else arc[1:])
    return pts


# --------------------------------------------------------------------------- output


@dataclass
class Result:
    topology: dict[str, Any]
    text: str
    points_in: int
    points_out: int
    rounds: int


def make_topojson(
    objects: dict[str, list[Feature]],
    tolerance: float,
    metadata: dict[str, Any],
) -> Result:
    """Build, simplify, reproject, quantise and check one topology; return it as text."""
    topo = build_topology(objects)
    raw = topo.arcs
    tol = [tolerance] * len(raw)
    projected: dict[Point, IPoint] = {}

    def q(p: Point) -> IPoint:
        lon, lat = gk3_to_wgs84(*p)
        return round(lon / GRID_DEG), round(lat / GRID_DEG)

    rounds = 0
    simplified = [simplify_arc(a, t) for a, t in zip(raw, tol, strict=True)]
    while True:
        rounds += 1
        for arc in simplified:
            for p in arc:
                if p not in projected:
                    projected[p] = q(p)
        qarcs = [_quantise(a, projected) for a in simplified]
        bad = crossing_arcs(qarcs)
        for refs in topo.refs:
            for poly in refs:
                for ri, ring in enumerate(poly):
                    area = _signed_area(_ring_points(ring, qarcs))
                    # exterior must stay clockwise, holes counter-clockwise (source sense)
                    if area == 0 or (area > 0) != (ri > 0):
                        bad.update(r if r >= 0 else ~r for r in ring)
        bad = {i for i in bad if tol[i] > 0}
        if not bad:
            break
        if rounds > 12:
            raise SystemExit(f"Topologie nach {rounds} Runden nicht fehlerfrei: {len(bad)} Bögen")
        for i in bad:
            tol[i] = tol[i] / 2 if tol[i] > 1 else 0.0
            simplified[i] = simplify_arc(raw[i], tol[i])

    # Orientation for d3-geo/Vega: exterior clockwise, holes counter-clockwise (lon/lat,
    # north up). Shapefiles use the same sense and Gauss-Krüger keeps it, but a ring is
    # turned around here if needed rather than trusted.
    geometries: dict[str, list[dict[str, Any]]] = {name: [] for name in objects}
    for (name, fi), refs in zip(topo.order, topo.refs, strict=True):
        feat = objects[name][fi]
        polys = []
        for poly in refs:
            rings = []
            for ri, ring in enumerate(poly):
                clockwise = _signed_area(_ring_points(ring, qarcs)) < 0
                if clockwise != (ri == 0):
                    ring = [~r for r in reversed(ring)]
                rings.append(ring)
            polys.append(rings)
        geom: dict[str, Any] = (
            {"type": "Polygon", "arcs": polys[0]}
            if len(polys) == 1
            else {"type": "MultiPolygon", "arcs": polys}
        )
        geometries[name].append({**geom, "properties": feat.props})

    xs = [p[0] for a in qarcs for p in a]
    ys = [p[1] for a in qarcs for p in a]
    x0, y0 = min(xs), min(ys)
    encoded = []
    for qarc in qarcs:
        px, py = x0, y0
        enc = []
        for qx, qy in qarc:
            enc.append([qx - px, qy - py])
            px, py = qx, qy
        encoded.append(enc)
    digits = round(-math.log10(GRID_DEG))
    doc: dict[str, Any] = {
        "type": "Topology",
        "metadata": metadata,
        "bbox": [
            round(x0 * GRID_DEG, digits),
            round(y0 * GRID_DEG, digits),
            round(max(xs) * GRID_DEG, digits),
            round(max(ys) * GRID_DEG, digits),
        ],
        "transform": {
            "scale": [GRID_DEG, GRID_DEG],
            "translate": [round(x0 * GRID_DEG, digits), round(y0 * GRID_DEG, digits)],
        },
        "objects": {
            name: {"type": "GeometryCollection", "geometries": geoms}
            for name, geoms in geometries.items()
        },
        "arcs": encoded,
    }
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"
    return Result(
        doc,
        text,
        points_in=sum(len(a) for a in raw),
        points_out=sum(len(a) for a in qarcs),
        rounds=rounds,
    )


def metadata(title: str, layers: Sequence[str], source: Path, tolerance: float) -> dict[str, Any]:
    return {
        "title": title,
        "source": f"BKG, Verwaltungsgebiete 1:5 000 000, Ebenen (VG5000), Stand {STAND}",
        "stand": STAND,
        "attribution": ATTRIBUTION,
        "attribution_url": ATTRIBUTION_URL,
        "license": LICENSE,
        "license_name": LICENSE_NAME,
        "license_url": LICENSE_URL,
        "download": DOWNLOAD_URL,
        "changes": (
            "nur Landflächen (GF 9); von EPSG:31467 nach EPSG:4326 umgerechnet "
            "(Helmert DHDN→WGS 84, EPSG:1777); gemeinsame Grenzen vereinfacht "
            f"(Douglas-Peucker, {tolerance:g} m); Koordinaten auf {GRID_DEG:g}° gerundet"
        ),
        "crs": "EPSG:4326",
        "winding": "exterior rings clockwise, holes counter-clockwise (d3-geo, Vega)",
        "generator": "scripts/derive_boundaries.py",
        "source_sha256": source_digest(source, layers),
    }


# --------------------------------------------------------------------------- mismatch report


def _directory(path: Path) -> tuple[str, dict[str, str], dict[str, str]]:
    """Gebietsstand, Kreise (key → name) and Gemeinden (AGS → name) of a Destatis file,
    read by the app's own loader (the same rules as `kommunetz load`)."""
    sys.path.insert(0, str(REPO))
    from loaders.destatis import read_directory

    batch = read_directory(path)
    stand = ""
    kreise: dict[str, str] = {}
    gemeinden: dict[str, str] = {}
    for node in batch.nodes:
        if node.label == "Source":
            stand = str(node.props.get("date", ""))
        elif node.label == "Municipality" and node.props.get("level") == "Kreis":
            kreise[node.key] = str(node.props["name"])
        elif node.label == "Municipality" and node.props.get("level") == "Gemeinde":
            gemeinden[node.key] = str(node.props["name"])
    for ags, name in gemeinden.items():
        # kreisfreie Städte (and Berlin, Hamburg) are their own Kreis
        kreise.setdefault(ags[:5], name)
    return stand, kreise, gemeinden


def _squeeze(name: str) -> str:
    """A name without blanks: "a.d. Ilm" (VG5000) and "a.d.Ilm" (Destatis) are one name."""
    return "".join(name.split())


def mismatch_report(
    kreise: list[Feature], gemeinden: list[Feature], directory: Path
) -> dict[str, Any]:
    """Keys found only in the 2021 shapes or only in the directory, with names."""
    stand, dir_kreise, dir_gemeinden = _directory(directory)

    def compare(shapes: dict[str, Feature], listed: dict[str, str]) -> dict[str, Any]:
        only_shapes = sorted(set(shapes) - set(listed))
        only_dir = sorted(set(listed) - set(shapes))
        renamed = [
            {"key": k, "name_shapes": shapes[k].props["name"], "name_directory": listed[k]}
            for k in sorted(set(shapes) & set(listed))
            if _squeeze(shapes[k].props["name"]) != _squeeze(listed[k])
        ]
        return {
            "shapes": len(shapes),
            "directory": len(listed),
            "matched": len(set(shapes) & set(listed)),
            "only_in_shapes": [
                {"key": k, "name": shapes[k].props["name"], "kind": shapes[k].props["kind"]}
                for k in only_shapes
            ],
            "only_in_directory": [{"key": k, "name": listed[k]} for k in only_dir],
            "name_differs": renamed,
        }

    municipal = {f.key: f for f in gemeinden if f.props["kind"] != "Gemeindefreies Gebiet"}
    return {
        "metadata": {
            "title": "Abweichungen zwischen Gebietsstand der Grenzen und Gemeindeverzeichnis",
            "shapes": f"BKG VG5000, Stand {STAND}",
            "directory": f"Destatis Gemeindeverzeichnis (GV-ISys), Gebietsstand {stand}",
            "directory_file": directory.name,
            "note": (
                "Schlüssel, die nur in einer der beiden Quellen vorkommen (Gebietsreformen "
                "seit 2021). Gemeindefreie Gebiete sind nicht mitgezählt. Namen werden "
                'ohne den Zusatz nach dem Komma ("Düren, Stadt" → "Düren") und ohne '
                'Leerzeichen verglichen ("a.d. Ilm" = "a.d.Ilm"); name_differs nennt '
                "gleiche Schlüssel mit anderem Namen (z. B. zweisprachige Namen)."
            ),
            "generator": "scripts/derive_boundaries.py",
        },
        "kreise": compare({f.key: f for f in kreise}, dir_kreise),
        "gemeinden": compare(municipal, dir_gemeinden),
    }


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="VG5000-Ordner")
    parser.add_argument(
        "--directory",
        type=Path,
        default=DEFAULT_DIRECTORY,
        help="Destatis-Gemeindeverzeichnis (.xlsx) für den Abgleich",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Zielordner")
    parser.add_argument(
        "--measure", action="store_true", help="nur Größen je Toleranz ausgeben, nichts schreiben"
    )
    args = parser.parse_args(argv)

    laender = read_layer(args.source, "LAN")
    kreise = read_layer(args.source, "KRS")
    verbaende = [f for f in read_layer(args.source, "VWG") if f.props["kind"] not in NOT_A_VERBAND]
    gemeinden = read_layer(args.source, "GEM")
    if len(laender) != 16 or len(kreise) != 401:
        raise SystemExit(
            f"erwartet 16 Länder und 401 Kreise, gefunden {len(laender)}/{len(kreise)}"
        )

    # name → (budget key, title, layers, objects)
    files: dict[str, tuple[str, str, list[str], dict[str, list[Feature]]]] = {
        "vg5000_2021_laender_kreise.topo.json": (
            "laender_kreise",
            "Länder und Kreise Deutschlands (vereinfacht)",
            ["LAN", "KRS"],
            {"laender": laender, "kreise": kreise},
        )
    }
    for land in laender:
        code = land.key

        def of_land(feats: list[Feature], code: str = code) -> list[Feature]:
            return [f for f in feats if f.key.startswith(code)]

        files[f"gemeinden/vg5000_2021_gemeinden_{code}.topo.json"] = (
            "gemeinden",
            f"Kreise, Gemeindeverbände und Gemeinden: {land.props['name']} (vereinfacht)",
            ["KRS", "VWG", "GEM"],
            {
                "kreise": of_land(kreise),
                "verbaende": of_land(verbaende),
                "gemeinden": of_land(gemeinden),
            },
        )

    if args.measure:
        for name, (budget, title, layers, objects) in files.items():
            if budget == "gemeinden" and not name.endswith(("_09.topo.json", "_12.topo.json")):
                continue  # the largest two (Bayern, Brandenburg) stand for the rest
            for tol in (0, 100, 250, 500, 1000):
                r = make_topojson(objects, tol, metadata(title, layers, args.source, tol))
                print(
                    f"{name:45} Toleranz {tol:>5} m: {len(r.text.encode()):>9,} Bytes, "
                    f"{r.points_out:>7,} von {r.points_in:,} Punkten, {r.rounds} Runde(n)",
                    flush=True,
                )
        return 0

    total = 0
    for name, (budget, title, layers, objects) in files.items():
        tol_m = TOLERANCE_M[budget]
        r = make_topojson(objects, tol_m, metadata(title, layers, args.source, tol_m))
        data = r.text.encode("utf-8")
        if len(data) > BUDGET[budget]:
            raise SystemExit(f"{name}: {len(data):,} Bytes > Budget {BUDGET[budget]:,}")
        path = args.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if budget == "gemeinden":
            total += len(data)
        print(
            f"{name}: {len(data):,} Bytes, {r.points_out:,} von {r.points_in:,} Punkten, "
            f"Toleranz {tol_m:g} m, {r.rounds} Prüfrunde(n)",
            flush=True,
        )
    if total > BUDGET["gemeinden_total"]:
        raise SystemExit(f"Gemeinden: {total:,} Bytes > Budget {BUDGET['gemeinden_total']:,}")
    print(f"gemeinden/ zusammen: {total:,} Bytes")

    report = mismatch_report(kreise, gemeinden, args.directory)
    path = args.out / "abweichungen.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for level in ("kreise", "gemeinden"):
        part = report[level]
        print(
            f"{level}: {part['shapes']} in den Grenzen, {part['directory']} im Verzeichnis, "
            f"{len(part['only_in_shapes'])} nur in den Grenzen, "
            f"{len(part['only_in_directory'])} nur im Verzeichnis, "
            f"{len(part['name_differs'])} mit anderem Namen"
        )
    print(f"{path.name}: {path.stat().st_size:,} Bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
