"""A floor for the synthetic briefing site: the least a Python build of it must do (for issue 20's note).

    .venv/bin/python benchmarks/make_site.py /tmp/floor5k 5000
    nice -n 5 .venv/bin/python benchmarks/floor.py /tmp/floor5k /tmp/floor-out --jobs 2

A benchmark, not a part of the generator: it tells the lowest cold-build time CPython reaches on a
machine for the site `make_site.py` writes, whatever the architecture. It reads every content file and
parses its YAML with libyaml (CSafeLoader), renders every article body with markdown-it-py (commonmark,
tables, footnotes; `[[id]]` becomes a link after rendering), cross-references actors and topics with the
articles that name or link them and actors with their quotes, and writes about 7,300 pages with
f-strings: one per article, actor and topic, an index page per 100 articles, an Atom feed per actor and
topic (the 50 newest articles, first paragraphs) and for the site (full bodies), and sitemap.xml.
No templates, no cache, no incremental bookkeeping, no validation. Reading+YAML, rendering and writing
each run in --jobs processes forked from this one (1: in this process). Each shared fragment (an
article's list item, its feed entry, a quote) is drawn once; the garbage collector is off and the
process ends with os._exit, as a build that only allocates and exits can afford. It prints each step's
wall time. On this machine, time it with the content in the page cache (DAMON pages out files idle for
a few seconds) and not within a minute of deleting many files on the output's ext4 (no journal: a new
inode skips those deleted in the last 60 s, 360 s if unsynced), or the disk is what gets measured.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import re
import shutil
import sys
import time
from html import escape
from typing import Any

LINK = re.compile(r"\[\[([a-z]+-\d+)\]\]")
S: dict[str, Any] = {}
"""What the forked processes read (they inherit it); set before each fork."""


def parallel(fn: Any, jobs: int) -> list[Any]:
    """fn(w, jobs) for each share w, in forked processes (in this one for jobs=1)."""
    if jobs == 1:
        return [fn(0, 1)]
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        return pool.starmap(fn, [(w, jobs) for w in range(jobs)])


def read_share(w: int, n: int) -> list[tuple[str, str, Any, str]]:
    """Read and parse a share of the content files: (kind, id, YAML data, Markdown body or "")."""
    load, loader, found = S["yaml"].load, S["yaml"].CSafeLoader, []
    for kind, name, path in S["files"][w::n]:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if kind == "articles":
            _, text, body = text.split("---\n", 2)
        else:
            body = ""
        found.append((kind, name, load(text, Loader=loader), body))
    return found


def render_share(w: int, n: int) -> list[str]:
    md, links = S["md"], S["links"]

    def link(m: re.Match[str]) -> str:
        return links.get(m[1], m[0])

    return [LINK.sub(link, md.render(body)) for body in S["bodies"][w::n]]


def write_share(w: int, n: int) -> int:
    out = S["out"]
    tasks = S["tasks"][w::n]
    for path, draw, arg in tasks:
        if path.endswith("/index.html") and "/" in path[:-11]:
            os.mkdir(out + path[:-11])
        with open(out + path, "w", encoding="utf-8") as f:
            f.write(draw(arg))
    return len(tasks)


def page(title: str, main: str) -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} · {S["site"]}</title>'
            f'<link rel="stylesheet" href="/style.css"></head><body><header><a href="/">{S["site"]}</a></header>'
            f"<main>{main}</main></body></html>\n")


def feed(path: str, title: str, alternate: str, entries: str, updated: str) -> str:
    base = S["base"]
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">'
            f"<title>{title} · {S['site']}</title><id>{base}{path}</id>"
            f'<link rel="self" type="application/atom+xml" href="{base}{path}"/>'
            f'<link rel="alternate" type="text/html" href="{base}{alternate}"/><updated>{updated}</updated>'
            f"<author><name>{S['site']}</name></author>{entries}</feed>\n")


def article_page(i: int) -> str:
    a = S["arts"][i]
    names = S["names"]
    side = "".join(f"<li>{names[k]}</li>" for k in S["related"][i])
    quotes = "".join(S["quote_li"][q] for q in S["quotes_of_article"].get(a["id"], ()))
    return page(a["t"], f'<article><h1>{a["t"]}</h1><time datetime="{a["date"]}">{a["date"]}</time>{S["html"][i]}'
                        f"</article><aside><h2>Related</h2><ul>{side}</ul><h2>Quotes</h2><ul>{quotes}</ul></aside>")


def item_page(key: str) -> str:
    """An actor's or a topic's page: its articles, newest first, with their first paragraphs, and its quotes."""
    item, li = S["items"][key], S["article_li"]
    articles = "".join(li[i] for i in S["articles_of"][key])
    quotes = "".join(S["quote_li"][q] for q in S["quotes_of"].get(key, ()))
    return page(item["t"], f'<h1>{item["t"]}</h1><p>{item["sub"]}</p><p><a href="/feeds/{key}.xml">Feed</a></p>'
                           f"<h2>Articles</h2><ul>{articles}</ul><h2>Quotes</h2><ul>{quotes}</ul>")


def item_feed(key: str) -> str:
    newest = S["articles_of"][key][:50]
    updated = S["arts"][newest[0]]["updated"] if newest else "1970-01-01T00:00:00Z"
    kind = "actors" if key.startswith("actor-") else "topics"
    return feed(f"feeds/{key}.xml", S["items"][key]["t"], f"{kind}/{key}/",
                "".join(S["entry"][i] for i in newest), updated)


def site_feed(_: Any) -> str:
    arts, base, entries = S["arts"], S["base"], []
    for i in S["order"][:50]:
        a = arts[i]
        url = f"{base}articles/{a['id']}/"
        entries.append(f'<entry><title>{a["t"]}</title><id>{url}</id><link href="{url}"/>'
                       f'<updated>{a["updated"]}</updated><content type="html">{escape(S["html"][i])}</content></entry>')
    return feed("feed.xml", "Latest", "", "".join(entries), arts[S["order"][0]]["updated"])


def index_page(k: int) -> str:
    order, short = S["order"], S["article_short"]
    items = "".join(short[i] for i in order[k * 100:(k + 1) * 100])
    prev = f'<a href="/{"page/" + str(k) + "/" if k > 1 else ""}">Newer</a> ' if k else ""
    more = f'<a href="/page/{k + 2}/">Older</a>' if (k + 1) * 100 < len(order) else ""
    return page("Articles", f"<h1>Articles</h1><ul>{items}</ul><nav>{prev}{more}</nav>")


def sitemap(_: Any) -> str:
    base = S["base"]
    urls = "".join(f"<url><loc>{base}{path[:-10]}</loc></url>" for path, _, _ in S["tasks"] if path.endswith(".html"))
    return f'<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    ap.add_argument("site")
    ap.add_argument("out")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    gc.disable()
    steps: list[tuple[str, float]] = []
    clock = time.perf_counter()

    def step(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        steps.append((name, now - clock))
        clock = now

    import yaml
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin
    step("imports")

    shutil.rmtree(args.out, ignore_errors=True)
    step("clean")

    root = args.site
    with open(f"{root}/site.yaml", encoding="utf-8") as f:
        site = yaml.load(f.read(), Loader=yaml.CSafeLoader)
    S["site"], S["base"] = escape(site["title"]), site["base_url"]
    kinds = ("articles", "actors", "topics", "quotes", "events", "sources")
    S.update(yaml=yaml, files=[(kind, entry.name.rpartition(".")[0], entry.path)
                               for kind in kinds for entry in os.scandir(f"{root}/content/{kind}")])
    tables: dict[str, dict[str, Any]] = {kind: {} for kind in kinds}
    arts, bodies = [], []
    for part in parallel(read_share, args.jobs):
        for kind, name, data, body in part:
            if kind == "articles":
                data["id"] = name
                arts.append(data)
                bodies.append(body)
            else:
                tables[kind][name] = data
    actors, topics, quotes = tables["actors"], tables["topics"], tables["quotes"]
    step("read+yaml")

    items = {k: {"t": escape(v["name"]), "sub": escape(v.get("role", ""))} for k, v in actors.items()}
    items |= {k: {"t": escape(v["title"]), "sub": escape(v.get("summary", ""))} for k, v in topics.items()}
    links = {k: f'<a href="/{"actors" if k.startswith("actor-") else "topics"}/{k}/">{v["t"]}</a>'
             for k, v in items.items()}
    order = sorted(range(len(arts)), key=lambda i: (arts[i]["date"], arts[i]["id"]), reverse=True)
    articles_of: dict[str, list[int]] = {k: [] for k in items}
    related: list[list[str]] = [[] for _ in arts]
    for i in order:  # newest first, so every list is too
        a = arts[i]
        for key in dict.fromkeys([*(a.get("actors") or ()), *(a.get("topics") or ()), *LINK.findall(bodies[i])]):
            if key in articles_of:
                articles_of[key].append(i)
                related[i].append(key)
    quotes_of: dict[str, list[str]] = {}
    quotes_of_article: dict[str, list[str]] = {}
    for q, v in sorted(quotes.items(), key=lambda kv: kv[1]["date"], reverse=True):
        quotes_of.setdefault(v["speaker"], []).append(q)
        quotes_of_article.setdefault(v.get("article"), []).append(q)
    step("cross-ref")

    S.update(md=MarkdownIt("commonmark").enable("table").use(footnote_plugin), links=links, bodies=bodies)
    html = [""] * len(bodies)
    parts = parallel(render_share, args.jobs)
    for w, part in enumerate(parts):
        html[w::args.jobs] = part
    step("markdown")

    base = S["base"]
    article_li, article_short, entry = [""] * len(arts), [""] * len(arts), [""] * len(arts)
    for i, a in enumerate(arts):
        a["t"], a["updated"] = escape(a["title"]), f"{a['date']}T00:00:00Z"
        first = html[i][:html[i].find("</p>") + 4]
        article_short[i] = f'<li><a href="/articles/{a["id"]}/">{a["t"]}</a> <time>{a["date"]}</time></li>'
        article_li[i] = f"{article_short[i][:-5]}{first}</li>"
        url = f"{base}articles/{a['id']}/"
        entry[i] = (f'<entry><title>{a["t"]}</title><id>{url}</id><link href="{url}"/><updated>{a["updated"]}'
                    f'</updated><content type="html">{escape(first)}</content></entry>')
    quote_li = {q: f'<li><blockquote>{escape(v["text"])}</blockquote> {links.get(v["speaker"], "")}, '
                   f'<a href="/articles/{v.get("article")}/">{v["date"]}</a></li>' for q, v in quotes.items()}
    tasks: list[tuple[str, Any, Any]] = [(f"articles/{a['id']}/index.html", article_page, i) for i, a in enumerate(arts)]
    tasks += [(f"{'actors' if k in actors else 'topics'}/{k}/index.html", item_page, k) for k in items]
    tasks += [(f"feeds/{k}.xml", item_feed, k) for k in items]
    tasks += [(f"{'page/' + str(k + 1) + '/' if k else ''}index.html", index_page, k)
              for k in range((len(arts) + 99) // 100)]
    tasks += [("feed.xml", site_feed, None), ("sitemap.xml", sitemap, None)]
    S.update(out=args.out.rstrip("/") + "/", arts=arts, html=html, order=order, items=items, names=links,
             related=related, articles_of=articles_of, quotes_of=quotes_of, quotes_of_article=quotes_of_article,
             article_li=article_li, article_short=article_short, entry=entry, quote_li=quote_li, tasks=tasks)
    for folder in ("", "articles", "actors", "topics", "feeds", "page"):
        os.makedirs(S["out"] + folder)
    step("fragments")
    written = sum(parallel(write_share, args.jobs))
    step("write")

    total = sum(s for _, s in steps)
    print(", ".join(f"{name} {s:.2f} s" for name, s in steps),
          f"total {total:.2f} s ({written} files, {args.jobs} process{'es' if args.jobs > 1 else ''})")
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
