"""Where the relations maps place their actors: stress majorization, the circle, turns, crowded nodes moved apart.

The whole map's groups by stress majorization from classical scaling (stress), an actor's neighbours on a
circle (on_circle); both give the same bytes on every CPU."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .geometry import NODE_FONT, RADIUS, Points

if TYPE_CHECKING:  # imported where a map is drawn: most builds start without them
    import networkx as nx
    import numpy as np
    from numpy.typing import NDArray


def components(graph: nx.Graph[str], nodes: list[str]) -> list[list[str]]:
    """Connected groups of actors, the biggest first, each in the order of `nodes`."""
    import networkx as nx
    order = {n: k for k, n in enumerate(nodes)}
    groups = [sorted(c, key=order.__getitem__) for c in nx.connected_components(graph)]
    return sorted(groups, key=lambda c: (-len(c), order[c[0]]))


def stress(graph: nx.Graph[str], nodes: list[str]) -> dict[str, tuple[float, float]]:
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


def on_circle(k: int, count: int) -> tuple[float, float]:
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


def turned(unit: Points, turn: int) -> Points:
    """The layout turned by `turn` 24ths of a circle (cosine and sine from on_circle, as exact on any CPU)."""
    if not turn:
        return unit
    cos, sin = on_circle((turn + 6) % 24, 24)
    return {i: (x * cos - y * sin, x * sin + y * cos) for i, (x, y) in unit.items()}


def separated(points: dict[str, tuple[float, float]], widths: dict[str, float]) -> dict[str, tuple[float, float]]:
    """Nodes moved apart, as little as it takes, until no two overlap with a label on their right: the
    map keeps its shape where it is sparse and opens up only where it is crowded (every overlapping pair
    pushes its two nodes apart along the shorter way out, sideways only when that is much shorter:
    labels are wide).

    The same bytes on every CPU, as in stress: elementwise operations, and the pushes on a node added
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
        # In place, as in stress: over_x = min(right) - max(left) + 4, over_y = 2 half + 3 - |dy|
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
