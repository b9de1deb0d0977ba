"""Countries by name and by Wikidata id (generator/countries.tsv, made by tests/update_countries.py): a
state's `country` in the FollowTheMoney export, and a country's own government told apart from other
public bodies by the import. A table, so the export is the same with or without followthemoney."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

TABLE = Path(__file__).with_name("countries.tsv")
GOVERNMENT_RE = re.compile(r"^(?:the )?government of (?:the )?(.+)$|^(?:the )?(.+?) government$")
"""A country's own government by name: "Government of the Russian Federation", "Japanese Government"
is not one (an adjective), "Government of Japan" is."""
WIKIDATA_RE = re.compile(r"^https?://(?:www\.|m\.)?wikidata\.org/(?:wiki|entity)/(Q[1-9][0-9]*)/?$")
"""A Wikidata item's address; group 1 is its id."""


def _key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


@cache
def _table() -> tuple[dict[str, str], dict[str, str]]:
    """(name casefolded -> code, Wikidata id -> code)."""
    by_name: dict[str, str] = {}
    by_qid: dict[str, str] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        code, qid, names = line.split("\t")
        if qid:
            by_qid[qid] = code
        for name in names.split("|"):
            by_name.setdefault(_key(name), code)
    return by_name, by_qid


def country_named(name: str) -> str | None:
    """The code of the country called `name` ("North Korea", "DPRK": kp), or None."""
    return _table()[0].get(_key(name))


def government_of(name: str) -> str | None:
    """The code of the country whose own government `name` is: the country's name, or "Government of"
    it ("Government of the Russian Federation": ru); None for any other body."""
    found = country_named(name)
    if found is not None:
        return found
    m = GOVERNMENT_RE.match(_key(name))
    return country_named(m[1] or m[2]) if m else None


def wikidata_id(url: str) -> str | None:
    """Q423 from https://www.wikidata.org/wiki/Q423, or None for any other address."""
    m = WIKIDATA_RE.match(url.strip())
    return m[1] if m else None


def country_of(names: Iterable[str], urls: Iterable[str] = ()) -> str | None:
    """A state's country code from its names, else from a Wikidata link among `urls`; None when unknown."""
    for name in names:
        found = country_named(name)
        if found is not None:
            return found
    by_qid = _table()[1]
    for url in urls:
        qid = wikidata_id(url)
        if qid is not None and qid in by_qid:
            return by_qid[qid]
    return None
