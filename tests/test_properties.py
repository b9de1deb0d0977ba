"""Property-based tests: random valid sites build with no broken link; one mistake gives one message.

Profiles (HYPOTHESIS_PROFILE): `default` is short, derandomized (a run is repeatable) and does not
shrink; `shrink` runs the same examples and makes a failure minimal; `explore` draws 300 new
examples per property and keeps failures in .hypothesis/ (git-ignored). See docs/testing.md.
"""

from __future__ import annotations

import copy
import json
import os
import posixpath
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from generator.base.errors import SiteError
from generator.build.builder import build, check

REPO = Path(__file__).resolve().parent.parent

SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]
# A build takes about a second, so shrinking a failure can take minutes: the default run reports the
# first failure unshrunk (with its files and a reproduce blob); `shrink` makes it minimal.
settings.register_profile("default", max_examples=30, deadline=None, derandomize=True, print_blob=True,
                          phases=[Phase.explicit, Phase.reuse, Phase.generate], suppress_health_check=SLOW_OK)
settings.register_profile("shrink", max_examples=30, deadline=None, derandomize=True, print_blob=True,
                          suppress_health_check=SLOW_OK)
settings.register_profile("explore", max_examples=300, deadline=None, print_blob=True, suppress_health_check=SLOW_OK)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


# ---- a site as data, and its files ------------------------------------------------------

class Raw(str):
    """A YAML scalar written as it is, unquoted (dates, years)."""


@dataclass
class YamlFile:
    items: list[dict[str, Any]]
    single: bool
    """One mapping (the id may come from the file name) rather than a list of mappings."""


@dataclass
class ArticleFile:
    front: dict[str, Any]
    body: str


@dataclass
class SiteModel:
    files: dict[str, YamlFile | ArticleFile]
    """Path relative to the site root -> what it holds (site.yaml included)."""
    static: dict[str, bytes] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    """Item id -> the path of the file that holds it."""

    @property
    def pretty(self) -> bool:
        site = self.files["site.yaml"]
        assert isinstance(site, YamlFile)
        return bool(site.items[0].get("pretty_urls", True))

    def render(self) -> dict[str, bytes]:
        out = {path: dump_file(spec).encode("utf-8") for path, spec in self.files.items()}
        return {**out, **{f"static/{rel}": data for rel, data in self.static.items()}}


YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}
PLAIN_RE = re.compile(r"[A-Za-z][A-Za-z0-9 .,()’–-]*[A-Za-z0-9.)]|[A-Za-z]")


def scalar(value: Any) -> str:
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    assert isinstance(value, str), value
    if PLAIN_RE.fullmatch(value) and value.lower() not in YAML_WORDS:
        return value
    return json.dumps(value, ensure_ascii=False)


FLOW_KEYS = {"actors", "topics", "sources", "affiliations", "related", "about"}


def emit(mapping: dict[str, Any], indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for key, value in mapping.items():
        if isinstance(value, dict):
            lines.append(f"{pad}{key}:")
            lines += emit(value, indent + 2)
        elif isinstance(value, list) and (not value or key in FLOW_KEYS):
            lines.append(f"{pad}{key}: [{', '.join(scalar(v) for v in value)}]")
        elif isinstance(value, list):
            lines.append(f"{pad}{key}:")
            for entry in value:
                if isinstance(entry, dict):
                    sub = emit(entry, indent + 4)
                    lines += [f"{pad}  - {sub[0].lstrip()}", *sub[1:]]
                else:
                    lines.append(f"{pad}  - {scalar(entry)}")
        elif isinstance(value, str) and "\n" in value:
            lines.append(f"{pad}{key}: |")
            lines += [f"{pad}  {line}" if line else "" for line in value.rstrip("\n").split("\n")]
        else:
            lines.append(f"{pad}{key}: {scalar(value)}")
    return lines


def dump_yaml(spec: YamlFile) -> str:
    if spec.single:
        return "\n".join(emit(spec.items[0], 0)) + "\n"
    lines: list[str] = []
    for item in spec.items:
        sub = emit(item, 2)
        lines += [f"- {sub[0].lstrip()}", *sub[1:]]
    return "\n".join(lines) + "\n"


def dump_file(spec: YamlFile | ArticleFile) -> str:
    if isinstance(spec, YamlFile):
        return dump_yaml(spec)
    return "---\n" + "\n".join(emit(spec.front, 0)) + "\n---\n" + spec.body


def write_site(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


# ---- strategies: valid sites ------------------------------------------------------------

SYLLABLES = ["ka", "ro", "vi", "la", "ne", "mi", "to", "sa", "de", "lin", "mar", "vel", "dor", "ten", "bri",
             "zu", "ha", "po", "ses", "tan"]
RESERVED = {"page", "index", "feed", "feeds", "search", "timeline", "graph", "sources", "data", "assets", "img",
            "articles", "actors", "topics", "views", "quotes", "events", "build"}
WORDS = ["the", "talks", "water", "quota", "said", "on", "a", "report", "minister", "and", "of", "border",
         "deal", "weekly", "readings", "in", "sanctions", "visit", "launch", "over"]
ACCENTED = {"o": "ö", "a": "á", "e": "é"}
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>\n'
KINDS = ("person", "state", "organization", "media")

syllable_words = st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=3).map("".join)
slugs = st.lists(syllable_words, min_size=1, max_size=3).map("-".join).filter(lambda s: s not in RESERVED)
words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join)
titles = st.tuples(words, st.sampled_from(["", ":", " – après", " #2", "'s"])).map(lambda t: t[0].capitalize() + t[1])


