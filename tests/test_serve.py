"""`briefing serve`: every kind of change reaches an open page by itself; failures show an overlay;
bursts are coalesced; nothing outside the output is served; Ctrl-C leaves nothing behind."""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import chromium
from bs4 import BeautifulSoup
from conftest import SITES
from playwright.sync_api import Error as PlaywrightError

from generator.serve.rebuild import ChangeKind, Rebuilder, Status, classify

TIMEOUT = 15_000  # ms a change may take to show in the page


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    def __init__(self, site: Path, port: int, *options: str, address: str = "127.0.0.1") -> None:
        self.site, self.port = site, port
        self.url = f"http://[{address}]:{port}/" if ":" in address else f"http://{address}:{port}/"
        self.log = site.parent / f"serve-{port}.log"
        self.proc = subprocess.Popen([sys.executable, "-m", "generator", "serve", str(site), "--port", str(port),
                                      *options], stdout=subprocess.DEVNULL, stderr=self.log.open("w"))
        self.out = self._wait_for_output()

    def _wait_for_output(self) -> Path:
        deadline = time.time() + 20
        while time.time() < deadline:
            m = re.search(r" from (\S+) \(Ctrl-C", self.log.read_text())
            if m:
                return Path(m[1])
            if self.proc.poll() is not None:
                raise AssertionError(self.log.read_text())
            time.sleep(0.05)
        raise AssertionError("serve did not start: " + self.log.read_text())

    def status(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.url + "_briefing/status", timeout=5) as r:
            data: dict[str, Any] = json.loads(r.read())
            return data

    def wait(self, generation: int, timeout: float = 20) -> dict[str, Any]:
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                info = self.status()
                if info["generation"] >= generation:
                    return info
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"no rebuild {generation}: " + self.log.read_text())

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout=15)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    site = tmp_path_factory.mktemp("serve") / "site"
    shutil.copytree(SITES / "full", site)
    s = Served(site, free_port())
    s.wait(1)
    yield s
    assert s.stop() == 0
    assert not s.out.exists()


@pytest.fixture(scope="module")
def page(served: Served) -> Iterator[Any]:
    with chromium() as browser:
        p = browser.new_page()  # type: ignore[attr-defined]
        yield p
        # off the served site before the browser closes: a page whose reload socket keeps reconnecting to a
        # server about to stop once kept the browser from closing (a full run sat in teardown for minutes)
        p.goto("about:blank")
        p.close()
        p.close()


def shows(page: Any, text: str) -> None:
    page.wait_for_function("t => document.body && document.body.innerText.includes(t)", arg=text, timeout=TIMEOUT)


def hides(page: Any, text: str) -> None:
    page.wait_for_function("t => document.body && !document.body.innerText.includes(t)", arg=text, timeout=TIMEOUT)


HAS_TEXT = "t => document.body.innerText.includes(t)"
HAS_LINK = "p => [...document.links].some(a => new URL(a.href).pathname === p)"


def now(page: Any, script: str, arg: str) -> bool:
    """The script's answer on the open page at once (what a wait for a change must first find false)."""
    for _ in range(50):
        try:
            return bool(page.evaluate(script, arg))
        except PlaywrightError:  # a reload for an earlier rebuild is under way
            time.sleep(0.1)
    raise AssertionError(f"the page never settled to run {script!r}")


