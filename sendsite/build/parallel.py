"""Reading many documents on several processor cores.

Reading a document is a pure function of the file and its area (the plugin
contract), so a full build can read documents in worker processes. Workers are
forked, so they share the already-built plugin manager; results come back
pickled, and errors come back as ``Problem`` values (exceptions do not survive
pickling with their file and line). Where forking is not available, or there
are few documents, everything is read in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from sendsite.build.reading import read_document
from sendsite.content.documents import Area
from sendsite.content.model import Format
from sendsite.errors import Problem, SendsiteError
from sendsite.plugins.manager import PluginManager

__all__ = ["MIN_PARALLEL", "read_many"]

#: Below this many documents, starting workers costs more than it saves.
MIN_PARALLEL = 200

Outcome = tuple[str, Any, list[Problem]]
_SHARED: tuple[PluginManager, dict[str, tuple[str, Format]], dict[str, Area]] | None = None


def _read_one(job: tuple[Path, PurePosixPath]) -> Outcome:
    assert _SHARED is not None
    pm, formats, areas = _SHARED
    path, rel = job
    try:
        item, warnings = read_document(pm, formats, areas, path, rel)
    except SendsiteError as error:
        error.problem.cause = error.__cause__  # for --verbose
        return ("error", error.problem, [])
    return ("ok", item, warnings)


def _read_in_worker(job: tuple[Path, PurePosixPath]) -> Outcome:
    outcome = _read_one(job)
    if outcome[0] == "error":
        outcome[1].cause = None  # a traceback does not cross processes
    return outcome


def _workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def read_many(
    pm: PluginManager,
    formats: dict[str, tuple[str, Format]],
    areas: dict[str, Area],
    jobs: Iterable[tuple[Path, PurePosixPath]],
    *,
    parallel: bool = True,
    done: Callable[[int], object] | None = None,
) -> list[Outcome]:
    """Read documents, in parallel when it pays; outcomes are in the order of ``jobs``.

    Each outcome is ``("ok", item, warnings)`` or ``("error", problem, [])``.
    ``done(1)`` is called as each document has been read (for a progress bar).
    """
    count = done or (lambda n: None)
    global _SHARED
    jobs = list(jobs)
    _SHARED = (pm, formats, areas)
    try:
        workers = _workers()
        methods = multiprocessing.get_all_start_methods()
        if not parallel or len(jobs) < MIN_PARALLEL or workers < 2 or "fork" not in methods:
            outcomes = []
            for job in jobs:
                outcomes.append(_read_one(job))
                count(1)
            return outcomes
        context = multiprocessing.get_context("fork")
        chunk = max(8, len(jobs) // (workers * 8))
        with context.Pool(workers) as pool:
            outcomes = []
            for outcome in pool.imap(_read_in_worker, jobs, chunksize=chunk):
                outcomes.append(outcome)
                count(1)
            return outcomes
    finally:
        _SHARED = None
