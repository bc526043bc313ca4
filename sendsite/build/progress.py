"""How far a build has gone: seconds per stage always, a progress bar on a terminal.

The pipeline reports each stage (reading, rendering, making the data files,
writing, indexing for search) to a ``Progress``. The plain one only times the stages, for the
build's summary. ``TerminalProgress`` also draws a bar with click's
``progressbar`` on standard error, for a stage still running after a second,
redrawn from a background thread ten times a second, so counting work done
costs the build one addition.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

__all__ = ["STAGES", "STEPS", "Progress", "Stage", "TerminalProgress"]

#: The stages a build reports, in order, with the words a bar shows.
STAGES = {
    "read": "Reading documents",
    "render": "Rendering pages",
    "generate": "Making data files",
    "write": "Writing files",
    "index": "Indexing for search",
}


#: Steps of the index stage that come before Pagefind runs, each with its own words, so
#: no two bars of one build say the same.
STEPS = {
    "records": "Preparing search",
    "search pages": "Writing search pages",
}


class Stage:
    """One running stage: call ``advance`` as work is done."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0

    def advance(self, count: int = 1) -> None:
        """Count ``count`` more units of work done."""
        self.done += count


class Progress:
    """Times each stage (``seconds``); draws nothing."""

    def __init__(self) -> None:
        #: Seconds spent in each stage, by its key in ``STAGES``, added up over calls.
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, key: str, total: int = 0, step: str = "") -> Iterator[Stage]:
        """Run a stage of ``total`` units (0: not counted), timing it under ``key``.

        ``step``: which step (a key of ``STEPS``) of a stage run in several this is; its
        bar says that step's words, not the stage's."""
        started = time.perf_counter()
        stage = self._start(step or key, total)
        try:
            yield stage
        finally:
            self._finish(stage)
            self.seconds[key] = self.seconds.get(key, 0.0) + time.perf_counter() - started

    def _start(self, key: str, total: int) -> Stage:
        return Stage(total)

    def _finish(self, stage: Stage) -> None:
        pass


class _BarStage(Stage):
    """A stage whose bar a background thread draws once it has run for ``delay`` seconds.

    ``advance`` only counts, so the work itself never waits for the terminal.
    """

    def __init__(self, label: str, total: int, delay: float, interval: float) -> None:
        super().__init__(total)
        self.label = label
        self.interval = interval
        self.bar: Any = None
        self.started = time.monotonic()
        self._stopped = threading.Event()
        self._ticker = threading.Thread(target=self._tick, args=(delay,), daemon=True)
        self._ticker.start()

    def _tick(self, delay: float) -> None:
        if self._stopped.wait(delay):
            return
        while True:
            self._draw()
            if self._stopped.wait(self.interval):
                return

    def _draw(self) -> None:
        if self.bar is None:
            self.bar = click.progressbar(
                length=max(self.total, 1),
                label=f"{self.label:<20}",
                show_pos=self.total > 0,
                show_percent=False,
                show_eta=self.total > 0,
                item_show_func=lambda seconds: f"{seconds:.0f} s" if seconds else None,
                file=sys.stderr,
                width=24,
            )
            self.bar.__enter__()
        if self.total:
            self.bar.update(min(self.done, self.total) - self.bar.pos)
        else:  # not counted: show the seconds it has taken so far
            self.bar.current_item = time.monotonic() - self.started
            self.bar.render_progress()

    def close(self) -> None:
        self._stopped.set()
        self._ticker.join()
        if self.bar is not None:
            if self.total:
                self.bar.update(self.total - self.bar.pos)
            self.bar.__exit__(None, None, None)


class TerminalProgress(Progress):
    """Times stages and draws a progress bar for any that runs longer than ``delay``."""

    def __init__(self, delay: float = 1.0, interval: float = 0.1) -> None:
        super().__init__()
        self.delay = delay
        self.interval = interval

    def _start(self, key: str, total: int) -> Stage:
        label = STAGES.get(key) or STEPS.get(key, key)
        return _BarStage(label, total, self.delay, self.interval)

    def _finish(self, stage: Stage) -> None:
        assert isinstance(stage, _BarStage)
        stage.close()
