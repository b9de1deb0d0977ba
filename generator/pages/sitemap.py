"""sitemap.xml and robots.txt: every page for search engines, by absolute URL (so only with a base_url)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..graph.resolve import Graph
from ..graph.urls import address
from .context import Context
from .html.sanctions import plan as sanctions_pages
from .page import Page
from .page import plan as html_pages


def plan(graph: Graph) -> list[Page]:
    if not graph.site.config.base_url:
        return []
    return [Page("sitemap.xml", "sitemap.xml", "sitemap"), Page("robots.txt", "robots.txt", "sitemap")]


@dataclass(frozen=True, slots=True)
class Url:
    loc: str
    lastmod: str | None
    """An article's last change (the latest of its date, `updated` and corrections); none for other pages."""


def values(ctx: Context) -> dict[str, Any]:
    base = ctx.graph.site.config.base_url or ""
    urls = []
    for page in sorted([*html_pages(ctx.graph), *sanctions_pages(ctx.graph)], key=lambda p: p.path):
        if page.path in ("404.html", ctx.urls.search()) or page.template == "moved.html":  # nothing of their own
            continue
        urls.append(Url(base + address(page.path), ctx.graph.changed.get(page.item) if page.item else None))
    return {"title": "Sitemap", "urls": urls}


def robots(ctx: Context) -> dict[str, Any]:
    return {"title": "robots.txt", "sitemap_url": (ctx.graph.site.config.base_url or "") + "sitemap.xml"}
