"""A build's stage timings (generator/base/timings.py): written only when BRIEFING_STAGES asks, with every
stage and page kind, plausible numbers, and the same output as a build without them."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import SITES, run_cli
from test_build import files_of

from generator.base import timings

TOP = ("stamps: inputs", "imports", "cache load", "load", "validate", "resolve", "plan: templates",
       "plan: static files", "plan: pages", "plan: links", "changes", "render",
       "write: commit", "cache free", "cache save: records", "cache save: stamps")
"""The stages of a build from the command line, outside one another."""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the full test site whose pages render four to a chunk on two processes, so that a helper
    draws some of them even on a site this small."""
    root = tmp_path / "site"
    shutil.copytree(SITES / "full", root)
    monkeypatch.setattr("generator.base.processes.ALONE", 1)
    monkeypatch.setattr("generator.build.workers.CHUNK", 4)
    return root


def build(root: Path, out: Path, monkeypatch: pytest.MonkeyPatch, stages: Path | None) -> tuple[str, str]:
    if stages is None:
        monkeypatch.delenv(timings.ENV, raising=False)
    else:
        monkeypatch.setenv(timings.ENV, str(stages))
    run = run_cli("build", str(root), "-o", str(out), "--jobs", "2")
    assert run.code == 0, run.err
    return run.out, run.err


def pages_built(stdout: str) -> tuple[int, int]:
    """(pages, rendered) from the summary line."""
    words = stdout.split()
    return int(words[words.index("built") + 1]), int(words[words.index("rendered,") - 1])


def check(report: dict[str, Any], rendered: int) -> dict[str, dict[str, Any]]:
    """Every stage present once, non-negative and inside the build's wall time; the page kinds add up to
    the pages rendered and to most of the render stage's CPU. The stages by name."""
    stages = {s["name"]: s for s in report["stages"]}
    assert len(stages) == len(report["stages"])
    assert set(TOP) <= stages.keys()
    assert all(stages[name]["within"] == "render" for name in ("whole-site: search index", "write: static files",
                                                               "cache save: graph"))
    assert all(stages[name]["within"] is None for name in TOP)
    for s in stages.values():
        assert min(s["wall"], s["cpu"], s["helpers_cpu"]) >= 0, s
        assert s["wall"] <= report["wall"], s
    assert sum(stages[name]["wall"] for name in TOP) <= report["wall"]
    kinds = report["kinds"]
    assert sum(k["pages"] for k in kinds.values()) == rendered
    assert all(min(k["cpu"], k["staging_cpu"], k["recording_cpu"]) >= 0 for k in kinds.values())
    render = stages["render"]
    render_cpu = render["cpu"] + render["helpers_cpu"] - sum(s["cpu"] for s in stages.values() if s["within"] == "render")
    drawn = sum(k["cpu"] + k["staging_cpu"] + k["recording_cpu"] for k in kinds.values())
    # The rest is forking, the queues and this process taking the results. How large a share that is
    # depends on the machine and its load (on a small site it can be most of it): only the bounds that
    # hold by construction are asserted.
    assert 0 < drawn <= render_cpu * 1.02 + 0.005, (drawn, render_cpu)
    return stages


def test_build_writes_every_stage_and_page_kind_when_asked(site: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "stages.json"
    out, _ = build(site, tmp_path / "out", monkeypatch, path)
    pages, rendered = pages_built(out)
    assert rendered == pages
    report = json.loads(path.read_text(encoding="utf-8"))
    assert report["format"] == timings.FORMAT and report["jobs"] == 2
    assert report["began"] <= time.time() - report["wall"] + 0.5
    stages = check(report, rendered)
    assert stages["render"]["helpers_cpu"] > 0  # a helper drew pages, and its time came back
    for kind in ("article.html", "actor.html", "topic.html", "list.html"):
        assert report["kinds"][kind]["pages"] >= 1, kind
        assert report["kinds"][kind]["cpu"] > 0, kind
    assert stages["resolve"]["wall"] > 0 and stages["render"]["wall"] > 0
    assert not timings.on


def test_one_edit_shows_the_cache_and_the_pages_it_drew(site: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    build(site, tmp_path / "out", monkeypatch, None)
    article = site / "content/articles/what-the-gauges-show.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nA sentence added.\n", encoding="utf-8")
    path = tmp_path / "stages.json"
    out, _ = build(site, tmp_path / "out", monkeypatch, path)
    pages, rendered = pages_built(out)
    assert 0 < rendered < pages
    report = json.loads(path.read_text(encoding="utf-8"))
    stages = check(report, rendered)
    assert stages["cache load"]["wall"] > 0
    assert report["kinds"]["article.html"]["pages"] == 1


def test_without_the_variable_nothing_is_written_or_printed(site: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    plain_out, plain_err = build(site, tmp_path / "plain", monkeypatch, None)
    assert not timings.on and timings.stage("load") is timings.stage("render")  # one shared null context
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain", "site"]
    timed_out, timed_err = build(site, tmp_path / "timed", monkeypatch, tmp_path / "stages.json")
    assert (tmp_path / "stages.json").is_file()
    assert plain_err == timed_err  # the site's own warnings, nothing more
    assert plain_out.replace("plain", "timed").rsplit(";", 1)[0] == timed_out.rsplit(";", 1)[0]
    assert files_of(tmp_path / "plain") == files_of(tmp_path / "timed")
