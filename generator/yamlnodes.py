"""YAML text -> Node trees that remember where every value was written (safe subset only)."""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from .errors import Location, Problem, error

MAX_NODES = 200_000
"""Values one file may expand to, aliases included: bounds 'billion laughs' files."""

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
        mark = exc.problem_mark or exc.context_mark
        loc = _loc(path, mark, line_offset) if mark else Location(path)
        what = exc.problem or exc.context or "cannot be read"
        return None, [error(loc, f"invalid YAML: {what}")]
    except yaml.YAMLError as exc:  # ReaderError: a control character; ComposerError without marks
        return None, [error(Location(path), f"invalid YAML: {_oneline(exc)}")]
    except RecursionError:
        return None, [error(Location(path), "invalid YAML: nested too deeply")]
    if root is None:
        return None, []
    try:
        conv = _Converter(path, line_offset)
        node = conv.convert(root, None)
        return node, conv.problems
    except YamlProblem as exc:
        return None, [exc.problem]
    except RecursionError:
        return None, [error(Location(path), "invalid YAML: nested too deeply")]


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


def _oneline(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _loc(path: str, mark: yaml.Mark, line_offset: int) -> Location:
    return Location(path, mark.line + 1 + line_offset, mark.column + 1)


class _Converter:
    def __init__(self, path: str, line_offset: int) -> None:
        self.path = path
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
        if self.count > MAX_NODES:
            raise YamlProblem(error(self.top or loc, f"YAML expands to more than {MAX_NODES} values (too many aliases?)"))
        kind = TAGS.get(node.tag)
        if kind is None:
            raise YamlProblem(error(loc, f"YAML tag '{node.tag}' is not allowed; write plain values"))
        if isinstance(node, yaml.ScalarNode):
            return Node(kind, node.value, loc, key_loc, node.style in ("'", '"'))
        if isinstance(node, yaml.SequenceNode):
            return Node(kind, [self._item(n, depth) for n in node.value], loc, key_loc)
        assert isinstance(node, yaml.MappingNode)
        return Node(kind, self._mapping(node, depth), loc, key_loc)

    def _mapping(self, node: yaml.MappingNode, depth: int) -> dict[str, Node]:
        out: dict[str, Node] = {}
        for key, value in node.value:
            kloc = _loc(self.path, key.start_mark, self.line_offset)
            if key.tag == "tag:yaml.org,2002:merge":
                raise YamlProblem(error(kloc, "YAML merge keys ('<<') are not supported"))
            if not isinstance(key, yaml.ScalarNode):
                raise YamlProblem(error(kloc, "a key must be a plain word"))
            name = str(key.value)
            if name in out:
                first = out[name].key_location
                self.problems.append(error(kloc, f"duplicate key '{name}' (first at line {first.line if first else '?'})"))
                continue
            if depth == 0:
                self.top = kloc
            out[name] = self.convert(value, kloc, depth + 1)
        return out
