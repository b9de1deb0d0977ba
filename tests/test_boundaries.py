"""Where the site ends and the world begins: the modes of the output, where the output may be, the
address the site is given, pictures from outside static/, and values no file can hold."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import MakeSite, run_cli
from htmlcheck import soup
from test_build import tree

from generator.build.builder import check
from generator.build.stamp import CACHE

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ANNA = {"content/actors/anna.yaml": "name: Anna\nkind: person\n",
        "content/articles/a.md": "---\ntitle: A\ndate: 2023-09-13\n---\nAnna spoke.\n"}


def _picture(size: str) -> str:
    return f"<svg xmlns='http://www.w3.org/2000/svg' {size}/>\n"


@pytest.mark.parametrize(("size", "shown"), [
    ("viewBox='0 0 100000 50000'", ("20000", "10000")),  # an SVG scales: the same shape, within bounds
    ("width='1e3' height='500'", ("1000", "500")),
    ("width='0' height='5' viewBox='0 0 40 20'", ("40", "20")),  # no size of its own: its viewBox
    ("width='0.2' height='0.3'", ("1", "1")),
])
def test_an_svg_gets_a_finite_size_of_at_least_a_pixel(make_site: MakeSite, tmp_path: Path, size: str,
                                                        shown: tuple[str, str]) -> None:
    article = "---\ntitle: A\ndate: 2023-09-13\nimage:\n  src: img/p.svg\n  alt: A picture\n---\nBody.\n"
    site = make_site({"content/articles/a.md": article, "static/img/p.svg": _picture(size)})
    out = tmp_path / "out"
    run = run_cli("build", str(site), "-o", str(out))
    assert run.code == 0, run.err
    img = soup(out / "articles/a/index.html").select_one(".lead-image img")
    assert img is not None and (img["width"], img["height"]) == shown


def test_a_picture_pillow_would_warn_of_is_one_problem_line_and_nothing_else(make_site: MakeSite) -> None:
    """90 million pixels: past our limit and Pillow's warning (DecompressionBombWarning on stderr), short of
    its error. In a real process, so that a warning printed anywhere shows."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 10000, 9000, 8, 2, 0, 0, 0)) + chunk(b"IEND", b"")
    article = "---\ntitle: A\ndate: 2023-09-13\nimage:\n  src: img/p.png\n  alt: A picture\n---\nBody.\n"
    site = make_site({"content/articles/a.md": article})
    (site / "static/img").mkdir(parents=True)
    (site / "static/img/p.png").write_bytes(png)
    for command in ("check", "build"):
        done = subprocess.run([sys.executable, "-m", "generator", command, str(site)], capture_output=True,
                              text=True, timeout=120, check=False)
        assert done.returncode == 1
        assert done.stderr.splitlines()[:-1] == [
            ("content/articles/a.md:5:3: error: image 'img/p.png' is 10,000 x 9,000 pixels: too large for a web "
             "page; briefing takes pictures up to 20,000 pixels a side and 80 million pixels in all")]


def test_an_escaped_surrogate_pair_is_the_character_it_stands_for(make_site: MakeSite, tmp_path: Path) -> None:
    """JSON writes a character beyond U+FFFF as two escapes, and YAML's double quotes take them: one
    character, not two halves."""
    site = make_site({"content/actors/anna.yaml": 'name: "Anna \\ud83d\\ude00"\nkind: person\n'})
    out = tmp_path / "out"
    assert run_cli("build", str(site), "-o", str(out)).code == 0
    heading = soup(out / "actors/anna/index.html").select_one("h1")
    assert heading is not None and heading.get_text(strip=True).startswith("Anna \U0001f600")


@pytest.mark.parametrize("rel", ["site.yaml", "content/actors/anna.yaml", "content/articles/a.md"])
def test_a_lone_surrogate_is_one_error_at_its_escape_in_any_file(make_site: MakeSite, rel: str) -> None:
    texts = {"site.yaml": 'title: "T"\nbase_url: https://example.org/\ndescription: "About\n  \\udfff"\n',
             "content/actors/anna.yaml": 'name: Anna\nkind: person\naliases: [A, "\\U0000D800"]\n',
             "content/articles/a.md": '---\ntitle: A\ndate: 2023-09-13\nsummary: "x\n  y \\ud800 z"\n---\nAnna.\n'}
    where = {"site.yaml": "4:3", "content/actors/anna.yaml": "3:15", "content/articles/a.md": "5:5"}[rel]
    code = {"site.yaml": "dfff", "content/actors/anna.yaml": "d800", "content/articles/a.md": "d800"}[rel]
    site = make_site({**ANNA, rel: texts[rel]})
    for command in ("check", "build"):
        run = run_cli(command, str(site))
        assert run.code == 1
        assert run.problems == [(f"{rel}:{where}: error: '\\u{code}' is half of a UTF-16 surrogate pair, not a "
                                 "character: write the character itself, both halves of the pair, or its \\U escape")]