@st.composite
def dates(draw: st.DrawFn, day_only: bool = False) -> Any:
    year = draw(st.integers(1990, 2030))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 28))
    precision = "day" if day_only else draw(st.sampled_from(["day", "month", "year"]))
    text = {"day": f"{year}-{month:02d}-{day:02d}", "month": f"{year}-{month:02d}", "year": str(year)}[precision]
    style = draw(st.sampled_from(["plain", "quoted"] if precision != "year" else ["plain", "quoted", "int"]))
    return {"plain": Raw(text), "quoted": text, "int": year}[style]


def name_of(item_id: str, accent: bool) -> str:
    name = " ".join(w.capitalize() for w in item_id.split("-"))
    if accent:
        name = "".join(ACCENTED.get(ch, ch) for ch in name)
    return name


@dataclass
class Ctx:
    """What Markdown may point at, for one site."""

    ids: list[str]
    names: list[str]
    pages: list[str]
    """Root-relative URLs of pages and anchors the build makes, written as the contract says."""
    name_links: list[str] = field(default_factory=list)
    """(v2) Names and titles that only one item claims, for `[[Name]]` links."""


@st.composite
def inline(draw: st.DrawFn, ctx: Ctx, one_line: bool, in_table: bool = False) -> str:
    pieces = []
    for _ in range(draw(st.integers(1, 7))):
        kind = draw(st.integers(0, 10 if ctx.name_links else 9))
        if kind == 10:
            pieces.append(f"[[{draw(st.sampled_from(ctx.name_links))}]]")
        elif kind == 0 or (kind == 1 and not ctx.names):
            pieces.append(draw(words))
        elif kind == 1:
            name = draw(st.sampled_from(ctx.names))
            if not one_line and " " in name and draw(st.booleans()):
                name = name.replace(" ", "\n", 1)  # a line break inside a name still matches
            pieces.append(name)
        elif kind == 2:
            pieces.append(f"[[{draw(st.sampled_from(ctx.ids))}]]")
        elif kind == 3 and not in_table:
            pieces.append(f"[[{draw(st.sampled_from(ctx.ids))}|{draw(words)}]]")
        elif kind == 4 and ctx.pages:
            pieces.append(f"[{draw(words)}]({draw(st.sampled_from(ctx.pages))})")
        elif kind == 5:
            pieces.append(f"[{draw(words)}](https://example.org/{draw(slugs)}/)")
        elif kind == 6:
            pieces.append(f"`{draw(st.sampled_from(ctx.names or WORDS))}`")
        elif kind == 7:
            pieces.append(f"*{draw(words)}* **{draw(words)}**")
        elif kind == 8:
            pieces.append(f"<b>{draw(words)}</b>")
        else:
            pieces.append(draw(words) + draw(st.sampled_from([".", ",", ";", "!", "?"])))
    return " ".join(pieces)


@st.composite
def markdown_doc(draw: st.DrawFn, ctx: Ctx, blocks: int = 5) -> str:
    out: list[str] = []
    notes: list[str] = []
    for _ in range(draw(st.integers(1, blocks))):
        kind = draw(st.integers(0, 8))
        if kind == 1:
            title = draw(words).capitalize() + (" " + draw(st.sampled_from(ctx.names)) if ctx.names else "")
            out.append(f"{draw(st.sampled_from(['##', '###']))} {title}")
        elif kind == 2:
            bullet = draw(st.sampled_from(["-", "*", "1."]))
            out.append("\n".join(f"{bullet} {draw(inline(ctx, True))}" for _ in range(draw(st.integers(1, 3)))))
        elif kind == 3:
            out.append(f"```\n[[{draw(st.sampled_from(ctx.ids))}]] {draw(st.sampled_from(ctx.names or WORDS))}\n```")
        elif kind == 4:
            out.append("> " + draw(inline(ctx, True)))
        elif kind == 5:
            cell = inline(ctx, True, in_table=True)
            out.append(f"| {draw(words)} | {draw(words)} |\n|---|---:|\n| {draw(cell)} | {draw(cell)} |")
        elif kind == 6:
            label = f"n{len(notes) + 1}"
            notes.append(f"[^{label}]: {draw(inline(ctx, True))}")
            out.append(draw(inline(ctx, False)) + f"[^{label}]")
        else:
            out.append(draw(inline(ctx, False)))
    return "\n\n".join(out + notes) + "\n"


PAGED = ("articles", "actors", "topics", "views")
COUNTS = {"actors": (1, 5), "topics": (0, 3), "sources": (0, 3), "events": (0, 3), "quotes": (0, 2),
          "views": (0, 2), "articles": (0, 3)}


