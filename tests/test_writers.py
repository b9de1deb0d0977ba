"""What a writer meets: links by name, links from the root in either URL style, what cites a source,
one build at a time, and serve's handling of static dotfiles and of stopping mid-rebuild."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import SITES, MakeSite, run_cli
from htmlcheck import broken_links, soup
from test_build import tree

from generator.build.builder import build
from generator.build.workers import Cancelled
from generator.build.write import locked
from generator.serve.rebuild import ChangeKind, Rebuilder, Status, classify

NAMES = {
    "content/actors/kim-jong-un.yaml": "name: Kim Jong Un\nkind: person\naliases: [Kim]\n",
    "content/actors/vladimir-putin.yaml": "name: Vladimir Putin\nkind: person\naliases: [Putin]\n",
    "content/topics/sanctions.yaml": "title: Sanctions\n",
    "content/articles/a.md": "---\ntitle: A\ndate: 2023-09-13\n---\n"
                             "[[Kim Jong Un]] met [[Vladimir Putin|the Russian president]] to talk [[Sanctions]].\n\n"
                             "Later Kim spoke. See [the profile](/actors/vladimir-putin/), [all actors](/actors/) "
                             "and ![the map](/img/map.svg).\n",
    "static/img/map.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
}


def test_names_link_their_items_and_count_as_first_mention(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site(NAMES)
    out = build(root, tmp_path / "out").out
    page = soup(out / "articles/a/index.html")
    body = page.select_one("div.body")
    assert body is not None
    links = {a.get_text(): a["href"] for a in body.select("a.ref")}
    assert links == {"Kim Jong Un": "../../actors/kim-jong-un/", "the Russian president": "../../actors/vladimir-putin/",
                     "Sanctions": "../../topics/sanctions/"}
    assert not body.select("a.mention")  # "Kim" later is not a first mention any more
    heading = soup(out / "actors/kim-jong-un/index.html").select_one("#sec-mentioned")
    assert heading is not None and heading.parent is not None
    assert next(a["href"] for a in heading.parent.select("a")) == "../../articles/a/"


def test_root_links_follow_the_url_style(make_site: MakeSite, tmp_path: Path) -> None:
    for pretty, profile, actors, image in [("true", "../../actors/vladimir-putin/", "../../actors/",
                                            "../../img/map.svg"),
                                           ("false", "../actors/vladimir-putin.html", "../actors/index.html",
                                            "../img/map.svg")]:
        root = make_site({**NAMES, "site.yaml": f"title: T\npretty_urls: {pretty}\n"})
        out = build(root, tmp_path / f"out-{pretty}").out
        page = soup(out / ("articles/a/index.html" if pretty == "true" else "articles/a.html"))
        hrefs = {a.get_text(): a["href"] for a in page.select("a")}
        assert hrefs["the profile"] == profile
        assert hrefs["all actors"] == actors
        assert page.select_one("img[alt='the map']")["src"] == image  # type: ignore[index]
        assert broken_links(out) == []


def test_bibliography_names_what_cites_a_source_not_the_speaker(tmp_path: Path) -> None:
    out = build(SITES / "full", tmp_path / "out").out
    entries = soup(out / "sources/index.html").select("li[id]")
    cited = {li["id"]: [a.get_text(" ", strip=True) for a in li.select(".meta a")] for li in entries}
    quote_lines = [text for texts in cited.values() for text in texts if text.startswith("Quote by ")]
    assert quote_lines, cited
    assert all("“" in text for text in quote_lines)  # its first words, so two quotes of one speaker differ
    speakers = {"Mira Dolen", "Petra Lind"}
    assert not any(text in speakers for texts in cited.values() for text in texts)


def test_check_finds_what_build_finds(tmp_path: Path) -> None:
    for case in ("static-file-clashes-with-page", "two-pages-one-path", "template-runtime-error"):
        site = SITES / "invalid" / case
        checked, built = run_cli("check", str(site)), run_cli("build", str(site), "-o", str(tmp_path / case))
        assert checked.code == built.code == 1
        assert checked.problems == built.problems != []


def test_a_second_build_of_one_output_stops_with_a_message(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with locked(out):
        run = run_cli("build", str(SITES / "full"), "-o", str(out))
    assert run.code == 1
    assert "another briefing build is writing into" in run.err
    assert run_cli("build", str(SITES / "full"), "-o", str(out), "--quiet").code == 0


def test_concurrent_builds_never_corrupt_the_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    procs = [subprocess.Popen([sys.executable, "-m", "generator", "build", str(SITES / "full"), "-o", str(out),
                               "--quiet"], stderr=subprocess.PIPE, text=True) for _ in range(4)]
    results = [(p.wait(), p.stderr.read() if p.stderr else "") for p in procs]
    assert all(code == 0 or (code == 1 and "another briefing build" in err) for code, err in results), results
    assert any(code == 0 for code, _ in results)
    build(SITES / "full", tmp_path / "clean")
    assert tree(out) == tree(tmp_path / "clean")


def test_serve_sees_static_dotfiles_but_not_hidden_content(tmp_path: Path) -> None:
    root = tmp_path
    assert classify(root, str(root / "static/.nojekyll")) is ChangeKind.STATIC
    assert classify(root, str(root / "static/.well-known/security.txt")) is ChangeKind.STATIC
    assert classify(root, str(root / "static/notes.txt~")) is None
    assert classify(root, str(root / "content/actors/.x.yaml")) is None


def test_stopping_serve_waits_for_the_rebuild_under_way() -> None:
    events: list[str] = []
    started = threading.Event()

    class Slow:
        def run(self, cancel: threading.Event | None = None) -> Any:
            started.set()
            while cancel is not None and not cancel.is_set():
                time.sleep(0.01)
            time.sleep(0.2)  # a page still being written when the stop came
            events.append("rebuild ended")
            raise Cancelled()

    rebuilder = Rebuilder(Slow(), Status(), lambda: None, lambda line: None)  # type: ignore[arg-type]
    rebuilder.start()
    rebuilder.request()
    assert started.wait(5)
    rebuilder.stop()
    events.append("stopped")
    assert events == ["rebuild ended", "stopped"]  # the output folder is removed only after this


def test_template_errors_name_the_template_relative_to_the_site_however_it_is_given() -> None:
    invalid = SITES / "invalid"
    for cwd, arg in [(invalid, "template-error"), (invalid / "template-error" / "content", "..")]:
        run = subprocess.run([sys.executable, "-m", "generator", "check", arg], cwd=cwd, capture_output=True, check=False,
                             text=True, env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
        assert run.returncode == 1
        assert run.stderr.splitlines()[0] == "templates/actor.html:3:1: error: template error: unexpected '}'"


def test_an_oversized_content_file_is_refused_in_plain_words(make_site: MakeSite,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("generator.content.load.MAX_FILE_BYTES", 1024 * 1024)
    events = "".join(f"- id: e{i}\n  title: Event {i}\n  date: 2023\n" for i in range(40_000))
    root = make_site({"content/events/all.yaml": events, "content/events/one.yaml": "title: One\ndate: 2023\n"})
    run = run_cli("check", str(root))
    assert run.code == 1
    assert run.problems == [("content/events/all.yaml: error: this file is 1.8 MB; the limit is 1 MB a file: "
                             "split it into several files (sub-folders are fine)")]
