"""Exact incremental rebuilds: what every page read, and which pages a change makes stale.

A page is a function of the graph, its Page and its templates (render.py). While a page renders,
it is handed a graph that records every read: each attribute, each mapping key looked up (present or
not), each mapping iterated as a whole. The next run re-renders a page when any value it read differs
between the two graphs, when its Page differs, or when one of its templates changed. Nothing here
knows which fields the graph, the site or its settings have: a new field is recorded like the others,
so "the same bytes as a clean build" holds by construction, not by keeping a list up to date."""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import functools
import hashlib
import hmac
import inspect
import io
import marshal
import os
import pickle
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar, cast

import jinja2
import jinja2.meta

from ..base.errors import Problem
from ..base.processes import reducers
from ..content.inputs import RACY_NS, Inputs, Stamps
from ..content.load import RACY, FileCache, load_file, read_again
from ..content.model import Article, Site, SiteConfig
from ..content.validate import Entry, entry_of, item_of
from ..graph.resolve import Graph, ParseCache, with_body
from ..pages import search
from ..pages.environment import COMPILED
from ..pages.exports import Pieces
from ..pages.identity import identical
from ..pages.outputs import draw
from ..pages.page import Page
from .stamp import build_key, cache_file, outputs_unchanged

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


# ---- templates --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Templates:
    closures: Mapping[str, frozenset[str] | None]
    """Page template -> it and every template it extends, includes or imports; None when one of
    them names a template only at render time (then any template change counts)."""
    hashes: Mapping[str, str]
    """Template name -> hash of where it was found and its source."""


def templates(env: jinja2.Environment, names: set[str], last: Templates | None = None) -> Templates:
    """`last`: the last run's, given back when every template it hashed is the same and it knew the
    closure of every page template (finding the closures parses every template: 50 ms an edit)."""
    if last is not None and names <= last.closures.keys() and None not in last.closures.values() \
            and all(_hash(env, n) == h for n, h in last.hashes.items()):
        return last
    closures = {name: _closure(env, name) for name in sorted(names)}
    every = sorted(env.list_templates()) if any(c is None for c in closures.values()) else []
    used = {n for c in closures.values() for n in (c or ())} | set(every)
    return Templates(closures, {n: _hash(env, n) for n in sorted(used)})


def _closure(env: jinja2.Environment, name: str) -> frozenset[str] | None:
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        source = _source(env, current)[0]
        for found in _referenced(env, source):
            if found is None:
                return None
            todo.append(found)
    return frozenset(seen)


_REFERENCED: dict[str, tuple[str | None, ...]] = {}
"""Template source -> the templates it names (None: one named only at render time); parsing every
template again on every rebuild of `briefing serve` cost a quarter of a second."""


def _referenced(env: jinja2.Environment, source: str) -> tuple[str | None, ...]:
    found = _REFERENCED.get(source)
    if found is None:
        found = _REFERENCED[source] = tuple(jinja2.meta.find_referenced_templates(env.parse(source)))
    return found


def _hash(env: jinja2.Environment, name: str) -> str:
    source, filename = _source(env, name)
    return hashlib.sha256(f"{filename}\0{source}".encode()).hexdigest()


def _source(env: jinja2.Environment, name: str) -> tuple[str, str | None]:
    """A template's source and file; ('', None) for one that does not exist (yet): `{% include "x.html"
    ignore missing %}` and a list of names are allowed, and a template added later changes its hash, so
    the pages that include it render again. A plain missing include is reported where a page renders it."""
    try:
        source, filename, _ = env.loader.get_source(env, name) if env.loader else ("", None, None)
    except jinja2.TemplateNotFound:
        return "", None
    return source, filename


