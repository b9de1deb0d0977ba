"""Stage 1: files on disk -> raw records."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

from conftest import MakeSite

from generator.base.processes import ALONE
from generator.build.builder import check
from generator.content.load import load
from generator.content.validate import entry_of


def ids(root: Path) -> list[str]:
    graph = check(root).graph
    assert graph is not None, check(root).problems
    return sorted(graph.items)


def test_load_reads_both_yaml_forms_and_nested_folders(make_site: MakeSite) -> None:
    root = make_site({
        "content/actors/people/europe/anna.yaml": "name: Anna\nkind: person\n",
        "content/actors/states.yml": "- {id: norway, name: Norway, kind: state}\n- {id: chile, name: Chile, kind: state}\n",
        "content/actors/explicit.yaml": "id: the-real-id\nname: Someone\nkind: person\n",
    })
    assert ids(root) == ["anna", "chile", "norway", "the-real-id"]


def test_load_ignores_hidden_files_and_editor_leftovers(make_site: MakeSite) -> None:
    root = make_site({
        "content/actors/anna.yaml": "name: Anna\nkind: person\n",
        "content/actors/.anna.yaml.swp": "x: [",
        "content/actors/anna.yaml~": "x: [",
        "content/actors/#anna.yaml#": "x: [",
        "content/actors/.hidden/bad.yaml": "x: [",
    })
    assert check(root).problems == ()
    assert ids(root) == ["anna"]


def test_load_accepts_bom_and_crlf_and_normalises_to_nfc(make_site: MakeSite) -> None:
    decomposed = unicodedata.normalize("NFD", "Zoë")
    root = make_site({})
    (root / "content/actors").mkdir(parents=True)
    (root / "content/actors/zoe.yaml").write_bytes(
        b"\xef\xbb\xbf" + f"name: {decomposed}\r\nkind: person\r\n".encode())
    (root / "content/articles").mkdir()
    (root / "content/articles/a.md").write_bytes("---\r\ntitle: A\r\ndate: 2023-09-13\r\n---\r\nZoë spoke.\r\n".encode())
    graph = check(root).graph
    assert graph is not None
    assert graph.items["zoe"].display == "Zoë"  # type: ignore[union-attr]
    assert graph.mentions["a"] == ("zoe",)


def test_load_follows_symlink_inside_site(make_site: MakeSite) -> None:
    root = make_site({"shared/anna.yaml": "name: Anna\nkind: person\n"})
    (root / "content/actors").mkdir(parents=True)
    os.symlink("../../shared/anna.yaml", root / "content/actors/anna.yaml")
    assert ids(root) == ["anna"]


def test_load_keeps_article_body_lines_for_positions(make_site: MakeSite) -> None:
    root = make_site({"content/articles/a.md": "---\ntitle: A\ndate: 2023-09-13\n---\nBody.\n"})
    record = load(root, lambda r: r).records[0]
    assert record.body is not None
    assert (record.body.location.line, record.body.text) == (5, "Body.\n")


def test_load_reports_every_bad_file_not_just_the_first(make_site: MakeSite) -> None:
    root = make_site({
        "content/actors/a.yaml": "name: [A\n",
        "content/actors/b.yaml": "",
        "content/topics/c.yaml": "title: C\nbogus: 1\n",
    })
    paths = [p.location.path for p in check(root).problems]
    assert paths == ["content/actors/a.yaml", "content/actors/b.yaml", "content/topics/c.yaml"]


def test_load_on_several_processes_finds_the_same_as_on_one(make_site: MakeSite) -> None:
    """Past ALONE files, files are read and parsed by forked helpers too: the same records and problems,
    in the same order, bad files included."""
    files = {f"content/actors/a{n:03d}.yaml": f"name: Actor {n}\nkind: person\nrole: Envoy {n}\n" for n in range(ALONE)}
    files |= {f"content/articles/story-{n}.md": f"---\ntitle: Story {n}\ndate: 2023-09-{n % 28 + 1:02d}\n---\n"
              f"Actor {n} spoke.\n" for n in range(60)}
    files |= {"content/actors/broken.yaml": "name: [unclosed\n", "content/actors/no-kind.yaml": "name: Nobody\n"}
    root = make_site(files)
    (root / "content/actors/latin1.yaml").write_bytes("name: Jos\xe9\nkind: person\n".encode("latin-1"))
    one, two = load(root, entry_of, {}, 1), load(root, entry_of, {}, 2)
    assert len(one.records) == ALONE + 60 + 1
    assert one.records == two.records
    assert one.problems == two.problems and len(one.problems) >= 2
    assert one.unreadable == two.unreadable and "broken" in one.unreadable
