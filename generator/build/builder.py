"""Runs the stages: load -> validate -> resolve -> plan -> render -> write. check() is build() without writing."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from ..base.errors import Location, Problem, SiteError, error, has_errors, warning
from ..base.processes import batch, cores, settled
from ..base.timings import stage
from ..content.inputs import Inputs
from ..content.load import load, static_files
from ..content.validate import entry_of, validate
from ..graph.links import check_links
from ..graph.resolve import Graph, resolve
from ..pages.builtin_theme import THEME
from ..pages.outputs import INDEX_FILES, YIELDING, draw, index_files, plan
from ..pages.render import Page, environment
from ..pages.search import FOLDER as SEARCH_FOLDER
from .cache import Damaged, StateWriter, kept
from .incremental import (
    Caches,
    Changes,
    EditsSince,
    Snapshot,
    Templates,
    edited_body,
    file_hash,
    preview,
    templates,
    trusted,
)
from .reads import PageRecord, Read
from .stamp import files_of, inputs_now, last_build, output_stamps, patched, prune, remember
from .workers import Cancelled, Failed, Job, render_all
from .write import MARKER, Written, check_output, commit, discard, empty, locked, put, replace_file, same_as, staging


@dataclass(frozen=True, slots=True)
class Checked:
    graph: Graph | None
    """None when the content has errors."""
    problems: tuple[Problem, ...]
    """Sorted by file, line and column."""


@dataclass(frozen=True, slots=True)
class Built:
    out: Path
    pages: int
    written: Written
    problems: tuple[Problem, ...]
    """Warnings (a build with errors raises SiteError instead)."""
    rendered: int = 0
    """Pages rendered this run (all of them unless the Builder had built before)."""
    notes: tuple[str, ...] = ()
    """What the summary line adds: why a build that could have started from the build cache did not."""


def check(root: Path | str, drafts: bool = False) -> Checked:
    """Everything a build finds, content, links, clashes and templates alike; writes nothing."""
    return Builder(Path(root), drafts=drafts).check()


def build(root: Path | str, out: Path | str | None = None, drafts: bool = False, strict: bool = False,
          progress: Progress | None = None, jobs: int | None = None, inputs: Inputs | None = None) -> Built:
    """Check, render every page into a staging folder, then swap it into the output; or, when no input
    and no output file changed since the last build, nothing at all (see stamp.py).

    Raises SiteError for bad content (the output is left as it was) and OutputRefused for an
    output folder the build must not touch. `jobs`: processes that render (default: every core)."""
    with batch():
        return Builder(Path(root), Path(out) if out is not None else None, drafts, strict, one_shot=True,
                       jobs=jobs or cores()).run(progress=progress, inputs=inputs)


Progress = Callable[[int, int], None]
"""Called with (pages done, pages in all) while pages render."""


@dataclass(frozen=True, slots=True)
class Done:
    """A finished run: what it wrote, and what the next run compares against."""

    built: Built
    kept: dict[str, PageRecord]
    """Pages whose reads were unchanged: not rendered again."""
    rendered: dict[str, PageRecord]
    """Pages rendered."""
    templates: Templates
    files: dict[str, str]
    """Assets and static files: output path -> hash of the bytes."""
    heads: dict[str, set[Read]]
    """Every head the pages read, by field (see Snapshot.heads)."""


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything found before rendering."""

    graph: Graph
    pages: list[Page]
    files: dict[str, bytes]
    """Theme assets and static files: output path -> bytes."""
    env: jinja2.Environment
    problems: list[Problem]
    checked: tuple[Problem, ...] = ()
    """What load, validate and resolve found (the build cache keeps them: see incremental.edited_body)."""
    edited: tuple[str, Any] | None = None
    """The one article file read again, when that was all (incremental.edited_body): its cache entry."""


