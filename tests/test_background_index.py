"""Pagefind indexing while the site is written, where its runs fit in memory beside the build
(``sendsite.builtin.search.background``): the same site, and nothing left running when a
build fails."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from sendsite.build import publish
from sendsite.build.writer import OutputError, scratch_folder, stage_site
from sendsite.builtin.search import background, indexer, pagefind, pagefind_program

from .conftest import copy_demo, run_cli
from .test_build_cache import REPORT, _tree
from .test_pagefind_contract import _records


def _build(source: Path, output: Path, *options: str) -> None:
    result = run_cli("build", "--source", str(source), "--output", str(output), *options)
    assert result.exit_code == 0, result.output


def _watch(monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], list[subprocess.Popen[bytes]]]:
    """Record each run started while the site is written, and each Pagefind process."""
    early: list[Any] = []
    processes: list[subprocess.Popen[bytes]] = []
    real_init, real_start = background.IndexRun.__post_init__, pagefind_program.start

    def post_init(self: background.IndexRun) -> None:
        early.append(self)
        real_init(self)

    def start(pages: Path, bundle: Path, language: str, **kw: Any) -> subprocess.Popen[bytes]:
        processes.append(real_start(pages, bundle, language, **kw))
        return processes[-1]

    monkeypatch.setattr(background.IndexRun, "__post_init__", post_init)
    monkeypatch.setattr(pagefind_program, "start", start)
    return early, processes


def test_runs_that_fit_index_while_the_site_is_written_and_make_the_same_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = copy_demo(tmp_path / "src")
    early, processes = _watch(monkeypatch)
    monkeypatch.setattr(background, "MEMORY", 0)  # no room: Pagefind once the site is written
    _build(source, tmp_path / "after", "--no-cache")
    assert early == [] and processes
    monkeypatch.setattr(background, "MEMORY", 1 << 40)
    _build(source, tmp_path / "beside", "--no-cache")
    assert len(early) == 1 and early[0].error is None and not early[0].folder.exists()
    assert _tree(tmp_path / "beside") == _tree(tmp_path / "after")
    # After an edit, with the cache: the part indexed again, beside the writing too.
    report = source / REPORT
    report.write_text(report.read_text(encoding="utf-8") + "\nZyzzogeton.\n", encoding="utf-8")
    _build(source, tmp_path / "beside")
    assert len(early) == 2
    _build(source, tmp_path / "cold", "--no-cache")
    assert _tree(tmp_path / "beside") == _tree(tmp_path / "cold")
    assert not [p for p in tmp_path.iterdir() if ".new-" in p.name], "a scratch folder was left"


def test_a_build_that_fails_while_pagefind_runs_beside_it_stops_pagefind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = copy_demo(tmp_path / "src")
    _build(source, tmp_path / "site")
    published = _tree(tmp_path / "site")
    report = source / REPORT
    report.write_text(report.read_text(encoding="utf-8") + "\nZyzzogeton.\n", encoding="utf-8")
    early, processes = _watch(monkeypatch)
    monkeypatch.setattr(background, "MEMORY", 1 << 40)

    def full_disk(*args: Any, **kwargs: Any) -> None:
        raise OutputError("cannot write the cache: No space left on device")

    monkeypatch.setattr(publish, "save_cache", full_disk)
    failed = run_cli("build", "--source", str(source), "--output", str(tmp_path / "site"))
    assert failed.exit_code == 1
    assert "No space left on device" in failed.output
    assert len(early) == 1 and early[0].stop.is_set() and not early[0].thread.is_alive()
    assert processes and all(p.poll() is not None for p in processes), "Pagefind still runs"
    assert not early[0].folder.exists()
    assert _tree(tmp_path / "site") == published  # the last good site stays
    assert not [p for p in tmp_path.iterdir() if ".new-" in p.name], "a scratch folder was left"


def test_runs_fit_when_the_two_biggest_at_once_fit_beside_what_is_held(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(background, "MEMORY", 1000 + 34 * 30)
    monkeypatch.setattr(background, "cores", lambda: 2)
    assert background.fits([10, 20, 5], {}, held=1000)  # 20 + 10 at once
    assert not background.fits([10, 21, 5], {}, held=1000)
    assert background.fits([10, 21, 5], {1: Path("last")}, held=1000)  # part 1 is copied
    assert not background.fits([10, 20, 5], {}, held=1001)
    monkeypatch.setattr(background, "cores", lambda: 1)
    assert background.fits([10, 21, 5], {}, held=1000)  # one at a time: 21
    assert not background.fits([], {}, held=1000)  # nothing to index
    assert not background.fits([10], {}, held=0)  # what is held is not known


def test_writing_the_site_keeps_the_folder_pagefind_writes_into(tmp_path: Path) -> None:
    """The index is made in a folder named as the writer's leftovers are (so a killed build's
    is removed by the next one); the site written meanwhile leaves it alone."""
    output = tmp_path / "site"
    index = scratch_folder(output)
    staging = stage_site(output, {PurePosixPath("a.txt"): b"A"}, keep=[index])
    assert index.is_dir() and staging.is_dir()
    shutil.rmtree(staging)
    staging = stage_site(output, {PurePosixPath("a.txt"): b"A"})
    assert not index.exists() and staging.is_dir()  # left behind: removed


def test_a_stopped_index_starts_no_more_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, processes = _watch(monkeypatch)
    staged = pagefind.stage_index(
        pagefind.layout(pagefind.record_pages(_records(), "en"), "en"), "en"
    )
    stop = threading.Event()
    stop.set()
    with pytest.raises(pagefind.SearchIndexError, match="stopped: the build failed"):
        staged.run(tmp_path / "site", stop)
    assert processes == [] and not staged.folder.exists()


def test_the_index_staged_while_the_site_is_written_makes_the_same_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where Pagefind waits for the site to be written, the word lists and the record
    pages are written meanwhile, in a thread: the same site as written one after the
    other, and no folder left beside it."""
    source = copy_demo(tmp_path / "src")
    monkeypatch.setattr(background, "MEMORY", 0)  # Pagefind once the site is written
    staged: list[background.StagingRun] = []
    real_init = background.StagingRun.__post_init__

    def post_init(self: background.StagingRun) -> None:
        staged.append(self)
        real_init(self)

    monkeypatch.setattr(background.StagingRun, "__post_init__", post_init)
    _build(source, tmp_path / "beside", "--no-cache")
    assert len(staged) == 1 and staged[0].error is None and not staged[0].folder.exists()
    assert (tmp_path / "beside" / "search" / "words" / "a.json").is_file()
    monkeypatch.setattr(indexer.IndexStep, "stage_beside", lambda self, output: None)
    _build(source, tmp_path / "after", "--no-cache")
    assert len(staged) == 1
    assert _tree(tmp_path / "beside") == _tree(tmp_path / "after")
    assert not [p for p in tmp_path.iterdir() if ".new-" in p.name], "a scratch folder was left"


