"""Runs the stages: load -> validate -> resolve -> plan -> render -> write. check() is build() without writing."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import threading
import traceback
from collections.abc import Callable, Iterator, Mapping
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
from ..pages.environment import environment
from ..pages.outputs import INDEX_FILES, YIELDING, draw, index_files, plan
from ..pages.page import Page
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


@dataclass(frozen=True, slots=True)
class Run:
    """What one run was given, and how many pages preview() had written when it began (see _go_on)."""

    cancel: threading.Event | None
    progress: Progress | None
    inputs: Inputs
    previews: int


@dataclass(frozen=True, slots=True)
class Staging:
    """Where a run stages the files that differ from the output, and what it compares them with."""

    tmp: Path
    last: Path | None
    """The output, or None when it is empty: nothing to compare with."""
    before: Mapping[str, str]
    """The last run's assets and static files: output path -> hash of the bytes (Snapshot.files)."""
    hashes: dict[str, str]
    """This run's, filled in as the helpers render (Done.files)."""


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

    def _go_on(self, run: Run) -> None:
        """Raises Cancelled when the run was told to stop, or when preview() wrote a page since it began:
        it read the sources before that save, so what it would commit is older than the output."""
        if self._previews != run.previews or (run.cancel is not None and run.cancel.is_set()):
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
        """The steps of a run. A long-lived builder takes the inputs' stamps too: they let an edit to one
        body read that file alone (incremental.edited_body)."""
        previews = self._previews
        if inputs is None:
            inputs = inputs_now(self.root)
            if self.one_shot and (same := self._as_last_built(inputs)) is not None:
                return same
        notes = self._restore() if self.one_shot else ()
        run = Run(cancel, progress, inputs, previews)
        found = self._plan(lambda: self._go_on(run), inputs)
        self._go_on(run)
        if has_errors(found.problems, self.strict):
            raise SiteError(found.problems)
        check_output(self.out, self.root)
        with self._output():
            done = self._write_and_save(found, run)
        return dataclasses.replace(done.built, notes=notes) if notes else done.built

    def _as_last_built(self, inputs: Inputs) -> Built | None:
        """The last build, when no input and no output file changed since (stamp.last_build): nothing to do."""
        same = last_build(self.root, self.out, self.drafts, inputs)
        if same is None:
            return None
        if has_errors(same.problems, self.strict):
            raise SiteError(same.problems)
        return Built(self.out, same.pages, Written(same.files, 0, 0), same.problems, 0)

    def _restore(self) -> tuple[str, ...]:
        """The last build's snapshot and caches, from the build cache; the note to show when it is there but
        could not be used."""
        with stage("cache load"):
            restored = kept(self.root, self.out, self.drafts)
        if isinstance(restored, Damaged):
            return (f"the build cache could not be used, so every page was drawn again: {restored.why}",)
        if restored is not None:
            self.snapshot, self.caches = restored
        return ()

    def _write_and_save(self, found: Plan, run: Run) -> Done:
        """Render and commit (_write); a one-shot build then leaves the build cache for the next one."""
        writer = StateWriter.open(self.root, self.out, self.drafts, run.inputs) if self.one_shot else None
        try:
            done = self._write(found, run, writer)
        except BaseException:
            if writer is not None:
                writer.discard()
            raise
        if self.one_shot:
            self._save(done, writer, run.inputs)
        return done

    def _save(self, done: Done, writer: StateWriter | None, inputs: Inputs) -> None:
        """The rest of the build cache: the output's stamps and the pages' records into the state, then the
        stamp that lets a build with nothing changed do nothing."""
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

    def _write(self, found: Plan, run: Run, state: StateWriter | None) -> Done:
        """Render the pages whose recorded reads changed since the snapshot (all of them without one),
        on `jobs` processes, and stage what differs from the output; then commit. The graph and caches
        go into `state` while the helpers render."""
        changes, kept_records, todo = self._sort(found)
        staged = self._staging()
        since = EditsSince.start(self.snapshot, found.edited, self.caches) if state is not None else None
        meanwhile = functools.partial(self._meanwhile, found, staged, run, state, since, changes.tpl)
        rendered = self._render(found, todo, staged, run, meanwhile, changes.heads)
        with self._writing:  # a preview waits for the commit and the new snapshot, or comes first and stops both
            written = self._commit(staged, run, {*kept_records, *rendered, *staged.hashes, MARKER})
            built = Built(self.out, len(found.pages), written, tuple(found.problems), len(todo))
            done = Done(built, kept_records, rendered, changes.tpl, staged.hashes, changes.every_head())
            if not self.one_shot:
                self._keep(found, done, run.inputs)
        return done

    def _sort(self, found: Plan) -> tuple[Changes, dict[str, PageRecord], list[Page]]:
        """What decided, the records of the pages kept as they are, and the pages to render: those whose
        reads changed since the snapshot, and those preview() wrote first."""
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
        return changes, kept_records, todo

    def _staging(self) -> Staging:
        """A staging folder for the files that differ from the output, and what they are compared with."""
        tmp = staging(self.out)
        if self.one_shot:
            settled()
        before = self.snapshot.files if self.snapshot else {}
        last = None if empty(self.out) else self.out  # an empty output: nothing to compare with
        return Staging(tmp, last, before, {})

    def _meanwhile(self, found: Plan, staged: Staging, run: Run, state: StateWriter | None,
                   since: EditsSince | None, tpl: Templates) -> None:
        """This process's own work, as the helpers render: the whole-site files, then the state's graph."""
        # What was drawn is held to the end of this step, after the graph is saved: freed before it, its
        # 30 MB (at 5,000 articles) were taken up piecemeal by the save, and the pages this process renders
        # next took 35 MB of fresh memory more (peak PSS 420 MB against 407).
        drawn = self._stage_files(found, staged)  # noqa: F841
        self._go_on(run)
        if state is not None:
            self._save_graph(found, staged.hashes, state, since, tpl)

    def _stage_files(self, found: Plan, staged: Staging) -> dict[str, bytes]:
        """The search index and data/briefing.json drawn, and with the assets and static files staged where
        they differ from the output; the plan lets go of them, so that they are not held while the pages
        render. Gives what was drawn, for the caller to let go of (see _meanwhile)."""
        before, hashes = staged.before, staged.hashes
        with stage("whole-site: search index"):
            drawn, unchanged = index_files(found.graph, self.caches.pieces, self.caches.results, before)
            found.files.update(drawn)
        hashes.update((rel, file_hash(data)) for rel, data in found.files.items())
        hashes.update((rel, before[rel]) for rel in unchanged)  # as the last run left them
        with stage("write: static files"):
            for rel, data in found.files.items():
                if before.get(rel) != hashes[rel] and not same_as(staged.last, rel, data):
                    put(staged.tmp, rel, data)
        found.files.clear()
        return drawn

    def _save_graph(self, found: Plan, hashes: dict[str, str], state: StateWriter, since: EditsSince | None,
                    tpl: Templates) -> None:
        """The graph and caches into the state, or only the edits since the state this build started from
        (EditsSince); a one-shot build then lets go of the caches saved, which nothing else in it reads."""
        with stage("cache save: graph"):
            edits = since.after(self.caches, hashes, state.inputs, found.checked) if since else None
            if since is not None and edits is not None:
                state.edits(since.base, edits)
            else:
                state.objects(found.graph, self.caches, tpl, hashes, found.checked)
        if self.one_shot:
            self.caches.pieces.clear()
            self.caches.results.docs.clear()
            self.caches.results.drawn = None

    def _render(self, found: Plan, todo: list[Page], staged: Staging, run: Run, meanwhile: Callable[[], None],
                heads: set[Read]) -> dict[str, PageRecord]:
        """The pages of `todo` rendered (workers.render_all) and staged where they differ from the output;
        the staging folder goes if the run does not get through."""
        try:
            job = Job(found.graph, todo, found.env, staged.tmp, staged.last, self._template_problem, run.cancel)
            with stage("render"):
                return render_all(job, self.jobs, run.progress, meanwhile, heads)
        except Failed as failed:
            discard(staged.tmp)
            raise SiteError([failed.problem]) from None
        except BaseException:
            discard(staged.tmp)
            raise

    def _commit(self, staged: Staging, run: Run, keep: set[str]) -> Written:
        """The staged files into the output (holding _writing), unless the run was stopped meanwhile.
        `keep`: every file of the finished output (write.commit)."""
        try:
            self._go_on(run)
        except Cancelled:
            discard(staged.tmp)
            raise
        try:
            with stage("write: commit"):
                present = self.snapshot.outputs if self.snapshot is not None else None
                return commit(staged.tmp, self.out, keep=keep, present=files_of(present) if present is not None else None)
        except BaseException:
            self.snapshot = None  # the output is part old, part new: the next run renders every page
            raise

    def _keep(self, found: Plan, done: Done, inputs: Inputs) -> None:
        """The run as the snapshot the next run of this builder compares against; with the stamps of the
        inputs it read (then an edit to one article's body alone reads that file alone:
        incremental.edited_body)."""
        self.snapshot = Snapshot(found.graph, done.kept | done.rendered, done.templates, done.files,
                                 inputs=trusted(inputs), problems=found.checked, heads=done.heads)
        self._current = found.env
        self._written_first.clear()  # it rendered them: a page written first while it ran would have stopped it

    def _plan(self, go_on: Callable[[], None] = lambda: None, inputs: Inputs | None = None) -> Plan:
        """Everything before rendering. `go_on` is called between the longer stages: it raises Cancelled to
        stop a run there. `inputs`: the stamps this run took of its inputs, if it took them."""
        graph, problems, edited = self._graph(go_on, inputs)
        checked = tuple(problems)
        go_on()
        with stage("plan: templates"):
            env = environment(self.root)
        with stage("plan: static files"):
            files = self._files(problems)
        with stage("plan: pages"):
            pages = self._pages(graph, files, problems)
            paths = {p.path for p in pages}
        # The search index and data/briefing.json are drawn as the helpers render (_write): only their names
        # are needed here, and those outside search/ are known beforehand.
        problems += _index_clashes(files)
        go_on()
        with stage("plan: links"):
            problems += check_links(graph, paths | files.keys() | INDEX_FILES)
        with stage("plan: templates"):
            problems += self._template_syntax(env)
        return Plan(graph, pages, files, env, sorted(set(problems)), checked, edited)

    def _graph(self, go_on: Callable[[], None],
               inputs: Inputs | None) -> tuple[Graph, list[Problem], tuple[str, Any] | None]:
        """Load, validate and resolve, with what they found; or, after an edit to one article's body alone,
        the last run's graph with the new body (incremental.edited_body) and the file's new cache entry."""
        with stage("edited body"):
            edited = edited_body(self.snapshot, self.caches, self.root, inputs) if inputs is not None else None
        if edited is not None:
            return edited
        with stage("load"):
            raw = load(self.root, entry_of, self.caches.files, self.jobs, inputs)
        go_on()
        with stage("validate"):
            site, problems = validate(raw)
        with stage("resolve"):
            graph, found = resolve(site, self.drafts, self.caches.parses, self.jobs)
        problems += found
        return graph, problems, None

    def _pages(self, graph: Graph, files: dict[str, bytes], problems: list[Problem]) -> list[Page]:
        """The pages to draw (a static file takes the place of a page that yields); what is wrong with them
        goes into `problems`."""
        pages = [p for p in plan(graph) if not (p.path in YIELDING and p.path in files)]
        if not graph.site.config.base_url and not any(p.location.path == "site.yaml" for p in problems):
            problems.append(warning(Location("site.yaml"), "no base_url: feed.xml, feeds/, sitemap.xml and "
                                    "robots.txt are not written, as they need absolute URLs; set base_url to "
                                    "the address the site will have, e.g. base_url: https://example.org/briefing/"))
        problems += _clashes(graph, pages, files)
        paths = {p.path for p in pages}
        problems += [error(Location(f"static/{rel}"), f"{SEARCH_FOLDER} holds the site's search index; "
                           "move the file") for rel in files if rel.startswith(SEARCH_FOLDER) and rel not in paths]
        return pages

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


def _index_clashes(files: dict[str, bytes]) -> list[Problem]:
    """A static file on the path of a whole-site file the build writes outside search/."""
    return [error(Location(f"static/{rel}"), f"clashes with the file {rel} the build writes; rename or move "
                  "the file") for rel in INDEX_FILES if rel in files and not rel.startswith(SEARCH_FOLDER)]


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
