"""The example site's own templates/ and static/: the override shows where it should, the file
it uses is copied and reached from every page that names it, and without templates/ the theme's
page comes back, so an override that is silently ignored fails here."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from conftest import EXAMPLE
from htmlcheck import links_of, pages, soup, target_file

from generator.build.builder import build

OVERRIDE = "templates/sources.html"
PAGE = "sources/index.html"
"""The page the override draws (the same path with pretty_urls on or off)."""
EMBLEM = "img/briefing-emblem.svg"
"""Output path of static/img/briefing-emblem.svg."""
NOTE_HEADING = "About this example briefing"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example") / "out"
    build(EXAMPLE, out)
    return out


@pytest.fixture(scope="module")
def built_without_templates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example copied without templates/ (static/ kept), then built."""
    site = tmp_path_factory.mktemp("plain") / "site"
    site.mkdir()
    shutil.copy2(EXAMPLE / "site.yaml", site / "site.yaml")
    for folder in ("content", "static"):
        shutil.copytree(EXAMPLE / folder, site / folder)
    assert not (site / "templates").exists()
    out = site.parent / "out"
    build(site, out)
    return out


def note(doc: BeautifulSoup) -> Tag | None:
    found = doc.find("section", attrs={"aria-labelledby": "about-example"})
    return found if isinstance(found, Tag) else None


def bibliography_ids(doc: BeautifulSoup) -> list[str]:
    bibliography = doc.find("ul", class_="bibliography")
    assert isinstance(bibliography, Tag)
    return [str(li["id"]) for li in bibliography.find_all("li", recursive=False)]


def test_example_ships_its_override_and_static_file() -> None:
    assert (EXAMPLE / OVERRIDE).is_file()
    assert (EXAMPLE / "static" / EMBLEM).is_file()
    source = (EXAMPLE / OVERRIDE).read_text(encoding="utf-8")
    assert '{% extends "theme/sources.html" %}' in source  # extends the very template it replaces
    assert "{{ super() }}" in source
    assert "{% block main %}" in source


def test_override_adds_the_about_note_inside_main_after_the_bibliography(built: Path) -> None:
    doc = soup(built / PAGE)
    main = doc.find("main", id="main")
    assert isinstance(main, Tag)
    about = note(doc)
    assert about is not None and about.find_parent("main") is main
    heading = about.find("h2", id="about-example")
    assert isinstance(heading, Tag) and heading.get_text(" ", strip=True) == NOTE_HEADING
    assert "templates/sources.html" in about.get_text()
    assert "static/img/briefing-emblem.svg" in about.get_text()
    bibliography = main.find("ul", class_="bibliography")
    assert isinstance(bibliography, Tag)
    assert bibliography in about.find_all_previous("ul")


def test_override_keeps_every_bibliography_entry_of_the_theme(built: Path, built_without_templates: Path) -> None:
    ours, theirs = bibliography_ids(soup(built / PAGE)), bibliography_ids(soup(built_without_templates / PAGE))
    assert ours == theirs
    assert len(ours) > 10


def test_about_note_is_only_on_the_sources_page(built: Path) -> None:
    with_note = [p.relative_to(built).as_posix() for p in pages(built) if note(soup(p)) is not None]
    assert with_note == [PAGE]


def test_emblem_is_copied_as_it_is(built: Path) -> None:
    assert (built / EMBLEM).read_bytes() == (EXAMPLE / "static" / EMBLEM).read_bytes()


def test_every_reference_to_the_emblem_resolves_to_it(built: Path) -> None:
    referring = {}
    for page in pages(built):
        refs = [href for href in links_of(page) if href.rsplit("/", 1)[-1] == "briefing-emblem.svg"]
        for href in refs:
            assert not href.startswith("/"), f"{page}: {href} is root-relative; it breaks under a sub-path"
            found = target_file(built, page, href)
            assert found is not None, f"{page}: {href} leaves the site"
            assert found[0].resolve() == (built / EMBLEM).resolve(), f"{page}: {href}"
        if refs:
            referring[page.relative_to(built).as_posix()] = refs
    assert referring == {PAGE: ["../img/briefing-emblem.svg"]}