@st.composite
def site_models(draw: st.DrawFn, v2: bool = False) -> SiteModel:
    counts = {c: draw(st.integers(*r)) for c, r in COUNTS.items()}
    all_ids = draw(st.lists(slugs, min_size=sum(counts.values()), max_size=sum(counts.values()), unique=True))
    by: dict[str, list[str]] = {}
    for c, n in counts.items():
        by[c], all_ids = all_ids[:n], all_ids[n:]
    kinds = [draw(st.sampled_from(KINDS)) for _ in by["actors"]]
    if by["views"]:
        kinds[0] = "person"
    people = [a for a, k in zip(by["actors"], kinds, strict=True) if k == "person"]
    media = [a for a, k in zip(by["actors"], kinds, strict=True) if k == "media"]
    names = {a: name_of(a, draw(st.booleans())) for a in by["actors"]}
    names |= {t: name_of(t, False) + " question" for t in by["topics"]}
    drafts = {a for a in by["articles"] if draw(st.booleans()) and draw(st.booleans())}
    config = site_config(draw, v2)
    static = {"img/map.svg": SVG} if draw(st.booleans()) else {}
    pages = _pages(by, drafts, static)
    formerly = {i: f"{i}-old" for c in PAGED for i in by[c] if v2 and i not in drafts and draw(st.booleans())}
    pages += [f"/{c}/{formerly[i]}/" for c in PAGED for i in by[c] if i in formerly]
    ctx = Ctx(sorted(i for ids in by.values() for i in ids), sorted(names.values()), pages)
    if v2:  # an actor's aliases are its name's last word and "The <name>": a one-word name may be claimed twice
        last = {i: n.split()[-1] for i, n in names.items()}
        ctx.name_links = sorted(n for i, n in names.items() if all(w != n for j, w in last.items() if j != i))

    def some(pool: list[str], most: int = 3) -> list[str]:
        return draw(st.lists(st.sampled_from(pool), max_size=most, unique=True)) if pool else []

    def maybe() -> bool:
        return draw(st.booleans())

    def md_line() -> str:
        return draw(inline(ctx, True))

    items: dict[str, list[dict[str, Any]]] = {c: [] for c in by}
    for a, kind in zip(by["actors"], kinds, strict=True):
        d: dict[str, Any] = {"name": names[a], "kind": kind}
        if maybe():
            d["aliases"] = [names[a].split()[-1]] + ([f"The {names[a]}"] if maybe() else [])
        if maybe():
            d["native_name"] = draw(st.sampled_from(["Каровия", "김정은", "Θεσσαρία", "Ødegård"]))
        if maybe():
            d["role"] = draw(titles)
        if maybe():
            d["affiliations"] = some([x for x in by["actors"] if x != a])
        if maybe():
            d["summary"] = draw(markdown_doc(ctx, 2)) if maybe() else md_line()
        others = [x for x in by["actors"] if x != a]
        if others and maybe():
            d["relations"] = [_relation(draw, to, v2) for to in some(others, 2)]
        if maybe():
            d["links"] = {"wikipedia": f"https://example.org/wiki/{a}", "official site": "https://example.org/"}
        if maybe():
            static[f"img/{a}.svg"] = SVG
            d["image"] = {"src": f"img/{a}.svg", "alt": f"Portrait of {names[a]}", "credit": "Desk"}
        if v2:
            _actor_v2(draw, d, names[a])
        if a in formerly:
            d["formerly"] = [formerly[a]]
        items["actors"].append(d)
    for i, t in enumerate(by["topics"]):
        d = {"title": names[t]}
        if maybe():
            d["aliases"] = [names[t].split()[0] + " matter"]
        if maybe():
            d["summary"] = md_line()
        if maybe():
            d["body"] = draw(markdown_doc(ctx, 3))
        if i and maybe():
            d["parent"] = draw(st.sampled_from(by["topics"][:i]))  # earlier topics only: a tree
        if maybe():
            d["related"] = some([x for x in by["topics"] if x != t])
        if maybe():
            d["actors"] = some(by["actors"])
        if maybe():
            d["facts"] = [{"label": draw(titles), "value": draw(words),
                           **({"source": draw(st.sampled_from(by["sources"]))} if by["sources"] and maybe() else {})}]
        if t in formerly:
            d["formerly"] = [formerly[t]]
        items["topics"].append(d)
    for s in by["sources"]:
        d = {"title": draw(titles)}
        if maybe():
            d["publisher"] = draw(st.sampled_from(by["actors"])) if maybe() else draw(titles)
        if maybe():
            d["url"] = f"https://example.org/src/{s}"
        if maybe():
            d["date"] = draw(dates())
        if maybe():
            d["accessed"] = draw(dates())
        if v2 and maybe():
            d["reliability"] = draw(st.sampled_from("ABCDEF"))
        items["sources"].append(d)
    for _ in by["events"]:
        start = draw(dates())
        d = {"date": start, "title": draw(titles)}
        if maybe():
            d["end"] = _later(start)
        if maybe():
            d["summary"] = draw(markdown_doc(ctx, 2)) if maybe() else md_line()
        if maybe():
            d["location"] = draw(titles)
        for key, pool in (("actors", by["actors"]), ("topics", by["topics"]), ("sources", by["sources"])):
            if pool and maybe():
                d[key] = some(pool)
        if by["articles"] and maybe():
            d["article"] = draw(st.sampled_from(by["articles"]))
        if v2 and maybe():
            d["credibility"] = draw(st.integers(1, 6))
        items["events"].append(d)
    for _ in by["quotes"]:
        d = {"speaker": draw(st.sampled_from(by["actors"])), "text": draw(words) + "."}
        if maybe():
            d["date"] = draw(dates())
        if maybe():
            d["context"] = draw(titles)
        if media and maybe():
            d["reported_by"] = draw(st.sampled_from(media))
        if maybe():
            d["about"] = some(by["actors"] + by["topics"])
        if by["articles"] and maybe():
            d["article"] = draw(st.sampled_from(by["articles"]))
        if by["sources"] and maybe():
            d["sources"] = some(by["sources"])
        if v2 and maybe():
            d["credibility"] = draw(st.integers(1, 6))
        items["quotes"].append(d)
    for v in by["views"]:
        d = {"expert": draw(st.sampled_from(people)), "title": draw(titles), "summary": md_line()}
        if maybe():
            d["quote"] = draw(words)
        if maybe():
            d["about"] = some(by["actors"] + by["topics"])
        if maybe():
            d["date"] = draw(dates())
        if by["articles"] and maybe():
            d["article"] = draw(st.sampled_from(by["articles"]))
        if by["sources"] and maybe():
            d["sources"] = some(by["sources"])
        if v in formerly:
            d["formerly"] = [formerly[v]]
        items["views"].append(d)
    files: dict[str, YamlFile | ArticleFile] = {"site.yaml": YamlFile([config], True)}
    model = SiteModel(files, static)
    for c, ids in by.items():
        if c != "articles":
            _place(draw, model, c, ids, items[c])
    for a in by["articles"]:
        front: dict[str, Any] = {"title": draw(titles), "date": draw(dates(day_only=True))}
        if v2 and maybe():
            front["date"] = f"{front['date']}T{draw(st.integers(0, 23)):02d}:30{draw(st.sampled_from(['+00:00', '+09:00', '-05:30']))}"
        if maybe():
            front["summary"] = md_line()
        if maybe():
            front["key_points"] = [md_line() for _ in range(draw(st.integers(1, 3)))]
        for key, pool in (("actors", by["actors"]), ("topics", by["topics"]), ("sources", by["sources"])):
            if pool and maybe():
                front[key] = some(pool)
        if maybe():
            front["location"] = draw(titles)
        if maybe():
            front["author"] = draw(titles)
        if maybe():
            front["updated"] = draw(dates(day_only=True))
        if a in drafts:
            front["draft"] = True
        elif maybe():
            front["draft"] = False
        if v2:
            _article_v2(draw, front, a, static)
        if a in formerly:
            front["formerly"] = [formerly[a]]
        path = f"content/articles/{'2023/' if maybe() else ''}{a}.md"
        model.files[path] = ArticleFile(front, draw(markdown_doc(ctx)))
        model.ids[a] = path
    return model


