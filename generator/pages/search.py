"""Search: the search page (search/index.html) and the index its box reads (search/meta.js, search/s/*.js,
search/d/*.js), built from the graph with no program but Python and read by assets/search.js.

Every index file is a classic script calling `briefingSearchData(name, value)`: it loads through
`<script src>`, so the search works on any static host, at any sub-path, from disk (file://, where
`fetch` is refused) and under the pages' Content-Security-Policy (no eval, no WebAssembly). Measured
against Pagefind on a 5,000-article site in docs/search-study.md.

- meta.js: the number of results, the kinds, and where each postings shard and documents chunk starts.
- s/<hash>.js: postings, `{token: [gap, gap, -gap, weight, ...]}` for a run of the sorted vocabulary (a
  positive number is a gap to the next result with weight 1; a negative one is a gap, then its weight).
- d/<hash>.js: results by number, `[kind, title, url from the root, names, text]`.

Shards and chunks are named by a hash of their bytes: a host's cache can never mix an old one with a new
meta.js, and an edit writes only the files it changes.

Tokens are the same in Python and in search.js: NFKC, casefold, combining marks dropped (kana voicing
marks kept), runs of letters and digits; Han and kana runs become overlapping bigrams; a Hangul word of
a name is also indexed by each of its suffixes, so part of a native name finds the actor."""

from __future__ import annotations

import hashlib
import html
import json
import marshal
import operator
import re
import unicodedata
from bisect import bisect_left, insort
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from ..content.model import (
    COLLECTIONS,
    SINGULAR,
    Account,
    Correction,
    Designation,
    Fact,
    Item,
    Md,
    PartialDate,
    Quote,
    Ref,
)
from ..graph.markdown import WIKILINK_RE
from ..graph.rendering import DROPPED, without_dropped
from ..graph.resolve import Graph
from ..graph.urls import address
from .context import Context
from .html.timeline import listing_title
from .identity import identical
from .page import Page

FOLDER = "search/"
"""Where the index is written; a site's static file may not go there."""
META = f"{FOLDER}meta.js"
"""The index's entry point: the names of the other files of the index, which change with their contents."""


@dataclass(frozen=True, slots=True)
class Searched:
    """Which fields of an item a search reads, by their names in the model: a field a later version adds
    is one more name here."""

    title: str
    names: tuple[str, ...] = ()
    """Other names it is found by, shown under the title: aliases, a native name, a speaker."""
    text: tuple[str, ...] = ()
    """Fields whose words are searched and shown in the snippet."""


SEARCHED: Mapping[str, Searched] = {
    "articles": Searched("title", (), ("summary", "key_points", "body", "corrections", "place", "author")),
    "actors": Searched("name", ("short_name", "aliases", "native_name"), ("role", "summary")),
    "topics": Searched("title", ("aliases",), ("summary", "body", "facts")),
    "views": Searched("title", ("expert",), ("summary", "quote")),
    "quotes": Searched("text", ("speaker",), ("context",)),
    "events": Searched("title", ("date",), ("place", "summary", "accounts")),
    "sources": Searched("title", ("publisher", "date"), ()),
    "designations": Searched("display", ("program", "reference", "date"), ("reason",)),
}
KINDS = tuple(SINGULAR[c] for c in COLLECTIONS)
NAMED = ("actors", "topics")
"""Collections whose other names are names of the item itself (weighed as its title)."""

W_TITLE, W_NAME, W_OTHER, W_CAP, TF_CAP = 40, 40, 8, 250, 20
"""Weights: a token's count in the text (at most TF_CAP); a token of the title, or of an actor's or
topic's other names, W + W / (tokens in that name) more, so "KCNA" the alias ranks above "KCNA report
on ..." the title; a speaker, expert or publisher W_OTHER likewise."""
SHARD_BYTES = 24_000
"""About the size of one postings shard (one token's own list may be longer)."""
DOC_BYTES = 8_000
"""About the size of one documents chunk: a result shown costs the reader one chunk."""
TEXT_CHARS = 50_000
"""Text kept per result for its snippet (every word is indexed all the same)."""
QUOTE_TITLE = 90
REDRAWN_AT_MOST = 8
"""When more than one result in this many changed, the index is drawn whole rather than by parts."""


