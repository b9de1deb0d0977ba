"""Our Markdown dialect stays CommonMark: each spec example renders as plain markdown-it-py renders it,
except for the differences listed in ALLOWED, each with its reason."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from generator.graph.markdown import parse, render
from generator.graph.rendering import Links

REPO = Path(__file__).parent.parent
SPEC = REPO / ".tools" / "commonmark-spec" / "spec.txt"
"""From the npm package commonmark-spec 0.31.2, fetched by .ci/install-tools."""
SPEC_SHOWN = SPEC.relative_to(REPO).as_posix()

# The regex commonmark-spec's index.js splits spec.txt with, and the cut it makes first.
EXAMPLE_RE = re.compile(r"^`{32} example\n([\s\S]*?)^\.\n([\s\S]*?)^`{32}$|^#{1,6} *(.*)$", re.MULTILINE)
END_OF_TESTS = "\n<!-- END TESTS -->"
EXAMPLE_COUNT = 652
SPEC_PASSES_AT_LEAST = 649
"""Plain markdown-it-py misses 3 examples (218, 239, 240) only by the newline inside an empty <blockquote>."""

LINKS = Links(href=lambda item_id: "target.html", name=lambda item_id: item_id, root="")
PLAIN = MarkdownIt("commonmark", {"html": True})


@dataclass(frozen=True, slots=True)
class Example:
    number: int
    section: str
    line: int
    """1-based line of the example's opening fence in spec.txt."""
    markdown: str
    html: str
    """The spec's expected HTML."""

    @property
    def where(self) -> str:
        return f"{SPEC_SHOWN}:{self.line}: example {self.number} ({self.section})"


@dataclass(frozen=True, slots=True)
class Difference:
    """Why an example may render differently from CommonMark, and a check that that is the whole difference."""

    why: str
    explains: Callable[[Example, str, str], bool]
    """(example, CommonMark's html, ours) -> True when `why` accounts for ours."""


ROOT_URL_RE = re.compile(r'\b(href|src)="/(?!/)')

WIKILINK = Difference(
    "our [[id]] link rule takes '[[...]]', which CommonMark reads as brackets around a link or as text",
    lambda ex, plain, ours: "[[" in ex.markdown and '<a class="ref" href="target.html">' in ours,
)
ROOT_RELATIVE = Difference(
    "a link or image URL starting with '/' is made relative to the page (Links.root; here root '' gives './')",
    lambda ex, plain, ours: ROOT_URL_RE.sub(r'\1="./', plain) == ours,
)

WIKILINK_EXAMPLES = {"Links": (548, 559), "Images": (590,)}
ROOT_RELATIVE_EXAMPLES = {
    "Backslash escapes": (22, 23),
    "Entity and numeric character references": (32, 33),
    "Link reference definitions": (192, 193, 196, 198, 202, 205, 206, 214, 215, 216, 217, 218),
    "Emphasis and strong emphasis": (404, 419, 422, 433, 473, 474),
    "Links": (482, 483, 489, 505, 506, 507, 509, 510, 512, 514, 515, 516, 517, 518, 519, 521, 527, 528, 529,
              530, 531, 532, 533, 534, 535, 539, 540, 541, 542, 543, 544, 549, 550, 553, 554, 555, 556, 557,
              558, 560, 561, 562, 564, 565, 566, 568, 569, 570, 571),
    "Images": (572, 574, 575, 579, 581, 582, 583, 584, 585, 586, 587, 588, 589, 591, 593),
}

ALLOWED: dict[int, tuple[str, Difference]] = {
    number: (section, difference)
    for listing, difference in ((WIKILINK_EXAMPLES, WIKILINK), (ROOT_RELATIVE_EXAMPLES, ROOT_RELATIVE))
    for section, numbers in listing.items()
    for number in numbers
}
"""Example number -> (its spec section, why it differs)."""


def read_examples(text: str) -> list[Example]:
    """The examples of spec.txt, split as commonmark-spec's index.js splits them ('→' stands for a tab)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.split(END_OF_TESTS, 1)[0]
    examples: list[Example] = []
    section = ""
    for m in EXAMPLE_RE.finditer(text):
        if m[3]:
            section = m[3]
        else:
            examples.append(Example(len(examples) + 1, section, text.count("\n", 0, m.start()) + 1,
                                    m[1].replace("→", "\t"), m[2].replace("→", "\t")))
    return examples


@pytest.fixture(scope="module")
def examples() -> list[Example]:
    if not SPEC.is_file():
        pytest.skip(f"{SPEC_SHOWN} is missing: run .ci/install-tools to fetch the CommonMark spec")
    return read_examples(SPEC.read_text(encoding="utf-8"))


def ours(markdown: str) -> str:
    tokens, _scan = parse(markdown, raw_html=True)
    return render(tokens, True, LINKS, "spec")


def report(ex: Example, problem: str, plain: str, mine: str) -> str:
    return f"{ex.where}: {problem}\n  markdown:   {ex.markdown!r}\n  commonmark: {plain!r}\n  ours:       {mine!r}"


def test_plain_markdown_it_py_passes_the_spec(examples: list[Example]) -> None:
    assert len(examples) == EXAMPLE_COUNT
    failing = [ex.where for ex in examples if PLAIN.render(ex.markdown) != ex.html]
    assert len(examples) - len(failing) >= SPEC_PASSES_AT_LEAST, "\n".join(failing)


def test_dialect_differs_from_commonmark_only_where_allowed(examples: list[Example]) -> None:
    problems: list[str] = []
    for ex in examples:
        plain, mine = PLAIN.render(ex.markdown), ours(ex.markdown)
        allowed = ALLOWED.get(ex.number)
        if allowed is None:
            if mine != plain:
                problems.append(report(ex, "differs from CommonMark and is not in ALLOWED", plain, mine))
            continue
        section, difference = allowed
        if section != ex.section:
            problems.append(f"{ex.where}: ALLOWED lists it under section {section!r}")
        elif mine == plain:
            problems.append(report(ex, f"no longer differs: take it out of ALLOWED ({difference.why})", plain, mine))
        elif not difference.explains(ex, plain, mine):
            problems.append(report(ex, f"differs, but not only because {difference.why}", plain, mine))
    assert not problems, f"{len(problems)} problem(s):\n\n" + "\n\n".join(problems)


def test_allowed_lists_each_example_once() -> None:
    listed = [n for listing in (WIKILINK_EXAMPLES, ROOT_RELATIVE_EXAMPLES) for ns in listing.values() for n in ns]
    assert len(listed) == len(set(listed)) == len(ALLOWED)
    assert all(1 <= n <= EXAMPLE_COUNT for n in listed)
