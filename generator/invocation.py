"""How the user ran briefing, for the commands it prints (`briefing new`'s next steps, `serve`'s hints): a
command printed must run as printed from where the user stands, so a virtual environment that is not
activated gets the path that was typed (.venv/bin/briefing), and `python -m generator` itself."""

from __future__ import annotations

import os
import shlex
import shutil
import sys


def program(argv0: str | None = None, executable: str | None = None) -> str:
    """'briefing' when that is the command the shell finds; else the way this run was started."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    name = os.path.basename(argv0)
    if name in ("__main__.py", "-m", "-c", ""):  # python -m generator
        return f"{shlex.quote(executable or sys.executable)} -m generator"
    found = shutil.which("briefing")
    if found is not None and os.path.realpath(found) == os.path.realpath(argv0):
        return "briefing"
    return shlex.quote(argv0)