# ---- what a long-lived builder keeps -----------------------------------------------------

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


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The last good build, which the next run compares against."""

    graph: Graph
    pages: Mapping[str, PageRecord]
    templates: Templates
    files: Mapping[str, str]
    """Assets and static files: output path -> hash of the bytes."""
    outputs: Stamps | None = None
    """The output as that build left it (stamp.output_stamps), when a build in another process left it and
    this one found it so: then the output's files are known without listing them again."""
    inputs: Stamps | None = None
    """The inputs that build read (stamp.stamps; RACY for a file changed as it began), when it was one
    from the command line."""
    problems: tuple[Problem, ...] = ()
    """What that build's load, validate and resolve found (the rest is found again on every run)."""
    base: tuple[str, Mapping[str, Section]] | None = None
    """The file of the state's pickled objects and caches, and where they are in it, which a build after an
    edit to one article's body alone keeps as they are, with its Edits beside them."""
    edits: Edits | None = None
    heads: Mapping[str, AbstractSet[Read]] | None = None
    """Every head some page of the last build read (and maybe a few no page reads any more), by the field of
    the graph it starts at: Changes compares these (decoding every page's heads to find them took 0.35 s
    at 5,000 articles), and a field the new graph kept as it was (edited_body) is skipped whole."""


@dataclass(frozen=True, slots=True)
class Edits:
    """What builds after edits to articles' bodies alone (edited_body) changed in the state whose objects
    they kept as they were: each article file's new cache entry, in order, applied again on load through
    resolve.with_body, and the whole-site files' pieces drawn again. Pickling these is a small fraction
    of pickling the whole state again (1.1 s at 5,000 articles)."""

    entries: tuple[tuple[str, Any], ...]
    """(the file cache's key, its entry), oldest first."""
    pieces: Mapping[str, Any]
    """data/briefing.json's entries drawn again since the objects were pickled (exports.Pieces)."""
    docs: Mapping[str, Any]
    """The search results drawn again since (search.Pieces.docs)."""
    drawn: search.Drawn | None
    """The search index as the last of them drew it."""
    files: Mapping[str, str]
    inputs: Stamps
    problems: tuple[Problem, ...]

    def applied(self, graph: Graph, caches: Caches) -> Graph:
        """The graph and caches (changed in place) as the last build left them, from the objects kept."""
        for key, entry in self.entries:
            caches.set_file(key, entry)
            changed = with_body(graph, entry[2][0].item)
            if changed is None:
                raise ValueError("an edit kept in the build cache does not apply to its graph")
            graph = changed
        caches.pieces.update(self.pieces)
        caches.results.docs.update(self.docs)
        caches.results.drawn = self.drawn
        return graph


MAX_EDITS = 20
"""Edits kept beside the objects before a build pickles the whole state again: each costs a parse on
load (resolve.with_body)."""


class EditsSince:
    """The Edits a build that took edited_body's way adds to its snapshot's: taken before the whole-site
    files are drawn (their pieces as they were), then after()."""

    def __init__(self, snapshot: Snapshot, base: tuple[str, Mapping[str, Section]], edited: tuple[str, Any],
                 caches: Caches) -> None:
        self.snapshot, self.base, self.edited = snapshot, base, edited  # base: the snapshot's, known set
        self.pieces, self.docs = dict(caches.pieces), dict(caches.results.docs)

    @classmethod
    def start(cls, snapshot: Snapshot | None, edited: tuple[str, Any] | None, caches: Caches) -> EditsSince | None:
        """None when the whole state must be pickled: no such edit, no objects to keep, or enough edits."""
        if snapshot is None or edited is None or snapshot.base is None:
            return None
        if snapshot.edits is not None and len(snapshot.edits.entries) >= MAX_EDITS:
            return None
        return cls(snapshot, snapshot.base, edited, caches)

    def after(self, caches: Caches, files: Mapping[str, str], inputs: Stamps,
              problems: Sequence[Problem]) -> Edits | None:
        """The edits, once the whole-site files are drawn: the pieces drawn again are those not kept as they
        were (None when one was dropped: then the whole state is pickled)."""
        pieces, docs = caches.pieces, caches.results.docs
        if pieces.keys() != self.pieces.keys() or docs.keys() != self.docs.keys():
            return None
        last = self.snapshot.edits
        return Edits((*(last.entries if last else ()), self.edited),
                     {**(last.pieces if last else {}),
                      **{i: p for i, p in pieces.items() if p[1] is not self.pieces[i][1]}},
                     {**(last.docs if last else {}), **{i: d for i, d in docs.items() if d is not self.docs[i]}},
                     caches.results.drawn, dict(files), dict(inputs), tuple(problems))


