"""Profile the preview's edit path: one save, the rebuild, then the pages made on request.

    python bench/profile_edit.py --reports 2000                 # profile 3 saves, print the top
    python bench/profile_edit.py --reports 10000 --saves 3 --save bench/results/profile-edit.txt

``serve_latency.py`` times the real server from the outside; this script says
where that time goes. It generates ``generate.py``'s site (with the demo's
glossary and topics), builds it in memory as ``sendsite serve`` does
(``LiveSite``, the search indexer stopped so it cannot run beside the
profile), then for each save rewrites the first report of area-00 with a new
title and profiles, in this process with cProfile:

- ``rebuild``: ``LiveSite.rebuild({report})``, what the server does on a save;
- ``pages``: reading the edited page and each ``--pages`` page from the new
  snapshot, which makes the deferred ones (trackers, dashboard, register).

It prints each step's wall time per save and the time Python's garbage collector
took within it (cProfile charges that to whatever function was allocating), then
the top functions by own and by cumulative time over all saves, so a cost that
grows with the site stands out.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path, PurePosixPath

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate

from sendsite.serve.live import LiveSite


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--areas", type=int, default=10)
    parser.add_argument("--saves", type=int, default=3)
    parser.add_argument(
        "--pages", default="/area-00/,/tracker/,/tracker/area-00/,/dashboard/,/risks/,/a-z/"
    )
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--save", type=Path, help="also write the summary into this file")
    args = parser.parse_args()
    out = io.StringIO()

    def say(line: str = "") -> None:
        print(line)
        out.write(line + "\n")

    with tempfile.TemporaryDirectory() as tmp:
        root = generate(Path(tmp) / "site-src", args.reports, args.areas, site_files=True)
        report = root / "content" / "area-00" / "report-00000.md"
        original = report.read_text(encoding="utf-8")
        live = LiveSite(root, log=lambda line: None)
        live.search.close()  # no background index beside the profile
        started = time.perf_counter()
        live.rebuild(None)
        say(
            f"{args.reports:,} reports; first build in memory {time.perf_counter() - started:.1f} s"
        )
        pages = [PurePosixPath("area-00/report-00000/index.html")]
        pages += [PurePosixPath(p.strip("/"), "index.html") for p in args.pages.split(",") if p]
        collecting: list[float] = []  # [start of the collection running, seconds so far]
        collected = [0.0, 0.0]

        def timed(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                collecting[:] = [time.perf_counter()]
            elif collecting:
                collected[info["generation"] == 2] += time.perf_counter() - collecting[0]

        gc.callbacks.append(timed)
        profiles = {"rebuild": cProfile.Profile(), "pages": cProfile.Profile()}
        times: dict[str, list[float]] = {"rebuild": [], "rebuild: collecting garbage": []}
        times["rebuild: of which full collections"] = []
        times.update({str(p): [] for p in pages})
        for n in range(args.saves):
            report.write_text(
                original.replace("title: ", f"title: Probe {n} ", 1), encoding="utf-8"
            )
            began, collected[:] = time.perf_counter(), [0.0, 0.0]
            snapshot = profiles["rebuild"].runcall(live.rebuild, {report})
            times["rebuild"].append(time.perf_counter() - began)
            times["rebuild: collecting garbage"].append(sum(collected))
            times["rebuild: of which full collections"].append(collected[1])
            assert not snapshot.errors, snapshot.errors
            for page in pages:
                began = time.perf_counter()
                body = profiles["pages"].runcall(live.read, snapshot, page)
                times[str(page)].append(time.perf_counter() - began)
                assert body, f"{page} was not made"
        live.close()
        gc.callbacks.remove(timed)
    say(f"{args.saves} saves; medians (profiled, so slower than the real server):")
    for step, seconds in times.items():
        say(f"  {step:45} {statistics.median(seconds) * 1000:8.0f} ms")
    for name, profile in profiles.items():
        for order in ("tottime", "cumulative"):
            text = io.StringIO()
            stats = pstats.Stats(profile, stream=text).strip_dirs().sort_stats(order)
            stats.print_stats(args.top)
            say(f"\n== {name}, top {args.top} by {order} (over {args.saves} saves) ==")
            body = text.getvalue()
            say(body[body.find("   ncalls") :].rstrip())
    if args.save:
        args.save.write_text(out.getvalue(), encoding="utf-8")


if __name__ == "__main__":
    main()
