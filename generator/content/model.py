"""The data model: frozen records that point at each other by id."""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from ..base.errors import Location

ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
RESERVED_ID = "page"
"""No item may have this id: it is the folder of a collection index's further pages (articles/page/2/)."""
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))? ?(Z|[+-]\d{2}:\d{2})?)?)?)?$")
"""A year, a month, a day, or (v2) a day with a time of day and its UTC offset: 2023-09-13T14:30+09:00."""
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def folded(text: str) -> str:
    """A key for A-Z order: casefolded, accents folded (Ö sorts with O)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A day, a month or a year, shown at the precision it was written.

    Dates order by the day as written, then a bare day before any time of that day, then times as
    instants (09:00-05:00 is later than 09:30+01:00). Equal instants written apart (12:00Z, 13:00+01:00)
    are neither earlier nor later: lists then order them by title and id, as the contract says."""

    year: int
    month: int = 0
    """0 when only the year is known."""
    day: int = 0
    """0 when only the month (or year) is known."""
    time: str = ""
    """A time of day as written (14:30, 14:30:05), or ''; a bare day sorts before any time of that day."""
    offset: str = ""
    """The time's UTC offset as written (+09:00, Z); never converted."""
    key: tuple[int, int, int, bool, int] = field(init=False, repr=False, compare=False)
    """What orders dates (see the class): computed once, as lists sort thousands of them."""

    def __post_init__(self) -> None:
        seconds = 0
        if self.time:
            h, m, *s = (int(part) for part in self.time.split(":"))
            seconds = h * 3600 + m * 60 + (s[0] if s else 0)
            if self.offset not in ("", "Z"):
                sign = -1 if self.offset[0] == "-" else 1
                seconds -= sign * (int(self.offset[1:3]) * 3600 + int(self.offset[4:6]) * 60)
        object.__setattr__(self, "key", (self.year, self.month, self.day, bool(self.time), seconds))

    def __lt__(self, other: PartialDate) -> bool:
        return self.key < other.key

    def __le__(self, other: PartialDate) -> bool:
        return self.key <= other.key

    def __gt__(self, other: PartialDate) -> bool:
        return self.key > other.key

    def __ge__(self, other: PartialDate) -> bool:
        return self.key >= other.key

    @classmethod
    def parse(cls, text: str) -> PartialDate | None:
        """The date written as YYYY-MM-DD, YYYY-MM or YYYY (or a day with a time and offset), or None if
        it is not a real one. A time without its offset is returned without one: the caller says why."""
        m = DATE_RE.match(text)
        if not m:
            return None
        year, month, day = int(m[1]), int(m[2] or 0), int(m[3] or 0)
        if m[2] and not 1 <= month <= 12:
            return None
        if m[3] and not 1 <= day <= calendar.monthrange(year, month)[1]:
            return None
        if m[4] is None:
            return cls(year, month, day)
        if int(m[4]) > 23 or int(m[5]) > 59 or (m[6] and int(m[6]) > 59):
            return None
        offset = m[7] or ""
        if offset not in ("", "Z") and (int(offset[1:3]) > 14 or int(offset[4:]) > 59):
            return None
        return cls(year, month, day, f"{m[4]}:{m[5]}" + (f":{m[6]}" if m[6] else ""), offset)

    @property
    def precision(self) -> Literal["day", "month", "year"]:
        return "day" if self.day else "month" if self.month else "year"

    def __str__(self) -> str:
        """ISO form, as written: 2023-09-13, 2023-09 or 2023."""
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}" + (f"T{self.time}{self.offset}" if self.time else "")
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def coarsened(self, precision: Literal["day", "month", "year"]) -> PartialDate:
        """The same date at a coarser precision: 2022-12-05 at "month" is 2022-12 (any time of day dropped)."""
        if precision == "year":
            return PartialDate(self.year)
        return PartialDate(self.year, self.month) if precision == "month" else PartialDate(self.year, self.month, self.day)

    @property
    def day_only(self) -> PartialDate:
        return self.coarsened("day")

    def human(self) -> str:
        """For readers: 13 September 2023, September 2023 or 2023."""
        if self.day:
            when = f", {self.time} UTC{'' if self.offset in ('Z', '+00:00') else self.offset}" if self.time else ""
            return f"{self.day} {MONTHS[self.month - 1]} {self.year}{when}"
        if self.month:
            return f"{MONTHS[self.month - 1]} {self.year}"
        return str(self.year)


@dataclass(frozen=True, slots=True)
class Ref:
    """An id written in the content, with where it was written."""

    id: str
    location: Location


@dataclass(frozen=True, slots=True)
class Md:
    """Markdown source from a field or a body, with where its text starts."""

    text: str
    location: Location
    line_offset: int = 0
    """Lines before the text in its file: markdown-it counts lines from 0 of the text."""


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str
    location: Location


