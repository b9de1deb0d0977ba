"""Designations (contract v3): checked one line per mistake, shown on the listed actor's page (a Sanctions
section, a row per listing at #<id>), on the authority's page, on the timeline once, in the exports and in
search. The sample is tests/sites/full's content/designations/weir-listings.yaml."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from bs4 import BeautifulSoup, Tag
from conftest import SITES, MakeSite, run_cli
from test_search import find, read_index

from generator.build.builder import Builder


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("full") / "out"
    run = run_cli("build", str(SITES / "full"), "-o", str(out), "--quiet")
    assert run.code == 0, run.err
    return out


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def words(tag: Tag | BeautifulSoup) -> str:
    return " ".join(tag.get_text(" ", strip=True).split())


def section(page: BeautifulSoup, heading_id: str) -> Tag:
    heading = page.find(id=heading_id)
    assert isinstance(heading, Tag), heading_id
    assert isinstance(heading.parent, Tag)
    return heading.parent


# ---- checks ------------------------------------------------------------------------------------

LISTED = "- id: {id}\n  actor: {actor}\n  by: {by}\n  date: {date}\n{more}"
ACTORS = {"content/actors/a.yaml": "- {id: ana, name: Ana, kind: person}\n- {id: land, name: Land, kind: state}\n"
                                   "- {id: paper, name: Paper, kind: media}\n- {id: board, name: Board, kind: organization}\n"}


@pytest.mark.parametrize(("record", "message"), [
    ({"actor": "anna"}, "content/designations/d.yaml:2:10: error: unknown id 'anna' in 'actor' (did you mean 'ana'?)"),
    ({"by": "lands"}, "content/designations/d.yaml:3:7: error: unknown id 'lands' in 'by' (did you mean 'land'?)"),
    ({"by": "ana"}, ("content/designations/d.yaml:3:7: error: 'by' takes a state or organisation actor (the authority "
                    "that lists), but 'ana' is a person")),
    ({"by": "paper"}, ("content/designations/d.yaml:3:7: error: 'by' takes a state or organisation actor (the authority "
                      "that lists), but 'paper' is a media outlet")),
    ({"more": "  until: 2019-05\n"}, ("content/designations/d.yaml:5:10: error: 'until' (2019-05) is before 'date' "
                                     "(2020-01-02)")),
])
def test_each_mistake_is_one_line_at_its_place(make_site: MakeSite, record: dict[str, str], message: str) -> None:
    fields = {"id": "x", "actor": "ana", "by": "land", "date": "2020-01-02", "more": "", **record}
    site = make_site({**ACTORS, "content/designations/d.yaml": LISTED.format(**fields)})
    run = run_cli("check", str(site))
    assert run.code == 1
    assert run.problems == [message]


def test_the_same_listing_twice_names_both_places(make_site: MakeSite) -> None:
    one = LISTED.format(id="x", actor="ana", by="land", date="2020-01-02", more="  program: P1\n")
    two = LISTED.format(id="y", actor="ana", by="land", date="2020-01-02", more="  program: p1\n")
    other = LISTED.format(id="z", actor="ana", by="land", date="2020-01-02", more="  program: P2\n")
    site = make_site({**ACTORS, "content/designations/d.yaml": one + two + other})
    run = run_cli("check", str(site))
    assert run.problems == [("content/designations/d.yaml:6:3: error: designation 'y' repeats 'x' at "
                            "content/designations/d.yaml:1:3: 'ana' listed by 'land' under 'p1' on 2020-01-02")]


def test_a_listing_needs_its_authority_and_its_day(make_site: MakeSite) -> None:
    site = make_site({**ACTORS, "content/designations/d.yaml": "- id: x\n  actor: ana\n"})
    run = run_cli("check", str(site))
    assert sorted(run.problems) == [
        ("content/designations/d.yaml:1:3: error: designation needs 'by': the authority that listed it, a state or "
        "organisation actor"),
        "content/designations/d.yaml:1:3: error: designation needs 'date': the day it was listed"]


# ---- pages -------------------------------------------------------------------------------------

def test_the_actor_page_has_a_row_per_listing_with_every_field(built: Path) -> None:
    page = soup(built / "actors/mira-dolen/index.html")
    table = section(page, "sanctions").find("table")
    assert isinstance(table, Tag)
    rows = table.select("tbody tr")
    assert [r.get("id") for r in rows] == ["thessaria-lists-dolen", "karovia-lists-dolen"]  # newest first
    karovia = rows[1]
    assert words(karovia).startswith("Karovia WEIR-1 14 February 2023 In force KV.017 Listed for her part")
    assert karovia.find("a", href="../karovia/") is not None  # the authority (a list of states: on its own page)
    cited = karovia.select(".sources-inline li")
    assert len(cited) == 1 and cited[0].select_one(".grade") is not None  # the source in full, with its grade
    thessaria = rows[0]
    assert thessaria.find("a", href="../../timeline/#gauge-agreement") is not None  # the event that reports it
    time = karovia.find("time")
    assert isinstance(time, Tag) and time.get("datetime") == "2023-02-14"


def test_a_lifted_listing_is_marked_and_one_still_to_come_says_so(built: Path, make_site: MakeSite) -> None:
    courier = section(soup(built / "actors/lakeside-courier/index.html"), "sanctions")
    row = courier.find("tr", id="commission-lists-courier")
    assert isinstance(row, Tag) and "lifted" in (row.get("class") or [])
    assert "Delisted 1 March 2023" in words(row)
    site = make_site({**ACTORS, "content/designations/d.yaml": LISTED.format(
        id="x", actor="ana", by="land", date="2020-01-02", more="  until: 2031-01-01\n"),
        "content/sources/s.yaml": "- {id: s, title: S, accessed: 2026-12-07}\n"})
    assert run_cli("build", str(site), "--quiet").code == 0
    row = soup(site / "build/actors/ana/index.html").find("tr", id="x")
    assert isinstance(row, Tag) and "lifted" not in (row.get("class") or [])
    assert "To be lifted on 1 January 2031" in words(row)


def test_the_authority_page_lists_whom_it_designated_and_when(built: Path) -> None:
    designated = section(soup(built / "actors/karovia/index.html"), "designated")
    assert "Designated by Karovia" in words(designated)
    links = [a["href"] for a in designated.find_all("a")]
    assert links == ["../mira-dolen/#karovia-lists-dolen"]
    target = soup(built / "actors/mira-dolen/index.html").find(id="karovia-lists-dolen")
    assert target is not None
    assert "14 February 2023" in words(designated)


def test_a_listing_is_one_timeline_entry_or_shows_with_its_event(built: Path) -> None:
    timeline = soup(built / "timeline/index.html")
    own = timeline.find("li", id="karovia-lists-dolen")
    assert isinstance(own, Tag)
    assert "Mira Dolen designated by Karovia under WEIR-1" in words(own)
    assert own.find("a", href="../actors/mira-dolen/#karovia-lists-dolen") is not None
    assert own.get("data-actors") == "mira-dolen karovia"  # the actors menu filters it, as it does events
    menu = [o.get("value") for o in timeline.select("#f-actor option")]
    assert "karovia" in menu and "mira-dolen" in menu
    assert timeline.find("li", id="thessaria-lists-dolen") is None  # shown with its event instead
    event = timeline.find("li", id="gauge-agreement")
    assert isinstance(event, Tag)
    assert event.find("a", href="../actors/mira-dolen/#thessaria-lists-dolen") is not None
    referenced = [words(p) for p in event.select("p.tags") if "Referenced by" in words(p)]
    assert not [r for r in referenced if "designated" in r]  # once, under Designations
    entries = [li.get("id") for li in timeline.select("li.event")]
    assert entries.count("karovia-lists-dolen") == 1 and entries.count("commission-lists-courier") == 1


def test_listings_count_toward_the_timeline_split_by_year(make_site: MakeSite) -> None:
    events = "".join(f"- {{id: e{n}, date: 2020-01-{n % 28 + 1:02d}, title: Event {n}}}\n" for n in range(300))
    listed = "".join(LISTED.format(id=f"d{n}", actor="ana", by="land", date=f"2021-02-{n % 28 + 1:02d}",
                                   more=f"  program: P{n}\n") for n in range(250))
    site = make_site({**ACTORS, "content/events/e.yaml": events, "content/designations/d.yaml": listed})
    assert run_cli("build", str(site), "--quiet").code == 0
    latest = soup(site / "build/timeline/index.html")
    assert len(latest.select("li.event.listing")) == 250  # 2021, the latest year, holds the listings
    assert (site / "build/timeline/2020/index.html").is_file()


# ---- exports and search ------------------------------------------------------------------------

def test_the_json_export_carries_listings_and_validates(built: Path) -> None:
    data = json.loads((built / "data/briefing.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, json.loads((built / "data/briefing.schema.json").read_text(encoding="utf-8")))
    listing = next(i for i in data["items"] if i["id"] == "commission-lists-courier")
    assert listing | {"references": [], "referenced_by": []} == {
        "id": "commission-lists-courier", "collection": "designations",
        "name": "Lakeside Courier designated by Varna Basin Commission",
        "shown_at": "actors/lakeside-courier/#commission-lists-courier",
        "file": "content/designations/weir-listings.yaml", "actor": "lakeside-courier",
        "by": "varna-basin-commission", "program": "Data rules", "date": "2022-06", "until": "2023-03-01",
        "reference": "VBC-2022-4", "reason": None, "sources": [], "event": None, "extra": {},
        "references": [], "referenced_by": []}


def test_search_finds_a_listing_by_programme_and_reference(built: Path) -> None:
    _, results, postings = read_index(built)
    for query in ("VBC-2022-4", "data rules"):
        found = [results[n] for n in find(postings, query)]
        assert any("designated by Varna Basin Commission" in str(r) for r in found), query


# ---- incremental -------------------------------------------------------------------------------

def test_an_edited_listing_redraws_what_shows_it(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site)
    builder = Builder(site, tmp_path / "out")
    builder.run()
    path = site / "content/designations/weir-listings.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("program: WEIR-1\n  date: 2023-02-14",
                                                              "program: WEIR-2\n  date: 2023-02-15"), encoding="utf-8")
    builder.run()
    clean = tmp_path / "clean"
    assert run_cli("build", str(site), "-o", str(clean), "--quiet").code == 0
    for rel in ("actors/mira-dolen/index.html", "actors/karovia/index.html", "timeline/index.html",
                "data/briefing.json"):
        assert (tmp_path / "out" / rel).read_bytes() == (clean / rel).read_bytes(), rel
    assert "WEIR-2" in (clean / "actors/karovia/index.html").read_text(encoding="utf-8")
