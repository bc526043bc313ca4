"""Benchmark: a full `sendsite build` of a generated site of many reports.

    python bench/build_speed.py --reports 2000

Prints the wall time of a full build, pages per second, output size, and the
peak memory (max RSS) of the process.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate

from sendsite.build.publish import build
from sendsite.config import load_config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--areas", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = generate(Path(tmp) / "site-src", args.reports, args.areas)
        started = time.perf_counter()
        result = build(load_config(root))
        seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in result.output.rglob("*") if p.is_file())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"reports: {args.reports}  pages: {result.pages}  files: {result.files}")
    print(
        f"full build: {seconds:.2f} s  ({result.pages / seconds:.0f} pages/s, "
        f"{1000 * seconds / result.pages:.2f} ms/page)"
    )
    print(f"output: {size / 1e6:.1f} MB  peak memory (max RSS): {peak:.0f} MB")


if __name__ == "__main__":
    main()