def test_file_names_that_are_not_utf8_are_problems_or_copied_never_a_traceback(make_site: MakeSite,
                                                                              tmp_path: Path) -> None:
    """Linux file names are bytes: Python holds those that are not UTF-8 as lone surrogates."""
    site = make_site(ANNA)
    for folder, name in [("templates", b"a\xff.html"), ("static", b"b\xff.txt")]:
        (site / folder).mkdir()
        with open(os.fsencode(site / folder) + b"/" + name, "wb") as f:
            f.write(b"x\n")
    out = tmp_path / "out"
    for command in ("check", "build"):
        run = run_cli(command, str(site), *(("-o", str(out)) if command == "build" else ()))
        assert run.code == 0, run.err
        assert run.problems == [("templates/a\udcff.html: warning: the file name is not UTF-8, so no template "
                                 "can name it; ignored")]
    assert (out / os.fsdecode(b"b\xff.txt")).read_bytes() == b"x\n"


@pytest.fixture
def umask() -> Iterator[None]:
    """Restores the process's umask after a test that sets its own."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _wrong_modes(out: Path, mask: int) -> list[str]:
    """Every folder and file under `out` whose mode is not what mkdir and open give under `mask`."""
    wrong = []
    for path in sorted(out.rglob("*")):
        want = (0o777 if path.is_dir() else 0o666) & ~mask
        if stat.S_IMODE(path.lstat().st_mode) != want:
            wrong.append(f"{path.relative_to(out)}: {stat.filemode(path.lstat().st_mode)}")
    return wrong


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o002], ids=oct)
def test_the_output_gets_the_modes_mkdir_and_open_give(make_site: MakeSite, tmp_path: Path, umask: None,
                                                       mask: int) -> None:
    """A web server running as another user reads the site: the output folder, and every folder and file
    in it (pages, search/, data/, assets/, feeds), in a full build and in an incremental one."""
    os.umask(mask)
    site = make_site({**ANNA, "static/img/map.svg": "<svg xmlns='http://www.w3.org/2000/svg' width='4' height='2'/>"})
    out = tmp_path / "out"
    assert run_cli("build", str(site), "-o", str(out)).code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~mask
    assert {"search", "data", "assets", "feeds", "img"} <= {p.name for p in out.iterdir() if p.is_dir()}
    assert _wrong_modes(out, mask) == []
    (site / "content/actors/boris.yaml").write_text("name: Boris\nkind: person\n")  # a new page, in a new folder
    (site / "content/articles/a.md").write_text("---\ntitle: A\ndate: 2023-09-13\n---\nAnna and Boris spoke.\n")
    run = run_cli("build", str(site), "-o", str(out))
    assert run.code == 0 and "0 rendered" not in run.out
    assert (out / "actors/boris/index.html").is_file()
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~mask
    assert _wrong_modes(out, mask) == []


@pytest.mark.parametrize("mode", [0o755, 0o750, 0o711], ids=oct)
def test_an_output_folder_made_beforehand_keeps_its_own_mode(make_site: MakeSite, tmp_path: Path, umask: None,
                                                             mode: int) -> None:
    site = make_site(ANNA)
    out = tmp_path / "www"
    out.mkdir()
    out.chmod(mode)
    inode = out.stat().st_ino
    assert run_cli("build", str(site), "-o", str(out)).code == 0
    assert stat.S_IMODE(out.stat().st_mode) == mode
    assert out.stat().st_ino == inode  # the folder itself, filled: not replaced by another one
    assert _wrong_modes(out, 0o022) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "www"]  # no staging folder left behind


@pytest.mark.parametrize(("written", "line"), [
    ("example.org/my briefing", ("'base_url' must be the site's absolute address: http:// or https://, a host name, "
     "and a path written as in a URL (a space as %20); did you mean 'https://example.org/my%20briefing/'?")),
    ("https://example.org/my briefing/", "did you mean 'https://example.org/my%20briefing/'?"),
    ("//example.org/b/", "did you mean 'https://example.org/b/'?"),
    ("ftp://example.org/b/", "did you mean 'https://example.org/b/'?"),
    ("https://example.org/b/?lang=en#top", "did you mean 'https://example.org/b/'?"),
    ("https://user:secret@example.org/b/", "did you mean 'https://example.org/b/'?"),
    ("https://bücher.example/straße/", "did you mean 'https://xn--bcher-kva.example/stra%C3%9Fe/'?"),
    ("'https://example.org/b/ '", "did you mean 'https://example.org/b/'?"),
    ("/briefing/", "for example https://example.org/briefing/"),
    ("http://", "for example https://example.org/briefing/"),
    ("https://exa mple.org/", "for example https://example.org/briefing/"),
    ("https://example.org:99999/", "for example https://example.org/briefing/"),
])
def test_base_url_must_be_an_absolute_http_url(make_site: MakeSite, written: str, line: str) -> None:
    site = make_site({**ANNA, "site.yaml": f"title: T\nbase_url: {written}\n"})
    run = run_cli("check", str(site))
    assert run.code == 1
    assert len(run.problems) == 1 and run.problems[0].startswith("site.yaml:2:11: error: 'base_url' must be ")
    assert run.problems[0].endswith(line)


@pytest.mark.parametrize(("written", "used"), [
    ("https://example.org/b", "https://example.org/b/"),
    ("http://localhost:8000", "http://localhost:8000/"),
    ("HTTPS://Example.org/b/", "https://Example.org/b/"),
    ("https://example.org/a%20b/", "https://example.org/a%20b/"),
    ("https://[2001:db8::1]:8080/b/", "https://[2001:db8::1]:8080/b/"),
])
def test_a_good_base_url_is_kept_with_a_slash_at_the_end(make_site: MakeSite, written: str, used: str) -> None:
    result = check(make_site({**ANNA, "site.yaml": f"title: T\nbase_url: {written}\n"}))
    assert result.graph is not None, result.problems
    assert result.graph.site.config.base_url == used


def test_plain_text_outputs_are_not_escaped_as_html(make_site: MakeSite, tmp_path: Path) -> None:
    """robots.txt holds the base URL as it is; the XML files hold it escaped once, as XML wants."""
    base = "https://example.org/r&d/"
    site = make_site({**ANNA, "site.yaml": f"title: T\nbase_url: '{base}'\n"})
    out = tmp_path / "out"
    assert run_cli("build", str(site), "-o", str(out)).code == 0
    assert (out / "robots.txt").read_text().splitlines()[-1] == f"Sitemap: {base}sitemap.xml"
    locs = [e.text for e in ET.parse(out / "sitemap.xml").iter(f"{SITEMAP}loc")]
    assert locs and all(loc and loc.startswith(base) for loc in locs)
    feed = ET.parse(out / "feed.xml").getroot()
    assert feed.findtext(f"{ATOM}id") == f"{base}feed.xml"
    canonical = soup(out / "articles/a/index.html").select_one("link[rel=canonical]")
    assert canonical is not None and canonical["href"] == f"{base}articles/a/"


def test_an_image_src_may_not_leave_static_even_to_a_real_picture(make_site: MakeSite, tmp_path: Path) -> None:
    (tmp_path / "outside.svg").write_text(_picture("width='40' height='20'"))
    article = "---\ntitle: {0}\ndate: 2023-09-13\nimage:\n  alt: A picture\n  src: {1}\n---\nBody.\n"
    site = make_site({"content/articles/up.md": article.format("Up", "../../outside.svg"),
                      "content/articles/abs.md": article.format("Abs", tmp_path / "outside.svg")})
    for command in ("check", "build"):
        run = run_cli(command, str(site))
        assert run.code == 1
        assert run.problems == [
            ("content/articles/abs.md:6:8: error: 'src' names a file under static/ from there, not an absolute "
             "path: write 'img/map.png' for static/img/map.png"),
            ("content/articles/up.md:6:8: error: 'src' names a file under static/ from there, and '..' would "
             "leave it: put the picture in static/")]
    assert not (site / "build").exists()


def test_an_image_through_a_symlink_out_of_the_site_is_refused_and_not_read(make_site: MakeSite,
                                                                          tmp_path: Path) -> None:
    """A symlink under static/ that leads out of the site is refused, as everywhere in the site; an image
    through it is an error too, and its file is not read."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "map.svg").write_text(_picture("width='40' height='20'"))
    article = "---\ntitle: A\ndate: 2023-09-13\nimage:\n  src: img/map.svg\n  alt: A map\n---\nBody.\n"
    site = make_site({"content/articles/a.md": article})
    (site / "static").mkdir()
    (site / "static/img").symlink_to(outside, target_is_directory=True)
    outside.chmod(0o000)  # reading it would fail (as root it would not, and the problems say the same)
    try:
        run = run_cli("check", str(site))
    finally:
        outside.chmod(0o755)
    assert run.code == 1
    assert run.problems == [
        "content/articles/a.md:5:3: error: image 'img/map.svg' leads outside the site through a symlink; refused",
        "static/img: error: symlink points outside the site; refused"]


