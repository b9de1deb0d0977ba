"""Following and finding a briefing: Atom feeds, sitemap, robots.txt, descriptions, Open Graph and
heading ids, read back with feedparser and a real XML and HTML parser."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import pytest
from conftest import SITES, MakeSite, run_cli
from htmlcheck import broken_links, pages, soup

from generator.build.builder import check

SECOND = SITES / "second"
BASE = "https://example.org/arctic-briefing/"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("discovery") / "out"
    run = run_cli("build", str(SECOND), "-o", str(target), "--quiet")
    assert run.code == 0, run.err
    return target


def test_site_feed_holds_the_newest_articles_with_full_content(out: Path) -> None:
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    graph = check(SECOND).graph
    assert graph is not None
    newest = list(graph.order["articles"])
    assert [e.link for e in feed.entries] == [f"{BASE}articles/{i}/" for i in newest]
    first = feed.entries[0]
    article = graph.items[newest[0]]
    assert first.title == article.title
    assert first.updated.startswith(str(article.updated or article.date))
    body = first.content[0].value
    # The whole body, not a teaser: its last paragraph is there, and its links resolve from the entry's URL.
    last_words = article.body.text.strip().split("\n")[-1].split()[-3:]
    assert " ".join(last_words) in " ".join(soup_text(body).split())
    assert feed.feed.links[0].href == f"{BASE}feed.xml"
    assert feed.feed.updated == max((e.updated for e in feed.entries), key=as_written_then_instant)


def as_written_then_instant(stamp: str) -> tuple[str, datetime]:
    """The contract's order of RFC 3339 stamps, computed apart from the generator: the day as written,
    then the instant (a bare day is written as its start in UTC)."""
    return stamp[:10], datetime.fromisoformat(stamp)


def soup_text(html: str) -> str:
    from bs4 import BeautifulSoup
    return BeautifulSoup(html, "html.parser").get_text()


def test_entry_links_resolve_against_the_entry_url(out: Path) -> None:
    """Links in an entry are written as on the article's page; feedparser resolves them by the entry's
    xml:base to the same absolute URLs the page's own body links lead to."""
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    internal = 0
    for entry in feed.entries:
        page = soup(out / entry.link.removeprefix(BASE) / "index.html")
        on_page = {urljoin(entry.link, a["href"]) for a in page.select("main a[href]")}
        in_feed = {a["href"] for a in _anchors(entry.content[0].value)}
        assert in_feed and in_feed <= on_page, entry.link
        for href in (h for h in in_feed if h.startswith(BASE)):
            internal += 1
            rel = href.removeprefix(BASE).partition("#")[0]
            assert (out / rel / "index.html" if rel.endswith("/") or not rel else out / rel).is_file(), href
    assert internal, "the sample's articles link actors and sources"


def _anchors(html: str) -> list[dict[str, str]]:
    from bs4 import BeautifulSoup
    return [a.attrs for a in BeautifulSoup(html, "html.parser").find_all("a", href=True)]


def test_every_actor_and_topic_has_a_feed_of_the_articles_naming_it(out: Path) -> None:
    graph = check(SECOND).graph
    assert graph is not None
    for item_id in [*graph.order["actors"], *graph.order["topics"]]:
        feed = feedparser.parse((out / f"feeds/{item_id}.xml").read_bytes())
        assert not feed.bozo, (item_id, feed.get("bozo_exception"))
        naming = {r.source for r in graph.backlinks.get(item_id, ()) if graph.collections.get(r.source) == "articles"}
        assert {e.link for e in feed.entries} == {f"{BASE}articles/{i}/" for i in naming}, item_id
        for entry in feed.entries:  # the first paragraph, not the whole text (that is in feed.xml)
            text = " ".join(soup_text(entry.content[0].value).split())
            article = graph.items[entry.link.removeprefix(f"{BASE}articles/").strip("/")]
            first = (article.summary or article.body).text.split()
            body = article.body.text.split()
            assert " ".join(first[:3]) in text and " ".join(body[-3:]) not in text, entry.link
        page = soup(out / graph.items[item_id].collection / item_id / "index.html")
        own = [link["href"] for link in page.find_all("link", rel="alternate", type="application/atom+xml")]
        assert f"../../feeds/{item_id}.xml" in own, item_id


