"""Time to lay out the relations maps — a benchmark, not a test: the whole map (graph/) and all the
actors' neighbourhood maps, for the example site and generated sites of 200 and 1,000 actors
(tests/test_browser.py's write_big_site, 1.3 relations an actor), the best of --runs; with the edge
crossings of each whole map (map_crossings.py).

    .venv/bin/python benchmarks/map_layout.py [--runs 5] [SITE ...]

Only the drawing is timed: the maps get the actors and relations the pages give them (relations.draw and
actor.draw_neighbourhood are wrapped while the pages render once), then each is drawn again --runs
times. The whole map shows at most drawing.MAX_NODES (200) actors, so 1,000 actors lay out 200."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(HERE), str(HERE / "tests"), str(HERE / "benchmarks")]


def calls(site: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The arguments of every call of draw and draw_neighbourhood that rendering `site` makes."""
    from generator.build.builder import check
    from generator.pages.environment import environment
    from generator.pages.html import actor, relations
    from generator.pages.outputs import draw, plan
    whole: list[tuple[Any, ...]] = []
    around: list[tuple[Any, ...]] = []

    def spy(into: list[tuple[Any, ...]], drawer: Callable[..., Any]) -> Callable[..., Any]:
        def recorded(*args: Any) -> Any:
            into.append(args)
            return drawer(*args)
        return recorded
    graph = check(site).graph
    assert graph is not None
    env = environment(site)
    real = relations.draw, actor.draw_neighbourhood
    relations.draw, actor.draw_neighbourhood = spy(whole, real[0]), spy(around, real[1])
    try:
        for page in plan(graph):
            if page.path == "graph/index.html" or page.path.startswith("actors/"):
                draw(graph, page, env)
    finally:
        relations.draw, actor.draw_neighbourhood = real
    return whole, around


def best(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("sites", nargs="*", type=Path, help="site folders (default: the example, mutiny and "
                        "generated sites of 200 and 1,000 actors), e.g. one made by make_site.py")
    opts = parser.parse_args()
    from map_crossings import crossings
    from test_browser import write_big_site

    from generator.pages.maps.drawing import draw, draw_neighbourhood
    tmp = Path(tempfile.mkdtemp(prefix="map-layout-"))
    sites = [(str(site), site) for site in opts.sites] or [
        ("example", HERE), ("mutiny", HERE / "tests/sites/mutiny"), ("200 actors", write_big_site(tmp / "200")),
        ("1,000 actors", write_big_site(tmp / "1000", actors=1000, relations=1300))]
    for name, site in sites:
        whole, around = calls(site)
        map_time = best(opts.runs, lambda whole=whole: [draw(*args) for args in whole])
        around_time = best(opts.runs, lambda around=around: [draw_neighbourhood(*args) for args in around])
        drawn = draw(*whole[0])
        edges, count, _ = crossings(str(drawn.svg))
        print(f"{name}: whole map {map_time:.3f} s ({drawn.shown} actors, {drawn.width:.0f} x {drawn.height:.0f} px, "
              f"{edges} lines, {count} crossings), {len(around)} neighbourhood maps {around_time:.3f} s")


if __name__ == "__main__":
    main()
