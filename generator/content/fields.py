"""Typed fields: Node -> Python values, each mistake a Problem at the value's place."""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..base.errors import Location, Problem, error, suggest
from .model import CREDIBILITY, DATE_RE, ID_RE, Account, Correction, Fact, Image, Link, Md, PartialDate, Ref, Relation
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
    missing: str = ""
    """Said after "needs 'key'" when a required key is left out: what it may be."""


def read_mapping(node: Node, spec: Mapping[str, Field], what: str,
                 problems: list[Problem], ignore: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """Every known key converted, every unknown or missing key a problem; None if any failed."""
    assert isinstance(node.value, dict)
    out: dict[str, Any] = {}
    ok = True
    missing = [k for k, f in spec.items() if f.required and k not in node.value]
    for key, value in node.value.items():
        if key in ignore:
            continue
        field = spec.get(key)
        if field is None:
            meant = difflib.get_close_matches(key, missing, n=1, cutoff=0.6)
            if meant:  # one misspelling, one message: not also "needs 'name'"
                missing.remove(meant[0])
                message = f"unknown key '{key}' in {what}: did you mean '{meant[0]}'? ({what} needs '{meant[0]}')"
            else:
                message = f"unknown key '{key}' in {what}{suggest(key, spec)}"
            problems.append(error(value.key_location or value.location, message))
            ok = False
            continue
        try:
            out[field.attr or key] = field.convert(value, key)
        except Invalid as exc:
            problems.append(exc.problem)
            ok = False
    for key in missing:
        problems.append(error(node.location, f"{what} needs '{key}'{spec[key].missing}"))
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


DATE_FORMS = "a day (2023-09-13), a month (2023-09) or a year (2023)"
HUMAN_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d %B, %Y",
                 "%B %d, %Y", "%b %d, %Y", "%B %Y", "%b %Y")


def date(node: Node, key: str) -> PartialDate:
    parsed = _date(node, key, DATE_FORMS)
    if parsed.time:
        raise Invalid(node.location, f"'{key}' takes {DATE_FORMS} here, without a time of day: write "
                      f"{parsed.day_only}")
    return parsed


def day(node: Node, key: str, why: str = "an article is dated to the day it was published") -> PartialDate:
    """A full day: an article's date."""
    parsed = _date(node, key, "a full day, YYYY-MM-DD (2023-09-13)")
    if parsed.precision != "day":
        raise Invalid(node.location, f"'{key}' needs a full day, YYYY-MM-DD: '{parsed}' has no day, and {why}")
    if parsed.time:
        raise Invalid(node.location, f"'{key}' takes a full day here, without a time of day: write {parsed.day_only}")
    return parsed


def moment(node: Node, key: str) -> PartialDate:
    """An article's date: a full day, or a day with a time of day and its UTC offset."""
    parsed = _date(node, key, "a full day, YYYY-MM-DD (2023-09-13)")
    if parsed.precision != "day":
        raise Invalid(node.location, f"'{key}' needs a full day, YYYY-MM-DD: '{parsed}' has no day, and an "
                      "article is dated to the day it was published")
    if parsed.time and not parsed.offset:
        raise Invalid(node.location, f"'{key}': a time of day needs its UTC offset, so that readers anywhere know "
                      f"when it was: write {parsed}+09:00 (nine hours ahead of UTC, as in Seoul) or {parsed}Z (UTC)")
    return parsed


def when(node: Node, key: str) -> PartialDate:
    """An event's date or end: a day, a month or a year, or a day with a time of day and its UTC offset."""
    parsed = _date(node, key, DATE_FORMS)
    if parsed.time and not parsed.offset:
        raise Invalid(node.location, f"'{key}': a time of day needs its UTC offset, so that readers anywhere know "
                      f"when it was: write {parsed}+03:00 (three hours ahead of UTC, as in Moscow) or {parsed}Z (UTC)")
    return parsed


def _date(node: Node, key: str, forms: str) -> PartialDate:
    raw = node.value if node.kind in SCALARS else None
    parsed = PartialDate.parse(raw.strip()) if isinstance(raw, str) else None
    if parsed is None:
        if not isinstance(raw, str):
            raise Invalid(node.location, f"'{key}' must be a date, not {node.describe()}: write {forms}")
        guess = _guess(raw.strip())
        hint = f" (did you mean {guess}?)" if guess else ""
        what = "is not a real date" if DATE_RE.match(raw.strip()) else "is not written as a date"
        raise Invalid(node.location, f"'{key}': '{raw}' {what}: write {forms}{hint}")
    return parsed


