"""Exports for other tools: data/briefing.json (every item with its fields and every cross-reference) and
its JSON Schema (data/briefing.schema.json). FollowTheMoney's is in ftm/export.py.

Both JSON files are read off the model's dataclasses and their type hints, so a field added to the model
is exported and described without a change here; only a field whose contract name differs from its
name in the model is listed below (RENAMED)."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from ..base.errors import Location
from ..content.model import (
    COLLECTIONS,
    Actor,
    Article,
    Designation,
    Event,
    Item,
    Md,
    PartialDate,
    Quote,
    Ref,
    Source,
    Topic,
    View,
)
from ..graph.resolve import Graph
from ..graph.urls import address
from .context import Context
from .identity import identical
from .page import Page

CLASSES: dict[str, type] = {c.collection: c for c in (Article, Actor, Topic, View, Quote, Event, Source, Designation)}
RENAMED = {"place": "location"}
"""Model field -> its key in the contract (the dataclass field `location` is the file position)."""
MERGED = {"publisher_ref": "publisher"}
"""Fields shown under another's key when set: a source's publisher is an actor id, else text."""
SCHEMA_ID = "briefing.schema.json"


BRIEFING = "data/briefing.json"


def plan(graph: Graph) -> list[Page]:
    """The exports drawn as pages (data/briefing.json is drawn by pieces: see briefing)."""
    return [Page("data/briefing.schema.json", "briefing.schema.json", "data")]


def _json(value: Any) -> str:
    return _compact(value) + "\n"


# ---- data/briefing.json ------------------------------------------------------------------

Pieces = dict[str, tuple[tuple[Any, ...], bytes]]
"""Item id -> what its entry in data/briefing.json is drawn from, and the entry as JSON (UTF-8: joined as
bytes, the file is never also one 20 MB string at 5,000 articles)."""


def briefing(graph: Graph, pieces: Pieces) -> tuple[bytes, Pieces]:
    """data/briefing.json, drawn by pieces on every run: an item's entry is drawn again only when what it
    is drawn from changed (the item, its name and place, what it references and what references it),
    compared as identity.identical does; the entries of the last run, for the next one."""
    g, cfg = graph, graph.site.config
    site = {"title": cfg.title, "description": cfg.description, "language": cfg.language,
            "base_url": cfg.base_url, "author": cfg.author}
    parts = [_compact({"$schema": SCHEMA_ID, "site": site, "items": []})[:-2].encode("utf-8")]  # to "items":[
    fresh: Pieces = {}
    by_collection: dict[str | None, list[str]] = {c: [] for c in COLLECTIONS}
    for i in sorted(g.items):
        by_collection.get(g.collections.get(i), []).append(i)
    for c in COLLECTIONS:
        for i in by_collection[c]:
            item = g.items[i]
            inputs = (item, g.names[i], g.locations.get(i), g.outlinks.get(i, ()), g.backlinks.get(i, ()))
            kept = pieces.get(i)
            text = (kept[1] if kept is not None and identical(kept[0], inputs)
                    else _compact(_item(g, item)).encode("utf-8"))
            fresh[i] = (inputs, text)
            parts.append(text)
    return parts[0] + b",".join(parts[1:]) + b"]}\n", fresh


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _item(g: Graph, item: Item) -> dict[str, Any]:
    location = g.locations.get(item.id)
    out: dict[str, Any] = {
        "id": item.id, "collection": item.collection, "name": g.names[item.id],
        "shown_at": address(location) if location else None, "file": item.location.path}
    for key, value in _fields(item).items():
        out.setdefault(key, value)  # an actor's `name` is its display name already
    out["references"] = [{"id": r.target, "via": r.via} for r in g.outlinks.get(item.id, ())]
    out["referenced_by"] = [{"id": r.source, "via": r.via} for r in g.backlinks.get(item.id, ())]
    return out


def _fields(record: Any) -> dict[str, Any]:
    """A record's fields as JSON, by their contract names (a file position left out)."""
    out: dict[str, Any] = {}
    for name, key, merged in _keys(type(record)):
        value = getattr(record, name)
        if isinstance(value, Location):
            continue
        if merged:
            if value is not None:
                out[key] = _value(value)
            continue
        out.setdefault(key, _value(value))
    return out


_KEYS: dict[type, tuple[tuple[str, str, bool], ...]] = {}


