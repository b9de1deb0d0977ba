"""Stage 2, validate: raw records -> model objects, and every problem found on the way."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from ..base.errors import Location, Problem, error, suggest
from . import fields as f
from .config import read_config
from .fields import Field
from .load import MAX_PIXELS, MAX_SIDE, PictureTooLarge, RawRecord, RawSite, ignored, image_size
from .model import (
    ACTOR_KINDS,
    AUTHORITY_KINDS,
    CREDIBILITY,
    ID_RE,
    RELIABILITY,
    RESERVED_ID,
    SINGULAR,
    Actor,
    Article,
    Designation,
    Event,
    Item,
    PartialDate,
    Quote,
    Ref,
    Site,
    SiteConfig,
    Source,
    Topic,
    View,
    references,
    renamed,
    was_renamed,
)

ids = f.list_of(f.ref, "some-id")
texts = f.list_of(f.text, "a name")
EXTRA = Field(f.extra)

SPECS: Mapping[str, tuple[type, Mapping[str, Field]]] = {
    "articles": (Article, {
        "title": Field(f.text, True), "date": Field(f.moment, True), "summary": Field(f.markdown),
        "key_points": Field(f.list_of(f.markdown, "a point")), "actors": Field(ids),
        "topics": Field(ids), "sources": Field(ids), "location": Field(f.text, attr="place"),
        "author": Field(f.text), "updated": Field(f.day), "draft": Field(f.boolean), "featured": Field(f.boolean),
        "image": Field(f.lead_image),
        "corrections": Field(f.list_of(f.correction, "{date: 2023-09-14, text: ...}")), "formerly": Field(ids),
        "extra": EXTRA}),
    "actors": (Actor, {
        "id": Field(f.slug), "name": Field(f.text, True),
        "kind": Field(f.one_of(*ACTOR_KINDS), True, missing=f": one of {', '.join(ACTOR_KINDS)}"),
        "aliases": Field(texts), "native_name": Field(f.text), "role": Field(f.text),
        "affiliations": Field(ids), "summary": Field(f.markdown),
        "relations": Field(f.list_of(f.relation)), "links": Field(f.links),
        "image": Field(f.image), "short_name": Field(f.text), "sort_name": Field(f.text), "formerly": Field(ids),
        "extra": EXTRA}),
    "topics": (Topic, {
        "id": Field(f.slug), "title": Field(f.text, True), "aliases": Field(texts),
        "summary": Field(f.markdown), "body": Field(f.markdown), "parent": Field(f.ref),
        "related": Field(ids), "actors": Field(ids), "facts": Field(f.list_of(f.fact)), "formerly": Field(ids),
        "extra": EXTRA}),
    "views": (View, {
        "id": Field(f.slug), "expert": Field(f.ref, True), "title": Field(f.text, True),
        "summary": Field(f.markdown, True), "quote": Field(f.text), "about": Field(ids),
        "date": Field(f.date), "article": Field(f.ref), "sources": Field(ids), "formerly": Field(ids), "extra": EXTRA}),
    "quotes": (Quote, {
        "id": Field(f.slug), "speaker": Field(f.ref, True), "text": Field(f.text, True),
        "date": Field(f.date), "context": Field(f.text), "reported_by": Field(f.ref),
        "about": Field(ids), "article": Field(f.ref), "sources": Field(ids),
        "credibility": Field(f.grade(CREDIBILITY)), "extra": EXTRA}),
    "events": (Event, {
        "id": Field(f.slug), "date": Field(f.when, True), "end": Field(f.when),
        "title": Field(f.text, True), "summary": Field(f.markdown), "location": Field(f.text, attr="place"),
        "actors": Field(ids), "topics": Field(ids), "sources": Field(ids), "article": Field(f.ref),
        "credibility": Field(f.grade(CREDIBILITY)), "accounts": Field(f.accounts), "extra": EXTRA}),
    "sources": (Source, {
        "id": Field(f.slug), "title": Field(f.text, True), "publisher": Field(f.text),
        "url": Field(f.text), "date": Field(f.date), "accessed": Field(f.date),
        "reliability": Field(f.grade(RELIABILITY)), "extra": EXTRA}),
    "designations": (Designation, {
        "id": Field(f.slug), "actor": Field(f.ref, True), "by": Field(f.ref, True, missing=": the authority that "
                                                                      "listed it, a state or organisation actor"),
        "program": Field(f.text), "date": Field(f.date, True, missing=": the day it was listed"),
        "until": Field(f.date), "reference": Field(f.text), "reason": Field(f.markdown), "sources": Field(ids),
        "event": Field(f.ref), "extra": EXTRA}),
}


SPAN_END = {"designations": "until"}
"""The key that ends a record's span where it is not `end` (an event's): it may not be before `date`."""

FALLBACK = SiteConfig(title="")
"""Settings to check the content with while site.yaml itself has a mistake (reported on its own)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One record read on its own (entry_of): what the checks across records need of it, without its
    YAML nodes, so that load's cache and the build cache (build/cache.py) keep little."""

    collection: str
    location: Location
    id_location: Location
    """Where its id was written (its file name's place for an article)."""
    id: str | None
    item: Item | None
    """None when the record has a mistake."""
    problems: tuple[Problem, ...]


