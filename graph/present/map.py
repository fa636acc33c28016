"""The map: a Vega-Lite specification (drawn by Streamlit's own Vega bundle, see
``docs/map-renderer.md``) of a choropleth per Kreis or Land, the municipalities as points,
answers marked on it; the same figures as table rows; PNG/SVG exports; and the differences
between the 2021 boundaries and the graph, reported rather than guessed.

Everything is a pure function of the boundaries (``data/geo/``, read by
`graph.present.topojson`) and of `MapFigures` (`graph.present.geofigures`).

Colours: a sequential ColorBrewer "Blues" scale for the areas (safe for every common
colour-vision deficiency and in greyscale print), Okabe–Ito colours *and* shapes for the
points, so that nothing depends on telling colours apart.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from graph.present import topojson
from graph.present.geofigures import MEASURES, MapFigures, Place
from graph.present.text import format_decimal, format_int, state_name

ATTRIBUTION: Final = "© GeoBasis-DE / BKG 2021 (Daten verändert)"
ATTRIBUTION_URL: Final = "https://www.bkg.bund.de"
POINTS_SOURCE: Final = "Gemeinden: © Statistisches Bundesamt (Destatis), dl-de/by-2-0"
#: In the chart itself (two lines under the title), so that every PNG/SVG export carries it.
CHART_CREDIT: Final = (f"{ATTRIBUTION}, www.bkg.bund.de", POINTS_SOURCE)

NO_DATA: Final = "keine Angabe"
#: ColorBrewer "Blues" (5 classes) and a neutral grey for areas without a figure.
BLUES: Final = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
NO_DATA_COLOUR: Final = "#bdbdbd"

#: Point roles, drawn in this order (later on top): colour, shape, size.
ROLES: Final[dict[str, tuple[str, str, int]]] = {
    "Gemeinde": ("#6b6b6b", "circle", 5),
    "Mitglied": ("#e69f00", "diamond", 90),
    "Programmteilnehmer": ("#cc79a7", "triangle-up", 90),
    "Mitglied und Programmteilnehmer": ("#d55e00", "square", 90),
}
ANSWER_COLOUR: Final = "#000000"

AREA_PARAM, POINT_PARAM, MARKED_PARAM = "flaeche", "ort", "markiert"
#: The chart's selections, as `st.vega_lite_chart` names them (``selection_mode``).
PARAMS: Final = (AREA_PARAM, POINT_PARAM, MARKED_PARAM)
PROJECTION: Final = {"type": "conicConformal", "parallels": [48.67, 53.67], "rotate": [-10.5, 0]}
WIDTH, HEIGHT = 560, 700
GERMAN: Final = {
    "number": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " €"]}
}

Level = Literal["Kreis", "Land"]
OBJECT: Final[dict[str, str]] = {"Kreis": "kreise", "Land": "laender"}


@dataclass(frozen=True)
class MapChoice:
    """What the user chose to see."""

    level: Level = "Kreis"
    measure: str = "members"
    per_capita: bool = False
    state: str | None = None
    """A Land code: zoom to that Land; None: Germany."""
    highlight: tuple[str, ...] = ()
    """Node ids to mark (an answer's municipalities)."""
    highlight_title: str = ""
    stand: str = ""
    """The date or year the figures are as of ("" for all times): the title says it, so
    an exported map does too."""

    @property
    def measure_name(self) -> str:
        name = MEASURES[self.measure]
        return f"{name} je 100.000 Einwohner" if self.per_capita else name

    @property
    def title(self) -> str:
        where = state_name(self.state) if self.state else "Deutschland"
        per = "Kreis" if self.level == "Kreis" else "Land"
        title = f"{self.measure_name} je {per} – {where}"
        return f"{title}, Stand {self.stand}" if self.stand else title


@dataclass(frozen=True)
class Differences:
    """Where the 2021 boundaries and the loaded graph do not fit together."""

    no_figures: list[dict[str, str]] = field(default_factory=list)
    """Areas of the boundaries that the directory no longer has (shown without a value)."""
    no_area: list[dict[str, str]] = field(default_factory=list)
    """Places in the graph whose Kreis has no area in the boundaries (counted, no area)."""
    same_name: dict[str, list[Place]] = field(default_factory=dict)
    """Area key → places of the graph with the area's name (where it went, as the
    directory says)."""


def differences(
    topo: Mapping[str, Any], figures: MapFigures, report: Mapping[str, Any]
) -> Differences:
    """The areas that get no value (``report``: ``data/geo/abweichungen.json``, the
    boundaries against the directory they were derived with) and the places of the graph
    that lie in no area of the boundaries."""
    shapes = topojson.areas(dict(topo), "kreise")
    no_figures = [
        dict(e) for e in report.get("kreise", {}).get("only_in_shapes", []) if e["key"] in shapes
    ]
    same_name: dict[str, list[Place]] = {}
    for e in no_figures:
        same_name[e["key"]] = sorted(
            (
                p
                for p in figures.places.values()
                if p.name == e["name"] and p.key[:2] == e["key"][:2] and p.key != e["key"]
            ),
            key=lambda p: p.key,
        )
    no_area = [
        {"key": p.key, "name": p.name, "kind": p.kind}
        for p in sorted(figures.places.values(), key=lambda p: p.key)
        if p.key[:5] not in shapes and (p.networks or p.programmes or p.projects)
    ]
    return Differences(no_figures, no_area, same_name)


# -- figures per area -----------------------------------------------------------------


def classes(values: Collection[float]) -> list[tuple[str, float]]:
    """Up to four classes of the positive values, each as (German label, lower bound): each
    value its own class where there are at most four, else the quartiles of the distinct
    values; 0 is a class of its own before them."""
    pos = sorted(v for v in values if v > 0)
    if not pos:
        return []
    distinct = sorted(set(pos))
    # quartiles of the distinct values: counts are mostly 1, quartiles of all values
    # would put nearly everything into one class
    n = len(distinct)
    bounds = distinct if n <= 4 else sorted({distinct[n * i // 4] for i in range(4)})
    whole = all(float(v).is_integer() for v in pos)
    out = []
    for i, lo in enumerate(bounds):
        hi = bounds[i + 1] if i + 1 < len(bounds) else None
        if whole:
            top = int(hi) - 1 if hi is not None else int(pos[-1])
            label = _num(lo) if top <= lo else f"{_num(lo)}–{_num(top)}"
        elif hi is not None:
            label = f"{_num(lo)} bis unter {_num(hi)}"
        else:
            label = f"ab {_num(lo)}"
        out.append((label, lo))
    return out


def _num(x: float) -> str:
    return format_int(x) if float(x).is_integer() else format_decimal(x, 2)


def area_rows(
    topo: Mapping[str, Any], figures: MapFigures, choice: MapChoice, no_value: Collection[str]
) -> list[dict[str, Any]]:
    """One row per area on the map (of the chosen level, within the chosen Land): its
    figures as numbers and as German text, its value and class for the chosen measure.
    Areas in ``no_value`` (not in the directory) get no value."""
    shapes = topojson.areas(dict(topo), OBJECT[choice.level])
    found = figures.areas[choice.level]
    rows: list[dict[str, Any]] = []
    for key, props in sorted(shapes.items()):
        if choice.state and not key.startswith(choice.state):
            continue
        area = found.get(key)
        known = key not in no_value
        value = (area.value(choice.measure, choice.per_capita) if area else 0.0) if known else None
        rows.append(
            {
                "ags": key,
                "name": area.name if area and area.name != key else str(props["name"]),
                "kind": str(props.get("kind", "")),
                "value": value,
                "members": area.members if area else 0,
                "projects": area.projects if area else 0,
                "participants": area.participants if area else 0,
                "population": area.population if area else None,
                "known": known,
            }
        )
    bins = classes([r["value"] for r in rows if r["value"] is not None])
    for r in rows:
        r["klasse"] = _class_of(r["value"], bins)
        r["wert"] = NO_DATA if r["value"] is None else _num(r["value"])
        r["einwohner"] = format_int(r["population"]) if r["population"] else NO_DATA
        for m in MEASURES:
            r[f"{m}_text"] = format_int(r[m]) if r["known"] else NO_DATA
    return rows


def legend_classes(rows: list[dict[str, Any]]) -> list[str]:
    """The classes in legend order: 0, the value classes, no value (those that occur)."""
    seen = {r["klasse"] for r in rows}
    order = ["0"] + [k for k in _class_order(rows) if k != "0"] + [NO_DATA]
    return [k for k in dict.fromkeys(order) if k in seen]


def _class_order(rows: list[dict[str, Any]]) -> list[str]:
    return [label for label, _ in classes([r["value"] for r in rows if r["value"] is not None])]


def _class_of(value: float | None, bins: list[tuple[str, float]]) -> str:
    if value is None:
        return NO_DATA
    label = "0"
    for name, lo in bins:
        if value >= lo:
            label = name
    return label


def table_rows(rows: list[dict[str, Any]], choice: MapChoice) -> list[dict[str, Any]]:
    """The map's figures as a table (BITV: the same content as the picture)."""
    area = "Kreis" if choice.level == "Kreis" else "Land"
    out = []
    for r in sorted(rows, key=lambda r: (-(r["value"] or 0), r["name"])):
        row: dict[str, Any] = {
            area: r["name"],
            "Art": r["kind"],
            "Schlüssel": r["ags"],
            choice.measure_name: r["value"],
        }
        for m, name in MEASURES.items():
            row[name] = r[m] if r["known"] else None
        row["Einwohner"] = r["population"]
        out.append(row)
    return out


# -- points ---------------------------------------------------------------------------


def role_of(p: Place) -> str:
    if p.networks and p.programmes:
        return "Mitglied und Programmteilnehmer"
    if p.networks:
        return "Mitglied"
    if p.programmes:
        return "Programmteilnehmer"
    return "Gemeinde"


def point_rows(figures: MapFigures, state: str | None = None) -> list[dict[str, Any]]:
    """The Gemeinden with coordinates (within Land ``state``), by AGS."""
    rows = []
    for p in figures.places.values():
        if p.lat is None or p.lon is None or not p.is_gemeinde:
            continue
        if state and not p.key.startswith(state):
            continue
        role = role_of(p)
        row = {
            "ags": p.key,
            "name": p.name,
            "kind": p.kind,
            # 0.0001° ≈ 11 m, the grid of the boundaries; keeps 10,752 points small
            "lon": round(p.lon, 4),
            "lat": round(p.lat, 4),
            "rolle": role,
            "einwohner": format_int(p.population) if p.population else NO_DATA,
        }
        if role != "Gemeinde":
            row["netzwerke"] = ", ".join(p.networks) or "–"
            row["programme"] = ", ".join(p.programmes) or "–"
        rows.append(row)
    rows.sort(key=lambda r: str(r["ags"]))
    return rows


# -- the specification ----------------------------------------------------------------


def spec(
    topo: Mapping[str, Any],
    figures: MapFigures,
    choice: MapChoice,
    no_value: Collection[str] = (),
    *,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> dict[str, Any]:
    """The Vega-Lite specification of the map (a plain dict, JSON-ready)."""
    import altair as alt

    rows = area_rows(topo, figures, choice, no_value)
    points = point_rows(figures, choice.state)
    obj = OBJECT[choice.level]
    prefix = choice.state or ""
    legend = legend_classes(rows)
    shades = _shades(legend)
    area_pick = alt.selection_point(name=AREA_PARAM, fields=["ags"], on="click")
    point_pick = alt.selection_point(name=POINT_PARAM, fields=["ags"], on="click")
    marked_pick = alt.selection_point(name=MARKED_PARAM, fields=["ags"], on="click")
    table = alt.Data(name="figures")  # in ``datasets``: cheap for Altair to check
    fields = ["name", "klasse", "wert", "einwohner"] + [f"{m}_text" for m in MEASURES]

    areas = (
        alt.Chart(alt.Data(name="areas", format=alt.DataFormat(type="topojson", feature=obj)))
        .transform_calculate(ags="datum.properties.ags", kind="datum.properties.kind")
        .transform_lookup(lookup="ags", from_=alt.LookupData(table, "ags", fields))
        .mark_geoshape(stroke="white", strokeWidth=0.5)
        .encode(
            color=alt.Color(
                "klasse:N",
                title=choice.measure_name,
                scale=alt.Scale(domain=legend, range=shades),
                legend=alt.Legend(orient="right", symbolType="square", labelLimit=260),
            ),
            opacity=alt.condition(area_pick, alt.value(1.0), alt.value(0.75)),
            tooltip=[
                alt.Tooltip("name:N", title=choice.level),
                alt.Tooltip("kind:N", title="Art"),
                alt.Tooltip("wert:N", title=choice.measure_name),
                *[alt.Tooltip(f"{m}_text:N", title=name) for m, name in MEASURES.items()],
                alt.Tooltip("einwohner:N", title="Einwohner"),
            ],
        )
        .add_params(area_pick)
    )
    layers: list[Any] = [areas]
    if choice.level == "Kreis":
        layers.append(
            alt.Chart(
                alt.Data(name="borders", format=alt.DataFormat(type="topojson", mesh="laender"))
            ).mark_geoshape(filled=False, stroke="#222222", strokeWidth=1)
        )
    tooltip = [
        alt.Tooltip("name:N", title="Gemeinde"),
        alt.Tooltip("kind:N", title="Art"),
        alt.Tooltip("einwohner:N", title="Einwohner"),
    ]
    # the 10,000 plain Gemeinden as the cheapest mark (one colour, no stroke, no scale);
    # the few marked ones with colour *and* shape, and the legend for both
    grey, _, small = ROLES["Gemeinde"]
    plain = [r for r in points if r["rolle"] == "Gemeinde"]
    marked_rows = [r for r in points if r["rolle"] != "Gemeinde"]
    # an empty layer of points would throw the projection's fit off: left out
    point_layers = []
    point_layers.append(
        alt.Chart(alt.Data(name="points"))
        .mark_circle(size=small, color=grey, opacity=0.8)
        .encode(longitude="lon:Q", latitude="lat:Q", tooltip=tooltip)
        .add_params(point_pick)
    )
    point_layers.append(
        alt.Chart(alt.Data(name="marked_points"))
        .mark_point(filled=True, stroke="white", strokeWidth=0.6, opacity=1)
        .encode(
            longitude="lon:Q",
            latitude="lat:Q",
            color=alt.Color(
                "rolle:N",
                title="Gemeinden",
                scale=alt.Scale(domain=list(ROLES), range=[c for c, _, _ in ROLES.values()]),
                legend=alt.Legend(orient="right", symbolSize=90, labelLimit=260),
            ),
            shape=alt.Shape(
                "rolle:N",
                scale=alt.Scale(domain=list(ROLES), range=[s for _, s, _ in ROLES.values()]),
            ),
            size=alt.Size(
                "rolle:N",
                scale=alt.Scale(domain=list(ROLES), range=[z for _, _, z in ROLES.values()]),
                legend=None,
            ),
            tooltip=[
                *tooltip,
                alt.Tooltip("netzwerke:N", title="Mitglied von"),
                alt.Tooltip("programme:N", title="Programme"),
            ],
        )
        .add_params(marked_pick)
    )
    layers += [
        layer for layer, rows_ in zip(point_layers, (plain, marked_rows), strict=True) if rows_
    ]
    marked = _answer_layers(choice, obj)
    layers += marked
    chart = (
        alt.layer(*layers)
        .resolve_scale(color="independent", shape="independent", size="independent")
        .project(**PROJECTION)
        .properties(
            width=width,
            height=height,
            title=alt.TitleParams(
                choice.title,
                subtitle=list(CHART_CREDIT),
                anchor="start",
                fontSize=15,
                subtitleFontSize=11,
            ),
        )
        .configure_view(stroke=None)
    )
    out: dict[str, Any] = chart.to_dict()
    out["config"]["locale"] = GERMAN
    # the plot keeps its size, title and legends come on top (Streamlit would otherwise fit
    # all of them into width × height and shrink the map)
    out["autosize"] = {"type": "pad", "contains": "padding"}
    datasets = out.setdefault("datasets", {})
    datasets["areas"] = topojson.only(dict(topo), obj, prefix)
    if choice.level == "Kreis":
        datasets["borders"] = topojson.only(dict(topo), "laender", prefix)
    if plain:
        datasets["points"] = plain
    if marked_rows:
        datasets["marked_points"] = marked_rows
    datasets["figures"] = rows
    if marked:
        label = choice.highlight_title or "Antwort"
        datasets["answer_points"] = [
            {**r, "hinweis": label} for r in points if r["ags"] in _marked(choice)
        ]
        datasets["answer_areas"] = topojson.subset(
            {
                **topo,
                "objects": {
                    obj: {
                        **topo["objects"][obj],
                        "geometries": [
                            g
                            for g in topo["objects"][obj]["geometries"]
                            if g["properties"]["ags"] in _marked(choice)
                            and str(g["properties"]["ags"]).startswith(prefix)
                        ],
                    }
                },
            },
            [obj],
        )
    return out


def _marked(choice: MapChoice) -> set[str]:
    return {nid.partition(":")[2] for nid in choice.highlight}


def _answer_layers(choice: MapChoice, obj: str) -> list[Any]:
    """An answer's Gemeinden as black rings, its Kreise (or Länder) as black outlines."""
    import altair as alt

    if not choice.highlight:
        return []
    label = choice.highlight_title or "Antwort"
    ring = (
        alt.Chart(alt.Data(name="answer_points"))
        .mark_point(shape="circle", filled=False, size=260, strokeWidth=2.2)
        .encode(
            longitude="lon:Q",
            latitude="lat:Q",
            color=alt.Color(
                "hinweis:N",
                title="Auf der Karte",
                scale=alt.Scale(domain=[label], range=[ANSWER_COLOUR]),
                legend=alt.Legend(orient="right", labelLimit=260),
            ),
            tooltip=[
                alt.Tooltip("name:N", title=label),
                alt.Tooltip("kind:N", title="Art"),
            ],
        )
    )
    outline = alt.Chart(
        alt.Data(name="answer_areas", format=alt.DataFormat(type="topojson", feature=obj))
    ).mark_geoshape(filled=False, stroke=ANSWER_COLOUR, strokeWidth=2.5)
    return [outline, ring]


def _shades(legend: list[str]) -> list[str]:
    """As many shades as value classes, spread from the lightest (0) to the darkest."""
    n = len([k for k in legend if k != NO_DATA])
    last = len(BLUES) - 1
    picked = [BLUES[round(i * last / (n - 1))] for i in range(n)] if n > 1 else list(BLUES[:n])
    return picked + ([NO_DATA_COLOUR] if NO_DATA in legend else [])


def selected(event: Any) -> str | None:
    """The node id a click on the map chose (a Gemeinde point before an area), from the
    selection that Streamlit returns (``{"ort": [{"ags": …}], "flaeche": […]}``)."""
    selection = getattr(event, "selection", None) or (
        event.get("selection") if isinstance(event, Mapping) else None
    )
    if not selection:
        return None
    for param in (MARKED_PARAM, POINT_PARAM, AREA_PARAM):
        for item in selection.get(param) or ():
            key = str(item.get("ags", ""))
            if key.isdigit():
                return f"State:{key}" if len(key) == 2 else f"Municipality:{key}"
    return None


def export(chart_spec: Mapping[str, Any], fmt: Literal["svg", "png"]) -> bytes:
    """The map as SVG or PNG (rendered on the server by vl-convert, without network;
    the credit line is part of the chart)."""
    import vl_convert as vlc

    if fmt == "svg":
        return str(vlc.vegalite_to_svg(dict(chart_spec))).encode("utf-8")
    return bytes(vlc.vegalite_to_png(dict(chart_spec), scale=2))


def figures_of(figures: MapFigures, nid: str) -> list[tuple[str, str]]:
    """What the map says about a clicked node, as (label, value) lines: an area's sums
    (a Kreis also has a point of its own only when it is a Gemeinde), a Gemeinde's ties."""
    label, _, key = nid.partition(":")
    out: list[tuple[str, str]] = []
    level = "Land" if label == "State" else "Kreis" if len(key) == 5 else None
    if level is not None and key in figures.areas[level]:
        area = figures.areas[level][key]
        out += [(name, format_int(getattr(area, m))) for m, name in MEASURES.items()]
        if area.population:
            out.append(("Einwohner (Summe der Gemeinden)", format_int(area.population)))
    place = figures.places.get(nid)
    if place is not None and level is None:
        out.append(("Mitglied von", ", ".join(place.networks) or "keinem Netzwerk"))
        out.append(("Programme", ", ".join(place.programmes) or "keine"))
        out.append(("Projekte", format_int(len(place.projects))))
    return out


def params_in(chart_spec: Mapping[str, Any]) -> list[str]:
    """The selections a drawn spec has (a layer without data is left out, its selection
    with it) — what `st.vega_lite_chart` is told to return."""
    found = [*chart_spec.get("params", [])]  # Altair lifts a layer's params to the top
    found += [p for layer in chart_spec.get("layer", []) for p in layer.get("params", [])]
    names = {p["name"] for p in found}
    return [p for p in PARAMS if p in names]
