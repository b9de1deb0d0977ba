"""Search: the index the build writes (read back as the browser would, from its script files), and the
search box in headless Chromium, on sites served from a sub-path and opened from disk."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import chromium, serve
from conftest import EXAMPLE, MakeSite, run_cli
from test_browser import VNU, WCAG

from generator.build.builder import check
from generator.pages.search import tokens

SUB = "briefings/summit"
SCRIPTS_SITE = {
    "site.yaml": "title: Names in many scripts\nbase_url: https://example.org/scripts/\n",
    "content/actors/mbs.yaml": "name: Mohammed bin Salman\nkind: person\naliases: [MBS]\n"
                               "native_name: مُحَمَّد بن سلمان\nrole: Crown Prince of Saudi Arabia\n",
    "content/actors/xi.yaml": "name: Xi Jinping\nkind: person\nnative_name: 习近平\nrole: President of China\n",
    "content/actors/saudi-arabia.yaml": "name: Saudi Arabia\nkind: state\nnative_name: المملكة العربية السعودية\n",
    "content/articles/visit.md": "---\ntitle: A state visit to Riyadh\ndate: 2022-12-07\n"
                                 "actors: [xi, mbs, saudi-arabia]\n---\n[[xi]] arrived in Riyadh for talks with "
                                 "[[mbs]] on oil, ports and a comprehensive strategic partnership.\n",
}


def read_index(out: Path) -> tuple[dict[str, Any], list[list[Any]], dict[str, list[int]]]:
    """meta.js, every result in order, and every token's decoded postings (result numbers), read from the
    script files as search.js reads them."""
    def data(path: Path) -> tuple[str, Any]:
        found = re.fullmatch(r'briefingSearchData\(("[^"]+"),(.*)\);\n', path.read_text(encoding="utf-8"), re.DOTALL)
        assert found, path
        return json.loads(found.group(1)), json.loads(found.group(2))
    name, meta = data(out / "search/meta.js")
    assert name == "meta"
    results: list[list[Any]] = []
    for first, file in zip(meta["docs"], meta["doc_files"], strict=True):
        name, chunk = data(out / "search" / file[0] / f"{file[1:]}.js")
        assert name == file and first == len(results)
        results += chunk
    postings: dict[str, list[int]] = {}
    for first, file in zip(meta["shards"], meta["shard_files"], strict=True):
        name, shard = data(out / "search" / file[0] / f"{file[1:]}.js")
        assert name == file and min(shard) == first
        for token, encoded in shard.items():
            numbers, d, i = [], -1, 0
            while i < len(encoded):
                d += abs(encoded[i])
                numbers.append(d)
                i += 1 if encoded[i] > 0 else 2
            postings[token] = numbers
    return meta, results, postings


def find(postings: dict[str, list[int]], query: str) -> set[int]:
    """Results with every word of the query (a word also finds the tokens it begins), as search.js does."""
    found: set[int] | None = None
    for word in tokens(query):
        hits = {n for t, ns in postings.items() if t == word or (len(word) > 1 and t.startswith(word)) for n in ns}
        found = hits if found is None else found & hits
    return found or set()


@pytest.fixture(scope="module")
def www(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example and a site of names in other scripts, each built under a sub-path of one folder."""
    root = tmp_path_factory.mktemp("www")
    scripts = tmp_path_factory.mktemp("scripts-site")
    for rel, text in SCRIPTS_SITE.items():
        (scripts / rel).parent.mkdir(parents=True, exist_ok=True)
        (scripts / rel).write_text(text, encoding="utf-8")
    for name, site in (("example", EXAMPLE), ("scripts", scripts)):
        run = run_cli("build", str(site), "-o", str(root / name / SUB), "--quiet")
        assert run.code == 0, run.err
    return root


# ---- the index ------------------------------------------------------------------------------------

def test_every_shown_item_is_one_result_of_its_kind_at_its_own_address(www: Path) -> None:
    out = www / "example" / SUB
    meta, results, _ = read_index(out)
    graph = check(EXAMPLE).graph
    assert graph is not None
    assert meta["n"] == len(results) == len(graph.locations)
    kinds = [meta["kinds"][r[0]] for r in results]
    for kind in ("article", "actor", "topic", "view", "event", "quote", "source"):
        assert kind in kinds
    for r in results:
        path, _, fragment = r[2].partition("#")
        file = out / path / "index.html" if path.endswith("/") or not path else out / path
        assert file.is_file(), r
        if fragment:
            assert f'id="{fragment}"' in file.read_text(encoding="utf-8"), r


