"""How a page names and links items: link(), links(), chips() and citer(), each as seen from the page."""

from __future__ import annotations

from collections.abc import Iterable

from ...content.model import Actor, Quote
from ..context import Context
from .views import LinkView


def link(ctx: Context, item_id: str) -> LinkView:
    return LinkView(ctx.graph.names.get(item_id, item_id), ctx.href(item_id))


def links(ctx: Context, ids: Iterable[str]) -> tuple[LinkView, ...]:
    return tuple(link(ctx, i) for i in dict.fromkeys(ids))


def short(ctx: Context, item_id: str) -> str | None:
    """An actor's short name, when it has one."""
    item = ctx.graph.items.get(item_id)
    return item.short_name if isinstance(item, Actor) else None


def chips(ctx: Context, ids: Iterable[str]) -> tuple[LinkView, ...]:
    """Links that show an actor's short name (ECOWAS), where many sit side by side."""
    return tuple(LinkView(short(ctx, i) or ctx.graph.names.get(i, i), ctx.href(i)) for i in dict.fromkeys(ids))


def citer(ctx: Context, item_id: str) -> LinkView:
    """An item in a list of what cites or mentions something: a quote by its speaker, date and first words."""
    if ctx.graph.collections.get(item_id) != "quotes":
        return link(ctx, item_id)
    item = ctx.graph.items[item_id]
    assert isinstance(item, Quote)
    when = f", {item.date.human()}" if item.date else ""
    return LinkView(f"Quote by {ctx.graph.names.get(item_id, item.speaker.id)}{when}: “{_first_words(item.text)}”",
                    ctx.href(item_id))


def _first_words(text: str, count: int = 8) -> str:
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


def local(ctx: Context, url: str) -> str:
    """A link written from the site root, in the site's URL style, relative to this page."""
    cut = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=len(url))
    return (ctx.to(ctx.urls.output_of(url[:cut])) or "./") + url[cut:]
