"""The preview's search follows a save within seconds: a small index of the changed pages.

``sendsite serve`` indexes the whole site once; after that a save indexes only
the pages whose search records changed, into ``pagefind-preview/``, which the
search page merges, hiding the whole index's results for those pages.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from sendsite.build.pipeline import Pipeline
from sendsite.builtin.search.live_index import NICENESS, PREVIEW_BUNDLE, BackgroundIndexer
from sendsite.config import load_config
from sendsite.plugins.manager import make_plugin_manager
from sendsite.serve.server import PreviewServer

from .conftest import REPO
from .test_search import INDEXED, STATUS, result_links, wait_for_results
from .test_serve import Log

SOUTHEND = "southend/highlight-report-2021-05/"


def _source(root: Path) -> Path:
    for area in ("southend", "suffolk"):
        shutil.copytree(REPO / "content" / area, root / "content" / area)
    shutil.copyfile(REPO / "content" / "_glossary.yml", root / "content" / "_glossary.yml")
    return root / "content" / "southend" / "highlight-report-2021-05.md"


def _get(url: str, path: str) -> tuple[int, bytes]:
    host, port = url.removeprefix("http://").rstrip("/").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def _links(tab: object, url: str) -> list[str]:
    return [h.removeprefix(url) for links in result_links(tab) for h in links]


def test_a_save_is_found_at_once_and_its_old_words_are_not(browser: object, tmp_path: Path) -> None:
    report = _source(tmp_path / "src")
    text = report.read_text(encoding="utf-8")
    log = Log()
    preview = PreviewServer(tmp_path / "src", "127.0.0.1", 0, log=log)
    preview.start()
    tab = browser.new_page()  # type: ignore[attr-defined]
    try:
        log.wait_for(INDEXED, 1, 30)
        assert _get(preview.url, "/pagefind-preview/stale.json")[0] == 404  # whole, nothing newer
        report.write_text(text.replace("Liquid Logic", "Quokka Logic"), encoding="utf-8")
        log.wait_for(INDEXED, 2, 30)
        assert (
            "of 1 changed page, beside the whole index"
            in [line for line in log if line.startswith(INDEXED)][-1]
        )
        status, body = _get(preview.url, "/pagefind-preview/stale.json")
        manifest = json.loads(body)
        assert status == 200 and manifest["pages"] == [SOUTHEND] and manifest["stale"]

        tab.goto(preview.url + "search/?q=Quokka")
        wait_for_results(tab)
        assert SOUTHEND + "#p1" in _links(tab, preview.url)
        # The whole index still has the old words; its result for the saved page is hidden.
        tab.goto(preview.url + "search/?q=Liquid")
        wait_for_results(tab)
        assert not [link for link in _links(tab, preview.url) if link.startswith(SOUTHEND)]

        # Saved again: the open search page takes the newer small index for its next query.
        report.write_text(text.replace("Liquid Logic", "Wombat Logic"), encoding="utf-8")
        log.wait_for(INDEXED, 3, 30)
        tab.goto(preview.url + "search/")
        tab.fill("#search-input", "Wombat")
        tab.press("#search-input", "Enter")
        expect(tab.locator(STATUS)).to_contain_text("Wombat", timeout=15000)
        assert SOUTHEND + "#p1" in _links(tab, preview.url)
        tab.fill("#search-input", "Quokka")
        tab.press("#search-input", "Enter")
        expect(tab.locator(STATUS)).to_contain_text("No results", timeout=15000)
    finally:
        tab.close()
        preview.stop()
    search = preview.live.search
    assert not [f for f in [*search.serving, *search._retired] if f.exists()]


def test_many_changed_pages_make_a_whole_index_again(tmp_path: Path) -> None:
    report = _source(tmp_path / "src")
    config = load_config(tmp_path / "src")
    pipeline = Pipeline(config, make_plugin_manager(config=config))
    log = Log()
    indexer = BackgroundIndexer(log, settle=0.0, max_changed=1)
    try:
        result = pipeline.refresh()
        indexer.schedule(result.site, result.files, pipeline.pm)
        log.wait_for(INDEXED, 1, 60)
        whole = set(indexer.files)
        assert not [p for p in whole if p.parts[0] == PREVIEW_BUNDLE.name]

        # One page changed: the whole index is still served, with a small one beside it.
        report.write_text(report.read_text(encoding="utf-8") + "\nZebrafinch.\n", encoding="utf-8")
        result = pipeline.refresh()
        indexer.schedule(result.site, result.files, pipeline.pm)
        log.wait_for(INDEXED, 2, 60)
        assert whole < set(indexer.files)
        words = indexer.files[PREVIEW_BUNDLE / "1" / "words" / "z.json"].read_text(encoding="utf-8")
        assert '["zebrafinch",1]' in words

        # Two pages changed (one deleted): more than max_changed, so a whole index again.
        report.unlink()
        area = tmp_path / "src" / "content" / "suffolk" / "_area.yml"
        area.write_text(
            area.read_text(encoding="utf-8").replace("The local area", "Gannets. The local area"),
            encoding="utf-8",
        )
        result = pipeline.refresh()
        indexer.schedule(result.site, result.files, pipeline.pm)
        log.wait_for(INDEXED, 3, 60)
        assert not [p for p in indexer.files if p.parts[0] == PREVIEW_BUNDLE.name]
        assert "records." in log[-1] and "beside" not in log[-1]
    finally:
        indexer.close()


def _nice(task: Path) -> int:
    """A Linux task's nice value, from its ``stat`` (the 19th field)."""
    stat = (task / "stat").read_text()
    return int(stat[stat.rindex(")") + 2 :].split()[16])


def _pagefind_children() -> list[Path]:
    """This process's child processes running Pagefind, as /proc folders."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (proc / "stat").read_text()
            name, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") :]
            if name.startswith("pagefind") and int(rest.split()[2]) == os.getpid():
                found.append(proc)
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
def test_the_index_runs_at_a_lower_priority_than_the_preview(tmp_path: Path) -> None:
    """The whole index (minutes on a big site) must not slow saves and pages: its thread,
    and the Pagefind runs it starts, yield the CPU to the preview's own work."""
    _source(tmp_path / "src")
    config = load_config(tmp_path / "src")
    pipeline = Pipeline(config, make_plugin_manager(config=config))
    log = Log()
    indexer = BackgroundIndexer(log, settle=0.0)
    ours = _nice(Path("/proc/self"))
    seen: dict[str, int] = {}
    try:
        result = pipeline.refresh()
        indexer.schedule(result.site, result.files, pipeline.pm)
        deadline = time.monotonic() + 60
        while not log.count(INDEXED) and time.monotonic() < deadline:
            for child in _pagefind_children():
                with contextlib.suppress(OSError, ValueError):
                    seen[child.name] = _nice(child)
            time.sleep(0.005)
        thread = next(t for t in threading.enumerate() if t.name == "sendsite-search")
        assert _nice(Path(f"/proc/self/task/{thread.native_id}")) == ours + NICENESS
        assert seen, "no Pagefind run was seen"
        assert set(seen.values()) == {ours + NICENESS}
        assert _nice(Path("/proc/self")) == ours  # the preview's own thread is as it was
    finally:
        indexer.close()
