"""A build with nothing changed does nothing: every input and output file stamped by stat() alone.

Light on purpose (no Jinja, Markdown or YAML): `briefing build` asks it first, and imports the
rest of the generator only when something has changed."""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..base.errors import Location, Problem
from ..content.inputs import RACY_NS, Inputs, Stamps
from ..pages.builtin_theme import THEME
from .write import CACHE, check_output, locked

FORMAT = 11
"""Bumped whenever what the cache holds changes meaning, so a new release never trusts an old cache."""


@dataclass(frozen=True, slots=True)
class Unchanged:
    """What the last build of the same site, output and options found, when nothing has changed since."""

    pages: int
    files: int
    problems: tuple[Problem, ...]


def inputs_now(root: Path) -> Inputs:
    return Inputs(time.time_ns(), stamps(root))


def last_build(root: Path, out: Path, drafts: bool, inputs: Inputs) -> Unchanged | None:
    """The last build's summary when no input and no output file has changed since; None when there
    is none or something changed. Raises OutputRefused for an output folder the build must not touch."""
    if not out.is_dir():
        return None
    check_output(out, root)
    with locked(out):
        return unchanged(root, out, drafts, inputs.stamps)


def stamps(root: Path) -> Stamps:
    """Every input of a build by stat() alone: site.yaml, content, templates, static files, the theme.
    Taken before a build reads anything, so an edit made while it runs is a change to the next one.
    A superset of what load reads (hidden files, links out of the site) is fine: it only rebuilds more."""
    found: Stamps = {}
    for name in ("site.yaml", "site.yml"):
        with contextlib.suppress(OSError):
            found[name] = _stat(root / name)
    for folder in ("content", "templates", "static"):
        _scan(str(root / folder), folder + "/", found, frozenset())
    _scan(str(THEME), "(theme)/", found, frozenset())
    return found


def _scan(folder: str, prefix: str, found: Stamps, seen: frozenset[str], folders: bool = False) -> None:
    try:
        entries = os.scandir(folder)
    except OSError:
        return
    with entries:
        for entry in entries:
            try:
                if entry.is_dir():
                    inside = seen
                    if entry.is_symlink():  # a symlink loop is walked once
                        real = os.path.realpath(entry.path)
                        if real in seen:
                            continue
                        inside = seen | {real}
                    if folders:
                        st = entry.stat()
                        found[prefix + entry.name + "/"] = (st.st_mtime_ns, st.st_size, st.st_ino)
                    _scan(entry.path, prefix + entry.name + "/", found, inside, folders)
                else:
                    st = entry.stat()
                    found[prefix + entry.name] = (st.st_mtime_ns, st.st_size, st.st_ino)
            except OSError:
                continue


def unchanged(root: Path, out: Path, drafts: bool, inputs: Stamps) -> Unchanged | None:
    """The last build's summary when no input and no output file has changed since; None otherwise."""
    try:
        with open(_stamp_file(root, out, drafts), "rb") as f:
            saved = marshal.loads(f.read())  # marshal.load(f) reads in small pieces: 8x slower here
        if (saved["key"] != build_key(out, drafts) or saved["inputs"] != inputs
                or not outputs_unchanged(out, saved["outputs"])):
            return None
        problems = tuple(Problem(Location(*loc), severity, message) for loc, severity, message in saved["problems"])
        return Unchanged(saved["pages"], files_in(saved["outputs"]), problems)
    except (OSError, EOFError, ValueError, TypeError, KeyError):
        return None


def remember(root: Path, out: Path, drafts: bool, inputs: Stamps, outputs: Stamps, pages: int,
             problems: Sequence[Problem], taken: int) -> None:
    """Stamp a finished build, whose inputs were stamped at `taken` (time.time_ns()) and which left the
    output as `outputs` (output_stamps)."""
    stamp = _stamp_file(root, out, drafts)
    forget(root, out, drafts)
    if any(mtime >= taken - RACY_NS for mtime, _, _ in inputs.values()):
        return
    saved = {"key": build_key(out, drafts), "inputs": inputs, "outputs": outputs, "pages": pages,
             "problems": [((p.location.path, p.location.line, p.location.column), p.severity, p.message)
                          for p in problems]}
    try:
        stamp.parent.mkdir(exist_ok=True)
        temporary = stamp.with_suffix(".tmp")
        temporary.write_bytes(marshal.dumps(saved))
        os.replace(temporary, stamp)
    except OSError:
        pass  # a read-only site still builds, only without the shortcut


def forget(root: Path, out: Path, drafts: bool) -> None:
    with contextlib.suppress(OSError):
        _stamp_file(root, out, drafts).unlink()


def build_key(out: Path, drafts: bool) -> str:
    """What the stamp is valid for: this output and options, this cache format, Python and briefing's code
    (its files' stamps, so an upgrade or an edit of an editable install never reuses an old build)."""
    code = sorted(_modules(os.path.dirname(os.path.dirname(__file__))))
    return f"{FORMAT}\0{sys.version}\0{out.resolve()}\0{drafts}\0{code}"


