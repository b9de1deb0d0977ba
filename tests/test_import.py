"""briefing import: FollowTheMoney entities (JSON lines) into a site. Every test runs the real command,
reads what it wrote with pyyaml, and runs `briefing check` on the site afterwards."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLE, SITES, MakeSite, Run, run_cli
from followthemoney import model

from generator.build.builder import check
from generator.content.model import Actor, Designation
from generator.graph.markdown import unsafe_url
from generator.pages.ftm import read as ftm

HERE = Path(__file__).parent


def entity(ftm_id: str, schema: str, **props: str | list[str]) -> dict[str, Any]:
    return {"id": ftm_id, "schema": schema,
            "properties": {k: v if isinstance(v, list) else [v] for k, v in props.items()}}


def jsonl(path: Path, entities: Iterable[Mapping[str, Any] | str]) -> Path:
    """A file of entities, one a line (a str is written as it is: a bad line)."""
    with path.open("w", encoding="utf-8") as out:
        for e in entities:
            out.write((e if isinstance(e, str) else json.dumps(e, ensure_ascii=False)) + "\n")
    return path


def run_import(site: Path, source: Path, *args: str) -> Run:
    return run_cli("import", str(source), str(site), *args)


def imported(site: Path, source: Path, *args: str) -> tuple[Run, dict[str, Any]]:
    """Runs the import, which must succeed; what it printed, and every content file of the site after it."""
    run = run_import(site, source, *args)
    assert run.code == 0, run.err
    return run, written(site)


def written(site: Path) -> dict[str, Any]:
    """Every content file under the site, by path from the site root, as pyyaml reads it."""
    return {p.relative_to(site).as_posix(): yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in sorted((site / "content").rglob("*.yaml"))}


def snapshot(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def assert_checks(site: Path) -> None:
    run = run_cli("check", str(site))
    assert run.code == 0, run.err
    assert not [p for p in run.problems if "error" in p], run.err


IMPORTED = "content/actors/imported"


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    return make_site({})


# ---- mapping ------------------------------------------------------------------------------------

def test_import_maps_people_and_organisations(site: Path, tmp_path: Path) -> None:
    source = jsonl(tmp_path / "e.json", [
        entity("NK-kju", "Person", name=["Kim Jong Un", "김정은"], alias="Kim Jong-un", position="Supreme Leader",
               wikidataId="Q56226", website="https://example.org/kim", wikipediaUrl="https://en.wikipedia.org/wiki/Kim_Jong_Un"),
        entity("org-1", "Organization", name="Korea Mining Development Trading Corporation", alias="KOMID"),
        entity("co-1", "Company", name="Acme Shipping Ltd"),
        entity("le-1", "LegalEntity", name="Some Legal Entity"),
        entity("pb-1", "PublicBody", name="Government of the Russian Federation"),
        entity("pb-2", "PublicBody", name="North Korea"),
        entity("pb-3", "PublicBody", name="Ministry of Defence"),
        entity("media-1", "Organization", name="Rodong Sinmun", classification="media"),
    ])
    run, files = imported(site, source)
    kim = files[f"{IMPORTED}/kim-jong-un.yaml"]
    assert kim == {"name": "Kim Jong Un", "kind": "person", "aliases": ["Kim Jong-un"], "native_name": "김정은",
                   "role": "Supreme Leader",
                   "links": {"wikidata": "https://www.wikidata.org/wiki/Q56226",
                             "wikipedia": "https://en.wikipedia.org/wiki/Kim_Jong_Un", "website": "https://example.org/kim"},
                   "extra": {"ftm_id": "NK-kju"}}
    kinds = {path.rsplit("/", 1)[1]: data["kind"] for path, data in files.items()}
    assert kinds == {"kim-jong-un.yaml": "person", "korea-mining-development-trading-corporation.yaml": "organization",
                     "acme-shipping-ltd.yaml": "organization", "some-legal-entity.yaml": "organization",
                     "government-of-the-russian-federation.yaml": "state", "north-korea.yaml": "state",
                     "ministry-of-defence.yaml": "organization", "rodong-sinmun.yaml": "media"}
    assert "wrote 8 files: 8 actors (content/actors/imported/)" in run.out
    assert_checks(site)


def test_import_maps_each_relation_schema(site: Path, tmp_path: Path) -> None:
    people = [entity(f"p{n}", "Person", name=f"Person {word}") for n, word in enumerate("ABCDEFG")]
    source = jsonl(tmp_path / "e.json", [
        *people, entity("o1", "Organization", name="The Party"), entity("c1", "Company", name="The Firm"),
        entity("m1", "Membership", member="p0", organization="o1", startDate="2010-09", endDate="2021-01-10"),
        entity("m2", "Membership", member="p1", organization="o1", role="Politburo member"),
        entity("e1", "Employment", employee="p2", employer="c1"),
        entity("d1", "Directorship", director="p3", organization="c1", role="Chairman", startDate="2019"),
        entity("w1", "Ownership", owner="p4", asset="c1"),
        entity("f1", "Family", person="p5", relative="p6", relationship="sister"),
        entity("a1", "Associate", person="p5", associate="p0"),
        entity("u1", "UnknownLink", subject="p6", object="o1", role="adviser to"),
    ])
    _, files = imported(site, source)
    relations = {path.rsplit("/", 1)[1][:-5]: data.get("relations") for path, data in files.items()}
    assert relations == {
        "person-a": [{"to": "the-party", "type": "member-of", "since": "2010-09", "until": "2021-01-10"}],
        "person-b": [{"to": "the-party", "type": "politburo-member"}],
        "person-c": [{"to": "the-firm", "type": "employee-of"}],
        "person-d": [{"to": "the-firm", "type": "chairman", "since": "2019"}],
        "person-e": [{"to": "the-firm", "type": "owner-of"}],
        "person-f": [{"to": "person-g", "type": "sister"}, {"to": "person-a", "type": "associate"}],
        "person-g": [{"to": "the-party", "type": "adviser-to"}],
        "the-party": None, "the-firm": None}
    assert_checks(site)


def test_import_sanction_becomes_a_designation_with_its_source(site: Path, tmp_path: Path) -> None:
    source = jsonl(tmp_path / "e.json", [
        entity("NK-1", "Person", name="Ri Pyong Chol"),
        entity("NK-1-san", "Sanction", entity="NK-1", authority="Office of Foreign Assets Control",
               program="DPRK3", listingDate="2017-12-26", endDate="2030-01-01", authorityId="OFAC-22002",
               reason="Key official of the [[Munitions]] Industry Department, *see* <http://x.org>",
               sourceUrl="https://home.treasury.gov/news/press-releases/sm0243"),
        entity("NK-1-un", "Sanction", entity="NK-1", authority="UN Security Council", startDate="2017-06-02"),
    ])
    _, files = imported(site, source)
    ofac = files[f"{IMPORTED}/office-of-foreign-assets-control.yaml"]
    assert ofac == {"name": "Office of Foreign Assets Control", "kind": "organization"}
    assert files[f"{IMPORTED}/un-security-council.yaml"]["kind"] == "organization"
    listing = files["content/designations/ri-pyong-chol-2017-12-26-office-of-foreign-assets-control.yaml"]
    assert listing == {"actor": "ri-pyong-chol", "by": "office-of-foreign-assets-control", "program": "DPRK3",
                       "date": "2017-12-26", "until": "2030-01-01", "reference": "OFAC-22002",
                       "reason": r"Key official of the \[\[Munitions\]\] Industry Department, \*see\* \<http://x.org>",
                       "sources": ["office-of-foreign-assets-control-ri-pyong-chol"]}
    assert files["content/sources/imported/office-of-foreign-assets-control-ri-pyong-chol.yaml"] == {
        "title": "Office of Foreign Assets Control: Ri Pyong Chol", "publisher": "office-of-foreign-assets-control",
        "url": "https://home.treasury.gov/news/press-releases/sm0243"}
    un = files["content/designations/ri-pyong-chol-2017-06-02-un-security-council.yaml"]
    assert un == {"actor": "ri-pyong-chol", "by": "un-security-council", "date": "2017-06-02"}
    assert_checks(site)
    graph = check(site).graph
    assert graph is not None
    listed = graph.items["ri-pyong-chol-2017-12-26-office-of-foreign-assets-control"]
    assert isinstance(listed, Designation) and listed.reason is not None
    assert "Munitions" in listed.reason.text


def test_import_skips_unmapped_schemata_on_one_summary_line(site: Path, tmp_path: Path) -> None:
    source = jsonl(tmp_path / "e.json", [
        entity("p1", "Person", name="Anna Petrova", addressEntity="addr-1"),
        *(entity(f"addr-{n}", "Address", full=f"{n} Main Street") for n in range(3)),
        entity("v1", "Vessel", name="Ocean Star"), entity("id1", "Identification", number="123", holder="p1"),
        entity("pos1", "Position", name="Minister"),
        entity("s1", "Sanction", entity="p1", authority="EU"),  # undated
        entity("s2", "Sanction", entity="p1", authority="EU", listingDate="2022"),
    ])
    run = run_import(site, source)
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert "skipped 6 entities of schemata it does not map: Address 3, Identification 1, Position 1, Vessel 1" in lines
    assert sum("schemata it does not map" in line for line in lines) == 1
    assert "skipped 1 sanctions without a date (listingDate or startDate)" in lines
    assert set(written(site)) == {f"{IMPORTED}/anna-petrova.yaml", f"{IMPORTED}/eu.yaml",
                                  "content/designations/anna-petrova-2022-eu.yaml"}
    assert_checks(site)


def test_odd_values_are_cleaned_or_left_out_and_the_site_checks(site: Path, tmp_path: Path) -> None:
    source = jsonl(tmp_path / "e.json", [
        {"id": " p1 ", "schema": "Person", "properties": {"name": [1, None, "Real Name"], "alias": ["x" * 600]}},
        entity("p2", "Person", name="Name\u0007 with\u0000 controls [[x]] `code`", alias=["yes", "null", "- dash"],
               website=["not a url", "javascript:alert(1)", "https://ok.example.org"], wikidataId="not-a-qid"),
        entity("p3", "Person", name="   "),
        entity("o1", "Organization", name="Org"),
        entity("m1", "Membership", member="p1", organization="o1", startDate="2020-13-45", endDate="2019"),
        entity("m2", "Membership", member="p2", organization="o1", startDate="2020", endDate="2019"),
        entity("u1", "UnknownLink", subject="p2", object="p2"),
        entity("s1", "Sanction", entity="p2", authority="Org", listingDate="2020-02-30", startDate="2020-02"),
        entity("s2", "Sanction", entity="p2", authority="Org", listingDate="2021-05-01", endDate="2021-04"),
        entity("s3", "Sanction", entity="p2", authority=" ", listingDate="2021"),
        entity("s4", "Sanction", entity="p2", authority="Org", listingDate="2021",
               reason="1. [link](/actors/x/) <b>bold</b> [[x]]"),
        entity("s5", "Sanction", entity="p2", authority="ORG", listingDate="2021"),
    ])
    run, files = imported(site, source)
    person = files[f"{IMPORTED}/real-name.yaml"]
    assert person["aliases"] == ["1"] and person["relations"] == [{"to": "org", "type": "member-of", "until": "2019"}]
    odd = files[f"{IMPORTED}/name-with-controls-x-code.yaml"]
    assert odd["name"] == "Name with controls [[x]] `code`" and odd["aliases"] == ["yes", "null", "- dash"]
    assert odd["links"] == {"website": "https://ok.example.org/"} and "relations" not in odd
    assert {d["date"] for p, d in files.items() if p.startswith("content/designations/")} == {"2020-02", "2021"}
    for line in ("skipped 1 Person entities without a name", "skipped 1 names over 200 characters",
                 "skipped 1 relations of an actor to itself", "skipped 1 relations that end before they start",
                 "skipped 1 sanctions that end before they start", "skipped 1 sanctions without an authority",
                 "skipped 1 sanctions listed twice (same actor, authority, program and date)"):
        assert line in run.out.splitlines()
    assert_checks(site)


def test_a_gzipped_file_is_read_as_it_is(site: Path, tmp_path: Path) -> None:
    plain = opensanctions_like(tmp_path / "e.json")
    packed = tmp_path / "e.json.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    _, files = imported(site, packed, "--only", "Kim Yo Jong")
    assert {Path(p).stem for p in files} == {"kim-yo-jong", "kim-jong-un", "ofac", "kim-yo-jong-2017-01-11-ofac"}


# ---- the site as it is ---------------------------------------------------------------------------

def test_import_never_rewrites_an_actor_the_site_has_and_adds_its_designations(make_site: MakeSite,
                                                                              tmp_path: Path) -> None:
    site = make_site({
        "content/actors/kim.yaml": "name: Kim Jong Un\nkind: person\n",
        "content/actors/putin.yaml": "name: V. Putin\nkind: person\nlinks:\n  wikidata: https://www.wikidata.org/wiki/Q7747\n",
        "content/actors/choe.yaml": "name: Choe Son Hui\nkind: person\n",
        "content/actors/ofac.yaml": "name: Office of Foreign Assets Control\nkind: organization\naliases: [OFAC]\n",
        "content/sources/sdn.yaml": "title: The SDN list\nurl: https://example.org/sdn\n"})
    before = snapshot(site)
    source = jsonl(tmp_path / "e.json", [
        entity("x-kim", "Person", name="Kim Jong Un", alias="Kim Jong-un"),      # same name and kind
        entity("x-putin", "Person", name="Vladimir Putin", wikidataId="Q7747"),  # same Wikidata id
        entity("briefing-choe", "Person", name="Choe Son-hui"),                 # our own export's id
        entity("x-kim-san", "Sanction", entity="x-kim", authority="OFAC", program="DPRK2",
               listingDate="2016-07-06", sourceUrl="https://example.org/sdn"),
        entity("x-putin-san", "Sanction", entity="x-putin", authority="OFAC", listingDate="2022-02-25"),
        entity("x-choe-san", "Sanction", entity="briefing-choe", authority="OFAC", listingDate="2016-12-02"),
        entity("x-rel", "UnknownLink", subject="x-kim", object="x-putin", role="counterpart"),
    ])
    run = run_import(site, source)
    assert run.code == 0, run.err
    after = snapshot(site)
    assert {p: h for p, h in after.items() if p in before} == before  # nothing the site had was touched
    files = {p: d for p, d in written(site).items() if p not in before}
    assert files == {
        "content/designations/kim-2016-07-06-ofac.yaml": {"actor": "kim", "by": "ofac", "program": "DPRK2",
                                                          "date": "2016-07-06", "sources": ["sdn"]},
        "content/designations/putin-2022-02-25-ofac.yaml": {"actor": "putin", "by": "ofac", "date": "2022-02-25"},
        "content/designations/choe-2016-12-02-ofac.yaml": {"actor": "choe", "by": "ofac", "date": "2016-12-02"}}
    assert "3 entities are actors the site already has: not written again (their designations are added)" in run.out
    assert "skipped 1 relations of actors the site already has (it never edits a file)" in run.out
    assert_checks(site)


def test_import_matches_an_authority_by_alias_and_writes_a_new_one_once(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"content/actors/un.yaml": "name: United Nations Security Council\nkind: organization\n"
                                                "aliases: [UN Security Council, UNSC]\n",
                      "content/actors/unsc.yaml": "name: UNSC\nkind: person\n"})  # a person never lists
    people = [entity(f"p{n}", "Person", name=f"Person {n}") for n in range(3)]
    source = jsonl(tmp_path / "e.json", [
        *people,
        *(entity(f"s{n}", "Sanction", entity=f"p{n}", authority="unsc", listingDate="2016-03-02") for n in range(3)),
        *(entity(f"t{n}", "Sanction", entity=f"p{n}", authority="European  Union", listingDate="2016-04-02")
          for n in range(3)),
    ])
    _, files = imported(site, source)
    designations = [d for p, d in files.items() if p.startswith("content/designations/")]
    assert sorted(d["by"] for d in designations) == ["european-union"] * 3 + ["un"] * 3
    assert [p for p, d in files.items() if d.get("name") == "European Union"] == [f"{IMPORTED}/european-union.yaml"]
    assert_checks(site)


def test_import_ids_are_transliterated_slugs_unique_across_the_site(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"content/topics/kim-chol.yaml": "title: A topic that holds the id kim-chol\n",
                      "content/events/e.yaml": "- {id: page-2, title: An event, date: 2020}\n"})
    source = jsonl(tmp_path / "e.json", [
        entity("a", "Person", name="김정은"), entity("b", "Person", name="Владимир Путин"),
        entity("c", "Person", name="Kim Chol"), entity("d", "Person", name="Kim Chol", alias="Kim Chol II"),
        entity("e", "Organization", name="Müller & Söhne GmbH"), entity("f", "Organization", name="朝鲜"),
        entity("g", "Organization", name="Page"), entity("h", "Organization", name="!!!"),
        entity("i", "Company", name="Joint Stock Company " + "Very Long Name " * 10),
    ])
    _, files = imported(site, source)
    ids = {Path(p).stem for p in files if p.startswith(IMPORTED)}
    assert ids == {"gimjeongeun", "vladimir-putin", "kim-chol-2", "kim-chol-3", "muller-sohne-gmbh", "chao-xian",
                   "page-3", "actor", "joint-stock-company-very-long-name-very-long-name-very-long"}
    assert all(len(i) <= 60 for i in ids)
    assert_checks(site)  # two actors named Kim Chol: a warning, not an error


# ---- --only, --dry-run, bad lines, twice ----------------------------------------------------------

def opensanctions_like(path: Path) -> Path:
    return jsonl(path, [
        entity("kju", "Person", name="Kim Jong Un", alias="김정은"),
        entity("kju-san", "Sanction", entity="kju", authority="OFAC", listingDate="2016-07-06"),
        entity("wpk", "Organization", name="Workers' Party of Korea"),
        entity("wpk-san", "Sanction", entity="wpk", authority="EU", listingDate="2017-01-01"),
        entity("kju-wpk", "Membership", member="kju", organization="wpk", role="chairman"),
        entity("kyj", "Person", name="Kim Yo Jong"),
        entity("kyj-kju", "Family", person="kyj", relative="kju", relationship="sister"),
        entity("kyj-san", "Sanction", entity="kyj", authority="OFAC", listingDate="2017-01-11"),
        entity("other", "Person", name="Somebody Else"),
        entity("other-san", "Sanction", entity="other", authority="UK", listingDate="2020-01-01"),
        entity("addr", "Address", full="Pyongyang"),
        entity("vessel", "Vessel", name="Chon Ma San"),
        entity("own", "Ownership", owner="wpk", asset="vessel"),
    ])


def test_only_by_name_keeps_the_entity_its_sanctions_memberships_and_the_other_ends(site: Path,
                                                                                   tmp_path: Path) -> None:
    _, files = imported(site, opensanctions_like(tmp_path / "e.json"), "--only", "kim jong un")
    assert set(files) == {f"{IMPORTED}/kim-jong-un.yaml", f"{IMPORTED}/workers-party-of-korea.yaml",
                          f"{IMPORTED}/kim-yo-jong.yaml", f"{IMPORTED}/ofac.yaml",
                          "content/designations/kim-jong-un-2016-07-06-ofac.yaml"}
    assert files[f"{IMPORTED}/kim-jong-un.yaml"]["relations"] == [{"to": "workers-party-of-korea", "type": "chairman"}]
    assert files[f"{IMPORTED}/kim-yo-jong.yaml"]["relations"] == [{"to": "kim-jong-un", "type": "sister"}]
    assert_checks(site)


def test_only_by_id_and_by_alias_in_another_script(site: Path, tmp_path: Path) -> None:
    source = opensanctions_like(tmp_path / "e.json")
    run, files = imported(site, source, "--only", "wpk", "--only", "김정은")
    assert {Path(p).stem for p in files} == {
        "kim-jong-un", "workers-party-of-korea", "kim-yo-jong", "ofac", "eu",
        "kim-jong-un-2016-07-06-ofac", "workers-party-of-korea-2017-01-01-eu"}
    assert "skipped 1 entities of schemata it does not map: Vessel 1" in run.out  # the other end of `own`
    assert_checks(site)


def test_only_finds_ids_written_escaped(site: Path, tmp_path: Path) -> None:
    """A pass of --only looks for the ids in each line before parsing it: an id that the file writes with
    JSON escapes (ensure_ascii) is found all the same."""
    source = tmp_path / "e.json"
    source.write_text("".join(json.dumps(e) + "\n" for e in [  # json.dumps escapes: "\u0438\u0434-1"
        entity("ид-1", "Person", name="Иван Петров", alias="Ivan Petrov"),
        entity("s-1", "Sanction", entity="ид-1", authority="EU", listingDate="2022-03-15"),
        entity("o-1", "Organization", name="Some Bank"),
        entity("m-1", "Membership", member="ид-1", organization="o-1")]), encoding="utf-8")
    _, files = imported(site, source, "--only", "Ivan Petrov")
    assert {Path(p).stem for p in files} == {"ivan-petrov", "eu", "some-bank", "ivan-petrov-2022-03-15-eu"}
    assert_checks(site)


def test_only_a_name_that_names_nothing_is_an_error_and_nothing_is_written(site: Path, tmp_path: Path) -> None:
    before = snapshot(site)
    source = opensanctions_like(tmp_path / "e.json")
    run = run_import(site, source, "--only", "Kim Jong Un", "Kim Jong Eun")
    assert run.code == 1
    assert run.problems == [f"{source}: error: --only 'Kim Jong Eun': no entity has this id, name or alias"]
    assert snapshot(site) == before


def test_dry_run_lists_every_file_with_counts_and_writes_nothing(site: Path, tmp_path: Path) -> None:
    before = snapshot(site)
    run = run_import(site, opensanctions_like(tmp_path / "e.json"), "--dry-run")
    assert run.code == 0, run.err
    assert snapshot(site) == before
    lines = run.out.splitlines()
    listed = [line.removeprefix("would write ") for line in lines if line.startswith("would write content/")]
    assert len(listed) == 11 and len(set(listed)) == 11
    assert "would write 11 files: 7 actors (content/actors/imported/), 4 designations (content/designations/)" in lines
    assert lines[-1] == "dry run: nothing written"
    real = run_import(site, opensanctions_like(tmp_path / "e.json"))
    assert sorted(written(site)) == sorted(listed)  # what it said is what it writes
    assert real.code == 0


def test_bad_lines_are_reported_each_with_file_and_line_and_nothing_is_written(site: Path, tmp_path: Path) -> None:
    before = snapshot(site)
    source = jsonl(tmp_path / "e.json", [
        entity("p1", "Person", name="Good Person"),
        '{"id": "p2", "schema": "Person", "properties": {"name": ["Broken"]',
        "[1, 2, 3]",
        entity("s1", "Sanction", authority="EU", listingDate="2020"),
        entity("x1", "Spaceship", name="Enterprise"),
        entity("m1", "Membership", organization="o1"),
        "",
        {"schema": "Person", "properties": {}},
        {"id": "p3", "schema": "Person", "properties": {"name": "not a list"}},
    ])
    run = run_import(site, source)
    assert run.code == 1
    shown = str(source)
    assert [line.split(": error: ")[0] for line in run.problems] == [
        f"{shown}:2", f"{shown}:3", f"{shown}:4", f"{shown}:5", f"{shown}:6", f"{shown}:8", f"{shown}:9"]
    assert "a Sanction without entity" in run.problems[2]
    assert "unknown schema 'Spaceship'" in run.problems[3]
    assert "a Membership without member" in run.problems[4]
    assert "Traceback" not in run.err
    assert "nothing was written" in run.err
    assert snapshot(site) == before


def test_import_twice_changes_nothing(site: Path, tmp_path: Path) -> None:
    source = opensanctions_like(tmp_path / "e.json")
    first = run_import(site, source)
    assert first.code == 0, first.err
    once = snapshot(site)
    second = run_import(site, source)
    assert second.code == 0, second.err
    assert snapshot(site) == once
    assert "nothing to write: the site has it all" in second.out
    assert_checks(site)


def test_without_followthemoney_the_command_says_how_to_install_it(site: Path, tmp_path: Path) -> None:
    source = opensanctions_like(tmp_path / "e.json")
    code = ("import sys; sys.modules['followthemoney'] = None\n"
            "from generator.cli import main\n"
            f"sys.exit(main(['import', {str(source)!r}, {str(site)!r}]))\n")
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert run.returncode == 1
    hint = "briefing: error: briefing import needs FollowTheMoney: pip install 'briefing[ftm]'"
    assert run.stderr.splitlines() == [hint]
    assert not (site / "content").exists()


# ---- streaming ------------------------------------------------------------------------------------

def test_the_file_is_read_as_a_stream(tmp_path: Path) -> None:
    """The first entity is read while the rest of the file is not even written yet: the file comes through
    a pipe whose writer waits for the reader to have it before it writes the rest."""
    pipe = tmp_path / "pipe.json"
    os.mkfifo(pipe)
    got_first = threading.Event()
    waited: list[bool] = []

    def writer() -> None:
        with pipe.open("w", encoding="utf-8") as out:
            out.write(json.dumps(entity("p0", "Person", name="First Person")) + "\n")
            out.flush()
            waited.append(got_first.wait(timeout=10))
            for n in range(1, 20_000):
                out.write(json.dumps(entity(f"a{n}", "Address", full=f"{n} Main Street")) + "\n")
    thread = threading.Thread(target=writer)
    thread.start()
    problems: list[str] = []
    lines = ftm.entities(pipe, "pipe.json", problems)
    first = next(lines)
    got_first.set()
    rest = sum(1 for _ in lines)
    thread.join()
    assert waited == [True]  # the reader had the first entity before the writer went on
    assert first[0] == 1 and first[2]["id"] == "p0"
    assert rest == 19_999 and problems == []


def big_file(path: Path, addresses: int) -> Path:
    """An entity file most of whose lines are of a schema the import does not map (as in an OpenSanctions
    download), with a person and a sanction every 100 lines."""
    def rows() -> Iterable[dict[str, Any]]:
        for n in range(addresses):
            if n % 100 == 0:
                yield entity(f"p{n}", "Person", name=f"Person Number {n}")
                yield entity(f"s{n}", "Sanction", entity=f"p{n}", authority="EU", listingDate="2020-01-01")
            yield entity(f"a{n}", "Address", full=f"{n} Main Street, Pyongyang, North Korea " * 6)
    return jsonl(path, rows())


def test_a_big_file_is_imported_in_bounded_memory(site: Path, tmp_path: Path) -> None:
    """30 MB of entities: the peak memory of the process (VmHWM: since it started) stays far below what
    holding the file's JSON would take (about ten times the file)."""
    source = big_file(tmp_path / "big.json", 100_000)
    assert source.stat().st_size > 30_000_000
    code = ("import sys\nfrom generator.cli import main\n"
            f"code = main(['import', {str(source)!r}, {str(site)!r}])\n"
            "print(next(line for line in open('/proc/self/status') if line.startswith('VmHWM:')))\n"
            "sys.exit(code)\n")
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert run.returncode == 0, run.stderr
    assert "skipped 100,000 entities of schemata it does not map: Address 100,000" in run.stdout
    assert len(list((site / IMPORTED).iterdir())) == 1_001  # the people and EU
    peak_mb = int(run.stdout.split("VmHWM:")[1].split()[0]) / 1024
    assert peak_mb < 160, peak_mb


