"""Every page carries a strict Content Security Policy in a meta tag and still works under it in Chromium:
over HTTP, from disk (file:, pretty_urls: false) and through `briefing serve`, which loosens a served page's
policy only for its error overlay's style and never touches the built files."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from browser import chromium, page_urls, serve
from conftest import EXAMPLE, SITES
from test_serve import TIMEOUT, Served, free_port

from generator.base.errors import Location, error
from generator.build.builder import build
from generator.serve.overlay import OVERLAY_SOURCE, OVERLAY_STYLE, POLICY, error_page, with_style_source

STRICT = "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
"""The policy of every page but 404.html, which adds its own style's hash."""
RESOURCES = {"link", "script", "style", "img", "iframe", "object", "embed", "video", "audio", "source", "svg"}
LISTEN = """window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(
    `${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} in ${e.sourceFile}:${e.lineNumber} ${e.sample}`));"""
STYLED = """(() => { const skip = document.querySelector('a.skip');
    return skip ? getComputedStyle(skip).position === 'absolute'
                : getComputedStyle(document.querySelector('main')).maxWidth === '640px'; })()"""
"""True when the page's style applied: briefing.css positions the skip link; 404's <style> caps main at 40rem."""


class Scan(HTMLParser):
    """What a page holds that a CSP governs."""

    def __init__(self) -> None:
        super().__init__()
        self.policies: list[str] = []
        self.before_policy: list[str] = []
        """Elements that load or apply something, met before the first CSP meta."""
        self.in_head = False
        self.policy_in_head = False
        self.inline_scripts = 0
        self.styles = 0
        self.inline: list[str] = []
        """style= and on*= attributes, javascript: URLs."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "head":
            self.in_head = True
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "content-security-policy":
            self.policies.append(values.get("content") or "")
            self.policy_in_head = self.policy_in_head or self.in_head
        elif tag in RESOURCES and not self.policies:
            self.before_policy.append(tag)
        if tag == "script" and not values.get("src"):
            self.inline_scripts += 1
        if tag == "style":
            self.styles += 1
        for name, value in attrs:
            if name == "style" or name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.inline.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False


def scan(path: Path) -> Scan:
    s = Scan()
    s.feed(path.read_text(encoding="utf-8"))
    s.close()
    return s


def directives(policy: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}


def style_hash(page: bytes) -> str:
    """The CSP source for the one <style> of a page: sha256 of the exact text between its tags."""
    found = re.findall(rb"<style>(.*?)</style>", page, re.DOTALL)
    assert len(found) == 1
    return "'sha256-" + base64.b64encode(hashlib.sha256(found[0]).digest()).decode() + "'"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The full site, the example, the sanctions sample, and the full site and the sanctions sample with
    pretty_urls: false (made to be opened from disk)."""
    root = tmp_path_factory.mktemp("csp")
    flat = root / "flat-site"
    shutil.copytree(SITES / "full", flat)
    config = (flat / "site.yaml").read_text(encoding="utf-8")
    assert "pretty_urls: true" in config
    (flat / "site.yaml").write_text(config.replace("pretty_urls: true", "pretty_urls: false"), encoding="utf-8")
    flat_sanctions = Path(shutil.copytree(SITES / "sanctions", root / "flat-sanctions"))
    with (flat_sanctions / "site.yaml").open("a", encoding="utf-8") as f:
        f.write("pretty_urls: false\n")
    out = {}
    for name, site in (("full", SITES / "full"), ("example", EXAMPLE), ("flat", flat),
                       ("sanctions", SITES / "sanctions"), ("flat-sanctions", flat_sanctions)):
        build(site, root / "www" / name)
        out[name] = root / "www" / name
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def html_files(built: dict[str, Path]) -> list[Path]:
    files = sorted(p for out in built.values() for p in out.rglob("*.html"))
    assert len(files) > 60
    return files


def test_every_page_has_one_strict_policy_before_anything_it_loads(built: dict[str, Path]) -> None:
    for path in html_files(built):
        s = scan(path)
        assert len(s.policies) == 1, path
        assert s.policy_in_head and s.before_policy == [], path
        if path.name == "404.html":
            got = directives(s.policies[0])
            assert got.pop("style-src") == [style_hash(path.read_bytes())], path
            assert got == directives(STRICT), path
        else:
            assert s.policies[0] == STRICT, path


def test_serve_writes_its_own_pages_under_the_theme_policy() -> None:
    assert POLICY == STRICT


def test_404_policy_allows_exactly_its_inline_style(built: dict[str, Path]) -> None:
    for out in built.values():
        page = (out / "404.html").read_bytes()
        style = re.search(rb"<style>(.*?)</style>", page, re.DOTALL)
        assert style
        digest = base64.b64encode(hashlib.sha256(style[1]).digest()).decode()
        assert f"style-src 'sha256-{digest}';".encode() in page


