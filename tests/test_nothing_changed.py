"""A build with nothing changed since the last one does nothing, by stat() alone; any change to an
input or to the output makes it a real build again, with the same bytes as a clean one."""

from __future__ import annotations

import hashlib
import marshal
import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SITES, run_cli
from test_build import tree

import generator.build.builder
from generator.base.errors import SiteError
from generator.build.builder import Builder, build
from generator.build.cache import CACHES, HEADER, TAG, _digest, _secret, kept
from generator.build.reads import GRAPH_FIELDS
from generator.build.stamp import CACHE, KEPT_OUTPUTS, cache_file, output_stamps
from generator.content.load import load
from generator.pages.identity import identical


def settled(root: Path) -> Path:
    """A copy of a sample site whose files were last changed a minute ago, as on a desk between edits
    (a file changed within the file system's clock tick of a build is never trusted to a stamp)."""
    past = time.time() - 60
    for path in [root, *root.rglob("*")]:
        os.utime(path, (past, past))
    return root


def saved_a_moment_ago(path: Path) -> None:
    """An edit saved a second before the build (one saved as the build starts is read again anyway)."""
    moment = time.time() - 1
    os.utime(path, (moment, moment))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return settled(Path(shutil.copytree(SITES / "second", tmp_path / "site")))


def mtimes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}


def test_a_second_build_renders_and_writes_nothing(site: Path) -> None:
    first = build(site)
    before = mtimes(first.out)
    second = build(site)
    assert first.rendered == first.pages > 20
    assert second.rendered == 0 and second.written.changed == 0 and second.pages == first.pages
    assert mtimes(second.out) == before
    run = run_cli("build", str(site))
    assert run.code == 0
    assert f"built {first.pages} pages into {site / 'build'}: 0 rendered, {first.pages} reused; 0 files written" \
        in run.out


@pytest.mark.parametrize("change", ["edit", "add", "remove", "template", "static", "config"])
def test_any_changed_input_builds_again_as_a_clean_build_would(site: Path, tmp_path: Path, change: str) -> None:
    build(site)
    article = site / "content/articles/nsr-outlook.md"
    if change == "edit":
        article.write_text(article.read_text(encoding="utf-8").replace("the", "a"), encoding="utf-8")
    elif change == "add":
        (site / "content/topics/new-topic.yaml").write_text("title: A new topic\n", encoding="utf-8")
    elif change == "remove":
        (site / "content/views").exists() and shutil.rmtree(site / "content/views")
    elif change == "template":
        (site / "templates").mkdir(exist_ok=True)
        (site / "templates/list.html").write_text('{% extends "theme/list.html" %}{% block main %}LISTED{% endblock %}',
                                                  encoding="utf-8")
    elif change == "static":
        (site / "static").mkdir(exist_ok=True)
        (site / "static/robots.txt").write_text("User-agent: *\n", encoding="utf-8")
    else:
        (site / "site.yaml").write_text((site / "site.yaml").read_text(encoding="utf-8").replace(
            "title: The Arctic", "title: An Arctic"), encoding="utf-8")
    again = build(site)
    if change == "static":  # a new file to copy, which no page reads: nothing to render again
        assert again.rendered == 0 and again.written.changed == 1
    else:
        assert again.rendered > 0
    # the output's stamps, patched from the last ones for the files this build swapped in or removed,
    # are what a scan of the whole output finds
    restored = kept(site, again.out, False)
    assert isinstance(restored, tuple) and restored[0].outputs == output_stamps(again.out)
    clean = build(site, tmp_path / "clean")
    assert tree(again.out) == tree(clean.out)


@pytest.mark.parametrize("damage", ["edit", "delete", "stray", "stray deep down", "a new folder"])
def test_a_changed_output_is_rebuilt(site: Path, tmp_path: Path, damage: str) -> None:
    out = build(site).out
    clean = tree(out)
    page = out / "actors/index.html"
    if damage == "edit":
        page.write_text("defaced", encoding="utf-8")
    elif damage == "delete":
        page.unlink()
    elif damage == "stray":
        (out / "stray.html").write_text("left behind", encoding="utf-8")
    elif damage == "stray deep down":  # the check stats the paths it knows: a new file shows in its folder's stamp
        (next(out.glob("articles/*/")) / "stray.html").write_text("left behind", encoding="utf-8")
    else:
        (out / "actors/new/deeper").mkdir(parents=True)
        (out / "actors/new/deeper/stray.html").write_text("left behind", encoding="utf-8")
    again = build(site)
    assert again.rendered > 0
    assert tree(out) == clean


