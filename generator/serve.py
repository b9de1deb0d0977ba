"""`briefing serve`: build, serve the output, watch the sources, rebuild what changed, reload open pages.

Two traps of the livereload package are avoided by design: its own file watcher (which drops a
change made within 3 s of the last reload and reports one changed file per poll) is not used.
Sources are watched with watchfiles, every burst of changes becomes at most one rebuild (one
running, one queued), and open pages are told to reload only after a rebuild has committed. Nor is
its livereload.js: a reload sent while a page was still loading never reached it (RELOAD_JS)."""

from __future__ import annotations

import base64
import enum
import errno
import hashlib
import html
import ipaddress
import json
import os
import re
import shlex
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import webbrowser
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import watchfiles
from livereload.handlers import LiveReloadHandler
from tornado import httputil, ioloop, web

from .base.errors import Location, Problem, SiteError, error
from .base.processes import kept_run, sweep, thaw
from .build.builder import Builder
from .build.workers import Cancelled
from .build.write import OutputRefused
from .content.load import ignored
from .invocation import program

SOURCES = ("content", "templates", "static")
CONTENT_SUFFIXES = (".md", ".yaml", ".yml")
"""The files under content/ that the build reads: the log names these (a change to any other file there is
rebuilt all the same, since the build warns of it, but an editor's temporary file is not news)."""
WATCH_STEP_MS = 10
"""A burst of changes is over when the watcher sees none for this long (an editor's save is one write,
or a write and a rename, well within it); bursts that run longer are coalesced by the Rebuilder."""


class ChangeKind(enum.Enum):
    CONFIG = "config"
    CONTENT = "content"
    TEMPLATES = "templates"
    STATIC = "static"


def classify(root: Path, path: str) -> ChangeKind | None:
    """What a changed path is, by where it lies; None for files the build never reads."""
    try:
        rel = Path(path).relative_to(root)
    except ValueError:
        return None
    static = rel.parts[0] == "static" if rel.parts else False
    if any(ignored(part, hidden=not static) for part in rel.parts):  # the build copies static dotfiles
        return None
    if rel.as_posix() == "site.yaml":
        return ChangeKind.CONFIG
    if rel.parts and rel.parts[0] in SOURCES and len(rel.parts) > 1:
        return ChangeKind(rel.parts[0])
    if rel.parts and rel.parts[0] in SOURCES:  # the folder itself appeared or went
        return ChangeKind(rel.parts[0])
    return None


