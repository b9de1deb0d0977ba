"""`briefing import`, planning and writing: what the file holds (records, read.py) and what the site has
-> the new files, each under an id no item has; then writing them, never over a file.

New actors go under content/actors/imported/, the sources of designations under
content/sources/imported/, designations under content/designations/, one item a file."""

from __future__ import annotations

import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from normality import slugify

from ...content.load import load
from ...content.model import AUTHORITY_KINDS, ID_RE, RESERVED_ID, Actor, Designation, Item, PartialDate, Source
from ...content.validate import entry_of
from .countries import wikidata_id

FOLDERS = {"actors": "content/actors/imported", "sources": "content/sources/imported",
           "designations": "content/designations"}
"""Where an import writes each collection."""
PREFIX = "briefing-"
"""Our own export's entity ids: briefing-<id> (exports.py), read back as <id>."""


# ---- what the file holds (read.py reads it) -----------------------------------------------

@dataclass(frozen=True, slots=True)
class Entity:
    """A Person, Organization, Company, LegalEntity or PublicBody, as an actor would hold it."""

    ftm_id: str
    line: int
    kind: Literal["person", "state", "organization", "media"]
    name: str
    aliases: tuple[str, ...]
    native_name: str | None
    role: str | None
    links: tuple[tuple[str, str], ...]
    """(label, URL): wikidata, wikipedia, website, website-2, ..."""
    wikidata: str | None


@dataclass(frozen=True, slots=True)
class Sanction:
    ftm_id: str
    line: int
    entity: str
    authority: str
    program: str | None
    date: PartialDate
    until: PartialDate | None
    reference: str | None
    reason: str | None
    url: str | None


@dataclass(frozen=True, slots=True)
class Tie:
    """A relation from `source` to `target` (Membership: the member to the organisation)."""

    ftm_id: str
    line: int
    source: str
    target: str
    type: str
    since: PartialDate | None
    until: PartialDate | None
    affiliation: bool
    """Our own export's affiliation (briefing-<a>-affiliation-<b>), not a relation."""


Record = Entity | Sanction | Tie


def fold(text: str) -> str:
    """A name as names are compared: NFC, spaces collapsed, casefolded."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


# ---- what the site has ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Known:
    """What the site already has, as an import matches against it."""

    ids: frozenset[str]
    """Every id in use or kept: items', broken files', old ids (formerly)."""
    actors: Mapping[str, Actor]
    by_ftm_id: Mapping[str, str]
    """An actor's `extra: {ftm_id}` (written by an earlier import) -> its id."""
    by_wikidata: Mapping[str, str]
    by_name: Mapping[tuple[str, str], str]
    """(folded name, kind) -> actor id."""
    authorities: Mapping[str, str]
    """Folded name or alias of a state or organisation -> its id (a name before an alias)."""
    sources: Mapping[str, str]
    """URL -> source id."""
    designations: frozenset[tuple[str, str, str, str]]
    """Designation.duplicate_key of every designation: (actor, by, program casefolded, date)."""


def known(root: Path) -> Known:
    """The site as the import sees it: read as `briefing check` reads it (a file with a mistake still
    holds its id)."""
    raw = load(root, entry_of)
    items: dict[str, Item] = {}
    ids = {RESERVED_ID, *raw.unreadable}
    for entry in raw.records:
        if entry.id is not None:
            ids.add(entry.id)
        if entry.id is not None and entry.item is not None:
            items.setdefault(entry.id, entry.item)
    ids.update(old.id for item in items.values() for old in getattr(item, "formerly", ()))
    actors = {i: a for i, a in sorted(items.items()) if isinstance(a, Actor)}
    return Known(frozenset(ids), actors, _by_ftm_id(actors.values()), _by_wikidata(actors.values()),
                 _by_name(actors.values()), _authorities(actors.values()),
                 {s.url: s.id for s in items.values() if isinstance(s, Source) and s.url},
                 frozenset(_designations(items.values())))


def _by_ftm_id(actors: Iterable[Actor]) -> dict[str, str]:
    found: dict[str, str] = {}
    for a in actors:
        if isinstance(a.extra.get("ftm_id"), str):
            found.setdefault(a.extra["ftm_id"], a.id)
    return found


def _by_wikidata(actors: Iterable[Actor]) -> dict[str, str]:
    found: dict[str, str] = {}
    for a in actors:
        for link in a.links:
            qid = wikidata_id(link.url)
            if qid is not None:
                found.setdefault(qid, a.id)
    return found


