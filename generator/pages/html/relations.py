"""The relations page (graph/): the map of every actor's relations, and the same relations as a table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...content.model import Actor, relation_words
from ..context import Context
from ..maps.drawing import KINDS, draw
from ..maps.geometry import Edge
from .linking import link
from .views import DateView, LinkView, date_view
from .words import KIND_LABELS, TITLES, spelled


@dataclass(frozen=True, slots=True)
class RelationRow:
    source: LinkView
    type: str
    target: LinkView
    since: DateView | None
    note: str | None
    until: DateView | None = None
    id: str = ""
    """The row's anchor, which the relation's line on the map links to."""


def values(ctx: Context) -> dict[str, Any]:
    g = ctx.graph
    actors = [a for i in g.order.get("actors", ()) if isinstance(a := g.items[i], Actor)]
    ties = [(a, r) for a in sorted(actors, key=lambda a: (a.sort_key, a.id))
            for r in sorted(a.relations, key=lambda r: r.former) if r.to.id in g.items]
    rows = [RelationRow(link(ctx, a.id), relation_words(r.type, r.until is not None), link(ctx, r.to.id),
                        date_view(r.since), r.note, date_view(r.until), f"rel-{n + 1}") for n, (a, r) in enumerate(ties)]
    edges = [Edge(a.id, r.to.id, r.type, r.former, f"rel-{n + 1}") for n, (a, r) in enumerate(ties)]
    drawing = draw(actors, edges, ctx.href, f"Relations between the actors of {g.site.config.title}")
    language = ctx.graph.site.config.language
    kinds = [(k, spelled(KIND_LABELS[k], language)) for k in KINDS if any(a.kind == k for a in actors)]
    return {"title": TITLES["graph"], "svg": drawing.svg, "rows": rows, "kinds": kinds, "shown": drawing.shown,
            "left_out": drawing.left_out}
