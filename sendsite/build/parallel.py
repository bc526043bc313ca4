"""Pure per-document work on several processor cores: reading, rendering, search records.

Reading a document, rendering a page and making a report's search records are
pure functions of values the build already holds (the plugin contract), so a
full build runs them on every core: in worker processes, one fewer than the
cores, and in this process, which takes its share from the other end of the
jobs (``_Meeting``). Workers are forked: they inherit the function and its
inputs (the site, the plugin manager) instead of receiving them pickled; only
results come back. Errors come back as ``Problem`` values (exceptions do not
survive pickling with their file and line). Where forking is not available, or
there is little work, everything runs in this process, with the same results in
the same order.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

try:
    import fcntl
except ImportError:  # not on Unix: no forking either
    fcntl = None  # type: ignore[assignment]

from sendsite.build.cache import file_date
from sendsite.build.heap import worker_started, young_collected
from sendsite.build.reading import read_document, scan_source
from sendsite.content.documents import Area
from sendsite.content.model import Format
from sendsite.errors import Problem, SendsiteError
from sendsite.plugins.manager import PluginManager

__all__ = [
    "MIN_PARALLEL", "RECYCLE_JOBS", "cores", "in_workers", "map_batched", "map_forked", "portable",
    "read_many",
]  # fmt: skip

#: Below this many jobs, starting workers costs more than it saves.
MIN_PARALLEL = 200
#: From this many jobs (a big site's), each worker ends after one chunk (see ``map_forked``).
RECYCLE_JOBS = 4000

J = TypeVar("J")
R = TypeVar("R")
T = TypeVar("T")
#: A result that carries its problems second (a page's: bytes, problems, loose links).
Reported = TypeVar("Reported", bound=tuple[Any, ...])
Outcome = tuple[str, Any, list[Problem], tuple[dict[str, int], bool, str] | None]
#: The work of the current ``map_forked`` call, inherited by its forked workers.
_Task = tuple[Callable[[Any], Any], Sequence[Any], Callable[[Any], Any] | None, "_Meeting"]
_TASK: _Task | None = None


def cores() -> int:
    """How many processor cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def in_workers(jobs: int, parallel: bool = True) -> bool:
    """Whether ``map_forked`` gives this many jobs to forked workers (else it does them
    in this process: little work, one core, or no forking)."""
    return (
        parallel
        and jobs >= MIN_PARALLEL
        and cores() >= 2
        and "fork" in multiprocessing.get_all_start_methods()
    )


def _run(numbers: range) -> list[Any]:
    """A worker's chunk of jobs: their results, or ``_TAKEN`` for those this process took."""
    assert _TASK is not None
    meeting = _TASK[3]
    return [_do(index) if meeting.worker_takes(index) else _TAKEN for index in numbers]


def _do(index: int) -> Any:
    """Job ``index`` of the current run, its result ready for the trip back (``portable``)."""
    assert _TASK is not None
    work, jobs, portable, _ = _TASK
    result = work(jobs[index])
    return portable(result) if portable is not None else result


class _Taken:
    """What a worker sends back for a job this process took from the back of the line."""

    def __reduce__(self) -> str:
        return "_TAKEN"  # one and the same object on both sides


_TAKEN = _Taken()


class _Meeting:
    """The jobs of one run shared between its forked workers, which take them from the
    front (in chunks, in order), and this process, which takes them one by one from the
    back once its own work is done, until the two meet: every job is done once, by
    whoever reaches it first, and no core waits while there is work left."""

    def __init__(self, jobs: int, context: Any) -> None:
        self.lock = context.Lock()
        #: Past the last job a worker started, and the first job this process took.
        self.bounds = context.RawArray("q", [0, jobs])

    def worker_takes(self, index: int) -> bool:
        """Whether a worker is to do job ``index`` (not if this process took it)."""
        with self.lock:
            if index >= self.bounds[1]:
                return False
            self.bounds[0] = max(self.bounds[0], index + 1)
            return True

    def take_last(self) -> int | None:
        """The last job no one has taken, for this process; None once the two have met."""
        with self.lock:
            last = self.bounds[1] - 1
            if last < self.bounds[0]:
                return None
            self.bounds[1] = last
            return int(last)


