"""The tracker's and register's filters in a real browser, and the pages with JavaScript off."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from sendsite.build.publish import build
from sendsite.config import load_config

from .conftest import REPO

NORTH = """\
---
format: southend-highlight
title: Northshire highlight report
meeting_date: 1 June 2021
priorities:
  - code: P1
    title: Short breaks
    milestones:
      - milestone: Short breaks review finished
        completed_by: 1 March 2021
        rag: Red
      - milestone: New short breaks offer live
        completed_by: September 2021
        rag: Green
    narrative: |
      Places taken each month:

      | Service | Apr | May | Jun | Jul | Aug | Sep | Oct | Nov | Dec | Jan | Total |
      |---|---|---|---|---|---|---|---|---|---|---|---|
      | Short breaks overnight | 120 | 131 | 128 | 140 | 152 | 149 | 133 | 137 | 141 | 129 | 1636 |
    risks:
      - risk: Provider market is thin
        mitigation: Market engagement events
        rag: Red
      - risk: Families are not aware of the new offer
        mitigation: A Local Offer campaign
        likelihood: 2
        impact: 3
---
"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A two-area site built and served under a sub-path, as on an intranet."""
    root = tmp_path_factory.mktemp("tracker-src")
    southend = REPO / "content" / "southend"
    (root / "content" / "southend").mkdir(parents=True)
    for path in southend.iterdir():
        (root / "content" / "southend" / path.name).write_bytes(path.read_bytes())
    (root / "content" / "northshire").mkdir()
    (root / "content" / "northshire" / "report.md").write_text(NORTH)
    docroot = tmp_path_factory.mktemp("docroot")
    build(load_config(root), output=docroot / "intranet" / "send")
    handler = functools.partial(_QuietHandler, directory=str(docroot))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/intranet/send/"
    server.shutdown()
    server.server_close()


def _visible_rows(page) -> int:
    return page.locator("#tracker-table tr[data-row]:visible").count()


def test_filters_narrow_the_tracker(served: str, browser) -> None:
    page = browser.new_page()
    try:
        page.goto(served + "tracker/")
        total = page.locator("#tracker-table tr[data-row]").count()
        assert total == 18 + 2
        assert page.locator("[data-filter-status]").inner_text() == f"Showing all {total} items."
        page.select_option("#filter-area", "northshire")
        assert _visible_rows(page) == 2
        assert page.locator("[data-filter-status]").inner_text() == f"Showing 2 of {total} items."
        assert "area=northshire" in page.url
        page.check("#filter-overdue")
        assert _visible_rows(page) == 1
        assert "Short breaks review finished" in page.locator("#tracker-table").inner_text()
        # Empty month groups are hidden, so the headings never mislead.
        assert page.locator("tr[data-group]:visible").count() == 1
        page.select_option("#filter-area", "")
        page.select_option("#filter-status", "not-rated")
        assert _visible_rows(page) == 4  # Southend's unrated milestones that are overdue
    finally:
        page.close()


def test_filters_come_from_the_link(served: str, browser) -> None:
    page = browser.new_page()
    try:
        page.goto(served + "tracker/?area=southend&status=on-track")
        assert page.locator("#filter-area").input_value() == "southend"
        assert _visible_rows(page) == 5
        page.goto(served + "dashboard/")
        page.click("a[aria-label='1 overdue']")
        expect(page).to_have_url(re.compile(r"tracker/northshire/\?overdue=1$"))
        expect(page.locator("#filter-overdue")).to_be_checked()
        expect(page.locator("#tracker-table tr[data-row]:visible")).to_have_count(1)
    finally:
        page.close()


def test_sorting_by_a_column(served: str, browser) -> None:
    page = browser.new_page()
    try:
        page.goto(served + "risks/")
        page.click("th[data-sort='area'] button")
        assert page.locator("th[data-sort='area']").get_attribute("aria-sort") == "ascending"
        first = page.locator("#risk-table tr[data-row]:visible td").first.inner_text()
        assert first == "Northshire"
        page.click("th[data-sort='area'] button")
        assert page.locator("th[data-sort='area']").get_attribute("aria-sort") == "descending"
        assert page.locator("#risk-table tr[data-row] td").first.inner_text() == "Southend"
    finally:
        page.close()


