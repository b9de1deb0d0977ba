"""Stage 3, resolve: the validated site -> the cross-reference graph, computed once."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from operator import itemgetter
from typing import Any, TypeVar

from ..base.errors import Location, Problem
from ..base.processes import forked
from ..content.model import (
    ACTOR_KINDS,
    RESERVED_ID,
    Actor,
    Article,
    Designation,
    Event,
    Item,
    Md,
    PartialDate,
    Quote,
    Site,
    Source,
    Topic,
    markdown_fields,
    references,
    renamed,
)
from .markdown import Scan, parse
from .mentions import Matcher, Snippet, name_key
from .problems import ambiguous_names, link_problems, literal, location_in, quote_problems, scan_problems
from .rendering import Body
from .timeline import actor_listings, newest_first, timeline_ids
from .urls import PAGED, SPLIT_TIMELINE, Urls

T = TypeVar("T")


@dataclass(frozen=True, slots=True, order=True)
class Reference:
    """`source` points at `target`: through an id field (its name), a [[id]] link or a mention."""

    target: str
    source: str
    via: str
    """A field name (actors, speaker, relations, ...), `link` or `mention`."""


@dataclass(frozen=True, slots=True)
class RelationEdge:
    """A relation seen from one of its two actors."""

    other: str
    type: str
    note: str | None
    since: PartialDate | None
    outgoing: bool
    """True on the page of the actor that declares it."""
    until: PartialDate | None = None
    """Set when the relation has ended."""


@dataclass(frozen=True, slots=True)
class LocalLink:
    """A Markdown link or image to the site itself, as written."""

    url: str
    location: Location
    page: str | None
    """The article whose page the link is written on (a body), so a relative URL is relative to that
    page; None for Markdown in a YAML field, which shows on many pages."""


@dataclass(frozen=True, slots=True)
class Graph:
    site: Site
    items: Mapping[str, Item]
    """Items with a page or an entry: every item but drafts unless they are built."""
    names: Mapping[str, str]
    """Display name of every item, drafts included (they show as text)."""
    backlinks: Mapping[str, tuple[Reference, ...]]
    """target id -> every reference to it, sorted by source then via."""
    outlinks: Mapping[str, tuple[Reference, ...]]
    """source id -> every reference it makes."""
    mentions: Mapping[str, tuple[str, ...]]
    """article id -> ids it mentions by name, in order of first mention."""
    relations: Mapping[str, tuple[RelationEdge, ...]]
    """actor id -> its relations in both directions."""
    children: Mapping[str, tuple[str, ...]]
    """topic id -> child topic ids."""
    contexts: Mapping[str, Mapping[str, Snippet]]
    """target id -> article id -> the sentence around the target's first mention or link there."""
    timeline: tuple[str, ...]
    """Event ids, and designations not reported by an event, in timeline order: date, end, title, id."""
    years: Mapping[int, tuple[str, ...]]
    """Year -> its timeline entries in order."""
    latest_year: int | None
    """The year the timeline's own page holds once it splits by year (past SPLIT_TIMELINE events)."""
    collections: Mapping[str, str]
    """Published item id -> its collection."""
    locations: Mapping[str, str]
    """Published item id -> where it is shown: its page, or its entry on another (path#id); an item
    with nowhere to be shown (a quote whose speaker is a draft) has none. Pages read this, not the
    item, to link it: editing an article does not make stale every page that links to it."""
    order: Mapping[str, tuple[str, ...]]
    """Collection -> its ids in the order its index lists them (articles newest first, actors by
    kind then name), so a page of an index reads its own entries, not every item of the site; and the
    sanctions page's rows and columns: `designated` and `authorities`, actor ids A-Z."""
    matcher: Matcher
    named: Mapping[str, str]
    """A name or alias claimed by exactly one item -> that item's id: what `[[Kim Jong Un]]` links."""
    local_links: Mapping[str, tuple[LocalLink, ...]]
    """item id -> its Markdown links and images to the site itself, checked once the pages are planned."""
    bodies: Mapping[str, Body]
    """Published article id -> its body's HTML, prepared from the parse that scanned it (markdown.prepare)."""
    moved: Mapping[str, tuple[tuple[str, str], ...]]
    """Collection -> (old id, item id) for each old id (`formerly`) whose address sends the reader on to
    the item's page: not an id in use, not `page`, not one an earlier item of the collection claims."""
    changed: Mapping[str, str]
    """Published article id -> its last change (its date, `updated` or a correction's), as the sitemap
    writes it: read here, not from the article, so that an edit to a body leaves the sitemap as it is."""
    listings: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    """Designated actor id -> the ids of the designations that list it, by date, then id: the sanctions page
    reads its rows' own, so that a change to one designation redraws only the page that shows it."""
    sanctions: bool = False
    """Whether the site has a designation, and so the sanctions page, which every page's menu links: read
    on its own, so that a designation added or removed redraws every page only when it is the first or last."""

    as_of: PartialDate | None = None
    """The newest day the content is dated (an article, its update, an event, a listing, a source's access):
    what a listing's `until` is judged against, "delisted" or "to be lifted", so that the same content
    gives the same pages on any day."""

    def urls(self) -> Urls:
        return Urls(self.site.config.pretty_urls, self.latest_year)

    def remembered(self, key: Hashable, compute: Callable[..., T], *args: Any) -> T:
        """compute(self, *args), for a part that many pages show alike (a feed's entry): `key` names it
        (and args), and compute must read nothing but the graph it is given. A page's recording graph
        (build/reads.py) draws it once per process, and on each use notes for the page what drawing it read."""
        return compute(self, *args)

    def target(self, written: str) -> str:
        """The id a `[[...]]` link names: an id as it is, else the item whose name or alias it is."""
        return written if written in self.names else self.named.get(name_key(written), written)

    def pointing_at(self, target: str, collection: str | None = None, via: str | None = None) -> tuple[str, ...]:
        """Ids of published items pointing at `target`, each once, in id order."""
        out = dict.fromkeys(r.source for r in self.backlinks.get(target, ())
                            if (via is None or r.via == via)
                            and (collection is None or self.items[r.source].collection == collection))
        return tuple(out)


