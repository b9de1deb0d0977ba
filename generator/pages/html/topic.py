"""A topic's page and an expert view's page: what each is about, and what points at it."""

from __future__ import annotations

from typing import Any

from ...content.model import Actor, Topic, View
from ..context import Context
from .card_views import Section, cards
from .linking import link, links
from .parts import in_timeline_order, of, sections, source
from .text import html
from .views import date_view


def values(ctx: Context) -> dict[str, Any]:
    """A topic's page."""
    g, t = ctx.graph, ctx.graph.items[ctx.page.item or ""]
    assert isinstance(t, Topic)
    tree = {t.parent.id if t.parent else "", *g.children.get(t.id, ())}
    related = [i for i in [r.id for r in t.related] + list(of(ctx, t.id, "topics", "related")) if i not in tree]
    shown = [Section("Actors", cards(ctx, (r.id for r in t.actors)), "actors"),
             Section("Events", cards(ctx, in_timeline_order(g, of(ctx, t.id, "events", "topics"))), "events"),
             Section("Expert views", cards(ctx, of(ctx, t.id, "views", "about")), "views"),
             Section("Quotes", cards(ctx, of(ctx, t.id, "quotes", "about")), "quotes"),
             Section("Mentioned in", cards(ctx, of(ctx, t.id, "articles", "mention", "link", "topics"), t.id),
                     "mentioned")]
    ancestors: list[str] = []
    cur = t
    while cur.parent and isinstance(parent := g.items.get(cur.parent.id), Topic) and parent.id not in ancestors:
        ancestors.insert(0, parent.id)
        cur = parent
    return {
        "title": t.title, "topic": t, "summary": html(ctx, t.summary), "body": html(ctx, t.body),
        "parent": link(ctx, t.parent.id) if t.parent else None, "ancestors": links(ctx, ancestors),
        "children": cards(ctx, g.children.get(t.id, ())), "related": cards(ctx, related),
        "facts": [(f.label, f.value, source(ctx, f.source.id) if f.source else None) for f in t.facts],
        "sections": sections(ctx, t.id, shown, elsewhere=[*g.children.get(t.id, ()), *related]),
    }


def view(ctx: Context) -> dict[str, Any]:
    """An expert view's page."""
    v = ctx.graph.items[ctx.page.item or ""]
    assert isinstance(v, View)
    expert = ctx.graph.items[v.expert.id]
    assert isinstance(expert, Actor)
    return {
        "title": v.title, "view": v, "expert": link(ctx, expert.id), "expert_role": expert.role,
        "expert_affiliations": links(ctx, (r.id for r in expert.affiliations)),
        "summary": html(ctx, v.summary), "when": date_view(v.date),
        "about": links(ctx, (r.id for r in v.about)), "article": link(ctx, v.article.id) if v.article else None,
        "sources": [source(ctx, s.id) for s in v.sources],
        "sections": sections(ctx, v.id, [], elsewhere=[*(r.id for r in v.about), *(s.id for s in v.sources)]),
    }