class Caches:
    """Parsed files and Markdown, by content: a long-lived builder reads and parses only what changed.

    From the build cache, the files' entries and the parses are decoded on first use (`later`): an edit to
    one article's body alone (edited_body) needs neither, and they were a fifth of the cache's load."""

    __slots__ = ("_files", "_later", "_parses", "_pending", "pieces", "results")

    def __init__(self, files: FileCache[Entry] | None, parses: ParseCache | None, pieces: Pieces,
                 results: search.Pieces, later: Callable[[], tuple[FileCache[Entry], ParseCache]] | None = None) -> None:
        self._files, self._parses, self._later = files, parses, later
        self._pending: list[tuple[str, Any]] = []
        """File entries set before the files were decoded (Edits.applied, edited_body)."""
        self.pieces = pieces
        """data/briefing.json's entries (exports.briefing)."""
        self.results = results
        """The search index's results (search.files)."""

    @classmethod
    def empty(cls) -> Caches:
        return cls({}, {}, {}, search.Pieces())

    @property
    def files(self) -> FileCache[Entry]:
        return self._decoded()[0]

    @property
    def parses(self) -> ParseCache:
        return self._decoded()[1]

    def set_file(self, key: str, entry: Any) -> None:
        """A file's entry, without decoding the others."""
        if self._files is None:
            self._pending.append((key, entry))
        else:
            self._files[key] = entry

    def _decoded(self) -> tuple[FileCache[Entry], ParseCache]:
        if self._files is None or self._parses is None:
            assert self._later is not None
            self._files, self._parses = self._later()
            self._later = None
            self._files.update(self._pending)
            self._pending.clear()
        return self._files, self._parses


class Changes:
    """Which pages of a new run must be rendered again, against the last snapshot."""

    def __init__(self, old: Snapshot | None, graph: Graph, tpl: Templates) -> None:
        self.old, self.graph, self.tpl = old, graph, tpl
        self._same: dict[Read, bool] = {}
        self._templates_changed: set[str] = set()
        self._suspects: set[str] = set()
        """Pages with a read whose head changed: only their reads are compared one by one."""
        self.heads: set[Read] = set()
        """The heads of the pages rendered now, as render_all gathers them (see every_head)."""
        self._old_heads: Mapping[str, AbstractSet[Read]] = {}
        if old is not None:
            names = old.templates.hashes.keys() | tpl.hashes.keys()
            self._templates_changed = {n for n in names if old.templates.hashes.get(n) != tpl.hashes.get(n)}
            # Each head is compared once (90,000 of them in the 590,000 of a 5,000-article site's pages),
            # then each page's heads meet the few that changed: set operations, in C, where a loop over
            # every page's heads took 0.37 s.
            self._old_heads = old.heads if old.heads is not None else \
                _by_field(h for record in old.pages.values() for h in record.heads)
            changed = self._changed(self._old_heads)
            if changed:
                self._suspects = _reading(old.pages, changed)

    def every_head(self) -> dict[str, set[Read]]:
        """Every head the last build's pages read, and those of the pages rendered now, by field."""
        every = {name: set(heads) for name, heads in self._old_heads.items()}
        for name, heads in _by_field(self.heads).items():
            every.setdefault(name, set()).update(heads)
        return every

    def before(self, page: Page) -> PageRecord | None:
        """The page's record when it can be kept as it is; None when it must be rendered."""
        if self.old is None:
            return None
        record = self.old.pages.get(page.path)
        if record is None or record.page != page or self._templates_stale(page.template):
            return None
        if page.path not in self._suspects:
            return record
        return record if all(self._unchanged(r) for r in record.reads) else None

    def _changed(self, heads: Mapping[str, AbstractSet[Read]]) -> set[Read]:
        """The heads whose values differ between the two graphs. Most are one key of one of the graph's
        dicts, compared there field by field: an unchanged file gives the same objects again (load's
        cache), and a name or an address is a string, so few values need identical()."""
        assert self.old is not None
        changed: set[Read] = set()
        for name, these in heads.items():
            before, after = getattr(self.old.graph, name, MISSING), getattr(self.graph, name, MISSING)
            if before is after and before is not MISSING:  # a field the graph kept as it was (edited_body)
                continue
            if type(before) is not dict or type(after) is not dict:
                changed.update(h for h in these if not self._unchanged(h))
                continue
            for h in these:
                if len(h) != 2 or type(h[1]) is not tuple:
                    if not self._unchanged(h):
                        changed.add(h)
                    continue
                key = h[1][0]
                x, y = before.get(key, MISSING), after.get(key, MISSING)
                if x is not y and not (type(x) is str and x == y) and not identical(x, y):
                    changed.add(h)
        return changed

    def _templates_stale(self, template: str) -> bool:
        if not self._templates_changed:
            return False
        closure = self.tpl.closures.get(template)
        return closure is None or bool(closure & self._templates_changed)

    def _unchanged(self, read: Read) -> bool:
        same = self._same.get(read)
        if same is None:
            assert self.old is not None
            before, after = value_at(self.old.graph, read), value_at(self.graph, read)
            # an unchanged file gives the same objects again (load's cache): no deep compare
            same = self._same[read] = identical(before, after)
        return same