def site_config(draw: st.DrawFn, v2: bool) -> dict[str, Any]:
    config: dict[str, Any] = {"title": draw(titles)}
    optional = {"description": draw(words), "language": draw(st.sampled_from(["en", "fr", "de-CH"])),
                "base_url": draw(st.sampled_from(["https://example.org/", "https://example.org/sub/briefing/"])),
                "author": draw(titles), "mentions": draw(st.sampled_from(["first", "all", "none"])),
                "raw_html": draw(st.booleans()), "pretty_urls": draw(st.booleans())}
    for key, value in optional.items():
        if draw(st.booleans()):
            config[key] = value
    return config


def _pages(by: dict[str, list[str]], drafts: set[str], static: dict[str, bytes]) -> list[str]:
    pages = ["/"]
    for c in ("articles", "actors", "topics", "views"):
        built = [i for i in by[c] if i not in drafts]
        pages += [f"/{c}/{i}/" for i in built] + ([f"/{c}/"] if built else [])
    pages += [f"/timeline/#{e}" for e in by["events"]] + [f"/sources/#{s}" for s in by["sources"]]
    return pages + [f"/{rel}" for rel in static]


def _relation(draw: st.DrawFn, to: str, v2: bool) -> dict[str, Any]:
    rel: dict[str, Any] = {"to": to, "type": draw(st.sampled_from(["counterpart", "ally", "member-of", "rival"]))}
    if draw(st.booleans()):
        rel["note"] = draw(words)
    if draw(st.booleans()):
        rel["since"] = draw(dates())
    if v2 and draw(st.booleans()):
        rel["until"] = _later(rel["since"]) if "since" in rel else Raw("2024")
    return rel


def _later(start: Any) -> Any:
    """A date on or after `start`, at a precision the contract allows to compare."""
    text = str(start)
    return Raw(str(int(text[:4]) + 1) + text[4:])


def _actor_v2(draw: st.DrawFn, d: dict[str, Any], name: str) -> None:
    if draw(st.booleans()):
        d["short_name"] = "".join(w[0] for w in name.split()).upper() + "X"
    if draw(st.booleans()):
        d["sort_name"] = ", ".join(reversed(name.split(" ", 1)))


def _article_v2(draw: st.DrawFn, front: dict[str, Any], a: str, static: dict[str, bytes]) -> None:
    if draw(st.booleans()):
        static[f"img/lead-{a}.svg"] = SVG
        front["image"] = {"src": f"img/lead-{a}.svg", "alt": draw(words), "caption": draw(words), "credit": "Desk"}
    if draw(st.booleans()):
        front["featured"] = True
    if draw(st.booleans()):
        front["corrections"] = [{"date": draw(dates(day_only=True)), "text": draw(words) + "."}]


def _place(draw: st.DrawFn, model: SiteModel, collection: str, ids: list[str], items: list[dict[str, Any]]) -> None:
    """Items into files: alone (the id from the stem, or explicit) or several in a list, maybe in a sub-folder."""
    grouped: list[dict[str, Any]] = []
    for item_id, item in zip(ids, items, strict=True):
        folder = draw(st.sampled_from(["", "more/", "more/deeper/"]))
        suffix = draw(st.sampled_from([".yaml", ".yml"]))
        if draw(st.booleans()):
            grouped.append({"id": item_id, **item})
            continue
        explicit = {"id": item_id} if draw(st.booleans()) else {}
        path = f"content/{collection}/{folder}{item_id}{suffix}"
        model.files[path] = YamlFile([{**explicit, **item}], True)
        model.ids[item_id] = path
    if grouped:
        path = f"content/{collection}/all-{collection}.yaml"
        model.files[path] = YamlFile(grouped, False)
        model.ids.update({item["id"]: path for item in grouped})


