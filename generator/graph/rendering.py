"""Parsed Markdown as HTML on a page: how a page links (Links), the renderer's rules, bodies prepared once."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token


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


def render_wikilink(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
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


def render_mention(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
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


def render_link_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    href = _from_root(str(token.attrGet("href") or ""), env)
    # A copy, not the token: rendering the same tokens for another page must start from what was written.
    return str(self.renderToken([*tokens[:idx], token.copy(attrs={**token.attrs, "href": href})], idx, options, env))


def render_cell_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """A column's alignment as a class (align-left|center|right, in briefing.css), not as style="text-align:…",
    which the pages' Content Security Policy blocks."""
    token = tokens[idx]
    style = str(token.attrGet("style") or "")
    if style.startswith("text-align:"):
        attrs = {k: v for k, v in token.attrs.items() if k != "style"}
        token = token.copy(attrs={**attrs, "class": "align-" + style.removeprefix("text-align:")})
    return str(self.renderToken([*tokens[:idx], token, *tokens[idx + 1:]], idx, options, env))


def render_image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    def name(t: Token) -> str:
        if t.meta["text"]:
            return str(t.meta["text"])
        return _slot(env, "n", t.meta["id"]) if "slots" in env else env["links"].name(t.meta["id"])
    children = [text_token(name(t)) if t.type == "wikilink" else t
                for t in token.children or []]  # [[id]] in alt text reads as its name
    image = token.copy(attrs={**token.attrs, "src": _from_root(str(token.attrGet("src") or ""), env)},
                       children=children)
    return str(self.image([*tokens[:idx], image], idx, options, env))


def render_footnote_caption(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """Footnotes are lettered ([a], [b], ... [aa]), so they are never taken for numbered citations."""
    n, letters = tokens[idx].meta["id"] + 1, ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    sub = tokens[idx].meta.get("subId", -1)
    return f"[{letters}{':' + str(sub) if sub > 0 else ''}]"


def text_token(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token
