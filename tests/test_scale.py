"""A site that outgrows one page: indexes paginate, the timeline splits by year, and one edit
re-renders a bounded number of pages (the contract's v2 URLs: articles/page/2/, timeline/<year>/)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import MakeSite, run_cli
from test_build import tree

from generator.base.processes import ALONE
from generator.build.builder import Builder, build
from generator.build.cache import kept

ARTICLES, EVENTS = 230, 620
YEARS = (2019, 2020, 2021, 2022, 2023)


def big_site(make_site: MakeSite, pretty: bool = True) -> Path:
    files = {"site.yaml": f"title: Big\npretty_urls: {str(pretty).lower()}\n",
             "content/actors/anna.yaml": "name: Anna Berg\nkind: person\n",
             "content/topics/water.yaml": "title: Water\n"}
    for a in range(ARTICLES):
        files[f"content/articles/a{a:03d}.md"] = (f"---\ntitle: Article {a}\ndate: 2023-01-{1 + a % 28:02d}\n"
                                                  f"actors: [anna]\n---\nBody {a} about [[e{a:03d}]].\n")
    files["content/events/all.yaml"] = "".join(
        f"- {{id: e{e:03d}, title: Event {e}, date: {YEARS[e % 5]}-0{1 + e % 9}-1{e % 10}, actors: [anna]}}\n"
        for e in range(EVENTS))
    files["content/articles/links.md"] = ("---\ntitle: Links\ndate: 2020-01-01\n---\n"
                                          "[Page two](/articles/page/2/) and [the year 2019](/timeline/2019/).\n")
    return make_site(files)


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_collection_index_pages_hold_100_entries_each_and_link_one_another(make_site: MakeSite) -> None:
    root = big_site(make_site)
    out = build(root).out
    pages = [out / "articles/index.html", out / "articles/page/2/index.html", out / "articles/page/3/index.html"]
    assert [len(soup(p).select("main li.card")) for p in pages] == [100, 100, ARTICLES + 1 - 200]
    titles = [a.get_text() for p in pages for a in soup(p).select("main li.card .card-title a")]
    assert len(set(titles)) == ARTICLES + 1
    assert not (out / "articles/page/4").exists() and not (out / "articles/page/1").exists()
    second = soup(pages[1])
    assert second.select_one("[aria-current=page]").get_text() == "2"
    assert second.select_one("a[rel=prev]")["href"] == "../../"
    assert second.select_one("a[rel=next]")["href"] == "../3/"
    assert second.title and "page 2 of 3" in second.title.get_text()
    first = soup(pages[0])
    assert [a["href"] for a in first.select("nav.pagination a:not([rel])")] == ["page/2/", "page/3/"]
    assert first.select_one("a[rel=prev]") is None
    # newest first across pages: the first page ends where the second begins
    dates = [t["datetime"] for p in pages for t in soup(p).select("main time")]
    assert dates == sorted(dates, reverse=True)


def test_timeline_splits_by_year_and_links_follow_the_event(make_site: MakeSite) -> None:
    out = build(big_site(make_site)).out
    latest = soup(out / "timeline/index.html")
    assert {li["id"] for li in latest.select("li.event")} == {f"e{e:03d}" for e in range(EVENTS) if e % 5 == 4}
    assert [a["href"] for a in latest.select("nav.years a")] == [f"{y}/" for y in YEARS[:-1]]
    year_2019 = soup(out / "timeline/2019/index.html")
    assert {li["id"] for li in year_2019.select("li.event")} == {f"e{e:03d}" for e in range(EVENTS) if e % 5 == 0}
    assert year_2019.select_one("nav.years [aria-current=page]").get_text() == "2019"
    # [[e000]] (2019) links to the year's page; [[e004]] (2023) to the timeline itself
    assert soup(out / "articles/a000/index.html").select_one("main p a")["href"] == "../../timeline/2019/#e000"
    assert soup(out / "articles/a004/index.html").select_one("main p a")["href"] == "../../timeline/#e004"
    # the filter offers only the actors of the year's events, and the script still runs there
    assert [o["value"] for o in year_2019.select("#f-actor option")] == ["", "anna"]


def test_without_pretty_urls_further_pages_are_files(make_site: MakeSite) -> None:
    root = big_site(make_site, pretty=False)
    out = build(root).out
    assert (out / "articles/page/2.html").is_file() and (out / "timeline/2019.html").is_file()
    links = soup(out / "articles/links.html").select("main p a")
    assert [a["href"] for a in links] == ["page/2.html", "../timeline/2019.html"]
    assert soup(out / "articles/a000.html").select_one("main p a")["href"] == "../timeline/2019.html#e000"


def test_the_id_page_is_reserved(make_site: MakeSite) -> None:
    root = make_site({"content/topics/page.yaml": "title: Page\n",
                      "content/topics/water.yaml": "title: Water\nrelated: [page]\n"})
    run = run_cli("check", str(root))
    assert run.code == 1
    assert run.problems == [("content/topics/page.yaml:1:1: error: the id 'page' is reserved: collection indexes "
                             "use it for their further pages (topics/page/2/); choose another id")]


@pytest.mark.parametrize("edit, most", [("body", 4), ("new-article", 12)])
def test_one_edit_renders_a_bounded_number_of_pages(make_site: MakeSite, edit: str, most: int) -> None:
    root = big_site(make_site)
    builder = Builder(root)
    first = builder.run()
    if edit == "body":
        path = root / "content/articles/a100.md"
        path.write_text(path.read_text() + "\nOne more line.\n")
    else:
        (root / "content/articles/zz.md").write_text("---\ntitle: New\ndate: 2022-05-05\n---\nNew.\n")
    second = builder.run()
    assert first.rendered == first.pages
    assert 1 <= second.rendered <= most, second.rendered


def test_any_number_of_jobs_and_any_hash_seed_give_the_same_bytes(make_site: MakeSite, tmp_path: Path) -> None:
    root = big_site(make_site)
    outs = []
    for jobs, seed in ((1, "0"), (2, "1"), (3, "random")):
        out = tmp_path / f"out-{jobs}"
        done = subprocess.run([sys.executable, "-m", "generator", "build", str(root), "-o", str(out), "--jobs",
                               str(jobs), "--quiet"], env={**os.environ, "PYTHONHASHSEED": seed},
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        outs.append(tree(out))
    assert len(outs[0]) > 250 and outs[0] == outs[1] == outs[2]


def test_a_template_error_in_a_worker_is_one_plain_message_and_keeps_the_output(make_site: MakeSite) -> None:
    root = big_site(make_site)
    out = build(root, jobs=2).out
    before = tree(out)
    (root / "templates").mkdir()
    (root / "templates/article.html").write_text('{% extends "theme/article.html" %}\n'
                                                 '{% block main %}{{ article.title.nope() }}{% endblock %}\n')
    run = run_cli("build", str(root), "--jobs", "2")
    assert run.code == 1
    assert len(run.problems) == 1 and run.problems[0].startswith("templates/article.html:2:1: error: template error:")
    assert "Traceback" not in run.err
    assert tree(out) == before


@pytest.mark.parametrize("jobs", [1, 2])
def test_progress_is_reported_up_to_every_page_and_not_printed_off_a_terminal(make_site: MakeSite, jobs: int) -> None:
    root = big_site(make_site)
    seen: list[tuple[int, int]] = []
    built = build(root, jobs=jobs, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (built.pages, built.pages)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    (root / "content/articles/a000.md").write_text("---\ntitle: Changed\ndate: 2023-01-01\n---\nNew.\n")
    run = run_cli("build", str(root))  # stderr is not a terminal here
    assert "\r" not in run.err and "pages" not in run.err
    assert run.out.startswith(f"built {built.pages + 0} pages into ")


def test_the_heads_every_process_read_come_back_for_the_next_build(make_site: MakeSite) -> None:
    """On a site big enough for forked helpers, each process gathers the heads of the pages it drew, and
    the state keeps their union: exactly every head some page read (incremental.Changes starts there)."""
    root = big_site(make_site)
    first = build(root, jobs=2)
    assert first.pages >= ALONE  # enough pages for a forked helper
    restored = kept(root, first.out, False)
    assert isinstance(restored, tuple)
    snapshot = restored[0]
    assert snapshot.heads is not None
    assert set().union(*snapshot.heads.values()) == {h for record in snapshot.pages.values() for h in record.heads}
