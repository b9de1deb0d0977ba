"""`briefing import FILE [SITE]`: FollowTheMoney entities (JSON lines, read as a stream) -> compact records
of what the briefing maps (actors, sanctions, ties between them), in one pass, or in the passes of
`--only`; intake.py makes them files. Then what to tell the user.

Needs the `ftm` extra (followthemoney): cli.py imports this module only when it is installed."""

from __future__ import annotations

import gzip
import json
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import orjson
from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.proxy import EntityProxy
from followthemoney.schema import Schema

from ...content.model import PartialDate
from ...content.yamlnodes import CONTROL_RE
from .countries import government_of
from .intake import FOLDERS, PREFIX, Entity, Plan, Record, Sanction, Tie, fold, known, plan, slug

TIES = {"Membership": "member-of", "Employment": "employee-of", "Directorship": "director-of",
        "Ownership": "owner-of", "Family": "family", "Associate": "associate", "UnknownLink": "linked-to"}
"""The schemata read as relations, and a relation's type when the entity gives no role."""

READ = frozenset({"name", "alias", "position", "wikidataId", "wikipediaUrl", "website", "classification",
                  "entity", "authority", "program", "programId", "listingDate", "startDate", "endDate",
                  "authorityId", "unscId", "reason", "sourceUrl", "role", "relationship", "member", "organization",
                  "employee", "employer", "director", "owner", "asset", "person", "relative", "associate",
                  "subject", "object"})
"""The properties the import reads (of any schema it maps)."""

NAME_LIMIT = 200
"""Characters of a name or alias at the most: longer ones are not names (and the mention matcher's
pattern for a name of some 500 characters is deeper than Python's recursion limit)."""

NEEDLES_LIMIT = 500
"""Ids at the most that a pass of --only looks for in each line's bytes before it parses the line."""

Part = Literal["actor", "sanction", "tie", "other"]




@dataclass
class Read:
    """What a pass over the file found."""

    records: list[Record] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """`FILE:LINE: error: ...`, one a bad line."""
    unmapped: Counter[str] = field(default_factory=Counter)
    """Schema -> entities of it that the import does not map (Address, Vessel, ...)."""
    notes: Counter[str] = field(default_factory=Counter)
    """What else was left out and why -> how many."""


Keep = Callable[[Part, Schema, dict[str, Any]], bool]


@dataclass(frozen=True, slots=True)
class Outcome:
    problems: list[str]
    """One line a bad line of the file (or a word of --only that names nothing): nothing is written."""
    plan: Plan | None
    unmapped: Counter[str]
    notes: Counter[str]


def imported(path: Path, shown: str, root: Path, only: Collection[str] = ()) -> Outcome:
    """What importing the file into the site at `root` writes (nothing is written here)."""
    if only:
        got, missed = select(path, shown, only)
        got.problems.extend(f"{shown}: error: --only {term!r}: no entity has this id, name or alias"
                            for term in sorted(missed))
    else:
        got = read(path, shown)
    if got.problems:
        return Outcome(got.problems, None, got.unmapped, got.notes)
    found = plan(got.records, known(root), root, path.name)
    return Outcome([], found, got.unmapped, got.notes + found.notes)


def report(outcome: Outcome, dry_run: bool) -> list[str]:
    """What the import says it wrote (or would write, listing every file), and what it left out, one
    line each reason."""
    assert outcome.plan is not None
    files = outcome.plan.files
    lines = [f"would write {f.path}" for f in files] if dry_run else []
    counts = Counter(f.collection for f in files)
    said = ", ".join(f"{counts[c]:,} {c if counts[c] != 1 else c[:-1]} ({FOLDERS[c]}/)" for c in FOLDERS if counts[c])
    verb = "would write" if dry_run else "wrote"
    lines.append(f"{verb} {len(files):,} files: {said}" if files else "nothing to write: the site has it all")
    if outcome.plan.kept:
        lines.append(f"{outcome.plan.kept:,} entities are actors the site already has: not written again "
                     "(their designations are added)")
    if outcome.unmapped:
        kinds = ", ".join(f"{name} {n:,}" for name, n in sorted(outcome.unmapped.items(), key=lambda x: (-x[1], x[0])))
        lines.append(f"skipped {outcome.unmapped.total():,} entities of schemata it does not map: {kinds}")
    lines.extend(f"skipped {n:,} {why}" for why, n in sorted(outcome.notes.items()))
    if dry_run:
        lines.append("dry run: nothing written")
    return lines


