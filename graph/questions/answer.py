"""What every answer offers (rows for a table and CSV, JSON, plain German lines, a small
graph to draw) and the German words the answers share: a stored relationship as a
sentence, a role as a word."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import networkx as nx

from graph.core.nodes import Entity
from graph.present.text import entity_kind

#: How each relationship type reads as a German sentence: start, verb phrase, end.
_SENTENCES: dict[str, str] = {
    "IN_STATE": "{a} liegt im Land {b}",
    "PART_OF": "{a} gehört zum Kreis {b}",
    "MEMBER_OF": "{a} ist Mitglied von {b}",
    "PARTNER_OF": "{a} ist Partner von {b}",
    "RUNS": "{a} führt das Projekt {b} durch",
    "ABOUT": "{a} behandelt das Thema {b}",
    "HOSTED": "{a} richtete die Veranstaltung {b} aus",
    "ATTENDED": "{a} nahm an der Veranstaltung {b} teil",
    "AUTHORED": "{a} verfasste den Bericht {b}",
    "PARTY_TO": "{a} ist an der Kooperation {b} beteiligt",
    "IN_PROGRAMME": "{a} gehört zum Programm {b}",
    "CONCERNS": "{a} betrifft {b}",
}
#: A relationship as a short role word in tables ("Rolle").
ROLE_WORDS: dict[str, str] = {
    "RUNS": "führt durch",
    "PARTNER_OF": "Partner",
    "PARTY_TO": "beteiligt",
    "HOSTED": "Gastgeber",
    "ATTENDED": "Teilnahme",
    "MEMBER_OF": "Mitglied",
}


def sentence(rel: str, start: Entity, end: Entity, role: str | None = None) -> str:
    """A stored relationship as a German sentence (without full stop)."""
    text = _SENTENCES.get(rel, "{a} –" + rel + "→ {b}").format(a=start.quoted(), b=end.quoted())
    return f"{text} ({role})" if role and rel in ("PARTNER_OF", "HOSTED", "MEMBER_OF") else text


# -- tables, CSV, JSON: what every answer offers ------------------------------------------

Row = dict[str, Any]


class Answer:
    """What every answer offers the CLI and the page: rows for a table and CSV, a JSON
    form, plain German lines, and a small graph to draw."""

    def rows(self) -> list[Row]:
        raise NotImplementedError

    def lines(self) -> list[str]:
        raise NotImplementedError

    def view_graph(self) -> nx.MultiDiGraph:
        raise NotImplementedError

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)


class ViewBuilder:
    """A small networkx graph for `graph.present.view.render_html`, with the node attributes the
    stores' graphs have (``type``, ``key``, ``name``)."""

    def __init__(self) -> None:
        self.g = nx.MultiDiGraph()

    def node(self, e: Entity) -> str:
        if e.id not in self.g:
            self.g.add_node(e.id, type=e.label, key=e.key, name=e.name, kind=e.kind or "")
        return e.id

    def edge(self, a: Entity, b: Entity, rel: str, **attrs: Any) -> None:
        self.g.add_edge(self.node(a), self.node(b), key=rel, type=rel, **attrs)


def actor_cells(name_column: str, e: Entity) -> Row:
    """The columns a table gives an actor: its name (under ``name_column``), what it is,
    its Land, its key (AGS or id)."""
    return {name_column: e.name, "Art": entity_kind(e), "Land": e.state, "Schlüssel": e.key}


def join(values: Iterable[str]) -> str:
    """``a, b, c``: several values in one table cell or line."""
    return ", ".join(values)


#: The column of a table row that holds the ids of its sources (`sources_cell`); the page
#: shows each as its title with a link, the CSV keeps the ids.
SOURCES_COLUMN = "Quellen"


def sources_cell(ids: Iterable[str]) -> str:
    """Source ids for the `SOURCES_COLUMN`: each once, in the order given."""
    return join(dict.fromkeys(ids))


def cell_sources(cell: object) -> list[str]:
    """The source ids of a `SOURCES_COLUMN` cell."""
    return [s for s in str(cell or "").split(", ") if s]


@dataclass(frozen=True)
class Involvement:
    """One project or cooperation an actor works on, and how."""

    item: Entity
    rel: str
    role: str | None
    sources: tuple[str, ...]

    @property
    def role_text(self) -> str:
        return self.role or ROLE_WORDS.get(self.rel, self.rel)
