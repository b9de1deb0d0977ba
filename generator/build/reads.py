"""What a page read of the graph as it rendered: the recorders that note each read, and each page's record.

A page is a function of the graph, its Page and its templates (pages/html/render.py). While a page renders,
it is handed a graph that records every read: each attribute, each mapping key looked up (present or
not), each mapping iterated as a whole. Nothing here knows which fields the graph, the site or its
settings have: a new field is recorded like the others, so "the same bytes as a clean build" holds by
construction, not by keeping a list up to date (incremental.py compares what is recorded here)."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import marshal
from collections.abc import Callable, Hashable, Iterator, Mapping
from typing import Any, TypeVar, cast

import jinja2

from ..content.model import Site, SiteConfig
from ..graph.resolve import Graph
from ..pages.outputs import draw
from ..pages.page import Page

GRAPH_FIELDS = frozenset(f.name for f in dataclasses.fields(Graph))
WATCHED_INTO = (Graph, Site, SiteConfig)
"""Objects whose attributes are recorded one by one; any other value read is recorded whole."""
T = TypeVar("T")


ALL = "\0all"
"""A step that stands for a mapping's keys, in order: someone iterated over it or asked its length.
Its values are recorded one by one as they are looked up (even .values() and .items() look up each key),
so adding an article does not make stale every page that counts the articles and reads a few."""

Read = tuple[Any, ...]
"""A path from the graph to one value: attribute names (str), steps into a mapping as 1-tuples (the value
at one key, or its absence), and ALL at the end. Plain tuples: hashing a read (done about a million
times when a big site changes) stays in C, and reads are data marshal stores (the build cache)."""

MISSING = object()


def value_at(graph: Graph, read: Read) -> Any:
    value: Any = graph
    for step in read:
        if isinstance(step, str) and step == ALL:
            return tuple(value) if isinstance(value, Mapping) else MISSING
        if type(step) is tuple:
            value = value.get(step[0], MISSING) if isinstance(value, Mapping) else MISSING
        else:
            value = getattr(value, step, MISSING)
    return value


class _Watched:
    """An object seen through a recorder: attribute reads are noted; methods run against the recorder.

    What an attribute gave is kept: the graph is immutable and the read is in `_reads` already, so the
    next `graph.items` of the page is a dict lookup, not a new wrapper, a new path and a set insertion."""

    __slots__ = ("_cache", "_path", "_reads", "_target")

    def __init__(self, target: Any, path: Read, reads: set[Read]) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_reads", reads)
        object.__setattr__(self, "_cache", {})

    def __getattr__(self, name: str) -> Any:
        cache = object.__getattribute__(self, "_cache")
        found = cache.get(name, MISSING)
        if found is not MISSING:
            return found
        target = object.__getattribute__(self, "_target")
        declared = getattr(type(target), name, None)
        if isinstance(declared, property) and declared.fget is not None:
            return declared.fget(self)
        if callable(declared):  # a method: its own reads go through the recorder too
            found = functools.partial(declared, self)
        else:
            path = object.__getattribute__(self, "_path") + (name,)
            found = _watch(getattr(target, name), path, object.__getattribute__(self, "_reads"))
        cache[name] = found
        return found

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("recorded objects are read-only")


REMEMBERED_KEPT = 1 << 13
"""Parts kept per process (Graph.remembered): a feed entry is a few kilobytes."""
_REMEMBERED: dict[int, tuple[Graph, dict[Hashable, tuple[Any, frozenset[Read]]]]] = {}
"""id(graph) -> the graph (kept alive, so that its id is not another's) and its parts; the last two
graphs only: `briefing serve` draws a page first from the last run's graph while a run draws the next."""


def _remembered(graph: Graph) -> dict[Hashable, tuple[Any, frozenset[Read]]]:
    found = _REMEMBERED.get(id(graph))
    if found is None or found[0] is not graph:
        if len(_REMEMBERED) >= 2:
            _REMEMBERED.clear()
        found = _REMEMBERED[id(graph)] = (graph, {})
    return found[1]


class _RecordedGraph:
    """The graph as one page sees it (render_recorded): the first read of each of its fields goes through
    __getattr__, which records it and keeps what it gave in a slot, so that the page's next `graph.names`
    is a slot read, in C (a _Watched graph called __getattr__ for each: 140 times an article page)."""

    __slots__ = (*sorted(GRAPH_FIELDS), "_graph", "_reads")

    def __init__(self, graph: Graph, reads: set[Read]) -> None:
        self._graph, self._reads = graph, reads

    def __getattr__(self, name: str) -> Any:
        if name not in GRAPH_FIELDS:
            raise AttributeError(name)
        found = _watch(getattr(self._graph, name), (name,), self._reads)
        setattr(self, name, found)
        return found

    def remembered(self, key: Hashable, compute: Callable[..., T], *args: Any) -> T:
        """Graph.remembered, recorded: drawn once per process and graph, against a recorder of its own,
        and kept with what it read; each use adds those reads to this page's."""
        kept = _remembered(self._graph)
        found = kept.get(key)
        if found is None:
            reads: set[Read] = set()
            found = (compute(cast(Graph, _RecordedGraph(self._graph, reads)), *args), frozenset(reads))
            if len(kept) >= REMEMBERED_KEPT:
                kept.clear()
            kept[key] = found
        self._reads.update(found[1])
        return cast(T, found[0])


for _name, _method in vars(Graph).items():  # its methods run against the recorder, so their reads are noted
    if inspect.isfunction(_method) and not _name.startswith("__") and _name not in vars(_RecordedGraph):
        setattr(_RecordedGraph, _name, _method)
del _name, _method


class _WatchedMapping(Mapping[Any, Any]):
    __slots__ = ("_cache", "_data", "_path", "_reads")

    def __init__(self, data: Mapping[Any, Any], path: Read, reads: set[Read]) -> None:
        self._data, self._path, self._reads = data, path, reads
        self._cache: dict[Any, Any] = {}
        """Key -> what it gave (a key read once is recorded already)."""

    def __getitem__(self, key: Any) -> Any:
        found = self._cache.get(key, MISSING)
        if found is MISSING:
            found = self.get(key, MISSING)  # a missing key is read too
            if found is MISSING:
                raise KeyError(key)
        return found

    def get(self, key: Any, default: Any = None) -> Any:
        """As Mapping.get, which costs a second call and a KeyError for every key a page misses."""
        found = self._cache.get(key, MISSING)
        if found is not MISSING:
            return found
        path = self._path + ((key,),)
        self._reads.add(path)
        value = self._data.get(key, MISSING)
        if value is MISSING:
            return default
        kind = _KINDS.get(type(value)) or _kind(type(value))
        found = self._cache[key] = value if kind is _PLAIN else _wrapped(kind, value, path, self._reads)
        return found

    def __contains__(self, key: object) -> bool:
        return key in self._cache or self.get(key, MISSING) is not MISSING

    def __iter__(self) -> Iterator[Any]:
        self._reads.add(self._path + (ALL,))
        return iter(self._data)

    def __len__(self) -> int:
        self._reads.add(self._path + (ALL,))
        return len(self._data)


LEAVES: frozenset[type] = frozenset({str, int, float, bool, type(None), tuple, frozenset})
"""Types never wrapped, checked first: isinstance(value, Mapping) is an ABC check, and slow."""
_PLAIN, _MAPPING, _INTO = "plain", "mapping", "into"
_KINDS: dict[type, str] = dict.fromkeys(LEAVES, _PLAIN)
"""How a value of each type is seen through a recorder (_kind): decided once per type, where the ABC
check of every item a page looked up was a fifth of recording."""


def _kind(cls: type) -> str:
    kind = _KINDS[cls] = _MAPPING if issubclass(cls, Mapping) else _INTO if issubclass(cls, WATCHED_INTO) else _PLAIN
    return kind


def _wrapped(kind: str, value: Any, path: Read, reads: set[Read]) -> Any:
    return _WatchedMapping(value, path, reads) if kind is _MAPPING else _Watched(value, path, reads)


def _watch(value: Any, path: Read, reads: set[Read]) -> Any:
    kind = _KINDS.get(type(value)) or _kind(type(value))
    if kind is _PLAIN:
        reads.add(path)
        return value
    return _wrapped(kind, value, path, reads)


def render_recorded(graph: Graph, page: Page, env: jinja2.Environment) -> tuple[str, frozenset[Read]]:
    """The HTML of one page, and every read it made of the graph."""
    reads: set[Read] = set()
    html = draw(cast(Graph, _RecordedGraph(graph, reads)), page, env)
    return html, frozenset(reads)



Stored = tuple[tuple[str, str, str, str | None, int], bytes, bytes]
"""A PageRecord as marshal stores it: the Page's fields, its heads' and its reads' bytes."""


class PageRecord:
    """What one page read of the graph: where its reads start (heads), for every run to check, and the
    reads themselves, decoded only for a page whose heads changed. Both are kept as marshal bytes too:
    a worker sends them back so, and the build cache stores them so."""

    __slots__ = ("_reads", "data", "heads_data", "page", "stored_data")

    def __init__(self, page: Page, heads_data: bytes, data: bytes, stored_data: memoryview | None = None) -> None:
        self.page, self.heads_data, self.data = page, heads_data, data
        self._reads: frozenset[Read] | None = None
        self.stored_data = stored_data
        """The record as the build cache it came from stored it (see restored): written back as it is."""

    @classmethod
    def of(cls, page: Page, reads: frozenset[Read], gather: set[Read] | None = None) -> PageRecord:
        """Most reads are of two steps, and so their own heads (see head()): the reads' bytes hold the
        longer ones, and the heads that are no read of the page, which is all the heads do not say
        (marshal of every read as well as of the heads was 8% of a cold build's rendering)."""
        longer = tuple(r for r in reads if len(r) > 2)
        heads = frozenset(r for r in reads if len(r) <= 2).union(map(head, longer))
        if gather is not None:  # `gather`: every head of the pages this process draws (workers.render_all)
            gather.update(heads)  # from a frozenset, whose hashes are reused
        record = cls(page, marshal.dumps(heads), marshal.dumps((longer, tuple(heads - reads))))
        record._reads = reads
        return record

    @property
    def heads(self) -> frozenset[Read]:
        """Where its reads start (see head()); decoded each time, not kept: the heads of every page,
        decoded, would be a third of the memory of a run."""
        heads: frozenset[Read] = marshal.loads(self.heads_data)
        return heads

    @property
    def reads(self) -> frozenset[Read]:
        """Every value the page read of the graph (see render_recorded)."""
        if self._reads is None:
            longer, not_read = marshal.loads(self.data)
            self._reads = self.heads.difference(not_read).union(longer)
        return self._reads

    def stored(self) -> Stored:
        """As marshal stores it (see restored)."""
        page = self.page
        return (page.path, page.template, page.section, page.item, page.part), self.heads_data, self.data

    @classmethod
    def restored(cls, stored: Stored, stored_data: memoryview | None = None) -> PageRecord:
        fields, heads, data = stored
        return cls(Page(*fields), heads, data, stored_data)


def head(read: Read) -> Read:
    """The start of a read, up to its first mapping key (('items', ('x',)) of ('items', ('x',),
    'title')), else its first two steps: equal values there mean equal values all along the read."""
    for n, step in enumerate(read):
        if type(step) is tuple or step == ALL:
            return read[: n + 1]
    return read[:2]

