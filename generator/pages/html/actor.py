"""An actor's page: its relations (with their map), listings, quotes, and whatever names it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...content.model import Actor, relation_words
from ...graph.markdown import unsafe_url
from ..context import Context
from ..maps.drawing import draw_neighbourhood
from ..maps.geometry import Edge
from .card_views import Section, cards
from .linking import link, links
from .parts import in_timeline_order, listings, of, quote, sections
from .text import html
from .views import DateView, LinkView, date_view
from .words import spelled


@dataclass(frozen=True, slots=True)
class RelationView:
    other: LinkView
    type: str
    """In words: "counterpart of", "former minister of"."""
    note: str | None
    since: DateView | None
    outgoing: bool
    until: DateView | None = None
    """Set for a former relation."""


def values(ctx: Context) -> dict[str, Any]:
    g, a = ctx.graph, ctx.graph.items[ctx.page.item or ""]
    assert isinstance(a, Actor)
    ties = g.relations.get(a.id, ())
    relations = [RelationView(link(ctx, e.other), relation_words(e.type, e.until is not None), e.note,
                              date_view(e.since), e.outgoing, date_view(e.until)) for e in ties]
    around = [o for i in dict.fromkeys(e.other for e in ties) if isinstance(o := g.items.get(i), Actor)]
    edges = [Edge(a.id if e.outgoing else e.other, e.other if e.outgoing else a.id, e.type, e.until is not None,
                  f"rel-{n + 1}") for n, e in enumerate(ties)]
    neighbourhood = draw_neighbourhood(a, around, edges, ctx.href, f"Relations of {a.name}") if ties else None
    quotes = of(ctx, a.id, "quotes", "speaker")
    listed, listing = of(ctx, a.id, "designations", "actor"), of(ctx, a.id, "designations", "by")
    shown = [Section("Mentioned in", cards(ctx, of(ctx, a.id, "articles", "mention", "link", "actors"), a.id),
                     "mentioned"),
             Section(f"Views by {a.name}", cards(ctx, of(ctx, a.id, "views", "expert")), "views-by"),
             Section(f"Views about {a.name}", cards(ctx, of(ctx, a.id, "views", "about")), "views-about"),
             Section("Events", cards(ctx, in_timeline_order(g, of(ctx, a.id, "events", "actors"))), "events"),
             Section("Topics", cards(ctx, of(ctx, a.id, "topics", "actors")), "topics"),
             Section("Quotes about " + a.name, cards(ctx, of(ctx, a.id, "quotes", "about")), "quotes-about"),
             Section("Quotes reported", cards(ctx, of(ctx, a.id, "quotes", "reported_by")), "reported"),
             Section("Members and affiliates", cards(ctx, of(ctx, a.id, "actors", "affiliations")), "members"),
             Section("Sources published", cards(ctx, of(ctx, a.id, "sources", "publisher")), "published")]
    return {
        "title": a.name, "actor": a, "kind": a.kind, "kind_word": spelled(a.kind, ctx.graph.site.config.language),
        "summary": html(ctx, a.summary),
        "affiliations": links(ctx, (r.id for r in a.affiliations)), "relations": relations,
        "neighbourhood": neighbourhood,
        "external_links": [LinkView(out.label, None if unsafe_url(out.url) else out.url) for out in a.links],
        "image_src": ctx.to(a.image.src) if a.image else None,
        "quotes": [quote(ctx, q) for q in quotes],
        "sanctions": listings(ctx, listed), "designated": listings(ctx, listing),
        "as_of": date_view(g.as_of) if listed or listing else None,
        "sections": sections(ctx, a.id, shown, elsewhere=[*quotes, *(e.other for e in g.relations.get(a.id, ())),
                                                         *listed, *listing]),
    }