def test_emblem_is_decorative_beside_the_heading_that_names_it(built: Path) -> None:
    about = note(soup(built / PAGE))
    assert about is not None
    img = about.find("img")
    assert isinstance(img, Tag)
    # Empty alt on purpose: the heading right after it says what it is (WCAG H67); a missing alt would fail.
    assert img.get("alt") == ""
    assert img.find_parent("h2") is not None
    assert (img.get("width"), img.get("height")) == ("32", "32")
    assert img.get("style") is None


def test_without_templates_the_theme_page_returns(built: Path, built_without_templates: Path) -> None:
    theirs = soup(built_without_templates / PAGE)
    assert note(theirs) is None
    assert NOTE_HEADING not in theirs.get_text()
    h1 = theirs.find("h1")
    assert isinstance(h1, Tag) and h1.get_text(strip=True) == "Sources"
    # static/ is independent of templates/: the file is still copied, but no page uses it.
    assert (built_without_templates / EMBLEM).is_file()
    assert not any("briefing-emblem.svg" in href for p in pages(built_without_templates) for href in links_of(p))
    assert (built / PAGE).read_bytes() != (built_without_templates / PAGE).read_bytes()


def test_override_adds_no_inline_script_or_style(built: Path, built_without_templates: Path) -> None:
    """The pages carry a Content-Security-Policy without 'unsafe-inline': nothing inline may be added."""
    def inline(path: Path) -> int:
        doc = soup(path)
        return (len(doc.find_all("style")) + len(doc.find_all(style=True))
                + len([s for s in doc.find_all("script") if not s.get("src")]))
    assert inline(built / PAGE) == inline(built_without_templates / PAGE) == 0


# The example briefing's facts, as issue 21 corrected them: each test reads the built pages and fails on
# the wrong wording that the example carried before.

def words(tag: Tag | BeautifulSoup) -> str:
    """The text of a tag as a reader sees it: whitespace (line breaks in YAML blocks) folded to one space."""
    return " ".join(tag.get_text(" ").split())


def timeline_entry(built: Path, event_id: str) -> Tag:
    entry = soup(built / "timeline" / "index.html").find("li", id=event_id)
    assert isinstance(entry, Tag), event_id
    return entry


def test_the_trip_is_not_called_the_longest_since_he_took_power(built: Path) -> None:
    """The Hanoi trip (23 February - 5 March 2019) was longer than the ten days of September 2023."""
    text = words(timeline_entry(built, "kim-visit-russia-2023"))
    assert "first trip abroad in more than four years" in text
    assert "longest" not in text
    assert not [p.relative_to(built).as_posix() for p in pages(built) if "since he took power" in words(soup(p))]


def test_kim_was_in_russia_from_12_to_18_september(built: Path) -> None:
    """His train left Artyom on the 17th and crossed back at Tumangang early on the 18th: in Russia 12-18."""
    trip = words(timeline_entry(built, "kim-visit-russia-2023"))
    assert "in Russia from 12 to 18 September" in trip and "Tumangang early on 18 September" in trip
    article = soup(built / "articles" / "putin-kim-summit-2023" / "index.html")
    caption = article.find("figure", class_="lead-image")
    assert isinstance(caption, Tag) and "was in Russia from 12 to 18 September" in words(caption)
    kim = soup(built / "actors" / "kim-jong-un" / "index.html")
    assert "in Russia from 12 to 18 September" in words(kim)
    # The route map's label at the border: into Russia on the 12th, out on the 18th.
    route = BeautifulSoup((built / "img" / "kim-route-2023.svg").read_text(encoding="utf-8"), "html.parser")
    labels = [words(t) for t in route.find_all("text")]
    assert "into Russia 12 Sept, out 18 Sept" in labels
    # Boarding the train at Artyom on the 17th is not leaving Russia.
    assert "leaves Russia" not in words(timeline_entry(built, "kim-leaves-russia"))
    wrong = [p.relative_to(built).as_posix() for p in pages(built)
             if any(s in words(soup(p)) for s in ("12 to 17 September", "12–17 September", "out 17 Sept"))]
    assert wrong == []


