"""Huge input stays bounded — a benchmark, not a test.

    .venv/bin/python benchmarks/huge_inputs.py                  # all three cases
    .venv/bin/python benchmarks/huge_inputs.py --only article   # one case (article, aliases, events, events-1file)
    .venv/bin/python benchmarks/huge_inputs.py --keep /tmp/huge # keep the generated sites there

Generates three realistic sites in a temporary folder, then runs `briefing check` and `briefing build`
on each as a subprocess (`python -m generator ...`), measuring the wall time and the peak resident
memory of that process, and prints them beside the limits the issue sets:

- article: one 5 MB article (prose in paragraphs under headings, naming the site's actors and
  topics, with [[id]] links to actors, events and sources) in an otherwise ordinary site:
  at most 30 s and 1 GB;
- aliases: an actor with 10,000 distinct aliases, and articles that mention some of them: at most 30 s;
- events: 50,000 events spread over 35 years, each naming actors and a topic, one YAML file a month:
  at most 60 s and 2 GB;
- events-1file: the same events in one YAML file (12 MB), with the same limits.

A run passes when it exits 0 within the limits, or refuses the input clearly (exit 1, one-line
problems, no traceback) within the limits. The generated sites are deterministic (seeded)."""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = ".huge-inputs-site"
MB = 1024 * 1024
GB = 1024 * MB

# ---- vocabulary -------------------------------------------------------------------------------

def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(sep))


FIRST = _words("Anna Boris Chen Dmitri Elena Farid Grace Hiroshi Ines Jae Kofi Lena Mikhail Nadia Omar Priya "
               "Ravi Sofia Tomas Yuki Amara Bilal Carmen Dae Emeka Fatima Gustav Hana Ivan Jana Kenji Leila "
               "Marta Nikolai Olga Pavel Rania Sergei Tae Ulla Viktor Wen Xavier Yasmin Zoran")
LAST = _words("Petrov Kim Park Tanaka Haddad Mensah Okafor Novak Silva Rossi Ivanova Lindqvist Moreau Sato "
              "Yilmaz Chowdhury Nakamura Kowalski Fischer Costa Abe Choi Lee Volkov Sokolov Mendes Aziz "
              "Brandt Castillo Dubois Egorov Fujita Garcia Horvat Ito Jovanovic Karimi Lopes Meyer Nagy")
STATES = _words("Aldoria Belmark Corvania Dravenia Estmere Falkland-Vale Galdor Harrowmark Istrava Jorvik "
                "Kestrel Lunaria Marovia Norland Ostravia")
ORGS = _words("Council of Northern States|Maritime Security Forum|Institute for Strategic Studies|"
              "Arms Control Monitoring Group|Committee on Export Controls|Regional Development Bank|"
              "Panel of Observers|Centre for Eastern Affairs|Energy Transit Authority|Alliance Defence Staff", "|")
ROLES = ("Foreign Minister", "Defence Minister", "Envoy", "Analyst", "General")
MEETS = ("meets", "visits", "calls", "briefs", "rebukes")
MEDIA = _words("Northern Wire|Harbour Daily|State News Agency|Evening Courier|Border Radio", "|")
TOPICS = [("sanctions-regime", "Sanctions regime", ["sanctions"]),
          ("arms-transfers", "Arms transfers", ["arms deliveries", "munitions trade"]),
          ("satellite-programme", "Satellite programme", ["space programme"]),
          ("energy-transit", "Energy transit", ["gas transit", "pipeline deal"]),
          ("maritime-security", "Maritime security", ["naval patrols"]),
          ("export-controls", "Export controls", ["dual-use controls"]),
          ("border-dispute", "Border dispute", ["the disputed border"]),
          ("nuclear-programme", "Nuclear programme", ["enrichment"]),
          ("cyber-operations", "Cyber operations", ["hacking campaigns"]),
          ("food-security", "Food security", ["grain shipments"]),
          ("refugee-flows", "Refugee flows", ["displacement"]),
          ("election-interference", "Election interference", ["disinformation"])]
PLACES = _words("the capital|the border crossing at Kessel|a naval base in the north|the summit venue|"
                "the foreign ministry|a closed session of the council|the port of Varna Nova|the cosmodrome", "|")
