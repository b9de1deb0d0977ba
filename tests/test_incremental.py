"""Incremental rebuilds: only what a change can affect is rendered, and the output is the same,
byte for byte, as a build from scratch — checked over random sequences of edits."""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import SITES
from test_build import tree

from generator.base.errors import SiteError
from generator.build.builder import Builder, build
from generator.build.builder import check as check_site
from generator.build.cache import kept
from generator.build.incremental import _reading
from generator.build.reads import ALL, PageRecord, head, render_recorded
from generator.build.stamp import THEME

Edit = Callable[[Path, random.Random], None]


def append_to_article(site: Path, rng: random.Random) -> None:
    article = rng.choice(sorted((site / "content/articles").glob("*.md")))
    name = rng.choice(["Mira Dolen", "Karovia", "Thessaria", "Dr Lind", "Lake Varna fisheries", "the Courier"])
    with article.open("a", encoding="utf-8") as f:
        f.write(f"\nA new paragraph about {name} ({rng.randint(0, 999)}).\n")


def add_plain_sentence(site: Path, rng: random.Random) -> None:
    """An edit to one article's body alone, with no new name in it: the build takes it from the last
    build's graph (incremental.edited_body), unless the article was a draft or had a warning."""
    article = rng.choice(sorted((site / "content/articles").glob("*.md")))
    with article.open("a", encoding="utf-8") as f:
        f.write(f"\n\nA calm sentence, number {rng.randint(0, 999)}.\n")


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


UNREFERENCED = {
    "events": "title: Unreferenced event {n}\ndate: 20{y:02d}\n",
    "sources": "title: Unreferenced source {n}\npublisher: Nobody\n",
    "quotes": "speaker: petra-lind\ntext: Words {n} that nothing cites.\n",
    "views": "expert: petra-lind\ntitle: View {n}\nsummary: A view nothing points at.\n",
    "topics": "title: Unreferenced topic {n}\n",
    "articles": "---\ntitle: Unreferenced article {n}\ndate: 2023-08-{d:02d}\ndraft: {draft}\n---\nText {n}.\n",
    "actors": "name: Unreferenced actor {n}\nkind: media\n",
}


def add_unreferenced(site: Path, rng: random.Random) -> None:
    """An item of any collection that nothing references (it still shows in lists and the timeline)."""
    collection = rng.choice(sorted(UNREFERENCED))
    n = rng.randint(0, 999)
    text = UNREFERENCED[collection].format(n=n, y=rng.randint(0, 30), d=rng.randint(1, 28),
                                           draft=rng.choice(["true", "false"]))
    suffix = ".md" if collection == "articles" else ".yaml"
    (site / "content" / collection).mkdir(exist_ok=True)
    (site / "content" / collection / f"unref-{n}{suffix}").write_text(text, encoding="utf-8")


def remove_unreferenced(site: Path, rng: random.Random) -> None:
    added = sorted((site / "content").rglob("unref-*"))
    if added:
        rng.choice(added).unlink()


def toggle_draft(site: Path, rng: random.Random) -> None:
    path = site / "content/articles/protocol-draft.md"
    text = path.read_text(encoding="utf-8")
    flip = ("draft: true", "draft: false") if "draft: true" in text else ("draft: false", "draft: true")
    path.write_text(text.replace(*flip, 1), encoding="utf-8")


def edit_site_yaml(site: Path, rng: random.Random) -> None:
    path = site / "site.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    key, value = rng.choice([("author", "Lake Varna desk"), ("author", "The water desk"), ("language", "en-GB"),
                             ("language", "en"), ("pretty_urls", "false"), ("pretty_urls", "true"),
                             ("base_url", "https://example.org/other/")])
    path.write_text("\n".join(f"{key}: {value}" if line.startswith(f"{key}:") else line for line in lines) + "\n",
                    encoding="utf-8")


def override_base_template(site: Path, rng: random.Random) -> None:
    """A change to a template every page extends, but that no page names itself."""
    (site / "templates").mkdir(exist_ok=True)
    note = rng.choice(["Draft briefing", "For review", ""])
    (site / "templates/base.html").write_text(
        (THEME / "base.html").read_text(encoding="utf-8").replace("</footer>", f"<p>{note}</p></footer>", 1))


