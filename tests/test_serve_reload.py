"""`sendsite serve` after a save: the saved report's page first, then the rest; tabs
reload only when the page they show changed, and only once."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pytest

from sendsite.build.deferred import content_bytes
from sendsite.serve.http import _WAIT_SECONDS
from sendsite.serve.live import LiveSite, Snapshot
from sendsite.serve.server import PreviewServer

from .conftest import REPO
from .test_serve import PAGE, REPORT, TITLE, Rebuilds, get, save_by_rename

AREA_PAGE = "/southend/"
OTHER_PAGE = "/essex/joint-commissioning-progress/"


@pytest.fixture
def site_root(tmp_path: Path) -> Path:
    """The Southend report (saved in the tests) and, in another area, the Essex one."""
    root = tmp_path / "site-src"
    for area in ("southend", "essex"):
        shutil.copytree(REPO / "content" / area, root / "content" / area)
    (root / "sendsite.yml").write_text("title: Reload test\n")
    return root


@pytest.fixture
def live(site_root: Path) -> Iterator[LiveSite]:
    site = LiveSite(site_root, log=lambda line: None)
    site.rebuild(None)
    yield site
    site.close()


def _rel(url: str) -> PurePosixPath:
    return PurePosixPath(url.strip("/"), "index.html")


def _page(snapshot: Snapshot, url: str) -> str:
    return content_bytes(snapshot.files[_rel(url)]).decode()


def _published(live: LiveSite) -> list[Snapshot]:
    """Every snapshot ``live`` publishes from now on."""
    seen: list[Snapshot] = []
    publish = live._publish

    def recording(snapshot: Snapshot) -> None:
        seen.append(snapshot)
        publish(snapshot)

    live._publish = recording  # type: ignore[method-assign]
    return seen


def test_the_saved_reports_page_is_shown_before_the_pages_that_list_it(
    live: LiveSite, site_root: Path
) -> None:
    before = live.snapshot
    seen = _published(live)
    report = site_root / REPORT
    report.write_text(report.read_text().replace(TITLE, "Shown first"), encoding="utf-8")
    live.rebuild({report})
    first, last = seen
    assert first.generation == before.generation + 1 and last.generation == first.generation + 1
    assert "Shown first" in _page(first, PAGE)
    # Everything else is still the last build's, until the rebuild publishes the rest.
    assert first.files[_rel(AREA_PAGE)] is before.files[_rel(AREA_PAGE)]
    assert "Shown first" not in _page(first, AREA_PAGE)
    assert "Shown first" in _page(last, AREA_PAGE)
    # The rebuild's own render of the page is byte for byte the one shown first.
    assert _page(last, PAGE) == _page(first, PAGE)
    assert not last.errors


def test_a_save_the_site_must_be_linked_again_for_is_published_once(
    live: LiveSite, site_root: Path
) -> None:
    seen = _published(live)
    report = site_root / REPORT
    text = report.read_text()
    # A new date moves the report among its area's: the site is linked again, not patched.
    dated = re.sub(r"(?m)^(meeting_date|date): .*$", r"\1: 3rd June 2021", text, count=1)
    assert dated != text
    report.write_text(dated, encoding="utf-8")
    live.rebuild({report})
    assert len(seen) == 1 and not seen[0].errors
    # A mistake: no page is shown first, the error page is.
    seen.clear()
    report.write_text(text.replace("        rag: Yellow\n", "        rag: Purple\n", 1))
    live.rebuild({report})
    assert len(seen) == 1 and seen[0].errors


def test_a_tab_waits_for_its_own_page_to_change(live: LiveSite, site_root: Path) -> None:
    since = live.snapshot.generation
    report = site_root / REPORT
    report.write_text(report.read_text().replace(TITLE, "Waited for"), encoding="utf-8")
    live.rebuild({report})

    def served(url: str):
        return lambda snapshot: snapshot.files.get(_rel(url))

    assert live.wait_for_page(since, 5, served(PAGE)) == (since + 2, True)
    assert live.wait_for_page(since, 5, served(AREA_PAGE)) == (since + 2, True)
    # Another area's report is kept as it was: the tab is told the newest build, no more.
    assert live.wait_for_page(since, 0.05, served(OTHER_PAGE)) == (since + 2, False)
    assert live.wait_for_page(since + 1, 0.05, served(PAGE)) == (since + 2, False)
    # A build too old to compare with: reload, to be safe.
    assert live.wait_for_page(-1, 5, served(OTHER_PAGE)) == (since + 2, True)


def test_a_page_made_when_opened_that_a_save_left_alone_is_not_reloaded(
    live: LiveSite, site_root: Path
) -> None:
    """The area page is made when first opened: each build had a new one, so its open tab
    reloaded after every save of the area's report, though its bytes were the same."""
    since = live.snapshot.generation
    area = _page(live.snapshot, AREA_PAGE)  # the tab opened it: made
    report = site_root / REPORT
    text = report.read_text()
    word = re.search(r"(?m)^ +narrative: \|\n +(\w+)", text)
    assert word is not None
    report.write_text(text.replace(word[0], word[0] + " edited", 1), encoding="utf-8")
    live.rebuild({report})

    def served(url: str):
        return lambda snapshot: snapshot.files.get(_rel(url))

    newest = live.snapshot.generation
    assert newest > since and _page(live.snapshot, AREA_PAGE) == area
    assert live.wait_for_page(since, 0.05, served(AREA_PAGE)) == (newest, False)
    assert live.wait_for_page(since, 5, served(PAGE)) == (newest, True)


