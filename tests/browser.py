"""A local static server and headless Chromium (Debian's, driven by Playwright) for tests and screenshots."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NO_BROWSER = "BRIEFING_NO_BROWSER"
"""Set to a non-empty value, it skips every test that needs Chromium or the Nu HTML checker: the quick run of
CONTRIBUTING.md, on a machine without `.ci/install-tools`' tools. CI never sets it."""


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve `root` on a free port of 127.0.0.1; yields the origin, e.g. http://127.0.0.1:41234."""
    handler = functools.partial(QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def skip_without_browser(what: str) -> None:
    """Skip the test (or the fixture, and so every test that uses it) that calls this when NO_BROWSER is set."""
    if os.environ.get(NO_BROWSER):
        import pytest
        pytest.skip(f"{NO_BROWSER} is set: {what} not run")


@contextmanager
def chromium() -> Iterator[object]:
    skip_without_browser("Chromium")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def page_urls(out: Path, base: str, moved: bool = True) -> list[str]:
    """The URL of every HTML page in an output folder, as a reader would type it; without `moved`, not the
    pages at items' old addresses (`formerly`), which send the reader on at once (a check that runs
    after the page loads would run on the page it sends to, or be cut short by it)."""
    urls = []
    for path in sorted(out.rglob("*.html")):
        if not moved and 'http-equiv="refresh"' in path.read_text(encoding="utf-8", errors="replace"):
            continue
        rel = path.relative_to(out).as_posix()
        urls.append(base + (rel.removesuffix("index.html")))
    return urls
