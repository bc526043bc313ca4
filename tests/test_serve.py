"""`sendsite serve`: a real server on a free port, edited the way editors save files."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sendsite.serve.live import Snapshot
from sendsite.serve.server import PreviewServer

from .conftest import FAILING_TRACKER, REPO, run_cli

REPORT = "content/southend/highlight-report-2021-05.md"
PAGE = "/southend/highlight-report-2021-05/"
TITLE = "Joint Commissioning highlight report, May 2021"


@pytest.fixture
def site_root(tmp_path: Path) -> Path:
    root = tmp_path / "site-src"
    shutil.copytree(REPO / "content" / "southend", root / "content" / "southend")
    (root / "sendsite.yml").write_text("title: Preview test\n")
    return root


class Log(list[str]):
    """The lines a preview server logs (pass it as ``log=``); a test can wait for one."""

    def __init__(self) -> None:
        super().__init__()
        self._cond = threading.Condition()

    def __call__(self, line: str) -> None:
        with self._cond:
            self.append(line)
            self._cond.notify_all()

    def count(self, prefix: str) -> int:
        """How many lines start with ``prefix``."""
        with self._cond:
            return sum(line.startswith(prefix) for line in self)

    def wait_for(self, prefix: str, count: int, seconds: float) -> None:
        """Wait until ``count`` lines start with ``prefix`` (fail after ``seconds``)."""
        with self._cond:
            if not self._cond.wait_for(lambda: self.count(prefix) >= count, seconds):
                pytest.fail(f"not {count} lines {prefix!r}… within {seconds} s: {list(self)}")


@pytest.fixture
def server(site_root: Path) -> Iterator[PreviewServer]:
    log = Log()
    preview = PreviewServer(site_root, "127.0.0.1", 0, log=log)
    preview.log_lines = log  # type: ignore[attr-defined]
    preview.start()
    yield preview
    preview.stop()


def get(server: PreviewServer, path: str, method: str = "GET") -> tuple[int, str, dict[str, str]]:
    host, port = server.httpd.server_address[:2]
    conn = http.client.HTTPConnection(str(host), int(port), timeout=10)
    conn.putrequest(method, path, skip_accept_encoding=True)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    conn.close()
    return response.status, body, dict(response.getheaders())


def wait_until(check: Callable[[], bool], seconds: float) -> float:
    """Poll ``check`` until true; return the seconds it took (fail after ``seconds``)."""
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        if check():
            return time.perf_counter() - start
        time.sleep(0.01)
    pytest.fail(f"not seen within {seconds} s")


class Rebuilds:
    """Every rebuild ``server`` does from now on, with the changed paths it was given.

    Waiting for the rebuild of a later save shows that the file watcher has
    passed on everything that happened before it: events in one folder arrive
    in order, and the builder takes them in order. So a test can tell that
    something was *not* a change without sleeping and hoping.
    """

    def __init__(self, server: PreviewServer) -> None:
        self.batches: list[set[Path]] = []
        #: What each rebuild made (shown, or held back if it failed: ``hold_errors``).
        self.made: list[Snapshot] = []
        self._cond = threading.Condition()
        rebuild = server.live.rebuild

        def recording(changed: set[Path] | None = None, **options: bool) -> Snapshot:
            made: Snapshot | None = None
            try:
                made = rebuild(changed, **options)
                return made
            finally:
                with self._cond:
                    self.batches.append({p.resolve() for p in changed or ()})
                    if made is not None:
                        self.made.append(made)
                    self._cond.notify_all()

        server.live.rebuild = recording  # type: ignore[method-assign]

    def until(self, path: Path, seconds: float) -> list[set[Path]]:
        """Wait until a rebuild given ``path`` has finished; return the batches up to it."""
        path = path.resolve()

        def done() -> int | None:
            return next((n for n, batch in enumerate(self.batches) if path in batch), None)

        with self._cond:
            if not self._cond.wait_for(lambda: done() is not None, seconds):
                pytest.fail(f"no rebuild for {path.name} within {seconds} s: {self.batches}")
            return self.batches[: done() + 1]  # type: ignore[operator]


def save_in_place(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def save_by_rename(path: Path, text: str) -> None:
    """As vim, VS Code and JetBrains do: write a temporary file, then rename it over."""
    temp = path.with_name(f".{path.name}.swp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def test_serves_pages_with_the_reload_script(server: PreviewServer) -> None:
    status, body, headers = get(server, PAGE)
    assert status == 200
    assert TITLE in body
    assert "/.sendsite/livereload" in body
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    status, css, headers = get(server, "/static/sendsite.css")
    assert status == 200 and headers["Content-Type"] == "text/css; charset=utf-8"
    assert "livereload" not in css
    status, _, headers = get(server, "/southend")
    assert status == 301 and headers["Location"] == "/southend/"


@pytest.mark.parametrize("save", [save_in_place, save_by_rename], ids=["in-place", "rename"])
def test_a_save_is_served_within_a_second(
    server: PreviewServer, site_root: Path, save: Callable[[Path, str], None]
) -> None:
    report = site_root / REPORT
    save(report, report.read_text().replace(TITLE, "Edited title"))
    took = wait_until(lambda: "Edited title" in get(server, PAGE)[1], 1.0)
    assert took < 1.0


def test_a_burst_of_saves_is_one_or_two_rebuilds(server: PreviewServer, site_root: Path) -> None:
    report = site_root / REPORT
    text = report.read_text()
    rebuilds = Rebuilds(server)
    for n in range(20):
        save_in_place(report, text.replace(TITLE, f"Burst {n}"))
    wait_until(lambda: "Burst 19" in get(server, PAGE)[1], 2.0)
    # A later save in the same folder: once it is rebuilt, so is all of the burst.
    later = site_root / "content" / "southend" / "later.md"
    later.write_text("---\ntitle: Later\n---\nLater.\n", encoding="utf-8")
    batches = rebuilds.until(later, 2.0)
    assert 1 <= len([batch for batch in batches if report.resolve() in batch]) <= 3


@pytest.fixture
def with_about_page(site_root: Path) -> Path:
    """The site with a plain page too, there before the server starts."""
    (site_root / "content" / "about.md").write_text("---\ntitle: About\n---\nAbout us.\n")
    return site_root


def test_only_affected_pages_are_rendered(with_about_page: Path, server: PreviewServer) -> None:
    site_root = with_about_page
    assert get(server, "/about/")[0] == 200
    log: Log = server.log_lines  # type: ignore[attr-defined]
    before, rebuilt = len(log), log.count("Rebuilt")
    report = site_root / REPORT
    save_in_place(report, report.read_text().replace(TITLE, "Only this"))
    wait_until(lambda: "Only this" in get(server, PAGE)[1], 1.0)
    log.wait_for("Rebuilt", rebuilt + 1, 1.0)  # logged just after the page is served
    line = next(x for x in log[before:] if x.startswith("Rebuilt"))
    found = re.search(r"(\d+) of (\d+) pages rendered \((\d+) more when first opened\)", line)
    assert found, line
    rendered, total, later = map(int, found.groups())
    # The report's own page at once; every page that lists or aggregates it when
    # first opened; the About page, the accessibility statement and the 404 page not at all.
    assert rendered == 1
    assert total - rendered - later == 3  # the About page, the accessibility statement, 404
    assert "1 file read" in line
    assert f"after saving {REPORT}:" in line
    for listing in ("/", "/southend/", "/tracker/", "/dashboard/"):
        assert "Only this" in get(server, listing)[1], listing
    csv = get(server, "/data/milestones.csv")[1]
    assert "Only this" in csv


def test_files_created_deleted_and_folders_renamed(server: PreviewServer, site_root: Path) -> None:
    new = site_root / "content" / "southend" / "notes.md"
    new.write_text("---\ntitle: Board notes\n---\nNotes.\n")
    wait_until(lambda: get(server, "/southend/notes/")[0] == 200, 2.0)
    assert "Board notes" in get(server, "/southend/")[1]
    new.unlink()
    wait_until(lambda: get(server, "/southend/notes/")[0] == 404, 2.0)
    (site_root / "content" / "southend").rename(site_root / "content" / "southend-on-sea")
    wait_until(lambda: get(server, "/southend-on-sea/highlight-report-2021-05/")[0] == 200, 2.0)
    assert get(server, PAGE)[0] == 404


def test_editor_temporaries_are_ignored(server: PreviewServer, site_root: Path) -> None:
    before = len(server.log_lines)  # type: ignore[attr-defined]
    rebuilds = Rebuilds(server)
    folder = site_root / "content" / "southend"
    temporaries = [folder / n for n in (".report.md.swp", "report.md~", "4913", ".#report.md")]
    for path in temporaries:
        path.write_text("---\nformat: [broken\n")
    # A real save after them: once it is rebuilt, the temporaries were seen too.
    report = site_root / REPORT
    save_in_place(report, report.read_text().replace(TITLE, "Saved after the temporaries"))
    changed = {path for batch in rebuilds.until(report, 2.0) for path in batch}
    assert changed == {report.resolve()}
    assert [x for x in server.log_lines[before:] if "error" in x] == []  # type: ignore[attr-defined]
    status, body, _ = get(server, PAGE)
    assert status == 200 and "Saved after the temporaries" in body


def test_a_build_beside_the_preview_is_not_a_save(server: PreviewServer, site_root: Path) -> None:
    """``sendsite build`` into the site folder's ``site/`` while the preview runs: the
    preview does not read its output, so it does not rebuild for it."""
    rebuilds = Rebuilds(server)
    result = run_cli("build", "--source", str(site_root), "--quiet")
    assert result.exit_code == 0, result.output
    report = site_root / REPORT
    save_in_place(report, report.read_text().replace(TITLE, "Saved after the build"))
    changed = {path for batch in rebuilds.until(report, 5.0) for path in batch}
    assert changed == {report.resolve()}


def test_files_beside_the_site_s_settings_are_not_saves(
    server: PreviewServer, site_root: Path
) -> None:
    """``sendsite serve > serve.log`` in the site folder: each line logged saved the log,
    which was a save, which was a rebuild, which logged a line…"""
    rebuilds = Rebuilds(server)
    for name in ("serve.log", "notes.txt", "README.md"):
        save_in_place(site_root / name, "Not the site's.\n")
    (site_root / "sendsite.yml").write_text("title: Preview renamed\n")
    report = site_root / REPORT
    save_in_place(report, report.read_text().replace(TITLE, "Saved after the notes"))
    changed = {path for batch in rebuilds.until(report, 5.0) for path in batch}
    assert changed == {report.resolve(), (site_root / "sendsite.yml").resolve()}
    assert "Preview renamed" in get(server, PAGE)[1]


def test_an_areas_own_file_and_the_glossary_are_content_too(
    server: PreviewServer, site_root: Path
) -> None:
    # They start with "_" as the files content leaves out do, but a save of either shows.
    area = site_root / "content" / "southend" / "_area.yml"
    save_by_rename(area, area.read_text().replace("name: Southend", "name: Southend-on-Sea"))
    wait_until(lambda: "Southend-on-Sea</a>" in get(server, "/")[1], 2.0)
    glossary = site_root / "content" / "_glossary.yml"
    save_in_place(glossary, "QZX: Quality zone exchange\n")
    wait_until(lambda: "Quality zone exchange" in get(server, "/glossary/")[1], 2.0)
    save_in_place(glossary, "QZX: Quality zone exchanges\n")
    wait_until(lambda: "Quality zone exchanges" in get(server, "/glossary/")[1], 2.0)


def test_broken_file_shows_error_page_then_recovers(server: PreviewServer, site_root: Path) -> None:
    report = site_root / REPORT
    good = report.read_text()
    save_by_rename(report, good.replace("        rag: Yellow\n", "        rag: Purple\n", 1))
    wait_until(lambda: get(server, PAGE)[0] == 500, 2.0)
    _, body, _ = get(server, PAGE)
    assert "There is a problem with the content" in body
    assert "content/southend/highlight-report-2021-05.md:80:14" in body
    assert "unknown status &#39;Purple&#39;" in body
    assert "rag: Purple" in body
    assert "How to fix:" in body and "Green" in body
    assert "/.sendsite/livereload" in body
    assert '<base href="/">' in body
    assert get(server, "/static/sendsite.css")[0] == 200  # the page keeps its styles
    log = "\n".join(server.log_lines)  # type: ignore[attr-defined]
    assert "highlight-report-2021-05.md:80:14: error: " in log
    assert "Traceback" not in log
    save_in_place(report, good)
    wait_until(lambda: get(server, PAGE)[0] == 200, 2.0)
    assert TITLE in get(server, PAGE)[1]


@pytest.mark.parametrize(
    ("poll", "wait"),
    # Long enough for the rest of the file on a slow machine (the default is 0.3 s); with
    # --poll, the default: a poll (0.5 s) is added to it, as the file is seen that late.
    [(False, 5.0), (True, 0.3)],
    ids=["events", "poll"],
)
def test_a_file_caught_half_written_never_shows_the_error_page(
    site_root: Path, poll: bool, wait: float
) -> None:
    """A file read while still being written (a big file saved in pieces, a sync tool, a
    network drive) is read again once written: the error page never shows."""
    log = Log()
    preview = PreviewServer(site_root, "127.0.0.1", 0, log=log, poll=poll, errors_after=wait)
    rebuilds = Rebuilds(preview)
    preview.start()
    statuses: list[int] = []
    done = threading.Event()

    def watch() -> None:  # a tab asking for the report's page over and over
        while not done.is_set():
            statuses.append(get(preview, PAGE)[0])

    watching = threading.Thread(target=watch)
    watching.start()
    try:
        report = site_root / REPORT
        whole = report.read_text().replace(TITLE, "Saved in two pieces")
        cut = whole.index("rag: ")  # inside the front matter: the first piece is broken
        with report.open("w", encoding="utf-8") as file:
            file.write(whole[:cut])
            file.flush()
            rebuilds.until(report, 5.0)
            assert rebuilds.made[-1].errors  # the first piece was read, and failed
            file.write(whole[cut:])
        wait_until(lambda: "Saved in two pieces" in get(preview, PAGE)[1], 5.0)
    finally:
        done.set()
        watching.join()
        preview.stop()
    assert statuses and set(statuses) == {200}
    assert not [line for line in log if "error" in line or "failed" in line]
    assert len([batch for batch in rebuilds.batches if report.resolve() in batch]) == 2


def test_a_broken_save_shows_its_errors_once_no_other_save_follows(
    server: PreviewServer, site_root: Path
) -> None:
    report = site_root / REPORT
    rebuilds = Rebuilds(server)
    save_in_place(
        report, report.read_text().replace("        rag: Yellow\n", "        rag: Mauve\n")
    )
    rebuilds.until(report, 5.0)
    wait_until(lambda: get(server, PAGE)[0] == 500, 2.0)
    assert "unknown status &#39;Mauve&#39;" in get(server, PAGE)[1]
    log = "\n".join(server.log_lines)  # type: ignore[attr-defined]
    assert log.count("Build failed after") == 1


def test_saves_of_other_files_do_not_hold_back_a_broken_file_s_errors(
    server: PreviewServer, site_root: Path
) -> None:
    report = site_root / REPORT
    notes = site_root / "content" / "southend" / "notes.txt"
    save_in_place(
        report, report.read_text().replace("        rag: Yellow\n", "        rag: Mauve\n")
    )
    with _saving_over_and_over(notes, lambda n: f"note {n}"):
        wait_until(lambda: get(server, PAGE)[0] == 500, 2.0)


def test_a_broken_file_saved_over_and_over_shows_its_errors_after_two_seconds(
    server: PreviewServer, site_root: Path
) -> None:
    report = site_root / REPORT
    broken = report.read_text().replace("        rag: Yellow\n", "        rag: Mauve\n")
    with _saving_over_and_over(report, lambda n: broken + " " * (n % 2)):
        wait_until(lambda: get(server, PAGE)[0] == 500, 4.0)


@contextlib.contextmanager
def _saving_over_and_over(path: Path, text: Callable[[int], str]) -> Iterator[None]:
    """``path`` saved every 0.1 s (with ``text(n)`` the n-th time) while the block runs."""
    done = threading.Event()

    def save() -> None:
        n = 0
        while not done.wait(0.1):
            save_in_place(path, text(n))
            n += 1

    saving = threading.Thread(target=save)
    saving.start()
    try:
        yield
    finally:
        done.set()
        saving.join()


def test_broken_config_is_survived(server: PreviewServer, site_root: Path) -> None:
    config = site_root / "sendsite.yml"
    config.write_text("title: Preview test\ntheem: default\n")
    wait_until(lambda: get(server, PAGE)[0] == 500, 2.0)
    assert "unknown option &#39;theem&#39;" in get(server, PAGE)[1]
    # A report saved while the configuration is broken: the configuration is still shown
    # as broken (it was: the report's rebuild used the last good one, and cleared it).
    report = site_root / REPORT
    rebuilds = Rebuilds(server)
    save_in_place(report, report.read_text().replace(TITLE, "Saved meanwhile"))
    rebuilds.until(report, 5.0)
    assert get(server, PAGE)[0] == 500
    assert "unknown option &#39;theem&#39;" in get(server, PAGE)[1]
    config.write_text("title: Fixed config\n")
    wait_until(lambda: "Fixed config" in get(server, PAGE)[1], 2.0)


def test_template_override_is_picked_up(server: PreviewServer, site_root: Path) -> None:
    templates = site_root / "templates"
    templates.mkdir()
    (templates / "page.html").write_text(
        '{% extends "default:page.html" %}{% block content %}<h1>Custom</h1>{% endblock %}'
    )
    (site_root / "content" / "about.md").write_text("---\ntitle: About\n---\nAbout us.\n")
    wait_until(lambda: "<h1>Custom</h1>" in get(server, "/about/")[1], 2.0)


def test_a_partial_templates_override_is_picked_up(server: PreviewServer, site_root: Path) -> None:
    """A name that starts with '_' is left out of content, and the watcher passed over it
    everywhere: a theme's partial templates and their overrides (``_macros.html``), and a
    plugin's ``__init__.py``, were never seen when saved."""
    assert get(server, PAGE)[0] == 200
    templates = site_root / "templates"
    templates.mkdir()
    theme = REPO / "themes" / "default" / "templates" / "_search_box.html"
    override = templates / "_search_box.html"
    override.write_text(theme.read_text() + "<p>Partial override</p>\n")
    wait_until(lambda: "<p>Partial override</p>" in get(server, PAGE)[1], 2.0)
    log: Log = server.log_lines  # type: ignore[attr-defined]
    rebuilt = log.count("Rebuilt")
    save_by_rename(override, theme.read_text() + "<p>Saved again</p>\n")  # (folder there)
    wait_until(lambda: "<p>Saved again</p>" in get(server, PAGE)[1], 2.0)
    assert log.count("Rebuilt") > rebuilt


