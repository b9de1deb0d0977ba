"""Stage 4, render: (graph, page) -> HTML, one page at a time, through view objects."""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar, cast

import jinja2
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markupsafe import Markup

from ..content.model import (
    CREDIBILITY,
    RELIABILITY,
    SINGULAR,
    Account,
    Actor,
    Article,
    Designation,
    Event,
    Image,
    Item,
    Md,
    PartialDate,
    Quote,
    Ref,
    Source,
    Topic,
    View,
    folded,
    relation_words,
)
from ..graph.markdown import parse, unsafe_url
from ..graph.markdown import render as render_tokens
from ..graph.mentions import SENTENCE_END
from ..graph.rendering import Links, fill, without_dropped
from ..graph.resolve import Graph
from ..graph.timeline import timeline_key
from ..graph.urls import FOLLOWED, PAGED, PER_PAGE, Urls, address
from . import cards
from .builtin_theme import THEME
from .drawing import KINDS, draw, draw_neighbourhood
from .escaping import Template, escape
from .mapgeometry import Edge

TITLES = {"articles": "Articles", "actors": "Actors", "topics": "Topics", "views": "Expert views",
          "timeline": "Timeline", "graph": "Relations", "sources": "Sources", "sanctions": "Sanctions"}
T = TypeVar("T")
KIND_LABELS = {"person": "People", "state": "States", "organization": "Organisations", "media": "Media"}
"""Headings and legends by actor kind, as en-GB spells them (spelled() gives the site's spelling)."""


def spelled(words: str, language: str) -> str:
    """The theme's words in the site's one spelling (contract v3): `en-US` writes "Organization", any other
    language "Organisation", in badges, headings and legends alike."""
    if language.lower() == "en-us":
        return words.replace("organis", "organiz").replace("Organis", "Organiz")
    return words.replace("organiz", "organis").replace("Organiz", "Organis")


@dataclass(frozen=True, slots=True)
class Page:
    """One output file: what it shows and which template draws it."""

    path: str
    """Output path, relative to the output root."""
    template: str
    section: str = ""
    """The collection or section: '' for the home page and 404."""
    item: str | None = None
    part: int = 0
    """Which page of an index (1, 2, ...), or the year of a timeline split by year; 0 otherwise."""


def plan(graph: Graph) -> list[Page]:
    """Every page of the site, in path order."""
    urls = graph.urls()
    pages = [Page(urls.page(), "home.html"), Page("404.html", "404.html"),
             Page(urls.page("graph"), "graph.html", "graph"),
             Page(urls.page("sources"), "sources.html", "sources")]
    years = sorted(graph.years) if graph.latest_year is not None else [0]
    pages += [Page(urls.year(y), "timeline.html", "timeline", part=y) for y in years]
    for section in PAGED:
        ids = graph.order.get(section, ())
        pages += [Page(urls.index(section, n), "list.html", section, part=n) for n in range(1, page_count(ids) + 1)]
        pages += [Page(urls.page(section, i), f"{section[:-1]}.html", section, i) for i in ids]
        pages += [Page(urls.page(section, old), "moved.html", section, i) for old, i in graph.moved.get(section, ())]
    return sorted(pages, key=lambda p: p.path)


