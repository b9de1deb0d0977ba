"""The relations maps read right in Chromium (issue 21): no line crosses a name on small sites, on the
whole map and on every actor's map; every name lies inside the drawing; a name has a halo in the page's
background colour, light and dark; at 375 px the map says it pans and shades the side where more lies.

Lines and names are measured as drawn: each <line class="g-edge"> as a segment, each name's box by getBBox
(the font's own box, in the SVG's units), and a crossing is a segment that meets a box (Liang-Barsky).
benchmarks/map_crossings.py prints the same counts for a 200-actor site, where names may be crossed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import chromium, serve
from conftest import EXAMPLE, SITES, run_cli

MEASURE = r"""() => {
  const svg = document.querySelector('svg.relations-graph');
  if (!svg) return null;
  const vb = svg.viewBox.baseVal;
  const names = [...svg.querySelectorAll('text.g-node-label')].map(t => { const b = t.getBBox();
    return {text: t.textContent, x0: b.x, y0: b.y, x1: b.x + b.width, y1: b.y + b.height}; });
  const lines = [...svg.querySelectorAll('line.g-edge')].map(l =>
    [l.x1.baseVal.value, l.y1.baseVal.value, l.x2.baseVal.value, l.y2.baseVal.value]);
  function meets(s, r) {  // Liang-Barsky: does the segment meet the box (touching counts)?
    let t0 = 0, t1 = 1; const dx = s[2] - s[0], dy = s[3] - s[1];
    for (const [p, q] of [[-dx, s[0] - r.x0], [dx, r.x1 - s[0]], [-dy, s[1] - r.y0], [dy, r.y1 - s[1]]]) {
      if (p === 0) { if (q < 0) return false; continue; }
      const t = q / p;
      if (p < 0) { if (t > t1) return false; t0 = Math.max(t0, t); } else { if (t < t0) return false; t1 = Math.min(t1, t); }
    }
    return t0 <= t1; }
  const crossed = [];
  for (const r of names) for (const s of lines) if (meets(s, r)) crossed.push([r.text, s.map(v => Math.round(v))]);
  const cut = names.filter(r => r.x0 < vb.x || r.y0 < vb.y || r.x1 > vb.x + vb.width || r.y1 > vb.y + vb.height)
    .map(r => r.text);
  return {names: names.length, lines: lines.length, crossed, cut};
}"""
"""What a page's map draws: its names and lines, the names a line crosses (with the line), and the
names that reach past the drawing's viewBox."""


def measure(page: Any) -> dict[str, Any] | None:
    found: dict[str, Any] | None = page.evaluate(MEASURE)
    return found


def map_pages(out: Path) -> list[str]:
    """The whole map and every actor's page (not the old addresses of moved actors, which send the reader on)."""
    actors = sorted(p.parent.name for p in (out / "actors").glob("*/index.html")
                    if 'http-equiv="refresh"' not in p.read_text(encoding="utf-8"))
    return ["graph/", *(f"actors/{a}/" for a in actors)]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("maps")
    out = {}
    for name, site in (("example", EXAMPLE), ("mutiny", SITES / "mutiny")):
        run = run_cli("build", str(site), "-o", str(root / name), "--quiet")
        assert run.code == 0, run.err
        out[name] = root / name
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.mark.parametrize("name", ["example", "mutiny"])
def test_no_line_crosses_a_name_and_no_name_is_cut(browser: Any, built: dict[str, Path], name: str) -> None:
    crossed, cut, maps = {}, {}, 0
    with serve(built[name]) as origin:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for path in map_pages(built[name]):
            page.goto(f"{origin}/{path}")
            found = measure(page)
            if found is None:
                continue
            maps += 1
            if found["crossed"]:
                crossed[path] = found["crossed"]
            if found["cut"]:
                cut[path] = found["cut"]
        page.close()
    assert maps > 10  # the whole map and the actors' maps
    assert crossed == {}
    assert cut == {}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_names_have_a_halo_in_the_background_colour(browser: Any, built: dict[str, Path], scheme: str) -> None:
    with serve(built["mutiny"]) as origin:
        ctx = browser.new_context(color_scheme=scheme)
        page = ctx.new_page()
        for path in ("graph/", "actors/wagner-group/"):
            page.goto(f"{origin}/{path}")
            halo = page.evaluate("""() => { const t = document.querySelector('svg.relations-graph text.g-node-label'),
                s = getComputedStyle(t);
                return {paint: s.paintOrder, stroke: s.stroke, width: parseFloat(s.strokeWidth),
                        bg: getComputedStyle(document.body).backgroundColor}; }""")
            assert halo["paint"].startswith("stroke"), (path, halo)
            assert halo["stroke"] == halo["bg"] and halo["width"] >= 3, (path, halo)
        ctx.close()