def touch_dotfile(site: Path, rng: random.Random) -> None:
    target = site / "static/.nojekyll"
    if target.exists() and rng.random() < 0.5:
        target.unlink()
    else:
        target.write_text(rng.choice(["", "x\n"]))


def rewrite_static(site: Path, rng: random.Random) -> None:
    """The same file with other bytes: only its content says it changed."""
    (site / "static/robots.txt").write_text(f"User-agent: *\nDisallow: /drafts-{rng.randint(0, 999)}/\n")


def retitle_source(site: Path, rng: random.Random) -> None:
    path = site / "content/sources/bibliography.yaml"
    text = path.read_text(encoding="utf-8")
    word = rng.choice(["Report", "Account", "Dispatch"])
    path.write_text(re.sub(r"(title: [^\n]*?)(?: \((?:Report|Account|Dispatch)\))?\n",
                           rf"\1 ({word})\n", text, count=1), encoding="utf-8")


def add_designation(site: Path, rng: random.Random) -> None:
    """A designation (the first brings the sanctions page, and its place in every page's menu)."""
    n = rng.randint(0, 99)
    actor = rng.choice(["mira-dolen", "petra-lind", "lakeside-courier", "karovia"])
    by = rng.choice(["thessaria", "varna-basin-commission"])
    until = rng.choice(["", "until: 2024-02\n", "until: 2031-01-01\n"])
    designate(site, f"designated-{n}", actor, by, f"2023-{rng.randint(1, 9):02d}-{rng.randint(10, 28)}",
              f"program: P{n}\n{until}")


def remove_designation(site: Path, rng: random.Random) -> None:
    added = sorted((site / "content/designations").glob("designated-*.yaml"))
    if added:
        rng.choice(added).unlink()


def designate(site: Path, name: str, actor: str, by: str, date: str, more: str = "") -> None:
    (site / "content/designations").mkdir(exist_ok=True)
    (site / f"content/designations/{name}.yaml").write_text(f"actor: {actor}\nby: {by}\ndate: {date}\n{more}",
                                                             encoding="utf-8")


def edit_listing(site: Path, rng: random.Random) -> None:
    """A designation's day, end or programme changes, or a listing is added or taken away."""
    path = site / "content/designations/weir-listings.yaml"
    text = path.read_text(encoding="utf-8")
    extra = site / "content/designations/added.yaml"
    choice = rng.choice(["day", "until", "program", "add", "remove"])
    if choice == "day":
        text = re.sub(r"date: 2023-02-\d\d", f"date: 2023-02-{rng.randint(10, 28)}", text)
    elif choice == "until":
        text = re.sub(r"until: \d{4}", f"until: {rng.choice([2023, 2031])}", text)
    elif choice == "program":
        text = text.replace("program: WEIR-1", f"program: WEIR-{rng.randint(1, 3)}", 1)
    elif choice == "add":
        extra.write_text(f"- {{id: listed-{rng.randint(0, 9)}, actor: petra-lind, by: thessaria, date: 2021}}\n",
                         encoding="utf-8")
    elif extra.exists():
        extra.unlink()
    path.write_text(text, encoding="utf-8")


def edit_account(site: Path, rng: random.Random) -> None:
    """What one source says of the first round (an event's accounts, shown wherever the event is)."""
    path = site / "content/events/2023/talks.yaml"
    days = rng.choice(["three", "four", "two"])
    path.write_text(re.sub(r"all \*\*\w+ days\*\*", f"all **{days} days**", path.read_text(encoding="utf-8")),
                    encoding="utf-8")


EXTRAS = ["{n: 1}", "{n: 1.0}", "{n: true}", "{n: '1'}", "{n: 0}", "{n: false}", "{n: 0.0}", "{n: -0.0}",
          "{n: 1, m: [1, 2]}", "{m: [1, 2], n: 1}", "{m: [1.0, 2], n: 1}", "{n: null}", "{n: ''}", "{n: []}"]
"""`extra:` values that Python's == takes for one another (1, 1.0, True; 0, False, 0.0, -0.0; key order),
but that a page or an export writes differently."""


def set_extra(site: Path, rng: random.Random, value: str | None = None) -> None:
    path = rng.choice([site / "content/actors/people/petra-lind.yaml", site / "content/sources/bibliography.yaml"])
    value = value or rng.choice(EXTRAS)
    if path.name == "petra-lind.yaml":
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("extra:")]
        path.write_text("\n".join([*lines, f"extra: {value}"]) + "\n", encoding="utf-8")
    else:  # the first source of a list of them
        text = re.sub(r"\n  extra: [^\n]*", "", path.read_text(encoding="utf-8"))
        path.write_text(re.sub(r"\n(  [a-z_]+: )", rf"\n  extra: {value}\n\1", text, count=1), encoding="utf-8")


