"""What build and check print: a summary, a progress bar on a terminal only, --quiet, --json."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from .conftest import REPO, SiteMaker, run_cli
from .test_bad_inputs import BAD, GOOD_REPORT

SCHEMA = json.loads((REPO / "docs" / "result.schema.json").read_text())
#: A warning (a date not understood) beside a good report.
ODD_DATE = (
    GOOD_REPORT.replace("31 st March 2021", "31/13/2021")
    .replace("title: Good report", "title: Odd date")
    .replace("28th May 2021", "25th June 2021")
)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _sendsite(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The real command, as a shell runs it, with standard output and error as pipes."""
    return subprocess.run(
        [sys.executable, "-m", "sendsite", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )


#: What the ``site`` fixture holds, as --json counts it.
COUNTS = {"areas": 1, "reports": 2, "pages": 0, "milestones": 2, "risks": 0}


@pytest.fixture
def site(make_site: SiteMaker) -> Path:
    return make_site({"content/southend/good.md": GOOD_REPORT, "content/southend/odd.md": ODD_DATE})


def test_a_build_ends_with_a_summary_and_no_control_characters_on_a_pipe(site: Path) -> None:
    result = _sendsite("build", "--source", str(site))
    assert result.returncode == 0, result.stderr
    assert not CONTROL.search(result.stdout.replace("\n", "")), result.stdout
    assert not CONTROL.search(result.stderr.replace("\n", "")), result.stderr
    out = result.stdout
    assert re.search(r"Built \d+ pages \(\d+ files\) into .* in [\d.]+ s, with 1 warning\.", out)
    assert re.search(r"Areas +1 +Milestones and actions +2", out)
    assert re.search(r"Reports +2 +Risks +0", out)
    assert re.search(r"Warnings +1", out)
    for stage in ("Reading documents", "Rendering pages", "Writing files", "Indexing for search"):
        assert re.search(rf"{stage} +[\d.]+ s", out), stage
    assert re.search(r"Output [\d.]+ [KM]B in \d+ files; the search index [\d.]+ [KM]B", out)
    assert "could not understand the date '31/13/2021'" in result.stderr


def _run_in_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run the command with a pseudo-terminal as its standard error; return status and text."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "sendsite", *args],
        stdout=subprocess.DEVNULL,
        stderr=terminal,
        env={**os.environ, **env},
    )
    os.close(terminal)
    chunks = []
    while True:
        ready, _, _ = select.select([controller], [], [], 60)
        if not ready:
            process.kill()
            raise AssertionError("no output for 60 s")
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed: the command has ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    return process.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


def test_a_terminal_shows_a_progress_bar_per_stage(site: Path) -> None:
    status, shown = _run_in_terminal(
        ["build", "--source", str(site)], {"SENDSITE_PROGRESS_DELAY": "0"}
    )
    assert status == 0, shown
    assert re.search(r"Reading documents +\[#+\] +2/2", shown), shown
    assert re.search(r"Rendering pages +\[#+\] +\d+/\d+", shown), shown
    assert re.search(r"Writing files +\[#+\] +\d+/\d+", shown), shown
    assert "Indexing for search" in shown
    assert "\r" in shown  # redrawn in place
    # Each bar, as it is left on the screen, says something no other bar of the build says.
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown)
    left = [line.rstrip("\r").split("\r")[-1] for line in plain.split("\n")]  # \r\n: a pty
    bars = [line.split("[")[0].strip() for line in left if re.search(r"\[[#-]+\]", line)]
    assert "Preparing search" in bars and "Writing search pages" in bars, shown
    assert len(bars) == len(set(bars)), bars


def test_a_fast_stage_on_a_terminal_shows_no_bar(site: Path) -> None:
    status, shown = _run_in_terminal(["build", "--source", str(site)], {})
    assert status == 0, shown
    assert "[#" not in shown and "[-" not in shown, shown


def test_quiet_prints_nothing_but_errors(site: Path) -> None:
    result = _sendsite("build", "--quiet", "--source", str(site))
    assert result.returncode == 0
    assert (result.stdout, result.stderr) == ("", "")
    (site / "content" / "southend" / "bad.md").write_text((BAD / "unknown_status.md").read_text())
    failed = _sendsite("build", "--quiet", "--source", str(site))
    assert failed.returncode == 1
    assert "bad.md:10:14: error: " in failed.stderr
    assert ": warning:" not in failed.stderr
    assert failed.stdout == ""


