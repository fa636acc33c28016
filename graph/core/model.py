"""The graph model: which node labels and relationship types exist, how nodes are keyed
(the key formats), which ends a relationship may connect, and which labels are public.

Both stores and every loader read this module, so that a label, a key format or a date
format is spelled in one place only. Cypher that needs a label in its text builds it from
these constants; nothing a user typed ever becomes a label or a relationship type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class NodeType:
    """One node label: its key property, a pattern every key must match, and German names."""

    label: str
    key: str
    key_pattern: re.Pattern[str]
    singular: str
    plural: str


#: The key of every node that has an ``id``: lower case, digits, ``.``, ``_``, ``-``.
ID_KEY: Final[re.Pattern[str]] = re.compile(r"^[a-z0-9][a-z0-9._-]{0,119}$")
#: A Land: its two-digit code 01–16.
STATE_KEY: Final[re.Pattern[str]] = re.compile(r"^(0[1-9]|1[0-6])$")
#: A municipality: its Amtlicher Gemeindeschlüssel, 8 digits for a Gemeinde, 5 for a Kreis,
#: starting with the Land code.
AGS_KEY: Final[re.Pattern[str]] = re.compile(r"^(0[1-9]|1[0-6])\d{3}(\d{3})?$")
#: How a reference is written when it means a municipality: 5 or 8 digits. Loaders read such
#: a bare reference as a Kommune (and the store says so when no such Kommune exists), not
#: as an organisation whose id happens to be digits.
AGS_SHAPE: Final[re.Pattern[str]] = re.compile(r"^\d{5}(\d{3})?$")
#: A Gemeindeverband (Amt, Samtgemeinde, Verbandsgemeinde, Verwaltungsgemeinschaft …): the
#: Verband part of its Amtlicher Regionalschlüssel, 9 digits (Kreis + 4), as Destatis gives it.
ARS_KEY: Final[re.Pattern[str]] = re.compile(r"^(0[1-9]|1[0-6])\d{7}$")
#: How a reference is written when it means a Gemeindeverband: 9 digits.
ARS_SHAPE: Final[re.Pattern[str]] = re.compile(r"^\d{9}$")
#: A date as the data writes it: a year, a month or a day (``2014``, ``2014-09``,
#: ``2014-09-22``).
#: A web address as sources and websites give it.
WEB_ADDRESS: Final[re.Pattern[str]] = re.compile(r"^https?://\S+$")
PARTIAL_DATE: Final[re.Pattern[str]] = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

NODE_TYPES: Final[dict[str, NodeType]] = {
    t.label: t
    for t in (
        NodeType("Municipality", "ags", AGS_KEY, "Kommune", "Kommunen"),
        NodeType("Gemeindeverband", "ars", ARS_KEY, "Gemeindeverband", "Gemeindeverbände"),
        NodeType("State", "code", STATE_KEY, "Land", "Länder"),
        NodeType("Organisation", "id", ID_KEY, "Organisation", "Organisationen"),
        NodeType("Network", "id", ID_KEY, "Netzwerk", "Netzwerke"),
        NodeType("Project", "id", ID_KEY, "Projekt", "Projekte"),
        NodeType("Topic", "id", ID_KEY, "Thema", "Themen"),
        NodeType("Workshop", "id", ID_KEY, "Veranstaltung", "Veranstaltungen"),
        NodeType("Report", "id", ID_KEY, "Bericht", "Berichte"),
        NodeType("Cooperation", "id", ID_KEY, "Kooperation", "Kooperationen"),
        NodeType("Finding", "id", ID_KEY, "Erkenntnis", "Erkenntnisse"),
        NodeType("Source", "id", ID_KEY, "Quelle", "Quellen"),
        NodeType("Registration", "id", ID_KEY, "Registrierung", "Registrierungen"),
        NodeType("Contact", "id", ID_KEY, "Kontakt", "Kontakte"),
    )
}

#: Labels that may be shown to anyone. Registrations and contacts hold personal data or
#: unreviewed input and never leave the store through a public view or export.
PUBLIC_LABELS: Final[frozenset[str]] = frozenset(NODE_TYPES) - {"Registration", "Contact"}

#: Labels whose nodes are actors in the network (they run projects, attend workshops...).
#: A Gemeindeverband is one too: Amt Süderbrarup is a Smart-City model project.
ACTOR_LABELS: Final[frozenset[str]] = frozenset({"Municipality", "Gemeindeverband", "Organisation"})
#: Labels whose nodes are Körperschaften of the official directory (keyed by AGS or ARS).
DIRECTORY_LABELS: Final[frozenset[str]] = frozenset({"Municipality", "Gemeindeverband"})


@dataclass(frozen=True)
class RelType:
    """One relationship type, stored in one direction only, with the labels it may connect."""

    type: str
    starts: frozenset[str]
    ends: frozenset[str]
    description: str
    administrative: bool = False


def _rel(
    type_: str, starts: set[str], ends: set[str], description: str, administrative: bool = False
) -> RelType:
    return RelType(type_, frozenset(starts), frozenset(ends), description, administrative)


_ACTORS = set(ACTOR_LABELS)

REL_TYPES: Final[dict[str, RelType]] = {
    r.type: r
    for r in (
        _rel(
            "IN_STATE",
            {"Municipality", "Gemeindeverband"},
            {"State"},
            "liegt in",
            administrative=True,
        ),
        _rel(
            "PART_OF",
            {"Municipality", "Gemeindeverband"},
            {"Municipality"},
            "gehört zu",
            administrative=True,
        ),
        _rel(
            "IN_VERBAND",
            {"Municipality"},
            {"Gemeindeverband"},
            "gehört zum Gemeindeverband",
            administrative=True,
        ),
        _rel("MEMBER_OF", _ACTORS, {"Network", "Organisation"}, "ist Mitglied von"),
        _rel(
            "PARTNER_OF",
            _ACTORS,
            {"Network", "Project", "Municipality", "Organisation"},
            "ist Partner von",
        ),
        _rel("RUNS", _ACTORS, {"Project"}, "führt durch"),
        _rel(
            "ABOUT",
            {"Project", "Workshop", "Finding", "Cooperation", "Report"},
            {"Topic"},
            "behandelt",
        ),
        _rel("HOSTED", _ACTORS, {"Workshop"}, "richtete aus"),
        _rel("ATTENDED", _ACTORS, {"Workshop"}, "nahm teil an"),
        _rel("AUTHORED", _ACTORS, {"Report"}, "verfasste"),
        _rel("PARTY_TO", _ACTORS, {"Cooperation"}, "ist beteiligt an"),
        _rel(
            "IN_PROGRAMME",
            {"Project", "Workshop", "Report", "Cooperation"},
            {"Network"},
            "gehört zum Programm",
        ),
        _rel(
            "CONCERNS",
            {"Finding", "Report"},
            {
                "Municipality",
                "Organisation",
                "Project",
                "Network",
                "Topic",
                "Workshop",
                "Cooperation",
            },
            "betrifft",
        ),
        _rel("FOR", {"Registration"}, {"Municipality"}, "gilt für"),
        _rel("CONTACT", {"Registration"}, {"Contact"}, "Kontaktperson"),
    )
}

ADMINISTRATIVE_RELS: Final[frozenset[str]] = frozenset(
    t for t, r in REL_TYPES.items() if r.administrative
)

#: Relationship types that are written by the registration workflow only.
PRIVATE_RELS: Final[frozenset[str]] = frozenset({"FOR", "CONTACT"})

#: Labels whose nodes need no ``sources``: a source is its own evidence, registrations and
#: contacts are what a person sent.
UNSOURCED_LABELS: Final[frozenset[str]] = frozenset({"Source", "Registration", "Contact"})

#: Properties that hold a value valid on a date. A store keeps the newer value when two
#: loaders (say, the dossier and the Destatis directory) both know a municipality.
DATED_PROPS: Final[dict[str, str]] = {"population": "population_date"}

#: The edition date a directory record carries (the Destatis Gebietsstand). A record of
#: an older edition leaves a node stored from a newer one alone — every directory fact,
#: not only the population — and so do the older record's relationships.
EDITION_PROP: Final[str] = "gebietsstand"

#: Dates and times are shown, and membership dates counted, in German local time.
BERLIN: Final[ZoneInfo] = ZoneInfo("Europe/Berlin")

#: Every public node and relationship lists the ids of the Source nodes that back it.
SOURCES_PROP: Final[str] = "sources"


def node_id(label: str, key: str) -> str:
    """The id of a node in every networkx graph kommunetz builds: ``Label:key``.

    Keys are unique per label only (a Kreis key and a project id could look alike), so the
    label is part of the id.
    """
    return f"{label}:{key}"


def split_node_id(nid: str) -> tuple[str, str]:
    """Inverse of :func:`node_id`."""
    label, _, key = nid.partition(":")
    return label, key


def key_property(label: str) -> str:
    """The key property of ``label`` (``ags``, ``ars``, ``code`` or ``id``)."""
    return NODE_TYPES[label].key


STATES: Final[dict[str, tuple[str, str]]] = {
    "01": ("Schleswig-Holstein", "SH"),
    "02": ("Hamburg", "HH"),
    "03": ("Niedersachsen", "NI"),
    "04": ("Bremen", "HB"),
    "05": ("Nordrhein-Westfalen", "NW"),
    "06": ("Hessen", "HE"),
    "07": ("Rheinland-Pfalz", "RP"),
    "08": ("Baden-Württemberg", "BW"),
    "09": ("Bayern", "BY"),
    "10": ("Saarland", "SL"),
    "11": ("Berlin", "BE"),
    "12": ("Brandenburg", "BB"),
    "13": ("Mecklenburg-Vorpommern", "MV"),
    "14": ("Sachsen", "SN"),
    "15": ("Sachsen-Anhalt", "ST"),
    "16": ("Thüringen", "TH"),
}
"""The 16 Länder by their two-digit code (the first two digits of every AGS)."""