@dataclass(frozen=True, slots=True)
class Image:
    src: str
    """Path under static/."""
    alt: str
    credit: str | None
    location: Location
    caption: Md | None = None
    """An article's lead image only."""


@dataclass(frozen=True, slots=True)
class Relation:
    to: Ref
    type: str
    """A slug: counterpart, ally, member-of."""
    note: str | None
    since: PartialDate | None
    location: Location
    until: PartialDate | None = None
    """Set for a former relation, whatever today's date (builds never read the clock)."""

    @property
    def former(self) -> bool:
        return self.until is not None


ACTOR_KINDS = ("person", "state", "organization", "media")
"""An actor's kinds, in the order lists group them."""


def renamed(items: Mapping[str, Any]) -> dict[str, tuple[str, Location]]:
    """Old id (an item's `formerly`) -> the item's id now and where the old id is written."""
    return {old.id: (item.id, old.location) for item in items.values() for old in getattr(item, "formerly", ())}


def was_renamed(written: str, renames: Mapping[str, tuple[str, Location]]) -> str:
    """What to say of an unknown id that is an item's old id ('' for any other)."""
    if written not in renames:
        return ""
    now, where = renames[written]
    return f": it was renamed to '{now}' (formerly in {where.path}:{where.line}); link the new id"


def relation_words(type_: str, former: bool) -> str:
    """A relation's type as words (member-of: "member of"). A former one reads as English (contract v3): a
    type that ends in "of" takes "former" in front ("former president of"); any other keeps its words
    ("fought alongside"), and the page marks it by its span and style instead."""
    words = type_.replace("-", " ")
    return f"former {words}" if former and (words == "of" or words.endswith(" of")) else words


@dataclass(frozen=True, slots=True)
class Correction:
    """A dated note at the end of an article: what an earlier version got wrong."""

    date: PartialDate
    text: Md
    location: Location


RELIABILITY = {"A": "completely reliable", "B": "usually reliable", "C": "fairly reliable",
               "D": "not usually reliable", "E": "unreliable", "F": "cannot be judged"}
"""A source's grade on the NATO/Admiralty scale."""
CREDIBILITY = {"1": "confirmed by other sources", "2": "probably true", "3": "possibly true", "4": "doubtful",
               "5": "improbable", "6": "cannot be judged"}
"""An event's or a quote's grade on the NATO/Admiralty scale."""


@dataclass(frozen=True, slots=True)
class Account:
    """One source's version of an event where sources disagree (contract v3: an event's `accounts`)."""

    source: Ref
    says: Md
    location: Location
    credibility: str | None = None
    """1-6, see CREDIBILITY: how credible this version is (the event's own grades the event as a whole)."""


@dataclass(frozen=True, slots=True)
class Fact:
    label: str
    value: str
    source: Ref | None
    location: Location


@dataclass(frozen=True, slots=True)
class SiteConfig:
    title: str
    """Site title."""
    description: str | None = None
    """One paragraph shown on the home page and in feeds."""
    language: str = "en"
    """BCP 47 tag for <html lang>."""
    base_url: str | None = None
    """Absolute URL of the site; only for feed, sitemap and canonical links."""
    author: str | None = None
    """Shown in the footer and the feed."""
    mentions: Literal["first", "all", "none"] = "first"
    """Which mentions of an item in an article become links."""
    raw_html: bool = False
    """Pass raw HTML in Markdown through instead of escaping it."""
    pretty_urls: bool = True
    """actors/x/index.html (true) or actors/x.html (false)."""


Extra = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Article:
    collection: ClassVar[str] = "articles"
    id: str
    title: str
    date: PartialDate
    body: Md
    location: Location
    summary: Md | None = None
    key_points: tuple[Md, ...] = ()
    actors: tuple[Ref, ...] = ()
    topics: tuple[Ref, ...] = ()
    sources: tuple[Ref, ...] = ()
    place: str | None = None
    """The front matter's `location` (the dataclass field is taken by the file location)."""
    author: str | None = None
    updated: PartialDate | None = None
    draft: bool = False
    featured: bool = False
    """The newest featured article leads the home page."""
    image: Image | None = None
    """The lead image: at the top of the article, on its cards, as og:image."""
    corrections: tuple[Correction, ...] = ()
    formerly: tuple[Ref, ...] = ()
    """Old ids: each old address gets a page that sends readers here."""
    extra: Extra = field(default_factory=dict)

    @property
    def display(self) -> str:
        return self.title

    @property
    def last_change(self) -> PartialDate:
        """The latest of its date, its `updated` and its corrections' dates."""
        dates: list[PartialDate] = [self.date, *((self.updated,) if self.updated else ()), *(c.date for c in self.corrections)]
        return max(dates)

    @property
    def corrected(self) -> PartialDate | None:
        """The date of its latest correction."""
        return max((c.date for c in self.corrections), default=None)


