"""The one Markdown dialect: CommonMark + tables + footnotes, [[id]] links and mentions."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.anchors.index import slugify
from mdit_py_plugins.footnote import footnote_plugin

WIKILINK_RE = re.compile(r"\[\[([^\[\]|\n]+(?:\n[^\[\]|\n]+)?)(?:\|([^\[\]\n]+(?:\n[^\[\]\n]+)?))?\]\]")
"""[[id]] or [[id|words]]; a writer who wraps lines may break either part once ([[Dmitry\nUtkin]]), read
as a space."""
UNSAFE_RE = re.compile(r"^\s*(javascript|vbscript|data|file):", re.IGNORECASE)


def unsafe_url(url: str) -> bool:
    """True for schemes that run code or read local files; control characters are ignored as browsers do."""
    cleaned = "".join(ch for ch in url if ch.isprintable() and ch not in "\t\n\r")
    return bool(UNSAFE_RE.match(cleaned))


def name_key(name: str) -> str:
    """How names are compared: NFC, runs of whitespace as one space."""
    return " ".join(unicodedata.normalize("NFC", name).split())


@dataclass(frozen=True, slots=True)
class Matcher:
    """Finds names and aliases in text: whole words, case-sensitive, longest at each position."""

    owners: Mapping[str, tuple[str, ...]]
    """NFC name -> the ids that claim it (more than one: ambiguous)."""
    source: str | None
    """The regular expression, compiled on first use (a matcher kept in the build cache is compared,
    not used: compiling one for 1,000 actors takes a quarter of a second)."""

    @property
    def fingerprint(self) -> str:
        """Equal for matchers that find the same names for the same items."""
        return self.source + repr(sorted(self.owners.items())) if self.source else ""

    @classmethod
    def build(cls, names: Iterable[tuple[str, str]]) -> Matcher:
        """From (name, id) pairs."""
        owners: dict[str, set[str]] = {}
        for name, item_id in names:
            key = name_key(name)
            if key and len(key) <= LONGEST_MENTION:
                owners.setdefault(key, set()).add(item_id)
        if not owners:
            return cls({}, None)
        body = _trie_pattern(owners)
        # Not a letter or digit on either side: "U.S." matches in "the U.S. said".
        return cls({k: tuple(sorted(v)) for k, v in owners.items()}, rf"(?<![^\W_])(?:{body})(?![^\W_])")

    def find(self, text: str) -> list[tuple[int, int, tuple[str, ...]]]:
        """(start, end, owner ids) of every match, left to right."""
        if self.source is None:
            return []
        return [(m.start(), m.end(), self.owners[" ".join(m.group().split())])
                for m in _compiled(self.source).finditer(text)]


@lru_cache(maxsize=4)
def _compiled(source: str) -> re.Pattern[str]:
    return re.compile(source)


LONGEST_MENTION = 200
"""Names up to this many characters are found as mentions in prose: longer ones are no one's way of
naming someone in a sentence, and their nested trie would be too deep for the regex compiler."""


def _trie_pattern(names: Iterable[str]) -> str:
    """One regex for many names, as a trie: far faster than a long alternation, and still the
    longest name at each position (deeper branches are tried first; all matches at one position
    lie on one path of the trie). A space in a name matches any run of whitespace."""
    trie: dict[str, Any] = {}
    for name in names:
        node = trie
        for ch in name:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        alts = [run(ch, child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    def run(ch: str, node: dict[str, Any]) -> str:
        """A branch's characters up to its next fork or name's end, in a loop: a name of a thousand
        characters is one literal, not a thousand nested calls (RecursionError)."""
        chars = [ch]
        while len(node) == 1 and "" not in node:
            ch, node = next(iter(node.items()))
            chars.append(ch)
        return "".join(r"\s+" if c == " " else re.escape(c) for c in chars) + emit(node)
    return emit(trie)


@dataclass(slots=True)
class Scan:
    """What one parse found: filled in by the core rule, read by resolve.py and render.py."""

    links: list[tuple[str, int]] = field(default_factory=list)
    """[[id]] targets with the 0-based source line of their block."""
    mentions: list[tuple[str, int]] = field(default_factory=list)
    """Unambiguous mentions: (id, line)."""
    ambiguous: list[tuple[str, tuple[str, ...], int]] = field(default_factory=list)
    """(name as written, ids claiming it, line)."""
    unsafe: list[tuple[str, int]] = field(default_factory=list)
    """(url, line) of links and images shown as text."""
    contexts: dict[str, Snippet] = field(default_factory=dict)
    """Item id -> the sentence around its first mention or [[id]] link (only when names are given)."""
    remote_images: list[tuple[str, int]] = field(default_factory=list)
    """(url, line) of images from other sites, which the pages' Content-Security-Policy does not load."""
    local: list[tuple[str, int]] = field(default_factory=list)
    """(url, line) of links and images to the site itself (no scheme, not only a #fragment): checked
    against what the build produces."""
    body: Body | None = None
    """An article body's HTML, prepared from the same parse (see prepare)."""