# ---- tokens -------------------------------------------------------------------------------

WORD = re.compile(r"[^\W_]+")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]+")
HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
KEEP_MARKS = {"\u3099", "\u309a"}
_MARKS: dict[int, None] = {}
"""Combining marks (Mn) met so far, but KEEP_MARKS -> None, for str.translate: filled as texts bring new
characters, since classifying all 1.1 million code points up front took 0.2-0.7 s of every build."""
_CLASSIFIED: set[str] = set()


def _without_marks(text: str) -> str:
    new = set(text) - _CLASSIFIED
    if new:
        _MARKS.update((ord(c), None) for c in new if unicodedata.category(c) == "Mn" and c not in KEEP_MARKS)
        _CLASSIFIED.update(new)
    return text.translate(_MARKS)


def fold(text: str) -> str:
    """NFKC, casefold, then without combining marks: harakat, accents and stress marks never split or
    change a word."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", _without_marks(unicodedata.normalize("NFD", text)))


def tokens(text: str, suffixes: bool = False) -> list[str]:
    """The words of a text as the index holds them; `suffixes` for names (see the module)."""
    folded = fold(text)
    words = WORD.findall(folded)
    if folded.isascii() or not (CJK.search(folded) or (suffixes and HANGUL.search(folded))):
        return words
    out: list[str] = []
    for w in words:
        pos = 0
        for m in CJK.finditer(w):
            if m.start() > pos:
                out.extend(_word(w[pos:m.start()], suffixes))
            run = m.group()
            out.extend([run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)])
            pos = m.end()
        if pos < len(w):
            out.extend(_word(w[pos:], suffixes))
    return out


def _word(w: str, suffixes: bool) -> list[str]:
    if suffixes and len(w) > 2 and HANGUL.search(w):
        return [w[i:] for i in range(len(w) - 1)]
    return [w]


# ---- Markdown as plain text --------------------------------------------------------------------

_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\[[^\]]*\]")
_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:.*$", re.MULTILINE)
_TAG = re.compile(r"<[^>\n]+>")
_LINE = re.compile(r"^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d+[.)][ \t]+|[-*_=]{3,}[ \t]*$|(?:`{3,}|~{3,}).*$)", re.MULTILINE)
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_INLINE = str.maketrans("*_`~|", "     ")


def plain(text: str, graph: Graph, dropped: bool = False) -> str:
    """Markdown as the words a reader sees: links and images as their text, [[id]] as the item's name;
    `dropped`: an article's body or key points, whose sources' markers ([[id]] without words) are left
    out with the space before them (contract v3: search snippets put no source's title in the sentence).
    A cheap reading, not a parse: parsing every body again costs more than the rest of the index."""
    def wiki(m: re.Match[str]) -> str:
        target = graph.target(" ".join(m.group(1).split()))
        if dropped and not m.group(2) and graph.collections.get(target) == "sources":
            return DROPPED
        return " ".join(m.group(2).split()) if m.group(2) else graph.names.get(target, m.group(1))
    text = without_dropped(WIKILINK_RE.sub(wiki, text))
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), text)
    text = _DEFINITION.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = _LINE.sub(" ", text)
    text = _ESCAPE.sub(lambda m: " " if m.group(1) in "*_`~|" else m.group(1), text).translate(_INLINE)
    return " ".join(html.unescape(text).split())


# ---- results ------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Doc:
    """One result: an item, as the search box shows it."""

    kind: str
    title: str
    url: str
    """From the site root, in the site's URL style."""
    names: tuple[str, ...]
    text: str


Weights = tuple[str, bytes]
"""A result's tokens, joined by NUL (a token is letters and digits), and their weights (at most W_CAP, so a
byte each), as postings() adds them to the index: two objects a result, where a tuple per token made the
build cache a million objects longer to write and read."""


@dataclass(slots=True)
class Pieces:
    """The results of the last run and their weighted tokens, by item (the index is drawn by pieces)."""

    guard: tuple[Any, ...] = ()
    """What every result may read besides its own item and place: names (a [[id]] reads as one), what
    names link ([[Kim Jong Un]]), which ids are sources (an article's markers are left out) and the URL
    style. When it changed, every result is drawn again."""
    docs: dict[str, tuple[tuple[Any, ...], bytes]] = field(default_factory=dict)
    """Item id -> (its item and place, its result and weighted tokens packed by marshal: the build cache
    keeps three objects a result, not ten, and a run decodes only those it draws again)."""
    drawn: Drawn | None = None
    """The index as the last run drew it from `docs`."""


@dataclass(slots=True)
class Drawn:
    """The index's files as a run drew them, and what a run that keeps the results' order needs to draw
    again only the shards and chunks that hold what changed: one article edited touches a few tokens'
    postings and one chunk of results, where drawing the whole index took 0.5 s at 5,000 articles."""

    order: tuple[str, ...]
    """The results' item ids, by number."""
    entries: dict[str, str]
    """Token -> its entry in its shard, `"token":[postings]` (_encode)."""
    vocabulary: list[str]
    """The tokens, in shard order (_shard_order)."""
    shards: list[tuple[str, int, str]]
    """(first token, tokens in it, file name) of each postings shard."""
    rows: list[int]
    """The length of each result's row in its chunk, by number."""
    chunks: list[tuple[int, str]]
    """(results in it, file name) of each documents chunk."""
    def paths(self) -> list[str]:
        """Every file of the index."""
        return [META, *(_path(n) for _, _, n in self.shards), *(_path(n) for _, n in self.chunks)]


def documents(graph: Graph, pieces: Pieces | None = None) -> dict[str, tuple[Doc, Weights]]:
    """Every item shown somewhere, collection by collection, in id order within each, into `pieces`; with
    the last run's pieces, an item's result is drawn again only when its item or place changed. Gives
    the results drawn in this run, with their weighted tokens, by item id."""
    pretty = graph.site.config.pretty_urls
    pieces = pieces if pieces is not None else Pieces()
    guard = (graph.names, graph.named, graph.collections, pretty)
    kept = pieces.docs if identical(pieces.guard, guard) else {}
    fresh: dict[str, tuple[tuple[Any, ...], bytes]] = {}
    drawn: dict[str, tuple[Doc, Weights]] = {}
    for collection in COLLECTIONS:
        how = SEARCHED[collection]
        for item_id in sorted(i for i, c in graph.collections.items() if c == collection):
            where = graph.locations.get(item_id)
            if where is None:
                continue
            item = graph.items[item_id]
            inputs = (item, where)
            found = kept.get(item_id)
            if found is None or not identical(found[0], inputs):
                names = tuple(dict.fromkeys(w for f in how.names for w in _words(graph, _field(item, f))))
                text = " ".join(w for f in how.text for w in _words(graph, _field(item, f), collection == "articles"
                                                                    and f in CITING))
                doc = Doc(SINGULAR[collection], _title(graph, item, how), address(where) if pretty else where,
                          names, text)
                drawn[item_id] = doc, _weights(doc)
                found = (inputs, marshal.dumps((doc.kind, doc.title, doc.url, doc.names, doc.text, *drawn[item_id][1])))
            elif not all(map(operator.is_, found[0], inputs)):  # equal values in new objects (a file read again):
                found = (inputs, found[1])  # kept with them, so that the next run compares by identity again
            fresh[item_id] = found
    pieces.guard, pieces.docs = guard, fresh
    return drawn


def _unpacked(packed: bytes) -> tuple[Doc, Weights]:
    kind, title, url, names, text, words, weights = marshal.loads(packed)
    return Doc(kind, title, url, names, text), (words, weights)


def _field(item: Item, name: str) -> Any:
    """A field's value; for a field that may name an item instead (a source's publisher), that item."""
    return getattr(item, f"{name}_ref", None) or getattr(item, name)


def _title(graph: Graph, item: Item, how: Searched) -> str:
    if isinstance(item, Quote):
        short = item.text if len(item.text) <= QUOTE_TITLE else item.text[:QUOTE_TITLE - 1].rsplit(" ", 1)[0] + "…"
        return f"“{short}”"
    if isinstance(item, Designation):
        return listing_title(graph, item.id)
    return str(getattr(item, how.title))


CITING = ("body", "key_points")
"""An article's fields where [[source-id]] is a numbered marker (left out of the index's text)."""


def _words(graph: Graph, value: Any, dropped: bool = False) -> Iterator[str]:
    """A field's value as text: Markdown as plain text, a reference as the name of what it names;
    `dropped`: see plain()."""
    if value is None or value == "":
        return
    if isinstance(value, tuple):
        for v in value:
            yield from _words(graph, v, dropped)
    elif isinstance(value, Md):
        yield plain(value.text, graph, dropped)
    elif isinstance(value, Ref):
        yield graph.names.get(value.id, value.id)
    elif isinstance(value, PartialDate):
        yield value.human()
    elif isinstance(value, Fact):
        yield f"{value.label}: {value.value}"
    elif isinstance(value, Correction):
        yield f"Correction, {value.date.human()}: {plain(value.text.text, graph)}"
    elif isinstance(value, Account):
        yield f"{graph.names.get(value.source.id, value.source.id)}: {plain(value.says.text, graph)}"
    else:
        yield str(value)


def postings(docs: Iterable[tuple[Doc, Weights]], rows: list[str] | None = None) -> dict[str, list[int]]:
    """token -> its results and weights in result order, flat: [result, weight, result, weight, ...] (see
    W_TITLE for the weights). A result's number is one object for all its tokens, and a weight a small
    int, so a posting costs two list slots, where a (result, weight) tuple each was 20 MB at 5,000
    articles. `rows`: each result's row (_row) appended as it passes, so that a result's text is held
    no longer than it takes to index it."""
    index: dict[str, list[int]] = defaultdict(list)
    for d, (doc, (words, weights)) in enumerate(docs):
        if rows is not None:
            rows.append(_row(doc))
        if words:
            for t, weight in zip(words.split("\0"), weights, strict=True):
                index[t] += (d, weight)
    return index


def _weights(doc: Doc) -> Weights:
    """A result's tokens and weights: its text's counts, raised where the title or a name holds the token."""
    found = {t: min(count, TF_CAP) for t, count in Counter(tokens(doc.text)).items()}
    other = W_NAME if doc.kind in ("actor", "topic") else W_OTHER
    for words, base in ((doc.title, W_TITLE), *((n, other) for n in doc.names)):
        field_tokens = set(tokens(words, suffixes=True))
        for t in sorted(field_tokens):
            weight = base + base // len(field_tokens)
            old = found.get(t)
            if old is not None:  # also in the text, or in a field before
                found[t] = min(W_CAP, max(old, (old if old <= TF_CAP else 0) + weight))
            else:
                found[t] = weight
    return "\0".join(found), bytes(found.values())


def _encode(flat: list[int]) -> str:
    """Postings, flat as postings() holds them, as the index writes them (see the module)."""
    out: list[int] = []
    last = -1
    for i in range(0, len(flat), 2):
        d, w = flat[i], flat[i + 1]
        out.extend((d - last,) if w == 1 else (last - d, w))
        last = d
    return ",".join(map(str, out))


def _shard_order(token: str) -> bytes:
    """Tokens sort by UTF-16 code units, as JavaScript compares strings: search.js finds a token's shard by
    bisection, and the tokens a prefix begins are in consecutive shards."""
    return token.encode("utf-16-be")


def _entry(token: str, flat: list[int]) -> str:
    return f"{_json(token)}:[{_encode(flat)}]"


def _decoded(entry: str) -> list[tuple[int, int]]:
    """The postings of a shard's entry (_encode, undone)."""
    out: list[tuple[int, int]] = []
    last = -1
    numbers = iter(map(int, entry[entry.index(":[") + 2:-1].split(",")))
    for n in numbers:
        if n > 0:
            last += n
            out.append((last, 1))
        else:
            last -= n
            out.append((last, next(numbers)))
    return out


def _runs(sizes: Iterable[int], limit: int) -> list[int]:
    """How many entries of these sizes go in each file of about `limit` characters (one entry may be
    longer): entries are joined by commas, and a file is full when the next entry would pass the limit."""
    counts: list[int] = []
    n = size = 0
    for s in sizes:
        if n and size + s > limit:
            counts.append(n)
            n = size = 0
        n += 1
        size += s + 1
    if n:
        counts.append(n)
    return counts


def _row(doc: Doc) -> str:
    """A result as its chunk holds it: [kind, title, url, names, text]."""
    text = doc.text if len(doc.text) <= TEXT_CHARS else doc.text[:TEXT_CHARS].rsplit(" ", 1)[0] + " …"
    names = " · ".join(doc.names)
    return _json([KINDS.index(doc.kind), doc.title, doc.url] + ([names, text] if names or text else []))


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _script(name: str, value_json: str) -> bytes:
    return f"briefingSearchData({_json(name)},{value_json});\n".encode()


def files(graph: Graph, pieces: Pieces | None = None,
          known: Mapping[str, str] | None = None) -> tuple[dict[str, bytes], set[str]]:
    """The index: the files drawn (output path -> bytes) and the paths of the last run's files that stay
    as they are, which `known` (the output's files by path, as the last run left them) must name.
    `pieces`: the last run's results, which this run's replace, and the index drawn from them, which an
    edit that keeps the results' order redraws by parts."""
    pieces = pieces if pieces is not None else Pieces()
    before, drawn = pieces.docs, pieces.drawn
    new = documents(graph, pieces)
    order = tuple(pieces.docs)

    def result(item_id: str) -> tuple[Doc, Weights]:
        return new.get(item_id) or _unpacked(pieces.docs[item_id][1])
    pieces.drawn = None
    if drawn is not None and known is not None and drawn.order == order and before.keys() == pieces.docs.keys():
        changed = [n for n, i in enumerate(order) if pieces.docs[i] is not before[i]]
        if len(changed) <= len(order) // REDRAWN_AT_MOST:
            pieces.drawn, out = _redrawn(drawn, changed, lambda i: _unpacked(before[i][1]), result, known)
    if pieces.drawn is None:  # each result let go of once indexed (popped): its text is in pieces too
        pieces.drawn, out = _drawn(order, (new.pop(i) if i in new else result(i) for i in order))
    return out, {p for p in pieces.drawn.paths() if p not in out}


def _drawn(order: tuple[str, ...], weighted: Iterable[tuple[Doc, Weights]]) -> tuple[Drawn, dict[str, bytes]]:
    """The whole index, drawn anew, and its files."""
    rows: list[str] = []
    index = postings(weighted, rows)
    vocabulary = sorted(index, key=_shard_order)
    entries = {t: _entry(t, index.pop(t)) for t in vocabulary}
    drawn = Drawn(order, entries, vocabulary, [], [len(r) for r in rows], [])
    return _filed(drawn, None, entries.keys(), rows.__getitem__, range(len(rows)))


def _redrawn(last: Drawn, changed: list[int], before: Callable[[str], tuple[Doc, Weights]],
             now: Callable[[str], tuple[Doc, Weights]], known: Mapping[str, str]) -> tuple[Drawn, dict[str, bytes]]:
    """The index after the results numbered `changed` changed (same numbers, same items): the postings of
    the tokens whose weight in them changed, and the shards and chunks that hold those, are drawn again;
    the other files are the last run's, where `known` has them. The same files as _drawn."""
    updates: dict[str, dict[int, int | None]] = defaultdict(dict)
    for d in changed:
        item_id = last.order[d]
        old, new = _weighed(before(item_id)[1]), _weighed(now(item_id)[1])
        for t in old.keys() | new.keys():
            if old.get(t) != new.get(t):
                updates[t][d] = new.get(t)
    drawn = Drawn(last.order, dict(last.entries), list(last.vocabulary), [], list(last.rows), [])
    for t, these in updates.items():
        _update(drawn, t, these)
    rows = {d: _row(now(last.order[d])[0]) for d in changed}
    for d, row in rows.items():
        drawn.rows[d] = len(row)
    return _filed(drawn, last, updates.keys(), lambda d: rows.get(d) or _row(now(last.order[d])[0]), rows.keys(),
                  known)


def _update(drawn: Drawn, token: str, weights: Mapping[int, int | None]) -> None:
    """A token's postings with new weights in some results (None: no longer in that result)."""
    entries, vocabulary = drawn.entries, drawn.vocabulary
    plist = [(d, w) for d, w in (_decoded(entries[token]) if token in entries else ()) if d not in weights]
    plist += [(d, w) for d, w in weights.items() if w is not None]
    if plist:
        if token not in entries:
            insort(vocabulary, token, key=_shard_order)
        entries[token] = _entry(token, [x for posting in sorted(plist) for x in posting])
    elif token in entries:
        del entries[token]
        del vocabulary[bisect_left(vocabulary, _shard_order(token), key=_shard_order)]


def _filed(drawn: Drawn, last: Drawn | None, tokens_changed: AbstractSet[str], row: Callable[[int], str],
           rows_changed: Collection[int], known: Mapping[str, str] | None = None) -> tuple[Drawn, dict[str, bytes]]:
    """`drawn` with its shards and chunks: those of `last` where they hold the same tokens and results and
    none that changed, and `known` has their files; the others drawn, with meta.js: the files drawn."""
    known = known or {}
    out: dict[str, bytes] = {}
    kept_shards: dict[tuple[str, str, int], str] = {}
    kept_chunks: dict[tuple[int, int], str] = {}
    if last is not None:  # a shard is known by its first and last tokens and their number, a chunk by its results
        for (first, count, name), at in zip(last.shards, _starts(c for _, c, _ in last.shards), strict=True):
            kept_shards[first, last.vocabulary[at + count - 1], count] = name
        for (count, name), at in zip(last.chunks, _starts(c for c, _ in last.chunks), strict=True):
            kept_chunks[at, count] = name
    counts = _runs((len(drawn.entries[t]) for t in drawn.vocabulary), SHARD_BYTES)
    for count, at in zip(counts, _starts(counts), strict=True):
        tokens_in = drawn.vocabulary[at:at + count]
        name = kept_shards.get((tokens_in[0], tokens_in[-1], count), "")
        if not name or _path(name) not in known or not tokens_changed.isdisjoint(tokens_in):
            name = _named(out, "s", _joined("{}", map(drawn.entries.__getitem__, tokens_in)))
        drawn.shards.append((tokens_in[0], count, name))
    counts = _runs(drawn.rows, DOC_BYTES)
    for count, at in zip(counts, _starts(counts), strict=True):
        name = kept_chunks.get((at, count), "")
        if not name or _path(name) not in known or any(at <= d < at + count for d in rows_changed):
            name = _named(out, "d", _joined("[]", map(row, range(at, at + count))))
        drawn.chunks.append((count, name))
    out[META] = _meta(drawn)
    return drawn, out


def _starts(counts: Iterable[int]) -> list[int]:
    """Where each run of these lengths starts."""
    starts, at = [], 0
    for count in counts:
        starts.append(at)
        at += count
    return starts


def _weighed(weights: Weights) -> dict[str, int]:
    words, values = weights
    return dict(zip(words.split("\0"), values, strict=True)) if words else {}


def _joined(brackets: str, parts: Iterable[str]) -> str:
    return brackets[0] + ",".join(parts) + brackets[1]


def _path(name: str) -> str:
    return f"{FOLDER}{name[0]}/{name[1:]}.js"


def _named(out: dict[str, bytes], folder: str, value_json: str) -> str:
    """The file of a shard or chunk, named by its bytes, added to `out`; its name."""
    name = folder + hashlib.blake2b(value_json.encode(), digest_size=8).hexdigest()
    out[_path(name)] = _script(name, value_json)
    return name


def _meta(drawn: Drawn) -> bytes:
    meta = {"v": 1, "n": len(drawn.order), "kinds": KINDS,
            "shards": [first for first, _, _ in drawn.shards], "shard_files": [n for _, _, n in drawn.shards],
            "docs": _starts(c for c, _ in drawn.chunks), "doc_files": [n for _, n in drawn.chunks]}
    return _script("meta", _json(meta))


# ---- the search page ----------------------------------------------------------------------------

def plan(graph: Graph) -> list[Page]:
    return [Page(graph.urls().search(), "search.html", "search")]


def values(ctx: Context) -> dict[str, Any]:
    return {"title": "Search", "kinds": KINDS}
