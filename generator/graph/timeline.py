"""The orders of dated items: the timeline (timeline_key), articles newest first, an actor's listings by date."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from ..content.model import Actor, Article, Designation, Event, Item, Site


def newest_first(articles: Iterable[Article]) -> list[Article]:
    """Articles as lists show them: by date and time of day, newest first (a bare day after any time that
    day, as it sorts before them), then by title, then by id."""
    by_title = sorted(articles, key=lambda a: (a.title, a.id))
    return sorted(by_title, key=lambda a: a.date, reverse=True)


def timeline_key(e: Event | Designation, title: str | None = None) -> tuple[tuple[int, int, int, bool, int],
                                                                          tuple[int, int, int, bool, int], str, str]:
    """Timeline order: date, then time (a bare day before that day's times, times as instants), then end,
    then title, then id. By the dates' keys: two equal instants written apart (12:00Z, 13:00+01:00) are
    then ordered by title and id, where comparing the dates themselves would stop at them unequal. A
    designation is an entry on its listing day, under the `title` its entry shows."""
    if isinstance(e, Designation):
        return e.date.key, e.date.key, title or e.id, e.id
    return e.date.key, (e.end or e.date).key, e.title, e.id


def timeline_ids(site: Site, names: Mapping[str, str]) -> tuple[str, ...]:
    """Events and designations in timeline order: a designation that an event reports shows with it."""
    entries = [i for i in site.items.values() if isinstance(i, Event)
               or (isinstance(i, Designation) and i.actor.id in site.items and not i.event)]
    entries.sort(key=lambda e: timeline_key(e, names[e.id]))
    return tuple(e.id for e in entries)


def actor_listings(items: Mapping[str, Item]) -> dict[str, tuple[str, ...]]:
    """Designated actor id -> its designations, by date, then id (see Graph.listings)."""
    out: defaultdict[str, list[Designation]] = defaultdict(list)
    for item in items.values():
        if isinstance(item, Designation) and isinstance(items.get(item.actor.id), Actor):
            out[item.actor.id].append(item)
    return {k: tuple(d.id for d in sorted(v, key=lambda d: (d.date.key, d.id))) for k, v in sorted(out.items())}
