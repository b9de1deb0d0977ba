"""Runs the stages: check() stops after resolve; build() goes on to render and write."""

from __future__ import annotations

import hashlib
import os
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import jinja2
import jinja2.meta

from .errors import Location, Problem, SiteError, error, has_errors
from .load import FileCache, load
from .render import MATCHER, RECORDED, THEME, Deps, Page, environment, plan, render_recorded
from .resolve import Graph, ParseCache, resolve
from .validate import validate
from .write import MARKER, Written, check_output, commit, discard, put, staging


@dataclass(frozen=True, slots=True)
class Checked:
    graph: Graph | None
    """None when the content has errors."""
    problems: tuple[Problem, ...]
    """Sorted by file, line and column."""


@dataclass(frozen=True, slots=True)
class Caches:
    """What a long-lived builder keeps between runs so that it reads and parses only what changed."""

    files: FileCache
    parses: ParseCache

    @classmethod
    def empty(cls) -> Caches:
        return cls({}, {})


def check(root: Path | str, drafts: bool = False, caches: Caches | None = None) -> Checked:
    """load -> validate -> resolve; writes nothing."""
    raw = load(Path(root), caches.files if caches else None)
    site, problems = validate(raw)
    graph = None
    if site is not None and not has_errors(problems):
        graph, found = resolve(site, drafts, caches.parses if caches else None)
        problems.extend(found)
        if has_errors(found):
            graph = None
    return Checked(graph, tuple(sorted(set(problems))))


def graph_or_raise(root: Path | str, drafts: bool = False, strict: bool = False,
                   caches: Caches | None = None) -> tuple[Graph, tuple[Problem, ...]]:
    """The graph and its warnings, or SiteError with every problem."""
    checked = check(root, drafts, caches)
    if checked.graph is None or has_errors(checked.problems, strict):
        raise SiteError(checked.problems)
    return checked.graph, checked.problems


@dataclass(frozen=True, slots=True)
class Built:
    out: Path
    pages: int
    written: Written
    problems: tuple[Problem, ...]
    """Warnings (a build with errors raises SiteError instead)."""
    rendered: int = 0
    """Pages rendered this run (all of them unless the Builder had built before)."""


def build(root: Path | str, out: Path | str | None = None, drafts: bool = False, strict: bool = False) -> Built:
    """check, then render every page into a staging folder, then swap it into the output.

    Raises SiteError for bad content (the output is left as it was) and OutputRefused for an
    output folder the build must not touch."""
    return Builder(Path(root), Path(out) if out is not None else None, drafts, strict).run()


@dataclass(frozen=True, slots=True)
class PageRecord:
    page: Page
    deps: Deps
    templates: frozenset[str]
    """The page's template and every template it extends, includes or imports."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The last good build, which an incremental rebuild compares against."""

    graph: Graph
    pages: Mapping[str, PageRecord]
    templates: Mapping[str, str]
    """Template name -> hash of its source."""
    files: Mapping[str, str]
    """Assets and static files: output path -> hash of the bytes."""


class Builder:
    """Builds a site; kept alive (by `briefing serve`), each run re-renders only what changed.

    A page is rendered again when an id it read changed (its data, name, backlinks, relations,
    mention contexts...), when it lists whole collections and anything changed, or when one of
    its templates changed. The result is the same, byte for byte, as a build from scratch."""

    def __init__(self, root: Path, out: Path | None = None, drafts: bool = False, strict: bool = False) -> None:
        self.root, self.out = root, out if out is not None else root / "build"
        self.drafts, self.strict = drafts, strict
        self.snapshot: Snapshot | None = None
        self.caches = Caches.empty()

    def run(self) -> Built:
        graph, warnings = graph_or_raise(self.root, self.drafts, self.strict, self.caches)
        check_output(self.out, self.root)
        pages = plan(graph)
        static, problems = static_files(self.root, {p.path for p in pages})
        problems += _page_clashes(graph, pages)
        if has_errors(problems):
            raise SiteError(problems)
        env = environment(self.root)
        tmp = staging(self.out)
        try:
            closures = {t: _closure(env, t) for t in sorted({p.template for p in pages})}
            hashes = {n: _template_hash(env, n) for names in closures.values() for n in sorted(names)}
            records, rendered = self._render(graph, pages, env, closures, hashes, tmp)
            files = self._stage_files(static, tmp)
        except Exception as exc:
            discard(tmp)
            problem = template_problem(exc, self.root)
            if problem is None:
                raise
            raise SiteError([problem]) from None
        except BaseException:
            discard(tmp)
            raise
        written = commit(tmp, self.out, keep={*records, *files, MARKER})
        self.snapshot = Snapshot(graph, records, hashes, files)
        return Built(self.out, len(pages), written, warnings, rendered)

    def _render(self, graph: Graph, pages: list[Page], env: jinja2.Environment,
                closures: Mapping[str, frozenset[str]], hashes: Mapping[str, str],
                tmp: Path) -> tuple[dict[str, PageRecord], int]:
        old = self.snapshot
        if old is None or old.graph.site.config != graph.site.config:
            dirty_ids, dirty_templates, everything = set(), set(), True
        else:
            dirty_ids = changed_ids(old.graph, graph)
            dirty_templates = {n for n, h in hashes.items() if old.templates.get(n) != h}
            everything = False
        records: dict[str, PageRecord] = {}
        rendered = 0
        for page in pages:
            before = old.pages.get(page.path) if old else None
            if (everything or before is None or before.page != page or before.templates & dirty_templates
                    or (before.deps.whole and dirty_ids) or before.deps.ids & dirty_ids):
                html, deps = render_recorded(graph, page, env)
                put(tmp, page.path, html.encode("utf-8"))
                records[page.path] = PageRecord(page, deps, closures[page.template])
                rendered += 1
            else:
                records[page.path] = before
        return records, rendered

    def _stage_files(self, static: list[tuple[str, Path]], tmp: Path) -> dict[str, str]:
        """Theme assets and static files, staged only when their bytes changed since the last run."""
        own = {rel for rel, _ in static}
        files = {}
        for rel, path in [a for a in theme_assets() if a[0] not in own] + static:
            data = path.read_bytes()
            files[rel] = hashlib.sha256(data).hexdigest()
            if self.snapshot is None or self.snapshot.files.get(rel) != files[rel]:
                put(tmp, rel, data)
        return files


