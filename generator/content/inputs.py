"""What a build reads, as stat() sees it: every input file's stamp, and when the stamps were taken.

Load keeps a file's stamp with what it read from it; the build cache (build/stamp.py, build/incremental.py)
compares stamps to know what changed. Light on purpose: the no-change check imports it."""

from __future__ import annotations

from typing import NamedTuple

RACY_NS = 100_000_000
"""A file changed this close before it was stamped might change again within the same tick of the file
system's clock, unseen by its stamp (git's "racy" files): it is read again, and no build stamp is kept."""

Stamps = dict[str, tuple[int, int, int]]
"""File -> (modification time in ns, size, inode)."""


class Inputs(NamedTuple):
    taken: int
    """When they were stamped (time.time_ns())."""
    stamps: Stamps
