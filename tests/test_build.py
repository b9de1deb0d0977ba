"""`briefing build`: every page, working links, backlinks shown, safe and reproducible output."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, SITES, MakeSite, run_cli
from htmlcheck import broken_links, linked_files, pages, soup

from generator.build.builder import check
from generator.graph.urls import Urls

SECOND = SITES / "second"


def tree(out: Path) -> dict[str, str]:
    """Every file of an output folder with the hash of its bytes."""
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def built(site: Path, out: Path, *flags: str) -> Path:
    run = run_cli("build", str(site), "-o", str(out), "--quiet", *flags)
    assert run.code == 0, run.err
    return out


@pytest.fixture(scope="module")
def second_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built(SECOND, tmp_path_factory.mktemp("second") / "out")


def test_build_writes_a_page_for_every_url_of_the_contract(second_out: Path) -> None:
    graph = check(SECOND).graph
    assert graph is not None
    expected = {"index.html", "404.html", "timeline/index.html", "sources/index.html", "graph/index.html",
                "search/index.html", "articles/index.html", "actors/index.html", "topics/index.html", "views/index.html"}
    expected |= {f"{i.collection}/{i.id}/index.html" for i in graph.items.values()
                 if i.collection in ("articles", "actors", "topics", "views")}
    assert {p.relative_to(second_out).as_posix() for p in pages(second_out)} == expected
    assert "nsr-outlook" not in graph.items  # the draft has no page ...
    assert not (second_out / "articles/nsr-outlook").exists()


def test_build_drafts_flag_builds_drafts(tmp_path: Path) -> None:
    out = built(SECOND, tmp_path / "out", "--drafts")
    assert (out / "articles/nsr-outlook/index.html").is_file()


def test_build_links_resolve_from_every_page(second_out: Path) -> None:
    assert broken_links(second_out) == []


def test_build_item_pages_link_to_everything_that_points_at_them(second_out: Path) -> None:
    graph = check(SECOND).graph
    assert graph is not None
    urls = Urls(pretty=True)
    missing = []
    for target, item in graph.items.items():
        shown_at = urls.of(item).partition("#")[0]
        links = {path for path, _ in linked_files(second_out, second_out / shown_at)}
        for source in graph.pointing_at(target):
            if urls.of(graph.items[source]).partition("#")[0] not in links:
                missing.append(f"{target} does not show {source}")
    assert missing == []


def test_build_renders_mentions_and_wikilinks(second_out: Path) -> None:
    page = soup(second_out / "articles/busan-talks-open/index.html")
    mentions = [a["href"] for a in page.select("a.mention")]
    assert len(mentions) == len(set(mentions))  # first mention only
    assert "../../actors/vladimir-ivanov/" in mentions
    wikilink = page.find("a", class_="ref", string="Ivanov")
    assert wikilink is not None and wikilink["href"] == "../../actors/dmitri-ivanov/"
    assert page.find("a", string="Ivanov", class_="mention") is None  # the ambiguous name is never linked


def test_build_shows_references_to_drafts_as_text(second_out: Path) -> None:
    page = soup(second_out / "views/lee-carriers-will-wait/index.html")
    assert "nsr-outlook" not in str(page)
    graph = check(SECOND).graph
    assert graph is not None
    assert graph.names["nsr-outlook"] in page.get_text()


SEEDS = ("0", "1", "12345", "random")
"""PYTHONHASHSEED values: each hashes str differently, so a set of ids iterates in another order."""


def files_of(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def first_difference(a: dict[str, bytes], b: dict[str, bytes]) -> str | None:
    """The first file (in path order) that is missing from one output or differs, and where."""
    for rel in sorted(a.keys() | b.keys()):
        if rel not in a or rel not in b:
            return f"{rel} is in only one of them"
        x, y = a[rel], b[rel]
        if x != y:
            at = next((i for i, (p, q) in enumerate(zip(x, y)) if p != q), min(len(x), len(y)))
            near = slice(max(at - 80, 0), at + 80)
            return f"{rel} differs from byte {at}: {x[near]!r} != {y[near]!r}"
    return None


@pytest.mark.parametrize("site", [SITES / "full", SECOND, EXAMPLE], ids=["full", "second", "example"])
def test_build_is_byte_identical_across_processes_and_hash_seeds(site: Path, tmp_path: Path) -> None:
    """One process per PYTHONHASHSEED builds the same copy of the site: any output that depends on
    the iteration order of a set (or on the output folder's name) differs between them."""
    source = tmp_path / "site"  # a copy: every build must read the same bytes, whatever else edits the site
    source.mkdir()
    shutil.copy(site / "site.yaml", source)
    for folder in ("content", "templates", "static"):
        if (site / folder).is_dir():
            shutil.copytree(site / folder, source / folder)
    runs = {seed: subprocess.Popen([sys.executable, "-m", "generator", "build", str(source), "-o",
                                    str(tmp_path / f"seed-{seed}"), "--quiet"], stderr=subprocess.PIPE,
                                   text=True, env={**os.environ, "PYTHONHASHSEED": seed}) for seed in SEEDS}
    for seed, proc in runs.items():
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"PYTHONHASHSEED={seed}: {err}"
    first = files_of(tmp_path / f"seed-{SEEDS[0]}")
    assert "index.html" in first
    for seed in SEEDS[1:]:
        difference = first_difference(first, files_of(tmp_path / f"seed-{seed}"))
        assert difference is None, f"PYTHONHASHSEED={SEEDS[0]} and {seed}: {difference}"


def test_build_pretty_urls_false_links_to_html_files(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"site.yaml": "title: T\npretty_urls: false\n",
                      "content/actors/anna.yaml": "name: Anna\nkind: person\n",
                      "content/articles/a.md": "---\ntitle: A\ndate: 2023-09-13\n---\nAnna met [[b]].\n",
                      "content/articles/b.md": "---\ntitle: B\ndate: 2023-09-14\n---\nText.\n"})
    out = built(site, tmp_path / "out")
    assert (out / "actors/anna.html").is_file() and (out / "actors/index.html").is_file()
    page = soup(out / "articles/a.html")
    hrefs = {a["href"] for a in page.find_all("a")}
    assert {"../actors/anna.html", "b.html", "../index.html"} <= hrefs
    assert not [h for h in hrefs if h.endswith("/")]
    assert broken_links(out) == []