@dataclass(frozen=True, slots=True)
class Snippet:
    """A sentence of plain text, and where the name sits in it."""

    text: str
    start: int
    end: int


SENTENCE_END = re.compile(r"(?<=[.!?…])[”\"’')\]]*\s+")
SNIPPET_MAX = 320


def sentence_bounds(text: str) -> list[int]:
    """Where the sentences of `text` start and end, in order."""
    return [0, *(m.end() for m in SENTENCE_END.finditer(text)), len(text)]


def sentence_around(text: str, start: int, end: int, bounds: list[int] | None = None) -> Snippet:
    """The sentence of `text` holding text[start:end], cut to about SNIPPET_MAX characters; `bounds`:
    sentence_bounds(text), for a text with many names."""
    if bounds is None:
        bounds = sentence_bounds(text)
    s = bounds[bisect.bisect_right(bounds, start) - 1]  # the last bound at or before start
    e = bounds[bisect.bisect_left(bounds, end)]  # the first at or after end
    s = max(s, start - SNIPPET_MAX // 2)
    e = min(e, end + SNIPPET_MAX // 2)
    lead = "" if s in bounds else "…"
    tail = "" if e in bounds else "…"
    piece = text[s:e]
    stripped = piece.lstrip()
    offset = len(lead) - (len(piece) - len(stripped)) - s
    return Snippet(lead + stripped.rstrip() + tail, start + offset, end + offset)


@lru_cache(maxsize=2)
def parser(raw_html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": raw_html}).enable("table").use(footnote_plugin)
    md.validateLink = lambda url: True  # type: ignore[method-assign] # unsafe URLs are handled (and warned about) in _neutralise
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.core.ruler.push("briefing", _core_rule)
    md.add_render_rule("wikilink", _render_wikilink)
    md.add_render_rule("mention", _render_mention)
    md.add_render_rule("unsafe_open", lambda *a: "")
    md.add_render_rule("unsafe_close", lambda *a: "")
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("th_open", _render_cell_open)
    md.add_render_rule("td_open", _render_cell_open)
    md.add_render_rule("footnote_caption", _render_footnote_caption)
    return md


def _render_footnote_caption(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """Footnotes are lettered ([a], [b], ... [aa]), so they are never taken for numbered citations."""
    n, letters = tokens[idx].meta["id"] + 1, ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    sub = tokens[idx].meta.get("subId", -1)
    return f"[{letters}{':' + str(sub) if sub > 0 else ''}]"


@dataclass(frozen=True, slots=True)
class Links:
    """How one page links: given to render() in env["links"]."""

    href: Callable[[str], str | None]
    """Item id -> URL relative to the page, or None when the item has no page (a draft)."""
    name: Callable[[str], str]
    """Item id -> display name."""
    root: str
    """The relative way to the site root from the page: '', '../', '../../'."""
    local: Callable[[str], str] | None = None
    """A link written from the site root ('/actors/x/') -> the URL relative to the page, in the site's
    URL style; None: only made relative."""
    short: Callable[[str], str | None] | None = None
    """Item id -> its short name, for an article body: the first reference to an item spells it out,
    a later [[id]] shows the short name. None elsewhere."""
    target: Callable[[str], str] = str
    """What a [[...]] names -> the item's id ([[Kim Jong Un]] -> kim-jong-un)."""
    cite: Callable[[str, bool], tuple[int, int] | None] | None = None
    """For an article's body and key points: (an item's id, whether the link is a numbered marker) -> its
    number in the article's numbered sources and, for a marker, how many markers of it the article has
    drawn so far, this one included (its back-link's number); None when the item is not a source. None
    elsewhere."""
    dropped: Callable[[str], bool] | None = None
    """For text of an article's body or key points shown elsewhere (a card, a feed's summary): an item's id
    -> whether a [[id]] without words is a source's marker, left out there with the space before it
    (contract v3: no source's title in the sentence instead). None elsewhere."""


DROPPED = "\x03"
"""Where a marker left out was (Links.dropped), until without_dropped() takes it and the space before it
away (load.py removes control characters from every text, so none is written)."""
DROPPED_RE = re.compile(r"\s*\x03")


def without_dropped(html: str) -> str:
    return DROPPED_RE.sub("", html) if DROPPED in html else html


def render(tokens: list[Token], raw_html: bool, links: Links, doc_id: str) -> str:
    """HTML for parsed tokens, with [[id]] links, mentions and '/' links made relative to the page."""
    html = str(parser(raw_html).renderer.render(tokens, parser(raw_html).options, {"links": links, "docId": doc_id}))
    return glued(html) if links.cite is not None else html


MARKER = '<sup class="cite">'
SPACED_MARKER_RE = re.compile(r"[ \t\n]+" + MARKER)


def glued(html: str) -> str:
    """The space before each citation marker made a no-break space, so that a marker never starts a line
    alone (its word joiner keeps it to a word it follows without a space)."""
    return SPACED_MARKER_RE.sub("&nbsp;" + MARKER, html) if MARKER in html else html


SLOT_RE = re.compile("\x01([0-9]+)\x01")
DOC = "\x01d\x01"
"""Where a body's document id goes (footnote ids), in a prepared body."""

Slot = str
"""What one place of a prepared body depends on, its parts joined by U+0002: w, written id, text (or '') for
an [[id]] link; m, id, text, 1 (or '' when not linked) for a mention; u, URL for a URL written from the
site root; n, id for a name in alt text. One string, not a tuple: comparing and storing 65,000 slots (at
5,000 articles) for each build cost a third of a second more as tuples of parts."""


@dataclass(frozen=True, slots=True)
class Body:
    """An article body rendered once, when it is parsed (resolve.py), with the places that depend on the
    page and the graph left as numbered slots: fill() makes the page's HTML of it with a regular
    expression, where parsing and rendering again took a fifth of the build."""

    html: str
    """The HTML, each slot written as \\x01<n>\\x01 (load.py removes U+0001 from every text)."""
    slots: tuple[Slot, ...]


def prepare(tokens: list[Token], raw_html: bool) -> Body:
    """The body of `tokens` with its page-dependent places as slots (see Body)."""
    slots: list[Slot] = []
    html = parser(raw_html).renderer.render(tokens, parser(raw_html).options, {"slots": slots, "docId": DOC})
    return Body(str(html), tuple(slots))


def fill(body: Body, links: Links, doc_id: str) -> str:
    """The HTML of a prepared body on one page: the same bytes as render() of its tokens there."""
    env: dict[str, Any] = {"links": links}

    def one(m: re.Match[str]) -> str:
        kind, first, *rest = body.slots[int(m[1])].split("\x02")
        if kind == "w":
            return _wikilink(first, rest[0] or None, env)
        if kind == "m":
            return _mention(first, rest[0], bool(rest[1]), env)
        if kind == "u":
            return escapeHtml(_from_root(first, env))
        return escapeHtml(links.name(first))
    html = SLOT_RE.sub(one, body.html) if body.slots else body.html
    return glued(html.replace(DOC, doc_id)) if links.cite is not None else html.replace(DOC, doc_id)


def _slot(env: Any, *parts: str) -> str:
    slots: list[Slot] = env["slots"]
    slots.append("\x02".join(parts))
    return f"\x01{len(slots) - 1}\x01"


def _anchor(url: str | None, inner: str, cls: str) -> str:
    if url is None:
        return inner
    return f'<a class="{cls}" href="{escapeHtml(url)}">{inner}</a>'


def _render_wikilink(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    meta = tokens[idx].meta
    if "slots" in env:
        return _slot(env, "w", meta["id"], meta["text"] or "")
    return _wikilink(meta["id"], meta["text"], env)


def _wikilink(written: str, text: str | None, env: Any) -> str:
    links: Links = env["links"]
    if links.cite is not None:
        item_id = links.target(written)
        found = links.cite(item_id, not text)
        if found is not None:  # a source: [n] to the article's list, or the words given, to the same entry
            if text:
                return _anchor(f"#cite-{item_id}", escapeHtml(text), "ref")
            number, k = found
            # A word joiner first: no line break between the word (or the space after it) and its [n].
            return (f'<sup class="cite">&#x2060;<a href="#cite-{item_id}" id="cite-ref-{item_id}-{k}" '
                    f'aria-label="source {number}">[{number}]</a></sup>')
    elif links.dropped is not None and not text and links.dropped(links.target(written)):
        return DROPPED
    if links.short is not None:
        item_id, seen = links.target(written), env.setdefault("referenced", set())
        if not text and item_id in seen:
            text = links.short(item_id)
        seen.add(item_id)
    text = text or links.name(written)
    return _anchor(links.href(written), escapeHtml(text), "ref")


def _render_mention(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    if "slots" in env:
        return _slot(env, "m", token.meta["id"], token.content, "1" if token.meta["linked"] else "")
    return _mention(token.meta["id"], token.content, token.meta["linked"], env)


def _mention(item_id: str, content: str, linked: bool, env: Any) -> str:
    links: Links = env["links"]
    env.setdefault("referenced", set()).add(item_id)
    text = escapeHtml(content)
    return _anchor(links.href(item_id), text, "mention") if linked else text


def _from_root(url: str, env: Any) -> str:
    if url.startswith("/") and not url.startswith("//"):
        if "slots" in env:  # made relative to the page when the body is filled in (fill)
            return _slot(env, "u", url)
        links: Links = env["links"]
        return links.local(url) if links.local else (links.root or "./") + url[1:]
    return url


SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def is_local(url: str) -> bool:
    """A link to a page or file of the site itself: no scheme, not protocol-relative, not only a #fragment."""
    url = url.strip()
    return bool(url) and not url.startswith(("#", "//")) and not SCHEME_RE.match(url)


def _render_link_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    href = _from_root(str(token.attrGet("href") or ""), env)
    # A copy, not the token: rendering the same tokens for another page must start from what was written.
    return str(self.renderToken([*tokens[:idx], token.copy(attrs={**token.attrs, "href": href})], idx, options, env))


def _render_cell_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """A column's alignment as a class (align-left|center|right, in briefing.css), not as style="text-align:…",
    which the pages' Content Security Policy blocks."""
    token = tokens[idx]
    style = str(token.attrGet("style") or "")
    if style.startswith("text-align:"):
        attrs = {k: v for k, v in token.attrs.items() if k != "style"}
        token = token.copy(attrs={**attrs, "class": "align-" + style.removeprefix("text-align:")})
    return str(self.renderToken([*tokens[:idx], token, *tokens[idx + 1:]], idx, options, env))


def _render_image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    def name(t: Token) -> str:
        if t.meta["text"]:
            return str(t.meta["text"])
        return _slot(env, "n", t.meta["id"]) if "slots" in env else env["links"].name(t.meta["id"])
    children = [_text(name(t)) if t.type == "wikilink" else t
                for t in token.children or []]  # [[id]] in alt text reads as its name
    image = token.copy(attrs={**token.attrs, "src": _from_root(str(token.attrGet("src") or ""), env)},
                       children=children)
    return str(self.image([*tokens[:idx], image], idx, options, env))


def parse(text: str, raw_html: bool, matcher: Matcher | None = None, mode: str = "first",
          names: Mapping[str, str] | None = None, sources: AbstractSet[str] = frozenset()) -> tuple[list[Token], Scan]:
    """Tokens with [[id]] and mentions marked, and what was found. `matcher` None: no mentions.

    With `names` (id -> display name), scan.contexts gets the sentence around each item's first mention,
    without the markers of `sources` (ids: a source's [[id]] without words is a numbered marker)."""
    scan = Scan()
    env: dict[str, Any] = {"scan": scan, "matcher": matcher, "mode": mode, "names": names, "sources": sources}
    tokens = parser(raw_html).parse(text, env)
    if matcher is not None and "\x01" not in text and "\x02" not in text:  # a body: its HTML from this parse
        scan.body = prepare(tokens, raw_html)
    return tokens, scan


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[[", state.pos):
        return False
    m = WIKILINK_RE.match(state.src, state.pos)
    if not m:
        return False
    if not silent:
        token = state.push("wikilink", "", 0)
        token.meta = {"id": " ".join(m[1].split()), "text": " ".join(m[2].split()) if m[2] else None}
        token.content = m[0]
    state.pos = m.end()
    return True


def _core_rule(state: Any) -> None:
    scan: Scan = state.env["scan"]
    matcher: Matcher | None = state.env.get("matcher")
    seen: set[str] = set()
    in_heading = False
    ids: set[str] = set()
    for i, token in enumerate(state.tokens):
        if token.type == "heading_open":
            in_heading = True
            if matcher is not None and i + 1 < len(state.tokens):  # a body: its headings can be linked
                token.attrSet("id", _heading_id(state.tokens[i + 1].content, ids))
        elif token.type == "heading_close":
            in_heading = False
        elif token.type == "inline" and token.children is not None:
            line = token.map[0] if token.map else 0
            _neutralise(token.children, scan, line, token.content)
            token.children = _inline(token.children, scan, line, None if in_heading else matcher,
                                     state.env["mode"], seen)
            if state.env.get("names") is not None and not in_heading:
                _contexts(token.children, scan, state.env["names"], state.env["sources"])


RESERVED_IDS = frozenset({
    "main", "key-points", "corrections", "article-sources", "lead-title", "whos-who", "relations", "rel-table",
    "facts", "tree", "quotes", "grading", "view-sources", "timeline-filters", "graph-title", "arrow",
    "site-search-q", "site-search-q-panel", "search-page-q", "search-page-q-panel", "sanctions", "designated",
    "sanctions-matrix", "sanctions-list", "sanctions-filters"})
"""Ids the theme gives parts of a page (tests/test_hostile.py checks the theme against this list)."""
RESERVED_FAMILIES = re.compile(r"(cite|sec|rel|p|f|y|home|fn|fnref)-")
"""Prefixes of ids the theme numbers or names after items (cite-<source>, sec-<n>, fn-1-1, ...)."""


def _heading_id(text: str, taken: set[str]) -> str:
    """A stable id for a heading of a body, from its words (as GitHub makes them): the second heading of
    the same words gets -1, the third -2. The page's own ids are never taken: `## Corrections` gets
    corrections-1, and a heading that reads like one of the theme's families (`## Cite this`) section-cite-this."""
    base = slugify(text) or "section"
    if RESERVED_FAMILIES.match(base):
        base = f"section-{base}"
    found, n = base, 0
    while found in taken or found in RESERVED_IDS:
        n += 1
        found = f"{base}-{n}"
    taken.add(found)
    return found


def _contexts(children: list[Token], scan: Scan, names: Mapping[str, str], sources: AbstractSet[str]) -> None:
    """Plain text of a paragraph, and the sentence around each first mention or link in it; a source's
    marker is left out, with the space before it (excerpts show no source's title in the sentence)."""
    parts: list[str] = []
    found: list[tuple[str, int, int]] = []
    pos = 0
    for tok in children:
        if tok.type in ("text", "code_inline"):
            piece = tok.content
        elif tok.type in ("softbreak", "hardbreak"):
            piece = " "
        elif tok.type == "mention":
            piece = " ".join(tok.content.split())
            found.append((tok.meta["id"], pos, pos + len(piece)))
        elif tok.type == "wikilink" and not tok.meta["text"] and tok.meta["id"] in sources:
            if parts:
                kept = parts[-1].rstrip()
                pos -= len(parts[-1]) - len(kept)
                parts[-1] = kept
            continue
        elif tok.type == "wikilink":
            piece = tok.meta["text"] or names.get(tok.meta["id"], tok.meta["id"])
            found.append((tok.meta["id"], pos, pos + len(piece)))
        else:
            piece = ""
        parts.append(piece)
        pos += len(piece)
    text = "".join(parts)
    bounds: list[int] | None = None
    for item_id, start, end in found:
        if item_id not in scan.contexts:  # only the first mention of each item needs its sentence
            bounds = bounds or sentence_bounds(text)
            scan.contexts[item_id] = sentence_around(text, start, end, bounds)


def _neutralise(children: list[Token], scan: Scan, first_line: int, source: str) -> None:
    """Unsafe links lose their <a> (the text stays); unsafe images become their alt text. Each link is
    noted at its own line (the paragraph's first line plus the line breaks before it), and local ones as
    written in `source` (markdown-it percent-encodes them: /actors/m%C3%BCller/ for /actors/müller/)."""
    stack: list[bool] = []
    line = first_line
    for i, tok in enumerate(children):
        if tok.type in ("softbreak", "hardbreak"):
            line += 1
        elif tok.type == "link_open":
            href = str(tok.attrGet("href") or "")
            bad = unsafe_url(href)
            stack.append(bad)
            if bad:
                scan.unsafe.append((href, line))
                tok.type = "unsafe_open"
            elif is_local(href):
                scan.local.append((_as_written(href, source), line))
        elif tok.type == "link_close" and stack and stack.pop():
            tok.type = "unsafe_close"
        elif tok.type == "image":
            src = str(tok.attrGet("src") or "")
            if unsafe_url(src):
                scan.unsafe.append((src, line))
                children[i] = _text(tok.content)
            elif is_local(src):
                scan.local.append((_as_written(src, source), line))
            elif not src.startswith("#"):
                scan.remote_images.append((src, line))


def _as_written(url: str, source: str) -> str:
    """A URL as the writer wrote it, when markdown-it's percent-encoding of it can be undone unambiguously."""
    decoded = unquote(url)
    return decoded if decoded != url and decoded in source and url not in source else url


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _inline(children: list[Token], scan: Scan, line: int, matcher: Matcher | None, mode: str,
            seen: set[str]) -> list[Token]:
    out: list[Token] = []
    run: list[Token] = []
    depth = 0
    for tok in children:
        if tok.type in ("text", "softbreak") and depth == 0 and matcher is not None:
            run.append(tok)
            continue
        out.extend(_mentions(run, scan, line, matcher, mode, seen))
        run = []
        if tok.type in ("link_open", "unsafe_open"):
            depth += 1
        elif tok.type in ("link_close", "unsafe_close"):
            depth -= 1
        elif tok.type == "wikilink":
            scan.links.append((tok.meta["id"], line))
            seen.add(tok.meta["id"])
            owners = matcher.owners.get(name_key(tok.meta["id"]), ()) if matcher else ()
            if len(owners) == 1:  # [[Kim Jong Un]] is that actor's first mention too
                seen.add(owners[0])
        elif tok.type == "softbreak":
            pass
        out.append(tok)
    out.extend(_mentions(run, scan, line, matcher, mode, seen))
    return out


def _mentions(run: Sequence[Token], scan: Scan, line: int, matcher: Matcher | None, mode: str,
              seen: set[str]) -> list[Token]:
    """A run of text and soft breaks, with every name found in it made a mention token."""
    if not run or matcher is None:
        return list(run)
    text = "".join("\n" if t.type == "softbreak" else t.content for t in run)
    found = matcher.find(text)
    if not found:
        return list(run)
    out: list[Token] = []
    pos = 0
    for start, end, owners in found:
        out.extend(_plain(text[pos:start]))
        at = line + text.count("\n", 0, start)
        if len(owners) > 1:
            scan.ambiguous.append((text[start:end], owners, at))
            out.extend(_plain(text[start:end]))
        else:
            item_id = owners[0]
            scan.mentions.append((item_id, at))
            linked = mode == "all" or (mode == "first" and item_id not in seen)
            seen.add(item_id)
            token = Token("mention", "", 0)
            token.content = text[start:end]
            token.meta = {"id": item_id, "linked": linked}
            out.append(token)
        pos = end
    out.extend(_plain(text[pos:]))
    return out


def _plain(text: str) -> list[Token]:
    out: list[Token] = []
    for i, part in enumerate(text.split("\n")):
        if i:
            out.append(Token("softbreak", "br", 0))
        if part:
            out.append(_text(part))
    return out
