"""The small view objects templates see on every kind of page: links, dates, pictures, grades, accounts."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from ...content.model import CREDIBILITY, RELIABILITY, Account, Item, PartialDate, Source


@dataclass(frozen=True, slots=True)
class LinkView:
    text: str
    url: str | None
    """None: shown as text (a draft, or an unsafe URL)."""


@dataclass(frozen=True, slots=True)
class DateView:
    iso: str
    """As written: 2023-09-13, 2023-09 or 2023 (for <time datetime>)."""
    text: str
    """For readers: 13 September 2023."""


def date_view(d: PartialDate | None) -> DateView | None:
    return DateView(str(d), d.human()) if d else None


@dataclass(frozen=True, slots=True)
class ImageView:
    """A picture as pages show it: its size known, so its place is kept while it loads."""

    src: str
    """Relative to the page."""
    alt: str
    width: int
    height: int
    caption: Markup
    credit: str | None


@dataclass(frozen=True, slots=True)
class GradeView:
    """A grade on the NATO/Admiralty scale: a source's reliability (A-F), an event's or quote's credibility (1-6)."""

    scale: str
    """reliability or credibility"""
    code: str
    meaning: str
    """usually reliable, probably true"""


def grade_view(item: Item | Account) -> GradeView | None:
    """A source's reliability, else the item's (or account's) credibility; None when it has no grade."""
    if isinstance(item, Source) and item.reliability:
        return GradeView("reliability", item.reliability, RELIABILITY[item.reliability])
    code = getattr(item, "credibility", None)
    return GradeView("credibility", code, CREDIBILITY[code]) if code else None


@dataclass(frozen=True, slots=True)
class AccountView:
    """One source's version of an event where sources disagree (contract v3), beside its graded source."""

    source: LinkView
    """The source's title, linked to its entry in the bibliography."""
    reliability: GradeView | None
    credibility: GradeView | None
    """This version's own grade."""
    says: Markup
