"""A big site's cross-area pages stay small: caps, pages of rows, the summarised dashboard.

The limits are lowered so a few dozen synthetic reports stand for thousands.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from sendsite.build.deferred import FileContent, content_bytes
from sendsite.build.pipeline import Pipeline
from sendsite.build.publish import build
from sendsite.builtin import paging
from sendsite.config import load_config
from sendsite.plugins.manager import make_plugin_manager

from .test_accessibility import axe_and_reflow_failures

AREAS = ["ashcombe", "brackenfield", "coldwater"]
REPORTS = 8  # per area, a series: one a month in 2024
ROWS = 12  # the limit for these tests
RAGS = ["Red", "Amber", "Green"]


def _report(area: str, number: int) -> str:
    month = number + 1
    milestones = "".join(
        f"      - milestone: {area.title()} milestone {number}-{i}\n"
        f"        completed_by: 2024-{(month + i) % 12 + 1:02d}-15\n"
        f"        rag: {RAGS[(number + i) % 3]}\n"
        for i in range(5)
    )
    risks = "".join(
        f"      - risk: {area.title()} risk {number}-{i}\n"
        f"        mitigation: Mitigation {i}\n"
        f"        rag: {RAGS[(number + i) % 3]}\n"
        for i in range(3)
    )
    return (
        f"---\nformat: southend-highlight\n"
        f"title: {area.title()} highlight report {number}\n"
        f"meeting_date: 2024-{month:02d}-20\n"
        f"priorities:\n  - code: P1\n    title: Transport\n"
        f"    milestones:\n{milestones}    risks:\n{risks}---\n"
    )


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 areas of 8 reports (120 milestones, 72 risks) built with a limit of 12 rows a
    page and a dashboard that summarises above 10 reports."""
    root = tmp_path_factory.mktemp("big-src")
    _write_site(root)
    out = tmp_path_factory.mktemp("big") / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(paging, "ROWS_PER_PAGE", ROWS)
        patch.setattr(paging, "DASHBOARD_REPORTS", 10)
        build(load_config(root), output=out)
    return out


def _rows(html: str) -> int:
    return len(re.findall(r"<tr data-row ", html))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def _links_resolve(site: Path, page: Path, html: str) -> None:
    for href in re.findall(r'href="([^"#?]+)', html):
        if href.startswith(("http:", "https:", "mailto:")):
            continue
        target = (page.parent / href).resolve()
        target = target / "index.html" if target.is_dir() else target
        assert target.is_file(), f"{page.relative_to(site)} links to {href}, which is missing"


def test_no_tracker_or_register_page_lists_more_than_the_limit(big_site: Path) -> None:
    pages = [*big_site.glob("tracker/**/index.html"), *big_site.glob("risks/**/index.html")]
    assert len(pages) > 2 + 2 * len(AREAS), "an area's pages are split"
    for page in pages:
        assert _rows(page.read_text()) <= ROWS, page


def test_the_all_areas_tracker_says_what_it_leaves_out(big_site: Path) -> None:
    page = big_site / "tracker" / "index.html"
    html = page.read_text()
    text = _text(html)
    # The latest reports hold 3 x 5 = 15 items: the 12 most urgent are shown.
    assert (
        "There are 120 milestones and actions, too many to show on one page. This page "
        "shows the 12 most urgent (overdue first, then soonest due) of the 15 in each "
        "area's latest reports (3 reports)"
    ) in text
    assert "Every milestone and action is on its area's own tracker" in text
    assert _rows(html) == 12
    assert all(
        " highlight report 7 (2024-08-20)</a>" in row
        for row in re.findall(r"<tr data-row.*?</tr>", html, re.S)
    )
    for area in AREAS:
        assert f'href="{area}/"' in html
    assert 'href="../data/milestones.csv"' in html
    _links_resolve(big_site, page, html)


def test_the_all_areas_register_says_what_it_leaves_out(big_site: Path) -> None:
    page = big_site / "risks" / "index.html"
    html = page.read_text()
    assert (
        "There are 72 risks and issues, too many to show on one page. This page shows the "
        "9 in each area's latest reports (3 reports)"
    ) in _text(html)
    assert _rows(html) == 9
    _links_resolve(big_site, page, html)