def entry_of(record: RawRecord) -> Entry:
    item_id, item, found = item_of(record)
    return Entry(record.collection, record.location, _id_location(record), item_id, item, tuple(found))


def validate(raw: RawSite[Entry]) -> tuple[Site, list[Problem]]:
    """The site as model objects, and every problem found on the way.

    An item with a mistake is left out, but its id is kept in `Site.broken`, so the one mistake is
    reported once: references to it are not reported again as unknown ids."""
    problems = list(raw.problems)
    config = read_config(raw.config, problems)
    items: dict[str, Item] = {}
    broken = set(raw.unreadable)
    seen: dict[str, Entry] = {}
    for entry in raw.records:
        problems.extend(entry.problems)
        item_id, item = entry.id, entry.item
        if item_id is None:
            continue
        if item_id == RESERVED_ID:
            broken.add(item_id)
            continue
        if item_id in seen:
            first = seen[item_id]
            problems.append(error(entry.id_location, f"duplicate id '{item_id}': {SINGULAR[first.collection]} "
                                  f"at {first.location} has it too (ids are unique across all collections)"))
            # Which of the two references meant is unknown: neither is checked against them.
            items.pop(item_id, None)
            broken.add(item_id)
            continue
        seen[item_id] = entry
        if item is None:
            broken.add(item_id)
        else:
            items[item_id] = item
    broken -= items.keys()
    items = {i: _link_publisher(item, items) for i, item in sorted(items.items())}
    renames = renamed(items)
    for item in items.values():
        problems.extend(_check_item(item, items, raw.root, broken, renames))
    problems.extend(_check_topic_tree(items))
    problems.extend(_check_formerly(items, broken))
    problems.extend(_check_listed_twice(items))
    sizes, found = _image_sizes(items, raw.root)
    problems.extend(found)
    return Site(str(raw.root), config or FALLBACK, items, frozenset(broken), sizes), problems


def _check_formerly(items: Mapping[str, Item], broken: set[str]) -> list[Problem]:
    """An old id (formerly) keeps its address working: it may not be an id in use, or another item's old id."""
    problems: list[Problem] = []
    claimed: dict[str, str] = {}
    for item in items.values():
        for old in getattr(item, "formerly", ()):
            if old.id == RESERVED_ID:
                problems.append(error(old.location, f"the id '{RESERVED_ID}' is reserved for the further pages of "
                                      "collection indexes; it cannot be an old id"))
            elif old.id in items or old.id in broken:
                problems.append(error(old.location, f"'{old.id}' in formerly is the id of an item now; an old id "
                                      "must be free, so that its address can lead to this one"))
            elif old.id in claimed and claimed[old.id] != item.id:
                problems.append(error(old.location, f"'{old.id}' is also an old id of '{claimed[old.id]}'; one old "
                                      "address can lead to one item only"))
            else:
                claimed[old.id] = item.id
    return problems