# ---- checking a built site --------------------------------------------------------------

LINK_ATTRS = (("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"), ("source", "src"),
              ("iframe", "src"), ("area", "href"))


def broken_links(out: Path, pretty: bool) -> list[str]:
    """Every internal href/src of every HTML page that does not lead to a file (or to its #fragment)."""
    problems: list[str] = []
    anchors: dict[Path, set[str]] = {}

    def ids_of(path: Path) -> set[str]:
        if path not in anchors:
            soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
            anchors[path] = {t["id"] for t in soup.find_all(id=True)} | {t["name"] for t in soup.find_all("a", attrs={"name": True})}
        return anchors[path]

    for page in sorted(out.rglob("*.html")):
        page_rel = page.relative_to(out).as_posix()
        if page_rel == "404.html":  # shown at any depth: it links by base_url, by design
            continue
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        seen = [t["id"] for t in soup.find_all(id=True)]
        problems += [f"{page_rel}: id {i!r} is used twice" for i in sorted({i for i in seen if seen.count(i) > 1})]
        for tag, attr in LINK_ATTRS:
            for el in soup.find_all(tag, attrs={attr: True}):
                problem = _check_link(out, page, page_rel, str(el[attr]), pretty, ids_of)
                if problem:
                    problems.append(f"{page_rel}: <{tag} {attr}={el[attr]!r}>: {problem}")
    return problems


def _check_link(out: Path, page: Path, page_rel: str, url: str, pretty: bool,
                ids_of: Callable[[Path], set[str]]) -> str | None:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None
    if url.startswith("/"):
        return "root-relative link (the contract wants relative links only)"
    path = unquote(parts.path)
    if not path:
        target = page
    else:
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(page_rel), path))
        if joined.startswith(".."):
            return "leaves the output folder"
        target = out / joined
        if target.is_dir():
            if not pretty:
                return "a folder URL with pretty_urls: false (cannot be browsed from disk)"
            target = target / "index.html"
        elif path.endswith("/"):
            return "no such folder"
    if not target.is_file():
        return "no such file"
    if parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in ids_of(target):
        return f"no element with id {parts.fragment!r}"
    return None


def problem_text(problems: Any) -> str:
    return "\n".join(str(p) for p in problems)


# ---- (a) valid sites --------------------------------------------------------------------

def _build_and_check_links(model: SiteModel) -> None:
    with tempfile.TemporaryDirectory(prefix="briefing-prop-") as tmp:
        root, out = Path(tmp, "site"), Path(tmp, "out")
        files = model.render()
        write_site(root, files)
        for rel, data in sorted(files.items()):
            note(f"--- {rel}\n{data.decode('utf-8', 'replace')}")
        checked = check(root)
        errors = [p for p in checked.problems if p.severity == "error"]
        assert not errors, "check found errors in a valid site:\n" + problem_text(errors)
        try:
            build(root, out)
        except SiteError as exc:
            pytest.fail("build failed on a valid site:\n" + problem_text(exc.problems))
        broken = broken_links(out, model.pretty)
        assert not broken, "broken internal links:\n" + "\n".join(broken)


@given(site_models())
def test_valid_site_builds_with_no_broken_internal_link(model: SiteModel) -> None:
    _build_and_check_links(model)


@given(site_models(v2=True))
@settings(max_examples=25)
def test_valid_site_with_v2_fields_builds_with_no_broken_internal_link(model: SiteModel) -> None:
    _build_and_check_links(model)


# ---- (b) one mistake ---------------------------------------------------------------------

REF_FIELDS = {
    "articles": ("actors", "topics", "sources"),
    "actors": ("affiliations", "relations.to"),
    "topics": ("parent", "related", "actors", "facts.source"),
    "views": ("expert", "about", "article", "sources"),
    "quotes": ("speaker", "reported_by", "about", "article", "sources"),
    "events": ("actors", "topics", "sources", "article"),
    "sources": (),
}
DATE_FIELDS = {"articles": ("date", "updated"), "actors": ("relations.since",), "views": ("date",),
               "quotes": ("date",), "events": ("date", "end"), "sources": ("date", "accessed"), "topics": ()}
REQUIRED = {"articles": ("title", "date"), "actors": ("name", "kind"), "topics": ("title",),
            "views": ("expert", "title", "summary"), "quotes": ("speaker", "text"), "events": ("date", "title"),
            "sources": ("title",), "site": ("title",)}
MD_FIELDS = ("summary", "body", "key_points")
IMPOSSIBLE = [Raw("2023-13-45"), "2023-02-30", Raw("2023-00"), Raw("2023-04-31"), "31-12-2023"]


@dataclass(frozen=True)
class Noise:
    """Drawn values for the mistakes that need some: where, and which bytes."""

    at: int
    junk: bytes


Apply = Callable[[SiteModel, dict[str, bytes], Noise], None]


