"""Bad content of every shape gets problems, never a traceback."""

from __future__ import annotations

import pytest
import yaml
from conftest import MakeSite, run_cli

from generator.build import check
from generator.validate import SPECS

ODD_VALUES = ["~", "1", "[1, [2]]", "{a: 1}", "''", "'x'", "2023-13-45", "true", "[{to: x}]",
              "[[[[[]]]]]", "'[[nope]]'", "!!binary aGk=", "&a [*a]"]
REQUIRED = {"articles": {"title": "T", "date": "2023-09-13"}, "actors": {"name": "N", "kind": "person"},
            "topics": {"title": "T"}, "views": {"expert": "p", "title": "T", "summary": "S"},
            "quotes": {"speaker": "p", "text": "T"}, "events": {"title": "T", "date": "2023"},
            "sources": {"title": "T"}}


def _site_with(collection: str, key: str, value: str) -> dict[str, str]:
    fields = {**REQUIRED[collection]}
    lines = [f"{k}: {v}" for k, v in fields.items() if k != key] + [f"{key}: {value}"]
    files = {"content/actors/p.yaml": "name: P\nkind: person\n"}
    if collection == "articles":
        files["content/articles/a.md"] = "---\n" + "\n".join(lines) + "\n---\nBody.\n"
    else:
        files[f"content/{collection}/x.yaml"] = "\n".join(lines) + "\n"
    return files


@pytest.mark.parametrize("collection", sorted(SPECS))
def test_every_field_survives_every_odd_value(make_site: MakeSite, collection: str) -> None:
    for key in SPECS[collection][1]:
        for value in ODD_VALUES:
            root = make_site(_site_with(collection, key, value))
            result = check(root)  # must not raise
            for problem in result.problems:
                assert problem.location.path.startswith(("content/", "site.yaml")), problem


@pytest.mark.parametrize("text", [
    "\x00\x01binary", "---", "---\n---\n", "---\n- a\n---\n", "---\ntitle: [\n---\n", "\ufeff---\r\ntitle: A\r\n",
    "key: value\n" * 5000, "[" * 5000, "a: " + "[" * 5000 + "]" * 5000, "- " * 3000 + "x",
    "---\ntitle: A\ndate: 2023-09-13\n---\n" + "[[" * 3000, "---\ntitle: A\ndate: 2023-09-13\n---\n" + "> " * 3000 + "x",
])
def test_hostile_files_give_problems_not_tracebacks(make_site: MakeSite, text: str) -> None:
    root = make_site({"content/articles/a.md": text, "content/actors/b.yaml": text, "site.yaml": text})
    run = run_cli("check", str(root))
    assert run.code in (0, 1)
    assert "Traceback" not in run.err


def test_yaml_is_loaded_safely(make_site: MakeSite, tmp_path) -> None:  # type: ignore[no-untyped-def]
    marker = tmp_path / "pwned"
    evil = f"name: !!python/object/apply:os.system ['touch {marker}']\nkind: person\n"
    root = make_site({"content/actors/x.yaml": evil})
    assert run_cli("check", str(root)).code == 1
    assert not marker.exists()
    with pytest.raises(yaml.YAMLError):  # the same text is dangerous only to an unsafe loader
        yaml.safe_load(evil)