EDITS: list[Edit] = [add_plain_sentence, add_plain_sentence,
                     set_extra, set_extra, set_extra, append_to_article, retitle_actor, add_actor, remove_added_actor, move_event,
                     override_template, drop_template, toggle_mentions, touch_static, add_relation,
                     add_unreferenced, add_unreferenced, remove_unreferenced, toggle_draft, edit_site_yaml,
                     override_base_template, touch_dotfile, retitle_source, rewrite_static, edit_listing,
                     add_designation, remove_designation, edit_account]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_rebuilds_equal_full_builds_over_random_edits(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site)
    builder = Builder(site, tmp_path / "incremental")
    first = builder.run()
    partial = 0
    for step in range(16):
        edit = rng.choice(EDITS)
        edit(site, rng)
        result = builder.run()
        fresh = tmp_path / f"fresh-{step}"
        build(site, fresh)
        assert tree(tmp_path / "incremental") == tree(fresh), f"step {step}: {edit.__name__}"
        shutil.rmtree(fresh)
        partial += result.rendered < first.pages
    assert partial > 0  # some edits re-rendered only part of the site


def saved_a_moment_ago(site: Path) -> None:
    """Files changed just now, as if saved a second before the build: their stamps are kept, as on a desk
    where a build follows an edit by more than a tenth of a second (so an edit to one article's body alone
    is taken from the last build's graph)."""
    moment = time.time() - 1
    for path in [site, *site.rglob("*")]:
        if path.lstat().st_mtime > moment:
            os.utime(path, (moment, moment), follow_symlinks=False)


SUMMARY_RE = re.compile(r"built (\d+) pages into .*: (\d+) rendered, (\d+) reused")


@pytest.mark.parametrize("seed", [4, 5])
def test_command_line_rebuilds_from_the_build_cache_equal_full_builds(tmp_path: Path, seed: int) -> None:
    """The same random edits, each build a new `briefing build` process (another hash seed each time)
    that starts from the state the last one left under the site."""
    rng = random.Random(seed)
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site)
    out = tmp_path / "incremental"
    partial = 0
    for step in range(12):
        if step:
            edit = rng.choice(EDITS)
            edit(site, rng)
        saved_a_moment_ago(site)
        env = {**os.environ, "PYTHONHASHSEED": str(rng.randint(0, 2**32 - 1))}
        run = subprocess.run([sys.executable, "-m", "generator", "build", str(site), "-o", str(out)],
                             capture_output=True, text=True, env=env, check=False)
        assert run.returncode == 0, run.stderr
        found = SUMMARY_RE.search(run.stdout)
        assert found, run.stdout
        pages, rendered, reused = map(int, found.groups())
        assert rendered + reused == pages and (step or rendered == pages)
        partial += 0 < rendered < pages
        # the heads the state keeps for the next build's Changes cover every head of every page
        restored = kept(site, out, False)
        assert isinstance(restored, tuple) and restored[0].heads is not None
        assert all(h[0] == name for name, heads in restored[0].heads.items() for h in heads)  # by field
        assert set().union(*restored[0].heads.values()) >= {h for r in restored[0].pages.values() for h in r.heads}
        fresh = tmp_path / f"fresh-{step}"
        build(site, fresh)
        assert tree(out) == tree(fresh), f"step {step}"
        shutil.rmtree(fresh)
    assert partial > 0  # some builds re-rendered only part of the site


def test_extra_values_that_compare_equal_in_python_are_rebuilt(tmp_path: Path) -> None:
    """Every pair of typed YAML values that == confuses, one after the other: each build equals a clean one."""
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site)
    builder = Builder(site, tmp_path / "incremental")
    builder.run()
    for n, value in enumerate(EXTRAS):
        set_extra(site, random.Random(0), value)  # always the same file: the value alone changes
        result = builder.run()
        assert n == 0 or result.rendered > 0, value
        fresh = tmp_path / f"fresh-{n}"
        build(site, fresh)
        assert tree(tmp_path / "incremental") == tree(fresh), f"extra: {value}"
        shutil.rmtree(fresh)


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