VERBS = _words("said|told reporters|insisted|warned|suggested|conceded|argued|confirmed|denied|announced", "|")
ADJ = _words("productive|frank|tense|constructive|historic|difficult|cordial|inconclusive|open|brief", "|")
FILLER = _words("talks delegation ministry agreement envoy pipeline council resolution statement exercise shipment "
                "launch visit briefing protocol observers treaty quota inspection deadline tariff corridor "
                "communique ceasefire consultation framework guarantee")
CODE_ADJ = _words("Hidden Silent Golden Crimson Velvet Iron Hollow Frozen Amber Shadow Copper Lunar Scarlet Ashen "
                  "Bitter Broken Cobalt Dusky Ember Feral Gilded Glass Granite Grey Howling Indigo Ivory Jade "
                  "Lone Marble Midnight Molten Northern Obsidian Onyx Pale Phantom Quiet Rapid Restless Rusted "
                  "Sable Salt Sapphire Savage Silver Sly Smoky Solar Sombre Static Stone Storm Sullen Swift "
                  "Tidal Twilight Umber Vapor Vermilion Violet Wandering Wicked Wild Winter Wired Woven Zero "
                  "Ancient Arctic Blind Brass Bright Burning Calm Cinder Clever Cold Coral Dark Deep Desert "
                  "Distant Double Dry Eastern Electric Emerald Fading Final First Flint Foggy Free Ghost")
CODE_NOUN = _words("Cobra Chollima Falcon Lantern Harbor Raven Tiger Comet Glacier Orchid Viper Heron Jackal "
                   "Kestrel Lynx Mantis Nomad Osprey Panther Quill Reef Sparrow Thistle Urchin Vortex Walrus "
                   "Yak Zephyr Anchor Beacon Cipher Dagger Echo Fable Gargoyle Harpoon Icicle Javelin Kraken "
                   "Locust Magnet Needle Oracle Pebble Quartz Rampart Sickle Trident Usher Vessel Warden Yarrow "
                   "Adder Badger Bison Bramble Cactus Canyon Cedar Condor Coyote Crane Cricket Dingo Dragon "
                   "Eagle Ember Fern Ferret Finch Fox Gecko Goose Hawk Hornet Ibis Iguana Kite Lark Lotus Marten "
                   "Mole Moth Newt Otter Owl Pike Puma Quail Rook Sable Salmon Scorpion Shark Shrike Stag")


def _wrap(text: str, rng: random.Random) -> str:
    """Half the paragraphs hard-wrapped at ~78 characters, as many editors write them."""
    return textwrap.fill(text, 78, break_on_hyphens=False) if rng.random() < 0.5 else text


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (safe for text with ': ', '[[' or quotes in it)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _filler(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(FILLER) for _ in range(n))


