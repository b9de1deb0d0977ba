"""Every page of a built site is reachable from its home page in at most three clicks, on the example, the
sample sites and a site big enough for paged indexes and a timeline split by year."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLE, SITES, MakeSite, run_cli
from htmlcheck import pages, soup, target_file
from test_scale import big_site

CLICKS = 3


def clicks_from_home(out: Path) -> dict[Path, int]:
    """Each page reachable by following links (<a href>) and sending forms (the search box: type, press
    Enter) from index.html: the fewest clicks to it."""
    home = (out / "index.html").resolve()
    depth = {home: 0}
    todo = [home]
    while todo:
        here = todo.pop(0)
        doc = soup(here)
        targets = [a["href"] for a in doc.find_all("a", href=True)] + [f["action"] for f in doc.find_all("form", action=True)]
        for href in targets:
            found = target_file(out, here, str(href))
            if found is None:
                continue
            path = found[0].resolve()
            if path.suffix == ".html" and path.is_file() and path not in depth:
                depth[path] = depth[here] + 1
                todo.append(path)
    return depth


def built(site: Path, out: Path) -> Path:
    run = run_cli("build", str(site), "-o", str(out), "--quiet")
    assert run.code == 0, run.err
    return out


@pytest.mark.parametrize("site", [EXAMPLE, SITES / "second", SITES / "full", SITES / "niger", SITES / "sanctions"],
                         ids=lambda p: p.name)
def test_every_page_is_three_clicks_from_home(site: Path, tmp_path: Path) -> None:
    assert_reachable(built(site, tmp_path / "out"))


def test_every_page_of_a_paged_site_is_three_clicks_from_home(make_site: MakeSite, tmp_path: Path) -> None:
    out = built(big_site(make_site), tmp_path / "out")
    assert (out / "articles/page/3/index.html").is_file() and (out / "timeline/2019/index.html").is_file()
    assert_reachable(out)


def assert_reachable(out: Path) -> None:
    depth = clicks_from_home(out)
    every = {p.resolve() for p in pages(out) if p.name != "404.html" and 'http-equiv="refresh"' not in p.read_text()}
    far = sorted(str(p.relative_to(out.resolve())) for p in every if depth.get(p, CLICKS + 1) > CLICKS)
    assert far == [], f"more than {CLICKS} clicks from home (or not linked at all)"