@dataclass
class Status:
    """What the last rebuild left: shared by the rebuild thread and the web handlers."""

    ok: bool = False
    built: bool = False
    """A good build exists in the output folder."""
    problems: tuple[Problem, ...] = ()
    generation: int = 0
    """Rebuilds finished, good or bad."""
    last_seconds: float = 0.0
    previews: int = 0
    """Edited articles written ahead of their rebuild (Builder.preview)."""
    preview_seconds: float = 0.0
    served: float = 0.0
    """When the last file was served (time.perf_counter())."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def since(self) -> str:
        """The rebuilds done so far, as a page served now records them (see RELOAD_JS)."""
        with self.lock:
            return self._since()

    def _since(self) -> str:
        return f"{self.generation}-{self.previews}"

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"ok": self.ok, "built": self.built, "generation": self.generation,
                    "seconds": round(self.last_seconds, 4),
                    "previews": self.previews, "preview_seconds": round(self.preview_seconds, 4),
                    "since": self._since(), "problems": [str(p) for p in self.problems]}


IDLE_SWEEP = 20.0
"""Seconds without a change after which the rebuild thread collects every cycle (processes.sweep)."""
SETTLE_QUIET, SETTLE_MAX = 0.05, 0.4
"""After an edited article is written ahead of its rebuild (see Rebuilder._settle)."""


class Rebuilder:
    """Runs rebuilds on its own thread: at most one running and one queued, whatever the burst.

    An edit to one article's body preempts: its page is written at once on the thread that reports the
    change (Builder.preview), even while a run is under way; that run stops at its next check, writing
    nothing, and the next one starts from the newest sources. Nothing else preempts: any other change
    waits for the run under way, so a run is only ever given up for a page that is already served. While
    such edits come faster than a run takes, only the edited pages change; the first run that starts
    after the last of them finishes (docs/serve.md, "Saves during a rebuild", "Nothing starves")."""

    def __init__(self, builder: Builder, status: Status, on_done: Callable[[], None],
                 report: Callable[[str], None]) -> None:
        self.builder, self.status, self.on_done, self.report = builder, status, on_done, report
        self._pending: set[tuple[ChangeKind, str]] = set()
        self._wanted = False
        self._stop = False
        self._cond = threading.Condition()
        self._running: threading.Event | None = None
        """The cancel event of the run under way: set to stop it at its next page, writing nothing."""
        self._previewed = 0.0
        """When a page was last written ahead of its rebuild (time.perf_counter())."""
        self._thread = threading.Thread(target=self._loop, name="briefing-rebuild", daemon=True)
        self._warned: tuple[Problem, ...] = ()
        self.runs = 0

    def start(self) -> None:
        self._thread.start()

    def request(self, changes: Iterable[tuple[ChangeKind, str]] = ()) -> None:
        """A rebuild for these changes (none: the first build). An edited article's page is written first,
        on the caller's thread, and stops the run under way."""
        changes = set(changes)
        started = time.perf_counter()
        written = len(changes) == 1 and self._preview(changes, started)
        with self._cond:
            self._pending.update(changes)
            self._wanted = True
            if written and self._running is not None:
                self._running.set()  # it would stop anyway before it commits (Builder.run): sooner is better
            self._cond.notify()

    def stop(self) -> None:
        """Returns when no rebuild is running any more, so the output folder can go."""
        with self._cond:
            self._stop = True
            if self._running is not None:
                self._running.set()
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join()

    def _loop(self) -> None:
        swept = True
        while True:
            with self._cond:
                if not self._wanted and not self._stop:
                    self._cond.wait(timeout=None if swept else IDLE_SWEEP)
                wanted = self._wanted
            if not wanted and not self._stop:  # idle: the one slow collection, while nobody waits for a page
                if not swept:
                    sweep()
                    swept = True
                continue
            self._settle(self._previewed)
            with self._cond:
                if self._stop:
                    thaw()
                    return
                # Taken after the settling: saves made meanwhile are read by this run, not the next.
                changes, self._pending, self._wanted = self._pending, set(), False
                cancel = self._running = threading.Event()
            with kept_run():
                self._rebuild(changes, cancel)
            with self._cond:
                self._running = None
            swept = False

    def _rebuild(self, changes: set[tuple[ChangeKind, str]], cancel: threading.Event) -> None:
        started = time.perf_counter()
        try:
            built = self.builder.run(cancel)
        except Cancelled:  # a page written first, or stop(): nothing written; the next run reads the newest sources
            with self._cond:
                self._pending |= changes
                self._wanted = True
            return
        except SiteError as exc:
            self._finish(False, exc.problems, started)
            for p in exc.problems:
                self.report(str(p))
            self.report(f"rebuild failed: still serving the last good build ({_what(changes)})")
        except OutputRefused as exc:
            self._finish(False, (error(Location("build"), str(exc)),), started)
            self.report(f"briefing: error: {exc}")
        except OSError as exc:  # a full disk, say: the next run, after the next save, may succeed
            self._finish(False, (error(Location("build"), f"cannot write the site: {exc}"),), started)
            self.report(f"briefing: error: cannot write the site: {exc}")
        else:
            self._finish(True, built.problems, started)
            if built.problems != self._warned:  # the same warnings again would drown the news
                for p in built.problems:
                    self.report(str(p))
                self._warned = built.problems
            self.report(f"rebuilt {built.rendered} of {built.pages} pages, {built.written.changed} files written "
                        f"in {time.perf_counter() - started:.2f}s ({_what(changes)})")
        self.runs += 1
        self.on_done()

    def _preview(self, changes: set[tuple[ChangeKind, str]], started: float) -> bool:
        """One article's body edited: its page written at once and open pages told to reload."""
        [(kind, path)] = changes
        if kind is not ChangeKind.CONTENT or not path.endswith(".md"):
            return False
        try:
            written = self.builder.preview(Path(path))
        except Exception as exc:  # noqa: BLE001 - on the watcher's thread, which must go on; the full run follows
            self.report(f"briefing: {Path(path).name} could not be written ahead of the rebuild: {exc}")
            return False
        if written is None:
            return False
        written_at = time.perf_counter()
        with self.status.lock:
            self.status.previews += 1
            self.status.preview_seconds = written_at - started
        self._previewed = written_at
        self.on_done()
        return True

    def _settle(self, since: float) -> None:
        """Let open pages fetch what was written first before the next run takes the interpreter: until
        files were served since and none for SETTLE_QUIET seconds, or SETTLE_MAX seconds at most, and at
        most half the last run's time (a short run delays a fetch little, and the whole site must catch
        up within twice a run's time of the last save)."""
        with self.status.lock:
            last = self.status.last_seconds
        deadline = since + (min(SETTLE_MAX, last / 2) if last > 0 else SETTLE_MAX)
        while (now := time.perf_counter()) < deadline and not self._stop:
            with self.status.lock:
                served = self.status.served
            if served > since and now - served > SETTLE_QUIET:
                return
            time.sleep(0.01)

    def _finish(self, ok: bool, problems: Iterable[Problem], started: float) -> None:
        with self.status.lock:
            self.status.ok = ok
            self.status.built = self.status.built or ok
            self.status.problems = tuple(problems) if not ok else ()
            self.status.generation += 1
            self.status.last_seconds = time.perf_counter() - started