@dataclass(frozen=True, slots=True)
class Actor:
    collection: ClassVar[str] = "actors"
    id: str
    name: str
    kind: Literal["person", "state", "organization", "media"]
    location: Location
    aliases: tuple[str, ...] = ()
    native_name: str | None = None
    role: str | None = None
    affiliations: tuple[Ref, ...] = ()
    summary: Md | None = None
    relations: tuple[Relation, ...] = ()
    links: tuple[Link, ...] = ()
    image: Image | None = None
    short_name: str | None = None
    """ECOWAS, Putin: shown after the name is spelled out once, on chips and in graph labels."""
    sort_name: str | None = None
    """The key of A-Z lists (Easley, Leif-Eric); the name when not given."""
    formerly: tuple[Ref, ...] = ()
    """Old ids: each old address gets a page that sends readers here."""
    extra: Extra = field(default_factory=dict)

    @property
    def display(self) -> str:
        return self.name

    @property
    def alias_names(self) -> tuple[str, ...]:
        """Other names it is mentioned by: its aliases, and its short name."""
        return tuple(dict.fromkeys((*self.aliases, *((self.short_name,) if self.short_name else ()))))

    @property
    def short(self) -> str:
        return self.short_name or self.name

    @property
    def sort_key(self) -> str:
        """Where A-Z lists put it: by sort_name (a surname first, as the writer says), else its name."""
        return folded(self.sort_name or self.name)


@dataclass(frozen=True, slots=True)
class Topic:
    collection: ClassVar[str] = "topics"
    id: str
    title: str
    location: Location
    aliases: tuple[str, ...] = ()
    summary: Md | None = None
    body: Md | None = None
    parent: Ref | None = None
    related: tuple[Ref, ...] = ()
    actors: tuple[Ref, ...] = ()
    facts: tuple[Fact, ...] = ()
    formerly: tuple[Ref, ...] = ()
    """Old ids: each old address gets a page that sends readers here."""
    extra: Extra = field(default_factory=dict)

    @property
    def display(self) -> str:
        return self.title

    @property
    def alias_names(self) -> tuple[str, ...]:
        return self.aliases


@dataclass(frozen=True, slots=True)
class View:
    collection: ClassVar[str] = "views"
    id: str
    expert: Ref
    title: str
    summary: Md
    location: Location
    quote: str | None = None
    about: tuple[Ref, ...] = ()
    date: PartialDate | None = None
    article: Ref | None = None
    sources: tuple[Ref, ...] = ()
    formerly: tuple[Ref, ...] = ()
    """Old ids: each old address gets a page that sends readers here."""
    extra: Extra = field(default_factory=dict)

    @property
    def display(self) -> str:
        return self.title


@dataclass(frozen=True, slots=True)
class Quote:
    collection: ClassVar[str] = "quotes"
    id: str
    speaker: Ref
    text: str
    location: Location
    date: PartialDate | None = None
    context: str | None = None
    reported_by: Ref | None = None
    about: tuple[Ref, ...] = ()
    article: Ref | None = None
    sources: tuple[Ref, ...] = ()
    credibility: str | None = None
    """1-6, see CREDIBILITY."""
    extra: Extra = field(default_factory=dict)

    @property
    def display(self) -> str:
        return self.speaker.id  # replaced by the speaker's name in resolve.py


@dataclass(frozen=True, slots=True)
class Event:
    collection: ClassVar[str] = "events"
    id: str
    date: PartialDate
    title: str
    location: Location
    end: PartialDate | None = None
    summary: Md | None = None
    place: str | None = None
    """The `location` field: where it happened."""
    actors: tuple[Ref, ...] = ()
    topics: tuple[Ref, ...] = ()
    sources: tuple[Ref, ...] = ()
    article: Ref | None = None
    credibility: str | None = None
    """1-6, see CREDIBILITY."""
    accounts: tuple[Account, ...] = ()
    """Where sources disagree: each one's version, two or more (contract v3)."""
    extra: Extra = field(default_factory=dict)

    @property
    def display(self) -> str:
        return self.title


@dataclass(frozen=True, slots=True)
class Source:
    collection: ClassVar[str] = "sources"
    id: str
    title: str
    location: Location
    publisher: str | None = None
    """Shown as text unless publisher_ref is set."""
    publisher_ref: Ref | None = None
    """Set when `publisher` is an existing actor id."""
    url: str | None = None
    date: PartialDate | None = None
    accessed: PartialDate | None = None
    reliability: str | None = None
    """A-F, see RELIABILITY."""
    extra: Extra = field(default_factory=dict)

    @property
    def display(self) -> str:
        return self.title


