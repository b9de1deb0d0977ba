"""Result links of a query, resolved, and whether each one loads (200): `python hrefs.py URL own|pagefind QUERY`"""
import json, sys, time, urllib.request
from playwright.sync_api import sync_playwright
sys.path.insert(0, __file__.rsplit("/", 1)[0])
from measure import ARGS, SEL
url, kind, q = sys.argv[1:4]
s = SEL[kind]
with sync_playwright() as p:
    b = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
    page = b.new_page()
    page.goto(url)
    page.wait_for_timeout(800)
    page.fill(s["input"], q)
    for _ in range(100):
        hrefs = page.eval_on_selector_all(s["hit"], "els => els.map(e => [e.getAttribute('href'), e.href])")
        if hrefs:
            break
        page.wait_for_timeout(100)
    out = []
    for raw, full in hrefs[:5]:
        code = None
        if full.startswith("http"):
            try:
                code = urllib.request.urlopen(full.split("#")[0]).status
            except Exception as e:
                code = str(e)
        out.append([raw, full, code])
    print(json.dumps(out, indent=1))
    b.close()
