"""The home page: the lead article, then the latest articles, actors, topics, events and views."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from ...content.model import SINGULAR, Article, Topic
from ...graph.resolve import Graph
from ...graph.urls import PAGED
from ..context import Context
from .card_views import card, cards, image
from .lists import actor_groups
from .text import html, inline
from .views import LinkView
from .words import TITLES

HOME_LIMIT = 24
"""A home page shows at most this many actors and topics, so it does not grow with the site."""


def values(ctx: Context) -> dict[str, Any]:
    g = ctx.graph
    lead_id = next(iter(g.order.get("lead", ())), None)
    lead = g.items[lead_id] if lead_id else None
    articles = [i for i in g.order.get("articles", ()) if i != lead_id]
    read_next = [LinkView(TITLES[s], ctx.to(ctx.urls.page(s))) for s in ("timeline", "graph", "sources")]
    actors = g.order.get("actors", ())
    if len(actors) > HOME_LIMIT:
        actors = g.order.get("actors-leading", ())
    topics = _topics_in_tree_order(g) if len(g.order.get("topics", ())) <= HOME_LIMIT else g.order["topics"][:HOME_LIMIT]
    more = [LinkView(f"All {_count(len(g.order.get(c, ())), SINGULAR[c], c)}", ctx.to(ctx.urls.page(c)))
            for c in PAGED if len(g.order.get(c, ())) > {"articles": 11, "views": 10}.get(c, HOME_LIMIT)]
    return {
        "title": g.site.config.title,
        "description": g.site.config.description,
        "lead": card(ctx, lead.id) if lead else None,
        "lead_article": lead,
        "lead_image": image(ctx, lead.image, caption=True) if isinstance(lead, Article) else None,
        "lead_summary": html(ctx, lead.summary) if isinstance(lead, Article) else Markup(""),
        "key_points": [inline(ctx, k, dropped=True) for k in lead.key_points] if isinstance(lead, Article) else [],
        "more_articles": cards(ctx, articles[:10]),
        "actor_groups": actor_groups(ctx, (g.items[i] for i in actors)),  # type: ignore[misc]
        "topics": cards(ctx, topics),
        "events": cards(ctx, reversed(g.order.get("events", ())[-6:])),
        "views": cards(ctx, g.order.get("views", ())[:10]),
        "read_next": more + read_next,
        "counts": [_count(len(g.order.get(c, ())), SINGULAR[c], c)
                   for c in ("articles", "actors", "topics", "views", "events", "quotes", "sources")],
    }


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}" if n else ""


def _topics_in_tree_order(g: Graph) -> list[str]:
    """Topics with each parent before its children."""
    out: list[str] = []

    def visit(topic_id: str) -> None:
        out.append(topic_id)
        for child in g.children.get(topic_id, ()):
            visit(child)
    for topic_id in g.order.get("topics", ()):
        item = g.items[topic_id]
        if isinstance(item, Topic) and (item.parent is None or item.parent.id not in g.items):
            visit(item.id)
    return list(dict.fromkeys(out))