def current(served: Served, page: Any, timeout: float = 20) -> None:
    """Wait until the open page was served after the last rebuild, with no reload on its way."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        since = served.status()["since"]
        try:
            src = page.evaluate("document.querySelector('script[src*=\"/_briefing/reload.js\"]')?.src || ''")
        except Exception:  # noqa: BLE001 - the page is being reloaded
            src = ""
        if src.endswith(f"since={since}"):
            return
        time.sleep(0.05)
    raise AssertionError("the page did not catch up with the last rebuild")


def on_page(page: Any, text: str) -> bool:
    return now(page, HAS_TEXT, text)


def has_link(page: Any, path: str) -> bool:
    """Whether the open page links to `path` (e.g. "/actors/x/"), however the href is written."""
    return now(page, HAS_LINK, path)


def links_to(page: Any, path: str) -> None:
    page.wait_for_function(HAS_LINK, arg=path, timeout=TIMEOUT)


def unlinks(page: Any, path: str) -> None:
    page.wait_for_function(f"p => !({HAS_LINK})(p)", arg=path, timeout=TIMEOUT)


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_classify_sorts_changes_by_where_they_are() -> None:
    root = Path("/site")
    assert classify(root, "/site/site.yaml") is ChangeKind.CONFIG
    assert classify(root, "/site/content/actors/x.yaml") is ChangeKind.CONTENT
    assert classify(root, "/site/templates/actor.html") is ChangeKind.TEMPLATES
    assert classify(root, "/site/static/img/a.svg") is ChangeKind.STATIC
    assert classify(root, "/site/content/actors/.x.yaml.swp") is None
    assert classify(root, "/site/build/index.html") is None
    assert classify(root, "/elsewhere/site.yaml") is None


def test_a_burst_of_requests_becomes_one_running_and_one_queued_rebuild() -> None:
    running = threading.Event()

    class SlowBuilder:
        runs = 0

        def run(self, cancel: threading.Event | None = None) -> Any:
            SlowBuilder.runs += 1
            running.set()
            time.sleep(0.3)
            raise_site_error()

    rebuilder = Rebuilder(SlowBuilder(), Status(), lambda: None, lambda line: None)  # type: ignore[arg-type]
    rebuilder.start()
    rebuilder.request()
    assert running.wait(5)
    for i in range(200):  # all while the first rebuild runs
        rebuilder.request({(ChangeKind.CONTENT, f"/site/content/actors/a{i}.yaml")})
    time.sleep(1.2)
    rebuilder.stop()
    assert SlowBuilder.runs == 2  # the one running when the burst began, and one for all the rest


def raise_site_error() -> None:
    from generator.base.errors import Location, SiteError, error
    raise SiteError([error(Location("content/x.yaml", 1, 1), "boom")])


def test_edits_of_every_kind_reach_the_open_page(served: Served, page: Any) -> None:
    site = served.site
    article = site / "content/articles/round-one-opens.md"
    page.goto(served.url + "articles/round-one-opens/")
    assert on_page(page, "Delegations from Karovia") and not on_page(page, "(edited)")
    edit(article, "Delegations from Karovia", "Delegations (edited) from Karovia")
    shows(page, "Delegations (edited) from Karovia")
    hides(page, "Delegations from Karovia")

    # livereload trap 1: an edit one second after the previous reload (its watcher drops it)
    time.sleep(1)
    assert not on_page(page, "(edited twice)")
    generation = served.status()["generation"]
    edit(article, "(edited)", "(edited twice)")
    shows(page, "(edited twice)")  # written ahead of the rebuild, which reloads the page once more:
    served.wait(generation + 1)
    current(served, page)  # a navigation while that reload is on its way would be cut short

    # a file created, renamed, then deleted: the actors index follows each step. The rename keeps
    # the name and changes the id, so what must change is where the index links and what is served.
    page.goto(served.url + "actors/")
    assert not on_page(page, "Zeta Group")
    (site / "content/actors/zeta-group.yaml").write_text("name: Zeta Group\nkind: organization\n")
    shows(page, "Zeta Group")
    links_to(page, "/actors/zeta-group/")
    assert not has_link(page, "/actors/omega-group/")
    (site / "content/actors/zeta-group.yaml").rename(site / "content/actors/omega-group.yaml")
    links_to(page, "/actors/omega-group/")
    unlinks(page, "/actors/zeta-group/")
    assert on_page(page, "Zeta Group")
    assert page.goto(served.url + "actors/omega-group/").status == 200
    assert "Zeta Group" in page.inner_text("h1")
    assert page.goto(served.url + "actors/zeta-group/").status == 404
    page.goto(served.url + "actors/")
    assert on_page(page, "Zeta Group")
    (site / "content/actors/omega-group.yaml").unlink()
    hides(page, "Zeta Group")
    unlinks(page, "/actors/omega-group/")

    # a new folder with files in it
    assert not on_page(page, "Alpha Office") and not on_page(page, "Beta Office")
    folder = site / "content/actors/new/deeper"
    folder.mkdir(parents=True)
    (folder / "a.yaml").write_text("name: Alpha Office\nkind: organization\n")
    (folder / "b.yaml").write_text("name: Beta Office\nkind: organization\n")
    shows(page, "Alpha Office")
    shows(page, "Beta Office")


def test_a_body_edit_is_written_first_then_reaches_every_page(served: Served, page: Any) -> None:
    """The edited article is written ahead of the full rebuild (Builder.preview); the articles index,
    whose card shows the article's summary, follows with the full rebuild."""
    article = served.site / "content/articles/round-one-opens.md"
    page.goto(served.url + "articles/round-one-opens/")
    before = served.wait(0)
    assert not on_page(page, "(seen first)")
    edit(article, "Minister Dolen led the", "Minister Dolen (seen first) led the")
    shows(page, "(seen first)")
    after = served.wait(before["generation"] + 1)
    assert after["previews"] == before["previews"] + 1, after
    assert 0 < after["preview_seconds"] < after["seconds"] + 1
    other = page.context.browser.new_page()  # one that the rebuild's reload of `page` cannot interrupt
    other.goto(served.url + "actors/mira-dolen/")  # "Mentioned in": the sentence around her first mention
    shows(other, "(seen first)")
    other.close()


