"""Stage 4, render: (graph, page) -> HTML, one page at a time, through view objects."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .markdown import Links, parse, unsafe_url
from .markdown import render as render_tokens
from .model import Actor, Article, Event, Md, PartialDate, Quote, Source, Topic, View
from .resolve import Graph
from .urls import PAGED, Urls

THEME = Path(__file__).parent / "theme"
TITLES = {"articles": "Articles", "actors": "Actors", "topics": "Topics", "views": "Expert views",
          "timeline": "Timeline", "sources": "Sources"}
KIND_LABELS = {"person": "People", "state": "States", "organization": "Organisations", "media": "Media"}


@dataclass(frozen=True, slots=True)
class Page:
    """One output file: what it shows and which template draws it."""

    path: str
    """Output path, relative to the output root."""
    template: str
    section: str = ""
    """The collection or section: '' for the home page and 404."""
    item: str | None = None


def plan(graph: Graph) -> list[Page]:
    """Every page of the site, in path order."""
    urls = Urls(graph.site.config.pretty_urls)
    pages = [Page(urls.page(), "home.html"), Page("404.html", "404.html"),
             Page(urls.page("timeline"), "timeline.html", "timeline"),
             Page(urls.page("sources"), "sources.html", "sources")]
    for section in PAGED:
        pages.append(Page(urls.page(section), "list.html", section))
        for item in graph.items.values():
            if item.collection == section:
                pages.append(Page(urls.page(section, item.id), f"{section[:-1]}.html", section, item.id))
    return sorted(pages, key=lambda p: p.path)


def environment(site_root: Path) -> jinja2.Environment:
    """Templates from the site's templates/ first, then the built-in theme."""
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(site_root / "templates")),
                                  jinja2.FileSystemLoader(str(THEME))])
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
                             extensions=["jinja2.ext.do"])
    return env


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
class Card:
    """An item in a list: its name, link, kind and one-paragraph summary."""

    id: str
    title: str
    url: str | None
    collection: str
    summary: Markup
    date: DateView | None = None
    note: str = ""
    end: DateView | None = None
    """The end of an event that spans days."""


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    cards: tuple[Card, ...]
    id: str = ""


@dataclass
class Context:
    """Everything one page needs; built fresh for each page, so rendering stays pure."""

    graph: Graph
    page: Page
    urls: Urls
    _docs: list[str] = field(default_factory=list)

    def href(self, item_id: str) -> str | None:
        item = self.graph.items.get(item_id)
        if item is None or (isinstance(item, Quote) and item.speaker.id not in self.graph.items):
            return None
        return self.urls.href(self.page.path, self.urls.of(item))

    def to(self, output_path: str) -> str:
        return self.urls.href(self.page.path, output_path)

    def link(self, item_id: str) -> LinkView:
        return LinkView(self.graph.names.get(item_id, item_id), self.href(item_id))

    def links(self, ids: Iterable[str]) -> tuple[LinkView, ...]:
        return tuple(self.link(i) for i in dict.fromkeys(ids))

    def html(self, md: Md | None, body: bool = False) -> Markup:
        if md is None:
            return Markup("")
        cfg = self.graph.site.config
        tokens, _ = parse(md.text, cfg.raw_html, self.graph.matcher if body else None, cfg.mentions)
        links = Links(self.href, lambda i: self.graph.names.get(i, i), self.urls.root(self.page.path))
        self._docs.append(md.location.path)
        doc_id = f"{len(self._docs)}"
        return Markup(render_tokens(tokens, cfg.raw_html, links, doc_id))

    def first_paragraph(self, md: Md | None) -> Markup:
        """The first paragraph of some Markdown, as HTML, for summaries in lists."""
        if md is None:
            return Markup("")
        html = str(self.html(md))
        start, end = html.find("<p>"), html.find("</p>")
        return Markup(html[start:end + 4]) if 0 <= start < end else Markup("")

    def card(self, item_id: str, note: str = "") -> Card:
        item = self.graph.items[item_id]
        summary = getattr(item, "summary", None)
        if isinstance(item, Article) and summary is None:
            summary = item.body
        text = Markup("<blockquote><p>{}</p></blockquote>").format(item.text) if isinstance(item, Quote) \
            else self.first_paragraph(summary)
        return Card(item.id, self.graph.names[item.id], self.href(item.id), item.collection, text,
                    _date(getattr(item, "date", None)), note, _date(getattr(item, "end", None)))

    def cards(self, ids: Iterable[str], note: str = "") -> tuple[Card, ...]:
        return tuple(self.card(i, note) for i in dict.fromkeys(ids) if i in self.graph.items)


