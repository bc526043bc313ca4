"""Benchmark: a build after editing one report, with the build cache, against a cold build.

    python bench/cache_bench.py --n 2000 --runs 3
    python bench/cache_bench.py --source /tmp/sendsite-bench/corpus/sendsite-2000
    python bench/cache_bench.py --n 2000 --edit newest
    python bench/cache_bench.py --n 2000 --edit newest --change sentence
    python bench/cache_bench.py --n 2000 --edit newest --ref HEAD

Copies the peer comparison's sendsite corpus (``peers.py`` makes it under
``$BENCH_ROOT``, default ``/tmp/sendsite-bench``) into a temporary folder, then
for each round: a cold build (no cache, an empty output folder), then over
that site a build with the cache after one report's status was changed (``--edit``:
the middle report by file name, of any date, or the newest report by its date, the
one a partnership most often corrects; on a site searched newest first, its index
part is the small first one; ``--change``: a row's status, or a sentence with a word
the site lacks), and one with nothing changed. It prints the medians,
the ratio of the edited build to the cold one (issue target: at most 0.2 at 2,000
reports) and each build's stages, and checks that the cached build wrote what a
cold build of the same files writes.

``--ref COMMIT`` measures that commit as ``peers.py --ref`` does (exported with ``git
archive`` and installed into a venv of its own, as a user installs it), not the working
tree: ``.venv``'s editable install runs the sources, and where Python may not write its
bytecode (``PYTHONDONTWRITEBYTECODE``, set on this machine) every build compiles them
again, some 0.1-0.2 s that an installed sendsite does not spend and that weighs on a
3-4 s build after an edit.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SENDSITE = REPO / ".venv" / "bin" / "sendsite"
#: Names no report of the corpus has (``--change sentence``), one a round.
NEW_SCHOOLS = ("Quillbrook Academy", "Thistlecombe School", "Wrenfold College", "Ashvale House")
#: A report's date in the corpus's front matter.
DATE = re.compile(r"^meeting_date: '?(\d{4}-\d{2}-\d{2})'?$", re.M)


def chosen_report(content: Path, which: str) -> Path:
    """The report to edit: the ``middle`` one by file name, or the ``newest`` by date."""
    reports = sorted(content.rglob("*.md"))
    if which == "middle":
        return reports[len(reports) // 2]
    dated = [(m.group(1), p) for p in reports if (m := DATE.search(p.read_text("utf-8")))]
    if not dated:
        raise SystemExit(f"no report under {content} has a meeting_date")
    return max(dated)[1]


def build(
    source: Path, output: Path, *options: str, fresh: bool = False, command: Path = SENDSITE
) -> tuple[float, dict]:
    """One ``sendsite build --json`` (into an empty ``output`` if ``fresh``, else over the
    last site, as a publishing job does): wall seconds and its JSON."""
    if fresh:
        shutil.rmtree(output, ignore_errors=True)
    started = time.perf_counter()
    done = subprocess.run(
        [
            str(command),
            "build",
            "--json",
            "--source",
            str(source),
            "--output",
            str(output),
            *options,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"the build failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return wall, json.loads(done.stdout)


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000, help="reports (the peers' corpus)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--source", type=Path, help="a site folder instead of the corpus")
    parser.add_argument("--edit", choices=["middle", "newest"], default="middle")
    parser.add_argument(
        "--change",
        choices=["status", "sentence"],
        default="status",
        help="a row's status changed (words the site has), or a sentence naming a school "
        "the site has never named added (a word it lacks, as a new report's often are)",
    )
    parser.add_argument("--ref", help="measure this git commit, installed (see above)")
    args = parser.parse_args()
    root = Path(os.environ.get("BENCH_ROOT", "/tmp/sendsite-bench"))
    command = SENDSITE
    if args.ref:
        from peers import Bench

        kit = os.environ.get("BENCH_KIT", str(REPO.parent / "shared" / "bench"))
        bench = Bench(argparse.Namespace(root=root, kit=kit, ref=args.ref))
        command = bench.sendsite
        print(f"sendsite {args.ref}: {command}", flush=True)
    corpus = args.source or root / "corpus" / f"sendsite-{args.n}"
    if not (corpus / "content").is_dir():
        raise SystemExit(f"no corpus at {corpus}: run python bench/peers.py --n {args.n} first")
    with tempfile.TemporaryDirectory(prefix="sendsite-cache-bench-") as tmp:
        site, out = Path(tmp) / "site", Path(tmp) / "out"
        shutil.copytree(corpus, site, ignore=shutil.ignore_patterns(".sendsite"))
        report = chosen_report(site / "content", args.edit)
        print(f"editing {report.relative_to(site)} ({args.edit}, {args.change})", flush=True)
        words = ("Green", "Amber")
        times: dict[str, list[float]] = {"cold": [], "one edit": [], "no change": []}
        last: dict[str, dict] = {}
        for r in range(args.runs):
            shutil.rmtree(site / ".sendsite", ignore_errors=True)
            wall, last["cold"] = build(site, out, fresh=True, command=command)
            times["cold"].append(wall)
            text = report.read_text(encoding="utf-8")
            old, new = words if r % 2 == 0 else words[::-1]
            if args.change == "sentence":
                changed = text + f"\n{NEW_SCHOOLS[r % len(NEW_SCHOOLS)]} has joined the pilot.\n"
            else:
                changed = re.sub(rf"\b{old}\b", new, text, count=1)
            if changed == text:
                raise SystemExit(f"{report.name} has no '{old}' to change")
            report.write_text(changed, encoding="utf-8")
            wall, last["one edit"] = build(site, out, command=command)
            times["one edit"].append(wall)
            edited = tree(out)
            wall, last["no change"] = build(site, out, command=command)
            times["no change"].append(wall)
            print(
                f"round {r}: cold {times['cold'][-1]:.2f} s, one edit "
                f"{times['one edit'][-1]:.2f} s, no change {times['no change'][-1]:.2f} s",
                flush=True,
            )
        build(site, Path(tmp) / "cold", "--no-cache", fresh=True, command=command)
        same = edited == tree(Path(tmp) / "cold")
    median = {k: statistics.median(v) for k, v in times.items()}
    print(
        f"\n{corpus} ({last['cold']['counts']['reports']:,} reports), {args.runs} rounds, medians:"
    )
    for name, value in median.items():
        record = last[name]
        print(
            f"  {name:10} {value:7.2f} s  read {record['read']:>6,}  rendered "
            f"{record['rendered']:>6,} of {record['pages']:,} pages  stages {record['stages']}"
        )
    print(f"  ratio one edit / cold   {median['one edit'] / median['cold']:.2f}x  (target <= 0.2)")
    print(f"  ratio no change / cold  {median['no change'] / median['cold']:.2f}x")
    print(f"  the edited build is byte for byte the cold build of the same files: {same}")


if __name__ == "__main__":
    main()