def test_an_areas_tracker_is_split_into_pages_by_due_month(big_site: Path) -> None:
    folder = big_site / "tracker" / "ashcombe"
    pages = [folder / "index.html", *sorted(folder.glob("page-*/index.html"))]
    assert len(pages) == 4  # 40 items, at most 12 a page, whole months where they fit
    assert sum(_rows(p.read_text()) for p in pages) == 40
    first = pages[0].read_text()
    text = _text(first)
    assert "Milestone tracker: Ashcombe (page 1 of 4)" in text
    assert (
        "Ashcombe's reports have 40 milestones and actions, too many to show on one page: " in text
    )
    assert "the filters below cover this page only" in text
    assert re.search(r'<a href="page-2/">Page 2</a> <span class="muted">\w+ 2024', first)
    # The links to the pages, above the list and below it: two landmarks, told apart.
    labels = re.findall(r'<nav class="pagination" aria-label="([^"]+)"', first)
    assert labels == ["Pages", "Pages, again"]
    for page in pages:
        _links_resolve(big_site, page, page.read_text())
    # Months are not split across pages here: each month's heading is on one page only.
    headings = [h for p in pages for h in re.findall(r'id="(due-[\d-]+)"', p.read_text())]
    assert len(headings) == len(set(headings))


def test_an_areas_register_is_split_into_pages(big_site: Path) -> None:
    folder = big_site / "risks" / "coldwater"
    second = (folder / "page-2" / "index.html").read_text()
    assert "Risk register: Coldwater (page 2 of 2)" in _text(second)
    assert "This is page 2 (risks 13 to 24)" in _text(second)
    assert _rows(second) == 12
    _links_resolve(big_site, folder / "page-2" / "index.html", second)


def test_the_dashboard_counts_per_area_and_month(big_site: Path) -> None:
    page = big_site / "dashboard" / "index.html"
    html = page.read_text()
    text = _text(html)
    assert "There are 24 reports, too many to list one by one." in text
    assert "By month of report" in text
    # One latest report under each area, twice (milestones, risks); no other report rows.
    assert len(re.findall(r'class="dashboard__report"', html)) == 2 * len(AREAS)
    assert "Latest: Ashcombe highlight report 7" in text
    assert "Ashcombe highlight report 6" not in text
    # August 2024: the 3 reports numbered 7, 15 milestones and 9 risks.
    month = re.search(
        r"<th scope=\"row\" data-label=\"Month\">August 2024</th>(.*?)</tr>", html, re.S
    )
    assert month is not None
    cells = re.findall(r">(\d+)<", month.group(1))
    assert cells[0] == "3" and "15" in cells
    _links_resolve(big_site, page, html)


def test_the_dashboard_counts_earlier_years_whole(tmp_path: Path) -> None:
    """Reports over six years: the last two years with reports by month, the rest by year,
    so the table stays short however long a partnership has been reporting."""
    root = tmp_path / "src"
    (root / "content" / "ashcombe").mkdir(parents=True)
    dates = ["2019-03-20", "2019-11-20", "2021-06-20", "2023-02-20", "2024-05-20", "2024-09-20"]
    for number, day in enumerate(dates):
        text = _report("ashcombe", number).replace(f"meeting_date: 2024-{number + 1:02d}-20", "")
        (root / "content" / "ashcombe" / f"r{number}.md").write_text(
            text.replace("---\nformat:", f"---\nmeeting_date: {day}\nformat:", 1)
        )
    out = tmp_path / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(paging, "DASHBOARD_REPORTS", 3)
        patch.setattr(paging, "MONTH_YEARS", 2)
        build(load_config(root), output=out)
    html = (out / "dashboard" / "index.html").read_text()
    table = html[html.index('id="by-month-items"') : html.index('id="by-month-risks"')]
    rows = re.findall(r'data-label="Month">([^<]+)</th>\s*<td[^>]*>(\d+)</td>', table)
    assert rows == [
        ("September 2024", "1"),
        ("May 2024", "1"),
        ("February 2023", "1"),
        ("2021 (whole year)", "1"),
        ("2019 (whole year)", "2"),
    ]
    assert "counted by year" in _text(html)


