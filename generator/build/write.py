"""Stage 5, write: rendered files into the output folder, atomically, leaving nothing stale."""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MARKER = ".briefing-output"
"""Written into every output folder: the build only ever replaces a folder holding it."""


CACHE = ".briefing-cache"
"""Under the site; safe to delete (the next build is a full one). Git-ignored by `briefing new`. The build
prunes it (stamp.py), so no output may be in it, and it may not be in an output (which a build empties)."""


class OutputRefused(Exception):
    """The output folder is one the build must not touch."""


@dataclass(frozen=True, slots=True)
class Written:
    files: int
    """Files in the output."""
    changed: int
    """Files written because they were new or different."""
    removed: int
    """Stale files removed."""
    touched: tuple[str, ...] | None = None
    """The paths written or removed, when some files were swapped into an output that was there (see
    stamp.patched); None when the output was made whole."""


def empty(folder: Path) -> bool:
    with os.scandir(folder) as entries:
        return not any(entries)


def check_output(out: Path, site_root: Path) -> None:
    """Refuse a folder briefing did not make, and any folder that holds or sits in the site's sources."""
    out_real, root_real = Path(os.path.realpath(out)), Path(os.path.realpath(site_root))
    if out_real == root_real or root_real.is_relative_to(out_real):
        raise OutputRefused(f"refusing to write into {out}: it contains the site itself")
    cache = Path(os.path.realpath(site_root / CACHE))
    if out_real.is_relative_to(cache):
        raise OutputRefused(f"refusing to write into {out}: it is {'' if out_real == cache else 'inside '}the "
                            f"site's build cache ({CACHE}/), which each build prunes; choose another folder, "
                            "such as the default SITE/build")
    if cache.is_relative_to(out_real):
        raise OutputRefused(f"refusing to write into {out}: it holds the site's build cache ({cache}), which "
                            "a build would delete; choose another folder")
    for source in ("content", "templates", "static"):
        if out_real.is_relative_to(root_real / source):
            where = "" if out_real == root_real / source else "inside "
            raise OutputRefused(f"refusing to write into {out}: it is {where}the site's {source}/ folder")
    if out.exists() and not out.is_dir():
        raise OutputRefused(f"refusing to write into {out}: it is a file")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise OutputRefused(f"refusing to write into {out}: it is not empty and briefing did not make it "
                            f"(no {MARKER} file); choose an empty or new folder")


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """Held while a build writes into `out` (a lock on the folder itself, so no lock file is left
    anywhere): a second build of the same output stops at once with a clear message instead of
    mixing its files with the first one's."""
    made = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputRefused(f"another briefing build is writing into {out} right now; "
                                "run this one again when it has finished") from None
        try:
            yield
        finally:
            if made and not any(out.iterdir()):
                out.rmdir()  # a build that failed leaves no trace
    finally:
        os.close(fd)