def _by_name(actors: Iterable[Actor]) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for a in actors:
        found.setdefault((fold(a.name), a.kind), a.id)
    return found


def _authorities(actors: Iterable[Actor]) -> dict[str, str]:
    bodies = [a for a in actors if a.kind in AUTHORITY_KINDS]
    found = {fold(a.name): a.id for a in reversed(bodies)}  # the first by id wins
    for a in bodies:
        for alias in (*a.alias_names, *filter(None, (a.native_name,))):
            found.setdefault(fold(alias), a.id)
    return found


def _designations(items: Iterable[Item]) -> Iterable[tuple[str, str, str, str]]:
    return (d.duplicate_key for d in items if isinstance(d, Designation))


# ---- ids --------------------------------------------------------------------------------------

class Ids:
    """Ids taken across the site (all collections), and those this import gives out."""

    def __init__(self, taken: Iterable[str], root: Path) -> None:
        self.taken, self.root = set(taken), root
        self.files: dict[str, set[str]] = {}
        """Collection -> the names of the files in its folder (read once)."""

    def claim(self, wanted: str | None, base: str, fallback: str, collection: str) -> str:
        """`wanted` when it is a free id (our own export's), else `base` (a slug) or `fallback`, then
        -2, -3, ...: an id no item has and no file in the collection's folder is named."""
        if wanted and ID_RE.match(wanted) and self._free(wanted, collection):
            return self._took(wanted)
        base = base or fallback
        n, found = 1, base
        while not self._free(found, collection):
            n += 1
            found = f"{base}-{n}"
        return self._took(found)

    def _free(self, found: str, collection: str) -> bool:
        if collection not in self.files:
            folder = self.root / FOLDERS[collection]
            self.files[collection] = set(os.listdir(folder)) if folder.is_dir() else set()
        names = self.files[collection]
        return found not in self.taken and f"{found}.yaml" not in names and f"{found}.yml" not in names

    def _took(self, found: str) -> str:
        self.taken.add(found)
        return found


# ---- the plan ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class NewFile:
    path: str
    """Relative to the site, POSIX."""
    collection: str
    data: Mapping[str, Any]
    """What its YAML holds."""
    origin: str
    """Where it comes from, for the comment on its first line."""


@dataclass
class Plan:
    files: list[NewFile] = field(default_factory=list)
    kept: int = 0
    """Entities that are actors the site already has: not written again."""
    notes: Counter[str] = field(default_factory=Counter)
    """What was left out and why -> how many."""


def plan(records: Iterable[Record], site: Known, root: Path, origin: str) -> Plan:
    """The files that add what `records` hold to the site: new actors (an entity the site has as an
    actor is matched, not written), their relations, and every designation with its source.
    `origin`: the file's name, for the comment each file starts with."""
    entities, ties, sanctions = _parts(records)
    out = Plan()
    draft = _Draft(Ids(site.ids, root), site, origin)
    for e in entities:
        found = _match(e, site)
        if found is not None:
            draft.actor_of[e.ftm_id] = found
            out.kept += 1
        else:
            draft.add_actor(e)
    for t in ties:
        draft.add_tie(t, out.notes)
    draft.index_authorities()
    uses = Counter(s.url for s in sanctions)
    for s in sanctions:
        draft.add_designation(s, uses[s.url] == 1, out.notes)
    out.files.extend(draft.files())
    return out


def _parts(records: Iterable[Record]) -> tuple[list[Entity], list[Tie], list[Sanction]]:
    entities: list[Entity] = []
    ties: list[Tie] = []
    sanctions: list[Sanction] = []
    for r in records:
        if isinstance(r, Entity):
            entities.append(r)
        elif isinstance(r, Tie):
            ties.append(r)
        else:
            sanctions.append(r)
    return entities, ties, sanctions


def _match(e: Entity, site: Known) -> str | None:
    """The actor the site already has for this entity: one an earlier import wrote from it, the one our
    export wrote it from (briefing-<id>), the one with its Wikidata id, or the one with its name and kind."""
    found = site.by_ftm_id.get(e.ftm_id)
    if found is None and e.ftm_id.startswith(PREFIX) and e.ftm_id[len(PREFIX):] in site.actors:
        found = e.ftm_id[len(PREFIX):]
    if found is None and e.wikidata:
        found = site.by_wikidata.get(e.wikidata)
    return found if found is not None else site.by_name.get((fold(e.name), e.kind))