def _date(d: PartialDate | None) -> DateView | None:
    return DateView(str(d), d.human()) if d else None


def render(graph: Graph, page: Page, env: jinja2.Environment) -> str:
    """The HTML of one page: a pure function of the graph and the page."""
    ctx = Context(graph, page, Urls(graph.site.config.pretty_urls))
    values = {**_common(ctx), **BUILDERS[page.template.removesuffix(".html")](ctx)}
    return env.get_template(page.template).render(values)


def _common(ctx: Context) -> dict[str, Any]:
    cfg = ctx.graph.site.config
    nav = [LinkView("Home", ctx.to(ctx.urls.page()))] + [
        LinkView(TITLES[s], ctx.to(ctx.urls.page(s))) for s in (*PAGED, "timeline", "sources")]
    current = ctx.to(ctx.page.path)
    return {"site": cfg, "nav": nav, "current_url": current, "home_url": nav[0].url,
            "css": ctx.to("assets/briefing.css"), "page": ctx.page,
            "canonical": (cfg.base_url + ctx.page.path.removesuffix("index.html")) if cfg.base_url else None}


def _home(ctx: Context) -> dict[str, Any]:
    g = ctx.graph
    articles = sorted((a for a in g.items.values() if isinstance(a, Article)), key=lambda a: (a.date, a.id),
                      reverse=True)
    lead = articles[0] if articles else None
    return {
        "title": g.site.config.title,
        "description": g.site.config.description,
        "lead": ctx.card(lead.id) if lead else None,
        "key_points": [ctx.html(k) for k in lead.key_points] if lead else [],
        "articles": ctx.cards(a.id for a in articles),
        "actor_groups": _actor_groups(ctx, (i for i in g.items.values() if isinstance(i, Actor))),
        "topics": ctx.cards(i for i, it in g.items.items() if isinstance(it, Topic)),
        "events": ctx.cards(reversed(g.timeline[-8:])),
        "views": ctx.cards(i for i, it in g.items.items() if isinstance(it, View)),
    }


def _actor_groups(ctx: Context, actors: Iterable[Actor]) -> list[Section]:
    by_kind: dict[str, list[Card]] = {k: [] for k in KIND_LABELS}
    for actor in sorted(actors, key=lambda a: (a.name, a.id)):
        by_kind[actor.kind].append(ctx.card(actor.id, note=actor.role or ""))
    return [Section(KIND_LABELS[k], tuple(v), k) for k, v in by_kind.items() if v]


def _list(ctx: Context) -> dict[str, Any]:
    section = ctx.page.section
    items = [i for i in ctx.graph.items.values() if i.collection == section]
    if section == "actors":
        return {"title": TITLES[section], "groups": _actor_groups(ctx, items)}  # type: ignore[arg-type]
    if section == "articles":
        items.sort(key=lambda a: (a.date, a.id), reverse=True)  # type: ignore[union-attr]
    return {"title": TITLES[section], "groups": [Section(TITLES[section], ctx.cards(i.id for i in items))]}


def _sections(ctx: Context, item_id: str, shown: Sequence[Section], elsewhere: Iterable[str] = ()) -> list[Section]:
    """The given sections, then whatever else points here, so every page lists every reference."""
    seen = {c.id for s in shown for c in s.cards} | set(elsewhere)
    rest = [i for i in ctx.graph.pointing_at(item_id) if i not in seen]
    extra = [Section(f"Also in {TITLES.get(c, c).lower()}", ctx.cards(i for i in rest if ctx.graph.items[i].collection == c))
             for c in ("articles", "actors", "topics", "views", "quotes", "events", "sources")]
    return [s for s in (*shown, *extra) if s.cards]


