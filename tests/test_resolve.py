"""Stage 3: the cross-reference graph (mentions, [[id]] links, id fields, relations)."""

from __future__ import annotations

from pathlib import Path

from conftest import MakeSite

from generator.build.builder import check
from generator.graph.markdown import parse
from generator.graph.resolve import Graph

ACTORS = {
    "content/actors/vladimir-putin.yaml": "name: Vladimir Putin\nkind: person\naliases: [Putin]\n"
                                          "relations:\n  - {to: kim-jong-un, type: counterpart, since: 2019}\n",
    "content/actors/kim-jong-un.yaml": "name: Kim Jong Un\nkind: person\naliases: [Kim]\n",
    "content/actors/united-states.yaml": "name: United States\nkind: state\naliases: [U.S.]\n",
    "content/topics/article-4.yaml": "title: Article 4\n",
}


def graph_of(make_site: MakeSite, body: str, extra: dict[str, str] | None = None, config: str = "") -> Graph:
    root = make_site({**ACTORS, **(extra or {}), "site.yaml": "title: T\n" + config,
                      "content/articles/a.md": f"---\ntitle: A\ndate: 2023-09-13\n---\n{body}"})
    result = check(root)
    assert result.graph is not None, result.problems
    return result.graph


def linked(root: Path, body: str) -> list[tuple[str, bool]]:
    """(id, linked) of every mention token in `body`, parsed as the site parses article bodies."""
    graph = check(root).graph
    assert graph is not None
    tokens, _ = parse(body, False, graph.matcher, graph.site.config.mentions)
    return [(t.meta["id"], t.meta["linked"]) for tok in tokens for t in tok.children or () if t.type == "mention"]


def test_resolve_adds_backlink_for_mention(make_site: MakeSite) -> None:
    graph = graph_of(make_site, "Putin spoke.\n")
    assert graph.pointing_at("vladimir-putin") == ("a",)
    assert graph.mentions["a"] == ("vladimir-putin",)


def test_resolve_prefers_the_longest_name_and_whole_words(make_site: MakeSite) -> None:
    graph = graph_of(make_site, "Vladimir Putin met Kimberly. The U.S. said Article 41 applies.\n")
    assert graph.mentions["a"] == ("vladimir-putin", "united-states")


def test_resolve_matches_a_name_broken_across_lines(make_site: MakeSite) -> None:
    graph = graph_of(make_site, "He met Kim Jong\nUn there.\n")
    assert graph.mentions["a"] == ("kim-jong-un",)


def test_resolve_ignores_headings_code_and_links(make_site: MakeSite) -> None:
    body = "# Putin\n\n`Kim` and [Article 4](https://example.org) and\n\n    United States\n"
    graph = graph_of(make_site, body)
    assert graph.mentions["a"] == ()
    assert graph.pointing_at("vladimir-putin") == ()


def test_resolve_counts_wikilinks_and_id_fields(make_site: MakeSite) -> None:
    extra = {"content/quotes/q.yaml": "speaker: kim-jong-un\ntext: Hello.\nabout: [vladimir-putin]\n",
             "content/topics/t.yaml": "title: T\nbody: See [[united-states|Washington]].\n"}
    graph = graph_of(make_site, "See [[article-4]].\n", extra)
    assert [(r.source, r.via) for r in graph.backlinks["article-4"]] == [("a", "link")]
    assert graph.pointing_at("kim-jong-un") == ("q", "vladimir-putin")
    assert {(r.source, r.via) for r in graph.backlinks["vladimir-putin"]} == {("q", "about")}
    assert graph.pointing_at("united-states", via="link") == ("t",)
    assert graph.names["q"] == "Kim Jong Un"


def test_resolve_shows_relations_on_both_actors(make_site: MakeSite) -> None:
    graph = graph_of(make_site, "Text.\n")
    [out] = graph.relations["vladimir-putin"]
    [back] = graph.relations["kim-jong-un"]
    assert (out.other, out.type, str(out.since), out.outgoing) == ("kim-jong-un", "counterpart", "2019", True)
    assert (back.other, back.outgoing) == ("vladimir-putin", False)


