"""Readers on paper, on the keyboard, in forced colours and on a missing page, in a real browser.

- every kind of page prints whole on A4 portrait: no table is wider than the page, and
  Chromium's PDF of it holds every column's header and the last column's values;
- the tracker's and register's header row is printed again on each page, as plain text;
- a filtered tracker says what it shows and how it was filtered, on screen and on paper,
  and its month headings count what is shown;
- no heading is left alone at the foot of a printed page;
- the page a web server sends for a missing address, at any depth, is the site's own
  page: styled, with a skip link, navigation and links that lead into the site;
- the tracker's filters have the search page's focus rings, the navigation's current
  page stays marked in forced colours, and the dashboard's tables can be scrolled
  from the keyboard.

The PDFs are read with ``pdftotext`` (Debian's poppler-utils).
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import axe_playwright_python
import pytest
from playwright.sync_api import expect

from .conftest import DEMO_AREAS

PDFTOTEXT = shutil.which("pdftotext")
AXE = Path(axe_playwright_python.__file__).parent / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

#: The width Chromium lays out a printed A4 portrait page at, in CSS pixels: 210 mm less
#: the theme's 15 mm page margins either side is 180 mm, at 96 pixels to 25.4 mm.
A4_WIDTH = 680

#: One page of each kind; ``report:AREA`` is AREA's report (each area has its own format).
PAGE_KINDS = [
    "",
    "southend/",
    *(f"report:{area}" for area in DEMO_AREAS),
    "dashboard/",
    "tracker/",
    "risks/",
    "topics/",
    "glossary/",
    "search/",
]


def _words(text: str) -> str:
    return " ".join(text.split())


class _NotFoundHandler(http.server.SimpleHTTPRequestHandler):
    """A static server that answers every missing path with the site's 404.html,
    as IIS, Apache (ErrorDocument) and nginx (error_page) are set up to."""

    not_found: Path

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        if code != 404:
            return super().send_error(code, message, explain)
        body = self.not_found.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@contextmanager
def _serving(docroot: Path, not_found: Path) -> Iterator[str]:
    handler = type("Handler", (_NotFoundHandler,), {"not_found": not_found})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(docroot))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def served(demo_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo site under a sub-path of a web server, as on an intranet."""
    site = tmp_path_factory.mktemp("docroot") / "intranet" / "send"
    shutil.copytree(demo_site, site)
    with _serving(site.parent.parent, site / "404.html") as server:
        yield server + "intranet/send/"


@pytest.fixture(scope="module")
def served_at_root(demo_site: Path) -> Iterator[str]:
    """The demo site at the root of a web server."""
    with _serving(demo_site, demo_site / "404.html") as server:
        yield server


@pytest.fixture(scope="module")
def pdftotext() -> str:
    if PDFTOTEXT is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext is required in CI: apt-get install poppler-utils")
        pytest.skip("no pdftotext here: apt-get install poppler-utils to run the print tests")
    return PDFTOTEXT


