"""A copy of the synthetic site whose article bodies have a realistic vocabulary: `python zipf_site.py SRC DST`.
Each article keeps its front matter, its actor mentions and [[link]], but its words are drawn from a
50,000-word pseudo-vocabulary with Zipf frequencies (s = 1.07), ~800 words an article (≈ 5.5 KB),
so the index has a real-sized dictionary and long-tailed postings."""
import bisect
import itertools
import random
import re
import shutil
import sys
from pathlib import Path

src, dst = Path(sys.argv[1]), Path(sys.argv[2])
if dst.exists():
    shutil.rmtree(dst)
shutil.copytree(src, dst, ignore=shutil.ignore_patterns("build", ".briefing-cache"))
rng = random.Random(7)
syl = ["ka", "ri", "to", "men", "sa", "lo", "vi", "der", "an", "tel", "po", "mi", "gor", "es", "un", "bra", "ni", "qua", "sel", "dor"]
vocab = set()
while len(vocab) < 50000:
    vocab.add("".join(rng.choice(syl) for _ in range(rng.choice((2, 2, 3, 3, 3, 4)))))
vocab = sorted(vocab)
rng.shuffle(vocab)
weights = [1 / (r + 1) ** 1.07 for r in range(len(vocab))]
cum = list(itertools.accumulate(weights))
total = cum[-1]


def words(n):
    return " ".join(vocab[bisect.bisect(cum, rng.random() * total)] for _ in range(n))


for f in sorted((dst / "content/articles").glob("*.md")):
    text = f.read_text()
    head, body = text.split("\n---\n", 1)
    paras = body.strip().split("\n\n")
    out = []
    for p in paras:
        m = re.match(r"(Actor\d+ Name\d+) said the", p)
        if m:
            out.append(f"{m.group(1)} said the {words(130)}. {p.rsplit('.', 1)[-1].strip() or ''} {words(60)}.")
        else:
            out.append(p)
    f.write_text(head + "\n---\n" + "\n\n".join(out) + "\n")
print("vocab", len(vocab), "top words", vocab[:5], "rank 1000", vocab[1000], "rank 20000", vocab[20000])