def _by_field(heads: Iterable[Read]) -> dict[str, set[Read]]:
    """Heads by the field of the graph they start at."""
    found: dict[str, set[Read]] = {}
    for h in heads:
        found.setdefault(h[0], set()).add(h)
    return found


def _reading(pages: Mapping[str, PageRecord], heads: set[Read]) -> set[str]:
    """The pages that read one of these heads. When each is one key of one of the graph's dicts (as after an
    edit), a page's heads are decoded only when their bytes hold one of the keys: marshal writes a str as
    its UTF-8 bytes (then refers back to it), so bytes without any of them cannot hold such a head, and
    looking for them costs a tenth of decoding every page's heads."""
    if all(len(h) == 2 and type(h[1]) is tuple and type(h[1][0]) is str for h in heads):
        found = [k.encode("utf-8", "surrogatepass") for k in {h[1][0] for h in heads}]
        return {path for path, record in pages.items()
                if any(k in record.heads_data for k in found) and not heads.isdisjoint(record.heads)}
    return {path for path, record in pages.items() if not heads.isdisjoint(record.heads)}


def trusted(inputs: Inputs) -> Stamps:
    """The stamps of the inputs a build read, a file changed as it began (RACY_NS) marked RACY: one
    changed again within the same tick would look unchanged."""
    return {rel: stamp if stamp[0] < inputs.taken - RACY_NS else RACY for rel, stamp in inputs.stamps.items()}


def edited_body(snapshot: Snapshot | None, caches: Caches, root: Path,
                inputs: Inputs) -> tuple[Graph, list[Problem], tuple[str, Any]] | None:
    """What load, validate and resolve would find after an edit to one article's body alone, which
    changes nothing else the graph derives from it (resolve.with_body), from the last build's graph and
    problems: the one file read again, not the whole site. The file's cache entry is updated (and given
    back, with its key, for the state's Edits). None when anything else changed, or the last build found
    a problem in that file: then only a full run knows."""
    if snapshot is None or snapshot.inputs is None:
        return None
    before, now = snapshot.inputs, inputs.stamps
    changed = [rel for rel in before.keys() | now.keys() if before.get(rel) != now.get(rel)]
    if len(changed) != 1 or not changed[0].startswith("content/articles/") or not changed[0].endswith(".md"):
        return None
    rel = changed[0]
    if rel not in before or rel not in now or any(p.location.path == rel for p in snapshot.problems):
        return None  # (a file new since the last build is not an edit)
    entry, problems = read_again(root, rel, "articles", inputs, entry_of)
    if entry is None or problems or entry[3] or len(entry[2]) != 1:
        return None
    found = entry[2][0]
    graph = with_body(snapshot.graph, found.item) if isinstance(found.item, Article) and not found.problems else None
    if graph is None:
        return None
    key = os.fspath(root / rel)
    caches.set_file(key, entry)
    return graph, list(snapshot.problems), (key, entry)


def preview(snapshot: Snapshot, env: jinja2.Environment, root: Path, path: Path) -> tuple[str, str] | None:
    """The page of an article whose body alone was edited since the snapshot, drawn at once from the
    snapshot's graph with the new body (resolve.with_body): (output path, HTML). None when the edit
    touches more than that, or has a mistake: then only the full run knows (which follows anyway and
    writes the same bytes for this page)."""
    records, problems = load_file(root, path)
    if len(records) != 1 or problems:
        return None
    item_id, item, found = item_of(records[0])
    if not isinstance(item, Article) or found:
        return None
    graph = with_body(snapshot.graph, item)
    record = snapshot.pages.get(graph.locations.get(item.id, "")) if graph is not None else None
    if graph is None or record is None or record.page.item != item_id:
        return None
    return record.page.path, draw(graph, record.page, env)


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- the build cache: the last good build, kept under the site for the next process ---------------

