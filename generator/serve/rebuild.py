"""What changed (classify), and the rebuilds it asks for: at most one running and one queued (Rebuilder),
with what the last one left (Status)."""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..base.errors import Location, Problem, SiteError, error
from ..base.processes import kept_run, sweep, thaw
from ..build.builder import Builder, Built
from ..build.workers import Cancelled
from ..build.write import OutputRefused
from ..content.load import ignored

SOURCES = ("content", "templates", "static")
CONTENT_SUFFIXES = (".md", ".yaml", ".yml")
"""The files under content/ that the build reads: the log names these (a change to any other file there is
rebuilt all the same, since the build warns of it, but an editor's temporary file is not news)."""


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
        """Waits for a request, lets open pages fetch what was written first, then runs one rebuild for
        every change asked for so far; collects every cycle once when nothing was asked for a while."""
        swept = True
        while True:
            if not self._woken(swept):  # idle: the one slow collection, while nobody waits for a page
                if not swept:
                    sweep()
                    swept = True
                continue
            self._settle(self._previewed)
            taken = self._take()
            if taken is None:
                return
            with kept_run():
                self._rebuild(*taken)
            with self._cond:
                self._running = None
            swept = False

    def _woken(self, swept: bool) -> bool:
        """Whether a rebuild was asked for (or stop()); False after IDLE_SWEEP seconds without, when the
        last rebuild was not swept up after yet."""
        with self._cond:
            if not self._wanted and not self._stop:
                self._cond.wait(timeout=None if swept else IDLE_SWEEP)
            wanted = self._wanted
        return wanted or self._stop

    def _take(self) -> tuple[set[tuple[ChangeKind, str]], threading.Event] | None:
        """The changes asked for so far, and the cancel event of the run that reads them; None once stopped.
        Taken after the settling: saves made meanwhile are read by this run, not the next."""
        with self._cond:
            if self._stop:
                thaw()
                return None
            changes, self._pending, self._wanted = self._pending, set(), False
            cancel = self._running = threading.Event()
        return changes, cancel

    def _rebuild(self, changes: set[tuple[ChangeKind, str]], cancel: threading.Event) -> None:
        """One run of the builder, its outcome reported and kept in the status; then open pages reload."""
        started = time.perf_counter()
        try:
            built = self.builder.run(cancel)
        except Cancelled:  # a page written first, or stop(): nothing written; the next run reads the newest sources
            self._again(changes)
            return
        except SiteError as exc:
            failed = f"rebuild failed: still serving the last good build ({_what(changes)})"
            self._failed(exc.problems, [*map(str, exc.problems), failed], started)
        except OutputRefused as exc:
            self._failed((error(Location("build"), str(exc)),), [f"briefing: error: {exc}"], started)
        except OSError as exc:  # a full disk, say: the next run, after the next save, may succeed
            self._failed((error(Location("build"), f"cannot write the site: {exc}"),),
                         [f"briefing: error: cannot write the site: {exc}"], started)
        else:
            self._rebuilt(built, changes, started)
        self.runs += 1
        self.on_done()

    def _again(self, changes: set[tuple[ChangeKind, str]]) -> None:
        """The changes of a run that stopped, asked for again."""
        with self._cond:
            self._pending |= changes
            self._wanted = True

    def _failed(self, problems: Iterable[Problem], lines: Iterable[str], started: float) -> None:
        """A run that failed: the status shows its problems (the overlay), the log says why."""
        self._finish(False, problems, started)
        for line in lines:
            self.report(line)

    def _rebuilt(self, built: Built, changes: set[tuple[ChangeKind, str]], started: float) -> None:
        """A run that succeeded: its warnings when they are news, and a summary line."""
        self._finish(True, built.problems, started)
        if built.problems != self._warned:  # the same warnings again would drown the news
            for p in built.problems:
                self.report(str(p))
            self._warned = built.problems
        self.report(f"rebuilt {built.rendered} of {built.pages} pages, {built.written.changed} files written "
                    f"in {time.perf_counter() - started:.2f}s ({_what(changes)})")

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
