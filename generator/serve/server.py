"""`briefing serve`: the command that builds, serves, watches and rebuilds until Ctrl-C."""

from __future__ import annotations

import errno
import shlex
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from livereload.handlers import LiveReloadHandler
from tornado import ioloop

from ..build.builder import Builder
from ..invocation import program
from .handlers import Guarded, ReloadScriptHandler, ReloadSocket, SiteHandler, StatusHandler, make_injector
from .hosts import WILDCARDS, Hosts
from .rebuild import Rebuilder, Status
from .watch import Watcher


class _NoWatcher:
    """livereload's handler wants a watcher; ours lives elsewhere (watch.py)."""

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
    app = _application(out, status, host, port)
    try:
        server = app.listen(port, address=host)
    except OSError as exc:
        shutil.rmtree(out.parent, ignore_errors=True)
        say(_cannot_listen(exc, root, host, port))
        return 1
    loop = ioloop.IOLoop.current()
    rebuilder = Rebuilder(Builder(root, out, drafts), status,
                          lambda: loop.add_callback(LiveReloadHandler.reload_waiters, "*"), say)
    watcher = Watcher(root, rebuilder.request)
    rebuilder.start()
    rebuilder.request()
    watcher.start()
    _greet(app, root, out, host, port, open_browser, say)
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


def _application(out: Path, status: Status, host: str, port: int) -> Guarded:
    """The preview's web application, with livereload's handler told that our watcher lives elsewhere."""
    LiveReloadHandler.watcher = _NoWatcher()
    LiveReloadHandler.live_css = False
    LiveReloadHandler._last_reload_time = time.time()
    return Guarded([
        (r"/livereload", ReloadSocket),
        (r"/_briefing/reload\.js", ReloadScriptHandler),
        (r"/_briefing/status", StatusHandler, {"status": status}),
        (r"/(.*)", SiteHandler, {"path": str(out), "default_filename": "index.html", "status": status}),
    ], transforms=[make_injector(status)], hosts=Hosts.of(host, port))


def _cannot_listen(exc: OSError, root: Path, host: str, port: int) -> str:
    """Why the server could not listen; for a port in use, a free one to try."""
    if exc.errno == errno.EADDRINUSE:
        other = free_port(host, port)
        hint = f"; try: {program()} serve {shlex.quote(str(root))} --port {other}" if other else ""
        return f"briefing: error: port {port} on {host} is already in use{hint}"
    return f"briefing: error: cannot listen on {host}:{port}: {exc.strerror}"


def _greet(app: Guarded, root: Path, out: Path, host: str, port: int, open_browser: bool,
           say: Callable[[str], None]) -> None:
    """Where the site is served, and the browser opened on it when asked."""
    url = f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"
    say(f"serving {root} on {url} from {out} (Ctrl-C to stop)")
    if host in WILDCARDS:
        say(f"answering requests for {app.settings['hosts'].shown()}")
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
