"""A second site, written by a helper from the contract alone, with hand-computed expectations."""

from __future__ import annotations

from typing import Any

import yaml
from conftest import SITES, run_cli

from generator.build.builder import check
from generator.graph.resolve import Graph

SECOND = SITES / "second"


def expected() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((SECOND / "EXPECTED.yaml").read_text(encoding="utf-8"))
    return data


def graph() -> Graph:
    result = check(SECOND, drafts=True)
    assert result.graph is not None, result.problems
    return result.graph


def test_second_site_passes_check_with_only_the_ambiguity_warnings() -> None:
    run = run_cli("check", str(SECOND))
    assert run.code == 0
    assert all(": warning: " in line and "Ivanov" in line for line in run.problems)
    assert run_cli("check", "--strict", str(SECOND)).code == 1


def test_second_site_graph_holds_every_expected_backlink() -> None:
    g = graph()
    actual = {target: sorted({r.source for r in refs}) for target, refs in g.backlinks.items()}
    assert actual == {k: sorted(v) for k, v in expected()["backlinks"].items()}


def test_second_site_mentions_match_the_hand_count() -> None:
    g = graph()
    assert {a: sorted(ids) for a, ids in g.mentions.items()} == expected()["mentions"]


def test_second_site_names_in_headings_code_and_links_are_not_mentions() -> None:
    g = graph()
    for article, ids in expected()["not_mentioned"].items():
        assert not set(ids) & set(g.mentions[article])


def test_second_site_ambiguous_names_are_warned_and_count_for_neither() -> None:
    g = graph()
    warnings = [str(p) for p in check(SECOND).problems]
    for name, owners in expected()["ambiguous"].items():
        assert tuple(owners) == g.matcher.owners[name]
        assert any(f"'{name}' is claimed by {' and '.join(owners)}" in w for w in warnings)
    assert "content/articles/busan-talks-open.md:22:44: warning: 'Ivanov' is ambiguous" in "\n".join(warnings)
