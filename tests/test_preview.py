"""`briefing serve` writes an article whose body alone was edited first (Builder.preview), then runs
the full rebuild: the page it wrote first must be the very bytes the full rebuild writes, and any edit
that changes more than the body's own text must wait for the full rebuild."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import SITES

from generator.base.errors import SiteError
from generator.build.builder import Builder

ARTICLE = "content/articles/round-one-opens.md"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(SITES / "full", root)
    return root


def _edit(root: Path, old: str, new: str) -> Path:
    path = root / ARTICLE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_body_edit_is_written_first_with_the_bytes_of_the_full_rebuild(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    builder = Builder(site, out)
    builder.run()
    rng = random.Random(7)
    plain = ["a second round is due in autumn", "the gauges are to be read weekly", "observers attended",
             "Minister Dolen spoke again", "Thessaria", "the commission"]
    for n in range(6):  # names of actors included: their mentions stay the same, so the page can go first
        path = _edit(site, "measured\".", f"measured\". And {rng.choice(plain)} ({n}).")
        written = builder.preview(path)
        assert written == "articles/round-one-opens/index.html"
        first = (out / written).read_bytes()
        assert f"({n})." in BeautifulSoup(first, "html.parser").find("main").get_text()
        built = builder.run()
        assert (out / written).read_bytes() == first
        assert built.rendered >= 1


@pytest.mark.parametrize("old,new", [
    ("measured\".", "measured\". Mira Dolen's deputy, [[petra-lind]], agreed."),  # a new link
    ("Thessaria asked", "Thessaria asked, and Petra Lind agreed,"),  # a new mention
    ("[[varna-drought-2022|record low]]", "record low"),  # a link removed
    ("title: Karovia and Thessaria open talks", "title: Karovia and Thessaria begin talks"),  # front matter
    ("measured\".", "measured\". See [[no-such-item]]."),  # a mistake: the full run reports it
    ("measured\".", "measured\". ![map](https://example.org/map.png)"),  # a new warning
])
def test_an_edit_beyond_the_body_text_waits_for_the_full_rebuild(site: Path, tmp_path: Path, old: str, new: str) -> None:
    out = tmp_path / "out"
    builder = Builder(site, out)
    builder.run()
    before = (out / "articles/round-one-opens/index.html").read_bytes()
    assert builder.preview(_edit(site, old, new)) is None
    assert (out / "articles/round-one-opens/index.html").read_bytes() == before


def test_no_preview_after_a_failed_run_or_before_any(site: Path, tmp_path: Path) -> None:
    builder = Builder(site, tmp_path / "out")
    path = site / ARTICLE
    assert builder.preview(path) is None  # nothing built yet
    builder.run()
    (site / "content/actors/broken.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(SiteError):
        builder.run()
    # The last good build no longer matches the sources: only a full run may write now.
    assert builder.preview(_edit(site, "measured\".", "measured\". Later.")) is None


PLAIN = ["a second round is due in autumn", "the gauges are to be read weekly", "observers attended",
         "Minister Dolen spoke again", "the commission"]
ACTOR = "content/actors/people/petra-lind.yaml"


class Saves:
    """What a writer saves while `briefing serve` runs: body edits it previews, reverts to a text saved
    before, saves that break the build (an unknown [[id]], YAML that does not parse) and their fixes,
    and the random edits of the incremental test."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root, self.rng = root, rng
        self.article, self.actor = root / ARTICLE, root / ACTOR
        self.texts = [self.article.read_text(encoding="utf-8")]
        """Every text the article was saved with, the first one first."""
        self.actor_good = self.actor.read_text(encoding="utf-8")

    def save(self, text: str) -> Path:
        self.article.write_text(text, encoding="utf-8")
        self.texts.append(text)
        return self.article

    def body(self) -> Path:
        return self.save(self.texts[0].replace('measured".', f'measured". And {self.rng.choice(PLAIN)} '
                                               f'({self.rng.randint(0, 99)}).', 1))

    def revert(self) -> Path:
        return self.save(self.rng.choice(self.texts))

    def unknown_id(self) -> Path:
        return self.save(self.article.read_text(encoding="utf-8").replace('measured".', 'measured". [[no-such-id]]', 1))

    def broken_yaml(self) -> Path:
        self.actor.write_text(self.actor_good.replace("kind: person", "kind: [person"), encoding="utf-8")
        return self.actor

    def fixed_yaml(self) -> Path:
        self.actor.write_text(self.actor_good, encoding="utf-8")
        return self.actor

    def other(self) -> Path:
        from test_incremental import EDITS
        rng = random.Random(self.rng.random())  # the list may grow: the sequence of other saves stays
        edit = rng.choice(EDITS)
        edit(self.root, rng)
        if edit.__name__ == "append_to_article" and self.article.read_text(encoding="utf-8") != self.texts[-1]:
            self.texts.append(self.article.read_text(encoding="utf-8"))
        return self.root / "site.yaml"

    def any(self) -> Path:
        if self.actor.read_text(encoding="utf-8") != self.actor_good and self.rng.random() < 0.5:
            return self.fixed_yaml()  # a writer who sees the error overlay fixes it, most of the time
        return self.rng.choice([self.body, self.body, self.body, self.revert, self.revert, self.unknown_id,
                                self.broken_yaml, self.other])()

    def all_fixed(self) -> None:
        self.fixed_yaml()
        self.save(self.rng.choice([t for t in self.texts if "no-such-id" not in t]))