def _own(ftm_id: str) -> str | None:
    """<id> for our own export's briefing-<id>."""
    return ftm_id[len(PREFIX):] if ftm_id.startswith(PREFIX) else None


class _Draft:
    """The files of one import as they are planned: new actors (relations are added to them as ties are
    read), sources by URL, designations by their key."""

    def __init__(self, ids: Ids, site: Known, origin: str) -> None:
        self.ids, self.site, self.origin = ids, site, origin
        self.actor_of: dict[str, str] = {}
        """FollowTheMoney id -> actor id (new or the site's)."""
        self.actors: dict[str, dict[str, Any]] = {}
        self.relations: dict[str, list[dict[str, str]]] = {}
        self.affiliations: dict[str, list[str]] = {}
        self.origins: dict[str, str] = {}
        self.authorities: dict[str, str] = dict(site.authorities)
        self.sources: dict[str, NewFile] = {}
        self.designations: dict[tuple[str, str, str, str], NewFile] = {}

    def add_actor(self, e: Entity) -> None:
        aid = self.ids.claim(_own(e.ftm_id), slug(e.name), "actor", "actors")
        self.actor_of[e.ftm_id] = aid
        data: dict[str, Any] = {"name": e.name, "kind": e.kind}
        if e.aliases:
            data["aliases"] = list(e.aliases)
        if e.native_name:
            data["native_name"] = e.native_name
        if e.role:
            data["role"] = e.role
        if e.links:
            data["links"] = dict(e.links)
        data["extra"] = {"ftm_id": e.ftm_id}
        self.actors[aid] = data
        self.origins[aid] = f"line {e.line}"

    def name(self, aid: str) -> str:
        found = self.actors.get(aid)
        return str(found["name"]) if found is not None else self.site.actors[aid].name

    def add_tie(self, t: Tie, notes: Counter[str]) -> None:
        source, target = self.actor_of.get(t.source), self.actor_of.get(t.target)
        if source is None or target is None:
            notes["relations with an entity it does not import"] += 1
        elif source not in self.actors:
            notes["relations of actors the site already has (it never edits a file)"] += 1
        elif source == target:
            notes["relations of an actor to itself"] += 1
        elif t.affiliation:
            found = self.affiliations.setdefault(source, [])
            if target not in found:
                found.append(target)
        elif t.since and t.until and _before(t.until, t.since):
            notes["relations that end before they start"] += 1
        else:
            relation = {"to": target, "type": t.type}
            relation.update((k, str(v)) for k, v in (("since", t.since), ("until", t.until)) if v is not None)
            found_relations = self.relations.setdefault(source, [])
            if relation not in found_relations:
                found_relations.append(relation)

    def index_authorities(self) -> None:
        """The new states and organisations may list designations too (the site's own come first)."""
        bodies = [(aid, a) for aid, a in self.actors.items() if a["kind"] in AUTHORITY_KINDS]
        for aid, a in bodies:
            self.authorities.setdefault(fold(a["name"]), aid)
        for aid, a in bodies:
            for alias in (*a.get("aliases", ()), *filter(None, (a.get("native_name"),))):
                self.authorities.setdefault(fold(alias), aid)

    def authority(self, s: Sanction) -> str:
        """The actor that listed it, matched by name or alias, else a new organisation (written once)."""
        found = self.authorities.get(fold(s.authority))
        if found is None:
            found = self.ids.claim(None, slug(s.authority), "authority", "actors")
            self.actors[found] = {"name": s.authority, "kind": "organization"}
            self.origins[found] = f"the authority of line {s.line}"
            self.authorities[fold(s.authority)] = found
        return found

    def add_designation(self, s: Sanction, alone: bool, notes: Counter[str]) -> None:
        aid = self.actor_of.get(s.entity)
        if aid is None:
            notes["sanctions of an entity it does not import"] += 1
            return
        if s.until is not None and s.until.key[:3] < s.date.key[:3]:  # as validate.py compares them
            notes["sanctions that end before they start"] += 1
            return
        by = self.authority(s)
        key = (aid, by, (s.program or "").casefold(), str(s.date))  # as Designation.duplicate_key
        if key in self.site.designations:
            notes["designations the site already has"] += 1
            return
        if key in self.designations:
            notes["sanctions listed twice (same actor, authority, program and date)"] += 1
            return
        did = self.ids.claim(_own(s.ftm_id), slug(f"{aid} {s.date} {by}"), "designation", "designations")
        data: dict[str, Any] = {"actor": aid, "by": by}
        data.update((k, v) for k, v in (("program", s.program), ("date", str(s.date)),
                                        ("until", s.until and str(s.until)), ("reference", s.reference),
                                        ("reason", s.reason and markdown_text(s.reason))) if v)
        if s.url:
            data["sources"] = [self.source(s, aid, by, alone)]
        self.designations[key] = self._file("designations", did, data, f"line {s.line}")

    def source(self, s: Sanction, aid: str, by: str, alone: bool) -> str:
        """The source at the sanction's sourceUrl: the site's, or a new one (one a URL)."""
        assert s.url is not None
        if s.url in self.site.sources:
            return self.site.sources[s.url]
        if s.url not in self.sources:
            about = self.name(aid) if alone else s.program
            title = f"{s.authority}: {about}" if about else s.authority
            sid = self.ids.claim(None, slug(title), "source", "sources")
            self.sources[s.url] = self._file("sources", sid, {"title": title, "publisher": by, "url": s.url},
                                             f"the sourceUrl of line {s.line}")
        return Path(self.sources[s.url].path).stem

    def _file(self, collection: str, item_id: str, data: Mapping[str, Any], where: str) -> NewFile:
        return NewFile(f"{FOLDERS[collection]}/{item_id}.yaml", collection, data,
                       f"written by briefing import from {self.origin}, {where}")

    def files(self) -> Iterable[NewFile]:
        for aid, data in self.actors.items():
            full = {k: v for k, v in data.items() if k != "extra" and k != "links"}
            if aid in self.affiliations:
                full["affiliations"] = self.affiliations[aid]
            if aid in self.relations:
                full["relations"] = self.relations[aid]
            full.update((k, data[k]) for k in ("links", "extra") if k in data)
            yield self._file("actors", aid, full, self.origins[aid])
        yield from self.sources.values()
        yield from self.designations.values()