def staging(out: Path) -> Path:
    """A new empty folder beside the output (same file system, so files move atomically)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    for old in out.parent.glob(f".{out.name}.tmp-*"):  # left by a build that was killed
        if (old / MARKER).is_file():
            shutil.rmtree(old, ignore_errors=True)
    while True:  # not mkdtemp: its folder is private (0700), and the output is made of this folder's contents
        tmp = out.parent / f".{out.name}.tmp-{secrets.token_hex(4)}"
        try:
            tmp.mkdir()  # 0777 less the umask, as mkdir would make the output folder
            break
        except FileExistsError:
            continue
    (tmp / MARKER).write_text("This folder is made by briefing; each build replaces its contents.\n")
    return tmp


def put(tmp: Path, rel: str, data: bytes) -> None:
    """A staged file, by its descriptor: open(), a buffered file, costs 6 system calls where this takes
    3, and a build stages thousands of files (each call is 15-100 µs on this machine kind's disks)."""
    folder, _, name = f"{tmp}/{rel}".rpartition("/")
    _folder(folder)
    fd = os.open(f"{folder}/{name}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


@lru_cache(maxsize=1 << 14)
def _folder(path: str) -> None:
    """Make a folder once per process (a staging folder's name is new for every build): one mkdir()
    where the parent exists, which is the usual case (makedirs looks first)."""
    try:
        os.mkdir(path)
    except FileNotFoundError:
        os.makedirs(path, exist_ok=True)
    except FileExistsError:
        if not os.path.isdir(path):
            raise


def commit(tmp: Path, out: Path, keep: set[str] | None = None, present: Iterable[str] | None = None) -> Written:
    """Move every staged file into `out` (each replace atomic), then remove what a clean build would not have.

    `keep`: every file of the finished output, when only some of them were staged (an incremental
    build, or one that staged only what differs from the output); by default, the staged files are the
    whole output. A first build moves the staging folder into place whole, or its contents into an empty
    output folder, which keeps its own mode, owner and group (a web server may read it as another user).
    `present`: the files the output holds now, when known (stamp.files_of): what is stale is found without
    listing the output again (6,200 folders at 5,000 articles)."""
    if not out.exists() or not any(out.iterdir()):
        count = len(keep) if keep is not None else sum(1 for _ in _files(tmp))  # keep: what was staged, here
        if not out.exists():
            out.parent.mkdir(parents=True, exist_ok=True)
            os.rename(tmp, out)
        else:
            for name in sorted(os.listdir(tmp)):
                os.rename(tmp / name, out / name)
            tmp.rmdir()
        return Written(count, count, 0)
    new = sorted(_files(tmp))
    changed = 0
    ready: set[Path] = set()
    for rel in new:
        src, dst = tmp / rel, out / rel
        if dst.parent not in ready:
            _make_room(out, dst)
            ready.add(dst.parent)
        elif dst.is_dir() and not dst.is_symlink():
            shutil.rmtree(dst)
        if dst.is_file() and _same(src, dst):
            continue
        os.replace(src, dst)
        changed += 1
    keep = set(new) if keep is None else keep | set(new)
    stale = [rel for rel in (_files(out) if present is None else sorted(present)) if rel not in keep]
    for rel in stale:
        with suppress(FileNotFoundError):  # (present: known, not listed)
            (out / rel).unlink()
        _prune_empty(out, (out / rel).parent)
    shutil.rmtree(tmp, ignore_errors=True)
    return Written(len(keep), changed, len(stale), (*new, *stale))


def replace_file(path: Path, data: bytes) -> None:
    """One file of the output, swapped in whole: a reader sees the old bytes or the new ones."""
    tmp = path.with_name(f".{path.name}.briefing-new")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def same_as(out: Path | None, rel: str, data: bytes) -> bool:
    """Whether the output already holds these bytes at `rel` (then a build need not stage them); None for
    an output known to be empty, where nothing is looked for."""
    if out is None:
        return False
    try:
        fd = os.open(f"{out}/{rel}", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        size = len(data)
        if os.fstat(fd).st_size != size:
            return False
        found = os.read(fd, size + 1)
        while len(found) < size:  # a short read
            more = os.read(fd, size + 1 - len(found))
            if not more:
                break
            found += more
        return found == data
    except OSError:
        return False
    finally:
        os.close(fd)


def discard(tmp: Path) -> None:
    shutil.rmtree(tmp, ignore_errors=True)


def _files(root: Path) -> Iterator[str]:
    """Every file under `root` as a relative POSIX path, sorted (by strings: pathlib per file cost a
    tenth of a second per thousand files)."""
    top = os.fspath(root)
    for folder, dirs, names in os.walk(top):
        dirs.sort()
        prefix = folder[len(top) + 1:].replace(os.sep, "/")
        for name in sorted(names):
            yield f"{prefix}/{name}" if prefix else name


def _make_room(out: Path, dst: Path) -> None:
    """A file where a folder must go (or the reverse) is in the way of the new layout."""
    for parent in reversed(dst.relative_to(out).parents[:-1]):
        p = out / parent
        if p.is_file() or p.is_symlink():
            p.unlink()
    dst.parent.mkdir(parents=True, exist_ok=True)
    if dst.is_dir() and not dst.is_symlink():
        shutil.rmtree(dst)


def _same(a: Path, b: Path) -> bool:
    return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()


def _prune_empty(root: Path, folder: Path) -> None:
    """Remove `folder` and its parents up to `root` while they are empty (a removed page's folder)."""
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:  # not empty, or already gone
            return
        folder = folder.parent