def test_a_rebuild_never_cuts_short_a_navigation_to_another_page(served: Served, page: Any) -> None:
    """The reader follows a link while a rebuild is announced: the old page does not reload over it."""
    article = served.site / "content/articles/round-one-opens.md"
    title = "title: Karovia and Thessaria open talks on Lake Varna"
    page.goto(served.url + "articles/round-one-opens/")
    current(served, page)
    before = served.status()["generation"]

    def slow(route: Any) -> None:  # the next page is on its way while the rebuild is announced
        edit(article, title, title + " (while leaving)")
        served.wait(before + 1)
        time.sleep(0.5)  # the reload message reaches the page being left
        route.continue_()

    page.route("**/actors/karovia/", slow, times=1)  # this navigation only, not the reloads that follow
    response = page.goto(served.url + "actors/karovia/")  # raised net::ERR_ABORTED before
    assert response is not None and response.status == 200
    assert page.url.endswith("/actors/karovia/")
    shows(page, "(while leaving)")  # the article's title, as the rebuild left it
    edit(article, title + " (while leaving)", title)
    served.wait(before + 2)
    current(served, page)  # the next test starts from a page that is not reloading


def test_template_config_and_static_changes_reach_the_open_page(served: Served, page: Any) -> None:
    site = served.site
    page.goto(served.url + "topics/water-sharing/")
    assert not on_page(page, "Custom topic:")
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates/topic.html").write_text(
        "{% extends 'base.html' %}{% block main %}<h1>Custom topic: {{ title }}</h1>{% endblock %}\n")
    shows(page, "Custom topic: Lake Varna water sharing")
    shutil.rmtree(site / "templates")
    hides(page, "Custom topic:")

    assert not on_page(page, "Renamed -- ")
    edit(site / "site.yaml", "title: ", "title: Renamed -- ")
    shows(page, "Renamed -- ")

    page.goto(served.url + "robots.txt")
    assert "Disallow: /changed" not in page.content()
    (site / "static/robots.txt").write_text("User-agent: *\nDisallow: /changed\n")
    deadline = time.time() + TIMEOUT / 1000
    while "changed" not in page.content() and time.time() < deadline:
        time.sleep(0.2)
        page.reload()  # a text file has no reload script; the file itself must be fresh
    assert "Disallow: /changed" in page.content()


def test_broken_yaml_shows_overlay_then_recovers(served: Served, page: Any) -> None:
    actor = served.site / "content/actors/people/petra-lind.yaml"
    good = actor.read_text(encoding="utf-8")
    page.goto(served.url + "actors/petra-lind/")
    assert page.query_selector("#briefing-errors") is None and not on_page(page, "Chief hydrologist")
    actor.write_text(good.replace("kind: person", "kind: [person"))
    page.wait_for_selector("#briefing-errors", timeout=TIMEOUT)
    overlay = page.inner_text("#briefing-errors")
    assert re.search(r"content/actors/people/petra-lind\.yaml:\d+:\d+: error: the list opened with '\[' "
                     r".* is not closed", overlay)
    assert "Petra Lind" in page.inner_text("h1")  # the last good page is still there
    actor.write_text(good.replace("Hydrologist", "Chief hydrologist"))
    page.wait_for_selector("#briefing-errors", state="detached", timeout=TIMEOUT)
    shows(page, "Chief hydrologist")


def test_two_hundred_files_at_once_coalesce_into_few_rebuilds(served: Served, page: Any) -> None:
    """livereload traps 2 and 3: one changed file per poll (200 files, ~50 reloads), and a long
    write leaving the last file (the index, here the home page's counts) stale. Here: a few
    rebuilds, and the index is fresh."""
    page.goto(served.url)
    found = re.search(r"(\d+) actors", page.inner_text("header.masthead"))
    assert found
    actors = int(found.group(1))
    before = served.wait(0)["generation"]
    folder = served.site / "content/actors/checkout"
    folder.mkdir()
    for i in range(200):
        (folder / f"bulk-{i:03d}.yaml").write_text(f"name: Bulk Actor {i:03d}\nkind: organization\n")
    shows(page, f"{actors + 200} actors")
    time.sleep(1)
    after = served.wait(0)["generation"]
    assert 1 <= after - before <= 3
    assert on_page(page, f"{actors + 200} actors")
    shutil.rmtree(folder)
    shows(page, f"{actors} actors")


