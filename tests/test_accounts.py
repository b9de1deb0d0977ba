"""Issue 22: an event's `accounts` (contract v3), where sources disagree, read back from built output: on
every page that shows the event, in the bibliography, data/briefing.json, search and `check`."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from bs4 import BeautifulSoup, Tag
from conftest import EXAMPLE, MakeSite, run_cli
from test_search import find, read_index

SITE = {
    "content/actors/people.yaml": "- id: putin\n  name: Vladimir Putin\n  kind: person\n"
                                  "- id: kim\n  name: Kim Jong Un\n  kind: person\n",
    "content/topics/summits.yaml": "title: Summits\n",
    "content/sources/s.yaml": ("- id: tass\n  title: Five hours at Vostochny\n  publisher: TASS\n  reliability: C\n"
                               "- id: interfax\n  title: Kim invites Putin\n  publisher: Interfax\n  reliability: B\n"
                               "- id: kcna\n  title: KCNA report\n"),
    "content/events/summit.yaml": (
        "title: The Vostochny summit\ndate: 2023-09-13\nactors: [putin, kim]\ntopics: [summits]\n"
        "sources: [kcna]\narticle: visit\ncredibility: 1\n"
        "accounts:\n"
        "  - source: tass\n    says: The meeting lasted **more than five hours**, [[kim]] included.\n    credibility: 2\n"
        "  - source: interfax\n    says: The talks went on for more than four hours.\n"),
    "content/articles/visit.md": "---\ntitle: Kim in Russia\ndate: 2023-09-14\n---\nKim Jong Un met Vladimir Putin.\n",
}
"""Interfax is cited by the account alone."""

PAGES = {"timeline/index.html": "#summit", "actors/putin/index.html": "li.card-events",
         "actors/kim/index.html": "li.card-events", "topics/summits/index.html": "li.card-events",
         "articles/visit/index.html": "aside li.card-events", "index.html": "li.card-events"}
"""Every page that shows the event, and where on it."""


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def text(node: object) -> str:
    return " ".join(node.get_text(" ").split()) if node is not None else ""  # type: ignore[attr-defined]


@pytest.fixture
def out(make_site: MakeSite, tmp_path: Path) -> Path:
    site = make_site(SITE)
    target = tmp_path / "out"
    done = run_cli("build", str(site), "-o", str(target), "--quiet", "--strict")
    assert done.code == 0, done.err
    return target


def accounts(page: Path, where: str) -> tuple[Tag, list[tuple[str, str | None, str, str]]]:
    """The event's entry on a page, and each account as (source and its grade, where its title leads,
    the account's own grade, what it says)."""
    entry = soup(page).select_one(where)
    assert entry is not None, page
    found = []
    for li in entry.select(".accounts li.account"):
        by, says = li.select_one(".account-by"), li.select_one(".account-says")
        grade = says.select_one(".grade")
        found.append((text(by), by.a.get("href"), text(grade), text(says).removeprefix(text(grade)).strip()))
    return entry, found


def test_accounts_show_beside_their_graded_sources_wherever_the_event_is_shown(out: Path) -> None:
    for page, where in PAGES.items():
        entry, found = accounts(out / page, where)
        assert text(entry.select_one(".accounts-head")) == "Accounts differ", page
        assert [(by, grade, says) for by, _, grade, says in found] == [
            ("C : fairly reliable Five hours at Vostochny", "2 : probably true",
             "The meeting lasted more than five hours , Kim Jong Un included."),
            ("B : usually reliable Kim invites Putin", "", "The talks went on for more than four hours.")], page
        for (_, href, _, _), source in zip(found, ("tass", "interfax"), strict=True):  # to its bibliography entry
            path, _, fragment = (href or "").partition("#")
            assert ((out / page).parent / path).resolve() == (out / "sources").resolve(), (page, href)
            assert fragment == source and soup(out / "sources/index.html").find(id=source), (page, href)
        grades = [text(g) for g in entry.select(".grade") if not g.find_parent(class_="accounts")]
        assert grades == ["1 : confirmed by other sources"], page  # the event's own grade, as before
    timeline = soup(out / "timeline/index.html")
    said = timeline.select_one("#summit .account-says a")
    assert said is not None and said["href"] == "../actors/kim/"  # [[id]] in what an account says links
    assert text(timeline.select_one("#summit .account-says strong")) == "more than five hours"


def test_a_source_only_an_account_cites_is_cited_by_the_event_and_graded_in_the_legend(out: Path) -> None:
    page = soup(out / "sources/index.html")
    assert text(page.select_one("#interfax .meta")) == "Cited by The Vostochny summit"
    assert page.select_one("#interfax .meta a")["href"] == "../timeline/#summit"
    legend = [text(h) for h in page.select(".grading h3")]
    assert legend == ["Reliability of a source", "Credibility of an event, an account or a quote"]


def test_the_legend_is_shown_when_only_an_account_is_graded(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"content/sources/s.yaml": "- id: a\n  title: A\n- id: b\n  title: B\n",
                      "content/events/e.yaml": "title: E\ndate: 2023\naccounts:\n  - {source: a, says: One.}\n"
                                               "  - {source: b, says: Two., credibility: 5}\n"})
    assert run_cli("build", str(site), "-o", str(tmp_path / "out"), "-q").code == 0
    page = soup(tmp_path / "out/sources/index.html")
    assert "5 improbable" in [text(d) for d in page.select(".grade-legend div")]