def page_count(ids: Sequence[str]) -> int:
    """Pages of an index of these ids, PER_PAGE a page (one when there are none)."""
    return max(1, -(-len(ids) // PER_PAGE))


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept for the life of the process, by name, file and a checksum of the source
    (Jinja's own keys), so each run's fresh environment does not compile the same template again."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()

    def kept(self) -> dict[str, bytes]:
        """What this process compiled, for the build cache: the next `briefing build` (a new process)
        compiles no template whose source is unchanged (0.1-0.6 s for the built-in theme's 16)."""
        return dict(self._code)

    def adopt(self, code: dict[str, bytes]) -> None:
        """Compiled templates from the build cache (signed, like the rest of it: bytecode is code). Jinja
        checks each against its source's checksum before use, and compiles a changed one again."""
        for key, data in code.items():
            self._code.setdefault(key, data)


COMPILED = _CompiledTemplates()


def escaped(name: str | None) -> bool:
    """Whether a template's values are escaped for HTML (XML takes the same escapes); a plain text file, such
    as robots.txt, holds them as they are."""
    return not (name or "").endswith(".txt")


class _Environment(jinja2.Environment):
    def make_globals(self, d: Any) -> Any:
        """A template's globals as one dict, not Jinja's ChainMap over the environment's: each page's
        context copies them, and each `{% from "macros.html" import ... %}` subtracts their keys, in C on
        a dict and in Python on a ChainMap (5% of drawing an article's page). The environment's globals
        are all set before any template loads (environment())."""
        return {**self.globals, **(d or {})}


def environment(site_root: Path) -> jinja2.Environment:
    """Templates from the site's templates/ first, then the built-in theme (also as "theme/<name>")."""
    theme = jinja2.FileSystemLoader(str(THEME))
    # "theme/<name>" is always the built-in template, so an override can extend the file it replaces.
    loader = jinja2.ChoiceLoader([jinja2.PrefixLoader({"theme": theme}),
                                  jinja2.FileSystemLoader(str(site_root.resolve() / "templates")), theme])
    env = _Environment(loader=loader, autoescape=escaped, undefined=jinja2.StrictUndefined, auto_reload=False,
                       bytecode_cache=COMPILED, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
                       extensions=["jinja2.ext.do"])
    env.template_class = Template
    env.globals["card_html"] = card_html
    env.globals["quote_html"] = quote_html
    return env  # one per run: no template changes while it lasts, so no auto_reload stat() per page


BUILT_IN_MACROS = str(THEME / "macros.html")
_CARDS: dict[tuple[Any, ...], Markup] = {}
"""(macro's code, environment, card, arguments) -> what the macro drew, in this process."""
CARDS_KEPT = 1 << 14


def card_html(macro: Any, card: Card | LazyCard, *args: Any) -> Markup:
    """`macro(card, *args)`, drawn once per process for equal cards: one card is listed on many pages (an
    actor on every article that names it). Sound for a macro that reads nothing but its arguments, as a
    macro imported without context does (it sees the environment's globals, which are in the key).

    A card drawn with its summary is not kept: the summary's links are relative to its page, and such
    cards seldom repeat (at 5,000 articles, 2,500 repeats of 21,000 cards against 43,000 of 44,500
    without), so keeping them would cost memory for little."""
    if _built_in(macro, "card"):  # the same bytes, a fifth of the time (cards.py)
        if isinstance(card, LazyCard):
            if args and not args[0]:
                return card.drawn()
            card = card.card()
        return cards.draw(card, *args)
    if card.context:  # the sentence of one mention, on one page
        return cast(Markup, macro(card, *args))
    key = (macro._func.__code__, macro._environment, card, args)
    found = _CARDS.get(key)
    if found is None:
        uses = card.summary_of.uses
        found = cast(Markup, macro(card, *args))
        if card.summary_of.uses == uses:  # (whether a macro shows the summary depends on its arguments alone)
            if len(_CARDS) >= CARDS_KEPT:
                _CARDS.clear()  # a long `briefing serve` makes a new environment every run: let old ones go
            _CARDS[key] = found
    return found


def quote_html(macro: Any, quote: QuoteView, *args: Any) -> Markup:
    """`macro(quote, *args)`; the built-in theme's in Python (cards.py), a site's own as it is."""
    if _built_in(macro, "quote_figure"):
        return cards.quote(quote, *args)
    return cast(Markup, macro(quote, *args))


def _built_in(macro: Any, name: str) -> bool:
    """Whether `macro` is the built-in theme's macro of that name (not a site's own macros.html)."""
    return bool(macro.name == name and macro._func.__code__.co_filename == BUILT_IN_MACROS)


# ---- view objects: what templates see ---------------------------------------------------

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


def _grade(item: Item | Account) -> GradeView | None:
    if isinstance(item, Source) and item.reliability:
        return GradeView("reliability", item.reliability, RELIABILITY[item.reliability])
    code = getattr(item, "credibility", None)
    return GradeView("credibility", code, CREDIBILITY[code]) if code else None


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
class AccountView:
    """One source's version of an event where sources disagree (contract v3), beside its graded source."""

    source: LinkView
    """The source's title, linked to its entry in the bibliography."""
    reliability: GradeView | None
    credibility: GradeView | None
    """This version's own grade."""
    says: Markup


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


class Citations:
    """An article's numbered sources: its `sources` in order, then each other source its key points and
    body cite, as first cited (the key points are read first). cite() gives a source its number as they
    are drawn, and counts its markers over both, so each marker's id and back-link is the article's own."""

    def __init__(self, graph: Graph, ids: Iterable[str]) -> None:
        self.graph = graph
        self.order: list[str] = list(dict.fromkeys(ids))
        self.markers: dict[str, int] = {}

    def cite(self, item_id: str, marker: bool) -> tuple[int, int] | None:
        if self.graph.collections.get(item_id) != "sources":
            return None
        if item_id not in self.order:
            self.order.append(item_id)
        if marker:
            self.markers[item_id] = self.markers.get(item_id, 0) + 1
        return self.order.index(item_id) + 1, self.markers.get(item_id, 0)


SHARED_FIELDS = frozenset(f.name for f in dataclasses.fields(Card)) - {"summary_of"}
"""What a LazyCard reads from the card Context.shared made: all but the summary, which is the page's."""


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    cards: tuple[Card | LazyCard, ...]
    id: str = ""


@dataclass
class Context:
    """Everything one page needs; built fresh for each page, so rendering stays pure."""

    graph: Graph
    page: Page
    urls: Urls
    _docs: list[str] = field(default_factory=list)
    _place: tuple[str, int, str] | tuple[()] | None = None
    """The page's top folder, depth and own folder, for shared(); () for a page at the root."""

    def href(self, item_id: str) -> str | None:
        location = self.graph.locations.get(item_id)
        return None if location is None else self.to(location)

    def to(self, output_path: str) -> str:
        return self.urls.href(self.page.path, output_path)

    def shared(self, key: Hashable, compute: Callable[..., T], *args: Any) -> T:
        """compute(self, *args), for a part that the pages of one folder depth show alike but for their
        links (the menu, a card in the side panel): drawn once per process for the pages of one top folder
        and depth, with links as from a page in a folder of its own there (_Sibling), and kept with where
        those lead. A page takes it when none leads into its own folder, else draws its own. compute must
        read nothing but the graph, give links only through href() and to(), and draw no Markdown (its
        footnotes are numbered by the page)."""
        place = self._place
        if place is None:
            place = self._place = _place_of(self.page.path)
        if not place:  # a page at the root: few of them
            return compute(self, *args)
        folder, depth, own = place
        value, near = self.graph.remembered((key, folder, depth), _shared, compute, folder, depth, args)
        return value if own not in near else compute(self, *args)

    def local(self, url: str) -> str:
        """A link written from the site root, in the site's URL style, relative to this page."""
        cut = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=len(url))
        return (self.to(self.urls.output_of(url[:cut])) or "./") + url[cut:]

    def citer(self, item_id: str) -> LinkView:
        """An item in a list of what cites or mentions something: a quote by its speaker, date and first words."""
        if self.graph.collections.get(item_id) != "quotes":
            return self.link(item_id)
        item = self.graph.items[item_id]
        assert isinstance(item, Quote)
        when = f", {item.date.human()}" if item.date else ""
        return LinkView(f"Quote by {self.graph.names.get(item_id, item.speaker.id)}{when}: “{_first_words(item.text)}”",
                        self.href(item_id))

    def link(self, item_id: str) -> LinkView:
        return LinkView(self.graph.names.get(item_id, item_id), self.href(item_id))

    def links(self, ids: Iterable[str]) -> tuple[LinkView, ...]:
        return tuple(self.link(i) for i in dict.fromkeys(ids))

    def image(self, image: Image | None, caption: bool = False) -> ImageView | None:
        """A picture with its size (validate.py read it from the file); `caption` for the article's own page."""
        if image is None:
            return None
        width, height = self.graph.site.image_sizes.get(image.src, (0, 0))
        return ImageView(self.to(image.src), image.alt, width, height,
                         self.inline(image.caption) if caption and image.caption else Markup(""), image.credit)

    def short(self, item_id: str) -> str | None:
        """An actor's short name, when it has one."""
        item = self.graph.items.get(item_id)
        return item.short_name if isinstance(item, Actor) else None

    def chips(self, ids: Iterable[str]) -> tuple[LinkView, ...]:
        """Links that show an actor's short name (ECOWAS), where many sit side by side."""
        return tuple(LinkView(self.short(i) or self.graph.names.get(i, i), self.href(i)) for i in dict.fromkeys(ids))

    def html(self, md: Md | None, body: str | None = None, citations: Citations | None = None,
             dropped: bool = False) -> Markup:
        """Markdown as HTML for this page; `body`: the id of the article whose body it is, drawn with
        mentions and short names; with `citations`, [[source-id]] as numbered markers (an article's body and
        key points on its page); `dropped`: text of an article's body or key points shown elsewhere, where
        those markers are left out."""
        if md is None:
            return Markup("")
        cfg = self.graph.site.config
        target = self.graph.target
        links = Links(lambda t: self.href(target(t)), lambda t: self.graph.names.get(target(t), t),
                      self.urls.root(self.page.path), self.local, self.short if body else None, target,
                      citations.cite if citations is not None else None, self._is_source if dropped else None)
        self._docs.append(md.location.path)
        doc_id = f"{len(self._docs)}"
        if body:  # from the parse that scanned it (resolve.py), not parsed again
            prepared = self.graph.bodies.get(body)
            if prepared is not None:
                return Markup(fill(prepared, links, doc_id))
            tokens, _ = parse(md.text, cfg.raw_html, self.graph.matcher, cfg.mentions)
        else:
            tokens = _parsed(md.text, cfg.raw_html)
        return Markup(without_dropped(render_tokens(tokens, cfg.raw_html, links, doc_id)))

    def _is_source(self, item_id: str) -> bool:
        return self.graph.collections.get(item_id) == "sources"

    def inline(self, md: Md | None, citations: Citations | None = None, dropped: bool = False) -> Markup:
        """Markdown that is one paragraph (a key point) without its <p>; `citations`, `dropped`: see html()."""
        return _unwrapped(str(self.html(md, citations=citations, dropped=dropped)))

    def accounts(self, item: Item) -> tuple[AccountView, ...]:
        """An event's accounts, each beside its graded source. What they say is drawn without footnotes, as a
        card's summary is: an event shows on many pages, in cards drawn once for them all (Context.shared)."""
        return tuple(self._account(a) for a in item.accounts) if isinstance(item, Event) else ()

    def _account(self, account: Account) -> AccountView:
        source = self.graph.items.get(account.source.id)
        says = FOOTNOTES_RE.sub("", str(self.html(account.says)))
        return AccountView(self.link(account.source.id), _grade(source) if source else None, _grade(account),
                           _unwrapped(says))

    def first_paragraph(self, md: Md | None, dropped: bool = False) -> Markup:
        """The first paragraph of some Markdown, as HTML, for summaries in lists; `dropped`: an article's
        body, whose sources' markers are left out (see html())."""
        if md is None:
            return Markup("")
        head = _first_block(md.text)
        plain = paragraph_html(head) if head is not None else None
        if plain is not None:
            self._docs.append(md.location.path)  # as html() does: the page's later texts number their footnotes on
            return Markup(plain)
        if head is not None and "[" not in head.replace("[[", ""):  # a reference link needs the whole text
            md = Md(head, md.location)
        html = str(self.html(md, dropped=dropped))
        start, end = html.find("<p>"), html.find("</p>")
        # Its footnotes stay on the item's own page: a marker here would lead nowhere.
        return Markup(FOOTNOTE_REF_RE.sub("", html[start:end + 4])) if 0 <= start < end else Markup("")

    def card(self, item_id: str, context_of: str | None = None) -> Card:
        """An item for a list; with `context_of`, the sentence where this article mentions that item."""
        item = self.graph.items[item_id]
        summary = getattr(item, "summary", None)
        from_body = isinstance(item, Article) and summary is None
        if isinstance(item, Article) and summary is None:
            summary = item.body
        def text() -> Markup:
            if isinstance(item, Quote):
                return Markup("<blockquote><p>{}</p></blockquote>").format(item.text)
            return self.first_paragraph(summary, dropped=from_body)
        note, kind = "", ""
        links: tuple[LinkView, ...] = ()
        if isinstance(item, Actor):
            note, kind, links = item.role or "", item.kind, self.links(r.id for r in item.affiliations)
        elif isinstance(item, View):
            expert = self.graph.items.get(item.expert.id)
            note = _expert_line(expert)
            affiliations = self.links(r.id for r in expert.affiliations) if isinstance(expert, Actor) else ()
            links = (self.link(item.expert.id), *(a for a in affiliations if a.text not in note))
        elif isinstance(item, Quote) and item.reported_by:
            links = (self.link(item.reported_by.id),)
        context = ""
        if context_of is not None:
            snippet = self.graph.contexts.get(context_of, {}).get(item_id)
            if snippet:
                said, start, end = snippet.text, snippet.start, snippet.end  # (Markup.format is 5x slower)
                context = Markup(f"{escape(said[:start])}<mark>{escape(said[start:end])}</mark>{escape(said[end:])}")
        about = self.links(r.id for r in item.about) if isinstance(item, (View, Quote)) else ()
        return Card(item.id, self.graph.names[item.id], self.href(item.id), item.collection, Summary(text),
                    _date(getattr(item, "date", None)), note, _date(getattr(item, "end", None)), kind, links,
                    context, about, _grade(item), self.image(item.image) if isinstance(item, Article) else None,
                    self.accounts(item))

    def cards(self, ids: Iterable[str], context_of: str | None = None) -> tuple[Card | LazyCard, ...]:
        if context_of is not None:
            return tuple(self.card(i, context_of) for i in dict.fromkeys(ids) if i in self.graph.items)
        return tuple(LazyCard(self, i) for i in dict.fromkeys(ids) if i in self.graph.items)


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
            self._card = self._ctx.card(self.id)
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
            shared.drawn = cards.draw(shared.card, False)
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
        return cls(ctx.card(item_id))


@dataclass
class _Sibling(Context):
    """A Context for Context.shared: a page at the top folder and depth of the page that asks, in folders
    that hold no output ("\0" is in no path), noting every output path it links to."""

    targets: set[str] = field(default_factory=set)

    def to(self, output_path: str) -> str:
        self.targets.add(output_path.partition("#")[0])
        return self.urls.href(self.page.path, output_path)


def _place_of(path: str) -> tuple[str, int, str] | tuple[()]:
    """(top folder, depth, own) for Context.shared: "actors/", 2 and "x/" for actors/x/index.html; a page
    one folder down is its own `own` (only a link to itself reads otherwise than from the sibling)."""
    top = path.find("/")
    if top < 0:
        return ()
    depth = path.count("/")
    return path[:top + 1], depth, path if depth == 1 else path[top + 1:path.find("/", top + 1) + 1]


def _shared(graph: Graph, compute: Callable[..., T], folder: str, depth: int,
            args: tuple[Any, ...]) -> tuple[T, frozenset[str]]:
    """compute() from the sibling page at that top folder and depth, in folders that hold no output
    ("\0" is in no path), and which pages there read its links otherwise (by their `own`, _place_of).
    From any page there, a link to a path outside the page's own folder reads the same (Urls.href): up to
    the top folder, then down."""
    sibling = _Sibling(graph, Page(folder + "\0/" * (depth - 1) + "\0.html", ""), graph.urls())
    value = compute(sibling, *args)
    if depth == 1:
        return value, frozenset(sibling.targets)
    cut = len(folder)
    return value, frozenset(t[cut:t.find("/", cut) + 1] for t in sibling.targets if t.startswith(folder) and
                            t.find("/", cut) > 0)


FOOTNOTE_REF_RE = re.compile(r'<sup class="footnote-ref">.*?</sup>')
FOOTNOTES_RE = re.compile(FOOTNOTE_REF_RE.pattern + r'|<hr class="footnotes-sep" />\s*<section class="footnotes">.*?</section>\s*',
                          re.DOTALL)
"""Footnote markers and the footnotes themselves, left out of text shown on many pages alike."""


def _unwrapped(html: str) -> Markup:
    """HTML that is one paragraph without its <p>."""
    html = html.strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)


@lru_cache(maxsize=1 << 15)
def _parsed(text: str, raw_html: bool) -> list[Token]:
    """Tokens of Markdown without mentions, kept: an event's summary is drawn on the timeline and on the
    page of each of its actors and topics. Safe to share: rendering never changes a token."""
    return parse(text, raw_html)[0]


def _first_block(text: str) -> str | None:
    """The source of the first block, when it is plainly a paragraph: lists pages parse only that."""
    lines = text.lstrip("\n").split("\n")
    block = []
    for line in lines:
        if not line.strip():
            break
        block.append(line)
    first = block[0].lstrip() if block else ""
    if not block or first[:1] in "#>-*+|`<~=" or first[:1].isdigit() or block[0].startswith("    "):
        return None
    return "\n".join(block)


def _az(item: Item, name: str) -> str:
    """The key of an A-Z list: an actor's sort_name, else the name shown."""
    return item.sort_key if isinstance(item, Actor) else folded(name)


def _first_words(text: str, count: int = 8) -> str:
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


def _expert_line(expert: Item | None) -> str:
    return expert.role or "" if isinstance(expert, Actor) else ""


def _date(d: PartialDate | None) -> DateView | None:
    return DateView(str(d), d.human()) if d else None


def render(graph: Graph, page: Page, env: jinja2.Environment,
           builders: Mapping[str, Callable[[Context], dict[str, Any]]] | None = None) -> str:
    """The HTML of one page: a function of the graph, the page and the templates only (incremental.py
    relies on that: it records what a page reads of the graph by handing it a recording one)."""
    ctx = Context(graph, page, graph.urls())
    values = {**_common(ctx), **(builders or BUILDERS)[page.template.rpartition(".")[0]](ctx)}
    return env.get_template(page.template).render({**_described(ctx, values), **values})


def _common(ctx: Context) -> dict[str, Any]:
    cfg = ctx.graph.site.config
    current = ctx.to(ctx.page.path)
    menu = ctx.shared("menu", _menu)
    return {**menu, "nav": list(menu["nav"]), "site": cfg, "current_url": current, "page": ctx.page,
            "root": ctx.urls.root(ctx.page.path),
            "canonical": (cfg.base_url + address(ctx.page.path)) if cfg.base_url else None,
            "item_feed_url": ctx.to(ctx.urls.feed(ctx.page.item))
            if cfg.base_url and ctx.page.item and ctx.page.section in FOLLOWED else None}


def _menu(ctx: Context) -> dict[str, Any]:
    """What every page links to: the menu, the style sheet, search and the feed (Context.shared)."""
    sanctions = ("sanctions",) if ctx.graph.sanctions else ()  # last: templates find the others by place (nav[7])
    nav = (LinkView("Home", ctx.to(ctx.urls.page())),
           *(LinkView(TITLES[s], ctx.to(ctx.urls.page(s))) for s in (*PAGED, "timeline", "graph", "sources", *sanctions)))
    return {"nav": nav, "home_url": nav[0].url, "css": ctx.to("assets/briefing.css"), "assets": ctx.to("assets/"),
            "search_url": ctx.to(ctx.urls.search()),
            "feed_url": ctx.to(ctx.urls.feed()) if ctx.graph.site.config.base_url else None}


DESCRIPTION_MAX = 200
"""Characters of a page's <meta name="description">, cut at a word."""


def _described(ctx: Context, values: Mapping[str, Any]) -> dict[str, Any]:
    """A page's own description and Open Graph type and image: an item's summary (else the first sentence
    of its body), else the page's title with the site's title and description."""
    cfg = ctx.graph.site.config
    item = ctx.graph.items[ctx.page.item] if ctx.page.item else None
    text = _about(ctx, item) if item is not None else ""
    if not text:
        title = str(values.get("title", cfg.title))
        text = cfg.description or cfg.title if title == cfg.title else \
            f"{title} · {cfg.title}" + (f": {cfg.description}" if cfg.description else "")
    image = item.image.src if isinstance(item, (Actor, Article)) and item.image else None
    return {"meta_description": _cut(" ".join(text.split()), DESCRIPTION_MAX),
            "og_type": "article" if isinstance(item, Article) else "website",
            "og_image": cfg.base_url + image if cfg.base_url and image else None}


def _about(ctx: Context, item: Item) -> str:
    summary = getattr(item, "summary", None)
    if isinstance(summary, Md):
        return _plain(ctx, summary.text)
    body = getattr(item, "body", None)
    if isinstance(body, Md):
        first = _plain(ctx, _first_block(body.text) or body.text, dropped=isinstance(item, Article))
        end = SENTENCE_END.search(first)
        return first[:end.start()] if end else first
    if isinstance(item, Actor) and item.role:
        return f"{item.name}, {item.role}"
    return ""


PLAIN_RE = re.compile(r"[^\S \n]|[\0\\`*_\[\]<>&!~]|\n *[-+*#>|:=0-9_~`]")
"""What may make a block of Markdown more than one paragraph of plain text (markdown-it's commonmark
with tables): a character of an inline rule (escapes, code, emphasis, links and [[id]], footnotes,
images, HTML, entities), whitespace but spaces and line ends, NUL (read as U+FFFD), or a line that
could open a block or end the paragraph."""


def _plain_lines(block: str) -> list[str] | None:
    """The lines of a first block (_first_block) that is one paragraph of plain text; None when PLAIN_RE
    finds anything that may be more. plain_paragraph and paragraph_html read them as markdown-it would,
    without a parse (tests/test_shared.py holds both to it)."""
    return None if PLAIN_RE.search(block) else block.split("\n")


def plain_paragraph(block: str) -> str | None:
    """What _plain gives for such a block (a parse was a tenth of drawing an article's page): its lines,
    stripped of the spaces that the parser drops, joined by the space a line break reads as."""
    lines = _plain_lines(block)
    return None if lines is None else " ".join(line.strip(" ") for line in lines).strip()


def paragraph_html(block: str) -> str | None:
    """The HTML markdown-it gives such a block, from <p> to </p> (the summaries of a list page's cards
    were two fifths of drawing it): each line escaped as its text token is, the spaces the parser drops
    dropped, a line break soft, or hard after two spaces."""
    lines = _plain_lines(block)
    if lines is None:
        return None
    out = ["<p>"]
    for line in lines[:-1]:
        text = line.lstrip(" ")
        words = text.rstrip(" ")
        out.append(escapeHtml(words) + ("<br />\n" if len(text) - len(words) > 1 else "\n"))
    out.append(escapeHtml(lines[-1].strip(" ")) + "</p>")
    return "".join(out)


def _plain(ctx: Context, text: str, dropped: bool = False) -> str:
    """The first paragraph of some Markdown as plain text: [[id]] links read as their names; `dropped`: an
    article's body, whose sources' markers are left out (see Context.html)."""
    block = _first_block(text)
    found = plain_paragraph(block) if block is not None else None
    if found is not None:
        return found
    g = ctx.graph
    return parsed_plain(text, g.site.config.raw_html, lambda i: g.names.get(g.target(i), i),
                        (lambda i: ctx._is_source(g.target(i))) if dropped else None)


def parsed_plain(text: str, raw_html: bool, name: Callable[[str], str],
                 dropped: Callable[[str], bool] | None = None) -> str:
    """_plain by parsing the text: `name` gives what a [[id]] link without words reads as; `dropped`, whether
    it is a source's marker, left out with the space before it."""
    tokens = _parsed(text, raw_html)
    for before, token in itertools.pairwise(tokens):
        if before.type == "paragraph_open" and token.type == "inline":
            words: list[str] = []
            for child in token.children or []:
                if child.type in ("text", "code_inline"):
                    words.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    words.append(" ")
                elif child.type == "wikilink" and not child.meta["text"] and dropped and dropped(child.meta["id"]):
                    if words:
                        words[-1] = words[-1].rstrip()
                elif child.type == "wikilink":
                    words.append(child.meta["text"] or name(child.meta["id"]))
            return "".join(words).strip()
    return ""


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


HOME_LIMIT = 24
"""A home page shows at most this many actors and topics, so it does not grow with the site."""


def _home(ctx: Context) -> dict[str, Any]:
    g = ctx.graph
    lead_id = next(iter(g.order.get("lead", ())), None)
    lead = g.items[lead_id] if lead_id else None
    articles = [i for i in g.order.get("articles", ()) if i != lead_id]
    read_next = [LinkView(TITLES[s], ctx.to(ctx.urls.page(s))) for s in ("timeline", "graph", "sources")]
    actors = g.order.get("actors", ())
    if len(actors) > HOME_LIMIT:
        actors = g.order.get("actors-leading", ())
    topics = _topics_in_tree_order(g) if len(g.order.get("topics", ())) <= HOME_LIMIT else g.order["topics"][:HOME_LIMIT]
    more = [LinkView(f"All {_count(len(g.order.get(c, ())), SINGULAR[c], c)}", ctx.to(ctx.urls.page(c)))
            for c in PAGED if len(g.order.get(c, ())) > {"articles": 11, "views": 10}.get(c, HOME_LIMIT)]
    return {
        "title": g.site.config.title,
        "description": g.site.config.description,
        "lead": ctx.card(lead.id) if lead else None,
        "lead_article": lead,
        "lead_image": ctx.image(lead.image, caption=True) if isinstance(lead, Article) else None,
        "lead_summary": ctx.html(lead.summary) if isinstance(lead, Article) else Markup(""),
        "key_points": [ctx.inline(k, dropped=True) for k in lead.key_points] if isinstance(lead, Article) else [],
        "more_articles": ctx.cards(articles[:10]),
        "actor_groups": _actor_groups(ctx, (g.items[i] for i in actors)),  # type: ignore[misc]
        "topics": ctx.cards(topics),
        "events": ctx.cards(reversed(g.order.get("events", ())[-6:])),
        "views": ctx.cards(g.order.get("views", ())[:10]),
        "read_next": more + read_next,
        "counts": [_count(len(g.order.get(c, ())), SINGULAR[c], c)
                   for c in ("articles", "actors", "topics", "views", "events", "quotes", "sources")],
    }


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}" if n else ""


