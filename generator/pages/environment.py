"""The Jinja environment pages are drawn with: its loaders, the COMPILED templates kept, and its two globals."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import jinja2
from markupsafe import Markup

from .builtin_theme import THEME
from .escaping import Template
from .html import cards
from .html.card_views import Card, LazyCard
from .html.parts import QuoteView


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept for the life of the process, by name, file and a checksum of the source
    (Jinja's own keys), so each run's fresh environment does not compile the same template again."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()

    def kept(self) -> dict[str, bytes]:
        """What this process compiled, for the build cache: the next `briefing build` (a new process)
        compiles no template whose source is unchanged (0.1-0.6 s for the built-in theme's 16)."""
        return dict(self._code)

    def adopt(self, code: dict[str, bytes]) -> None:
        """Compiled templates from the build cache (signed, like the rest of it: bytecode is code). Jinja
        checks each against its source's checksum before use, and compiles a changed one again."""
        for key, data in code.items():
            self._code.setdefault(key, data)


COMPILED = _CompiledTemplates()


def escaped(name: str | None) -> bool:
    """Whether a template's values are escaped for HTML (XML takes the same escapes); a plain text file, such
    as robots.txt, holds them as they are."""
    return not (name or "").endswith(".txt")


class _Environment(jinja2.Environment):
    def make_globals(self, d: Any) -> Any:
        """A template's globals as one dict, not Jinja's ChainMap over the environment's: each page's
        context copies them, and each `{% from "macros.html" import ... %}` subtracts their keys, in C on
        a dict and in Python on a ChainMap (5% of drawing an article's page). The environment's globals
        are all set before any template loads (environment())."""
        return {**self.globals, **(d or {})}


def environment(site_root: Path) -> jinja2.Environment:
    """Templates from the site's templates/ first, then the built-in theme (also as "theme/<name>")."""
    theme = jinja2.FileSystemLoader(str(THEME))
    # "theme/<name>" is always the built-in template, so an override can extend the file it replaces.
    loader = jinja2.ChoiceLoader([jinja2.PrefixLoader({"theme": theme}),
                                  jinja2.FileSystemLoader(str(site_root.resolve() / "templates")), theme])
    env = _Environment(loader=loader, autoescape=escaped, undefined=jinja2.StrictUndefined, auto_reload=False,
                       bytecode_cache=COMPILED, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
                       extensions=["jinja2.ext.do"])
    env.template_class = Template
    env.globals["card_html"] = card_html
    env.globals["quote_html"] = quote_html
    return env  # one per run: no template changes while it lasts, so no auto_reload stat() per page


BUILT_IN_MACROS = str(THEME / "macros.html")
_CARDS: dict[tuple[Any, ...], Markup] = {}
"""(macro's code, environment, card, arguments) -> what the macro drew, in this process."""
CARDS_KEPT = 1 << 14


def card_html(macro: Any, card: Card | LazyCard, *args: Any) -> Markup:
    """`macro(card, *args)`, drawn once per process for equal cards: one card is listed on many pages (an
    actor on every article that names it). Sound for a macro that reads nothing but its arguments, as a
    macro imported without context does (it sees the environment's globals, which are in the key).

    A card drawn with its summary is not kept: the summary's links are relative to its page, and such
    cards seldom repeat (at 5,000 articles, 2,500 repeats of 21,000 cards against 43,000 of 44,500
    without), so keeping them would cost memory for little."""
    if _built_in(macro, "card"):  # the same bytes, a fifth of the time (cards.py)
        if isinstance(card, LazyCard):
            if args and not args[0]:
                return card.drawn()
            card = card.card()
        return cards.draw(card, *args)
    if card.context:  # the sentence of one mention, on one page
        return cast(Markup, macro(card, *args))
    key = (macro._func.__code__, macro._environment, card, args)
    found = _CARDS.get(key)
    if found is None:
        uses = card.summary_of.uses
        found = cast(Markup, macro(card, *args))
        if card.summary_of.uses == uses:  # (whether a macro shows the summary depends on its arguments alone)
            if len(_CARDS) >= CARDS_KEPT:
                _CARDS.clear()  # a long `briefing serve` makes a new environment every run: let old ones go
            _CARDS[key] = found
    return found


def quote_html(macro: Any, quote: QuoteView, *args: Any) -> Markup:
    """`macro(quote, *args)`; the built-in theme's in Python (cards.py), a site's own as it is."""
    if _built_in(macro, "quote_figure"):
        return cards.quote(quote, *args)
    return cast(Markup, macro(quote, *args))


def _built_in(macro: Any, name: str) -> bool:
    """Whether `macro` is the built-in theme's macro of that name (not a site's own macros.html)."""
    return bool(macro.name == name and macro._func.__code__.co_filename == BUILT_IN_MACROS)
