"""Benchmark: sendsite's own memory (RSS) at the start and end of each build stage.

    python bench/memory_stages.py SITE_FOLDER OUTPUT_FOLDER [--cache]

Runs ``build()`` in this process (the ``sendsite`` program makes the site in a child
process that ends before the search index is made: see ``build.forked``) and prints,
for each stage, the seconds since the start, the RSS and the peak RSS so far; then the peak of
the child processes (forked workers and Pagefind). For the whole process tree, sampled
as a shell runs the program, use ``bench/peers.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sendsite.build import progress
from sendsite.build.publish import build
from sendsite.config import load_config

_STARTED = time.perf_counter()


def _rss_mb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    return 0


def _peak_mb(who: int = resource.RUSAGE_SELF) -> int:
    return resource.getrusage(who).ru_maxrss // 1024


def _line(what: str, key: str) -> None:
    seconds = time.perf_counter() - _STARTED
    print(f"{seconds:7.1f} s  {what:5} {key:9}  RSS {_rss_mb():6,} MB  peak {_peak_mb():6,} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--cache", action="store_true", help="use the build cache")
    args = parser.parse_args()
    staged = progress.Progress.stage

    @contextlib.contextmanager
    def stage(
        self: progress.Progress, key: str, total: int = 0, **named: Any
    ) -> Iterator[progress.Stage]:
        _line("start", key)
        with staged(self, key, total, **named) as inner:
            yield inner
        _line("end", key)

    progress.Progress.stage = stage  # type: ignore[method-assign,assignment]
    result = build(load_config(args.source), output=args.output, cache=args.cache)
    print(
        f"built {result.pages:,} pages in {result.seconds:.1f} s; peak RSS {_peak_mb():,} MB, "
        f"children's peak {_peak_mb(resource.RUSAGE_CHILDREN):,} MB"
    )


if __name__ == "__main__":
    main()
