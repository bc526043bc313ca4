"""The ``sendsite`` program builds in a child process that has ended before Pagefind runs.

So the memory that reading and rendering used is the system's again while the
indexer (itself a big process) runs; only runs that fit beside the child in memory
(``background.MEMORY``) go on while it writes the site. These tests run the real
program, with a stand-in for Pagefind's program that records which processes are
alive, then runs the real Pagefind.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import signal
import subprocess
import sys
import time
import weakref
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from sendsite.build.forked import ChildTraceback, in_child, yield_cores
from sendsite.builtin.search.pagefind_program import program
from sendsite.errors import ContentError, SendsiteError

from .conftest import SiteMaker
from .test_bad_inputs import GOOD_REPORT
from .test_local_plugins import TINY, tiny_site

#: Pagefind's stand-in: records its parent, the parent's other children and whether the
#: processes that ran plugins (``WITNESS``) are still alive, then runs the real program.
STAND_IN = """\
import json, os, sys
def parent_of(pid):
    try:
        stat = open(f"/proc/{pid}/stat").read().rpartition(")")[2].split()
    except OSError:
        return None, "gone"
    return int(stat[1]), stat[0]
parent = os.getppid()
others = [
    int(e) for e in os.listdir("/proc")
    if e.isdigit() and int(e) != os.getpid() and parent_of(e)[0] == parent
]
witnessed = {int(p) for p in open(os.environ["WITNESS"]).read().split()}
alive = [p for p in witnessed if parent_of(p)[1] not in ("gone", "Z")]
with open(os.environ["STAND_IN_RECORD"], "a") as record:
    record.write(json.dumps({"parent": parent, "others": others, "witnessed": sorted(witnessed),
                             "alive": alive}) + "\\n")
os.execv(os.environ["REAL_PAGEFIND"], [os.environ["REAL_PAGEFIND"], *sys.argv[1:]])
"""
#: A plugin that writes down the process it runs in.
WITNESS = """\
import os
from sendsite import hookimpl

@hookimpl
def register_pages(site):
    with open(os.environ["WITNESS"], "a") as record:
        record.write(f"{os.getpid()}\\n")
    return []
"""


def _program_run(
    *args: str, env: dict[str, str] | None = None, check_ok: bool = True
) -> subprocess.CompletedProcess[str]:
    process = subprocess.run(
        [sys.executable, "-m", "sendsite", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
        timeout=300,
    )
    if check_ok:
        assert process.returncode == 0, process.stderr
    return process


#: A plugin that leaves Pagefind no memory beside the build: as on a big site.
NO_ROOM = """\
from sendsite.builtin.search import background
background.MEMORY = 0
"""


def _stand_in(tmp_path: Path) -> tuple[dict[str, str], Path, Path]:
    """The environment that puts ``STAND_IN`` in Pagefind's place; its record and the
    witness's."""
    stand_in = tmp_path / "pagefind-stand-in"
    stand_in.write_text(f"#!{sys.executable}\n{STAND_IN}")
    stand_in.chmod(0o755)
    record, witness = tmp_path / "record.jsonl", tmp_path / "witness.txt"
    env = {
        "PAGEFIND_BINARY_PATH": str(stand_in),
        "REAL_PAGEFIND": str(program()),
        "STAND_IN_RECORD": str(record),
        "WITNESS": str(witness),
    }
    return env, record, witness


def test_pagefind_runs_from_the_program_once_the_process_that_built_the_site_has_ended(
    make_site: SiteMaker, tmp_path: Path
) -> None:
    plugins = {"plugins/tiny.py": TINY, "plugins/witness.py": WITNESS, "plugins/big.py": NO_ROOM}
    root = tiny_site(make_site, plugins)
    env, record, _ = _stand_in(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "sendsite", "build", "--quiet", "--source", str(root)],
        env={**os.environ, **env},
        stderr=subprocess.PIPE,
        text=True,
    )
    _, errors = process.communicate(timeout=300)
    assert process.returncode == 0, errors
    runs = [json.loads(line) for line in record.read_text().splitlines()]
    assert runs, "Pagefind ran"
    for run in runs:
        assert run["parent"] == process.pid, "the program itself runs Pagefind"
        assert run["witnessed"] and process.pid not in run["witnessed"], "plugins ran elsewhere"
        assert run["alive"] == [], "the process that read and rendered has ended"
        assert run["others"] == [], "nothing else of the build is alive beside Pagefind"
    assert list((root / "site" / "pagefind").glob("fragment/*.pf_fragment"))