def _topics_in_tree_order(g: Graph) -> list[str]:
    """Topics with each parent before its children."""
    out: list[str] = []

    def visit(topic_id: str) -> None:
        out.append(topic_id)
        for child in g.children.get(topic_id, ()):
            visit(child)
    for topic_id in g.order.get("topics", ()):
        item = g.items[topic_id]
        if isinstance(item, Topic) and (item.parent is None or item.parent.id not in g.items):
            visit(item.id)
    return list(dict.fromkeys(out))


def _actor_groups(ctx: Context, actors: Iterable[Actor]) -> list[Section]:
    by_kind: dict[str, list[Card]] = {k: [] for k in KIND_LABELS}
    for actor in sorted(actors, key=lambda a: (a.sort_key, a.id)):
        by_kind[actor.kind].append(ctx.card(actor.id))
    language = ctx.graph.site.config.language
    return [Section(spelled(KIND_LABELS[k], language), tuple(v), k) for k, v in by_kind.items() if v]


def _list(ctx: Context) -> dict[str, Any]:
    section = ctx.page.section
    shown, found = paging(ctx, ctx.graph.order.get(section, ()))
    if section == "actors":
        return {**found, "groups": _actor_groups(ctx, (ctx.graph.items[i] for i in shown))}  # type: ignore[misc]
    return {**found, "groups": [Section(TITLES[section], ctx.cards(shown))]}


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