def changed_ids(old: Graph, new: Graph) -> set[str]:
    """Every id whose data, name, references or mention context differs between two graphs."""
    changed = set()
    for name in RECORDED:
        a, b = getattr(old, name), getattr(new, name)
        changed |= {k for k in a.keys() | b.keys() if a.get(k) != b.get(k)}
    if old.matcher.owners != new.matcher.owners:
        changed.add(MATCHER)
    return changed


def _closure(env: jinja2.Environment, name: str) -> frozenset[str]:
    """A template and every template it extends, includes or imports, by name."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        source = env.loader.get_source(env, current)[0] if env.loader else ""
        todo.extend(n for n in jinja2.meta.find_referenced_templates(env.parse(source)) if n)
    return frozenset(seen)


def _template_hash(env: jinja2.Environment, name: str) -> str:
    source, filename, _ = env.loader.get_source(env, name) if env.loader else ("", None, None)
    return hashlib.sha256(f"{filename}\0{source}".encode()).hexdigest()


def theme_assets() -> list[tuple[str, Path]]:
    folder = THEME / "assets"
    return [(f"assets/{p.relative_to(folder).as_posix()}", p) for p in sorted(folder.rglob("*")) if p.is_file()]


def static_files(root: Path, pages: set[str]) -> tuple[list[tuple[str, Path]], list[Problem]]:
    """Files under static/ (copied as they are; a site's static/assets/ overrides the theme's)."""
    folder = root / "static"
    found: list[tuple[str, Path]] = []
    problems: list[Problem] = []
    if not folder.is_dir():
        return found, problems
    for dirpath, dirs, names in os.walk(folder, followlinks=True):
        dirs.sort()
        for name in sorted(names):
            path = Path(dirpath, name)
            rel = path.relative_to(folder).as_posix()
            where = Location(f"static/{rel}")
            if name.endswith(("~", ".swp")) or (name.startswith("#") and name.endswith("#")):
                continue
            if not Path(os.path.realpath(path)).is_relative_to(os.path.realpath(root)):
                problems.append(error(where, "symlink points outside the site; refused"))
            elif rel in pages:
                problems.append(error(where, f"clashes with the page {rel}; rename or move the file"))
            elif rel == MARKER:
                problems.append(error(where, "this name is reserved for briefing's own output marker"))
            else:
                found.append((rel, path))
    return found, problems


def _page_clashes(graph: Graph, pages: list[Page]) -> list[Problem]:
    seen: dict[str, Page] = {}
    problems = []
    for page in pages:
        if page.path in seen:
            culprit = page if page.item else seen[page.path]
            other = seen[page.path] if culprit is page else page
            where = graph.items[culprit.item].location if culprit.item else Location(culprit.path)
            problems.append(error(where, f"its page {page.path} is also the page of "
                                  f"{other.item or other.section or 'the site'}; rename one of them"))
        seen[page.path] = page
    return problems


def template_problem(exc: Exception, root: Path) -> Problem | None:
    """A template's mistake as a Problem at the template's file and line; None if no template is to blame."""
    filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if not filename:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith((".html", ".xml"))]
        if frames:
            filename, line = frames[-1].filename, frames[-1].lineno
    if not filename and not isinstance(exc, jinja2.TemplateError):
        return None
    path = Path(filename) if filename else None
    shown = path.relative_to(root).as_posix() if path and path.is_relative_to(root.resolve()) else (filename or "templates")
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return error(Location(shown, line or 0, 1 if line else 0), f"template error: {message}")