def _what(changes: set[tuple[ChangeKind, str]]) -> str:
    if not changes:
        return "first build"
    names = sorted({Path(p).name for kind, p in changes
                    if kind is not ChangeKind.CONTENT or Path(p).suffix in CONTENT_SUFFIXES or not Path(p).suffix})
    if not names:
        return "content folder changed"
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "") + " changed"


class Watcher:
    """Watches site.yaml and the source folders with watchfiles; restarts when a source folder appears."""

    def __init__(self, root: Path, on_change: Callable[[set[tuple[ChangeKind, str]]], None]) -> None:
        self.root, self.on_change = root, on_change
        self.stop_event = threading.Event()
        self._restart = threading.Event()
        self._threads = [threading.Thread(target=self._top, name="briefing-watch-top", daemon=True),
                         threading.Thread(target=self._folders, name="briefing-watch", daemon=True)]

    def start(self) -> None:
        for t in self._threads:
            t.start()

    def stop(self) -> None:
        self.stop_event.set()
        self._restart.set()
        for t in self._threads:
            t.join(timeout=10)

    def _emit(self, changes: set[tuple[watchfiles.Change, str]]) -> None:
        found = {(kind, path) for _, path in changes if (kind := classify(self.root, path)) is not None}
        if found:
            self.on_change(found)

    def _top(self) -> None:
        """The site folder itself, not recursively: site.yaml, and source folders coming or going."""
        for changes in watchfiles.watch(self.root, recursive=False, stop_event=self.stop_event,
                                        debounce=150, step=WATCH_STEP_MS, raise_interrupt=False):
            if any(Path(p).name in SOURCES for _, p in changes):
                self._restart.set()
            self._emit(changes)

    def _folders(self) -> None:
        while not self.stop_event.is_set():
            self._restart.clear()
            folders = [self.root / s for s in SOURCES if (self.root / s).is_dir()]
            if not folders:
                self._restart.wait()
                continue
            stop = _AnyEvent(self.stop_event, self._restart)
            for changes in watchfiles.watch(*folders, stop_event=stop, debounce=150, step=WATCH_STEP_MS,
                                            raise_interrupt=False):
                self._emit(changes)


class _AnyEvent:
    """Set when either event is set (watchfiles polls is_set())."""

    def __init__(self, *events: threading.Event) -> None:
        self.events = events

    def is_set(self) -> bool:
        return any(e.is_set() for e in self.events)


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

POLICY = "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
"""The theme's CSP (generator/theme/base.html), for the page serve writes itself."""

OVERLAY_STYLE = ("#briefing-errors{position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;"
                 "margin:0;padding:1rem 1.25rem;background:#2b0d0d;color:#fff;"
                 "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;border-top:4px solid #ff5c5c}"
                 "#briefing-errors p{margin:0 0 .5rem;font-weight:700}#briefing-errors ul{margin:0;padding-left:1.25rem}")
OVERLAY_SOURCE = "'sha256-" + base64.b64encode(hashlib.sha256(OVERLAY_STYLE.encode()).digest()).decode() + "'"
"""The overlay's <style> as a CSP source: added to a served page's policy while the overlay shows, never to a file."""

CSP_META = re.compile(rb"<meta\b[^>]*\bhttp-equiv=[\"']?content-security-policy\b[^>]*>", re.IGNORECASE)
CSP_CONTENT = re.compile(rb'\bcontent="([^"]*)"', re.IGNORECASE)


