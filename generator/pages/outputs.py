"""Every file a build draws from the graph: the HTML pages (html/), the feeds (feeds.py), the sitemap and
robots.txt (sitemap.py), the exports for other tools (exports.py, ftm/export.py), the search page (search.py). Each
is a Page drawn by a builder and a template, so the build cache records what each read, whatever its kind.

Two are drawn from the whole graph on every run instead, with nothing recorded, and written where their
bytes changed (index_files): the search index, dozens of files cut from every word of the site, and
data/briefing.json, every item's entry, each drawn again only when what it shows changed (exports.Pieces)."""

from __future__ import annotations

from collections.abc import Mapping

import jinja2

from ..graph.resolve import Graph
from . import exports, feeds, search, sitemap
from .context import Context
from .ftm import export as ftm_export
from .html import render, sanctions
from .page import Page
from .page import plan as html_pages

YIELDING = frozenset({"robots.txt"})
"""Files a site's own static file of the same name replaces (any other clash is an error)."""

BUILDERS = {**render.BUILDERS, "feed": feeds.values, "sitemap": sitemap.values, "robots": sitemap.robots,
            "briefing.schema": exports.schema, "entities.ftm": ftm_export.entities,
            "search": search.values, "sanctions": sanctions.values}


def plan(graph: Graph) -> list[Page]:
    """Every file, in path order."""
    found = [*html_pages(graph), *sanctions.plan(graph), *feeds.plan(graph), *sitemap.plan(graph),
             *exports.plan(graph), *ftm_export.plan(graph), *search.plan(graph)]
    return sorted(found, key=lambda p: p.path)


RAW = frozenset({"briefing.schema.json", "entities.ftm.json"})
"""Templates whose builder writes the whole file, as its `text`: the exports are data, and a 20 MB
document through a template is three more copies of it in memory."""


def draw(graph: Graph, page: Page, env: jinja2.Environment) -> str:
    """One file's text: a function of the graph, the page and the templates only (see incremental.py)."""
    if page.template in RAW:
        text: str = BUILDERS[page.template.rpartition(".")[0]](Context(graph, page, graph.urls()))["text"]
        return text
    return render.render(graph, page, env, BUILDERS)


INDEX_FILES = frozenset({exports.BRIEFING, search.META})
"""What index_files draws outside search/ (the rest are named by their contents), and the search index's
entry point, which pages name: known before they are drawn."""


def index_files(graph: Graph, pieces: exports.Pieces, results: search.Pieces,
                known: Mapping[str, str] | None = None) -> tuple[dict[str, bytes], set[str]]:
    """Files drawn from the whole graph on every run, by pieces: the search index (search.files, from
    `results`) and data/briefing.json (from `pieces`); each run's pieces replace the last run's. Gives the
    files drawn, and the paths of the last run's that stay as they are (`known`: the output's files as the
    last run left them, by path, with their hashes)."""
    files, unchanged = search.files(graph, results, known)
    files[exports.BRIEFING], fresh = exports.briefing(graph, pieces)
    pieces.clear()
    pieces.update(fresh)
    return files, unchanged
