"""Crossings on the relations maps, read from the built pages: lines that cross each other on the whole
map (graph/), from the SVG; and names that a line crosses, measured in Chromium as drawn (each line a
segment, each name its getBBox; tests/test_map_labels.py's MEASURE), on the whole map and summed over
every actor's map. For the example, tests/sites/mutiny and a generated 200-actor site
(tests/test_browser.py's write_big_site: 200 actors, 260 relations).

    .venv/bin/python benchmarks/map_crossings.py [--no-names] [BUILT_SITE ...]

Without sites it builds those three with this checkout into a temporary folder. Lines: it reads either
drawing: the arc diagram of before (every actor on one vertical line; an arc is a path
`M0,ya A... 0 0 sweep 0,yb`, two arcs cross when they bulge to the same side and their ends interleave)
or the network map (an edge is a <line>; two cross when the segments properly intersect).

Names that a line crosses, whole map / all actors' maps (with the (line, name) crossings), before issue 21
and after: example 10 (17) / 7 (7) -> 0 / 0; mutiny 5 (7) / 2 (2) -> 0 / 0; 200 actors 156 of 190 (488) /
129 (144) -> 96 (260) / 0 (0). Lines crossing lines on the 200-actor map: 385 -> 296."""

from __future__ import annotations

import re
import sys
import tempfile
from itertools import combinations
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(HERE), str(HERE / "tests")]

ARC = re.compile(r'<path class="g-edge[^"]*" d="M0,([\d.]+) A[\d.]+,[\d.]+ 0 0 (\d) 0,([\d.]+)"')
LINE = re.compile(r'<line class="g-edge(?: g-former)?" x1="([-\d.]+)" y1="([-\d.]+)" x2="([-\d.]+)" y2="([-\d.]+)"')


def crossings(html: str) -> tuple[int, int, str]:
    """(edges, crossings, which drawing)"""
    arcs = [(float(a), int(s), float(b)) for a, s, b in ARC.findall(html)]
    if arcs:
        count = 0
        for (a1, s1, b1), (a2, s2, b2) in combinations(arcs, 2):
            lo1, hi1, lo2, hi2 = min(a1, b1), max(a1, b1), min(a2, b2), max(a2, b2)
            if s1 == s2 and (lo1 < lo2 < hi1 < hi2 or lo2 < lo1 < hi2 < hi1):
                count += 1
        return len(arcs), count, "arcs"
    lines = [tuple(map(float, m)) for m in LINE.findall(html)]
    return len(lines), sum(_cross(p, q) for p, q in combinations(lines, 2)), "lines"


def _cross(p: tuple[float, ...], q: tuple[float, ...]) -> bool:
    """Proper intersection of two segments (sharing an end, as edges of one node do, is not a crossing)."""
    (ax, ay, bx, by), (cx, cy, dx, dy) = p, q
    if {(round(ax, 1), round(ay, 1)), (round(bx, 1), round(by, 1))} & {(round(cx, 1), round(cy, 1)), (round(dx, 1), round(dy, 1))}:
        return False

    def orient(px: float, py: float, qx: float, qy: float, rx: float, ry: float) -> float:
        return (qx - px) * (ry - py) - (qy - py) * (rx - px)
    d1, d2 = orient(cx, cy, dx, dy, ax, ay), orient(cx, cy, dx, dy, bx, by)
    d3, d4 = orient(ax, ay, bx, by, cx, cy), orient(ax, ay, bx, by, dx, dy)
    return d1 * d2 < 0 and d3 * d4 < 0


def names_crossed(out: Path) -> dict[str, int]:
    """On the whole map: names, names a line crosses, and (line, name) crossings; on the actors' maps: maps,
    names a line crosses and crossings, summed."""
    from browser import chromium, serve
    from test_map_labels import map_pages, measure
    found = dict.fromkeys(("names", "crossed", "crossings", "maps", "around", "around_crossings"), 0)
    with serve(out) as origin, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for path in map_pages(out):
            page.goto(f"{origin}/{path}")
            drawn = measure(page)
            if drawn is None:
                continue
            names = len({name for name, _ in drawn["crossed"]})
            if path == "graph/":
                found.update(names=drawn["names"], crossed=names, crossings=len(drawn["crossed"]))
            else:
                found["maps"] += 1
                found["around"] += names
                found["around_crossings"] += len(drawn["crossed"])
    return found


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--no-names"]
    sites = [Path(p) for p in args]
    if not sites:
        from conftest import run_cli
        from test_browser import write_big_site
        tmp = Path(tempfile.mkdtemp(prefix="map-crossings-"))
        big = write_big_site(tmp / "big")
        for name, site in (("example", HERE), ("mutiny", HERE / "tests/sites/mutiny"), ("200 actors", big)):
            out = tmp / f"out-{name.replace(' ', '-')}"
            assert run_cli("build", str(site), "-o", str(out), "--quiet").code == 0
            sites.append(out)
    for out in sites:
        edges, count, kind = crossings((out / "graph/index.html").read_text(encoding="utf-8"))
        print(f"{out}: {edges} edges drawn as {kind}, {count} crossings", end="", flush=True)
        if "--no-names" in sys.argv:
            print()
            continue
        n = names_crossed(out)
        print(f"; names that a line crosses: {n['crossed']} of {n['names']} on the whole map ({n['crossings']} "
              f"crossings), {n['around']} on {n['maps']} actors' maps ({n['around_crossings']} crossings)")


if __name__ == "__main__":
    main()
