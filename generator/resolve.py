"""Stage 3, resolve: the validated site -> the cross-reference graph, computed once."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from .errors import Location, Problem, error, suggest, warning
from .markdown import Matcher, Scan, Snippet, parse, unsafe_url
from .model import Actor, Article, Event, Item, Md, PartialDate, Quote, Site, Topic, markdown_fields, references


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
    """Event ids in timeline order: date, end, title, id."""
    matcher: Matcher

    def pointing_at(self, target: str, collection: str | None = None, via: str | None = None) -> tuple[str, ...]:
        """Ids of published items pointing at `target`, each once, in id order."""
        out = dict.fromkeys(r.source for r in self.backlinks.get(target, ())
                            if (via is None or r.via == via)
                            and (collection is None or self.items[r.source].collection == collection))
        return tuple(out)


ParseCache = dict[tuple[str, ...], Scan]
"""What parsing a Markdown text found, by (text, settings, names): a long-lived builder parses only
changed texts. Everything that can change a Scan is in the key."""


def resolve(site: Site, drafts: bool = False, cache: ParseCache | None = None) -> tuple[Graph, list[Problem]]:
    """The graph of everything that points at everything, and the problems found in Markdown."""
    problems: list[Problem] = []
    fresh: ParseCache = {}
    items = {i: it for i, it in site.items.items()
             if drafts or not (isinstance(it, Article) and it.draft)}
    names = {i: _display(it, site.items) for i, it in site.items.items()}
    matcher = Matcher.build(_names(site))
    names_print = repr(sorted(names.items()))
    matcher_print = matcher.fingerprint
    problems.extend(_ambiguous_names(site, matcher))
    refs: set[Reference] = set()
    mentions: dict[str, tuple[str, ...]] = {}
    contexts: defaultdict[str, dict[str, Snippet]] = defaultdict(dict)
    for item in site.items.values():
        for field, ref, _ in references(item):
            refs.add(Reference(ref.id, item.id, field))
        for field, md in markdown_fields(item):
            body = isinstance(item, Article) and field == "body"
            key = (md.text, str(site.config.raw_html), site.config.mentions,
                   matcher_print if body else "", names_print if body and "[[" in md.text else "")
            scan = cache.get(key) if cache is not None else None
            if scan is None:
                _, scan = parse(md.text, site.config.raw_html, matcher if body else None, site.config.mentions,
                                names if body else None)
            fresh[key] = scan
            problems.extend(_scan_problems(scan, md, site, body, matcher))
            refs.update(Reference(t, item.id, "link") for t, _ in scan.links if t in site.items)
            refs.update(Reference(t, item.id, "mention") for t, _ in scan.mentions)
            if body:
                mentions[item.id] = tuple(dict.fromkeys(t for t, _ in scan.mentions))
                if item.id in items:
                    for target, snippet in scan.contexts.items():
                        contexts[target][item.id] = snippet
    problems.extend(_link_problems(site))
    if cache is not None:
        cache.clear()
        cache.update(fresh)
    kept = sorted((r for r in refs if r.source != r.target and r.source in items), key=_ref_key)
    return Graph(
        site=site, items=items, names=names,
        backlinks=_group(kept, lambda r: r.target), outlinks=_group(kept, lambda r: r.source),
        mentions={k: v for k, v in mentions.items() if k in items},
        relations=_relations(site), children=_children(site), timeline=_timeline(site),
        contexts={k: dict(sorted(v.items())) for k, v in sorted(contexts.items())},
        matcher=matcher), problems


def _display(item: Item, items: Mapping[str, Item]) -> str:
    if isinstance(item, Quote):
        speaker = items.get(item.speaker.id)
        return speaker.display if speaker else item.speaker.id
    return item.display


def _names(site: Site) -> Iterator[tuple[str, str]]:
    for item in site.items.values():
        if isinstance(item, Actor):
            yield item.name, item.id
        elif isinstance(item, Topic):
            yield item.title, item.id
        else:
            continue
        for alias in item.aliases:
            yield alias, item.id


def _ambiguous_names(site: Site, matcher: Matcher) -> list[Problem]:
    problems = []
    for name, owners in sorted(matcher.owners.items()):
        if len(owners) > 1:
            later = site.items[owners[-1]]
            problems.append(warning(later.location, f"the name '{name}' is claimed by {' and '.join(owners)}: "
                                    "it is never linked or counted; write [[id]] to choose"))
    return problems


def _scan_problems(scan: Scan, md: Md, site: Site, body: bool, matcher: Matcher) -> list[Problem]:
    problems = []
    for target, line in scan.links:
        if target not in site.items:
            problems.append(error(_where(md, line, body, _literal("[[" + target)),
                                  f"unknown id '{target}' in [[...]] link{suggest(target, site.items)}"))
    for url, line in scan.unsafe:
        problems.append(warning(_where(md, line, body, _literal(url)),
                                f"unsafe URL '{url[:60]}' shown as text, not as a link"))
    for name, owners, line in _first_per_name(scan.ambiguous):
        problems.append(warning(_where(md, line, body, _ambiguous(matcher, name)),
                                f"'{name}' is ambiguous ({', '.join(owners)}): not linked or "
                                "counted; write [[id]] to choose"))
    return problems


def _first_per_name(found: list[tuple[str, tuple[str, ...], int]]) -> list[tuple[str, tuple[str, ...], int]]:
    seen: dict[str, tuple[str, tuple[str, ...], int]] = {}
    for name, owners, line in found:
        key = " ".join(name.split())
        seen.setdefault(key, (key, owners, line))
    return list(seen.values())


MASK_RE = re.compile(r"\[\[[^\]\n]*\]\]|`[^`]*`|\[[^\]]*\]\([^)]*\)")
"""[[id]] links, code spans and Markdown links: where a name is not a mention."""

Finder = Callable[[str], int]
"""Offset of the first occurrence in a text, or -1."""


def _literal(needle: str) -> Finder:
    return lambda text: text.find(needle)


def _ambiguous(matcher: Matcher, name: str) -> Finder:
    """The first match of exactly this name, so "Ivanov" is not found inside "Vladimir Ivanov"."""
    def find(text: str) -> int:
        text = MASK_RE.sub(lambda m: re.sub(r"[^\n]", "#", m.group()), text)
        return next((start for start, end, owners in matcher.find(text)
                     if len(owners) > 1 and " ".join(text[start:end].split()) == name), -1)
    return find


def _where(md: Md, line: int, body: bool, find: Finder) -> Location:
    """The exact line and column in an article body; the field's value for Markdown in YAML."""
    if not body:
        return md.location
    lines = md.text.split("\n")
    rest = "\n".join(lines[line:])
    offset = find(rest)
    if offset < 0:
        return Location(md.location.path, md.line_offset + line + 1, 1)
    before = rest[:offset]
    column = offset - (before.rfind("\n") + 1)
    return Location(md.location.path, md.line_offset + line + before.count("\n") + 1, column + 1)