def test_the_reload_endpoint_answers_a_tab_for_its_page(site_root: Path) -> None:
    server = PreviewServer(site_root, "127.0.0.1", 0, log=lambda line: None)
    server.start()
    try:
        rebuilds = Rebuilds(server)
        since = server.live.snapshot.generation
        report = site_root / REPORT
        save_by_rename(report, report.read_text().replace(TITLE, "Asked for"))
        rebuilds.until(report, 10)
        status, body, headers = get(server, f"/.sendsite/livereload?since={since}&page={PAGE}")
        assert status == 200 and headers["Content-Type"] == "application/json"
        assert json.loads(body) == {"generation": since + 2, "reload": True}
        # Without a page: any newer build, as a number (as before).
        assert get(server, f"/.sendsite/livereload?since={since}")[1] == str(since + 2)
    finally:
        server.stop()


def test_open_tabs_reload_once_and_only_if_their_page_changed(site_root: Path, browser) -> None:
    server = PreviewServer(site_root, "127.0.0.1", 0, log=lambda line: None)
    server.start()
    tabs = {url: browser.new_page() for url in (PAGE, AREA_PAGE, OTHER_PAGE)}
    try:
        rebuilds = Rebuilds(server)
        loads: dict[str, int] = {}
        asked: dict[str, list[int]] = {url: [] for url in tabs}
        answered: dict[str, int] = {url: 0 for url in tabs}
        for url, tab in tabs.items():
            tab.on("request", lambda request, url=url: _since(asked[url], request.url))
            tab.goto(server.url + url.lstrip("/"))
            tab.on("framenavigated", lambda frame, url=url: _count(loads, url, frame))
            tab.on("requestfinished", lambda request, url=url: _answered(answered, url, request))
        _wait_until(lambda: all(asked.values()), tabs[PAGE])  # every tab is waiting
        report = site_root / REPORT
        save_by_rename(report, report.read_text().replace(TITLE, "Reloaded once"))
        rebuilds.until(report, 10)
        final = server.live.snapshot.generation
        for url in (PAGE, AREA_PAGE):
            # The tab asks about the newest build once it has seen the rebuild's end (a
            # reload, then a question answered; on a loaded machine that can take seconds,
            # and the watcher may have had one more build made meanwhile).
            _wait_until(lambda url=url: max(asked[url]) >= final, tabs[url], seconds=20)
        assert "Reloaded once" in tabs[PAGE].locator("h1").inner_text()
        tabs[AREA_PAGE].wait_for_load_state()  # (its reload may still be drawing the page)
        assert "Reloaded once" in tabs[AREA_PAGE].content()
        assert loads == {PAGE: 1, AREA_PAGE: 1}
        # The other area's report did not change: its tab asked (each tab is told of each
        # build, and asks about its own page at once) and was not reloaded.
        tabs[OTHER_PAGE].wait_for_timeout(300)
        assert OTHER_PAGE not in loads and max(asked[OTHER_PAGE]) >= final
        assert answered[PAGE] >= 1 and answered[AREA_PAGE] >= 1  # at once, not at the wait's end
    finally:
        for tab in tabs.values():
            tab.close()
        server.stop()


def _count(counts: dict[str, int], url: str, frame) -> None:
    """Count a tab's navigations (of its page, not of a frame in it)."""
    if frame.parent_frame is None:
        counts[url] = counts.get(url, 0) + 1


def _answered(counts: dict[str, int], url: str, request) -> None:
    """Count a tab's reload requests answered before the server's wait ran out: an
    answer at the end of the wait (a slow machine: the test took longer) says nothing
    changed, as the tab asks again."""
    if "/.sendsite/livereload" not in request.url:
        return
    if request.timing["responseEnd"] < (_WAIT_SECONDS - 1) * 1000:
        counts[url] = counts.get(url, 0) + 1


