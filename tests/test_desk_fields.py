"""The contract's v2 fields for a briefing desk, read back from the built sample site with a real HTML
parser: grades (NATO/Admiralty), former relations, short names and sort names."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import SITES, MakeSite, run_cli
from htmlcheck import soup

FULL = SITES / "full"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("desk") / "out"
    run = run_cli("build", str(FULL), "-o", str(target), "--quiet")
    assert run.code == 0, run.err
    return target


def text(node: object) -> str:
    return " ".join(node.get_text(" ", strip=True).split())  # type: ignore[attr-defined]


def test_grades_read_as_code_and_meaning_wherever_the_item_is_shown(out: Path) -> None:
    sources = soup(out / "sources/index.html")
    badge = sources.select_one("#courier-round-one .grade")
    assert badge is not None and text(badge) == "B : usually reliable"
    assert badge.select_one(".visually-hidden").get_text() == ": usually reliable"
    assert badge["title"] == "Reliability B: usually reliable"
    assert sources.select_one("#lind-2021-study .grade") is None  # ungraded: no badge
    legend = {text(d.dt): text(d.dd) for d in sources.select(".grade-legend div")}
    assert legend["A"] == "completely reliable" and legend["F"] == "cannot be judged"
    assert legend["1"] == "confirmed by other sources" and legend["6"] == "cannot be judged"
    timeline = soup(out / "timeline/index.html")
    assert text(timeline.select_one("#round-one .when .grade")) == "1 : confirmed by other sources"
    speaker = soup(out / "actors/mira-dolen/index.html")
    assert text(speaker.select_one("#dolen-every-drop .grade")) == "2 : probably true"
    article = soup(out / "articles/round-one-opens/index.html")  # the source in the article's list
    assert "B : usually reliable" in [text(g) for g in article.select(".grade")]


def test_grades_are_in_the_export(out: Path) -> None:
    items = {i["id"]: i for i in json.loads((out / "data/briefing.json").read_text())["items"]}
    assert items["courier-round-one"]["reliability"] == "B"
    assert items["round-one"]["credibility"] == "1"
    assert items["dolen-every-drop"]["credibility"] == "2"


def relations(page: Path) -> list[tuple[str, str]]:
    return [(text(tr.td), text(tr.find_all("td")[1])) for tr in soup(page).select("table.relations tbody tr")]


def test_a_former_relation_shows_on_both_pages_after_the_current_ones(out: Path) -> None:
    for page in ("actors/petra-lind/index.html", "actors/karovia/index.html"):
        rows = relations(out / page)
        former = [r for r, tr in zip(rows, soup(out / page).select("table.relations tbody tr"), strict=True)
                  if "former" in (tr.get("class") or [])]
        assert former == [("Petra Lind adviser to Karovia", "2016 – December 2018")], page  # a type not in "of"
        assert rows[-1] == former[0], "after the current ones"
    assert ("Petra Lind adviser to Varna Basin Commission", "since May 2019") in relations(out / "actors/petra-lind/index.html")
    graph = soup(out / "graph/index.html")
    dashed = [line.find_parent("a")["aria-label"] for line in graph.select("line.g-edge.g-former")]
    assert dashed == ["Petra Lind adviser to Karovia, a former relation"]
    ties = [json.loads(line) for line in (out / "data/entities.ftm.json").read_text().splitlines()]
    ended = [t for t in ties if t["properties"].get("endDate") and t["schema"] != "Sanction"]
    assert [(t["properties"]["startDate"], t["properties"]["endDate"]) for t in ended] == [(["2016"], ["2018-12"])]


def test_a_relation_until_the_same_year_as_a_finer_since_is_allowed(make_site: MakeSite) -> None:
    site = make_site({"content/actors/a.yaml": "- id: a\n  name: A\n  kind: person\n  relations:\n"
                      "    - {to: b, type: minister-of, since: 2022-12, until: 2022}\n"
                      "- id: b\n  name: B\n  kind: state\n"})
    assert run_cli("check", "--strict", str(site)).code == 0


def test_short_name_after_the_name_is_spelled_out(out: Path) -> None:
    body = soup(out / "articles/round-one-opens/index.html").select_one(".prose")
    shown = [text(a) for a in body.select("a") if "varna-basin-commission" in a["href"]]
    assert shown == ["Varna Basin Commission", "VBC"]
    labels = [text(t) for t in soup(out / "graph/index.html").select(".g-node-label")]
    assert "VBC" in labels and "Varna Basin Commission" not in labels  # the graph's labels are short


def test_a_to_z_lists_follow_sort_name(out: Path) -> None:
    people = next(h for h in soup(out / "actors/index.html").find_all("h2") if text(h) == "People")
    names = [text(a) for a in people.find_next("ul").select(".card-title a")]
    assert names == ["Petra Lind", "Mira Dolen"]  # "Lind, Petra" before "Mira Dolen"


def test_the_home_page_leads_with_the_newest_featured_article(out: Path, make_site: MakeSite, tmp_path: Path) -> None:
    home = soup(out / "index.html")
    assert text(home.select_one("#lead-title")) == "Karovia and Thessaria open talks on Lake Varna"  # featured, older
    rest = [text(a) for a in home.select(".card-articles .card-title a")]
    assert rest == ["What the gauges show"]  # the others follow by date, the lead not again
    article = "---\ntitle: {t}\ndate: {d}\n---\nBody.\n"
    site = make_site({"content/articles/old.md": article.format(t="Old", d="2023-01-01"),
                      "content/articles/new.md": article.format(t="New", d="2023-02-01")})
    built = tmp_path / "plain"
    assert run_cli("build", str(site), "-o", str(built), "--quiet").code == 0
    assert text(soup(built / "index.html").select_one("#lead-title")) == "New"  # none featured: the newest


def test_corrections_are_dated_at_the_end_and_flagged_beside_the_date(out: Path) -> None:
    page = soup(out / "articles/round-one-opens/index.html")
    flag = page.select_one("header .meta a.corrected")
    assert flag is not None and text(flag) == "Corrected 16 June 2023" and flag["href"] == "#corrections"
    section = page.select_one("section#corrections, section[aria-labelledby=corrections]")
    assert section is not None and section.find_previous_sibling("div", class_="body") is not None
    entries = [text(li) for li in section.select("li")]
    assert entries == [("16 June 2023 : An earlier version said the talks lasted two days; they lasted three "
                       "( First round of talks in Port Selin ).")]
    assert section.select_one("time")["datetime"] == "2023-06-16"


def test_a_feed_entry_carries_the_corrections_and_their_date(make_site: MakeSite, tmp_path: Path) -> None:
    import feedparser
    site = make_site({"content/articles/a.md": "---\ntitle: A\ndate: 2023-09-13\nupdated: 2023-09-14\n"
                      "corrections:\n  - {date: 2023-09-20, text: The talks lasted *four* hours.}\n---\nBody.\n"})
    built = tmp_path / "out"
    assert run_cli("build", str(site), "-o", str(built), "--quiet").code == 0
    entry = feedparser.parse((built / "feed.xml").read_bytes()).entries[0]
    assert entry.updated == "2023-09-20T00:00:00Z"  # the latest of date, updated and corrections
    assert "The talks lasted <em>four</em> hours." in entry.content[0].value
    assert "2023-09-20" in (built / "sitemap.xml").read_text()


def test_a_time_of_day_is_shown_as_written_and_orders_the_day(make_site: MakeSite, tmp_path: Path) -> None:
    article = "---\ntitle: {t}\ndate: {d}\n---\nBody.\n"
    site = make_site({"content/articles/a.md": article.format(t="Bare day", d="2024-06-19"),
                      "content/articles/b.md": article.format(t="Night", d="2024-06-19T02:22+09:00"),
                      "content/articles/c.md": article.format(t="Morning", d="2024-06-19T09:00Z"),
                      "content/articles/d.md": article.format(t="Day before", d="2024-06-18T23:59+09:00")})
    out = tmp_path / "out"
    assert run_cli("build", str(site), "-o", str(out), "--quiet").code == 0
    when = soup(out / "articles/b/index.html").select_one("header .meta time")
    assert (text(when), when["datetime"]) == ("19 June 2024, 02:22 UTC+09:00", "2024-06-19T02:22+09:00")
    assert text(soup(out / "articles/c/index.html").select_one("header .meta time")) == "19 June 2024, 09:00 UTC"
    listed = [text(a) for a in soup(out / "articles/index.html").select(".card-title a")]
    assert listed == ["Morning", "Night", "Bare day", "Day before"]  # newest first; a bare day before its times
    import feedparser
    stamps = {e.title: e.published for e in feedparser.parse((out / "feed.xml").read_bytes()).entries}
    assert stamps["Night"] == "2024-06-19T02:22:00+09:00" and stamps["Bare day"] == "2024-06-19T00:00:00Z"


def test_times_within_a_day_order_as_instants_in_lists_home_and_feeds(make_site: MakeSite, tmp_path: Path) -> None:
    """The contract's one rule (v3): the day as written, then a bare day first, then times as instants.
    The expected order is computed here with datetime, apart from the generator's own date code."""
    from datetime import datetime

    import feedparser
    dates = {"early": "2024-06-19T09:30+01:00", "late": "2024-06-19T09:00-05:00", "noon": "2024-06-19T12:00Z",
             "bare": "2024-06-19", "next": "2024-06-20T01:00+09:00", "tie": "2024-06-19T13:00+01:00"}
    files = {f"content/articles/{k}.md": f"---\ntitle: {k.capitalize()}\ndate: {d}\n"
             + ("topics: [pair]\n" if k in ("early", "late") else "") + "---\nBody.\n" for k, d in dates.items()}
    site = make_site({**files, "content/topics/pair.yaml": "title: Pair\n"})
    out = tmp_path / "out"
    assert run_cli("build", str(site), "-o", str(out), "--quiet").code == 0

    def key(k: str) -> tuple[str, bool, datetime]:
        written = dates[k]
        instant = datetime.fromisoformat(written) if "T" in written else None
        return written[:10], instant is not None, instant or datetime.fromisoformat(written + "T00:00+00:00")

    newest = [k.capitalize() for k in sorted(sorted(dates), key=key, reverse=True)]  # equal instants by title
    assert newest[:4] == ["Next", "Late", "Noon", "Tie"]  # the next day; 14:00Z; 12:00Z twice, by title
    assert [text(a) for a in soup(out / "articles/index.html").select(".card-title a")] == newest
    assert text(soup(out / "index.html").select_one("#lead-title")) == newest[0]
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert [e.title for e in feed.entries] == newest
    pair = feedparser.parse((out / "feeds/pair.xml").read_bytes())
    assert [e.title for e in pair.entries] == ["Late", "Early"]
    assert pair.feed.updated == pair.entries[0].updated == "2024-06-19T09:00:00-05:00"  # not the string max
    assert [text(t) for t in soup(out / "articles/late/index.html").select("header .meta time")][:1] == [
        "19 June 2024, 09:00 UTC-05:00"]  # shown as written, never converted
    lastmod = {u.findtext("{*}loc"): u.findtext("{*}lastmod")
               for u in ET.parse(out / "sitemap.xml").getroot()}
    assert lastmod["https://example.org/test/articles/late/"] == "2024-06-19T09:00-05:00"


