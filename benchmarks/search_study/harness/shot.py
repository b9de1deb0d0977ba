import sys
from playwright.sync_api import sync_playwright
sys.path.insert(0, __file__.rsplit("/", 1)[0])
from measure import ARGS, SEL
url, kind, q, out = sys.argv[1:5]
with sync_playwright() as p:
    b = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
    page = b.new_page(viewport={"width": 1000, "height": 800})
    page.goto(url); page.wait_for_timeout(800)
    page.fill(SEL[kind]["input"], q); page.wait_for_timeout(2500)
    page.screenshot(path=out)
    b.close()
