"""The relations map: actors as nodes, relations as lines, drawn as SVG at build time (no script needed).

The whole-site map places its actors by stress majorization (SMACOF, Gansner, Koren and North 2004): the
distance between two actors on the page follows the number of relations between them, which keeps
clusters together and draws few crossings. networkx gives the graph's components and path lengths,
numpy does the iterations; the start is classical scaling of the same distances, so the layout depends
only on the graph and is the same on every build, and on every CPU (see _stress). An actor's page draws
its neighbourhood: the actor in the middle, those it has relations with on a circle around it.

Names never overlap each other or a node, and on maps of up to STRICT actors no line crosses a name (as
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
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

from ..content.model import Actor, relation_words
from .escaping import escape

if TYPE_CHECKING:  # imported where a map is drawn: most builds start without them
    import networkx as nx
    import numpy as np
    from numpy.typing import NDArray

NODE_FONT = 13.0
EDGE_FONT = 12.0
"""Both at least 11 px, and the SVG is never scaled down (it scrolls instead)."""
RADIUS = 7.0
UNIT = 80.0
"""Pixels per relation of distance, before labels spread the drawing."""
GROW = (1.12, 1.04)
"""How much wider and taller a drawing is spread when a label finds no place: labels are wide, not tall."""
MAX_NODES = 200
"""The whole-site map shows the most connected actors; the table under it lists every relation."""
MAX_NEIGHBOURS = 48
"""An actor's map shows its most connected neighbours; its table lists every relation."""
MARGIN = 16.0
KINDS = ("person", "state", "organization", "media")
ASCENT, DESCENT = 0.95, 0.25
"""A name's box above and below its baseline, in font sizes (DejaVu Sans, among the tallest common sans
fonts, has 0.93 and 0.24: what Chromium's getBBox gives)."""
CLEAR = 2.5
"""Pixels kept between a line and a name's box: the box is an estimate, the SVG's numbers are rounded to
0.1 px, and an arrowhead reaches a pixel past the end of its line."""
STRICT = 40
"""Up to this many actors in a connected group (or on an actor's map), no line may cross a name: the
group is turned and spread until none does (within STRICT_STEPS spreads). Past it, a name takes the place
the fewest lines cross, and lines do not spread the map more than a step."""
TURNS = (0, 1, -1, 2, -2, 3, -3)
"""Turns of a group of the whole map, in 24ths of a circle, tried in this order at each spread: the
layout's distances stay as they are, and its lines change their slope, which can open room by a name."""
STRICT_STEPS = 12
"""At most 1.12^12 = 3.9 times as wide: a group that still has a name crossed is drawn as a large one."""
CELL = 64.0
"""The side of the grid cells by which boxes and lines are found near a name."""
NEAR = 32
"""The places of a name (of _candidates' 64) close enough to its node to clip the node's lines, and all a
name may take on a map past STRICT actors."""
MIN_LINE = 12.0
"""The least of a line that a name may leave when it clips it."""


@dataclass(frozen=True, slots=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box, gap: float = 3.0) -> bool:
        return not (self.x1 + gap <= other.x0 or other.x1 + gap <= self.x0
                    or self.y1 + gap <= other.y0 or other.y1 + gap <= self.y0)

    def moved(self, dx: float, dy: float) -> Box:
        return Box(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy)


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    type: str
    former: bool = False
    """A relation that has ended: drawn dashed."""
    row: str = ""
    """The id of its row in the table under the map, which its line links to."""


@dataclass(frozen=True, slots=True)
class Drawing:
    svg: Markup
    width: float
    height: float
    shown: int
    """Actors drawn."""
    left_out: int
    """Actors with relations that the map leaves to the table (past MAX_NODES or MAX_NEIGHBOURS)."""