ParseCache = dict[tuple[str, ...], Scan]
"""What parsing a Markdown text found, by (text, settings, names): a long-lived builder parses only
changed texts. Everything that can change a Scan is in the key."""


def resolve(site: Site, drafts: bool = False, cache: ParseCache | None = None,
            jobs: int = 1) -> tuple[Graph, list[Problem]]:
    """The graph of everything that points at everything, and the problems found in Markdown (parsed on
    `jobs` processes)."""
    items = {i: it for i, it in site.items.items()
             if drafts or not (isinstance(it, Article) and it.draft)}
    names = {i: _display(it, site.items) for i, it in site.items.items()}
    matcher = Matcher.build(_names(site))
    named, claimed = _named(site)
    sources = frozenset(i for i, it in site.items.items() if isinstance(it, Source))
    key = _parse_key(site, names, sources, matcher)
    scans = _parsed(site, key, names, sources, matcher, cache, jobs)
    found = _gathered(site, items, scans, key, matcher, named, claimed)
    problems = [*ambiguous_names(site, matcher), *found.problems, *link_problems(site), *quote_problems(site)]
    return _graph(site, items, names, matcher, named, found), problems


ParseKey = Callable[[Md, bool], tuple[str, ...]]
"""A Markdown text (and whether it is an article's body) -> everything its Scan depends on."""


def _parse_key(site: Site, names: Mapping[str, str], sources: frozenset[str], matcher: Matcher) -> ParseKey:
    """The parse cache's key: the text, the settings, and for a body the names it may mention or link."""
    names_print = repr(sorted(names.items())) + repr(sorted(sources))  # excerpts leave sources' markers out
    matcher_print = matcher.fingerprint

    def key(md: Md, body: bool) -> tuple[str, ...]:
        return (md.text, str(site.config.raw_html), site.config.mentions,
                matcher_print if body else "", names_print if body and "[[" in md.text else "")
    return key


def _parsed(site: Site, key: ParseKey, names: Mapping[str, str], sources: frozenset[str], matcher: Matcher,
            cache: ParseCache | None, jobs: int) -> ParseCache:
    """Every Markdown text's Scan, by its key: from `cache` when it holds the key, else parsed on `jobs`
    processes. `cache` is left holding this run's scans and nothing it no longer needs."""
    fresh: ParseCache = {}
    texts: dict[tuple[str, ...], tuple[str, bool]] = {}
    for item in site.items.values():
        for field, md in markdown_fields(item):
            body = isinstance(item, Article) and field == "body"
            k = key(md, body)
            if cache is not None and k in cache:
                fresh[k] = cache[k]
            elif k not in fresh:
                texts[k] = (md.text, body)
    todo = [(k, text, body) for k, (text, body) in texts.items()]

    def scan_of(i: int) -> Scan:
        _, text, body = todo[i]
        return parse(text, site.config.raw_html, matcher if body else None, site.config.mentions,
                     names if body else None, sources)[1]
    for part, scans in forked(scan_of, len(todo), jobs):
        fresh.update((todo[i][0], scan) for i, scan in zip(part, scans, strict=True))
    if cache is not None:
        cache.clear()
        cache.update(fresh)
    return fresh