def test_a_page_that_missed_the_reload_while_loading_catches_up(served: Served, page: Any) -> None:
    """A rebuild announced while a page is still loading (before its socket is open) reaches nobody over
    the socket: the page's own count of rebuilds, checked once connected, makes it reload."""
    url = served.url + "topics/water-sharing/"
    held: list[Any] = []

    def socket(ws: Any) -> None:  # the first socket reaches the server only after the rebuild below
        if held:
            ws.connect_to_server()
            return
        said: list[Any] = []
        server: list[Any] = []
        held.append((ws, said, server))
        ws.on_message(lambda m: server[0].send(m) if server else said.append(m))
    page.route_web_socket("**/livereload", socket)
    try:
        page.goto(url)
        assert not on_page(page, "water sharing, caught up")
        before = served.wait(0)["generation"]
        topic = served.site / "content/topics/water-sharing.yaml"
        edit(topic, "title: Lake Varna water sharing", "title: Lake Varna water sharing, caught up")
        served.wait(before + 1)  # rebuilt, and the reload announced to no open socket
        time.sleep(0.3)
        assert not on_page(page, "water sharing, caught up")
        ws, said, server = held[0]
        server.append(ws.connect_to_server())
        for message in said:
            server[0].send(message)
        shows(page, "water sharing, caught up")
    finally:
        page.unroute_all()


def test_pages_are_never_served_half_written(served: Served) -> None:
    article = served.site / "content/articles/what-the-gauges-show.md"
    good = article.read_text(encoding="utf-8")
    bad: list[str] = []
    whole: list[str] = []
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            for path in ("", "articles/what-the-gauges-show/", "actors/", "timeline/"):
                try:
                    with urllib.request.urlopen(served.url + path, timeout=5) as r:
                        body = r.read().decode("utf-8")
                except urllib.error.HTTPError as exc:  # a page missing for a moment is as bad as half a page
                    bad.append(f"{path}: {exc.code}")
                    continue
                except http.client.IncompleteRead:  # fewer bytes than the Content-Length it announced
                    bad.append(f"{path}: cut short")
                    continue
                except OSError:
                    continue
                (whole if body.rstrip().endswith("</html>") else bad).append(path)
    thread = threading.Thread(target=hammer)
    thread.start()
    start = served.wait(0)["generation"]
    for i in range(8):
        article.write_text(good + ("\nMore text. " * 400) * (i % 2), encoding="utf-8")
        served.wait(start + i + 1)
    stop.set()
    thread.join()
    article.write_text(good, encoding="utf-8")
    assert bad == []
    assert len(whole) >= 8  # pages were read all along, not only refused


def test_requests_cannot_leave_the_output_folder(served: Served) -> None:
    secret = served.site.parent / "secret.txt"
    secret.write_text("secret")
    os.symlink(secret, served.out / "leak.txt")
    for path in ("../secret.txt", "..%2fsecret.txt", "%2e%2e/%2e%2e/etc/passwd", "leak.txt",
                 "actors/..%2f..%2f..%2fetc/passwd"):
        try:
            with urllib.request.urlopen(served.url + path, timeout=5) as r:
                body = r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            assert exc.code in (400, 403, 404), path
            continue
        assert "secret" not in body and "root:" not in body, path
    (served.out / "leak.txt").unlink()


def test_first_build_failing_serves_the_errors_until_fixed(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site)
    actor = site / "content/actors/people/petra-lind.yaml"
    good = actor.read_text(encoding="utf-8")
    actor.write_text(good.replace("kind: person", "kind: alien"))
    s = Served(site, free_port())
    try:
        assert s.wait(1)["built"] is False
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(s.url, timeout=5)
        text = info.value.read().decode()
        assert info.value.code == 503
        assert "content/actors/people/petra-lind.yaml:2:7: error: &#x27;kind&#x27; must be one of" in text
        actor.write_text(good)
        s.wait(2)
        with urllib.request.urlopen(s.url, timeout=5) as r:
            assert "Lake Varna" in r.read().decode()
    finally:
        assert s.stop() == 0
    assert not s.out.exists()