def overlay(problems: Iterable[Problem], title: str) -> str:
    """The error overlay shown on every open page while a rebuild fails. Its style comes with it (no theme
    needed) in a <style> element, which a CSP can allow by hash; style attributes it could not."""
    lines = "".join(f"<li>{html.escape(str(p))}</li>" for p in problems)
    return (f'<div id="briefing-errors" role="alert"><style>{OVERLAY_STYLE}</style>'
            f'<p>{html.escape(title)}</p><ul>{lines}</ul></div>')


def with_style_source(policy: str, source: str) -> str:
    """`policy` with `source` also allowed for <style> elements, and nothing else loosened."""
    directives = [d.split() for d in policy.split(";") if d.strip()]
    names = [d[0].lower() for d in directives]
    found = [n for n in ("style-src-elem", "style-src", "default-src") if n in names]  # a browser's lookup order
    if not found:
        return policy
    i = names.index(found[0])
    sources = [s for s in directives[i][1:] if s.lower() != "'none'"]
    lowered = [s.lower() for s in sources]
    if "'unsafe-inline'" in lowered and not any(s.startswith(("'sha", "'nonce-")) for s in lowered):
        return policy  # inline style is allowed already; adding a hash would switch 'unsafe-inline' off
    if found[0] == "default-src":
        directives.insert(i + 1, ["style-src", *sources, source])
    else:
        directives[i] = [directives[i][0], *sources, source]
    return "; ".join(" ".join(d) for d in directives)


def allow_overlay(head: bytes) -> bytes:
    """`head` with every CSP meta tag in it allowing the overlay's style."""
    def relax(content: re.Match[bytes]) -> bytes:
        policy = with_style_source(html.unescape(content[1].decode("utf-8", "replace")), OVERLAY_SOURCE)
        return b'content="' + policy.replace("&", "&amp;").replace('"', "&quot;").encode() + b'"'
    return CSP_META.sub(lambda tag: CSP_CONTENT.sub(relax, tag[0], count=1), head)


def error_page(problems: Iterable[Problem]) -> str:
    policy = with_style_source(POLICY, OVERLAY_SOURCE)
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\"><title>Build failed</title></head>"
            "<body><main><h1>The site could not be built yet</h1><p>Fix the problems below; this page "
            "shows the site as soon as they are fixed.</p></main>"
            + overlay(problems, "briefing: the build failed") + "</body></html>")


WILDCARDS = ("", "0.0.0.0", "::")
"""Listen addresses meaning every interface."""


@dataclass(frozen=True, slots=True)
class Hosts:
    """The names a request may give for this server in its Host header, and the pages that may open the
    reload socket. Any site can make a name of its own point at 127.0.0.1 (DNS rebinding) and have the
    writer's browser fetch the preview, or open /livereload from one of its pages: those are refused."""

    names: frozenset[str]
    """Lowercase, without a trailing dot, IPv6 addresses in brackets: as _host() gives a Host header's name."""
    port: int

    @classmethod
    def of(cls, host: str, port: int) -> Hosts:
        """The address `host` (or the name) the server listens on, and localhost when that is a loopback
        address; for every address (0.0.0.0, ::), the machine's own names and addresses too, as far as the
        standard library can tell. (A page cannot make a browser send an address it is not at: only a name
        can be made to point elsewhere.)"""
        names = {host} if host not in WILDCARDS else {host, socket.gethostname(), socket.getfqdn(), "127.0.0.1", "::1"}
        names |= {a for n in list(names) for a in _addresses(n)}
        if host in WILDCARDS:
            names |= _routed()
        if any(_loopback(n) for n in names):
            names.add("localhost")
        return cls(frozenset(filter(None, map(_host, names))), port)

    def allow(self, authority: str) -> bool:
        """Whether a Host header (name, then maybe :port) names this server; any port, as a forwarded one may
        differ from the port it listens on."""
        return _split(authority)[0] in self.names

    def allow_origin(self, origin: str, authority: str) -> bool:
        """Whether a page of `origin` may open the reload socket of a request with this Host header: one of
        this server's names, on the port it listens on or the request's own."""
        try:
            parts = urlsplit(origin)
            port = parts.port or 80
        except ValueError:
            return False
        return (parts.scheme == "http" and _host(parts.hostname or "") in self.names
                and port in (self.port, _split(authority)[1]) and not parts.path)

    def shown(self) -> str:
        return ", ".join(f"{n}:{self.port}" for n in sorted(self.names, key=lambda n: (n != "localhost", n)))


