"""Add a search box to built pages (what a template change would do), for the measurements.

    python inject.py own|pagefind|pagefind-api BUILD_DIR [PAGE ...]   (no PAGE: every .html page)

own:       <link search.css>, the .site-search box in the header, <script src=assets/search.js defer>
pagefind:  <link pagefind-ui.css>, <div id=pf-search>, pagefind-ui.js + assets/pf-init.js (PagefindUI)
"""
import sys
from pathlib import Path

OWN_BOX = """<div class="site-search" role="search" hidden>
  <label for="site-search-q">Search</label>
  <input id="site-search-q" type="search" autocomplete="off" spellcheck="false" placeholder="Articles, actors, topics, events, quotes…" aria-describedby="site-search-status">
  <p id="site-search-status" class="search-status" role="status" aria-live="polite"></p>
  <ol class="search-results" aria-label="Search results" hidden></ol>
  <button type="button" class="search-more" hidden>More results</button>
</div>
"""
PF_INIT = """// external, because the pages' CSP forbids inline scripts
window.addEventListener("DOMContentLoaded", function () {
  var s = document.querySelector('script[src$="pagefind-ui.js"]');
  new PagefindUI({ element: "#pf-search", showSubResults: true, bundlePath: new URL("./", s.src).href });
});
"""


def root_of(rel: Path) -> str:
    return "../" * (len(rel.parts) - 1)


def inject(kind: str, build: Path, page: Path) -> None:
    rel = page.relative_to(build)
    r = root_of(rel)
    html = page.read_text(encoding="utf-8")
    if "site-search" in html or "pf-search" in html:
        return
    if kind == "own":
        head = f'<link rel="stylesheet" href="{r}assets/search.css">\n'
        box = OWN_BOX
        tail = f'<script src="{r}assets/search.js" defer></script>\n'
    else:
        head = f'<link rel="stylesheet" href="{r}pagefind/pagefind-ui.css">\n'
        box = '<div id="pf-search" class="pf-search"></div>\n'
        tail = f'<script src="{r}pagefind/pagefind-ui.js"></script>\n<script src="{r}assets/pf-init.js"></script>\n'
    html = html.replace("</head>", head + "</head>", 1)
    if "</nav>\n  </div>\n</header>" in html:
        html = html.replace("</nav>\n  </div>\n</header>", "</nav>\n" + box + "  </div>\n</header>", 1)
    else:
        html = html.replace('<main id="main"', box + '<main id="main"', 1)
    html = html.replace("</body>", tail + "</body>", 1)
    page.write_text(html, encoding="utf-8")


if __name__ == "__main__":
    kind, build = sys.argv[1], Path(sys.argv[2])
    pages = [build / p for p in sys.argv[3:]] or sorted(build.rglob("*.html"))
    if kind != "own":
        (build / "assets" / "pf-init.js").write_text(PF_INIT)
    for p in pages:
        inject(kind, build, p)
    print(f"{kind}: {len(pages)} pages")