@dataclass(slots=True)
class _Found:
    """What the items' references and Markdown say, gathered item by item before the Graph is made."""

    refs: set[tuple[str, str, str]] = dataclasses.field(default_factory=set)
    """(target, source, via): plain tuples hash and sort in C (as Reference, 0.3 s of resolve at 5,000
    articles); a Reference is made once for each that is kept."""
    mentions: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    contexts: defaultdict[str, dict[str, Snippet]] = dataclasses.field(default_factory=lambda: defaultdict(dict))
    local: defaultdict[str, list[LocalLink]] = dataclasses.field(default_factory=lambda: defaultdict(list))
    bodies: dict[str, Body] = dataclasses.field(default_factory=dict)
    problems: list[Problem] = dataclasses.field(default_factory=list)


def _gathered(site: Site, items: Mapping[str, Item], scans: ParseCache, key: ParseKey, matcher: Matcher,
              named: Mapping[str, str], claimed: Mapping[str, tuple[str, ...]]) -> _Found:
    """Every reference, link and mention of every item, and the problems in its Markdown."""
    found = _Found()
    renames = renamed(site.items)
    for item in site.items.values():
        for field, ref, _ in references(item):
            found.refs.add((ref.id, item.id, field))
        for field, md in markdown_fields(item):
            body = isinstance(item, Article) and field == "body"
            scan = scans[key(md, body)]
            found.problems.extend(scan_problems(scan, md, site, body, matcher, claimed, renames))
            found.refs.update((t, item.id, "link") for w, _ in scan.links if (t := _target(w, site, named)))
            found.refs.update((t, item.id, "mention") for t, _ in scan.mentions)
            found.local[item.id].extend(LocalLink(url, location_in(md, line, body, literal(url)),
                                                  item.id if body else None) for url, line in scan.local)
            if body:
                if scan.body is not None:
                    found.bodies[item.id] = scan.body
                found.mentions[item.id] = tuple(dict.fromkeys(t for t, _ in scan.mentions))
                if item.id in items:
                    for written, snippet in scan.contexts.items():
                        found.contexts[_target(written, site, named) or written][item.id] = snippet
    return found


def _graph(site: Site, items: dict[str, Item], names: dict[str, str], matcher: Matcher,
           named: dict[str, str], found: _Found) -> Graph:
    """The graph, from what was gathered: the references kept both ways, the orders, the addresses."""
    kept = sorted(r for r in found.refs if r[1] != r[0] and r[1] in items)  # by target, source, via
    made = {r: Reference(*r) for r in kept}
    timeline = timeline_ids(site, names)
    backlinks = _group(kept, 0, made)
    years = _by_year(site, timeline)
    latest_year = max(years) if len(timeline) > SPLIT_TIMELINE else None
    urls = Urls(site.config.pretty_urls, latest_year)
    order = _order(items, names, timeline, backlinks)
    listings = actor_listings(items)
    return Graph(
        site=site, items=items, names=names, collections={i: it.collection for i, it in items.items()},
        locations={i: urls.of(it) for i, it in items.items()
                   if not (isinstance(it, Quote) and it.speaker.id not in items)
                   and not (isinstance(it, Designation) and it.actor.id not in items)},
        backlinks=backlinks, outlinks=_group(sorted(kept, key=itemgetter(1, 2, 0)), 1, made),
        mentions={k: v for k, v in found.mentions.items() if k in items},
        relations=_relations(site), children=_children(site), timeline=timeline,
        years=years, latest_year=latest_year, order=order,
        contexts={k: dict(sorted(v.items())) for k, v in sorted(found.contexts.items())},
        matcher=matcher, named=named,
        local_links={k: tuple(v) for k, v in sorted(found.local.items()) if v and k in items},
        bodies={k: v for k, v in sorted(found.bodies.items()) if k in items},
        moved=_moved(site, items, order), changed={i: str(it.last_change) for i, it in items.items()
                                                     if isinstance(it, Article)},
        listings=listings, sanctions=bool(listings), as_of=_as_of(items.values()))