def test_a_new_area_made_while_serving_is_shown(server: PreviewServer, site_root: Path) -> None:
    """``sendsite new-area`` makes ``plugins/`` and a plugin in it, and a report in its
    format: the preview said the format was unknown until it was restarted."""
    assert not (site_root / "plugins").exists()
    made = run_cli("new-area", "northshire", "--source", str(site_root))
    assert made.exit_code == 0, made.output
    wait_until(lambda: get(server, "/northshire/")[0] == 200, 3.0)
    assert "unknown format" not in get(server, "/northshire/")[1]


def test_removing_the_first_report_of_a_series_updates_the_others(tmp_path: Path) -> None:
    """The report after the one removed became the first of its series, and the reports
    after it kept histories that named the one removed (links to a page gone)."""
    root = tmp_path / "series"
    shutil.copytree(
        REPO / "examples" / "northdale-series", root, ignore=shutil.ignore_patterns(".sendsite")
    )
    preview = PreviewServer(root, "127.0.0.1", 0, log=Log())
    preview.start()
    try:
        last = "/northdale/highlight-2023-q4/"
        assert "quarter 1 2023/24" in get(preview, last)[1]
        (root / "content" / "northdale" / "highlight-2023-q1.md").unlink()
        wait_until(lambda: get(preview, "/northdale/highlight-2023-q1/")[0] == 404, 3.0)
        for page in (last, "/northdale/highlight-2023-q3/"):
            assert "quarter 1 2023/24" not in get(preview, page)[1], page
    finally:
        preview.stop()