def test_a_symlink_within_the_site_may_hold_an_image(make_site: MakeSite, tmp_path: Path) -> None:
    article = "---\ntitle: A\ndate: 2023-09-13\nimage:\n  src: img/map.svg\n  alt: A map\n---\nBody.\n"
    site = make_site({"content/articles/a.md": article, "pictures/map.svg": _picture("width='40' height='20'")})
    (site / "static").mkdir()
    (site / "static/img").symlink_to("../pictures", target_is_directory=True)
    out = tmp_path / "out"
    assert run_cli("build", str(site), "-o", str(out)).code == 0
    img = soup(out / "articles/a/index.html").select_one(".lead-image img")
    assert img is not None and (img["width"], img["height"]) == ("40", "20")
    assert (out / "img/map.svg").is_file()


def test_an_image_src_naming_an_editor_leftover_is_an_error(make_site: MakeSite) -> None:
    """static/ skips editor leftovers (map.svg~): the page would show a picture the output does not have."""
    article = "---\ntitle: A\ndate: 2023-09-13\nimage:\n  src: img/map.svg~\n  alt: A map\n---\nBody.\n"
    site = make_site({"content/articles/a.md": article, "static/img/map.svg~": _picture("width='4' height='2'")})
    run = run_cli("check", str(site))
    assert run.code == 1
    assert run.problems == [("content/articles/a.md:5:3: error: image 'img/map.svg~': briefing does not copy "
                             "editor leftovers (~, .swp, #...#) into the output; rename the file")]


