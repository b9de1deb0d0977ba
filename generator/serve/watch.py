"""Watches site.yaml and the source folders (watchfiles), and hands each burst of changes on, classified."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import watchfiles

from .rebuild import SOURCES, ChangeKind, classify

WATCH_STEP_MS = 10
"""A burst of changes is over when the watcher sees none for this long (an editor's save is one write,
or a write and a rename, well within it); bursts that run longer are coalesced by the Rebuilder."""


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