def _since(asked: list[int], address: str) -> None:
    found = re.search(r"/\.sendsite/livereload\?since=([0-9]+)", address)
    if found:
        asked.append(int(found[1]))


def _wait_until(check, tab, seconds: float = 5.0) -> None:
    """Wait until ``check()`` (the tab's events are delivered while it waits)."""
    for _ in range(int(seconds / 0.02)):
        if check():
            return
        tab.wait_for_timeout(20)  # lets the page's events be delivered
    pytest.fail("the tab did not ask about the newest build")


def test_a_pipeline_the_preview_replaces_is_let_go(site_root: Path) -> None:
    """A save of sendsite.yml starts afresh: the old pipeline, frozen by its builds (cycles
    and all), grew the preview by megabytes a save until it was let go."""
    import gc
    import weakref

    server = PreviewServer(site_root, "127.0.0.1", 0, log=lambda line: None)
    try:
        old = weakref.ref(server.live.pipeline)
        config = site_root / "sendsite.yml"
        config.write_text("title: Reload test, again\n")
        server._rebuild({config})  # as the server's thread does on a save
        assert server.live.pipeline is not None and server.live.pipeline is not old()
        gc.collect()
        assert old() is None
        frozen = gc.get_freeze_count()
        for n in range(3):
            config.write_text(f"title: Reload test {n}\n")
            server._rebuild({config})
        assert gc.get_freeze_count() <= frozen * 1.5, (frozen, gc.get_freeze_count())
    finally:
        server.live.close()
        server.httpd.server_close()


def test_a_folder_moved_out_of_content_takes_its_reports_with_it(
    live: LiveSite, site_root: Path, tmp_path: Path
) -> None:
    """A move out of the watched folder (to the bin) is one event, for the folder alone:
    it was taken for an editor's temporary file, leaving its reports up (or the area's
    file unreadable, every page an error)."""
    content = site_root / "content"
    archive = content / "southend" / "archive"
    archive.mkdir()
    shutil.move(content / "southend" / "highlight-report-2021-05.md", archive)
    live.rebuild({archive})
    assert PurePosixPath("southend/highlight-report-2021-05/index.html") in live.snapshot.files
    shutil.move(archive, tmp_path / "archive")
    snapshot = live.rebuild({archive})
    assert not snapshot.errors
    assert PurePosixPath("southend/highlight-report-2021-05/index.html") not in snapshot.files
    shutil.move(content / "essex", tmp_path / "essex")
    snapshot = live.rebuild({content / "essex"})
    assert not snapshot.errors, snapshot.errors
    assert not any(str(path).startswith("essex/") for path in snapshot.files)


def test_a_save_that_changes_nothing_reloads_no_tab(live: LiveSite, site_root: Path) -> None:
    since = live.snapshot.generation
    report = site_root / REPORT
    report.write_bytes(report.read_bytes())  # saved again as it was: a new date, the same bytes
    live.rebuild({report})

    def served(url: str):
        return lambda snapshot: snapshot.files.get(_rel(url))

    for url in (PAGE, AREA_PAGE, OTHER_PAGE):
        assert live.wait_for_page(since, 0.05, served(url))[1] is False, url
    # A real edit after it is still seen.
    since = live.snapshot.generation
    report.write_text(report.read_text().replace(TITLE, "Saved for real"), encoding="utf-8")
    live.rebuild({report})
    assert live.wait_for_page(since, 5, served(PAGE))[1] is True
    assert "Saved for real" in _page(live.snapshot, PAGE)


def test_the_exports_say_which_reports_a_new_one_follows(live: LiveSite, site_root: Path) -> None:
    # The preview keeps each item's export lines between saves: a report a new one
    # follows is no longer the latest of its series, and its lines must say so.
    csv_file = PurePosixPath("data/milestones.csv")

    def latest(report: str) -> set[str]:
        text = live.read(live.snapshot, csv_file).decode("utf-8-sig")  # type: ignore[union-attr]
        return {
            row["latest"] for row in csv.DictReader(io.StringIO(text)) if row["report"] == report
        }

    may, report = "highlight-report-2021-05", site_root / REPORT
    assert latest(may) == {"yes"}
    report.write_text(report.read_text().replace(TITLE, "Saved once"), encoding="utf-8")
    live.rebuild({report})
    assert latest(may) == {"yes"}  # (the lines kept from here on)
    june = report.with_name("highlight-report-2021-06.md")
    june.write_text(report.read_text().replace("28th May 2021", "25th June 2021"), encoding="utf-8")
    live.rebuild({june})
    assert latest(may) == {"no"} and latest("highlight-report-2021-06") == {"yes"}
    june.unlink()
    live.rebuild({june})
    assert latest(may) == {"yes"}
