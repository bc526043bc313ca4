"""The A to Z index: every report and section by first letter, a way on without JavaScript.

The search page's "Search needs JavaScript" message links to it, and every
page's footer does too; from it a reader reaches any report or section with
plain links.
"""

from __future__ import annotations

import posixpath
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from sendsite.build.publish import build
from sendsite.config import load_config

from .conftest import REPO, fragment_text
from .test_accessibility import base_url  # noqa: F401  (the fixture, served from demo_site)

EXAMPLE = REPO / "examples" / "northdale-series"


def _links(html: str) -> list[tuple[str, str]]:
    """Every link of the page's main content: (href, its text)."""
    main = html[html.index("<main") : html.index("</main>")] if "<main" in html else html
    return [
        (href, fragment_text(text))
        for href, text in re.findall(r'<a [^>]*?href="([^"]+)"[^>]*>(.*?)</a>', main, re.S)
    ]


def _target(site: Path, page: str, href: str) -> tuple[Path, str]:
    """The file and anchor a relative link from ``page`` (a site path) leads to."""
    path, _, anchor = href.partition("#")
    folder = posixpath.dirname(page)
    if not path:
        return site / page, anchor
    resolved = posixpath.normpath(posixpath.join(folder, path))
    return site / resolved / ("index.html" if path.endswith("/") else ""), anchor


def _entry(html: str, text: str) -> str:
    """The HTML of the A to Z entry filed as ``text``."""
    for entry in re.findall(r'<li class="a-z__entry">(.*?)\n    </li>', html, re.S):
        if re.search(rf'class="a-z__term"[^>]*>{re.escape(text)}</', entry):
            return entry
    raise AssertionError(f"no entry {text!r}")


def test_every_report_and_section_is_linked_and_every_link_resolves(demo, demo_site: Path) -> None:
    html = (demo_site / "a-z" / "index.html").read_text(encoding="utf-8")
    targets = set()
    for href, _ in _links(html):
        file, anchor = _target(demo_site, "a-z/index.html", href)
        assert file.is_file(), href
        if anchor:
            assert f'id="{anchor}"' in file.read_text(encoding="utf-8"), href
        targets.add((file.relative_to(demo_site).as_posix(), anchor))
    for entry in demo.reports:
        assert (str(entry.path), "") in targets, entry.title
        for section in entry.report.sections:
            assert (str(entry.path), section.anchor) in targets, (entry.title, section.title)
    assert ("glossary/index.html", "") in targets
    assert ("topics/index.html", "") in targets
    assert {(str(a.path), "") for a in demo.areas} <= targets


def test_entries_are_filed_by_their_words_and_say_where_they_are(demo_site: Path) -> None:
    html = (demo_site / "a-z" / "index.html").read_text(encoding="utf-8")
    start = html.index('id="letter-t"')
    letter_t = html[start : html.index("</section>", start)]
    entry = _entry(letter_t, "Timeliness of EHC assessments and plans")
    assert fragment_text(entry) == (
        "Timeliness of EHC assessments and plans "
        "Response to the Joint Local Area SEND Revisit in Suffolk – January 2019 "
        "Suffolk, 9 September 2019 · Weakness 2"
    )
    assert 'href="../suffolk/revisit-response-2019-09/#weakness-2"' in entry
    # A report is an entry of its own, linked, with its area and date.
    report = _entry(html, "Joint Commissioning highlight report, May 2021")
    assert fragment_text(report).endswith("Report · Southend, 28th May 2021")
    # The jump list links each letter that has entries, and only those.
    nav = html[html.index('<nav class="a-z__letters"') : html.index("</nav>", html.index("a-z__"))]
    assert '<a class="a-z__letter-link" href="#letter-t">T</a>' in nav
    assert '<span class="a-z__letter-empty">X</span>' in nav


