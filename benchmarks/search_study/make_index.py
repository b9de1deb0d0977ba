"""Prototype of briefing's own search index ("candidate B").

    PYTHONDONTWRITEBYTECODE=1 /work/main/.venv/bin/python make_index.py SITE OUT [--jobs N]

SITE is a briefing site (site.yaml + content/); OUT is its built output: the index goes to OUT/search/
and the client (search.js, search.css) to OUT/assets/. It reads the content through the generator's own
stages (load -> validate -> resolve), as the generator would at the end of a build, so URLs, names and
drafts are exactly the build's. Timings are printed for the load/resolve part (free inside a real
build: the build has done it already) and for the index part alone (what a build would add).

Layout of OUT/search/ (every file is a classic script calling window.briefingSearchData(key, value),
so it loads through <script src>, which works over http(s), at any sub-path and from file://, and
passes a CSP of default-src 'self' with no 'unsafe-eval' and no WebAssembly):

  meta.js        n docs, kinds, the first token of every shard, the first doc id of every docs chunk
  s/<k>.js       postings: {token: [gap, gap, -gap, weight, ...]} for the tokens from the k-th bound
                 to the next (sorted); a positive number is a doc-id gap with weight 1, a negative one
                 is a gap followed by its weight
  d/<k>.js       documents by id range: [kind, title, url-from-root, names, text]

Tokens: NFKC, casefold, combining marks dropped (except kana voicing marks), split into runs of
letters and digits; Han / kana runs become overlapping character bigrams (a lone character stays a
unigram); Hangul words in names are also indexed by every suffix, so a part of a native name finds it.
search.js normalises the query the same way; every query word of 2+ characters (and every CJK one)
also matches the tokens it begins (at most 6 shard files per word), all words must match (AND), and
a document scores the sum over words of weight x idf (x 0.5 for a prefix match).

Weights: a token's count in the text (at most 20); a token of the title, or of an actor's or topic's
alias / native name, gets 40 + 40 / (tokens in that name) more (so "KCNA" the alias beats "KCNA report
on ..." the title); a quote's speaker or a view's expert adds 8 + 8 / n.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
KINDS = ("article", "actor", "topic", "view", "event", "quote", "source")
ORDER = ("actors", "topics", "views", "articles", "events", "quotes", "sources")
SINGULAR = {"articles": "article", "actors": "actor", "topics": "topic", "views": "view",
            "quotes": "quote", "events": "event", "sources": "source"}
W_TITLE, W_NAME, W_OTHER, W_CAP = 40, 40, 8, 250
SHARD_BYTES = 24_000
"""Target size of one postings shard (a token's own list may exceed it)."""
DOC_BYTES = 8_000
"""Target size of one documents chunk."""
TEXT_CHARS = 50_000
"""Plain text kept per document for snippets: all of it, but for a giant article (the whole text is
indexed). A cap of 2,000 saves disk and files, but a match further on then gets no highlighted snippet."""

WORD = re.compile(r"[^\W_]+")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]+")
HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
KEEP_MARKS = {"\u3099", "\u309a"}

DROP_MARKS = {cp: None for cp in range(0x110000)
              if unicodedata.category(chr(cp)) == "Mn" and chr(cp) not in KEEP_MARKS}