# ---- round trip: our own export, imported into an empty site --------------------------------------

ROUND_TRIP = {
    "content/actors/people.yaml": """\
- id: anna
  name: Anna Kim
  kind: person
  native_name: 김안나
  aliases: [A. Kim]
  short_name: Anna
  role: Analyst
  affiliations: [institute]
  links:
    wikidata: https://www.wikidata.org/wiki/Q1
    wikipedia: https://en.wikipedia.org/wiki/Anna
    website: https://example.org/anna
  relations:
    - {to: institute, type: member-of, since: 2021-05}
    - {to: paper, type: employee-of, since: 2019, until: 2020-02}
    - {to: land, type: adviser-to}
- id: boris
  name: Boris Volkov
  kind: person
  relations:
    - {to: anna, type: counterpart}
""",
    "content/actors/bodies.yaml": """\
- {id: institute, name: The Institute, kind: organization, aliases: [TI]}
- {id: paper, name: The Paper, kind: media}
- {id: land, name: North Korea, kind: state, links: {wikidata: 'https://www.wikidata.org/wiki/Q423'}}
- {id: example-country, name: Example Country, kind: state}
- {id: un-security-council, name: United Nations Security Council, kind: organization, short_name: UNSC}
""",
    "content/sources/s.yaml": "title: A release\nurl: https://example.org/release\n",
    "content/designations/d.yaml": """\
- {id: anna-unsc, actor: anna, by: un-security-council, program: resolution 2270, date: 2016-03-02,
   reference: KPi.066, until: 2020-01, reason: "A reason with [[institute]]", sources: [s]}
- {id: boris-land, actor: boris, by: land, date: 2019}
- {id: anna-land, actor: anna, by: example-country, program: DPRK3, date: 2017-12}
""",
}


