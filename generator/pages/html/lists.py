"""The index pages of the collections (articles/, actors/, ...), paged, and the actors grouped by kind."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ...content.model import Actor
from ...graph.urls import PER_PAGE
from ..context import Context
from ..page import page_count
from .card_views import Card, Section, card, cards
from .views import LinkView
from .words import KIND_LABELS, TITLES, spelled


def values(ctx: Context) -> dict[str, Any]:
    section = ctx.page.section
    shown, found = paging(ctx, ctx.graph.order.get(section, ()))
    if section == "actors":
        return {**found, "groups": actor_groups(ctx, (ctx.graph.items[i] for i in shown))}  # type: ignore[misc]
    return {**found, "groups": [Section(TITLES[section], cards(ctx, shown))]}


def paging(ctx: Context, ids: Sequence[str]) -> tuple[Sequence[str], dict[str, Any]]:
    """The ids on this page of a paged index (ctx.page.part, PER_PAGE a page), and what its template shows
    of the paging: the title ("Actors, page 2 of 3"), a link to every page (this one without URL; none when
    there is one page), the previous and the next."""
    section, number, count = ctx.page.section, max(1, ctx.page.part), page_count(ids)
    title = TITLES[section] + (f", page {number} of {count}" if count > 1 else "")
    pages = [LinkView(str(n), None if n == number else ctx.to(ctx.urls.index(section, n))) for n in range(1, count + 1)]
    return ids[(number - 1) * PER_PAGE:number * PER_PAGE], {
        "title": title, "pages": pages if count > 1 else [], "number": number,
        "previous": pages[number - 2] if number > 1 else None, "next": pages[number] if number < count else None}


def actor_groups(ctx: Context, actors: Iterable[Actor]) -> list[Section]:
    """Actors A-Z under a heading for each kind (People, States, ...), in KIND_LABELS' order."""
    by_kind: dict[str, list[Card]] = {k: [] for k in KIND_LABELS}
    for actor in sorted(actors, key=lambda a: (a.sort_key, a.id)):
        by_kind[actor.kind].append(card(ctx, actor.id))
    language = ctx.graph.site.config.language
    return [Section(spelled(KIND_LABELS[k], language), tuple(v), k) for k, v in by_kind.items() if v]
