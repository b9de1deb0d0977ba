"""The relations maps' lines as drawn, and the grids by which a name finds the boxes and lines near it."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator

from .geometry import RADIUS, Box, Edge, Points, padded

CLEAR = 2.5
"""Pixels kept between a line and a name's box: the box is an estimate, the SVG's numbers are rounded to
0.1 px, and an arrowhead reaches a pixel past the end of its line."""
CELL = 64.0
"""The side of the grid cells by which boxes and lines are found near a name."""
MIN_LINE = 12.0
"""The least of a line that a name may leave when it clips it."""

Segment = tuple[Edge, float, float, float, float]
"""A relation and its line as drawn: x1, y1, x2, y2."""


def _shifted(edges: Iterable[Edge]) -> list[tuple[Edge, float]]:
    """Each relation, in the order drawn, with how far its line is moved sideways: side by side where two
    actors have more than one."""
    pairs: dict[frozenset[str], list[Edge]] = {}
    for e in edges:
        pairs.setdefault(frozenset((e.source, e.target)), []).append(e)
    return [(e, (k - (len(group) - 1) / 2) * 6) for group in pairs.values() for k, e in enumerate(group)]


def _segment(e: Edge, shift: float, points: Points, clips: dict[str, Box]) -> Segment | None:
    """The line of `e`, moved `shift` sideways, stopping short of both nodes and, where `clips` gives one
    of them a box, at the edge of that box instead of across it; None when a clip leaves less than MIN_LINE."""
    (ax, ay), (bx, by) = points[e.source], points[e.target]
    length = math.sqrt((bx - ax) * (bx - ax) + (by - ay) * (by - ay)) or 1.0  # exactly rounded, unlike hypot
    ux, uy = (bx - ax) / length, (by - ay) / length
    ax, ay, bx, by = ax - uy * shift, ay + ux * shift, bx - uy * shift, by + ux * shift
    start, end = (RADIUS + 3) / length, 1 - (RADIUS + 3) / length
    if e.source in clips or e.target in clips:
        cut = (start, end)
        if e.source in clips:
            start = max(start, _inside(ax, ay, bx, by, clips[e.source])[1])
        if e.target in clips:
            end = min(end, _inside(ax, ay, bx, by, clips[e.target])[0])
        if (start, end) != cut and (end - start) * length < MIN_LINE:
            return None
    return e, ax + (bx - ax) * start, ay + (by - ay) * start, ax + (bx - ax) * end, ay + (by - ay) * end


def _drawn(e: Edge, shift: float, points: Points, clips: dict[str, Box]) -> Segment:
    """_segment, unclipped where a clip would leave too little of the line (Lines.clippable keeps labels
    from asking for such a clip)."""
    found = _segment(e, shift, points, clips) or _segment(e, shift, points, {})
    assert found is not None  # without clips there is always a segment
    return found


def segments(edges: Iterable[Edge], points: Points, clips: dict[str, Box]) -> list[Segment]:
    """Every line as drawn."""
    return [_drawn(e, shift, points, clips) for e, shift in _shifted(edges)]


def _inside(x1: float, y1: float, x2: float, y2: float, box: Box) -> tuple[float, float]:
    """Where the segment from (x1, y1) to (x2, y2) enters `box` and leaves it, as fractions of its length
    (Liang-Barsky clipping): (1, 0) when it misses it."""
    t0, t1 = 0.0, 1.0
    dx, dy = x2 - x1, y2 - y1
    for p, q in ((-dx, x1 - box.x0), (dx, box.x1 - x1), (-dy, y1 - box.y0), (dy, box.y1 - y1)):
        if p == 0:
            if q < 0:
                return 1.0, 0.0
        elif p < 0:
            t0 = max(t0, q / p)
        else:
            t1 = min(t1, q / p)
        if t0 > t1:
            return 1.0, 0.0
    return t0, t1


def _span(box: Box) -> Iterator[tuple[int, int]]:
    """The grid cells `box` touches."""
    for cx in range(math.floor(box.x0 / CELL), math.floor(box.x1 / CELL) + 1):
        for cy in range(math.floor(box.y0 / CELL), math.floor(box.y1 / CELL) + 1):
            yield cx, cy


class Boxes:
    """Boxes filed by the grid cells they come within Box.overlaps' gap of, so a box meets only its
    neighbours."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[Box]] = {}

    def add(self, box: Box) -> None:
        for cell in _span(padded(box, 3.0)):
            self.cells.setdefault(cell, []).append(box)

    def replace(self, old: Box, new: Box) -> None:
        for cell in _span(padded(old, 3.0)):
            self.cells[cell] = [b for b in self.cells[cell] if b is not old]
        self.add(new)

    def overlaps(self, box: Box, ignore: Box | None = None) -> bool:
        return any(box.overlaps(other) and other is not ignore
                   for cell in _span(box) for other in self.cells.get(cell, ()))