class Builder:
    """Builds a site: each run reads, parses and renders only what changed since the last (kept in
    memory by `briefing serve`, under the site by `briefing build`; incremental.py decides which
    pages), with the same bytes as a build from scratch."""

    def __init__(self, root: Path, out: Path | None = None, drafts: bool = False, strict: bool = False,
                 one_shot: bool = False, jobs: int = 1) -> None:
        self.root, self.out = root, out if out is not None else root / "build"
        self.drafts, self.strict = drafts, strict
        self.one_shot = one_shot
        """A build that will not run again in this process (`briefing build`): it starts from the build
        cache under the site and leaves one for the next build (a stamp, so that a build with nothing
        changed does nothing, and the state, so that the next one renders only what changed). A
        long-lived builder (`briefing serve`) keeps its last run in memory instead."""
        self.jobs = jobs
        self.snapshot: Snapshot | None = None
        self.caches = Caches.empty()
        self._current: jinja2.Environment | None = None
        """The templates of the last run, when it succeeded: the snapshot is then the output as it is."""
        self._writing = threading.RLock()
        """Held while the output or the snapshot changes: by a run's commit, and by preview(), which
        `briefing serve` calls from another thread, while a run is under way too."""
        self._previews = 0
        """Pages preview() has written: a run under way meanwhile read the sources before that save."""
        self._written_first: set[str] = set()
        """Output paths preview() wrote since the last good run: the output no longer has the snapshot's page
        there, so the next run renders them whatever it finds (even the article back as the snapshot has
        it, after a run that failed)."""
        self._holders = 0
        self._hold = contextlib.ExitStack()
        """The output folder's lock (write.locked), taken once for all of this builder's threads."""

    def check(self) -> Checked:
        """A run that writes nothing: every problem a build would find, template errors included."""
        found = self._plan()
        problems = list(found.problems)
        if not has_errors(problems):
            try:
                for page in found.pages:
                    draw(found.graph, page, found.env)  # check keeps no snapshot: nothing to record
            except Exception as exc:
                problem = self._template_problem(exc)
                if problem is None:
                    raise
                problems.append(problem)
        ok = not has_errors(problems)
        return Checked(found.graph if ok else None, tuple(sorted(set(problems))))

    def preview(self, path: Path) -> str | None:
        """Write at once the page of an article whose body alone changed since the last run, which must
        have succeeded; its output path, or None when the change needs the full run (which must follow
        anyway: it refreshes what else shows the article, and writes this page's same bytes again).

        From another thread while a run is under way, too: the page is drawn from the last good run, and
        the run under way writes nothing (it raises Cancelled at its next check, see run())."""
        with self._writing:
            if self.snapshot is None or self._current is None:
                return None
            found = preview(self.snapshot, self._current, self.root, path)
            if found is None:
                return None
            rel, html = found
            with self._output():
                replace_file(self.out / rel, html.encode("utf-8"))
            self._written_first.add(rel)
            self._previews += 1
            return rel

    @contextlib.contextmanager
    def _output(self) -> Iterator[None]:
        """The output folder's lock (write.locked) for this builder: a run holds it while it stages and
        commits, and a preview from another thread meanwhile writes under the same hold."""
        with self._writing:
            if not self._holders:
                self._hold.enter_context(locked(self.out))
            self._holders += 1
        try:
            yield
        finally:
            with self._writing:
                self._holders -= 1
                if not self._holders:
                    self._hold.close()

    def _go_on(self, cancel: threading.Event | None, previews: int) -> None:
        """Raises Cancelled when the run was told to stop, or when preview() wrote a page since it began:
        it read the sources before that save, so what it would commit is older than the output."""
        if self._previews != previews or (cancel is not None and cancel.is_set()):
            raise Cancelled()

    def run(self, cancel: threading.Event | None = None, progress: Progress | None = None,
            inputs: Inputs | None = None) -> Built:
        """`cancel`: when it is set (from another thread), or a page is written first (preview()), the run
        stops at its next check (after planning, at each page, before it commits) and raises Cancelled,
        having written nothing. `inputs`: stamps taken by a caller that found the last build out of date
        (the command line asks stamp.last_build before it imports the rest of the generator)."""
        try:
            return self._run(cancel, progress, inputs)
        except Cancelled:
            raise  # the output and the snapshot are still the last good run's
        except BaseException:
            self._current = None  # no page is written first until a run succeeds again
            raise

    def _run(self, cancel: threading.Event | None, progress: Progress | None, inputs: Inputs | None) -> Built:
        previews = self._previews
        notes: tuple[str, ...] = ()
        if self.one_shot:
            if inputs is None:
                inputs = inputs_now(self.root)
                same = last_build(self.root, self.out, self.drafts, inputs)
                if same is not None:
                    if has_errors(same.problems, self.strict):
                        raise SiteError(same.problems)
                    return Built(self.out, same.pages, Written(same.files, 0, 0), same.problems, 0)
            with stage("cache load"):
                restored = kept(self.root, self.out, self.drafts)
            if isinstance(restored, Damaged):
                notes = (f"the build cache could not be used, so every page was drawn again: {restored.why}",)
            elif restored is not None:
                self.snapshot, self.caches = restored
        elif inputs is None:  # a long-lived builder: the stamps let an edit to one body read that file alone
            inputs = inputs_now(self.root)
        found = self._plan(lambda: self._go_on(cancel, previews), inputs)
        self._go_on(cancel, previews)
        if has_errors(found.problems, self.strict):
            raise SiteError(found.problems)
        check_output(self.out, self.root)
        with self._output():
            writer = StateWriter.open(self.root, self.out, self.drafts, inputs) if self.one_shot and inputs else None
            try:
                done = self._write(found, cancel, progress, writer, previews, inputs)
            except BaseException:
                if writer is not None:
                    writer.discard()
                raise
            if self.one_shot and inputs is not None:
                before = self.snapshot.outputs if self.snapshot is not None else None
                with stage("cache free"):
                    self.snapshot = None  # the last build's graph and records: freed before the state is finished
                with stage("cache save: records"):
                    touched = done.built.written.touched
                    outputs = (output_stamps(self.out) if before is None or touched is None
                               else patched(self.out, before, touched))
                    if writer is not None:
                        writer.finish(outputs, done.kept | done.rendered, done.heads)
                with stage("cache save: stamps"):
                    remember(self.root, self.out, self.drafts, inputs.stamps, outputs, done.built.pages,
                             done.built.problems, inputs.taken)
                    prune(self.root)
        return dataclasses.replace(done.built, notes=notes) if notes else done.built

    def _write(self, found: Plan, cancel: threading.Event | None, progress: Progress | None,
               state: StateWriter | None = None, previews: int = 0, inputs: Inputs | None = None) -> Done:
        """Render the pages whose recorded reads changed since the snapshot (all of them without one),
        on `jobs` processes, and stage what differs from the output; then commit. The graph and caches
        go into `state` while the helpers render."""
        with stage("changes"):
            tpl = templates(found.env, {p.template for p in found.pages},
                            self.snapshot.templates if self.snapshot is not None else None)
            changes = Changes(self.snapshot, found.graph, tpl)
            kept_records: dict[str, PageRecord] = {}
            todo = []
            for page in found.pages:
                record = changes.before(page)
                if record is None or page.path in self._written_first:
                    todo.append(page)
                else:
                    kept_records[page.path] = record
        tmp = staging(self.out)
        if self.one_shot:
            settled()
        hashes: dict[str, str] = {}
        old_files = self.snapshot.files if self.snapshot else {}
        last = None if empty(self.out) else self.out  # an empty output: nothing to compare with

        since = EditsSince.start(self.snapshot, found.edited, self.caches) if state is not None else None

        def meanwhile() -> None:  # this process's own work, as the helpers render
            with stage("whole-site: search index"):
                drawn, unchanged = index_files(found.graph, self.caches.pieces, self.caches.results, old_files)
                found.files.update(drawn)
            hashes.update((rel, file_hash(data)) for rel, data in found.files.items())
            hashes.update((rel, old_files[rel]) for rel in unchanged)  # as the last run left them
            with stage("write: static files"):
                for rel, data in found.files.items():
                    if old_files.get(rel) != hashes[rel] and not same_as(last, rel, data):
                        put(tmp, rel, data)
            found.files.clear()  # staged: the search index and data/briefing.json (30 MB at 5,000 articles) are
            # not held while the pages render
            self._go_on(cancel, previews)
            if state is not None:
                with stage("cache save: graph"):
                    edits = since.after(self.caches, hashes, state.inputs, found.checked) if since else None
                    if since is not None and edits is not None:
                        state.edits(since.base, edits)
                    else:
                        state.objects(found.graph, self.caches, tpl, hashes, found.checked)
                if self.one_shot:  # saved, and read by nothing else in this run
                    self.caches.pieces.clear()
                    self.caches.results.docs.clear()
                    self.caches.results.drawn = None
        try:
            job = Job(found.graph, todo, found.env, tmp, last, self._template_problem, cancel)
            with stage("render"):
                rendered = render_all(job, self.jobs, progress, meanwhile, changes.heads)
        except Failed as failed:
            discard(tmp)
            raise SiteError([failed.problem]) from None
        except BaseException:
            discard(tmp)
            raise
        with self._writing:  # a preview waits for the commit and the new snapshot, or comes first and stops both
            try:
                self._go_on(cancel, previews)
            except Cancelled:
                discard(tmp)
                raise
            try:
                with stage("write: commit"):
                    present = self.snapshot.outputs if self.snapshot is not None else None
                    written = commit(tmp, self.out, keep={*kept_records, *rendered, *hashes, MARKER},
                                     present=files_of(present) if present is not None else None)
            except BaseException:
                self.snapshot = None  # the output is part old, part new: the next run renders every page
                raise
            built = Built(self.out, len(found.pages), written, tuple(found.problems), len(todo))
            done = Done(built, kept_records, rendered, tpl, hashes, changes.every_head())
            if not self.one_shot:
                self._keep(found, done, inputs)
        return done

    def _keep(self, found: Plan, done: Done, inputs: Inputs | None) -> None:
        """The run as the snapshot the next run of this builder compares against; with the stamps of the
        inputs it read, when it took them (then an edit to one article's body alone reads that file alone:
        incremental.edited_body)."""
        self.snapshot = Snapshot(found.graph, done.kept | done.rendered, done.templates, done.files,
                                 inputs=trusted(inputs) if inputs is not None else None, problems=found.checked,
                                 heads=done.heads)
        self._current = found.env
        self._written_first.clear()  # it rendered them: a page written first while it ran would have stopped it

    def _plan(self, go_on: Callable[[], None] = lambda: None, inputs: Inputs | None = None) -> Plan:
        """Everything before rendering. `go_on` is called between the longer stages: it raises Cancelled to
        stop a run there. `inputs`: the stamps this run took of its inputs, if it took them."""
        with stage("edited body"):
            edited = edited_body(self.snapshot, self.caches, self.root, inputs) if inputs is not None else None
        if edited is not None:
            graph, problems, _ = edited
        else:
            with stage("load"):
                raw = load(self.root, entry_of, self.caches.files, self.jobs, inputs)
            go_on()
            with stage("validate"):
                site, problems = validate(raw)
            with stage("resolve"):
                graph, found = resolve(site, self.drafts, self.caches.parses, self.jobs)
            problems += found
        checked = tuple(problems)
        go_on()
        with stage("plan: templates"):
            env = environment(self.root)
        with stage("plan: static files"):
            files = self._files(problems)
        with stage("plan: pages"):
            pages = [p for p in plan(graph) if not (p.path in YIELDING and p.path in files)]
            if not graph.site.config.base_url and not any(p.location.path == "site.yaml" for p in problems):
                problems.append(warning(Location("site.yaml"), "no base_url: feed.xml, feeds/, sitemap.xml and "
                                        "robots.txt are not written, as they need absolute URLs; set base_url to "
                                        "the address the site will have, e.g. base_url: https://example.org/briefing/"))
            problems += _clashes(graph, pages, files)
            paths = {p.path for p in pages}
            problems += [error(Location(f"static/{rel}"), f"{SEARCH_FOLDER} holds the site's search index; "
                               "move the file") for rel in files if rel.startswith(SEARCH_FOLDER) and rel not in paths]
        # The search index and data/briefing.json are drawn as the helpers render (_write): only their names
        # are needed here, and those outside search/ are known beforehand.
        problems += [error(Location(f"static/{rel}"), f"clashes with the file {rel} the build writes; rename or move "
                           "the file") for rel in INDEX_FILES if rel in files and not rel.startswith(SEARCH_FOLDER)]
        go_on()
        with stage("plan: links"):
            problems += check_links(graph, paths | files.keys() | INDEX_FILES)
        with stage("plan: templates"):
            problems += self._template_syntax(env)
        return Plan(graph, pages, files, env, sorted(set(problems)), checked, edited[2] if edited else None)

    def _files(self, problems: list[Problem]) -> dict[str, bytes]:
        """Theme assets, then static files (a site's static/assets/ file overrides the theme's)."""
        folder = THEME / "assets"
        found = [(f"assets/{p.relative_to(folder).as_posix()}", p) for p in sorted(folder.rglob("*")) if p.is_file()]
        files: dict[str, bytes] = {}
        for rel, path in found + static_files(self.root, problems):
            try:
                files[rel] = path.read_bytes()
            except OSError as exc:
                problems.append(error(Location(_shown(self.root, path)), f"cannot read file: {exc.strerror}"))
        return files

    def _template_syntax(self, env: jinja2.Environment) -> list[Problem]:
        """A template that does not compile is an error even when no page uses it yet."""
        problems = []
        for name in env.list_templates(filter_func=lambda n: n.endswith((".html", ".xml")) and not n.startswith("theme/")):
            if any("\udc80" <= c <= "\udcff" for c in name):  # the bytes of a file name that are not UTF-8
                problems.append(warning(Location(f"templates/{name}"), "the file name is not UTF-8, so no "
                                        "template can name it; ignored"))
                continue
            try:
                env.get_template(name)
            except jinja2.TemplateSyntaxError as exc:
                problems.append(self._template_problem(exc) or error(Location("templates"), str(exc)))
            except jinja2.TemplateError:
                pass  # a missing include shows when a page renders, with its place
        return problems

    def _template_problem(self, exc: Exception) -> Problem | None:
        """A mistake while rendering as a Problem at the template's file and line; None for our own bugs."""
        filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
        if not filename:
            frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith((".html", ".xml"))]
            if frames:
                filename, line = frames[-1].filename, frames[-1].lineno
        if not filename and not isinstance(exc, jinja2.TemplateError):
            return None
        shown = _shown(self.root, Path(filename)) if filename else "templates"
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        if isinstance(exc, jinja2.TemplateNotFound):
            names = " or ".join(map(repr, getattr(exc, "templates", [exc.name])))
            message = f"no template {names} in templates/ or the theme"
        return error(Location(shown, line or 0, 1 if line else 0), f"template error: {message}")


def _shown(root: Path, path: Path) -> str:
    """A path as problems show it: relative to the site; a built-in theme file as theme:<name>."""
    real, real_root = path.resolve(), root.resolve()
    if real.is_relative_to(real_root):
        return real.relative_to(real_root).as_posix()
    if real.is_relative_to(THEME.resolve()):
        return "(built-in theme) " + real.relative_to(THEME.resolve()).as_posix()
    return path.as_posix()


def _clashes(graph: Graph, pages: list[Page], files: dict[str, bytes]) -> list[Problem]:
    """Two pages on one path, a static file on a page's path, a file named like the output marker."""
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
    for rel in files:
        if rel in seen:
            problems.append(error(Location(f"static/{rel}"), f"clashes with the page {rel}; rename or move the file"))
        elif rel == MARKER:
            problems.append(error(Location(f"static/{rel}"), "this name is reserved for briefing's own output marker"))
    return problems
