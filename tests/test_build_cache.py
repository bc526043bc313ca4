"""The build cache: a second ``sendsite build`` re-reads and re-renders only what changed,
and the site it writes is byte for byte the one a cold build writes."""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import pickle
import time
from collections.abc import Iterator
from pathlib import Path, PurePath, PurePosixPath
from typing import Any

import jsonschema
import pytest

from sendsite.build import changes, copying, pieces, render, writer
from sendsite.build.deferred import Reusable, Streamed
from sendsite.build.reused import ReusedPieces
from sendsite.builtin.exports import array_parts
from sendsite.builtin.search import pagefind as search_pagefind
from sendsite.builtin.search import pagefind_program

from .conftest import copy_demo, run_cli
from .test_cli_output import SCHEMA

REPORT = Path("content", "southend", "highlight-report-2021-05.md")


def _build(source: Path, output: Path, *options: str) -> dict[str, Any]:
    result = run_cli("build", "--source", str(source), "--output", str(output), "--json", *options)
    assert result.exit_code == 0, result.output
    record: dict[str, Any] = json.loads(result.output)
    return record


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _same_as_cold(source: Path, built: Path, tmp_path: Path) -> None:
    cold = tmp_path / "cold"
    record = _build(source, cold, "--no-cache")
    assert record["rendered"] == record["pages"]  # --no-cache renders everything
    one, two = _tree(built), _tree(cold)
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []


@pytest.fixture
def site(tmp_path: Path) -> Path:
    source = copy_demo(tmp_path / "src")
    first = _build(source, tmp_path / "site")
    assert first["read"] >= 5 and first["rendered"] == first["pages"]  # no cache yet: cold
    assert (source / ".sendsite" / "cache" / "build.pickle").is_file()
    return source


def test_an_edit_reads_one_file_and_the_site_is_the_cold_build(site: Path, tmp_path: Path) -> None:
    report = site / REPORT
    text = report.read_text(encoding="utf-8")
    assert "rag: Yellow" in text
    report.write_text(text.replace("rag: Yellow", "rag: Red", 1), encoding="utf-8")
    again = _build(site, tmp_path / "site")
    assert again["read"] == 1
    assert 0 < again["rendered"] < again["pages"]  # the other areas' report pages were kept
    assert again["search"]["reused"] is False  # the records changed: indexed afresh
    _same_as_cold(site, tmp_path / "site", tmp_path)


#: A site's own plugin that saves the report again while a build runs (once asked to, by
#: the file ``save-now``), as an author saving a correction mid-build.
SAVER = f"""\
from pathlib import Path
from sendsite import hookimpl

ROOT = Path(__file__).resolve().parent.parent

@hookimpl
def register_pages(site):
    asked = ROOT / "save-now"
    if asked.exists():
        asked.unlink()
        report = ROOT / {str(REPORT)!r}
        report.write_text(report.read_text(encoding="utf-8").replace("rag: Red", "rag: Green", 1),
                          encoding="utf-8")
    return []
"""


def test_a_report_saved_while_the_build_read_it_is_read_again_next_time(
    tmp_path: Path,
) -> None:
    source = copy_demo(tmp_path / "src")
    (source / "plugins").mkdir()
    (source / "plugins" / "saver.py").write_text(SAVER, encoding="utf-8")
    _build(source, tmp_path / "site")
    report = source / REPORT
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace("rag: Yellow", "rag: Red", 1), encoding="utf-8")
    (source / "save-now").touch()
    during = _build(source, tmp_path / "site")  # reads the edit; it is saved again meanwhile
    assert during["read"] == 1 and not (source / "save-now").exists()
    assert "rag: Green" in report.read_text(encoding="utf-8")
    after = _build(source, tmp_path / "site")
    assert after["read"] == 1, "the report saved during the last build was taken as read"
    _same_as_cold(source, tmp_path / "site", tmp_path)


def test_nothing_changed_reads_and_renders_nothing(site: Path, tmp_path: Path) -> None:
    before = _tree(tmp_path / "site")
    words = tmp_path / "site" / "search" / "words" / "e.json"
    inode = words.stat().st_ino
    again = _build(site, tmp_path / "site")
    assert (again["read"], again["rendered"]) == (0, 0)
    assert again["search"]["reused"] is True  # the same records: the last index, copied
    assert words.stat().st_ino == inode  # and its word lists, with it
    cold = _build(site, tmp_path / "cold", "--no-cache")
    assert again["search"]["words"] == cold["search"]["words"] > 100
    assert _tree(tmp_path / "site") == before
    result = run_cli("build", "--source", str(site), "--output", str(tmp_path / "site"))
    assert "From the last build's cache:" in result.output
    assert "--no-cache" in result.output


def test_added_and_deleted_reports_match_a_cold_build(site: Path, tmp_path: Path) -> None:
    report = site / REPORT
    copy = report.with_name("highlight-report-2021-06.md")
    copy.write_text(
        report.read_text(encoding="utf-8").replace("28th May 2021", "25th June 2021"),
        encoding="utf-8",
    )
    added = _build(site, tmp_path / "site")
    assert added["read"] == 1 and added["counts"]["reports"] == 6
    _same_as_cold(site, tmp_path / "site", tmp_path / "one")
    copy.unlink()
    removed = _build(site, tmp_path / "site")
    assert removed["read"] == 0 and removed["counts"]["reports"] == 5
    _same_as_cold(site, tmp_path / "site", tmp_path / "two")


def test_a_glossary_edit_matches_a_cold_build(site: Path, tmp_path: Path) -> None:
    glossary = site / "content" / "_glossary.yml"
    text = glossary.read_text(encoding="utf-8")
    assert "CYP: Children and young people\n" in text
    glossary.write_text(
        text.replace("CYP: Children and young people\n", "CYP: Children and young persons\n")
        + "SEMH: Social, emotional and mental health needs\n",
        encoding="utf-8",
    )
    again = _build(site, tmp_path / "site")
    assert again["read"] == 0 and again["rendered"] > 0  # no report read again
    assert again["search"]["reused"] is False
    _same_as_cold(site, tmp_path / "site", tmp_path)


EXPORTS = ["milestones.csv", "risks.csv", "items.json", "changes.csv", "changes.json"]


