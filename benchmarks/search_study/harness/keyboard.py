"""Keyboard walk: '/' or Tab to the box, type, ArrowDown x2, Enter; prints where focus went and the URL."""
import sys
from playwright.sync_api import sync_playwright
sys.path.insert(0, __file__.rsplit("/", 1)[0])
from measure import ARGS, SEL
url, kind, q = sys.argv[1:4]
with sync_playwright() as p:
    b = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
    page = b.new_page()
    page.goto(url)
    page.wait_for_timeout(800)
    focus = "() => { const e = document.activeElement; return e.tagName + ' ' + (e.id || e.className) + ' ' + (e.innerText || e.value || '').replace(/\\s+/g,' ').slice(0,50); }"
    if kind == "own":
        page.keyboard.press("/")
    else:
        page.focus(SEL[kind]["input"])
    print("after / :", page.evaluate(focus))
    page.keyboard.type(q, delay=50)
    page.wait_for_timeout(2500)
    for key in ["ArrowDown", "ArrowDown", "ArrowUp"] if kind == "own" else ["Tab", "Tab"]:
        page.keyboard.press(key)
        print(key, "->", page.evaluate(focus))
    page.keyboard.press("Enter")
    page.wait_for_timeout(1500)
    print("Enter ->", page.url)
    b.close()
