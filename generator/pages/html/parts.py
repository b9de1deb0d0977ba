"""What pages of several families show of an item: a source, a quote, a listing, the sections of what points at it.

A family's own views stay in its module; these are here because article, actor, topic, sources and the
sanctions page all draw them alike."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from ...content.model import Designation, Event, PartialDate, Quote, Source
from ...graph.markdown import unsafe_url
from ...graph.resolve import Graph
from ...graph.timeline import timeline_key
from ..context import Context
from .card_views import Section, cards
from .linking import citer, link, links
from .text import html
from .views import DateView, GradeView, LinkView, date_view, grade_view
from .words import TITLES


@dataclass(frozen=True, slots=True)
class SourceView:
    id: str
    title: str
    url: str | None
    publisher: LinkView | None
    date: DateView | None
    accessed: DateView | None
    entry_url: str | None
    """The source's entry in the bibliography."""
    cited_by: tuple[LinkView, ...] = ()
    reliability: GradeView | None = None
    markers: int = 0
    """In an article's numbered sources: how many [n] markers its body has for it (each links back)."""


def source(ctx: Context, source_id: str, cited_by: bool = False, markers: int = 0) -> SourceView:
    s = ctx.graph.items[source_id]
    assert isinstance(s, Source)
    publisher = link(ctx, s.publisher_ref.id) if s.publisher_ref else (LinkView(s.publisher, None) if s.publisher else None)
    url = s.url if s.url and not unsafe_url(s.url) else None
    return SourceView(s.id, s.title, url, publisher, date_view(s.date), date_view(s.accessed), ctx.href(s.id),
                      tuple(citer(ctx, i) for i in ctx.graph.pointing_at(s.id)) if cited_by else (), grade_view(s),
                      markers)


@dataclass(frozen=True, slots=True)
class QuoteView:
    id: str
    text: str
    speaker: LinkView
    date: DateView | None
    context: str | None
    reported_by: LinkView | None
    article: LinkView | None
    about: tuple[LinkView, ...]
    sources: tuple[LinkView, ...]
    cited_by: tuple[LinkView, ...]
    """Items that link to the quote with [[id]]."""
    credibility: GradeView | None = None


def quote(ctx: Context, quote_id: str, numbered: Sequence[str] = ()) -> QuoteView:
    """A quote as a figure shows it. On an article's own page (ctx.page.item), it does not name the article
    the reader is on as where it is, or cites it, and a source the article's numbered list holds (`numbered`)
    is its [n] there, not its title again."""
    q = ctx.graph.items[quote_id]
    assert isinstance(q, Quote)
    here = ctx.page.item if ctx.page.template == "article.html" else None
    sources = tuple(LinkView(f"[{numbered.index(r.id) + 1}]", f"#cite-{r.id}") if r.id in numbered else link(ctx, r.id)
                    for r in q.sources)
    return QuoteView(q.id, q.text, link(ctx, q.speaker.id), date_view(q.date), q.context,
                     link(ctx, q.reported_by.id) if q.reported_by else None,
                     link(ctx, q.article.id) if q.article and q.article.id != here else None,
                     links(ctx, (r.id for r in q.about)), sources,
                     tuple(citer(ctx, i) for i in ctx.graph.pointing_at(q.id) if i != here), grade_view(q))


@dataclass(frozen=True, slots=True)
class DesignationView:
    """A sanctions listing as its actor's and its authority's pages, and the sanctions page, show it."""

    id: str
    actor: LinkView
    by: LinkView
    by_id: str
    """For the sanctions page's filter (`?by=`)."""
    program: str | None
    date: DateView
    until: DateView | None
    lifted: bool
    """`until` is on or before the briefing's newest date (Graph.as_of): delisted; else to be lifted then."""
    reference: str | None
    reason: Markup
    sources: tuple[SourceView, ...]
    event: LinkView | None
    entry: str | None
    """Where the listing's row is, on its actor's page."""

    @property
    def row(self) -> LinkView:
        """The listed actor by name, linked to the listing's row on its page."""
        return LinkView(self.actor.text, self.entry)


def is_lifted(until: PartialDate | None, as_of: PartialDate | None) -> bool:
    """Whether a listing that ends on `until` is lifted: on or before the briefing's newest date (Graph.as_of),
    so that the same content gives the same pages on any day; a later `until` is still to come."""
    return until is not None and (as_of is None or until.key[:3] <= as_of.key[:3])


def designation(ctx: Context, d: Designation, reason: bool = True) -> DesignationView:
    """A listing as pages show it; `reason`: drawn (the sanctions page's list leaves it to the actor's page)."""
    return DesignationView(d.id, link(ctx, d.actor.id), link(ctx, d.by.id), d.by.id, d.program,
                           DateView(str(d.date), d.date.human()), date_view(d.until),
                           is_lifted(d.until, ctx.graph.as_of), d.reference,
                           html(ctx, d.reason) if reason else Markup(""),
                           tuple(source(ctx, r.id) for r in d.sources if r.id in ctx.graph.items),
                           link(ctx, d.event.id) if d.event else None, ctx.href(d.id))


def listings(ctx: Context, ids: Iterable[str]) -> list[DesignationView]:
    """Listings newest first, then by actor and authority as named, then id."""
    g = ctx.graph
    listed = [d for i in dict.fromkeys(ids) if isinstance(d := g.items[i], Designation)]
    listed.sort(key=lambda d: (g.names.get(d.actor.id, d.actor.id).casefold(), g.names.get(d.by.id, d.by.id).casefold(),
                               d.id))
    listed.sort(key=lambda d: d.date.key, reverse=True)
    return [designation(ctx, d) for d in listed]


def sections(ctx: Context, item_id: str, shown: Sequence[Section], elsewhere: Iterable[str] = ()) -> list[Section]:
    """The given sections, then whatever else points here, so every page lists every reference."""
    seen = {c.id for s in shown for c in s.cards} | set(elsewhere)
    rest = [i for i in ctx.graph.pointing_at(item_id) if i not in seen]
    extra = [Section(f"Also in {TITLES.get(c, c).lower()}", cards(ctx, (i for i in rest if ctx.graph.collections[i] == c)))
             for c in ("articles", "actors", "topics", "views", "quotes", "events", "sources")]
    return [s for s in (*shown, *extra) if s.cards]


def of(ctx: Context, item_id: str, collection: str, *vias: str) -> list[str]:
    """The items of `collection` that point at the item through any of `vias` (fields, or mention/link)."""
    return [i for via in vias for i in ctx.graph.pointing_at(item_id, collection, via)]


def in_timeline_order(g: Graph, ids: Iterable[str]) -> list[str]:
    """The events among `ids`, in timeline order: sorted by the timeline's key, not picked out of the
    whole timeline, which cost every actor and topic page a pass over every event of the site."""
    events = [e for i in dict.fromkeys(ids) if isinstance(e := g.items.get(i), Event)]
    return [e.id for e in sorted(events, key=timeline_key)]