def _guess(text: str) -> str | None:
    """The ISO form of a date written the way people write them ('28 July 2023'), if it is one."""
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", " ".join(text.split()))
    for fmt in HUMAN_FORMATS:
        try:
            parsed = datetime.datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
        return f"{parsed:%Y-%m}" if "%d" not in fmt else f"{parsed:%Y-%m-%d}"
    return None


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


def grade(scale: Mapping[str, str]) -> Converter:
    """One grade of a scale (model.RELIABILITY, model.CREDIBILITY); any other value lists them all."""
    def read(node: Node, key: str) -> str:
        value = text(node, key).strip()
        if value.upper() in scale and value not in scale:
            raise Invalid(node.location, f"'{key}' is written as a capital letter: '{value.upper()}', not '{value}'")
        if value not in scale:
            allowed = "; ".join(f"{g} ({meaning})" for g, meaning in scale.items())
            raise Invalid(node.location, f"'{key}' must be one of {allowed}; not '{value}'{_two_grades(value, scale)}")
        return value
    return read


def _two_grades(value: str, scale: Mapping[str, str]) -> str:
    """The Admiralty code written whole (B2): its letter grades the source, its number the item."""
    m = re.fullmatch(r"([A-Fa-f])\s*([1-6])", value)
    if m is None:
        return ""
    letter, number = m[1].upper(), m[2]
    if number in scale:  # an event's or quote's credibility
        return (f": '{value}' is two grades: the letter is the source's reliability ('reliability: {letter}' on "
                f"the source), the number this item's credibility: write '{number}' here")
    return (f": '{value}' is two grades: the letter is this source's reliability, the number the credibility "
            f"of an item that cites it ('credibility: {number}' on that event or quote): write '{letter}' here")


def static_path(node: Node, key: str) -> str:
    """A file under static/, named from there: neither an absolute path nor one through '..' may leave it."""
    value = text(node, key)
    if value.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", value):
        raise Invalid(node.location, f"'{key}' names a file under static/ from there, not an absolute path: "
                      "write 'img/map.png' for static/img/map.png")
    if ".." in re.split(r"[\\/]", value):
        raise Invalid(node.location, f"'{key}' names a file under static/ from there, and '..' would leave it: "
                      "put the picture in static/")
    return value


RELATION = {"to": Field(ref, True), "type": Field(slug, True), "note": Field(text), "since": Field(date),
            "until": Field(date)}
FACT = {"label": Field(text, True), "value": Field(text, True), "source": Field(ref)}
IMAGE = {"src": Field(static_path, True), "alt": Field(text, True), "credit": Field(text)}


def relation(node: Node, key: str) -> Relation:
    found = Relation(location=node.location, **{"note": None, "since": None,
                                                **_nested(node, key, RELATION, "to, type, note, since, until")})
    since, until = found.since, found.until
    if since is not None and until is not None:
        coarser = max(since.precision, until.precision, key=("day", "month", "year").index)
        if until.coarsened(coarser) < since.coarsened(coarser):
            assert isinstance(node.value, dict)
            raise Invalid(node.value["until"].location, f"'until' ({until}) is before 'since' ({since}): a relation "
                          "ends after it begins (swap them, or correct one)")
    return found


CORRECTION = {"date": Field(lambda node, key: day(node, key, "a correction is dated to the day it was made"), True),
              "text": Field(markdown, True)}


def correction(node: Node, key: str) -> Correction:
    return Correction(location=node.location, **_nested(node, key, CORRECTION, "date, text"))


ACCOUNT = {"source": Field(ref, True), "says": Field(markdown, True), "credibility": Field(grade(CREDIBILITY))}


def account(node: Node, key: str) -> Account:
    return Account(location=node.location, **_nested(node, key, ACCOUNT, "source, says, credibility"))


def accounts(node: Node, key: str) -> tuple[Account, ...]:
    """An event's accounts: two or more, as they are there for sources that disagree."""
    found: tuple[Account, ...] = list_of(account, "{source: some-source, says: ...}")(node, key)
    if len(found) == 1:
        raise Invalid(node.location, f"'{key}' lists one account; accounts show sources that disagree, so give two "
                      "or more (a single version belongs in 'summary', its source in 'sources')")
    return found


def fact(node: Node, key: str) -> Fact:
    return Fact(location=node.location, **{"source": None, **_nested(node, key, FACT, "label, value, source")})


def image(node: Node, key: str) -> Image:
    return Image(location=node.location, **{"credit": None, **_nested(node, key, IMAGE, "src, alt, credit")})


LEAD_IMAGE = {**IMAGE, "caption": Field(markdown)}


def lead_image(node: Node, key: str) -> Image:
    """An article's image: an actor's fields and a caption."""
    return Image(location=node.location, **{"credit": None, **_nested(node, key, LEAD_IMAGE, "src, alt, caption, credit")})


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
