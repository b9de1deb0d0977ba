"""Typed fields: Node -> Python values, each mistake a Problem at the value's place."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import Location, Problem, error, suggest
from .model import ID_RE, Fact, Image, Link, Md, PartialDate, Ref, Relation
from .yamlnodes import Node

SCALARS = ("str", "int", "float", "bool", "timestamp")


class Invalid(Exception):
    def __init__(self, location: Location, message: str) -> None:
        self.problem = error(location, message)
        super().__init__(message)


Converter = Callable[[Node, str], Any]


@dataclass(frozen=True, slots=True)
class Field:
    convert: Converter
    required: bool = False
    attr: str | None = None
    """The model attribute when it differs from the key."""


def read_mapping(node: Node, spec: Mapping[str, Field], what: str,
                 problems: list[Problem], ignore: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """Every known key converted, every unknown or missing key a problem; None if any failed."""
    assert isinstance(node.value, dict)
    out: dict[str, Any] = {}
    ok = True
    for key, value in node.value.items():
        if key in ignore:
            continue
        field = spec.get(key)
        if field is None:
            problems.append(error(value.key_location or value.location,
                                  f"unknown key '{key}' in {what}{suggest(key, spec)}"))
            ok = False
            continue
        try:
            out[field.attr or key] = field.convert(value, key)
        except Invalid as exc:
            problems.append(exc.problem)
            ok = False
    for key, field in spec.items():
        if field.required and key not in node.value:
            problems.append(error(node.location, f"{what} needs '{key}'"))
            ok = False
    return out if ok else None


def text(node: Node, key: str) -> str:
    if node.kind == "null":
        raise Invalid(node.location, f"'{key}' is empty")
    if node.kind not in SCALARS:
        raise Invalid(node.location, f"'{key}' must be text, not {node.describe()}")
    assert isinstance(node.value, str)
    if not node.value.strip():
        raise Invalid(node.location, f"'{key}' is empty")
    return node.value


def markdown(node: Node, key: str) -> Md:
    return Md(text(node, key), node.location)


def boolean(node: Node, key: str) -> bool:
    if node.kind != "bool":
        raise Invalid(node.location, f"'{key}' must be true or false")
    assert isinstance(node.value, str)
    return node.value.lower() in ("true", "yes", "on")


def date(node: Node, key: str) -> PartialDate:
    raw = node.value if node.kind in SCALARS else None
    parsed = PartialDate.parse(raw.strip()) if isinstance(raw, str) else None
    if parsed is None:
        shown = f"'{raw}'" if isinstance(raw, str) else node.describe()
        raise Invalid(node.location, f"'{key}': {shown} is not a real date (write YYYY-MM-DD, YYYY-MM or YYYY)")
    return parsed


def day(node: Node, key: str) -> PartialDate:
    parsed = date(node, key)
    if parsed.precision != "day":
        raise Invalid(node.location, f"'{key}' must be a full day (YYYY-MM-DD), not '{parsed}'")
    return parsed


def slug(node: Node, key: str) -> str:
    value = text(node, key)
    if not ID_RE.match(value):
        raise Invalid(node.location, f"'{value}' is not a valid id: use lowercase letters, digits and single hyphens")
    return value


def ref(node: Node, key: str) -> Ref:
    return Ref(slug(node, key), node.location)


def _items(node: Node, key: str, example: str) -> list[Node]:
    if node.kind == "null":
        return []
    if node.kind != "seq":
        shown = node.value if isinstance(node.value, str) else example
        raise Invalid(node.location, f"'{key}' must be a list: write [{shown}], not {shown}")
    assert isinstance(node.value, list)
    return node.value


def list_of(convert: Converter, example: str = "...") -> Converter:
    def read(node: Node, key: str) -> tuple[Any, ...]:
        out, problems = [], []
        for item in _items(node, key, example):
            try:
                out.append(convert(item, key))
            except Invalid as exc:
                problems.append(exc)
        if problems:
            raise problems[0]  # the first bad entry; its fellows are usually the same mistake
        return tuple(out)
    return read


def one_of(*choices: str) -> Converter:
    def read(node: Node, key: str) -> str:
        value = text(node, key)
        if value not in choices:
            raise Invalid(node.location, f"'{key}' must be one of {', '.join(choices)}, not '{value}'{suggest(value, choices)}")
        return value
    return read


def _nested(node: Node, key: str, spec: Mapping[str, Field], what: str) -> dict[str, Any]:
    if node.kind != "map":
        raise Invalid(node.location, f"each entry of '{key}' must be a mapping ({what}), not {node.describe()}")
    problems: list[Problem] = []
    out = read_mapping(node, spec, f"'{key}'", problems)
    if out is None:
        raise Invalid(problems[0].location, problems[0].message)
    return out


RELATION = {"to": Field(ref, True), "type": Field(slug, True), "note": Field(text), "since": Field(date)}
FACT = {"label": Field(text, True), "value": Field(text, True), "source": Field(ref)}
IMAGE = {"src": Field(text, True), "alt": Field(text, True), "credit": Field(text)}


def relation(node: Node, key: str) -> Relation:
    return Relation(location=node.location, **{"note": None, "since": None, **_nested(node, key, RELATION, "to, type, note, since")})


def fact(node: Node, key: str) -> Fact:
    return Fact(location=node.location, **{"source": None, **_nested(node, key, FACT, "label, value, source")})


def image(node: Node, key: str) -> Image:
    return Image(location=node.location, **{"credit": None, **_nested(node, key, IMAGE, "src, alt, credit")})


def links(node: Node, key: str) -> tuple[Link, ...]:
    if node.kind != "map":
        raise Invalid(node.location, f"'{key}' must be a mapping of label: URL")
    assert isinstance(node.value, dict)
    return tuple(Link(label, text(value, label), value.location) for label, value in node.value.items())


def extra(node: Node, key: str) -> Mapping[str, Any]:
    if node.kind != "map":
        raise Invalid(node.location, f"'{key}' must be a mapping")
    return plain(node)  # type: ignore[no-any-return]


def plain(node: Node) -> Any:
    """Node -> ordinary Python data, for `extra:` (templates read it as they like)."""
    if isinstance(node.value, list):
        return [plain(n) for n in node.value]
    if isinstance(node.value, dict):
        return {k: plain(n) for k, n in node.value.items()}
    if node.kind == "null":
        return None
    if node.kind == "bool":
        return boolean(node, "")
    if node.kind in ("int", "float"):
        try:
            return int(node.value, 0) if node.kind == "int" else float(node.value)  # type: ignore[arg-type]
        except ValueError:
            return node.value
    return node.value