def _of(ctx: Context, item_id: str, collection: str, *vias: str) -> list[str]:
    return [i for via in vias for i in ctx.graph.pointing_at(item_id, collection, via)]


def _article(ctx: Context) -> dict[str, Any]:
    g, a = ctx.graph, ctx.graph.items[ctx.page.item or ""]
    assert isinstance(a, Article)
    mentioned = g.mentions.get(a.id, ())
    linked = [t for t, r in ((r.target, r) for r in g.outlinks.get(a.id, ())) if r.via == "link"]
    actors = [r.id for r in a.actors] + [i for i in (*mentioned, *linked) if isinstance(g.items.get(i), Actor)]
    topics = [r.id for r in a.topics] + [i for i in (*mentioned, *linked) if isinstance(g.items.get(i), Topic)]
    cited = list(dict.fromkeys([r.id for r in a.sources] + [i for i in linked if isinstance(g.items.get(i), Source)]))
    shown = [Section("Quotes", ctx.cards(_of(ctx, a.id, "quotes", "article")), "quotes"),
             Section("Expert views", ctx.cards(_of(ctx, a.id, "views", "article")), "views"),
             Section("Events", ctx.cards(_of(ctx, a.id, "events", "article")), "events")]
    return {
        "title": a.title, "article": a, "published": _date(a.date), "updated": _date(a.updated),
        "summary": ctx.html(a.summary), "key_points": [ctx.html(k) for k in a.key_points],
        "body": ctx.html(a.body, body=True),
        "actors": ctx.links(actors), "topics": ctx.links(topics),
        "sources": [_source(ctx, s) for s in cited],
        "sections": _sections(ctx, a.id, shown, elsewhere=[*actors, *topics, *cited]),
    }


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


def _source(ctx: Context, source_id: str, cited_by: bool = False) -> SourceView:
    s = ctx.graph.items[source_id]
    assert isinstance(s, Source)
    publisher = ctx.link(s.publisher_ref.id) if s.publisher_ref else (LinkView(s.publisher, None) if s.publisher else None)
    url = s.url if s.url and not unsafe_url(s.url) else None
    return SourceView(s.id, s.title, url, publisher, _date(s.date), _date(s.accessed), ctx.href(s.id),
                      ctx.links(ctx.graph.pointing_at(s.id)) if cited_by else ())


@dataclass(frozen=True, slots=True)
class RelationView:
    other: LinkView
    type: str
    note: str | None
    since: DateView | None
    outgoing: bool


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


def _quote(ctx: Context, quote_id: str) -> QuoteView:
    q = ctx.graph.items[quote_id]
    assert isinstance(q, Quote)
    return QuoteView(q.id, q.text, ctx.link(q.speaker.id), _date(q.date), q.context,
                     ctx.link(q.reported_by.id) if q.reported_by else None,
                     ctx.link(q.article.id) if q.article else None,
                     ctx.links(r.id for r in q.about), ctx.links(r.id for r in q.sources),
                     ctx.links(ctx.graph.pointing_at(q.id)))


