"""Caches that live as long as the data does: every store write increments the store's
data version (`GraphStore.version`), and what was computed for an older version is
never asked for again.

* `VersionCache`: values by key for the newest version only — a store's `graph()` per
  label set, the embedded store's name index.
* `per_version`: one value per store object and name (the questions' work index, the
  cooperation graph, the network metrics), rebuilt when the version has moved on.

Both build with Python's cyclic garbage collector paused (`gc_paused`).
"""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar, cast

V = TypeVar("V")
T = TypeVar("T")


_GC_LOCK = threading.Lock()
#: New objects after which a finished build collects at once (see `gc_paused`); a small
#: build (a search index of a few hundred names) leaves it to the collector's schedule.
_COLLECT_AFTER = 100_000
_gc_builders = 0
_gc_was_enabled = True


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a large value is built.

    Building the Germany-scale graph allocates some 300,000 dicts, and every few hundred
    allocations the collector walks the younger objects, every so often all of them:
    40 % of the build (2.9 s → 1.6 s of CPU). What is built here holds no reference
    cycles to collect, and reference counting frees everything else as always. Builders
    may nest and run in several threads: the collector runs again (if it ran before)
    when the last of them is done.

    A large build leaves its objects (a million at Germany scale) in the youngest
    generation; the collector would then walk them three times on its way to the oldest
    one, a pause of 0.2 s each in whichever request came next — the p95 of a question.
    So after a build that left more than `_COLLECT_AFTER` new objects they are collected
    once, right away, as part of the build.
    """
    global _gc_builders, _gc_was_enabled
    with _GC_LOCK:
        if _gc_builders == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_builders += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _gc_builders -= 1
            if _gc_builders == 0 and _gc_was_enabled:
                gc.enable()
                if gc.get_count()[0] > _COLLECT_AFTER:
                    gc.collect()


class VersionCache(Generic[V]):
    """Values by key, kept for the newest data version only. Thread-safe; a value that two
    threads build at once is built twice and one of them kept (both are equal)."""

    def __init__(self) -> None:
        self._version: int | None = None
        self._values: dict[Hashable, V] = {}
        self._lock = threading.Lock()

    def get(self, version: int, key: Hashable, build: Callable[[], V]) -> V:
        with self._lock:
            if self._version == version and key in self._values:
                return self._values[key]
        with gc_paused():
            value = build()
        with self._lock:
            if self._version != version:
                # keep the newest version's values only: old ones are never asked for again
                if self._version is not None and version < self._version:
                    return value
                self._version, self._values = version, {}
            self._values[key] = value
        return value


_CACHE: weakref.WeakKeyDictionary[Any, dict[str, tuple[int, Any]]] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def cached(store: Any, name: str, version: int) -> Any | None:
    """What `per_version` keeps for ``store`` and ``name`` at ``version``, or None."""
    with _CACHE_LOCK:
        hit = _CACHE.get(store, {}).get(name)
    return hit[1] if hit is not None and hit[0] == version else None


def per_version(store: Any, name: str, build: Callable[[Any, int], T]) -> T:
    """``build(store, version)``, computed once per store object and data version
    (``store.version()``) and kept until the data changes."""
    version = store.version()
    with _CACHE_LOCK:
        hit = _CACHE.setdefault(store, {}).get(name)
        if hit is not None and hit[0] == version:
            return cast(T, hit[1])
    with gc_paused():
        value = build(store, version)
    with _CACHE_LOCK:
        _CACHE.setdefault(store, {})[name] = (version, value)
    return value
