"""Stage 1, load: files on disk -> raw records, each with the place it was written."""

from __future__ import annotations

import hashlib
import os
import re
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from ..base.errors import Location, Problem, error, warning
from ..base.processes import forked
from .inputs import RACY_NS, Inputs
from .model import COLLECTIONS, Md
from .yamlnodes import CONTROL_RE, Node, controls_removed, parse

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One item as written: a YAML mapping (or an article's front matter) and its place."""

    collection: str
    fields: Node
    """A mapping node."""
    location: Location
    default_id: str | None
    """The file's stem when the file holds one item, so `id` may be left out."""
    body: Md | None = None
    """An article's Markdown body."""


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RawSite(Generic[T]):
    root: Path
    config: Node | None
    """site.yaml, or None when it is missing or unreadable (a problem says which)."""
    records: tuple[T, ...]
    """Each record as load's caller converted it (validate.entry_of: its item, without its YAML nodes)."""
    problems: tuple[Problem, ...]
    unreadable: frozenset[str] = frozenset()
    """Ids held by files that could not be read or parsed (the stem, and every `id:` line of the
    text), so that a broken file is reported once, not again as an unknown id everywhere it is used."""


RACY = (-1, -1, -1)
"""The stamp kept for a file that changed within RACY_NS of being read: equal to no file's stamp."""

CacheEntry = tuple[tuple[int, int, int], bytes, list[T], list[Problem], frozenset[str]]
FileCache = dict[str, CacheEntry[T]]
"""path (as a string: 14,850 Path objects took 0.2 s to unpickle from the build cache) -> (stat stamp, digest of its bytes, converted records, problems, ids it held if unreadable): a
later run re-reads only files whose size, modification time or inode changed, and re-parses only files
whose bytes changed (two quick saves can share a modification time: a file changed within RACY_NS of
the run is read again by the next)."""


def load(root: Path, convert: Callable[[RawRecord], T], cache: FileCache[T] | None = None,
         jobs: int = 1, inputs: Inputs | None = None) -> RawSite[T]:
    """Read site.yaml and every collection under content/, each record passed through `convert` as soon as
    its file is parsed (so the cache keeps what the caller needs, not YAML nodes), files read and parsed
    on `jobs` processes; never raises for bad content. `inputs`: the files' stamps, when the caller took
    them just before (`briefing build` does, see stamp.py), so that no file is stat()ed twice."""
    problems: list[Problem] = []
    config = _load_config(root, problems)
    content = root / "content"
    started = time.time_ns() if inputs is None else inputs.taken
    stamped = inputs.stamps if inputs is not None else {}
    files: list[tuple[Path, str, tuple[int, int, int]]] = []
    if content.is_dir():
        for path, collection in _content_files(root, content, problems):
            stamp = stamped.get(rel(root, path))
            if stamp is None:
                try:
                    st = path.stat()
                    stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
                except OSError:
                    stamp = (0, 0, 0)
            files.append((path, collection, stamp))
    old = cache if cache is not None else {}
    keys = [os.fspath(path) for path, _, _ in files]
    todo = [i for i, (_, _, stamp) in enumerate(files) if (hit := old.get(keys[i])) is None or hit[0] != stamp]

    def read(n: int) -> tuple[CacheEntry[T] | None, list[Problem]]:
        path, collection, stamp = files[todo[n]]
        return _read(root, path, collection, stamp, started, old.get(keys[todo[n]]), convert)
    found: dict[int, tuple[CacheEntry[T] | None, list[Problem]]] = {}
    for part, results in forked(read, len(todo), jobs):
        found.update((todo[n], result) for n, result in zip(part, results, strict=True))
    fresh: FileCache[T] = {}
    records: list[T] = []
    unreadable: set[str] = set()
    for i, key in enumerate(keys):
        if i in found:
            entry, read_problems = found[i]
            problems.extend(read_problems)
            if entry is None:
                continue
        else:
            entry = old[key]
        fresh[key] = entry
        unreadable.update(entry[4])
        records.extend(entry[2])
        problems.extend(entry[3])
    if cache is not None:
        cache.clear()
        cache.update(fresh)
    return RawSite(root, config, tuple(records), tuple(problems), frozenset(unreadable))


def read_again(root: Path, rel: str, collection: str, inputs: Inputs,
               convert: Callable[[RawRecord], T]) -> tuple[CacheEntry[T] | None, list[Problem]]:
    """One content file that load() read last time, read and parsed as load() would read it now."""
    return _read(root, root / rel, collection, inputs.stamps[rel], inputs.taken, None, convert)


def _read(root: Path, path: Path, collection: str, stamp: tuple[int, int, int], started: int,
          hit: CacheEntry[T] | None, convert: Callable[[RawRecord], T]) -> tuple[CacheEntry[T] | None, list[Problem]]:
    """A file's cache entry, read again (None when it cannot be read, with the problems saying why)."""
    problems: list[Problem] = []
    data = _read_bytes(root, path, problems, stamp[1] if stamp[0] else None)
    if data is None:
        return None, problems
    if stamp[0] >= started - RACY_NS:  # it may change again unseen by its stamp: not kept
        stamp = RACY
    key = hashlib.blake2b(data, digest_size=16).digest()
    if hit is not None and hit[1] == key:
        return (stamp, *hit[1:]), problems
    found: list[Problem] = []
    records = _load_file(root, path, data, collection, found)
    lost = frozenset(_probable_ids(path, data)) if not records and any(
        p.severity == "error" for p in found) else frozenset()
    return (stamp, key, [convert(r) for r in records], found, lost), problems


def load_file(root: Path, path: Path) -> tuple[list[RawRecord], list[Problem]]:
    """One content file on its own, as load() reads it (`briefing serve` shows an edited article first)."""
    problems: list[Problem] = []
    path = root / os.path.relpath(path, root)  # as load() names it, for the places in problems
    data = _read_bytes(root, path, problems)
    if data is None:
        return [], problems
    collection = path.relative_to(root / "content").parts[0]
    return _load_file(root, path, data, collection, problems), problems


ID_LINE_RE = re.compile(r"(?:^[^\w\n:]*|[{,][ \t]*)id:[ \t]*[\"']?([a-z0-9]+(?:-[a-z0-9]+)*)(?![\w-])", re.MULTILINE)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _probable_ids(path: Path, data: bytes) -> set[str]:
    """The ids a file that cannot be parsed probably holds: its stem and every `id:` line."""
    text = data.decode("utf-16", "replace") if data.startswith(UTF16_BOMS) else data.decode("utf-8", "replace")
    return {path.name.rsplit(".", 1)[0], *ID_LINE_RE.findall(text)}


def _load_config(root: Path, problems: list[Problem]) -> Node | None:
    path = root / "site.yaml"
    if not path.is_file():
        problems.append(error(Location("site.yaml"), "no site.yaml here (is this a briefing site? 'briefing new DIR' makes one)"))
        return None
    text = _read_text(root, path, problems)
    if text is None:
        return None
    node, found = parse(text, "site.yaml")
    problems.extend(found)
    if node is None and not found:
        problems.append(error(Location("site.yaml"), "site.yaml is empty; it needs at least a title"))
    elif node is not None and node.kind != "map":
        problems.append(error(node.location, f"site.yaml must be a mapping of settings, not {node.describe()}"))
        return None
    return node


def rel(root: Path, path: Path) -> str:
    """`path` from the site's root, with / between parts."""
    whole, start = str(path), str(root)
    if os.sep == "/" and whole.startswith(start) and whole[len(start):len(start) + 1] == "/":
        return whole[len(start) + 1:]  # as relative_to gives it, at a tenth of the cost (twice a file)
    return path.relative_to(root).as_posix()


EDITOR_LEFTOVER_RE = re.compile(r"(~|\.sw[opx]|\.kate-swp|___jb_(?:tmp|old)___)$|^#.*#$|^\.#|^4913$")
"""Backups and swap files (emacs, vim, Kate, JetBrains; 4913 is the file vim writes to test a folder)."""


def ignored(name: str, hidden: bool = True) -> bool:
    """Editor leftovers are skipped without a word, and hidden files too unless `hidden` is False
    (static/ copies them: `.nojekyll`, `.well-known/`)."""
    return bool(EDITOR_LEFTOVER_RE.search(name)) or (hidden and name.startswith("."))


def _inside(root: Path, path: Path) -> bool:
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root + os.sep)