def _sections(ctx: Context, item_id: str, shown: Sequence[Section], elsewhere: Iterable[str] = ()) -> list[Section]:
    """The given sections, then whatever else points here, so every page lists every reference."""
    seen = {c.id for s in shown for c in s.cards} | set(elsewhere)
    rest = [i for i in ctx.graph.pointing_at(item_id) if i not in seen]
    extra = [Section(f"Also in {TITLES.get(c, c).lower()}", ctx.cards(i for i in rest if ctx.graph.collections[i] == c))
             for c in ("articles", "actors", "topics", "views", "quotes", "events", "sources")]
    return [s for s in (*shown, *extra) if s.cards]


def _in_timeline_order(g: Graph, ids: Iterable[str]) -> list[str]:
    """The events among `ids`, in timeline order: sorted by the timeline's key, not picked out of the
    whole timeline, which cost every actor and topic page a pass over every event of the site."""
    events = [e for i in dict.fromkeys(ids) if isinstance(e := g.items.get(i), Event)]
    return [e.id for e in sorted(events, key=timeline_key)]


def _of(ctx: Context, item_id: str, collection: str, *vias: str) -> list[str]:
    return [i for via in vias for i in ctx.graph.pointing_at(item_id, collection, via)]


def _article(ctx: Context) -> dict[str, Any]:
    g, a = ctx.graph, ctx.graph.items[ctx.page.item or ""]
    assert isinstance(a, Article)
    linked = [r.target for r in g.outlinks.get(a.id, ()) if r.via == "link"]
    touched = [*(r.id for r in (*a.actors, *a.topics)), *g.mentions.get(a.id, ()), *linked]

    def of_kind(cls: type) -> list[str]:
        return [i for i in dict.fromkeys(touched) if isinstance(g.items.get(i), cls)]
    citations = Citations(g, (r.id for r in a.sources))
    # Drawn in the page's order (footnote ids count the texts drawn; the feed's entry draws them alike),
    # the key points and the body before the sources list: they number the sources they cite that
    # `sources` does not list, the key points first.
    summary, key_points = ctx.html(a.summary), [ctx.inline(k, citations) for k in a.key_points]
    body = ctx.html(a.body, body=a.id, citations=citations)
    cited = list(dict.fromkeys([*citations.order, *(i for i in linked if isinstance(g.items.get(i), Source))]))
    events = _in_timeline_order(g, [*_of(ctx, a.id, "events", "article"), *linked])
    quotes = list(dict.fromkeys([*_of(ctx, a.id, "quotes", "article"),
                                 *(i for i in linked if isinstance(g.items.get(i), Quote))]))
    views = list(dict.fromkeys([*_of(ctx, a.id, "views", "article"),
                                *(i for i in linked if isinstance(g.items.get(i), View))]))
    actors, topics = of_kind(Actor), of_kind(Topic)
    return {
        "title": a.title, "article": a, "published": _date(a.date), "updated": _date(a.updated),
        "image": ctx.image(a.image, caption=True),
        "corrected": _date(a.corrected),
        "corrections": [CorrectionView(DateView(str(c.date), c.date.human()), ctx.inline(c.text)) for c in a.corrections],
        "summary": summary, "key_points": key_points, "body": body,
        "actors": ctx.cards(actors), "topics": ctx.cards(topics), "events": ctx.cards(events),
        "quotes": [_quote(ctx, q, cited) for q in quotes], "views": ctx.cards(views),
        "sources": [_source(ctx, s, markers=citations.markers.get(s, 0)) for s in cited],
        "sections": _sections(ctx, a.id, [], elsewhere=[*actors, *topics, *cited, *events, *quotes, *views]),
    }