@pytest.mark.parametrize("failing", ["the site", "the index"])
def test_a_build_that_fails_while_the_index_is_staged_beside_it_leaves_nothing(
    failing: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure on either side (the disk full while the site is written, or while the
    record pages are) fails the build with the error, keeps the last site, and leaves no
    folder of either behind: the staging is waited for, and what it wrote removed."""
    source = copy_demo(tmp_path / "src")
    _build(source, tmp_path / "site")
    published = _tree(tmp_path / "site")
    report = source / REPORT
    report.write_text(report.read_text(encoding="utf-8") + "\nZyzzogeton.\n", encoding="utf-8")
    monkeypatch.setattr(background, "MEMORY", 0)
    records = tmp_path / "records"  # where a build without the cache writes record pages
    records.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(records))

    def full_disk(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    if failing == "the site":
        monkeypatch.setattr(publish, "stage_site", full_disk)
    else:
        monkeypatch.setattr(pagefind, "write_pages", full_disk)
    site = str(tmp_path / "site")
    failed = run_cli("build", "--source", str(source), "--output", site, "--no-cache")
    assert failed.exit_code == 1
    assert "No space left on device" in failed.output
    assert _tree(tmp_path / "site") == published  # the last good site stays
    assert not [p for p in tmp_path.iterdir() if ".new-" in p.name], "a scratch folder was left"
    assert list(records.iterdir()) == [], "the record pages were left"