def test_resolve_first_mention_linked_and_earlier_wikilink_counts_as_first(make_site: MakeSite) -> None:
    root = make_site({**ACTORS})
    assert linked(root, "Putin, Putin.\n") == [("vladimir-putin", True), ("vladimir-putin", False)]
    assert linked(root, "[[vladimir-putin]] then Putin.\n") == [("vladimir-putin", False)]


def test_resolve_mentions_setting_all_and_none(make_site: MakeSite) -> None:
    for setting, expected in (("all", [True, True]), ("none", [False, False])):
        root = make_site({**ACTORS, "site.yaml": f"title: T\nmentions: {setting}\n"})
        assert [flag for _, flag in linked(root, "Putin, Putin.\n")] == expected
    graph = graph_of(make_site, "Putin.\n", config="mentions: none\n")
    assert graph.pointing_at("vladimir-putin") == ("a",)  # none stops linking, not counting


def test_resolve_ambiguous_name_counts_for_neither(make_site: MakeSite) -> None:
    extra = {"content/actors/kim-yo-jong.yaml": "name: Kim Yo Jong\nkind: person\naliases: [Kim]\n"}
    graph = graph_of(make_site, "Kim arrived. Kim Yo Jong too.\n", extra)
    assert graph.mentions["a"] == ("kim-yo-jong",)
    assert graph.pointing_at("kim-jong-un", via="mention") == ()


def test_resolve_leaves_drafts_out_unless_asked(make_site: MakeSite) -> None:
    root = make_site({**ACTORS, "content/articles/d.md": "---\ntitle: D\ndate: 2023-09-13\ndraft: true\n---\nPutin.\n"})
    published = check(root).graph
    with_drafts = check(root, drafts=True).graph
    assert published is not None and with_drafts is not None
    assert "d" not in published.items and published.names["d"] == "D"
    assert published.pointing_at("vladimir-putin") == ()
    assert with_drafts.pointing_at("vladimir-putin") == ("d",)


def test_resolve_orders_timeline_by_date_end_title_id(make_site: MakeSite) -> None:
    events = ("- {id: e5, title: B, date: 2023-09-13}\n- {id: e4, title: A, date: 2023-09-13}\n"
              "- {id: e3, title: A, date: 2023-09-12, end: 2023-09-17}\n- {id: e2, title: Z, date: 2023-09}\n"
              "- {id: e1, title: Y, date: 2023}\n")
    graph = graph_of(make_site, "Text.\n", {"content/events/all.yaml": events})
    assert graph.timeline == ("e1", "e2", "e3", "e4", "e5")


def test_resolve_builds_the_topic_tree(make_site: MakeSite) -> None:
    extra = {"content/topics/sanctions.yaml": "title: Sanctions\n",
             "content/topics/un-sanctions.yaml": "title: UN sanctions\nparent: sanctions\nrelated: [article-4]\n"}
    graph = graph_of(make_site, "Text.\n", extra)
    assert graph.children == {"sanctions": ("un-sanctions",)}
    assert graph.pointing_at("article-4", via="related") == ("un-sanctions",)


def test_a_broken_non_ascii_link_is_reported_at_its_own_line_as_written(make_site: MakeSite) -> None:
    body = "Intro.\n\nFirst line of a paragraph\nsecond line\nthird [bad](/actors/müller/) and [ok](/actors/) here.\n"
    site = make_site({"content/articles/a.md": "---\ntitle: A\ndate: 2023-09-13\n---\n" + body})
    problems = [str(p) for p in check(site).problems if p.severity == "error"]
    assert problems == [("content/articles/a.md:9:13: error: link to '/actors/müller/': the site has no such page "
                        "or file (did you mean '/actors/'?)")]