def test_busy_port_is_a_clear_error_with_a_free_port_suggestion(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run([sys.executable, "-m", "generator", "serve", str(SITES / "full"), "--port", str(port)],
                             capture_output=True, text=True, timeout=30, check=False)
    assert run.returncode == 1
    suggested = run.stderr.split("; try: ", 1)[1].split("\n", 1)[0]  # a command that runs as printed
    assert suggested.startswith(f"{sys.executable} -m generator serve {SITES / 'full'} --port ")
    assert f"port {port} on 127.0.0.1 is already in use; try: " in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_kill_stops_cleanly_and_removes_its_temp_folder(tmp_path: Path, how: int) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site)
    s = Served(site, free_port())
    s.wait(1)
    assert s.out.is_dir()
    s.proc.send_signal(how)
    assert s.proc.wait(timeout=15) == 0
    assert not s.out.parent.exists()
    assert "Traceback" not in s.log.read_text()
    children = subprocess.run(["pgrep", "-P", str(s.proc.pid)], capture_output=True, text=True, check=False)
    assert children.stdout == ""


RELOAD_TAG = re.compile(rb'<script src="/_briefing/reload\.js\?since=[0-9-]+" defer></script>')


def fetched(served: Served, rel: str) -> bytes:
    """A file as served, without the reload script serve adds to pages."""
    with urllib.request.urlopen(served.url + urllib.parse.quote(rel), timeout=5) as r:
        return RELOAD_TAG.sub(b"", r.read(), count=1)


def serves_a_clean_build(served: Served, fresh: Path, since: float, timeout: float) -> float:
    """Seconds from `since` (time.perf_counter()) until every file of a clean build is served with its
    bytes, and the output holds no other."""
    from test_build import tree
    want = tree(fresh)
    while True:
        info = served.status()
        if info["ok"] and tree(served.out) == want and all(fetched(served, rel) == (fresh / rel).read_bytes()
                                                           for rel in want):
            return time.perf_counter() - since
        if time.perf_counter() - since > timeout:
            differ = sorted(rel for rel in want.keys() | tree(served.out).keys()
                            if want.get(rel) != tree(served.out).get(rel))
            raise AssertionError(f"still not a clean build: {differ[:5]} {info}\n{served.log.read_text()}")
        time.sleep(0.1)


def test_a_page_written_first_does_not_outlive_a_failed_run(tmp_path: Path) -> None:
    """An article's body edit is written first; a save with an unknown [[id]] lands before the full run,
    which fails; the article goes back to the text of the last good build. That run found nothing
    changed and rendered no page, so the first edit's text stayed served."""
    from generator.build.builder import build
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site)
    article = site / "content/articles/round-one-opens.md"
    good = article.read_text(encoding="utf-8")
    s = Served(site, free_port())
    try:
        s.wait(1)
        for _ in range(3):  # the second save must land while the full run waits (see Rebuilder._settle)
            before, rebuilt = s.status(), s.log.read_text().count("rebuilt ")
            article.write_text(good.replace('measured".', 'measured". Seen first.', 1), encoding="utf-8")
            deadline = time.time() + 20
            while s.status()["previews"] == before["previews"]:  # written first; the full run waits a moment
                assert time.time() < deadline, s.log.read_text()
                time.sleep(0.01)
            article.write_text(good.replace('measured".', 'measured". Seen first. [[no-such-id]]', 1),
                               encoding="utf-8")
            failed = s.wait(before["generation"] + 1)
            if not failed["ok"] and s.log.read_text().count("rebuilt ") == rebuilt:
                break
            article.write_text(good, encoding="utf-8")  # too late: the full run had the first save; again
            while not s.status()["ok"] or b"Seen first." in fetched(s, "articles/round-one-opens/"):
                assert time.time() < deadline, s.log.read_text()
                time.sleep(0.05)
        else:
            pytest.fail("the second save never landed before the full run\n" + s.log.read_text())
        text = BeautifulSoup(fetched(s, "articles/round-one-opens/"), "html.parser").main.get_text()
        assert "Seen first." in text  # the page written first, with the overlay over it
        article.write_text(good, encoding="utf-8")
        last = time.perf_counter()
        build(site, tmp_path / "fresh")
        serves_a_clean_build(s, tmp_path / "fresh", last, timeout=10)
        text = BeautifulSoup(fetched(s, "articles/round-one-opens/"), "html.parser").main.get_text()
        assert "Seen first." not in text
    finally:
        assert s.stop() == 0


