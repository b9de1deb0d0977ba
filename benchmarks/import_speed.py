"""`briefing import` speed — a benchmark, not a test.

    .venv/bin/python benchmarks/import_speed.py                 # both cases
    .venv/bin/python benchmarks/import_speed.py --keep /tmp/imp # keep the generated files and sites there

Generates OpenSanctions-like FollowTheMoney files (seeded, so the same every run) in a temporary folder:
people (some with a name in another script, a position, a Wikidata id), organisations and companies,
public bodies, their sanctions by a handful of authorities (a few undated), addresses, identifications,
positions, vessels, memberships, directorships, family ties and ownerships. Then runs
`python -m generator import` as a subprocess into an empty site and measures the wall time and the peak
resident memory of that process, beside the limits issue 22 sets:

- all: 10,000 entities, everything imported: at most 10 s;
- only: 100,000 lines, `--only` one person's name (its sanctions, ties and the other ends): at most 30 s.

After each, `briefing check` runs on the site (not timed) and must pass."""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

FIRST = ["Anna", "Boris", "Chen", "Dmitri", "Elena", "Farid", "Grace", "Hiroshi", "Ines", "Jae", "Kofi", "Lena", "Mikhail", "Nadia", "Omar", "Priya", "Ravi", "Sofia"]
LAST = ["Petrov", "Kim", "Park", "Tanaka", "Haddad", "Mensah", "Okafor", "Novak", "Silva", "Rossi", "Ivanova", "Lindqvist", "Moreau", "Sato", "Choi", "Volkov"]
CYRILLIC = {"Boris": "Борис", "Dmitri": "Дмитрий", "Elena": "Елена", "Mikhail": "Михаил", "Petrov": "Петров",
            "Ivanova": "Иванова", "Volkov": "Волков", "Nadia": "Надя"}
WORDS = ["Northern", "Eastern", "General", "Maritime", "Trading", "Mining", "Energy", "Industrial", "Shipping", "Export", "Import", "Holding"]
FORMS = ("LLC", "Ltd", "JSC", "Corporation", "Company", "Group", "Trading Co.")
AUTHORITIES = (("Office of Foreign Assets Control", "SDN"), ("European Union", "RUSSIA"),
               ("UN Security Council", "DPRK"), ("HM Treasury", "Russia"),
               ("State Secretariat for Economic Affairs", "Ukraine"))
COUNTRIES = ("ru", "kp", "ir", "by", "sy", "cn", "ae", "tr")


def entity(ftm_id: str, schema: str, **props: Any) -> dict[str, Any]:
    return {"id": ftm_id, "schema": schema, "caption": str(props.get("name", [ftm_id])[0]),
            "properties": {k: v if isinstance(v, list) else [v] for k, v in props.items()},
            "datasets": ["sanctions"], "first_seen": "2022-03-01T00:00:00", "last_seen": "2024-05-01T00:00:00"}


def person(rng: random.Random, n: int) -> Iterator[dict[str, Any]]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    name = f"{first} {last} {n}"  # OpenSanctions names repeat; the number keeps --only to one
    props: dict[str, Any] = {"name": name, "birthDate": f"19{rng.randint(40, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                             "nationality": rng.choice(COUNTRIES), "topics": ["sanction"],
                             "sourceUrl": f"https://sanctions.example.org/entry/{n}"}
    if first in CYRILLIC and last in CYRILLIC:
        props["alias"] = f"{CYRILLIC[first]} {CYRILLIC[last]}"
    if rng.random() < 0.3:
        props["position"] = rng.choice(("Minister of Defence", "Deputy Prime Minister", "Governor", "Director"))
    if rng.random() < 0.2:
        props["wikidataId"] = f"Q{1000 + n}"
    pid = f"os-p{n}"
    yield from (entity(pid, "Person", **props, addressEntity=f"os-a{n}"), *sanctions(rng, pid, n),
                entity(f"os-a{n}", "Address", full=f"{n} {rng.choice(WORDS)} Street, {rng.choice(COUNTRIES)}",
                       country=rng.choice(COUNTRIES)),
                entity(f"os-i{n}", "Identification", holder=pid, number=f"P{n:08d}", type="passport"))


def organization(rng: random.Random, n: int) -> Iterator[dict[str, Any]]:
    schema = rng.choice(("Organization", "Company", "Company", "PublicBody"))
    name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(FORMS)} {n}"
    oid = f"os-o{n}"
    yield entity(oid, schema, name=name, country=rng.choice(COUNTRIES), topics=["sanction"])
    yield from sanctions(rng, oid, n)