_WIDTHS = {c: width for chars, width in (
    ("ijlIJ'", (0.3, 0.4)), (" ,./:;\\|", (0.35, 0.4)), ("f-t()[]", (0.4, 0.5)), ("r!", (0.45, 0.5)),
    ('csz?_`"*', (0.55, 0.6)), ("xLkvyF", (0.6, 0.7)), ("0123456789aeoET$bdghnpquPSY{}", (0.65, 0.75)),
    ("CZABKRVX", (0.7, 0.8)), ("NUDGHOQ&#+<=>^~", (0.8, 0.9)), ("wM", (0.9, 1.0)), ("m%W@", (1.0, 1.15)),
) for c in chars}
"""Widths in font sizes, regular and bold: those of DejaVu Sans (among the widest common sans fonts, and
what Debian's Chromium draws), rounded up to 0.05."""


def text_width(text: str, size: float, bold: bool = False) -> float:
    """A generous estimate of the rendered width (no font metrics at build time): a letter with an accent
    as wide as the letter, a wide (East Asian) character 1.05 (bold 1.1), any other 0.8 (0.9)."""
    total = 0.0
    for c in text:
        width = _WIDTHS.get(c) or _WIDTHS.get(unicodedata.normalize("NFD", c)[0])
        if width is None:
            if unicodedata.combining(c):
                continue
            width = (1.05, 1.1) if unicodedata.east_asian_width(c) in "WF" else (0.8, 0.9)
        total += width[bold]
    return total * size


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
    for component in _components(graph, nodes):
        unit = _stress(graph.subgraph(component), component)
        inside = set(component)
        fitted = _fit(component, unit, by_id, degree, [e for e in edges if e.source in inside], UNIT)
        points, found = fitted.points, fitted.labels
        box = _bounds(points, found.values())
        if offset_x > 0 and offset_x + (box.x1 - box.x0) > 1000:  # shelves of components, the biggest first
            offset_x, offset_y, row_height = 0.0, offset_y + row_height + 2 * MARGIN, 0.0
        dx, dy = offset_x - box.x0, offset_y - box.y0
        placed.update({i: (x + dx, y + dy) for i, (x, y) in points.items()})
        labels.update({i: label.moved(dx, dy) for i, label in found.items()})
        clips.update({i: clip.moved(dx, dy) for i, clip in fitted.clips.items()})
        offset_x += box.x1 - box.x0 + 2 * MARGIN
        row_height = max(row_height, box.y1 - box.y0)
    return _svg([by_id[i] for i in nodes], edges, placed, labels, clips, href, title, None, len(neighbours) - len(kept))


def _components(graph: nx.Graph[str], nodes: list[str]) -> list[list[str]]:
    """Connected groups of actors, the biggest first, each in the order of `nodes`."""
    import networkx as nx
    order = {n: k for k, n in enumerate(nodes)}
    groups = [sorted(c, key=order.__getitem__) for c in nx.connected_components(graph)]
    return sorted(groups, key=lambda c: (-len(c), order[c[0]]))


