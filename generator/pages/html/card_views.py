"""Cards, items as lists show them: Card, made per page, and LazyCard and SharedCard, made once for many pages."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from ...content.model import Account, Actor, Article, Event, Image, Item, Quote, View
from ..context import Context
from ..escaping import escape
from .cards import draw
from .linking import link, links
from .text import FOOTNOTES_RE, first_paragraph, html, inline, unwrapped
from .views import AccountView, DateView, GradeView, ImageView, LinkView, date_view, grade_view


class Summary:
    """A card's summary, drawn once on first use; it counts its uses, so that card_html learns whether a
    card's macro shows it."""

    __slots__ = ("_draw", "_value", "uses")

    def __init__(self, draw: Callable[[], Markup]) -> None:
        self._draw = draw
        self._value: Markup | None = None
        self.uses = 0

    def __call__(self) -> Markup:
        self.uses += 1
        if self._value is None:
            self._value = self._draw()
        return self._value


@dataclass(frozen=True, slots=True)
class Card:
    """An item in a list: its name, link, kind and one-paragraph summary."""

    id: str
    title: str
    url: str | None
    collection: str
    summary_of: Summary = field(compare=False)
    """Draws the summary when a template shows it: most lists show cards without one."""
    date: DateView | None = None
    note: str = ""
    """A line under the title: an actor's role, a view's expert."""
    end: DateView | None = None
    """The end of an event that spans days."""
    kind: str = ""
    """An actor's kind (person, state, organization, media)."""
    links: tuple[LinkView, ...] = ()
    """An actor's affiliations; a view's expert and their affiliations; a quote's reporter."""
    context: str = ""
    """Markup for "Mentioned in": the sentence around the mention, the name marked."""
    about: tuple[LinkView, ...] = ()
    """What a view or quote is about."""
    grade: GradeView | None = None
    """An event's or a quote's credibility."""
    image: ImageView | None = None
    """An article's lead image."""
    accounts: tuple[AccountView, ...] = ()
    """An event's accounts, where its sources disagree."""

    @property
    def summary(self) -> Markup:
        """The first paragraph of the item's summary (of an article's body without one); a quote's text."""
        return self.summary_of()


SHARED_FIELDS = frozenset(f.name for f in dataclasses.fields(Card)) - {"summary_of"}
"""What a LazyCard reads from the card Context.shared made: all but the summary, which is the page's."""


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    cards: tuple[Card | LazyCard, ...]
    id: str = ""


def card(ctx: Context, item_id: str, context_of: str | None = None) -> Card:
    """An item for a list; with `context_of`, the sentence where this article mentions that item."""
    item = ctx.graph.items[item_id]
    summary = getattr(item, "summary", None)
    from_body = isinstance(item, Article) and summary is None
    if isinstance(item, Article) and summary is None:
        summary = item.body
    def text() -> Markup:
        if isinstance(item, Quote):
            return Markup("<blockquote><p>{}</p></blockquote>").format(item.text)
        return first_paragraph(ctx, summary, dropped=from_body)
    note, kind, shown = _note(ctx, item)
    context = ""
    if context_of is not None:
        snippet = ctx.graph.contexts.get(context_of, {}).get(item_id)
        if snippet:
            said, start, end = snippet.text, snippet.start, snippet.end  # (Markup.format is 5x slower)
            context = Markup(f"{escape(said[:start])}<mark>{escape(said[start:end])}</mark>{escape(said[end:])}")
    about = links(ctx, (r.id for r in item.about)) if isinstance(item, (View, Quote)) else ()
    return Card(item.id, ctx.graph.names[item.id], ctx.href(item.id), item.collection, Summary(text),
                date_view(getattr(item, "date", None)), note, date_view(getattr(item, "end", None)), kind, shown,
                context, about, grade_view(item), image(ctx, item.image) if isinstance(item, Article) else None,
                accounts(ctx, item))