def test_warnings_are_shown_again_and_strict_still_fails(make_site: object, tmp_path: Path) -> None:
    root = tmp_path / "warned"
    (root / "content/articles").mkdir(parents=True)
    (root / "site.yaml").write_text("title: Warned\n", encoding="utf-8")
    (root / "content/articles/a.md").write_text("---\ntitle: A\ndate: 2023-01-01\n---\n[x](javascript:alert(1))\n",
                                                encoding="utf-8")
    settled(root)
    first = run_cli("build", str(root))
    second = run_cli("build", str(root))
    assert first.code == second.code == 0 and first.problems and second.problems == first.problems
    assert "0 rendered" in second.out
    with pytest.raises(SiteError) as failed:
        build(root, strict=True)
    assert [str(p) for p in failed.value.problems] == first.problems


def test_the_cache_is_safe_to_delete_or_damage(site: Path) -> None:
    first = build(site)
    shutil.rmtree(site / CACHE)
    assert build(site).rendered == first.pages
    for stamp in (site / CACHE).iterdir():
        stamp.write_bytes(b"\x00not a stamp")
    assert build(site).rendered == first.pages
    assert build(site).rendered == 0


@pytest.mark.parametrize("damage", ["cut short", "a flipped bit", "a flipped bit in its objects"])
def test_a_damaged_state_means_a_full_build_with_a_note_not_a_warning(tmp_path: Path, damage: str) -> None:
    root = settled(Path(shutil.copytree(SITES / "niger", tmp_path / "site")))
    assert run_cli("build", str(root), "--strict").code == 0
    state = cache_file(root, root / "build", False, ".state")
    if damage.endswith("objects"):
        (state,) = state.parent.glob(f"{state.stem}.*.objects")
    data = bytearray(state.read_bytes())
    if damage == "cut short":
        del data[len(data) // 2:]
    else:
        data[len(data) // 2] ^= 1
    state.write_bytes(bytes(data))
    article = min((root / "content/articles").glob("*.md"))
    article.write_text(article.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    settled(root)
    noted = run_cli("build", str(root), "--strict")
    assert noted.code == 0 and noted.problems == []
    pages = int(noted.out.split("built ")[1].split()[0])
    assert f"{pages} rendered, 0 reused" in noted.out
    assert "(note: the build cache could not be used, so every page was drawn again: it " in noted.out
    clean = tmp_path / "clean"
    build(root, clean)
    assert tree(root / "build") == tree(clean)
    article.write_text(article.read_text(encoding="utf-8") + "\nAnd another.\n", encoding="utf-8")
    again = run_cli("build", str(root), "--strict")
    assert again.code == 0 and "note:" not in again.out and f"{pages} rendered" not in again.out


class _Plant:
    """Unpickling it creates a file: what a state written by someone else could do."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return open, (str(self.path), "w")


def _planted(state: Path, planted: Path, secret: bytes | None) -> bytes:
    """The state's file with its directory naming, in place of its own objects, a pickle that creates
    `planted` (written into the objects' file), signed with `secret` (None: not signed)."""
    data = state.read_bytes()
    where = int.from_bytes(data[TAG:HEADER], "little")
    key, sections, stored = marshal.loads(data[where:])
    objects = state.with_name(stored)
    start, length, _ = sections[CACHES]
    plant, caches = pickle.dumps(_Plant(planted)), objects.read_bytes()[start:start + length]
    objects.write_bytes(plant + caches)
    moved = {**sections, "objects": (0, len(plant), _digest(plant).digest()),
             CACHES: (len(plant), len(caches), _digest(caches).digest())}
    directory, where_bytes = marshal.dumps((key, moved, stored)), where.to_bytes(8, "little")
    tag = hashlib.blake2b(directory + where_bytes, key=secret, digest_size=TAG).digest() if secret else bytes(TAG)
    return tag + where_bytes + data[HEADER:where] + directory


def test_a_state_not_signed_on_this_machine_is_never_unpickled(site: Path, tmp_path: Path) -> None:
    first = build(site)
    state = cache_file(site, first.out, False, ".state")
    planted = tmp_path / "planted"
    state.write_bytes(_planted(state, planted, None))  # a state copied from elsewhere: another key signed it
    (site / "content/topics/new-topic.yaml").write_text("title: A new topic\n", encoding="utf-8")
    second = build(site)
    assert second.rendered == second.pages > first.pages  # a full build
    assert not planted.exists()
    secret = _secret()
    assert secret is not None
    # on the state that full build left, signed with this user's key: it is read (and fails to load)
    state.write_bytes(_planted(state, planted, secret))
    (site / "content/topics/new-topic.yaml").write_text("title: A newer topic\n", encoding="utf-8")
    assert build(site).rendered == second.pages
    assert planted.exists()


def test_a_file_changed_just_before_the_build_is_not_trusted(site: Path) -> None:
    build(site)
    article = site / "content/articles/permit-suspension-hanbit.md"
    page = site / "build/articles/permit-suspension-hanbit/index.html"
    article.write_text(article.read_text(encoding="utf-8") + "\nLate line.\n", encoding="utf-8")
    assert build(site).rendered > 0 and "Late line." in page.read_text(encoding="utf-8")  # the edit, seen
    # Changed again within the same tick of the file system's clock: the same size, inode and time.
    before = article.stat()
    article.write_text(article.read_text(encoding="utf-8").replace("Late line.", "Last line."), encoding="utf-8")
    os.utime(article, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert article.stat().st_mtime_ns == before.st_mtime_ns and article.stat().st_size == before.st_size
    assert build(site).rendered > 0 and "Last line." in page.read_text(encoding="utf-8")
    settled(site)  # the times of every file changed, the output's too: a full build
    assert build(site).rendered > 0
    assert build(site).rendered == 0


def test_other_outputs_and_options_keep_their_own_stamps(site: Path, tmp_path: Path) -> None:
    build(site)
    other = build(site, tmp_path / "elsewhere")
    assert other.rendered == other.pages
    assert build(site).rendered == 0 and build(site, tmp_path / "elsewhere").rendered == 0
    assert build(site, drafts=True).rendered > 0


def test_with_nothing_changed_the_command_line_loads_no_template_markdown_or_yaml_code(site: Path) -> None:
    """The check runs before the rest of the generator is imported (stamp.py is kept light)."""
    script = ("import sys; from generator.cli import main; code = main(['build', sys.argv[1], '-q']); "
              "print(sorted(m for m in ('jinja2', 'markdown_it', 'yaml') if m in sys.modules)); sys.exit(code)")
    first = subprocess.run([sys.executable, "-c", script, str(site)], capture_output=True, text=True, check=True)
    assert first.stdout.strip() == "['jinja2', 'markdown_it', 'yaml']"  # a real build
    again = subprocess.run([sys.executable, "-c", script, str(site)], capture_output=True, text=True, check=True)
    assert again.stdout.strip() == "[]"


def test_the_cache_keeps_only_the_latest_outputs(site: Path, tmp_path: Path) -> None:
    outs = [tmp_path / f"out-{n}" for n in range(KEPT_OUTPUTS + 2)]
    for out in outs:
        build(site, out)
    digests = {f.name.split(".", 1)[0] for f in (site / CACHE).iterdir()}
    assert len(digests) == KEPT_OUTPUTS
    assert cache_file(site, outs[-1], False, ".state").is_file()
    assert not cache_file(site, outs[0], False, ".state").exists()
    assert build(site, outs[-1]).rendered == 0 and build(site, outs[0]).rendered > 0


def test_a_failed_incremental_build_leaves_the_last_state(site: Path) -> None:
    first = build(site, jobs=2)
    state = cache_file(site, first.out, False, ".state")
    before = state.read_bytes()
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates/article.html").write_text(
        '{% extends "theme/article.html" %}{% block main %}{{ 1 // 0 }}{% endblock %}', encoding="utf-8")
    with pytest.raises(SiteError):
        build(site, jobs=2)
    assert state.read_bytes() == before
    assert not list((site / CACHE).glob("*.tmp"))
    (site / "templates/article.html").unlink()
    assert build(site, jobs=2).rendered == 0  # the last state, still good: nothing to draw again


@pytest.mark.parametrize("edit", ["a sentence added", "a word changed", "a heading changed"])
def test_an_edit_to_one_articles_body_alone_reads_that_file_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  edit: str) -> None:
    """The graph and problems after such an edit come from the last build's (incremental.edited_body):
    the next build compares against them, so they must be what loading, checking and resolving the whole
    site finds, and the output what a clean build writes."""
    root = settled(Path(shutil.copytree(SITES / "niger", tmp_path / "site")))
    build(root)
    article = root / "content/articles/niger-coup.md"
    text = article.read_text(encoding="utf-8")
    article.write_text({"a sentence added": text + "\nA plain sentence more.\n",
                        "a word changed": text.replace("in his residence", "in his house"),
                        "a heading changed": text.replace("## The regional response", "## The region answers")}[edit],
                       encoding="utf-8")
    saved_a_moment_ago(article)
    loaded: list[object] = []
    monkeypatch.setattr(generator.build.builder, "load", lambda *args, **kwargs: loaded.append(args) or load(*args, **kwargs))
    again = build(root)
    assert loaded == [] and 0 < again.rendered < again.pages
    restored = kept(root, again.out, False)
    assert isinstance(restored, tuple)
    full = Builder(root, tmp_path / "full", one_shot=True)._plan()  # no state for that output: a full run
    assert loaded
    for name in GRAPH_FIELDS:
        assert identical(getattr(restored[0].graph, name), getattr(full.graph, name)), name
    assert sorted(set(restored[0].problems)) == sorted(set(full.checked))
    assert tree(again.out) == tree(build(root, tmp_path / "clean").out)


def test_an_edit_to_a_body_that_had_a_warning_is_a_full_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = settled(Path(shutil.copytree(SITES / "second", tmp_path / "site")))
    build(root)
    article = root / "content/articles/permit-suspension-hanbit.md"  # 'Ivanov' is ambiguous there
    article.write_text(article.read_text(encoding="utf-8") + "\nA plain sentence more.\n", encoding="utf-8")
    saved_a_moment_ago(article)
    loaded: list[object] = []
    monkeypatch.setattr(generator.build.builder, "load", lambda *args, **kwargs: loaded.append(args) or load(*args, **kwargs))
    again = run_cli("build", str(root))
    assert loaded and "'Ivanov' is ambiguous" in again.err
    assert tree(root / "build") == tree(build(root, tmp_path / "clean").out)


def sections_of(state: Path) -> dict[str, object]:
    data = state.read_bytes()
    return dict(marshal.loads(data[int.from_bytes(data[TAG:HEADER], "little"):])[1])


def test_edits_to_bodies_alone_keep_the_state_s_objects_and_their_edits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After such an edit the state keeps the objects it had, as they were, and the edits made since
    (incremental.Edits), applied again on load: the graph and caches then are what a full run finds, up
    to MAX_EDITS edits, after which the whole state is pickled again."""
    monkeypatch.setattr(generator.build.incremental, "MAX_EDITS", 3)
    root = settled(Path(shutil.copytree(SITES / "niger", tmp_path / "site")))
    first = build(root)
    state = cache_file(root, first.out, False, ".state")
    objects, caches_section = sections_of(state)["objects"], sections_of(state)[CACHES]
    article = root / "content/articles/niger-coup.md"
    for n in range(1, 5):
        article.write_text(article.read_text(encoding="utf-8") + f"\nA plain sentence, {n}.\n", encoding="utf-8")
        saved_a_moment_ago(article)
        again = build(root)
        assert 0 < again.rendered < again.pages
        restored = kept(root, again.out, False)
        assert isinstance(restored, tuple)
        snapshot, caches = restored
        assert caches._files is None  # the files' entries and the parses: decoded on first use
        assert len(list(state.parent.glob(f"{state.stem}.*.objects"))) == 1  # the last one's, only
        key = os.fspath(root / "content/articles/niger-coup.md")
        assert identical(caches.files[key][2][0].item, snapshot.graph.items["niger-coup"])
        for entry in caches.files.values():  # one object with the graph's (one memo for both sections)
            for record in entry[2]:
                if record.item is not None and record.item.id != "niger-coup":
                    assert record.item is snapshot.graph.site.items.get(record.item.id, record.item)
        if n <= 3:
            assert snapshot.edits is not None and len(snapshot.edits.entries) == n
            assert sections_of(state)["objects"][2] == objects[2]  # the same bytes, by their hash
            assert sections_of(state)[CACHES][2] == caches_section[2]
        else:  # MAX_EDITS reached: the objects pickled again, with no edits
            assert snapshot.edits is None and sections_of(state)["objects"][2] != objects[2]
        full_root = Path(shutil.copytree(root, tmp_path / f"full-{n}", ignore=shutil.ignore_patterns(CACHE)))
        full = Builder(full_root, tmp_path / f"full-{n}-out", one_shot=True)._plan()
        for name in GRAPH_FIELDS - {"site"}:
            assert identical(getattr(snapshot.graph, name), getattr(full.graph, name)), name
        assert identical(snapshot.graph.site.items, full.graph.site.items)
        pieces = {i: text for i, (_, text) in caches.pieces.items()}
        clean = build(full_root, tmp_path / f"clean-{n}")
        assert tree(again.out) == tree(clean.out)
        assert b"A plain sentence, %d." % n in pieces["niger-coup"]


def test_a_state_an_older_version_left_is_out_of_date_not_damaged(site: Path, tmp_path: Path) -> None:
    """A state in an older layout (its directory signed by this user, its sections laid out as the last
    format did) gives a full build with no note: out of date, not damaged."""
    first = build(site)
    state = cache_file(site, first.out, False, ".state")
    data = state.read_bytes()
    where = int.from_bytes(data[TAG:HEADER], "little")
    key, sections, _ = marshal.loads(data[where:])
    secret = _secret()
    assert secret is not None
    directory, where_bytes = marshal.dumps((key, sections)), where.to_bytes(8, "little")
    tag = hashlib.blake2b(directory + where_bytes, key=secret, digest_size=TAG).digest()
    state.write_bytes(tag + where_bytes + data[HEADER:where] + directory)
    assert kept(site, first.out, False) is None
    (site / "content/topics/new-topic.yaml").write_text("title: A new topic\n", encoding="utf-8")
    run = run_cli("build", str(site))
    assert run.code == 0 and "note:" not in run.out and " 0 reused" in run.out


def test_a_long_lived_builder_reads_an_edited_body_alone_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`briefing serve`'s builder keeps the stamps of what it read with its snapshot: an edit to one
    article's body alone reads that file alone there too, and writes what a clean build writes."""
    root = settled(Path(shutil.copytree(SITES / "niger", tmp_path / "site")))
    builder = Builder(root, tmp_path / "out")
    builder.run()
    article = root / "content/articles/niger-coup.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nA plain sentence more.\n", encoding="utf-8")
    saved_a_moment_ago(article)
    loaded: list[object] = []
    monkeypatch.setattr(generator.build.builder, "load", lambda *args, **kwargs: loaded.append(args) or load(*args, **kwargs))
    again = builder.run()
    assert loaded == [] and 0 < again.rendered < again.pages
    assert tree(tmp_path / "out") == tree(build(root, tmp_path / "clean").out)
    (root / "content/topics/new-topic.yaml").write_text("title: A new topic\n", encoding="utf-8")
    builder.run()  # anything else: the whole site is read again
    assert loaded
    assert tree(tmp_path / "out") == tree(build(root, tmp_path / "clean2").out)