def _split(authority: str) -> tuple[str | None, int]:
    """A Host header as (name as in Hosts.names, port); (None, 0) when it is not one."""
    name, colon, port = authority.rpartition(":") if not authority.endswith("]") else ("", "", "")
    if not colon:
        name, port = authority, "80"
    if not port.isascii() or not port.isdigit() or name.count(":") and not name.startswith("["):
        return None, 0
    return _host(name), int(port)


def _host(name: str) -> str | None:
    """A host name or address in one spelling: lowercase, no trailing dot, IPv6 in brackets without a zone."""
    name = name.lower().removesuffix(".")
    bare = name[1:-1] if name.startswith("[") and name.endswith("]") else name
    try:
        address = ipaddress.ip_address(bare.partition("%")[0])
    except ValueError:
        return name if name and ":" not in name and "[" not in name else None
    return f"[{address.compressed}]" if address.version == 6 else address.compressed


def _loopback(name: str) -> bool:
    try:
        return ipaddress.ip_address(name.strip("[]").partition("%")[0]).is_loopback
    except ValueError:
        return False


def _addresses(name: str) -> set[str]:
    try:
        return {str(info[4][0]) for info in socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)}
    except (OSError, UnicodeError):
        return set()


def _routed() -> set[str]:
    """This machine's address on its default routes: a datagram socket connected to a documentation address
    is given one (nothing is sent)."""
    found = set()
    for family, probe in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.connect((probe, 9))
                found.add(str(s.getsockname()[0]))
        except OSError:
            pass
    return found


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


class _NoWatcher:
    """livereload's handler wants a watcher; ours lives elsewhere (see the module docstring)."""

    def __init__(self) -> None:
        self._tasks = {"briefing": None}
        self._changes: list[Any] = []
        self.filepath = None

    def start(self, callback: Any) -> bool:
        return True

    def examine(self) -> tuple[None, None]:
        return None, None


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def free_port(host: str, start: int) -> int | None:
    for port in range(start + 1, start + 50):
        with socket.socket() as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
            return port
    return None


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False,
          drafts: bool = False, report: Callable[[str], None] | None = None) -> int:
    """Serve until Ctrl-C; returns the exit status."""
    say = report or (lambda line: print(line, file=sys.stderr, flush=True))
    out = Path(tempfile.mkdtemp(prefix="briefing-serve-")) / "site"
    status = Status()
    LiveReloadHandler.watcher = _NoWatcher()
    LiveReloadHandler.live_css = False
    LiveReloadHandler._last_reload_time = time.time()
    app = Guarded([
        (r"/livereload", ReloadSocket),
        (r"/_briefing/reload\.js", ReloadScriptHandler),
        (r"/_briefing/status", StatusHandler, {"status": status}),
        (r"/(.*)", SiteHandler, {"path": str(out), "default_filename": "index.html", "status": status}),
    ], transforms=[make_injector(status)], hosts=Hosts.of(host, port))
    try:
        server = app.listen(port, address=host)
    except OSError as exc:
        shutil.rmtree(out.parent, ignore_errors=True)
        if exc.errno == errno.EADDRINUSE:
            other = free_port(host, port)
            hint = f"; try: {program()} serve {shlex.quote(str(root))} --port {other}" if other else ""
            say(f"briefing: error: port {port} on {host} is already in use{hint}")
            return 1
        say(f"briefing: error: cannot listen on {host}:{port}: {exc.strerror}")
        return 1
    loop = ioloop.IOLoop.current()
    rebuilder = Rebuilder(Builder(root, out, drafts), status,
                          lambda: loop.add_callback(LiveReloadHandler.reload_waiters, "*"), say)
    watcher = Watcher(root, rebuilder.request)
    rebuilder.start()
    rebuilder.request()
    watcher.start()
    url = f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"
    say(f"serving {root} on {url} from {out} (Ctrl-C to stop)")
    if host in WILDCARDS:
        say(f"answering requests for {app.settings['hosts'].shown()}")
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` and service managers stop it as cleanly as Ctrl-C
    try:
        loop.start()
    except KeyboardInterrupt:
        say("stopping")
    finally:
        watcher.stop()
        rebuilder.stop()
        server.stop()
        shutil.rmtree(out.parent, ignore_errors=True)
    return 0
