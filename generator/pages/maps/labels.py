"""Where the relations maps put their actors' names: places that overlap nothing and that lines cross least."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ...content.model import Actor
from .geometry import ASCENT, DESCENT, NODE_FONT, RADIUS, Box, Edge, Label, Points, node_box, place, text_width
from .layout import separated, turned
from .lines import Boxes, Lines

GROW = (1.12, 1.04)
"""How much wider and taller a drawing is spread when a label finds no place: labels are wide, not tall."""
STRICT = 40
"""Up to this many actors in a connected group (or on an actor's map), no line may cross a name: the
group is turned and spread until none does (within STRICT_STEPS spreads). Past it, a name takes the place
the fewest lines cross, and lines do not spread the map more than a step."""
TURNS = (0, 1, -1, 2, -2, 3, -3)
"""Turns of a group of the whole map, in 24ths of a circle, tried in this order at each spread: the
layout's distances stay as they are, and its lines change their slope, which can open room by a name."""
STRICT_STEPS = 12
"""At most 1.12^12 = 3.9 times as wide: a group that still has a name crossed is drawn as a large one."""
NEAR = 32
"""The places of a name (of _candidates' 64) close enough to its node to clip the node's lines, and all a
name may take on a map past STRICT actors."""


@dataclass(frozen=True, slots=True)
class Fitted:
    points: Points
    labels: dict[str, Label]
    clips: dict[str, Box]
    """Where an actor's lines stop short of its name instead of crossing it (maplines._segment): the name in the
    middle of an actor's map, and a name that no place keeps clear of the actor's own lines."""


def fit(nodes: list[str], unit: Points, by_id: dict[str, Actor], degree: dict[str, int], edges: list[Edge],
        scale: float, centre: str | None = None) -> Fitted:
    """Positions in pixels, a label for every node (none overlapping another or a node), and clips. Up to
    STRICT nodes no line may cross a label: the layout is turned (not an actor's map, whose circle is
    drawn round `centre`), taken as it is or with its crowded places opened (separated), and spread wider
    until none does. Past that, or when STRICT_STEPS spreads are not enough, the layout is spread until
    every label has a free place, and one step more, for room to keep lines off them; there each label
    takes the free place the fewest lines cross, or, where that would leave a later one none, the first
    free place; then labels move to free places fewer lines cross. So lines spread a large map by one
    step at most (200 actors, 260 relations: 2082 x 1578 px, was 2193 x 1598 with its names placed
    whatever crossed them; benchmarks/map_crossings.py)."""
    widths = {i: text_width(by_id[i].short, NODE_FONT) for i in nodes}

    def spread(layout: Points, sx: float, sy: float, separate: bool = centre is None) -> Points:
        points = {i: (layout[i][0] * sx, layout[i][1] * sy) for i in nodes}
        return separated(points, widths) if separate else points
    sx = sy = scale
    for _ in range(STRICT_STEPS if len(nodes) <= STRICT else 0):
        for turn in TURNS if centre is None else (0,):
            for separate in (False, True) if centre is None else (False,):
                found = _attempt(nodes, spread(turned(unit, turn), sx, sy, separate), by_id, degree, edges, centre,
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
    """One try of fit: labels for these positions, or None. The name in the middle of an actor's map goes
    under its node, and the node's lines (from every side) end at it."""
    fixed: dict[str, Label] = {}
    if centre is not None:
        w, (x, y) = text_width(by_id[centre].short, NODE_FONT, bold=True), points[centre]
        fixed[centre] = place(x - w / 2, y + RADIUS * 1.4 + 4.5, w, "middle")
    if any(label.box.overlaps(node_box(*points[j])) for label in fixed.values() for j in nodes if j not in fixed):
        return None
    lines = Lines(edges, points, {})
    if not all(lines.clippable(i, label.box) for i, label in fixed.items()):
        return None
    for i, label in fixed.items():
        lines.clip(i, label.box)
    if mode == "clear" and any(lines.crossing(label.box, i)[0] for i, label in fixed.items()):
        return None
    labels = _labels(nodes, points, by_id, degree, centre is not None, lines, mode, fixed)
    return None if labels is None else Fitted(points, labels, lines.clips)


def _labels(nodes: list[str], points: Points, by_id: dict[str, Actor], degree: dict[str, int], outward: bool,
            lines: Lines, mode: str, fixed: dict[str, Label]) -> dict[str, Label] | None:
    """A label for each node, hubs first, each in one of its places (_candidates) that overlaps no label or
    node, chosen by `mode` (_choose); then in "fewest" and "first" mode each label that lines cross is
    moved in turn to a free place that fewer cross, if there is one (three rounds). None when a label
    finds no place, or in "clear" mode a line crosses one. A label that its own node's lines cross, close
    to the node, clips them (`lines.clip`)."""
    taken = Boxes()
    for i in nodes:
        taken.add(node_box(*points[i], RADIUS * 1.4 + 1 if i in fixed else RADIUS + 1))
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


def _choose(node: str, places: Iterable[Label], taken: Boxes, lines: Lines | None, mode: str,
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
        found = [place(x + r, mid, w, "start"), place(x - r - w, mid, w, "end"),
                 place(x - w / 2, y + r, w, "middle"), place(x - w / 2, y - r - h, w, "middle"),
                 place(x + r, mid - 0.45 * h, w, "start"), place(x + r, mid + 0.45 * h, w, "start"),
                 place(x - r - w, mid - 0.45 * h, w, "end"), place(x - r - w, mid + 0.45 * h, w, "end"),
                 place(x - 4, y - r - h, w, "start"), place(x + 4 - w, y - r - h, w, "end"),
                 place(x - 4, y + r, w, "start"), place(x + 4 - w, y + r, w, "end"),
                 place(x + r, y - r - h, w, "start"), place(x - r - w, y - r - h, w, "end"),
                 place(x + r, y + r, w, "start"), place(x - r - w, y + r, w, "end")]
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