def test_built_html_has_no_inline_script_and_no_style_attribute(built: dict[str, Path]) -> None:
    for path in html_files(built):
        s = scan(path)
        assert s.inline_scripts == 0, path
        assert s.inline == [], path
        assert s.styles == (1 if path.name == "404.html" else 0), path


def moving(out: Path, url: str) -> bool:
    """A page at an old address (formerly), which moves on as it loads (followed in test_desk_fields.py)."""
    rel = url.split(f"/{out.name}/", 1)[1]
    path = out / rel / "index.html" if rel.endswith("/") or not rel else out / rel
    return 'http-equiv="refresh"' in path.read_text()


def visit(page: Any, url: str) -> list[str]:
    """Open `url`; every CSP violation, page error and console error it caused."""
    found: list[str] = []

    def console(m: Any) -> None:
        favicon = m.location.get("url", "").endswith("/favicon.ico")  # 404.html has no icon: a server's root may
        if m.type == "error" and not favicon:
            found.append(f"console: {m.text}")
    page.on("console", console)
    page.on("pageerror", lambda e: found.append(f"page error: {e}"))
    page.goto(url)
    page.wait_for_load_state("load")
    found += page.evaluate("window.__violations")
    page.remove_listener("console", console)
    if not page.evaluate(STYLED):
        found.append("its style did not apply")
    return found


@pytest.mark.parametrize("name", ["full", "example", "sanctions"])
def test_every_page_works_under_its_policy_over_http(browser: Any, built: dict[str, Path], name: str) -> None:
    page = browser.new_page()
    page.add_init_script(LISTEN)
    with serve(built[name].parent) as origin:
        urls = [u for u in page_urls(built[name], f"{origin}/{name}/") if not moving(built[name], u)]
        problems = {url: found for url in urls if (found := visit(page, url))}
    page.close()
    assert problems == {}


def test_every_page_works_under_its_policy_from_disk(browser: Any, built: dict[str, Path]) -> None:
    """Chromium matches 'self' on a file: page against other file: URLs, so the theme's CSS, script and icon
    load when the site is opened from disk; nothing needs loosening for it."""
    page = browser.new_page()
    page.add_init_script(LISTEN)
    paths = sorted(p for p in built["flat"].rglob("*.html") if 'http-equiv="refresh"' not in p.read_text())
    assert any(p.name == "timeline.html" or p.parent.name == "timeline" for p in paths)
    problems = {p.as_uri(): found for p in paths if (found := visit(page, p.as_uri()))}
    page.close()
    assert problems == {}


def check_timeline_filter(page: Any, url: str) -> None:
    page.goto(url)
    total = page.locator("li.event").count()
    assert page.locator("#timeline-filters").is_visible()  # timeline.js ran: it unhides the form
    actor = page.locator("#f-actor option").nth(1).get_attribute("value")
    page.select_option("#f-actor", actor)
    expected = page.evaluate("a => Array.from(document.querySelectorAll('li.event')).filter("
                             "li => li.dataset.actors.split(' ').includes(a)).length", actor)
    visible = page.locator("li.event:visible").count()
    assert 0 < visible == expected < total
    assert page.locator("#f-status").inner_text() == f"{visible} of {total} events"
    assert page.evaluate("window.__violations") == []


@pytest.mark.parametrize("name", ["full", "example"])
def test_timeline_filter_still_filters_over_http(browser: Any, built: dict[str, Path], name: str) -> None:
    page = browser.new_page()
    page.add_init_script(LISTEN)
    with serve(built[name].parent) as origin:
        check_timeline_filter(page, f"{origin}/{name}/timeline/")
    page.close()


def test_timeline_filter_still_filters_from_disk(browser: Any, built: dict[str, Path]) -> None:
    page = browser.new_page()
    page.add_init_script(LISTEN)
    timeline = built["flat"] / "timeline.html"
    check_timeline_filter(page, (timeline if timeline.is_file() else built["flat"] / "timeline/index.html").as_uri())
    page.close()


def check_sanctions_filter(page: Any, url: str) -> None:
    page.goto(url + "?by=trade-office")
    assert page.locator("#sanctions-filters").is_visible()  # sanctions.js ran: it unhides the form
    total = page.locator("li.designation").count()
    visible = page.locator("li.designation:visible")
    assert 0 < visible.count() < total
    assert {visible.nth(i).get_attribute("data-by") for i in range(visible.count())} == {"trade-office"}
    assert page.locator("#f-status").inner_text().startswith(f"{visible.count()} of {total} designations shown")
    assert page.evaluate("window.__violations") == []


def test_sanctions_filter_still_filters_over_http_and_from_disk(browser: Any, built: dict[str, Path]) -> None:
    page = browser.new_page()
    page.add_init_script(LISTEN)
    with serve(built["sanctions"].parent) as origin:
        check_sanctions_filter(page, f"{origin}/sanctions/sanctions/")
    check_sanctions_filter(page, (built["flat-sanctions"] / "sanctions/index.html").as_uri())
    page.close()