TAG = 32
CACHES = "caches"
STORED = ".objects"
"""The suffix of the file that holds the objects and caches sections, after their hash."""
"""The section of the files' entries and the parses (Caches.files, Caches.parses), decoded on first use."""
HEADER = TAG + 8
"""The tag, then where the directory starts."""
Section = tuple[int, int, bytes]
"""Where a section of the state starts, its length, and its bytes' hash."""


class StateWriter:
    """Writes the state for the next build in sections: what was found before rendering (the graph and the
    caches, pickled while the helpers render), then what rendering and writing left (the output's stamps,
    each page's record). The objects and caches go in a file of their own, named by their hash (STORED),
    which the builds after edits to articles' bodies alone keep as it is; the rest in the state file: the
    tag, the directory's offset, the sections, the directory (marshal: the build key, each section's place
    and hash, and the objects' file). The tag signs the directory, the directory each section: a section
    is checked before anything is decoded. Nothing is kept unless finish() is reached."""

    def __init__(self, root: Path, out: Path, drafts: bool, secret: bytes, inputs: Inputs) -> None:
        self.root, self.out, self.drafts, self.secret = root, out, drafts, secret
        self.inputs = trusted(inputs)
        self.path = cache_file(root, out, drafts, ".state")
        self.path.parent.mkdir(exist_ok=True)
        self.temporary = self.path.with_suffix(".tmp")
        self.file = open(self.temporary, "wb")  # noqa: SIM115 - closed by finish() or discard()
        self.file.write(bytes(HEADER))
        self.sections: dict[str, Section] = {}
        self.stored = ""
        """The name of the objects' file, once it is written or kept."""

    @classmethod
    def open(cls, root: Path, out: Path, drafts: bool, inputs: Inputs) -> StateWriter | None:
        """None when no state can be kept (no key, a site that cannot be written: full builds each time)."""
        secret = _secret()
        if secret is None:
            return None
        try:
            return cls(root, out, drafts, secret, inputs)
        except OSError:
            return None

    def objects(self, graph: Graph, caches: Caches, tpl: Templates, files: Mapping[str, str],
                problems: Sequence[Problem]) -> None:
        """`problems`: what load, validate and resolve found."""
        name = self.path.with_suffix(".objects.tmp")
        try:
            with open(name, "wb") as f:
                hashed = _Hashed(f)
                pickler = _Pickler(hashed)  # one memo: what the files' entries share with the graph stays one object
                sections = {section: _hashed_section(hashed, functools.partial(pickler.dump, value))
                            for section, value in (("objects", (graph, caches.pieces, caches.results, tpl, files,
                                                                COMPILED.kept(), self.inputs, tuple(problems))),
                                                   (CACHES, (caches.files, caches.parses)))}
            stored = self.path.with_suffix(f".{sections['objects'][2][:8].hex()}{STORED}")
            os.replace(name, stored)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(name)
            return
        self.sections.update(sections)
        self.stored = stored.name

    def edits(self, base: tuple[str, Mapping[str, Section]], edits: Edits) -> None:
        """The objects' file of the state this build started from, kept as it is (the build checked its
        sections), and the edits made since."""
        with contextlib.suppress(OSError):
            self.stored = base[0]
            self.sections.update(base[1])
            self.sections["edits"] = self._section(lambda f: _Pickler(f).dump(edits))

    def _section(self, write: Callable[[_Hashed], object]) -> Section:
        hashed = _Hashed(self.file)
        return _hashed_section(hashed, lambda: write(hashed))

    def finish(self, outputs: Stamps, pages: Mapping[str, PageRecord], heads: Mapping[str, Iterable[Read]]) -> None:
        try:
            if not self.stored:
                raise OSError("the build cache's objects were not written")
            self.sections["outputs"] = self._section(lambda f: f.write(marshal.dumps(outputs)))
            self.sections["heads"] = self._section(lambda f: f.write(marshal.dumps(
                {name: tuple(these) for name, these in heads.items()})))

            def records(f: _Hashed) -> None:
                batch: list[bytes | memoryview] = [len(pages).to_bytes(8, "little")]
                size = 0
                for path, record in pages.items():  # a megabyte at a time: never the whole section in memory
                    data = marshal.dumps((path, record.stored())) if record.stored_data is None else record.stored_data
                    batch += (len(data).to_bytes(8, "little"), data)
                    size += len(data)
                    if size > BATCH_BYTES:
                        f.write(b"".join(batch))
                        batch, size = [], 0
                f.write(b"".join(batch))
            self.sections["records"] = self._section(records)
            directory = marshal.dumps((build_key(self.out, self.drafts), self.sections, self.stored))
            where = self.file.tell().to_bytes(8, "little")
            self.file.write(directory)
            self.file.seek(0)
            self.file.write(_tag(self.secret, directory, where) + where)
            self.file.close()
            os.replace(self.temporary, self.path)
            for old in _stored_files(self.path):  # the last objects' files
                if old.name != self.stored:
                    with contextlib.suppress(OSError):
                        old.unlink()
        except OSError:
            self.discard()
            forget_state(self.root, self.out, self.drafts)

    def discard(self) -> None:
        self.file.close()
        with contextlib.suppress(OSError):
            os.unlink(self.temporary)