@dataclass(frozen=True, slots=True)
class CorrectionView:
    date: DateView
    text: Markup


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


def _source(ctx: Context, source_id: str, cited_by: bool = False, markers: int = 0) -> SourceView:
    s = ctx.graph.items[source_id]
    assert isinstance(s, Source)
    publisher = ctx.link(s.publisher_ref.id) if s.publisher_ref else (LinkView(s.publisher, None) if s.publisher else None)
    url = s.url if s.url and not unsafe_url(s.url) else None
    return SourceView(s.id, s.title, url, publisher, _date(s.date), _date(s.accessed), ctx.href(s.id),
                      tuple(ctx.citer(i) for i in ctx.graph.pointing_at(s.id)) if cited_by else (), _grade(s), markers)


@dataclass(frozen=True, slots=True)
class RelationView:
    other: LinkView
    type: str
    """In words: "counterpart of", "former minister of"."""
    note: str | None
    since: DateView | None
    outgoing: bool
    until: DateView | None = None
    """Set for a former relation."""




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


def _quote(ctx: Context, quote_id: str, numbered: Sequence[str] = ()) -> QuoteView:
    """A quote as a figure shows it. On an article's own page (ctx.page.item), it does not name the article
    the reader is on as where it is, or cites it, and a source the article's numbered list holds (`numbered`)
    is its [n] there, not its title again."""
    q = ctx.graph.items[quote_id]
    assert isinstance(q, Quote)
    here = ctx.page.item if ctx.page.template == "article.html" else None
    sources = tuple(LinkView(f"[{numbered.index(r.id) + 1}]", f"#cite-{r.id}") if r.id in numbered else ctx.link(r.id)
                    for r in q.sources)
    return QuoteView(q.id, q.text, ctx.link(q.speaker.id), _date(q.date), q.context,
                     ctx.link(q.reported_by.id) if q.reported_by else None,
                     ctx.link(q.article.id) if q.article and q.article.id != here else None,
                     ctx.links(r.id for r in q.about), sources,
                     tuple(ctx.citer(i) for i in ctx.graph.pointing_at(q.id) if i != here), _grade(q))


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
    return DesignationView(d.id, ctx.link(d.actor.id), ctx.link(d.by.id), d.by.id, d.program,
                           DateView(str(d.date), d.date.human()), _date(d.until), is_lifted(d.until, ctx.graph.as_of),
                           d.reference, ctx.html(d.reason) if reason else Markup(""),
                           tuple(_source(ctx, r.id) for r in d.sources if r.id in ctx.graph.items),
                           ctx.link(d.event.id) if d.event else None, ctx.href(d.id))


