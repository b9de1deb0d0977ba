"""Write a large synthetic briefing: `python benchmarks/make_site.py DIR [ARTICLES]` (default 5,000).

Deterministic (seeded), in the proportions of the performance issue's corpus: per 5,000 articles,
1,000 actors, 100 topics, 5,000 quotes, 2,500 events and 1,250 sources. Article bodies are a few
paragraphs that mention actors and topics by name and alias and link one actor with [[id]]; a third
of the articles have key points, one citing a source; half the events have a time of day, and one in
twenty has two accounts that disagree, each from a source of its own; one designation for every
five actors (a tenth of them lifted, a tenth reported by an event).
`ARTICLE_TEXT` lets the comparison benchmark write the same articles for other generators."""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from pathlib import Path

WORDS = ("talks", "summit", "sanctions", "delegation", "ministry", "agreement", "envoy", "pipeline", "border",
         "council", "resolution", "statement", "exercise", "shipment", "launch", "visit", "briefing", "protocol",
         "observers", "treaty", "quota")
KINDS = ("person", "state", "organization", "media")


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    date: str
    actors: tuple[str, ...]
    topics: tuple[str, ...]
    sources: tuple[str, ...]
    body: str
    """Markdown, as written for briefing (with one [[actor-id]] link)."""


def counts(articles: int) -> dict[str, int]:
    return {"articles": articles, "actors": max(20, articles // 5), "topics": max(5, articles // 50),
            "quotes": articles, "events": max(1, articles // 2), "sources": max(1, articles // 4)}


def _date(n: int) -> str:
    return f"20{10 + n % 14}-{1 + n % 12:02d}-{1 + n % 28:02d}"


def articles(n: int) -> list[Article]:
    """The articles of an n-article site, the same on every call."""
    rng = random.Random(5000)
    c = counts(n)
    found = []
    for a in range(n):
        picks = rng.sample(range(c["actors"]), 4)
        paras = []
        for p in range(4):
            words = " ".join(rng.choice(WORDS) for _ in range(45))
            paras.append(f"Actor{picks[p]} Name{picks[p]} said the {words}. Theme{rng.randrange(c['topics'])} "
                         f"Question came up; Alias{picks[(p + 1) % 4]} agreed.")
        paras.append(f"See [[actor-{picks[1]}]] for the background.")
        found.append(Article(f"article-{a}", f"Article {a}", _date(a), (f"actor-{picks[0]}",),
                             (f"topic-{a % c['topics']}",), (f"source-{a % c['sources']}",), "\n\n".join(paras)))
    return found


def make(root: Path, n: int = 5000) -> Path:
    c = counts(n)
    for folder in ("articles", "actors", "topics", "events", "sources", "quotes", "designations"):
        (root / "content" / folder).mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text("title: Synthetic briefing\nmentions: first\nbase_url: https://example.org/synthetic/\n")
    for i in range(c["actors"]):
        rel = f"\nrelations: [{{to: actor-{(i * 7 + 3) % c['actors']}, type: ally}}]" if i % 3 == 0 else ""
        (root / f"content/actors/actor-{i}.yaml").write_text(
            f"name: Actor{i} Name{i}\nkind: {KINDS[i % 4]}\naliases: [Alias{i}]\nrole: Role {i}{rel}\n")
    for t in range(c["topics"]):
        parent = f"\nparent: topic-{t // 4}" if t >= 4 else ""
        (root / f"content/topics/topic-{t}.yaml").write_text(f"title: Theme{t} Question\nsummary: About {t}.{parent}\n")
    for s in range(c["sources"]):
        (root / f"content/sources/source-{s}.yaml").write_text(f"title: Report {s}\npublisher: Desk {s % 7}\n")
    for e in range(c["events"]):  # half of them at a time of day, in one of three offsets; one in 20 with accounts
        when = f"{_date(e)}T{e * 7 % 24:02d}:{e * 13 % 60:02d}{('+03:00', 'Z', '-05:00')[e % 3]}" if e % 2 else _date(e)
        accounts = "".join(f"  - {{source: source-{(e + k) % c['sources']}, says: 'Talks lasted {4 + k} hours, says "
                           f"[[actor-{e % c['actors']}]].', credibility: {2 + k}}}\n" for k in (0, 1))
        (root / f"content/events/event-{e}.yaml").write_text(
            f"title: Event {e}\ndate: {when}\nactors: [actor-{e % c['actors']}]\ntopics: [topic-{e % c['topics']}]\n"
            f"sources: [source-{e % c['sources']}]\n" + (f"accounts:\n{accounts}" if e % 20 == 0 else ""))
    for q in range(c["quotes"]):
        (root / f"content/quotes/quote-{q}.yaml").write_text(
            f"speaker: actor-{q % c['actors']}\ntext: We stand by statement {q} on the {WORDS[q % len(WORDS)]}.\n"
            f"date: {_date(q)}\nabout: [topic-{q % c['topics']}]\narticle: article-{q % n}\n"
            f"sources: [source-{q % c['sources']}]\n")
    for d in range(c["actors"] // 5):  # listed by a state or an organisation (kinds 1 and 2 of every 4)
        actor, by = d * 5 % c["actors"], 4 * (d * 3 % (c["actors"] // 4)) + 1 + d % 2
        by = by if by != actor else (by + 4) % c["actors"]
        lifted = f"until: {int(_date(d)[:4]) + 2}{_date(d)[4:]}\n" if d % 10 == 3 else ""
        more = lifted + (f"event: event-{d}\n" if d % 10 == 7 else "")
        (root / f"content/designations/designation-{d}.yaml").write_text(
            f"actor: actor-{actor}\nby: actor-{by}\nprogram: PROG-{d % 7}\ndate: {_date(d)}\nreference: R.{d:05d}\n"
            f"reason: Listed for {WORDS[d % len(WORDS)]} {d}.\nsources: [source-{d % c['sources']}]\n{more}")
    for a, art in enumerate(articles(n)):  # a third with key points, the first citing the article's source
        points = (f"key_points:\n  - \"The {WORDS[a % len(WORDS)]} went ahead [[{art.sources[0]}]]\"\n"
                  f"  - Talks resume next month.\n") if a % 3 == 0 else ""
        (root / f"content/articles/{art.id}.md").write_text(
            f"---\ntitle: {art.title}\ndate: {art.date}\nactors: [{', '.join(art.actors)}]\n"
            f"topics: [{', '.join(art.topics)}]\nsources: [{', '.join(art.sources)}]\n{points}---\n{art.body}\n")
    return root


if __name__ == "__main__":
    make(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 5000)