def fold(text: str) -> str:
    """NFKC, casefold, then without combining marks (so harakat, accents and stress marks never split
    or change a word); search.js does the same to the query."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).translate(DROP_MARKS))


def tokens(text: str, suffixes: bool = False) -> list[str]:
    folded = fold(text)
    words = WORD.findall(folded)
    if folded.isascii() or not (CJK.search(folded) or suffixes and HANGUL.search(folded)):
        return words
    out: list[str] = []
    for w in words:
        if w.isascii():
            out.append(w)
            continue
        pos = 0
        for m in CJK.finditer(w):
            if m.start() > pos:
                out.extend(_word(w[pos:m.start()], suffixes))
            run = m.group()
            out.extend([run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)])
            pos = m.end()
        if pos < len(w):
            out.extend(_word(w[pos:], suffixes))
    return out


def _word(w: str, suffixes: bool) -> list[str]:
    if suffixes and HANGUL.search(w) and len(w) > 2:
        return [w[i:] for i in range(len(w) - 1)]
    return [w]


# --- Markdown to plain text (cheap: a build would take the text of the HTML it rendered) ----------
_WIKI = re.compile(r"\[\[([^\]|]+)(?:\|([^\]]+))?\]\]")
_IMG = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>]+>")
_LINE = re.compile(r"^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d+[.)][ \t]+|-{3,}[ \t]*$)", re.M)
_INLINE = str.maketrans("*_`~|", "     ")


def plain(md: str, names: dict[str, str], named: dict[str, str]) -> str:
    def wiki(m: re.Match[str]) -> str:
        if m.group(2):
            return m.group(2)
        target = m.group(1).strip()
        return names.get(target) or names.get(named.get(target, ""), target)
    md = _WIKI.sub(wiki, md)
    md = _IMG.sub(r"\1", md)
    md = _LINK.sub(r"\1", md)
    md = _TAG.sub(" ", md)
    md = _LINE.sub(" ", md).translate(_INLINE)
    return " ".join(md.split())


# --- Reading the site through the generator ------------------------------------------------------
def read_graph(site: Path, jobs: int):
    sys.path.insert(0, "/work/main")
    from generator.load import load
    from generator.resolve import resolve
    from generator.validate import entry_of, validate
    raw = load(site, entry_of, None, jobs)
    s, problems = validate(raw)
    graph, _ = resolve(s, False, None, jobs)
    return graph


def url_of(location: str, pretty: bool) -> str:
    path, _, frag = location.partition("#")
    if pretty and (path == "index.html" or path.endswith("/index.html")):
        path = path[: -len("index.html")]
    return path + ("#" + frag if frag else "")


def documents(graph) -> list[list]:
    """[kind, title, url, names, text] for every published item, in ORDER then id order."""
    from generator.model import Actor, Article, Event, Quote, Source, Topic, View
    names = dict(graph.names)
    named = dict(graph.named)
    pretty = graph.site.config.pretty_urls

    def md(v) -> str:
        return plain(v.text, names, named) if v is not None else ""

    by_coll: dict[str, list] = defaultdict(list)
    for id_, item in graph.items.items():
        loc = graph.locations.get(id_)
        if loc is None:
            continue
        url = url_of(loc, pretty)
        kind = SINGULAR[item.collection]
        if isinstance(item, Article):
            text = " ".join(filter(None, [md(item.summary), *(md(k) for k in item.key_points), md(item.body)]))
            doc = [kind, item.title, url, "", text]
        elif isinstance(item, Actor):
            alt = [*item.aliases] + ([item.native_name] if item.native_name else [])
            doc = [kind, item.name, url, " · ".join(alt),
                   " ".join(filter(None, [item.role or "", md(item.summary)]))]
        elif isinstance(item, Topic):
            facts = " ".join(f"{f.label} {f.value}" for f in item.facts)
            doc = [kind, item.title, url, " · ".join(item.aliases),
                   " ".join(filter(None, [md(item.summary), md(item.body), facts]))]
        elif isinstance(item, View):
            doc = [kind, item.title, url, names.get(item.expert.id, ""),
                   " ".join(filter(None, [md(item.summary), item.quote or ""]))]
        elif isinstance(item, Quote):
            speaker = names.get(item.speaker.id, item.speaker.id)
            short = item.text if len(item.text) <= 90 else item.text[:89].rsplit(" ", 1)[0] + "…"
            doc = [kind, f"{speaker}: “{short}”", url, speaker,
                   " ".join(filter(None, [item.text, item.context or ""]))]
        elif isinstance(item, Event):
            doc = [kind, item.title, url, "",
                   " ".join(filter(None, [str(item.date.year), item.place or "", md(item.summary)]))]
        elif isinstance(item, Source):
            doc = [kind, item.title, url, names.get(item.publisher or "", item.publisher or ""), ""]
        else:
            continue
        by_coll[item.collection].append((id_, doc))
    out: list[list] = []
    for coll in ORDER:
        out.extend(doc for _, doc in sorted(by_coll[coll]))
    return out


# --- The index -----------------------------------------------------------------------------------
def postings(docs: list[list]) -> dict[str, list[tuple[int, int]]]:
    """token -> [(doc, weight)] in doc order; weight = term frequency in the text (at most 20), plus,
    for a token of the title or of a name, that field's weight (more for a shorter field)."""
    index: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for d, (kind, title, _, names, text) in enumerate(docs):
        for t, v in Counter(tokens(text)).items():
            index[t].append((d, v if v < 20 else 20))
        fields = [(title, W_TITLE)] + [(n, W_NAME if kind in ("actor", "topic") else W_OTHER)
                                       for n in names.split(" · ") if n]
        for field, base in fields:
            toks = set(tokens(field, suffixes=True))
            for t in toks:
                plist = index[t]
                if plist and plist[-1][0] == d:  # in the text too, or in an earlier field
                    old = plist[-1][1]
                    tf = old if old <= 20 else 0
                    plist[-1] = (d, min(W_CAP, max(old, tf + base + base // len(toks))))
                else:
                    plist.append((d, base + base // len(toks)))
    return index


def encode(plist: list[tuple[int, int]]) -> list[int]:
    out: list[int] = []
    app, ext = out.append, out.extend
    last = -1
    for d, w in plist:
        if w == 1:
            app(d - last)
        else:
            ext((last - d, w))
        last = d
    return out


def shard(encoded: dict[str, str]) -> tuple[list[str], list[dict[str, str]]]:
    """Cut the sorted vocabulary into consecutive runs of about SHARD_BYTES: shard i holds the tokens
    from bounds[i] up to bounds[i + 1]. Sorted by UTF-16 code units, as JavaScript compares strings, so
    search.js finds a token's shard by binary search, and the tokens that start with a prefix are in
    one run of consecutive shards."""
    bounds: list[str] = []
    shards: list[dict[str, str]] = []
    cur: dict[str, str] = {}
    size = 0
    for t in sorted(encoded, key=lambda t: t.encode("utf-16-be")):
        n = len(t) + len(encoded[t]) + 6
        if cur and size + n > SHARD_BYTES:
            shards.append(cur)
            cur, size = {}, 0
        if not cur:
            bounds.append(t)
        cur[t] = encoded[t]
        size += n
    if cur:
        shards.append(cur)
    return bounds, shards


def js(key: str, value: object) -> str:
    return "briefingSearchData(" + json.dumps(key) + "," + json.dumps(value, ensure_ascii=False, separators=(",", ":")) + ");\n"


def write(out: Path, docs: list[list], index: dict[str, list[tuple[int, int]]]) -> dict[str, int]:
    root = out / "search"
    if root.exists():
        shutil.rmtree(root)
    (root / "s").mkdir(parents=True)
    (root / "d").mkdir()
    encoded = {t: ",".join(map(str, encode(p))) for t, p in index.items()}
    bounds, shards = shard(encoded)
    for k, sh in enumerate(shards):
        body = "{" + ",".join(json.dumps(t, ensure_ascii=False) + ":[" + v + "]" for t, v in sh.items()) + "}"
        (root / "s" / f"{k}.js").write_text(f'briefingSearchData("s{k}",{body});\n', encoding="utf-8")
    starts: list[int] = []
    chunk: list[list] = []
    size = 0
    kinds = {k: i for i, k in enumerate(KINDS)}

    def flush_docs() -> None:
        nonlocal chunk, size
        if chunk:
            (root / "d" / f"{len(starts) - 1}.js").write_text(js(f"d{len(starts) - 1}", chunk), encoding="utf-8")
        chunk, size = [], 0

    for i, (kind, title, url, names, text) in enumerate(docs):
        text = text if len(text) <= TEXT_CHARS else text[:TEXT_CHARS].rsplit(" ", 1)[0] + " …"
        entry = [kinds[kind], title, url, names, text] if names or text else [kinds[kind], title, url]
        n = len(title) + len(url) + len(names) + len(text) + 16
        if not chunk or size + n > DOC_BYTES:
            flush_docs()
            starts.append(i)
        chunk.append(entry)
        size += n
    flush_docs()
    meta = {"v": 2, "n": len(docs), "kinds": list(KINDS), "shards": bounds, "docs": starts}
    (root / "meta.js").write_text(js("meta", meta), encoding="utf-8")
    assets = out / "assets"
    assets.mkdir(exist_ok=True)
    for name in ("search.js", "search.css"):
        shutil.copyfile(HERE / name, assets / name)
    return {"shards": len(shards), "doc_chunks": len(starts), "tokens": len(index), "docs": len(docs)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("site", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    t0 = time.perf_counter()
    graph = read_graph(a.site.resolve(), a.jobs)
    t1 = time.perf_counter()
    weighted = documents(graph)
    docs = [doc for doc, _ in weighted]
    t2 = time.perf_counter()
    index = postings(weighted)
    t3 = time.perf_counter()
    stats = write(a.out, docs, index)
    t4 = time.perf_counter()
    stats.update(read_resolve_s=round(t1 - t0, 2), documents_s=round(t2 - t1, 2), tokenise_s=round(t3 - t2, 2),
                 write_s=round(t4 - t3, 2), index_only_s=round(t4 - t1, 2))
    print(json.dumps(stats))


if __name__ == "__main__":
    main()
