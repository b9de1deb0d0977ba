"""The relations map: actors as nodes, relations as lines, drawn as SVG at build time (no script needed).

The whole-site map places its actors by stress majorization (SMACOF, Gansner, Koren and North 2004): the
distance between two actors on the page follows the number of relations between them, which keeps
clusters together and draws few crossings. networkx gives the graph's components and path lengths,
numpy does the iterations; the start is classical scaling of the same distances, so the layout depends
only on the graph and is the same on every build, and on every CPU (see _stress). An actor's page draws
its neighbourhood: the actor in the middle, those it has relations with on a circle around it.

Labels never overlap each other or a node: each takes the first free place around its node (hubs
first), and when one finds none, the drawing is spread wider and placed again. The SVG is never scaled
down, so text keeps its size (at least 11 px); a drawing wider than the screen scrolls in its frame.
A relation's type shows when the pointer is on its line or the keyboard on its link, which leads to
its row in the table under the map."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

from .escaping import escape
from .model import Actor, relation_words

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


def text_width(text: str, size: float) -> float:
    """A generous estimate of the rendered width (no font metrics at build time)."""
    wide = sum(1 for c in text if unicodedata.east_asian_width(c) in "WF")
    return ((len(text) - wide) * 0.62 + wide * 1.05) * size


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
    placed: dict[str, tuple[float, float]] = {}
    labels: dict[str, Label] = {}
    offset_x, offset_y, row_height = 0.0, 0.0, 0.0
    for component in _components(graph, nodes):
        unit = _stress(graph.subgraph(component), component)
        points, found = _fit(component, unit, by_id, degree, UNIT)
        box = _bounds(points, found.values())
        if offset_x > 0 and offset_x + (box.x1 - box.x0) > 1000:  # shelves of components, the biggest first
            offset_x, offset_y, row_height = 0.0, offset_y + row_height + 2 * MARGIN, 0.0
        dx, dy = offset_x - box.x0, offset_y - box.y0
        placed.update({i: (x + dx, y + dy) for i, (x, y) in points.items()})
        labels.update({i: label.moved(dx, dy) for i, label in found.items()})
        offset_x += box.x1 - box.x0 + 2 * MARGIN
        row_height = max(row_height, box.y1 - box.y0)
    return _svg([by_id[i] for i in nodes], edges, placed, labels, href, title, None, len(neighbours) - len(kept))


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
    points, labels = _fit([centre.id, *ring], unit, by_id, degree | {centre.id: 10 ** 6}, start, outward=True)
    box = _bounds(points, labels.values())
    points = {i: (x - box.x0, y - box.y0) for i, (x, y) in points.items()}
    labels = {i: label.moved(-box.x0, -box.y0) for i, label in labels.items()}
    return _svg([by_id[i] for i in (centre.id, *ring)], edges, points, labels, href, title, centre.id,
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

@dataclass(frozen=True, slots=True)
class Label:
    x: float
    y: float
    """Baseline."""
    anchor: str
    box: Box

    def moved(self, dx: float, dy: float) -> Label:
        return Label(self.x + dx, self.y + dy, self.anchor, self.box.moved(dx, dy))


def _fit(nodes: list[str], unit: dict[str, tuple[float, float]], by_id: dict[str, Actor], degree: dict[str, int],
         scale: float, outward: bool = False) -> tuple[dict[str, tuple[float, float]], dict[str, Label]]:
    """Positions in pixels and a label for every node, none overlapping another or a node: the layout
    spread wider until every label finds a place."""
    sx = sy = scale
    for _ in range(80):
        points = {i: (unit[i][0] * sx, unit[i][1] * sy) for i in nodes}
        if not outward:
            points = _separated(points, {i: text_width(by_id[i].short, NODE_FONT) for i in nodes})
        labels = _labels(nodes, points, by_id, degree, outward)
        if labels is not None:
            return points, labels
        sx, sy = sx * GROW[0], sy * GROW[1]
    raise AssertionError("labels found no place")  # pragma: no cover - spreading always makes room


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


def _labels(nodes: list[str], points: dict[str, tuple[float, float]], by_id: dict[str, Actor],
            degree: dict[str, int], outward: bool) -> dict[str, Label] | None:
    taken = [_node_box(*points[i]) for i in nodes]
    found: dict[str, Label] = {}
    for i in sorted(nodes, key=lambda i: (-degree.get(i, 0), by_id[i].sort_key, i)):
        x, y = points[i]
        text = by_id[i].short
        for label in _candidates(x, y, text, outward and (x, y) != (0.0, 0.0)):
            if not any(label.box.overlaps(t) for t in taken):
                taken.append(label.box)
                found[i] = label
                break
        else:
            return None
    return found


def _candidates(x: float, y: float, text: str, outward: bool) -> list[Label]:
    w, f, r = text_width(text, NODE_FONT), NODE_FONT, RADIUS + 4

    def at(ax: float, baseline: float, anchor: str) -> Label:
        x0 = ax if anchor == "start" else ax - w if anchor == "end" else ax - w / 2
        return Label(ax, baseline, anchor, Box(x0, baseline - f * 0.85, x0 + w, baseline + f * 0.3))
    right, left = at(x + r, y + f * 0.35, "start"), at(x - r, y + f * 0.35, "end")
    below, above = at(x, y + r + f * 0.8, "middle"), at(x, y - r - f * 0.3, "middle")
    corners = [at(x + r * 0.8, y - r * 0.8, "start"), at(x + r * 0.8, y + r * 0.8 + f * 0.7, "start"),
               at(x - r * 0.8, y - r * 0.8, "end"), at(x - r * 0.8, y + r * 0.8 + f * 0.7, "end")]
    order = [right, left, below, above, *corners]
    if outward:  # on a circle round the centre: the side away from it first
        order.sort(key=lambda c: -(((c.box.x0 + c.box.x1) / 2 - x) * x + ((c.box.y0 + c.box.y1) / 2 - y) * y))
    return order


def _node_box(x: float, y: float) -> Box:
    return Box(x - RADIUS - 1, y - RADIUS - 1, x + RADIUS + 1, y + RADIUS + 1)


def _bounds(points: dict[str, tuple[float, float]], labels: Iterable[Label]) -> Box:
    boxes = [*(_node_box(x, y) for x, y in points.values()), *(label.box for label in labels)]
    return Box(min(b.x0 for b in boxes) - MARGIN, min(b.y0 for b in boxes) - MARGIN,
               max(b.x1 for b in boxes) + MARGIN, max(b.y1 for b in boxes) + MARGIN)


# ---- SVG ---------------------------------------------------------------------------------------------

SHAPES: dict[str, Callable[[float, float, float], str]] = {
    "person": lambda x, y, r: f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"/>',
    "state": lambda x, y, r: f'<rect x="{x - r * 0.9:.1f}" y="{y - r * 0.9:.1f}" width="{r * 1.8:.1f}" height="{r * 1.8:.1f}"/>',
    "organization": lambda x, y, r: f'<path d="M{x:.1f},{y - r:.1f} L{x + r:.1f},{y:.1f} L{x:.1f},{y + r:.1f} L{x - r:.1f},{y:.1f} z"/>',
    "media": lambda x, y, r: f'<path d="M{x:.1f},{y - r:.1f} L{x + r:.1f},{y + r * 0.85:.1f} L{x - r:.1f},{y + r * 0.85:.1f} z"/>',
}


def _svg(actors: list[Actor], edges: list[Edge], points: dict[str, tuple[float, float]], labels: dict[str, Label],
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
    pairs: dict[frozenset[str], list[Edge]] = {}
    for e in edges:
        pairs.setdefault(frozenset((e.source, e.target)), []).append(e)
    for group in pairs.values():
        for k, e in enumerate(group):
            out.append(_edge(e, points, (k - (len(group) - 1) / 2) * 6, names))
    for a in actors:
        out.append(_node(a, points[a.id], labels[a.id], None if a.id == centre else href(a.id), a.id == centre))
    out.append("</svg>")
    return Drawing(Markup("\n".join(out)), width, height, len(actors), left_out)


def _edge(e: Edge, points: dict[str, tuple[float, float]], shift: float, names: dict[str, str]) -> str:
    (ax, ay), (bx, by) = points[e.source], points[e.target]
    length = math.sqrt((bx - ax) * (bx - ax) + (by - ay) * (by - ay)) or 1.0  # exactly rounded, unlike hypot
    ux, uy = (bx - ax) / length, (by - ay) / length
    nx, ny = -uy * shift, ux * shift  # side by side when two actors have more than one relation
    cut = RADIUS + 3
    x1, y1, x2, y2 = ax + ux * cut + nx, ay + uy * cut + ny, bx - ux * cut + nx, by - uy * cut + ny
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