def map_forked(
    work: Callable[[J], R],
    jobs: Sequence[J],
    *,
    parallel: bool = True,
    done: Callable[[int], object] | None = None,
    portable: Callable[[R], R] | None = None,
    here: Callable[[J], bool] | None = None,
    recycle: bool = True,
) -> list[R]:
    """``work(job)`` for each job, on every core when it pays; results in job order.

    ``work`` and ``jobs`` reach the workers by forking (never pickled); results
    must pickle. ``portable`` readies a result for the trip back from a worker (drops
    tracebacks): it is applied to each job shared with the workers, whoever does it, so
    a result does not depend on who did; not to any without workers.
    ``done(1)`` is called as each job is done (for a progress bar). Jobs for which
    ``here(job)`` is true run in this process, first, while the workers start on the
    others: those that read much of what the workers would otherwise copy (see below).
    Then this process joins the workers (see ``_Meeting``). Without ``recycle``, a
    big run's workers live to its end (see ``_spread``): for work that reads none of
    this process's objects (reading files), which so copies none of them.
    """
    local = [n for n, job in enumerate(jobs) if here(job)] if here is not None else []
    kept = set(local)
    away = [job for n, job in enumerate(jobs) if n not in kept] if kept else jobs
    count = done or (lambda n: None)
    mine: dict[int, R] = {}

    def first() -> None:  # meanwhile, the workers (if any) start on ``away``
        for n in local:
            mine[n] = work(jobs[n])
            count(1)

    others = iter(_spread(work, away, parallel, portable, recycle, count=count, first=first))
    return [mine[n] if n in kept else next(others) for n in range(len(jobs))]


def map_batched(
    work: Callable[[J], R],
    jobs: Sequence[J],
    tally: Callable[[list[R]], T],
    *,
    parallel: bool = True,
) -> tuple[list[R], list[T]]:
    """``map_forked`` (results in job order), and ``tally`` of the results of each batch
    of jobs a worker (or this process) did, made where they were done: a sum that would
    otherwise cost this process a pass over every result, or the results more to send
    back. Without workers, one tally of every result. ``tally`` runs right after its
    batch's jobs, in the process that did them: it may also take what their work left
    there."""
    if not in_workers(len(jobs), parallel):
        results = [work(job) for job in jobs]
        return results, [tally(results)]
    size = _chunk(len(jobs))
    batches = [range(start, min(start + size, len(jobs))) for start in range(0, len(jobs), size)]

    def batch(numbers: range) -> tuple[list[R], T]:
        done = [work(jobs[n]) for n in numbers]
        return done, tally(done)

    results, tallies = [], []
    for done, summed in _spread(batch, batches, parallel, None, units=len(jobs)):
        results += done
        tallies.append(summed)
    return results, tallies


