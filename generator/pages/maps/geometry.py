"""The relations maps' measures: sizes, the boxes of nodes and names (Box, Label), relations (Edge), text widths."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

NODE_FONT = 13.0
"""At least 11 px, and the SVG is never scaled down (it scrolls instead)."""
RADIUS = 7.0
MARGIN = 16.0
ASCENT, DESCENT = 0.95, 0.25
"""A name's box above and below its baseline, in font sizes (DejaVu Sans, among the tallest common sans
fonts, has 0.93 and 0.24: what Chromium's getBBox gives)."""


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


def place(x0: float, y0: float, w: float, anchor: str) -> Label:
    """A label whose box has its top left corner at (x0, y0) and is `w` wide."""
    x = x0 if anchor == "start" else x0 + w if anchor == "end" else x0 + w / 2
    return Label(x, y0 + ASCENT * NODE_FONT, anchor, Box(x0, y0, x0 + w, y0 + (ASCENT + DESCENT) * NODE_FONT))


def node_box(x: float, y: float, half: float = RADIUS + 1) -> Box:
    return Box(x - half, y - half, x + half, y + half)


def padded(box: Box, pad: float) -> Box:
    return Box(box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad)


def bounds(points: Points, labels: Iterable[Label]) -> Box:
    boxes = [*(node_box(x, y) for x, y in points.values()), *(label.box for label in labels)]
    return Box(min(b.x0 for b in boxes) - MARGIN, min(b.y0 for b in boxes) - MARGIN,
               max(b.x1 for b in boxes) + MARGIN, max(b.y1 for b in boxes) + MARGIN)
