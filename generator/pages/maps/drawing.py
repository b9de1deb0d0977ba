"""The relations map: actors as nodes, relations as lines, drawn as SVG at build time (no script needed).

The whole-site map places its actors by stress majorization (SMACOF, Gansner, Koren and North 2004): the
distance between two actors on the page follows the number of relations between them, which keeps
clusters together and draws few crossings. networkx gives the graph's components and path lengths,
numpy does the iterations; the start is classical scaling of the same distances, so the layout depends
only on the graph and is the same on every build, and on every CPU (see maplayout.stress). An actor's page draws
its neighbourhood: the actor in the middle, those it has relations with on a circle around it.

Names (maplabels) never overlap each other or a node, and on maps of up to STRICT actors no line crosses a name (as
Chromium draws it: tests/test_map_labels.py). Each name takes the first free place around its node that
no line crosses (hubs first; beside it, below, above, at a corner, a little further out), where the
lines of its own node may stop short of it instead (a hub's lines leave it on every side). When a name
finds no such place, the drawing is turned or spread wider and placed again. Past STRICT actors a name
takes the free place that the fewest lines cross; a halo in the page's background colour (in the CSS)
keeps it legible where one does. On an actor's map the name in the middle sits under its node and its
lines end at it. Every name's box (a generous estimate: text_width) is inside the drawing. The SVG is
never scaled down, so text keeps its size (at least 11 px); a drawing wider than the screen scrolls in
its frame, which is shaded on the side where more of it lies. A relation's type shows when the pointer
is on its line or the keyboard on its link, which leads to its row in the table under the map."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

from ...content.model import Actor, relation_words
from ..escaping import escape
from .geometry import MARGIN, NODE_FONT, RADIUS, Box, Edge, Label, Points, bounds
from .labels import fit
from .layout import components, on_circle, stress
from .lines import segments

if TYPE_CHECKING:  # imported where a map is drawn: most builds start without it
    import networkx as nx

EDGE_FONT = 12.0
"""Both at least 11 px, and the SVG is never scaled down (it scrolls instead)."""
UNIT = 80.0
"""Pixels per relation of distance, before labels spread the drawing."""
MAX_NODES = 200
"""The whole-site map shows the most connected actors; the table under it lists every relation."""
MAX_NEIGHBOURS = 48
"""An actor's map shows its most connected neighbours; its table lists every relation."""
KINDS = ("person", "state", "organization", "media")


@dataclass(frozen=True, slots=True)
class Drawing:
    svg: Markup
    width: float
    height: float
    shown: int
    """Actors drawn."""
    left_out: int
    """Actors with relations that the map leaves to the table (past MAX_NODES or MAX_NEIGHBOURS)."""


# ---- the whole site ---------------------------------------------------------------------------

def draw(actors: Sequence[Actor], edges: Iterable[Edge], href: Callable[[str], str | None], title: str) -> Drawing:
    """The map of the actors that have relations: the MAX_NODES most connected of them."""
    by_id = {a.id: a for a in actors}
    edges = [e for e in dict.fromkeys(edges) if e.source in by_id and e.target in by_id and e.source != e.target]
    neighbours: dict[str, set[str]] = {}
    for e in edges:
        neighbours.setdefault(e.source, set()).add(e.target)
        neighbours.setdefault(e.target, set()).add(e.source)
    ranked = sorted(neighbours, key=lambda i: (-len(neighbours[i]), by_id[i].sort_key, i))
    kept = set(ranked[:MAX_NODES])
    edges = [e for e in edges if e.source in kept and e.target in kept]
    nodes = sorted(kept, key=lambda i: (by_id[i].sort_key, i))
    degree = {i: len(neighbours[i] & kept) for i in nodes}
    import networkx as nx
    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from((e.source, e.target) for e in edges)
    placed: Points = {}
    labels: dict[str, Label] = {}
    clips: dict[str, Box] = {}
    offset_x, offset_y, row_height = 0.0, 0.0, 0.0
    for component in components(graph, nodes):
        unit = stress(graph.subgraph(component), component)
        inside = set(component)
        fitted = fit(component, unit, by_id, degree, [e for e in edges if e.source in inside], UNIT)
        points, found = fitted.points, fitted.labels
        box = bounds(points, found.values())
        if offset_x > 0 and offset_x + (box.x1 - box.x0) > 1000:  # shelves of components, the biggest first
            offset_x, offset_y, row_height = 0.0, offset_y + row_height + 2 * MARGIN, 0.0
        dx, dy = offset_x - box.x0, offset_y - box.y0
        placed.update({i: (x + dx, y + dy) for i, (x, y) in points.items()})
        labels.update({i: label.moved(dx, dy) for i, label in found.items()})
        clips.update({i: clip.moved(dx, dy) for i, clip in fitted.clips.items()})
        offset_x += box.x1 - box.x0 + 2 * MARGIN
        row_height = max(row_height, box.y1 - box.y0)
    return _svg([by_id[i] for i in nodes], edges, placed, labels, clips, href, title, None, len(neighbours) - len(kept))


# ---- one actor's neighbourhood -------------------------------------------------------------------