def test_an_edit_copies_the_other_reports_export_lines_from_the_last_site(
    site: Path, tmp_path: Path
) -> None:
    """A build after an edit makes the data exports' lines of the edited report only; the
    other reports' are copied from the last site's files as they are on disk (seen here
    through a change made in place, the file's size and date kept). A file changed any
    other way is made whole again."""
    report = site / REPORT
    may = report.read_text(encoding="utf-8")
    june = may.replace("28th May 2021", "25th June 2021").replace("rag: Yellow", "rag: Red", 1)
    report.with_name("highlight-report-2021-06.md").write_text(june, encoding="utf-8")
    july = report.with_name("highlight-report-2021-07.md")
    july.write_text(june.replace("25th June 2021", "30th July 2021"), encoding="utf-8")
    out = tmp_path / "site"
    _build(site, out)
    files = [out / "data" / name for name in EXPORTS]
    # In place, in each file, a line of a report other than July's: Havering's, June's.
    marks = [b",Havering,", b",Havering,", b'"Havering"', b",Southend,", b'"Southend"']
    for path, mark in zip(files, marks, strict=True):
        data, found = path.read_bytes(), path.stat()
        at = data.index(mark)
        line = data[data.rindex(b"\n", 0, at) : data.index(b"\n", at)]
        assert b"highlight-report-2021-07" not in line, path.name
        with path.open("r+b") as file:
            file.write(data.replace(mark, mark.upper(), 1))
        os.utime(path, ns=(found.st_atime_ns, found.st_mtime_ns))
    old, new = "completed_by: Mid-April 2021.", "completed_by: Mid-June 2021."
    assert old in june
    july.write_text(july.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    _build(site, out)
    cold = tmp_path / "cold"
    _build(site, cold, "--no-cache")
    for path, mark in zip(files, marks, strict=True):
        copied = path.read_bytes()
        if path.name != "risks.csv":  # July's lines, made again (the milestone has slipped)
            assert b"Mid-June 2021" in copied, path.name
        assert mark.upper() in copied, path.name  # the others', copied
        assert copied.replace(mark.upper(), mark, 1) == (cold / "data" / path.name).read_bytes()
    os.utime(files[0])  # its date changed: the last copy is not trusted, and made whole
    july.write_text(june.replace("25th June 2021", "30th July 2021"), encoding="utf-8")
    _build(site, out)
    assert b"HAVERING" not in files[0].read_bytes()
    for path, mark in zip(files[1:], marks[1:], strict=True):
        path.write_bytes(path.read_bytes().replace(mark.upper(), mark))
    _build(site, out)
    _same_as_cold(site, out, tmp_path / "again")


def _latest_by_report(out: Path) -> dict[str, set[str]]:
    """Each report's rows' ``latest`` column in ``data/milestones.csv``."""
    text = (out / "data" / "milestones.csv").read_text(encoding="utf-8-sig")
    found: dict[str, set[str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        found.setdefault(row["report"], set()).add(row["latest"])
    return found


def test_a_reports_export_lines_say_whether_a_newer_report_followed_it(
    site: Path, tmp_path: Path
) -> None:
    """The exports' ``latest`` column (the rows the dashboard counts): a report's lines
    are made again, not copied from the last site, when a newer report follows it, and
    when that one goes."""
    out, may = tmp_path / "site", "highlight-report-2021-05"
    assert _latest_by_report(out)[may] == {"yes"}
    report = site / REPORT
    june = report.with_name("highlight-report-2021-06.md")
    june.write_text(
        report.read_text(encoding="utf-8").replace("28th May 2021", "25th June 2021"),
        encoding="utf-8",
    )
    _build(site, out)
    latest = _latest_by_report(out)
    assert latest[may] == {"no"} and latest["highlight-report-2021-06"] == {"yes"}
    items = json.loads((out / "data" / "items.json").read_text(encoding="utf-8"))
    assert {m["latest"] for m in items["milestones"] if m["report"] == may} == {False}
    _same_as_cold(site, out, tmp_path / "with-june")
    june.unlink()
    _build(site, out)
    assert _latest_by_report(out)[may] == {"yes"}
    _same_as_cold(site, out, tmp_path / "without")


def test_an_export_array_is_copied_in_runs_between_the_edited_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A JSON export's unchanged elements and the commas between them are copied from
    the last site's file in one copy a run, not one an element (at 2,000 reports,
    20,000 copies for items.json after an edit): here three runs around two edited
    lines. A last file changed since (its date not the one noted) is not copied from."""
    version = {n: 1 for n in range(300)}

    def lines() -> Iterator[bytes | Reusable]:
        for n in range(300):  # each line keyed by what makes it, as a report's entry
            yield (n, version[n]), (lambda n=n: f'{{"n": {n}, "v": {version[n]}}}'.encode())

    export = Streamed(lambda: array_parts(lines()))
    rel, old, new = PurePosixPath("data/items.json"), tmp_path / "old.json", tmp_path / "new.json"
    first = ReusedPieces()
    first.write(old, rel, export, None)
    copies: list[int] = []
    real = copying._copy_range

    def counted(source: int, target: int, count: int, at: int) -> int:
        copies.append(count)
        return real(source, target, count, at)

    monkeypatch.setattr(copying, "_copy_range", counted)
    version[100] = version[200] = 2
    ReusedPieces(first.made).write(new, rel, export, old)
    assert new.read_bytes() == b"".join(export.pieces())
    assert json.loads(new.read_bytes())[200] == {"n": 200, "v": 2}
    assert len(copies) == 3 and sum(copies) > 0.9 * new.stat().st_size
    with old.open("r+b") as changed:
        changed.write(b'[\n{"n": 9')
    copies.clear()
    again = tmp_path / "again.json"
    ReusedPieces(first.made).write(again, rel, export, old)
    assert again.read_bytes() == new.read_bytes() and copies == []


def test_templates_are_kept_compiled_for_the_next_build(site: Path, tmp_path: Path) -> None:
    """Compiled templates are kept under the cache's fingerprint; a build with another
    (here: a template edited) compiles into a folder of its own, and a folder no build
    has used for an hour is removed."""
    root = site / ".sendsite" / "cache" / "templates"
    (first,) = root.iterdir()
    assert len(list(first.glob("__jinja2_*.cache"))) >= 5
    old = root / "0123456789abcdef"
    old.mkdir()
    os.utime(old, (0, 0))
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates" / "footer-note.html").write_text("<p>Kept.</p>\n", encoding="utf-8")
    _build(site, tmp_path / "site")
    assert sorted(p.name for p in root.iterdir()) == sorted([first.name, _newest(root).name])
    assert _newest(root) != first and any(_newest(root).glob("__jinja2_*.cache"))
    _same_as_cold(site, tmp_path / "site", tmp_path)


def test_templates_that_cannot_be_kept_are_only_compiled(tmp_path: Path) -> None:
    """A folder for compiled templates that is gone (or full) costs the time it was to
    save, never the build: the templates are compiled and render as ever."""
    from sendsite.build.render import make_environment

    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "page.html").write_text("<p>{{ word }}</p>\n", encoding="utf-8")
    kept = tmp_path / "compiled"
    kept.mkdir()
    env = make_environment(theme, compiled=kept)
    assert env.get_template("page.html").render(word="kept") == "<p>kept</p>\n"
    assert len(list(kept.glob("__jinja2_*.cache"))) == 1
    next(kept.iterdir()).write_bytes(b"not bytecode")
    again = make_environment(theme, compiled=kept)
    assert again.get_template("page.html").render(word="again") == "<p>again</p>\n"
    gone = make_environment(theme, compiled=tmp_path / "gone")
    assert gone.get_template("page.html").render(word="gone") == "<p>gone</p>\n"


def _newest(folder: Path) -> Path:
    return max(folder.iterdir(), key=lambda p: p.stat().st_mtime_ns)


def test_a_renamed_area_matches_a_cold_build(site: Path, tmp_path: Path) -> None:
    """An area's name is in every line of its reports' exports: renamed, they are made
    again (its reports are read again), as a cold build makes them."""
    area = site / "content" / "southend" / "_area.yml"
    text = area.read_text(encoding="utf-8")
    assert "name: Southend" in text
    area.write_text(text.replace("name: Southend", "name: Southend-on-Sea", 1), encoding="utf-8")
    again = _build(site, tmp_path / "site")
    assert again["read"] >= 1
    assert b",Southend-on-Sea," in (tmp_path / "site" / "data" / "milestones.csv").read_bytes()
    _same_as_cold(site, tmp_path / "site", tmp_path)


@pytest.mark.parametrize("change", ["config", "template"])
def test_a_changed_config_or_template_builds_cold(site: Path, tmp_path: Path, change: str) -> None:
    if change == "config":
        config = site / "sendsite.yml"
        config.write_text(
            config.read_text(encoding="utf-8") + "\ndirectory_urls: false\n", encoding="utf-8"
        )
    else:
        (site / "templates").mkdir()
        (site / "templates" / "404.html").write_text(
            '{% extends "base.html" %}{% block content %}<h1>Not here</h1>{% endblock %}',
            encoding="utf-8",
        )
    again = _build(site, tmp_path / "site")
    assert again["rendered"] == again["pages"] and again["read"] >= 5
    _same_as_cold(site, tmp_path / "site", tmp_path)


def test_a_new_version_of_the_markdown_library_builds_cold(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another cmark-gfm may render a report differently: nothing kept is used."""
    from sendsite.build import cache

    real = cache._version
    monkeypatch.setattr(cache, "_version", lambda name: "9" if name == "cmarkgfm" else real(name))
    again = _build(site, tmp_path / "site")
    assert again["rendered"] == again["pages"] and again["read"] >= 5


def test_a_damaged_cache_is_ignored(site: Path, tmp_path: Path) -> None:
    (site / ".sendsite" / "cache" / "build.pickle").write_bytes(b"not a cache at all")
    again = _build(site, tmp_path / "site")
    assert again["rendered"] == again["pages"]
    _same_as_cold(site, tmp_path / "site", tmp_path)


def test_a_last_index_that_is_gone_is_made_again(site: Path, tmp_path: Path) -> None:
    import shutil

    shutil.rmtree(tmp_path / "site" / "pagefind")
    again = _build(site, tmp_path / "site")
    assert again["search"]["reused"] is False
    _same_as_cold(site, tmp_path / "site", tmp_path)


def test_a_build_that_fails_leaves_the_index_to_be_made_again(site: Path, tmp_path: Path) -> None:
    """The cache says which records the published index holds only once it is published."""
    report = site / REPORT
    good = report.read_text(encoding="utf-8")
    report.write_text(good.replace("rag: Yellow", "rag: Purple", 1), encoding="utf-8")
    failed = run_cli("build", "--source", str(site), "--output", str(tmp_path / "site"))
    assert failed.exit_code == 1
    report.write_text(good, encoding="utf-8")
    again = _build(site, tmp_path / "site")
    assert again["search"]["reused"] is True  # the site on disk is still the first build's
    _same_as_cold(site, tmp_path / "site", tmp_path)


def test_an_index_that_fails_keeps_the_last_cache_and_site(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next build's cache is written before the index is made, beside the one in
    use; a build that fails at the index leaves both the site and the cache as they were."""
    cache = site / ".sendsite" / "cache"
    kept, published = (cache / "build.pickle").read_bytes(), _tree(tmp_path / "site")
    chunks = _tree(cache / "chunks")
    left_in_memory = _in_memory()
    report = site / REPORT
    report.write_text(report.read_text(encoding="utf-8") + "\nZyzzogeton.\n", encoding="utf-8")
    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\necho 'out of memory' >&2\nexit 3\n", encoding="utf-8")
    broken.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(broken))
    failed = run_cli("build", "--source", str(site), "--output", str(tmp_path / "site"))
    assert failed.exit_code == 1
    assert "Pagefind failed (exit 3): out of memory" in failed.output
    assert sorted(p.name for p in cache.iterdir()) == [
        "build.pickle", "chunks", "index-pages", "pages", "templates",
    ]  # fmt: skip
    assert (cache / "build.pickle").read_bytes() == kept
    assert _tree(cache / "chunks") == chunks  # the failed build's own chunks removed
    assert _tree(tmp_path / "site") == published
    assert _in_memory() == left_in_memory  # the part's folder in memory, if any, removed
    monkeypatch.delenv("PAGEFIND_BINARY_PATH")
    again = _build(site, tmp_path / "site")
    assert again["read"] == 1  # the edited report only: the last good cache was used
    _same_as_cold(site, tmp_path / "site", tmp_path)


def _in_memory() -> set[str]:
    """The folders builds made in memory for parts of an index (``pagefind_program``)."""
    return {p.name for p in pagefind_program.MEMORY.glob("sendsite-index-*")}


@pytest.mark.parametrize("memory", [True, False], ids=["in-memory", "on-disk"])
def test_a_part_made_again_keeps_the_last_sites_files_that_did_not_change(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, memory: bool
) -> None:
    """An edit makes the index again (the demo's is one part). Where the machine has a
    file system in memory (Linux's /dev/shm), Pagefind writes there and each file the
    last site held byte for byte is linked from it: the other reports' results keep
    their files and dates, so a copy to a server by date sends only what changed. Without
    one (or elsewhere), the part is written in place. Either way the site is the cold
    build's, and nothing is left in memory."""
    if not memory:
        monkeypatch.setattr(pagefind_program, "MEMORY", tmp_path / "no-such-folder")
    elif pagefind_program.memory_folder() is None:
        pytest.skip("no file system in memory here (/dev/shm)")
    left = _in_memory()
    bundle = tmp_path / "site" / "pagefind"
    before = {p: (p.stat().st_ino, p.read_bytes()) for p in bundle.rglob("*") if p.is_file()}
    report = site / REPORT
    text = report.read_text(encoding="utf-8")
    old, new = "has been established, initially", "has now been established, initially"
    report.write_text(text.replace(old, new, 1), encoding="utf-8")
    edited = _build(site, tmp_path / "site")
    assert (edited["search"]["reused"], edited["search"]["parts_copied"]) == (False, 0)
    after = [p for p in bundle.rglob("*") if p.is_file()]
    same = [p for p in after if p in before and p.read_bytes() == before[p][1]]
    linked = [p for p in same if p.stat().st_ino == before[p][0]]
    fragments = [p for p in after if p.suffix == ".pf_fragment"]
    assert len(fragments) >= 10 and len(same) > len(fragments) / 2
    assert len(linked) == (len(same) if memory else 0)
    assert any(p not in before for p in fragments)  # the edited report's results: new
    assert _in_memory() == left
    _same_as_cold(site, tmp_path / "site", tmp_path / "cold-build")


def _held_by_a_build(folder: Path) -> bool:
    found = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(found, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(found)
    return False


def test_a_killed_builds_folder_in_memory_is_removed_by_the_next(tmp_path: Path) -> None:
    """A build killed while Pagefind wrote a part in memory leaves its folder there; the
    next build to make one removes it (no build holds its lock any more), and leaves
    alone one a running build holds, one just made, and a link."""
    gone, running, new = (tmp_path / f"sendsite-index-{n}" for n in ("1-abc", "2-def", "3-ghi"))
    for folder in (gone, running, new):
        (folder / "fragment").mkdir(parents=True)
        (folder / "fragment" / "en_1.pf_fragment").write_bytes(b"x")
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "sendsite-index-4-jkl").symlink_to(outside)
    for folder in (gone, running, tmp_path / "sendsite-index-4-jkl"):
        os.utime(folder, (0, 0), follow_symlinks=False)  # long ago
    holding = os.open(running, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(holding, fcntl.LOCK_EX)  # as the build making it does
    try:
        made, held = pagefind_program.made_in(tmp_path)
        try:
            assert not gone.exists() and running.is_dir() and new.is_dir() and outside.is_dir()
            assert made.is_dir() and made.name.startswith("sendsite-index-")
            assert _held_by_a_build(made) and _held_by_a_build(running)
        finally:
            os.close(held)
    finally:
        os.close(holding)
    assert not _held_by_a_build(made), "the lock goes with the handle (or the process)"


def test_an_index_in_parts_is_made_again_only_where_its_records_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big site's index is in parts (here small ones): an edit makes again the part
    holding the edited report's page and copies the others from the last site, whose
    files are kept as they were; a new word (which every part's page of every word
    holds) makes every part again. Each time the site is the cold build's."""
    monkeypatch.setattr(search_pagefind, "PART_BYTES", 40_000)
    source = copy_demo(tmp_path / "src")
    first = _build(source, tmp_path / "site")
    parts = first["search"]["parts"]
    assert parts >= 3 and first["search"]["parts_copied"] == 0
    report = source / REPORT
    text = report.read_text(encoding="utf-8")
    old, new = "has been established, initially", "has now been established, initially"
    assert old in text and " now " in text  # an edit with no word the site lacks
    report.write_text(text.replace(old, new, 1), encoding="utf-8")
    bundle = tmp_path / "site" / "pagefind"
    before = {p: p.stat().st_ino for p in bundle.rglob("*.pf_fragment")}
    edited = _build(source, tmp_path / "site")
    assert (edited["search"]["parts"], edited["search"]["parts_copied"]) == (parts, parts - 1)
    kept = [p for p, inode in before.items() if p.is_file() and p.stat().st_ino == inode]
    assert len(kept) > len(before) / 2, "the copied parts' files are the last site's"
    _same_as_cold(source, tmp_path / "site", tmp_path / "one")
    result = run_cli("build", "--source", str(source), "--output", str(tmp_path / "site"))
    assert "the same records as last time, so copied" in result.output
    report.write_text(text + "\nZyzzogeton.\n", encoding="utf-8")
    worded = _build(source, tmp_path / "site")
    assert (worded["search"]["parts"], worded["search"]["parts_copied"]) == (parts, 0)
    _same_as_cold(source, tmp_path / "site", tmp_path / "two")


def test_newest_first_an_edit_of_the_newest_report_makes_only_the_first_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Searched newest first (here with 100 KB in the first part), an edit of the newest
    report makes again only the first part, even with a word the site lacks (one in an
    older report makes its part and the first); a newer report that pushes a month out
    of the first part makes the parts it moved between. Each time the site is the cold build's, with
    its parts list saying where the newest reports start."""
    monkeypatch.setattr(search_pagefind, "FIRST_BYTES", 100_000)
    monkeypatch.setattr(search_pagefind, "PART_BYTES", 100_000)
    source = copy_demo(tmp_path / "src")
    first = _build(source, tmp_path / "site")
    parts = first["search"]["parts"]
    listed = tmp_path / "site" / "pagefind" / search_pagefind.PARTS

    def since() -> str:
        return str(json.loads(listed.read_text(encoding="utf-8"))["since"])

    assert parts >= 3 and since() == "2021-03-01" == first["search"]["since"]
    jsonschema.validate(first, SCHEMA)  # the result's shape (docs/result.schema.json)
    report = source / REPORT
    text = report.read_text(encoding="utf-8")
    old, new = "has been established, initially", "has now been established, initially"
    report.write_text(text.replace(old, new, 1), encoding="utf-8")
    words = tmp_path / "site" / "pagefind" / search_pagefind.WORDS_FOLDER
    kept = {p: p.stat().st_ino for p in words.rglob("*.pf_fragment")}
    edited = _build(source, tmp_path / "site")
    assert (edited["search"]["parts"], edited["search"]["parts_copied"]) == (parts, parts - 1)
    # No part's words changed ("now" was the report's already): the index of words is
    # the last site's, linked.
    assert kept and all(p.stat().st_ino == inode for p, inode in kept.items())
    _same_as_cold(source, tmp_path / "site", tmp_path / "one")
    # A word the site lacks, in the newest report: the first part alone is made again
    # (each older part knows only its own words) ...
    report.write_text(text + "\nZyzzogeton.\n", encoding="utf-8")
    worded = _build(source, tmp_path / "site")
    assert (worded["search"]["parts"], worded["search"]["parts_copied"]) == (parts, parts - 1)
    _same_as_cold(source, tmp_path / "site", tmp_path / "worded")
    # ... and in an older report, its part and the first (which knows every word).
    older = source / "content" / "lancashire" / "app-highlight-report-2020-12.md"
    older.write_text(older.read_text(encoding="utf-8") + "\nQuixotry.\n", encoding="utf-8")
    worded = _build(source, tmp_path / "site")
    assert (worded["search"]["parts"], worded["search"]["parts_copied"]) == (parts, parts - 2)
    _same_as_cold(source, tmp_path / "site", tmp_path / "older")
    report.write_text(text, encoding="utf-8")
    # A June report: May's and June's then fill the first part, and March's moves out.
    june = report.with_name("highlight-report-2021-06.md")
    june.write_text(text.replace("28th May 2021", "25th June 2021"), encoding="utf-8")
    later = _build(source, tmp_path / "site")
    assert since() == "2021-05-01" == later["search"]["since"]
    assert later["search"]["parts_copied"] < later["search"]["parts"] - 1
    _same_as_cold(source, tmp_path / "site", tmp_path / "two")
    # The summary tells the publisher what a first search looks in.
    said = run_cli("build", "--source", str(source), "--output", str(tmp_path / "site"))
    assert "the reports from 1 May 2021 on are searched first" in said.output, said.output


def test_a_build_into_another_folder_between_leaves_no_stale_index(
    site: Path, tmp_path: Path
) -> None:
    """What the last site's index was made from is read from that site, not from the
    cache, which the build into another folder wrote: its index is not copied back."""
    report = site / REPORT
    report.write_text(report.read_text(encoding="utf-8") + "\nZyzzogeton.\n", encoding="utf-8")
    elsewhere = _build(site, tmp_path / "elsewhere")
    assert elsewhere["search"]["reused"] is False
    again = _build(site, tmp_path / "site")  # its index is the first build's: made afresh
    assert again["search"]["reused"] is False
    _same_as_cold(site, tmp_path / "site", tmp_path)


def test_a_series_is_not_matched_again_where_its_rows_are_as_they_were(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Matching two reports' rows is kept in the cache by what it read of them: a build
    with nothing changed matches nothing again; an edited report is matched again with
    its previous one, and the one after it is not, its rows being as they were."""
    report = site / REPORT
    later = report.with_name("highlight-report-2021-06.md")
    text = report.read_text(encoding="utf-8").replace("28th May 2021", "25th June 2021")
    later.write_text(text, encoding="utf-8")
    last = report.with_name("highlight-report-2021-07.md")
    last.write_text(text.replace("25th June 2021", "30th July 2021"), encoding="utf-8")
    calls: list[int] = []
    real = changes.match_rows

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(changes, "match_rows", counted)
    _build(site, tmp_path / "site")
    assert len(calls) == 4  # June and July read, each matched: its items, then its risks
    calls.clear()
    _build(site, tmp_path / "site")
    assert calls == []
    old, new = "has been established, initially", "has now been established, initially"
    later.write_text(text.replace(old, new, 1), encoding="utf-8")
    _build(site, tmp_path / "site")
    assert len(calls) == 2  # June with May; July with June, whose rows are as they were: not
    calls.clear()
    _same_as_cold(site, tmp_path / "site", tmp_path)
    assert len(calls) == 4  # a cold build matches every report with its previous one


def test_an_edit_renders_again_only_the_series_pages_that_show_it(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report's page shows its neighbours, its changes since the one before and its rows'
    histories. The cache keeps what each page showed, so an edit renders again the pages
    of the reports that show the edited one, not every report of its area."""
    report = site / REPORT
    text = report.read_text(encoding="utf-8")
    months = ["06", "07", "08", "09"]
    for number, month in enumerate(months, start=1):
        later = report.with_name(f"highlight-report-2021-{month}.md")
        later.write_text(text.replace("28th May 2021", f"2{number}th {_MONTHS[month]} 2021"))
    _build(site, tmp_path / "site")
    rendered: list[str] = []
    real = render.render_page

    def counted(env: Any, template: str, path: Any, *args: Any, **kwargs: Any) -> Any:
        rendered.append(str(path))
        return real(env, template, path, *args, **kwargs)

    monkeypatch.setattr(render, "render_page", counted)
    july = report.with_name("highlight-report-2021-07.md")
    july.write_text(july.read_text(encoding="utf-8").replace("rag: Yellow", "rag: Red", 1))
    _build(site, tmp_path / "site")
    reports = sorted(p for p in rendered if p.startswith("southend/highlight-report-"))
    # July itself; August, whose changes are since July; September, whose rows' histories
    # show July; June, whose link to the next report names July. Not May.
    assert reports == [
        f"southend/highlight-report-2021-{m}/index.html" for m in ("06", "07", "08", "09")
    ]
    _same_as_cold(site, tmp_path / "site", tmp_path)


_MONTHS = {"06": "June", "07": "July", "08": "August", "09": "September"}


def _words(site_dir: Path, letter: str) -> dict[str, int]:
    listed = json.loads((site_dir / "search" / "words" / f"{letter}.json").read_text("utf-8"))
    return dict(listed["w"])


def test_the_word_lists_are_counted_again_only_for_the_edited_report(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build cache keeps how many records hold each word: after an edit, only the
    edited report's records are counted again (and the areas' and pages' few), and the
    lists are what a cold build writes: a new word listed, a word no longer used gone."""
    from sendsite.builtin.search.records import SearchRecord

    report = site / REPORT
    text = report.read_text(encoding="utf-8")
    report.write_text(text + "\nQuokkaville and Zyzzogeton.\n", encoding="utf-8")
    _build(site, tmp_path / "site")
    assert _words(tmp_path / "site", "q")["quokkaville"] >= 1
    counted: list[SearchRecord] = []
    real = SearchRecord.listed_words

    def spy(record: SearchRecord) -> set[str]:
        counted.append(record)
        return real(record)

    monkeypatch.setattr(SearchRecord, "listed_words", spy)
    report.write_text(text + "\nZyzzogeton only.\n", encoding="utf-8")
    again = _build(site, tmp_path / "site")
    assert again["read"] == 1 and again["search"]["records"] > 50
    # The edited report's records, old and new, and those that are not a report's
    # (areas, pages, topics): not all of them, as a cold build counts.
    edited = {r.url for r in counted if r.url.startswith("southend/highlight-report-2021-05/")}
    assert edited and len(counted) < again["search"]["records"], len(counted)
    assert not [
        r
        for r in counted
        if r.kind == "Report"
        and r.url.partition("#")[0] not in {"southend/highlight-report-2021-05/"}
    ]
    assert "quokkaville" not in _words(tmp_path / "site", "q")
    assert _words(tmp_path / "site", "z")["zyzzogeton"] >= 1
    monkeypatch.undo()
    _same_as_cold(site, tmp_path / "site", tmp_path)


def test_topics_are_matched_again_only_in_the_edited_report(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Which topics a report matches is kept with its entry in the build cache: a build
    with nothing changed matches no report again, one after an edit only that report."""
    from sendsite.builtin import crossarea

    matched: list[str] = []
    real = crossarea.report_matches

    def spy(entry: Any, *args: Any, **kwargs: Any) -> Any:
        matched.append(str(entry.document.relpath))
        return real(entry, *args, **kwargs)

    monkeypatch.setattr(crossarea, "report_matches", spy)
    _build(site, tmp_path / "site")
    assert matched == []
    report = site / REPORT
    text = report.read_text(encoding="utf-8")
    report.write_text(text + "\nAutism assessment waiting times.\n", encoding="utf-8")
    _build(site, tmp_path / "site")
    assert matched == [REPORT.relative_to("content").as_posix()]
    monkeypatch.undo()
    _same_as_cold(site, tmp_path / "site", tmp_path)


def _plain(thing: Any, seen: frozenset[int] = frozenset()) -> Any:
    """``thing`` as plain values, to compare two copies of it: objects by what they pickle
    (their ``__getstate__``), sets sorted; an object met again inside itself by its type."""
    if isinstance(thing, str | bytes | int | float | bool | type(None) | PurePath):
        return thing
    if id(thing) in seen:
        return type(thing).__name__
    seen |= {id(thing)}
    if isinstance(thing, dict):
        return {repr(_plain(k, seen)): _plain(v, seen) for k, v in thing.items()}
    if isinstance(thing, list | tuple):
        return [_plain(item, seen) for item in thing]
    if isinstance(thing, set | frozenset):
        return sorted(repr(_plain(item, seen)) for item in thing)
    if isinstance(thing, type) or callable(thing):
        return repr(thing)
    return [type(thing).__name__, _plain(thing.__getstate__(), seen)]


def test_the_cache_names_again_only_the_chunks_that_are_as_they_were(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache's reads, search records and record pages are pickled a few entries at a
    time, a file a chunk; a chunk whose entries are as the last build read them is that
    file again, any other pickled into a new one. After edits of each kind (a status, a
    file touched but the same, a report added to a series, one deleted, nothing) the
    cache holds what a cache written whole would, its folder holds only the files it
    names, and a build with nothing changed writes no chunk at all."""
    monkeypatch.setattr(pieces, "PIECE", 2)  # the demo's few reports in several chunks
    chunks = site / ".sendsite" / "cache" / "chunks"
    whole = tmp_path / "whole.pickle"
    real = pieces.PieceWriter.write_pieces

    def spied(writer: pieces.PieceWriter, last: Any = None) -> int:
        copied = real(writer, last)
        with whole.open("wb") as out:  # what the build held, written whole
            pickle.dump(([dict(p) for p in writer.pieces], copied), out)
        return copied

    monkeypatch.setattr(pieces.PieceWriter, "write_pieces", spied)

    def check() -> tuple[int, int]:
        with whole.open("rb") as file:
            held, copied = pickle.load(file)
        with (site / ".sendsite" / "cache" / "build.pickle").open("rb") as file:
            reader = pieces.PieceReader(file, chunks)
            reader.load()
            last = reader.fill()
        named = {chunk.name for read in last.read for chunk in read.chunks}
        assert {p.name for p in chunks.iterdir()} == named
        assert [list(p) for p in reader.pieces] == [list(p) for p in held]
        for kept, made in zip(reader.pieces, held, strict=True):
            for key in made:
                assert _plain(kept[key]) == _plain(made[key]), key
        return copied, sum(len(p) for p in held)

    report = site / REPORT
    _build(site, tmp_path / "site")  # nothing changed: the fixture's chunks named again
    copied, entries = check()
    assert copied == entries
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace("rag: Yellow", "rag: Red", 1))
    _build(site, tmp_path / "site")  # that chunk pickled again, in chunks of two
    check()
    report.write_text(text)
    _build(site, tmp_path / "site")
    copied, entries = check()
    assert 0 < copied < entries
    other = next(p for p in (site / "content").rglob("*.md") if "southend" not in p.parts)
    os.utime(other, ns=(other.stat().st_atime_ns, other.stat().st_mtime_ns + 10**9))
    _build(site, tmp_path / "site")  # its read keeps its bytes, with a new date
    assert check()[0] < entries
    later = report.with_name("highlight-report-2021-06.md")
    later.write_text(report.read_text(encoding="utf-8").replace("28th May 2021", "2nd June 2021"))
    _build(site, tmp_path / "site")
    check()
    report.unlink()
    _build(site, tmp_path / "site")
    check()
    files = {p.name: p.stat().st_mtime_ns for p in chunks.iterdir()}
    _build(site, tmp_path / "site")
    assert check() == (entries, entries)  # nothing changed: every chunk named again
    assert {p.name: p.stat().st_mtime_ns for p in chunks.iterdir()} == files
    _same_as_cold(site, tmp_path / "site", tmp_path)


def test_a_file_dated_and_sized_as_it_was_is_not_hashed_unless_dated_near_a_build(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As make and git do, a content file whose date and size are as the last build saw
    them is taken as unchanged without reading it. One dated within a few seconds of that
    build's start (it could have been written again within a tick of the clock) is
    hashed, so an edit that keeps its size and date is still seen."""
    from sendsite.build import cache

    sources = sorted((site / "content").rglob("*.md"))
    hour_ago = time.time_ns() - 3600 * 10**9
    for source in sources:
        os.utime(source, ns=(hour_ago, hour_ago))
    _build(site, tmp_path / "site")  # each date changed: hashed, the same bytes, kept
    hashed: list[Path] = []
    real = cache.content_hash

    def counted(path: Path) -> str:
        hashed.append(path)
        return real(path)

    monkeypatch.setattr(cache, "content_hash", counted)
    again = _build(site, tmp_path / "site")
    assert (again["read"], again["rendered"]) == (0, 0)
    assert [p for p in hashed if p in sources] == []  # none read to be hashed
    report = site / REPORT
    now = time.time_ns()
    os.utime(report, ns=(now, now))
    _build(site, tmp_path / "site")  # dated now: hashed, the same bytes
    assert report in hashed
    text = report.read_text(encoding="utf-8")
    assert "Wider risks captured" in text
    report.write_text(text.replace("Wider risks captured", "Wider risks recorded"), "utf-8")
    os.utime(report, ns=(now, now))  # the same size and date as the last build saw
    hashed.clear()
    later = _build(site, tmp_path / "site")
    assert report in hashed and later["read"] == 1
    assert "Wider risks recorded" in (tmp_path / "site" / "southend").joinpath(
        "highlight-report-2021-05", "index.html"
    ).read_text(encoding="utf-8")


def test_a_feeds_entries_are_made_again_only_for_the_edited_report(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report's entry in a feed (its changes since the report before) is kept with it in
    the cache: after an edit only the edited report's entries are made again, and the
    feeds are what a cold build writes."""
    from sendsite.builtin import whats_changed

    made: list[str] = []
    real = whats_changed._feed_entry

    def counted(site_: Any, path: PurePath, entry: Any) -> str:
        made.append(str(entry.document.relpath))
        return real(site_, path, entry)

    monkeypatch.setattr(whats_changed, "_feed_entry", counted)
    _build(site, tmp_path / "site")
    assert made == []  # nothing changed: every entry kept
    report = site / REPORT
    report.write_text(report.read_text(encoding="utf-8").replace("rag: Yellow", "rag: Red", 1))
    _build(site, tmp_path / "site")
    edited = str(REPORT.relative_to("content"))
    assert made == [edited, edited]  # in the site's feed and its area's
    _same_as_cold(site, tmp_path / "site", tmp_path)


def test_pages_are_kept_as_the_files_the_last_build_wrote(site: Path, tmp_path: Path) -> None:
    """The cache keeps a page as the last site's file, not its bytes: an unchanged page is
    that very file in the next site; a page changed or removed by hand is made again, as
    is every page once the site is gone; a build into another folder copies them."""
    out = tmp_path / "site"
    home, glossary = out / "index.html", out / "glossary" / "index.html"
    cache = site / ".sendsite" / "cache"
    kept = [cache / "build.pickle", *(cache / "chunks").iterdir()]
    assert len(kept) > 3 and not [f for f in kept if home.read_bytes() in f.read_bytes()]
    inode = home.stat().st_ino
    again = _build(site, out)
    assert again["rendered"] == 0 and home.stat().st_ino == inode
    glossary.write_text("Changed by hand.", encoding="utf-8")
    (out / "a-z" / "index.html").unlink()
    again = _build(site, out)
    assert again["rendered"] == 2
    _same_as_cold(site, out, tmp_path / "one")
    elsewhere = _build(site, tmp_path / "elsewhere")
    assert elsewhere["rendered"] == 0
    assert (tmp_path / "elsewhere" / "index.html").stat().st_ino != home.stat().st_ino
    _same_as_cold(site, tmp_path / "elsewhere", tmp_path / "two")
    again = _build(site, out)  # the cache names the other folder's files now
    assert again["rendered"] == 0
    _same_as_cold(site, out, tmp_path / "three")
    import shutil

    shutil.rmtree(out)
    shutil.rmtree(tmp_path / "elsewhere")
    again = _build(site, out)
    assert again["rendered"] == again["pages"]
    _same_as_cold(site, out, tmp_path / "four")


@pytest.mark.parametrize("exchange", [True, False], ids=["exchanged", "two renames"])
def test_the_site_replaced_is_kept_and_made_into_the_next_one(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    """A build with the cache keeps the site it replaces (in .sendsite/spare/, sharing its
    unchanged files) and makes the next site from it: what it holds that the new site does
    not (a stray file, a page changed there) is removed, the rest written; the site being
    replaced never has a file written in place; a spare that is not a site is not used.
    So too where the system cannot exchange two folders in one step."""
    if not exchange:
        monkeypatch.setattr(writer, "_renameat2", lambda: None)
    out = tmp_path / "site"
    spares = site / ".sendsite" / "spare"
    assert not spares.exists() or not any(spares.iterdir())  # the first build replaced none
    _build(site, out)
    (spare,) = spares.iterdir()
    assert _tree(spare) == _tree(out)
    home = out / "index.html"
    assert home.stat().st_ino == (spare / "index.html").stat().st_ino
    (spare / "stray.html").write_text("Not a page of the site.", encoding="utf-8")
    glossary = spare / "glossary" / "index.html"
    glossary.unlink()
    glossary.write_text("Changed in the spare.", encoding="utf-8")
    (spare / "a-z" / "index.html").unlink()
    before = {p.stat().st_ino: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    report = site / REPORT
    report.write_text(report.read_text(encoding="utf-8").replace("rag: Yellow", "rag: Red", 1))
    again = _build(site, out)
    assert again["read"] == 1
    _same_as_cold(site, out, tmp_path / "one")
    assert not (out / "stray.html").exists()
    after = {p.stat().st_ino: p.read_bytes() for p in spare.rglob("*") if p.is_file()}
    assert after == before  # the last site, kept whole: none of its files written in place
    (spare / ".sendsite-output").unlink()  # not a site sendsite wrote: not made into one
    (spare / "stray.html").write_text("Not a page of the site.", encoding="utf-8")
    again = _build(site, out)
    _same_as_cold(site, out, tmp_path / "two")
    assert not (out / "stray.html").exists() and not (spare / "stray.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site")) == [
        ".site.lock"
    ]  # nothing left beside the site


def test_sites_replaced_are_kept_for_the_two_outputs_replaced_last(
    site: Path, tmp_path: Path
) -> None:
    """A build keeps the site it replaces for the next build into that folder, and keeps
    two such sites at most, those of the outputs replaced last: a job building into a new
    folder each time does not leave a whole site behind each time."""
    from sendsite.build.spare import KEPT, spare_for

    assert KEPT == 2
    spares = site / ".sendsite" / "spare"

    def kept() -> set[Path]:
        return set(spares.iterdir())

    outputs = {name: tmp_path / name for name in ("site", "one", "two")}
    _build(site, outputs["site"])  # replaces the fixture's site: kept
    assert kept() == {spare_for(site, outputs["site"])}
    for name in ("one", "two"):
        _build(site, outputs[name])  # into an empty folder: nothing replaced
        _build(site, outputs[name])
    assert kept() == {spare_for(site, outputs["one"]), spare_for(site, outputs["two"])}
    report = site / REPORT
    report.write_text(report.read_text(encoding="utf-8").replace("rag: Yellow", "rag: Red", 1))
    again = _build(site, outputs["site"])  # its spare gone: the site made anew, as cold
    assert again["read"] == 1
    assert kept() == {spare_for(site, outputs["two"]), spare_for(site, outputs["site"])}
    _same_as_cold(site, outputs["site"], tmp_path / "cold")


def test_an_attachment_renamed_to_the_same_address_relinks_its_pages(
    site: Path, tmp_path: Path
) -> None:
    """'forward-plan.pdf' renamed 'Forward Plan.pdf' keeps its address (forward-plan.pdf),
    but the link written 'Forward Plan.pdf' now finds it: the report is made again, not
    kept from the cache with the dead link the last build gave it."""
    folder = site / "content" / "southend"
    (folder / "forward-plan.pdf").write_bytes(b"%PDF-1.4\nx\n%%EOF\n")
    report = site / REPORT
    report.write_text(
        report.read_text(encoding="utf-8") + "\nSee [the plan](<Forward Plan.pdf>).\n",
        encoding="utf-8",
    )
    first = _build(site, tmp_path / "site")
    assert any("Forward Plan.pdf" in w["message"] for w in first["problems"])
    (folder / "forward-plan.pdf").rename(folder / "Forward Plan.pdf")
    second = _build(site, tmp_path / "site")
    assert not any("Forward Plan.pdf" in w["message"] for w in second["problems"])
    page = tmp_path / "site" / "southend" / "highlight-report-2021-05" / "index.html"
    assert 'href="../forward-plan.pdf">the plan</a>' in page.read_text(encoding="utf-8")
    _same_as_cold(site, tmp_path / "site", tmp_path)


def test_a_damaged_cache_piece_costs_one_cold_build_not_every_one(
    site: Path, tmp_path: Path
) -> None:
    chunks = sorted((site / ".sendsite" / "cache" / "chunks").iterdir())
    assert chunks
    for chunk in chunks:
        chunk.write_bytes(chunk.read_bytes()[:10])  # cut short (a full disk, a crash)
    cold = _build(site, tmp_path / "site")
    assert cold["rendered"] == cold["pages"]  # the cache could not be read: built cold
    warm = _build(site, tmp_path / "site")
    assert warm["rendered"] < warm["pages"]  # and the next build has its cache again
    _same_as_cold(site, tmp_path / "site", tmp_path)


def test_a_cache_that_makes_the_build_fail_is_removed_and_the_site_built_without_it(
    site: Path, tmp_path: Path
) -> None:
    """Chunks that read well but hold what no build wrote (two swapped by hand, or an
    older sendsite's fault) made every build fail with a traceback until ``.sendsite``
    was removed. The build now says so, removes the cache and builds without it."""
    for chunk in (site / ".sendsite" / "cache" / "chunks").iterdir():
        entries = pickle.loads(chunk.read_bytes())
        chunk.write_bytes(pickle.dumps(dict.fromkeys(entries, 0)))
    cold = _build(site, tmp_path / "site")
    assert cold["rendered"] == cold["pages"]
    [warning] = cold["problems"]
    assert warning["level"] == "warning"
    assert warning["message"].startswith("the build cache could not be used (")
    assert warning["message"].endswith("so it was removed and the site was built without it")
    assert warning["file"].endswith(".sendsite/cache")
    warm = _build(site, tmp_path / "site")
    assert warm["problems"] == [] and warm["rendered"] < warm["pages"]  # its cache again
    _same_as_cold(site, tmp_path / "site", tmp_path)


def test_a_fault_outside_the_cache_is_not_hidden_by_building_again(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a build that read a cache is tried again without it: a fault that a cold
    build meets too is still the command's failure, said once."""
    from sendsite.build import publish

    calls: list[int] = []

    def broken(*args: Any) -> Any:
        calls.append(1)
        raise RuntimeError("a fault of sendsite's own")

    monkeypatch.setattr(publish, "_make", broken)
    with pytest.raises(RuntimeError, match="of sendsite's own") as raised:
        run_cli("build", "--source", str(site), "--output", str(tmp_path / "site"))
    assert len(calls) == 2  # with the cache, then without it
    assert raised.value.__context__ is None  # one fault shown, not one inside another
    assert not (site / ".sendsite" / "cache" / "build.pickle").exists()
    with pytest.raises(RuntimeError):
        run_cli("build", "--source", str(site), "--output", str(tmp_path / "site"))
    assert len(calls) == 3  # no cache now: tried once


@pytest.mark.parametrize("options", [(), ("--no-cache",)])
def test_word_lists_and_the_marker_as_they_were_keep_their_files(
    site: Path, tmp_path: Path, options: tuple[str, ...]
) -> None:
    """A copy to a server by date (``rsync -a``) sends only what changed: the word lists
    an edit leaves as they were, and the file saying sendsite wrote the site, are the last
    site's files (they were written again, with new dates, by every build)."""
    built = tmp_path / "site"
    kept = [*sorted((built / "search" / "words").glob("*.json")), built / writer.MARKER]
    before = {p: (p.stat().st_ino, p.read_bytes()) for p in kept}
    report = site / REPORT
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace("initially", "zygotically", 1), encoding="utf-8")
    _build(site, built, *options)
    same = [p for p in kept if p.read_bytes() == before[p][1]]
    assert built / writer.MARKER in same and len(same) < len(kept)  # 'z' has a new word
    assert [p.name for p in same if p.stat().st_ino != before[p][0]] == []
    _same_as_cold(site, built, tmp_path)
