"""The build cache's state: the last good build, kept under the site for the next process; written in
signed sections, read back only when its signature and each section's hash hold."""

from __future__ import annotations

import contextlib
import copyreg
import functools
import hashlib
import hmac
import io
import marshal
import os
import pickle
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from ..base.errors import Problem
from ..base.processes import reducers
from ..content.inputs import Inputs, Stamps
from ..content.load import FileCache
from ..content.validate import Entry
from ..graph.resolve import Graph, ParseCache
from ..pages.environment import COMPILED
from .incremental import Caches, Edits, Section, Snapshot, Templates, trusted
from .reads import PageRecord, Read
from .stamp import build_key, cache_file, outputs_unchanged

TAG = 32
CACHES = "caches"
"""The section of the files' entries and the parses (Caches.files, Caches.parses), decoded on first use."""
STORED = ".objects"
"""The suffix of the file that holds the objects and caches sections, after their hash."""
HEADER = TAG + 8
"""The tag, then where the directory starts."""


class StateWriter:
    """Writes the state for the next build in sections: what was found before rendering (the graph and the
    caches, pickled while the helpers render), then what rendering and writing left (the output's stamps,
    each page's record). The objects and caches go in a file of their own, named by their hash (STORED),
    which the builds after edits to articles' bodies alone keep as it is; the rest in the state file: the
    tag, the directory's offset, the sections, the directory (marshal: the build key, each section's place
    and hash, and the objects' file). The tag signs the directory, the directory each section: a section
    is checked before anything is decoded. Nothing is kept unless finish() is reached."""

    def __init__(self, root: Path, out: Path, drafts: bool, secret: bytes, inputs: Inputs) -> None:
        self.root, self.out, self.drafts, self.secret = root, out, drafts, secret
        self.inputs = trusted(inputs)
        self.path = cache_file(root, out, drafts, ".state")
        self.path.parent.mkdir(exist_ok=True)
        self.temporary = self.path.with_suffix(".tmp")
        self.file = open(self.temporary, "wb")  # noqa: SIM115 - closed by finish() or discard()
        self.file.write(bytes(HEADER))
        self.sections: dict[str, Section] = {}
        self.stored = ""
        """The name of the objects' file, once it is written or kept."""

    @classmethod
    def open(cls, root: Path, out: Path, drafts: bool, inputs: Inputs) -> StateWriter | None:
        """None when no state can be kept (no key, a site that cannot be written: full builds each time)."""
        secret = _secret()
        if secret is None:
            return None
        try:
            return cls(root, out, drafts, secret, inputs)
        except OSError:
            return None

    def objects(self, graph: Graph, caches: Caches, tpl: Templates, files: Mapping[str, str],
                problems: Sequence[Problem]) -> None:
        """`problems`: what load, validate and resolve found."""
        name = self.path.with_suffix(".objects.tmp")
        try:
            with open(name, "wb") as f:
                hashed = _Hashed(f)
                pickler = _Pickler(hashed)  # one memo: what the files' entries share with the graph stays one object
                sections = {section: _hashed_section(hashed, functools.partial(pickler.dump, value))
                            for section, value in (("objects", (graph, caches.pieces, caches.results, tpl, files,
                                                                COMPILED.kept(), self.inputs, tuple(problems))),
                                                   (CACHES, (caches.files, caches.parses)))}
            stored = self.path.with_suffix(f".{sections['objects'][2][:8].hex()}{STORED}")
            os.replace(name, stored)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(name)
            return
        self.sections.update(sections)
        self.stored = stored.name

    def edits(self, base: tuple[str, Mapping[str, Section]], edits: Edits) -> None:
        """The objects' file of the state this build started from, kept as it is (the build checked its
        sections), and the edits made since."""
        with contextlib.suppress(OSError):
            self.stored = base[0]
            self.sections.update(base[1])
            self.sections["edits"] = self._section(lambda f: _Pickler(f).dump(edits))

    def _section(self, write: Callable[[_Hashed], object]) -> Section:
        hashed = _Hashed(self.file)
        return _hashed_section(hashed, lambda: write(hashed))

    def finish(self, outputs: Stamps, pages: Mapping[str, PageRecord], heads: Mapping[str, Iterable[Read]]) -> None:
        try:
            if not self.stored:
                raise OSError("the build cache's objects were not written")
            self.sections["outputs"] = self._section(lambda f: f.write(marshal.dumps(outputs)))
            self.sections["heads"] = self._section(lambda f: f.write(marshal.dumps(
                {name: tuple(these) for name, these in heads.items()})))

            def records(f: _Hashed) -> None:
                batch: list[bytes | memoryview] = [len(pages).to_bytes(8, "little")]
                size = 0
                for path, record in pages.items():  # a megabyte at a time: never the whole section in memory
                    data = marshal.dumps((path, record.stored())) if record.stored_data is None else record.stored_data
                    batch += (len(data).to_bytes(8, "little"), data)
                    size += len(data)
                    if size > BATCH_BYTES:
                        f.write(b"".join(batch))
                        batch, size = [], 0
                f.write(b"".join(batch))
            self.sections["records"] = self._section(records)
            directory = marshal.dumps((build_key(self.out, self.drafts), self.sections, self.stored))
            where = self.file.tell().to_bytes(8, "little")
            self.file.write(directory)
            self.file.seek(0)
            self.file.write(_tag(self.secret, directory, where) + where)
            self.file.close()
            os.replace(self.temporary, self.path)
            for old in _stored_files(self.path):  # the last objects' files
                if old.name != self.stored:
                    with contextlib.suppress(OSError):
                        old.unlink()
        except OSError:
            self.discard()
            forget_state(self.root, self.out, self.drafts)

    def discard(self) -> None:
        self.file.close()
        with contextlib.suppress(OSError):
            os.unlink(self.temporary)