def edge_shade(page: Any) -> tuple[float, float]:
    """How far the map frame's inner strip at its right edge, and at its left, is from the page's
    background: the mean difference of its pixels, 0-255."""
    from io import BytesIO

    from PIL import Image
    box = page.locator(".graph-scroll").bounding_box()
    bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    ref = [int(v) for v in bg[bg.index("(") + 1:-1].split(",")[:3]]
    found = []
    for x in (box["x"] + box["width"] - 6, box["x"] + 2):
        shot = Image.open(BytesIO(page.screenshot(clip={"x": x, "y": box["y"] + 4, "width": 4,
                                                        "height": min(box["height"], 600) - 8}))).convert("RGB")
        data = shot.tobytes()
        found.append(sum(abs(v - ref[k % 3]) for k, v in enumerate(data)) / len(data))
    return found[0], found[1]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_at_375_px_the_map_says_it_pans(browser: Any, built: dict[str, Path], scheme: str) -> None:
    """The trial's complaint: at 375 px the map scrolled sideways with no cue. Now a line says so and
    the frame's edge is shaded on the side where more of the map lies; on a wide screen, where the whole
    map shows, neither."""
    with serve(built["mutiny"]) as origin:
        ctx = browser.new_context(viewport={"width": 375, "height": 800}, color_scheme=scheme)
        page = ctx.new_page()
        page.goto(f"{origin}/graph/")
        scroller = page.locator(".graph-scroll")
        scroller.scroll_into_view_if_needed()
        assert scroller.evaluate("s => s.scrollWidth - s.clientWidth") > 100
        hint = page.locator(".graph-hint")
        assert hint.is_visible() and "scroll it sideways" in hint.inner_text()
        right, left = edge_shade(page)
        assert right > 6 and left < 2, (right, left)
        scroller.evaluate("s => { s.scrollLeft = s.scrollWidth; }")
        right, left = edge_shade(page)
        assert right < 2 and left > 6, (right, left)
        ctx.close()
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
        page = ctx.new_page()
        page.goto(f"{origin}/graph/")
        assert page.locator(".graph-scroll").evaluate("s => s.scrollWidth - s.clientWidth") == 0
        assert not page.locator(".graph-hint").is_visible()
        right, left = edge_shade(page)
        assert right < 2 and left < 2, (right, left)
        ctx.close()


def test_an_actors_map_says_it_pans_too(browser: Any, built: dict[str, Path]) -> None:
    """An actor's own map that is wider than a phone says so in words, as the relations page does."""
    with serve(built["mutiny"]) as origin:
        ctx = browser.new_context(viewport={"width": 375, "height": 800})
        page = ctx.new_page()
        wide = []
        for actor in sorted(p.parent.name for p in (built["mutiny"] / "actors").glob("*/index.html")
                            if 'http-equiv="refresh"' not in p.read_text(encoding="utf-8")):  # not an old address
            page.goto(f"{origin}/actors/{actor}/")
            scroller = page.locator(".graph-scroll")
            if scroller.count() == 0:
                continue
            scroller.scroll_into_view_if_needed()
            if scroller.evaluate("s => s.scrollWidth - s.clientWidth") > 0:
                wide.append(actor)
                hint = page.locator(".graph-hint")
                assert hint.is_visible() and "scroll it sideways" in hint.inner_text(), actor
        ctx.close()
        assert wide  # the trial site has actors whose maps are wider than 375 px