def sanctions(rng: random.Random, target: str, n: int) -> Iterator[dict[str, Any]]:
    for k, (authority, program) in enumerate(rng.sample(AUTHORITIES, rng.randint(1, 3))):
        props: dict[str, Any] = {"entity": target, "authority": authority, "program": program,
                                 "authorityId": f"{program}-{n}-{k}", "reason": "Involved in the "
                                 f"{rng.choice(WORDS).lower()} sector; listed under {program}.",
                                 "sourceUrl": f"https://{program.lower()}.example.org/list"}
        if rng.random() > 0.02:  # a few sanctions carry no date
            props["listingDate"] = f"20{rng.randint(10, 24)}-0{rng.randint(1, 9)}-2{rng.randint(0, 8)}"
        yield entity(f"{target}-s{k}", "Sanction", **props)


def ties(rng: random.Random, people: int, orgs: int, count: int) -> Iterator[dict[str, Any]]:
    for n in range(count):
        p, q, o = rng.randrange(people), rng.randrange(people), rng.randrange(orgs)
        kind = rng.choice(("Membership", "Directorship", "Family", "Ownership", "Position", "Vessel"))
        if kind == "Membership":
            yield entity(f"os-t{n}", kind, member=f"os-p{p}", organization=f"os-o{o}", role="member")
        elif kind == "Directorship":
            yield entity(f"os-t{n}", kind, director=f"os-p{p}", organization=f"os-o{o}", startDate="2015")
        elif kind == "Family" and p != q:
            yield entity(f"os-t{n}", kind, person=f"os-p{p}", relative=f"os-p{q}", relationship="brother")
        elif kind == "Ownership":
            yield entity(f"os-t{n}", kind, owner=f"os-p{p}", asset=f"os-v{n}", percentage="51")
            yield entity(f"os-v{n}", "Vessel", name=f"Ocean {rng.choice(WORDS)} {n}", imoNumber=f"IMO{9000000 + n}")
        else:
            yield entity(f"os-t{n}", "Position", name=f"{rng.choice(WORDS)} Minister", country="ru")


def generate(path: Path, lines: int, seed: int = 22) -> str:
    """Writes about `lines` entities; returns the name of a person in it (for --only)."""
    rng = random.Random(seed)
    people = lines // 10
    orgs = lines // 30
    written = 0
    with path.open("w", encoding="utf-8") as out:
        def put(rows: Iterator[dict[str, Any]]) -> None:
            nonlocal written
            for row in rows:
                if written < lines:
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
                    written += 1
        for n in range(people):
            put(person(rng, n))
        for n in range(orgs):
            put(organization(rng, n))
        put(ties(rng, people, orgs, lines))
    return json.loads(path.open(encoding="utf-8").readline())["properties"]["name"][0]


def measured(args: list[str], work: Path) -> tuple[float, float, float, str]:
    """(seconds, CPU seconds (user and system), peak MB, standard output) of `python -m generator ARGS` in a process of its own (the peak
    from wait4: this process stays small, so the copy that fork makes of it does not count)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out_path, err_path = work / "stdout.txt", work / "stderr.txt"
    with out_path.open("w") as out, err_path.open("w") as err:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "generator", *args], stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"briefing {' '.join(args)} failed:\n{err_path.read_text()}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out_path.read_text()


def empty_site(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "site.yaml").write_text("title: Import benchmark\n", encoding="utf-8")
    return folder


def case(work: Path, label: str, lines: int, only: bool, limit: float) -> bool:
    source = work / f"{label}.ftm.json"
    name = generate(source, lines)
    site = empty_site(work / f"site-{label}")
    args = ["import", str(source), str(site), *(("--only", name) if only else ())]
    seconds, cpu, peak, out = measured(args, work)
    checked = subprocess.run([sys.executable, "-m", "generator", "check", str(site), "--quiet"], check=False,
                             env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    ok = seconds <= limit and checked.returncode == 0
    print(f"{label}: {lines:,} lines ({source.stat().st_size / 1e6:.1f} MB){' --only ' + repr(name) if only else ''}: "
          f"{seconds:.2f} s (limit {limit:.0f} s; {cpu:.2f} s of CPU), peak {peak:.0f} MB; check {'passed' if checked.returncode == 0 else 'FAILED'}"
          f" -> {'ok' if ok else 'OVER'}")
    for line in out.splitlines():
        if not line.startswith("would write "):
            print(f"    {line}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (others' work slows the wall time, "
          "not the CPU time)")
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        results = [case(work, "all", 10_000, False, 10), case(work, "only", 100_000, True, 30)]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