def _by_year(site: Site, timeline: tuple[str, ...]) -> dict[int, tuple[str, ...]]:
    """The timeline's entries by year, in timeline order."""
    years: dict[int, list[str]] = {}
    for entry_id in timeline:
        entry = site.items[entry_id]
        assert isinstance(entry, (Event, Designation))
        years.setdefault(entry.date.year, []).append(entry_id)
    return {y: tuple(ids) for y, ids in years.items()}


def _as_of(items: Iterable[Item]) -> PartialDate | None:
    dated = [d.day_only for it in items for name in ("date", "end", "updated", "accessed")
             if isinstance(d := getattr(it, name, None), PartialDate)]
    return max(dated, default=None)


def _moved(site: Site, items: Mapping[str, Item], order: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[tuple[str, str], ...]]:
    moved = {}
    for section in PAGED:
        found: dict[str, str] = {}
        for i in order.get(section, ()):
            for old in getattr(items[i], "formerly", ()):
                if old.id != RESERVED_ID and old.id not in site.items and old.id not in found:
                    found[old.id] = i
        if found:
            moved[section] = tuple(found.items())
    return moved


def with_body(graph: Graph, article: Article) -> Graph | None:
    """The graph after an edit to one article's body alone, when the edit changes nothing else that the
    graph derives from the body (the same links and mentions, no new problem): the old graph with the
    new article and the sentences around its mentions. None otherwise: then only resolve() knows.
    `briefing serve` draws the edited article's page from it before rebuilding the rest."""
    old = graph.items.get(article.id)
    if not isinstance(old, Article) or replace(article, body=old.body) != old:
        return None
    site, cfg = graph.site, graph.site.config
    sources = frozenset(i for i, it in site.items.items() if isinstance(it, Source))
    _, scan = parse(article.body.text, cfg.raw_html, graph.matcher, cfg.mentions, graph.names, sources)
    targets: list[str | None] = []
    local: list[LocalLink] = []
    for field, md in markdown_fields(article):  # its summary and key points link too, as they did
        body = field == "body"
        found = scan if body else parse(md.text, cfg.raw_html)[1]
        targets += [_target(w, site, graph.named) for w, _ in found.links]
        local += [LocalLink(url, location_in(md, line, body, literal(url)), article.id if body else None)
                  for url, line in found.local]
    if scan.unsafe or scan.remote_images or scan.ambiguous or None in targets:
        return None
    refs = {(t, "link") for t in targets} | {(t, "mention") for t, _ in scan.mentions}
    refs -= {(article.id, "link"), (article.id, "mention")}
    had = {(r.target, r.via) for r in graph.outlinks.get(article.id, ()) if r.via in ("link", "mention")}
    if refs != had or graph.mentions.get(article.id) != tuple(dict.fromkeys(t for t, _ in scan.mentions)):
        return None
    if [link.url for link in local] != [link.url for link in graph.local_links.get(article.id, ())]:
        return None
    contexts = dict(graph.contexts)
    for target, snippets in graph.contexts.items():
        if article.id in snippets:
            contexts[target] = {k: v for k, v in snippets.items() if k != article.id}
    for written, snippet in scan.contexts.items():
        target = _target(written, site, graph.named) or written
        contexts[target] = dict(sorted({**contexts.get(target, {}), article.id: snippet}.items()))
    local_links = dict(graph.local_links)
    if local:
        local_links[article.id] = tuple(local)
    items = dict(graph.items)
    items[article.id] = article
    site_items = dict(site.items)
    site_items[article.id] = article
    bodies = dict(graph.bodies)
    if scan.body is not None:
        bodies[article.id] = scan.body
    else:
        bodies.pop(article.id, None)
    return replace(graph, site=replace(site, items=site_items), items=items,
                   contexts={k: v for k, v in sorted(contexts.items()) if v}, local_links=local_links, bodies=bodies)