def _actor(ctx: Context) -> dict[str, Any]:
    g, a = ctx.graph, ctx.graph.items[ctx.page.item or ""]
    assert isinstance(a, Actor)
    relations = [RelationView(ctx.link(e.other), e.type, e.note, _date(e.since), e.outgoing)
                 for e in g.relations.get(a.id, ())]
    quotes = _of(ctx, a.id, "quotes", "speaker")
    shown = [Section("Mentioned in", ctx.cards(_of(ctx, a.id, "articles", "mention", "link", "actors")), "articles"),
             Section("Views by " + a.name, ctx.cards(_of(ctx, a.id, "views", "expert")), "views-by"),
             Section("Views about " + a.name, ctx.cards(_of(ctx, a.id, "views", "about")), "views-about"),
             Section("Events", ctx.cards(_of(ctx, a.id, "events", "actors")), "events"),
             Section("Topics", ctx.cards(_of(ctx, a.id, "topics", "actors")), "topics"),
             Section("Quotes reported", ctx.cards(_of(ctx, a.id, "quotes", "reported_by")), "reported"),
             Section("Members and affiliates", ctx.cards(_of(ctx, a.id, "actors", "affiliations")), "members"),
             Section("Sources published", ctx.cards(_of(ctx, a.id, "sources", "publisher")), "published")]
    return {
        "title": a.name, "actor": a, "kind": a.kind, "summary": ctx.html(a.summary),
        "affiliations": ctx.links(r.id for r in a.affiliations), "relations": relations,
        "external_links": [LinkView(link.label, None if unsafe_url(link.url) else link.url) for link in a.links],
        "image_src": ctx.to(a.image.src) if a.image else None,
        "quotes": [_quote(ctx, q) for q in quotes],
        "sections": _sections(ctx, a.id, shown, elsewhere=[*quotes, *(e.other for e in g.relations.get(a.id, ()))]),
    }


def _topic(ctx: Context) -> dict[str, Any]:
    g, t = ctx.graph, ctx.graph.items[ctx.page.item or ""]
    assert isinstance(t, Topic)
    related = [r.id for r in t.related] + list(_of(ctx, t.id, "topics", "related"))
    shown = [Section("Mentioned in", ctx.cards(_of(ctx, t.id, "articles", "mention", "link", "topics")), "articles"),
             Section("Actors", ctx.cards(r.id for r in t.actors), "actors"),
             Section("Events", ctx.cards(_of(ctx, t.id, "events", "topics")), "events"),
             Section("Expert views", ctx.cards(_of(ctx, t.id, "views", "about")), "views"),
             Section("Quotes", ctx.cards(_of(ctx, t.id, "quotes", "about")), "quotes"),
             Section("Subtopics", ctx.cards(g.children.get(t.id, ())), "children"),
             Section("Related topics", ctx.cards(related), "related")]
    return {
        "title": t.title, "topic": t, "summary": ctx.html(t.summary), "body": ctx.html(t.body),
        "parent": ctx.link(t.parent.id) if t.parent else None,
        "facts": [(f.label, f.value, _source(ctx, f.source.id) if f.source else None) for f in t.facts],
        "sections": _sections(ctx, t.id, shown, elsewhere=[t.parent.id] if t.parent else []),
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


def _timeline(ctx: Context) -> dict[str, Any]:
    events = []
    for event_id in ctx.graph.timeline:
        e = ctx.graph.items[event_id]
        assert isinstance(e, Event)
        events.append(EventView(e.id, e.title, DateView(str(e.date), e.date.human()), _date(e.end), e.place,
                                ctx.html(e.summary), ctx.links(r.id for r in e.actors),
                                ctx.links(r.id for r in e.topics), ctx.links(r.id for r in e.sources),
                                ctx.link(e.article.id) if e.article else None,
                                ctx.links(ctx.graph.pointing_at(e.id))))
    return {"title": TITLES["timeline"], "events": events}


def _sources(ctx: Context) -> dict[str, Any]:
    ids = sorted((i.id for i in ctx.graph.items.values() if isinstance(i, Source)),
                 key=lambda i: (ctx.graph.names[i].casefold(), i))
    return {"title": TITLES["sources"], "sources": [_source(ctx, i, cited_by=True) for i in ids]}


def _not_found(ctx: Context) -> dict[str, Any]:
    base = ctx.graph.site.config.base_url
    return {"title": "Page not found", "home_url": base or "/", "style": _inline_css()}


def _inline_css() -> Markup:
    return Markup((THEME / "assets" / "briefing.css").read_text(encoding="utf-8"))


BUILDERS = {"home": _home, "list": _list, "article": _article, "actor": _actor, "topic": _topic,
            "view": _view, "timeline": _timeline, "sources": _sources, "404": _not_found}
