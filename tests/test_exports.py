"""Exports for other tools: data/briefing.json validates against its own JSON Schema and holds every item
and cross-reference; data/entities.ftm.json loads with the followthemoney package's model."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from conftest import EXAMPLE, SITES, MakeSite, run_cli
from followthemoney import model

from generator.build.builder import check
from generator.graph.resolve import Graph


def built(site: Path, out: Path) -> Path:
    run = run_cli("build", str(site), "-o", str(out), "--quiet")
    assert run.code == 0, run.err
    return out


@pytest.fixture(scope="module", params=[EXAMPLE, SITES / "second", SITES / "full"], ids=lambda p: p.name)
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Graph]:
    graph = check(request.param).graph
    assert graph is not None
    return request.param, built(request.param, tmp_path_factory.mktemp("exports") / "out"), graph


def test_briefing_json_validates_against_its_schema(site: tuple[Path, Path, Graph]) -> None:
    _, out, _ = site
    doc = json.loads((out / "data/briefing.json").read_text(encoding="utf-8"))
    schema = json.loads((out / "data/briefing.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = [f"{list(e.path)}: {e.message[:200]}" for e in jsonschema.Draft202012Validator(schema).iter_errors(doc)]
    assert errors == []
    # The schema is strict: an unknown key or a wrong type does not pass.
    doc["items"][0]["colour"] = "red"
    assert not jsonschema.Draft202012Validator(schema).is_valid(doc)


def test_briefing_json_holds_every_item_and_every_cross_reference(site: tuple[Path, Path, Graph]) -> None:
    _, out, graph = site
    doc = json.loads((out / "data/briefing.json").read_text(encoding="utf-8"))
    items = {i["id"]: i for i in doc["items"]}
    assert items.keys() == graph.items.keys()
    for item_id, item in items.items():
        assert item["collection"] == graph.collections[item_id]
        assert item["name"] == graph.names[item_id]
        assert {(r["id"], r["via"]) for r in item["referenced_by"]} == \
            {(r.source, r.via) for r in graph.backlinks.get(item_id, ())}
        assert {(r["id"], r["via"]) for r in item["references"]} == \
            {(r.target, r.via) for r in graph.outlinks.get(item_id, ())}
        if item["shown_at"] is not None:
            rel, _, fragment = item["shown_at"].partition("#")
            page = out / rel / "index.html" if rel.endswith("/") or not rel else out / rel
            assert page.is_file(), item["shown_at"]
            assert not fragment or f'id="{fragment}"' in page.read_text(encoding="utf-8")


def test_briefing_json_fields_are_the_contracts(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"content/actors/anna.yaml": "name: Anna\nkind: person\nnative_name: 안나\naliases: [A.]\n"
                                                  "relations:\n  - {to: org, type: member-of, since: 2021-05}\n",
                      "content/actors/org.yaml": "name: The Org\nkind: organization\n",
                      "content/sources/s.yaml": "title: A report\npublisher: org\ndate: 2023\n",
                      "content/articles/a.md": "---\ntitle: A\ndate: 2023-09-13\nlocation: Busan\nsources: [s]\n"
                                               "extra: {desk: north}\n---\nAnna met [[org]].\n"})
    out = built(site, tmp_path / "out")
    items = {i["id"]: i for i in json.loads((out / "data/briefing.json").read_text(encoding="utf-8"))["items"]}
    anna, article, source = items["anna"], items["a"], items["s"]
    assert anna["native_name"] == "안나" and anna["aliases"] == ["A."]
    assert anna["relations"] == [{"to": "org", "type": "member-of", "note": None, "since": "2021-05", "until": None}]
    assert article["location"] == "Busan" and article["body"] == "Anna met [[org]].\n"
    assert article["extra"] == {"desk": "north"} and article["sources"] == ["s"]
    assert source["publisher"] == "org" and source["date"] == "2023"
    assert {"id": "anna", "via": "mention"} in article["references"]
    assert {"id": "a", "via": "link"} in items["org"]["referenced_by"]


def test_entities_load_with_followthemoney(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"content/actors/anna.yaml": "name: Anna\nkind: person\nnative_name: 안나\nrole: Analyst\n"
                                                  "affiliations: [org]\n"
                                                  "relations:\n  - {to: org, type: member-of, since: 2021-05}\n"
                                                  "  - {to: paper, type: employee-of}\n  - {to: land, type: ally}\n",
                      "content/actors/org.yaml": "name: The Org\nkind: organization\n",
                      "content/actors/paper.yaml": "name: The Paper\nkind: media\n",
                      "content/actors/land.yaml": "name: Land\nkind: state\n"})
    out = built(site, tmp_path / "out")
    lines = (out / "data/entities.ftm.json").read_text(encoding="utf-8").splitlines()
    proxies = [model.get_proxy(json.loads(line), cleaned=False) for line in lines]
    by_id = {p.id: p for p in proxies}
    assert {p.id: p.schema.name for p in proxies if not p.schema.edge} == {
        "briefing-anna": "Person", "briefing-org": "Organization", "briefing-paper": "Organization",
        "briefing-land": "PublicBody"}
    anna = by_id["briefing-anna"]
    assert anna.get("name") == ["Anna"] and "안나" in anna.get("alias") and anna.get("position") == ["Analyst"]
    ties = {(p.schema.name, tuple(p.get("role"))): p for p in proxies if p.schema.edge}
    member = ties[("Membership", ("member of",))]
    assert member.get("member") == ["briefing-anna"] and member.get("organization") == ["briefing-org"]
    assert member.get("startDate") == ["2021-05"]
    assert ties[("Employment", ("employee of",))].get("employer") == ["briefing-paper"]
    assert ties[("UnknownLink", ("ally",))].get("object") == ["briefing-land"]
    assert ("Membership", ("affiliated with",)) in ties
    for proxy in proxies:  # every property is one the schema has, every entity it points at exists
        for prop, values in proxy.properties.items():
            assert prop in proxy.schema.properties, (proxy.schema.name, prop)
            if proxy.schema.properties[prop].type.name == "entity":
                assert all(v in by_id for v in values), (proxy.id, prop, values)
                target = proxy.schema.properties[prop].range
                assert all(by_id[v].schema.is_a(target) for v in values), (proxy.id, prop)


def test_entities_carry_sanctions_links_country_and_every_name(make_site: MakeSite, tmp_path: Path) -> None:
    """Contract v3: a designation is a Sanction; links give wikidataId, wikipediaUrl and website; the native
    and short names are aliases; a state's PublicBody has its country; a media actor says it is one."""
    site = make_site({
        "content/actors/kim.yaml": "name: Kim Jong Un\nkind: person\nnative_name: 김정은\nshort_name: Kim\n"
                                   "links:\n  wikidata: https://www.wikidata.org/wiki/Q56226\n"
                                   "  wikipedia: https://en.wikipedia.org/wiki/Kim_Jong_Un\n"
                                   "  official: https://example.org/kim\n  bad: javascript:alert(1)\n",
        "content/actors/dprk.yaml": "name: Democratic People's Republic of Korea\nkind: state\nshort_name: DPRK\n",
        "content/actors/utopia.yaml": "name: Utopia\nkind: state\n",
        "content/actors/kcna.yaml": "name: KCNA\nkind: media\n",
        "content/actors/unsc.yaml": "name: UN Security Council\nkind: organization\n",
        "content/sources/release.yaml": "title: Press release\nurl: https://example.org/release\n",
        "content/designations/kim-unsc.yaml": "actor: kim\nby: unsc\nprogram: resolution 2270\ndate: 2016-03-02\n"
                                              "until: 2024-01\nreference: KPi.066\nreason: Supreme *leader*.\n"
                                              "sources: [release]\n",
        "content/designations/kim-utopia.yaml": "actor: kim\nby: utopia\ndate: 2017\n"})
    out = built(site, tmp_path / "out")
    lines = (out / "data/entities.ftm.json").read_text(encoding="utf-8").splitlines()
    by_id = {p.id: p for p in (model.get_proxy(json.loads(line)) for line in lines)}  # cleaned: values must be valid
    kim = by_id["briefing-kim"]
    assert kim.get("alias") == ["김정은", "Kim"] and kim.get("wikidataId") == ["Q56226"]
    assert kim.get("wikipediaUrl") == ["https://en.wikipedia.org/wiki/Kim_Jong_Un"]
    assert kim.get("website") == ["https://example.org/kim"]
    assert by_id["briefing-dprk"].get("country") == ["kp"] and by_id["briefing-utopia"].get("country") == []
    assert by_id["briefing-kcna"].get("classification") == ["media"]
    listed = by_id["briefing-kim-unsc"]
    assert listed.schema.name == "Sanction"
    assert {p: listed.get(p) for p in ("entity", "authority", "program", "listingDate", "startDate", "endDate",
                                       "authorityId", "reason", "sourceUrl")} == {
        "entity": ["briefing-kim"], "authority": ["UN Security Council"], "program": ["resolution 2270"],
        "listingDate": ["2016-03-02"], "startDate": ["2016-03-02"], "endDate": ["2024-01"],
        "authorityId": ["KPi.066"], "reason": ["Supreme *leader*."], "sourceUrl": ["https://example.org/release"]}
    assert by_id["briefing-kim-utopia"].get("listingDate") == ["2017"]
    assert by_id["briefing-kim-utopia"].get("authority") == ["Utopia"]
