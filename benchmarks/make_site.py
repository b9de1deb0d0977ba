"""Write a large synthetic briefing: `python benchmarks/make_site.py DIR [ARTICLES]` (default 5,000).

Deterministic (seeded): about one actor per 25 articles, one topic per 150, an event and a source
per 10 articles, and article bodies of a few paragraphs that mention actors and topics by name."""

from __future__ import annotations

import random
import sys
from pathlib import Path

WORDS = ("talks summit sanctions delegation ministry agreement envoy pipeline border council resolution "
         "statement exercise shipment launch visit briefing protocol observers treaty quota").split()


def make(root: Path, articles: int = 5000) -> Path:
    rng = random.Random(5000)
    actors = max(20, articles // 25)
    topics = max(5, articles // 150)
    (root / "content/articles").mkdir(parents=True, exist_ok=True)
    for folder in ("actors", "topics", "events", "sources"):
        (root / "content" / folder).mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text("title: Synthetic briefing\nmentions: first\n")
    kinds = ("person", "state", "organization", "media")
    names = [f"Actor{i} Name{i}" for i in range(actors)]
    for i, name in enumerate(names):
        rel = f"\nrelations: [{{to: actor-{(i * 7 + 3) % actors}, type: ally}}]" if i % 3 == 0 else ""
        (root / f"content/actors/actor-{i}.yaml").write_text(
            f"name: {name}\nkind: {kinds[i % 4]}\naliases: [Alias{i}]\nrole: Role {i}{rel}\n")
    for t in range(topics):
        parent = f"\nparent: topic-{t // 4}" if t >= 4 else ""
        (root / f"content/topics/topic-{t}.yaml").write_text(f"title: Theme{t} Question\nsummary: About {t}.{parent}\n")
    for s in range(articles // 10):
        (root / f"content/sources/source-{s}.yaml").write_text(f"title: Report {s}\npublisher: Desk {s % 7}\n")
    for e in range(articles // 10):
        (root / f"content/events/event-{e}.yaml").write_text(
            f"title: Event {e}\ndate: 20{10 + e % 14}-{1 + e % 12:02d}-{1 + e % 28:02d}\n"
            f"actors: [actor-{e % actors}]\ntopics: [topic-{e % topics}]\n")
    for a in range(articles):
        picks = rng.sample(range(actors), 4)
        paras = []
        for p in range(4):
            words = " ".join(rng.choice(WORDS) for _ in range(45))
            paras.append(f"{names[picks[p]]} said the {words}. Theme{rng.randrange(topics)} Question came up; "
                         f"Alias{picks[(p + 1) % 4]} agreed.")
        (root / f"content/articles/article-{a}.md").write_text(
            f"---\ntitle: Article {a}\ndate: 20{10 + a % 14}-{1 + a % 12:02d}-{1 + a % 28:02d}\n"
            f"actors: [actor-{picks[0]}]\ntopics: [topic-{a % topics}]\nsources: [source-{a % (articles // 10)}]\n---\n"
            + "\n\n".join(paras) + "\n")
    return root


if __name__ == "__main__":
    make(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 5000)