def _stress(graph: nx.Graph[str], nodes: list[str]) -> dict[str, tuple[float, float]]:
    """Positions of one connected `graph` (its `nodes` in order), one unit a relation, by stress
    majorization from classical scaling.

    The same bytes on every CPU: numpy and its BLAS pick vector kernels for the CPU they run on, and a
    matrix product, `eigh` or `pinv` rounds differently with AVX-512 than without (as do the C
    library's sin, exp and pow with FMA than without). Last bits do not stay last: they change when
    the iterations stop, and then where a label goes. So the layout uses only elementwise + - * / and
    sqrt, each exactly rounded on any CPU, with every sum added in an order written here (`_total`):
    no BLAS or LAPACK call, no numpy sum, no transcendental function. The loop works in place: a fresh
    array of n x n costs more than the arithmetic on it."""
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    if len(nodes) == 2:
        return {nodes[0]: (0.0, 0.0), nodes[1]: (1.0, 0.0)}
    import networkx as nx
    import numpy as np
    index = {n: k for k, n in enumerate(nodes)}
    n = len(nodes)
    d = np.zeros((n, n))
    for source, lengths in nx.all_pairs_shortest_path_length(graph):
        for target, length in lengths.items():
            d[index[source], index[target]] = length
    x, y = _classical_scaling(d)
    x, y = x + np.arange(n) * 1e-6, y + np.arange(n) * 1e-6  # no two start on one point
    # Every matrix here is symmetric, like d, so _times may sum down its columns; the inverse, as rounded,
    # is not quite, so it is transposed.
    w = np.divide(1.0, d * d, out=np.zeros((n, n)), where=d > 0)
    pull = -(w * d)
    # SMACOF's step is L⁺ B(x) x, L the weights' Laplacian. L + 1/n (every entry) has the inverse L⁺ + 1/n,
    # and the entries of B(x) x sum to 0, so the plain inverse makes the same step.
    laplacian = 1.0 / n - w
    laplacian[np.diag_indices(n)] = _total(w.copy()) + 1.0 / n
    inverse = _inverse(laplacian).T.copy()
    gaps, b, scratch, near = np.empty((n, n)), np.empty((n, n)), np.empty((n, n)), np.empty((n, n), dtype=bool)
    last = math.inf
    for _ in range(300):
        np.subtract(x[None, :], x[:, None], out=gaps)
        np.multiply(gaps, gaps, out=gaps)
        np.subtract(y[None, :], y[:, None], out=scratch)
        np.multiply(scratch, scratch, out=scratch)
        np.sqrt(np.add(gaps, scratch, out=gaps), out=gaps)
        b.fill(0.0)
        np.divide(pull, gaps, out=b, where=np.greater(gaps, 1e-12, out=near))
        np.copyto(scratch, b)
        b[np.diag_indices(n)] = -_total(scratch)
        x, y = (_times(inverse, _times(b, x, scratch), scratch), _times(inverse, _times(b, y, scratch), scratch))
        np.subtract(gaps, d, out=scratch)
        np.multiply(scratch, scratch, out=scratch)
        stress = float(_total(_total(np.multiply(w, scratch, out=scratch))))
        if last - stress < 1e-5 * last:
            break
        last = stress
    return {node: (float(x[k]), float(y[k])) for node, k in index.items()}


def _total(a: NDArray[np.float64]) -> NDArray[np.float64]:
    """The sums down the first axis of `a`, added in halves, pairwise: an order fixed here, where numpy's
    own sum leaves it to the kernel it picks for the CPU. Adds in place: `a` is lost."""
    import numpy as np
    length = len(a)
    while length > 1:
        half = length // 2
        np.add(a[:half], a[half:2 * half], out=a[:half])
        if length % 2:
            a[half] = a[length - 1]
        length -= half
    total: NDArray[np.float64] = a[0].copy()
    return total


def _times(m: NDArray[np.float64], v: NDArray[np.float64], scratch: NDArray[np.float64]) -> NDArray[np.float64]:
    """The transpose of `m` times the vector `v` (m v, `m` being symmetric), with _total's sums in `scratch`."""
    import numpy as np
    return _total(np.multiply(m, v[:, None], out=scratch))


def _inverse(m: NDArray[np.float64]) -> NDArray[np.float64]:
    """The inverse of a symmetric positive definite `m` by Gauss-Jordan elimination in place (no pivoting
    needed), one elementwise update a pivot."""
    import numpy as np
    a, scratch = m.copy(), np.empty_like(m)
    for k in range(len(a)):
        pivot = a[k, k]
        row, column = a[k] / pivot, a[:, k].copy()
        a -= np.multiply(column[:, None], row[None, :], out=scratch)
        a[k] = row
        a[:, k] = -column / pivot
        a[k, k] = 1.0 / pivot
    return a