def walk(root: Path, folder: Path, problems: list[Problem], hidden: bool = True,
         seen: frozenset[str] = frozenset()) -> Iterator[Path]:
    """Every file under `folder`, sorted, for content/ and static/ alike: symlinks are followed only
    inside the site, a symlink loop is walked once, and what cannot be listed is a problem."""
    real = os.path.realpath(folder)
    if real in seen:
        problems.append(warning(Location(rel(root, folder)), "symlink loop: it leads back to a folder that "
                                "holds it; skipped"))
        return
    try:
        with os.scandir(folder) as found:
            entries = sorted(found, key=lambda e: e.name)
    except OSError as exc:
        problems.append(error(Location(rel(root, folder)), f"cannot read folder: {exc.strerror}"))
        return
    for entry in entries:  # the folder's listing says what each entry is: no stat() for plain files
        if ignored(entry.name, hidden):
            continue
        path = folder / entry.name
        if entry.is_symlink():
            if not _usable(root, path, problems):
                continue
            is_dir = path.is_dir()
        else:
            is_dir = entry.is_dir(follow_symlinks=False)
        if is_dir:
            yield from walk(root, path, problems, hidden, seen | {real})
        else:
            yield path


def static_files(root: Path, problems: list[Problem]) -> list[tuple[str, Path]]:
    """Files under static/, as (output path, file): copied as they are, hidden ones included."""
    folder = root / "static"
    if not folder.is_dir():
        return []
    return [(path.relative_to(folder).as_posix(), path) for path in walk(root, folder, problems, hidden=False)]


