"""Profile one full ``sendsite build`` of the benchmark corpus with cProfile.

    python bench/profile_build.py --n 2000                    # profile, print the summary
    python bench/profile_build.py --n 2000 --serial --save bench/results/profile.txt
    python bench/profile_build.py --n 2000 --threads           # every thread, summed
    python bench/profile_build.py --report OLD.prof            # print a saved profile again
    python bench/profile_build.py --n 2000 --compare OLD.prof  # new run, with OLD beside it

The corpus is ``peers.py``'s (the shared kit's N synthetic highlight reports,
converted for sendsite, cached under ``$BENCH_ROOT`` or ``/tmp/sendsite-bench``).
sendsite runs as a command, never imported, so the script profiles the code
before and after a restructuring alike:

    .venv/bin/python -c "<cProfile around sendsite.cli.commands.main>" OUT.prof build --json ...

(the command line called in one process: the ``sendsite`` program would make the site
in a child process, which cProfile does not see; see ``build.forked``).

The ``.prof`` file is kept under ``$BENCH_ROOT/profiles/`` (load it with ``pstats``
or snakeviz); the summary printed is: the build's own stage times, the top
functions by cumulative time and by own time, and own time summed by package
(sendsite's modules one by one, every other package as a whole), which stays
comparable when sendsite's modules move.

What cProfile sees, and what not:

- Only the main thread of the main process. A full build reads documents in
  forked worker processes (one fewer than the cores, from 200 documents) and in
  the main process, which takes its share from the other end: the workers' share
  shows as the main process waiting for results. ``--serial`` pins the build to one
  core, so sendsite reads in the main process and the reading is profiled
  too (the Pagefind binary is then pinned to that core as well).
- Pagefind indexes in a separate program, driven from a thread: the ``index``
  stage shows as waiting. ``--threads`` profiles every thread (each with a
  profiler of its own, added up at the end; forked workers are not profiled,
  so reading takes its real time): the thread driving Pagefind shows, and the
  times are then summed over threads, so they can exceed the wall time.
- Profiling slows Python-heavy code by roughly 1.5-2x; compare profiles with
  profiles, and take times from ``peers.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import peers  # the corpus and the venv paths (standard library only)

Key = tuple[str, int, str]

#: ``--threads``: ``python -m cProfile -m sendsite`` profiles every thread, not only the
#: main one. Each thread gets a profiler of its own (``threading.Thread.run`` is
#: wrapped before sendsite is imported); the profiles are added up at exit. Forked
#: processes (the reading workers) stop profiling, so the reading takes its real time.
THREADS_BOOT = """
import cProfile, os, pstats, sys, threading
out = sys.argv[1]
sys.argv = ["sendsite", *sys.argv[2:]]
profiles = [cProfile.Profile()]
original = threading.Thread.run
def run(self):
    profile = cProfile.Profile()
    profiles.append(profile)
    profile.enable()
    try:
        original(self)
    finally:
        profile.disable()
threading.Thread.run = run
os.register_at_fork(after_in_child=lambda: sys.setprofile(None))
from sendsite.cli.commands import main  # the command line, not the program: one process
code = 0
profiles[0].enable()
try:
    main()
except SystemExit as exit:
    code = exit.code
finally:
    profiles[0].disable()
    stats = pstats.Stats(profiles[0])
    for profile in profiles[1:]:
        try:
            stats.add(profile)
        except TypeError:  # a thread that ran no Python
            pass
    stats.dump_stats(out)
sys.exit(code)
"""


#: Without ``--threads``: the command line (``main``), not the ``sendsite`` program, so the
#: build runs in this one process (the program makes the site in a child process, which
#: cProfile would not see: see ``build.forked``).
ONE_PROCESS_BOOT = """
import cProfile, sys
out = sys.argv[1]
sys.argv = ["sendsite", *sys.argv[2:]]
from sendsite.cli.commands import main
profile = cProfile.Profile()
code = 0
profile.enable()
try:
    main()
except SystemExit as exit:
    code = exit.code
finally:
    profile.disable()
    profile.dump_stats(out)
