"""The search as people type (issue 8, item 6), the same on both stores: kind words
("Landkreis Harburg", "Stadt Düren"), punctuation ("Halle/Saale"), umlauts written out
("Muenster"), an AGS without its leading zero, one typo."""

from __future__ import annotations

import pytest

from graph.core.errors import Ambiguous
from graph.core.records import Batch, Node
from graph.core.search import resolve
from graph.core.store import GraphStore

SRC = ["src-gv"]

PLACES = [
    ("03353", "Harburg", "Landkreis"),
    ("09779155", "Harburg (Schwaben)", "Stadt"),
    ("05358", "Düren", "Kreis"),
    ("05358008", "Düren", "Stadt"),
    ("15002000", "Halle (Saale)", "kreisfreie Stadt"),
    ("05754012", "Halle (Westf.)", "Stadt"),
    ("05515000", "Münster", "kreisfreie Stadt"),
    ("01060063", "Norderstedt", "Stadt"),
    ("08317", "Ortenaukreis", "Landkreis"),
]


def directory() -> Batch:
    nodes = [Node("Source", "src-gv", {"title": "Gemeindeverzeichnis", "url": "https://x.de"})]
    nodes += [
        Node("Municipality", ags, {"name": name, "kind": kind, "sources": SRC})
        for ags, name, kind in PLACES
    ]
    return Batch("gv.yaml", nodes=nodes)


#: What people type, and the place they mean.
VARIANTS = [
    ("Landkreis Harburg", "03353"),
    ("Kreis Harburg", "03353"),
    ("LK Harburg", "03353"),
    ("landkreis harburg", "03353"),
    ("Harburg", "03353"),
    ("Stadt Düren", "05358008"),
    ("Düren, Stadt", "05358008"),
    ("Kreis Düren", "05358"),
    ("Halle/Saale", "15002000"),
    ("Halle Saale", "15002000"),
    ("Muenster", "05515000"),
    ("MÜNSTER", "05515000"),
    ("03353", "03353"),
    ("3353", "03353"),
    ("1060063", "01060063"),
    ("01060063", "01060063"),
    ("Norderstet", "01060063"),  # one letter missing
    ("Nordrestedt", "01060063"),  # two letters swapped
    ("Ortenaukreiss", "08317"),  # one letter too many
]


def test_search_variants_find_the_place(store: GraphStore) -> None:
    store.write(directory())
    found = {
        typed: resolve(store.search(typed, ["Municipality"]), typed).key for typed, _ in VARIANTS
    }
    assert found == dict(VARIANTS)


def test_kind_word_puts_the_other_kind_behind(store: GraphStore) -> None:
    store.write(directory())
    hits = store.search("Stadt Düren", ["Municipality"])
    assert [(h.key, h.rank) for h in hits] == [("05358008", 0), ("05358", 1)]


def test_typo_hits_come_only_when_nothing_matches_better(store: GraphStore) -> None:
    store.write(directory())
    assert [h.key for h in store.search("Halle", ["Municipality"])] == ["15002000", "05754012"]
    assert store.search("Xanten", ["Municipality"]) == []
    assert store.search("Hale", ["Municipality"]) == []  # too short for a typo


def test_candidates_are_offered_when_a_variant_is_ambiguous(store: GraphStore) -> None:
    store.write(directory())
    with pytest.raises(Ambiguous) as info:
        resolve(store.search("Düren", ["Municipality"]), "Düren")
    assert {key for _, key in info.value.candidates} == {"05358", "05358008"}