def _link_problems(site: Site) -> list[Problem]:
    return [warning(link.location, f"unsafe URL '{link.url[:60]}' in links: shown as text, not as a link")
            for item in site.items.values() if isinstance(item, Actor)
            for link in item.links if unsafe_url(link.url)]


def _group(refs: list[Reference], key: object) -> dict[str, tuple[Reference, ...]]:
    out: defaultdict[str, list[Reference]] = defaultdict(list)
    for r in refs:
        out[key(r)].append(r)  # type: ignore[operator]
    return {k: tuple(sorted(v, key=lambda r: (r.source, r.via, r.target))) for k, v in sorted(out.items())}


def _ref_key(r: Reference) -> tuple[str, str, str]:
    return r.target, r.source, r.via


def _relations(site: Site) -> dict[str, tuple[RelationEdge, ...]]:
    out: defaultdict[str, list[RelationEdge]] = defaultdict(list)
    for item in site.items.values():
        if isinstance(item, Actor):
            for rel in item.relations:
                if rel.to.id == item.id or rel.to.id not in site.items:
                    continue
                out[item.id].append(RelationEdge(rel.to.id, rel.type, rel.note, rel.since, True))
                out[rel.to.id].append(RelationEdge(item.id, rel.type, rel.note, rel.since, False))
    return {k: tuple(sorted(v, key=lambda e: (e.type, e.other, not e.outgoing))) for k, v in sorted(out.items())}


def _children(site: Site) -> dict[str, tuple[str, ...]]:
    out: defaultdict[str, list[str]] = defaultdict(list)
    for item in site.items.values():
        if isinstance(item, Topic) and item.parent and item.parent.id != item.id:
            out[item.parent.id].append(item.id)
    return {k: tuple(sorted(v)) for k, v in sorted(out.items())}


def _timeline(site: Site) -> tuple[str, ...]:
    events = [i for i in site.items.values() if isinstance(i, Event)]
    events.sort(key=lambda e: (e.date, e.end or e.date, e.title, e.id))
    return tuple(e.id for e in events)