def item_of(record: RawRecord) -> tuple[str | None, Item | None, list[Problem]]:
    """One record on its own: its id, its item (None when it has a mistake) and its problems. Checks
    against the other items (references, duplicate ids) come after, in validate()."""
    found: list[Problem] = []
    found_id = _record_id(record, found)
    if found_id == RESERVED_ID:
        found.append(error(_id_location(record), f"the id '{RESERVED_ID}' is reserved: collection "
                           f"indexes use it for their further pages ({record.collection}/{RESERVED_ID}/2/); "
                           "choose another id"))
    found_item = _item(record, found_id, found) if found_id not in (None, RESERVED_ID) else None
    return found_id, found_item, found


def _id_location(record: RawRecord) -> Location:
    node = record.fields.value.get("id") if isinstance(record.fields.value, dict) else None
    return node.location if node else record.location


def _record_id(record: RawRecord, problems: list[Problem]) -> str | None:
    """The item's id, read before its other fields so that an item with a mistake still has one."""
    assert isinstance(record.fields.value, dict)
    what = SINGULAR[record.collection]
    node = record.fields.value.get("id")
    if record.collection == "articles":
        if node is not None:
            problems.append(error(node.key_location or node.location,
                                  "an article's id is its file name; remove 'id' or rename the file"))
        node = None
    if node is not None:
        try:
            return f.slug(node, "id")
        except f.Invalid as exc:
            problems.append(exc.problem)
            return None
    if record.default_id is None:
        problems.append(error(record.location, f"{what} in a list needs an 'id'"))
        return None
    if not ID_RE.match(record.default_id):
        problems.append(error(record.location, f"the file name '{record.default_id}' is not a valid id: use lowercase "
                              "letters, digits and single hyphens, or give an explicit 'id'"))
        return None
    return record.default_id


def _item(record: RawRecord, item_id: str, problems: list[Problem]) -> Item | None:
    cls, spec = SPECS[record.collection]
    assert isinstance(record.fields.value, dict)
    values = f.read_mapping(record.fields, spec, SINGULAR[record.collection], problems, ignore=("id",))
    if values is None:
        return None
    if record.body is not None:
        values["body"] = record.body
    end = SPAN_END.get(record.collection, "end")
    if values.get(end) and values.get("date") and _ends_before(values[end], values["date"]):
        problems.append(error(record.fields.value[end].location,
                              f"'{end}' ({values[end]}) is before 'date' ({values['date']})"))
        return None
    item: Item = cls(id=item_id, location=record.location, **values)
    return item


def _ends_before(end: PartialDate, start: PartialDate) -> bool:
    """An end before its start: as instants when both have a time of day, else by the days as written (an
    event from 07:30 on 24 June may end on '2023-06-24')."""
    if end.time and start.time:
        return end.key < start.key
    return end.key[:3] < start.key[:3]


def _link_publisher(item: Item, items: Mapping[str, Item]) -> Item:
    """A source's publisher that is an actor id links to that actor; any other text stays text."""
    if isinstance(item, Source) and item.publisher and isinstance(items.get(item.publisher), Actor):
        return replace(item, publisher_ref=Ref(item.publisher, item.location))
    return item


def _check_item(item: Item, items: Mapping[str, Item], root: Path, broken: set[str],
                renames: Mapping[str, tuple[str, Location]]) -> list[Problem]:
    problems = [p for field, r, targets in references(item)
                if r.id not in broken and (p := _check_ref(field, r, targets, items, renames))]
    return problems