SHOW_ROUND_ONE = ["timeline/index.html", "index.html", "actors/mira-dolen/index.html", "actors/karovia/index.html",
                  "actors/thessaria/index.html", "actors/varna-basin-commission/index.html",
                  "topics/water-sharing/index.html", "topics/dry-season-quotas/index.html",
                  "articles/round-one-opens/index.html"]
"""Every page that shows the first round of talks, and so its accounts: the timeline, the home page's latest
events, its actors' and topics' pages, the actor its account links, its article's side panel."""


def test_an_account_edit_redraws_every_page_that_shows_the_event(tmp_path: Path) -> None:
    """An event's accounts are in its card, drawn once per process for the pages of a folder depth: editing
    what an account says, or its source's grade, redraws each page that shows the event, and no other."""
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site)
    builder = Builder(site, tmp_path / "out", jobs=1)
    builder.run()

    def showing(words: str) -> list[str]:
        return [p for p in SHOW_ROUND_ONE if words in (tmp_path / "out" / p).read_text(encoding="utf-8")]
    assert showing("Talks ran for all <strong>three days</strong>") == SHOW_ROUND_ONE
    events = site / "content/events/2023/talks.yaml"
    events.write_text(events.read_text(encoding="utf-8").replace("three days", "four days"), encoding="utf-8")
    result = builder.run()
    assert showing("Talks ran for all <strong>four days</strong>") == SHOW_ROUND_ONE
    assert len(SHOW_ROUND_ONE) <= result.rendered < result.pages
    bibliography = site / "content/sources/bibliography.yaml"
    bibliography.write_text(bibliography.read_text(encoding="utf-8").replace("reliability: C", "reliability: D"),
                            encoding="utf-8")
    builder.run()
    assert showing('title="Reliability D: not usually reliable">D') == SHOW_ROUND_ONE
    build(site, tmp_path / "fresh")
    assert tree(tmp_path / "out") == tree(tmp_path / "fresh")


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


def test_unreferenced_event_reaches_the_timeline(tmp_path: Path) -> None:
    """The case that was stale: an event nothing points at changes only the timeline."""
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site)
    builder = Builder(site, tmp_path / "out")
    builder.run()
    (site / "content/events/lonely.yaml").write_text("title: A lonely event\ndate: 2023-08-01\n")
    result = builder.run()
    assert "A lonely event" in (tmp_path / "out/timeline/index.html").read_text(encoding="utf-8")
    assert 0 < result.rendered < result.pages


def test_a_long_lived_builder_keeps_what_it_parsed(tmp_path: Path) -> None:
    """The Markdown parse cache was never filled, so `serve` parsed every text again on every edit."""
    site = Path(shutil.copytree(SITES / "second", tmp_path / "site"))
    builder = Builder(site, tmp_path / "out")
    builder.run()
    parsed = dict(builder.caches.parses)
    assert parsed
    builder.run()
    assert builder.caches.parses == parsed


OPTIONAL_INCLUDES = ('{% extends "theme/topic.html" %}{% block main %}{{ super() }}'
                     '{% include "part.html" ignore missing %}{% include ["missing.html", "theme/macros.html"] %}'
                     '{% endblock %}')


def test_optional_includes_build_and_a_file_added_later_is_rendered(tmp_path: Path) -> None:
    """Jinja allows `ignore missing` and a list of names: check and build accept them alike, and adding the
    missing file re-renders the pages that include it, as a clean build would."""
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site)
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates/topic.html").write_text(OPTIONAL_INCLUDES, encoding="utf-8")
    assert not [p for p in check_site(site).problems if p.severity == "error"]
    builder = Builder(site, tmp_path / "incremental")
    builder.run()
    (site / "templates/part.html").write_text('<p class="part">Included later</p>\n', encoding="utf-8")
    result = builder.run()
    assert 0 < result.rendered < result.pages
    build(site, tmp_path / "fresh")
    assert tree(tmp_path / "incremental") == tree(tmp_path / "fresh")
    assert "Included later" in (tmp_path / "incremental/topics/water-sharing/index.html").read_text(encoding="utf-8")