def _matches(html: str) -> int:
    return html.count('<li><span class="match-list__kind">')


def test_a_topic_with_too_many_matches_shows_each_areas_latest(big_site: Path) -> None:
    page = big_site / "topics" / "milestones" / "index.html"
    html = page.read_text()
    text = _text(html)
    assert (
        "120 items and sections of the reports are on this topic, too many to show on one "
        "page. Under each area are those in its latest report (the first 4 at most); every "
        "one is on the area's own pages of this topic, newest report first."
    ) in text
    # The limit shared between the areas: 4 of each area's 5 in its latest report.
    assert _matches(html) == 12
    assert html.count(" highlight report 7 (2024-08-20); mentions") == 12
    for area in AREAS:
        assert (
            "40 items and sections in 8 reports: every one, newest report first (4 pages). "
            "The first 4 of the 5 in its latest report:"
        ) in text
        assert f'<a href="{area}/">every one, newest report first</a>' in html
    _links_resolve(big_site, page, html)


def test_an_areas_pages_of_a_topic_hold_every_match_newest_report_first(big_site: Path) -> None:
    folder = big_site / "topics" / "milestones" / "ashcombe"
    pages = [folder / "index.html", *sorted(folder.glob("page-*/index.html"))]
    assert len(pages) == 4  # 8 reports of 5 matches, at most 12 a page, reports kept whole
    htmls = [p.read_text() for p in pages]
    assert [_matches(h) for h in htmls] == [10, 10, 10, 10]
    headings = [
        re.findall(r"Ashcombe highlight report (\d) \(2024-\d\d-20\)</a></h2>", h) for h in htmls
    ]
    assert [int(n) for ns in headings for n in ns] == [7, 6, 5, 4, 3, 2, 1, 0]
    second = _text(htmls[1])
    assert "Milestones: Ashcombe (page 2 of 4)" in second
    assert (
        "Every item and section of Ashcombe's reports on this topic: 40 in 8 reports, newest "
        "report first. This is page 2 of 4, with the 10 in reports of June 2024 to May 2024."
    ) in second
    assert "Page 4 February 2024 to January 2024" in second
    for page, html in zip(pages, htmls, strict=True):
        _links_resolve(big_site, page, html)


def test_an_area_whose_latest_report_is_off_topic_says_so(big_site: Path) -> None:
    html = (big_site / "topics" / "earlier" / "index.html").read_text()
    assert _matches(html) == 0
    for area in AREAS:  # report N's milestone N-0 and risk N-0, for N = 0 to 6
        assert f'<a href="{area}/">every one, newest report first</a>' in html
    assert _text(html).count(
        "14 items and sections in 7 reports: every one, newest report first (2 pages). "
        "Its latest report mentions nothing on this topic."
    ) == len(AREAS)


def test_a_topic_with_few_matches_lists_every_one(big_site: Path) -> None:
    html = (big_site / "topics" / "risk-7-2" / "index.html").read_text()
    assert _matches(html) == 3
    assert "too many" not in html and "newest report first" not in html
    assert [p.name for p in (big_site / "topics" / "risk-7-2").iterdir()] == ["index.html"]


