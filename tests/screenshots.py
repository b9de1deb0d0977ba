"""Screenshots of the example site for review: `.venv/bin/python tests/screenshots.py [OUT_DIR]`.

Builds the example, serves it under a sub-path, and writes home, article, actor, timeline and
graph pages at 375 px and 1280 px in light and dark, plus a print-to-PDF of an actor page.
Default OUT_DIR: screenshots/ (git-ignored); the README shows docs/home.png, a copy of home-1280-light.png."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from browser import chromium, serve

from generator.build.builder import build

PAGES = {"home": "", "article": "articles/putin-kim-summit-2023/", "actor": "actors/kim-jong-un/",
         "timeline": "timeline/", "graph": "graph/"}


def main() -> None:
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent / "screenshots"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "briefing"
        build(HERE.parent, site)
        with serve(Path(tmp)) as origin, chromium() as browser:
            for scheme in ("light", "dark"):
                for width in (375, 1280):
                    ctx = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)  # type: ignore[attr-defined]
                    page = ctx.new_page()
                    for name, path in PAGES.items():
                        page.goto(f"{origin}/briefing/{path}")
                        shot = out_dir / f"{name}-{width}-{scheme}.png"
                        page.screenshot(path=str(shot), full_page=name != "home" or width == 1280)
                        print(shot)
                    ctx.close()
            page = browser.new_page()  # type: ignore[attr-defined]
            page.goto(f"{origin}/briefing/{PAGES['actor']}")
            page.pdf(path=str(out_dir / "actor-print.pdf"), format="A4", print_background=False)
            print(out_dir / "actor-print.pdf")


if __name__ == "__main__":
    main()
