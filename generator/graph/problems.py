"""What resolve reports in the Markdown and the names: unknown, ambiguous and unsafe links, and where each is."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from pathlib import Path

from ..base.errors import Location, Problem, error, suggest, warning
from ..content.model import Actor, Item, Md, Site, View, was_renamed
from .markdown import Scan, unsafe_url
from .mentions import Matcher, name_key


def ambiguous_names(site: Site, matcher: Matcher) -> list[Problem]:
    problems = []
    for name, owners in sorted(matcher.owners.items()):
        if len(owners) > 1:
            later = site.items[owners[-1]]
            problems.append(warning(_written_at(site, later.location, name), f"the name '{name}' is claimed by "
                                    f"{' and '.join(owners)}: it is never linked or counted; write [[id]] to choose"))
    return problems


def _written_at(site: Site, where: Location, name: str) -> Location:
    """Where a name (an alias) is written in the item's file, at or after the item's own line; the item's
    place when it cannot be found. Read only for a warning, so not kept with the model."""
    try:
        lines = (Path(site.root) / where.path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return where
    word = re.compile(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", re.IGNORECASE)
    first = max(where.line, 1) - 1
    end = min((i.location.line - 1 for i in site.items.values()  # the next item of a file that holds a list
               if i.location.path == where.path and i.location.line > where.line), default=len(lines))
    for key in ("aliases", "short_name", ""):  # where it is written as another name, else anywhere
        for n in range(first, end):
            start = lines[n].find(key) if key else 0
            if start < 0:
                continue
            for later in range(n, end):
                if (found := word.search(lines[later], start if later == n else 0)) is not None:
                    return Location(where.path, later + 1, found.start() + 1)
            break
    return where


def scan_problems(scan: Scan, md: Md, site: Site, body: bool, matcher: Matcher,
                  claimed: Mapping[str, tuple[str, ...]], renames: Mapping[str, tuple[str, Location]]) -> list[Problem]:
    problems = []
    for written, line in scan.links:
        if written in site.items or written in site.broken:
            continue
        owners = claimed.get(name_key(written), ())
        if len(owners) == 1:
            continue
        where = location_in(md, line, body, _wikilink(written))
        if owners:
            problems.append(error(where, f"'[[{written}]]' could be {' or '.join(owners)} (both have this name): "
                                  "write the id instead"))
        else:
            why = was_renamed(written, renames) or _suggest_item(written, site, claimed)
            problems.append(error(where, f"unknown id '{written}' in [[...]] link{why}"))
    for url, line in scan.remote_images:
        problems.append(warning(location_in(md, line, body, literal(url)),
                                f"image from another site '{url[:60]}' will not show: pages load images only "
                                "from the site itself (its Content-Security-Policy); save it under static/ "
                                "and link it from the root, e.g. '/img/name.png'"))
    for url, line in scan.unsafe:
        problems.append(warning(location_in(md, line, body, literal(url)),
                                f"unsafe URL '{url[:60]}' shown as text, not as a link"))
    for name, owners, line in _first_per_name(scan.ambiguous):
        problems.append(warning(location_in(md, line, body, _ambiguous(matcher, name)),
                                f"'{name}' is ambiguous ({', '.join(owners)}): not linked or "
                                "counted; write [[id]] to choose"))
    return problems


def _suggest_item(written: str, site: Site, claimed: Mapping[str, tuple[str, ...]]) -> str:
    """The closest id, and the id of the closest name when that is another item."""
    by_id = suggest(written, site.items)
    close = difflib.get_close_matches(name_key(written), sorted(claimed), n=1, cutoff=0.6)
    by_name = [i for i in claimed[close[0]] if f"'{i}'" not in by_id] if close else []
    if not by_name:
        return by_id
    named = f"'{by_name[0]}' (named '{close[0]}')"
    return by_id[:-2] + f" or {named}?)" if by_id else f" (did you mean {named}?)"


def quote_problems(site: Site) -> list[Problem]:
    """A view's `quote` that is exactly an id was meant as a reference, and would show as words."""
    return [warning(item.location, f"the view's 'quote' is '{item.quote}', which is the id of "
                    f"{_kind(site.items[item.quote])}: 'quote' takes the verbatim words; to point at the quote, "
                    f"link it in the summary with [[{item.quote}]]")
            for item in site.items.values() if isinstance(item, View) and item.quote and item.quote in site.items]


def _kind(item: Item) -> str:
    word = {"quotes": "a quote", "actors": "an actor", "articles": "an article", "events": "an event"}
    return word.get(item.collection, f"a {item.collection[:-1]}")


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


def literal(needle: str) -> Finder:
    return lambda text: text.find(needle)


def _wikilink(written: str) -> Finder:
    pattern = re.compile(r"\[\[\s*" + re.escape(written) + r"\s*[|\]]")
    return lambda text: m.start() if (m := pattern.search(text)) else -1


def _ambiguous(matcher: Matcher, name: str) -> Finder:
    """The first match of exactly this name, so "Ivanov" is not found inside "Vladimir Ivanov"."""
    def find(text: str) -> int:
        text = MASK_RE.sub(lambda m: re.sub(r"[^\n]", "#", m.group()), text)
        return next((start for start, end, owners in matcher.find(text)
                     if len(owners) > 1 and " ".join(text[start:end].split()) == name), -1)
    return find


def location_in(md: Md, line: int, body: bool, find: Finder) -> Location:
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


def link_problems(site: Site) -> list[Problem]:
    return [warning(link.location, f"unsafe URL '{link.url[:60]}' in links: shown as text, not as a link")
            for item in site.items.values() if isinstance(item, Actor)
            for link in item.links if unsafe_url(link.url)]