def _content_files(root: Path, content: Path, problems: list[Problem]) -> Iterator[tuple[Path, str]]:
    for entry in sorted(content.iterdir(), key=lambda p: p.name):
        if ignored(entry.name) or not _usable(root, entry, problems):
            continue
        if entry.is_dir() and entry.name in COLLECTIONS:
            for path in walk(root, entry, problems):
                if _right_kind(entry.name, path.name):
                    yield path, entry.name
                else:
                    want = "Markdown (.md)" if entry.name == "articles" else "YAML (.yaml or .yml)"
                    problems.append(warning(Location(rel(root, path)),
                                            f"not a {want} file, so not part of content/{entry.name}; ignored"))
        elif entry.is_dir():
            problems.append(warning(Location(rel(root, entry)),
                                    f"unknown folder under content/ (collections are: {', '.join(COLLECTIONS)}); ignored"))
        else:
            problems.append(warning(Location(rel(root, entry)),
                                    "file outside any collection folder; ignored"))


def _usable(root: Path, path: Path, problems: list[Problem]) -> bool:
    """False for a symlink that leaves the site (an error) or leads nowhere."""
    if not path.is_symlink():
        return True
    if not _inside(root, path):
        problems.append(error(Location(rel(root, path)), "symlink points outside the site; refused"))
        return False
    if not path.exists():
        problems.append(error(Location(rel(root, path)), "broken symlink (or a symlink loop)"))
        return False
    return True


def _right_kind(collection: str, name: str) -> bool:
    if collection == "articles":
        return name.endswith(".md")
    return name.endswith(YAML_SUFFIXES)


MAX_FILE_BYTES = 32 * 1024 * 1024
"""A content file is parsed whole (about 35 bytes of memory per byte of YAML): beyond this, a clear
refusal instead of a build that runs out of memory."""


def _read_bytes(root: Path, path: Path, problems: list[Problem], size: int | None = None) -> bytes | None:
    """The file's bytes; `size`, when its stat() was just taken (load's stamp)."""
    try:
        size = path.stat().st_size if size is None else size
        if size > MAX_FILE_BYTES:
            problems.append(error(Location(rel(root, path)), f"this file is {size / 2**20:.1f} MB; the limit is "
                                  f"{MAX_FILE_BYTES // 2**20} MB a file: split it into several files "
                                  "(sub-folders are fine)"))
            return None
        return read_all(os.fspath(path), size)
    except OSError as exc:
        problems.append(error(Location(rel(root, path)), f"cannot read file: {exc.strerror}"))
        return None


