"""The web side of `briefing serve`: tornado handlers for the output, the reload script and socket, the
status, and the transform that adds the reload script and the overlay to every page."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from livereload.handlers import LiveReloadHandler
from tornado import httputil, web

from .hosts import Hosts
from .overlay import allow_overlay, error_page, overlay
from .rebuild import Status

RELOAD_SCRIPT = '<script src="/_briefing/reload.js?since={since}" defer></script>'
"""A file, not inline code, so a page's CSP (script-src falls back to default-src 'self') allows it as it is.
`since`: the rebuilds done when the page was served (Status.since)."""

RELOAD_JS = """// briefing serve: reload this page after each rebuild (the LiveReload protocol, version 7).
(function () {
  "use strict";
  var since = new URL(document.currentScript.src).searchParams.get("since");
  var scheme = location.protocol === "https:" ? "wss://" : "ws://";
  var leaving = false, missed = false;
  // A reload while the reader is leaving for another page would cut that navigation short: it waits,
  // and happens only if the reader is still here after all (a download, a navigation that failed).
  addEventListener("beforeunload", function () {
    leaving = true;
    setTimeout(function () {
      leaving = false;
      if (missed) { missed = false; location.reload(); }
    }, 5000);
  });
  function reload() {
    if (leaving) { missed = true; } else { location.reload(); }
  }
  function caughtUp() {
    // A rebuild that finished while this page loaded, before its socket opened, was announced to
    // nobody: the server's count of rebuilds tells.
    fetch("/_briefing/status", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (s.since !== since) { reload(); }
    }).catch(function () {});
  }
  function connect() {
    var socket = new WebSocket(scheme + location.host + "/livereload");
    socket.onopen = function () {
      socket.send(JSON.stringify({command: "hello", protocols: ["http://livereload.com/protocols/official-7"]}));
    };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.command === "hello") {
        socket.send(JSON.stringify({command: "info", url: location.href, plugins: {}}));
        caughtUp();
      } else if (message.command === "reload") {
        reload();
      }
    };
    socket.onclose = function () { setTimeout(connect, 1000); };  // the server restarting
  }
  connect();
})();
"""
"""Replaces livereload.js, which loses a reload sent while the page is still loading."""


class HostRefused(web.RequestHandler):
    """The answer to a request for a host this server is not (see Hosts)."""

    def prepare(self) -> None:
        hosts: Hosts = self.settings["hosts"]
        self.set_status(403)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(f"briefing serve answers only requests for {hosts.shown()}: this request named another "
                    "host (its Host header).\n")


class Guarded(web.Application):
    """The preview's application: a request for another host than this server gets HostRefused, whatever
    its path (the reload socket included)."""

    def find_handler(self, request: httputil.HTTPServerRequest, **kwargs: Any) -> web._HandlerDelegate:
        if not self.settings["hosts"].allow(request.host):
            return self.get_handler_delegate(request, HostRefused)
        return super().find_handler(request, **kwargs)


class ReloadSocket(LiveReloadHandler):  # type: ignore[misc]
    """livereload's socket, opened only by pages of this server, and deaf to messages it cannot read."""

    def check_origin(self, origin: str) -> bool:
        hosts: Hosts = self.settings["hosts"]
        return hosts.allow_origin(origin, self.request.host)

    def on_message(self, message: str | bytes) -> None:
        try:
            data = json.loads(message)
        except ValueError:  # UnicodeDecodeError too
            return
        if isinstance(data, dict) and isinstance(data.get("command"), str):
            super().on_message(message)


class SiteHandler(web.StaticFileHandler):
    """The output folder, never anything outside it; with the reload script and, while the last
    rebuild failed, the error overlay in every page."""

    status: Status

    def initialize(self, path: str, default_filename: str | list[str] | None = None,  # type: ignore[override]
                   status: Status | None = None) -> None:
        super().initialize(path, default_filename if isinstance(default_filename, str) else None)
        assert status is not None
        self.status = status

    def set_extra_headers(self, path: str) -> None:
        self.set_header("Cache-Control", "no-store")

    def should_return_304(self) -> bool:
        return False

    def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
        try:
            inside = Path(absolute_path).resolve().is_relative_to(Path(root).resolve())
        except (OSError, ValueError, RuntimeError):  # a name the file system cannot take, a symlink loop
            inside = False
        if not inside:
            raise web.HTTPError(404)
        found = super().validate_absolute_path(root, absolute_path)
        if found is not None:
            self._read(found)
        return found

    def _read(self, path: str) -> None:
        """The file's bytes and stat, from one open file: a rebuild that replaces it meanwhile (os.replace)
        leaves this request with one whole version, where tornado's stat, then read, could announce one
        version's length and send the other's bytes (a page cut short, or the connection dropped)."""
        try:
            with open(path, "rb") as f:
                self._stat_result = os.fstat(f.fileno())
                self._data = f.read()
        except OSError:
            raise web.HTTPError(404) from None

    def get_content_size(self) -> int:
        return len(self._data)

    def get_content(self, abspath: str, start: int | None = None, end: int | None = None) -> bytes:  # type: ignore[override]
        return self._data[start:end]

    def compute_etag(self) -> str | None:
        return None  # (tornado's reads the file again; every response is no-store, and never a 304)

    async def get(self, path: str, include_body: bool = True) -> None:
        if "\0" in path:  # /%00: no file has such a name, and os functions raise on it
            raise web.HTTPError(400)
        info = self.status.snapshot()
        if not info["built"]:
            self.set_status(503)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(error_page(self.status.problems))
            return
        await super().get(path, include_body)
        with self.status.lock:
            self.status.served = time.perf_counter()

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        page = Path(self.root) / "404.html"
        self.set_header("Content-Type", "text/html; charset=utf-8")
        if status_code == 404 and page.is_file():
            self.finish(page.read_bytes())
        else:
            self.finish(f"<!DOCTYPE html><title>{status_code}</title><p>{status_code}</p>")


class ReloadScriptHandler(web.RequestHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/javascript; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(RELOAD_JS)


class StatusHandler(web.RequestHandler):
    status: Status

    def initialize(self, status: Status) -> None:
        self.status = status

    def get(self) -> None:
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(self.status.snapshot()))


def make_injector(status: Status) -> type[web.OutputTransform]:
    class Inject(web.OutputTransform):
        """Adds the reload script to every HTML page, and the overlay while the last rebuild failed. A page's
        CSP is loosened only then, and only for the overlay's style: the reload script needs nothing."""

        def __init__(self, request: httputil.HTTPServerRequest) -> None:
            super().__init__(request)
            self.script = RELOAD_SCRIPT.format(since=status.since()).encode()

        def transform_first_chunk(self, status_code: int, headers: Any, chunk: bytes,
                                  finishing: bool) -> tuple[int, Any, bytes]:
            if "html" not in headers.get("Content-Type", ""):
                return status_code, headers, chunk
            with status.lock:
                failed = status.built and not status.ok
                problems = status.problems
            size = len(chunk)
            head = chunk.find(b"</head>")
            if head >= 0:
                chunk = chunk[:head] + self.script + chunk[head:]
            body = chunk.find(b"<body")
            body = chunk.find(b">", body) + 1 if body >= 0 else 0
            if failed and body > 0:
                box = overlay(problems, "briefing: the last rebuild failed; showing the last good build").encode()
                chunk = allow_overlay(chunk[:body]) + box + chunk[body:]
            if "Content-Length" in headers:
                headers["Content-Length"] = str(int(headers["Content-Length"]) + len(chunk) - size)
            return status_code, headers, chunk
    return Inject
