"""The explorer's views, computed once and shared: every session that asks for the same
view of the same data version (the default view above all) gets the same `Shown`, with
its picture's data, its tables and its choices computed at most once.

At Germany scale (the directory plus a network of some 60,000 nodes) selecting a view
takes seconds and its tables as long again; a person changing a filter, or a new session
opening the page, must not wait for that every time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

    from graph.present.explore import GraphIndex, View, ViewFilter
    from graph.present.layout import Point


class Loaded(Protocol):
    """What views are made of (`kommunetz.ui.Loaded`: the graph of one data version)."""

    @property
    def version(self) -> int: ...
    @property
    def graph(self) -> nx.MultiDiGraph: ...
    @property
    def index(self) -> GraphIndex: ...
    @property
    def positions(self) -> Mapping[str, Point]: ...


MAX_VIEWS = 48  # views kept per process (a view holds a subgraph sharing the graph's dicts)


@dataclass
class Shown:
    """A view as the page shows it: trimmed to what a picture can hold, with its
    background municipalities; picture data and tables are made on first use and kept."""

    view: View
    background: set[str]
    data: Loaded
    _memo: dict[Any, Any] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def _once(self, key: Any, make: Any) -> Any:
        with self._lock:
            if key not in self._memo:
                self._memo[key] = make()
            return self._memo[key]

    def drawing(
        self, physics: bool | None, changed: Mapping[str, str] | None = None
    ) -> tuple[dict[str, Any], str]:
        """The graph component's data and its fingerprint (same fingerprint, same
        picture); ``changed`` marks nodes (`graph.present.view.vis_data`)."""
        from graph.present.view import view_payload
        from kommunetz.graph_view import fingerprint

        def make() -> tuple[dict[str, Any], str]:
            payload = view_payload(
                self.view.graph,
                focus=self.view.focus,
                positions=self.data.positions,
                background=self.background,
                physics=physics,
                changed=changed,
            )
            return payload, fingerprint(payload)

        marks = tuple(sorted((changed or {}).items()))
        return self._once(("drawing", physics, marks), make)

    def node_rows(self) -> list[dict[str, str]]:
        from graph.present.explore import node_rows

        return self._once("nodes", lambda: node_rows(self.view.graph))

    def relation_rows(self) -> list[dict[str, str]]:
        from graph.present.explore import relation_rows

        return self._once("relations", lambda: relation_rows(self.view.graph))

    def node_table(self) -> pd.DataFrame:
        """`node_rows` as the table the page shows: made once, not in every run (the two
        tables of the Germany-scale default view, 1,500 nodes and 4,900 relationships, took
        some 20 ms of every run on a loaded machine)."""
        import pandas as pd

        return self._once("node_table", lambda: pd.DataFrame(self.node_rows()))

    def relation_table(self) -> pd.DataFrame:
        """`relation_rows` as the table the page shows, made once."""
        import pandas as pd

        return self._once("relation_table", lambda: pd.DataFrame(self.relation_rows()))

    def choices(self) -> list[str]:
        """The nodes the details choice offers: all but the background, in reading order."""
        from graph.present.explore import sorted_nodes

        return self._once(
            "choices",
            lambda: [n for n in sorted_nodes(self.view.graph) if n not in self.background],
        )


_views: OrderedDict[tuple[Any, ...], Shown] = OrderedDict()
_views_lock = threading.Lock()


def shown(data: Loaded, flt: ViewFilter, focus: str | None, depth: int) -> Shown:
    """The view a user asked for (`graph.present.explore.build_view`), trimmed
    (`graph.present.explore.trim`), from the cache when any session asked for it before."""
    from graph.present import explore

    key = (data.version, id(data.graph), flt, focus, depth)
    with _views_lock:
        found = _views.get(key)
        if found is not None:
            _views.move_to_end(key)
            return found
    view = explore.build_view(data.graph, data.index, flt, focus, depth)
    # the focus is never background: a municipality only in the directory is labelled too
    background = explore.background(view.graph, data.index) - {view.focus}
    view = explore.trim(view, background)
    made = Shown(view, background & view.graph._node.keys(), data)
    with _views_lock:
        _views[key] = made
        while len(_views) > MAX_VIEWS:
            _views.popitem(last=False)
    return made


_choices: dict[tuple[int, int], dict[str, list[tuple[str, str]]]] = {}


def filter_choices(data: Loaded) -> dict[str, list[tuple[str, str]]]:
    """`graph.present.explore.filter_choices` of the current data, computed once."""
    from graph.present.explore import filter_choices as choices

    key = (data.version, id(data.graph))
    if key not in _choices:
        _choices.clear()
        _choices[key] = choices(data.graph, data.index)
    return _choices[key]