def _image_sizes(items: Mapping[str, Item], root: Path) -> tuple[dict[str, tuple[int, int]], list[Problem]]:
    """The size of every image an item shows, read from its file under static/; a missing or unreadable
    file is a problem at the image's place."""
    sizes: dict[str, tuple[int, int]] = {}
    problems = []
    for item in items.values():
        image = getattr(item, "image", None)
        if image is None or image.src in sizes:
            continue
        path = root / "static" / image.src
        if not Path(os.path.realpath(path)).is_relative_to(os.path.realpath(root)):  # through a symlink
            problems.append(error(image.location, f"image '{image.src}' leads outside the site through a "
                                  "symlink; refused"))
            continue
        if any(ignored(part, hidden=False) for part in PurePosixPath(image.src).parts):
            problems.append(error(image.location, f"image '{image.src}': briefing does not copy editor leftovers "
                                  "(~, .swp, #...#) into the output; rename the file"))
            continue
        if not path.is_file():
            problems.append(error(image.location, f"image '{image.src}' not found under static/"
                                  f"{_missing_image_hint(root, image.src)}"))
            continue
        try:
            size = image_size(path)
        except PictureTooLarge as exc:
            problems.append(error(image.location, f"image '{image.src}' is {exc}: too large for a web page; "
                                  f"briefing takes pictures up to {MAX_SIDE:,} pixels a side and "
                                  f"{MAX_PIXELS // 1_000_000} million pixels in all"))
            continue
        if size is None:
            problems.append(error(image.location, f"image '{image.src}' is not a picture briefing can read: use "
                                  "PNG, JPEG, GIF, WebP or SVG (an SVG needs a width and height in pixels, or a "
                                  "viewBox, above zero)"))
        else:
            sizes[image.src] = size
    return sizes, problems


def _missing_image_hint(root: Path, src: str) -> str:
    """A path that starts with static/ (written from the site's root), or the closest file there."""
    if src.startswith("static/") and (root / src).is_file():
        return f": an image is named from inside static/, so write '{src.removeprefix('static/')}'"
    static = root / "static"
    files = [p.relative_to(static).as_posix() for p in static.rglob("*") if p.is_file()] if static.is_dir() else []
    return suggest(src.removeprefix("static/"), files)


def _check_ref(field: str, r: Ref, targets: tuple[str, ...], items: Mapping[str, Item],
               renames: Mapping[str, tuple[str, Location]]) -> Problem | None:
    target = items.get(r.id)
    wanted = " or ".join(targets)
    if target is None:
        candidates = [i for i, it in items.items() if _fits(it, targets)]
        why = was_renamed(r.id, renames) or suggest(r.id, candidates)
        return error(r.location, f"unknown id '{r.id}' in '{field}'{why}")
    if not _fits(target, targets):
        kind = target.kind if isinstance(target, Actor) else SINGULAR[target.collection]
        kind = "media outlet" if kind == "media" else kind  # 'reuters' is a media outlet, not "a media"
        return error(r.location, f"'{field}' takes {_plural(wanted)}, but '{r.id}' is {_article(kind)} {kind}")
    return None


def _fits(item: Any, targets: tuple[str, ...]) -> bool:
    if isinstance(item, Actor) and item.kind in targets:
        return True
    return bool(item.collection in targets)


def _plural(wanted: str) -> str:
    if wanted == " or ".join(AUTHORITY_KINDS):
        return "a state or organisation actor (the authority that lists)"
    return wanted.replace("person", "people").replace("media", "media actors")


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _check_listed_twice(items: Mapping[str, Item]) -> list[Problem]:
    """The same actor listed by the same authority under the same programme on the same day, twice."""
    first: dict[tuple[str, str, str, str], Designation] = {}
    problems = []
    for item in items.values():
        if not isinstance(item, Designation):
            continue
        seen = first.setdefault(item.duplicate_key, item)
        if seen is not item:
            problems.append(error(item.location, f"designation '{item.id}' repeats '{seen.id}' at {seen.location}: "
                                  f"'{item.actor.id}' listed by '{item.by.id}'"
                                  f"{f' under {item.program!r}' if item.program else ''} on {item.date}"))
    return problems


def _check_topic_tree(items: Mapping[str, Item]) -> list[Problem]:
    problems = []
    for item in items.values():
        if not isinstance(item, Topic):
            continue
        seen, cur = [item.id], item
        while cur.parent and isinstance(nxt := items.get(cur.parent.id), Topic):
            if cur.parent.id in seen:
                if cur.parent.id == item.id:
                    loop = " -> ".join(seen + [item.id])
                    problems.append(error(item.parent.location if item.parent else item.location,
                                          f"topic parents form a loop: {loop}"))
                break
            seen.append(cur.parent.id)
            cur = nxt
    return problems