def _note(ctx: Context, item: Item) -> tuple[str, str, tuple[LinkView, ...]]:
    """A card's line under the title, its kind, and its links (Card.note, kind and links)."""
    if isinstance(item, Actor):
        return item.role or "", item.kind, links(ctx, (r.id for r in item.affiliations))
    if isinstance(item, View):
        expert = ctx.graph.items.get(item.expert.id)
        note = expert.role or "" if isinstance(expert, Actor) else ""
        affiliations = links(ctx, (r.id for r in expert.affiliations)) if isinstance(expert, Actor) else ()
        return note, "", (link(ctx, item.expert.id), *(a for a in affiliations if a.text not in note))
    if isinstance(item, Quote) and item.reported_by:
        return "", "", (link(ctx, item.reported_by.id),)
    return "", "", ()


def cards(ctx: Context, ids: Iterable[str], context_of: str | None = None) -> tuple[Card | LazyCard, ...]:
    if context_of is not None:
        return tuple(card(ctx, i, context_of) for i in dict.fromkeys(ids) if i in ctx.graph.items)
    return tuple(LazyCard(ctx, i) for i in dict.fromkeys(ids) if i in ctx.graph.items)


def image(ctx: Context, image: Image | None, caption: bool = False) -> ImageView | None:
    """A picture with its size (validate.py read it from the file); `caption` for the article's own page."""
    if image is None:
        return None
    width, height = ctx.graph.site.image_sizes.get(image.src, (0, 0))
    return ImageView(ctx.to(image.src), image.alt, width, height,
                     inline(ctx, image.caption) if caption and image.caption else Markup(""), image.credit)


def accounts(ctx: Context, item: Item) -> tuple[AccountView, ...]:
    """An event's accounts, each beside its graded source. What they say is drawn without footnotes, as a
    card's summary is: an event shows on many pages, in cards drawn once for them all (Context.shared)."""
    return tuple(_account(ctx, a) for a in item.accounts) if isinstance(item, Event) else ()


def _account(ctx: Context, account: Account) -> AccountView:
    source = ctx.graph.items.get(account.source.id)
    says = FOOTNOTES_RE.sub("", str(html(ctx, account.says)))
    return AccountView(link(ctx, account.source.id), grade_view(source) if source else None, grade_view(account),
                       unwrapped(says))


class LazyCard:
    """A card of a list, made when first read. What does not depend on the page (all but the summary) is
    taken from Context.shared, made once per process for the pages of a folder depth, where an actor's card
    is on every article that names it; so is what the built-in card macro draws without the summary (a
    page's side panel, card_html). The summary is the page's own Card's."""

    __slots__ = ("_card", "_ctx", "_shared", "id")

    def __init__(self, ctx: Context, item_id: str) -> None:
        self._ctx, self.id = ctx, item_id
        self._card: Card | None = None
        self._shared: SharedCard | None = None

    def card(self) -> Card:
        """The page's own Card."""
        if self._card is None:
            self._card = card(self._ctx, self.id)
        return self._card

    def shared(self) -> SharedCard:
        if self._shared is None:
            self._shared = self._ctx.shared(("card", self.id), SharedCard.of, self.id)
        return self._shared

    def __getattr__(self, name: str) -> Any:
        return getattr(self.shared().card if name in SHARED_FIELDS else self.card(), name)

    def __eq__(self, other: object) -> bool:
        return self.shared().card == (other.shared().card if isinstance(other, LazyCard) else other)

    def __hash__(self) -> int:
        return hash(self.shared().card)

    def drawn(self) -> Markup:
        """cards.draw(card, summary=False)."""
        shared = self.shared()
        if shared.drawn is None:
            shared.drawn = draw(shared.card, False)
        return shared.drawn


class SharedCard:
    """A card as Context.shared keeps it: `card` is right on the pages that take it but for its summary,
    which is drawn from where it was made (LazyCard never reads it); and what cards.draw gave without it."""

    __slots__ = ("card", "drawn")

    def __init__(self, card: Card) -> None:
        self.card = card
        self.drawn: Markup | None = None

    @classmethod
    def of(cls, ctx: Context, item_id: str) -> SharedCard:
        return cls(card(ctx, item_id))