def test_json_after_a_build_follows_the_documented_shape(site: Path) -> None:
    result = _sendsite("build", "--json", "--source", str(site))
    assert result.returncode == 0
    assert result.stderr == ""
    record = json.loads(result.stdout)
    jsonschema.validate(record, SCHEMA)
    assert record["ok"] is True
    assert record["command"] == "build"
    assert record["counts"] == COUNTS
    assert set(record["stages"]) == {"read", "render", "generate", "write", "index"}
    assert record["search"]["records"] > 0
    assert record["output_bytes"] > record["search"]["bytes"] > 0
    written = [p.stat().st_size for p in Path(record["output"]).rglob("*") if p.is_file()]
    assert record["output_bytes"] == sum(written)  # every file, the index's too
    [warning] = record["problems"]
    assert warning["level"] == "warning"
    assert warning["file"] == "content/southend/odd.md"
    assert (warning["line"], warning["column"]) == (10, 23)
    assert "31/13/2021" in warning["message"]
    assert warning["fix"]


def test_json_after_a_failure_lists_every_problem(site: Path) -> None:
    (site / "content" / "southend" / "bad.md").write_text((BAD / "unknown_status.md").read_text())
    (site / "content" / "southend" / "empty.md").write_text("")
    for command in ("build", "check"):
        result = _sendsite(command, "--json", "--source", str(site))
        assert result.returncode == 1
        assert result.stderr == ""
        record = json.loads(result.stdout)
        jsonschema.validate(record, SCHEMA)
        assert (record["ok"], record["command"]) == (False, command)
        errors = [p for p in record["problems"] if p["level"] == "error"]
        assert {(p["file"], p["line"]) for p in errors} == {
            ("content/southend/bad.md", 10),
            ("content/southend/empty.md", 1),
        }
        assert all(p["fix"] for p in errors)


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_reader_that_stops_reading_is_no_failure(site: Path, command: str) -> None:
    """``sendsite build | head -1``: the summary's reader has gone before it is printed.
    The work was done, so the command neither fails nor blames a file."""
    started = subprocess.Popen(
        [sys.executable, "-m", "sendsite", command, "--source", str(site)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert started.stdout is not None
    started.stdout.close()  # as `head` does once it has its line
    _, shown = started.communicate(timeout=120)
    assert started.returncode == 0, shown
    assert "Broken pipe" not in shown and "Exception ignored" not in shown, shown
    assert "odd.md" in shown  # the warning, on standard error, still reaches the reader
    if command == "build":
        assert (site / "site" / "index.html").is_file()


def test_json_with_strict_and_a_warning_is_a_failure(site: Path) -> None:
    """--strict turns the site's one warning into a failure: the record says so (a CI job
    reading ``ok`` must not take it for a pass) and still counts what was read."""
    for command in ("build", "check"):
        result = _sendsite(command, "--json", "--strict", "--source", str(site))
        assert result.returncode == 1
        record = json.loads(result.stdout)
        jsonschema.validate(record, SCHEMA)
        assert (record["ok"], record["command"]) == (False, command)
        assert record["counts"] == COUNTS  # read whole, so counted
        [warning] = record["problems"]
        assert (warning["level"], warning["file"]) == ("warning", "content/southend/odd.md")


def test_json_for_a_mistake_outside_content(make_site: SiteMaker) -> None:
    root = make_site({"sendsite.yml": "theem: x\n"})
    result = _sendsite("check", "--json", "--source", str(root))
    assert result.returncode == 1
    record = json.loads(result.stdout)
    jsonschema.validate(record, SCHEMA)
    [problem] = record["problems"]
    assert problem["file"] == "sendsite.yml"
    assert "unknown option 'theem'" in problem["message"]


def test_check_json_counts_the_site(site: Path) -> None:
    result = run_cli("check", "--json", "--source", str(site))
    assert result.exit_code == 0
    record = json.loads(result.output)
    jsonschema.validate(record, SCHEMA)
    assert record["counts"]["reports"] == 2
    assert record["problems"][0]["level"] == "warning"


def test_serve_on_a_busy_port_says_so_before_building(site: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = _sendsite("serve", "--source", str(site), "--port", str(port))
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Built" not in result.stdout + result.stderr


def test_serve_shows_progress_for_its_first_build(site: Path) -> None:
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "sendsite", "serve", "--source", str(site), "--port", "0"],
        stdout=terminal,
        stderr=terminal,
        env={**os.environ, "SENDSITE_PROGRESS_DELAY": "0"},
    )
    os.close(terminal)
    shown = ""
    try:
        while "Serving the site at" not in shown:
            ready, _, _ = select.select([controller], [], [], 60)
            assert ready, shown
            shown += os.read(controller, 65536).decode("utf-8", "replace")
    finally:
        process.terminate()
        process.wait(timeout=30)
        os.close(controller)
    assert re.search(r"Rendering pages +\[#+\] +\d+/\d+", shown), shown
    assert re.search(r"Built \d+ pages in [\d.]+ s", shown), shown


#: The program started as the ``sendsite`` command starts it, Ctrl-C arriving while it
#: loads its command line (as a reader pressing it at once would).
CTRL_C_WHILE_STARTING = """\
import builtins, sys
load, loading = builtins.__import__, sys.argv[1]
def interrupted(name, *args, **kwargs):
    if name == loading:
        raise KeyboardInterrupt
    return load(name, *args, **kwargs)
builtins.__import__ = interrupted
sys.argv = ["sendsite", "build"]
from sendsite.cli.program import run
run()
"""


@pytest.mark.parametrize(
    "loading",
    [
        "sendsite.cli.commands",
        # The plugin API's modules: the package used to load them before the program
        # could catch anything.
        "sendsite.content.model",
        "sendsite.hookspecs",
    ],
)
def test_ctrl_c_while_the_program_starts_is_one_word_not_a_traceback(loading: str) -> None:
    started = subprocess.run(
        [sys.executable, "-c", CTRL_C_WHILE_STARTING, loading],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert started.returncode == 1
    assert started.stderr.strip() == "Aborted!"


def test_a_message_quoting_a_pasted_page_is_cut_short(site: Path) -> None:
    """An unknown status word of 200,000 characters was a 200 KB error message."""
    report = site / "content" / "southend" / "good.md"
    report.write_text(report.read_text().replace("rag: Green", "rag: " + "word " * 40_000, 1))
    for extra in ((), ("--json",)):
        result = _sendsite("check", *extra, "--source", str(site))
        assert result.returncode == 1
        assert "unknown status 'word word" in result.stdout + result.stderr
        assert len(result.stdout + result.stderr) < 5_000


CHATTY = """\
print("hello from import")

from sendsite import hookimpl


@hookimpl
def register_pages(site):
    print("hello from a hook")
    return []
"""


@pytest.mark.parametrize("command", ["build", "check", "plugins"])
def test_json_is_all_standard_output_holds_whatever_a_plugin_prints(
    site: Path, command: str
) -> None:
    (site / "plugins").mkdir()
    (site / "plugins" / "chatty.py").write_text(CHATTY)
    done = subprocess.run(
        [sys.executable, "-m", "sendsite", command, "--source", str(site), "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    json.loads(done.stdout)  # nothing before or after the object
    assert "hello from import" in done.stderr


#: A site's plugin whose format reads slowly: Ctrl-C comes while workers are reading.
SLOW_FORMAT = """\
import time

from sendsite import Format, hookimpl
from sendsite_southend import FORMAT


def read(document):
    time.sleep(0.05)
    return FORMAT.read(document)


@hookimpl
def register_formats():
    return [Format("slow-highlight", "Slow report", read, FORMAT.template, FORMAT.status_keys,
                   date_field=FORMAT.date_field)]
"""


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_ctrl_c_while_workers_read_is_one_line_or_one_json_object(
    make_site: SiteMaker, as_json: bool
) -> None:
    import signal
    import time

    report = (REPO / "content" / "southend" / "highlight-report-2021-05.md").read_text()
    report = report.replace("format: southend-highlight", "format: slow-highlight")
    files = {f"content/southend/r{n:03}.md": report for n in range(400)}
    root = make_site({**files, "plugins/slow.py": SLOW_FORMAT})
    (root / "site").mkdir()
    (root / "site" / "index.html").write_text("the last site")
    command = [sys.executable, "-m", "sendsite", "build", "--source", str(root), "--no-cache"]
    process = subprocess.Popen(
        command + (["--json"] if as_json else []),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a group of its own, as a terminal's Ctrl-C reaches
    )
    time.sleep(3)  # started, and reading: 400 reports at 0.05 s each take 10 s on 2 cores
    os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 1
    assert "Traceback" not in err, err
    if as_json:
        problems = json.loads(out)["problems"]
        assert [p["message"] for p in problems] == [
            "stopped by Ctrl-C: nothing was written, and the last site is as it was"
        ]
    else:
        assert err.strip().endswith("Aborted!") and out == ""
    assert (root / "site" / "index.html").read_text() == "the last site"