@pytest.mark.parametrize("seed", [1, 2])
def test_random_saves_with_failed_runs_end_served_as_a_clean_build(tmp_path: Path, seed: int) -> None:
    """Saves a few at a time or one by one, some previewed, some breaking the build, some fixing it: a
    few seconds after the last, the server serves a clean build of the sources as they are."""
    from test_preview import Saves

    from generator.build.builder import build
    rng = random.Random(seed)
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site)
    s = Served(site, free_port())
    try:
        s.wait(1)
        saves = Saves(site, rng)
        for _ in range(14):
            saves.any()
            time.sleep(rng.choice([0, 0.02, 0.1, 0.3, 0.6]))
        saves.all_fixed()
        last = time.perf_counter()
        build(site, tmp_path / "fresh")
        seconds = serves_a_clean_build(s, tmp_path / "fresh", last, timeout=10)
        assert seconds < 5, seconds  # a whole-site rebuild takes well under a second here
    finally:
        assert s.stop() == 0


ODD_PATHS = ["/%00", "/a%00b", "/x%00.html", "/index.html%00", "/%00/", "/actors/%00/index.html", "/%2500",
             "/%ff", "/%c3%28", "/%e2%82", "/%ed%a0%80", "/a\\b", "/..\\..\\etc\\passwd",
             "/%5c..%5c..%5cetc%5cpasswd", "/actors\\", "//etc/passwd", "/%2f%2fetc%2fpasswd", "/%2e%2e",
             "/" + "a" * 300, "/" + "a/" * 3000, "/" + "%61" * 3000, "/_briefing/status%00", "/livereload%00",
             "/_briefing/reload.js%00"]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_odd_paths_get_a_client_error_and_log_no_traceback(served: Served, method: str) -> None:
    """A NUL in the path (GET /%00) was a 500 with a traceback in the log."""
    logged = len(served.log.read_text())
    for path in ODD_PATHS:
        connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=5)
        connection.putrequest(method, path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        connection.close()
        assert response.status in (200, 301, 400, 403, 404, 414), (path[:40], response.status)
        assert b"Traceback" not in body and b"embedded null" not in body, path[:40]
    with socket.create_connection(("127.0.0.1", served.port), timeout=5) as raw:  # a NUL byte, not escaped
        raw.sendall(f"{method} /a\0b HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\n\r\n".encode())
        answer = raw.recv(200)
    assert answer == b"" or answer.split()[1] in (b"400", b"404"), answer
    log = served.log.read_text()[logged:]
    assert "Traceback" not in log and "Uncaught exception" not in log, log[-3000:]
    assert not re.search(r"^5\d\d ", log, re.MULTILINE), log[-3000:]


def asked(port: int, host: str, path: str = "/", origin: str | None = None, socket_: bool = False,
          to: str = "127.0.0.1") -> tuple[int, str]:
    """Status and body of a request to `to`:`port` that names `host` in its Host header (as a page of a
    DNS-rebinding site would); with `socket_`, a WebSocket handshake from `origin`."""
    connection = http.client.HTTPConnection(to, port, timeout=5)
    connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
    connection.putheader("Host", host)
    if socket_:
        for name, value in (("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Version", "13"),
                            ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")):
            connection.putheader(name, value)
    if origin is not None:
        connection.putheader("Origin", origin)
    connection.endheaders()
    response = connection.getresponse()
    body = "" if response.status == 101 else response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, body


def test_requests_for_another_host_are_refused(served: Served) -> None:
    """A page of any site can make the browser ask 127.0.0.1 under its own name (DNS rebinding); only the
    address the server listens on, and localhost, are answered."""
    port = served.port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}", f"localhost.:{port}", "127.0.0.1"):
        status, body = asked(port, host)
        assert status == 200 and "Lake Varna" in body, (host, status)
    for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1.evil.example:{port}", f"localhost.evil.example:{port}",
                 f"[::1]:{port}", f"0.0.0.0:{port}", f"{socket.gethostname()}.evil.example:{port}", "", "a:b:c", "[::1"):
        for path in ("/", "/articles/round-one-opens/", "/_briefing/status", "/_briefing/reload.js", "/livereload"):
            status, body = asked(port, host, path)
            assert status == 403, (host, path, status)
            assert f"127.0.0.1:{port}" in body and f"localhost:{port}" in body and "Lake Varna" not in body, body
        assert asked(port, host, "/livereload", origin=f"http://{host}", socket_=True)[0] == 403, host