def test_build_rewrites_root_links_relative_and_copies_static(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"static/img/map.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
                      "static/robots.txt": "User-agent: *\n",
                      "content/articles/a.md": "---\ntitle: A\ndate: 2023-09-13\n---\n[map](/img/map.svg) ![m](/img/map.svg)\n"})
    out = built(site, tmp_path / "out")
    page = soup(out / "articles/a/index.html")
    assert page.find("a", string="map")["href"] == "../../img/map.svg"
    assert page.find("img", alt="m")["src"] == "../../img/map.svg"
    assert (out / "robots.txt").read_text() == "User-agent: *\n"
    assert broken_links(out) == []


def test_build_unsafe_urls_are_text_and_raw_html_escaped(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"content/articles/a.md": "---\ntitle: A\ndate: 2023-09-13\n---\n"
                      "[trap](javascript:alert(1)) <b>bold</b> <script>x()</script>\n"})
    run = run_cli("build", str(site), "-o", str(tmp_path / "out"))
    assert run.code == 0 and "warning: unsafe URL 'javascript:alert(1)'" in run.err
    page = soup(tmp_path / "out/articles/a/index.html")
    body = page.find("div", class_="body")
    assert body.find("a") is None and "trap" in body.get_text()
    assert body.find("b") is None and body.find("script") is None and "<b>bold</b>" in body.get_text()


def test_build_raw_html_true_passes_html_through(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"site.yaml": "title: T\nraw_html: true\n",
                      "content/articles/a.md": "---\ntitle: A\ndate: 2023-09-13\n---\nSome <b>bold</b>.\n"})
    page = soup(built(site, tmp_path / "out") / "articles/a/index.html")
    assert page.find("div", class_="body").find("b").get_text() == "bold"


def test_build_failure_leaves_previous_output_byte_for_byte(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"content/actors/anna.yaml": "name: Anna\nkind: person\n"})
    out = built(site, tmp_path / "out")
    before = tree(out)
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    (site / "content/actors/anna.yaml").write_text("name: Anna\nkind: [person\n")
    assert run_cli("build", str(site), "-o", str(out)).code == 1
    (site / "content/actors/anna.yaml").write_text("name: Anna\nkind: person\n")
    (site / "templates").mkdir()
    (site / "templates/actor.html").write_text("{% extends 'base.html' %}\n{% block main %}{{ no_such_variable }}{% endblock %}\n")
    run = run_cli("build", str(site), "-o", str(out))
    assert run.code == 1
    assert "templates/actor.html:2:1: error: template error: 'no_such_variable' is undefined" in run.err
    assert tree(out) == before
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == mtimes
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []


def test_build_leaves_exactly_what_a_clean_build_would(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"content/actors/anna.yaml": "name: Anna\nkind: person\n",
                      "content/actors/ben.yaml": "name: Ben\nkind: person\n", "static/x.txt": "x"})
    out = built(site, tmp_path / "out")
    (site / "content/actors/ben.yaml").unlink()
    (site / "static/x.txt").unlink()
    (site / "content/topics").mkdir()
    (site / "content/topics/t.yaml").write_text("title: T\nactors: [anna]\n")
    built(site, out)
    assert tree(out) == tree(built(site, tmp_path / "clean"))
    assert not (out / "actors/ben").exists()


