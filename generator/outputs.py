"""Every file a build draws from the graph: the HTML pages (render.py), the feeds (feeds.py), the sitemap
and robots.txt (sitemap.py), the exports for other tools (exports.py). Each is a Page drawn by a builder
and a template, so the build cache records what each read, whatever its kind."""

from __future__ import annotations

import jinja2

from . import exports, feeds, render, sitemap
from .render import Page
from .resolve import Graph

YIELDING = frozenset({"robots.txt"})
"""Files a site's own static file of the same name replaces (any other clash is an error)."""

BUILDERS = {**render.BUILDERS, "feed": feeds.values, "sitemap": sitemap.values, "robots": sitemap.robots,
            "briefing": exports.briefing, "briefing.schema": exports.schema, "entities.ftm": exports.entities}


def plan(graph: Graph) -> list[Page]:
    """Every file, in path order."""
    found = [*render.plan(graph), *feeds.plan(graph), *sitemap.plan(graph), *exports.plan(graph)]
    return sorted(found, key=lambda p: p.path)


def draw(graph: Graph, page: Page, env: jinja2.Environment) -> str:
    """One file's text: a function of the graph, the page and the templates only (see incremental.py)."""
    return render.render(graph, page, env, BUILDERS)