@dataclass
class Mistake:
    """One corruption of one file, and what the contract says the run must report."""

    kind: str
    path: str
    detail: str
    apply: Apply
    one_error: bool = True
    """A single root cause: exactly one error line, at `path` (or at `also`)."""
    also: str | None = None
    """For a duplicate id: the other place, which the one line must name too."""
    no_error: bool = False
    """The change turned out to leave the same data (an indent YAML does not mind): no error at all."""


def _collection(path: str) -> str:
    return "site" if path == "site.yaml" else path.split("/")[1]


def _items(model: SiteModel) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(path, index, mapping) of every item, site.yaml's settings included; an article's front matter."""
    for path, spec in sorted(model.files.items()):
        if isinstance(spec, ArticleFile):
            yield path, 0, spec.front
        else:
            for i, item in enumerate(spec.items):
                yield path, i, item


def _mapping(model: SiteModel, path: str, index: int) -> dict[str, Any]:
    spec = model.files[path]
    return spec.front if isinstance(spec, ArticleFile) else spec.items[index]


def _slots(item: dict[str, Any], dotted: str) -> Iterator[tuple[Any, Any]]:
    """(container, key) of every value at `relations.to`-style paths, list entries one by one."""
    head, _, rest = dotted.partition(".")
    if head not in item:
        return
    value = item[head]
    if rest:
        for entry in value if isinstance(value, list) else []:
            if isinstance(entry, dict) and rest in entry:
                yield entry, rest
    elif isinstance(value, list):
        for i in range(len(value)):
            yield value, i
    else:
        yield item, head


def _unused_id(model: SiteModel, near: str) -> str:
    candidate = near + "x"
    while candidate in model.ids:
        candidate += "x"
    return candidate


def model_mistakes(model: SiteModel) -> list[Mistake]:
    out: list[Mistake] = []

    def add(kind: str, path: str, index: int, detail: str, change: Callable[[dict[str, Any]], None],
            one_error: bool = True) -> None:
        def apply(m: SiteModel, files: dict[str, bytes], _: Noise) -> None:
            change(_mapping(m, path, index))
            files[path] = dump_file(m.files[path]).encode("utf-8")
        out.append(Mistake(kind, path, detail, apply, one_error))

    for path, index, item in _items(model):
        coll = _collection(path)
        for dotted in REF_FIELDS.get(coll, ()):
            for n, (container, key) in enumerate(_slots(item, dotted)):
                bad = _unused_id(model, container[key])
                add("misspelled id in a field", path, index, f"{dotted} #{n}: {container[key]} -> {bad}",
                    _setter(dotted, n, bad))
        for dotted in DATE_FIELDS.get(coll, ()):
            for n, (_container, _key) in enumerate(_slots(item, dotted)):
                for bad in IMPOSSIBLE[:3]:
                    add("impossible date", path, index, f"{dotted} #{n} -> {bad}", _setter(dotted, n, bad))
        for key in REQUIRED[coll]:
            if key in item:
                add("required key deleted", path, index, key, lambda d, k=key: d.pop(k))
                typo = key[:-1] if len(key) > 3 else key + key[-1]
                add("required key misspelled", path, index, f"{key} -> {typo}", _rename(key, typo))
        for key, value in item.items():
            if key == "id":
                continue
            wrong = _wrong_type(key, value)
            add("wrong type", path, index, f"{key}: {wrong!r}", lambda d, k=key, w=wrong: d.__setitem__(k, w))
        add("unknown key", path, index, "colour: red", lambda d: d.__setitem__("colour", "red"))
        if coll == "actors":
            add("kind misspelled", path, index, "kind: persn", lambda d: d.__setitem__("kind", "persn"))
        if coll == "site":
            add("mentions misspelled", path, index, "mentions: frist", lambda d: d.__setitem__("mentions", "frist"))
    out += _markdown_mistakes(model)
    out += _duplicate_ids(model)
    return out


def _setter(dotted: str, n: int, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(item: dict[str, Any]) -> None:
        container, key = list(_slots(item, dotted))[n]
        container[key] = value
    return change


def _rename(old: str, new: str) -> Callable[[dict[str, Any]], None]:
    def change(item: dict[str, Any]) -> None:
        items = list(item.items())
        item.clear()
        item.update({(new if k == old else k): v for k, v in items})
    return change


def _wrong_type(key: str, value: Any) -> Any:
    if isinstance(value, list) and value and not isinstance(value[0], dict):
        return value[0]  # `putin`, not `[putin]`
    if isinstance(value, (list, dict)):
        return "some text"
    if isinstance(value, bool):
        return "maybe"
    return [str(value), "another"]


def _markdown_mistakes(model: SiteModel) -> list[Mistake]:
    out = []
    for path, spec in sorted(model.files.items()):
        fields: list[tuple[int, str]] = []
        if isinstance(spec, ArticleFile):
            fields.append((-1, "body"))
            fields += [(0, k) for k in MD_FIELDS if isinstance(spec.front.get(k), str)]
        elif path != "site.yaml":
            fields += [(i, k) for i, item in enumerate(spec.items) for k in MD_FIELDS if isinstance(item.get(k), str)]
        for index, key in fields:
            for addition, kind in (("See [[zz-no-such-id]].", "unknown [[id]] in Markdown"),
                                   ("See [a link](/actors/zz-no-such-actor/).", "internal link to no page")):
                out.append(Mistake(kind, path, f"{key} += {addition}", _md_appender(path, index, key, addition)))
    return out


def _md_appender(path: str, index: int, key: str, addition: str) -> Apply:
    def apply(m: SiteModel, files: dict[str, bytes], _: Noise) -> None:
        spec = m.files[path]
        if index == -1:
            assert isinstance(spec, ArticleFile)
            spec.body = spec.body.rstrip("\n") + "\n\n" + addition + "\n"
        else:
            d = _mapping(m, path, index)
            d[key] = d[key].rstrip("\n") + "\n\n" + addition + "\n"
        files[path] = dump_file(spec).encode("utf-8")
    return apply


DUP_FIELDS = {"sources": {"title": "A copy"}, "topics": {"title": "A copy"},
              "events": {"date": Raw("2023"), "title": "A copy"}, "actors": {"name": "A copy", "kind": "person"}}


def _duplicate_ids(model: SiteModel) -> list[Mistake]:
    out = []
    for item_id, where in sorted(model.ids.items()):
        for coll, fields in DUP_FIELDS.items():
            for name in ("aaa-first", "zzz-last"):  # read before or after the original
                path = f"content/{coll}/{name}.yaml"

                def apply(m: SiteModel, files: dict[str, bytes], _: Noise, p: str = path, i: str = item_id,
                          f: dict[str, Any] = fields) -> None:
                    files[p] = dump_yaml(YamlFile([{"id": i, **f}], True)).encode("utf-8")
                out.append(Mistake("duplicate id in another file", path, f"{item_id} (also in {where}) as {coll}",
                                   apply, also=where))
    return out


# Text-level mistakes: the model's files as bytes, then one file changed.

STRUCTURAL_RE = re.compile(r"^( *)(- )?[a-z_]+:( |$)")


def _yaml_part(path: str, text: str) -> tuple[int, int]:
    """Line range [start, end) of the YAML in a file: all of it, or an article's front matter."""
    lines = text.split("\n")
    if not path.endswith(".md"):
        return 0, len(lines)
    end = next(i for i in range(1, len(lines)) if lines[i] == "---")
    return 1, end