@dataclass
class Cast:
    """The ordinary part of every generated site: actors, topics, sources, events."""

    actors: list[tuple[str, str, list[str]]]
    """(id, name, aliases)."""
    people: list[str]
    topics: list[tuple[str, str, list[str]]]
    sources: list[str]
    events: list[tuple[str, str]]
    """(id, title)."""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def write_cast(root: Path, rng: random.Random, people: int = 40, sources: int = 60, events: int = 120) -> Cast:
    """site.yaml and a plausible cast: people, states, organisations, media, topics, sources, events."""
    for folder in ("articles", "actors/people", "actors/states", "actors/organizations", "actors/media",
                   "topics", "sources", "events"):
        (root / "content" / folder).mkdir(parents=True, exist_ok=True)
    (root / MARKER).write_text("made by benchmarks/huge_inputs.py\n")
    (root / "site.yaml").write_text(
        "title: Regional security briefing\n"
        "description: >-\n  A synthetic briefing on a fictional region, generated to test the limits\n"
        "  of the generator.\n"
        "language: en\nauthor: Benchmark desk\nbase_url: https://briefing.example.org/\nmentions: first\n")
    actors: list[tuple[str, str, list[str]]] = []
    person_ids: list[str] = []
    used: set[str] = set()
    while len(person_ids) < people:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        if f"{first} {last}" in used:
            continue
        aliases = [] if last in used else [last]  # a surname is an alias only while it is unambiguous
        used |= {f"{first} {last}", last}
        pid = _slug(f"{first} {last}")
        person_ids.append(pid)
        actors.append((pid, f"{first} {last}", aliases))
    state_ids = [_slug(s) for s in STATES]
    actors += [(_slug(s), s, []) for s in STATES]
    actors += [(_slug(o), o, []) for o in ORGS]
    actors += [(_slug(m), m, []) for m in MEDIA]
    for i, pid in enumerate(person_ids):
        name = actors[i][1]
        state = state_ids[i % len(state_ids)]
        rel = person_ids[(i * 7 + 3) % len(person_ids)]
        (root / f"content/actors/people/{pid}.yaml").write_text(
            f"name: {name}\nkind: person\naliases: [{', '.join(actors[i][2])}]\n"
            f"role: {rng.choice(ROLES)} of {STATES[i % len(STATES)]}\n"
            f"affiliations: [{state}]\n"
            f"summary: |\n  {name} has taken part in talks on {rng.choice(TOPICS)[1].lower()} since "
            f"{2000 + i % 20}.\n"
            f"relations:\n  - to: {rel}\n    type: counterpart\n    note: Met at several summits.\n"
            f"    since: {2005 + i % 15}\n"
            f"links:\n  wikipedia: https://en.wikipedia.org/wiki/{name.replace(' ', '_')}\n")
    for s in STATES:
        (root / f"content/actors/states/{_slug(s)}.yaml").write_text(
            f"name: {s}\nkind: state\nsummary: A state of the region.\n")
    for o in ORGS:
        (root / f"content/actors/organizations/{_slug(o)}.yaml").write_text(
            f"name: {o}\nkind: organization\nsummary: A regional body.\n")
    for m in MEDIA:
        (root / f"content/actors/media/{_slug(m)}.yaml").write_text(f"name: {m}\nkind: media\n")
    for tid, title, aliases in TOPICS:
        (root / f"content/topics/{tid}.yaml").write_text(
            f"title: {title}\naliases: [{', '.join(aliases)}]\nsummary: Background on {title.lower()}.\n"
            f"actors: [{rng.choice(state_ids)}, {rng.choice(person_ids)}]\n")
    source_ids = [f"report-{i:04d}" for i in range(sources)]
    with open(root / "content/sources/reports.yaml", "w") as f:
        for i, sid in enumerate(source_ids):
            f.write(f"- id: {sid}\n  title: {rng.choice(MEDIA)} report {i}\n  publisher: {_slug(rng.choice(MEDIA))}\n"
                    f"  url: https://news.example.org/{sid}\n"
                    f"  date: {2000 + i % 24}-{1 + i % 12:02d}-{1 + i % 28:02d}\n\n")
    event_list: list[tuple[str, str]] = []
    with open(root / "content/events/events.yaml", "w") as f:
        for i in range(events):
            a, b = rng.sample(person_ids, 2)
            tid, ttitle, _ = rng.choice(TOPICS)
            title = f"Talks on {ttitle.lower()} in {rng.choice(STATES)}"
            eid = f"event-{i:04d}"
            event_list.append((eid, title))
            f.write(f"- id: {eid}\n  date: {2000 + i % 24}-{1 + i % 12:02d}-{1 + i % 28:02d}\n  title: {title}\n"
                    f"  actors: [{a}, {b}]\n  topics: [{tid}]\n  sources: [{rng.choice(source_ids)}]\n\n")
    return Cast(actors, person_ids, list(TOPICS), source_ids, event_list)


def _sentence(rng: random.Random, cast: Cast) -> str:
    """One sentence of briefing prose naming actors (by name, alias or [[id]]) and topics."""
    a = rng.choice(cast.actors)
    b = rng.choice(cast.actors)
    topic = rng.choice(cast.topics)
    name_a = rng.choice([a[1], *a[2]]) if a[2] and rng.random() < 0.4 else a[1]
    t_words = rng.choice([topic[1], *topic[2]])
    pick = rng.randrange(10)
    if pick == 0:
        return f"{name_a} met {b[1]} at {rng.choice(PLACES)}, according to [[{rng.choice(cast.sources)}]]."
    if pick == 1:
        return f"Officials close to {name_a} said the {_filler(rng, 3)} on {t_words} had stalled."
    if pick == 2:
        ev = rng.choice(cast.events)
        return (f"The meeting followed [[{ev[0]}|the {ev[1][0].lower()}{ev[1][1:]}]], "
                f"which {b[1]} had called {rng.choice(ADJ)}.")
    if pick == 3:
        return f"[[{a[0]}]] {rng.choice(VERBS)} that {t_words} would be discussed again before the {_filler(rng, 2)}."
    if pick == 4:
        return f"In a statement, {rng.choice(MEDIA)} described the {_filler(rng, 2)} as “{rng.choice(ADJ)}”."
    if pick == 5:
        return (f"Analysts at the {rng.choice(ORGS)} noted that {t_words} remained the main obstacle, "
                f"and that {name_a} had little room to move on the `{_filler(rng, 1)}` clause.")
    if pick == 6:
        return f"{name_a} {rng.choice(VERBS)} that {b[1]} had been {rng.choice(ADJ)} about the {_filler(rng, 4)}."
    if pick == 7:
        return (f"See the [full text](https://docs.example.org/{rng.randrange(10**6)}) of the {_filler(rng, 2)} "
                f"and [[{topic[0]}|background on {topic[1].lower()}]].")
    if pick == 8:
        return f"Neither side commented on the {_filler(rng, 5)}, and {rng.choice(STATES)} stayed silent."
    return f"Asked about {t_words}, [[{b[0]}|{(b[2] or [b[1]])[0]}]] {rng.choice(VERBS)} it was {rng.choice(ADJ)}."