def test_a_saves_warnings_are_printed(server: PreviewServer, site_root: Path) -> None:
    """A misspelt key drops what it holds from the page: the preview printed only "1
    warning", and the author had to run ``sendsite check`` to learn which and where."""
    log: Log = server.log_lines  # type: ignore[attr-defined]
    rebuilt = log.count("Rebuilt")
    report = site_root / REPORT
    save_in_place(report, report.read_text().replace("    narrative: |", "    narative: |", 1))
    log.wait_for("Rebuilt", rebuilt + 1, 2.0)
    wait_until(lambda: "  How to fix: Did you mean 'narrative'?" in log, 1.0)  # (just after)
    # Then the site's checks' warnings of the file (the abbreviations not in the
    # glossary), printed after its own: on a busy machine not yet there.
    wait_until(lambda: any("abbreviations not in the glossary" in line for line in log), 1.0)
    warned = [line for line in log if ": warning: " in line]
    keys = [line for line in warned if "unknown key 'narative' is ignored" in line]
    assert len(keys) == 1, list(log)
    assert "highlight-report-2021-05.md:42:5: warning: priorities[1]: unknown key" in keys[0]
    other = site_root / "content" / "southend" / "other.md"  # another file's save: not again
    other.write_text("---\ntitle: Other\n---\nOther.\n")
    log.wait_for("Rebuilt", rebuilt + 2, 2.0)
    time.sleep(0.2)  # (what would follow the line)
    assert len([line for line in log if ": warning: " in line]) == len(warned)