def _listings(ctx: Context, ids: Iterable[str]) -> list[DesignationView]:
    """Listings newest first, then by actor and authority as named, then id."""
    g = ctx.graph
    listed = [d for i in dict.fromkeys(ids) if isinstance(d := g.items[i], Designation)]
    listed.sort(key=lambda d: (g.names.get(d.actor.id, d.actor.id).casefold(), g.names.get(d.by.id, d.by.id).casefold(),
                               d.id))
    listed.sort(key=lambda d: d.date.key, reverse=True)
    return [designation(ctx, d) for d in listed]


def _actor(ctx: Context) -> dict[str, Any]:
    g, a = ctx.graph, ctx.graph.items[ctx.page.item or ""]
    assert isinstance(a, Actor)
    ties = g.relations.get(a.id, ())
    relations = [RelationView(ctx.link(e.other), relation_words(e.type, e.until is not None), e.note, _date(e.since),
                              e.outgoing, _date(e.until)) for e in ties]
    around = [o for i in dict.fromkeys(e.other for e in ties) if isinstance(o := g.items.get(i), Actor)]
    edges = [Edge(a.id if e.outgoing else e.other, e.other if e.outgoing else a.id, e.type, e.until is not None,
                  f"rel-{n + 1}") for n, e in enumerate(ties)]
    neighbourhood = draw_neighbourhood(a, around, edges, ctx.href, f"Relations of {a.name}") if ties else None
    quotes = _of(ctx, a.id, "quotes", "speaker")
    listed, listing = _of(ctx, a.id, "designations", "actor"), _of(ctx, a.id, "designations", "by")
    shown = [Section("Mentioned in", ctx.cards(_of(ctx, a.id, "articles", "mention", "link", "actors"), a.id),
                     "mentioned"),
             Section(f"Views by {a.name}", ctx.cards(_of(ctx, a.id, "views", "expert")), "views-by"),
             Section(f"Views about {a.name}", ctx.cards(_of(ctx, a.id, "views", "about")), "views-about"),
             Section("Events", ctx.cards(_in_timeline_order(g, _of(ctx, a.id, "events", "actors"))),
                     "events"),
             Section("Topics", ctx.cards(_of(ctx, a.id, "topics", "actors")), "topics"),
             Section("Quotes about " + a.name, ctx.cards(_of(ctx, a.id, "quotes", "about")), "quotes-about"),
             Section("Quotes reported", ctx.cards(_of(ctx, a.id, "quotes", "reported_by")), "reported"),
             Section("Members and affiliates", ctx.cards(_of(ctx, a.id, "actors", "affiliations")), "members"),
             Section("Sources published", ctx.cards(_of(ctx, a.id, "sources", "publisher")), "published")]
    return {
        "title": a.name, "actor": a, "kind": a.kind, "kind_word": spelled(a.kind, ctx.graph.site.config.language),
        "summary": ctx.html(a.summary),
        "affiliations": ctx.links(r.id for r in a.affiliations), "relations": relations,
        "neighbourhood": neighbourhood,
        "external_links": [LinkView(link.label, None if unsafe_url(link.url) else link.url) for link in a.links],
        "image_src": ctx.to(a.image.src) if a.image else None,
        "quotes": [_quote(ctx, q) for q in quotes],
        "sanctions": _listings(ctx, listed), "designated": _listings(ctx, listing),
        "as_of": _date(g.as_of) if listed or listing else None,
        "sections": _sections(ctx, a.id, shown, elsewhere=[*quotes, *(e.other for e in g.relations.get(a.id, ())),
                                                          *listed, *listing]),
    }