def test_pagefind_that_fits_in_memory_runs_while_the_child_writes_the_site(
    make_site: SiteMaker, tmp_path: Path
) -> None:
    root = tiny_site(make_site, {"plugins/tiny.py": TINY, "plugins/witness.py": WITNESS})
    env, record, witness = _stand_in(tmp_path)
    process = _program_run("build", "--quiet", "--source", str(root), env=env)
    runs = [json.loads(line) for line in record.read_text().splitlines()]
    assert runs, "Pagefind ran"
    children = {int(p) for p in witness.read_text().split()}
    for run in runs:
        assert run["parent"] in children, "the child that built the site ran Pagefind"
    assert "Indexing for search" not in process.stdout  # --quiet
    assert list((root / "site" / "pagefind").glob("fragment/*.pf_fragment"))
    assert not [p for p in root.iterdir() if p.name.startswith(".site.new-")], "nothing left"


def test_the_programs_content_errors_keep_their_file_line_and_fix(make_site: SiteMaker) -> None:
    bad = GOOD_REPORT.replace("meeting_date:", "meeting_date: [", 1)
    root = make_site({"content/southend/good.md": GOOD_REPORT, "content/southend/bad.md": bad})
    process = _program_run("build", "--source", str(root), check_ok=False)
    assert process.returncode == 1
    assert "southend/bad.md:" in process.stderr and ": error:" in process.stderr
    assert "Stopped: 1 error. Nothing was written." in process.stderr + process.stdout
    assert "Traceback" not in process.stderr
    assert not (root / "site").exists()


def test_the_programs_verbose_shows_where_a_plugin_failed(make_site: SiteMaker) -> None:
    pages = "from sendsite import hookimpl\n\n@hookimpl\ndef register_pages(site):\n    1 / 0\n"
    root = tiny_site(make_site, {"plugins/tiny.py": TINY, "plugins/pages.py": pages})
    quiet = _program_run("build", "--source", str(root), check_ok=False)
    assert quiet.returncode == 1
    assert "plugin 'pages', hook 'register_pages': raised ZeroDivisionError" in quiet.stderr
    assert "Traceback" not in quiet.stderr
    verbose = _program_run("build", "--source", str(root), "--verbose", check_ok=False)
    assert verbose.returncode == 1
    assert "Traceback" in verbose.stderr and "1 / 0" in verbose.stderr, verbose.stderr
    assert "ZeroDivisionError: division by zero" in verbose.stderr


def test_in_child_gives_back_the_childs_result() -> None:
    parent = os.getpid()
    assert in_child(lambda: (os.getpid() != parent, [1, 2, 3])) == (True, [1, 2, 3])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own priority")
def test_a_child_yields_the_cores_to_what_it_started_and_no_other_process_does() -> None:
    """The forked child's thread runs at a lower priority once it asks (the build does
    once Pagefind runs beside its writing); the calling program never does."""
    import threading

    def priority() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    before = priority()
    assert yield_cores() is False and priority() == before
    assert in_child(lambda: (yield_cores(), priority())) == (True, min(before + 10, 19))
    assert priority() == before


def _refuse() -> None:
    try:
        int("many")
    except ValueError as exc:
        raise ContentError("count: not a number", file="a.md", line=3, fix="Write 3.") from exc


def test_in_child_raises_the_childs_error_with_its_place_and_cause() -> None:
    with pytest.raises(ContentError) as caught:
        in_child(_refuse)
    error = caught.value
    assert (error.file, error.line, error.fix) == ("a.md", 3, "Write 3.")
    assert str(error) == "a.md:3: count: not a number\n  How to fix: Write 3."
    assert isinstance(error.__cause__, ChildTraceback)
    assert 'int("many")' in str(error.__cause__) and "_refuse" in str(error.__cause__)


def _crash() -> None:
    {}["missing"]


def test_in_child_keeps_where_a_crash_happened() -> None:
    with pytest.raises(KeyError) as caught:
        in_child(_crash)
    assert isinstance(caught.value.__cause__, ChildTraceback)
    assert "_crash" in str(caught.value.__cause__)


def test_in_child_reports_a_child_killed_before_it_answered() -> None:
    killed = r"stopped before it finished \(killed by signal SIGKILL"
    with pytest.raises(SendsiteError, match=killed):
        in_child(lambda: os.kill(os.getpid(), signal.SIGKILL))


