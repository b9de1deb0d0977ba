"""The sanctions page (contract v3), drawn like the other HTML pages: the designated actors (rows, A-Z, 100 a page
like the indexes) against the authorities that listed them (columns), and below the matrix the designations
of the actors on the page, newest first, which assets/sanctions.js filters by the address
(`?by=<authority-id>&program=<text>`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ...content.model import Designation
from ...graph.resolve import Graph
from ..context import Context
from ..page import Page, page_count
from .linking import link, short
from .lists import paging
from .parts import designation, is_lifted
from .timeline import menu_name
from .views import DateView, LinkView, date_view

SECTION = "sanctions"


def plan(graph: Graph) -> list[Page]:
    """sanctions/, then sanctions/page/2/, ... past 100 designated actors; nothing when no one is designated."""
    rows = graph.order.get("designated", ())
    urls = graph.urls()
    return [Page(urls.index(SECTION, n), "sanctions.html", SECTION, part=n)
            for n in range(1, page_count(rows) + 1)] if rows else []


@dataclass(frozen=True, slots=True)
class AuthorityColumn:
    """An authority as a column of the matrix."""

    id: str
    """The header cell's id, which each cell of the column names in `headers`."""
    link: LinkView
    """Its page, by its short name where it has one (OFAC), so the columns stay narrow."""
    name: str
    """Its full name: an <abbr> title where the link shows the short name."""


@dataclass(frozen=True, slots=True)
class Cell:
    """What one authority did to one actor: the first listing, and how many more."""

    first: DateView
    url: str | None
    """The first listing's row on the actor's page."""
    more: int
    """Listings by the same authority after the first ("+2")."""
    until: DateView | None
    """Set when every listing by the authority has an `until`: the latest."""
    lifted: bool
    """Every listing by the authority is lifted, as of the briefing's newest date (parts.is_lifted): the
    cell's mark. Else, with `until`, each is to be lifted, the last on that day."""


@dataclass(frozen=True, slots=True)
class MatrixRow:
    id: str
    """The row header's id, which each cell of the row names in `headers`."""
    actor: LinkView
    cells: tuple[Cell | None, ...]
    """One per column, None where that authority never listed the actor."""


def values(ctx: Context) -> dict[str, Any]:
    g = ctx.graph
    actors, found = paging(ctx, g.order.get("designated", ()))
    authorities = g.order.get("authorities", ())
    listed = {a: [d for i in g.listings.get(a, ()) if isinstance(d := g.items.get(i), Designation)] for a in actors}
    columns = [_column(ctx, n, b) for n, b in enumerate(authorities)]
    rows = [MatrixRow(f"row-{n}", link(ctx, a), tuple(_cell(ctx, [d for d in listed[a] if d.by.id == b])
                                                     for b in authorities)) for n, a in enumerate(actors)]
    rank = {a: n for n, a in enumerate(actors)}  # A-Z: the list's order within a day
    shown = sorted((d for ds in listed.values() for d in ds), key=lambda d: (rank[d.actor.id], d.id))
    shown.sort(key=lambda d: d.date.key, reverse=True)
    programs = sorted({d.program for d in shown if d.program}, key=lambda p: (p.casefold(), p))
    return {**found, "columns": columns, "rows": rows, "listings": [designation(ctx, d, reason=False) for d in shown],
            "authority_options": [(b, menu_name(g.items[b], g.names[b])) for b in authorities],
            "programs": programs, "as_of": date_view(g.as_of), "script": ctx.to("assets/sanctions.js")}


def _column(ctx: Context, n: int, authority_id: str) -> AuthorityColumn:
    name = ctx.graph.names.get(authority_id, authority_id)
    return AuthorityColumn(f"col-{n}", LinkView(short(ctx, authority_id) or name, ctx.href(authority_id)), name)


def _cell(ctx: Context, listings: Sequence[Designation]) -> Cell | None:
    """`listings`: one authority's of one actor, by date (Graph.listings)."""
    if not listings:
        return None
    first = listings[0]
    ends = [d.until for d in listings]
    last = max((u for u in ends if u is not None), key=lambda u: u.key) if None not in ends else None
    return Cell(DateView(str(first.date), first.date.human()), ctx.href(first.id), len(listings) - 1, date_view(last),
                is_lifted(last, ctx.graph.as_of))