@dataclass(frozen=True, slots=True)
class Designation:
    """A sanctions listing: `actor` listed by the authority `by` on `date`, until `until` if delisted."""

    collection: ClassVar[str] = "designations"
    id: str
    actor: Ref
    by: Ref
    date: PartialDate
    location: Location
    program: str | None = None
    until: PartialDate | None = None
    reference: str | None = None
    """The authority's listing id, e.g. KPi.066."""
    reason: Md | None = None
    sources: tuple[Ref, ...] = ()
    event: Ref | None = None
    """An event that reports it: the timeline shows the designation with that event."""
    extra: Extra = field(default_factory=dict)

    @property
    def display(self) -> str:
        return self.id  # "<actor> designated by <authority>" in resolve.py

    @property
    def duplicate_key(self) -> tuple[str, str, str, str]:
        """Two designations with the same key are one listing written twice."""
        return self.actor.id, self.by.id, (self.program or "").casefold(), str(self.date)


AUTHORITY_KINDS = ("state", "organization")
"""The kinds of actor that can designate: a person or a media outlet lists nobody."""

Item = Article | Actor | Topic | View | Quote | Event | Source | Designation
COLLECTIONS: tuple[str, ...] = ("articles", "actors", "topics", "views", "quotes", "events", "sources",
                                "designations")
SINGULAR = {"articles": "article", "actors": "actor", "topics": "topic", "views": "view",
            "quotes": "quote", "events": "event", "sources": "source", "designations": "designation"}


@dataclass(frozen=True, slots=True)
class Site:
    """Everything validated: the config and every item by id, in id order."""

    root: str
    config: SiteConfig
    items: Mapping[str, Item]
    broken: frozenset[str] = frozenset()
    """Ids written in the content whose item could not be read or has a mistake: they exist for the
    references to them, so one mistake is reported once, at its place, not again wherever it is used."""
    image_sizes: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    """Width and height in pixels of every image an item shows (by its path under static/), read from
    the file, so pages can reserve its place before it loads."""

    def of(self, collection: str) -> tuple[Item, ...]:
        return tuple(i for i in self.items.values() if i.collection == collection)


Target = str
"""What a reference may point at: a collection name, or `person` / `media` for actors of that kind."""


def references(item: Item) -> tuple[tuple[str, Ref, tuple[Target, ...]], ...]:
    """(field, ref, allowed targets) for every id-valued field of an item, in field order."""
    out: list[tuple[str, Ref, tuple[Target, ...]]] = []

    def add(field: str, refs: tuple[Ref, ...] | Ref | None, *targets: Target) -> None:
        for r in (refs,) if isinstance(refs, Ref) else refs or ():
            out.append((field, r, targets))

    if isinstance(item, (Article, Event)):
        add("actors", item.actors, "actors")
        add("topics", item.topics, "topics")
        add("sources", item.sources, "sources")
    if isinstance(item, Event):
        add("article", item.article, "articles")
        add("accounts", tuple(a.source for a in item.accounts), "sources")
    elif isinstance(item, Actor):
        add("affiliations", item.affiliations, "actors")
        add("relations", tuple(r.to for r in item.relations), "actors")
    elif isinstance(item, Topic):
        add("parent", item.parent, "topics")
        add("related", item.related, "topics")
        add("actors", item.actors, "actors")
        add("facts", tuple(f.source for f in item.facts if f.source), "sources")
    elif isinstance(item, View):
        add("expert", item.expert, "person")
    elif isinstance(item, Quote):
        add("speaker", item.speaker, "actors")
        add("reported_by", item.reported_by, "media")
    elif isinstance(item, Source):
        add("publisher", item.publisher_ref, "actors")
    elif isinstance(item, Designation):
        add("actor", item.actor, "actors")
        add("by", item.by, *AUTHORITY_KINDS)
        add("sources", item.sources, "sources")
        add("event", item.event, "events")
    if isinstance(item, (View, Quote)):
        add("about", item.about, "actors", "topics")
        add("article", item.article, "articles")
        add("sources", item.sources, "sources")
    return tuple(out)


def markdown_fields(item: Item) -> tuple[tuple[str, Md], ...]:
    """Every Markdown value of an item (an article's body last), for [[id]] links."""
    out: list[tuple[str, Md]] = []
    for name in ("summary", "reason", "body"):
        value = getattr(item, name, None)
        if isinstance(value, Md):
            out.append((name, value))
    if isinstance(item, Article):
        out[:0] = [("key_points", md) for md in item.key_points]
        out[-1:-1] = [("corrections", c.text) for c in item.corrections]
    elif isinstance(item, Event):
        out += [("accounts", a.says) for a in item.accounts]
    return tuple(out)