def test_the_reload_socket_takes_only_this_servers_pages(served: Served) -> None:
    """Any site the writer visits could open /livereload: only a page of this server may."""
    port, host = served.port, f"127.0.0.1:{served.port}"
    for origin in (f"http://127.0.0.1:{port}", f"http://localhost:{port}", None):  # None: not a browser
        assert asked(port, host, "/livereload", origin, socket_=True)[0] == 101, origin
    for origin in ("http://evil.example", f"http://evil.example:{port}", "null", f"http://127.0.0.1:{port + 1}",
                   "http://127.0.0.1", f"https://evil.example:{port}", f"http://127.0.0.1:{port}.evil.example", ""):
        assert asked(port, host, "/livereload", origin, socket_=True)[0] == 403, origin


def test_the_reload_socket_ignores_messages_it_cannot_read(served: Served) -> None:
    import asyncio

    from tornado.websocket import websocket_connect
    logged = len(served.log.read_text())

    async def talk() -> Any:
        ws = await websocket_connect(f"ws://127.0.0.1:{served.port}/livereload")
        for message in ("not json", "[]", "{}", '{"command": 5}', '"x"', "null", '{"command": "info"}', b"\xff"):
            await ws.write_message(message, binary=isinstance(message, bytes))
        await ws.write_message('{"command": "hello", "protocols": []}')
        answer = await asyncio.wait_for(ws.read_message(), 5)
        ws.close()
        return answer
    answer: list[Any] = []  # on a thread of its own: Playwright's sync API keeps a loop on this one
    thread = threading.Thread(target=lambda: answer.append(asyncio.run(talk())))
    thread.start()
    thread.join(timeout=20)
    assert answer and json.loads(answer[0])["command"] == "hello"
    time.sleep(0.2)
    log = served.log.read_text()[logged:]
    assert "Traceback" not in log and "Uncaught exception" not in log, log


def own_address(family: socket.AddressFamily, probe: str) -> str | None:
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.connect((probe, 9))
            return str(s.getsockname()[0])
    except OSError:
        return None


@pytest.mark.parametrize("every,to,family,probe", [("0.0.0.0", "127.0.0.1", socket.AF_INET, "192.0.2.1"),
                                                  ("::", "::1", socket.AF_INET6, "2001:db8::1")])
def test_listening_on_every_address_answers_to_the_machines_own_names(tmp_path: Path, every: str, to: str,
                                                                      family: socket.AddressFamily, probe: str) -> None:
    if family == socket.AF_INET6 and own_address(family, probe) is None:
        pytest.skip("no IPv6 here")
    site = tmp_path / "site"
    shutil.copytree(SITES / "full", site)
    port = free_port()
    s = Served(site, port, "--host", every, address=to)
    try:
        s.wait(1)
        address = own_address(family, probe)
        shown = f"[{address}]" if address and ":" in address else address
        for host in (f"{to if '.' in to else '[' + to + ']'}:{port}", f"localhost:{port}", f"{socket.gethostname()}:{port}",
                     f"{socket.getfqdn()}:{port}", *([f"{shown}:{port}"] if address else [])):
            assert asked(port, host, to=to)[0] == 200, host
            assert asked(port, host, "/livereload", f"http://{host}", socket_=True, to=to)[0] == 101, host
        status, body = asked(port, f"evil.example:{port}", to=to)
        assert status == 403 and f"{socket.gethostname()}:{port}" in body.lower(), body
        assert asked(port, f"localhost:{port}", "/livereload", "http://evil.example", socket_=True, to=to)[0] == 403
    finally:
        assert s.stop() == 0


PREEMPT_ARTICLES = 1500
"""A generated site (benchmarks/make_site.py) whose rebuild after a body edit takes 0.6 to 0.9 s here,
over a hundred times as long as writing the edited page first."""


def page_shows(served: Served, rel: str, text: str, since: float, timeout: float = 30) -> float:
    """Seconds from `since` (time.perf_counter()) until a GET of `rel` returns `text`."""
    while True:
        try:
            if text.encode() in fetched(served, rel):
                return time.perf_counter() - since
        except OSError:
            pass
        if time.perf_counter() - since > timeout:
            raise AssertionError(f"{rel} never showed {text!r}\n{served.log.read_text()}")
        time.sleep(0.005)


def rebuilt_after(served: Served, since: float, generation: int, timeout: float) -> float:
    """Seconds from `since` (time.perf_counter()) until a rebuild that began after it has finished;
    `generation`: the server's count of rebuilds before `since`."""
    while True:
        info = served.status()
        now = time.perf_counter()
        if info["generation"] > generation:
            generation = info["generation"]
            if now - info["seconds"] > since:  # that rebuild took `seconds` (the status is polled often)
                return now - since
        if now - since > timeout:
            raise AssertionError(f"no rebuild after the save: {info}\n{served.log.read_text()}")
        time.sleep(0.01)


