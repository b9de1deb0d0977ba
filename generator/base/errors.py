"""Problems with a place: Location, Problem, SiteError (the bottom of the pipeline)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True, order=True)
class Location:
    path: str
    """POSIX path relative to the site root."""
    line: int = 0
    """1-based; 0 when the problem belongs to the whole file."""
    column: int = 0
    """1-based, counted in characters."""

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.column or 1}"
        return self.path


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    location: Location
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message}"


def error(location: Location, message: str) -> Problem:
    return Problem(location, "error", message)


def warning(location: Location, message: str) -> Problem:
    return Problem(location, "warning", message)


def has_errors(problems: Iterable[Problem], strict: bool = False) -> bool:
    return any(p.severity == "error" or strict for p in problems)


class SiteError(Exception):
    """A run stopped by problems in the content; carries all of them."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(sorted(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


def suggest(word: str, candidates: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest candidates, or ''. An id whose words are the same but in
    another order, or nearly spelled alike (peskov-dmitry for dmitri-peskov), counts as close too."""
    import difflib  # here: a build with nothing changed imports this module, and never suggests

    pool = sorted(set(candidates))
    close = difflib.get_close_matches(word, pool, n=3, cutoff=0.6)
    if len(close) < 3 and "-" in word:
        by_words: dict[str, list[str]] = {}
        for c in pool:
            by_words.setdefault(_words_sorted(c), []).append(c)
        for key in difflib.get_close_matches(_words_sorted(word), sorted(by_words), n=3, cutoff=0.75):
            close += [c for c in by_words[key] if c not in close]
    if not close:
        return ""
    return " (did you mean " + " or ".join(f"'{c}'" for c in close[:3]) + "?)"


def _words_sorted(word: str) -> str:
    return "-".join(sorted(word.split("-")))
