"""What the templates would add for Pagefind: data-pagefind-body (only item pages, the timeline and the
bibliography are indexed, not the lists, home or graph) and the kind as metadata, so the UI shows it.

    python pagefind_tune.py BUILD_DIR"""
import re
import sys
from pathlib import Path

KIND = {"page-actor": "actor", "page-article": "article", "page-topic": "topic", "page-view": "view",
        "page-timeline": "event", "page-sources": "source"}
n = 0
for page in Path(sys.argv[1]).rglob("*.html"):
    html = page.read_text(encoding="utf-8")
    m = re.search(r'<body class="([^"]*)"', html)
    kind = KIND.get(m.group(1).split()[0]) if m else None
    if kind and 'data-pagefind-body' not in html:
        html = html.replace('<main id="main"', f'<main id="main" data-pagefind-body data-pagefind-meta="kind:{kind}"', 1)
        page.write_text(html, encoding="utf-8")
        n += 1
print(f"tuned {n} pages")
