"""Parts drawn once for many pages read on each page as if it had drawn its own (context.Context.shared:
the menu, the side panel's cards), and a plain first paragraph reads as its parse does without one."""

from __future__ import annotations

import itertools
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, SITES

from generator.build import reads as recording
from generator.build.builder import Builder
from generator.graph.markdown import render as render_tokens
from generator.graph.rendering import Links
from generator.pages import context
from generator.pages.html import card_views
from generator.pages.html.text import _first_block, _parsed, paragraph_html, parsed_plain, plain_paragraph


@pytest.fixture(params=["full", "niger", "second", "example", "full, no pretty URLs"])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    name = request.param
    if name == "example":
        return EXAMPLE
    return SITES / "full" if name == "full" else _not_pretty(tmp_path)


def _not_pretty(tmp_path: Path) -> Path:
    """The full sample site with pages as actors/x.html."""
    root = tmp_path / "site"
    shutil.copytree(SITES / "full", root, ignore=shutil.ignore_patterns("build", ".briefing-cache"))
    config = root / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("pretty_urls: true", "pretty_urls: false"),
                      encoding="utf-8")
    return root


def _every_page(root: Path) -> Iterator[tuple[str, str, frozenset[Any]]]:
    found = Builder(root, jobs=1)._plan()
    recording._REMEMBERED.clear()
    for page in found.pages:
        html, reads = recording.render_recorded(found.graph, page, found.env)
        yield page.path, html, reads


def test_a_shared_part_reads_as_the_pages_own(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every page, drawn with the parts shared and with each drawing its own, gives the same bytes and
    the same reads (what the next build compares); both ways of taking a part are taken."""
    drawn_by: Counter[str] = Counter()
    shared = context.Context.shared

    def counted(self: context.Context, key: Any, compute: Callable[..., Any], *args: Any) -> Any:
        def drawing(ctx: context.Context, *a: Any) -> Any:
            drawn_by[type(ctx).__name__] += 1
            return compute(ctx, *a)
        drawn_by["asked"] += 1
        return shared(self, key, drawing, *args)

    monkeypatch.setattr(context.Context, "shared", counted)
    together = list(_every_page(site))
    monkeypatch.setattr(context.Context, "shared", lambda self, key, compute, *args: compute(self, *args))
    alone = list(_every_page(site))
    assert [p for p, _, _ in together] == [p for p, _, _ in alone]
    differ = [p for (p, html, reads), (_, html2, reads2) in zip(together, alone, strict=True)
              if html != html2 or reads != reads2]
    assert not differ, differ[:5]
    # Parts were taken as drawn for other pages (neither drawn for the page nor by it: a page at the root,
    # or one its links lead into, draws its own).
    assert drawn_by["asked"] - drawn_by["_Sibling"] - drawn_by["Context"] > 0 < drawn_by["_Sibling"], drawn_by


def test_a_card_that_links_into_the_pages_folder_is_the_pages_own() -> None:
    """On an organisation's page, its member's card links to the organisation itself: the part drawn
    for the other actors' pages would link one folder up and back."""
    found = Builder(SITES / "full", jobs=1)._plan()
    recording._REMEMBERED.clear()
    g = found.graph
    pairs = [(a.id, r.id) for a in g.site.items.values() if getattr(a, "affiliations", None)
             for r in a.affiliations if r.id in g.items and a.id in g.items]
    assert pairs
    member, org = pairs[0]
    pages = {p.path: p for p in found.pages}
    near = context.Context(g, pages[g.locations[org]], g.urls())
    other = next(p for p in found.pages if p.template == "actor.html" and p.item not in (member, org))
    far = context.Context(g, other, g.urls())
    far_card, near_card = (card_views.LazyCard(c, member).drawn() for c in (far, near))
    assert 'href="./"' in near_card and f'href="../{org}/"' in far_card


def test_a_card_that_links_to_the_page_itself_is_the_pages_own(tmp_path: Path) -> None:
    """Without pretty URLs, a quote's card links to its place on its speaker's page (actors/x.html#q):
    from that page, as the fragment alone."""
    found = Builder(_not_pretty(tmp_path), jobs=1)._plan()
    recording._REMEMBERED.clear()
    g = found.graph
    quote = next(q for q in g.site.items.values() if q.collection == "quotes" and q.id in g.locations)
    speaker = quote.speaker.id
    pages = {p.item: p for p in found.pages if p.template == "actor.html"}
    other = next(i for i in pages if i != speaker)
    drawn = {i: card_views.LazyCard(context.Context(g, pages[i], g.urls()), quote.id).drawn() for i in (other, speaker)}
    assert f'href="{speaker}.html#{quote.id}"' in drawn[other]
    assert f'href="#{quote.id}"' in drawn[speaker]


PIECES = [*"'\"" + " \n\t\r\x00\u00a0*_`[]<>&!~#|:=+-1\\^().", "  ", "\n ", "\n    ", "b", "word", "[[x]]", "1. b", "- b", "<pre", " x\n"]


def _answered(fast: Callable[[str], str | None]) -> Iterator[tuple[str, str]]:
    """(text, what `fast` gave for its first block) for every text of a word and three pieces where it
    answered: more than a thousand of them."""
    answered = 0
    for pieces in itertools.product(PIECES, repeat=3):
        text = "a" + "".join(pieces)
        block = _first_block(text)
        found = fast(block) if block is not None else None
        if found is not None:
            answered += 1
            yield text, found
    assert answered > 1000, answered


def test_a_plain_paragraph_reads_as_its_parse() -> None:
    """Every text of a word and three pieces (each Markdown character, spaces, line ends, a link, list and
    HTML openings): where plain_paragraph answers, it answers as the parse does."""
    for text, fast in _answered(plain_paragraph):
        assert fast == parsed_plain(text, False, str) == parsed_plain(text, True, str), repr(text)


def test_a_plain_paragraph_is_drawn_as_its_parse() -> None:
    """The same texts: where paragraph_html answers, it gives the first paragraph's HTML as rendering
    the parse does."""
    links = Links(lambda i: None, str, "")
    for text, fast in _answered(paragraph_html):
        for raw_html in (False, True):
            html = render_tokens(_parsed(text, raw_html), raw_html, links, "1")
            assert fast == html[html.find("<p>"):html.find("</p>") + 4], repr(text)


@pytest.mark.parametrize("text", ["Plain words.", "Two\nlines  \n  and three ", "Hyphen-ated: 7:30 at 50% off.",
                                  "One\n\nTwo", "Ünïcode “quotes” — dash", "  Led in\n   by spaces \nand   on"])
def test_plain_paragraphs_are_read_without_a_parse(text: str) -> None:
    block = _first_block(text)
    assert block is not None and plain_paragraph(block) == parsed_plain(text, False, str)
    html = render_tokens(_parsed(text, False), False, Links(lambda i: None, str, ""), "1")
    assert paragraph_html(block) == html[:html.find("</p>") + 4]