def _keys(cls: type) -> tuple[tuple[str, str, bool], ...]:
    """(field, its key in the contract, whether it is merged into another's key) for a record's fields but id."""
    found = _KEYS.get(cls)
    if found is None:
        found = _KEYS[cls] = tuple((f.name, MERGED.get(f.name) or RENAMED.get(f.name, f.name), f.name in MERGED)
                                   for f in dataclasses.fields(cls) if f.name != "id")
    return found


PLAIN = frozenset({str, int, float, bool, type(None)})
"""Values written as they are, checked first (most are)."""


def _value(value: Any) -> Any:
    if type(value) in PLAIN:
        return value
    if isinstance(value, Ref):
        return value.id
    if isinstance(value, Md):
        return value.text
    if isinstance(value, PartialDate):
        return str(value)
    if isinstance(value, tuple | list):
        return [_value(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _value(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value):
        return _fields(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # a date or a time written under extra:


# ---- data/briefing.schema.json -----------------------------------------------------------

def schema(ctx: Context) -> dict[str, Any]:
    reference = {"type": "object", "additionalProperties": False, "required": ["id", "via"],
                 "properties": {"id": {"type": "string"}, "via": {"type": "string", "description":
                                "the field that holds the id, or `link` ([[id]]) or `mention`"}}}
    items = []
    for collection, cls in CLASSES.items():
        props: dict[str, Any] = {
            "id": {"type": "string"}, "collection": {"const": collection},
            "name": {"type": "string", "description": "display name"},
            "shown_at": {"type": ["string", "null"], "description": "its page or entry, from the site root"},
            "file": {"type": "string", "description": "the content file, from the site root"}}
        props.update(_record_schema(cls)["properties"])
        props["references"] = {"type": "array", "items": reference}
        props["referenced_by"] = {"type": "array", "items": reference}
        items.append({"type": "object", "additionalProperties": False, "required": sorted(props),
                      "properties": props})
    nullable = {"type": ["string", "null"]}
    doc = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
           "title": "A briefing's items and cross-references (data/briefing.json)",
           "type": "object", "additionalProperties": False, "required": ["$schema", "site", "items"],
           "properties": {
               "$schema": {"type": "string"},
               "site": {"type": "object", "additionalProperties": False,
                        "required": ["title", "description", "language", "base_url", "author"],
                        "properties": {"title": {"type": "string"}, "description": nullable,
                                       "language": {"type": "string"}, "base_url": nullable, "author": nullable}},
               "items": {"type": "array", "items": {"oneOf": items}}}}
    return {"title": "briefing.schema.json", "text": _json(doc)}


def _record_schema(cls: type) -> dict[str, Any]:
    hints = get_type_hints(cls)
    props: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        if tp is Location or f.name == "id":
            continue
        key = MERGED.get(f.name) or RENAMED.get(f.name, f.name)
        found = _type_schema(tp)
        if f.name in MERGED:  # either the merged field's value or the other's
            found = {"anyOf": [props.pop(key, {}), _type_schema(tp)]}
        props[key] = found
    return {"type": "object", "additionalProperties": False, "required": sorted(props), "properties": props}


def _type_schema(tp: Any) -> dict[str, Any]:
    origin, args = get_origin(tp), get_args(tp)
    if origin in (Union, types.UnionType):
        options = [_type_schema(a) for a in args if a is not type(None)]
        found = options[0] if len(options) == 1 else {"anyOf": options}
        return {"anyOf": [found, {"type": "null"}]} if type(None) in args else found
    if origin is Literal:
        return {"enum": list(args)}
    if origin is tuple:
        return {"type": "array", "items": _type_schema(args[0])}
    if origin is not None and isinstance(origin, type) and issubclass(origin, Mapping) or tp is typing.Any:
        return {"type": "object"} if tp is not typing.Any else {}
    simple = {str: {"type": "string"}, int: {"type": "integer"}, float: {"type": "number"},
              bool: {"type": "boolean"},
              Ref: {"type": "string", "description": "an item id"},
              Md: {"type": "string", "description": "Markdown"},
              PartialDate: {"type": "string",
                            "pattern": r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2}))?)?)?$",
                            "description": "a day, a month or a year; an article's date and an event's date and end may carry a time and offset"}}
    if tp in simple:
        return simple[tp]
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _record_schema(tp)
    raise TypeError(f"no JSON Schema for {tp!r}: add it to exports._type_schema")