def test_relations_graph_is_drawn_and_styled_under_the_policy(browser: Any, built: dict[str, Path]) -> None:
    page = browser.new_page()
    page.add_init_script(LISTEN)
    with serve(built["example"].parent) as origin:
        page.goto(f"{origin}/example/graph/")
        box = page.locator("svg.relations-graph").bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100
        assert page.locator("svg.relations-graph .g-node-label").count() > 5
        assert page.evaluate("getComputedStyle(document.querySelector('svg .g-edge')).fill") == "none"
        assert page.evaluate("window.__violations") == []
    page.close()


def test_style_source_is_added_where_a_browser_looks_for_it() -> None:
    src = "'sha256-x'"
    assert with_style_source(STRICT, src) == ("default-src 'self'; style-src 'self' 'sha256-x'; object-src 'none'; "
                                              "base-uri 'none'; form-action 'self'")
    assert with_style_source("default-src 'none'; style-src 'sha256-a'", src) == \
        "default-src 'none'; style-src 'sha256-a' 'sha256-x'"
    assert with_style_source("style-src 'none'; style-src-elem 'self'", src) == \
        "style-src 'none'; style-src-elem 'self' 'sha256-x'"
    assert with_style_source("default-src 'none'", src) == "default-src 'none'; style-src 'sha256-x'"
    assert with_style_source("style-src 'self' 'unsafe-inline'", src) == "style-src 'self' 'unsafe-inline'"
    assert with_style_source("img-src 'self'", src) == "img-src 'self'"


def test_build_failed_page_shows_its_styled_overlay_under_its_policy(browser: Any, tmp_path: Path) -> None:
    shown = tmp_path / "failed.html"
    shown.write_text(error_page([error(Location("site.yaml", 1, 1), "title is required")]), encoding="utf-8")
    page = browser.new_page()
    page.add_init_script(LISTEN)
    page.goto(shown.as_uri())
    assert page.evaluate("getComputedStyle(document.getElementById('briefing-errors')).position") == "fixed"
    assert "site.yaml:1:1: error: title is required" in page.inner_text("#briefing-errors")
    assert page.evaluate("window.__violations") == []
    page.close()


def served_policy(url: str) -> tuple[str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            body: bytes = r.read()
    except urllib.error.HTTPError as e:
        body = e.read()
    m = re.search(rb'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', body)
    assert m, url
    return m[1].decode(), body


def test_served_pages_reload_and_show_the_overlay_without_violation(browser: Any,
                                                                    tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site)
    served = Served(site, free_port())
    try:
        served.wait(1)
        page = browser.new_page()
        page.add_init_script(LISTEN)
        logged: list[str] = []
        page.on("console", lambda m: logged.append(m.text))
        sockets: list[str] = []
        frames: list[str] = []

        def socket(ws: Any) -> None:
            sockets.append(ws.url)
            ws.on("framereceived", lambda payload: frames.append(str(payload)))
        page.on("websocket", socket)
        url = served.url + "actors/petra-lind/"

        policy, body = served_policy(url)
        assert policy == STRICT  # a good build is served under the policy it was built with
        assert re.search(rb'<script src="/_briefing/reload\.js\?since=\d+-\d+" defer></script>', body)
        page.goto(url)
        deadline = time.time() + TIMEOUT / 1000
        while not any('"hello"' in f for f in frames) and time.time() < deadline:
            page.wait_for_timeout(50)  # the reload script connected and the server answered its handshake
        assert sockets == [f"ws://127.0.0.1:{served.port}/livereload"]
        assert any('"hello"' in f for f in frames)
        assert page.evaluate("window.__violations") == []

        actor = site / "content/actors/people/petra-lind.yaml"
        actor.write_text(actor.read_text(encoding="utf-8").replace("kind: person", "kind: [person"), encoding="utf-8")
        page.wait_for_selector("#briefing-errors", timeout=TIMEOUT)  # the reload script brought it
        assert page.evaluate("getComputedStyle(document.getElementById('briefing-errors')).position") == "fixed"
        assert page.evaluate("window.__violations") == []
        assert directives(served_policy(url)[0]) == {**directives(STRICT), "style-src": ["'self'", OVERLAY_SOURCE]}
        assert OVERLAY_STYLE.encode() in served_policy(url)[1]

        missing = served.url + "no/such/page/"
        styles = directives(served_policy(missing)[0])["style-src"]
        assert styles == [style_hash((served.out / "404.html").read_bytes()), OVERLAY_SOURCE]
        page.goto(missing)
        page.wait_for_selector("#briefing-errors")
        assert page.evaluate(STYLED)
        assert page.evaluate("window.__violations") == []

        for path in served.out.rglob("*.html"):  # what serve writes stays as strict as a build
            text = path.read_text(encoding="utf-8")
            assert "livereload" not in text and "briefing-errors" not in text and OVERLAY_SOURCE not in text
        assert [m for m in logged if "Content Security Policy" in m] == []
        page.close()
    finally:
        assert served.stop() == 0
