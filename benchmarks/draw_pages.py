"""Draw every page of some kinds in one process and print the CPU seconds: a steadier figure for the
render stage's own work than a whole build, whose files' creation moves with the disk (docs/speed.md).

    .venv/bin/python benchmarks/make_site.py /tmp/b5k 5000
    .venv/bin/python benchmarks/draw_pages.py /tmp/b5k article.html,actor.html,topic.html,feed.xml,list.html

For each of --rounds rounds: the pages drawn plainly (no recording), drawn as a build draws them
(recording what each reads of the graph: the first round is the build's case, each part shared between
pages drawn once), and their records made. Then digests of the HTML and of the reads, to compare two
commits: run it from each (`git worktree`, with that checkout first on PYTHONPATH).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import time
from pathlib import Path

from generator.build.builder import Builder
from generator.build.reads import PageRecord, render_recorded
from generator.cli import GC_THRESHOLD
from generator.pages.outputs import draw


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("site", type=Path)
    ap.add_argument("kinds", help="templates, comma-separated (article.html,actor.html,...)")
    ap.add_argument("--rounds", type=int, default=2)
    opts = ap.parse_args()
    started = time.perf_counter()
    found = Builder(opts.site, jobs=1)._plan()
    print(f"planned in {time.perf_counter() - started:.2f} s")
    kinds = opts.kinds.split(",")
    pages = [p for p in found.pages if p.template in kinds]
    gc.freeze()  # as a build does once the graph is made (processes.settled)
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    plain: list[str | bytes] = []
    recorded: list[tuple[str | bytes, frozenset[object]]] = []
    for r in range(1, opts.rounds + 1):
        t = time.process_time()
        plain = [draw(found.graph, p, found.env) for p in pages]
        t_plain = time.process_time() - t
        t = time.process_time()
        recorded = [render_recorded(found.graph, p, found.env) for p in pages]
        t_recorded = time.process_time() - t
        t = time.process_time()
        for page, (_, reads) in zip(pages, recorded, strict=True):
            PageRecord.of(page, reads)
        t_records = time.process_time() - t
        print(f"round {r}: {len(pages)} pages, plain {t_plain:.3f} s, recorded {t_recorded:.3f} s, "
              f"records {t_records:.3f} s (CPU)")
    html, reads = hashlib.sha256(), hashlib.sha256()
    for text, (again, read) in zip(plain, recorded, strict=True):
        assert text == again, "a page drawn plainly and recorded differs"
        html.update(text.encode() if isinstance(text, str) else text)
        reads.update(repr(sorted(map(repr, read))).encode())
    print(f"HTML {html.hexdigest()[:16]}, reads {reads.hexdigest()[:16]}")


if __name__ == "__main__":
    main()
