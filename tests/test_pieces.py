"""Whole-site files by pieces: data/briefing.json is drawn on every run from the entries of the last, and an
edit draws again only the entries of the items it touched; the bytes are those of a clean build."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import SITES
from test_build import tree

from generator.build.builder import build
from generator.pages import exports


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    ids: list[str] = []
    original = exports._item

    def counting(g: object, item: exports.Item) -> dict[str, object]:
        ids.append(item.id)
        return original(g, item)  # type: ignore[arg-type]
    monkeypatch.setattr(exports, "_item", counting)
    return ids


def test_an_edit_draws_again_only_the_entries_it_touched(tmp_path: Path, drawn: list[str]) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site)
    out = tmp_path / "out"
    build(site, out, jobs=1)  # one process: every entry is drawn here, and kept in the build cache
    every = len(json.loads((out / "data/briefing.json").read_text(encoding="utf-8"))["items"])
    assert len(drawn) == every
    drawn.clear()
    build(site, out, jobs=1)
    assert drawn == []  # nothing changed: nothing drawn (the build stops at its stamp)
    role = site / "content/actors/people/petra-lind.yaml"
    role.write_text(role.read_text(encoding="utf-8").replace("role: Hydrologist", "role: Senior hydrologist"),
                    encoding="utf-8")
    build(site, out, jobs=1)  # a new process would do the same: the entries come back from the build cache
    assert drawn == ["petra-lind"]
    entry = next(i for i in json.loads((out / "data/briefing.json").read_text(encoding="utf-8"))["items"]
                 if i["id"] == "petra-lind")
    assert entry["role"].startswith("Senior hydrologist")
    build(site, tmp_path / "fresh", jobs=1)
    assert tree(out) == tree(tmp_path / "fresh")


def test_a_static_file_in_the_place_of_the_export_is_an_error(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site)
    (site / "static/data").mkdir(parents=True)
    (site / "static/data/briefing.json").write_text("{}\n", encoding="utf-8")
    from generator.build.builder import check
    problems = [str(p) for p in check(site).problems if p.severity == "error"]
    assert problems == [("static/data/briefing.json: error: clashes with the file data/briefing.json the build "
                        "writes; rename or move the file")]


def test_the_search_index_draws_again_only_the_results_an_edit_touched(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.pages import search
    weighed: list[str] = []
    original = search._weights

    def counting(doc: search.Doc) -> search.Weights:
        weighed.append(doc.title)
        return original(doc)
    monkeypatch.setattr(search, "_weights", counting)
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site)
    out = tmp_path / "out"
    build(site, out, jobs=1)
    every = len(weighed)
    assert every > 20
    weighed.clear()
    role = site / "content/actors/people/petra-lind.yaml"
    role.write_text(role.read_text(encoding="utf-8").replace("role: Hydrologist", "role: Senior hydrologist"),
                    encoding="utf-8")
    build(site, out, jobs=1)
    assert weighed == ["Petra Lind"]
    build(site, tmp_path / "fresh", jobs=1)
    assert tree(out) == tree(tmp_path / "fresh")
    weighed.clear()
    role.write_text(role.read_text(encoding="utf-8").replace("name: Petra Lind", "name: Petra Lindqvist"),
                    encoding="utf-8")
    build(site, out, jobs=1)
    assert len(weighed) == every  # a name changed: any result may show it ([[petra-lind]] reads as it)
    build(site, tmp_path / "fresh2", jobs=1)
    assert tree(out) == tree(tmp_path / "fresh2")


def test_an_edited_body_redraws_only_the_index_files_that_hold_what_it_changed(tmp_path: Path,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """search.files after an edit that keeps the results' order: the same files as drawing the index anew,
    with the shards and chunks the edit does not touch kept as the very bytes of the last run. Small shards
    and chunks, so that an edit moves their boundaries."""
    import dataclasses

    from generator.build.builder import Builder
    from generator.content.model import Md
    from generator.graph.resolve import with_body
    from generator.pages import search
    monkeypatch.setattr(search, "SHARD_BYTES", 400)
    monkeypatch.setattr(search, "DOC_BYTES", 300)
    graph = Builder(SITES / "full", tmp_path / "out")._plan().graph
    pieces = search.Pieces()
    output, unchanged = search.files(graph, pieces)  # the first run draws every file
    assert unchanged == set()
    assert sum(p.startswith("search/s/") for p in output) > 10 and sum(p.startswith("search/d/") for p in output) > 5
    article = graph.items["round-one-opens"]
    text = article.body.text
    for edit in (text + "\nA zyxwvutsr word no other text holds.\n",  # new tokens
                 text + "\nA word no other text holds.\n",  # one of them gone again
                 text + "\n" + "Water water water water water water.\n" * 3,  # a weight raised
                 text):  # back as it was
        edited = with_body(graph, dataclasses.replace(article, body=Md(edit, article.body.location)))
        assert edited is not None
        drawn, unchanged = search.files(edited, pieces, {path: "" for path in output})
        fresh, none = search.files(edited)
        assert none == set() and unchanged <= output.keys() and not unchanged & drawn.keys()
        output = {**{path: output[path] for path in unchanged}, **drawn}
        assert output == fresh
        assert len(unchanged) >= len(fresh) // 2, (len(unchanged), len(fresh))
    missing = min(unchanged)  # a file the output lost since: drawn again, the others kept
    drawn, kept = search.files(edited, pieces, {path: "" for path in output if path != missing})
    assert missing in drawn and drawn[missing] == fresh[missing] and kept == output.keys() - {missing, search.META}


def test_search_results_kept_for_equal_items_hold_the_new_objects(tmp_path: Path) -> None:
    """A build that read the files again has equal items in new objects: the results drawn from the old
    ones are kept, but with the new inputs, so that the next build finds them by identity, not by
    comparing every item field by field (at 10,000 articles that was 0.9 s of every edit)."""
    from generator.build.builder import Builder
    from generator.pages import search
    first = Builder(SITES / "full", tmp_path / "out")._plan().graph
    second = Builder(SITES / "full", tmp_path / "out")._plan().graph
    pieces = search.Pieces()
    search.documents(first, pieces)
    kept = dict(pieces.docs)
    assert search.documents(second, pieces) == {}  # nothing drawn again
    assert all(pieces.docs[i][1] is kept[i][1] for i in kept)
    assert all(pieces.docs[i][0][0] is second.items[i] for i in pieces.docs)