@pytest.mark.parametrize("seed", range(5))
def test_serve_sequences_with_failed_runs_end_as_a_clean_build(site: Path, tmp_path: Path, seed: int) -> None:
    """Each step is what `briefing serve` does with a burst of saves: the first save of an article's
    body is written first (Builder.preview), more saves may land before the full run, which may fail.
    After every good run, and once everything is fixed, the output is a clean build of the sources."""
    from test_build import tree

    from generator.build.builder import build
    rng = random.Random(seed)
    out = tmp_path / "out"
    builder = Builder(site, out)
    builder.run()
    saves = Saves(site, rng)
    previewed_then_failed = 0

    def same_as_clean(step: str) -> None:
        fresh = tmp_path / "fresh"
        build(site, fresh)
        assert tree(out) == tree(fresh), step
        shutil.rmtree(fresh)

    for step in range(24):
        first = saves.any()
        previewed = first.suffix == ".md" and builder.preview(first) is not None  # as Rebuilder._preview
        for _ in range(rng.choice([0, 1, 1, 2])):  # saved while the preview was written, before the run
            saves.any()
        try:
            builder.run()
        except SiteError:
            previewed_then_failed += previewed
            continue
        same_as_clean(f"step {step}")
    saves.all_fixed()
    builder.run()
    same_as_clean("all fixed")
    assert previewed_then_failed  # the sequence that left a stale page is among them


def test_a_run_under_way_when_a_page_is_written_first_writes_nothing(site: Path, tmp_path: Path) -> None:
    """`briefing serve` writes an edited article first even while a run is under way (from another thread;
    here from the run's own progress callback, at a known moment): that run read the article before the
    save, so it stops before it commits, and the page written first stays until the next run."""
    from test_build import tree

    from generator.build.builder import build
    from generator.build.workers import Cancelled
    out = tmp_path / "out"
    builder = Builder(site, out)
    builder.run()
    _edit(site, 'measured".', 'measured". First.')
    written: list[str | None] = []

    def meanwhile(done: int, total: int) -> None:
        if not written:
            written.append(builder.preview(_edit(site, "First.", "Second.")))

    before = tree(out)
    with pytest.raises(Cancelled):
        builder.run(progress=meanwhile)
    assert written == ["articles/round-one-opens/index.html"]
    after = tree(out)
    assert {rel for rel in before.keys() | after.keys() if before.get(rel) != after.get(rel)} == set(written)
    assert "Second." in (out / written[0]).read_text(encoding="utf-8")
    builder.run()
    build(site, tmp_path / "fresh")
    assert tree(out) == tree(tmp_path / "fresh")