def _chunk(jobs: int) -> int:
    """How many jobs a worker is given at a time: about an eighth of its share."""
    return max(8, jobs // (cores() * 8))


def _spread(
    work: Callable[[J], R],
    jobs: Sequence[J],
    parallel: bool,
    portable: Callable[[R], R] | None,
    recycle: bool = True,
    units: int | None = None,
    *,
    count: Callable[[int], object] = lambda n: None,
    first: Callable[[], object] = lambda: None,
) -> list[R]:
    """``work(job)`` for each job, in job order: in forked workers, one fewer than the
    cores, and this process, which first calls ``first`` and then joins them (see
    ``_Meeting``); or (little work, or no forking) all here, after ``first``.
    ``units``: how many jobs ``jobs`` stand for, if each is a batch (``map_batched``)
    given to a worker whole; else each job is one. ``count(1)`` as each job is done."""
    batched = units is not None
    units = len(jobs) if units is None else units
    if not in_workers(units, parallel):
        first()
        alone = []
        for job in jobs:
            alone.append(work(job))
            count(1)
        return alone
    global _TASK
    context = multiprocessing.get_context("fork")
    meeting = _Meeting(len(jobs), context)
    chunk = 1 if batched else _chunk(len(jobs))
    # On a big site a worker ends after one chunk and a new one is forked: reading
    # the parent's objects writes their reference counts, so a long-lived worker
    # would come to hold a copy of much of the parent's memory (hundreds of MB).
    # On a smaller one, the new workers' start (about a second in all at 2,000
    # reports) would cost more than the memory is worth. Work that reads none of
    # the parent's objects need not: its new workers would only be forked from an
    # ever bigger parent (reading 10,000 reports: 1.7 s more, and more memory).
    tasks = 1 if recycle and units >= RECYCLE_JOBS else None
    switching = sys.getswitchinterval()
    _TASK = (work, jobs, portable, meeting)
    sys.setswitchinterval(_SWITCH_SECONDS)  # see ``_roomy``
    try:
        with context.Pool(max(1, cores() - 1), _worker_started, maxtasksperchild=tasks) as pool:
            _roomy(pool)
            chunks = [range(n, min(n + chunk, len(jobs))) for n in range(0, len(jobs), chunk)]
            arriving = pool.imap(_run, chunks)
            results: list[Any] = []  # the workers' results, _TAKEN for this process's jobs

            def collect(wait: bool) -> None:  # those that have come (all, if ``wait``)
                while len(results) < len(jobs):
                    try:
                        made = arriving.next(timeout=None if wait else 0)
                    except multiprocessing.TimeoutError:
                        return
                    count(sum(result is not _TAKEN for result in made))
                    results.extend(made)

            first()
            mine: dict[int, R] = {}
            while (last := meeting.take_last()) is not None:
                mine[last] = _do(last)
                count(1)
                collect(wait=False)
                if len(mine) % _COLLECT_EVERY == 0:
                    young_collected()
            collect(wait=True)
            return [mine[n] if result is _TAKEN else result for n, result in enumerate(results)]
    finally:
        _TASK = None
        sys.setswitchinterval(switching)


#: How many of its share of the jobs this process does between collections of its
#: young garbage (see ``heap.young_collected``).
_COLLECT_EVERY = 64

#: The pool's results are read by a thread of this process, which needs the GIL for each
#: read of their pipe, while the main thread holds it making its own share of the jobs:
#: it is handed over every switch interval (5 ms by default), and a worker whose results
#: are not read waits. A pipe of 1 MB, not 64 KB, and a shorter interval while the pool
#: runs: a third less time to render 2,000 reports' pages (see ``bench/results``).
_PIPE_BYTES = 1 << 20
_SWITCH_SECONDS = 0.0005


def _roomy(pool: Any) -> None:
    """Give ``pool``'s results a pipe of ``_PIPE_BYTES`` where the system allows (Linux;
    up to ``/proc/sys/fs/pipe-max-size``); else it keeps the one it has."""
    setting = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if setting is None:
        return
    with contextlib.suppress(AttributeError, OSError):  # no such pipe, or not allowed
        fcntl.fcntl(pool._outqueue._reader.fileno(), setting, _PIPE_BYTES)


def _worker_started() -> None:
    """A worker leaves Ctrl-C to the build it works for, which stops it (and says so once,
    not once a worker with its traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    worker_started()


def portable(result: Reported) -> Reported:
    """A result whose second part is its problems, without their causes: a traceback does
    not cross processes."""
    for problem in result[1]:
        problem.cause = None
    return result


def read_many(
    pm: PluginManager,
    formats: dict[str, tuple[str, Format]],
    areas: dict[str, Area],
    jobs: Sequence[tuple[Path, PurePosixPath]],
    *,
    parallel: bool = True,
    done: Callable[[int], object] | None = None,
) -> list[Outcome]:
    """Read documents, in parallel when it pays; outcomes are in the order of ``jobs``.

    Each outcome is ``("ok", item, warnings, scanned)`` or ``("error", problems, warnings, None)``;
    ``scanned`` is what ``scan_source`` found in the file (its acronyms, whether it
    names another file, the hash of the bytes read), so the build's checks need not read
    every file again.
    ``done(1)`` is called as each document has been read (for a progress bar).
    """

    def read_one(job: tuple[Path, PurePosixPath]) -> Outcome:
        path, rel = job
        try:
            seen = file_date(path)  # before it is read: what its hash, if taken, must name
            item, warnings = read_document(pm, formats, areas, path, rel)
        except SendsiteError as error:
            error.problem.cause = error.__cause__  # for --verbose
            return ("error", error.problems, getattr(error, "warnings", []), None)
        return ("ok", item, warnings, scan_source(path, seen))

    def without_cause(outcome: Outcome) -> Outcome:
        if outcome[0] == "error":
            for problem in outcome[1]:
                problem.cause = None
        return outcome

    # A worker reads files and sends back what it made, and reads nothing of this
    # process's: it need not end before the reading does (see ``map_forked``).
    return map_forked(
        read_one, jobs, parallel=parallel, done=done, portable=without_cause, recycle=False
    )