# ---- the file, line by line ---------------------------------------------------------------

def _lines(path: Path) -> Iterator[bytes]:
    """The file's lines as bytes (a .gz file read through gzip): one line in memory at a time."""
    with gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb") as lines:
        yield from lines


def entities(path: Path, shown: str, problems: list[str],
             among: Collection[str] = ()) -> Iterator[tuple[int, Schema, dict[str, Any]]]:
    """(line, schema, entity) for every good line of the file, read as a stream; a bad line adds one
    `FILE:LINE: error:` to `problems` (`shown`: FILE as the user wrote it). `among`: ids, when only
    lines that hold one can matter (a pass of --only): other lines are passed over before the JSON is
    parsed, which is most of the time a pass takes."""
    needles = _needles(among)
    for n, raw in enumerate(_lines(path), 1):
        if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip() or (needles and not any(needle in raw for needle in needles)):
            continue
        data, schema, problem = _parse(raw)
        if problem:
            problems.append(f"{shown}:{n}: error: {problem}")
        elif schema is not None and data is not None:
            yield n, schema, data


def _needles(ids: Collection[str]) -> tuple[bytes, ...]:
    """Each id as a line may hold it (as UTF-8, or escaped as JSON writes it with ensure_ascii); none
    when there are too many to test each line against (every line is then parsed)."""
    if len(ids) > NEEDLES_LIMIT:
        return ()
    return tuple({form for i in ids for form in (i.encode(), json.dumps(i)[1:-1].encode())})


def _parse(raw: bytes) -> tuple[dict[str, Any] | None, Schema | None, str]:
    try:
        data = orjson.loads(raw)
    except ValueError as exc:
        return None, None, f"not JSON ({str(exc).splitlines()[0]}): one entity a line is expected"
    if not isinstance(data, dict):
        return None, None, "not a JSON object: one entity a line is expected"
    if not isinstance(data.get("id"), str) or not data["id"].strip():
        return None, None, "an entity without an 'id'"
    data["id"] = data["id"].strip()  # as FollowTheMoney reads it
    name = data.get("schema")
    schema = model.get(name) if isinstance(name, str) else None
    if schema is None:
        return None, None, f"unknown schema {name!r} (FollowTheMoney has no such schema)"
    props = data.setdefault("properties", {})
    if not isinstance(props, dict) or not all(isinstance(v, list) for v in props.values()):
        return None, None, "'properties' must map each property to a list of values"
    if schema.is_a("Sanction") and not _ids(data, "entity"):
        return None, None, "a Sanction without entity"
    if _part(schema) == "tie":
        for prop in (schema.edge_source, schema.edge_target):
            if not _ids(data, prop or ""):
                return None, None, f"a {schema.name} without {prop}"
    return data, schema, ""


def _ids(data: dict[str, Any], prop: str) -> list[str]:
    """The entity ids a property holds (a nested entity counts by its id)."""
    values = data["properties"].get(prop) or ()
    found = (v.strip() if isinstance(v, str) else str(v.get("id", "")).strip() if isinstance(v, dict) else ""
             for v in values)
    return [v for v in found if v]


_PARTS: dict[str, Part] = {}


def _part(schema: Schema) -> Part:
    """What the import makes of an entity of this schema."""
    found = _PARTS.get(schema.name)
    if found is None:
        if schema.is_a("Sanction"):
            found = "sanction"
        elif schema.is_a("LegalEntity"):
            found = "actor"
        elif any(schema.is_a(tie) for tie in TIES):
            found = "tie"
        else:
            found = "other"
        _PARTS[schema.name] = found
    return found


