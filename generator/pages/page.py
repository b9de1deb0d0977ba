"""Page, one output file, and plan(): every HTML page of the site that the page families draw."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..graph.resolve import Graph
from ..graph.urls import PAGED, PER_PAGE


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
