"""Repeat measure.run and print medians: `python bench.py N OUT.json`.

Each run is a fresh browser context (empty cache) on /<dir>/sub/articles/article-1234/, served by
harness/serve.py on 127.0.0.1:8765 (the pages' own <meta> CSP, no header). Configurations alternate
run by run, so machine noise hits them alike."""
import json
import statistics
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from measure import run  # noqa: E402

BASE = "http://127.0.0.1:8765"
CONFIGS = {"own": ("/www-own/sub/articles/article-1234/", "own"),
           "pagefind-tuned": ("/www-pft/sub/articles/article-1234/", "pagefind"),
           "pagefind-plain": ("/www-pf/sub/articles/article-1234/", "pagefind")}
CASES = [("pipeline", "Alias775", False), ("Alias775", "pipeline", False),
         ("Actor12 Name12", "treaty", False), ("treaty", None, True)]

n, out_path = int(sys.argv[1]), sys.argv[2]
if len(sys.argv) > 3 and sys.argv[3] == "zipf":  # python bench.py N OUT.json zipf [own]
    CONFIGS = {"own": ("/www-z/own-sub/sub/articles/article-1234/", "own"),
               "pagefind-tuned": ("/www-z/pft-sub/sub/articles/article-1234/", "pagefind")}
    CASES = [("estounmi", "gorsaderpo", False), ("dorquapomen", "Alias775", False),
             ("gorsaderpo", "estounmi", False), ("Alias775", "dorquapomen", False),
             ("Actor12 Name12", None, False), ("dorquapomen", None, True)]
if "own" in sys.argv[4:]:  # only our index (after a change to it)
    CONFIGS = {"own": CONFIGS["own"]}
raw = {}
for i in range(n):
    for q1, q2, typing in CASES:
        for name, (path, kind) in CONFIGS.items():
            r = run(BASE, path, kind, [q for q in (q1, q2) if q], typing)
            key = f"{name} | {q1}{' (typed)' if typing else ''}"
            raw.setdefault(key, []).append(r)
            print(key, {k: (v.get("first_ms"), v.get("bytes"), v.get("error")) for k, v in r.items() if k.startswith("q")},
                  flush=True)
summary = {}
for key, runs in raw.items():
    def med(q, f):
        vals = [r[q][f] for r in runs if q in r and f in r[q]]
        return statistics.median(vals) if vals else None
    summary[key] = {"page_load_bytes": med_pl if (med_pl := statistics.median(r["page_load"]["bytes"] for r in runs)) else 0,
                    "search_assets_on_page_load": runs[0]["page_load"]["search_assets"],
                    "first_query": {f: med("q0", f) for f in ("bytes", "requests", "first_ms", "all_ms", "shown")},
                    "second_query": {f: med("q1", f) for f in ("bytes", "requests", "first_ms", "all_ms")},
                    "top": runs[0].get("q0", {}).get("top"), "files": runs[0].get("q0", {}).get("files"),
                    "console": runs[0].get("console")}
json.dump({"summary": summary, "raw": raw}, open(out_path, "w"), ensure_ascii=False, indent=1)
for k, v in summary.items():
    print(k, json.dumps(v["first_query"]), json.dumps(v["second_query"]))