KCNA_WORDS = "the imperialists' military threat and provocation, high-handed and arbitrary practices"
"""KCNA's English, as TASS carried it on 14 September 2023."""


def test_the_kcna_quote_is_kcnas_english_not_a_paraphrase(built: Path) -> None:
    quote = soup(built / "actors" / "kcna" / "index.html").find("figure", id="kcna-imperialist-threats")
    assert isinstance(quote, Tag)
    blockquote = quote.find("blockquote")
    assert isinstance(blockquote, Tag) and words(blockquote) == KCNA_WORDS
    body = words(soup(built / "articles" / "putin-kim-summit-2023" / "index.html")).replace("’", "'")
    assert f"“{KCNA_WORDS}.”" in body
    assert not [p.relative_to(built).as_posix() for p in pages(built) if "tyranny of imperialists" in words(soup(p))]


def test_ri_pyong_chol_is_worded_as_the_ap_report_cited_for_him(built: Path) -> None:
    """AP names 'top military officials, including ... Marshals Ri Pyong Chol and Pak Jong Chon', not a commander."""
    article = soup(built / "articles" / "putin-kim-summit-2023" / "index.html")
    marker = article.find("a", href="#cite-ap-2023-09-12-top-military-officials")
    assert isinstance(marker, Tag)
    sentence = marker.find_parent("p")
    assert isinstance(sentence, Tag)
    assert "top military officials, including Marshals Ri Pyong Chol and Pak Jong Chon" in words(sentence)
    ri = [words(a) for a in article.find_all("a", href="../../actors/ri-pyong-chol/")]
    assert ri and "top military commander" not in ri
    assert "top military commander" not in words(article)


def fact_row(built: Path, topic: str, label: str) -> Tag:
    """The row of a topic's key-facts table whose header is label."""
    table = soup(built / "topics" / topic / "index.html").find("table", class_="facts")
    assert isinstance(table, Tag)
    rows = [r for r in table.find_all("tr") if (th := r.find("th")) is not None and words(th) == label]
    assert len(rows) == 1, (topic, label)
    return rows[0]


def test_the_2013_designation_names_two_department_officials_and_one_of_the_defence_commission(built: Path) -> None:
    """State, 11 March 2013: Pak To Chun and Chu Kyu Chang (Munitions Industry Department), O Kuk Ryol (NDC)."""
    row = fact_row(built, "munitions-and-arms-transfers", "Munitions Industry Department")
    text = words(row)
    assert ("two of its officials, Pak To Chun and Chu Kyu Chang, and O Kuk Ryol of the National Defence Commission"
            in text)
    assert "three of its officials" not in text
    assert row.find("a", href="../../sources/#state-gov-2013-munitions-industry-department") is not None


def test_ri_pyong_chol_is_listed_by_the_un_under_resolution_2397_as_well_as_by_treasury(built: Path) -> None:
    ri = words(soup(built / "actors" / "ri-pyong-chol" / "index.html"))
    assert "UN Security Council's sanctions list since resolution 2397 of 22 December 2017" in ri
    assert "US Treasury sanctions since 26 December 2017" in ri
    un = words(fact_row(built, "delegation-sanctions", "Ri Pyong Chol, United Nations"))
    assert "Listed under resolution 2397, adopted 22 December 2017" in un
    assert "26 December 2017" in words(fact_row(built, "delegation-sanctions", "Ri Pyong Chol, United States"))
    listed = timeline_entry(built, "ri-pyong-chol-listed-by-un")
    when = listed.find("time")
    assert isinstance(when, Tag) and when.get("datetime") == "2017-12-22"
    assert listed.find("a", href="../actors/ri-pyong-chol/") is not None