def test_every_page_links_the_site_feed(out: Path) -> None:
    for page in pages(out):
        if page.name == "404.html":
            continue
        alternates = soup(page).find_all("link", rel="alternate", type="application/atom+xml")
        depth = len(page.relative_to(out).parts) - 1
        assert "../" * depth + "feed.xml" in [a["href"] for a in alternates], page


def test_sitemap_lists_every_page_by_absolute_url_and_robots_names_it(out: Path) -> None:
    tree = ET.parse(out / "sitemap.xml")
    locs = [u.findtext(f"{SITEMAP}loc") for u in tree.getroot().iter(f"{SITEMAP}url")]
    expected = {BASE + p.relative_to(out).as_posix().removesuffix("index.html")
                for p in pages(out) if p.name != "404.html" and p.parent.name != "search"}
    assert set(locs) == expected and len(locs) == len(expected)
    assert all(loc.startswith(BASE) for loc in locs)
    assert f"Sitemap: {BASE}sitemap.xml" in (out / "robots.txt").read_text().splitlines()


def test_pages_describe_themselves(out: Path) -> None:
    """Each page's own description and Open Graph tags; an article's is its summary."""
    graph = check(SECOND).graph
    assert graph is not None
    seen = {}
    for page in pages(out):
        if page.name == "404.html":
            continue
        doc = soup(page)
        description = doc.find("meta", attrs={"name": "description"})
        assert description is not None and description["content"].strip(), page
        og = {m["property"]: m["content"] for m in doc.find_all("meta", property=True)}
        assert {"og:title", "og:description", "og:type", "og:url"} <= og.keys(), page
        assert og["og:url"] == doc.find("link", rel="canonical")["href"]
        seen[page.relative_to(out).as_posix()] = description["content"]
    article = graph.items["busan-talks-open"]
    assert seen["articles/busan-talks-open/index.html"] == article.summary.text.strip()
    assert len(set(seen.values())) == len(seen), "every page has a description of its own"


def test_article_headings_have_stable_ids(out: Path) -> None:
    doc = soup(out / "articles/busan-talks-open/index.html")
    heading = doc.find("h2", string="Background")
    assert heading is not None and heading.get("id") == "background"


def test_without_base_url_no_feed_and_one_warning(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"site.yaml": "title: T\n", "content/articles/a.md": "---\ntitle: A\ndate: 2023-09-13\n---\nText.\n"})
    run = run_cli("check", str(site))
    assert run.code == 0
    warnings = [line for line in run.err.splitlines() + run.out.splitlines() if "base_url" in line]
    assert len(warnings) == 1 and warnings[0].startswith("site.yaml: warning:"), warnings
    out = tmp_path / "out"
    assert run_cli("build", str(site), "-o", str(out), "--quiet").code == 0
    assert not (out / "feed.xml").exists() and not (out / "sitemap.xml").exists() and not (out / "feeds").exists()
    assert not soup(out / "index.html").find("link", rel="alternate")
    assert broken_links(out) == []


def test_a_sites_own_robots_txt_is_kept(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"site.yaml": f"title: T\nbase_url: {BASE}\n", "static/robots.txt": "User-agent: *\nDisallow: /\n",
                      "content/articles/a.md": "---\ntitle: A\ndate: 2023-09-13\n---\nText.\n"})
    out = tmp_path / "out"
    run = run_cli("build", str(site), "-o", str(out), "--quiet", "--strict")
    assert run.code == 0, run.err
    assert (out / "robots.txt").read_text() == "User-agent: *\nDisallow: /\n"
    assert (out / "sitemap.xml").is_file()
