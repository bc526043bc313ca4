"""A build's rendered pages wait on disk (the spool), not in memory, until they are written.

The site is byte for byte what a build holding its pages in memory writes; the build
cache keeps the spool's pages, and only those, from one build to the next.
"""

from __future__ import annotations

import threading
from pathlib import Path, PurePosixPath

import pytest

from sendsite.build import spool as spool_module
from sendsite.build.deferred import Streamed, content_bytes
from sendsite.build.pipeline import Pipeline
from sendsite.build.publish import build
from sendsite.build.spool import spool_for
from sendsite.build.written import Written
from sendsite.config import load_config
from sendsite.plugins.manager import make_plugin_manager

from .conftest import copy_demo, run_cli
from .test_build_cache import REPORT, _build, _same_as_cold, _tree


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return copy_demo(tmp_path / "src")


@pytest.fixture(autouse=True)
def every_site_spools(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's hundred pages stand for a big site's thousands."""
    if "small" not in request.node.name:
        monkeypatch.setattr(spool_module, "SPOOL_PAGES", 1)


def test_a_small_site_keeps_its_pages_in_memory(source: Path) -> None:
    config = load_config(source)
    with spool_for(source, cached=False) as spool:
        assert spool is not None
        files = Pipeline(config, make_plugin_manager(config=config), spool=spool).refresh().files
        assert isinstance(files[PurePosixPath("index.html")], bytes)
        assert isinstance(files[PurePosixPath("data/items.json")], Streamed), "made as written"
        assert list(spool.folder.iterdir()) == []


def test_pages_made_into_the_spool_are_the_pages_made_in_memory(source: Path) -> None:
    config = load_config(source)
    in_memory = Pipeline(config, make_plugin_manager(config=config)).refresh().files
    with spool_for(source, cached=False) as spool:
        assert spool is not None
        spooled = Pipeline(config, make_plugin_manager(config=config), spool=spool).refresh().files
        made = [p for p, content in in_memory.items() if p.suffix == ".html"]
        assert len(made) >= 40
        for path in made:  # every page rendered
            file = spooled[path]
            assert isinstance(file, Path) and file.parent == spool.folder, path
            assert file.read_bytes() == content_bytes(in_memory[path]), path
        # Generated files are made as they are written, while the pages are copied.
        items = spooled[PurePosixPath("data/items.json")]
        assert isinstance(items, Streamed)
        assert content_bytes(items) == content_bytes(in_memory[PurePosixPath("data/items.json")])
        folder = spool.folder
    assert not folder.exists()  # a build's own spool goes when the build ends


def test_a_page_the_site_being_replaced_holds_as_made_is_not_spooled(
    source: Path, tmp_path: Path
) -> None:
    """Rebuilt without the cache (``--no-cache``, or a new version or settings), most
    pages come out as the last site has them: such a page is that file (``Written``, to
    be linked), not written into the spool again. A page that changed, a file of the
    last site changed by hand (the same size) and a link put there are not used."""
    out = tmp_path / "site"
    _build(source, out)
    report = source / REPORT
    report.write_text(report.read_text(encoding="utf-8") + "\nZyzzogeton.\n", encoding="utf-8")
    edited = PurePosixPath("southend", "highlight-report-2021-05", "index.html")
    by_hand = PurePosixPath("glossary", "index.html")
    (out / by_hand).write_bytes((out / by_hand).read_bytes().replace(b"<h1", b"<H1", 1))
    linked = PurePosixPath("a-z", "index.html")
    (out / linked).rename(tmp_path / "a-z.html")
    (out / linked).symlink_to(tmp_path / "a-z.html")
    config = load_config(source)
    with spool_for(source, cached=False) as spool:
        assert spool is not None
        spool.last = out
        files = Pipeline(config, make_plugin_manager(config=config), spool=spool).refresh().files
        pages = {path: file for path, file in files.items() if path.suffix == ".html"}
        kept = {path for path, file in pages.items() if isinstance(file, Written)}
        spooled = {path for path, file in pages.items() if isinstance(file, Path)}
        assert len(kept) >= 30 and kept | spooled == set(pages)
        for path in kept:  # the last site's very file, holding the page as made now
            last = pages[path]
            assert isinstance(last, Written) and last.spooled
            assert last.path == str(out / path) and last.read() == (out / path).read_bytes()
        assert spooled == {edited, by_hand, linked}
        written = sorted(file.name for file in pages.values() if isinstance(file, Path))
        assert sorted(p.name for p in spool.folder.iterdir()) == written
        page = pages[edited]
        assert isinstance(page, Path) and b"Zyzzogeton" in page.read_bytes()
    (out / linked).unlink()
    (tmp_path / "a-z.html").rename(out / linked)
    before = _inodes(out)
    _build(source, out, "--no-cache")
    after = _inodes(out)
    _same_as_cold(source, out, tmp_path)
    same = [p for p in after if p.endswith(".html") and after[p] == before.get(p)]
    assert len(same) >= 30 and edited.as_posix() not in same and by_hand.as_posix() not in same


def _inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*.*")}


@pytest.mark.parametrize("apart", [True, False])
def test_pages_copied_by_a_process_of_their_own_are_the_pages_written_here(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apart: bool
) -> None:
    """On a big site the spooled pages are copied by another process while this one
    makes the data exports; the site is the same, and a rebuild links what is unchanged
    (the pages the cache keeps as the last site's files are linked, not copied)."""
    from sendsite.build import copying, writer

    started: list[int] = []

    class Counted(copying.Copying):
        def __init__(self, jobs, done) -> None:  # type: ignore[no-untyped-def]
            started.append(len(jobs))
            super().__init__(jobs, done)

    monkeypatch.setattr(writer, "Copying", Counted)
    monkeypatch.setattr(writer, "COPY_APART", 1 if apart else 10**9)
    out = tmp_path / "site"
    first: dict[str, int] = {}
    for _ in range(2):  # the second build over the first
        result = run_cli("build", "--source", str(source), "-o", str(out))
        assert result.exit_code == 0, result.output
        first = first or _inodes(out)
    assert bool(started) == apart and all(n > 40 for n in started[:1])
    assert all(n < 10 for n in started[1:])  # the pages rendered again only
    monkeypatch.setattr(writer, "COPY_APART", 10**9)
    here = run_cli("build", "--no-cache", "--source", str(source), "-o", str(tmp_path / "here"))
    assert here.exit_code == 0, here.output
    assert _tree(out) == _tree(tmp_path / "here")
    again = _inodes(out)
    site_files = [p for p in again if not p.startswith(("pagefind/", ".sendsite"))]
    assert len(site_files) > 80 and "data/items.json" in site_files
    changed = [p for p in site_files if again[p] != first[p]]
    assert changed == [], "a rebuild links the files it did not change, exports too"


def test_once_the_site_is_written_the_spool_holds_no_page(source: Path, tmp_path: Path) -> None:
    """The cache keeps a big site's pages as the site's files too (``build.written``): once
    the site is written, the pages rendered into the spool are gone, after a cold build
    and after an edit; a page gone from the site is rendered again."""
    out = tmp_path / "site"
    first = _build(source, out)
    spool = source / ".sendsite" / "cache" / "pages"
    assert first["rendered"] == first["pages"] and list(spool.iterdir()) == []
    page = out / "southend" / "highlight-report-2021-05" / "index.html"
    report = source / REPORT
    report.write_text(report.read_text(encoding="utf-8") + "\nZyzzogeton.\n", encoding="utf-8")
    again = _build(source, out)
    assert 0 < again["rendered"] < again["pages"]
    assert b"Zyzzogeton" in page.read_bytes() and list(spool.iterdir()) == []
    cold = _build(source, tmp_path / "cold", "--no-cache")
    assert cold["rendered"] == cold["pages"]
    assert _tree(out) == _tree(tmp_path / "cold")
    gone = list(out.rglob("index.html"))
    for file in gone:
        file.unlink()
    again = _build(source, out)
    assert again["read"] == 0 and again["rendered"] == len(gone) > 30
    assert _tree(out) == _tree(tmp_path / "cold")


def test_a_build_without_the_cache_leaves_no_spool(source: Path, tmp_path: Path) -> None:
    leftover = source / ".sendsite" / "spool-killed0"
    leftover.mkdir(parents=True)
    (leftover / "0123.html").write_text("a killed build's page")
    _build(source, tmp_path / "site", "--no-cache")
    assert not leftover.exists()
    assert not [p for p in (source / ".sendsite").iterdir() if p.name.startswith("spool-")]
    assert not (source / ".sendsite" / "cache").exists()


def test_a_site_folder_sendsite_cannot_write_in_still_builds(source: Path, tmp_path: Path) -> None:
    (source / ".sendsite").write_text("not a folder")
    _build(source, tmp_path / "site")
    _build(source, tmp_path / "again", "--no-cache")
    assert _tree(tmp_path / "site") == _tree(tmp_path / "again")
    assert (source / ".sendsite").read_text() == "not a folder"


def test_a_build_that_fails_leaves_the_cache_spool_as_it_was(source: Path, tmp_path: Path) -> None:
    _build(source, tmp_path / "site")
    spool = source / ".sendsite" / "cache" / "pages"
    before = sorted(p.name for p in spool.iterdir())
    report = source / REPORT
    good = report.read_text(encoding="utf-8")
    # Rendered and exported, then refused: the output's parent is a file.
    report.write_text(good + "\nZyzzogeton.\n", encoding="utf-8")
    (tmp_path / "file").write_text("not a folder")
    failed = run_cli("build", "--source", str(source), "-o", str(tmp_path / "file" / "site"))
    assert failed.exit_code == 1
    assert sorted(p.name for p in spool.iterdir()) == before


def test_two_builds_of_one_site_at_once_both_succeed(source: Path, tmp_path: Path) -> None:
    """Two builds of one site at once take turns on its spool (neither waits forever,
    neither fails) and write the same site."""
    config = load_config(source)
    failures: list[BaseException] = []

    def one(output: Path) -> None:
        try:
            build(config, output=output, cache=True)
        except BaseException as error:  # reported below, in the test's own thread
            failures.append(error)

    threads = [threading.Thread(target=one, args=(tmp_path / name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert failures == []
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert list((source / ".sendsite" / "cache" / "pages").iterdir()) == []
