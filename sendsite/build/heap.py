"""How a build treats Python's memory: collecting cycles once a stage, not again and
again, and giving memory back before Pagefind runs beside it."""

from __future__ import annotations

import contextlib
import ctypes
import gc
from collections.abc import Iterator

__all__ = ["collected_once", "give_back", "thaw", "worker_started", "young_collected"]


@contextlib.contextmanager
def collected_once(*, collect: bool = True) -> Iterator[None]:
    """Run a stage that makes many objects that live on (documents, pages) with Python's
    cycle collector paused; on leaving, collect what the stage made, once, and freeze
    what survives, so later collections (and forked workers) leave it be.

    Left running, the collector scans everything the stage has made again each time a
    quarter as much again has been made: about 7 s of a build at 10,000 reports. Paused,
    every object the stage makes stays in the youngest generation, so one collection of
    that generation looks at each of them once. Without ``collect``, for a stage that
    makes next to no cycles of garbage, nothing is looked at: what it made is frozen.

    A frozen object is still freed when nothing refers to it; only a cycle of frozen
    objects is never freed. A stage that fails freezes nothing.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    except BaseException:  # a failed stage's objects (its error's traceback) are not kept
        if enabled:
            gc.enable()
        raise
    if collect:  # and the young objects from before it, which freezing would keep forever
        gc.collect(1)
    gc.freeze()
    if enabled:
        gc.enable()


def young_collected() -> None:
    """While a stage's collector is paused (``collected_once``), free the cycles made since
    the last call: a page rendered leaves some 75 objects in cycles, and this process,
    making thousands of pages beside the workers, would hold them all to the stage's end
    (tens of MB at 10,000 reports). Only the youngest objects are looked at: what the
    stage keeps (a result or two a job) is looked at once, and then left."""
    if not gc.isenabled():
        gc.collect(0)


def worker_started() -> None:
    """Start a forked worker's collector with every object it inherited frozen: its
    collections then leave them alone, so they stay shared with the build, not copied
    page by page (a collection writes into each object it looks at), and do not scan
    the build's objects over again (they may be many: a pool forks new workers as it goes)."""
    gc.freeze()
    gc.enable()


def give_back() -> None:
    """Give memory freed since the last call back to the system: glibc keeps it for
    reuse unless asked, and the search records and Pagefind, which come next, need it."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def thaw() -> None:
    """Let the collector see every frozen object again, and free the cycles among those
    let go: for the preview, which runs for hours, and whose builds freeze what they make
    (``collected_once``); a pipeline it replaced would otherwise stay for good."""
    gc.unfreeze()
    gc.collect()