def draw_neighbourhood(centre: Actor, actors: Sequence[Actor], edges: Iterable[Edge],
                       href: Callable[[str], str | None], title: str) -> Drawing:
    """`centre` in the middle and the actors it has relations with around it (its MAX_NEIGHBOURS most
    connected), with the relations among them all."""
    by_id = {a.id: a for a in (*actors, centre)}
    edges = [e for e in dict.fromkeys(edges) if e.source in by_id and e.target in by_id and e.source != e.target]
    around = {e.target if e.source == centre.id else e.source for e in edges if centre.id in (e.source, e.target)}
    degree = {i: sum(i in (e.source, e.target) for e in edges) for i in by_id}
    kept = sorted(around, key=lambda i: (-degree[i], by_id[i].sort_key, i))[:MAX_NEIGHBOURS]
    ring = sorted(kept, key=lambda i: (KINDS.index(by_id[i].kind), by_id[i].sort_key, i))
    edges = [e for e in edges if {e.source, e.target} <= {centre.id, *ring}]
    unit = {centre.id: (0.0, 0.0)}
    for k, i in enumerate(ring):
        unit[i] = on_circle(k, len(ring))
    start = max(UNIT * 1.4, len(ring) * (NODE_FONT + 4) / math.pi)
    fitted = fit([centre.id, *ring], unit, by_id, degree | {centre.id: 10 ** 6}, edges, start, centre.id)
    box = bounds(fitted.points, fitted.labels.values())
    points = {i: (x - box.x0, y - box.y0) for i, (x, y) in fitted.points.items()}
    labels = {i: label.moved(-box.x0, -box.y0) for i, label in fitted.labels.items()}
    clips = {i: clip.moved(-box.x0, -box.y0) for i, clip in fitted.clips.items()}
    return _svg([by_id[i] for i in (centre.id, *ring)], edges, points, labels, clips, href, title, centre.id,
                len(around) - len(ring))


# ---- SVG ---------------------------------------------------------------------------------------------

SHAPES: dict[str, Callable[[float, float, float], str]] = {
    "person": lambda x, y, r: f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"/>',
    "state": lambda x, y, r: f'<rect x="{x - r * 0.9:.1f}" y="{y - r * 0.9:.1f}" width="{r * 1.8:.1f}" height="{r * 1.8:.1f}"/>',
    "organization": lambda x, y, r: f'<path d="M{x:.1f},{y - r:.1f} L{x + r:.1f},{y:.1f} L{x:.1f},{y + r:.1f} L{x - r:.1f},{y:.1f} z"/>',
    "media": lambda x, y, r: f'<path d="M{x:.1f},{y - r:.1f} L{x + r:.1f},{y + r * 0.85:.1f} L{x - r:.1f},{y + r * 0.85:.1f} z"/>',
}


def _svg(actors: list[Actor], edges: list[Edge], points: Points, labels: dict[str, Label], clips: dict[str, Box],
         href: Callable[[str], str | None], title: str, centre: str | None, left_out: int) -> Drawing:
    width = max((x for x, _ in points.values()), default=0.0)
    width = max([width, *(label.box.x1 for label in labels.values())]) + MARGIN if points else 2 * MARGIN
    height = max([0.0, *(y for _, y in points.values()), *(label.box.y1 for label in labels.values())]) + MARGIN
    names = {a.id: a.name for a in actors}
    out = [(f'<svg class="relations-graph" xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
            f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" aria-labelledby="graph-title">'),
           f'<title id="graph-title">{escape(title)}</title>',
           ('<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" '
            'orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" class="g-arrow"/></marker></defs>')]
    out += [_edge(*segment, names) for segment in segments(edges, points, clips)]
    for a in actors:
        out.append(_node(a, points[a.id], labels[a.id], None if a.id == centre else href(a.id), a.id == centre))
    out.append("</svg>")
    return Drawing(Markup("\n".join(out)), width, height, len(actors), left_out)


def _edge(e: Edge, x1: float, y1: float, x2: float, y2: float, names: dict[str, str]) -> str:
    words = relation_words(e.type, e.former)
    line = f'x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"'
    label = (f'<text class="g-edge-label" x="{(x1 + x2) / 2:.1f}" y="{(y1 + y2) / 2 + EDGE_FONT * 0.35:.1f}" '
             f'text-anchor="middle" font-size="{EDGE_FONT:g}">{escape(words)}</text>')
    inner = (f'<line class="g-edge-hit" {line}/><line class="g-edge{" g-former" if e.former else ""}" {line} '
             f'marker-end="url(#arrow)"/>{label}')
    said = f"{names[e.source]} {words} {names[e.target]}" + (", a former relation" if e.former and not
                                                              words.startswith("former ") else "")
    if e.row:
        return f'<a class="g-edge-link" href="#{escape(e.row)}" aria-label="{escape(said)}">{inner}</a>'
    return f'<g class="g-edge-link">{inner}</g>'


def _node(actor: Actor, point: tuple[float, float], label: Label, url: str | None, centre: bool) -> str:
    x, y = point
    shape = SHAPES[actor.kind](x, y, RADIUS * (1.4 if centre else 1))
    text = (f'<text class="g-node-label" x="{label.x:.1f}" y="{label.y:.1f}" text-anchor="{label.anchor}" '
            f'font-size="{NODE_FONT:g}">{escape(actor.short)}</text>')
    inner = f'<g class="g-node g-{actor.kind}{" g-centre" if centre else ""}">{shape}{text}</g>'
    if url is None:
        return inner
    said = actor.name if actor.short == actor.name else f"{actor.name} ({actor.short})"
    return f'<a href="{escape(url)}" aria-label="{escape(said)}">{inner}</a>'