def _topic(ctx: Context) -> dict[str, Any]:
    g, t = ctx.graph, ctx.graph.items[ctx.page.item or ""]
    assert isinstance(t, Topic)
    tree = {t.parent.id if t.parent else "", *g.children.get(t.id, ())}
    related = [i for i in [r.id for r in t.related] + list(_of(ctx, t.id, "topics", "related")) if i not in tree]
    shown = [Section("Actors", ctx.cards(r.id for r in t.actors), "actors"),
             Section("Events", ctx.cards(_in_timeline_order(g, _of(ctx, t.id, "events", "topics"))),
                     "events"),
             Section("Expert views", ctx.cards(_of(ctx, t.id, "views", "about")), "views"),
             Section("Quotes", ctx.cards(_of(ctx, t.id, "quotes", "about")), "quotes"),
             Section("Mentioned in", ctx.cards(_of(ctx, t.id, "articles", "mention", "link", "topics"), t.id),
                     "mentioned")]
    ancestors: list[str] = []
    cur = t
    while cur.parent and isinstance(parent := g.items.get(cur.parent.id), Topic) and parent.id not in ancestors:
        ancestors.insert(0, parent.id)
        cur = parent
    return {
        "title": t.title, "topic": t, "summary": ctx.html(t.summary), "body": ctx.html(t.body),
        "parent": ctx.link(t.parent.id) if t.parent else None, "ancestors": ctx.links(ancestors),
        "children": ctx.cards(g.children.get(t.id, ())), "related": ctx.cards(related),
        "facts": [(f.label, f.value, _source(ctx, f.source.id) if f.source else None) for f in t.facts],
        "sections": _sections(ctx, t.id, shown, elsewhere=[*g.children.get(t.id, ()), *related]),
    }