def _printed(page, pdftotext: str) -> list[str]:
    """The text of each page of ``page`` printed by Chromium on A4, whitespace collapsed."""
    pdf = page.pdf(format="A4")
    text = subprocess.run(
        [pdftotext, "-raw", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    # A line that ends at a word's hyphen ("neuro-", "developmental") is one word.
    pages = [_words(re.sub(r"(?<=\w)-\n", "-", one)) for one in text.split("\f")]
    return pages[:-1] if pages and not pages[-1] else pages


def _path(kind: str, site: Path) -> str:
    if not kind.startswith("report:"):
        return kind
    area = kind.removeprefix("report:")
    report = sorted(p.parent for p in (site / area).glob("*/index.html"))[0]
    return f"{area}/{report.name}/"


_TABLES = """() => Array.from(document.querySelectorAll('table'))
  .filter(t => t.getClientRects().length)
  .map(t => ({
    name: t.id || (t.caption ? t.caption.textContent.trim() : t.className),
    width: t.scrollWidth,
    room: t.parentElement.clientWidth,
    heads: t.tHead ? Array.from(t.tHead.rows[t.tHead.rows.length - 1].cells, c => c.innerText) : [],
    rows: Array.from(t.tBodies).flatMap(b => Array.from(b.rows))
      .filter(r => r.getClientRects().length && r.cells.length > 1)
      .map(r => Array.from(r.cells, c => c.innerText)),
  }))"""


@pytest.mark.parametrize("kind", PAGE_KINDS, ids=lambda kind: kind.strip("/") or "home")
def test_every_kind_of_page_prints_whole_on_a4(
    kind: str, demo_site: Path, served: str, browser, pdftotext: str
) -> None:
    path = _path(kind, demo_site)
    page = browser.new_page(viewport={"width": A4_WIDTH, "height": 1000})
    try:
        page.goto(served + path)
        page.emulate_media(media="print")
        assert page.evaluate("document.documentElement.scrollWidth") <= A4_WIDTH, path
        tables = page.evaluate(_TABLES)
        for table in tables:
            assert table["width"] <= table["room"], f"/{path}: {table['name']} is cut off"
        printed = " ".join(_printed(page, pdftotext))
        for table in tables:
            for head in table["heads"]:
                assert _words(head) in printed, f"/{path}: {table['name']}: {head!r} not printed"
            for row in table["rows"]:
                last = _words(row[-1])
                assert last in printed, f"/{path}: {table['name']}: {last!r} not printed"
    finally:
        page.close()


def test_the_dashboard_prints_every_count_of_every_area(
    served: str, browser, pdftotext: str
) -> None:
    page = browser.new_page()
    try:
        page.goto(served + "dashboard/")
        tables = page.evaluate(_TABLES)
        printed = " ".join(_printed(page, pdftotext))
    finally:
        page.close()
    assert [t["heads"][-3:] for t in tables] == [
        ["Not rated", "Total", "Overdue"],
        ["Not rated", "Closed", "Total"],  # risks are counted by rating
    ]
    lancashire = [row for row in tables[0]["rows"] if row[0].startswith("Lancashire")]
    assert lancashire and int(lancashire[0][-2]) > 0  # its items are all unrated
    for table in tables:
        for row in table["rows"]:
            # The whole row, in order: the area or report, then each count.
            assert _words(" ".join(row)) in printed


def _header_pages(page, pdftotext: str, table: str, header: str) -> tuple[list[str], int, int]:
    """The printed pages, and the first and last page the table is on."""
    last_row = _words(page.locator(f"#{table} tr[data-row]").last.locator("td").nth(2).inner_text())
    pages = _printed(page, pdftotext)
    first = next(i for i, text in enumerate(pages) if header in text)
    last = next(i for i, text in enumerate(pages) if last_row in text)
    return pages, first, last


@pytest.mark.parametrize(
    ("path", "table"), [("tracker/", "tracker-table"), ("risks/", "risk-table")]
)
def test_the_header_row_is_printed_on_every_page_as_plain_text(
    path: str, table: str, served: str, browser, pdftotext: str
) -> None:
    page = browser.new_page()
    try:
        page.goto(served + path)
        expect(page.locator(f"#{table} thead button").first).to_be_visible()  # sortable
        header = _words(" ".join(page.locator(f"#{table} thead th").all_inner_texts()))
        pages, first, last = _header_pages(page, pdftotext, table, header)
        assert last > first, "the table should take more than one page"
        missing = [i + 1 for i in range(first, last + 1) if header not in pages[i]]
        assert missing == [], f"{header!r} not printed on pages {missing}"
        # Sorted, the printed header says so on every page too.
        page.click(f"#{table} th[data-sort='area'] button")
        header = header.replace("Area", "Area ▲", 1)
        pages, first, last = _header_pages(page, pdftotext, table, header)
        missing = [i + 1 for i in range(first, last + 1) if header not in pages[i]]
        assert missing == [], f"{header!r} not printed on pages {missing}"
        # Printed, the headers are plain black text, not blue underlined buttons.
        page.emulate_media(media="print")
        shown = page.evaluate(
            """table => Array.from(document.querySelectorAll(`#${table} thead th`), th =>
              [th, ...th.querySelectorAll('*')]
                .filter(e => e.getClientRects().length && e.getClientRects()[0].width > 0
                  && Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim()))
                .map(e => [e.tagName, getComputedStyle(e).color,
                           getComputedStyle(e).textDecorationLine]))""",
            table,
        )
        for cells in shown:
            assert len(cells) == 1 and cells[0][0] != "BUTTON", cells
            assert cells[0][1:] == ["rgb(0, 0, 0)", "none"], cells
    finally:
        page.close()


_GROUPS = """() => Array.from(document.querySelectorAll('#tracker-table tr[data-group]'), group => {
  const rows = Array.from(group.parentElement.querySelectorAll('tr[data-row]'));
  return {heading: group.innerText.trim(),
          shown: !group.hidden && group.getClientRects().length > 0,
          visible: rows.filter(r => r.getClientRects().length).length, all: rows.length};
})"""


def test_a_filtered_tracker_says_what_it_shows_on_screen_and_on_paper(
    served: str, browser, pdftotext: str
) -> None:
    page = browser.new_page()
    try:
        page.goto(served + "tracker/")
        lead = page.locator("p.lead")
        unfiltered = lead.inner_text()
        total = page.locator("#tracker-table tr[data-row]").count()
        assert f"{total} in all" in unfiltered
        page.select_option("#filter-area", "southend")
        page.check("#filter-overdue")
        shown = page.locator("#tracker-table tr[data-row]:visible").count()
        assert 0 < shown < total
        said = f"{shown} of {total} milestones and actions shown: area Southend, overdue only."
        expect(lead).to_have_text(said)
        groups = page.evaluate(_GROUPS)
        for group in groups:
            if group["visible"]:
                assert group["shown"], group
                assert group["heading"].endswith(f"({group['visible']} of {group['all']})"), group
            else:
                assert not group["shown"], group  # an empty month is not listed
        assert sum(group["visible"] for group in groups) == shown
        printed = " ".join(_printed(page, pdftotext))
        assert said in printed
        assert f"{total} in all" not in printed
        # Filters cleared: the page reads as it did.
        page.uncheck("#filter-overdue")
        page.select_option("#filter-area", "")
        expect(lead).to_have_text(unfiltered)
        for group in page.evaluate(_GROUPS):
            assert group["shown"] and group["heading"].endswith(f"({group['all']})"), group
    finally:
        page.close()


def test_a_filtered_register_says_what_it_shows(served: str, browser) -> None:
    page = browser.new_page()
    try:
        page.goto(served + "risks/?area=southend")
        total = page.locator("#risk-table tr[data-row]").count()
        shown = page.locator("#risk-table tr[data-row]:visible").count()
        expect(page.locator("p.lead")).to_have_text(
            f"{shown} of {total} risks and issues shown: area Southend."
        )
    finally:
        page.close()


_HEADINGS = """() => Array.from(document.querySelectorAll(
    'main h1, main h2, main h3, main h4, main caption, main tr[data-group]'))
  .filter(e => e.getClientRects().length).map(e => e.innerText)"""


@pytest.mark.parametrize("kind", ["tracker/southend/", "report:southend"])
def test_no_heading_is_left_at_the_foot_of_a_printed_page(
    kind: str, demo_site: Path, served: str, browser, pdftotext: str
) -> None:
    # A space of growing height above the content moves each heading down the page,
    # so that every heading comes near the foot of a page in one print or another.
    path = _path(kind, demo_site)
    page = browser.new_page()
    alone = []
    try:
        for space in range(0, 1000, 50):
            page.goto(served + path)
            page.evaluate(
                "space => { const gap = document.createElement('div');"
                " gap.style.height = space + 'px'; document.querySelector('main').prepend(gap); }",
                space,
            )
            headings = {_words(h) for h in page.evaluate(_HEADINGS)} - {""}
            for number, text in enumerate(_printed(page, pdftotext)[:-1], start=1):
                alone += [(space, number, h) for h in headings if text.endswith(h)]
    finally:
        page.close()
    assert alone == []


def _looks(page) -> dict[str, list[str]]:
    """The computed look of the theme's parts a missing page shares with every page."""
    return page.evaluate(
        """() => {
          const parts = {
            body: 'body', header: '.site-header', title: '.site-header__title',
            organisation: '.site-header__organisation', nav: '.service-nav',
            link: '.service-nav__item:nth-child(2) .service-nav__link',
            heading: 'main h1', footer: '.site-footer', skip: '.skip-link'};
          const properties = ['color', 'background-color', 'font-family', 'font-size',
            'font-weight', 'border-bottom', 'border-top', 'padding', 'position', 'left'];
          const looks = {};
          for (const [name, selector] of Object.entries(parts)) {
            const part = document.querySelector(selector);
            const style = part && getComputedStyle(part);
            looks[name] = style && properties.map(p => p + ': ' + style.getPropertyValue(p));
          }
          return looks;
        }"""
    )


def _skip_link_works(page) -> None:
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"


@pytest.mark.parametrize("missing", ["a/", "a/b/c/", "reports/sub/path/x"])
def test_a_missing_page_at_any_depth_is_the_sites_own_page(
    missing: str, served: str, browser
) -> None:
    page = browser.new_page()
    try:
        page.goto(served)
        home_title, home_looks = page.title(), _looks(page)
        response = page.goto(served + missing)
        assert response is not None and response.status == 404
        expect(page.locator("h1")).to_have_text("Page not found")
        assert _looks(page) == home_looks
        nav = page.get_by_role("navigation", name="Site sections")
        expect(nav.get_by_role("link", name="Dashboard")).to_have_attribute(
            "href", served + "dashboard/"
        )
        _skip_link_works(page)
        home = page.get_by_role("link", name="home page")
        expect(home).to_have_attribute("href", served)
        home.click()
        expect(page).to_have_url(served)
        expect(page).to_have_title(home_title)
        # Each link is pointed at the site's root once the page's script has run.
        page.goto(served + missing)
        search = page.get_by_role("link", name="search the reports")
        expect(search).to_have_attribute("href", served + "search/")
        search.click()
        expect(page).to_have_url(served + "search/")
        page.goto(served + missing)
        a_to_z = page.get_by_role("main").get_by_role("link", name="A to Z index")
        expect(a_to_z).to_have_attribute("href", served + "a-z/")
        a_to_z.click()
        expect(page).to_have_url(served + "a-z/")
    finally:
        page.close()


def test_a_missing_page_has_no_accessibility_failures(served: str, browser) -> None:
    page = browser.new_page()
    try:
        page.goto(served + "reports/sub/path/x")
        expect(page.get_by_role("link", name="home page")).to_have_attribute("href", served)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " resultTypes: ['violations']})",
            WCAG,
        )
    finally:
        page.close()
    assert [violation["id"] for violation in result["violations"]] == []


def test_a_missing_page_without_javascript_is_styled_and_leads_home(
    served: str, served_at_root: str, browser
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(served_at_root)
        home_title, home_looks = page.title(), _looks(page)
        for missing in [served + "a/b/c/", served_at_root + "a/b/c/", served_at_root + "x"]:
            response = page.goto(missing)
            assert response is not None and response.status == 404
            assert _looks(page) == home_looks, missing
        _skip_link_works(page)
        page.get_by_role("link", name="home page").click()
        expect(page).to_have_url(served_at_root)
        expect(page).to_have_title(home_title)
    finally:
        context.close()


_RING = """selector => {
  const element = document.querySelector(selector);
  const style = getComputedStyle(element);
  return {visible: element.matches(':focus-visible'),
          ring: ['outline-style', 'outline-width', 'outline-color', 'outline-offset',
                 'box-shadow'].map(p => style.getPropertyValue(p))};
}"""


def _ring_reached_by_tab(page, before: str, selector: str) -> list[str]:
    """The focus ring of ``selector``, reached with the Tab key from ``before``."""
    page.focus(before)
    page.keyboard.press("Tab")
    ring = page.evaluate(_RING, selector)
    assert ring["visible"], f"{selector} is not focused"
    return ring["ring"]


def test_the_tracker_filters_have_the_search_pages_focus_rings(served: str, browser) -> None:
    page = browser.new_page()
    try:
        page.goto(served + "search/?q=EHCP")
        search_box = _ring_reached_by_tab(page, ".breadcrumbs__link", "#search-input")
        filters = page.locator("details[data-search-filters]")
        expect(filters).to_be_visible()
        if not filters.evaluate("details => details.open"):
            filters.locator("summary").click()
        search_checkbox = _ring_reached_by_tab(
            page, "details[data-search-filters] summary", ".checkboxes__input"
        )
        page.goto(served + "tracker/")
        select = _ring_reached_by_tab(page, "#filter-status", "#filter-owner")
        checkbox = _ring_reached_by_tab(page, "#filter-month", "#filter-overdue")
    finally:
        page.close()
    assert select == search_box
    assert checkbox == search_checkbox
    assert search_box[:3] == ["solid", "3px", "rgb(255, 221, 0)"]


def test_the_current_page_stays_marked_in_forced_colours(served: str, browser) -> None:
    page = browser.new_page(forced_colors="active")
    try:
        page.goto(served + "dashboard/")
        marks = page.evaluate(
            """() => {
              const canvas = document.createElement('div');
              canvas.style.color = 'Canvas';
              document.body.append(canvas);
              const background = getComputedStyle(canvas).color;
              return {background, links: Array.from(
                document.querySelectorAll('.service-nav__link'), a => [
                  a.getAttribute('aria-current') === 'page',
                  getComputedStyle(a).borderBottomColor,
                  getComputedStyle(a).borderBottomWidth])};
            }"""
        )
    finally:
        page.close()
    current = [link for link in marks["links"] if link[0]]
    others = [link for link in marks["links"] if not link[0]]
    assert len(current) == 1 and others
    assert current[0][1] != marks["background"] and current[0][2] != "0px"
    assert all(link[1] == marks["background"] for link in others), others


def test_the_dashboards_tables_can_be_reached_and_scrolled_by_keyboard(
    served: str, browser
) -> None:
    page = browser.new_page(viewport={"width": 700, "height": 800})
    try:
        page.goto(served + "dashboard/")
        for name in ["Milestones and actions", "Risks and issues"]:
            region = page.get_by_role("region", name=name)
            expect(region).to_have_count(1)
            for _ in range(80):
                page.keyboard.press("Tab")
                if region.evaluate("box => box === document.activeElement"):
                    break
            else:
                pytest.fail(f"the {name} table cannot be reached by keyboard")
            assert region.evaluate("box => getComputedStyle(box).outlineStyle") == "solid"
            if region.evaluate("box => box.scrollWidth > box.clientWidth"):
                page.keyboard.press("ArrowRight")
                expect(region).not_to_have_js_property("scrollLeft", 0)
    finally:
        page.close()


def test_a_link_off_the_site_prints_its_address(served: str, browser, pdftotext: str) -> None:
    page = browser.new_page()
    try:
        page.goto(served + "southend/highlight-report-2021-05/")
        page.evaluate(
            """() => {
              const p = document.createElement("p");
              p.innerHTML = 'See <a href="https://www.example.org/local-offer">the Local Offer</a>'
                + ' and <a href="../../tracker/">the tracker</a>.';
              document.querySelector("main").prepend(p);
            }"""
        )
        printed = " ".join(_printed(page, pdftotext))
        assert "the Local Offer (https://www.example.org/local-offer) and the tracker." in printed
    finally:
        page.close()
