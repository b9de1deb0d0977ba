"""YAML text -> Node trees that remember where every value was written (safe subset only)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from ..base.errors import Location, Problem, error, warning

MAX_NODES = 200_000
"""Values one file may expand to beyond one per character of its text: bounds 'billion laughs' files
(only aliases make more values than characters) without refusing a long file that has none."""

TAGS = {
    "tag:yaml.org,2002:str": "str",
    "tag:yaml.org,2002:int": "int",
    "tag:yaml.org,2002:float": "float",
    "tag:yaml.org,2002:bool": "bool",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:timestamp": "timestamp",
    "tag:yaml.org,2002:seq": "seq",
    "tag:yaml.org,2002:map": "map",
}

Value = str | None | list["Node"] | dict[str, "Node"]


@dataclass(frozen=True, slots=True)
class Node:
    """One YAML value. Scalars keep their source text; `kind` says what YAML made of it."""

    kind: str
    """str, int, float, bool, null, timestamp, seq or map."""
    value: Value
    """The scalar's text as written, a list of nodes, or a dict of key -> node."""
    location: Location
    key_location: Location | None = None
    """For a mapping value: where its key was written."""
    quoted: bool = False

    def describe(self) -> str:
        return {"seq": "a list", "map": "a mapping", "null": "empty"}.get(self.kind, "a single value")


class YamlProblem(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


def parse(text: str, path: str, line_offset: int = 0) -> tuple[Node | None, list[Problem]]:
    """The document in `text` as a Node (None for an empty document), or the problems."""
    try:
        root = _compose(text)
    except yaml.MarkedYAMLError as exc:
        return None, [explain(text, exc, path, line_offset)]
    except yaml.YAMLError as exc:  # ReaderError: a control character; ComposerError without marks
        return None, [error(Location(path), f"invalid YAML: {_oneline(exc)}")]
    except ValueError:  # PyYAML's chr() of an escape past U+10FFFF ("\U00110000")
        return None, [_beyond_unicode(text, path, line_offset)]
    except RecursionError:
        return None, [error(Location(path), "invalid YAML: nested too deeply")]
    if root is None:
        return None, []
    try:
        conv = _Converter(path, line_offset, MAX_NODES + len(text), text)
        node = conv.convert(root, None)
        return node, conv.problems
    except YamlProblem as exc:
        return None, [exc.problem]
    except RecursionError:
        return None, [error(Location(path), "invalid YAML: nested too deeply")]


KEY_RE = re.compile(r"^(\s*(?:-\s+)*)(.)")


def _start(line: str) -> int:
    """0-based column where a line's content starts, after its indent and any '- ' list markers."""
    m = KEY_RE.match(line)
    return len(m[1]) if m else len(line)


def _column(line: str, like: str | None = None) -> int:
    """Where a line's entry starts: its '- ' when `like` (or the line itself) is a list entry, else its key."""
    entry = (like if like is not None else line).lstrip().startswith("- ")
    return len(line) - len(line.lstrip()) if entry and line.lstrip().startswith("- ") else _start(line)


STRUCTURE_RE = re.compile(r"^\s*(?:-\s+)*(?:[^\s:#'\"][^:#]*:(?:\s|$)|-(?:\s|$))")
BLOCK_SCALAR_RE = re.compile(r":\s*[|>][-+0-9]*\s*(?:#.*)?$")


def _structural(lines: list[str]) -> list[int]:
    """Rows that hold a key or a list entry, leaving out the text of block scalars (`key: >-`)."""
    rows, scalar_indent = [], None
    for r, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        if scalar_indent is not None and (not line.strip() or indent > scalar_indent):
            continue
        scalar_indent = None
        if STRUCTURE_RE.match(line):
            rows.append(r)
            if BLOCK_SCALAR_RE.search(line):
                scalar_indent = indent
    return rows


def explain(text: str, exc: yaml.MarkedYAMLError, path: str, line_offset: int = 0) -> Problem:
    """A parser error in plain words, for people who do not know YAML, at the line to fix."""
    lines = text.split("\n")
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return error(Location(path), f"invalid YAML: {exc.problem or exc.context or 'cannot be read'}")
    row = min(mark.line, len(lines) - 1)
    line = lines[row]

    def at(r: int, c: int, message: str) -> Problem:
        return error(Location(path, r + 1 + line_offset, c + 1), message)

    def shown(r: int) -> str:
        return f"line {r + 1 + line_offset} ('{lines[r].strip()[:40]}')"

    problem = exc.problem or ""
    tab = next(((r, c) for r in range(row + 1) for c, ch in enumerate(lines[r][:_start(lines[r]) + 1])
                if ch == "\t"), None)
    if tab is not None and ("\\t" in problem or "tab" in problem or "indentation" in problem
                            or tab[0] == row):
        return at(*tab, "a tab character: YAML indents with spaces, never tabs; replace it with spaces")
    before = [r for r in range(row) if lines[r].strip() and not lines[r].lstrip().startswith("#")]
    if problem.startswith("expected <block end>"):
        col = _column(line)
        entry = line.lstrip().startswith("- ")
        near = sorted((r for r in _structural(lines[:row]) if 0 < abs(_column(lines[r], line) - col) <= 2),
                      key=lambda r: (entry and not lines[r].lstrip().startswith("- "), -r))
        other = near[0] if near else (before[-1] if before else row)
        target = _column(lines[other], line)
        word = lines[other][target:].split(":")[0].strip()[:20]
        return at(row, col, f"bad indent: this line does not line up with {shown(other)}; start it at column "
                  f"{target + 1}, in line with '{word}' there (or deeper, if it belongs inside it)")
    if problem == "mapping values are not allowed here":
        colon = line.find(": ")
        if 0 <= colon < mark.column - 1 and colon >= _start(line):
            return at(row, colon + 2, "a value with ': ' in it must be in quotes: write "
                      f"{line[:colon + 2].strip()} \"{line[colon + 2:].strip()}\"")
        prev = before[-1] if before else None
        if prev is not None and re.match(r"^\s*(?:-\s+)*[^\s:#]+:[^\s]", lines[prev]):
            return at(prev, lines[prev].index(":"), "put a space after ':' (write 'key: value')")
        if prev is not None and _start(line) > _start(lines[prev]):
            return at(row, _start(line), f"bad indent: this line is indented deeper than {shown(prev)}, which "
                      f"has its value already; start it at column {_start(lines[prev]) + 1}, in line with that line")
    if problem.startswith(("expected ',' or ']'", "expected ',' or '}'")):
        opened = exc.context_mark
        close = "]" if "]" in problem else "}"
        where = f"line {opened.line + 1 + line_offset}" if opened else "above"
        return at(row, mark.column, f"the list opened with '{'[' if close == ']' else '{'}' on {where} is not "
                  f"closed: add '{close}' (and put quotes around any value with ',' ':' or brackets in it)")
    if "quoted scalar" in (exc.context or "") and exc.context_mark is not None:
        m = exc.context_mark
        return at(m.line, m.column, "this quoted text is never closed: add the closing quote")
    return at(row, mark.column, f"invalid YAML: {problem or exc.context or 'cannot be read'}")


FAST_LOADER = getattr(yaml, "CSafeLoader", None)
"""libyaml's loader, when PyYAML has it: many times faster on valid files."""


def _compose(text: str) -> yaml.Node | None:
    """libyaml when it can; PyYAML's own parser for any file libyaml refuses, so that messages
    are the same on every machine whether libyaml is there or not."""
    if FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=FAST_LOADER)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


