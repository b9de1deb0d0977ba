"""Work split among this process and forked helpers (processes.forked): every result once, in its
place, whoever computed it; a helper's failure comes back as itself; nothing is left running."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from generator.base.processes import ALONE, forked

MAIN = os.getpid()


def square(i: int) -> tuple[int, int]:
    time.sleep(0.002)  # long enough for the helpers to start and take their share
    return i * i, os.getpid()


def squares(count: int, jobs: int) -> tuple[list[int], set[int]]:
    found: list[int | None] = [None] * count
    who: set[int] = set()
    for part, results in forked(square, count, jobs, chunk=7):
        for i, (value, pid) in zip(part, results, strict=True):
            assert found[i] is None
            found[i] = value
            who.add(pid)
    assert None not in found
    return [v for v in found if v is not None], who


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_every_result_once_in_its_place_and_this_process_works_too(jobs: int) -> None:
    values, who = squares(ALONE * 2, jobs)
    assert values == [i * i for i in range(ALONE * 2)]
    assert MAIN in who
    assert len(who) == jobs  # this process and jobs - 1 helpers
    assert multiprocessing.active_children() == []


class Boom(Exception):
    pass


def test_a_failure_in_a_helper_comes_back_as_itself_with_where() -> None:
    def task(i: int) -> int:
        time.sleep(0.002)
        if os.getpid() != MAIN and i % 3 == 0:
            raise Boom(f"task {i}")
        return i

    with pytest.raises(Boom) as caught:
        for _ in forked(task, ALONE * 4, 2, chunk=5):
            pass
    assert any("in a worker process" in note for note in getattr(caught.value, "__notes__", []))
    assert multiprocessing.active_children() == []


def test_a_failure_in_this_process_stops_the_helpers() -> None:
    def task(i: int) -> int:
        time.sleep(0.002)
        if os.getpid() == MAIN:
            raise Boom("here")
        return i

    with pytest.raises(Boom):
        for _ in forked(task, ALONE * 4, 3, chunk=5):
            pass
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_work_of_its_own_runs_here_once_before_its_first_task(jobs: int) -> None:
    """`meanwhile` (the build cache's pickling) runs in this process, once, before this process takes
    any task, and after the helpers started (they do not inherit what it did, nor wait for it)."""
    done: list[int] = []

    def task(i: int) -> tuple[int, bool]:
        time.sleep(0.002)  # the helpers cannot finish everything while this process is busy
        return os.getpid(), bool(done)

    def meanwhile() -> None:
        time.sleep(0.2)
        done.append(os.getpid())

    seen: dict[int, set[bool]] = {}
    for _, results in forked(task, ALONE * 2, jobs, chunk=7, meanwhile=meanwhile):
        for pid, after in results:
            seen.setdefault(pid, set()).add(after)
    assert done == [MAIN]
    assert seen.pop(MAIN) == {True}  # every task here came after it
    assert len(seen) == jobs - 1 and all(s == {False} for s in seen.values())  # forked before it ran


GATHERED: set[int] = set()


def gathering(i: int) -> int:
    time.sleep(0.001)
    GATHERED.add(i)
    return os.getpid()


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_what_each_helper_gathered_comes_back_when_it_ends(jobs: int) -> None:
    """`ending` is what a helper sends back when it has no task left (here, every task it ran); this
    process's own tasks gather in this process: together, every task once."""
    GATHERED.clear()
    ends: list[set[int]] = []
    who = {pid for _, pids in forked(gathering, ALONE * 2, jobs, chunk=7, ending=lambda: GATHERED, ended=ends.append)
           for pid in pids}
    assert len(who) == jobs and len(ends) == jobs - 1
    parts = [*ends, GATHERED]
    assert sorted(i for part in parts for i in part) == list(range(ALONE * 2))
    assert multiprocessing.active_children() == []
