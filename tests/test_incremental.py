"""Incremental rebuilds: only what a change can affect is rendered, and the output is the same,
byte for byte, as a build from scratch — checked over random sequences of edits."""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SITES
from test_build import tree

from generator.build import Builder, build
from generator.errors import SiteError

Edit = Callable[[Path, random.Random], None]


def append_to_article(site: Path, rng: random.Random) -> None:
    article = rng.choice(sorted((site / "content/articles").glob("*.md")))
    name = rng.choice(["Mira Dolen", "Karovia", "Thessaria", "Dr Lind", "Lake Varna fisheries", "the Courier"])
    with article.open("a", encoding="utf-8") as f:
        f.write(f"\nA new paragraph about {name} ({rng.randint(0, 999)}).\n")


def retitle_actor(site: Path, rng: random.Random) -> None:
    path = site / "content/actors/people/petra-lind.yaml"
    role = rng.choice(["Hydrologist", "Senior hydrologist", "Professor of hydrology"])
    text = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(f"role: {role}" if line.startswith("role:") else line for line in text) + "\n")


def add_actor(site: Path, rng: random.Random) -> None:
    n = rng.randint(0, 9999)
    alias = rng.choice(["Port Selin", "Sel weir", "the delegations"])
    (site / f"content/actors/new-{n}.yaml").write_text(
        f"name: New Actor {n}\nkind: organization\naliases: [{alias}]\naffiliations: [karovia]\n")


def remove_added_actor(site: Path, rng: random.Random) -> None:
    added = sorted((site / "content/actors").glob("new-*.yaml"))
    if added:
        rng.choice(added).unlink()


def move_event(site: Path, rng: random.Random) -> None:
    path = site / "content/events/2023/talks.yaml"
    day = rng.randint(1, 28)
    text = path.read_text(encoding="utf-8").replace("date: 2023-07-03", f"date: 2023-07-{day:02d}", 1)
    text = "\n".join(f"  date: 2023-07-{day:02d}" if line.startswith("  date: 2023-07-") else line
                     for line in text.splitlines()) + "\n"
    path.write_text(text)


def override_template(site: Path, rng: random.Random) -> None:
    (site / "templates").mkdir(exist_ok=True)
    word = rng.choice(["Profile", "Who", "Actor"])
    (site / "templates/actor.html").write_text(
        "{% extends 'base.html' %}{% block main %}<h1>" + word + ": {{ title }}</h1>{% endblock %}\n")


def drop_template(site: Path, rng: random.Random) -> None:
    shutil.rmtree(site / "templates", ignore_errors=True)


def toggle_mentions(site: Path, rng: random.Random) -> None:
    path = site / "site.yaml"
    text = path.read_text(encoding="utf-8").splitlines()
    mode = rng.choice(["first", "all", "none"])
    path.write_text("\n".join(f"mentions: {mode}" if line.startswith("mentions:") else line for line in text) + "\n")


def touch_static(site: Path, rng: random.Random) -> None:
    target = site / f"static/notes-{rng.randint(0, 3)}.txt"
    if target.exists() and rng.random() < 0.5:
        target.unlink()
    else:
        target.write_text(f"note {rng.randint(0, 99)}\n")


def add_relation(site: Path, rng: random.Random) -> None:
    path = site / "content/actors/varna-basin-commission.yaml"
    kind = rng.choice(["monitors", "reports-to", "funds"])
    with path.open("a", encoding="utf-8") as f:
        f.write(f"# {kind}\n")
    text = path.read_text(encoding="utf-8")
    if "relations:" not in text:
        text += f"relations:\n  - {{to: thessaria, type: {kind}}}\n"
    else:
        text = text.replace("relations:\n", f"relations:\n  - {{to: thessaria, type: {kind}}}\n", 1)
    path.write_text(text)


EDITS: list[Edit] = [append_to_article, retitle_actor, add_actor, remove_added_actor, move_event,
                     override_template, drop_template, toggle_mentions, touch_static, add_relation]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_rebuilds_equal_full_builds_over_random_edits(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site)
    builder = Builder(site, tmp_path / "incremental")
    first = builder.run()
    partial = 0
    for step in range(14):
        edit = rng.choice(EDITS)
        edit(site, rng)
        result = builder.run()
        fresh = tmp_path / f"fresh-{step}"
        build(site, fresh)
        assert tree(tmp_path / "incremental") == tree(fresh), f"step {step}: {edit.__name__}"
        shutil.rmtree(fresh)
        partial += result.rendered < first.pages
    assert partial > 0  # some edits re-rendered only part of the site


def test_article_edit_rerenders_only_pages_that_show_it(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site)
    builder = Builder(site, tmp_path / "out")
    total = builder.run().pages
    body = site / "content/articles/what-the-gauges-show.md"
    body.write_text(body.read_text(encoding="utf-8").replace("provisional", "preliminary"), encoding="utf-8")
    result = builder.run()
    assert 0 < result.rendered < total
    assert "preliminary" in (tmp_path / "out/articles/what-the-gauges-show/index.html").read_text()
    assert result.written.changed >= 1


def test_template_change_rerenders_only_pages_that_use_it(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site)
    builder = Builder(site, tmp_path / "out")
    builder.run()
    (site / "templates").mkdir()
    (site / "templates/topic.html").write_text("{% extends 'base.html' %}{% block main %}T{% endblock %}\n")
    result = builder.run()
    assert result.rendered == len(list((tmp_path / "out/topics").glob("*/index.html")))


def test_failed_rebuild_keeps_output_and_recovers(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site)
    builder = Builder(site, tmp_path / "out")
    builder.run()
    before = tree(tmp_path / "out")
    actor = site / "content/actors/people/petra-lind.yaml"
    good = actor.read_text(encoding="utf-8")
    actor.write_text(good.replace("kind: person", "kind: [person"))
    with pytest.raises(SiteError):
        builder.run()
    assert tree(tmp_path / "out") == before
    actor.write_text(good.replace("Hydrologist", "Chief hydrologist"))
    builder.run()
    build(site, tmp_path / "fresh")
    assert tree(tmp_path / "out") == tree(tmp_path / "fresh")