def test_a_small_site_is_not_capped(demo_site: Path) -> None:
    for page in ("tracker/index.html", "risks/index.html", "dashboard/index.html"):
        html = (demo_site / page).read_text()
        assert "too many" not in html and "data-page-only" not in html
    assert not list(demo_site.glob("tracker/*/page-*"))
    for page in demo_site.glob("topics/*/index.html"):
        assert "too many" not in page.read_text()
    assert not list(demo_site.glob("topics/*/*/"))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(big_site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(big_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


#: One page of each kind a big site adds or changes.
BIG_PAGES = [
    "dashboard/",
    "tracker/",
    "tracker/ashcombe/page-2/",
    "risks/",
    "risks/coldwater/page-2/",
    "topics/milestones/",
    "topics/milestones/ashcombe/page-2/",
]


def test_a_big_sites_pages_pass_axe_and_reflow(served: str, browser) -> None:
    assert axe_and_reflow_failures(browser, served, BIG_PAGES) == []


def test_the_capped_tracker_still_filters_what_it_shows(served: str, browser) -> None:
    page = browser.new_page()
    try:
        page.goto(urljoin(served, "tracker/"))
        status = page.locator("[data-filter-status]")
        expect(status).to_have_text("Showing all 12 items on this page.")
        page.select_option("#filter-area", "brackenfield")
        shown = page.locator("#tracker-table tr[data-row]:visible")
        assert 0 < shown.count() < 12
        assert all(t == "Brackenfield" for t in shown.locator("td:first-child").all_inner_texts())
        expect(status).to_have_text(f"Showing {shown.count()} of 12 items on this page.")
        # A dashboard link to an area's tracker, filtered, on a later page of it.
        page.goto(urljoin(served, "tracker/ashcombe/page-2/"))
        wanted = page.locator("#tracker-table tr[data-row]").first.get_attribute("data-status")
        page.goto(urljoin(served, f"tracker/ashcombe/page-2/?status={wanted}"))
        rows = page.locator("#tracker-table tr[data-row]:visible")
        expect(page.locator("[data-filter-status]")).to_have_text(
            re.compile(r"Showing \d+ of \d+ items on this page\.")
        )
        assert rows.count() > 0
        assert {r.get_attribute("data-status") for r in rows.all()} == {wanted}
    finally:
        page.close()


#: A topic every milestone is on (5 a report, 120 in all), and one with a few matches.
TOPICS = """\
- name: Milestones
  description: Every milestone.
  words: [milestone]
- name: Risk 7-2
  description: One risk of each area's latest report.
  words: [risk 7-2]
- name: Earlier
  description: Some of every report's items but the latest's.
  words: [0-0, 1-0, 2-0, 3-0, 4-0, 5-0, 6-0]
"""


def _write_site(root: Path) -> None:
    for area in AREAS:
        (root / "content" / area).mkdir(parents=True, exist_ok=True)
        for number in range(REPORTS):
            (root / "content" / area / f"r{number}.md").write_text(_report(area, number))
    (root / "content" / "_topics.yml").write_text(TOPICS)


def _all_bytes(files: dict[PurePosixPath, FileContent]) -> dict[PurePosixPath, bytes]:
    return {path: content_bytes(content) for path, content in files.items()}


def _moved_to_november(root: Path) -> Path:
    report = root / "content" / "ashcombe" / "r3.md"
    report.write_text(
        report.read_text().replace("meeting_date: 2024-04-20", "meeting_date: 2024-11-21")
    )
    return report


def _a_newer_report(root: Path) -> Path:
    report = root / "content" / "brackenfield" / "r8.md"
    report.write_text(_report("brackenfield", 8).replace("2024-09-20", "2024-12-20"))
    return report


def _a_status_changed(root: Path) -> Path:
    report = root / "content" / "coldwater" / "r7.md"
    report.write_text(report.read_text().replace("rag: Red", "rag: Green"))
    return report


@pytest.mark.parametrize("change", [_moved_to_november, _a_newer_report, _a_status_changed])
def test_after_an_edit_the_previews_capped_pages_equal_a_full_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: Callable[[Path], Path]
) -> None:
    """The preview keeps each area's share of the capped tracker and register and of
    the dashboard's months; after an edit they are what a full build makes."""
    monkeypatch.setattr(paging, "ROWS_PER_PAGE", ROWS)
    monkeypatch.setattr(paging, "DASHBOARD_REPORTS", 10)
    root = tmp_path / "src"
    _write_site(root)
    config = load_config(root)
    live = Pipeline(config, make_plugin_manager(config=config), parallel=False)
    before = _all_bytes(live.refresh(defer=True).files)  # every page made: all kept
    time.sleep(0.01)  # a new modification time, as a real save gives
    after = _all_bytes(live.refresh(defer=True, changed=[change(root)]).files)
    fresh = Pipeline(config, make_plugin_manager(config=config), parallel=False)
    assert after == _all_bytes(fresh.refresh().files)
    dashboard = PurePosixPath("dashboard/index.html")
    assert after[dashboard] != before[dashboard]