def test_build_refuses_a_folder_it_did_not_make(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"content/actors/anna.yaml": "name: Anna\nkind: person\n"})
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"\xff\xd8")
    run = run_cli("build", str(site), "-o", str(foreign))
    assert run.code == 1 and "refusing to write into" in run.err
    assert [p.name for p in foreign.iterdir()] == ["holiday.jpg"]
    assert run_cli("build", str(site), "-o", str(site)).code == 1
    assert run_cli("build", str(site), "-o", str(site / "content/out")).code == 1
    assert run_cli("build", str(site), "-o", str(tmp_path / "new-folder")).code == 0


def test_build_template_override_by_file_name(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"content/actors/anna.yaml": "name: Anna\nkind: person\n",
                      "templates/actor.html": "{% extends 'base.html' %}{% block main %}<h1 class='mine'>{{ title }}</h1>"
                                              "{% endblock %}\n"})
    page = soup(built(site, tmp_path / "out") / "actors/anna/index.html")
    assert page.find("h1", class_="mine").get_text() == "Anna"


def test_build_path_clashes_are_errors(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"static/index.html": "<p>mine</p>", "site.yaml": "title: T\npretty_urls: false\nbase_url: https://example.org/t/\n",
                      "content/articles/index.md": "---\ntitle: I\ndate: 2023-09-13\n---\nText.\n"})
    run = run_cli("build", str(site), "-o", str(tmp_path / "out"))
    assert run.code == 1
    assert run.problems == [
        "content/articles/index.md:1:1: error: its page articles/index.html is also the page of articles; rename one of them",
        "static/index.html: error: clashes with the page index.html; rename or move the file"]
    assert not (tmp_path / "out").exists()


def test_build_without_site_yaml(tmp_path: Path) -> None:
    run = run_cli("build", str(tmp_path))
    assert run.code == 1
    assert run.problems[0].startswith("site.yaml: error: ")


def test_build_new_site_builds_as_it_is(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    made = run_cli("new", str(fresh))
    assert made.code == 0
    steps = [line.strip() for line in made.out.splitlines() if line.startswith("  ")]
    assert [s[:3] for s in steps] == ["1. ", "2. ", "3. "] and f" build {fresh}" in steps[2]  # as this run was started
    assert run_cli("check", "--strict", str(fresh)).code == 0
    graph = check(fresh).graph
    assert graph is not None
    assert set(graph.collections.values()) == {"articles", "actors", "topics", "views", "quotes", "events", "sources",
                                               "designations"}
    assert "/build/" in (fresh / ".gitignore").read_text().splitlines()
    out = built(fresh, fresh / "build")
    assert broken_links(out) == []
    assert (out / "views/example-view/index.html").is_file() and (out / "feed.xml").is_file()
    # It shows the desk's fields: a featured lead with its picture, a citation, a correction, an old address.
    home = soup(out / "index.html").select_one(".lead")
    assert home.select_one(".kicker").get_text() == "Top story" and home.select_one("figure img")["width"] == "640"
    article = soup(out / "articles/first-article/index.html")
    assert article.select_one("sup.cite a").get_text() == "[1]" and article.select_one("a.corrected") is not None
    assert 'http-equiv="refresh"' in (out / "topics/old-example-topic/index.html").read_text()
    listed = soup(out / "actors/example-minister/index.html").select_one("tr#example-minister-listed")
    assert listed is not None and "EX.001" in listed.get_text()  # and one sanctions listing
    assert run_cli("new", str(fresh)).code == 1


def test_build_example_site(tmp_path: Path) -> None:
    example = Path(__file__).parent.parent
    out = built(example, tmp_path / "example")
    assert broken_links(out) == []
    shutil.rmtree(out)


def test_build_a_card_drawn_once_keeps_each_pages_own_links(make_site: MakeSite, tmp_path: Path) -> None:
    """One event card, listed with its summary on an actor's page and on a topic's page: the card is the
    same on both (its link to the timeline reads alike from either folder) but its summary's link to
    another actor is not (`../bob/` from actors/, `../../actors/bob/` from topics/). Cards are drawn
    once per process for equal cards (environment.card_html): the summary must be part of that."""
    site = make_site({"content/actors/anna.yaml": "name: Anna\nkind: person\n",
                      "content/actors/bob.yaml": "name: Bob\nkind: person\n",
                      "content/topics/talks.yaml": "title: Talks\n",
                      "content/events/e.yaml": "date: 2023-09-13\ntitle: Meeting\nsummary: With [[bob]].\n"
                                               "actors: [anna]\ntopics: [talks]\n"})
    out = built(site, tmp_path / "out", "--jobs", "1")
    for page, href in (("actors/anna/index.html", "../bob/"), ("topics/talks/index.html", "../../actors/bob/")):
        card = soup(out / page).find("li", class_="card-events")
        assert card.find("a", string="Meeting")["href"] == "../../timeline/#e"
        assert card.find("a", string="Bob")["href"] == href, page
    assert broken_links(out) == []
