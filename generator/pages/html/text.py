"""A page's Markdown: drawn as HTML (html, inline, first_paragraph, with numbered Citations) or as plain text."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from functools import lru_cache, partial

from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markupsafe import Markup

from ...content.model import Actor, Article, Item, Md
from ...graph.markdown import parse
from ...graph.markdown import render as render_tokens
from ...graph.mentions import SENTENCE_END
from ...graph.rendering import Links, fill, without_dropped
from ...graph.resolve import Graph
from ..context import Context
from .linking import local, short


class Citations:
    """An article's numbered sources: its `sources` in order, then each other source its key points and
    body cite, as first cited (the key points are read first). cite() gives a source its number as they
    are drawn, and counts its markers over both, so each marker's id and back-link is the article's own."""

    def __init__(self, graph: Graph, ids: Iterable[str]) -> None:
        self.graph = graph
        self.order: list[str] = list(dict.fromkeys(ids))
        self.markers: dict[str, int] = {}

    def cite(self, item_id: str, marker: bool) -> tuple[int, int] | None:
        if self.graph.collections.get(item_id) != "sources":
            return None
        if item_id not in self.order:
            self.order.append(item_id)
        if marker:
            self.markers[item_id] = self.markers.get(item_id, 0) + 1
        return self.order.index(item_id) + 1, self.markers.get(item_id, 0)


def html(ctx: Context, md: Md | None, body: str | None = None, citations: Citations | None = None,
         dropped: bool = False) -> Markup:
    """Markdown as HTML for this page; `body`: the id of the article whose body it is, drawn with
    mentions and short names; with `citations`, [[source-id]] as numbered markers (an article's body and
    key points on its page); `dropped`: text of an article's body or key points shown elsewhere, where
    those markers are left out."""
    if md is None:
        return Markup("")
    cfg = ctx.graph.site.config
    target = ctx.graph.target
    links = Links(lambda t: ctx.href(target(t)), lambda t: ctx.graph.names.get(target(t), t),
                  ctx.urls.root(ctx.page.path), partial(local, ctx), partial(short, ctx) if body else None, target,
                  citations.cite if citations is not None else None, partial(_is_source, ctx) if dropped else None)
    ctx.docs.append(md.location.path)
    doc_id = f"{len(ctx.docs)}"
    if body:  # from the parse that scanned it (resolve.py), not parsed again
        prepared = ctx.graph.bodies.get(body)
        if prepared is not None:
            return Markup(fill(prepared, links, doc_id))
        tokens, _ = parse(md.text, cfg.raw_html, ctx.graph.matcher, cfg.mentions)
    else:
        tokens = _parsed(md.text, cfg.raw_html)
    return Markup(without_dropped(render_tokens(tokens, cfg.raw_html, links, doc_id)))


def _is_source(ctx: Context, item_id: str) -> bool:
    return ctx.graph.collections.get(item_id) == "sources"


def inline(ctx: Context, md: Md | None, citations: Citations | None = None, dropped: bool = False) -> Markup:
    """Markdown that is one paragraph (a key point) without its <p>; `citations`, `dropped`: see html()."""
    return unwrapped(str(html(ctx, md, citations=citations, dropped=dropped)))


def first_paragraph(ctx: Context, md: Md | None, dropped: bool = False) -> Markup:
    """The first paragraph of some Markdown, as HTML, for summaries in lists; `dropped`: an article's
    body, whose sources' markers are left out (see html())."""
    if md is None:
        return Markup("")
    head = _first_block(md.text)
    plain = paragraph_html(head) if head is not None else None
    if plain is not None:
        ctx.docs.append(md.location.path)  # as html() does: the page's later texts number their footnotes on
        return Markup(plain)
    if head is not None and "[" not in head.replace("[[", ""):  # a reference link needs the whole text
        md = Md(head, md.location)
    drawn = str(html(ctx, md, dropped=dropped))
    start, end = drawn.find("<p>"), drawn.find("</p>")
    # Its footnotes stay on the item's own page: a marker here would lead nowhere.
    return Markup(FOOTNOTE_REF_RE.sub("", drawn[start:end + 4])) if 0 <= start < end else Markup("")


FOOTNOTE_REF_RE = re.compile(r'<sup class="footnote-ref">.*?</sup>')
FOOTNOTES_RE = re.compile(FOOTNOTE_REF_RE.pattern + r'|<hr class="footnotes-sep" />\s*<section class="footnotes">.*?</section>\s*',
                          re.DOTALL)
"""Footnote markers and the footnotes themselves, left out of text shown on many pages alike."""


def unwrapped(html: str) -> Markup:
    """HTML that is one paragraph without its <p>."""
    html = html.strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)


