"""Issue 21: pages that read right everywhere (the contract's v3 reading rules), checked on built output."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bs4 import BeautifulSoup
from conftest import MakeSite, run_cli


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def text(node: object) -> str:
    """The words as a reader sees them: spaces (no-break ones too) as one, word joiners gone."""
    return " ".join(node.get_text(" ").replace("\u2060", "").split()) if node is not None else ""  # type: ignore[attr-defined]


def built(make_site: MakeSite, tmp_path: Path, files: dict[str, str]) -> Path:
    site = make_site(files)
    out = tmp_path / "out"
    done = run_cli("build", str(site), "-o", str(out), "--quiet", "--strict")
    assert done.code == 0, done.err
    return out


# ---- events take a time of day --------------------------------------------------------------------

SAME_DAY = {  # 24 June 2023 as the trial site had it: sorted by title, it read evening, morning, night
    "seizure": ("Wagner seizes the Rostov headquarters", "2023-06-24T07:30+03:00"),
    "address": ("Putin's address to the nation", "2023-06-24T10:00+03:00"),
    "deal": ("A deal ends the march", "2023-06-24T20:30+03:00"),
    "day": ("Rostov wakes to armoured vehicles", "2023-06-24"),
    "early": ("Statement from Minsk", "2023-06-24T05:00Z"),  # 08:00 in Moscow: after the seizure
    "tie": ("A tie broken by title", "2023-06-24T04:30Z"),  # the seizure's instant, written apart
}


def test_events_take_a_time_of_day_and_the_timeline_orders_the_day_by_instants(make_site: MakeSite,
                                                                               tmp_path: Path) -> None:
    events = "".join(f"- {{id: {k}, title: \"{t}\", date: \"{d}\"}}\n" for k, (t, d) in SAME_DAY.items())
    out = built(make_site, tmp_path, {"content/events/june.yaml": events})

    def key(k: str) -> tuple[bool, datetime, str, str]:  # the contract's rule, by datetime, apart from the code
        written = SAME_DAY[k][1]
        return "T" in written, datetime.fromisoformat(written if "T" in written else written + "T00:00Z"), \
            SAME_DAY[k][0], k
    expected = [SAME_DAY[k][0] for k in sorted(SAME_DAY, key=key)]
    assert expected[:3] == ["Rostov wakes to armoured vehicles", "A tie broken by title",
                            "Wagner seizes the Rostov headquarters"]
    page = soup(out / "timeline/index.html")
    assert [text(e.h3) for e in page.select("li.event")] == expected
    seizure = page.find(id="seizure")
    when = seizure.find("time")
    assert (text(when), when["datetime"]) == ("24 June 2023, 07:30 UTC+03:00", "2023-06-24T07:30+03:00")


def test_an_event_time_needs_its_offset_and_an_end_before_its_start_is_told(make_site: MakeSite) -> None:
    site = make_site({"content/events/e.yaml": "- id: a\n  title: A\n  date: 2023-06-24T07:30\n"
                      "- id: b\n  title: B\n  date: 2023-06-24T07:30+03:00\n  end: 2023-06-24T06:00+03:00\n"
                      "- id: c\n  title: C\n  date: 2023-06-24T07:30+03:00\n  end: 2023-06-24\n"})
    done = run_cli("check", str(site))
    assert done.problems == [
        ("content/events/e.yaml:3:9: error: 'date': a time of day needs its UTC offset, so that readers anywhere "
         "know when it was: write 2023-06-24T07:30+03:00 (three hours ahead of UTC, as in Moscow) or "
         "2023-06-24T07:30Z (UTC)"),
        ("content/events/e.yaml:7:8: error: 'end' (2023-06-24T06:00+03:00) is before 'date' "
         "(2023-06-24T07:30+03:00)")]


# ---- citations outside the article body ---------------------------------------------------------------

CITING = {
    "content/sources/s.yaml": ("- id: listed\n  title: Listed report\n"
                               "- id: peskov-says\n  title: Peskov says criminal case will be dropped\n"
                               "- id: body-only\n  title: Cited in the body alone\n"),
    "content/actors/peskov.yaml": "name: Dmitry Peskov\nkind: person\n",
    "content/articles/deal.md": (
        "---\ntitle: The deal\ndate: 2023-06-24\nsources: [listed]\n"
        "key_points:\n  - \"Prigozhin would leave for Belarus [[peskov-says]]\"\n"
        "  - \"The case would be dropped [[peskov-says]] [[listed]]\"\n---\n"
        "[[peskov]] said the case would be dropped [[peskov-says]]. Fighters may sign contracts "
        "[[body-only]].\n\nA second paragraph [[listed]].\n"),
}
TITLE = "Peskov says criminal case will be dropped"


def test_key_points_cite_with_the_bodys_numbers_read_first(make_site: MakeSite, tmp_path: Path) -> None:
    out = built(make_site, tmp_path, CITING)
    page = soup(out / "articles/deal/index.html")
    points = page.select(".key-points li, ul.key-points li") or page.select("header ul li")
    assert [text(p) for p in points] == ["Prigozhin would leave for Belarus [2]", "The case would be dropped [2] [1]"]
    assert TITLE not in text(page.select_one("main"))[:text(page.select_one("main")).find("Sources")]
    markers = [a["id"] for a in page.select("sup.cite a")]
    assert len(markers) == len(set(markers)) == 6  # one id each, over key points and body
    numbers = {a["href"]: text(a) for a in page.select("sup.cite a")}
    assert numbers == {"#cite-listed": "[1]", "#cite-peskov-says": "[2]", "#cite-body-only": "[3]"}
    listed = [li["id"] for li in page.select("ol.citations > li")]
    assert listed == ["cite-listed", "cite-peskov-says", "cite-body-only"]  # key points before the body
    back = page.find(id="cite-peskov-says").select(".backrefs a")
    assert [a["href"] for a in back] == ["#cite-ref-peskov-says-1", "#cite-ref-peskov-says-2", "#cite-ref-peskov-says-3"]
    assert all(page.find(id=a["href"][1:]) is not None for a in back)


def test_text_from_a_body_shown_elsewhere_leaves_markers_out(make_site: MakeSite, tmp_path: Path) -> None:
    import json

    import feedparser
    out = built(make_site, tmp_path, CITING)
    sentence = "Dmitry Peskov said the case would be dropped. Fighters may sign contracts."
    card = soup(out / "articles/index.html").select_one(".card p:not(.card-title):not(.meta)")
    assert text(card) == sentence  # a card's summary: the body's first paragraph
    description = soup(out / "articles/deal/index.html").find("meta", attrs={"name": "description"})["content"]
    assert description == "Dmitry Peskov said the case would be dropped."
    excerpt = soup(out / "actors/peskov/index.html").select_one("p.context")
    assert text(excerpt) == "Dmitry Peskov said the case would be dropped."
    home = soup(out / "index.html")
    assert TITLE not in text(home) and "[2]" not in text(home)  # the lead's key points
    feed = feedparser.parse((out / "feeds/peskov.xml").read_bytes()).entries[0]
    assert TITLE not in feed.content[0].value and "cite" not in feed.content[0].value
    assert "Prigozhin would leave for Belarus</li>" in feed.content[0].value
    whole = BeautifulSoup(feedparser.parse((out / "feed.xml").read_bytes()).entries[0].content[0].value,
                          "html.parser")
    refs = {a["href"][a["href"].index("#"):] for a in whole.select("sup.cite a")}  # the reader resolves them
    assert refs == {"#cite-listed", "#cite-peskov-says", "#cite-body-only"}
    assert all(whole.find(id=r[1:]) is not None for r in refs)  # the entry carries its sources list
    assert text(whole.find(id="cite-peskov-says")) == TITLE
    rows = [row for path in (out / "search/d").iterdir()
            for row in json.loads(path.read_text()[path.read_text().index(",") + 1:-3])]
    article = next(r for r in rows if r[1] == "The deal")
    assert TITLE not in article[4] and "dropped. Fighters" in article[4]


# ---- one spelling, and messages that read as English ----------------------------------------------------

ORGS = {"content/actors/wagner.yaml": "name: Wagner Group\nkind: organization\nrelations:\n  - {to: putin, type: ally}\n",
        "content/actors/putin.yaml": "name: Vladimir Putin\nkind: person\n"}


def test_one_spelling_by_the_sites_language(make_site: MakeSite, tmp_path: Path) -> None:
    for language, word in (("en-GB", "Organisation"), ("en", "Organisation"), ("en-US", "Organization")):
        out = built(make_site, tmp_path / language, {
            **ORGS, "site.yaml": f"title: T\nbase_url: https://example.org/t/\nlanguage: {language}\n"})
        wrong = "Organization" if word == "Organisation" else "Organisation"
        shown = [text(soup(out / p)) for p in ("actors/wagner/index.html", "actors/index.html", "graph/index.html")]
        assert all(wrong.lower() not in s.lower() for s in shown), language
        assert text(soup(out / "actors/wagner/index.html").select_one(".badge")) == word.lower()
        assert word + "s" in [text(h) for h in soup(out / "actors/index.html").select("h2")]
        assert word + "s" in text(soup(out / "graph/index.html").select_one("main"))  # the map's legend


def test_a_media_actor_is_a_media_outlet_in_messages(make_site: MakeSite) -> None:
    site = make_site({"content/actors/reuters.yaml": "name: Reuters\nkind: media\n",
                      "content/views/v.yaml": "id: v\ntitle: V\nexpert: reuters\nsummary: S.\n"})
    done = run_cli("check", str(site))
    assert done.problems == ["content/views/v.yaml:3:9: error: 'expert' takes people, but 'reuters' is a media outlet"]


# ---- former relations read as English ---------------------------------------------------------------------

def test_a_former_relation_reads_as_english(make_site: MakeSite, tmp_path: Path) -> None:
    out = built(make_site, tmp_path, {
        "content/actors/prigozhin.yaml": ("name: Yevgeny Prigozhin\nkind: person\nrelations:\n"
                                          "  - {to: wagner, type: founder-of, since: 2014, until: 2023-08}\n"),
        "content/actors/wagner.yaml": ("name: Wagner Group\nkind: organization\nrelations:\n"
                                       "  - {to: russia, type: fought-alongside, since: 2022, until: 2023-07}\n"
                                       "  - {to: russia, type: paid-by, since: 2022}\n"),
        "content/actors/russia.yaml": "name: Russia\nkind: state\n"})
    rows = soup(out / "actors/wagner/index.html").select("table.relations tbody tr")
    read = {text(r.select_one("td")): (text(r.select("td")[1]), "former" in (r.get("class") or [])) for r in rows}
    assert read == {"Yevgeny Prigozhin former founder of Wagner Group": ("2014 – August 2023", True),
                    "Wagner Group fought alongside Russia": ("2022 – July 2023", True),
                    "Wagner Group paid by Russia": ("since 2022", False)}
    graph = soup(out / "graph/index.html")
    assert sorted(text(t) for t in graph.select("text.g-edge-label")) == ["former founder of", "fought alongside",
                                                                          "paid by"]
    assert sorted(a["aria-label"] for a in graph.select("a.g-edge-link")) == [
        "Wagner Group fought alongside Russia, a former relation", "Wagner Group paid by Russia",
        "Yevgeny Prigozhin former founder of Wagner Group"]
    assert "former fought" not in text(graph) + text(soup(out / "actors/wagner/index.html"))


# ---- the timeline -----------------------------------------------------------------------------------------

def test_the_timeline_shows_an_article_once_and_its_actor_menu_in_sort_form(make_site: MakeSite,
                                                                             tmp_path: Path) -> None:
    out = built(make_site, tmp_path, {
        "content/actors/lukashenko.yaml": "name: Alexander Lukashenko\nsort_name: Lukashenko, Alexander\nkind: person\n",
        "content/actors/peskov.yaml": "name: Dmitry Peskov\nsort_name: Peskov, Dmitry\nkind: person\n",
        "content/actors/belarus.yaml": "name: Belarus\nkind: state\n",
        "content/events/deal.yaml": "id: deal\ntitle: A deal\ndate: 2023-06-24\narticle: story\n"
                                    "actors: [peskov, lukashenko, belarus]\n",
        "content/articles/story.md": "---\ntitle: The story\ndate: 2023-06-25\n---\nSee [[deal]].\n",
        "content/articles/other.md": "---\ntitle: Another story\ndate: 2023-06-26\n---\nAlso [[deal]].\n"})
    event = soup(out / "timeline/index.html").find(id="deal")
    tags = {text(p.select_one(".tag-label")): [text(a) for a in p.select("a")] for p in event.select("p.tags")}
    assert tags["Article:"] == ["The story"]
    assert "The story" not in " ".join(tags.get("Referenced by:", [])) and "Another story" in tags["Referenced by:"][0]
    menu = [text(o) for o in soup(out / "timeline/index.html").select("#f-actor option")]
    assert menu == ["All actors", "Belarus", "Lukashenko, Alexander", "Peskov, Dmitry"]


# ---- the article's own sidebar ----------------------------------------------------------------------------

def test_an_articles_sidebar_does_not_point_at_the_page_it_is_on(make_site: MakeSite, tmp_path: Path) -> None:
    out = built(make_site, tmp_path, {
        **CITING,
        "content/quotes/q.yaml": ("id: no-more\nspeaker: peskov\ntext: There are no more conditions.\n"
                                  "article: deal\nsources: [peskov-says, elsewhere]\n"),
        "content/sources/elsewhere.yaml": "title: A report the article does not cite\n",
        "content/articles/deal.md": CITING["content/articles/deal.md"].replace("\n\nA second", " [[no-more]]\n\nA second"),
    })
    page = soup(out / "articles/deal/index.html")
    caption = page.select_one("figure#no-more figcaption")
    assert "The deal" not in text(caption)  # neither "in The deal" nor "cited in The deal"
    links = {text(a): a["href"] for a in caption.select("a")}
    assert links["[2]"] == "#cite-peskov-says" and page.find(id="cite-peskov-says") is not None
    assert TITLE not in text(caption) and "A report the article does not cite" in links
    speaker = soup(out / "actors/peskov/index.html").select_one("figure#no-more figcaption")
    assert "in The deal" in text(speaker) and "cited in The deal" in text(speaker) and TITLE in text(speaker)


# ---- messages a writer needs ------------------------------------------------------------------------------

def test_messages_a_new_writer_needs(make_site: MakeSite) -> None:
    site = make_site({
        "content/actors/wagner.yaml": "name: Wagner Group\nkind: organization\nformerly: [wagner-pmc]\n"
                                      "aliases:\n  - PMC Wagner\n  - The Orchestra\n",
        "content/actors/other.yaml": "name: Other\nkind: organization\naliases: [The Orchestra]\n"
                                     "image: {src: img/wagner-logos.svg, alt: Logo}\n",
        "content/actors/dmitri-peskov.yaml": "name: Dmitri Peskov\nkind: person\n"
                                             "image: {src: static/img/wagner-logo.svg, alt: Logo}\n",
        "content/actors/kindless.yaml": "name: No Kind\n",
        "static/img/wagner-logo.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
        "content/sources/s.yaml": "title: S\nreliability: B2\n",
        "content/events/e.yaml": "id: e\ntitle: E\ndate: 2023-06-24\ncredibility: B2\n",
        "content/events/f.yaml": "id: f\ntitle: F\ndate: 2023-06-24\nactors: [wagner-pmc, peskov-dmitry]\n"
                                 "summary: See [[wagner-pmc]] and [[peskov-dmitry]].\n"})
    said = run_cli("check", str(site)).problems
    assert said == [
        ("content/actors/dmitri-peskov.yaml:3:8: error: image 'static/img/wagner-logo.svg' not found under static/: "
        "an image is named from inside static/, so write 'img/wagner-logo.svg'"),
        "content/actors/kindless.yaml:1:1: error: actor needs 'kind': one of person, state, organization, media",
        ("content/actors/other.yaml:4:8: error: image 'img/wagner-logos.svg' not found under static/ "
        "(did you mean 'img/wagner-logo.svg'?)"),
        ("content/actors/wagner.yaml:6:5: warning: the name 'The Orchestra' is claimed by other and wagner: it is "
        "never linked or counted; write [[id]] to choose"),
        ("content/events/e.yaml:4:14: error: 'credibility' must be one of 1 (confirmed by other sources); 2 (probably "
        "true); 3 (possibly true); 4 (doubtful); 5 (improbable); 6 (cannot be judged); not 'B2': 'B2' is two "
        "grades: the letter is the source's reliability ('reliability: B' on the source), the number this item's "
        "credibility: write '2' here"),
        ("content/events/f.yaml:4:10: error: unknown id 'wagner-pmc' in 'actors': it was renamed to 'wagner' "
        "(formerly in content/actors/wagner.yaml:3); link the new id"),
        "content/events/f.yaml:4:22: error: unknown id 'peskov-dmitry' in 'actors' (did you mean 'dmitri-peskov'?)",
        ("content/events/f.yaml:5:10: error: unknown id 'peskov-dmitry' in [[...]] link (did you mean "
         "'dmitri-peskov'?)"),
        ("content/events/f.yaml:5:10: error: unknown id 'wagner-pmc' in [[...]] link: it was renamed to 'wagner' "
         "(formerly in content/actors/wagner.yaml:3); link the new id"),
        ("content/sources/s.yaml:2:14: error: 'reliability' must be one of A (completely reliable); B (usually "
        "reliable); C (fairly reliable); D (not usually reliable); E (unreliable); F (cannot be judged); not 'B2': "
        "'B2' is two grades: the letter is this source's reliability, the number the credibility of an item that "
        "cites it ('credibility: 2' on that event or quote): write 'B' here")]


def test_new_prints_commands_that_run_as_printed(tmp_path: Path) -> None:
    import os
    import shlex
    import subprocess
    import sys
    script = Path(sys.executable).parent / "briefing"  # the venv's, not on PATH: as a newcomer runs it
    env = {**os.environ, "PATH": "/usr/bin:/bin"}
    done = subprocess.run([str(script), "new", str(tmp_path / "site")], capture_output=True, text=True, env=env,
                          cwd=tmp_path, check=True)
    build = next(line for line in done.stdout.splitlines() if " build " in line).split(".", 1)[1].split("   (")[0].strip()
    assert build.startswith(shlex.quote(str(script)))
    ran = subprocess.run([*shlex.split(build), "--quiet"], capture_output=True, text=True, env=env, cwd=tmp_path,
                         check=False)
    assert ran.returncode == 0, ran.stderr
    assert (tmp_path / "site/build/index.html").is_file()


def test_serves_log_names_the_content_it_reads_not_an_editors_files(tmp_path: Path) -> None:
    from generator.serve.rebuild import ChangeKind, _what, classify
    root = tmp_path / "site"
    assert classify(root, str(root / "content/articles/4913")) is None  # vim's test of the folder
    assert classify(root, str(root / "content/articles/a.md___jb_tmp___")) is None
    changes = {(ChangeKind.CONTENT, str(root / "content/articles/a.md")),
               (ChangeKind.CONTENT, str(root / "content/articles/a.md.tmp.1234"))}
    assert _what(changes) == "a.md changed"


def test_the_docs_list_formerly_on_every_collection_that_takes_it() -> None:
    """Each collection whose items take `formerly` (by the validator's own fields) names it in its section."""
    from generator.content.validate import SPECS
    docs = (Path(__file__).parent.parent / "docs/content-format.md").read_text(encoding="utf-8")
    sections = {part.split("`content/", 1)[1].split("/", 1)[0]: part for part in docs.split("\n## ")[1:]
                if "`content/" in part.split("\n", 1)[0]}
    taking = sorted(c for c, (_, spec) in SPECS.items() if "formerly" in spec)
    assert taking == ["actors", "articles", "topics", "views"]
    assert [c for c in taking if "`formerly`" not in sections[c] and "formerly:" not in sections[c]] == []


def test_the_trial_site_reads_right(tmp_path: Path) -> None:
    """The points of issue 21 on tests/sites/mutiny, the site modelled on the trial briefing that found them."""
    from conftest import SITES
    out = tmp_path / "out"
    done = run_cli("build", str(SITES / "mutiny"), "-o", str(out), "--quiet", "--strict")
    assert done.code == 0, done.err
    timeline = soup(out / "timeline/index.html")
    june24 = [e["id"] for e in timeline.select("li.event") if text(e.select_one(".when")).startswith("24 June 2023")]
    assert june24 == ["counter-terrorism-regime", "kremlin-announces-terms", "rostov-hq-video", "putin-address",
                      "lukashenko-briefs-putin"]  # bare days first, then 04:30Z, 07:00Z, 18:00Z as instants
    menu = [text(o) for o in timeline.select("#f-actor option")]
    assert "Lukashenko, Alexander" in menu and "Prigozhin, Yevgeny" in menu
    wagner = soup(out / "actors/wagner-group/index.html")
    rows = [text(tr.td) for tr in wagner.select("table.relations tbody tr.former")]
    assert "Wagner Group fought alongside Russian Ministry of Defence" in rows
    assert "Yevgeny Prigozhin former head of Wagner Group" in rows
    assert text(wagner.select_one(".badge")) == "organisation"
    article = soup(out / "articles/wagner-mutiny-24-hours/index.html")
    points = article.select(".key-points li, ul.key-points li") or article.select("header ul li")
    assert any(p.select_one("sup.cite") for p in points)
    assert all(article.find(id=a["href"][1:]) is not None for a in article.select("sup.cite a"))
    captions = " ".join(text(c) for c in article.select("figure.quote figcaption"))
    assert "Twenty-four hours of mutiny" not in captions


def test_a_link_broken_over_two_lines_still_links(make_site: MakeSite, tmp_path: Path) -> None:
    """A writer who wraps lines splits a [[...]] now and then: it links as if written on one line (the trial
    site printed '[[kyiv-independent|could not verify]]' as text, with no message)."""
    out = built(make_site, tmp_path, {
        "content/actors/utkin.yaml": "name: Dmitry Utkin\nkind: person\n",
        "content/sources/kyiv.yaml": "title: Kyiv Independent report\n",
        "content/articles/a.md": "---\ntitle: A\ndate: 2023-08-24\n---\nThe reports [[kyiv|could not\nverify]] it; "
                                 "[[Dmitry\nUtkin]] was on board.\n"})
    body = soup(out / "articles/a/index.html").select_one(".prose, article")
    assert "[[" not in text(body)
    links = {text(a): a["href"] for a in body.select("a.ref")}
    assert links["could not verify"] == "#cite-kyiv" and links["Dmitry Utkin"] == "../../actors/utkin/"