def test_names_in_every_script_find_their_actor(www: Path) -> None:
    _, results, postings = read_index(www / "scripts" / SUB)
    titles = [r[1] for r in results]
    mbs, xi = titles.index("Mohammed bin Salman"), titles.index("Xi Jinping")
    for query, who in (("MBS", mbs), ("محمد", mbs), ("مُحَمَّد", mbs), ("سلمان", mbs), ("习近平", xi), ("近平", xi),
                       ("xi jin", xi)):
        assert who in find(postings, query), query
    _, results, postings = read_index(www / "example" / SUB)
    titles = [r[1] for r in results]
    for query, name in (("김정은", "Kim Jong Un"), ("정은", "Kim Jong Un"), ("Путин", "Vladimir Putin"),
                        ("KCNA", "Korean Central News Agency"), ("조선중앙", "Korean Central News Agency")):
        assert titles.index(name) in find(postings, query), query


def test_an_article_is_found_by_the_words_of_its_body(www: Path) -> None:
    _, results, postings = read_index(www / "example" / SUB)
    found = [results[n][1] for n in find(postings, "aircraft factory Pacific fleet")]
    assert found == ["Putin accepts Kim's invitation to visit North Korea"]


def test_an_edit_rewrites_only_the_index_files_it_changes(make_site: MakeSite, tmp_path: Path) -> None:
    files = {f"content/articles/a{n:02}.md": f"---\ntitle: Article {n}\ndate: 2024-01-{n + 1:02}\n---\n"
             + f"Paragraph {n} of a long enough body to fill the chunks. " * 40 + "\n" for n in range(30)}
    site = make_site(files)
    out = tmp_path / "out"
    assert run_cli("build", str(site), "-o", str(out), "--quiet").code == 0
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in (out / "search").rglob("*.js")}
    assert len([p for p in before if p.startswith("search/d/")]) > 3
    (site / "content/articles/a07.md").write_text(files["content/articles/a07.md"].replace("Paragraph 7 of", "Zanzibar of"))
    assert run_cli("build", str(site), "-o", str(out), "--quiet").code == 0
    after = {p.relative_to(out).as_posix(): p.read_bytes() for p in (out / "search").rglob("*.js")}
    gone, new = before.keys() - after.keys(), after.keys() - before.keys()
    assert [p for p in new if p.startswith("search/d/")] and len([p for p in gone if p.startswith("search/d/")]) == 1
    assert after["search/meta.js"] != before["search/meta.js"]
    kept_docs = [p for p in after if p.startswith("search/d/") and p in before]
    assert len(kept_docs) == len(after) - len(new) - 1 - len([p for p in after if p.startswith("search/s/") and p in before])
    _, results, postings = read_index(out)
    assert [results[n][1] for n in find(postings, "zanzibar")] == ["Article 7"]


def test_a_static_file_in_the_search_folder_is_an_error(make_site: MakeSite) -> None:
    site = make_site({"static/search/meta.js": "alert(1)\n"})
    run = run_cli("check", str(site))
    assert run.code == 1
    assert run.problems == ["static/search/meta.js: error: search/ holds the site's search index; move the file"]


# ---- in Chromium ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def origin(www: Path) -> Iterator[str]:
    with serve(www) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def until(page: Any, script: str, arg: Any = None, timeout: float = 10) -> None:
    """Wait until a function of the page returns true. (Playwright's own waiting evaluates a string, which
    the pages' Content-Security-Policy refuses, as it should.)"""
    end = time.monotonic() + timeout
    while not page.evaluate(script, arg):
        assert time.monotonic() < end, f"timed out waiting for {script}"
        time.sleep(0.05)


def hits(page: Any, panel: str = "#site-search-q-panel") -> list[dict[str, Any]]:
    """The results shown: kind, title, link, the words marked."""
    page.wait_for_selector(f"{panel} .search-hit")
    until(page, "p => !document.querySelector(p + ' .search-pending')", panel)
    return page.eval_on_selector_all(f"{panel} .search-hit", """els => els.map(a => ({
        kind: a.querySelector('.search-kind').textContent, title: a.querySelector('.search-title').textContent,
        href: a.href, marked: Array.from(a.querySelectorAll('mark')).map(m => m.textContent)}))""")


@pytest.mark.parametrize(("query", "title", "kind", "address"), [
    ("KCNA", "Korean Central News Agency", "actor", "actors/kcna/"),  # an alias
    ("김정은", "Kim Jong Un", "actor", "actors/kim-jong-un/"),  # Hangul
    ("Путин", "Vladimir Putin", "actor", "actors/vladimir-putin/"),  # Cyrillic
    ("aircraft factory Pacific fleet", "Putin accepts Kim's invitation to visit North Korea", "article",
     "articles/putin-kim-summit-2023/"),  # words of an article's body
])
def test_the_search_box_finds_it_from_a_sub_path(browser: Any, origin: str, query: str, title: str, kind: str,
                                                  address: str) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(f"{origin}/example/{SUB}/topics/un-sanctions/")
    page.fill("#site-search-q", query)
    first = hits(page)[0]
    assert (first["kind"], first["title"], first["href"]) == (kind, title, f"{origin}/example/{SUB}/{address}")
    assert first["marked"], "the words found are highlighted"
    assert errors == []
    page.close()