def _classical_scaling(d: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Classical scaling of the distances `d`: the two leading eigenvectors of the double-centred squared
    distances, each times the root of its eigenvalue. By orthogonal iteration on four vectors (the matrix
    may have negative eigenvalues larger than its second positive one): the two with the largest
    Rayleigh quotients are kept, their sign fixed by the data."""
    import numpy as np
    n = len(d)
    squared = d * d  # whole numbers, so their sums are exact
    mean = _total(squared.copy()) / n
    grand = float(_total(_total(squared.copy()))) / (n * n)
    centred = -0.5 * (squared - (mean[:, None] + mean[None, :]) + grand)  # symmetric to the last bit, as _times needs
    tiny = 1e-9 * float(np.max(np.abs(centred)))  # below it, a vector is rounding errors (max is exact)
    start = [np.array([(k * step + 7) % 101 for k in range(n)], dtype=float) for step in (1, 17, 43, 71)]
    q = _orthonormal(start, tiny)
    quotients = [0.0] * len(q)
    scratch = np.empty((n, n))
    for _ in range(300):
        z = [_times(centred, v, scratch) for v in q]
        quotients, last = [_dot(a, v) for a, v in zip(z, q, strict=True)], quotients
        q = _orthonormal(z, tiny)
        now, before = sorted(quotients)[-2:], sorted(last)[-2:]  # those of the two vectors kept
        if abs(now[0] - before[0]) + abs(now[1] - before[1]) <= 1e-9 * (abs(now[0]) + abs(now[1])):
            break
    top = sorted(range(len(q)), key=lambda j: -quotients[j])[:2]
    x, y = (q[j] * math.sqrt(max(quotients[j], 1e-9)) for j in top)
    return x if x[np.argmax(np.abs(x))] >= 0 else -x, y if y[np.argmax(np.abs(y))] >= 0 else -y


def _orthonormal(vectors: list[NDArray[np.float64]], tiny: float) -> list[NDArray[np.float64]]:
    """The vectors made orthonormal, in order (modified Gram-Schmidt); one left shorter than `tiny` becomes 0."""
    done: list[NDArray[np.float64]] = []
    for v in vectors:
        for u in done:
            v = v - _dot(u, v) * u
        norm = math.sqrt(_dot(v, v))
        done.append(v / norm if norm > tiny else v * 0.0)
    return done


def _dot(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    return float(_total(a * b))


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
        unit[i] = _on_circle(k, len(ring))
    start = max(UNIT * 1.4, len(ring) * (NODE_FONT + 4) / math.pi)
    fitted = _fit([centre.id, *ring], unit, by_id, degree | {centre.id: 10 ** 6}, edges, start, centre.id)
    box = _bounds(fitted.points, fitted.labels.values())
    points = {i: (x - box.x0, y - box.y0) for i, (x, y) in fitted.points.items()}
    labels = {i: label.moved(-box.x0, -box.y0) for i, label in fitted.labels.items()}
    clips = {i: clip.moved(-box.x0, -box.y0) for i, clip in fitted.clips.items()}
    return _svg([by_id[i] for i in (centre.id, *ring)], edges, points, labels, clips, href, title, centre.id,
                len(around) - len(ring))


def _on_circle(k: int, count: int) -> tuple[float, float]:
    """The cosine and sine of -90° + 360° k / count: the k-th of `count` places on a circle, the first at
    the top. Not math.cos and math.sin: the C library picks their code by CPU (glibc an FMA version where
    there is FMA), and the two round differently. Here the angle is brought into 0-45° with whole
    numbers, then a fixed series of exactly rounded operations."""
    quarters, rest = divmod(4 * k - count, count)  # the angle is (quarters + rest / count) x 90°
    mirrored = 2 * rest > count
    t = (count - rest if mirrored else rest) / count * (math.pi / 2)
    t2, cos, sin = t * t, 0.0, 0.0
    for m in range(20, 0, -2):  # the Taylor series to t^21, beyond 1e-21 at t ≤ π/4
        cos, sin = cos * t2 + _SERIES[m], sin * t2 + _SERIES[m + 1]
    cos, sin = cos * t2 + 1.0, (sin * t2 + 1.0) * t
    if mirrored:
        cos, sin = sin, cos
    for _ in range(quarters % 4):
        cos, sin = -sin, cos
    return cos, sin


_SERIES = [(-1) ** (m // 2) / math.factorial(m) for m in range(22)]
"""(-1)^(m//2) / m!: the Taylor coefficients of cos (even m) and sin (odd m)."""


# ---- labels ------------------------------------------------------------------------------------

Points = dict[str, tuple[float, float]]


@dataclass(frozen=True, slots=True)
class Label:
    x: float
    y: float
    """Baseline."""
    anchor: str
    box: Box

    def moved(self, dx: float, dy: float) -> Label:
        return Label(self.x + dx, self.y + dy, self.anchor, self.box.moved(dx, dy))


@dataclass(frozen=True, slots=True)
class Fitted:
    points: Points
    labels: dict[str, Label]
    clips: dict[str, Box]
    """Where an actor's lines stop short of its name instead of crossing it (_segment): the name in the
    middle of an actor's map, and a name that no place keeps clear of the actor's own lines."""


def _fit(nodes: list[str], unit: Points, by_id: dict[str, Actor], degree: dict[str, int], edges: list[Edge],
         scale: float, centre: str | None = None) -> Fitted:
    """Positions in pixels, a label for every node (none overlapping another or a node), and clips. Up to
    STRICT nodes no line may cross a label: the layout is turned (not an actor's map, whose circle is
    drawn round `centre`), taken as it is or with its crowded places opened (_separated), and spread wider
    until none does. Past that, or when STRICT_STEPS spreads are not enough, the layout is spread until
    every label has a free place, and one step more, for room to keep lines off them; there each label
    takes the free place the fewest lines cross, or, where that would leave a later one none, the first
    free place; then labels move to free places fewer lines cross. So lines spread a large map by one
    step at most (200 actors, 260 relations: 2082 x 1578 px, was 2193 x 1598 with its names placed
    whatever crossed them; benchmarks/map_crossings.py)."""
    widths = {i: text_width(by_id[i].short, NODE_FONT) for i in nodes}

    def spread(layout: Points, sx: float, sy: float, separate: bool = centre is None) -> Points:
        points = {i: (layout[i][0] * sx, layout[i][1] * sy) for i in nodes}
        return _separated(points, widths) if separate else points
    sx = sy = scale
    for _ in range(STRICT_STEPS if len(nodes) <= STRICT else 0):
        for turn in TURNS if centre is None else (0,):
            for separate in (False, True) if centre is None else (False,):
                found = _attempt(nodes, spread(_turned(unit, turn), sx, sy, separate), by_id, degree, edges, centre,
                                 "clear")
                if found is not None:
                    return found
        sx, sy = sx * GROW[0], sy * GROW[1]
    sx = sy = scale
    fits = False
    for _ in range(80):
        points = spread(unit, sx, sy)
        if fits:
            found = (_attempt(nodes, points, by_id, degree, edges, centre, "fewest")
                     or _attempt(nodes, points, by_id, degree, edges, centre, "first"))
            if found is not None:
                return found
        else:
            fits = _attempt(nodes, points, by_id, degree, edges, centre, "free") is not None
        sx, sy = sx * GROW[0], sy * GROW[1]
    raise AssertionError("labels found no place")  # pragma: no cover - spreading always makes room


def _attempt(nodes: list[str], points: Points, by_id: dict[str, Actor], degree: dict[str, int], edges: list[Edge],
             centre: str | None, mode: str) -> Fitted | None:
    """One try of _fit: labels for these positions, or None. The name in the middle of an actor's map goes
    under its node, and the node's lines (from every side) end at it."""
    fixed: dict[str, Label] = {}
    if centre is not None:
        w, (x, y) = text_width(by_id[centre].short, NODE_FONT, bold=True), points[centre]
        fixed[centre] = _place(x - w / 2, y + RADIUS * 1.4 + 4.5, w, "middle")
    if any(label.box.overlaps(_node_box(*points[j])) for label in fixed.values() for j in nodes if j not in fixed):
        return None
    lines = _Lines(edges, points, {})
    if not all(lines.clippable(i, label.box) for i, label in fixed.items()):
        return None
    for i, label in fixed.items():
        lines.clip(i, label.box)
    if mode == "clear" and any(lines.crossing(label.box, i)[0] for i, label in fixed.items()):
        return None
    labels = _labels(nodes, points, by_id, degree, centre is not None, lines, mode, fixed)
    return None if labels is None else Fitted(points, labels, lines.clips)


def _turned(unit: Points, turn: int) -> Points:
    """The layout turned by `turn` 24ths of a circle (cosine and sine from _on_circle, as exact on any CPU)."""
    if not turn:
        return unit
    cos, sin = _on_circle((turn + 6) % 24, 24)
    return {i: (x * cos - y * sin, x * sin + y * cos) for i, (x, y) in unit.items()}


def _separated(points: dict[str, tuple[float, float]], widths: dict[str, float]) -> dict[str, tuple[float, float]]:
    """Nodes moved apart, as little as it takes, until no two overlap with a label on their right: the
    map keeps its shape where it is sparse and opens up only where it is crowded (every overlapping pair
    pushes its two nodes apart along the shorter way out, sideways only when that is much shorter:
    labels are wide).

    The same bytes on every CPU, as in _stress: elementwise operations, and the pushes on a node added
    by np.bincount, which adds its weights one at a time in the order given (here: the pairs in row
    order), with no vector kernel to pick."""
    if len(points) < 2:
        return points
    import numpy as np
    ids = list(points)
    n = len(ids)
    x, y = np.array([points[i][0] for i in ids]), np.array([points[i][1] for i in ids])
    w = np.array([widths[i] for i in ids])
    half = NODE_FONT * 0.75 + 2
    over_x, over_y, scratch = np.empty((n, n)), np.empty((n, n)), np.empty((n, n))
    hit, also = np.empty((n, n), dtype=bool), np.empty((n, n), dtype=bool)
    for _ in range(100):  # enough to open the crowded places; labels that still find no room spread it all
        left, right = x - RADIUS, x + RADIUS + 6 + w
        # In place, as in _stress: over_x = min(right) - max(left) + 4, over_y = 2 half + 3 - |dy|
        np.minimum(right[:, None], right[None, :], out=over_x)
        np.add(np.subtract(over_x, np.maximum(left[:, None], left[None, :], out=scratch), out=over_x), 4, out=over_x)
        np.subtract(2 * half + 3, np.abs(np.subtract(y[None, :], y[:, None], out=over_y), out=over_y), out=over_y)
        np.logical_and(np.greater(over_x, 0, out=hit), np.greater(over_y, 0, out=also), out=hit)
        np.fill_diagonal(hit, False)
        a, b = np.nonzero(hit)  # each pair twice, (a, b) and (b, a)
        if not len(a):
            break
        wide, tall = over_x[a, b], over_y[a, b]
        sideways = wide <= 3 * tall
        tie = np.sign(b - a).astype(float)
        sx, sy = np.sign(x[b] - x[a]), np.sign(y[b] - y[a])
        sx, sy = np.where(sx == 0, tie, sx), np.where(sy == 0, tie, sy)
        push_x = np.where(sideways, np.minimum(wide, 40.0) * sx, 0.0)
        push_y = np.where(sideways, 0.0, np.minimum(tall, 20.0) * sy)
        x = x - np.bincount(a, push_x, n) / 2 * 0.8
        y = y - np.bincount(a, push_y, n) / 2 * 0.8
    return {i: (float(x[k]), float(y[k])) for k, i in enumerate(ids)}



def _labels(nodes: list[str], points: Points, by_id: dict[str, Actor], degree: dict[str, int], outward: bool,
            lines: _Lines, mode: str, fixed: dict[str, Label]) -> dict[str, Label] | None:
    """A label for each node, hubs first, each in one of its places (_candidates) that overlaps no label or
    node, chosen by `mode` (_choose); then in "fewest" and "first" mode each label that lines cross is
    moved in turn to a free place that fewer cross, if there is one (three rounds). None when a label
    finds no place, or in "clear" mode a line crosses one. A label that its own node's lines cross, close
    to the node, clips them (`lines.clip`)."""
    taken = _Boxes()
    for i in nodes:
        taken.add(_node_box(*points[i], RADIUS * 1.4 + 1 if i in fixed else RADIUS + 1))
    for label in fixed.values():
        taken.add(label.box)
    found = dict(fixed)
    order = [i for i in sorted(nodes, key=lambda i: (-degree.get(i, 0), by_id[i].sort_key, i)) if i not in fixed]

    def places(i: str) -> Iterator[Label]:
        return _candidates(*points[i], text_width(by_id[i].short, NODE_FONT), RADIUS + 1, outward,
                           None if mode == "clear" else NEAR)

    def put(i: str, label: Label) -> None:
        if i in found:
            taken.replace(found[i].box, label.box)
        else:
            taken.add(label.box)
        found[i] = label
        if mode != "free":
            lines.clip(i, label.box if lines.crossing(label.box, i)[1] and lines.clippable(i, label.box) else None)
    for i in order:
        choice = _choose(i, places(i), taken, lines if mode in ("clear", "fewest") else None, mode)
        if choice is None or (mode == "clear" and choice[1]):
            return None
        put(i, choice[0])
    for _ in range(3 if mode in ("fewest", "first") else 0):
        crossed = [i for i in order if lines.crossing(found[i].box, i)[0]]
        for i in crossed:
            lines.clip(i, None)
            now = lines.crossing(found[i].box, i)[0]
            choice = _choose(i, places(i), taken, lines, mode, found[i].box)
            put(i, choice[0] if choice is not None and choice[1] < now else found[i])
        if not crossed:
            break
    return found


def _choose(node: str, places: Iterable[Label], taken: _Boxes, lines: _Lines | None, mode: str,
            ignore: Box | None = None) -> tuple[Label, int, bool] | None:
    """The best of `places` that overlaps nothing `taken` (but `ignore`), with how many lines of other
    nodes cross it and whether it clips its own node's (which it may only among the first NEAR places,
    and only if each keeps MIN_LINE): the one the fewest lines cross, then, in "clear" mode, one of the
    first NEAR, then one that clips no line; the first of those. Without `lines`, the first free place.
    None when all overlap something."""
    best: tuple[Label, int, bool] | None = None
    rank: tuple[int, int, int] = (1 << 30, 0, 0)
    for k, label in enumerate(places):
        if taken.overlaps(label.box, ignore):
            continue
        if lines is None:
            return label, 0, False
        others, own = lines.crossing(label.box, node)
        key = (others, k >= NEAR and mode == "clear", bool(own))
        if own and key < rank and not (k < NEAR and lines.clippable(node, label.box)):
            others, own = others + own, 0  # drawn across it: worse than any key that clips
            key = (others, key[1], False)
        if key < rank:
            best, rank = (label, others, bool(own)), key
            if key == (0, False, False):
                break
    return best


def _candidates(x: float, y: float, w: float, half: float, outward: bool, reach: int | None) -> Iterator[Label]:
    """Places for a label `w` wide by a node at (x, y) whose box reaches `half` from its centre, best first
    (the first `reach` of them): right, left, below, above, then beside it a little higher or lower, above
    or below it leaning to one side, at its corners; the same 16 a little further out, three times. On an
    actor's map (`outward`), the side away from the centre first at each distance."""
    h = (ASCENT + DESCENT) * NODE_FONT
    near = half + 3.5  # past Box.overlaps' gap from the node's box
    for far in (0.0, 6.0, 14.0, 26.0)[:None if reach is None else reach // 16]:
        r, mid = near + far, y - h / 2
        found = [_place(x + r, mid, w, "start"), _place(x - r - w, mid, w, "end"),
                 _place(x - w / 2, y + r, w, "middle"), _place(x - w / 2, y - r - h, w, "middle"),
                 _place(x + r, mid - 0.45 * h, w, "start"), _place(x + r, mid + 0.45 * h, w, "start"),
                 _place(x - r - w, mid - 0.45 * h, w, "end"), _place(x - r - w, mid + 0.45 * h, w, "end"),
                 _place(x - 4, y - r - h, w, "start"), _place(x + 4 - w, y - r - h, w, "end"),
                 _place(x - 4, y + r, w, "start"), _place(x + 4 - w, y + r, w, "end"),
                 _place(x + r, y - r - h, w, "start"), _place(x - r - w, y - r - h, w, "end"),
                 _place(x + r, y + r, w, "start"), _place(x - r - w, y + r, w, "end")]
        if outward and (x, y) != (0.0, 0.0):  # on a circle round the centre: by the cosine of the angle
            out = []  # between the way out and the way to the label's middle, less for a place less plain
            for k, c in enumerate(found):
                dx, dy = (c.box.x0 + c.box.x1) / 2 - x, (c.box.y0 + c.box.y1) / 2 - y
                out.append((dx * x + dy * y) / math.sqrt((dx * dx + dy * dy) * (x * x + y * y)) - _PLAIN[k])
            found = [found[k] for k in sorted(range(16), key=lambda k: -out[k])]
        yield from found


_PLAIN = (0.0,) * 4 + (0.02,) * 8 + (0.05,) * 4
"""How much less an outward place is worth for being shifted (0.02) or at a corner (0.05) rather than
straight beside, below or above its node."""


def _place(x0: float, y0: float, w: float, anchor: str) -> Label:
    """A label whose box has its top left corner at (x0, y0) and is `w` wide."""
    x = x0 if anchor == "start" else x0 + w if anchor == "end" else x0 + w / 2
    return Label(x, y0 + ASCENT * NODE_FONT, anchor, Box(x0, y0, x0 + w, y0 + (ASCENT + DESCENT) * NODE_FONT))


def _node_box(x: float, y: float, half: float = RADIUS + 1) -> Box:
    return Box(x - half, y - half, x + half, y + half)


def _padded(box: Box, pad: float) -> Box:
    return Box(box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad)


def _bounds(points: Points, labels: Iterable[Label]) -> Box:
    boxes = [*(_node_box(x, y) for x, y in points.values()), *(label.box for label in labels)]
    return Box(min(b.x0 for b in boxes) - MARGIN, min(b.y0 for b in boxes) - MARGIN,
               max(b.x1 for b in boxes) + MARGIN, max(b.y1 for b in boxes) + MARGIN)


# ---- lines, and what lies near a label ------------------------------------------------------------

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
    """_segment, unclipped where a clip would leave too little of the line (_Lines.clippable keeps labels
    from asking for such a clip)."""
    found = _segment(e, shift, points, clips) or _segment(e, shift, points, {})
    assert found is not None  # without clips there is always a segment
    return found


def _segments(edges: Iterable[Edge], points: Points, clips: dict[str, Box]) -> list[Segment]:
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


class _Boxes:
    """Boxes filed by the grid cells they come within Box.overlaps' gap of, so a box meets only its
    neighbours."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[Box]] = {}

    def add(self, box: Box) -> None:
        for cell in _span(_padded(box, 3.0)):
            self.cells.setdefault(cell, []).append(box)

    def replace(self, old: Box, new: Box) -> None:
        for cell in _span(_padded(old, 3.0)):
            self.cells[cell] = [b for b in self.cells[cell] if b is not old]
        self.add(new)

    def overlaps(self, box: Box, ignore: Box | None = None) -> bool:
        return any(box.overlaps(other) and other is not ignore
                   for cell in _span(box) for other in self.cells.get(cell, ()))


class _Lines:
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
            self.clips[node] = _padded(box, CLEAR + 0.5)
        for k in self.at.get(node, ()):
            for cell in self.lines[k][5]:
                self.cells[cell].remove(k)
            e, shift = self.edges[k]
            self.lines[k] = self._filed(k, _drawn(e, shift, self.points, self.clips))

    def clippable(self, node: str, box: Box) -> bool:
        """Whether every line of `node` keeps MIN_LINE if clipped at `box`."""
        clips = {**self.clips, node: _padded(box, CLEAR + 0.5)}
        return all(_segment(*self.edges[k], self.points, clips) is not None for k in self.at.get(node, ()))

    def crossing(self, box: Box, node: str) -> tuple[int, int]:
        """How many lines come within CLEAR of `box`: those of other nodes, and those of `node`."""
        near = _padded(box, CLEAR)
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
    out += [_edge(*segment, names) for segment in _segments(edges, points, clips)]
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
