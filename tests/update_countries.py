"""Regenerate generator/pages/ftm/countries.tsv from rigour's territories (the country names and codes that
FollowTheMoney uses): `.venv/bin/python tests/update_countries.py` (needs `briefing[ftm]`).

One line a country today (historical ones and territories that are not countries left out):
its ISO code, its Wikidata id, and its names (short, full, then the other strong names), `|`-separated.
The FollowTheMoney export reads it for a state's `country`, the import to tell a country's own
government from another public body. Review the diff before committing."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from rigour._core import territories_jsonl
from rigour.data import iter_jsonl_text

TABLE = Path(__file__).resolve().parent.parent / "generator" / "pages" / "ftm" / "countries.tsv"


def main() -> None:
    lines = []
    for d in iter_jsonl_text(territories_jsonl()):
        if not d.get("is_country") or d.get("is_historical"):
            continue
        names: dict[str, str] = {}
        for name in (d["name"], d.get("full_name") or "", *d.get("names_strong", ())):
            name = " ".join(unicodedata.normalize("NFC", name).split())
            if name and "|" not in name and not name[0].islower():
                names.setdefault(name.casefold(), name)
        lines.append(f"{d['code']}\t{d.get('qid') or ''}\t{'|'.join(names.values())}\n")
    TABLE.write_text("".join(sorted(lines)), encoding="utf-8")
    print(f"wrote {len(lines)} countries into {TABLE}")


if __name__ == "__main__":
    main()
