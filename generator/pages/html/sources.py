"""The bibliography page: every source, with what cites it, and the grading scales where anything is graded."""

from __future__ import annotations

from typing import Any

from ...content.model import CREDIBILITY, RELIABILITY, Event
from ..context import Context
from .parts import source
from .views import GradeView, grade_view
from .words import TITLES


def values(ctx: Context) -> dict[str, Any]:
    ids = ctx.graph.order.get("sources", ())
    g = ctx.graph
    # Generators, so the page reads items only up to the first graded one (an edit elsewhere leaves it as it is).
    graded = any(grade_view(g.items[i]) for c in ("sources", "events", "quotes") for i in g.order.get(c, ())) or \
        any(a.credibility for i in g.order.get("events", ()) if isinstance(e := g.items[i], Event) for a in e.accounts)
    legend = [(scale, [GradeView(scale, code, meaning) for code, meaning in table.items()])
              for scale, table in (("reliability", RELIABILITY), ("credibility", CREDIBILITY))] if graded else []
    return {"title": TITLES["sources"], "sources": [source(ctx, i, cited_by=True) for i in ids], "legend": legend}