CITING = {
    "content/sources/s.yaml": "- id: listed\n  title: Listed report\n- id: cited-only\n  title: Cited only\n"
                              "- id: named\n  title: Named report\n",
    "content/articles/a.md": "---\ntitle: A\ndate: 2023-09-13\nsources: [listed, named]\n---\n"
                             "First claim [[cited-only]]. Second claim [[listed]], again [[cited-only]].\n\n"
                             "As [[named|the named report]] says, and a note.[^1]\n\n[^1]: A footnote.\n",
}


@pytest.fixture(scope="module")
def citing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("citing")
    for rel, body in {"site.yaml": "title: Citations\n", **CITING}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(body, encoding="utf-8")
    out = root / "out" / "sub"
    assert run_cli("build", str(root), "-o", str(out), "--quiet").code == 0
    return out


def test_citations_are_numbered_by_the_articles_own_sources(citing: Path) -> None:
    page = soup(citing / "articles/a/index.html")
    markers = [(text(a), a["href"], a["id"]) for a in page.select(".prose sup.cite a")]
    assert markers == [("[3]", "#cite-cited-only", "cite-ref-cited-only-1"), ("[1]", "#cite-listed", "cite-ref-listed-1"),
                       ("[3]", "#cite-cited-only", "cite-ref-cited-only-2")]  # listed ones keep their place
    listed = page.select("ol.citations > li")
    assert [li["id"] for li in listed] == ["cite-listed", "cite-named", "cite-cited-only"]  # the cited one added last
    back = {li["id"]: [a["href"] for a in li.select(".backrefs a")] for li in listed}
    assert back == {"cite-listed": ["#cite-ref-listed-1"], "cite-named": [],
                    "cite-cited-only": ["#cite-ref-cited-only-1", "#cite-ref-cited-only-2"]}
    named = page.select_one(".prose a[href='#cite-named']")
    assert named is not None and text(named) == "the named report" and named.find_parent("sup") is None
    assert text(page.select_one(".prose .footnote-ref a")) == "[a]"  # footnotes are lettered, never [1]
    bibliography = soup(citing / "sources/index.html").select_one(".bibliography")
    assert bibliography.name == "ul"  # the bibliography numbers nothing