BIG_ESCAPE_RE = re.compile(r"\\U([0-9a-fA-F]{8})")


def _beyond_unicode(text: str, path: str, line_offset: int) -> Problem:
    """The problem of a \\U escape that names no character (past U+10FFFF), at the escape."""
    for m in BIG_ESCAPE_RE.finditer(text):
        if int(m[1], 16) > 0x10FFFF:
            line = text.count("\n", 0, m.start())
            column = m.start() - (text.rfind("\n", 0, m.start()) + 1)
            return error(Location(path, line + 1 + line_offset, column + 1),
                         f"'\\U{m[1]}' is past the last Unicode character (U+10FFFF): write the character itself")
    return error(Location(path), "invalid YAML: an escape that names no character")


def _oneline(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _loc(path: str, mark: yaml.Mark, line_offset: int) -> Location:
    return Location(path, mark.line + 1 + line_offset, mark.column + 1)


CONTROL_RE = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
"""Characters XML 1.0 does not allow (NUL is refused apart, as the sign of a binary file) and the C1
controls that HTML calls errors: none has a place in a page or a feed."""


def controls_removed(text: str) -> str:
    """The warning's words for the control characters of `text`, which the caller removes."""
    found = CONTROL_RE.findall(text)
    more = f" and {len(found) - 1} more" if len(found) > 1 else ""
    return f"control character U+{ord(found[0]):04X}{more} removed: web pages and feeds cannot hold it"


SURROGATE_RE = re.compile("[\ud800-\udfff]")
SURROGATE_ESCAPE_RE = re.compile(r"\\(?:u|U0000)([dD][89a-fA-F][0-9a-fA-F]{2})")


def _pairs_joined(value: str) -> str:
    """Escaped UTF-16 pairs ("\\ud83d\\ude00", as JSON writes them) as the one character they stand for;
    a lone half stays as it is."""
    return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def _lone_escape(segment: str) -> int:
    """Where, in a quoted scalar's source, the escape of a lone surrogate starts (0 when not found)."""
    escapes = list(SURROGATE_ESCAPE_RE.finditer(segment))
    for i, m in enumerate(escapes):
        code = int(m[1], 16)
        after = escapes[i + 1] if i + 1 < len(escapes) and escapes[i + 1].start() == m.end() else None
        before = escapes[i - 1] if i and escapes[i - 1].end() == m.start() else None
        if code < 0xDC00 and not (after and int(after[1], 16) >= 0xDC00):
            return m.start()
        if code >= 0xDC00 and not (before and int(before[1], 16) < 0xDC00):
            return m.start()
    return 0


class _Converter:
    def __init__(self, path: str, line_offset: int, limit: int = MAX_NODES, text: str = "") -> None:
        self.path = path
        self.text = text
        self.limit = limit
        self.line_offset = line_offset
        self.count = 0
        self.problems: list[Problem] = []
        self.top: Location | None = None
        """The top-level key (or list item) being read: where an alias bomb is reported."""

    def _item(self, node: yaml.Node, depth: int) -> Node:
        if depth == 0:
            self.top = _loc(self.path, node.start_mark, self.line_offset)
        return self.convert(node, None, depth + 1)

    def convert(self, node: yaml.Node, key_loc: Location | None, depth: int = 0) -> Node:
        self.count += 1
        loc = _loc(self.path, node.start_mark, self.line_offset)
        if self.count > self.limit:
            raise YamlProblem(error(self.top or loc, f"YAML expands to more than {MAX_NODES} values (too many aliases?)"))
        kind = TAGS.get(node.tag)
        if kind is None:
            raise YamlProblem(error(loc, f"YAML tag '{node.tag}' is not allowed; write plain values"))
        if isinstance(node, yaml.ScalarNode):
            return Node(kind, self._printable(self._scalar(node), loc), loc, key_loc, node.style in ("'", '"'))
        if isinstance(node, yaml.SequenceNode):
            return Node(kind, [self._item(n, depth) for n in node.value], loc, key_loc)
        assert isinstance(node, yaml.MappingNode)
        return Node(kind, self._mapping(node, depth), loc, key_loc)

    def _scalar(self, node: yaml.ScalarNode) -> str:
        """The scalar's text. A double-quoted one may escape half of a UTF-16 pair ("\\ud800"), which is no
        character (no file can hold it): a problem at the escape, and U+FFFD in its place, so that no
        later stage meets it."""
        value = str(node.value)
        if not SURROGATE_RE.search(value):
            return value
        value = _pairs_joined(value)
        if not SURROGATE_RE.search(value):
            return value
        lines = self.text.split("\n")
        start, end = node.start_mark, node.end_mark
        first = lines[start.line][start.column:] if start.line < len(lines) else ""
        segment = "\n".join([first, *lines[start.line + 1:end.line + 1]])
        at = _lone_escape(segment)
        row = start.line + segment.count("\n", 0, at)
        column = (start.column + at) if row == start.line else at - segment.rfind("\n", 0, at) - 1
        code = ord(SURROGATE_RE.search(value)[0])  # type: ignore[index]
        self.problems.append(error(Location(self.path, row + 1 + self.line_offset, column + 1),
                                   f"'\\u{code:x}' is half of a UTF-16 surrogate pair, not a character: write "
                                   "the character itself, both halves of the pair, or its \\U escape"))
        return SURROGATE_RE.sub("\ufffd", value)

    def _printable(self, value: str, loc: Location) -> str:
        """A double-quoted scalar may escape a character XML forbids ("\\x01", "\\f"; a file holding one raw
        is cleaned as it is read): a warning at the scalar, and the character removed."""
        if not CONTROL_RE.search(value):
            return value
        self.problems.append(warning(loc, controls_removed(value)))
        return CONTROL_RE.sub("", value)

    def _mapping(self, node: yaml.MappingNode, depth: int) -> dict[str, Node]:
        out: dict[str, Node] = {}
        for key, value in node.value:
            kloc = _loc(self.path, key.start_mark, self.line_offset)
            if key.tag == "tag:yaml.org,2002:merge":
                raise YamlProblem(error(kloc, "YAML merge keys ('<<') are not supported"))
            if not isinstance(key, yaml.ScalarNode):
                raise YamlProblem(error(kloc, "a key must be a plain word"))
            name = self._scalar(key)
            if name in out:
                first = out[name].key_location
                self.problems.append(error(kloc, f"duplicate key '{name}' (first at line {first.line if first else '?'})"))
                continue
            if depth == 0:
                self.top = kloc
            out[name] = self.convert(value, kloc, depth + 1)
        return out
