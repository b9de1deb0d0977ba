"""Stage 4, render: (graph, page) -> HTML, one page at a time, by its family's builder (BUILDERS).

Each family of pages has its module (home, article, actor, topic, timeline, lists, sources, relations,
moved); this one adds what every page gets (the menu, its canonical address and its description)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jinja2

from ...content.model import Actor, Article
from ...graph.resolve import Graph
from ...graph.urls import FOLLOWED, PAGED, address
from ..context import Context
from ..page import Page
from . import actor, article, home, lists, moved, relations, sources, timeline, topic
from .text import about
from .views import LinkView
from .words import TITLES

BUILDERS: dict[str, Callable[[Context], dict[str, Any]]] = {
    "graph": relations.values, "home": home.values, "list": lists.values, "article": article.values,
    "actor": actor.values, "topic": topic.values, "view": topic.view, "timeline": timeline.values,
    "sources": sources.values, "404": moved.not_found, "moved": moved.values}
"""A page's own values, by its template's name."""


def render(graph: Graph, page: Page, env: jinja2.Environment,
           builders: Mapping[str, Callable[[Context], dict[str, Any]]] | None = None) -> str:
    """The HTML of one page: a function of the graph, the page and the templates only (incremental.py
    relies on that: it records what a page reads of the graph by handing it a recording one)."""
    ctx = Context(graph, page, graph.urls())
    values = {**_common(ctx), **(builders or BUILDERS)[page.template.rpartition(".")[0]](ctx)}
    return env.get_template(page.template).render({**_described(ctx, values), **values})


def _common(ctx: Context) -> dict[str, Any]:
    cfg = ctx.graph.site.config
    current = ctx.to(ctx.page.path)
    menu = ctx.shared("menu", _menu)
    return {**menu, "nav": list(menu["nav"]), "site": cfg, "current_url": current, "page": ctx.page,
            "root": ctx.urls.root(ctx.page.path),
            "canonical": (cfg.base_url + address(ctx.page.path)) if cfg.base_url else None,
            "item_feed_url": ctx.to(ctx.urls.feed(ctx.page.item))
            if cfg.base_url and ctx.page.item and ctx.page.section in FOLLOWED else None}


def _menu(ctx: Context) -> dict[str, Any]:
    """What every page links to: the menu, the style sheet, search and the feed (Context.shared)."""
    sanctions = ("sanctions",) if ctx.graph.sanctions else ()  # last: templates find the others by place (nav[7])
    nav = (LinkView("Home", ctx.to(ctx.urls.page())),
           *(LinkView(TITLES[s], ctx.to(ctx.urls.page(s))) for s in (*PAGED, "timeline", "graph", "sources", *sanctions)))
    return {"nav": nav, "home_url": nav[0].url, "css": ctx.to("assets/briefing.css"), "assets": ctx.to("assets/"),
            "search_url": ctx.to(ctx.urls.search()),
            "feed_url": ctx.to(ctx.urls.feed()) if ctx.graph.site.config.base_url else None}


DESCRIPTION_MAX = 200
"""Characters of a page's <meta name="description">, cut at a word."""


def _described(ctx: Context, values: Mapping[str, Any]) -> dict[str, Any]:
    """A page's own description and Open Graph type and image: an item's summary (else the first sentence
    of its body), else the page's title with the site's title and description."""
    cfg = ctx.graph.site.config
    item = ctx.graph.items[ctx.page.item] if ctx.page.item else None
    text = about(ctx, item) if item is not None else ""
    if not text:
        title = str(values.get("title", cfg.title))
        text = cfg.description or cfg.title if title == cfg.title else \
            f"{title} · {cfg.title}" + (f": {cfg.description}" if cfg.description else "")
    image = item.image.src if isinstance(item, (Actor, Article)) and item.image else None
    return {"meta_description": _cut(" ".join(text.split()), DESCRIPTION_MAX),
            "og_type": "article" if isinstance(item, Article) else "website",
            "og_image": cfg.base_url + image if cfg.base_url and image else None}


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