def _modules(folder: str, prefix: str = "") -> Iterator[tuple[str, tuple[int, int, int]]]:
    """Every module of the package in `folder` and of its sub-packages, with its stamp. A folder without an
    __init__.py (the theme, __pycache__) holds no code: not walked (a third of the time of rglob)."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.endswith(".py") and entry.is_file():
                stat = entry.stat()
                yield prefix + entry.name, (stat.st_mtime_ns, stat.st_size, stat.st_ino)
            elif entry.is_dir() and os.path.exists(os.path.join(entry.path, "__init__.py")):
                yield from _modules(entry.path, prefix + entry.name + "/")


def _stamp_file(root: Path, out: Path, drafts: bool) -> Path:
    return cache_file(root, out, drafts, ".stamp")


KEPT_OUTPUTS = 4
"""Output folders (with their options) whose stamp and state the cache keeps: the most recently built."""


def prune(root: Path) -> None:
    """Forget all but the KEPT_OUTPUTS most recently built outputs (a state is tens of MB on a big site,
    and a build into a new temporary folder each time would otherwise leave one each time)."""
    with contextlib.suppress(OSError):
        newest: dict[str, int] = {}
        files = list(os.scandir(root / CACHE))
        for entry in files:
            digest = entry.name.split(".", 1)[0]
            newest[digest] = max(newest.get(digest, 0), entry.stat().st_mtime_ns)
        kept = set(sorted(newest, key=lambda d: newest[d], reverse=True)[:KEPT_OUTPUTS])
        for entry in files:
            if entry.name.split(".", 1)[0] not in kept:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def cache_file(root: Path, out: Path, drafts: bool, suffix: str) -> Path:
    """Where the cache keeps something about the builds of this output with these options."""
    digest = hashlib.sha256(f"{out.resolve()}\0{drafts}".encode()).hexdigest()[:16]
    return root / CACHE / f"{digest}{suffix}"


ROOT = "./"
"""The output folder's own key among its stamps (a folder's key ends with /)."""


def output_stamps(out: Path) -> Stamps:
    """Every file and folder of the output, by path (a folder's with a trailing /). The folders are there
    so that outputs_unchanged() can tell a file added or removed from the stamps of the paths it knows."""
    found: Stamps = {}
    with contextlib.suppress(OSError):
        found[ROOT] = _stat(out)
    _scan(str(out), "", found, frozenset(), folders=True)
    return found


def outputs_unchanged(out: Path, stamps: Stamps) -> bool:
    """Whether the output is as output_stamps() found it, by a stat() of each path it found, where a new
    scan lists every folder too (6,200 of them at 5,000 articles: 0.13 s against 0.05 s). A file changed
    in place changes its own stamp; a file added, removed or renamed changes its folder's modification
    time, which is stamped."""
    top = os.fspath(out)
    try:
        for rel, stamp in stamps.items():
            st = os.stat(top if rel == ROOT else f"{top}/{rel}")
            if (st.st_mtime_ns, st.st_size, st.st_ino) != stamp:
                return False
    except OSError:
        return False
    return ROOT in stamps


def files_of(stamps: Stamps) -> list[str]:
    """The files among output_stamps(): the rest are folders."""
    return [rel for rel in stamps if not rel.endswith("/")]


def files_in(stamps: Stamps) -> int:
    return len(files_of(stamps))


def patched(out: Path, before: Stamps, touched: Iterable[str]) -> Stamps:
    """output_stamps(out) after a commit that wrote or removed only the `touched` files of an output that
    `before` stamps: each of them and each folder on their way is stamped again (a file added or removed
    changes its folder's time), where a new scan would stat the whole output (0.25 s at 5,000 articles)."""
    found = dict(before)
    top = os.fspath(out)
    again = {ROOT}
    for rel in touched:
        again.add(rel)
        parts = rel.split("/")
        again.update("/".join(parts[:n]) + "/" for n in range(1, len(parts)))
    replaced = []
    for rel in again:
        try:
            st = os.stat(top if rel == ROOT else f"{top}/{rel}")
        except OSError:  # removed
            found.pop(rel, None)
            continue
        found[rel] = (st.st_mtime_ns, st.st_size, st.st_ino)
        # a file where a folder was, or the reverse (a page's address changed its form)
        other = rel[:-1] if rel.endswith("/") else rel + "/"
        if other in found and rel != ROOT:
            replaced.append(other)
    for gone in replaced:
        for key in [k for k in found if k.startswith(gone)] if gone.endswith("/") else [gone]:
            del found[key]
    return found


def _stat(path: Path) -> tuple[int, int, int]:
    st = os.stat(path)
    return st.st_mtime_ns, st.st_size, st.st_ino