@pytest.mark.parametrize(
    "path",
    [
        "/../sendsite.yml",
        "/..%2fsendsite.yml",
        "/%2e%2e/sendsite.yml",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/static/../../sendsite.yml",
        "/static/%2e%2e/%2e%2e/content/southend/highlight-report-2021-05.md",
        "//etc/passwd",
        "/etc/passwd",
        "/static/..\\..\\sendsite.yml",
        "/%00index.html",
        "/content/southend/highlight-report-2021-05.md",
    ],
)
def test_nothing_outside_the_site_can_be_read(server: PreviewServer, path: str) -> None:
    status, body, _ = get(server, path)
    assert status == 404
    assert "format: southend-highlight" not in body and "root:" not in body


def test_missing_page_is_a_404_page(server: PreviewServer) -> None:
    status, body, _ = get(server, "/no/such/page/")
    assert status == 404
    assert "Page not found" in body
    assert get(server, "/index.html", method="HEAD")[0] == 200


def test_build_output_has_no_reload_script(demo_site: Path) -> None:
    for path in demo_site.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".js", ".css"}:
            assert "livereload" not in path.read_text(encoding="utf-8"), path


def test_browser_reloads_by_itself(server: PreviewServer, site_root: Path, browser) -> None:
    page = browser.new_page()
    try:
        page.goto(server.url + PAGE.lstrip("/"))
        assert page.locator("h1").inner_text() == TITLE
        report = site_root / REPORT
        good = report.read_text()
        save_by_rename(report, good.replace(TITLE, "Reloaded by itself"))
        page.wait_for_function(
            "(document.querySelector('h1') || {}).textContent === 'Reloaded by itself'",
            timeout=3000,
        )
        save_in_place(report, good.replace("        rag: Yellow\n", "        rag: Purple\n", 1))
        page.wait_for_selector("text=There is a problem with the content", timeout=3000)
        assert "highlight-report-2021-05.md:80:14" in page.content()
        save_in_place(report, good)
        page.wait_for_function(
            f"(document.querySelector('h1') || {{}}).textContent === {TITLE!r}", timeout=3000
        )
    finally:
        page.close()