def test_accounts_are_in_the_json_export_and_its_schema(out: Path) -> None:
    data = json.loads((out / "data/briefing.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, json.loads((out / "data/briefing.schema.json").read_text(encoding="utf-8")))
    event = next(i for i in data["items"] if i["id"] == "summit")
    assert event["accounts"] == [
        {"source": "tass", "says": "The meeting lasted **more than five hours**, [[kim]] included.", "credibility": "2"},
        {"source": "interfax", "says": "The talks went on for more than four hours.", "credibility": None}]
    assert {"id": "interfax", "via": "accounts"} in event["references"]
    interfax = next(i for i in data["items"] if i["id"] == "interfax")
    assert interfax["referenced_by"] == [{"id": "summit", "via": "accounts"}]
    schema = json.loads((out / "data/briefing.schema.json").read_text(encoding="utf-8"))
    event["accounts"][0]["credibility"] = 2  # a grade is written as text
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_search_finds_an_event_by_what_its_accounts_say(out: Path) -> None:
    _, results, postings = read_index(out)
    hits = [results[n][1] for n in find(postings, "four hours")]
    assert hits == ["The Vostochny summit"]


def test_mistakes_in_accounts_are_one_line_each_at_their_place(make_site: MakeSite) -> None:
    site = make_site({
        "content/sources/s.yaml": "- id: tass\n  title: T\n- id: interfax\n  title: I\n",
        "content/events/e.yaml": (
            "- id: one\n  title: One\n  date: 2023\n  accounts:\n    - {source: tass, says: Five hours.}\n"
            "- id: unknown\n  title: Unknown\n  date: 2023\n  accounts:\n    - {source: tas, says: Five.}\n"
            "    - {source: interfax, says: 'Four, says [[intrefax]].'}\n"
            "- id: graded\n  title: Graded\n  date: 2023\n  accounts:\n    - {source: tass, says: Five., credibility: B2}\n"
            "    - {source: interfax, says: Four.}\n"
            "- id: silent\n  title: Silent\n  date: 2023\n  accounts:\n    - {source: tass}\n"
            "    - {source: interfax, says: Four.}\n")})
    done = run_cli("check", str(site))
    assert done.problems == [
        ("content/events/e.yaml:5:5: error: 'accounts' lists one account; accounts show sources that disagree, so "
        "give two or more (a single version belongs in 'summary', its source in 'sources')"),
        "content/events/e.yaml:10:16: error: unknown id 'tas' in 'accounts' (did you mean 'tass'?)",
        "content/events/e.yaml:11:32: error: unknown id 'intrefax' in [[...]] link (did you mean 'interfax'?)",
        ("content/events/e.yaml:16:48: error: 'credibility' must be one of 1 (confirmed by other sources); 2 "
        "(probably true); 3 (possibly true); 4 (doubtful); 5 (improbable); 6 (cannot be judged); not 'B2': 'B2' is "
        "two grades: the letter is the source's reliability ('reliability: B' on the source), the number this "
        "item's credibility: write '2' here"),
        "content/events/e.yaml:22:7: error: 'accounts' needs 'says'"]


def test_footnotes_in_an_account_are_left_out_so_no_id_repeats(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({**SITE, "content/events/summit.yaml": SITE["content/events/summit.yaml"].replace(
        "says: The talks went on for more than four hours.", "says: |\n      The talks went on for more than four "
        "hours.[^1]\n\n      [^1]: Interfax, from Hong Kong.")})
    assert run_cli("build", str(site), "-o", str(tmp_path / "out"), "-q", "--strict").code == 0
    for page, where in PAGES.items():
        entry, found = accounts(tmp_path / "out" / page, where)
        assert found[1][3] == "The talks went on for more than four hours.", page
        ids = [t["id"] for t in soup(tmp_path / "out" / page).select("[id]")]
        assert len(ids) == len(set(ids)) and not entry.select(".footnotes, .footnote-ref"), page


def test_the_example_shows_the_disagreement_over_the_length_of_the_vostochny_talks(tmp_path: Path) -> None:
    assert run_cli("check", "--strict", str(EXAMPLE)).code == 0
    done = run_cli("build", str(EXAMPLE), "-o", str(tmp_path / "out"), "--quiet")
    assert done.code == 0, done.err
    entry, found = accounts(tmp_path / "out/timeline/index.html", "#vostochny-summit")
    assert text(entry.select_one(".accounts-head")) == "Accounts differ"
    assert [text(a) for a in entry.select(".account-by a")] == [
        "Five hours at Vostochny Spaceport: Putin, Kim Jong Un meet again four years later",
        "Kim Jong Un invites Putin to visit N. Korea - media"]
    assert "more than five-hour-long meeting" in found[0][3] and "more than four hours" in found[1][3]


def test_the_docs_give_accounts_with_an_example_from_the_example_site() -> None:
    import yaml

    docs = (EXAMPLE / "docs/content-format.md").read_text(encoding="utf-8")
    events = next(part for part in docs.split("\n## ") if part.startswith("Events"))
    assert "`accounts`" in events and '"Accounts differ"' in events
    example = yaml.safe_load(events.split("```yaml\n", 1)[1].split("```", 1)[0])["accounts"]
    written = {p.stem for p in (EXAMPLE / "content/sources").rglob("*.yaml")}
    assert len(example) >= 2 and all(a["source"] in written for a in example)