def _tag(secret: bytes, directory: bytes, where: bytes) -> bytes:
    return hashlib.blake2b(directory + where, key=secret, digest_size=TAG).digest()


@dataclass(frozen=True, slots=True)
class Damaged:
    """A state that is there but cannot be used: the build is a full one, and says why on its summary line
    (a note, not a warning: a --strict build does not fail for it)."""

    why: str


class _Garbled(Exception):
    """A section whose bytes are not those the signed directory names."""


NOT_SIGNED = "it does not match its signature (damaged, or made by another user or machine)"


def kept(root: Path, out: Path, drafts: bool) -> tuple[Snapshot, Caches] | Damaged | None:
    """The state the last build of this site, output and options kept, when this release wrote it, this
    machine's user signed it (it is unpickled: a state copied from elsewhere is never trusted) and the
    output is still as that build left it; Damaged when the file is there but truncated, garbled or
    signed with another key; else None (then the build is a full one)."""
    secret = _secret()
    if secret is None:
        return None
    try:
        path = cache_file(root, out, drafts, ".state")
        with open(path, "rb") as f, contextlib.ExitStack() as stack:
            head = f.read(HEADER)
            where = int.from_bytes(head[TAG:], "little")
            if len(head) < HEADER or where > os.fstat(f.fileno()).st_size:
                return Damaged("it is cut short")
            f.seek(where)
            directory = f.read()
            if not hmac.compare_digest(head[:TAG], _tag(secret, directory, head[TAG:])):
                return Damaged(NOT_SIGNED)
            found = marshal.loads(directory)  # signed: written by this user's builds
            if type(found) is not tuple or len(found) != 3 or found[0] != build_key(out, drafts):
                return None  # another output's, or another version's (whose key holds its format)
            _, sections, stored = found
            objects = stack.enter_context(open(path.with_name(stored), "rb"))
            start, length, digest = sections["objects"]
            _check_section(objects, start, length, digest)  # every section first: a damaged state is told as such
            caches_data = _read_section(objects, sections[CACHES])
            outputs_data, records_data, heads_data = (_read_section(f, sections[n]) for n in ("outputs", "records", "heads"))
            edits_data = _read_section(f, sections["edits"]) if "edits" in sections else None
            outputs = marshal.loads(outputs_data)
            if not outputs_unchanged(out, outputs):
                return None
            trailer = _Blobs(records_data[8:])
            records = {}
            for _ in range(int.from_bytes(records_data[:8], "little")):
                data = trailer.next()
                page_path, record = marshal.loads(data)
                records[page_path] = PageRecord.restored(record, data)
            edits = pickle.loads(edits_data) if edits_data is not None else None
            heads = {name: frozenset(these) for name, these in marshal.loads(heads_data).items()}
            objects.seek(start)  # checked above, in pieces: unpickled from the file
            unpickler = pickle.Unpickler(objects)
            graph, pieces, results, tpl, files, compiled, inputs, problems = unpickler.load()
            caches = Caches(None, None, pieces, results, functools.partial(_caches, unpickler, caches_data))
            COMPILED.adopt(compiled)
            if edits is not None:
                graph = edits.applied(graph, caches)
                files, inputs, problems = edits.files, edits.inputs, edits.problems
    except FileNotFoundError:
        return None
    except _Garbled:
        return Damaged(NOT_SIGNED)
    except Exception as exc:  # noqa: BLE001 - a state that cannot be read back is only a full build
        return Damaged(f"it cannot be read back ({type(exc).__name__})")
    base = (stored, {name: sections[name] for name in ("objects", CACHES)})
    return Snapshot(graph, records, tpl, files, outputs, inputs, problems, base, edits, heads), caches


