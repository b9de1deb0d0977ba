"""The theme's card and quote (macros.html, `card` and `quote_figure`) drawn in Python: the same bytes.

A list page is mostly cards (an actor's or topic's page shows some 170 at 5,000 articles), and the
macro, with the five small macros it calls, cost 100 µs a card; this costs a fifth of that, which
took actor, topic and list pages from 16.1 to 11.0 ms each (benchmarks/make_site.py, 5,000 articles).
A quote (on every article's and speaker's page) is the same story. environment.card_html and
environment.quote_html draw with these only where a template calls the built-in macro; a site's own
macros.html keeps its own. tests/test_cards.py holds each pair to the same output on every card and
quote of the test sites.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from markupsafe import Markup

from ..escaping import escape


class _Link(Protocol):
    text: str
    url: str | None


def draw(c: Any, summary: bool = True) -> Markup:
    """What `{{ card(c, summary) }}` gives with the theme's macros.html (c: a card_views.Card)."""
    out = [f'  <li class="card card-{escape(c.collection)}', f' kind-{escape(c.kind)}">\n' if c.kind else '">\n']
    if c.image:
        i = c.image
        size = f' width="{escape(i.width)}" height="{escape(i.height)}"' if i.width else ""
        out.append(f'<img class="card-image" src="{escape(i.src)}" alt="{escape(i.alt)}"{size} loading="lazy">')
    out.append(f'    <p class="card-title">{_link(c.url, c.title)}</p>\n')
    if c.date or c.note or c.links or c.grade:
        out.append(f'    <p class="meta">{" · ".join(_meta(c))}\n    </p>\n')
    if c.context:
        out.append(f'<p class="context">{escape(c.context)}</p>')
    elif summary:
        out.append(str(escape(c.summary)))
    if c.accounts:
        out.append(accounts(c.accounts))
    if c.about:
        out.append(f'<p class="meta">About {_links(c.about)}</p>')
    out.append("  </li>\n")
    return Markup("".join(out))


def quote(q: Any, show_speaker: bool = True) -> Markup:
    """What `{{ quote_figure(q, show_speaker) }}` gives with the theme's macros.html (q: a parts.QuoteView)."""
    parts = [_link(q.speaker.url, q.speaker.text)] if show_speaker else []
    if q.date:
        parts.append(_date(q.date))
    if q.credibility:
        parts.append(_grade(q.credibility))
    if q.context:
        parts.append(str(escape(q.context)))
    if q.reported_by:
        parts.append("reported by " + _link(q.reported_by.url, q.reported_by.text))
    if q.article:
        parts.append("in " + _link(q.article.url, q.article.text))
    for label, links in (("about", q.about), ("sources:", q.sources), ("cited in", q.cited_by)):
        if links:
            parts.append(f"{label} {_links(links)}")
    caption = f'<figcaption>{" · ".join(parts)}</figcaption>' if parts else ""
    return Markup(f'<figure class="quote" id="{escape(q.id)}">\n  <blockquote><p>{escape(q.text)}</p></blockquote>\n'
                  f"{caption}</figure>\n")


def accounts(list_: Sequence[Any]) -> str:
    """What `{{ accounts(list) }}` gives with the theme's macros.html (list: views.AccountView)."""
    out = ['<div class="accounts"><p class="accounts-head">Accounts differ</p><ul class="account-list">']
    for a in list_:
        by = (_grade(a.reliability) + " " if a.reliability else "") + _link(a.source.url, a.source.text)
        says = (_grade(a.credibility) + " " if a.credibility else "") + str(escape(a.says))
        out.append(f'<li class="account"><p class="account-by">{by}</p><div class="account-says">{says}</div></li>')
    return "".join(out) + "</ul></div>\n"


def _meta(c: Any) -> list[str]:
    """The parts of the line under the title, in the macro's order."""
    parts = []
    if c.date:
        parts.append(_date(c.date) + (f" – {_date(c.end)}" if c.end else ""))
    if c.grade:
        parts.append(_grade(c.grade))
    if c.collection == "views" and c.links:
        parts.append(_links(c.links[:1]))
    if c.note:
        parts.append(str(escape(c.note)))
    if c.collection == "views" and len(c.links) > 1:
        parts.append(_links(c.links[1:]))
    if c.collection == "actors" and c.links:
        parts.append(_links(c.links))
    if c.collection == "quotes" and c.links:
        parts.append("reported by " + _links(c.links))
    return parts


def _grade(g: Any) -> str:
    return (f'<span class="grade grade-{escape(g.scale)}" title="{escape(g.scale.capitalize())} {escape(g.code)}: '
            f'{escape(g.meaning)}">{escape(g.code)}<span class="visually-hidden">: {escape(g.meaning)}</span></span>')


def _date(d: Any) -> str:
    return f'<time datetime="{escape(d.iso)}">{escape(d.text)}</time>' if d else ""


def _link(url: str | None, text: str) -> str:
    return f'<a href="{escape(url)}">{escape(text)}</a>' if url is not None else str(escape(text))


def _links(links: Sequence[_Link]) -> str:
    return ", ".join(_link(link.url, link.text) for link in links)