def test_an_edit_during_a_rebuild_is_served_first_and_the_rebuild_starts_again(tmp_path: Path) -> None:
    """A body edit saved while the rebuild for the previous one is under way is served within a fraction of
    a rebuild's time, before that rebuild could have finished (it stops, writing nothing); the next one
    starts from the newest sources, and within twice a rebuild's time of the last save the server serves
    a clean build. Before, each edit waited for the rebuild under way."""
    from generator.build.builder import build
    from generator.serve.rebuild import SETTLE_MAX
    site = tmp_path / "site"
    subprocess.run([sys.executable, str(Path(__file__).parent.parent / "benchmarks/make_site.py"), str(site),
                    str(PREEMPT_ARTICLES)], check=True, capture_output=True)
    article, page = site / "content/articles/article-17.md", "articles/article-17/"
    text = article.read_text(encoding="utf-8")

    def save(line: str) -> float:
        nonlocal text
        text += f"\n{line}\n"
        article.write_text(text, encoding="utf-8")
        return time.perf_counter()

    s = Served(site, free_port())
    try:
        generation = s.wait(1, timeout=120)["generation"]
        save("An edit to time a rebuild by.")
        rebuild = s.wait(generation + 1)["seconds"]
        lags, finished = [], []
        for i in range(3):
            previews = s.status()["previews"]
            save(f"Edit {i}, first.")
            while (before := s.status())["previews"] == previews:
                time.sleep(0.005)
            # the page is not fetched, so the rebuild starts SETTLE_MAX later, or half a rebuild's time if less
            time.sleep(min(SETTLE_MAX, rebuild / 2) + rebuild / 4)
            assert s.status()["generation"] == before["generation"], "the rebuild was over before the second save"
            saved = save(f"Edit {i}, second.")
            lags.append(page_shows(s, page, f"Edit {i}, second.", saved))
            finished.append(s.status()["generation"] - before["generation"])
            whole = rebuilt_after(s, saved, before["generation"], timeout=4 * rebuild + 5)
        assert statistics.median(lags) < rebuild / 3, (lags, rebuild)
        assert finished == [0, 0, 0], finished  # the rebuild under way at the second save never finished
        info = s.status()
        assert info["ok"] and whole < 2 * info["seconds"], (whole, info)
        build(site, tmp_path / "fresh")
        serves_a_clean_build(s, tmp_path / "fresh", time.perf_counter(), timeout=0)
    finally:
        assert s.stop() == 0


def test_a_page_replaced_while_it_is_served_comes_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild replaces a page (os.replace) at the worst moment: after the handler took its size, before
    it read it. The reader still gets one whole version, with the length it announced (tornado's handler
    announced one version's length and sent the other's bytes: a page cut short, or too long)."""
    import asyncio

    from tornado import web

    from generator.serve import handlers
    out = tmp_path / "site"
    out.mkdir()
    page = out / "index.html"
    versions = [b"<!DOCTYPE html><html><head></head><body>" + fill * size + b"</body></html>\n"
                for fill, size in ((b"a", 10), (b"b", 200_000))]
    page.write_bytes(versions[0])
    original = handlers.SiteHandler.get_content_size

    def then_replaced(self: handlers.SiteHandler) -> int:
        size = original(self)
        new = out / "new.html"
        new.write_bytes(versions[1] if page.read_bytes() == versions[0] else versions[0])
        os.replace(new, page)
        return size
    monkeypatch.setattr(handlers.SiteHandler, "get_content_size", then_replaced)
    status = Status(ok=True, built=True)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    port: list[int] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        app = web.Application([(r"/(.*)", handlers.SiteHandler,
                                {"path": str(out), "default_filename": "index.html", "status": status})])
        server = app.listen(0, address="127.0.0.1")
        port.append(next(iter(server._sockets.values())).getsockname()[1])
        ready.set()
        loop.run_forever()
        server.stop()
    thread = threading.Thread(target=run)
    thread.start()
    try:
        ready.wait(10)
        for _ in range(4):
            with urllib.request.urlopen(f"http://127.0.0.1:{port[0]}/", timeout=10) as r:
                body = r.read()
                assert int(r.headers["Content-Length"]) == len(body)
            assert body in versions
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
