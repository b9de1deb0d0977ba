"""Every Markdown text is parsed once per build: the HTML of an article's body comes from the parse that
scanned it for mentions and links, and a text that did not change is not parsed again by the next run."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from conftest import SITES
from markdown_it import MarkdownIt
from test_build import tree

from generator.build.builder import Builder, build


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    counted: Counter[str] = Counter()
    original = MarkdownIt.parse

    def counting(self: MarkdownIt, src: str, env: object = None) -> object:
        counted[src] += 1
        return original(self, src, env)
    monkeypatch.setattr(MarkdownIt, "parse", counting)
    return counted


def bodies(site: Path) -> list[str]:
    return [p.read_text(encoding="utf-8").split("\n---\n", 1)[1] for p in sorted((site / "content/articles").glob("*.md"))]


def test_each_body_is_parsed_once_per_build_and_not_again_when_unchanged(tmp_path: Path, parses: Counter[str]) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site)
    builder = Builder(site, tmp_path / "out")  # one process: the count sees every parse
    builder.run()
    texts = bodies(site)
    assert texts and all(parses[t] == 1 for t in texts), [parses[t] for t in texts]
    parses.clear()
    edited = min((site / "content/articles").glob("*.md"))
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")
    builder.run()
    assert [parses[t] for t in bodies(site)] == [1] + [0] * (len(texts) - 1)
    build(site, tmp_path / "fresh", jobs=1)
    assert tree(tmp_path / "out") == tree(tmp_path / "fresh")
