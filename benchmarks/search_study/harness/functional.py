"""Does a query give results? `python functional.py URL own|pagefind QUERY...` (works for file:// URLs
too: no server log). Prints the first results' text and console errors per query."""
import json
import sys
import time

from playwright.sync_api import sync_playwright

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from measure import ARGS, SEL  # noqa: E402


def check(url, kind, queries, wait=8.0):
    s = SEL[kind]
    res = {}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = b.new_context().new_page()
        console = []
        page.on("console", lambda m: console.append(f"{m.type}: {m.text[:300]}"))
        page.on("pageerror", lambda e: console.append(f"pageerror: {str(e)[:300]}"))
        page.goto(url, wait_until="load")
        page.wait_for_timeout(800)
        for q in queries:
            page.fill(s["input"], q)
            end = time.time() + wait
            hits = []
            page.wait_for_timeout(400)
            while time.time() < end:
                hits = page.eval_on_selector_all(s["hit"], "els => els.map(e => e.innerText.replace(/\\s+/g,' ').slice(0,140))")
                if hits and not page.query_selector(s["pending"]):
                    break
                page.wait_for_timeout(100)
            res[q] = hits[:6]
            page.fill(s["input"], "")
            page.wait_for_timeout(400)
        res["console"] = [c for c in console if "data:image" not in c][:6]
        b.close()
    return res


if __name__ == "__main__":
    url, kind = sys.argv[1:3]
    print(json.dumps(check(url, kind, sys.argv[3:]), ensure_ascii=False, indent=1))
