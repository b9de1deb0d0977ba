"""Where every page lives in the output, and relative links between pages."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import unquote

from ..content.model import RESERVED_ID, Designation, Event, Item, Quote, Source

PAGED = ("articles", "actors", "topics", "views")
"""Collections with a page per item; events, sources and quotes live on other pages."""

PER_PAGE = 100
"""Entries on one page of a collection index: then articles/page/2/, articles/page/3/, ..."""
INDEXED = (*PAGED, "sanctions")
"""Sections whose pages are numbered past the first (articles/page/2/, sanctions/page/2/)."""
SPLIT_TIMELINE = 500
"""Past this many events the timeline splits by year."""
FOLLOWED = ("actors", "topics")
"""Collections whose items each have a feed of the articles that name them."""


@dataclass(frozen=True, slots=True)
class Urls:
    pretty: bool
    latest_year: int | None = None
    """The year the timeline's own page holds when it splits by year; None while it is one page."""

    def page(self, section: str = "", item: str | None = None) -> str:
        """Output file of the home page (''), a section index, or an item's page."""
        if not section:
            return "index.html"
        if item is None:
            return f"{section}/index.html"
        return self._leaf(f"{section}/{item}")

    def feed(self, item: str | None = None) -> str:
        """Output file of the site's Atom feed, or of an actor's or topic's."""
        return "feed.xml" if item is None else f"feeds/{item}.xml"

    def search(self) -> str:
        """Output file of the search page (its index is under search/ too, see search.py)."""
        return "search/index.html"

    def index(self, section: str, number: int = 1) -> str:
        """Output file of page `number` of a collection index."""
        return self.page(section) if number <= 1 else self._leaf(f"{section}/page/{number}")

    def year(self, year: int) -> str:
        """Output file of the timeline page that holds a year's events."""
        return self.page("timeline") if self.latest_year in (None, year) else self._leaf(f"timeline/{year}")

    def _leaf(self, folder: str) -> str:
        return f"{folder}/index.html" if self.pretty else f"{folder}.html"

    def of(self, item: Item) -> str:
        """Output file and fragment where an item is shown: its page, or its entry on another page."""
        if isinstance(item, Event):
            return self.year(item.date.year) + "#" + item.id
        if isinstance(item, Source):
            return self.page("sources") + "#" + item.id
        if isinstance(item, Quote):
            return self.page("actors", item.speaker.id) + "#" + item.id
        if isinstance(item, Designation):
            return self.page("actors", item.actor.id) + "#" + item.id
        assert item.collection in PAGED
        return self.page(item.collection, item.id)

    def href(self, from_page: str, to: str) -> str:
        """`to` (an output path, maybe with #fragment) relative to the page at `from_page`."""
        path, _, fragment = to.partition("#")
        top = from_page.find("/")
        if top < 0:  # a page at the root: the path as it is
            rel = path
        elif not path.startswith(from_page[: top + 1]):  # no folder in common: up to the root, then down
            rel = "../" * from_page.count("/") + path
        else:
            rel = _relpath(path, posixpath.dirname(from_page))
        if self.pretty and (rel == "index.html" or rel.endswith("/index.html")):
            rel = rel[: -len("index.html")] or "./"
        if path == from_page and fragment:
            rel = ""
        return rel + ("#" + fragment if fragment else "")

    def output_of(self, path: str) -> str:
        """The output file a path from the site root names, in this URL style: '/actors/x/' is
        'actors/x/index.html', or 'actors/x.html' without pretty URLs; a folder means its index."""
        path = posixpath.normpath("/" + unquote(path)).lstrip("/") + ("/" if path.endswith("/") else "")
        name = path.rstrip("/").rsplit("/", 1)[-1]
        if path.endswith("/") or "." not in name:
            folder = path.rstrip("/")
            if not self.pretty and _is_leaf(folder.split("/")):
                return folder + ".html"
            return f"{folder}/index.html" if folder else "index.html"
        return path

    def root(self, from_page: str) -> str:
        """'' at the root, '../' one level down, and so on."""
        return "../" * from_page.count("/")


def address(path: str) -> str:
    """An output path as a URL from the site root: a folder's index.html is the folder itself
    ('actors/x/index.html#q' -> 'actors/x/#q'), as canonical links, feeds, the sitemap and exports give it."""
    path, hash_, fragment = path.partition("#")
    if path == "index.html" or path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return path + hash_ + fragment


def _is_leaf(parts: list[str]) -> bool:
    """A folder that is a file of its own without pretty URLs: actors/x, articles/page/2, sanctions/page/2,
    timeline/2019."""
    if len(parts) == 2:
        return parts[0] in PAGED or (parts[0] == "timeline" and parts[1].isdigit())
    return len(parts) == 3 and parts[0] in INDEXED and parts[1] == RESERVED_ID and parts[2].isdigit()


def _relpath(path: str, start: str) -> str:
    """posixpath.relpath for output paths, which are already normal and relative ('a/b/c.html', '.'):
    by their parts alone, with no abspath or getcwd (relpath was a third of the render time)."""
    here = [] if start == "." else start.split("/")
    there = path.split("/")
    common = 0
    for a, b in zip(here, there, strict=False):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(here) - common) + there[common:]) or "."