def _paragraph(rng: random.Random, cast: Cast) -> str:
    return _wrap(" ".join(_sentence(rng, cast) for _ in range(rng.randint(3, 7))), rng)


def _block(rng: random.Random, cast: Cast) -> str:
    """Mostly paragraphs; now and then a list, a quotation, or a table."""
    r = rng.random()
    if r < 0.04:
        return "\n".join(f"- {_sentence(rng, cast)}" for _ in range(rng.randint(3, 6)))
    if r < 0.06:
        return "> " + _sentence(rng, cast)
    if r < 0.07:
        rows = "\n".join(f"| {rng.choice(cast.actors)[1]} | {rng.randint(1, 900)} | {rng.choice(ADJ)} |"
                         for _ in range(rng.randint(3, 8)))
        return f"| Actor | Count | Tone |\n|---|---:|---|\n{rows}"
    return _paragraph(rng, cast)


def _front(aid: str, title: str, date: str, rng: random.Random, cast: Cast, n_actors: int = 5) -> str:
    actors = rng.sample(cast.people, n_actors)
    return (f"---\ntitle: {_quoted(title)}\ndate: {date}\n"
            f"summary: >-\n  {title}: what was said, who took part, and what comes next.\n"
            f"key_points:\n  - {_quoted(_sentence(rng, cast))}\n  - {_quoted(_sentence(rng, cast))}\n"
            f"actors: [{', '.join(actors)}]\ntopics: [{rng.choice(cast.topics)[0]}]\n"
            f"sources: [{', '.join(rng.sample(cast.sources, 3))}]\nauthor: Benchmark desk\n---\n")


def _ordinary_articles(root: Path, rng: random.Random, cast: Cast, n: int) -> None:
    for i in range(n):
        body = "\n\n".join(_block(rng, cast) for _ in range(rng.randint(6, 14)))
        (root / f"content/articles/briefing-{i:03d}.md").write_text(
            _front(f"briefing-{i:03d}", f"Briefing {i}: {rng.choice(cast.topics)[1]}",
                   f"{2015 + i % 9}-{1 + i % 12:02d}-{1 + i % 28:02d}", rng, cast) + body + "\n")


# ---- the three sites --------------------------------------------------------------------------

def make_article(root: Path, size: int = 5 * MB) -> str:
    """A site whose one long article is `size` bytes of prose."""
    rng = random.Random(1)
    cast = write_cast(root, rng)
    _ordinary_articles(root, rng, cast, 5)
    parts = [_front("long-read", "The long read: twenty years of regional diplomacy", "2024-03-01", rng, cast, 12)]
    total = len(parts[0].encode())
    section = 0
    while total < size:
        section += 1
        head = f"## {section}. {rng.choice(cast.topics)[1]} and {rng.choice(cast.actors)[1]}\n\n"
        blocks = [head]
        for sub in range(rng.randint(2, 4)):
            blocks.append(f"### {section}.{sub + 1} {rng.choice(cast.actors)[1]} {rng.choice(VERBS)}\n\n")
            blocks += [_block(rng, cast) + "\n\n" for _ in range(rng.randint(4, 10))]
        piece = "".join(blocks)
        parts.append(piece)
        total += len(piece.encode())
    (root / "content/articles/long-read.md").write_text("".join(parts))
    return f"long-read.md: {total / MB:.1f} MB, {section} sections"