def test_names_in_arabic_and_chinese_are_found_in_the_browser(browser: Any, origin: str) -> None:
    page = browser.new_page()
    page.goto(f"{origin}/scripts/{SUB}/")
    for query, title in (("محمد", "Mohammed bin Salman"), ("近平", "Xi Jinping"), ("MBS", "Mohammed bin Salman")):
        page.fill("#site-search-q", query)
        until(page, "q => document.querySelector('.search-status').textContent.includes(q)", query)
        assert hits(page)[0]["title"] == title, query
    page.close()


def test_the_keyboard_reaches_and_opens_a_result(browser: Any, origin: str) -> None:
    page = browser.new_page()
    page.goto(f"{origin}/example/{SUB}/timeline/")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "site-search-q"
    page.keyboard.type("shoigu")
    shown = hits(page)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.href") == shown[1]["href"]
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "site-search-q"
    page.keyboard.press("ArrowDown")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == shown[0]["href"]
    page.close()


def test_enter_opens_the_search_page_with_every_result(browser: Any, origin: str) -> None:
    page = browser.new_page()
    page.goto(f"{origin}/example/{SUB}/actors/")
    page.fill("#site-search-q", "north korea")
    assert len(hits(page)) == 8
    total = int(page.inner_text("#site-search-q-panel .search-status").split()[0])
    assert total > 20
    with page.expect_navigation():
        page.press("#site-search-q", "Enter")
    assert page.url == f"{origin}/example/{SUB}/search/?q=north%20korea"
    assert page.input_value("#search-page-q") == "north korea"
    assert len(hits(page, "#search-page-q-panel")) == 20
    page.click(".search-more")
    until(page, "() => document.querySelectorAll('#search-page-q-panel .search-hit').length > 20")
    assert len(hits(page, "#search-page-q-panel")) == min(total, 40)
    page.fill("#search-page-q", "zzzqqq")
    until(page, "() => document.querySelector('#search-page-q-panel .search-status').textContent.startsWith('No')")
    assert page.evaluate("location.search") == "?q=zzzqqq"
    page.close()


def test_the_search_page_with_results_passes_axe_and_the_nu_checker(browser: Any, origin: str, tmp_path: Path) -> None:
    from axe_playwright_python.sync_playwright import Axe
    axe = Axe()
    found = {}
    for scheme in ("light", "dark"):
        ctx = browser.new_context(color_scheme=scheme)
        page = ctx.new_page()
        page.goto(f"{origin}/example/{SUB}/search/?q=putin")
        hits(page, "#search-page-q-panel")
        page.fill("#site-search-q", "kim")  # the header's results open over the page
        hits(page)
        result = axe.run(page, options=WCAG)
        found[scheme] = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result.response["violations"]]
        (tmp_path / f"{scheme}.html").write_text("<!DOCTYPE html>\n" + page.evaluate("document.documentElement.outerHTML"))
        ctx.close()
    assert found == {"light": [], "dark": []}
    if not VNU.is_file():
        pytest.fail(f"{VNU} is missing: run .ci/install-tools")
    run = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", str(tmp_path / "light.html")],
                         check=False, capture_output=True, text=True, timeout=120)
    assert json.loads(run.stderr or run.stdout)["messages"] == []


def test_search_works_from_disk_without_pretty_urls(browser: Any, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(EXAMPLE / "content", site / "content")
    shutil.copytree(EXAMPLE / "static", site / "static")
    text = (EXAMPLE / "site.yaml").read_text(encoding="utf-8")
    (site / "site.yaml").write_text(text + "\npretty_urls: false\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("build", str(site), "-o", str(out), "--quiet").code == 0
    page = browser.new_page()
    page.goto((out / "articles/putin-kim-summit-2023.html").as_uri())
    page.fill("#site-search-q", "Шойгу")
    first = hits(page)[0]
    assert first["href"] == (out / "actors/sergei-shoigu.html").as_uri()
    with page.expect_navigation():
        page.press("#site-search-q", "Enter")
    assert page.url == (out / "search/index.html").as_uri() + "?q=%D0%A8%D0%BE%D0%B9%D0%B3%D1%83"
    assert hits(page, "#search-page-q-panel")[0]["href"] == first["href"]
    # Without its index (a copy that lost search/), the box says so rather than showing nothing.
    shutil.rmtree(out / "search")
    page.goto((out / "articles/putin-kim-summit-2023.html").as_uri())
    page.fill("#site-search-q", "putin")
    until(page, "() => document.querySelector('.search-status').textContent.includes('not available')")
    assert "open it through a web server" in page.inner_text(".search-status")
    page.close()


def test_without_javascript_the_box_opens_the_search_page_which_says_why(browser: Any, origin: str) -> None:
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(f"{origin}/example/{SUB}/")
    page.fill("#site-search-q", "kim")
    with page.expect_navigation():
        page.press("#site-search-q", "Enter")
    assert page.url == f"{origin}/example/{SUB}/search/?q=kim"
    assert "needs JavaScript" in page.inner_text("main")
    ctx.close()
