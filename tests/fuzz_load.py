"""Fuzz load (YAML, front matter) and the Markdown stage: arbitrary bytes never make check() raise.

    .venv/bin/python tests/fuzz_load.py --minutes 10

Each input is one content file of a small fixed site: its first byte picks which (site.yaml, an
actor file, a list of events, a whole article, an article's body under fixed front matter, or a
topic's Markdown `body:` field), the rest are its bytes. The input is written there and
`generator.build.builder.check` runs on the site; problems are fine, an exception is a crash. When the
input checks clean, the pages of the fuzzed item are rendered as well (`--no-render` skips that).

Uses atheris (coverage-guided, libFuzzer) when it is installed, else a plain random mutator.
Crashes are saved under --artifacts and the run goes on (one file per distinct crash site);
the summary at the end gives the executions and the crashes. Exit status 1 if any crash was found.
Not collected by pytest (its name does not start with test_). See docs/testing.md.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import sys
import tempfile
import time
import traceback
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

try:
    import atheris
except ImportError:  # the random mutator below still works
    atheris = None

if atheris is not None:
    with atheris.instrument_imports(include=["generator", "yaml", "markdown_it", "mdit_py_plugins"]):
        import generator.build.builder
        from generator.build.builder import check
        from generator.pages.environment import environment
        from generator.pages.html.render import render
        from generator.pages.page import plan
else:
    import generator.build.builder
    from generator.build.builder import check
    from generator.pages.environment import environment
    from generator.pages.html.render import render
    from generator.pages.page import plan

_ENVIRONMENTS: dict[Path, Any] = {}


def _cached_environment(root: Path) -> Any:
    """One Jinja environment per site, as `briefing serve` keeps one: compiling the theme's templates
    again for every input would take most of the time, and the templates are not what is fuzzed."""
    if root not in _ENVIRONMENTS:
        _ENVIRONMENTS[root] = environment(root)
    return _ENVIRONMENTS[root]


if hasattr(generator.build.builder, "environment"):
    generator.build.builder.environment = _cached_environment  # type: ignore[attr-defined]

SKELETON = {
    "site.yaml": b"title: Fuzz site\nbase_url: https://example.org/\nmentions: all\n",
    "content/actors/kim.yaml": b"name: Kim Jong Un\nkind: person\naliases: [Kim]\naffiliations: [north-korea]\n",
    "content/actors/states.yaml": b"- id: north-korea\n  name: North Korea\n  kind: state\n"
                                  b"- id: kcna\n  name: KCNA\n  kind: media\n",
    "content/topics/sanctions.yaml": b"title: Sanctions\nsummary: The [[un-sanctions]] regime.\n",
    "content/topics/un-sanctions.yaml": b"title: UN sanctions\nparent: sanctions\nbody: |\n  Text.\n",
    "content/sources/kcna-report.yaml": b"title: KCNA report\npublisher: kcna\ndate: 2023-09\n",
    "content/events/list.yaml": b"- id: summit-day\n  date: 2023-09-13\n  title: Summit day\n  actors: [kim]\n",
    "content/quotes/q.yaml": b"speaker: kim\ntext: Words.\nreported_by: kcna\n",
    "content/articles/summit.md": b"---\ntitle: Summit\ndate: 2023-09-13\nsources: [kcna-report]\n---\n"
                                  b"Kim Jong Un met. See [[summit-day]] and [[north-korea|the North]].\n",
    "content/articles/pictured.md": b"---\ntitle: Pictured\ndate: 2023-09-14\nimage: {src: img/map.svg, alt: Map}\n"
                                    b"---\n![Dots](/img/dots.png)\n",
    "static/img/map.svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" viewBox="0 0 40 20"/>\n',
    "static/img/dots.png": bytes.fromhex("89504e470d0a1a0a0000000d4948445200000002000000020806000000f278d4fa"
                                         "0000000d49444154789c63f8cfc0f01f0005fe02fe0dd8a4a60000000049454e44ae426082"),
}
PNG = SKELETON["static/img/dots.png"][:16]
FRONT = b"---\ntitle: Fuzzed body\ndate: 2023-09-13\nactors: [kim]\n---\n"
TARGETS: list[tuple[str, Callable[[bytes], bytes], str | None]] = [
    ("site.yaml", lambda data: data, None),
    ("content/actors/kim.yaml", lambda data: data, "kim"),
    ("content/events/list.yaml", lambda data: data, None),
    ("content/articles/summit.md", lambda data: data, "summit"),
    ("content/articles/body.md", lambda data: FRONT + data, "body"),
    ("content/topics/un-sanctions.yaml",
     lambda data: b"title: UN sanctions\nparent: sanctions\nbody: |\n" + b"".join(
         b"  " + line + b"\n" for line in data.split(b"\n")), "un-sanctions"),
    ("static/img/map.svg", lambda data: data, "pictured"),
    ("static/img/dots.png", lambda data: PNG + data, "pictured"),  # a header that claims any size
]
"""(file, how the fuzzed bytes become its content, the item whose pages are rendered)."""


class Harness:
    def __init__(self, root: Path, artifacts: Path, do_render: bool) -> None:
        self.root, self.artifacts, self.do_render = root, artifacts, do_render
        self.runs = 0
        self.crashes: dict[str, Path] = {}
        for rel, data in SKELETON.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
        clean = check(root)
        if clean.graph is None:  # else every input would stop at the skeleton's own mistake
            raise SystemExit("fuzz_load: the fixed site does not check clean:\n" + "\n".join(map(str, clean.problems)))

    def one(self, data: bytes, keep_going: bool = True) -> None:
        """Run one input; a crash is saved and counted, then the run goes on (or it is raised)."""
        self.runs += 1
        if not data:
            return
        rel, shape, item = TARGETS[data[0] % len(TARGETS)]
        path = self.root / rel
        path.write_bytes(shape(data[1:]))
        try:
            self._check(item)
        except Exception as exc:  # any exception escaping check() is what we look for
            if not keep_going:
                raise
            self._save(data, exc)
        finally:
            if rel in SKELETON:
                path.write_bytes(SKELETON[rel])
            else:
                path.unlink()

    def _check(self, item: str | None) -> None:
        checked = check(self.root)
        for problem in checked.problems:
            assert problem.severity in ("error", "warning"), problem
            assert not Path(problem.location.path).is_absolute(), problem
        if self.do_render and checked.graph is not None and item is not None:
            env = _cached_environment(self.root)
            for page in plan(checked.graph):
                if page.item == item:
                    render(checked.graph, page, env)
                elif page.path == "feed.xml":  # the site's feed, which shows every article, is well-formed
                    ET.fromstring(render(checked.graph, page, env).encode("utf-8"))

    def _save(self, data: bytes, exc: Exception) -> None:
        frames = traceback.extract_tb(exc.__traceback__)
        ours = [f for f in frames if "/generator/" in f.filename] or frames
        where = f"{type(exc).__name__} at {Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else type(exc).__name__
        if where in self.crashes:
            return
        name = "crash-" + hashlib.sha1(data).hexdigest()[:12]
        self.artifacts.mkdir(parents=True, exist_ok=True)
        saved = self.artifacts / name
        saved.write_bytes(data)
        (self.artifacts / (name + ".txt")).write_text(
            f"{where}\ninput: {data!r}\n\n" + "".join(traceback.format_exception(exc)), encoding="utf-8")
        self.crashes[where] = saved
        print(f"\nCRASH {where}: {exc!r}\n  input saved as {saved}", file=sys.stderr, flush=True)

    def summary(self, seconds: float, engine: str) -> str:
        lines = [(f"fuzz_load: {engine}, {self.runs} executions in {seconds:.0f} s "
                  f"({self.runs / max(seconds, 1e-9):.1f}/s), {len(self.crashes)} distinct crash(es)")]
        lines += [f"  {where}: {path}" for where, path in sorted(self.crashes.items())]
        return "\n".join(lines)


def seeds() -> list[bytes]:
    """Every content file of the test sites, each for the targets it fits, plus the skeleton's."""
    found: list[bytes] = []
    for path in sorted((HERE / "sites").rglob("*")):
        if not path.is_file() or path.suffix not in (".yaml", ".yml", ".md") or path.stat().st_size > 20_000:
            continue
        data = path.read_bytes()
        if path.suffix == ".md":
            body = data.split(b"\n---\n", 1)[-1]
            found += [bytes([3]) + data, bytes([4]) + body, bytes([5]) + body]
        elif path.name == "site.yaml":
            found.append(bytes([0]) + data)
        else:
            found += [bytes([1]) + data, bytes([2]) + data]
    return found