def make_aliases(root: Path, aliases: int = 10_000) -> str:
    """A site with one actor known by `aliases` distinct names, and articles that mention some of them."""
    rng = random.Random(2)
    cast = write_cast(root, rng)
    names: list[str] = []
    seen: set[str] = set()
    combos = [f"{a} {n}" for a in CODE_ADJ for n in CODE_NOUN]
    rng.shuffle(combos)
    codes = [f"TA-{n}" for n in rng.sample(range(1000, 9999), 1500)]
    ops = [f"Operation {a}{n.lower()}" for a, n in zip(rng.sample(CODE_ADJ, len(CODE_ADJ)),
                                                        rng.sample(CODE_NOUN, len(CODE_NOUN)))]
    for name in [*ops, *codes, *combos]:
        if name not in seen and len(names) < aliases:
            seen.add(name)
            names.append(name)
    assert len(names) == aliases, len(names)
    (root / "content/actors/organizations/shadow-collective.yaml").write_text(
        "name: Shadow Collective\nkind: organization\n"
        "role: State-backed hacking group\n"
        f"affiliations: [{_slug(STATES[0])}]\n"
        "summary: |\n  A hacking group that security firms track under thousands of names.\n"
        "aliases:\n" + "".join(f"  - {n}\n" for n in names))
    cast.actors.append(("shadow-collective", "Shadow Collective", names))
    for i in range(30):
        mentioned = rng.sample(names, 400 if i == 0 else 30)
        paras = []
        for j in range(0, len(mentioned), 3):
            trio = mentioned[j:j + 3]
            paras.append(_wrap(f"Researchers attributed the {_filler(rng, 3)} to {', '.join(trio)}, names "
                               f"for the Shadow Collective. {_sentence(rng, cast)} {_sentence(rng, cast)}", rng))
            if j % 30 == 0:
                paras.append(f"## {rng.choice(names)} and {rng.choice(cast.topics)[1].lower()}")
        (root / f"content/articles/attribution-{i:02d}.md").write_text(
            _front(f"attribution-{i:02d}", f"Attribution report {i}", f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}",
                   rng, cast) + "\n\n".join(paras) + "\n")
    return f"1 actor with {len(names):,} aliases; 30 articles with {400 + 29 * 30:,} alias mentions"


def make_events(root: Path, events: int = 50_000, one_file: bool = False) -> str:
    """A site with `events` events over 35 years, each naming actors and a topic, in one YAML list per
    month (content/events/<year>/<month>.yaml), or with `one_file` in a single list."""
    rng = random.Random(3)
    cast = write_cast(root, rng, people=150, sources=500)
    _ordinary_articles(root, rng, cast, 40)
    articles = [f"briefing-{i:03d}" for i in range(40)]
    people = cast.people
    names = {aid: name for aid, name, _ in cast.actors}
    states = [_slug(s) for s in STATES]
    months = [(y, m) for y in range(1990, 2025) for m in range(1, 13)]
    events -= len(cast.events)  # the cast's own events count too
    per_month = events // len(months)
    extra = events - per_month * len(months)
    n = 0
    every: list[str] = []
    for k, (year, month) in enumerate(months):
        lines: list[str] = []
        for _ in range(per_month + (1 if k < extra else 0)):
            n += 1
            tid, ttitle, _ = rng.choice(cast.topics)
            who = rng.sample(people, rng.randint(1, 3)) + ([rng.choice(states)] if rng.random() < 0.5 else [])
            r = rng.random()
            day = rng.randint(1, 28)
            date = f"{year}-{month:02d}-{day:02d}" if r < 0.85 else f"{year}-{month:02d}" if r < 0.97 else f"{year}"
            title = f"{names[who[0]]} {rng.choice(MEETS)} counterparts on {ttitle.lower()}"
            lines.append(f"- id: ev-{year}-{month:02d}-{n:05d}\n  date: {date}\n  title: {title}\n"
                         f"  actors: [{', '.join(who)}]\n  topics: [{tid}]\n")
            if r < 0.85 and rng.random() < 0.1:
                lines.append(f"  end: {year}-{month:02d}-{min(28, day + rng.randint(1, 5)):02d}\n")
            if rng.random() < 0.6:
                subject = rng.choice([f"[[{who[0]}]]", "The delegation"])
                summary = f"{subject} discussed the {_filler(rng, 4)} in {rng.choice(STATES)}."
                lines.append(f"  summary: {_quoted(summary)}\n")
            if rng.random() < 0.3:
                lines.append(f"  location: {rng.choice(STATES)}\n")
            if rng.random() < 0.4:
                lines.append(f"  sources: [{rng.choice(cast.sources)}]\n")
            if rng.random() < 0.02:
                lines.append(f"  article: {rng.choice(articles)}\n")
            lines.append("\n")
        if one_file:
            every += lines
        else:
            (root / f"content/events/{year}").mkdir(exist_ok=True)
            (root / f"content/events/{year}/{month:02d}.yaml").write_text("".join(lines))
    if one_file:
        (root / "content/events/all.yaml").write_text("".join(every))
    files = "2 files" if one_file else f"{len(months) + 1} files"
    return f"{n + len(cast.events):,} events in {files}, {len(people)} people, {len(cast.topics)} topics"


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path], str]
    seconds: float
    memory: int | None
    """Peak RSS limit in bytes; None: the issue sets none."""