def _view(ctx: Context) -> dict[str, Any]:
    v = ctx.graph.items[ctx.page.item or ""]
    assert isinstance(v, View)
    expert = ctx.graph.items[v.expert.id]
    assert isinstance(expert, Actor)
    return {
        "title": v.title, "view": v, "expert": ctx.link(expert.id), "expert_role": expert.role,
        "expert_affiliations": ctx.links(r.id for r in expert.affiliations),
        "summary": ctx.html(v.summary), "when": _date(v.date),
        "about": ctx.links(r.id for r in v.about), "article": ctx.link(v.article.id) if v.article else None,
        "sources": [_source(ctx, s.id) for s in v.sources],
        "sections": _sections(ctx, v.id, [], elsewhere=[*(r.id for r in v.about), *(s.id for s in v.sources)]),
    }


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


def _timeline(ctx: Context) -> dict[str, Any]:
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
        return sorted(((i, _menu_name(g.items[i], g.names[i])) for i in ids),
                      key=lambda o: (_az(g.items[o[0]], g.names[o[0]]), o[0]))
    year_links = [LinkView(str(y), None if y == year else ctx.to(ctx.urls.year(y))) for y in sorted(g.years)] \
        if year else []
    return {"title": TITLES["timeline"] + (f": {year}" if year and year != g.latest_year else ""),
            "years": [YearView(y, tuple(v)) for y, v in years.items()], "year_links": year_links,
            "count": len(shown), "actor_options": options("actors"), "topic_options": options("topics"),
            "script": ctx.to("assets/timeline.js")}


def _event_entry(ctx: Context, e: Event) -> EventView:
    g = ctx.graph
    listings = _of(ctx, e.id, "designations", "event")
    return EventView(e.id, e.title, DateView(str(e.date), e.date.human()), _date(e.end), e.place,
                     ctx.html(e.summary), ctx.chips(r.id for r in e.actors), ctx.links(r.id for r in e.topics),
                     ctx.links(r.id for r in e.sources), ctx.link(e.article.id) if e.article else None,
                     tuple(ctx.citer(i) for i in g.pointing_at(e.id)
                           if not (e.article and i == e.article.id) and i not in listings),
                     " ".join(r.id for r in _filtered(e, "actors")), " ".join(r.id for r in e.topics), _grade(e),
                     tuple(LinkView(listing_title(g, i), ctx.href(i)) for i in listings), accounts=ctx.accounts(e))


def _listing_entry(ctx: Context, d: Designation) -> EventView:
    """A designation as a timeline entry: "X designated by Y under Z", on the day it was listed."""
    return EventView(d.id, listing_title(ctx.graph, d.id), DateView(str(d.date), d.date.human()), None, None,
                     ctx.html(d.reason), ctx.chips((d.actor.id, d.by.id)), (), ctx.links(r.id for r in d.sources),
                     None, (), " ".join(r.id for r in _filtered(d, "actors")), "", None,
                     (LinkView(f"the listing on {ctx.graph.names.get(d.actor.id, d.actor.id)}'s page", ctx.href(d.id)),), True)


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


def _menu_name(item: Item, name: str) -> str:
    return item.sort_name or name if isinstance(item, Actor) else name


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


def _graph(ctx: Context) -> dict[str, Any]:
    g = ctx.graph
    actors = [a for i in g.order.get("actors", ()) if isinstance(a := g.items[i], Actor)]
    ties = [(a, r) for a in sorted(actors, key=lambda a: (a.sort_key, a.id))
            for r in sorted(a.relations, key=lambda r: r.former) if r.to.id in g.items]
    rows = [RelationRow(ctx.link(a.id), relation_words(r.type, r.until is not None), ctx.link(r.to.id), _date(r.since), r.note,
                        _date(r.until), f"rel-{n + 1}") for n, (a, r) in enumerate(ties)]
    edges = [Edge(a.id, r.to.id, r.type, r.former, f"rel-{n + 1}") for n, (a, r) in enumerate(ties)]
    drawing = draw(actors, edges, ctx.href, f"Relations between the actors of {g.site.config.title}")
    language = ctx.graph.site.config.language
    kinds = [(k, spelled(KIND_LABELS[k], language)) for k in KINDS if any(a.kind == k for a in actors)]
    return {"title": TITLES["graph"], "svg": drawing.svg, "rows": rows, "kinds": kinds, "shown": drawing.shown,
            "left_out": drawing.left_out}


def _sources(ctx: Context) -> dict[str, Any]:
    ids = ctx.graph.order.get("sources", ())
    g = ctx.graph
    # Generators, so the page reads items only up to the first graded one (an edit elsewhere leaves it as it is).
    graded = any(_grade(g.items[i]) for c in ("sources", "events", "quotes") for i in g.order.get(c, ())) or \
        any(a.credibility for i in g.order.get("events", ()) if isinstance(e := g.items[i], Event) for a in e.accounts)
    legend = [(scale, [GradeView(scale, code, meaning) for code, meaning in table.items()])
              for scale, table in (("reliability", RELIABILITY), ("credibility", CREDIBILITY))] if graded else []
    return {"title": TITLES["sources"], "sources": [_source(ctx, i, cited_by=True) for i in ids], "legend": legend}


def _moved(ctx: Context) -> dict[str, Any]:
    """The page at an item's old address (formerly): it sends the reader to the item's page."""
    item_id, base = ctx.page.item or "", ctx.graph.site.config.base_url
    where = ctx.graph.locations[item_id]
    return {"title": ctx.graph.names[item_id], "target_url": ctx.href(item_id),
            "canonical": base + address(where) if base else None}


def _not_found(ctx: Context) -> dict[str, Any]:
    base = ctx.graph.site.config.base_url
    return {"title": "Page not found", "home_url": base or "/"}


BUILDERS = {"graph": _graph, "home": _home, "list": _list, "article": _article, "actor": _actor, "topic": _topic,
            "view": _view, "timeline": _timeline, "sources": _sources, "404": _not_found,
            "moved": _moved}