def _tag(secret: bytes, directory: bytes, where: bytes) -> bytes:
    return hashlib.blake2b(directory + where, key=secret, digest_size=TAG).digest()


@dataclass(frozen=True, slots=True)
class Damaged:
    """A state that is there but cannot be used: the build is a full one, and says why on its summary line
    (a note, not a warning: a --strict build does not fail for it)."""

    why: str


class _Garbled(Exception):
    """A section whose bytes are not those the signed directory names."""


NOT_SIGNED = "it does not match its signature (damaged, or made by another user or machine)"


def kept(root: Path, out: Path, drafts: bool) -> tuple[Snapshot, Caches] | Damaged | None:
    """The state the last build of this site, output and options kept, when this release wrote it, this
    machine's user signed it (it is unpickled: a state copied from elsewhere is never trusted) and the
    output is still as that build left it; Damaged when the file is there but truncated, garbled or
    signed with another key; else None (then the build is a full one)."""
    secret = _secret()
    if secret is None:
        return None
    try:
        path = cache_file(root, out, drafts, ".state")
        with open(path, "rb") as f, contextlib.ExitStack() as stack:
            found = _directory(f, secret, out, drafts)
            if found is None or isinstance(found, Damaged):
                return found
            sections, stored = found
            objects = stack.enter_context(open(path.with_name(stored), "rb"))
            start, length, digest = sections["objects"]
            _check_section(objects, start, length, digest)  # every section first: a damaged state is told as such
            caches_data = _read_section(objects, sections[CACHES])
            outputs_data, records_data, heads_data = (_read_section(f, sections[n]) for n in ("outputs", "records", "heads"))
            edits_data = _read_section(f, sections["edits"]) if "edits" in sections else None
            outputs = marshal.loads(outputs_data)
            if not outputs_unchanged(out, outputs):
                return None
            records = _records(records_data)
            edits = pickle.loads(edits_data) if edits_data is not None else None
            heads = {name: frozenset(these) for name, these in marshal.loads(heads_data).items()}
            objects.seek(start)  # checked above, in pieces: unpickled from the file
            unpickler = pickle.Unpickler(objects)
            graph, pieces, results, tpl, files, compiled, inputs, problems = unpickler.load()
            caches = Caches(None, None, pieces, results, functools.partial(_caches, unpickler, caches_data))
            COMPILED.adopt(compiled)
            if edits is not None:
                graph = edits.applied(graph, caches)
                files, inputs, problems = edits.files, edits.inputs, edits.problems
    except FileNotFoundError:
        return None
    except _Garbled:
        return Damaged(NOT_SIGNED)
    except Exception as exc:  # noqa: BLE001 - a state that cannot be read back is only a full build
        return Damaged(f"it cannot be read back ({type(exc).__name__})")
    base = (stored, {name: sections[name] for name in ("objects", CACHES)})
    return Snapshot(graph, records, tpl, files, outputs, inputs, problems, base, edits, heads), caches