def _before(end: PartialDate, start: PartialDate) -> bool:
    """An end before its start, compared at the coarser of their precisions (2022 vs 2022-12 is not)."""
    coarser = max(end.precision, start.precision, key=("day", "month", "year").index)
    return end.coarsened(coarser) < start.coarsened(coarser)


MARKDOWN_ESCAPED = str.maketrans({c: "\\" + c for c in "\\[]*_`<"})
"""What could make a reason's text a link, emphasis, code or HTML: shown as it is."""


def markdown_text(text: str) -> str:
    """Plain text as Markdown that shows it as written (no link, no [[id]], no list or heading)."""
    escaped = text.translate(MARKDOWN_ESCAPED)
    return "\\" + escaped if escaped[:1] in ("#", ">", "-", "+", "=", "|") or escaped[:1].isdigit() else escaped


SLUG_LIMIT = 60
"""Characters of a slug at the most (cut at a word): file names stay short."""
SLUG_RE = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """An id from a name, transliterated to ASCII (김정은: gimjeongeun), at most SLUG_LIMIT characters cut
    at a word; '' when nothing is left."""
    found = SLUG_RE.sub("-", (slugify(text, sep="-") or "").lower()).strip("-")
    if len(found) > SLUG_LIMIT:
        cut = found[:SLUG_LIMIT + 1]
        found = cut.rsplit("-", 1)[0] if "-" in cut else found[:SLUG_LIMIT]
    return found


# ---- writing ----------------------------------------------------------------------------------

def text(f: NewFile) -> str:
    """A new file's text: a comment saying where it comes from, then its YAML."""
    body = yaml.dump(dict(f.data), Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), allow_unicode=True,
                     sort_keys=False, default_flow_style=None, width=100)
    return f"# {f.origin}\n{body}"


def write(root: Path, files: Iterable[NewFile]) -> None:
    """Writes every file, each new (never over one); on any failure removes what it wrote and re-raises."""
    made: list[Path] = []
    there: set[Path] = set()
    try:
        for f in files:
            path = root / f.path
            if path.parent not in there:
                for folder in reversed([p for p in (path.parent, *path.parent.parents) if not p.is_dir()]):
                    folder.mkdir()
                    made.append(folder)
                there.add(path.parent)
            # O_EXCL: a file that came since the import was planned is not written over (os.open also
            # takes less time than open() over thousands of small files)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            made.append(path)
            try:
                os.write(fd, text(f).encode("utf-8"))
            finally:
                os.close(fd)
    except BaseException:
        for path in reversed(made):
            path.rmdir() if path.is_dir() else path.unlink(missing_ok=True)
        raise