def _caches(objects: pickle.Unpickler, data: bytes) -> tuple[FileCache[Entry], ParseCache]:
    """The caches section (checked already), unpickled with the memo of the objects section's unpickler,
    whose objects it names."""
    unpickler = pickle.Unpickler(io.BytesIO(data))
    unpickler.memo = objects.memo
    try:
        files, parses = unpickler.load()
    except Exception:  # noqa: BLE001 - signed and checked, so never seen: the files are only read and parsed again
        return {}, {}
    return files, parses


def _read_section(f: BinaryIO, section: Section) -> bytes:
    start, length, digest = section
    f.seek(start)
    data = f.read(length)
    if len(data) != length or not hmac.compare_digest(_digest(data).digest(), digest):
        raise _Garbled()
    return data


def _check_section(f: BinaryIO, start: int, length: int, digest: bytes) -> None:
    f.seek(start)
    hashed, left = _digest(b""), length
    while left and (chunk := f.read(min(left, 1 << 20))):
        hashed.update(chunk)
        left -= len(chunk)
    if left or not hmac.compare_digest(hashed.digest(), digest):
        raise _Garbled()


def _digest(data: bytes) -> Any:
    """A section's hash: SHA-256, which CPUs with SHA extensions hash at twice BLAKE2b's speed (the objects
    section, 85 MB at 5,000 articles, is hashed on every save and every load)."""
    return hashlib.sha256(data)


BATCH_BYTES = 1 << 20
"""Records are written and hashed this much at a time (one write and one hash update each was 0.3 s)."""


class _Blobs:
    """Values in marshal, each after its length, as StateWriter.finish writes the records: read back from
    bytes one at a time, where marshal.load(file) reads in small pieces."""

    def __init__(self, data: bytes) -> None:
        self.data, self.at = memoryview(data), 0

    def next(self) -> memoryview:
        """The next value's bytes (a view of the section's)."""
        start = self.at + 8
        end = start + int.from_bytes(self.data[self.at:start], "little")
        if end > len(self.data):
            raise EOFError("the build cache's records are cut short")
        self.at = end
        return self.data[start:end]


def _stored_files(state: Path) -> list[Path]:
    """The objects' files beside a state file (one, but for a build that failed after writing its own)."""
    return list(state.parent.glob(f"{state.stem}.*{STORED}"))


def _hashed_section(hashed: _Hashed, write: Callable[[], object]) -> Section:
    """What `write` writes through `hashed`, as a section: where it starts, its length and its hash."""
    start, hashed.hash = hashed.f.tell(), _digest(b"")
    write()
    return start, hashed.f.tell() - start, hashed.hash.digest()


class _Hashed:
    """A file that hashes what is written to it."""

    def __init__(self, f: BinaryIO) -> None:
        self.f, self.hash = f, _digest(b"")

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        return self.f.write(data)


def forget_state(root: Path, out: Path, drafts: bool) -> None:
    path = cache_file(root, out, drafts, ".state")
    for found in (path, *_stored_files(path)):
        with contextlib.suppress(OSError):
            found.unlink()


def _secret() -> bytes | None:
    """This user's key for signing states, made on first use; None when there is nowhere to keep it."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = os.path.join(base, "briefing", "secret")
    try:
        with open(path, "rb") as f:
            secret = f.read()
        if len(secret) == TAG:
            return secret
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        secret = os.urandom(TAG)
        temporary = f"{path}.{os.getpid()}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(secret)
        os.replace(temporary, path)
        return secret
    except OSError:
        return None


class _Pickler(pickle.Pickler):
    """Model objects as (class, field values), see processes.reducers."""

    def __init__(self, file: _Hashed) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.dispatch_table: dict[type, Any] = {**copyreg.dispatch_table, **reducers()}
