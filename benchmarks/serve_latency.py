"""How long a saved edit takes to reach the reader with `briefing serve` — a benchmark, not a test.

    .venv/bin/python benchmarks/serve_latency.py                 # the example site
    .venv/bin/python benchmarks/serve_latency.py --articles 5000 # a generated 5,000-article site
    .venv/bin/python benchmarks/serve_latency.py --articles 5000 --apart 1.5 --edits 5

Starts `briefing serve` on a copy of the site, opens an article in headless Chromium, then saves K
edits to that article's body one after another and prints, for each and as medians, the time from
the save to the edited page written (serve writes it ahead of the rebuild), to the new text visible
in the page (which reloads by itself), and to the finished rebuild of the whole site (the server's
status).

With --apart S, no browser: the K edits are saved S seconds apart, whatever the server is doing (a
writer who saves often saves during rebuilds), and the article's page is fetched over HTTP every 10 ms.
It prints, for each save and as the median, the time until a GET of the page returns the new text,
and the time from the last save until a rebuild of the whole site that began after it has finished
(the server's status: a run that finished at T and took `seconds` began at T - seconds)."""

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

from browser import chromium
from make_site import make


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


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            text: str = r.read().decode("utf-8", "replace")
            return text
    except OSError:  # a 503 before the first build, say
        return ""


def spaced(url: str, article: str, path: Path, edits: int, apart: float) -> None:
    """Saves `apart` seconds apart; save -> served over HTTP for each, then last save -> whole site rebuilt."""
    page = url + f"articles/{article}/"
    tokens = [f"Spaced edit number {i} token q{time.time_ns()}x." for i in range(edits)]
    saved: list[float] = []
    served: dict[int, float] = {}
    stop = threading.Event()

    def poll() -> None:  # one client, as a browser tab that reloads: only while a save is not served yet
        while not stop.is_set() and len(served) < edits:
            if len(served) == len(saved):
                time.sleep(0.001)
                continue
            text = fetch(page)
            now = time.perf_counter()
            for i in range(len(saved)):
                if i not in served and tokens[i] in text:
                    served[i] = now
            time.sleep(0.01)
    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    text = path.read_text(encoding="utf-8")
    begun = time.perf_counter()
    runs: list[float] = []
    for i, token in enumerate(tokens):
        while time.perf_counter() < begun + i * apart:
            time.sleep(0.001)
        text += f"\n{token}\n"
        saved.append(time.perf_counter())
        path.write_text(text, encoding="utf-8")
    generation = -1
    deadline = saved[-1] + 300
    rebuilt = None
    while rebuilt is None and time.perf_counter() < deadline:
        now = status(url)
        seen = time.perf_counter()
        if int(str(now["generation"])) != generation:
            generation = int(str(now["generation"]))
            seconds = float(str(now["seconds"]))
            runs.append(seconds)
            if seen - seconds > saved[-1]:
                rebuilt = seen
        time.sleep(0.005)
    poller.join(timeout=60)
    stop.set()
    lags = [(served[i] - saved[i]) * 1000 if i in served else float("nan") for i in range(edits)]
    for i, lag in enumerate(lags):
        print(f"edit {i + 1} (saved at +{saved[i] - begun:.1f} s): new text served after {lag:.0f} ms")
    whole = f"{rebuilt - saved[-1]:.2f} s" if rebuilt is not None else "not within 300 s"
    print(f"edits {apart:g} s apart: median save -> new text served {statistics.median(lags):.0f} ms "
          f"({edits} edits); last save -> whole site rebuilt by a run begun after it: {whole} "
          f"(that run took {runs[-1]:.2f} s)")


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--articles", type=int, default=0, help="generate a site this big (0: the example)")
    args.add_argument("--edits", type=int, default=7)
    args.add_argument("--apart", type=float, default=None,
                      help="save every this many seconds, whatever the server does; HTTP only (see above)")
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
            if opts.apart is not None:
                time.sleep(2)  # the first build's page requests and collections are over
                spaced(url, article, path, opts.edits, opts.apart)
                return
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
                    watcher = threading.Thread(target=lambda done=done, g=generation: done.append(wait_generation(url, g)))
                    early = threading.Thread(target=lambda ahead=ahead, p=previews: ahead.append(
                        wait_generation(url, p, 60, "previews")))
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
