"""An article's page: its body with numbered sources, and what it names, cites and is cited by."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from ...content.model import Actor, Article, Quote, Source, Topic, View
from ..context import Context
from .card_views import cards, image
from .parts import in_timeline_order, of, quote, sections, source
from .text import Citations, html, inline
from .views import DateView, date_view


@dataclass(frozen=True, slots=True)
class CorrectionView:
    date: DateView
    text: Markup


def values(ctx: Context) -> dict[str, Any]:
    g, a = ctx.graph, ctx.graph.items[ctx.page.item or ""]
    assert isinstance(a, Article)
    linked = [r.target for r in g.outlinks.get(a.id, ()) if r.via == "link"]
    touched = [*(r.id for r in (*a.actors, *a.topics)), *g.mentions.get(a.id, ()), *linked]

    def of_kind(cls: type) -> list[str]:
        return [i for i in dict.fromkeys(touched) if isinstance(g.items.get(i), cls)]
    citations = Citations(g, (r.id for r in a.sources))
    # Drawn in the page's order (footnote ids count the texts drawn; the feed's entry draws them alike),
    # the key points and the body before the sources list: they number the sources they cite that
    # `sources` does not list, the key points first.
    summary, key_points = html(ctx, a.summary), [inline(ctx, k, citations) for k in a.key_points]
    body = html(ctx, a.body, body=a.id, citations=citations)
    cited = list(dict.fromkeys([*citations.order, *(i for i in linked if isinstance(g.items.get(i), Source))]))
    events = in_timeline_order(g, [*of(ctx, a.id, "events", "article"), *linked])
    quotes = list(dict.fromkeys([*of(ctx, a.id, "quotes", "article"),
                                 *(i for i in linked if isinstance(g.items.get(i), Quote))]))
    views = list(dict.fromkeys([*of(ctx, a.id, "views", "article"),
                                *(i for i in linked if isinstance(g.items.get(i), View))]))
    actors, topics = of_kind(Actor), of_kind(Topic)
    return {
        "title": a.title, "article": a, "published": date_view(a.date), "updated": date_view(a.updated),
        "image": image(ctx, a.image, caption=True),
        "corrected": date_view(a.corrected),
        "corrections": [CorrectionView(DateView(str(c.date), c.date.human()), inline(ctx, c.text))
                        for c in a.corrections],
        "summary": summary, "key_points": key_points, "body": body,
        "actors": cards(ctx, actors), "topics": cards(ctx, topics), "events": cards(ctx, events),
        "quotes": [quote(ctx, q, cited) for q in quotes], "views": cards(ctx, views),
        "sources": [source(ctx, s, markers=citations.markers.get(s, 0)) for s in cited],
        "sections": sections(ctx, a.id, [], elsewhere=[*actors, *topics, *cited, *events, *quotes, *views]),
    }