def read(path: Path, shown: str, keep: Keep | None = None, among: Collection[str] = ()) -> Read:
    """One pass: the records of the lines `keep` keeps (all without it); `among` as for entities()."""
    out = Read()
    seen: set[str] = set()
    for n, schema, data in entities(path, shown, out.problems, among):
        part = _part(schema)
        if keep is not None and not keep(part, schema, data):
            continue
        if part == "other":
            out.unmapped[schema.name] += 1
            continue
        if data["id"] in seen:
            out.notes["entities listed twice (the first is read)"] += 1
            continue
        seen.add(data["id"])
        try:  # only the properties it reads: FollowTheMoney cleans every value it is given
            proxy = model.get_proxy({"id": data["id"], "schema": schema.name, "properties": {
                k: v for k, v in data["properties"].items() if k in READ}}, cleaned=False)
        except (InvalidData, TypeError, ValueError, AttributeError) as exc:
            out.problems.append(f"{shown}:{n}: error: not a FollowTheMoney entity: {exc}")
            continue
        record = _record(n, part, proxy, data, out.notes)
        if record is not None:
            out.records.append(record)
    return out


# ---- --only: the named entities and what links them -----------------------------------------

def select(path: Path, shown: str, only: Collection[str]) -> tuple[Read, set[str]]:
    """The records of the entities named in `only` (by id, name or alias), their sanctions, the ties
    that touch them and the entities at the other end, in passes that keep only those; and the words of
    `only` that named nothing. The first pass finds the named ids and every bad line."""
    wanted = {fold(term): term for term in only}
    named: set[str] = set()
    problems: list[str] = []
    found: set[str] = set()
    for _, schema, data in entities(path, shown, problems):
        hits = {w for w in (fold(data["id"]), *_names(schema, data)) if w in wanted}
        if hits:
            named.add(data["id"])
            found |= hits
    missed = {term for w, term in wanted.items() if w not in found}
    if problems or missed:
        return Read(problems=problems), missed
    got = read(path, shown, lambda part, schema, data: _linked(part, schema, data, named), named)
    ends = {r.target if r.source in named else r.source for r in got.records if isinstance(r, Tie)}
    ends -= {r.ftm_id for r in got.records if isinstance(r, Entity)} | named
    if ends:
        more = read(path, shown, lambda part, schema, data: part in ("actor", "other") and data["id"] in ends, ends)
        got.records.extend(more.records)
        got.unmapped.update(more.unmapped)
        got.notes.update(more.notes)
    return got, set()


def _names(schema: Schema, data: dict[str, Any]) -> Iterator[str]:
    if _part(schema) != "actor":
        return
    props = data["properties"]
    for prop in ("name", "alias"):
        for value in props.get(prop) or ():
            if isinstance(value, str):
                yield fold(value)


def _linked(part: Part, schema: Schema, data: dict[str, Any], named: set[str]) -> bool:
    if part == "sanction":
        return _ids(data, "entity")[0] in named
    if part == "tie":
        return bool(named.intersection(_ids(data, schema.edge_source or "") + _ids(data, schema.edge_target or "")))
    return bool(data["id"] in named)


# ---- an entity -> a record ------------------------------------------------------------------

def _record(line: int, part: Part, proxy: EntityProxy, data: dict[str, Any], notes: Counter[str]) -> Record | None:
    """The record of an entity; the ids it points at are read as written (FollowTheMoney drops an id it
    would not write itself, and the file's own entities have theirs as written)."""
    if part == "actor":
        return _entity(line, proxy, notes)
    if part == "sanction":
        return _sanction(line, proxy, _ids(data, "entity")[0], notes)
    schema = proxy.schema
    return _tie(line, proxy, _ids(data, schema.edge_source or "")[0], _ids(data, schema.edge_target or "")[0])


def _entity(line: int, proxy: EntityProxy, notes: Counter[str]) -> Entity | None:
    names = _names_of(proxy, "name", notes)
    if not names:
        notes[f"{proxy.schema.name} entities without a name"] += 1
        return None
    name = next((n for n in names if latin(n)), names[0])
    others = [n for n in dict.fromkeys(names + _names_of(proxy, "alias", notes)) if fold(n) != fold(name)]
    native = next((n for n in others if other_script(n)), None) if latin(name) else None
    aliases = tuple(n for n in others if n != native)
    wikidata = _first(_get(proxy, "wikidataId"))
    return Entity(_id(proxy), line, _kind(proxy, names), name, aliases, native,
                  _first(_texts(_get(proxy, "position"))), _links(proxy, wikidata), wikidata)


