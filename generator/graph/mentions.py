"""Mentions: the names found in prose (Matcher, name_key), and the sentence around one (Snippet)."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


def name_key(name: str) -> str:
    """How names are compared: NFC, runs of whitespace as one space."""
    return " ".join(unicodedata.normalize("NFC", name).split())


@dataclass(frozen=True, slots=True)
class Matcher:
    """Finds names and aliases in text: whole words, case-sensitive, longest at each position."""

    owners: Mapping[str, tuple[str, ...]]
    """NFC name -> the ids that claim it (more than one: ambiguous)."""
    source: str | None
    """The regular expression, compiled on first use (a matcher kept in the build cache is compared,
    not used: compiling one for 1,000 actors takes a quarter of a second)."""

    @property
    def fingerprint(self) -> str:
        """Equal for matchers that find the same names for the same items."""
        return self.source + repr(sorted(self.owners.items())) if self.source else ""

    @classmethod
    def build(cls, names: Iterable[tuple[str, str]]) -> Matcher:
        """From (name, id) pairs."""
        owners: dict[str, set[str]] = {}
        for name, item_id in names:
            key = name_key(name)
            if key and len(key) <= LONGEST_MENTION:
                owners.setdefault(key, set()).add(item_id)
        if not owners:
            return cls({}, None)
        body = _trie_pattern(owners)
        # Not a letter or digit on either side: "U.S." matches in "the U.S. said".
        return cls({k: tuple(sorted(v)) for k, v in owners.items()}, rf"(?<![^\W_])(?:{body})(?![^\W_])")

    def find(self, text: str) -> list[tuple[int, int, tuple[str, ...]]]:
        """(start, end, owner ids) of every match, left to right."""
        if self.source is None:
            return []
        return [(m.start(), m.end(), self.owners[" ".join(m.group().split())])
                for m in _compiled(self.source).finditer(text)]


@lru_cache(maxsize=4)
def _compiled(source: str) -> re.Pattern[str]:
    return re.compile(source)


LONGEST_MENTION = 200
"""Names up to this many characters are found as mentions in prose: longer ones are no one's way of
naming someone in a sentence, and their nested trie would be too deep for the regex compiler."""


def _trie_pattern(names: Iterable[str]) -> str:
    """One regex for many names, as a trie: far faster than a long alternation, and still the
    longest name at each position (deeper branches are tried first; all matches at one position
    lie on one path of the trie). A space in a name matches any run of whitespace."""
    trie: dict[str, Any] = {}
    for name in names:
        node = trie
        for ch in name:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        alts = [run(ch, child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    def run(ch: str, node: dict[str, Any]) -> str:
        """A branch's characters up to its next fork or name's end, in a loop: a name of a thousand
        characters is one literal, not a thousand nested calls (RecursionError)."""
        chars = [ch]
        while len(node) == 1 and "" not in node:
            ch, node = next(iter(node.items()))
            chars.append(ch)
        return "".join(r"\s+" if c == " " else re.escape(c) for c in chars) + emit(node)
    return emit(trie)


@dataclass(frozen=True, slots=True)
class Snippet:
    """A sentence of plain text, and where the name sits in it."""

    text: str
    start: int
    end: int


SENTENCE_END = re.compile(r"(?<=[.!?…])[”\"’')\]]*\s+")
SNIPPET_MAX = 320


def sentence_bounds(text: str) -> list[int]:
    """Where the sentences of `text` start and end, in order."""
    return [0, *(m.end() for m in SENTENCE_END.finditer(text)), len(text)]


def sentence_around(text: str, start: int, end: int, bounds: list[int] | None = None) -> Snippet:
    """The sentence of `text` holding text[start:end], cut to about SNIPPET_MAX characters; `bounds`:
    sentence_bounds(text), for a text with many names."""
    if bounds is None:
        bounds = sentence_bounds(text)
    s = bounds[bisect.bisect_right(bounds, start) - 1]  # the last bound at or before start
    e = bounds[bisect.bisect_left(bounds, end)]  # the first at or after end
    s = max(s, start - SNIPPET_MAX // 2)
    e = min(e, end + SNIPPET_MAX // 2)
    lead = "" if s in bounds else "…"
    tail = "" if e in bounds else "…"
    piece = text[s:e]
    stripped = piece.lstrip()
    offset = len(lead) - (len(piece) - len(stripped)) - s
    return Snippet(lead + stripped.rstrip() + tail, start + offset, end + offset)