def test_many_open_tabs_leave_the_preview_answering(
    server: PreviewServer, site_root: Path, browser
) -> None:
    """Each tab held a reload request open for up to 20 s, and a browser opens at most six
    connections to one server: with six tabs open, a seventh page (or a link followed in
    one of them) waited up to 20 s for one. One tab now waits for all of them."""
    context = browser.new_context()
    try:
        pages = [context.new_page() for _ in range(7)]
        addresses = ["", "southend/", "tracker/", "risks/", "dashboard/", "glossary/"]
        for tab, address in zip(pages, addresses, strict=False):
            tab.goto(server.url + address, timeout=5000)
        pages[6].goto(server.url + PAGE.lstrip("/"), timeout=5000)  # the seventh
        pages[0].goto(server.url + "a-z/", timeout=5000)  # a link followed in one
        report = site_root / REPORT
        save_by_rename(report, report.read_text().replace(TITLE, "Seen by the seventh"))
        pages[6].wait_for_function(
            "(document.querySelector('h1') || {}).textContent === 'Seen by the seventh'",
            timeout=3000,
        )
        for tab in (pages[3], pages[6]):  # (the register lists the report's risks too)
            tab.goto(server.url + "glossary/", timeout=5000)
    finally:
        context.close()


def test_a_tab_open_when_the_preview_is_started_again_reloads_once(
    site_root: Path, browser
) -> None:
    """The preview started again counts its builds from the start: the tab that waits for
    all of them must take a smaller number as a new build (and not ask again and again)."""
    first = PreviewServer(site_root, "127.0.0.1", 0, log=Log())
    first.start()
    port = first.httpd.server_address[1]
    for _ in range(3):  # a few builds, so this preview's number is past the next one's
        first.live.rebuild(None)
    context = browser.new_context()
    again = None
    try:
        tab = context.new_page()
        tab.goto(first.url + PAGE.lstrip("/"), timeout=5000)
        asked: list[str] = []
        loads: list[str] = []
        tab.on("request", lambda r: asked.append(r.url) if "livereload" in r.url else None)
        tab.on("framenavigated", lambda frame: loads.append(frame.url))
        first.stop()
        again = PreviewServer(site_root, "127.0.0.1", port, log=Log())
        again.start()
        for _ in range(80):  # reloaded from the new preview
            if loads:
                break
            tab.wait_for_timeout(100)
        assert len(loads) == 1, asked[-5:]
        tab.wait_for_timeout(1500)
        settled = len(asked)
        tab.wait_for_timeout(1000)
        assert len(asked) - settled <= 2  # waiting, not asking without end
    finally:
        context.close()
        if again is not None:
            again.stop()