def test_a_missing_include_is_one_error_in_check_and_build_alike(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site)
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates/topic.html").write_text(
        '{% extends "theme/topic.html" %}\n{% block main %}{% include "nope.html" %}{% endblock %}', encoding="utf-8")
    checked = [str(p) for p in check_site(site).problems if p.severity == "error"]
    with pytest.raises(SiteError) as failed:
        Builder(site, tmp_path / "out").run()
    built = [str(p) for p in failed.value.problems if p.severity == "error"]
    assert checked == built == [("templates/topic.html:2:1: error: template error: no template 'nope.html' in "
                                "templates/ or the theme")]


def test_a_part_many_pages_share_is_redrawn_on_every_page_that_shows_it(tmp_path: Path) -> None:
    """An article's feed entry is drawn once per process (Graph.remembered) and shown in the feed of each
    actor it names: renaming an actor its first paragraph links changes the entry in every such feed,
    the feeds drawn from the kept entry included."""
    site = tmp_path / "site"
    files = {"site.yaml": "title: T\nbase_url: https://example.org/t/\n",
             "content/actors/x.yaml": "name: Xavier Ray\nkind: person\n",
             **{f"content/actors/{a}.yaml": f"name: Actor {a.upper()}\nkind: person\n" for a in "abcd"},
             "content/articles/one.md": "---\ntitle: One\ndate: 2023-09-13\nactors: [a, b, c, d]\n---\n"
                                        "A word on [[x]] first.\n\nActor A and Actor B met.\n"}
    for rel, text in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    builder = Builder(site, tmp_path / "out", jobs=1)  # one process: every feed after the first reuses the entry
    builder.run()
    feeds = [tmp_path / f"out/feeds/{a}.xml" for a in "abcd"]
    assert all("Xavier Ray" in f.read_text(encoding="utf-8") for f in feeds)
    (site / "content/actors/x.yaml").write_text("name: Xena Ray\nkind: person\n", encoding="utf-8")
    builder.run()
    assert [("Xena Ray" in f.read_text(encoding="utf-8")) for f in feeds] == [True] * 4
    fresh = tmp_path / "fresh"
    build(site, fresh)
    assert tree(tmp_path / "out") == tree(fresh)


def test_a_page_record_gives_back_every_read_it_was_made_of(tmp_path: Path) -> None:
    """A record keeps its heads and only the reads they do not say (most reads are their own heads):
    what the build cache gives back for a page whose heads changed is every read, no more."""
    found = Builder(SITES / "full", tmp_path / "out")._plan()
    longer = 0
    for page in found.pages:
        reads = render_recorded(found.graph, page, found.env)[1]
        record = PageRecord.restored(PageRecord.of(page, reads).stored())
        assert record.reads == reads, page.path
        assert record.heads == {r if len(r) <= 2 else head(r) for r in reads}, page.path
        longer += any(len(r) > 2 for r in reads) and any(head(r) not in reads for r in reads)
    assert longer  # pages with heads that are no read of theirs, which the record must not add


def test_pages_that_read_a_changed_head_are_found_from_their_bytes_as_by_decoding_them() -> None:
    """incremental._reading looks for a changed key's bytes in each page's heads before decoding them: it
    finds the same pages as decoding every page's heads, for keys in any script, and keys that are part
    of other keys."""
    from generator.pages.page import Page
    rng = random.Random(7)
    keys = ["a", "ab", "abc", "kim-jong-un", "Ünïcode", "ключ", "北京", "x\udcff", "", "7"]
    fields = ["items", "names", "contexts", "bodies"]
    pages = {}
    for n in range(60):
        reads = {(rng.choice(fields), (rng.choice(keys),), "title") for _ in range(rng.randint(0, 6))}
        reads |= {(f, (k,)) for f, k in [(rng.choice(fields), rng.choice(keys))] if rng.random() < 0.5}
        reads |= {("site", "config"), ("items", ALL)} if rng.random() < 0.3 else set()
        path = f"p{n}/index.html"
        pages[path] = PageRecord.of(Page(path, "article.html", "articles", None), frozenset(reads))
    found = 0
    for _ in range(200):
        changed = {(rng.choice(fields), (rng.choice(keys),)) for _ in range(rng.randint(1, 3))}
        if rng.random() < 0.1:
            changed.add(("site", "config"))
        reading = _reading(pages, changed)
        assert reading == {p for p, r in pages.items() if not changed.isdisjoint(r.heads)}
        found += len(reading)
    assert found > 200