@lru_cache(maxsize=1 << 15)
def _parsed(text: str, raw_html: bool) -> list[Token]:
    """Tokens of Markdown without mentions, kept: an event's summary is drawn on the timeline and on the
    page of each of its actors and topics. Safe to share: rendering never changes a token."""
    return parse(text, raw_html)[0]


def _first_block(text: str) -> str | None:
    """The source of the first block, when it is plainly a paragraph: lists pages parse only that."""
    lines = text.lstrip("\n").split("\n")
    block = []
    for line in lines:
        if not line.strip():
            break
        block.append(line)
    first = block[0].lstrip() if block else ""
    if not block or first[:1] in "#>-*+|`<~=" or first[:1].isdigit() or block[0].startswith("    "):
        return None
    return "\n".join(block)


def about(ctx: Context, item: Item) -> str:
    """What an item's page is about, as plain text: its summary's first paragraph, else its body's first
    sentence, else an actor's role; '' when it has none of them."""
    summary = getattr(item, "summary", None)
    if isinstance(summary, Md):
        return plain(ctx, summary.text)
    body = getattr(item, "body", None)
    if isinstance(body, Md):
        first = plain(ctx, _first_block(body.text) or body.text, dropped=isinstance(item, Article))
        end = SENTENCE_END.search(first)
        return first[:end.start()] if end else first
    if isinstance(item, Actor) and item.role:
        return f"{item.name}, {item.role}"
    return ""


PLAIN_RE = re.compile(r"[^\S \n]|[\0\\`*_\[\]<>&!~]|\n *[-+*#>|:=0-9_~`]")
"""What may make a block of Markdown more than one paragraph of plain text (markdown-it's commonmark
with tables): a character of an inline rule (escapes, code, emphasis, links and [[id]], footnotes,
images, HTML, entities), whitespace but spaces and line ends, NUL (read as U+FFFD), or a line that
could open a block or end the paragraph."""


def _plain_lines(block: str) -> list[str] | None:
    """The lines of a first block (_first_block) that is one paragraph of plain text; None when PLAIN_RE
    finds anything that may be more. plain_paragraph and paragraph_html read them as markdown-it would,
    without a parse (tests/test_shared.py holds both to it)."""
    return None if PLAIN_RE.search(block) else block.split("\n")


def plain_paragraph(block: str) -> str | None:
    """What plain() gives for such a block (a parse was a tenth of drawing an article's page): its lines,
    stripped of the spaces that the parser drops, joined by the space a line break reads as."""
    lines = _plain_lines(block)
    return None if lines is None else " ".join(line.strip(" ") for line in lines).strip()


def paragraph_html(block: str) -> str | None:
    """The HTML markdown-it gives such a block, from <p> to </p> (the summaries of a list page's cards
    were two fifths of drawing it): each line escaped as its text token is, the spaces the parser drops
    dropped, a line break soft, or hard after two spaces."""
    lines = _plain_lines(block)
    if lines is None:
        return None
    out = ["<p>"]
    for line in lines[:-1]:
        text = line.lstrip(" ")
        words = text.rstrip(" ")
        out.append(escapeHtml(words) + ("<br />\n" if len(text) - len(words) > 1 else "\n"))
    out.append(escapeHtml(lines[-1].strip(" ")) + "</p>")
    return "".join(out)


def plain(ctx: Context, text: str, dropped: bool = False) -> str:
    """The first paragraph of some Markdown as plain text: [[id]] links read as their names; `dropped`: an
    article's body, whose sources' markers are left out (see html())."""
    block = _first_block(text)
    found = plain_paragraph(block) if block is not None else None
    if found is not None:
        return found
    g = ctx.graph
    return parsed_plain(text, g.site.config.raw_html, lambda i: g.names.get(g.target(i), i),
                        (lambda i: _is_source(ctx, g.target(i))) if dropped else None)


def parsed_plain(text: str, raw_html: bool, name: Callable[[str], str],
                 dropped: Callable[[str], bool] | None = None) -> str:
    """plain() by parsing the text: `name` gives what a [[id]] link without words reads as; `dropped`, whether
    it is a source's marker, left out with the space before it."""
    tokens = _parsed(text, raw_html)
    for before, token in itertools.pairwise(tokens):
        if before.type == "paragraph_open" and token.type == "inline":
            words: list[str] = []
            for child in token.children or []:
                if child.type in ("text", "code_inline"):
                    words.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    words.append(" ")
                elif child.type == "wikilink" and not child.meta["text"] and dropped and dropped(child.meta["id"]):
                    if words:
                        words[-1] = words[-1].rstrip()
                elif child.type == "wikilink":
                    words.append(child.meta["text"] or name(child.meta["id"]))
            return "".join(words).strip()
    return ""