def test_a_listing_page_that_fails_when_opened_shows_the_error(site_root: Path) -> None:
    templates = site_root / "templates"
    templates.mkdir()
    (templates / "tracker.html").write_text(FAILING_TRACKER)
    log: list[str] = []
    preview = PreviewServer(site_root, "127.0.0.1", 0, log=log.append)
    preview.start()
    try:
        report = site_root / REPORT
        original = report.read_text()
        save_by_rename(report, original.replace("milestone: ", "milestone: BOOM ", 1))
        wait_until(lambda: "BOOM" in get(preview, PAGE)[1], 2.0)
        # The saved page is shown first; the tracker, made on request, once the rebuild is done.
        wait_until(lambda: get(preview, "/tracker/")[0] == 500, 2.0)
        status, body, _ = get(preview, "/tracker/")
        assert status == 500
        assert "while rendering tracker/index.html with &#39;tracker.html&#39;" in body
        assert any("while rendering tracker/index.html" in line for line in log)
        assert not any("Traceback" in line for line in log)
        save_by_rename(report, original)
        wait_until(lambda: get(preview, "/tracker/")[0] == 200, 2.0)
    finally:
        preview.stop()


@pytest.mark.parametrize("caught_by", ["main thread", "another thread"])
def test_the_command_says_where_it_listens_and_stops_cleanly_on_ctrl_c(
    site_root: Path, caught_by: str
) -> None:
    """Linux hands a signal sent to a process to any of its threads; Ctrl-C must stop the
    server whichever one gets it (Python acts on it in the main thread only)."""
    import signal
    import socket
    import subprocess
    import sys

    with socket.socket() as probe:  # a free port for the command line to take
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sendsite",
            "serve",
            "--source",
            str(site_root),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = []
        while not any("Serving the site at" in line for line in lines):
            line = process.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        url = f"http://127.0.0.1:{port}/"
        assert f"Serving the site at {url} (only this computer can open it)" in lines[-1]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", PAGE)
        assert TITLE in conn.getresponse().read().decode()
        conn.close()
        if caught_by == "main thread":
            process.send_signal(signal.SIGINT)
        else:  # kill() naming a thread's own id delivers the process's signal to that thread
            if not Path(f"/proc/{process.pid}/task").is_dir():
                pytest.skip("needs Linux's /proc to find the server's threads")
            threads = sorted(int(t) for t in os.listdir(f"/proc/{process.pid}/task"))
            os.kill(next(t for t in threads if t != process.pid), signal.SIGINT)
        rest, _ = process.communicate(timeout=15)
    finally:
        process.kill()
    assert process.returncode == 0
    assert "Stopping." in rest
    assert "Traceback" not in "".join(lines) + rest


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_stopping_while_the_search_index_is_made_is_quick_and_leaves_nothing(
    site_root: Path, tmp_path: Path, name: str
) -> None:
    """Ctrl-C while the first search index was made waited for Pagefind (24 s at 2,000
    reports), and a terminal closed or a kill left the index's folders in the temporary
    folder, one a time. Pagefind here is a stand-in that takes a minute."""
    import signal
    import socket
    import subprocess
    import sys

    temporary, started = tmp_path / "tmp", tmp_path / "pagefind-started"
    temporary.mkdir()
    slow = tmp_path / "pagefind"
    slow.write_text(f"#!/bin/sh\ntouch {started}\nexec sleep 60\n")
    slow.chmod(0o755)
    environment = {**os.environ, "PAGEFIND_BINARY_PATH": str(slow), "TMPDIR": str(temporary)}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "sendsite", "serve", "--source", str(site_root)]
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment,
    )
    try:
        wait_until(started.exists, 20.0)
        process.send_signal(getattr(signal, name))
        said, _ = process.communicate(timeout=10)  # not Pagefind's minute
    finally:
        process.kill()
    assert process.returncode == 0, said
    assert "Stopping." in said and "Traceback" not in said
    assert sorted(p.name for p in temporary.iterdir()) == []


