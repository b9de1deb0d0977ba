"""A floor for one edit from the command line: the least any build must do after one article's body changed,
at each site size, to tell whether "one edit(10,000) ÷ one edit(5,000) ≤ 1.3" is within reach (issue 20).

    .venv/bin/python benchmarks/make_site.py /tmp/b5k 5000 && .venv/bin/briefing build /tmp/b5k
    .venv/bin/python benchmarks/make_site.py /tmp/b10k 10000 && .venv/bin/briefing build /tmp/b10k
    .venv/bin/python benchmarks/edit_floor.py /tmp/b5k /tmp/b10k --runs 5

A benchmark, not a part of the generator. Each run is a fresh process, timed from outside, that does only
what the contract leaves no way around after one article's body changed:

- start the interpreter and import what drawing a page needs (generator.build.builder: Jinja, markdown-it-py);
- find what changed: stat() every input (stamp.stamps, as `briefing build` does first; Hugo does the same);
- write `data/briefing.json` again: the contract puts every item, bodies included, in that one file, so its
  bytes change with any body. The floor reads the last build's file, puts the new body in place of the old
  (found by a search for the body's JSON text: no cache, no parse) and writes a new file beside it, renamed
  over it, as a build that leaves the output untouched until it succeeds must.

No cache load, no graph, no page drawn, no search index: each of those is more than the floor. It prints the
median wall time of each size, each part's share (from the same runs, timed inside), and the ratio of the
largest size to the smallest: when the floor itself is over 1.3, no build under the contract meets the target.
On this machine, run it with the site's files in the page cache, as the builds it stands for would be.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, os, sys, time
t0 = time.perf_counter()
import generator.build.builder  # what an edit imports to draw a page
from generator.build import stamp
t1 = time.perf_counter()
root, article, old, new = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
found = stamp.stamps(__import__("pathlib").Path(root))
t2 = time.perf_counter()
path = os.path.join(root, "build", "data", "briefing.json")
with open(path, "rb") as f:
    data = f.read()
at = data.find(old.encode())
assert at >= 0, "the edited body is not in data/briefing.json"
data = data[:at] + new.encode() + data[at + len(old.encode()):]
tmp = path + ".floor"
with open(tmp, "wb") as f:
    f.write(data)
os.replace(tmp, path)
t3 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "stat": t2 - t1, "briefing.json": t3 - t2, "inputs": len(found),
                  "bytes": len(data)}))
"""


def body_json(site: Path, article: str) -> str:
    """The JSON text of the article's body as data/briefing.json holds it (what the floor replaces)."""
    data = json.loads((site / "build/data/briefing.json").read_text(encoding="utf-8"))
    for item in data["items"] if isinstance(data, dict) and "items" in data else []:
        if item.get("id") == article:
            return json.dumps(item["body"], ensure_ascii=False)
    raise SystemExit(f"{site}: no article {article} with a body in build/data/briefing.json")


def run(site: Path, article: str, old: str, new: str) -> tuple[float, dict[str, float]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD, str(site), article, old, new], check=True,
                          capture_output=True, text=True, env=env)
    return time.perf_counter() - start, json.loads(done.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sites", nargs="+", type=Path, help="built sites of make_site.py, smallest first")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--article", default="article-42")
    opts = ap.parse_args()
    medians: list[float] = []
    for site in opts.sites:
        old = body_json(site, opts.article)
        walls, parts = [], []
        for i in range(opts.runs):  # the body alternates between two texts of the same length
            a, b = (old, old[:-1] + "~\"") if i % 2 == 0 else (old[:-1] + "~\"", old)
            wall, found = run(site, opts.article, a, b)
            walls.append(wall)
            parts.append(found)
        median = statistics.median(walls)
        medians.append(median)
        shares = ", ".join(f"{k} {statistics.median(p[k] for p in parts):.3f} s"
                           for k in ("imports", "stat", "briefing.json"))
        print(f"{site}: {parts[0]['inputs']:,} inputs, data/briefing.json {parts[0]['bytes'] / 1e6:.1f} MB: "
              f"floor {median:.3f} s (runs {', '.join(f'{w:.3f}' for w in walls)}; inside: {shares})")
    if len(medians) > 1:
        print(f"floor ratio, largest ÷ smallest site: {medians[-1] / medians[0]:.2f}")


if __name__ == "__main__":
    main()
