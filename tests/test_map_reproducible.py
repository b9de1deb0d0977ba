"""The relations maps are the same to the last bit whatever vector units and BLAS kernels the CPU has:
issue 19, defect 5 (a map label at y="28.6" on a CPU with AVX2 and no AVX-512, "28.5" in the golden
build).

numpy picks its vector kernels by CPU, OpenBLAS its kernel family, and glibc its libm code (an FMA
version where there is FMA), so one machine can try the code paths of others: each variant draws the
maps in a subprocess with some of them turned off (see ../shared/TESTING-TOOLS.md). Only what this CPU
has is used: numpy's own list of the features it found, and /proc/cpuinfo for OpenBLAS, whose kernels for
a CPU without their instructions die with SIGILL. Every map is compared twice: the SVG as written, and
the positions of its nodes and labels at full precision (repr), so a difference that rounding to 0.1 px
happens to hide on this CPU still fails."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import EXAMPLE, SITES
from test_browser import write_big_site

import generator

CHILD = r"""
import hashlib, json, re, sys
from pathlib import Path
import numpy
import generator.pages.maps.drawing as drawing
from generator.build.builder import check
from generator.pages.outputs import draw, plan
from generator.pages.environment import environment

drawn = []
svg = drawing._svg
def recording(actors, edges, points, labels, *rest):
    drawn.append(repr(sorted(points.items())) + repr(sorted((i, l.x, l.y, l.box) for i, l in labels.items())))
    return svg(actors, edges, points, labels, *rest)
drawing._svg = recording

def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()[:16]

maps = {}
for name, site, which in json.loads(sys.argv[1]):
    graph = check(site).graph
    env = environment(Path(site))
    for page in plan(graph):
        if page.path == "graph/index.html" or (which == "all" and page.path.startswith("actors/")):
            drawn.clear()
            html = draw(graph, page, env)
            if drawn:
                svgs = re.findall(r'<svg class="relations-graph".*?</svg>', html, re.S)
                maps[f"{name}: {page.path}"] = {"svg": sha("".join(svgs)), "positions": sha("".join(drawn))}
simd = numpy.show_config(mode="dicts")["SIMD Extensions"]
print(json.dumps({"numpy": simd.get("found", []), "maps": maps}))
"""

BLAS = {"Prescott": {"pni"}, "Sandybridge": {"avx"}, "Haswell": {"avx2", "fma"},
        "SkylakeX": {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"}}
"""OpenBLAS kernel families to force, with the CPU flags each needs."""


def cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    found = re.search(r"^flags\s*:(.*)$", text, re.MULTILINE)
    return set(found.group(1).split()) if found else set()


def variants() -> dict[str, dict[str, str]]:
    """Environments that make this process's numpy, OpenBLAS and libm take other code paths, each
    named; only features this CPU has are turned off, and only kernels it can run are forced."""
    flags, found = cpu_flags(), list(np.show_config(mode="dicts")["SIMD Extensions"].get("found", []))
    blas = "openblas" in json.dumps(np.show_config(mode="dicts")["Build Dependencies"]["blas"]).lower()
    wide = [f for f in found if f.startswith("AVX512") or f == "X86_V4"]
    chosen: dict[str, dict[str, str]] = {"the CPU's own": {}}
    if wide:  # the machine of the issue: AVX2 and no AVX-512
        chosen["no AVX-512"] = {"NPY_DISABLE_CPU_FEATURES": " ".join(wide), "GLIBC_TUNABLES": "glibc.cpu.hwcaps=-AVX512F"}
        if blas and BLAS["Haswell"] <= flags:
            chosen["no AVX-512"]["OPENBLAS_CORETYPE"] = "Haswell"
    oldest = {"NPY_DISABLE_CPU_FEATURES": " ".join(found)} if found else {}
    if {"avx2", "fma"} & flags:
        oldest["GLIBC_TUNABLES"] = "glibc.cpu.hwcaps=-AVX2,-FMA,-AVX512F"
    if blas and BLAS["Prescott"] <= flags:
        oldest["OPENBLAS_CORETYPE"] = "Prescott"
    if oldest:
        chosen["SSE only"] = oldest
    for core in ("Sandybridge", "SkylakeX"):
        if blas and BLAS[core] <= flags:
            chosen[f"OpenBLAS {core}"] = {"OPENBLAS_CORETYPE": core}
    return chosen


def draw_maps(sites: list[tuple[str, str, str]], extra: dict[str, str]) -> dict[str, Any]:
    env = {**os.environ, "OPENBLAS_VERBOSE": "2", **extra}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(generator.__file__).parent.parent), env.get("PYTHONPATH", "")])
    if "OPENBLAS_CORETYPE" not in extra:
        env.pop("OPENBLAS_CORETYPE", None)  # the CPU's own choice
    run = subprocess.run([sys.executable, "-c", CHILD, json.dumps(sites)], capture_output=True, text=True, env=env,
                         timeout=300, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    report: dict[str, Any] = json.loads(run.stdout)
    core = re.search(r"Core: (\w+)", run.stderr)
    report["blas"] = core.group(1) if core else None
    return report


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str, str]]:
    """(name, folder, which pages): the golden site, the example and 200 actors with every actor's map;
    1,000 actors with the whole map only."""
    root = tmp_path_factory.mktemp("maps")
    return [("golden", str(SITES / "full"), "all"), ("example", str(EXAMPLE), "all"),
            ("200 actors", str(write_big_site(root / "200")), "all"),
            ("1000 actors", str(write_big_site(root / "1000", actors=1000, relations=1300)), "graph")]


def test_relations_maps_are_the_same_whatever_the_cpu_offers(sites: list[tuple[str, str, str]]) -> None:
    chosen = variants()
    reports = {name: draw_maps(sites, extra) for name, extra in chosen.items()}
    base = reports["the CPU's own"]
    assert len(base["maps"]) > 200  # the whole maps and every actor's
    for name, extra in chosen.items():  # each variant took effect
        off = extra.get("NPY_DISABLE_CPU_FEATURES", "").split()
        assert not set(off) & set(reports[name]["numpy"]), (name, reports[name]["numpy"])
    forced = {reports[name]["blas"] for name, extra in chosen.items() if "OPENBLAS_CORETYPE" in extra}
    assert None not in forced and len(forced) == sum("OPENBLAS_CORETYPE" in e for e in chosen.values())
    differ = []
    for name, report in reports.items():
        for kind in ("svg", "positions"):
            pages = [p for p, h in report["maps"].items() if h[kind] != base["maps"][p][kind]]
            if pages:
                differ.append(f"{name} {chosen[name]}: {kind} of {len(pages)} maps differ, first {pages[:3]}")
    assert not differ, "\n".join(differ)