def _structural_lines(path: str, text: str) -> list[int]:
    """Lines that hold a key (not the inside of a `|` block)."""
    lines = text.split("\n")
    start, end = _yaml_part(path, text)
    found, block = [], None
    for i in range(start, end):
        line = lines[i]
        indent = len(line) - len(line.lstrip(" "))
        if block is not None and (not line.strip() or indent > block):
            continue
        block = None
        if STRUCTURAL_RE.match(line):
            found.append(i)
            if line.rstrip().endswith(": |"):
                block = indent + (2 if line.lstrip().startswith("- ") else 0)
    return found


def _yaml_of(path: str, text: str) -> tuple[bool, Any]:
    """(parses, data) of the YAML part, as plain PyYAML reads it: the oracle for indent mistakes."""
    lines = text.split("\n")
    start, end = _yaml_part(path, text) if path.endswith(".md") and "---" in lines[1:] else (0, len(lines))
    try:
        return True, yaml.safe_load("\n".join(lines[start:end]))
    except yaml.YAMLError:
        return False, None


def text_mistakes(model: SiteModel, files: dict[str, bytes]) -> list[Mistake]:
    out: list[Mistake] = []
    for path in sorted(model.files):
        text = files[path].decode("utf-8")
        lines = text.split("\n")
        for i in _structural_lines(path, text):
            line = lines[i]
            indent = len(line) - len(line.lstrip(" "))
            out.append(_line_mistake("tab in an indent", path, i, "\t" + line[1:] if indent else "\t" + line))
            if indent:
                out.append(_line_mistake("indent changed", path, i, line[1:]))
            out.append(_line_mistake("indent changed", path, i, " " + line))
            if not line.rstrip().endswith(":") and not line.rstrip().endswith("|"):
                dup = re.sub(r"^( *)- ", r"\1  ", line)
                out.append(_line_mistake("duplicate key", path, i, line + "\n" + dup, oracle=False))
            out.append(_line_mistake("invalid UTF-8", path, i, "\udce9" + line, oracle=False))
        if path.endswith(".md"):
            end = _yaml_part(path, text)[1]
            out.append(_line_mistake("front matter not closed", path, end, "", oracle=False))
        out.append(Mistake("saved as UTF-16", path, "", _utf16(path)))
        out.append(Mistake("random bytes", path, "", _random_bytes(path), one_error=False))
        out.append(Mistake("truncated", path, "", _truncate(path), one_error=False))
    return out


def _line_mistake(kind: str, path: str, index: int, new: str, oracle: bool = True) -> Mistake:
    mistake = Mistake(kind, path, f"line {index + 1}: {new!r}", lambda m, files, noise: None)

    def apply(m: SiteModel, files: dict[str, bytes], _: Noise) -> None:
        lines = files[path].decode("utf-8").split("\n")
        before = _yaml_of(path, "\n".join(lines))
        lines[index] = new
        after = "\n".join(lines)
        files[path] = after.encode("utf-8", "surrogateescape")
        if oracle:
            # Valid YAML with the same data is no mistake; valid YAML with other data is another
            # site, whose problems this test does not predict.
            parses, data = _yaml_of(path, after)
            mistake.one_error = not parses
            mistake.no_error = parses and data == before[1]
            mistake.kind += "" if not parses else " (still valid YAML, same data)" if mistake.no_error else " (other YAML)"
    mistake.apply = apply
    return mistake


def _utf16(path: str) -> Apply:
    """What Windows Notepad's "Unicode" encoding writes: a BOM, then two bytes a character."""
    def apply(m: SiteModel, files: dict[str, bytes], _: Noise) -> None:
        files[path] = files[path].decode("utf-8").encode("utf-16")
    return apply


