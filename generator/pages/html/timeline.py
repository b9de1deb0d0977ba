"""The timeline: every event and sanctions listing by date, a page a year, filtered by actor and topic."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from ...content.model import Actor, Designation, Event, Item, Ref, folded
from ...graph.resolve import Graph
from ..context import Context
from .card_views import accounts
from .linking import chips, citer, link, links
from .parts import of
from .text import html
from .views import AccountView, DateView, GradeView, LinkView, date_view, grade_view
from .words import TITLES


@dataclass(frozen=True, slots=True)
class EventView:
    id: str
    title: str
    date: DateView
    end: DateView | None
    place: str | None
    summary: Markup
    actors: tuple[LinkView, ...]
    topics: tuple[LinkView, ...]
    sources: tuple[LinkView, ...]
    article: LinkView | None
    referenced_by: tuple[LinkView, ...]
    actor_ids: str
    """Space-separated, for the timeline's filter."""
    topic_ids: str
    credibility: GradeView | None = None
    designations: tuple[LinkView, ...] = ()
    """The listings this event reports, each to its row on its actor's page."""
    listing: bool = False
    """A designation's own entry (one no event reports)."""
    accounts: tuple[AccountView, ...] = ()


@dataclass(frozen=True, slots=True)
class YearView:
    year: int
    events: tuple[EventView, ...]


def values(ctx: Context) -> dict[str, Any]:
    g = ctx.graph
    year = ctx.page.part
    shown = g.years.get(year, ()) if year else g.timeline
    years: dict[int, list[EventView]] = {}
    for entry_id in shown:
        e = g.items[entry_id]
        assert isinstance(e, (Event, Designation))
        view = _listing_entry(ctx, e) if isinstance(e, Designation) else _event_entry(ctx, e)
        years.setdefault(e.date.year, []).append(view)

    def options(field: str) -> list[tuple[str, str]]:
        """A menu of the actors or topics shown, in A-Z order; an actor by its sort_name where it has one
        (contract v3: "Lukashenko, Alexander"), so that the order can be seen."""
        ids = {r.id for e in shown for r in _filtered(g.items[e], field)}
        return sorted(((i, menu_name(g.items[i], g.names[i])) for i in ids),
                      key=lambda o: (_az(g.items[o[0]], g.names[o[0]]), o[0]))
    year_links = [LinkView(str(y), None if y == year else ctx.to(ctx.urls.year(y))) for y in sorted(g.years)] \
        if year else []
    return {"title": TITLES["timeline"] + (f": {year}" if year and year != g.latest_year else ""),
            "years": [YearView(y, tuple(v)) for y, v in years.items()], "year_links": year_links,
            "count": len(shown), "actor_options": options("actors"), "topic_options": options("topics"),
            "script": ctx.to("assets/timeline.js")}


def _event_entry(ctx: Context, e: Event) -> EventView:
    g = ctx.graph
    listed = of(ctx, e.id, "designations", "event")
    return EventView(e.id, e.title, DateView(str(e.date), e.date.human()), date_view(e.end), e.place,
                     html(ctx, e.summary), chips(ctx, (r.id for r in e.actors)), links(ctx, (r.id for r in e.topics)),
                     links(ctx, (r.id for r in e.sources)), link(ctx, e.article.id) if e.article else None,
                     tuple(citer(ctx, i) for i in g.pointing_at(e.id)
                           if not (e.article and i == e.article.id) and i not in listed),
                     " ".join(r.id for r in _filtered(e, "actors")), " ".join(r.id for r in e.topics), grade_view(e),
                     tuple(LinkView(listing_title(g, i), ctx.href(i)) for i in listed), accounts=accounts(ctx, e))


def _listing_entry(ctx: Context, d: Designation) -> EventView:
    """A designation as a timeline entry: "X designated by Y under Z", on the day it was listed."""
    return EventView(d.id, listing_title(ctx.graph, d.id), DateView(str(d.date), d.date.human()), None, None,
                     html(ctx, d.reason), chips(ctx, (d.actor.id, d.by.id)), (), links(ctx, (r.id for r in d.sources)),
                     None, (), " ".join(r.id for r in _filtered(d, "actors")), "", None,
                     (LinkView(f"the listing on {ctx.graph.names.get(d.actor.id, d.actor.id)}'s page", ctx.href(d.id)),),
                     True)


def listing_title(g: Graph, designation_id: str) -> str:
    """"X designated by Y under Z": a listing's title on the timeline and in search."""
    d = g.items[designation_id]
    assert isinstance(d, Designation)
    return g.names[d.id] + (f" under {d.program}" if d.program else "")


def _filtered(item: Item, field: str) -> tuple[Ref, ...]:
    """What the timeline's menus filter an entry by: a designation by its actor and authority."""
    if isinstance(item, Designation):
        return (item.actor, item.by) if field == "actors" else ()
    return tuple(getattr(item, field))


def menu_name(item: Item, name: str) -> str:
    """An item as a filter's menu names it: an actor by its sort_name where it has one."""
    return item.sort_name or name if isinstance(item, Actor) else name


def _az(item: Item, name: str) -> str:
    """The key of an A-Z list: an actor's sort_name, else the name shown."""
    return item.sort_key if isinstance(item, Actor) else folded(name)
