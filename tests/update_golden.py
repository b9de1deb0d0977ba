"""Regenerate tests/golden/full from tests/sites/full: `.venv/bin/python tests/update_golden.py`.

Review the diff (`git diff tests/golden`) before committing: it is the expected output."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from generator.build.builder import build

GOLDEN = HERE / "golden" / "full"


def main() -> None:
    if GOLDEN.exists():
        shutil.rmtree(GOLDEN)
    built = build(HERE / "sites" / "full", GOLDEN)
    (GOLDEN / ".briefing-output").unlink()
    print(f"wrote {built.written.files - 1} files into {GOLDEN.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