def _random_bytes(path: str) -> Apply:
    def apply(m: SiteModel, files: dict[str, bytes], noise: Noise) -> None:
        data = files[path]
        pos = noise.at % (len(data) + 1)
        files[path] = data[:pos] + noise.junk + data[pos:]
    return apply


def _truncate(path: str) -> Apply:
    def apply(m: SiteModel, files: dict[str, bytes], noise: Noise) -> None:
        files[path] = files[path][: noise.at % (len(files[path]) + 1)]
    return apply


@dataclass
class Case:
    model: SiteModel
    files: dict[str, bytes]
    mistake: Mistake


@st.composite
def corrupted_sites(draw: st.DrawFn) -> Case:
    model = draw(site_models())
    files = model.render()
    mistakes = model_mistakes(model) + text_mistakes(model, files)
    kinds = sorted({m.kind for m in mistakes})
    kind = draw(st.sampled_from(kinds))
    mistake = draw(st.sampled_from([m for m in mistakes if m.kind == kind]))
    changed = copy.deepcopy(model)
    out = dict(files)
    mistake.apply(changed, out, Noise(draw(st.integers(0, 10_000)), draw(st.binary(min_size=1, max_size=8))))
    return Case(changed, out, mistake)


PROBLEM_RE = re.compile(r"^(?P<path>[^:\n]+?)(?::(?P<line>\d+):(?P<col>\d+))?: (?P<sev>error|warning): (?P<msg>.+)$")
SUMMARY_RE = re.compile(r"^(check|build) failed: \d+ errors?, \d+ warnings?\b.*$")


def _problem_lines(root: Path, stderr: str) -> tuple[list[str], list[str]]:
    """(problem lines, lines that are neither a problem nor the summary)."""
    problems, stray = [], []
    for line in stderr.splitlines():
        m = PROBLEM_RE.match(line)
        if m and _points_into(root, m):
            problems.append(line)
        elif not SUMMARY_RE.match(line):
            stray.append(line)
    return problems, stray


def _points_into(root: Path, m: re.Match[str]) -> bool:
    """The path is relative to the site and exists; the line is one of the file's."""
    path = root / m["path"]
    if Path(m["path"]).is_absolute() or not path.exists():
        return False
    if m["line"] and path.is_file():
        count = path.read_bytes().count(b"\n") + 1
        return 1 <= int(m["line"]) <= count and int(m["col"]) >= 1
    return True


def _expect_one(mistake: Mistake, errors: list[str]) -> None:
    if mistake.no_error:
        assert not errors, "the change left the same data, yet errors were reported"
        return
    if not mistake.one_error:
        return
    assert len(errors) == 1, f"one mistake ({mistake.kind}), {len(errors)} errors"
    assert errors[0].startswith(mistake.path) or (mistake.also and errors[0].startswith(mistake.also)), \
        f"the error is not at {mistake.path}"
    if mistake.also:
        assert mistake.path in errors[0] and mistake.also in errors[0], "a duplicate id names both places"


def _note_case(case: Case) -> None:
    m = case.mistake
    note(f"mistake: {m.kind} in {m.path}: {m.detail}")
    note(f"--- {m.path} (changed)\n{case.files.get(m.path, b'').decode('utf-8', 'backslashreplace')}")
    for rel, data in sorted(case.files.items()):
        if rel != m.path:
            note(f"--- {rel}\n{data.decode('utf-8', 'backslashreplace')}")


@given(corrupted_sites())
@settings(max_examples=40)
def test_one_mistake_gives_one_message(case: Case) -> None:
    """In-process `check`: a single root cause is exactly one error line, at its file."""
    _note_case(case)
    with tempfile.TemporaryDirectory(prefix="briefing-prop-") as tmp:
        root = Path(tmp, "site")
        write_site(root, case.files)
        checked = check(root)
        errors = [str(p) for p in checked.problems if p.severity == "error"]
        note("errors:\n" + "\n".join(errors))
        _expect_one(case.mistake, errors)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=300, check=False)


@given(corrupted_sites())
@settings(max_examples=25)
def test_cli_reports_a_mistake_as_problem_lines(case: Case) -> None:
    """Real `python -m generator check` and `build`: exit 0 or 1, no traceback, only problem lines and
    the summary on stderr, check and build agree, and one mistake is one error line."""
    _note_case(case)
    with tempfile.TemporaryDirectory(prefix="briefing-prop-") as tmp:
        root = Path(tmp, "site")
        write_site(root, case.files)
        runs = {cmd: _run(cmd, str(root)) for cmd in ("check", "build")}
        found: dict[str, list[str]] = {}
        for cmd, run in runs.items():
            note(f"$ briefing {cmd}: exit {run.returncode}\n{run.stderr}")
            assert "Traceback" not in run.stderr + run.stdout
            assert run.returncode in (0, 1), f"{cmd} exited {run.returncode}"
            problems, stray = _problem_lines(root, run.stderr)
            assert not stray, f"{cmd}: stderr lines that are not problems (or point nowhere):\n" + "\n".join(stray)
            found[cmd] = [p for p in problems if ": error: " in p]
            _expect_one(case.mistake, found[cmd])
        assert (runs["check"].returncode == 0) == (runs["build"].returncode == 0), "check and build disagree"
        assert found["check"] == found["build"], "check and build report different errors"
