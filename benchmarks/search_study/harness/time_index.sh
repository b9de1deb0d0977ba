#!/bin/bash
# Alternating rounds: briefing cold build, Pagefind (plain, tuned), own index. Whole processes timed
# from outside with /usr/bin/time (wall s, user+sys s, max RSS KB). Usage: time_index.sh ROUNDS
cd /tmp/search-study
T='%e %U %S %M'
for r in $(seq 1 ${1:-3}); do
  rm -rf s5k/build s5k/.briefing-cache
  /usr/bin/time -f "build $T" -a -o timing.txt /work/main/.venv/bin/briefing build s5k --quiet
  rm -rf www-pf/sub/pagefind
  /usr/bin/time -f "pagefind-plain $T" -a -o timing.txt venv/bin/python -m pagefind --site www-pf/sub --root-selector main --silent
  rm -rf www-pft/sub/pagefind
  /usr/bin/time -f "pagefind-tuned $T" -a -o timing.txt venv/bin/python -m pagefind --site www-pft/sub --silent
  PYTHONDONTWRITEBYTECODE=1 /usr/bin/time -f "own-total $T" -a -o timing.txt /work/main/.venv/bin/python own/make_index.py s5k www-own/sub >> timing-own.jsonl
done