def _alive_with(text: str) -> list[int]:
    """Processes (not zombies) whose command line holds ``text``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
            state = Path(f"/proc/{entry}/stat").read_text().rpartition(")")[2].split()[0]
        except OSError:
            continue
        if text.encode() in command and state != "Z":
            found.append(int(entry))
    return found


#: A plugin that says when the build reaches it, then takes a long time.
SLOW = """\
import os, time
from pathlib import Path
from sendsite import hookimpl

@hookimpl
def register_pages(site):
    Path(os.environ["REACHED"]).write_text(str(os.getpid()))
    time.sleep(60)
    return []
"""


def test_killing_the_program_stops_the_child_building_for_it(
    make_site: SiteMaker, tmp_path: Path
) -> None:
    root = tiny_site(make_site, {"plugins/tiny.py": TINY, "plugins/slow.py": SLOW})
    reached = tmp_path / "reached"
    process = subprocess.Popen(
        [sys.executable, "-m", "sendsite", "build", "--source", str(root)],
        env={**os.environ, "REACHED": str(reached)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not reached.exists() and time.monotonic() < deadline:
        time.sleep(0.01)  # until the child is building (in the slow plugin)
    child = int(reached.read_text())
    assert child != process.pid, "the child builds"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    deadline = time.monotonic() + 5
    while _alive_with(str(root)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _alive_with(str(root)) == [], "no process goes on building for a killed program"


#: Pagefind's stand-in that says where it is, then takes a long time.
SLOW_PAGEFIND = """\
import os, time
open(os.environ["REACHED"], "w").write(str(os.getpid()))
time.sleep(120)
"""


def _gone(pid: int, within: float = 5.0) -> bool:
    """Whether process ``pid`` has ended (or is a zombie) within ``within`` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("where", ["beside the child", "after the child"])