def test_a_citation_marker_jumps_to_its_source_and_back_in_chromium(citing: Path) -> None:
    from browser import chromium, serve
    with serve(citing.parent) as origin, chromium() as browser:
        page = browser.new_page()  # type: ignore[attr-defined]
        page.goto(f"{origin}/sub/articles/a/")
        page.click("#cite-ref-cited-only-2")
        assert page.evaluate("location.hash") == "#cite-cited-only"
        top = page.evaluate("document.getElementById('cite-cited-only').getBoundingClientRect().top")
        assert 0 <= top < page.viewport_size["height"]
        page.click("#cite-cited-only .backrefs a >> nth=1")
        assert page.evaluate("location.hash") == "#cite-ref-cited-only-2"
        page.close()


def test_an_old_address_sends_the_reader_to_the_renamed_item(out: Path) -> None:
    for old, new in (("actors/p-lind", "actors/petra-lind"), ("articles/talks-open", "articles/round-one-opens")):
        page = soup(out / old / "index.html")
        refresh = page.find("meta", attrs={"http-equiv": "refresh"})
        assert refresh is not None and refresh["content"] == f"0; url=../{new.split('/')[1]}/"
        assert page.find("link", rel="canonical")["href"] == f"https://example.org/briefing/{new}/"
        assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
        assert page.select_one("main a")["href"] == f"../{new.split('/')[1]}/"
    sitemap = (out / "sitemap.xml").read_text()
    assert "p-lind" not in sitemap and "talks-open" not in sitemap
    from browser import chromium, serve
    with serve(out) as origin, chromium() as browser:
        tab = browser.new_page()  # type: ignore[attr-defined]
        tab.goto(f"{origin}/actors/p-lind/")
        tab.wait_for_url(f"{origin}/actors/petra-lind/")
        assert tab.title().startswith("Petra Lind")
        tab.close()


