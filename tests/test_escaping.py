"""generator.pages.escaping.escape gives what markupsafe.escape gives, and the templates use it."""

from __future__ import annotations

from pathlib import Path

import markupsafe
from hypothesis import given
from hypothesis import strategies as st

from generator.content.model import PartialDate
from generator.pages import escaping
from generator.pages.environment import environment


class Html:
    def __html__(self) -> str:
        return "<b>safe</b>"


class Text(str):
    pass


def same(value: object) -> None:
    ours, theirs = escaping.escape(value), markupsafe.escape(value)
    assert type(ours) is type(theirs) is markupsafe.Markup
    assert ours == theirs


@given(st.text())
def test_any_text_escapes_as_markupsafe_escapes_it(text: str) -> None:
    same(text)
    same(markupsafe.Markup(text))
    same(Text(text))


def test_other_values_escape_as_markupsafe_escapes_them() -> None:
    for value in ("", "a & b", "<script>'\"</script>", 7, 2.5, None, True, Html(), ("<",),
                  markupsafe.Markup("<i>kept</i>"), PartialDate.parse("2023-09-13")):
        same(value)


def test_templates_escape_with_it(tmp_path: Path) -> None:
    env = environment(tmp_path)
    template = env.from_string("{{ a }}|{{ b }}|{{ c }}")
    assert template.root_render_func.__globals__["escape"] is escaping.escape
    html = template.render(a="<Kim & \"Putin\">", b=markupsafe.Markup("<em>x</em>"), c=3)
    assert html == "&lt;Kim &amp; &#34;Putin&#34;&gt;|<em>x</em>|3"
