"""Runs the stages: check() stops after resolve; build() goes on to render and write."""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .errors import Location, Problem, SiteError, error, has_errors
from .load import load
from .render import THEME, Page, environment, plan, render
from .resolve import Graph, resolve
from .validate import validate
from .write import MARKER, Written, check_output, commit, discard, put, staging


@dataclass(frozen=True, slots=True)
class Checked:
    graph: Graph | None
    """None when the content has errors."""
    problems: tuple[Problem, ...]
    """Sorted by file, line and column."""


def check(root: Path | str, drafts: bool = False) -> Checked:
    """load -> validate -> resolve; writes nothing."""
    raw = load(Path(root))
    site, problems = validate(raw)
    graph = None
    if site is not None and not has_errors(problems):
        graph, found = resolve(site, drafts)
        problems.extend(found)
        if has_errors(found):
            graph = None
    return Checked(graph, tuple(sorted(set(problems))))


def graph_or_raise(root: Path | str, drafts: bool = False, strict: bool = False) -> tuple[Graph, tuple[Problem, ...]]:
    """The graph and its warnings, or SiteError with every problem."""
    checked = check(root, drafts)
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


def build(root: Path | str, out: Path | str | None = None, drafts: bool = False, strict: bool = False) -> Built:
    """check, then render every page into a staging folder, then swap it into the output.

    Raises SiteError for bad content (the output is left as it was) and OutputRefused for an
    output folder the build must not touch."""
    root = Path(root)
    out = Path(out) if out is not None else root / "build"
    graph, warnings = graph_or_raise(root, drafts, strict)
    check_output(out, root)
    pages = plan(graph)
    static, problems = static_files(root, {p.path for p in pages})
    problems += _page_clashes(graph, pages)
    if has_errors(problems):
        raise SiteError(problems)
    env = environment(root)
    tmp = staging(out)
    try:
        for page in pages:
            put(tmp, page.path, render(graph, page, env).encode("utf-8"))
        own = {rel for rel, _ in static}
        for rel, path in [a for a in theme_assets() if a[0] not in own] + static:
            put(tmp, rel, path.read_bytes())
    except Exception as exc:
        discard(tmp)
        problem = template_problem(exc, root)
        if problem is None:
            raise
        raise SiteError([problem]) from None
    except BaseException:
        discard(tmp)
        raise
    return Built(out, len(pages), commit(tmp, out), warnings)


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
