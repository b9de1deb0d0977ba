"""The built example and second site in headless Chromium: no errors, no outside requests,
accessible (axe-core, WCAG 2.1 AA), valid HTML (Nu checker), usable from 320 px to print."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import chromium, page_urls, serve, skip_without_browser
from conftest import EXAMPLE, SITES, run_cli
from htmlcheck import broken_links

from generator.build.builder import check

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
VNU = Path(__file__).parent.parent / ".tools/node_modules/vnu-jar/build/dist/vnu.jar"
SUB = "briefings/summit"
"""Sites are served under a sub-path, as they would be on a shared host."""


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("www")
    out = {}
    for name, site in (("example", EXAMPLE), ("second", SITES / "second"), ("mutiny", SITES / "mutiny"),
                       ("sanctions", SITES / "sanctions")):
        target = root / name / SUB
        run = run_cli("build", str(site), "-o", str(target), "--quiet")
        assert run.code == 0, run.err
        out[name] = target
    return out


@pytest.fixture(scope="module")
def origin(sites: dict[str, Path]) -> Iterator[str]:
    with serve(sites["example"].parents[2]) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def visit_all(browser: Any, origin: str, out: Path, name: str, **context: Any) -> list[str]:
    """Open every page; return every console error, failed request and request that leaves the server."""
    problems: list[str] = []
    ctx = browser.new_context(**context)
    page = ctx.new_page()
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    # The icon and lazy pictures load after the page does: going straight on to the next page cancels them
    # (net::ERR_ABORTED); a missing one still shows as an HTTP error below.
    page.on("requestfailed", lambda r: not (r.failure == "net::ERR_ABORTED" and (
            r.resource_type == "image" or r.url.endswith("/assets/icon.svg"))) and problems.append(f"failed: {r.url}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"))

    def route(r: Any) -> None:
        if r.request.url.startswith(origin + "/"):
            r.continue_()
        else:
            problems.append(f"outside request: {r.request.url}")
            r.abort()
    page.route("**/*", route)
    for url in page_urls(out, f"{origin}/{name}/{SUB}/"):
        if url.endswith("404.html"):
            continue  # its links go by base_url or '/', outside this sub-path by design
        rel = url[len(f"{origin}/{name}/{SUB}/"):]
        file = out / (rel + "index.html" if rel.endswith("/") or not rel else rel)
        if 'http-equiv="refresh"' in file.read_text(encoding="utf-8", errors="replace"):
            page.goto(url, wait_until="commit")  # a moved item's old address sends the reader on: going on
            page.wait_for_url(lambda u, at=url: u != at)  # at once would cancel that, and fail its request
        else:
            page.goto(url)
        page.wait_for_load_state("load")
    ctx.close()
    return problems


@pytest.mark.parametrize("name", ["example", "second", "mutiny", "sanctions"])
def test_every_page_loads_clean_in_chromium(browser: Any, origin: str, sites: dict[str, Path], name: str) -> None:
    assert visit_all(browser, origin, sites[name], name) == []


@pytest.mark.parametrize(("name", "scheme"), [("example", "light"), ("example", "dark"), ("mutiny", "light"),
                                             ("mutiny", "dark"), ("sanctions", "light"), ("sanctions", "dark")])
def test_every_example_page_passes_axe_wcag21_aa(browser: Any, origin: str, sites: dict[str, Path],
                                                 name: str, scheme: str) -> None:
    from axe_playwright_python.sync_playwright import Axe
    axe = Axe()
    ctx = browser.new_context(color_scheme=scheme)
    page = ctx.new_page()
    found = {}
    for url in page_urls(sites[name], f"{origin}/{name}/{SUB}/", moved=False):
        page.goto(url)
        result = axe.run(page, options=WCAG)
        if result.violations_count:
            found[url] = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result.response["violations"]]
    ctx.close()
    assert found == {}


def test_every_example_page_passes_the_nu_html_checker(sites: dict[str, Path]) -> None:
    skip_without_browser("the Nu HTML checker")
    if not VNU.is_file():
        pytest.fail(f"{VNU} is missing: run .ci/install-tools")
    run = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--skip-non-html",
                          str(sites["example"]), str(sites["second"]), str(sites["mutiny"]), str(sites["sanctions"])],
                         check=False, capture_output=True, text=True,
                         timeout=300)
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    assert [(m.get("url", "").rsplit(SUB, 1)[-1], m.get("lastLine"), m["message"]) for m in messages] == []


def test_whole_output_has_no_broken_internal_link(sites: dict[str, Path]) -> None:
    assert broken_links(sites["example"]) == []
    assert broken_links(sites["second"]) == []
    assert broken_links(sites["mutiny"]) == []
    assert broken_links(sites["sanctions"]) == []


@pytest.mark.parametrize("name", ["example", "mutiny", "sanctions"])
def test_no_page_scrolls_sideways_at_320_px(browser: Any, origin: str, sites: dict[str, Path], name: str) -> None:
    page = browser.new_page(viewport={"width": 320, "height": 640})
    wide = []
    for url in page_urls(sites[name], f"{origin}/{name}/{SUB}/", moved=False):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            wide.append((url, width))
    page.close()
    assert wide == []


def test_keyboard_skip_link_and_visible_focus(browser: Any, origin: str) -> None:
    page = browser.new_page()
    page.goto(f"{origin}/example/{SUB}/actors/kim-jong-un/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.evaluate("getComputedStyle(document.activeElement).top") != "-64px"  # it comes into view
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.keyboard.press("Tab")
    focused = page.evaluate("""(() => { const s = getComputedStyle(document.activeElement);
        return [document.activeElement.closest('main') !== null, s.outlineStyle, parseFloat(s.outlineWidth)]; })()""")
    assert focused[0] is True and focused[1] != "none" and focused[2] >= 2
    landmarks = page.evaluate("['header', 'nav', 'main', 'footer'].map(t => document.querySelectorAll(t).length)")
    assert all(n >= 1 for n in landmarks)
    page.close()


def test_timeline_filters_by_actor_and_degrades_to_the_full_list(browser: Any, origin: str) -> None:
    url = f"{origin}/example/{SUB}/timeline/"
    page = browser.new_page()
    page.goto(url)
    total = page.locator("li.event").count()
    page.select_option("#f-actor", "sergei-shoigu")
    visible = page.locator("li.event:visible")
    assert 0 < visible.count() < total
    for i in range(visible.count()):
        assert "sergei-shoigu" in (visible.nth(i).get_attribute("data-actors") or "").split()
    assert page.locator("#f-status").inner_text() == f"{visible.count()} of {total} events"
    page.select_option("#f-actor", "")
    assert page.locator("li.event:visible").count() == total
    page.close()
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(url)
    assert page.locator("li.event:visible").count() == total
    assert not page.locator("#timeline-filters").is_visible()
    ctx.close()


def test_timeline_filters_live_in_the_address(browser: Any, origin: str) -> None:
    """A filtered timeline can be linked and bookmarked, and back and forward step through the choices."""
    url = f"{origin}/example/{SUB}/timeline/"
    page = browser.new_page()
    page.goto(url + "?actor=sergei-shoigu")
    assert page.locator("#f-actor").input_value() == "sergei-shoigu"
    shoigu = page.locator("li.event:visible").count()
    total = page.locator("li.event").count()
    assert 0 < shoigu < total
    assert page.locator("#f-status").inner_text() == f"{shoigu} of {total} events"
    topics = [v for v in page.locator("#f-topic option").evaluate_all("os => os.map(o => o.value)") if v]
    page.select_option("#f-topic", topics[0])
    assert page.evaluate("location.search") == f"?actor=sergei-shoigu&topic={topics[0]}"
    both = page.locator("li.event:visible").count()
    page.select_option("#f-actor", "")
    assert page.evaluate("location.search") == f"?topic={topics[0]}"
    page.go_back()
    assert page.locator("#f-actor").input_value() == "sergei-shoigu"
    assert page.locator("li.event:visible").count() == both
    page.go_back()
    assert page.locator("#f-topic").input_value() == ""
    assert page.locator("li.event:visible").count() == shoigu
    page.go_forward()
    assert page.locator("#f-topic").input_value() == topics[0]
    page.goto(url + "?actor=no-such-actor")  # an id that is not in the list: the whole timeline
    assert page.locator("li.event:visible").count() == total
    page.close()


def test_print_hides_navigation_and_shows_link_urls(browser: Any, origin: str, tmp_path: Path) -> None:
    page = browser.new_page()
    page.goto(f"{origin}/example/{SUB}/actors/kim-jong-un/")
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('header nav')).display") == "none"
    after = page.evaluate("getComputedStyle(document.querySelector('.links a'), '::after').content")
    assert "wikipedia.org" in after
    pdf = page.pdf(path=str(tmp_path / "actor.pdf"), format="A4")
    assert pdf[:5] == b"%PDF-"
    page.close()


def graph_labels(page: Any) -> list[dict[str, Any]]:
    """Every text the map shows (a relation's type shows only on hover or focus: not counted here)."""
    return page.evaluate("""Array.from(document.querySelectorAll('svg.relations-graph text'))
        .filter(t => getComputedStyle(t).opacity !== '0').map(t => {
        const r = t.getBoundingClientRect();
        return {text: t.textContent, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom,
                size: parseFloat(getComputedStyle(t).fontSize) * (r.height > 0 ? 1 : 0)}; })""")


def overlaps(labels: list[dict[str, Any]]) -> list[tuple[str, str]]:
    found = []
    ordered = sorted(labels, key=lambda b: b["y0"])
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if b["y0"] >= a["y1"]:
                break
            if a["x0"] < b["x1"] and b["x0"] < a["x1"]:
                found.append((a["text"], b["text"]))
    return found


def write_big_site(root: Path, actors: int = 200, relations: int = 260) -> Path:
    rng = random.Random(2023)
    kinds = ["person", "state", "organization", "media"]
    words = ["North", "Eastern", "Grand", "Union", "Council", "Agency", "Institute", "Republic", "Fleet", "Bureau",
             "Ministry", "Front", "Party", "Press", "Radio", "League", "Bank", "Office"]
    lines = []
    for i in range(actors):
        name = " ".join(rng.choice(words) for _ in range(rng.randint(1, 4))) + f" {i}"
        lines.append(f"- {{id: a{i}, name: {name}, kind: {kinds[i % 4]}}}")
    (root / "content/actors").mkdir(parents=True)
    (root / "site.yaml").write_text("title: Two hundred actors\n")
    types = ["ally", "member-of", "counterpart", "rival", "funds", "reports-on", "advises"]
    rels: dict[int, list[str]] = {}
    for _ in range(relations):
        a, b = rng.sample(range(actors), 2)
        rels.setdefault(a, []).append(f"{{to: a{b}, type: {rng.choice(types)}}}")
    for i, entries in rels.items():
        lines[i] = lines[i][:-1] + f", relations: [{', '.join(entries)}]}}"
    (root / "content/actors/all.yaml").write_text("\n".join(lines) + "\n")
    return root


def node_boxes(page: Any) -> list[dict[str, Any]]:
    return page.evaluate("""Array.from(document.querySelectorAll('svg.relations-graph .g-node > :first-child'))
        .map(s => { const r = s.getBoundingClientRect();
                    return {text: 'node', x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; })""")


def connected_actors(site: Path) -> int:
    graph = check(site).graph
    assert graph is not None
    return len({i for i, ties in graph.relations.items() if ties})


@pytest.mark.parametrize("size", ["example", "200 actors"])
def test_graph_labels_never_overlap_and_stay_readable(browser: Any, sites: dict[str, Path], tmp_path: Path,
                                                      size: str) -> None:
    """The whole map, and each actor's map of its neighbourhood: no label over another label or a node, no
    text under 11 px; every actor with a relation is on the whole map (up to 200)."""
    if size == "example":
        out, site = sites["example"], EXAMPLE
        actor_pages = sorted(p.parent.name for p in (out / "actors").glob("*/index.html"))
    else:
        site = write_big_site(tmp_path / "big")
        out = tmp_path / "big-out"
        assert run_cli("build", str(site), "-o", str(out), "--quiet").code == 0
        graph = check(site).graph
        assert graph is not None
        actor_pages = sorted(graph.relations, key=lambda i: (-len(graph.relations[i]), i))[:12]
    with serve(out) as origin:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        found = {}
        for path in ["graph/", *(f"actors/{a}/" for a in actor_pages)]:
            page.goto(f"{origin}/{path}")
            labels = graph_labels(page)
            if path == "graph/":
                nodes = page.evaluate("document.querySelectorAll('svg.relations-graph .g-node').length")
                assert nodes == len(labels) == min(200, connected_actors(site))
            if labels:
                assert min(label["size"] for label in labels) >= 11, path
            found[path] = overlaps(labels + node_boxes(page))
        page.close()
    assert {p: o for p, o in found.items() if [pair for pair in o if pair != ("node", "node")]} == {}


def test_a_relation_shows_its_type_on_hover_and_on_keyboard_focus(browser: Any, origin: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{origin}/example/{SUB}/graph/")
    edge = page.locator("svg.relations-graph a.g-edge-link").first
    label = edge.locator(".g-edge-label")
    assert label.evaluate("t => getComputedStyle(t).opacity") == "0"
    edge.focus()
    assert label.evaluate("t => getComputedStyle(t).opacity") == "1"
    row = edge.get_attribute("href")
    assert row and page.locator(f"tr{row}").count() == 1  # the line leads to its row in the table
    assert edge.get_attribute("aria-label") == page.locator(f"tr{row}").evaluate(
        "tr => Array.from(tr.cells).slice(0, 3).map(c => c.textContent.trim()).join(' ')")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == row
    page.mouse.move(0, 0)
    page.locator("svg.relations-graph").scroll_into_view_if_needed()
    # The pointer on a bare stretch of another line (not where a name lies over it):
    spot = page.evaluate("""() => { for (const a of document.querySelectorAll('svg.relations-graph a.g-edge-link')) {
        if (a === document.activeElement) continue;
        const l = a.querySelector('line.g-edge'), m = l.getScreenCTM();
        for (const t of [0.3, 0.4, 0.5, 0.6, 0.7]) {
          const x = +l.getAttribute('x1') + t * (l.getAttribute('x2') - l.getAttribute('x1'));
          const y = +l.getAttribute('y1') + t * (l.getAttribute('y2') - l.getAttribute('y1'));
          const px = m.a * x + m.c * y + m.e, py = m.b * x + m.d * y + m.f;
          if (a.contains(document.elementFromPoint(px, py))) return {x: px, y: py, href: a.getAttribute('href')};
        } } return null; }""")
    assert spot is not None
    page.mouse.move(spot["x"], spot["y"])
    hovered = page.locator(f"svg.relations-graph a.g-edge-link[href='{spot['href']}'] .g-edge-label")
    assert hovered.evaluate("t => getComputedStyle(t).opacity") == "1"
    page.close()


def test_graph_layout_is_deterministic(tmp_path: Path) -> None:
    site = write_big_site(tmp_path / "big", actors=60, relations=80)
    for out in ("a", "b"):
        assert run_cli("build", str(site), "-o", str(tmp_path / out), "--quiet").code == 0
    assert (tmp_path / "a/graph/index.html").read_bytes() == (tmp_path / "b/graph/index.html").read_bytes()
    shutil.rmtree(tmp_path / "big")


MARKER_LINES = """() => [...document.querySelectorAll('sup.cite')].map(sup => {
  const before = document.createRange();
  let node = sup.previousSibling;
  while (node && !(node.textContent || '').trim()) node = node.previousSibling;
  if (!node) return null;
  const last = node.nodeType === 3 ? node : [...node.childNodes].filter(n => n.nodeType === 3).pop();
  const text = last ? last.textContent.replace(/\\s+$/, '') : '';
  if (!last || !text) return null;
  before.setStart(last, text.length - 1);
  before.setEnd(last, text.length);
  const word = before.getClientRects()[0], mark = sup.querySelector('a').getClientRects()[0];
  return Math.abs((word.top + word.bottom) / 2 - (mark.top + mark.bottom) / 2) < word.height;
}).filter(x => x !== null)"""


@pytest.mark.parametrize("name", ["example", "mutiny"])
def test_a_citation_marker_never_wraps_alone_onto_a_new_line(browser: Any, origin: str, sites: dict[str, Path],
                                                              name: str) -> None:
    """Every marker stays on the line of the word before it, at every width from a phone's up."""
    pages = [u for u in page_urls(sites[name], f"{origin}/{name}/{SUB}/") if "/articles/" in u]
    seen, apart = 0, []
    page = browser.new_page()
    for width in range(300, 801, 13):  # many widths, so that some line ends fall just before a marker
        page.set_viewport_size({"width": width, "height": 800})
        for url in pages:
            if page.url != url:
                page.goto(url)
            found = page.evaluate(MARKER_LINES)
            seen += len(found)
            apart += [(url, width) for same in found if not same]
    page.close()
    assert seen > 100 and apart == []


def entries_shown(page: Any) -> list[tuple[str, str]]:
    """(authority id, programme) of each designation the sanctions page shows."""
    return [(li.get_attribute("data-by") or "", li.get_attribute("data-program") or "")
            for li in page.locator("li.designation:visible").all()]


def test_the_sanctions_list_filters_by_authority_and_programme_from_the_address(browser: Any, origin: str) -> None:
    url = f"{origin}/sanctions/{SUB}/sanctions/"
    page = browser.new_page()
    page.goto(url + "?by=trade-office")
    total = page.locator("li.designation").count()
    shown = entries_shown(page)
    assert 0 < len(shown) < total and {by for by, _ in shown} == {"trade-office"}
    assert page.locator("#f-by").input_value() == "trade-office"
    status = page.locator("#f-status").inner_text()
    assert status == f"{len(shown)} of {total} designations shown: listed by Office of Trade Controls"
    page.goto(url + "?program=resolution%2012")  # any part of the programme, whatever its case
    assert {p for _, p in entries_shown(page)} == {"Resolution 12"}
    assert page.locator("#f-program").input_value() == "resolution 12"
    assert page.locator("#f-status").inner_text().endswith("under a programme that contains “resolution 12”")
    page.goto(url + "?by=trade-office&program=KAR-2")
    both = entries_shown(page)
    assert both and set(both) == {("trade-office", "KAR-2")}
    assert page.locator("#f-status").inner_text() == (f"{len(both)} of {total} designations shown: listed by Office "
                                                      "of Trade Controls, under a programme that contains “KAR-2”")
    clear = page.locator("#f-clear")
    assert clear.is_visible()
    clear.click()  # the way back to everything
    assert len(entries_shown(page)) == total and page.evaluate("location.search") == ""
    assert page.locator("#f-status").inner_text() == f"{total} designations" and not clear.is_visible()
    page.select_option("#f-by", "thessaria")
    assert page.evaluate("location.search") == "?by=thessaria"
    assert {by for by, _ in entries_shown(page)} == {"thessaria"}
    page.go_back()
    assert page.locator("#f-by").input_value() == "" and len(entries_shown(page)) == total
    page.goto(url + "?by=no-such-authority")  # an id the page does not know: everything, and no filter said
    assert len(entries_shown(page)) == total and page.locator("#f-status").inner_text() == f"{total} designations"
    page.close()
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(url + "?by=trade-office")  # without the script: every designation, and no form that does nothing
    assert len(entries_shown(page)) == total and not page.locator("#sanctions-filters").is_visible()
    ctx.close()


def test_the_sanctions_page_works_from_the_keyboard(browser: Any, origin: str) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(f"{origin}/sanctions/{SUB}/sanctions/")
    reached = []
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id || document.activeElement.className"))
        if reached[-1] == "f-program":
            break
    assert "matrix-scroll" in reached and "f-by" in reached and reached[-1] == "f-program"
    page.keyboard.type("kar-1")
    assert {p for _, p in entries_shown(page)} == {"KAR-1"}
    assert page.evaluate("location.search") == "?program=kar-1"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-clear"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "f-by"  # the button hid itself: focus stays in the form
    assert page.locator("li.designation:visible").count() == page.locator("li.designation").count()
    frame = page.locator(".matrix-scroll")
    frame.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    assert frame.evaluate("f => f.scrollLeft") > 0  # the matrix scrolls from the keyboard
    page.close()


def test_the_sanctions_matrix_scrolls_in_its_frame_at_375_px_with_a_cue_and_its_names_held(browser: Any,
                                                                                          origin: str) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(f"{origin}/sanctions/{SUB}/sanctions/")
    assert page.evaluate("document.documentElement.scrollWidth") == 375  # the page itself never scrolls sideways
    frame = page.locator(".matrix-scroll")
    assert frame.evaluate("f => f.scrollWidth > f.clientWidth")  # the matrix is wider: it scrolls in its frame
    assert page.locator(".matrix-hint").is_visible()  # and says so in words
    caption = page.locator(".sanctions-matrix caption").bounding_box()
    assert caption is not None and caption["x"] + caption["width"] <= 375
    name = page.locator(".sanctions-matrix tbody th").first
    before = name.bounding_box()
    frame.evaluate("f => { f.scrollLeft = f.scrollWidth; }")
    after = name.bounding_box()
    assert before is not None and after is not None and after["x"] == before["x"]  # the first column stays
    last = page.locator(".sanctions-matrix thead th").last.bounding_box()
    assert last is not None and last["x"] + last["width"] <= 375 + 1  # and the last authority can be reached
    for entry in page.locator("li.designation").all():  # the list below needs no scrolling at all
        box = entry.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    page.close()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{origin}/sanctions/{SUB}/sanctions/")
    assert page.locator(".matrix-scroll").evaluate("f => f.scrollWidth - f.clientWidth") == 0
    assert not page.locator(".matrix-hint").is_visible()  # the whole matrix shows: no hint
    page.emulate_media(media="print")
    assert page.locator(".matrix-hint").is_hidden()
    assert page.evaluate("getComputedStyle(document.querySelector('.sanctions-matrix tbody th')).position") == "static"
    page.close()
