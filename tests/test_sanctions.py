"""The sanctions page (contract v3), read back from the built sample site (tests/sites/sanctions) with a real
HTML parser: the matrix's rows, columns and cells, where its links lead, the list under it, the menu, and
paging past 100 actors in both URL styles."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from conftest import SITES, MakeSite
from htmlcheck import broken_links, soup, target_file
from test_build import built
from test_reachability import assert_reachable

SITE = SITES / "sanctions"
ROWS = ["Ilse Abara", "Karovian Arms Bureau", "Tessel Bank", "Orlan Vesk", "Mira Žade"]
"""By sort name, accents folded: Abara, Karovian, Tessel, Vesk, Žade."""
NEWEST_FIRST = ["zade-otc-2024", "zade-otc", "zade-union", "abara-otc-2023", "bank-thessaria", "abara-otc-2022",
                "vesk-otc-2021", "vesk-union", "vesk-otc-2019", "bureau-thessaria", "bureau-union"]
"""By date, newest first (a bare year after that year's days), then by the actor's sort name, then by id."""


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built(SITE, tmp_path_factory.mktemp("sanctions") / "out")


def text(node: Any) -> str:
    return " ".join(node.get_text(" ", strip=True).split())


def matrix(page: Path) -> BeautifulSoup:
    found = soup(page).select_one("table.sanctions-matrix")
    assert found is not None
    return found


def cells(page: Path) -> dict[tuple[str, str], Any]:
    """(row's actor, column's authority as shown) -> its cell, for the cells that show a listing."""
    table = matrix(page)
    columns = [text(th) for th in table.select("thead th")][1:]
    found = {}
    for tr in table.select("tbody tr"):
        for column, td in zip(columns, tr.find_all("td"), strict=True):
            if td.get_text(strip=True):
                found[(text(tr.th), column)] = td
    return found


def test_rows_are_the_designated_actors_in_sort_name_order_and_columns_the_authorities(out: Path) -> None:
    table = matrix(out / "sanctions/index.html")
    assert [text(tr.th) for tr in table.select("tbody tr")] == ROWS  # Lake Press, listed by no one, is not a row
    heads = table.select("thead th[scope=col]")
    assert [text(th) for th in heads] == ["Actor", "Varna Union", "OTC", "Thessaria"]  # authorities A-Z by name
    abbr = heads[2].abbr
    assert abbr is not None and abbr["title"] == "Office of Trade Controls"  # the short name, spelled out
    assert heads[3].abbr is None  # no short name: the name itself
    assert [a["href"] for a in (th.a for th in heads[1:])] == [
        "../actors/union-council/", "../actors/trade-office/", "../actors/thessaria/"]


def test_a_cell_shows_the_first_listing_further_ones_and_whether_all_have_ended(out: Path) -> None:
    """Ended as the actor's page judges it: on or before the briefing's latest date, whatever today's."""
    found = cells(out / "sanctions/index.html")
    shown = {key: (text(td.a), text(td.select_one(".more") or td.new_tag("i")),
                   text(td.select_one(".until") or td.new_tag("i")), "ended" in td.get("class", []))
             for key, td in found.items()}
    assert shown == {
        ("Ilse Abara", "OTC"): ("15 September 2022", "+1 and 1 more listing", "✕ delisted 1 December 2023", True),
        ("Karovian Arms Bureau", "Varna Union"): ("30 November 2016", "", "✕ delisted 1 May 2022", True),
        # an end after the briefing's latest date (5 January 2024): to come, so not marked
        ("Karovian Arms Bureau", "Thessaria"): ("14 February 2017", "", "to be lifted on 1 January 2031", False),
        ("Tessel Bank", "Thessaria"): ("2023", "", "", False),
        ("Orlan Vesk", "Varna Union"): ("January 2020", "", "", False),
        ("Orlan Vesk", "OTC"): ("2 March 2019", "+1 and 1 more listing", "", False),
        # one of the two listings has no end: the cell is not marked
        ("Mira Žade", "Varna Union"): ("13 September 2023", "", "", False),
        ("Mira Žade", "OTC"): ("13 September 2023", "+1 and 1 more listing", "", False),
    }
    assert found[("Orlan Vesk", "OTC")].time["datetime"] == "2019-03-02"
    more = found[("Orlan Vesk", "OTC")].select_one(".more")
    assert more is not None and text(more.select_one("[aria-hidden=true]")) == "+1"


def test_a_cell_links_to_the_first_listing_on_the_actors_page(out: Path) -> None:
    page = out / "sanctions/index.html"
    hrefs = {key: td.a["href"] for key, td in cells(page).items()}
    assert hrefs[("Orlan Vesk", "OTC")] == "../actors/orlan-vesk/#vesk-otc-2019"
    assert hrefs[("Ilse Abara", "OTC")] == "../actors/ilse-abara/#abara-otc-2022"
    assert hrefs[("Mira Žade", "OTC")] == "../actors/mira-zade/#zade-otc"
    for (actor, _), href in hrefs.items():
        found = target_file(out, page, href)
        assert found is not None and found[0].is_file(), href
        assert re.fullmatch(r"\.\./actors/[a-z0-9-]+/#[a-z0-9-]+", href)
        assert text(soup(found[0]).h1) == actor
        row = soup(found[0]).find(id=found[1])  # the listing's row in the actor's Sanctions section
        assert row is not None and row.name == "tr", href


def test_the_matrix_is_an_accessible_table(out: Path) -> None:
    table = matrix(out / "sanctions/index.html")
    assert table.caption is not None and text(table.caption) == "5 designated actors, A–Z, against 3 authorities"
    ids = {str(th["id"]) for th in table.select("th[id]")}
    for tr in table.select("tbody tr"):
        assert tr.th["scope"] == "row"
        for td in tr.find_all("td"):
            row, column = td["headers"]  # (a list: bs4 reads headers as several values)
            assert row == tr.th["id"] and column in ids
    frame = table.find_parent(class_="matrix-scroll")
    assert frame is not None and frame["tabindex"] == "0" and frame["role"] == "group" and frame.get("aria-label")


def listed(page: Path) -> list[Any]:
    return soup(page).select("ol.designations > li.designation")


def facts(li: Any) -> dict[str, str]:
    return {text(div.dt): text(div.dd) for div in li.select("dl.designation-facts > div")}


def test_below_the_matrix_every_designation_newest_first_with_its_fields(out: Path) -> None:
    entries = listed(out / "sanctions/index.html")
    assert [li.a["href"].rsplit("#", 1)[1] for li in entries] == NEWEST_FIRST
    bureau = entries[-1]
    assert text(bureau.select_one(".designation-title")) == \
        "Karovian Arms Bureau designated by Council of the Varna Union"
    assert facts(bureau) == {
        "Listed": "30 November 2016", "Until": "✕ Delisted 1 May 2022", "Programme": "Resolution 12", "Reference": "VU.02",
        "Event": "The Varna Union lists the Karovian Arms Bureau",
        "Sources": "B : usually reliable The Varna Union's consolidated list , Council of the Varna Union"}
    assert bureau["data-by"] == "union-council" and bureau["data-program"] == "Resolution 12"
    assert "ended" in bureau["class"]
    grade = bureau.select_one(".designation-sources .grade")
    assert grade is not None and grade["title"] == "Reliability B: usually reliable"
    bank = entries[NEWEST_FIRST.index("bank-thessaria")]
    assert facts(bank) == {"Listed": "2023"} and bank["data-program"] == "" and "ended" not in bank["class"]
    future = entries[NEWEST_FIRST.index("bureau-thessaria")]
    assert facts(future)["Until"] == "To be lifted on 1 January 2031" and "ended" not in future["class"]
    lede = soup(out / "sanctions/index.html").select_one(".lede")
    assert lede is not None and "as of 5 January 2024 , the briefing's latest date" in text(lede)


def test_without_the_script_everything_shows_and_the_filter_form_waits_for_it(out: Path) -> None:
    page = soup(out / "sanctions/index.html")
    assert not page.select("li.designation[hidden]")
    form = page.select_one("form#sanctions-filters")
    assert form is not None and form.has_attr("hidden")
    assert text(page.select_one("#f-status")) == "11 designations"
    assert [o["value"] for o in form.select("#f-by option")] == ["", "union-council", "trade-office", "thessaria"]
    assert [o["value"] for o in form.select("datalist option")] == ["KAR-1", "KAR-2", "Resolution 12",
                                                                   "Thessarian Order 4"]
    script = page.select_one("script[src$='sanctions.js']")
    assert script is not None and (out / "sanctions" / str(script["src"])).resolve().is_file()


def menu(page: Path) -> list[str]:
    return [text(a) for a in soup(page).select("header nav a")]


def test_every_page_links_the_sanctions_page_and_the_sitemap_lists_it(out: Path) -> None:
    for page in sorted(out.rglob("*.html")):
        if page.name == "404.html":
            continue
        links = {text(a): a["href"] for a in soup(page).select("header nav a")}
        assert "Sanctions" in links, page
        found = target_file(out, page, links["Sanctions"])
        assert found is not None and found[0].resolve() == (out / "sanctions/index.html").resolve(), page
    assert menu(out / "index.html") == ["Articles", "Actors", "Topics", "Expert views", "Timeline", "Relations",
                                        "Sources", "Sanctions"]  # last: templates find the others by place
    assert "<loc>https://example.org/listings/sanctions/</loc>" in (out / "sitemap.xml").read_text(encoding="utf-8")
    assert broken_links(out) == []


def test_without_designations_there_is_no_sanctions_page_and_no_menu_entry(make_site: MakeSite,
                                                                           tmp_path: Path) -> None:
    site = make_site({"content/actors/a.yaml": "name: A\nkind: person\n",
                      "content/actors/b.yaml": "name: B\nkind: state\n"})
    out = built(site, tmp_path / "out")
    assert not (out / "sanctions").exists()
    assert "Sanctions" not in menu(out / "index.html") and "Sanctions" not in menu(out / "actors/a/index.html")
    assert "sanctions" not in (out / "sitemap.xml").read_text(encoding="utf-8")


def test_without_pretty_urls_the_page_and_its_links_are_files(tmp_path: Path) -> None:
    site = Path(shutil.copytree(SITE, tmp_path / "site"))
    config = site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "pretty_urls: false\n", encoding="utf-8")
    out = built(site, tmp_path / "out")
    page = out / "sanctions/index.html"
    hrefs = {key: td.a["href"] for key, td in cells(page).items()}
    assert hrefs[("Orlan Vesk", "OTC")] == "../actors/orlan-vesk.html#vesk-otc-2019"
    menu_links = {text(a): a["href"] for a in soup(out / "actors/orlan-vesk.html").select("header nav a")}
    assert menu_links["Sanctions"] == "../sanctions/index.html"
    assert broken_links(out) == []


