"""Exact incremental rebuilds: which pages a change makes stale, and what a run keeps for the next.

The next run re-renders a page when any value it read (reads.py) differs between the two graphs, when
its Page differs, or when one of its templates changed. Its state is kept in memory by a long-lived
builder, and under the site by the build cache (cache.py)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

from ..base.errors import Problem
from ..content.inputs import RACY_NS, Inputs, Stamps
from ..content.load import RACY, FileCache, load_file, read_again
from ..content.model import Article
from ..content.validate import Entry, entry_of, item_of
from ..graph.resolve import Graph, ParseCache, with_body
from ..pages import search
from ..pages.exports import Pieces
from ..pages.identity import identical
from ..pages.outputs import draw
from ..pages.page import Page
from .reads import MISSING, PageRecord, Read, value_at

Section = tuple[int, int, bytes]
"""Where a section of the build cache's state starts, its length, and its bytes' hash (cache.py)."""


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


# ---- what a run keeps for the next ------------------------------------------------------

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
