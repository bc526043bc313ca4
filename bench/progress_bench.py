"""What the progress bars cost: `sendsite build` on a terminal against the same build in a pipe.

    python bench/progress_bench.py [--reports 500] [--runs 3]

Generates a site of ``--reports`` reports, then builds it with standard error
as a pipe (no bars) and as a pseudo-terminal with ``SENDSITE_PROGRESS_DELAY=0``
(a bar for every stage from its first moment: the most drawing there can be),
interleaved, and prints the median wall times and their difference.
"""

from __future__ import annotations

import argparse
import os
import pty
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate


def _build(root: Path, out: Path, *, terminal: bool) -> float:
    command = [sys.executable, "-m", "sendsite", "build", "--source", str(root), "-o", str(out)]
    env = {**os.environ, "SENDSITE_PROGRESS_DELAY": "0"}
    started = time.perf_counter()
    if not terminal:
        subprocess.run(command, check=True, capture_output=True, env=env)
        return time.perf_counter() - started
    controller, child = pty.openpty()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=child, env=env)
    os.close(child)
    while True:  # read the terminal as a person's terminal would, until it closes
        ready, _, _ = select.select([controller], [], [], 600)
        try:
            if not ready or not os.read(controller, 65536):
                break
        except OSError:
            break
    os.close(controller)
    if process.wait() != 0:
        raise SystemExit("the build failed")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = generate(Path(tmp) / "src", args.reports)
        times: dict[str, list[float]] = {"pipe": [], "terminal": []}
        for run in range(args.runs):
            for mode in ("pipe", "terminal") if run % 2 == 0 else ("terminal", "pipe"):
                out = Path(tmp) / f"site-{mode}"
                times[mode].append(_build(root, out, terminal=mode == "terminal"))
        pipe, terminal = statistics.median(times["pipe"]), statistics.median(times["terminal"])
        print(f"{args.reports} reports, medians of {args.runs} interleaved runs")
        print(f"  standard error a pipe (no bars):      {pipe:.2f} s")
        print(f"  a terminal, every stage with a bar:   {terminal:.2f} s")
        print(f"  difference:                           {terminal - pipe:+.2f} s")


if __name__ == "__main__":
    main()
