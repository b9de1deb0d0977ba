"""Bad content of every shape gets problems, never a traceback."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml
from conftest import MakeSite, run_cli

from generator.build.builder import check
from generator.content.validate import SPECS

ODD_VALUES = ["~", "1", "[1, [2]]", "{a: 1}", "''", "'x'", "2023-13-45", "true", "[{to: x}]",
              "[[[[[]]]]]", "'[[nope]]'", "!!binary aGk=", "&a [*a]"]
REQUIRED = {"articles": {"title": "T", "date": "2023-09-13"}, "actors": {"name": "N", "kind": "person"},
            "topics": {"title": "T"}, "views": {"expert": "p", "title": "T", "summary": "S"},
            "quotes": {"speaker": "p", "text": "T"}, "events": {"title": "T", "date": "2023"},
            "sources": {"title": "T"}, "designations": {"actor": "p", "by": "s", "date": "2023"}}


def _site_with(collection: str, key: str, value: str) -> dict[str, str]:
    fields = {**REQUIRED[collection]}
    lines = [f"{k}: {v}" for k, v in fields.items() if k != key] + [f"{key}: {value}"]
    files = {"content/actors/p.yaml": "name: P\nkind: person\n", "content/actors/s.yaml": "name: S\nkind: state\n"}
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
            result = check(root)  # in-process on purpose: an exception here fails the test
            for problem in result.problems:
                assert problem.location.path.startswith(("content/", "site.yaml")), problem


GOOD = {"site.yaml": "title: Test site\n",
        "content/articles/a.md": "---\ntitle: A\ndate: 2023-09-13\n---\nBody.\n",
        "content/actors/b.yaml": "name: B\nkind: person\n"}
"""A valid site; each hostile text replaces one of these files at a time, so that no mistake in another
file keeps the hostile one from every stage (pages are rendered only when nothing else is wrong)."""

PROBLEM = re.compile(r"(?P<path>[^:\s][^:]*?)(?::\d+:\d+)?: (?P<severity>error|warning): \S.*")
SUMMARY = {"check": re.compile(r"check failed: (\d+) errors?, (\d+) warnings?"),
           "build": re.compile(r"build failed: (\d+) errors?, (\d+) warnings?; the output was not changed")}


def _write(root: Path, files: Mapping[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "generator", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace")


def _faults(command: str, proc: subprocess.Popen[str], files: set[str]) -> list[str]:
    """What is wrong with a finished run: an exit status other than 0 or 1 (a crash), a traceback, or any
    stderr line that is neither a problem in one of the site's files nor the summary matching them."""
    _, err = proc.communicate(timeout=120)
    faults = []
    if proc.returncode not in (0, 1):
        faults.append(f"exit status {proc.returncode}")
    if "Traceback" in err:
        faults.append("a traceback")
    lines = err.splitlines()
    summary = SUMMARY[command].fullmatch(lines[-1]) if proc.returncode == 1 and lines else None
    if summary:
        lines.pop()
    elif proc.returncode == 1:
        faults.append("exit 1 without the summary line last")
    problems = [(line, PROBLEM.fullmatch(line)) for line in lines]
    faults += [f"not a problem line: {line[:200]!r}" for line, m in problems if m is None or m["path"] not in files]
    severities = [m["severity"] for _, m in problems if m]
    if summary and (severities.count("error"), severities.count("warning")) != tuple(map(int, summary.groups())):
        faults.append(f"the summary does not count the {len(severities)} problem lines")
    if summary and "error" not in severities:
        faults.append("exit 1 without an error")
    if not faults:
        return []
    return [f"{command}: {fault}" for fault in faults[:5]] + [f"stderr of that {command} ends:\n{err[-1500:]}"]


@pytest.mark.parametrize("text", [
    pytest.param("\x00\x01binary", id="nul-bytes"),
    pytest.param("---", id="lone-dashes"),
    pytest.param("---\n---\n", id="empty-front-matter"),
    pytest.param("---\n- a\n---\n", id="list-front-matter"),
    pytest.param("---\ntitle: [\n---\n", id="unclosed-flow-list"),
    pytest.param("\ufeff---\r\ntitle: A\r\n", id="bom-crlf"),
    pytest.param("key: value\n" * 5000, id="5000-duplicate-keys"),
    pytest.param("[" * 5000, id="5000-open-brackets"),
    pytest.param("a: " + "[" * 5000 + "]" * 5000, id="5000-nested-lists"),
    pytest.param("- " * 3000 + "x", id="3000-nested-dashes"),
    pytest.param("---\ntitle: A\ndate: 2023-09-13\n---\n" + "[[" * 3000, id="3000-wikilink-openers"),
    pytest.param("---\ntitle: A\ndate: 2023-09-13\n---\n" + "> " * 3000 + "x", id="3000-nested-quotes"),
])
def test_hostile_files_give_problems_not_tracebacks(tmp_path: Path, text: str) -> None:
    """`briefing check` in a real process, with the text as site.yaml, as an article and as an actor:
    an uncaught exception would print a traceback and leave unexplained lines in stderr, and a crash
    of the interpreter would exit with another status. Where check passes, `build` (which goes on
    to write) must pass the same way."""
    sites = {rel: _write(tmp_path / rel.replace("/", "-"), {**GOOD, rel: text}) for rel in GOOD}
    checks = {rel: _start("check", str(root)) for rel, root in sites.items()}
    faults = [f"{rel} {fault}" for rel, proc in checks.items() for fault in _faults("check", proc, set(GOOD))]
    builds = {rel: _start("build", str(sites[rel]), "-o", str(tmp_path / "out" / rel))
              for rel, proc in checks.items() if proc.returncode == 0}
    faults += [f"{rel} {fault}" for rel, proc in builds.items() for fault in _faults("build", proc, set(GOOD))]
    assert not faults, "\n".join(faults)


def test_yaml_is_loaded_safely(make_site: MakeSite, tmp_path) -> None:  # type: ignore[no-untyped-def]
    marker = tmp_path / "pwned"
    evil = f"name: !!python/object/apply:os.system ['touch {marker}']\nkind: person\n"
    root = make_site({"content/actors/x.yaml": evil})
    assert run_cli("check", str(root)).code == 1
    assert not marker.exists()
    with pytest.raises(yaml.YAMLError):  # the same text is dangerous only to an unsafe loader
        yaml.safe_load(evil)


def test_very_long_names_and_long_chains_of_prefixes_are_no_traceback(make_site: MakeSite) -> None:
    """A 600-character alias was a RecursionError in the mention matcher; 400 aliases each a prefix of the
    next, one in the regex compiler."""
    long_alias = " ".join(f"Word{n}" for n in range(100))
    chain = ", ".join(f"'{'A' * n}'" for n in range(1, 400))
    site = make_site({"content/actors/a.yaml": f"name: Ann\nkind: person\naliases: ['{long_alias}']\n",
                      "content/actors/b.yaml": f"name: Bob\nkind: person\naliases: [{chain}]\n",
                      "content/articles/x.md": "---\ntitle: X\ndate: 2023-01-02\n---\nAnn met AAAA and [[Bob]].\n"})
    run = run_cli("build", str(site), "--quiet")
    assert run.code == 0, run.err
    assert "Traceback" not in run.err
