"""What report series cost: a build of one long series against the same reports standing alone.

    python bench/series_bench.py [--reports 40] [--items 100] [--runs 3]

Writes an area of ``--reports`` monthly highlight reports (``southend-highlight``),
each with ``--items`` milestones in five priorities, where every report rewords,
re-rates, moves, adds and drops a few items of the one before. Builds it with
``sendsite check`` (read, link, render: no search index, which series do not
touch) twice per run, interleaved: as one series, and with each report given a
``series:`` of its own so nothing is matched. Prints the medians and the
difference.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

RAGS = ["Green", "Amber", "Red", "Blue"]
VERBS = ["Agree", "Publish", "Recruit", "Train", "Review", "Launch", "Pilot", "Audit"]
THINGS = [
    "the Local Offer pages", "EHC plan coordinators", "SENCOs in the graduated approach",
    "the short breaks statement", "a transitions protocol", "the ND pathway waiting list",
    "health advice returns", "the parent carer forum survey", "speech and language therapy",
    "annual review backlog", "inclusion fund criteria", "a SEND data dashboard",
]  # fmt: skip


def _items(rng: random.Random, count: int) -> list[list[str]]:
    return [
        [f"{rng.choice(VERBS)} {rng.choice(THINGS)} ({n})", rng.choice(RAGS[:3])]
        for n in range(count)
    ]


def _evolve(rng: random.Random, items: list[list[str]], serial: int) -> list[list[str]]:
    items = [list(row) for row in items]
    for row in rng.sample(items, k=max(1, len(items) // 10)):
        row[1] = rng.choice(RAGS)
    for row in rng.sample(items, k=max(1, len(items) // 20)):
        row[0] = row[0].replace("(", "for families (", 1) if "families" not in row[0] else row[0]
    del items[rng.randrange(len(items))]
    items.append([f"{rng.choice(VERBS)} {rng.choice(THINGS)} (new {serial})", "Green"])
    return items


def _report(day: date, items: list[list[str]], series: str | None) -> str:
    lines = ["---", "format: southend-highlight", f"title: Highlight report {day:%B %Y}"]
    lines.append(f"meeting_date: {day.day} {day:%B %Y}")
    if series:
        lines.append(f"series: {series}")
    lines.append("priorities:")
    per = max(1, len(items) // 5)
    for p in range(5):
        lines += [f"  - code: P{p + 1}", f"    title: Priority {p + 1}", "    milestones:"]
        for text, rag in items[p * per : (p + 1) * per if p < 4 else None]:
            due = day + timedelta(days=90 + len(text))
            lines += [
                f'      - milestone: "{text}"',
                f"        completed_by: {due.day} {due:%B %Y}",
                f"        rag: {rag}",
            ]
    return "\n".join([*lines, "---", "A short narrative.", ""])


def make_site(root: Path, reports: int, items: int, *, alone: bool) -> None:
    rng = random.Random(7)
    content = root / "content" / "northdale"
    content.mkdir(parents=True)
    (content / "_area.yml").write_text("name: Northdale (fictional)\n")
    rows = _items(rng, items)
    day = date(2021, 1, 31)
    for n in range(reports):
        name = f"highlight-{n:03d}"
        (content / f"{name}.md").write_text(_report(day, rows, name if alone else None))
        rows = _evolve(rng, rows, n)
        day = (day + timedelta(days=32)).replace(day=28)


def _time(root: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "sendsite", "check", "--source", str(root)],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=40)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sendsite-series-"))
    try:
        series, alone = work / "series", work / "alone"
        make_site(series, args.reports, args.items, alone=False)
        make_site(alone, args.reports, args.items, alone=True)
        times: dict[str, list[float]] = {"series": [], "alone": []}
        for _ in range(args.runs):
            times["series"].append(_time(series))
            times["alone"].append(_time(alone))
        with_series = statistics.median(times["series"])
        without = statistics.median(times["alone"])
        print(f"{args.reports} reports x {args.items} items, medians of {args.runs} runs")
        print(f"  one series:          {with_series:.2f} s")
        print(f"  each report alone:   {without:.2f} s")
        print(f"  what series cost:    {with_series - without:+.2f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
