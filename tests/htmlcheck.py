"""Reading built sites with a real HTML parser: links, fragments and what a page links to."""

from __future__ import annotations

import posixpath
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup


@lru_cache(maxsize=4096)
def _soup(path: Path, mtime: float) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def soup(path: Path) -> BeautifulSoup:
    return _soup(path, path.stat().st_mtime)


def pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def target_file(out: Path, page: Path, href: str) -> tuple[Path, str] | None:
    """The file and fragment an internal link leads to; None for external links."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("mailto:"):
        return None
    if not parts.path:
        return page, parts.fragment
    rel = posixpath.normpath(posixpath.join(page.parent.relative_to(out).as_posix(), unquote(parts.path)))
    path = out / rel
    if parts.path.endswith("/") or path.is_dir():
        path = path / "index.html"
    return path, parts.fragment


def links_of(page: Path) -> list[str]:
    doc = soup(page)
    return ([str(a["href"]) for a in doc.find_all(["a", "link"], href=True)]
            + [str(i["src"]) for i in doc.find_all(["img", "script"], src=True)])


def broken_links(out: Path) -> list[str]:
    """Every internal link from every page that leads nowhere, or to a missing #fragment."""
    broken = []
    for page in pages(out):
        if page.name == "404.html":
            continue  # links by base_url or '/', checked on its own
        for href in links_of(page):
            found = target_file(out, page, href)
            if found is None:
                continue
            path, fragment = found
            where = f"{page.relative_to(out)} -> {href}"
            if not path.resolve().is_relative_to(out.resolve()):
                broken.append(f"{where} (outside the output)")
            elif not path.is_file():
                broken.append(f"{where} (no such file)")
            elif fragment and path.suffix == ".html" and not soup(path).find(id=fragment):
                broken.append(f"{where} (no #{fragment})")
    return broken


def linked_files(out: Path, page: Path) -> set[tuple[str, str]]:
    """(output path, fragment) of every internal link on a page."""
    found = (target_file(out, page, href) for href in links_of(page))
    return {(p.resolve().relative_to(out.resolve()).as_posix(), frag) for p, frag in (f for f in found if f)}