CASES = (Case("article", make_article, 30, 1 * GB),
         Case("aliases", make_aliases, 30, None),
         Case("events", make_events, 60, 2 * GB),
         Case("events-1file", lambda root: make_events(root, one_file=True), 60, 2 * GB))
"""events-1file: the same 50,000 events written as one 12 MB YAML list, as a user exporting them might."""


# ---- measuring --------------------------------------------------------------------------------

@dataclass
class Run:
    case: str
    command: str
    seconds: float
    cpu: float | None
    """User + system CPU seconds: unlike wall time, not inflated by other work on the machine."""
    rss: int | None
    code: int | None
    """None: killed at the timeout."""
    verdict: str
    note: str


TIME = shutil.which("time", path="/usr/bin") or None


def measure(case: Case, command: str, site: Path, work: Path, timeout: float, cap: int, source: Path = ROOT) -> Run:
    """Runs `python -m generator COMMAND SITE`, with its wall time and peak RSS."""
    argv = [sys.executable, "-m", "generator", command, str(site)]
    stats = work / f"{case.name}-{command}.time"
    out_path, err_path = work / f"{case.name}-{command}.out", work / f"{case.name}-{command}.err"
    if TIME:
        argv = [TIME, "-v", "-o", str(stats), *argv]

    def limit() -> None:  # a safety net for the shared machine, far above every limit
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=source, stdout=out, stderr=err, start_new_session=True,
                                preexec_fn=limit)  # noqa: PLW1509 (the benchmark starts no threads)
        code: int | None
        if TIME:
            try:
                code = proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                code = None
            usage_rss, cpu = None, None
        else:  # os.wait4 gives this one child's own rusage
            deadline = start + timeout
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    code = os.waitstatus_to_exitcode(status)
                    proc.returncode = code
                    usage_rss = usage.ru_maxrss * 1024
                    cpu = usage.ru_utime + usage.ru_stime
                    break
                if time.perf_counter() > deadline:
                    os.killpg(proc.pid, signal.SIGKILL)
                    _, _, usage = os.wait4(proc.pid, 0)
                    code, usage_rss, cpu = None, None, None
                    proc.returncode = -9
                    break
                time.sleep(0.05)
        seconds = time.perf_counter() - start
    rss = usage_rss
    if TIME and code is not None and stats.exists():
        text = stats.read_text()
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
        rss = int(m[1]) * 1024 if m else None
        user = re.search(r"User time \(seconds\): ([\d.]+)", text)
        system = re.search(r"System time \(seconds\): ([\d.]+)", text)
        cpu = float(user[1]) + float(system[1]) if user and system else None
        m = re.search(r"Exit status: (\d+)", text)
        if m:
            code = int(m[1])
        elif "Command terminated by signal" in text:
            code = -int(re.search(r"signal (\d+)", text)[1])  # type: ignore[index]
    err_text = err_path.read_text(errors="replace")
    problems = [line for line in err_text.splitlines() if re.search(r": (error|warning): ", line)]
    errors = [line for line in problems if ": error: " in line]
    over = []
    if seconds > case.seconds:
        over.append(f"time {seconds:.1f} s > {case.seconds:.0f} s")
    if case.memory is not None and rss is not None and rss > case.memory:
        over.append(f"RSS {rss / MB:.0f} MB > {case.memory / MB:.0f} MB")
    if code is None:
        verdict, note = "FAIL", f"killed after {timeout:.0f} s"
    elif "Traceback" in err_text or code not in (0, 1):
        tail = [line for line in err_text.splitlines() if line.strip()][-1:] or [f"exit {code}"]
        verdict, note = "FAIL", f"crashed: {tail[0][:120]}"
    elif code == 1:
        verdict = "FAIL" if over else "REFUSED"
        note = f"{len(errors)} error(s): {errors[0][:120] if errors else err_text.strip()[:120]}"
    else:
        verdict = "FAIL" if over else "PASS"
        note = f"{len(problems) - len(errors)} warning(s)" if problems else ""
        if command == "build" and not (site / "build" / "index.html").exists():
            verdict, note = "FAIL", "exit 0 but no build/index.html"
    if over:
        note = "; ".join(over) + (f"; {note}" if note else "")
    return Run(case.name, command, seconds, cpu, rss, code, verdict, note)


