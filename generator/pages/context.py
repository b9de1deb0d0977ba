"""Context: what every page is drawn with (the graph, the page, how it links), and the parts pages share."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..graph.resolve import Graph
from ..graph.urls import Urls
from .page import Page

T = TypeVar("T")


@dataclass
class Context:
    """One page's place and links; built fresh for each page, so rendering stays pure. What only some
    families of pages draw takes a Context as its first argument (html/linking.py, html/text.py, html/card_views.py), so
    that this stays what every page needs: the menu is shared() and every link goes through to()."""

    graph: Graph
    page: Page
    urls: Urls
    docs: list[str] = field(default_factory=list)
    """The Markdown texts drawn on this page so far (text.html): each numbers its footnotes by its place."""
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