def paged_site(root: Path, actors: int = 230) -> Path:
    """`actors` designated actors (named so that A-Z is not id order), each listed once by one of two
    authorities, a few twice; a topic that links the third page from the root."""
    lines = [f"- {{id: p{n}, name: Person {actors - n:03d}, kind: person}}" for n in range(actors)]
    lines += ["- {id: ua, name: Authority A, kind: organization}", "- {id: ub, name: Authority B, kind: state}"]
    listings = [f"- {{id: d{n}, actor: p{n}, by: {'ua' if n % 2 else 'ub'}, date: 2020-01-{n % 28 + 1:02d}}}"
                for n in range(actors)]
    listings += [f"- {{id: again{n}, actor: p{n}, by: ub, program: P2, date: 2021-05-05}}" for n in range(0, actors, 7)]
    files = {"site.yaml": "title: Many listed\n", "content/actors/all.yaml": "\n".join(lines) + "\n",
             "content/designations/all.yaml": "\n".join(listings) + "\n",
             "content/topics/t.yaml": "title: T\nsummary: See [the third page](/sanctions/page/3/).\n"}
    for rel, body in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(body, encoding="utf-8")
    return root


@pytest.mark.parametrize("pretty", [True, False])
def test_the_matrix_pages_at_100_actors_and_the_list_follows_its_rows(tmp_path: Path, pretty: bool) -> None:
    site = paged_site(tmp_path / "site")
    if not pretty:
        (site / "site.yaml").write_text("title: Many listed\npretty_urls: false\n", encoding="utf-8")
    out = built(site, tmp_path / "out")
    pages = [out / "sanctions/index.html",
             *(out / (f"sanctions/page/{n}/index.html" if pretty else f"sanctions/page/{n}.html") for n in (2, 3))]
    assert not (out / ("sanctions/page/4/index.html" if pretty else "sanctions/page/4.html")).exists()
    rows = [[text(tr.th) for tr in matrix(p).select("tbody tr")] for p in pages]
    assert [len(r) for r in rows] == [100, 100, 30]
    assert [name for r in rows for name in r] == [f"Person {n:03d}" for n in range(1, 231)]  # A-Z across the pages
    for page, names in zip(pages, rows, strict=True):
        doc = soup(page)
        assert text(doc.h1) == f"Sanctions, page {pages.index(page) + 1} of 3"
        assert [text(th) for th in doc.select("table.sanctions-matrix thead th")] == ["Actor", "Authority A",
                                                                                     "Authority B"]
        entries = listed(page)
        assert {text(li.a) for li in entries} == set(names)  # the designations of this page's actors
        dates = [li.time["datetime"] for li in entries]
        assert dates == sorted(dates, reverse=True)
        assert text(doc.select_one("#sanctions-list")).startswith("The designations of the actors on this page")
        nav = doc.select_one("nav.pagination")
        assert nav is not None and [t for li in nav.select("li") if (t := text(li)).isdigit()] == ["1", "2", "3"]
        for a in nav.select("a[href]"):
            found = target_file(out, page, str(a["href"]))
            assert found is not None and found[0].is_file(), a["href"]
    topic = soup(out / ("topics/t/index.html" if pretty else "topics/t.html"))
    assert topic.select_one(".lede a, main p a")["href"] == ("../../sanctions/page/3/" if pretty
                                                            else "../sanctions/page/3.html")
    assert broken_links(out) == []
    assert_reachable(out)  # each page of the matrix two clicks from home: the menu, then its pager
