"""Atom feeds: the site's newest articles (feed.xml) and, for each actor and topic, the newest articles
that name it (feeds/<id>.xml). Written only when the site has a base_url: a feed needs absolute URLs."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from ..content.model import Article, PartialDate, Source
from ..graph.resolve import Graph
from ..graph.timeline import newest_first
from ..graph.urls import FOLLOWED, address
from .context import Context
from .escaping import escape
from .html.card_views import image as image_view
from .html.text import Citations, first_paragraph, html, inline
from .page import Page

FEED_SIZE = 50
"""Entries in a feed: the newest articles."""
NO_DATE = "1970-01-01T00:00:00Z"
"""`updated` of a feed with no entry: a build never reads the clock, so its output stays reproducible."""


def plan(graph: Graph) -> list[Page]:
    """The site's feed and one per actor and topic; none without a base_url."""
    if not graph.site.config.base_url:
        return []
    urls = graph.urls()
    return [Page(urls.feed(), "feed.xml", "feeds"),
            *(Page(urls.feed(i), "feed.xml", "feeds", i) for c in FOLLOWED for i in graph.order.get(c, ()))]


@dataclass(frozen=True, slots=True)
class Entry:
    """One article in a feed; every URL absolute."""

    title: str
    url: str
    published: str
    updated: str
    author: str | None
    summary: str
    """HTML as text: the template escapes it, as Atom's type="html" wants."""
    content: str
    """The article's key points and body: HTML as text, its links relative to `url` (the entry's xml:base)."""


def values(ctx: Context) -> dict[str, Any]:
    """What feed.xml gets: the feed's title and URLs, and its entries, newest first."""
    g, cfg = ctx.graph, ctx.graph.site.config
    base = cfg.base_url or ""
    if ctx.page.item is None:
        ids: list[str] = list(g.order.get("articles", ())[:FEED_SIZE])
        title, page_url = cfg.title, base
    else:
        followed = g.items[ctx.page.item]
        ids = newest_naming(g, followed.id)[:FEED_SIZE]
        title = f"{g.names[followed.id]} · {cfg.title}"
        page_url = base + address(ctx.urls.page(followed.collection, followed.id))
    whole = ctx.page.item is None
    entries = [g.remembered(("feed entry", i, whole), functools.partial(_entry, article_id=i, whole=whole))
               for i in ids]  # an article is an entry of the feed of each actor and topic it names
    # The latest as the contract orders dates (instants within a day), not the latest string.
    latest = max((a.last_change for i in ids if isinstance(a := g.items[i], Article)), default=None)
    return {"title": title, "feed_url": base + ctx.page.path, "page_url": page_url,
            "subtitle": cfg.description, "author": cfg.author or cfg.title,
            "updated": _stamp(latest) if latest else NO_DATE, "entries": entries}


def newest_naming(graph: Graph, item_id: str) -> list[str]:
    """Published articles that mention, link or list an item, newest first (as the articles index)."""
    naming = [a for i in graph.pointing_at(item_id, "articles") if isinstance(a := graph.items[i], Article)]
    return [a.id for a in newest_first(naming)]


def _entry(graph: Graph, article_id: str, whole: bool) -> Entry:
    """An article as a feed entry: `whole`, its key points and body (the site's feed); else its key points
    and the first paragraph of its summary or body (an actor's or topic's feed, which would otherwise
    repeat the same articles' full text in many feeds)."""
    a = graph.items[article_id]
    assert isinstance(a, Article)
    urls = graph.urls()
    base = graph.site.config.base_url or ""
    path = urls.page("articles", a.id)
    # Drawn as on its page, in the same order, so links and footnote ids read alike in both.
    here = Context(graph, Page(path, "article.html", "articles", a.id), urls)
    summary = str(html(here, a.summary))
    citations = Citations(graph, (r.id for r in a.sources)) if whole else None
    points = "".join(f"<li>{inline(here, k, citations, dropped=not whole)}</li>" for k in a.key_points)
    text = html(here, a.body, body=a.id, citations=citations) if whole else \
        first_paragraph(here, a.summary or a.body, dropped=a.summary is None)
    corrections = "".join(f"<li><time datetime=\"{c.date}\">{c.date.human()}</time>: {inline(here, c.text)}</li>"
                          for c in a.corrections)
    image = image_view(here, a.image, caption=True)
    picture = (f'<figure><img src="{escape(image.src)}" alt="{escape(image.alt)}" width="{image.width}" '
               f'height="{image.height}">' + (f"<figcaption>{image.caption}</figcaption>" if image.caption else "")
               + "</figure>\n") if image else ""
    content = (picture + (f"<ul>{points}</ul>\n" if points else "") + str(text)
               + (_sources(here, citations) if citations is not None and citations.markers else "")
               + (f"\n<h2>Corrections</h2>\n<ul>{corrections}</ul>" if corrections else ""))
    return Entry(a.title, base + address(path), _stamp(a.date), _stamp(a.last_change), a.author, summary, content)


def _sources(here: Context, citations: Citations) -> str:
    """The numbered sources of a full entry whose text has markers (contract v3), as the article lists them:
    each [n] leads somewhere in a reader that shows the entry alone."""
    rows = []
    for source_id in citations.order:
        s = here.graph.items.get(source_id)
        if not isinstance(s, Source):
            continue
        title = f'<a href="{escape(s.url)}">{escape(s.title)}</a>' if s.url else escape(s.title)
        publisher = here.graph.names.get(s.publisher_ref.id, s.publisher) if s.publisher_ref else s.publisher
        rows.append(f'<li id="cite-{source_id}">{title}{", " + escape(publisher) if publisher else ""}</li>')
    return f"\n<h2>Sources</h2>\n<ol>{''.join(rows)}</ol>"


def _stamp(d: PartialDate) -> str:
    """An RFC 3339 time, as Atom wants: a day without a time of day is taken as its start in UTC."""
    day = f"{d.year:04d}-{max(d.month, 1):02d}-{max(d.day, 1):02d}"
    if not d.time:
        return f"{day}T00:00:00Z"
    return f"{day}T{d.time}{'' if d.time.count(':') == 2 else ':00'}{d.offset}"
