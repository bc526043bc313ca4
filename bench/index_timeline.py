"""Benchmark: when each Pagefind run of a build's search index starts, ends and is finished.

    python bench/index_timeline.py --n 2000
    python bench/index_timeline.py --source /tmp/sendsite-bench/corpus/sendsite-10000

Builds the peer comparison's sendsite corpus (``peers.py`` makes it under
``$BENCH_ROOT``, default ``/tmp/sendsite-bench``) with ``sendsite build --no-cache``
into a temporary folder, as the ``sendsite`` program does (the site made in a child
process, Pagefind run from the parent), and prints, from the index stage's start:
each part's Pagefind run starting (with its megabytes of record pages), ending, and
its results getting their addresses (``finish``, in this process while the next
runs index). Then the figures that say whether the cores were kept busy: the
seconds with two runs going, with one, and the megabytes of record pages indexed
per second of the index's runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BENCH_ROOT = Path(os.environ.get("BENCH_ROOT", "/tmp/sendsite-bench"))


def watch() -> list[tuple[float, str, str, float]]:
    """Record (seconds, event, part, megabytes) as Pagefind's runs go."""
    from sendsite.builtin.search import pagefind, pagefind_program

    events: list[tuple[float, str, str, float]] = []
    run_class = pagefind_program.PartRun
    started_at: list[float] = []

    def now() -> float:
        if not started_at:
            started_at.append(time.perf_counter())
        return time.perf_counter() - started_at[0]

    class Watched(run_class):  # type: ignore[misc, valid-type]
        def __init__(self, pages: Path, *args: Any, **kwargs: Any) -> None:
            at = now()
            super().__init__(pages, *args, **kwargs)
            events.append((at, "start", pages.name, self.size / 1e6))

        def wait(self) -> Any:
            done = super().wait()
            events.append((now(), "ended", self.bundle.name, self.size / 1e6))
            return done

        def finish(self) -> Any:
            done = super().finish()
            events.append((now(), "finished", self.bundle.name, self.size / 1e6))
            return done

    pagefind.PartRun = Watched
    return events


def summary(events: list[tuple[float, str, str, float]]) -> list[str]:
    """Seconds with two runs going and with one; megabytes indexed per second."""
    changes = sorted((at, +1 if what == "start" else -1) for at, what, _, _ in events
                     if what in ("start", "ended"))  # fmt: skip
    running, last, spans = 0, 0.0, {1: 0.0, 2: 0.0}
    for at, step in changes:
        if running in spans:
            spans[running] += at - last
        running, last = running + step, at
    megabytes = sum(mb for _, what, _, mb in events if what == "start")
    end = max((at for at, _, _, _ in events), default=0.0)
    return [
        f"parts indexed: {sum(1 for e in events if e[1] == 'start')}, {megabytes:.1f} MB of "
        f"record pages, {end:.2f} s from the first run's start to the last part finished",
        f"two runs going: {spans[2]:.2f} s; one run going: {spans[1]:.2f} s",
        f"record pages indexed per second of the runs: {megabytes / max(end, 1e-9):.2f} MB/s",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=2000, help="the corpus size (peers.py's)")
    parser.add_argument("--source", type=Path, help="a sendsite site folder instead")
    args = parser.parse_args()
    source = args.source or BENCH_ROOT / "corpus" / f"sendsite-{args.n}"
    if not (source / "content").is_dir():
        raise SystemExit(f"no corpus at {source}: run bench/peers.py --n {args.n} first")
    sys.path.insert(0, str(REPO))
    events = watch()
    from sendsite.cli.program import run as sendsite  # the program: the site made in a child

    with tempfile.TemporaryDirectory(prefix="sendsite-timeline-") as out:
        sys.argv = ["sendsite", "build", "--no-cache", "-q", "--source", str(source)]
        sys.argv += ["--output", str(Path(out) / "site")]
        try:
            sendsite()
        except SystemExit as exit:
            if exit.code:
                raise
    for at, what, part, mb in events:
        size = f" ({mb:.1f} MB)" if what == "start" else ""
        print(f"{at:7.2f} s  {what:8} {part}{size}")
    print("\n".join(summary(events)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