def test_a_body_edit_leaves_the_sitemap_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sitemap lists every page: it reads where each moved address leads and each article's last
    change from the graph's own indexes, not the items, so an edit to a body does not draw it again
    (at 10,000 articles, a tenth of a second of every edit)."""
    from generator.pages import outputs, sitemap
    drawn: list[str] = []
    original = sitemap.values

    def counting(ctx: object) -> object:
        drawn.append("sitemap")
        return original(ctx)  # type: ignore[arg-type]
    monkeypatch.setitem(outputs.BUILDERS, "sitemap", counting)
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site)
    builder = Builder(site, tmp_path / "out")
    builder.run()
    assert drawn == ["sitemap"]
    body = site / "content/articles/what-the-gauges-show.md"
    body.write_text(body.read_text(encoding="utf-8").replace("provisional", "preliminary"), encoding="utf-8")
    assert builder.run().rendered > 0
    assert drawn == ["sitemap"]
    body.write_text(body.read_text(encoding="utf-8").replace("date: ", "updated: 2031-01-01\ndate: ", 1),
                    encoding="utf-8")
    builder.run()
    assert drawn == ["sitemap", "sitemap"]
    assert "<lastmod>2031-01-01</lastmod>" in (tmp_path / "out/sitemap.xml").read_text(encoding="utf-8")


def menus(out: Path) -> dict[str, bool]:
    """Each page with a menu -> whether the menu links the sanctions page (parsed afresh: pages change)."""
    found = {}
    for page in sorted(out.rglob("*.html")):
        nav = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select("header nav a")
        if nav:
            found[page.relative_to(out).as_posix()] = "Sanctions" in [a.get_text() for a in nav]
    return found


def test_the_first_designation_puts_the_sanctions_page_in_every_menu_and_the_last_takes_it_out(tmp_path: Path) -> None:
    """The menu is on every page: it changes when the site gets its first designation or loses its last, and
    only then; a designation added, edited or removed redraws the sanctions page. Each build equals a clean one."""
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site)
    shutil.rmtree(site / "content/designations")  # a site without any, to begin with
    out = tmp_path / "out"
    builder = Builder(site, out)
    builder.run()

    def same_as_fresh(step: str) -> None:
        fresh = tmp_path / f"fresh-{step}"
        build(site, fresh)
        assert tree(out) == tree(fresh), step
        shutil.rmtree(fresh)

    def matrix() -> str:
        return (out / "sanctions/index.html").read_text(encoding="utf-8")
    assert set(menus(out).values()) == {False} and not (out / "sanctions").exists()
    designate(site, "first", "mira-dolen", "thessaria", "2023-07-01")
    builder.run()
    same_as_fresh("first")
    assert set(menus(out).values()) == {True} and "Mira Dolen" in matrix()
    designate(site, "second", "petra-lind", "varna-basin-commission", "2023-08-01", "until: 2031-01-01\n")
    result = builder.run()
    same_as_fresh("second")
    assert 0 < result.rendered < result.pages // 2  # no menu changed
    assert "Petra Lind" in matrix() and "to be lifted on <time datetime=\"2031-01-01\">" in matrix()
    designate(site, "first", "mira-dolen", "thessaria", "2023-07-05")
    result = builder.run()
    same_as_fresh("edited")
    assert 0 < result.rendered < result.pages // 2 and "5 July 2023" in matrix()
    (site / "content/designations/second.yaml").unlink()
    result = builder.run()
    same_as_fresh("one removed")
    assert 0 < result.rendered < result.pages // 2 and "Petra Lind" not in matrix()
    (site / "content/designations/first.yaml").unlink()
    builder.run()
    same_as_fresh("last removed")
    assert set(menus(out).values()) == {False} and not (out / "sanctions").exists()


def test_whole_site_exports_read_no_article(tmp_path: Path) -> None:
    """data/entities.ftm.json walked every item to find the designations, so every edit to an article
    drew it again (0.1 s at 5,000 articles): the exports of actors and listings read no article."""
    found = Builder(SITES / "full", tmp_path / "out")._plan()
    articles = {i for i, c in found.graph.collections.items() if c == "articles"}
    for page in found.pages:
        if page.path in ("data/entities.ftm.json", "sanctions/index.html"):
            reads = render_recorded(found.graph, page, found.env)[1]
            touched = {step[0] for read in reads for step in read if type(step) is tuple}
            assert not touched & articles, page.path