def test_ewha_began_classes_in_1886_and_was_named_ewha_haktang_in_1887(built: Path) -> None:
    ewha = words(soup(built / "actors" / "ewha-womans-university" / "index.html"))
    assert "began classes on 31 May 1886; the name Ewha Haktang was given to it in 1887" in ewha
    assert "founded as Ewha Haktang" not in ewha


def test_the_ap_report_of_kims_departure_is_cited_by_its_date_18_september(built: Path) -> None:
    """The source was filed as ap-2023-09-17-kim-heads-home but is dated 18 September: renamed, and cited."""
    assert "ap-2023-09-18-kim-heads-home" in bibliography_ids(soup(built / PAGE))
    departure = timeline_entry(built, "kim-leaves-russia")
    assert departure.find("a", href="../sources/#ap-2023-09-18-kim-heads-home") is not None
    old = "ap-2023-09-17-kim-heads-home"
    assert not [p.relative_to(built).as_posix() for p in pages(built) if old in p.read_text(encoding="utf-8")]
    assert old not in (built / "data" / "briefing.json").read_text(encoding="utf-8")


def test_treasury_releases_are_titled_as_treasury_titled_them(built: Path) -> None:
    """The 27 May 2022 release had a bracketed paraphrase for a title; its real one is known. The
    26 December 2017 release named two officials, so its event says so rather than one name."""
    sources = soup(built / "sources" / "index.html")
    may = sources.find(id="hstoday-2022-05-27-treasury-mid")
    assert isinstance(may, Tag)
    assert ("Treasury Sanctions Individual, Banks, and Trading Company for Supporting North Korea's WMD "
            "and Ballistic Missile Programs") in words(may)
    assert "[" not in words(may).split("Homeland")[0]
    december = timeline_entry(built, "ri-pyong-chol-sanctioned")
    assert "US Treasury sanctions Ri Pyong Chol and Kim Jong Sik" in words(december)


def example_items(built: Path) -> dict[str, dict]:
    items = json.loads((built / "data" / "briefing.json").read_text(encoding="utf-8"))["items"]
    return {item["id"]: item for item in items}


def test_the_delegations_designations_are_those_the_authorities_own_words_give(built: Path) -> None:
    """Issue 22: the State Department designated the Munitions Industry Department on 30 August 2010
    under E.O. 13382 (Treasury's release of 1 April 2022 says so). OFAC's listing of Ri Pyong Chol on
    26 December 2017 stays out: its release was not read, only reports quoting it, so its programme is
    unknown. No UN reference is written without the UN's text; each shows with the event that reports it."""
    items = example_items(built)
    designations = {i: d for i, d in items.items() if d["collection"] == "designations"}
    assert set(designations) == {"mid-us-state-2010"}
    mid = designations["mid-us-state-2010"]
    assert (mid["actor"], mid["by"], mid["program"], mid["date"]) == (
        "munitions-industry-department", "us-state-department", "E.O. 13382", "2010-08-30")
    assert "treasury-2022-mid-subsidiaries" in mid["sources"]
    assert items["treasury-2022-mid-subsidiaries"]["reliability"] == "A"
    for designation in designations.values():
        assert designation["reference"] is None and designation["until"] is None
        assert designation["event"] and items[designation["event"]]["date"] == designation["date"]
        assert designation["shown_at"] == f"actors/{designation['actor']}/#{designation['id']}"
        authority = items[designation["by"]]
        assert authority["kind"] == "organization" and authority["affiliations"] == ["united-states"]


def test_the_sanctions_topic_links_the_sanctions_page(built: Path) -> None:
    topic = soup(built / "topics" / "delegation-sanctions" / "index.html")
    link = topic.find("a", string="sanctions page")
    assert isinstance(link, Tag) and link["href"] == "../../sanctions/"
    matrix = soup(built / "sanctions" / "index.html")
    assert matrix.find("a", href="../actors/munitions-industry-department/#mid-us-state-2010") is not None