def test_the_lead_image_keeps_its_place_with_caption_and_credit(out: Path) -> None:
    article = soup(out / "articles/round-one-opens/index.html")
    img = article.select_one("header figure.lead-image img")
    assert img is not None and (img["width"], img["height"]) == ("640", "320")  # read from the SVG file
    assert (out / "articles/round-one-opens" / img["src"]).resolve() == (out / "img/varna-talks.svg").resolve()
    caption = article.select_one("header figure.lead-image figcaption")
    assert text(caption) == "Port Selin, where the first round was held, on Lake Varna . Image: Lake Varna desk"
    assert caption.select_one("strong") is not None  # the caption is Markdown
    home = soup(out / "index.html").select_one(".lead")
    assert home.select_one(".kicker").get_text() == "Top story" and home.select_one("figure.lead-image img") is not None
    card = next(li for li in soup(out / "articles/index.html").select("li.card")
                if "Karovia and Thessaria" in text(li))
    assert card.select_one("img.card-image")["width"] == "640"
    og = soup(out / "articles/round-one-opens/index.html").find("meta", property="og:image")
    assert og["content"] == "https://example.org/briefing/img/varna-talks.svg"


def test_a_raster_image_gets_its_size_from_the_file(make_site: MakeSite, tmp_path: Path) -> None:
    import base64
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAEElEQVR4nGP4z8DAwMDAAAAt/AH/2Z4tJwAAAABJRU5ErkJggg==")
    site = make_site({"content/articles/a.md": "---\ntitle: A\ndate: 2023-09-13\nimage: {src: img/p.png, alt: Dots}\n"
                      "---\nBody.\n"})
    (site / "static/img").mkdir(parents=True)
    (site / "static/img/p.png").write_bytes(png)
    built = tmp_path / "out"
    assert run_cli("build", str(site), "-o", str(built), "--quiet").code == 0
    img = soup(built / "articles/a/index.html").select_one("figure.lead-image img")
    assert (img["width"], img["height"], img["alt"]) == ("3", "2", "Dots")


def test_in_chromium_the_home_page_leads_with_the_featured_article(out: Path) -> None:
    from browser import chromium, serve
    with serve(out) as origin, chromium() as browser:
        tab = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
        tab.goto(f"{origin}/")
        first = tab.evaluate("""() => { const h = Array.from(document.querySelectorAll('main h2'))
            .find(h => h.getBoundingClientRect().height > 0); return [h.textContent.trim(), h.getBoundingClientRect().top]; }""")
        assert first[0] == "Karovia and Thessaria open talks on Lake Varna" and first[1] < 900  # in the first screen
        assert tab.locator(".lead .kicker").inner_text().lower() == "top story"
        assert tab.locator(".lead figure img").evaluate("i => i.complete && i.naturalWidth") == 640
        tab.close()


def test_a_feed_entry_shows_the_lead_image(out: Path) -> None:
    import feedparser
    entries = {e.title: e for e in feedparser.parse((out / "feed.xml").read_bytes()).entries}
    content = entries["Karovia and Thessaria open talks on Lake Varna"].content[0].value
    assert '<img alt="A sketch map of Lake Varna' in content
    assert 'src="https://example.org/briefing/img/varna-talks.svg"' in content  # resolved by the entry's xml:base