def read_all(path: str, size: int = 0) -> bytes:
    """A whole file, by its descriptor: 3 system calls, where Path.read_bytes() makes 10 (14,850 files at
    5,000 articles). `size`: what its stat() said, to read it in one call."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        first = os.read(fd, max(size, 1 << 16) + 1)
        if size and len(first) == size:  # all of it: one byte more was asked for
            return first
        parts = [first]
        while parts[-1]:
            parts.append(os.read(fd, 1 << 20))
        return b"".join(parts)
    finally:
        os.close(fd)


def _read_text(root: Path, path: Path, problems: list[Problem], data: bytes | None = None) -> str | None:
    """UTF-8 with or without BOM, CRLF or LF, returned NFC-normalised with LF line ends."""
    where = rel(root, path)
    if data is None:
        data = _read_bytes(root, path, problems)
        if data is None:
            return None
    if data.startswith(UTF16_BOMS):
        problems.append(error(Location(where), "this file is saved as UTF-16 (\"Unicode\" in some editors): "
                              "save it as UTF-8"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = len(data[: exc.start].rsplit(b"\n", 1)[-1].decode("utf-8", "replace")) + 1
        problems.append(error(Location(where, line, col), "not valid UTF-8"))
        return None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        problems.append(error(Location(where, line, 1), "file contains a NUL character (binary file?)"))
        return None
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return without_controls(text, where, problems) if CONTROL_RE.search(text) else text


def without_controls(text: str, where: str, problems: list[Problem]) -> str:
    """The text without the characters XML and HTML forbid (a form feed, U+0001, ...): a feed holding one is
    not well-formed XML, and readers never see them anyway. One warning per line that had any."""
    for n, line in enumerate(text.split("\n")):
        if found := CONTROL_RE.search(line):
            problems.append(warning(Location(where, n + 1, found.start() + 1), controls_removed(line)))
    return CONTROL_RE.sub("", text)


def _load_file(root: Path, path: Path, data: bytes, collection: str, problems: list[Problem]) -> list[RawRecord]:
    text = _read_text(root, path, problems, data)
    if text is None:
        return []
    where = rel(root, path)
    stem = path.name.rsplit(".", 1)[0]
    if collection == "articles":
        record = _load_article(where, stem, text, problems)
        return [record] if record else []
    node, found = parse(text, where)
    problems.extend(found)
    if any(p.severity == "error" for p in found):
        return []
    if node is None or (node.kind in ("seq", "map") and not node.value):
        problems.append(error(Location(where), "no item in this file"))
        return []
    if node.kind == "map":
        return [RawRecord(collection, node, node.location, stem)]
    if node.kind != "seq":
        problems.append(error(node.location, "expected one mapping of fields or a list of mappings"))
        return []
    records = []
    assert isinstance(node.value, list)
    for item in node.value:
        if item.kind != "map":
            problems.append(error(item.location, f"each item of the list must be a mapping of fields, not {item.describe()}"))
        else:
            records.append(RawRecord(collection, item, item.location, None))
    return records


def _load_article(where: str, stem: str, text: str, problems: list[Problem]) -> RawRecord | None:
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        problems.append(error(Location(where, 1, 1), "an article starts with front matter: a '---' line, YAML, then '---'"))
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        problems.append(error(Location(where, 1, 1), "front matter is not closed: add a '---' line after it"))
        return None
    node, found = parse("\n".join(lines[1:end]), where, line_offset=1)
    problems.extend(found)
    if any(p.severity == "error" for p in found):
        return None
    if node is None or node.kind != "map":
        problems.append(error(Location(where, 2, 1), "front matter must be a mapping with at least a title and a date"))
        return None
    body = Md("\n".join(lines[end + 1:]), Location(where, end + 2, 1), line_offset=end + 1)
    return RawRecord("articles", node, Location(where, 1, 1), stem, body)


SVG_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*(px)?\s*$")
MAX_SIDE = 20_000
"""A picture's width or height at most, in pixels; an SVG larger than this is scaled down to it (it is
the same picture at any size)."""
MAX_PIXELS = 80_000_000
"""A raster picture's pixels at most: a header may claim 100,000 x 100,000 in a file of a few bytes, which
no reader's browser should be asked to decode (Pillow calls it a decompression bomb)."""


class PictureTooLarge(Exception):
    """A raster picture beyond MAX_SIDE or MAX_PIXELS; the message says how large, when known."""


def image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) in pixels of a picture file, read from its header; None when it cannot be read.
    An SVG's from its width and height in pixels, else its viewBox. Raises PictureTooLarge."""
    if path.suffix.lower() == ".svg":
        return _svg_size(path)
    import warnings

    from PIL import Image, UnidentifiedImageError
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DecompressionBombWarning and the like: the limits below decide
            with Image.open(path) as picture:
                width, height = picture.size
    except Image.DecompressionBombError:
        raise PictureTooLarge(f"over {MAX_PIXELS:,} pixels") from None
    except (OSError, UnidentifiedImageError, ValueError):
        return None
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise PictureTooLarge(f"{width:,} x {height:,} pixels")
    return (width, height) if width > 0 and height > 0 else None


def _svg_size(path: Path) -> tuple[int, int] | None:
    import math
    import xml.etree.ElementTree as ET
    try:
        root = next(ET.iterparse(path, events=("start",)))[1]  # the <svg> element only
    except (ET.ParseError, OSError, StopIteration):
        return None
    width, height = SVG_LENGTH.match(root.get("width", "")), SVG_LENGTH.match(root.get("height", ""))
    box = root.get("viewBox", "").replace(",", " ").split()
    sizes = [(width[1], height[1])] if width and height else []
    sizes += [(box[2], box[3])] if len(box) == 4 else []
    for w_text, h_text in sizes:  # a width or height of 0, inf or nan gives no size: the viewBox is next
        try:
            w, h = float(w_text), float(h_text)
        except ValueError:
            continue
        if math.isfinite(w) and math.isfinite(h) and w > 0 and h > 0:
            scale = min(1.0, MAX_SIDE / max(w, h))
            return max(1, round(w * scale)), max(1, round(h * scale))
    return None
