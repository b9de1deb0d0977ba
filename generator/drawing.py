"""The actor-relations graph as an SVG drawn at build time: an arc diagram whose labels never overlap.

Actors sit on one vertical line, grouped by kind, each labelled to its right; every relation is an
arc on the left with its type written on it. The layout depends only on the graph, so it is the
same on every build, and labels are placed greedily against the boxes already taken."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from .model import Actor

ROW = 30.0
"""Vertical distance between two actors."""
NODE_FONT = 14.0
EDGE_FONT = 12.0
"""Both at least 11 px, and the SVG is never scaled down (it scrolls instead)."""
MAX_BULGE = 280.0
"""Long arcs flatten instead of widening the drawing."""
KINDS = ("person", "state", "organization", "media")


@dataclass(frozen=True, slots=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box, gap: float = 2.0) -> bool:
        return not (self.x1 + gap <= other.x0 or other.x1 + gap <= self.x0
                    or self.y1 + gap <= other.y0 or other.y1 + gap <= self.y0)


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    type: str
    former: bool = False
    """A relation that has ended: drawn dashed."""


@dataclass(frozen=True, slots=True)
class Label:
    text: str
    x: float
    """Centre of the text."""
    y: float
    """Baseline."""
    box: Box
    leader: tuple[float, float] | None
    """Where a leader line starts, when the label had to move off its arc."""


def text_width(text: str, size: float) -> float:
    """A generous estimate of the rendered width (no font metrics at build time)."""
    wide = sum(1 for c in text if unicodedata.east_asian_width(c) in "WF")
    return ((len(text) - wide) * 0.62 + wide * 1.05) * size


def _box(x_centre: float, baseline: float, text: str, size: float) -> Box:
    w = text_width(text, size)
    return Box(x_centre - w / 2, baseline - size * 0.85, x_centre + w / 2, baseline + size * 0.3)


@dataclass(frozen=True, slots=True)
class Drawing:
    svg: Markup
    width: float
    height: float
    labels: tuple[Box, ...]
    """Every text's box, for tests."""


def draw(actors: Sequence[Actor], edges: Iterable[Edge], href: Callable[[str], str | None], title: str) -> Drawing:
    """The SVG of `actors` (any order: they are sorted here) and the relations between them."""
    order = sorted(actors, key=lambda a: (KINDS.index(a.kind), a.sort_key, a.id))
    row = {a.id: i for i, a in enumerate(order)}
    x0, top = 0.0, 40.0
    y = {a.id: top + i * ROW for i, a in enumerate(order)}
    taken = [Box(x0 + 10, y[a.id] - NODE_FONT, x0 + 16 + text_width(a.short, NODE_FONT), y[a.id] + NODE_FONT * 0.5)
             for a in order]
    arcs, labels = [], []
    pairs: dict[tuple[str, str], int] = {}
    for e in sorted(set(edges), key=lambda e: (abs(row[e.source] - row[e.target]), row[e.source], row[e.target], e.type)):
        if e.source not in row or e.target not in row or e.source == e.target:
            continue
        key = (min(e.source, e.target), max(e.source, e.target))
        nth = pairs.get(key, 0)
        pairs[key] = nth + 1
        ya, yb = y[e.source], y[e.target]
        ry = abs(yb - ya) / 2
        rx = min(ry, MAX_BULGE) * (1 + 0.35 * nth) + 6 * nth
        arcs.append((e, ya, yb, rx, ry))
        label = _place(e.type.replace("-", " "), x0, (ya + yb) / 2, rx, ry, taken)
        taken.append(label.box)
        labels.append(label)
    return _svg(order, y, arcs, labels, taken, href, title)


