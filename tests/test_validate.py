"""Stage 2: raw records -> model objects, with every mistake reported."""

from __future__ import annotations

from conftest import MakeSite, run_cli

from generator.build.builder import check
from generator.content.model import Actor, Article, Event, PartialDate, Source, Topic


def test_validate_dates_keep_the_precision_written(make_site: MakeSite) -> None:
    root = make_site({"content/events/e.yaml": "- {id: a, title: A, date: 2023}\n"
                      "- {id: b, title: B, date: 2023-09}\n- {id: c, title: C, date: '2023-09-13', end: 2023-09-17}\n"})
    graph = check(root).graph
    assert graph is not None
    dates = {i: graph.items[i].date for i in "abc"}  # type: ignore[union-attr]
    assert [str(d) for d in dates.values()] == ["2023", "2023-09", "2023-09-13"]
    assert [d.precision for d in dates.values()] == ["year", "month", "day"]
    event = graph.items["c"]
    assert isinstance(event, Event) and event.end == PartialDate(2023, 9, 17)


def test_validate_keeps_text_as_written_not_as_yaml_guesses(make_site: MakeSite) -> None:
    """Norway's 'NO' stays text, and a title of 1718 stays '1718'."""
    root = make_site({"content/actors/norway.yaml": "name: Norway\nkind: state\naliases: [NO, Norge]\n",
                      "content/topics/t.yaml": "title: 1718\n"})
    graph = check(root).graph
    assert graph is not None
    norway = graph.items["norway"]
    assert isinstance(norway, Actor) and norway.aliases == ("NO", "Norge")
    assert graph.items["t"].display == "1718"


def test_validate_extra_accepts_any_mapping(make_site: MakeSite) -> None:
    root = make_site({"content/topics/t.yaml": "title: T\nextra: {colour: red, weight: 3, tags: [a, b]}\n"})
    graph = check(root).graph
    assert graph is not None
    topic = graph.items["t"]
    assert isinstance(topic, Topic) and topic.extra == {"colour": "red", "weight": 3, "tags": ["a", "b"]}


def test_validate_article_front_matter_fields(make_site: MakeSite) -> None:
    root = make_site({"content/actors/anna.yaml": "name: Anna\nkind: person\n",
                      "content/sources/s.yaml": "title: S\npublisher: anna\n",
                      "content/sources/t.yaml": "title: T\npublisher: Some Paper\n",
                      "content/articles/a.md": "---\ntitle: A\ndate: 2023-09-13\nkey_points: [One, Two]\n"
                      "actors: [anna]\nsources: [s]\nlocation: Oslo\nupdated: 2023-09-14\ndraft: false\n---\nText\n"})
    graph = check(root).graph
    assert graph is not None
    article = graph.items["a"]
    assert isinstance(article, Article)
    assert [k.text for k in article.key_points] == ["One", "Two"]
    assert (article.place, str(article.updated), article.draft) == ("Oslo", "2023-09-14", False)
    linked, text = graph.items["s"], graph.items["t"]
    assert isinstance(linked, Source) and linked.publisher_ref and linked.publisher_ref.id == "anna"
    assert isinstance(text, Source) and text.publisher_ref is None and text.publisher == "Some Paper"


def test_validate_reports_all_problems_of_a_run(make_site: MakeSite) -> None:
    root = make_site({"content/actors/a.yaml": "name: A\nkind: alien\naliases: A\nrole: [x]\n",
                      "content/actors/b.yaml": "kind: person\n"})
    run = run_cli("check", str(root))
    assert run.code == 1
    assert run.problems == [
        "content/actors/a.yaml:2:7: error: 'kind' must be one of person, state, organization, media, not 'alien'",
        "content/actors/a.yaml:3:10: error: 'aliases' must be a list: write [A], not A",
        "content/actors/a.yaml:4:7: error: 'role' must be text, not a list",
        "content/actors/b.yaml:1:1: error: actor needs 'name'",
    ]


def test_validate_names_the_closest_ids_for_an_unknown_one(make_site: MakeSite) -> None:
    root = make_site({"content/actors/kim-jong-un.yaml": "name: Kim Jong Un\nkind: person\n",
                      "content/actors/kim-yo-jong.yaml": "name: Kim Yo Jong\nkind: person\n",
                      "content/quotes/q.yaml": "speaker: kim-jong-on\ntext: Hi.\n"})
    assert run_cli("check", str(root)).problems == [
        ("content/quotes/q.yaml:1:10: error: unknown id 'kim-jong-on' in 'speaker' "
        "(did you mean 'kim-jong-un' or 'kim-yo-jong'?)")]


def test_check_exit_codes(make_site: MakeSite, tmp_path) -> None:  # type: ignore[no-untyped-def]
    good = make_site({"content/actors/a.yaml": "name: A\nkind: person\n"})
    assert run_cli("check", str(good)).code == 0
    assert run_cli("check", "--no-such-flag", str(good)).code == 2
    assert run_cli("check", str(tmp_path / "missing")).code == 2
    (tmp_path / "empty").mkdir()
    assert run_cli("check", str(tmp_path / "empty")).code == 1
