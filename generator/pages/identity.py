"""Whether two values would be written alike: equal, and of the same types and order all the way down.

Python's == is not enough for a build that keeps what it drew: 1 == 1.0 == True and {'a': 1, 'b': 2} ==
{'b': 2, 'a': 1}, but each is written differently (an `extra:` value in a template or an export). Used by
incremental.py (what a page read) and by the whole-site files drawn by pieces (exports.py)."""

from __future__ import annotations

import dataclasses
import functools
import math
import operator
from collections.abc import Callable, Mapping
from typing import Any

SAFE = frozenset({str, int, bytes, type(None)})
"""Types whose equal values of one type are written alike (bool is apart: True == 1)."""


def identical(a: Any, b: Any) -> bool:
    """Whether a page that read `a` would read the same in `b`: equal, and of the same types and order all
    the way down. Python's == is not enough: 1 == 1.0 == True and {'a': 1, 'b': 2} == {'b': 2, 'a': 1},
    but each is written differently (an `extra:` value in a template or an export). == goes first, in C:
    most values compared are equal tuples of strings, which need nothing more than their types."""
    if a is b:
        return True
    kind = type(a)
    if kind is not type(b):
        return False
    if kind in SAFE or kind is bool:
        return bool(a == b)
    if kind is float:
        return (a == b and math.copysign(1.0, a) == math.copysign(1.0, b)) or (math.isnan(a) and math.isnan(b))
    if kind is tuple or kind is list:
        if len(a) != len(b):
            return False
        if all(map(operator.is_, a, b)):  # the very same values (a piece's inputs, kept): one pass, in C
            return True
        if a != b:
            return False
        return _same_types(a, b) or all(map(identical, a, b))
    if isinstance(a, Mapping):
        if len(a) != len(b) or list(a) != list(b):
            return False
        if not _same_types(a, b) and not all(identical(k, j) for k, j in zip(a, b)):
            return False
        values, others = list(a.values()), list(b.values())
        return values == others and (_same_types(values, others) or all(map(identical, values, others)))
    if kind is frozenset or kind is set:
        return len(a) == len(b) and {(type(x), x) for x in a} == {(type(y), y) for y in b}
    fields = _fields(kind)  # type: ignore[arg-type]
    if fields is None:
        return bool(a == b)
    mine, theirs = fields(a), fields(b)
    return mine == theirs and (_same_types(mine, theirs) or all(map(identical, mine, theirs)))


def _same_types(a: Any, b: Any) -> bool:
    """Two equal sequences (or the keys of two mappings) of the same plain types, element by element."""
    return all(map(_plain, set(map(type, a)))) and list(map(type, a)) == list(map(type, b))


PLAIN_FIELDS = frozenset({"str", "int", "str | None", "int | None"})


@functools.cache
def _plain(kind: type) -> bool:
    """A SAFE type, or a record of only str and int fields (Reference, Location): equal values of it
    are identical."""
    if kind in SAFE:
        return True
    return dataclasses.is_dataclass(kind) and all(str(f.type) in PLAIN_FIELDS for f in dataclasses.fields(kind))


@functools.cache
def _fields(kind: type) -> Callable[[Any], tuple[Any, ...]] | None:
    """The values of a dataclass's or named tuple's fields, as a tuple; None for any other type."""
    if dataclasses.is_dataclass(kind):
        names = [f.name for f in dataclasses.fields(kind)]
    else:
        named = getattr(kind, "_fields", None)
        if not isinstance(named, tuple):
            return None
        names = list(named)
    get = operator.attrgetter(*names)
    return (lambda obj: (get(obj),)) if len(names) == 1 else get
