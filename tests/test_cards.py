"""The theme's card and quote drawn in Python (generator/pages/html/cards.py) give the macros' bytes, and a site's
own macros are still the ones used."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from conftest import EXAMPLE, SITES, MakeSite, run_cli

from generator.build.builder import Builder
from generator.pages.builtin_theme import THEME
from generator.pages.environment import environment
from generator.pages.html import cards
from generator.pages.outputs import draw


@pytest.mark.parametrize("site", [SITES / "full", SITES / "niger", SITES / "second", EXAMPLE], ids=lambda p: p.name)
def test_every_card_of_a_site_is_drawn_as_the_macro_draws_it(site: Path) -> None:
    found = Builder(site, jobs=1)._plan()
    seen: Counter[str] = Counter()
    differ = []

    def both(macro: Any, card: Any, *args: Any) -> Any:
        by_macro = macro(card, *args)
        if str(cards.draw(card, *args)) != str(by_macro):
            differ.append((card.id, str(by_macro), str(cards.draw(card, *args))))
        seen.update([card.collection, "summary" if not args or args[0] else "no summary"])
        seen.update(k for k in ("image", "grade", "end", "about", "context", "note", "links", "date", "accounts")
                    if getattr(card, k))
        return by_macro

    def both_quotes(macro: Any, quote: Any, *args: Any) -> Any:
        by_macro = macro(quote, *args)
        if str(cards.quote(quote, *args)) != str(by_macro):
            differ.append((quote.id, str(by_macro), str(cards.quote(quote, *args))))
        seen.update(["quote", "no speaker" if args and not args[0] else "speaker"])
        seen.update(f"quote {k}" for k in ("date", "credibility", "context", "reported_by", "article", "about",
                                             "sources", "cited_by") if getattr(quote, k))
        return by_macro

    env = environment(site)  # globals are set before a template loads (a template keeps its own copy)
    env.globals["card_html"] = both
    env.globals["quote_html"] = both_quotes
    for page in found.pages:
        draw(found.graph, page, env)
    assert not differ, differ[:3]
    assert sum(seen[c] for c in ("actors", "articles", "topics", "events", "quotes", "views", "sources")) > 20
    if site.name == "full":  # every branch of the macro is taken on this site
        assert all(seen[k] for k in ("image", "grade", "end", "about", "context", "note", "links", "date", "accounts",
                                     "summary", "no summary", "views", "quotes", "actors", "speaker", "no speaker",
                                     "quote date", "quote context", "quote about", "quote sources", "quote article",
                                     "quote credibility", "quote reported_by", "quote cited_by")), seen


def test_a_sites_own_card_and_quote_macros_are_used(make_site: MakeSite) -> None:
    own = (THEME / "macros.html").read_text(encoding="utf-8").replace(
        '<p class="card-title">', '<p class="card-title own-card">').replace(
        '<figure class="quote"', '<figure class="quote own-quote"')
    root = make_site({"templates/macros.html": own,
                      "content/actors/kim.yaml": "name: Kim Jong Un\nkind: person\n",
                      "content/actors/putin.yaml": "name: Vladimir Putin\nkind: person\n",
                      "content/articles/summit.md": "---\ntitle: Summit\ndate: 2023-09-13\n---\nKim Jong Un met Vladimir Putin.\n",
                      "content/quotes/q.yaml": "speaker: kim\ntext: We met.\ndate: 2023-09-13\narticle: summit\n"})
    assert run_cli("build", str(root), "-q").code == 0
    page = BeautifulSoup((root / "build/actors/index.html").read_text(encoding="utf-8"), "html.parser")
    titles = page.select("li.card p.card-title")
    assert len(titles) == 2 and all("own-card" in t["class"] for t in titles)
    for page in ("actors/kim/index.html", "articles/summit/index.html"):
        quotes = BeautifulSoup((root / "build" / page).read_text(encoding="utf-8"), "html.parser").select("figure.quote")
        assert len(quotes) == 1 and "own-quote" in quotes[0]["class"], page