FORKS_SCRIPT = """
import os, sys
from pathlib import Path
from sendsite.build import parallel
from sendsite.serve.server import PreviewServer

forks = []
real_fork = os.fork
def fork():
    forks.append(1)
    return real_fork()
os.fork = fork
parallel.MIN_PARALLEL = 1  # the demo's few reports are read in workers where they may be
parallel.cores = lambda: 2  # as on any machine with two cores: one worker, and this process
root = Path(sys.argv[1])
server = PreviewServer(root, "127.0.0.1", 0, log=lambda line: None)
print("first build", len(forks), flush=True)
server.start()
changed = set()
for report in sorted((root / "content" / "southend").glob("*.md"))[:3]:
    report.write_text(report.read_text().replace("title: ", "title: Edited ", 1))
    changed.add(report)
snapshot = server.live.rebuild(changed)
assert not snapshot.errors, snapshot.errors
print("rebuild", len(forks), flush=True)
server.stop()
"""


def test_the_preview_reads_in_worker_processes_only_before_its_threads_start(
    site_root: Path,
) -> None:
    """The first build reads on every core, as ``sendsite build`` does; once the server's
    threads run, forking is unsafe and a rebuild reads in the server's own process."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", FORKS_SCRIPT, str(site_root)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    first, rebuild = (int(line.split()[-1]) for line in done.stdout.splitlines())
    assert first >= 1  # a worker (one fewer than the cores: the preview's process reads too)
    assert rebuild == first  # three reports read again, none in a new worker


def test_saves_in_a_content_folder_put_in_place_of_the_last_are_seen(
    server: PreviewServer, site_root: Path
) -> None:
    """content/ replaced whole (a backup restored, a sync tool, a checkout), then saved
    in: the watch of the folder it replaced never saw those saves, and the preview
    served the old page until it was restarted."""
    report = site_root / REPORT
    text = report.read_text(encoding="utf-8")
    fresh = site_root / "content.new"
    shutil.copytree(site_root / "content", fresh)
    save_in_place(fresh / REPORT.removeprefix("content/"), text.replace(TITLE, "Put in place"))
    shutil.rmtree(site_root / "content")
    fresh.rename(site_root / "content")
    wait_until(lambda: "Put in place" in get(server, PAGE)[1], 10.0)
    for title in ("Saved after", "Saved again"):
        save_by_rename(report, text.replace(TITLE, title))
        wait_until(lambda title=title: title in get(server, PAGE)[1], 10.0)  # type: ignore[misc]
