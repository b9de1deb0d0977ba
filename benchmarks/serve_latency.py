"""How long a saved edit takes to reach the reader with `briefing serve` — a benchmark, not a test.

    .venv/bin/python benchmarks/serve_latency.py                 # the example site
    .venv/bin/python benchmarks/serve_latency.py --articles 5000 # a generated 5,000-article site

Starts `briefing serve` on a copy of the site, opens an article in headless Chromium, then saves K
edits to that article's body one after another and prints, for each and as medians, the time from
the save to the edited page written (serve writes it ahead of the rebuild), to the new text visible
in the page (which reloads by itself), and to the finished rebuild of the whole site (the server's
status)."""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(HERE))

from browser import chromium  # noqa: E402
from make_site import make  # noqa: E402


def status(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url + "_briefing/status", timeout=10) as r:
        data: dict[str, object] = json.loads(r.read())
        return data


def wait_generation(url: str, above: int, timeout: float = 600, key: str = "generation") -> float:
    """When the server's counter `key` passes `above`: "generation" counts finished rebuilds, "previews"
    edited articles written ahead of their rebuild."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if int(str(status(url)[key])) > above:
                return time.perf_counter()
        except OSError:
            pass
        time.sleep(0.005)
    raise TimeoutError("no rebuild")


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--articles", type=int, default=0, help="generate a site this big (0: the example)")
    args.add_argument("--edits", type=int, default=7)
    opts = args.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        if opts.articles:
            make(site, opts.articles)
            article = "article-17"
        else:
            for part in ("site.yaml", "content", "static", "templates"):
                if (ROOT / part).is_dir():
                    shutil.copytree(ROOT / part, site / part)
                elif (ROOT / part).is_file():
                    site.mkdir(exist_ok=True)
                    shutil.copy(ROOT / part, site / part)
            article = "putin-kim-summit-2023"
        path = site / f"content/articles/{article}.md"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        url = f"http://127.0.0.1:{port}/"
        proc = subprocess.Popen([sys.executable, "-m", "generator", "serve", str(site), "--port", str(port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        try:
            started = time.perf_counter()
            wait_generation(url, 0)
            print(f"first build: {time.perf_counter() - started:.1f} s")
            rebuilt, visible, first = [], [], []
            with chromium() as browser:
                page = browser.new_page()  # type: ignore[attr-defined]
                page.goto(url + f"articles/{article}/")
                for i in range(opts.edits):
                    now = status(url)
                    generation, previews = int(str(now["generation"])), int(str(now["previews"]))
                    token = f"Benchmark edit number {i} at {time.time():.0f}."
                    done: list[float] = []
                    ahead: list[float] = []
                    watcher = threading.Thread(target=lambda: done.append(wait_generation(url, generation)))
                    early = threading.Thread(target=lambda: ahead.append(wait_generation(url, previews, 60, "previews")))
                    watcher.start()
                    early.start()
                    text = path.read_text(encoding="utf-8")
                    saved = time.perf_counter()
                    path.write_text(text + f"\n{token}\n", encoding="utf-8")
                    page.wait_for_function("t => document.body.innerText.includes(t)", arg=token, timeout=600_000)
                    shown = time.perf_counter()
                    watcher.join()
                    early.join()
                    rebuilt.append((done[0] - saved) * 1000)
                    visible.append((shown - saved) * 1000)
                    first.append((ahead[0] - saved) * 1000)
                    print(f"edit {i + 1}: page written after {first[-1]:.0f} ms, visible after {visible[-1]:.0f} ms, "
                          f"whole site rebuilt after {rebuilt[-1]:.0f} ms")
                    time.sleep(0.5)
            name = f"{opts.articles:,}-article site" if opts.articles else "example site"
            print(f"{name}: median save -> edited page written {statistics.median(first):.0f} ms, "
                  f"save -> visible {statistics.median(visible):.0f} ms, "
                  f"save -> whole site rebuilt {statistics.median(rebuilt):.0f} ms ({opts.edits} edits)")
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