sys.exit(code)
"""


def short(file: str) -> str:
    """A path as the package it belongs to: sendsite/render.py, jinja2/runtime.py, <stdlib>."""
    if file.startswith("<") or file == "~":
        return file
    path = Path(file)
    parts = path.parts
    if "site-packages" in parts:
        return "/".join(parts[parts.index("site-packages") + 1 :])
    try:
        return str(path.resolve().relative_to(peers.REPO))
    except ValueError:
        pass
    for i, part in enumerate(parts):
        if part.startswith("python3"):
            return "<stdlib>/" + "/".join(parts[i + 1 :])
    return file


def package(key: Key) -> str:
    """What to sum own time by: sendsite's module, another package's top folder, or
    for functions written in C, the type or module they belong to."""
    file, _, func = key
    if file == "~":
        if "acquire" in func and "lock" in func:
            return "(waiting on a lock: worker processes, threads)"
        words = func.replace("'", " ").split()
        if func.startswith("<method") and "of" in words:
            return f"(C) {words[words.index('of') + 1]}"
        if func.startswith("<built-in method"):
            return f"(C) {words[2].rsplit('.', 1)[0]}"
        return "(C) other"
    name = short(file)
    if name.startswith("<stdlib>/"):
        rest = name[len("<stdlib>/") :].split("/")
        return "<stdlib>/" + (rest[0] if len(rest) > 1 else rest[0].removesuffix(".py"))
    if name.startswith(("sendsite/", "sendsite_", "plugins/", "themes/")):
        return name
    return name.split("/")[0].removesuffix(".py")


def label(key: Key) -> str:
    file, line, func = key
    if file == "~":
        return func
    return f"{short(file)}:{line}({func})"


def summarize(path: Path, top: int) -> tuple[str, dict[str, float], float]:
    stats = pstats.Stats(str(path))
    raw: dict[Key, tuple] = stats.stats  # type: ignore[attr-defined]
    total = stats.total_tt  # type: ignore[attr-defined]
    lines = [f"profile {path}: {total:.2f} s of profiled time"]
    rows = sorted(raw.items(), key=lambda kv: kv[1][3], reverse=True)
    lines += ["", f"Top {top} by cumulative time (the function and everything it calls):"]
    lines.append(f"{'cumulative s':>13}{'%':>6}{'own s':>9}{'calls':>11}  function")
    for key, (_, nc, tt, ct, _) in rows[:top]:
        lines.append(f"{ct:13.2f}{100 * ct / total:6.1f}{tt:9.2f}{nc:11,}  {label(key)}")
    own = [
        kv
        for kv in rows
        if short(kv[0][0]).startswith(("sendsite/", "sendsite_", "plugins/", "themes/"))
    ]
    lines += ["", f"Top {top} of sendsite's own code (sendsite/, plugins/, themes/) by cumulative:"]
    lines.append(f"{'cumulative s':>13}{'%':>6}{'own s':>9}{'calls':>11}  function")
    for key, (_, nc, tt, ct, _) in own[:top]:
        lines.append(f"{ct:13.2f}{100 * ct / total:6.1f}{tt:9.2f}{nc:11,}  {label(key)}")
    rows = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)
    lines += ["", f"Top {top} by own time (in the function itself):"]
    lines.append(f"{'own s':>13}{'%':>6}{'cum s':>9}{'calls':>11}  function")
    for key, (_, nc, tt, ct, _) in rows[:top]:
        lines.append(f"{tt:13.2f}{100 * tt / total:6.1f}{ct:9.2f}{nc:11,}  {label(key)}")
    by_package: dict[str, float] = {}
    for key, (_, _, tt, _, _) in raw.items():
        by_package[package(key)] = by_package.get(package(key), 0.0) + tt
    return "\n".join(lines), by_package, total


def package_table(new: dict[str, float], total: float, old: dict[str, float] | None) -> str:
    lines = ["", "Own time by package (sendsite module by module; C functions by type):"]
    head = f"{'own s':>9}{'%':>6}"
    if old is not None:
        head += f"{'before s':>10}"
    lines.append(head + "  package")
    names = sorted(
        set(new) | set(old or {}), key=lambda k: -max(new.get(k, 0), (old or {}).get(k, 0))
    )
    for name in names[:40]:
        row = f"{new.get(name, 0):9.2f}{100 * new.get(name, 0) / total:6.1f}"
        if old is not None:
            row += f"{old.get(name, 0):10.2f}"
        lines.append(f"{row}  {name}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=2000, help="reports (default 2000)")
    parser.add_argument("--serial", action="store_true", help="one core: profile reading too")
    parser.add_argument(
        "--threads", action="store_true", help="profile every thread (Pagefind's driver too)"
    )
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--root", default=os.environ.get("BENCH_ROOT", "/tmp/sendsite-bench"))
    parser.add_argument(
        "--kit", default=os.environ.get("BENCH_KIT", str(peers.REPO.parent / "shared" / "bench"))
    )
    parser.add_argument("--sendsite", default=str(peers.REPO / ".venv" / "bin" / "sendsite"))
    parser.add_argument("--ref", help="profile this git commit (see peers.py --ref)")
    parser.add_argument("--report", type=Path, help="only print the summary of this .prof")
    parser.add_argument("--compare", type=Path, help="an earlier .prof to show beside this one")
    parser.add_argument("--save", type=Path, help="also write the summary into this file")
    args = parser.parse_args()

    header: list[str] = []
    if args.report:
        prof = args.report
    else:
        bench = peers.Bench(args)
        src = bench.sendsite_corpus(args.n)
        out = bench.out("sendsite-profile", args.n)
        folder = bench.root / "profiles"
        folder.mkdir(exist_ok=True)
        version = bench.versions([])["sendsite"].split()[1]
        stamp = time.strftime("%Y%m%d-%H%M%S")
        mode = ("serial-" if args.serial else "") + ("threads-" if args.threads else "")
        prof = folder / f"sendsite-{args.n}-{version}-{mode}{stamp}.prof"
        if args.threads:
            cmd = [str(bench.python), "-c", THREADS_BOOT, str(prof), "build"]
        else:
            cmd = [str(bench.python), "-c", ONE_PROCESS_BOOT, str(prof), "build"]
        cmd += ["--json", "--source", str(src), "--output", str(out)]
        shutil.rmtree(src / ".sendsite" / "cache", ignore_errors=True)  # a cold build
        cpus = sorted(os.sched_getaffinity(0))

        def pin() -> None:
            if args.serial:
                os.sched_setaffinity(0, {cpus[0]})

        aside = None
        if os.path.lexists(out):  # the build would time deleting the old output
            aside = out.with_name(f"{out.name}.trash-{os.getpid()}")
            os.rename(out, aside)
        peers.log(f"profiling: {' '.join(cmd)}")
        started = time.perf_counter()
        load = peers.loadavg()
        result = subprocess.run(cmd, capture_output=True, text=True, preexec_fn=pin, cwd=src)
        wall = time.perf_counter() - started
        if aside is not None:
            shutil.rmtree(aside, ignore_errors=True)
        if result.returncode != 0:
            raise SystemExit(f"the build failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}")
        built = json.loads(result.stdout)
        stages = ", ".join(f"{k} {v:.2f}" for k, v in built.get("stages", {}).items())
        header = [
            f"sendsite build of {args.n:,} reports under cProfile "
            f"({'one core: reading in the main process' if args.serial else 'as built: reading in forked workers, not profiled'}"  # noqa: E501
            f"{'; every thread, summed' if args.threads else '; main thread only'})",
            f"sendsite {bench.versions([])['sendsite']}; {time.strftime('%Y-%m-%d %H:%M')}; "
            f"load average before: {load}",
            f"wall {wall:.2f} s (profiled); build {built.get('seconds', 0):.2f} s; "
            f"stages (s): {stages}; {built.get('pages')} pages",
            "",
        ]
    text, by_package, total = summarize(prof, args.top)
    old = None
    if args.compare:
        _, old, old_total = summarize(args.compare, 0)
        header.append(f"compared with {args.compare}: {old_total:.2f} s of profiled time before")
    summary = "\n".join(header) + text + "\n" + package_table(by_package, total, old) + "\n"
    print(summary)
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