def table(runs: list[Run], cases: dict[str, Case]) -> str:
    head = ("case", "command", "limit", "wall time", "CPU time", "peak RSS", "exit", "result", "note")
    rows = [head]
    for r in runs:
        c = cases[r.case]
        lim = f"{c.seconds:.0f} s" + (f", {c.memory / GB:.0f} GB" if c.memory else "")
        rows.append((r.case, r.command, lim, f"{r.seconds:.1f} s", f"{r.cpu:.1f} s" if r.cpu is not None else "?",
                     f"{r.rss / MB:,.0f} MB" if r.rss else "?",
                     "killed" if r.code is None else str(r.code), r.verdict, r.note))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head) - 1)]
    lines = []
    for k, row in enumerate(rows):
        lines.append("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths)) + f" | {row[-1]}")
        if k == 0:
            lines.append("|-" + "-|-".join("-" * w for w in widths) + "-|---")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=[c.name for c in CASES], metavar="NAME",
                        help="run only this case (article, aliases, events, events-1file); may be repeated")
    parser.add_argument("--keep", metavar="DIR", help="generate the sites in DIR/<case>/ and keep them")
    parser.add_argument("--timeout-factor", type=float, default=4.0,
                        help="kill a run after this many times its time limit (default 4)")
    parser.add_argument("--source", metavar="DIR", default=str(ROOT),
                        help="run the `generator` package in DIR (default: this checkout), e.g. a patched copy")
    parser.add_argument("--memory-cap", type=float, default=6.0,
                        help="address-space cap per run in GB, a safety net for the machine (default 6)")
    opts = parser.parse_args()
    cases = [c for c in CASES if not opts.only or c.name in opts.only]
    keep = Path(opts.keep).resolve() if opts.keep else None
    runs: list[Run] = []
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other work on the machine "
          "inflates wall times; CPU times are shown too)", flush=True)
    with tempfile.TemporaryDirectory(prefix="huge-inputs-") as tmp:
        base = keep or Path(tmp)
        work = Path(tmp)
        for case in cases:
            site = base / case.name
            if site.exists():
                if not (site / MARKER).exists():
                    print(f"huge_inputs: {site} exists and was not made by this script; refusing to replace it",
                          file=sys.stderr)
                    return 2
                shutil.rmtree(site)
            site.mkdir(parents=True)
            start = time.perf_counter()
            what = case.make(site)
            print(f"{case.name}: generated {what} in {time.perf_counter() - start:.1f} s at {site}", flush=True)
            for command in ("check", "build"):
                run = measure(case, command, site, work, case.seconds * opts.timeout_factor,
                              int(opts.memory_cap * GB), Path(opts.source).resolve())
                runs.append(run)
                print(f"  {command}: {run.seconds:.1f} s (CPU {run.cpu or 0:.1f} s), "
                      f"{(run.rss or 0) / MB:,.0f} MB, exit {run.code}: {run.verdict} {run.note}", flush=True)
                if run.verdict == "FAIL":
                    err = (work / f"{case.name}-{command}.err").read_text(errors="replace").strip().splitlines()
                    for line in err[-8:]:
                        print(f"    | {line[:200]}", flush=True)
    print(f"\nload average after: {os.getloadavg()[0]:.1f}\n")
    print(table(runs, {c.name: c for c in CASES}))
    return 0 if all(r.verdict in ("PASS", "REFUSED") for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
