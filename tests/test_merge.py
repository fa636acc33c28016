"""The upsert rule's shortcut for records that are not stored yet gives what the general
rule gives (`graph.core.merge`)."""

from __future__ import annotations

from typing import Any

import pytest

from graph.core.merge import created_props, merge_props, prop_changes, upserts


@pytest.mark.parametrize(
    "incoming",
    [
        {"name": "Düren", "kind": "Stadt", "sources": ["a", "b"]},
        {"name": "X", "gone": None, "sources": ["a", "a"]},
        {"population": 90000, "population_date": "2020-12-31", "sources": ["a"]},
        {"population": 90000, "name": "ohne Stichtag"},
        {"population": None, "population_date": "2020-12-31"},
        {"sources": None, "title": "T"},
        {},
    ],
)
def test_created_props_is_the_rule_applied_to_nothing(incoming: dict[str, Any]) -> None:
    after = merge_props({}, incoming)
    assert created_props(incoming) == after
    ((_, got_after, got_changes, created),) = list(upserts([("k", incoming)], {}))
    assert created and got_after == after and got_changes == prop_changes({}, after)