def _names_of(proxy: EntityProxy, prop: str, notes: Counter[str]) -> list[str]:
    """Its names of at most NAME_LIMIT characters (a longer one is left out, and counted)."""
    found = _texts(_get(proxy, prop))
    kept = [n for n in found if len(n) <= NAME_LIMIT]
    if len(kept) < len(found):
        notes[f"names over {NAME_LIMIT} characters"] += len(found) - len(kept)
    return kept


def _kind(proxy: EntityProxy, names: list[str]) -> Literal["person", "state", "organization", "media"]:
    schema = proxy.schema
    if schema.is_a("Person"):
        return "person"
    if schema.is_a("PublicBody") and (_id(proxy).startswith(PREFIX) or any(map(government_of, names))):
        return "state"  # our export writes states, and only states, as PublicBody
    if "media" in (c.casefold() for c in _get(proxy, "classification")):
        return "media"
    return "organization"


def _links(proxy: EntityProxy, wikidata: str | None) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    if wikidata:
        found.append(("wikidata", f"https://www.wikidata.org/wiki/{wikidata}"))
    for label, prop in (("wikipedia", "wikipediaUrl"), ("website", "website")):
        for n, url in enumerate(dict.fromkeys(_get(proxy, prop))):
            found.append((label if n == 0 else f"{label}-{n + 1}", url))
    return tuple(found)


def _sanction(line: int, proxy: EntityProxy, listed: str, notes: Counter[str]) -> Sanction | None:
    date = _date(_get(proxy, "listingDate")) or _date(_get(proxy, "startDate"))
    if date is None:
        notes["sanctions without a date (listingDate or startDate)"] += 1
        return None
    authority = _first(_texts(_get(proxy, "authority")))
    if authority is None:
        notes["sanctions without an authority"] += 1
        return None
    return Sanction(_id(proxy), line, listed, authority,
                    _first(_texts(_get(proxy, "program") or _get(proxy, "programId"))), date,
                    _date(_get(proxy, "endDate")),
                    _first(_texts(_get(proxy, "authorityId") or _get(proxy, "unscId"))),
                    _first(_texts(_get(proxy, "reason"))), _first(_get(proxy, "sourceUrl")))


def _tie(line: int, proxy: EntityProxy, source: str, target: str) -> Tie:
    schema = proxy.schema
    default = next(t for name, t in TIES.items() if schema.is_a(name))
    words = _first(_texts(_get(proxy, "role") if "role" in schema.properties else _get(proxy, "relationship")))
    own = _id(proxy) == f"{PREFIX}{source.removeprefix(PREFIX)}-affiliation-{target.removeprefix(PREFIX)}"
    return Tie(_id(proxy), line, source, target, slug(words or "") or default,
               _date(_get(proxy, "startDate")), _date(_get(proxy, "endDate")), own and source.startswith(PREFIX))


# ---- values ---------------------------------------------------------------------------------

def _id(proxy: EntityProxy) -> str:
    return proxy.id or ""


def _get(proxy: EntityProxy, prop: str) -> list[str]:
    """A property's values as FollowTheMoney cleaned them ([] for one its schema does not have)."""
    return proxy.get(prop, quiet=True)


def clean(text: str) -> str:
    """Text as the site holds it: NFC, no control characters, spaces collapsed."""
    return " ".join(CONTROL_RE.sub("", unicodedata.normalize("NFC", text).replace("\x00", "")).split())


def _texts(values: list[str]) -> list[str]:
    return [t for t in dict.fromkeys(clean(v) for v in values) if t]


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


def _date(values: list[str]) -> PartialDate | None:
    """The first value that is a day, a month or a year (a time of day dropped)."""
    for value in values:
        found = PartialDate.parse(value[:10])
        if found is not None:
            return found
    return None


def latin(name: str) -> bool:
    """Whether a name has letters and most of them are Latin (Kim Jong Un, Müller)."""
    return any(c.isalpha() for c in name) and not other_script(name)


def other_script(name: str) -> bool:
    """Whether a name is written in another script than Latin (김정은, Владимир Путин): more of its letters
    are not Latin than are."""
    letters = [c for c in name if c.isalpha()]
    latin = sum(unicodedata.name(c, "").startswith("LATIN") for c in letters)
    return len(letters) - latin > latin