def test_a_series_heading_or_title_links_the_newest_report_once(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(load_config(EXAMPLE), output=out)
    html = (out / "a-z" / "index.html").read_text(encoding="utf-8")
    entry = _entry(html, "Graduated approach and early identification")
    assert fragment_text(entry) == (
        "Graduated approach and early identification Highlight report, quarter 4 2023/24 "
        "Northdale, 28 March 2024 · P3 · also in 3 earlier reports: all Northdale reports"
    )
    assert [href for href, _ in _links(entry)] == [
        "../northdale/highlight-2023-q4/#p3",
        "../northdale/",
    ]
    # Reports whose titles differ only in their dates are one entry, as a series is.
    entry = _entry(html, "Highlight report, quarter 4 2023/24")
    assert fragment_text(entry) == (
        "Highlight report, quarter 4 2023/24 Report · Northdale, 28 March 2024 "
        "· also in 3 earlier reports: all Northdale reports"
    )
    assert "highlight-2023-q1" not in html


def test_a_large_site_has_a_page_per_letter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sendsite.builtin import a_to_z

    monkeypatch.setattr(a_to_z, "PAGE_LIMIT", 3)
    source = tmp_path / "src"
    shutil.copytree(EXAMPLE, source)
    out = tmp_path / "site"
    build(load_config(source), output=out)
    index = (out / "a-z" / "index.html").read_text(encoding="utf-8")
    assert "too many for one page: choose a letter" in index
    assert 'class="a-z__entry"' not in index
    assert '<a class="a-z__letter-link" href="g/">G</a>' in index
    letter = (out / "a-z" / "g" / "index.html").read_text(encoding="utf-8")
    assert "<title>A to Z index: G – " in letter
    assert 'href="./" aria-current="page">G</a>' in letter
    assert 'href="../../northdale/highlight-2023-q4/#p3"' in letter
    entries = [
        term
        for page in (out / "a-z").glob("*/index.html")
        for term in re.findall(r'class="a-z__term"[^>]*>([^<]+)<', page.read_text("utf-8"))
    ]
    assert len(entries) == len(set(entries)) > 3  # each entry on one letter page


def test_every_page_links_the_a_to_z_and_the_search_page_offers_it(demo_site: Path) -> None:
    for page in ("index.html", "essex/index.html", "glossary/index.html", "search/index.html"):
        html = (demo_site / page).read_text(encoding="utf-8")
        footer = html[html.index("<footer") :]
        assert re.search(r'<a href="[./]*a-z/">A to Z index</a>', footer), page
    search = (demo_site / "search" / "index.html").read_text(encoding="utf-8")
    needs = search[search.index("data-search-needs") : search.index("data-search-file")]
    assert [href for href, _ in re.findall(r'href="([^"]+)">([^<]+)<', needs)] == [
        "../a-z/",
        "../glossary/",
        "../topics/",
        "../",
    ]


def test_without_javascript_the_header_search_leads_to_a_section(
    browser: object,
    base_url: str,  # noqa: F811
) -> None:
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    tab = context.new_page()
    try:
        tab.goto(base_url + "essex/")
        tab.fill("#site-search-input", "EHC assessments")
        tab.press("#site-search-input", "Enter")
        tab.wait_for_url("**/search/?q=EHC+assessments")
        way_on = tab.locator("[data-search-needs]")
        assert way_on.is_visible()
        assert "Search needs JavaScript" in way_on.inner_text()
        assert way_on.get_by_role("link", name="glossary").is_visible()
        assert way_on.get_by_role("link", name="topics").is_visible()
        way_on.get_by_role("link", name="A to Z index").click()
        tab.wait_for_url("**/a-z/")
        assert tab.get_by_role("heading", level=1).inner_text() == "A to Z index"
        tab.get_by_role("navigation", name="Letters of the A to Z").get_by_role(
            "link", name="T", exact=True
        ).click()
        expect(tab).to_have_url(re.compile(r"/a-z/#letter-t$"))
        entry = tab.locator(".a-z__entry").filter(has_text="Timeliness of EHC assessments")
        entry.get_by_role("link", name=re.compile("Response to the Joint Local Area")).click()
        tab.wait_for_url("**/suffolk/revisit-response-2019-09/#weakness-2")
        heading = tab.locator("#weakness-2-heading")
        assert heading.is_visible()
        assert "Timeliness of EHC assessments and plans" in heading.inner_text()
    finally:
        context.close()