def _directory(f: BinaryIO, secret: bytes, out: Path, drafts: bool) -> tuple[Mapping[str, Section], str] | Damaged | None:
    """The state file's directory, once its tag is checked: each section's place and hash, and the objects'
    file; None when it is another output's, or another version's (whose key holds its format)."""
    head = f.read(HEADER)
    where = int.from_bytes(head[TAG:], "little")
    if len(head) < HEADER or where > os.fstat(f.fileno()).st_size:
        return Damaged("it is cut short")
    f.seek(where)
    directory = f.read()
    if not hmac.compare_digest(head[:TAG], _tag(secret, directory, head[TAG:])):
        return Damaged(NOT_SIGNED)
    found = marshal.loads(directory)  # signed: written by this user's builds
    if type(found) is not tuple or len(found) != 3 or found[0] != build_key(out, drafts):
        return None
    return found[1], found[2]


def _records(data: bytes) -> dict[str, PageRecord]:
    """Each page's record, from the records section (checked already), as StateWriter.finish writes it."""
    trailer = _Blobs(data[8:])
    records = {}
    for _ in range(int.from_bytes(data[:8], "little")):
        found = trailer.next()
        page_path, record = marshal.loads(found)
        records[page_path] = PageRecord.restored(record, found)
    return records


def _caches(objects: pickle.Unpickler, data: bytes) -> tuple[FileCache[Entry], ParseCache]:
    """The caches section (checked already), unpickled with the memo of the objects section's unpickler,
    whose objects it names."""
    unpickler = pickle.Unpickler(io.BytesIO(data))
    unpickler.memo = objects.memo
    try:
        files, parses = unpickler.load()
    except Exception:  # noqa: BLE001 - signed and checked, so never seen: the files are only read and parsed again
        return {}, {}
    return files, parses


def _read_section(f: BinaryIO, section: Section) -> bytes:
    start, length, digest = section
    f.seek(start)
    data = f.read(length)
    if len(data) != length or not hmac.compare_digest(_digest(data).digest(), digest):
        raise _Garbled()
    return data


def _check_section(f: BinaryIO, start: int, length: int, digest: bytes) -> None:
    f.seek(start)
    hashed, left = _digest(b""), length
    while left and (chunk := f.read(min(left, 1 << 20))):
        hashed.update(chunk)
        left -= len(chunk)
    if left or not hmac.compare_digest(hashed.digest(), digest):
        raise _Garbled()


def _digest(data: bytes) -> Any:
    """A section's hash: SHA-256, which CPUs with SHA extensions hash at twice BLAKE2b's speed (the objects
    section, 85 MB at 5,000 articles, is hashed on every save and every load)."""
    return hashlib.sha256(data)


BATCH_BYTES = 1 << 20
"""Records are written and hashed this much at a time (one write and one hash update each was 0.3 s)."""


class _Blobs:
    """Values in marshal, each after its length, as StateWriter.finish writes the records: read back from
    bytes one at a time, where marshal.load(file) reads in small pieces."""

    def __init__(self, data: bytes) -> None:
        self.data, self.at = memoryview(data), 0

    def next(self) -> memoryview:
        """The next value's bytes (a view of the section's)."""
        start = self.at + 8
        end = start + int.from_bytes(self.data[self.at:start], "little")
        if end > len(self.data):
            raise EOFError("the build cache's records are cut short")
        self.at = end
        return self.data[start:end]


def _stored_files(state: Path) -> list[Path]:
    """The objects' files beside a state file (one, but for a build that failed after writing its own)."""
    return list(state.parent.glob(f"{state.stem}.*{STORED}"))


def _hashed_section(hashed: _Hashed, write: Callable[[], object]) -> Section:
    """What `write` writes through `hashed`, as a section: where it starts, its length and its hash."""
    start, hashed.hash = hashed.f.tell(), _digest(b"")
    write()
    return start, hashed.f.tell() - start, hashed.hash.digest()


class _Hashed:
    """A file that hashes what is written to it."""

    def __init__(self, f: BinaryIO) -> None:
        self.f, self.hash = f, _digest(b"")

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        return self.f.write(data)


def forget_state(root: Path, out: Path, drafts: bool) -> None:
    path = cache_file(root, out, drafts, ".state")
    for found in (path, *_stored_files(path)):
        with contextlib.suppress(OSError):
            found.unlink()


def _secret() -> bytes | None:
    """This user's key for signing states, made on first use; None when there is nowhere to keep it."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = os.path.join(base, "briefing", "secret")
    try:
        with open(path, "rb") as f:
            secret = f.read()
        if len(secret) == TAG:
            return secret
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        secret = os.urandom(TAG)
        temporary = f"{path}.{os.getpid()}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(secret)
        os.replace(temporary, path)
        return secret
    except OSError:
        return None


class _Pickler(pickle.Pickler):
    """Model objects as (class, field values), see processes.reducers."""

    def __init__(self, file: _Hashed) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.dispatch_table: dict[type, Any] = {**copyreg.dispatch_table, **reducers()}