def _refused(run_err: str) -> bool:
    lines = run_err.splitlines()
    return len(lines) == 1 and lines[0].startswith("briefing: error: refusing to write into ")


@pytest.mark.parametrize("where", [CACHE, f"{CACHE}/out", f"{CACHE}/a/b"])
def test_an_output_in_the_build_cache_is_refused_before_anything_is_written(make_site: MakeSite,
                                                                            where: str) -> None:
    """The cache is pruned by every build: an output in it would lose its files, and the next build
    would refuse the folder. Refused with one plain line, the first time and after a build."""
    site = make_site(ANNA)
    before = tree(site)
    run = run_cli("build", str(site), "-o", str(site / where))
    assert run.code == 1 and _refused(run.err), run.err
    assert "build cache" in run.err
    assert tree(site) == before and not (site / CACHE).exists()
    assert run_cli("build", str(site)).code == 0  # a cache with a build in it
    cached = tree(site / CACHE)
    run = run_cli("build", str(site), "-o", str(site / where))
    assert run.code == 1 and _refused(run.err), run.err
    assert tree(site / CACHE) == cached


def test_an_output_that_holds_the_build_cache_is_refused(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(ANNA)
    out = tmp_path / "out"
    out.mkdir()
    (site / CACHE).symlink_to(out / "cache", target_is_directory=True)
    run = run_cli("build", str(site), "-o", str(out))
    assert run.code == 1 and _refused(run.err), run.err
    assert "build cache" in run.err
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("where", [".", "content", "content/actors", "static", "templates", "site.yaml"])
def test_an_output_on_the_sources_is_refused_and_leaves_them_as_they_were(make_site: MakeSite, where: str) -> None:
    site = make_site({**ANNA, "static/x.txt": "x\n", "templates/page.html": "{{ title }}\n"})
    before = tree(site)
    run = run_cli("build", str(site), "-o", str(site / where))
    assert run.code == 1 and _refused(run.err), run.err
    assert tree(site) == before