def _place(text: str, x0: float, ymid: float, rx: float, ry: float, taken: list[Box]) -> Label:
    """The first free spot along the arc from its apex outwards; failing that, further left with a leader."""
    clear = x0 - 12  # edge labels stay left of the actors' line
    for step in range(15):
        for sign in ((1,) if step == 0 else (-1, 1)):
            phi = math.radians(6 * step) * sign
            px, py = x0 - rx * math.cos(phi), ymid + ry * math.sin(phi)
            box = _box(px, py + EDGE_FONT * 0.35, text, EDGE_FONT)
            if box.x1 <= clear and not any(box.overlaps(t) for t in taken):
                return Label(text, px, py + EDGE_FONT * 0.35, box, None)
    apex = x0 - rx
    width = text_width(text, EDGE_FONT)
    x = min(apex, clear) - width / 2 - 8
    while True:
        for dy in (0.0, -ROW / 2, ROW / 2):
            box = _box(x, ymid + dy + EDGE_FONT * 0.35, text, EDGE_FONT)
            if not any(box.overlaps(t) for t in taken):
                return Label(text, x, ymid + dy + EDGE_FONT * 0.35, box, (apex, ymid))
        x -= 10


def _svg(order: Sequence[Actor], y: dict[str, float], arcs: list[tuple[Edge, float, float, float, float]],
         labels: list[Label], taken: list[Box], href: Callable[[str], str | None], title: str) -> Drawing:
    left = min([b.x0 for b in taken] + [-(rx + 4) for _, _, _, rx, _ in arcs] + [-20.0]) - 12
    right = max(b.x1 for b in taken) + 12 if taken else 200.0
    bottom = (max(y.values()) if y else 40.0) + 30
    width, height = right - left, bottom
    out = [(f'<svg class="relations-graph" xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
           f'height="{height:.0f}" viewBox="{left:.1f} 0 {width:.1f} {height:.1f}" aria-labelledby="graph-title">'),
           f'<title id="graph-title">{escape(title)}</title>',
           ('<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" class="g-arrow"/></marker></defs>')]
    for e, ya, yb, rx, ry in arcs:
        sweep = 0 if yb > ya else 1
        out.append(f'<path class="g-edge{" g-former" if e.former else ""}" d="M0,{ya:.1f} A{rx:.1f},{ry:.1f} 0 0 {sweep} 0,{yb:.1f}" '
                   f'marker-end="url(#arrow)"><title>{"former " if e.former else ""}{escape(e.type)}</title></path>')
    for label in labels:
        if label.leader:
            out.append(f'<line class="g-leader" x1="{label.leader[0]:.1f}" y1="{label.leader[1]:.1f}" '
                       f'x2="{label.box.x1:.1f}" y2="{label.y - EDGE_FONT * 0.35:.1f}"/>')
        out.append(f'<text class="g-edge-label" x="{label.x:.1f}" y="{label.y:.1f}" text-anchor="middle" '
                   f'font-size="{EDGE_FONT:g}">{escape(label.text)}</text>')
    for a in order:
        out.append(_node(a, y[a.id], href(a.id)))
    out.append("</svg>")
    return Drawing(Markup("\n".join(out)), width, height, tuple(taken))


SHAPES = {
    "person": lambda y: f'<circle cx="0" cy="{y:.1f}" r="6"/>',
    "state": lambda y: f'<rect x="-6" y="{y - 6:.1f}" width="12" height="12"/>',
    "organization": lambda y: f'<path d="M0,{y - 7:.1f} L7,{y:.1f} L0,{y + 7:.1f} L-7,{y:.1f} z"/>',
    "media": lambda y: f'<path d="M0,{y - 7:.1f} L7,{y + 6:.1f} L-7,{y + 6:.1f} z"/>',
}


def _node(actor: Actor, y: float, url: str | None) -> str:
    shape = SHAPES[actor.kind](y)
    text = (f'<text class="g-node-label" x="14" y="{y + NODE_FONT * 0.35:.1f}" '
            f'font-size="{NODE_FONT:g}">{escape(actor.short)}</text>')
    inner = f'<g class="g-node g-{actor.kind}">{shape}{text}</g>'
    return f'<a href="{escape(url)}">{inner}</a>' if url else inner
