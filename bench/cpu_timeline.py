"""Benchmark: the cores one build keeps busy, moment by moment, beside its stages.

    python bench/cpu_timeline.py --n 2000                # the peer comparison's corpus
    python bench/cpu_timeline.py --source SITE --every 0.5 --keep-cache

Runs ``sendsite build`` (the working tree's, or ``--sendsite``) on a terminal of its
own, so it shows its progress, and every ``--every`` seconds reads the CPU time of its
whole process tree (the build, its workers, the copying process, Pagefind) from
``/proc``: Linux only. Prints one line a sample (the cores used since the last, and the
stage the progress line shows), then each stage's seconds and mean cores, and the
core-seconds left idle: where a build runs on one core of several, there is room to do
something beside it. By default the corpus's build cache is removed first, as
``peers.py`` does, so the build is cold; ``--keep-cache`` measures the next build as it
comes (after an edit, say).

No unit test asserts a time: this is for people deciding what to work on.
"""

from __future__ import annotations

import argparse
import os
import pty
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH_ROOT = Path(os.environ.get("BENCH_ROOT", "/tmp/sendsite-bench"))
#: A progress line's label: the words before its bar ("Rendering pages   [###---]").
_LABEL = re.compile(r"^\s*([A-Z][A-Za-z ]+?)\s+\[")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def tree_cpu(root: int) -> float:
    """Seconds of CPU used by ``root`` and its descendants, the ended ones' included
    (a process's ended children are counted in its own ``cutime``/``cstime``)."""
    children: dict[int, list[int]] = {}
    used: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(name)
        children.setdefault(int(fields[1]), []).append(pid)
        used[pid] = sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += used.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total / _TICK


def run(command: list[str], every: float) -> tuple[list[tuple[float, float, str]], int]:
    """Run ``command`` on a terminal; its samples (seconds, cores, stage) and exit code."""
    main, side = pty.openpty()
    started = time.monotonic()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=side, stderr=side)
    os.close(side)
    stage = [""]

    def read() -> None:
        pending = ""
        while True:
            try:
                data = os.read(main, 4096)
            except OSError:  # the terminal closed: the build ended
                return
            if not data:
                return
            pending += _ANSI.sub("", data.decode("utf-8", "replace"))
            *lines, pending = re.split(r"[\r\n]", pending)
            for line in lines:
                if found := _LABEL.match(line):
                    stage[0] = found.group(1)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    samples: list[tuple[float, float, str]] = []
    last_cpu, last_at = 0.0, 0.0
    while process.poll() is None:
        time.sleep(every)
        at = time.monotonic() - started
        cpu = tree_cpu(process.pid) if process.poll() is None else last_cpu
        samples.append((at, max(0.0, (cpu - last_cpu) / (at - last_at)), stage[0]))
        last_cpu, last_at = cpu, at
    reader.join(timeout=2)
    os.close(main)
    return samples, process.returncode


def report(samples: list[tuple[float, float, str]], cores: int, every: float) -> str:
    """The samples as lines, then each stage's seconds and mean cores, and what was idle."""
    lines = []
    for at, used, stage in samples:
        bar = "#" * round(used * 20)
        lines.append(f"{at:7.2f} s  {bar:<{20 * cores + 1}} {used:4.2f}  {stage}")
    lines.append("")
    spans: list[list] = []  # [stage, seconds, core-seconds], a row each time it changes
    start = 0.0
    for at, used, stage in samples:
        name = stage or "starting"
        if not spans or spans[-1][0] != name:
            spans.append([name, 0.0, 0.0])
        spans[-1][1] += at - start
        spans[-1][2] += used * (at - start)
        start = at
    lines.append(f"{'stage (as the progress line shows it)':40} {'seconds':>8} {'cores':>6}")
    for name, seconds, work in spans:
        lines.append(f"{name:40} {seconds:8.2f} {work / seconds if seconds else 0.0:6.2f}")
    total = samples[-1][0] if samples else 0.0
    busy = sum(work for _, _, work in spans)
    lines.append(
        f"{'whole build':40} {total:8.2f} {busy / total if total else 0:6.2f}   "
        f"CPU {busy:.1f} s; idle {cores * total - busy:.1f} core-seconds of {cores} cores"
    )
    one = sum(every for _, used, _ in samples if used < 1.2)
    lines.append(f"time on about one core or less (under 1.2 cores): {one:.1f} s")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=2000, help="the corpus size (peers.py's)")
    parser.add_argument("--source", type=Path, help="a sendsite site folder instead")
    parser.add_argument("--every", type=float, default=0.25, help="seconds between samples")
    parser.add_argument("--sendsite", default=str(REPO / ".venv" / "bin" / "sendsite"))
    parser.add_argument("--keep-cache", action="store_true", help="keep the build cache")
    args = parser.parse_args()
    if not Path("/proc/self/stat").is_file():
        parser.error("this reads /proc: Linux only")
    source = args.source or BENCH_ROOT / "corpus" / f"sendsite-{args.n}"
    if not (source / "content").is_dir():
        parser.error(f"no site at {source} (run bench/peers.py --n {args.n} once to make it)")
    if not args.keep_cache:
        shutil.rmtree(source / ".sendsite" / "cache", ignore_errors=True)
    output = BENCH_ROOT / "out" / f"cpu-timeline-{source.name}"
    if not args.keep_cache:
        shutil.rmtree(output, ignore_errors=True)
    command = [args.sendsite, "build", "--source", str(source), "--output", str(output)]
    samples, code = run(command, args.every)
    cores = os.cpu_count() or 1
    print(f"{' '.join(command)}\n{cores} cores, a sample every {args.every} s\n")
    print(report(samples, cores, args.every))
    return code


if __name__ == "__main__":
    sys.exit(main())
