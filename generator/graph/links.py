"""Internal links: every Markdown link or image to the site names a page or file the build produces."""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Collection
from urllib.parse import unquote

from ..base.errors import Problem, error, warning
from ..content.model import Article
from .resolve import Graph, LocalLink
from .urls import PAGED, Urls


def check_links(graph: Graph, outputs: Collection[str]) -> list[Problem]:
    """A problem for each link to a page or file that the build does not produce."""
    urls = graph.urls()
    drafts = {urls.page("articles", i) for i, item in graph.site.items.items()
              if isinstance(item, Article) and i not in graph.items}
    # An item with a mistake has no page this run; its mistake is the one message, not each link to it.
    pending = {urls.page(section, i) for i in graph.site.broken for section in PAGED}
    problems: list[Problem] = []
    shown: list[str] | None = None
    for links in graph.local_links.values():
        for link in links:
            target = _target(urls, link)
            if target is None:
                problems.append(warning(link.location, f"relative link '{link.url}' in a field that shows on many "
                                        "pages would point somewhere else on each: write it from the site root "
                                        "('/actors/x/', '/img/map.png')"))
            elif target == "" or target in pending:
                continue
            elif target in drafts:
                problems.append(warning(link.location, f"'{link.url}' links to a draft, which is built only "
                                        "with --drafts: readers get 'page not found'"))
            elif target not in outputs:
                shown = shown if shown is not None else sorted(_shown(urls, o) for o in outputs)
                problems.append(error(link.location, f"link to '{link.url}': the site has no such page or "
                                      f"file{_closest(_shown(urls, target), shown)}"))
    return problems


def _target(urls: Urls, link: LocalLink) -> str | None:
    """The output file a link names; '' when it names none to check; None for a relative link in a field."""
    cut = min((i for i in (link.url.find("?"), link.url.find("#")) if i >= 0), default=len(link.url))
    path = link.url[:cut]
    if not path:
        return ""
    if path.startswith("/"):
        return urls.output_of(path)
    if link.page is None:
        return None
    page = urls.page("articles", link.page)
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(path)))
    if path.endswith("/") or joined == ".":
        return posixpath.normpath(joined + "/index.html")
    return joined


def _shown(urls: Urls, output: str) -> str:
    """An output file as a writer would link it from the root: '/actors/x/', '/img/map.png'."""
    return "/" + urls.href("index.html", output).removeprefix("./")


def _closest(wrong: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(wrong, candidates, n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else ""
