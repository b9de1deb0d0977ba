"""A body's headings never take an id the page itself uses: links and aria-labelledby reach the theme's parts."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from conftest import MakeSite, run_cli
from htmlcheck import soup

from generator.build.stamp import THEME
from generator.graph.markdown import RESERVED_FAMILIES, RESERVED_IDS

HEADINGS = ["Main", "Key points", "Corrections", "Article sources", "Cite listed", "Cite ref listed 1", "Fn 1 1",
            "Fnref 1 1", "Sec 1", "P actors", "Site search q", "Corrections", "Quotes"]

ARTICLE = ("---\ntitle: A\ndate: 2023-09-13\nkey_points: [One point.]\nsources: [listed]\nactors: [p]\n"
           "corrections:\n  - {date: 2023-09-14, text: A fix.}\n---\nIntro with a claim [[listed]] and a note.[^1]\n\n"
           + "".join(f"## {h}\n\nText under {h}.\n\n" for h in HEADINGS) + "[^1]: The note.\n")


def test_body_headings_never_take_the_pages_own_ids(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"content/articles/a.md": ARTICLE, "content/sources/s.yaml": "- id: listed\n  title: Listed\n",
                      "content/actors/p.yaml": "name: P\nkind: person\n",
                      "content/quotes/q.yaml": "- id: q1\n  speaker: p\n  text: Words.\n  article: a\n"})
    out = tmp_path / "out"
    run = run_cli("build", str(site), "-o", str(out), "--quiet")
    assert run.code == 0, run.err
    page = soup(out / "articles/a/index.html")
    ids = Counter(str(e["id"]) for e in page.select("[id]"))
    assert [i for i, n in ids.items() if n > 1] == []
    headings = [str(h["id"]) for h in page.select(".body h2")]
    assert len(headings) == len(HEADINGS) and not set(headings) & RESERVED_IDS
    assert headings[:3] == ["main-1", "key-points-1", "corrections-1"]
    assert headings[4] == "section-cite-listed"
    # The theme's parts are where their links and labels say.
    flag = page.select_one("a.corrected")
    assert flag is not None and page.select_one(str(flag["href"])).find_parent("section", class_="corrections")
    for section in page.select("section[aria-labelledby]"):
        label = page.find(id=section["aria-labelledby"])
        assert label is not None and section in label.parents, section["aria-labelledby"]
    for ref in page.select("sup.cite a"):  # a citation marker lands on its entry in the Sources list
        target = page.find(id=str(ref["href"])[1:])
        assert target is not None and target.name == "li" and target.find_parent("ol", class_="citations"), ref

def test_every_id_the_theme_writes_is_reserved() -> None:
    """A new id in a template must join markdown.RESERVED_IDS (or one of its families), or a body heading
    could take it."""
    literal = set()
    for template in THEME.rglob("*.html"):
        literal |= set(re.findall(r'\bid="([a-z][a-z0-9-]*)"', template.read_text(encoding="utf-8")))
        for prefix in re.findall(r'\bid="([a-z][a-z0-9-]*-)\{\{', template.read_text(encoding="utf-8")):
            assert RESERVED_FAMILIES.match(prefix), prefix
    generated = {"graph-title", "arrow", "site-search-q", "site-search-q-panel", "search-page-q", "search-page-q-panel"}
    assert literal | generated <= RESERVED_IDS | {i for i in literal if RESERVED_FAMILIES.match(i)}
    assert literal, "the theme's templates were read"
