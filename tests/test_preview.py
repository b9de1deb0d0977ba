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

from generator.build import Builder
from generator.errors import SiteError

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