def run_random(harness: Harness, deadline: float, rng: random.Random) -> None:
    """No atheris: mutate the seeds at random (flip, insert, delete, splice) until the deadline."""
    pool = seeds()
    while time.monotonic() < deadline:
        data = bytearray(rng.choice(pool))
        for _ in range(rng.randint(1, 8)):
            op, at = rng.randrange(4), rng.randrange(len(data) + 1)
            if op == 0 and data and at < len(data):
                data[at] = rng.randrange(256)
            elif op == 1:
                data[at:at] = rng.choice([b"\t", b"  ", b"- ", b": ", b"[[", b"]]", b"|", b"---\n", b"\xff", b"\n",
                                          b"```", b"[^1]", b"*", b"&a ", b"*a", b"!!", b"#", b"\x00", b"\r"])
            elif op == 2:
                del data[at:at + rng.randint(1, 16)]
            else:
                other = rng.choice(pool)
                data[at:] = other[rng.randrange(len(other) + 1):]
        harness.one(bytes(data))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="time budget (default 10)")
    parser.add_argument("--artifacts", default=os.path.join(tempfile.gettempdir(), "briefing-fuzz"),
                        help="where crashing inputs are saved (default: a folder under the temp dir)")
    parser.add_argument("--corpus", help="atheris corpus folder to read and grow (default: a fresh temp folder)")
    parser.add_argument("--engine", choices=["atheris", "random"], default="atheris" if atheris else "random")
    parser.add_argument("--no-render", dest="render", action="store_false", help="check only; do not render pages")
    parser.add_argument("--seed", type=int, default=0, help="random engine seed")
    parser.add_argument("--replay", nargs="+", metavar="FILE", help="run these saved inputs once, tracebacks shown")
    args, rest = parser.parse_known_args()
    budget = args.minutes * 60
    work = Path(tempfile.mkdtemp(prefix="briefing-fuzz-site-"))
    harness = Harness(work / "site", Path(args.artifacts), args.render)
    if args.replay:
        for name in args.replay:
            data = Path(name).read_bytes()
            rel = TARGETS[data[0] % len(TARGETS)][0] if data else "-"
            print(f"{name}: {len(data)} bytes as {rel}", file=sys.stderr)
            harness.one(data, keep_going=False)
        print("no exception", file=sys.stderr)
        return 0
    started = time.monotonic()
    deadline = started + budget

    def finish() -> int:
        print("\n" + harness.summary(time.monotonic() - started, args.engine), file=sys.stderr, flush=True)
        shutil.rmtree(work, ignore_errors=True)
        return 1 if harness.crashes else 0

    if args.engine == "random":
        run_random(harness, deadline, random.Random(args.seed))
        return finish()
    if atheris is None:
        parser.error("atheris is not installed: pip install atheris, or use --engine random")
    corpus = Path(args.corpus) if args.corpus else work / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for data in seeds():
        (corpus / hashlib.sha1(data).hexdigest()).write_bytes(data)

    def one_input(data: bytes) -> None:
        if time.monotonic() >= deadline:  # libFuzzer's own limit would exit without our summary
            os._exit(finish())
        harness.one(data)

    libfuzzer = [sys.argv[0], f"-max_total_time={int(budget) + 120}", "-timeout=30", "-rss_limit_mb=4096",
                 f"-artifact_prefix={args.artifacts}/", "-print_final_stats=1", *rest, str(corpus)]
    Path(args.artifacts).mkdir(parents=True, exist_ok=True)
    atheris.Setup(libfuzzer, one_input)
    atheris.Fuzz()
    return finish()


if __name__ == "__main__":
    sys.exit(main())