def test_tracker_reads_fully_without_javascript(served: str, browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(served + "tracker/?area=northshire")
        assert not page.locator("form.filters").is_visible()
        assert page.locator("#tracker-table tr[data-row]:visible").count() == 20
        groups = page.locator("tr[data-group] th").all_inner_texts()
        assert groups[0].startswith("Due by January 2021")
        assert groups[-1].startswith("No date understood")
        link = page.locator("a", has_text="Short breaks review finished")
        link.click()
        expect(page).to_have_url(re.compile(r"northshire/report/#p1-milestone-1$"))
        expect(page.locator("#p1-milestone-1")).to_be_visible()
    finally:
        context.close()


def _ratings(page) -> list[str]:
    cells = page.locator("#risk-table tr[data-row]:visible td[data-label='Rating']")
    return [" ".join(text.split()) for text in cells.all_inner_texts()]


def test_register_filters_and_sorts_by_risk_rating(served: str, browser) -> None:
    page = browser.new_page()
    try:
        page.goto(served + "risks/")
        total = page.locator("#risk-table tr[data-row]").count()
        assert total == 6 + 2
        options = page.locator("#filter-rating option").all_inner_texts()
        assert options == ["Any rating", "High", "Medium", "Not rated"]
        # Most serious first; Southend's Yellow is a medium risk, not a "minor deviation".
        assert _ratings(page)[:4] == [
            "Red (High)",
            "Medium score 6 (likelihood 2 × impact 3)",
            "Yellow (Medium)",
            "Yellow (Medium)",
        ]
        assert "deviation" not in page.locator("#risk-table").inner_text()
        page.select_option("#filter-rating", "high")
        assert _ratings(page) == ["Red (High)"]
        assert "Provider market is thin" in page.locator("#risk-table").inner_text()
        assert page.locator("[data-filter-status]").inner_text() == f"Showing 1 of {total} risks."
        assert "rating=high" in page.url
        page.select_option("#filter-rating", "medium")
        assert len(_ratings(page)) == 3 and all("Medium" in r for r in _ratings(page))
        page.select_option("#filter-rating", "not-rated")
        assert _ratings(page) == ["Not rated"] * 4
        # Sorting by the Rating column orders by severity, either way round.
        page.select_option("#filter-rating", "")
        page.click("th[data-sort='rating'] button")
        assert _ratings(page)[0] == "Red (High)" and _ratings(page)[-1] == "Not rated"
        page.click("th[data-sort='rating'] button")
        assert _ratings(page)[0] == "Not rated" and _ratings(page)[-1] == "Red (High)"
        # The dashboard counts risks by rating and links to the register filtered to one.
        page.goto(served + "dashboard/")
        page.click("a[aria-label='1 high']")
        expect(page).to_have_url(re.compile(r"risks/northshire/\?rating=high$"))
        # The URL changes before the page's script has read it: wait for the script.
        expect(page.locator("#filter-rating")).to_have_value("high")
        expect(page.locator("#risk-table tr[data-row]:visible")).to_have_count(1)
        assert _ratings(page) == ["Red (High)"]
    finally:
        page.close()


def test_a_linked_filter_no_row_here_has_shows_none_and_says_so(served: str, browser) -> None:
    page = browser.new_page()
    try:
        page.goto(served + "risks/?rating=hgh")  # mistyped, or a level none of these has
        expect(page.locator("#risk-table tr[data-row]:visible")).to_have_count(0)
        assert page.locator("#filter-rating").input_value() == "hgh"
        summary = page.locator("[data-filter-summary]:visible").inner_text()
        assert re.fullmatch(r"0 of \d+ risks and issues shown: rating hgh \(none here\)\.", summary)
        page.select_option("#filter-rating", "")  # and the reader can go back to all
        assert page.locator("#risk-table tr[data-row]:visible").count() > 0
        page.goto(served + "tracker/?area=essex")  # an area this site does not have
        assert _visible_rows(page) == 0
        assert "area essex (none here)" in page.locator("[data-filter-summary]").inner_text()
    finally:
        page.close()


@pytest.mark.parametrize("width", [320, 700, 900])
def test_the_tracker_and_register_fit_the_screen(served: str, browser, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        for address in ("tracker/", "risks/"):
            page.goto(served + address)
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, f"{address} is {wide} px wide at {width} px"
    finally:
        page.close()


def test_without_javascript_the_tracker_says_links_do_not_filter(served: str, browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(served + "tracker/?status=delayed")
        note = page.locator("p.filters__note")
        expect(note).to_be_visible()
        assert "Filtering this list needs JavaScript" in note.inner_text()
        assert "every item is shown" in note.inner_text()
    finally:
        context.close()


@pytest.fixture(scope="module")
def served_series(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example series (four reports of one area), built and served."""
    docroot = tmp_path_factory.mktemp("series-docroot")
    build(load_config(REPO / "examples" / "northdale-series"), output=docroot / "site")
    handler = functools.partial(_QuietHandler, directory=str(docroot))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/site/"
    server.shutdown()
    server.server_close()


def test_a_reports_numbers_on_the_dashboard_open_that_reports_rows(
    served_series: str, browser
) -> None:
    page = browser.new_page()
    try:
        page.goto(served_series + "dashboard/")
        row = page.locator("#risks ~ div tr.dashboard__report").first
        link = row.locator("a[aria-label$=' high']")
        count = int(link.inner_text())
        link.click()
        expect(page).to_have_url(
            re.compile(r"risks/northdale/\?report=northdale(/|%2F)[\w-]+&rating=high$")
        )
        shown = page.locator("#risk-table tr[data-row]:visible")
        expect(shown).to_have_count(count)
        assert page.locator("#filter-report option").count() == 5  # all, and the four
        page.select_option("#filter-report", "")  # every report's high risks: more
        assert page.locator("#risk-table tr[data-row]:visible").count() > count
    finally:
        page.close()


@pytest.mark.parametrize(
    ("table", "label", "field"),
    [("#milestones", "on track", "status"), ("#risks", "high", "rating")],
)
def test_an_areas_numbers_on_the_dashboard_are_where_it_stands_now(
    served_series: str, browser, table: str, label: str, field: str
) -> None:
    """An area's row counts the latest report of each series (a milestone four quarterly
    reports track is one milestone), and its numbers open those rows."""
    page = browser.new_page()
    try:
        page.goto(served_series + "dashboard/")
        area = page.locator(f"{table} ~ div tr.dashboard__area").first
        latest = page.locator(f"{table} ~ div tr.dashboard__report").first  # newest first
        assert "quarter 4" in latest.locator("th").inner_text()
        totals = [row.locator("td[data-label=Total]").inner_text() for row in (area, latest)]
        assert totals[0] == totals[1]
        every = page.locator(f"{table} ~ div tr.dashboard__report td[data-label=Total]")
        assert sum(int(t) for t in every.all_inner_texts()) > int(totals[0])  # four reports
        expect(
            page.locator("p", has_text="Each area's row counts where it stands now")
        ).to_be_visible()
        link = area.locator(f"a[aria-label$=' {label}']")
        count = int(link.inner_text())
        link.click()
        expect(page).to_have_url(re.compile(rf"/northdale/\?latest=1&{field}=[\w-]+$"))
        expect(page.locator("tr[data-row]:visible")).to_have_count(count)
    finally:
        page.close()


def test_a_wide_table_in_a_reports_text_scrolls_not_the_page(served: str, browser) -> None:
    page = browser.new_page(viewport={"width": 320, "height": 800})
    try:
        page.goto(served + "northshire/report/")
        wrapper = page.locator("div.table-scroll:has(th:text('Total'))")
        expect(wrapper).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert wrapper.evaluate("e => e.scrollWidth > e.clientWidth")  # it scrolls itself
        assert wrapper.get_attribute("tabindex") == "0"  # and can be scrolled by keyboard
        cell = wrapper.locator("td").first
        assert cell.evaluate("e => getComputedStyle(e).borderBottomStyle") == "solid"
    finally:
        page.close()


def test_pages_fit_a_phone_with_wcag_text_spacing(served: str, browser) -> None:
    # WCAG 1.4.12: wider letter, word and line spacing set by the reader loses nothing.
    spacing = (
        "* { line-height: 1.5 !important; letter-spacing: 0.12em !important;"
        " word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }"
    )
    page = browser.new_page(viewport={"width": 320, "height": 800})
    try:
        for address in ("", "tracker/", "northshire/report/"):
            page.goto(served + address)
            page.add_style_tag(content=spacing)
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= 320, f"{address or 'home'} is {wide} px wide"
    finally:
        page.close()


def test_rows_of_earlier_reports_in_a_series_are_marked_and_can_be_left_out(
    served_series: str, browser
) -> None:
    page = browser.new_page()
    try:
        page.goto(served_series + "tracker/northdale/")
        rows = page.locator("#tracker-table tr[data-row]")
        earlier = rows.filter(has_text="Since followed by")
        assert 0 < earlier.count() < rows.count()
        intro = page.locator("p", has_text="of these items are from a report that a later one")
        assert intro.inner_text().startswith(f"{earlier.count()} of these items")
        page.check("#filter-latest")
        shown = page.locator("#tracker-table tr[data-row]:visible")
        expect(shown).to_have_count(rows.count() - earlier.count())
        assert shown.filter(has_text="Since followed by").count() == 0
        expect(page).to_have_url(re.compile(r"\?latest=1$"))
        assert "latest report of each series only" in (
            page.locator("[data-filter-summary]").inner_text()
        )
    finally:
        page.close()


@pytest.mark.parametrize("width", [320, 800, 1280])
def test_a_filter_hides_rows_when_the_list_is_cards_too(served: str, browser, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        page.goto(served + "risks/?rating=high")
        high = page.locator("#risk-table tr[data-row][data-rating='high']").count()
        assert 0 < high < page.locator("#risk-table tr[data-row]").count()
        expect(page.locator("#risk-table tr[data-row]:visible")).to_have_count(high)
    finally:
        page.close()