def test_killing_the_program_ends_the_pagefind_it_started(
    where: str, make_site: SiteMaker, tmp_path: Path
) -> None:
    """A Pagefind left running would go on writing into a folder the next build makes
    its site from, and so into files that site then shares with the published one."""
    plugins = {"plugins/tiny.py": TINY}
    if where == "after the child":
        plugins["plugins/big.py"] = NO_ROOM
    root = tiny_site(make_site, plugins)
    stand_in, reached = tmp_path / "pagefind-stand-in", tmp_path / "reached"
    stand_in.write_text(f"#!{sys.executable}\n{SLOW_PAGEFIND}")
    stand_in.chmod(0o755)
    process = subprocess.Popen(
        [sys.executable, "-m", "sendsite", "build", "--source", str(root)],
        env={**os.environ, "PAGEFIND_BINARY_PATH": str(stand_in), "REACHED": str(reached)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not (reached.exists() and reached.read_text()) and time.monotonic() < deadline:
        time.sleep(0.01)
    pagefind = int(reached.read_text())
    try:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        assert _gone(pagefind), "Pagefind ended with the program that started it"
    finally:
        with contextlib.suppress(OSError):
            os.kill(pagefind, signal.SIGKILL)


COPY_FOREVER = """\
import time
from pathlib import Path
from sendsite.build.copying import Copying
copying = Copying([(Path("/dev/zero"), Path("/dev/null"), None)], lambda count: None)
print(copying._process.pid, flush=True)
time.sleep(120)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's prctl")
def test_the_copying_process_ends_with_the_build_that_started_it() -> None:
    """Killed, a build leaves no process copying files into a folder the next build uses
    (here a copy that never ends: /dev/zero into /dev/null)."""
    build = subprocess.Popen(
        [sys.executable, "-c", COPY_FOREVER], stdout=subprocess.PIPE, text=True
    )
    assert build.stdout is not None
    copying = int(build.stdout.readline())
    try:
        build.send_signal(signal.SIGKILL)
        build.wait(timeout=60)
        assert _gone(copying), "the copying process ended with the build"
    finally:
        build.stdout.close()
        with contextlib.suppress(OSError):
            os.kill(copying, signal.SIGKILL)


def _where(job: int) -> tuple[int, int]:
    return job, os.getpid()


#: The file each ``_logged`` job appends its number and process to (one short line, whole).
_LOG: list[Path] = []


def _logged(job: int) -> tuple[int, int]:
    time.sleep(0.001)  # long enough that this process, done with its own, takes some too
    with _LOG[0].open("a") as log:
        log.write(f"{job} {os.getpid()}\n")
    return job, os.getpid()


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: no workers")
@pytest.mark.parametrize(("big", "recycle"), [(False, True), (True, True), (True, False)])
def test_map_forked_shares_the_jobs_between_workers_and_this_process_and_keeps_the_order(
    big: bool, recycle: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from sendsite.build import parallel
    from sendsite.build.parallel import MIN_PARALLEL, map_forked

    if big:  # as on a big site: each worker ends after one chunk (unless not recycled)
        monkeypatch.setattr(parallel, "RECYCLE_JOBS", MIN_PARALLEL)
    monkeypatch.setattr(sys.modules[__name__], "_LOG", [tmp_path / "log"])
    jobs = list(range(MIN_PARALLEL * 2))
    done: list[int] = []
    here_too = lambda job: job % 50 == 0  # noqa: E731
    results = map_forked(_logged, jobs, done=done.append, here=here_too, recycle=recycle)
    assert [job for job, _ in results] == jobs, "results in job order"
    assert sum(done) == len(jobs), "each job counted once"
    log = [tuple(map(int, line.split())) for line in (tmp_path / "log").read_text().splitlines()]
    assert sorted(job for job, _ in log) == jobs, "each job done once, by one process"
    assert sorted(log) == sorted(results), "and its result is the one that process made"
    me = os.getpid()
    assert {pid for job, pid in results if here_too(job)} == {me}, "asked for here: done here"
    away = [(job, pid) for job, pid in results if not here_too(job)]
    workers = {pid for _, pid in away} - {me}
    mine = [job for job, pid in away if pid == me]
    assert workers and mine, "the workers and this process each did some of the others"
    assert min(mine) > max(job for job, pid in away if pid != me), (
        "the workers took them from the front, this process from the back, until they met"
    )
    replaced = big and recycle  # else one fewer workers than the cores, for the whole run
    assert (len(workers) > parallel.cores() - 1) == replaced, (
        "on a big site, each worker is replaced after one chunk"
    )


def _pids(results: list[tuple[int, int]]) -> Counter[int]:
    return Counter(pid for _, pid in results)


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: no workers")
@pytest.mark.parametrize("big", [False, True])
def test_map_batched_tallies_each_batch_where_it_was_made(
    big: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from sendsite.build import parallel
    from sendsite.build.parallel import MIN_PARALLEL, map_batched

    if big:  # each worker ends after one batch, as on a big site
        monkeypatch.setattr(parallel, "RECYCLE_JOBS", MIN_PARALLEL)
    monkeypatch.setattr(sys.modules[__name__], "_LOG", [tmp_path / "log"])
    jobs = list(range(MIN_PARALLEL * 3))
    results, tallies = map_batched(_logged, jobs, _pids)
    assert [job for job, _ in results] == jobs, "results in job order"
    logged = (tmp_path / "log").read_text().splitlines()
    assert sorted(int(line.split()[0]) for line in logged) == jobs, "each job done once"
    made_by = {pid for _, pid in results}
    assert os.getpid() in made_by and len(made_by) > 1, "made in workers and in this process"
    assert len(tallies) > 2, "a tally for each batch, not one at the end"
    for tally in tallies:  # each made in the process that made its batch, of that batch alone
        assert len(tally) == 1
    summed = sum(tallies, Counter[int]())
    assert summed == _pids(results), "every result tallied once"
    workers = len(summed) - 1
    assert (workers > parallel.cores() - 1) == big, (
        "on a big site, each worker is replaced after one batch"
    )


def test_map_batched_without_workers_tallies_every_result_once() -> None:
    from sendsite.build.parallel import map_batched

    results, tallies = map_batched(_where, list(range(5)), _pids)
    assert [job for job, _ in results] == list(range(5))
    assert tallies == [{os.getpid(): 5}], "few jobs: made here, one tally"


_PARENT: list[int] = []


def _private_dirty_kb() -> int:
    with open("/proc/self/smaps_rollup", encoding="ascii") as rollup:
        return sum(int(line.split()[1]) for line in rollup if line.startswith("Private_Dirty:"))


def _memory_a_collection_copies(_job: int) -> int | None:
    if os.getpid() == _PARENT[0]:
        time.sleep(0.005)  # not so quick that this process takes every job
        return None  # this process's share: its objects are its own
    before = _private_dirty_kb()
    gc.collect()
    return _private_dirty_kb() - before


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: no workers")
@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="no smaps_rollup")
def test_a_workers_collections_leave_the_builds_objects_shared() -> None:
    from sendsite.build.parallel import MIN_PARALLEL, map_forked

    # As the build's documents: many objects the collector tracks (about 40 MB), made
    # after anything was frozen, and alive while the workers are forked.
    held = [[] for _ in range(600_000)]  # type: ignore[var-annotated]
    _PARENT[:] = [os.getpid()]
    try:
        made = map_forked(_memory_a_collection_copies, list(range(MIN_PARALLEL)))
    finally:
        del held
    copied = [kb for kb in made if kb is not None]
    assert copied, "some jobs ran in workers"
    # A collection that looked at the inherited objects would write into each of them,
    # making the worker a private copy of every page they are on (about 40 MB).
    assert max(copied) < 8 * 1024, f"a worker's collection copied {max(copied)} KB"


class _Cyclic:
    other: object = None


#: Weak references to the cycles this process's share of ``_cycle`` jobs made.
_CYCLES: list[weakref.ref[_Cyclic]] = []


def _cycle(job: int) -> int:
    time.sleep(0.0005)
    made = _Cyclic()
    made.other = made  # garbage once the job ends, but only the collector can free it
    if os.getpid() == _PARENT[0]:
        _CYCLES.append(weakref.ref(made))
    return job


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: no workers")
def test_this_process_frees_its_shares_cycles_while_the_collector_is_paused() -> None:
    from sendsite.build.heap import collected_once
    from sendsite.build.parallel import MIN_PARALLEL, map_forked

    _PARENT[:] = [os.getpid()]
    _CYCLES.clear()
    jobs = list(range(MIN_PARALLEL * 4))
    with collected_once():  # as a build's stage: the collector paused
        assert map_forked(_cycle, jobs) == jobs
        made_here = len(_CYCLES)
        kept = sum(ref() is not None for ref in _CYCLES)
    assert made_here > 128, "this process did a good share of the jobs"
    assert kept < 64, f"{kept} of this process's {made_here} cycles kept to the stage's end"


def test_a_stage_collects_its_own_cycles_and_leaves_the_collector_as_it_found_it() -> None:
    from sendsite.build.heap import collected_once

    class Node:
        other: object = None

    def cycle() -> weakref.ref[Node]:
        a, b = Node(), Node()
        a.other, b.other = b, a
        return weakref.ref(a)

    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            with collected_once():
                assert not gc.isenabled(), "paused during the stage"
                dropped = cycle()
                assert dropped() is not None
            assert dropped() is None, "the stage's garbage is collected when it ends"
            assert gc.isenabled() == enabled
            with collected_once(collect=False):
                kept = cycle()
            assert kept() is not None, "without collect, what the stage made is not looked at"
            assert gc.isenabled() == enabled
            held: list[Node] = []
            with pytest.raises(ValueError), collected_once():
                held.append(Node())
                held[0].other = held[0]  # a cycle still in use when the stage fails
                failed = weakref.ref(held[0])
                raise ValueError("the stage failed")
            assert gc.isenabled() == enabled
            held.clear()
            gc.collect()
            assert failed() is None, "a failed stage's objects are not frozen, so are freed"
    finally:
        gc.enable()
        gc.unfreeze()


class _ForkingName(str):
    """A template name that forks this process while Jinja2 looks it up in its cache (as
    a big build's pool forks a worker while this process renders a page), once; the
    child looks up a template itself and reports whether it could."""

    child = 0
    env: Any = None

    def __hash__(self) -> int:
        if not _ForkingName.child:
            _ForkingName.child = os.fork()
            if _ForkingName.child == 0:  # the worker: look up a template, then leave
                code = 1
                try:
                    _ForkingName.env.get_template("base.html")
                    code = 0
                finally:
                    os._exit(code)
        return str.__hash__(self)


def test_a_worker_forked_while_a_template_is_looked_up_can_render(tmp_path: Path) -> None:
    from sendsite.build.render import make_environment
    from sendsite.config import SiteConfig

    env = make_environment(SiteConfig(root=tmp_path).theme_path() / "templates")
    env.get_template("base.html")
    _ForkingName.env, _ForkingName.child = env, 0
    env.get_template(_ForkingName("base.html"))
    child = _ForkingName.child
    assert child > 0, "the look-up forked"
    deadline = time.monotonic() + 20
    while (found := os.waitpid(child, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    if found[0] == 0:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
    assert found[0] == child, "the worker waited for a lock its parent held when it forked"
    assert os.waitstatus_to_exitcode(found[1]) == 0, "the worker could not look up a template"
