"""How a node is named and told apart from its namesakes — one rule each, used by the
stores' graphs, the search, the answers and every page.

* **Display name**: the first non-empty text of ``name``, ``title`` (`DISPLAY_PROPS`), else
  the key. Projects, workshops and reports have titles; everything else has a name.
* **Land**: a Land is its own; a node with a valid ``state_code`` lies there; a
  municipality lies in the Land of its AGS (the first two digits); everything else has
  none (a topic, a federal ministry).
* **Entity**: a node as answers and lists show it (label, key, display name, kind, Land),
  described as ``Neuenkirchen (Gemeinde, Nordrhein-Westfalen, AGS 05566060)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from graph.core.model import NODE_TYPES, STATES, node_id, split_node_id

#: Properties that name a node, in the order they are tried.
DISPLAY_PROPS: Final[tuple[str, ...]] = ("name", "title")


def display_name(label: str, key: str, props: Mapping[str, Any]) -> str:
    """The text a person reads for a node: its name, else its title, else its key."""
    for prop in DISPLAY_PROPS:
        value = props.get(prop)
        if isinstance(value, str) and value:
            return value
    return key


def state_of(label: str, key: str, props: Mapping[str, Any]) -> str | None:
    """The Land code of a node (see the module docstring), or None."""
    if label == "State":
        return key
    code = props.get("state_code")
    if isinstance(code, str) and code in STATES:
        return code
    if label == "Municipality" and key[:2] in STATES:
        return key[:2]
    return None


def node_state(attrs: Mapping[str, Any]) -> str | None:
    """`state_of` for a node of a `store.graph()` graph (``type`` and ``key`` attributes)."""
    return state_of(str(attrs.get("type", "")), str(attrs.get("key", "")), attrs)


@dataclass(frozen=True, order=True)
class Entity:
    """A node as answers show it: enough to name it and to tell it from its namesakes."""

    label: str
    key: str
    name: str
    kind: str | None = None
    state_code: str | None = None

    @property
    def id(self) -> str:
        return node_id(self.label, self.key)

    @property
    def state(self) -> str:
        """The Land's name, or an empty string."""
        return STATES[self.state_code][0] if self.state_code in STATES else ""

    def describe(self) -> str:
        """``Neuenkirchen (Gemeinde, Nordrhein-Westfalen, AGS 05566060)``."""
        bits = [self.kind or NODE_TYPES[self.label].singular]
        if self.label != "State" and self.state_code in STATES:
            bits.append(STATES[self.state_code][0])
        key_name = {"Municipality": "AGS ", "Gemeindeverband": "ARS "}.get(self.label, "")
        bits.append(key_name + self.key)
        return f"{self.name} ({', '.join(bits)})"

    def quoted(self) -> str:
        return f"„{self.name}“"

    def sort_key(self) -> tuple[str, str, str]:
        """Alphabetical, then by label and key: the tie-break every answer uses."""
        return (self.name, self.label, self.key)


def stored_entity(label: str, key: str, props: Mapping[str, Any]) -> Entity:
    """The `Entity` of a node from its stored properties (as a store reads them)."""
    kind = props.get("kind")
    return Entity(
        label,
        key,
        display_name(label, key, props),
        kind if isinstance(kind, str) else None,
        state_of(label, key, props),
    )


def entity_from(nid: str, attrs: Mapping[str, Any]) -> Entity:
    """The `Entity` of a node of a `store.graph()` graph."""
    label, key = split_node_id(nid)
    return stored_entity(label, key, attrs)