def _named(site: Site) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Names and aliases of every item that has one: those claimed once (name -> id), and every claim."""
    claims: defaultdict[str, set[str]] = defaultdict(set)
    for item in site.items.values():
        if isinstance(item, Quote):
            continue
        for name in (item.display, *getattr(item, "alias_names", ())):
            if key := name_key(name):
                claims[key].add(item.id)
    claimed = {k: tuple(sorted(v)) for k, v in claims.items()}
    return {k: v[0] for k, v in claimed.items() if len(v) == 1}, claimed


def _target(written: str, site: Site, named: Mapping[str, str]) -> str | None:
    """The id a [[...]] link names, or None when it names nothing (reported by scan_problems)."""
    if written in site.items:
        return written
    return named.get(name_key(written))


def _display(item: Item, items: Mapping[str, Item]) -> str:
    if isinstance(item, Quote):
        speaker = items.get(item.speaker.id)
        return speaker.display if speaker else item.speaker.id
    if isinstance(item, Designation):
        return f"{_display_of(item.actor.id, items)} designated by {_display_of(item.by.id, items)}"
    return item.display


def _display_of(item_id: str, items: Mapping[str, Item]) -> str:
    item = items.get(item_id)
    return item.display if item else item_id


def _names(site: Site) -> Iterator[tuple[str, str]]:
    for item in site.items.values():
        if isinstance(item, Actor):
            yield item.name, item.id
        elif isinstance(item, Topic):
            yield item.title, item.id
        else:
            continue
        for alias in item.alias_names:
            yield alias, item.id


def _group(refs: list[tuple[str, str, str]], at: int,
           made: Mapping[tuple[str, str, str], Reference]) -> dict[str, tuple[Reference, ...]]:
    """References by their target (at=0) or source (at=1), from (target, source, via) tuples sorted by
    that part first and then by source, via, target: each group in that order, the groups by key."""
    out: defaultdict[str, list[Reference]] = defaultdict(list)
    for r in refs:
        out[r[at]].append(made[r])
    return {k: tuple(v) for k, v in out.items()}


def _relations(site: Site) -> dict[str, tuple[RelationEdge, ...]]:
    out: defaultdict[str, list[RelationEdge]] = defaultdict(list)
    for item in site.items.values():
        if isinstance(item, Actor):
            for rel in item.relations:
                if rel.to.id == item.id or rel.to.id not in site.items:
                    continue
                out[item.id].append(RelationEdge(rel.to.id, rel.type, rel.note, rel.since, True, rel.until))
                out[rel.to.id].append(RelationEdge(item.id, rel.type, rel.note, rel.since, False, rel.until))
    return {k: tuple(sorted(v, key=lambda e: (e.until is not None, e.type, e.other, not e.outgoing, e.until)))
            for k, v in sorted(out.items())}


def _children(site: Site) -> dict[str, tuple[str, ...]]:
    out: defaultdict[str, list[str]] = defaultdict(list)
    for item in site.items.values():
        if isinstance(item, Topic) and item.parent and item.parent.id != item.id:
            out[item.parent.id].append(item.id)
    return {k: tuple(sorted(v)) for k, v in sorted(out.items())}


HOME_ACTORS = 24


def _order(items: Mapping[str, Item], names: Mapping[str, str], timeline: tuple[str, ...],
           backlinks: Mapping[str, tuple[Reference, ...]]) -> dict[str, tuple[str, ...]]:
    by: defaultdict[str, list[str]] = defaultdict(list)
    for item in items.values():
        by[item.collection].append(item.id)
    articles = newest_first(a for a in items.values() if isinstance(a, Article))
    actors = sorted((a for a in items.values() if isinstance(a, Actor)),
                    key=lambda a: (ACTOR_KINDS.index(a.kind), a.sort_key, a.id))
    weight = {a.id: len({r.source for r in backlinks.get(a.id, ())}) for a in actors}
    featured = next((a.id for a in articles if a.featured), articles[0].id if articles else None)
    listed = [d for d in items.values() if isinstance(d, Designation)]
    return {"articles": tuple(a.id for a in articles), "actors": tuple(a.id for a in actors),
            # the article that leads the home page: the newest featured one, else the newest
            "lead": (featured,) if featured else (),
            "topics": tuple(by["topics"]), "views": tuple(by["views"]), "events": tuple(i for i in timeline if isinstance(items.get(i), Event)),
            "quotes": tuple(by["quotes"]), "designations": tuple(by["designations"]),
            "sources": tuple(sorted(by["sources"], key=lambda i: (names[i].casefold(), i))),
            # the most referenced actors, for the home page of a big site
            "actors-leading": tuple(sorted(weight, key=lambda i: (-weight[i], names[i], i))[:HOME_ACTORS]),
            # the sanctions page's rows (the actors designated) and columns (the authorities), each A-Z
            "designated": _a_to_z(items, {d.actor.id for d in listed}),
            "authorities": _a_to_z(items, {d.by.id for d in listed})}


def _a_to_z(items: Mapping[str, Item], ids: Iterable[str]) -> tuple[str, ...]:
    """The actors among `ids` as A-Z lists sort them: by sort_name (else name) folded, then id."""
    actors = [a for i in ids if isinstance(a := items.get(i), Actor)]
    return tuple(a.id for a in sorted(actors, key=lambda a: (a.sort_key, a.id)))