class Lines:
    """The lines as drawn, filed by the grid cells they cross, each with its bounding box; and the clips
    they are drawn with, which `clip` changes."""

    def __init__(self, edges: list[Edge], points: Points, clips: dict[str, Box]) -> None:
        self.points, self.clips = points, dict(clips)
        self.edges = _shifted(edges)
        self.cells: dict[tuple[int, int], list[int]] = {}
        self.lines: list[tuple[float, float, float, float, Box, list[tuple[int, int]]]] = []
        self.at: dict[str, list[int]] = {}
        for k, (e, shift) in enumerate(self.edges):
            self.at.setdefault(e.source, []).append(k)
            self.at.setdefault(e.target, []).append(k)
            self.lines.append(self._filed(k, _drawn(e, shift, points, self.clips)))

    def _filed(self, k: int, segment: Segment) -> tuple[float, float, float, float, Box, list[tuple[int, int]]]:
        _, x1, y1, x2, y2 = segment
        bounds = Box(min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
        cells = [(cx, cy) for cx, cy in _span(bounds)
                 if _inside(x1, y1, x2, y2, Box(cx * CELL, cy * CELL, (cx + 1) * CELL, (cy + 1) * CELL)) != (1.0, 0.0)]
        for cell in cells:
            self.cells.setdefault(cell, []).append(k)
        return x1, y1, x2, y2, bounds, cells

    def clip(self, node: str, box: Box | None) -> None:
        """Draw the lines of `node` stopping short of `box` (a label's), or again across it (None)."""
        if box is None:
            if self.clips.pop(node, None) is None:
                return
        else:
            self.clips[node] = padded(box, CLEAR + 0.5)
        for k in self.at.get(node, ()):
            for cell in self.lines[k][5]:
                self.cells[cell].remove(k)
            e, shift = self.edges[k]
            self.lines[k] = self._filed(k, _drawn(e, shift, self.points, self.clips))

    def clippable(self, node: str, box: Box) -> bool:
        """Whether every line of `node` keeps MIN_LINE if clipped at `box`."""
        clips = {**self.clips, node: padded(box, CLEAR + 0.5)}
        return all(_segment(*self.edges[k], self.points, clips) is not None for k in self.at.get(node, ()))

    def crossing(self, box: Box, node: str) -> tuple[int, int]:
        """How many lines come within CLEAR of `box`: those of other nodes, and those of `node`."""
        near = padded(box, CLEAR)
        others = own = 0
        for k in {k for cell in _span(near) for k in self.cells.get(cell, ())}:
            x1, y1, x2, y2, b, _ = self.lines[k]
            if b.x0 <= near.x1 and near.x0 <= b.x1 and b.y0 <= near.y1 and near.y0 <= b.y1 \
                    and _inside(x1, y1, x2, y2, near) != (1.0, 0.0):
                if node in (self.edges[k][0].source, self.edges[k][0].target):
                    own += 1
                else:
                    others += 1
        return others, own
