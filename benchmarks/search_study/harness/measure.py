"""Measure a search UI in headless Chromium: bytes and time of the first (and a second) query.

    python measure.py BASE_URL PAGE_PATH own|pagefind QUERY [QUERY2] [--type]

BASE_URL is the test server (harness/serve.py, whose /__log gives the bytes it sent). A fresh browser
context per run (empty cache). Typing is one fill() (one input event, like a paste) unless --type
(keystrokes 100 ms apart). Times are taken inside the page with performance.now(): from the first
input event to the first result link in the DOM, and to the last of the first page of results."""
import json
import sys
import time
import urllib.request

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SEL = {"own": {"input": "#site-search-q", "hit": ".search-results a.search-hit", "list": ".search-results",
               "pending": ".search-results li.search-pending"},
       "pagefind": {"input": ".pagefind-ui__search-input", "hit": ".pagefind-ui__result-link", "list": ".pagefind-ui__results",
                    "pending": ".pagefind-ui__result .pagefind-ui__loading"}}
WATCH = """([listSel, hitSel, inputSel, pendingSel]) => {
  window.__t = {input: null, first: null, all: null, n: 0};
  const inp = document.querySelector(inputSel);
  inp.addEventListener('input', () => { if (window.__t.input === null) window.__t.input = performance.now(); }, true);
  const obs = new MutationObserver(() => {
    const n = document.querySelectorAll(hitSel).length;
    if (n && window.__t.first === null) window.__t.first = performance.now();
    if (n && !document.querySelector(pendingSel)) { window.__t.all = performance.now(); window.__t.n = n; }
  });
  obs.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
}"""


def server_log(base):
    with urllib.request.urlopen(base + "/__log") as r:
        return json.loads(r.read())


def summarize(entries):
    by = {}
    for _, path, status, n in entries:
        by[path] = by.get(path, 0) + n
    return sum(by.values()), len(entries), by


def run(base, page_path, kind, queries, typing=False, csp_log=None):
    s = SEL[kind]
    out = {}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        ctx = b.new_context()
        page = ctx.new_page()
        console = []
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
        server_log(base)
        page.goto(base + page_path, wait_until="load")
        page.wait_for_timeout(1500)
        total, count, by = summarize(server_log(base))
        out["page_load"] = {"bytes": total, "requests": count,
                            "search_assets": {k: v for k, v in by.items() if "search" in k or "pagefind" in k}}
        for i, q in enumerate(queries):
            page.evaluate(WATCH, [s["list"], s["hit"], s["input"], s["pending"]])
            t0 = time.time()
            if i:
                page.fill(s["input"], "")
                page.wait_for_timeout(500)
                server_log(base)
                page.evaluate(WATCH, [s["list"], s["hit"], s["input"], s["pending"]])
            if typing:
                page.click(s["input"])
                page.keyboard.type(q, delay=100)
            else:
                page.fill(s["input"], q)
            deadline = time.time() + 20
            while time.time() < deadline:  # polling: wait_for_function would need eval, which the CSP forbids
                t = page.evaluate("() => window.__t")
                if t["first"] is not None and t["all"] is not None:
                    break
                page.wait_for_timeout(20)
            else:
                out[f"q{i}"] = {"query": q, "error": "no result within 20 s", "t": t,
                                "status": page.evaluate("() => document.body.innerText.slice(0, 300)")}
                continue
            page.wait_for_timeout(1000)  # let late requests (more fragments) finish: they count too
            t = page.evaluate("() => window.__t")
            total, count, by = summarize(server_log(base))
            titles = page.eval_on_selector_all(s["hit"], "els => els.slice(0,5).map(e => e.innerText.replace(/\\s+/g,' ').slice(0,120))")
            out[f"q{i}"] = {"query": q, "bytes": total, "requests": count,
                            "first_ms": round(t["first"] - t["input"]), "all_ms": round(t["all"] - t["input"]),
                            "shown": t["n"], "top": titles,
                            "files": sorted(by.items(), key=lambda kv: -kv[1])}
        out["console"] = console[:10]
        b.close()
    return out


if __name__ == "__main__":
    base, page_path, kind = sys.argv[1:4]
    qs = [a for a in sys.argv[4:] if not a.startswith("--")]
    print(json.dumps(run(base, page_path, kind, qs, "--type" in sys.argv), ensure_ascii=False, indent=1))
