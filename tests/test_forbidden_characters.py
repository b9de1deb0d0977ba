"""Characters XML forbids (a form feed, U+0001, ...) are a warning at their place and never reach the output."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
from conftest import MakeSite, run_cli

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def test_control_characters_are_warned_about_and_never_reach_pages_or_feeds(make_site: MakeSite,
                                                                             tmp_path: Path) -> None:
    site = make_site({
        "content/articles/a.md": ('---\ntitle: "Talks \\x01 open"\ndate: 2023-09-13\nsummary: "Bell\\a here"\n'
                                  "actors: [p]\n---\nA body with a form\x0cfeed.\n\nAnd \x01 one \x02 two.\n"),
        "content/actors/p.yaml": "name: P\x7f Q\nkind: person\nrole: \"Envoy\\x0b\"\n",
    })
    out = tmp_path / "out"
    run = run_cli("build", str(site), "-o", str(out))
    assert run.code == 0, run.err
    assert sorted(run.problems) == [
        "content/actors/p.yaml:1:8: warning: control character U+007F removed: web pages and feeds cannot hold it",
        "content/actors/p.yaml:3:7: warning: control character U+000B removed: web pages and feeds cannot hold it",
        "content/articles/a.md:2:8: warning: control character U+0001 removed: web pages and feeds cannot hold it",
        "content/articles/a.md:4:10: warning: control character U+0007 removed: web pages and feeds cannot hold it",
        "content/articles/a.md:7:19: warning: control character U+000C removed: web pages and feeds cannot hold it",
        ("content/articles/a.md:9:5: warning: control character U+0001 and 1 more removed: web pages and feeds "
         "cannot hold it"),
    ]
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".js", ".txt"):
            assert not FORBIDDEN.search(path.read_text(encoding="utf-8")), path
    for feed in [out / "feed.xml", out / "feeds/p.xml"]:
        ET.parse(feed)  # well-formed XML, or this raises
        parsed = feedparser.parse(feed.read_bytes())
        assert not parsed.bozo and parsed.entries[0].title == "Talks  open"
    assert "A body with a formfeed." in (out / "articles/a/index.html").read_text(encoding="utf-8")


def test_an_escape_past_the_last_unicode_character_is_one_error_at_it(make_site: MakeSite) -> None:
    """PyYAML's own chr() raised ValueError for "\\U00110000" (found by tests/fuzz_load.py)."""
    site = make_site({"content/actors/p.yaml": 'name: P\nkind: person\nsummary: "A \\U00110000 b"\n',
                      "content/articles/a.md": '---\ntitle: "T \\U7FFFFFFF"\ndate: 2023-09-13\n---\nBody.\n'})
    run = run_cli("check", str(site))
    assert run.code == 1 and "Traceback" not in run.err
    assert sorted(run.problems) == [
        ("content/actors/p.yaml:3:13: error: '\\U00110000' is past the last Unicode character (U+10FFFF): write the "
        "character itself"),
        ("content/articles/a.md:2:11: error: '\\U7FFFFFFF' is past the last Unicode character (U+10FFFF): write the "
        "character itself"),
    ]