def actors_of(site: Path) -> dict[str, tuple[Any, ...]]:
    graph = check(site).graph
    assert graph is not None
    return {a.id: (a.name, a.kind, frozenset(a.alias_names), a.native_name,
                   frozenset(link.url for link in a.links if not unsafe_url(link.url)),  # never exported
                   frozenset((r.to.id, r.type, str(r.since), str(r.until)) for r in a.relations),
                   frozenset(r.id for r in a.affiliations))
            for a in graph.items.values() if isinstance(a, Actor)}


def designations_of(site: Path) -> set[tuple[Any, ...]]:
    graph = check(site).graph
    assert graph is not None
    return {(d.actor.id, d.by.id, d.program, str(d.date), str(d.until), d.reference)
            for d in graph.items.values() if isinstance(d, Designation)}


def new_site(folder: Path) -> Path:
    assert run_cli("new", str(folder)).code == 0
    return folder


@pytest.mark.parametrize("original", ["inline", "new", "full", "example"])
def test_round_trip_our_own_export_gives_back_the_same_actors_relations_and_designations(
        original: str, make_site: MakeSite, tmp_path: Path) -> None:
    source = {"inline": lambda: make_site(ROUND_TRIP), "new": lambda: new_site(tmp_path / "new"),
              "full": lambda: SITES / "full", "example": lambda: EXAMPLE}[original]()
    out = tmp_path / "out"
    assert run_cli("build", str(source), "-o", str(out), "--quiet").code == 0
    exported = out / "data/entities.ftm.json"
    for line in exported.read_text(encoding="utf-8").splitlines():  # what it reads is FollowTheMoney
        proxy = model.get_proxy(json.loads(line), cleaned=False)
        assert all(p in proxy.schema.properties for p in proxy.properties)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "site.yaml").write_text("title: Empty\n", encoding="utf-8")
    run = run_import(empty, exported)
    assert run.code == 0, run.err
    assert_checks(empty)
    assert actors_of(empty) == actors_of(source)
    assert designations_of(empty) == designations_of(source)
    assert designations_of(source) or original == "example"  # the example has none yet
