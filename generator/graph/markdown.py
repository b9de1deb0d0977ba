"""The one Markdown dialect: CommonMark + tables + footnotes, [[id]] links and mentions."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.anchors.index import slugify
from mdit_py_plugins.footnote import footnote_plugin

from .mentions import Matcher, Snippet, name_key, sentence_around, sentence_bounds
from .rendering import (
    DOC,
    Body,
    Links,
    Slot,
    glued,
    render_cell_open,
    render_footnote_caption,
    render_image,
    render_link_open,
    render_mention,
    render_wikilink,
    text_token,
)

WIKILINK_RE = re.compile(r"\[\[([^\[\]|\n]+(?:\n[^\[\]|\n]+)?)(?:\|([^\[\]\n]+(?:\n[^\[\]\n]+)?))?\]\]")
"""[[id]] or [[id|words]]; a writer who wraps lines may break either part once ([[Dmitry\nUtkin]]), read
as a space."""
UNSAFE_RE = re.compile(r"^\s*(javascript|vbscript|data|file):", re.IGNORECASE)


def unsafe_url(url: str) -> bool:
    """True for schemes that run code or read local files; control characters are ignored as browsers do."""
    cleaned = "".join(ch for ch in url if ch.isprintable() and ch not in "\t\n\r")
    return bool(UNSAFE_RE.match(cleaned))


SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def is_local(url: str) -> bool:
    """A link to a page or file of the site itself: no scheme, not protocol-relative, not only a #fragment."""
    url = url.strip()
    return bool(url) and not url.startswith(("#", "//")) and not SCHEME_RE.match(url)


@dataclass(slots=True)
class Scan:
    """What one parse found: filled in by the core rule, read by resolve.py and the pages (pages/html/text.py)."""

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


@lru_cache(maxsize=2)
def parser(raw_html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": raw_html}).enable("table").use(footnote_plugin)
    md.validateLink = lambda url: True  # type: ignore[method-assign] # unsafe URLs are handled (and warned about) in _neutralise
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.core.ruler.push("briefing", _core_rule)
    md.add_render_rule("wikilink", render_wikilink)
    md.add_render_rule("mention", render_mention)
    md.add_render_rule("unsafe_open", lambda *a: "")
    md.add_render_rule("unsafe_close", lambda *a: "")
    md.add_render_rule("link_open", render_link_open)
    md.add_render_rule("image", render_image)
    md.add_render_rule("th_open", render_cell_open)
    md.add_render_rule("td_open", render_cell_open)
    md.add_render_rule("footnote_caption", render_footnote_caption)
    return md


def render(tokens: list[Token], raw_html: bool, links: Links, doc_id: str) -> str:
    """HTML for parsed tokens, with [[id]] links, mentions and '/' links made relative to the page."""
    html = str(parser(raw_html).renderer.render(tokens, parser(raw_html).options, {"links": links, "docId": doc_id}))
    return glued(html) if links.cite is not None else html


def prepare(tokens: list[Token], raw_html: bool) -> Body:
    """The body of `tokens` with its page-dependent places as slots (see Body)."""
    slots: list[Slot] = []
    html = parser(raw_html).renderer.render(tokens, parser(raw_html).options, {"slots": slots, "docId": DOC})
    return Body(str(html), tuple(slots))


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
                children[i] = text_token(tok.content)
            elif is_local(src):
                scan.local.append((_as_written(src, source), line))
            elif not src.startswith("#"):
                scan.remote_images.append((src, line))


def _as_written(url: str, source: str) -> str:
    """A URL as the writer wrote it, when markdown-it's percent-encoding of it can be undone unambiguously."""
    decoded = unquote(url)
    return decoded if decoded != url and decoded in source and url not in source else url


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
            out.append(text_token(part))
    return out
