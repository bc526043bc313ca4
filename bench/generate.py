"""Generate a synthetic site of many reports for benchmarks.

Each report is a copy of the real Southend highlight report with its title,
dates and wording varied, spread over several areas, so sizes and structure
are realistic.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "content" / "southend" / "highlight-report-2021-05.md"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip
WORDS = ["EHCP", "autism", "speech", "therapy", "CAMHS", "transition", "equipment",
         "Local Offer", "short breaks", "co-production", "dashboard", "waiting list"]  # fmt: skip


def generate(
    root: Path, reports: int, areas: int = 10, seed: int = 1, site_files: bool = False
) -> Path:
    """Write ``reports`` reports over ``areas`` areas under ``root/content``; return ``root``.

    With ``site_files``, the demo's glossary and topics come too (every report's
    abbreviations explained, and topics matched against every report)."""
    rng = random.Random(seed)
    text = TEMPLATE.read_text(encoding="utf-8")
    if root.exists():
        shutil.rmtree(root)
    (root / "content").mkdir(parents=True)
    (root / "sendsite.yml").write_text("title: Benchmark site\n")
    if site_files:
        for name in ("_glossary.yml", "_topics.yml"):
            shutil.copyfile(REPO / "content" / name, root / "content" / name)
    for area in range(areas):
        folder = root / "content" / f"area-{area:02d}"
        folder.mkdir()
        (folder / "_area.yml").write_text(f"name: Area {area:02d}\ncouncil: Council {area:02d}\n")
    for n in range(reports):
        # Each area's reports are monthly, one date each: an area's series has no two
        # reports of one date (which sendsite refuses).
        step = n // areas
        year, month = 2019 + step // 12, step % 12
        body = text.replace(
            "title: Joint Commissioning highlight report, May 2021",
            f"title: Highlight report {n} ({MONTHS[month]} {year}) on {rng.choice(WORDS)}",
        ).replace("meeting_date: 28th May 2021", f"meeting_date: 28th {MONTHS[month]} {year}")
        body = body.replace("Capacity to complete", f"Capacity ({rng.choice(WORDS)}) to complete")
        folder = root / "content" / f"area-{n % areas:02d}"
        (folder / f"report-{n:05d}.md").write_text(body, encoding="utf-8")
    return root


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--areas", type=int, default=10)
    parser.add_argument("--site-files", action="store_true", help="the demo's glossary, topics")
    args = parser.parse_args()
    generate(args.folder, args.reports, args.areas, site_files=args.site_files)
    print(f"Wrote {args.reports} reports into {args.folder}/content")
