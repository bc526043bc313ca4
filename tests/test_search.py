"""Search: the index a build writes, the search box, and the search page in a real browser.

The built site is served over HTTP on 127.0.0.1 under a sub-path
(``/intranet/send/``), as an intranet would, to catch links that assume the
site is at the root.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import pickle
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pytest
from playwright.sync_api import expect

from sendsite import GlossaryTerm, hookimpl
from sendsite.build.deferred import content_bytes
from sendsite.build.publish import build, check_site
from sendsite.builtin.search.indexer import (
    RecordMemo,
    SearchIndexError,
    SearchRecord,
    search_records,
    write_search_index,
)
from sendsite.builtin.search.synonyms import Synonyms
from sendsite.builtin.search.text import split_text
from sendsite.config import load_config
from sendsite.plugins.manager import make_plugin_manager
from sendsite.serve.server import PreviewServer

from .conftest import REPO, SiteMaker, build_demo, copy_demo, run_cli
from .test_serve import Log

PREFIX = "/intranet/send/"


class _SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder at ``PREFIX`` only; everything else is not found."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0].split("#", 1)[0]
        if not path.startswith(PREFIX):
            return str(Path(self.directory) / ".not-here")
        return super().translate_path("/" + path[len(PREFIX) :])


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a browser that leaves a page drops its requests: not the site's fault


@contextlib.contextmanager
def served(site: Path) -> Iterator[str]:
    """Serve ``site`` over HTTP under ``PREFIX``; yield its base URL."""
    handler = functools.partial(_SubPathHandler, directory=str(site))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


STATUS = "[data-search-status]"
#: What the preview logs when its search index is rebuilt.
INDEXED = "Search index updated"


#: Each place a result leads to, in order: a report's matching sections (with the links
#: of the items shown under each), then the sections it only names; a result with no
#: sections shown (an area, a page, a report matched in its overview) is its own link.
_PLACES = """results => results.flatMap(li => {
  const sections = [...li.querySelectorAll('.search-result__section')];
  const named = [...li.querySelectorAll('.search-result__more .search-result__section-link')];
  if (!sections.length) { return [[li.querySelector('.search-result__link').href]]; }
  return [...sections.map(s => [...s.querySelectorAll('a')].map(a => a.href)),
          ...named.map(a => [a.href])];
})"""


def result_links(page: object) -> list[list[str]]:
    """For each place a result leads to (see ``_PLACES``): its link, then its items' links."""
    return page.eval_on_selector_all(".search-result", _PLACES)  # type: ignore[attr-defined]


def wait_for_results(page: object) -> list[str]:
    """Wait for the search page to announce its results; return the places they lead to."""
    page.wait_for_function(  # type: ignore[attr-defined]
        "s => document.querySelector(s) && document.querySelector(s).textContent.trim() !== ''",
        arg=STATUS,
        timeout=15000,
    )
    return [links[0] for links in result_links(page)]


# --- what a build writes ------------------------------------------------------------------


def _records(site_root: Path, plugins: tuple = ()) -> list[SearchRecord]:
    """The search records of the site at ``site_root``, with its plugins (and ``plugins``)."""
    config = load_config(site_root)
    pm = make_plugin_manager(config=config, plugins=plugins)
    checked = check_site(config, pm)
    return search_records(checked.site, checked.files, pm)


@pytest.fixture(scope="module")
def demo_records(demo_source: Path) -> list[SearchRecord]:
    """The demo site's search records (read-only: tests share them)."""
    return _records(demo_source)


def test_build_writes_an_index_of_every_record_one_page_per_site_page(
    demo_site: Path, demo_records: list[SearchRecord]
) -> None:
    entry = json.loads((demo_site / "pagefind" / "pagefind-entry.json").read_text())
    assert list(entry["languages"]) == ["en"]  # en-GB pages share one index
    records = demo_records
    assert len(records) > 60
    # One Pagefind page per site page: a report's overview and sections are one page.
    pages = {r.page() for r in records}
    assert entry["languages"]["en"]["page_count"] == len(pages) < len(records)
    reports = [r for r in records if r.kind == "Report"]
    assert len(reports) == 5 and {r.page() for r in reports} <= pages
    assert {r.kind for r in records} == {"Report", "Section", "Area", "Topic"}
    items = [i for r in records for i in r.items]
    assert {i.kind for i in items} == {"Milestone", "Action", "Risk or issue"}
    assert len(items) > 200  # every milestone, action and risk, inside its section
    assert (demo_site / "search" / "index.html").is_file()
    assert (demo_site / "search" / "words" / "c.json").is_file()
    assert not (demo_site / "pagefind" / "pagefind-ui.js").exists()  # our own page, not its UI
    assert all(not p.name.startswith(".") for p in (demo_site / "pagefind").rglob("*"))


def test_every_record_links_to_an_anchor_that_exists(
    demo_site: Path, demo_records: list[SearchRecord]
) -> None:
    ids: dict[str, set[str]] = {}
    for record in demo_records:
        assert not record.url.startswith("/") and "://" not in record.url
        page, _, anchor = record.url.partition("#")
        file = demo_site / page / "index.html"
        assert file.is_file(), record.url
        if page not in ids:
            ids[page] = set(re.findall(r'\bid="([^"]+)"', file.read_text(encoding="utf-8")))
        for wanted in [anchor, *(item.anchor for item in record.items)] if anchor else []:
            assert wanted in ids[page], f"{page}#{wanted}: no element with that id"


def test_records_are_sections_holding_their_items(demo_records: list[SearchRecord]) -> None:
    by_url = {r.url: r for r in demo_records}
    p2 = by_url["southend/highlight-report-2021-05/#p2"]
    assert (p2.kind, p2.area) == ("Section", "Southend")
    assert p2.title.startswith("P2 – Joint Commissioning of Therapies")
    assert p2.report == "Joint Commissioning highlight report, May 2021"
    assert "The Balance System project takes a whole system approach" in p2.text
    risk = next(i for i in p2.items if i.anchor == "p2-risk-1")
    assert (risk.kind, risk.status, risk.status_label) == (
        "Risk or issue",
        "Medium",  # a risk is filtered by its rating, not on the progress scale
        "Yellow (Medium)",
    )
    assert risk.title.startswith("P2 Joint Commissioning of Therapies - Variation in capacity")
    assert "Ongoing monitoring" in risk.text or "providers are actively engaged" in risk.text
    assert "Variation in capacity" not in p2.text  # the table rows are items, not prose
    filters = p2.filters()
    assert filters["kind"] == ["Section", "Milestone", "Risk or issue"]
    assert {"On track", "Minor deviation", "Medium"} <= set(filters["status"])
    weakness = by_url["suffolk/revisit-response-2019-09/#weakness-17"]
    assert "Waiting times for specialist assessments" in weakness.text
    assert all(i.anchor.startswith("weakness-17-action-") for i in weakness.items)
    music = by_url["havering/send-joint-commissioning-annual-report-2014/#section-5"]
    assert [i.anchor for i in music.items] == ["para-5-1-item-1"]
    action_2 = by_url["lancashire/app-highlight-report-2020-12/#action-2"]
    milestone = next(i for i in action_2.items if i.anchor == "action-2-milestone-1")
    assert (milestone.owner, milestone.due, milestone.kind) == (
        "Dave Carr",
        "31/12/20",
        "Milestone",
    )
    assert "Dave Carr" in milestone.text


def test_legends_navigation_and_abbreviation_lists_are_not_indexed(
    demo_records: list[SearchRecord],
) -> None:
    records = demo_records
    report = next(r for r in records if r.url == "southend/highlight-report-2021-05/")
    assert (report.kind, report.title) == (
        "Report",
        "Joint Commissioning highlight report, May 2021",
    )
    assert "Status key" not in report.text and "Contents" not in report.text
    assert "Ross Gerrie" in report.text
    titles = {r.title for r in records}
    assert not any("Abbreviations" in t or "Glossary" in t for t in titles)
    glance = next(r for r in records if r.url.endswith("#at-a-glance"))
    # The summary table repeats the paragraphs' items, which have records of their own.
    assert "London wide policy" not in glance.text


def test_records_carry_the_other_forms_of_glossary_terms(
    demo_records: list[SearchRecord],
) -> None:
    by_url = {r.url: r for r in demo_records}
    p3 = by_url["southend/highlight-report-2021-05/#p3"]
    assert "neuro-developmental" in p3.title and "ND" in p3.aka
    p1 = by_url["southend/highlight-report-2021-05/#p1"]
    assert "Written Statement of Action" in p1.aka  # the text says WSOA


def test_synonyms_work_both_ways() -> None:
    synonyms = Synonyms(
        [
            GlossaryTerm("SALT", "Speech and language therapy"),
            GlossaryTerm("SLT", "Speech and language therapy"),
            GlossaryTerm("EHCP", "Education, Health and Care Plan"),
            GlossaryTerm("ND", "Neurodevelopmental"),
            GlossaryTerm("LO", "Local Offer"),
        ]
    )
    assert synonyms.aka("Waiting lists for SALT") == ["Speech and language therapy", "SLT"]
    assert synonyms.aka("speech and language therapy") == ["SALT", "SLT"]
    assert synonyms.aka("Reviewing EHCPs") == ["Education, Health and Care Plan"]
    assert synonyms.aka("Education Health and Care Plans") == ["EHCP"]
    assert synonyms.aka("a neuro-developmental pathway") == ["ND"]
    assert synonyms.aka("lo and behold, the local offer") == ["LO"]  # capitals only for acronyms
    assert synonyms.aka("Nothing here") == []
    assert ["Local Offer", "LO"] in synonyms.table()


def test_text_is_split_at_anchors_and_skips_furniture() -> None:
    page = """<html><body><nav>Menu</nav><main>
    <h1>Report</h1><nav><a href="#s1">Contents</a></nav>
    <section class="legend" data-pagefind-ignore><h2>Status key</h2>Red</section>
    <section id="s1"><h2 id="s1-heading">First</h2><p>Prose about <abbr title="x">EHCP</abbr>s</p>
      <table><thead><tr><th>Milestone</th></tr></thead>
      <tr id="m1"><td>Do the thing</td><td>Green</td></tr>
      <tr><td><a href="#m1">1</a></td><td>Do the thing, again</td></tr></table>
      <span hidden>secret</span></section>
    <div><h2 id="h2">By heading</h2><p>Under it</p><h3>Sub</h3><p>Still</p><h2>Next</h2>Other</div>
    </main><footer>Foot</footer></body></html>"""
    parts = split_text(page, {"s1", "m1", "h2"}, {"m1"})
    assert parts["s1"] == "First. Prose about EHCPs."
    assert parts["m1"] == "Do the thing. Green."
    assert parts["h2"] == "By heading. Under it. Sub. Still."
    assert parts[""] == "Report. Next. Other."


def test_skipped_content_is_passed_over_whole_but_its_anchors_still_count() -> None:
    # Nested elements of the skipped one's name, a comment holding its closing tag,
    # and a tag whose name only begins with it: none ends the skipped element early.
    page = """<main><p>Before</p>
    <section data-pagefind-ignore><section><p>Inner</p></section><!-- </section> -->
      <sections>Odd</sections><p>Still skipped</p></section>
    <ul><li id="r1">Row one</li><li>See <span hidden><a href="#r1">the row</a></span> too</li></ul>
    <div data-pagefind-ignore><h2 id="lost">Heading</h2><p>Not read</p></div>
    <p>After</p></main>"""
    parts = split_text(page, {"r1", "lost"}, {"r1"})
    assert parts[""] == "Before. After."  # a row linking to an item, even unseen, is left out
    assert parts["r1"] == "Row one."
    # A wanted id found in skipped content is still found, with no text of its own.
    assert list(parts) == ["", "r1", "lost"]
    assert parts["lost"] == ""


def test_a_plugin_can_add_and_remove_records(demo_source: Path) -> None:
    class Extra:
        @hookimpl
        def prepare_search_records(self, site: object, records: list[SearchRecord]) -> None:
            records[:] = [r for r in records if r.kind != "Topic"]
            records.append(SearchRecord("glossary/", "Board minutes", "Minutes of May", "Page"))

    records = _records(demo_source, plugins=(("extra", Extra()),))
    assert not any(r.kind == "Topic" for r in records)
    assert records[-1].title == "Board minutes"


def test_kept_records_come_back_only_for_pages_as_they_were(demo_source: Path) -> None:
    config = load_config(demo_source)
    pm = make_plugin_manager(config=config)
    checked = check_site(config, pm)
    site, files = checked.site, dict(checked.files)
    memo = RecordMemo()
    first = search_records(site, files, pm, memo=memo)
    kept = pickle.loads(pickle.dumps(memo.portable()))  # as the build cache keeps it
    kept_one = kept.reports[site.reports[-1].path][2]
    edited, other = site.reports[0].path, site.reports[-1].path
    files[edited] = content_bytes(files[edited]).replace(b"</main>", b"<p>Zyzzogeton</p></main>")
    files[other] = bytes(content_bytes(files[other]))  # rendered again, to the same bytes
    again = search_records(site, files, pm, memo=kept)
    assert again == search_records(site, files, pm)  # the same records as made afresh

    def report_records(records: list[SearchRecord], path: PurePosixPath) -> list[SearchRecord]:
        return [r for r in records if r.page() == path.parent.as_posix() + "/"]

    assert report_records(first, edited) != report_records(again, edited)
    assert any("Zyzzogeton" in r.text for r in report_records(again, edited))
    assert report_records(again, other)
    assert all(any(r is k for k in kept_one) for r in report_records(again, other))
    site.glossary.append(GlossaryTerm("ZYZ", "Zyzzogeton"))
    for record in search_records(site, files, pm, memo=kept):  # a new glossary: made again
        if record.page() == other.parent.as_posix() + "/":
            assert not any(record is k for k in kept_one)


def test_a_failed_index_keeps_the_last_good_site(
    make_site: SiteMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site({"content/index.md": "Welcome to the **board** papers.\n"})
    out = tmp_path / "site"
    first = build(load_config(root), output=out)
    assert first.search is not None and first.search.records == 1
    before = sorted(p.relative_to(out) for p in out.rglob("*"))

    def missing() -> Path:  # as pagefind_bin says when its program is not there
        raise FileNotFoundError("Could not find any of [pagefind_extended, pagefind]")

    import pagefind_bin

    monkeypatch.setattr(pagefind_bin, "get_executable", missing)
    (root / "content" / "index.md").write_text("Changed.\n", encoding="utf-8")
    result = run_cli("build", "--source", str(root), "--output", str(out))
    assert result.exit_code == 1
    assert "the Pagefind program was not found" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert "board" in (out / "index.html").read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".site.new-*"))  # the half-built staging folder is gone


def test_pagefind_dropping_records_is_an_error(tmp_path: Path) -> None:
    empty = SearchRecord("a/", "Title", "", "Page")
    empty.title = ""  # no words at all: Pagefind silently drops such a record
    with pytest.raises(SearchIndexError, match="indexed 1 of 2"):
        write_search_index(tmp_path, [SearchRecord("b/", "B", "words", "Page"), empty])


def test_every_page_has_a_search_box_that_works_without_javascript(demo_site: Path) -> None:
    # (404.html is served at any depth, so it deliberately links to nothing.)
    pages = [p for p in demo_site.rglob("*.html") if p.parent.name != "search"]
    pages.remove(demo_site / "404.html")
    assert len(pages) > 10
    for path in pages:
        text = path.read_text(encoding="utf-8")
        form = re.search(r'<form class="site-search" action="([^"]+)" method="get"', text)
        assert form, f"{path}: no search box"
        target = (path.parent / form.group(1)).resolve()
        assert target == (demo_site / "search").resolve(), path
        assert '<label class="site-search__label" for="site-search-input">' in text
        assert 'id="site-search-input" name="q"' in text


def test_search_page_says_what_it_needs_without_javascript(demo_site: Path) -> None:
    text = (demo_site / "search" / "index.html").read_text(encoding="utf-8")
    needs = re.search(r"<div [^>]*data-search-needs[^>]*>", text).group(0)
    assert "hidden" not in needs
    assert "Search needs JavaScript" in text
    assert re.search(r"<div [^>]*data-search-file hidden>", text)
    assert "Search only works when this site is on a web server" in text
    assert re.search(r"<form [^>]*data-search-form hidden>", text)
    assert '<label class="label label--m" for="search-input">' in text
    assert 'role="status"' in text


# --- in a real browser ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def base(demo_site: Path) -> Iterator[str]:
    with served(demo_site) as url:
        yield url


@pytest.fixture
def page(browser: object, base: str) -> Iterator[object]:
    """A fresh tab that fails the test on any script error or request outside the site."""
    tab = browser.new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    outside: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("request", lambda r: None if r.url.startswith(base) else outside.append(r.url))
    yield tab
    tab.close()
    assert errors == []
    assert [u for u in outside if not u.endswith("/favicon.ico")] == []


def _status_text(page: object) -> str:
    return page.locator(STATUS).inner_text()  # type: ignore[attr-defined]


def _status(page: object) -> str:
    wait_for_results(page)
    return page.locator(STATUS).inner_text()  # type: ignore[attr-defined]


def _paths(page: object, base: str) -> list[str]:
    return [h.removeprefix(base) for h in wait_for_results(page)]


def test_typing_in_any_pages_search_box_shows_ranked_results(page: object, base: str) -> None:
    page.goto(base + "havering/send-joint-commissioning-annual-report-2014/")
    page.get_by_label("Search reports").fill("autism waiting")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=autism+waiting")
    assert page.url.startswith(base + "search/")
    status = _status(page)
    assert re.match(r"\d+ reports or pages match ‘autism waiting’\.$", status), status
    assert page.locator(STATUS).get_attribute("role") == "status"
    first = page.locator(".search-result").first
    assert "Waiting" in first.locator("h2").inner_text() or "waiting" in first.inner_text()
    links = _paths(page, base)
    assert "suffolk/revisit-response-2019-09/#weakness-17" in links[:3]


def test_a_search_address_works_directly_with_highlights(page: object, base: str) -> None:
    page.goto(base + "search/?q=balanced+system")
    assert re.match(r"\d+ reports? or pages? match(es)? ‘balanced system’\.$", _status(page))
    assert page.get_by_label("Search all reports").input_value() == "balanced system"
    assert _paths(page, base)[0].startswith("southend/highlight-report-2021-05/#p2")
    result = page.locator(".search-result").first
    marks = {m.lower().strip(".,") for m in result.locator("mark").all_inner_texts()}
    assert "system" in marks and any(m.startswith("balance") for m in marks)
    # Each result is a report; under it its matching sections, best first, each with its
    # matching items.
    assert result.locator("h2").inner_text() == "Joint Commissioning highlight report, May 2021"
    section = result.locator(".search-result__section").first
    title = section.locator(".search-result__section-title").inner_text()
    assert title.startswith("P2 – Joint Commissioning of Therapies")
    assert section.locator("a").first.get_attribute("href") == (
        "../southend/highlight-report-2021-05/#p2"
    )
    items = section.locator(".search-result__item")
    assert 1 <= items.count() <= 3
    first = items.first
    assert first.locator("a").get_attribute("href").startswith("../southend/highlight-report")
    assert "#p2-" in first.locator("a").get_attribute("href")
    assert "Status:" in first.locator(".search-result__facts").inner_text()


def test_an_excerpt_does_not_repeat_its_sections_heading(page: object, base: str) -> None:
    # Essex's "Scope" section: its record's text starts "Scope. Scope. The key focus…"
    # (the heading, then its first paragraph's own), and a short heading was kept twice.
    page.goto(base + "search/?q=autism")
    sections = page.locator(".search-result__section")
    expect(sections.first).to_be_visible()
    shown = {
        " ".join(section.locator(".search-result__section-title").inner_text().split()): (
            section.locator(".search-result__excerpt").first.inner_text()
            if section.locator(".search-result__excerpt").count()
            else ""
        )
        for section in sections.all()
    }
    assert "Scope" in shown and "Neuro Development" in shown, sorted(shown)
    for title in ("Scope", "Neuro Development"):
        assert shown[title] and not shown[title].startswith(title), (title, shown[title])


def test_filters_narrow_the_results_and_are_in_the_address(page: object, base: str) -> None:
    page.goto(base + "search/?q=EHCP")
    everything = len(_paths(page, base))
    total = int(_status(page).split()[0])
    assert total >= 5  # reports (and pages)
    page.get_by_role("checkbox", name="Suffolk").check()
    page.wait_for_function(
        "() => /only Suffolk/.test(document.querySelector('[data-search-status]').textContent)"
    )
    in_suffolk = int(_status(page).split()[0])
    assert 0 < in_suffolk < total
    assert "area=Suffolk" in page.url
    assert all(p.startswith("suffolk/") for p in _paths(page, base))
    page.get_by_role("checkbox", name="Action").check()
    page.wait_for_function(
        "() => /Suffolk; Action/.test(document.querySelector('[data-search-status]').textContent)"
    )
    # Sections with actions; the items shown under them are actions only.
    kinds = page.locator(".search-result__item .search-result__kind").all_inner_texts()
    assert kinds and set(kinds) == {"Action"}
    assert int(_status(page).split()[0]) <= in_suffolk
    # The filtered address can be shared: opening it shows the same.
    page.goto(page.url)
    expect(page.get_by_role("checkbox", name="Suffolk")).to_be_checked()
    assert len(_paths(page, base)) <= everything


def test_status_filter_alone_lists_matching_items(page: object, base: str) -> None:
    page.goto(base + "search/?kind=Risk+or+issue&status=Medium")
    status = _status(page)
    assert status.startswith("1 report or page (") and "Medium" in status
    assert _paths(page, base) == ["southend/highlight-report-2021-05/#p2"]
    links = page.locator(".search-result__item-link")
    assert [h.split("#")[1] for h in [links.nth(n).get_attribute("href") for n in range(2)]] == [
        "p2-risk-1",
        "p2-risk-2",
    ]
    tags = page.locator(".search-result .tag").all_inner_texts()
    assert tags == ["Yellow (Medium)"] * 2  # words, not colour alone


def test_a_result_link_lands_on_its_section(page: object, base: str) -> None:
    page.goto(base + "search/?q=Ideal+Worker+model")
    assert _paths(page, base)[0] == "suffolk/revisit-response-2019-09/#weakness-6"
    page.locator(".search-result__item-link").first.click()
    page.wait_for_url("**/suffolk/revisit-response-2019-09/#weakness-6-action-1")
    target = page.locator("#weakness-6-action-1")
    assert "Ideal Worker" in target.inner_text()
    assert target.is_visible()
    top = page.evaluate(
        "document.getElementById('weakness-6-action-1').getBoundingClientRect().top"
    )
    assert -1 <= top < page.viewport_size["height"] / 2  # scrolled to the top of the window


def test_a_report_result_leads_to_its_sections_deep_in_it(page: object, base: str) -> None:
    page.goto(base + "search/?q=autism+waiting+times")
    assert _status(page).endswith("match ‘autism waiting times’.")
    result = page.locator(".search-result").first
    assert result.locator("h2").inner_text().startswith("Response to the Joint Local Area SEND")
    assert result.locator(".search-result__link").get_attribute("href") == (
        "../suffolk/revisit-response-2019-09/"
    )
    # Weakness 17 is the 17th of the report's sections: listed first, linked to its anchor.
    sections = result.locator(".search-result__section")
    assert sections.count() == 3
    first = sections.first.locator(".search-result__section-link")
    assert first.inner_text().startswith("Weakness 17")
    excerpt = sections.first.locator(".search-result__excerpt").first.inner_text()
    assert "waiting" in excerpt.lower() and not excerpt.startswith("17: Waiting")
    # More matching sections than are shown in full: named, each linked to its anchor.
    named = result.locator(".search-result__more .search-result__section-link")
    assert named.count() >= 1
    assert all("#weakness-" in h for h in named.evaluate_all("as => as.map(a => a.href)"))
    first.click()
    page.wait_for_url("**/suffolk/revisit-response-2019-09/#weakness-17")
    top = page.evaluate("document.getElementById('weakness-17').getBoundingClientRect().top")
    assert -1 <= top < page.viewport_size["height"] / 2


def test_a_report_found_only_in_its_overview_links_to_the_report(page: object, base: str) -> None:
    page.goto(base + "search/?q=Ross+Gerrie")
    assert _status(page) == "1 report or page matches ‘Ross Gerrie’."
    result = page.locator(".search-result")
    assert result.locator(".search-result__section").count() == 0
    assert result.locator(".search-result__link").get_attribute("href") == (
        "../southend/highlight-report-2021-05/"
    )
    assert "Ross Gerrie" in result.locator(".search-result__excerpt").inner_text()


def test_items_before_a_reports_first_section_are_listed_under_the_report(
    browser: object, tmp_path: Path
) -> None:
    class Overview:  # a format whose report shows risks before its first section
        @hookimpl
        def prepare_search_records(self, site: object, records: list[SearchRecord]) -> None:
            by_url = {r.url: r for r in records}
            report = by_url["southend/highlight-report-2021-05/"]
            p2 = by_url["southend/highlight-report-2021-05/#p2"]
            report.items, p2.items = [i for i in p2.items if i.kind == "Risk or issue"], []

    config = load_config(copy_demo(tmp_path / "src"))
    pm = make_plugin_manager(config=config, plugins=(("overview", Overview()),))
    build(config, pm=pm, output=tmp_path / "site")
    tab = browser.new_page()  # type: ignore[attr-defined]
    try:
        with served(tmp_path / "site") as base:
            tab.goto(base + "search/?q=Variation+in+capacity&kind=Risk+or+issue")
            wait_for_results(tab)
            result = tab.locator(".search-result").first
            link = result.locator(".search-result__link")
            assert link.get_attribute("href") == "../southend/highlight-report-2021-05/"
            under = result.locator(":scope > .search-result__items .search-result__item-link")
            assert under.first.get_attribute("href").endswith("#p2-risk-1")
            assert "Variation in capacity" in under.first.inner_text()
    finally:
        tab.close()


def _texts(page: object, base: str, demo_records: list[SearchRecord]) -> dict[str, str]:
    records = {r.url: r.words() for r in demo_records}
    return {p: records[p] for p in _paths(page, base)}


def _all_results(page: object, base: str) -> list[str]:
    wait_for_results(page)
    more = page.locator("[data-search-more]")
    while more.is_visible():
        shown = page.locator(".search-result").count()
        more.click()
        page.wait_for_function(
            "n => document.querySelectorAll('.search-result').length > n", arg=shown
        )
    return _paths(page, base)


# (query, a result that never writes the query, only its other form)
_OTHER_FORMS = [
    (
        "Child and Adolescent Mental Health Services",
        "havering/send-joint-commissioning-annual-report-2014/#section-1",
    ),
    ("SALT", "topics/therapies/"),
    ("speech and language therapy", "southend/highlight-report-2021-05/#p2"),
    ("SLT", "suffolk/revisit-response-2019-09/#weakness-6"),
    ("Written Statement of Action", "southend/highlight-report-2021-05/#p1"),
    ("neurodevelopmental", "lancashire/app-highlight-report-2020-12/#action-3"),
    ("ND", "essex/joint-commissioning-progress/#workstream-neuro-development"),
    ("EHCP", "essex/joint-commissioning-progress/#overall-outcomes"),
]


def test_acronyms_and_spelled_out_forms_find_each_other(
    page: object, base: str, demo_records: list[SearchRecord]
) -> None:
    records = {r.url: r.words() for r in demo_records}
    for query, other_form_only in _OTHER_FORMS:
        assert not re.search(rf"\b{query}", records[other_form_only], re.IGNORECASE)
        page.goto(base + "search/?q=" + query.replace(" ", "+"))
        assert other_form_only in _all_results(page, base), query
    page.goto(base + "search/?q=SALT")
    wait_for_results(page)
    note = page.inner_text("[data-search-note]")
    assert note == "Includes results for ‘Speech and language therapy’, ‘SLT’."


def test_a_short_acronym_is_not_any_word_it_starts(
    page: object, base: str, demo_records: list[SearchRecord]
) -> None:
    page.goto(base + "search/?q=LO")
    found = _texts(page, base, demo_records)
    assert found
    for text in found.values():
        assert re.search(r"\bLO\b|Local Offer", text, re.IGNORECASE), text[:80]
    assert "Includes results for ‘Local Offer’" in page.inner_text("[data-search-note]")


def test_common_words_are_left_out_of_a_query_unless_quoted(page: object, base: str) -> None:
    # "and" is in nearly every page: asked for, it costs a first search a large index
    # chunk and marks every "and" in the excerpts. The status keeps the words typed.
    def marks() -> set[str]:
        texts = page.locator(".search-result mark").all_inner_texts()
        return {t.strip(" .,;:'").lower() for t in texts}

    page.goto(base + "search/?q=speech+and+language+therapy")
    typed = _paths(page, base)
    assert re.match(r"\d+ reports or pages match ‘speech and language therapy’\.$", _status(page))
    assert "speech" in marks() and "and" not in marks()
    page.goto(base + "search/?q=speech+language+therapy")
    assert _paths(page, base) == typed
    # In quotes, a phrase is searched as written; a query of common words alone too.
    page.goto(base + "search/?q=%22speech+and+language+therapy%22")
    wait_for_results(page)
    assert "and" in marks()
    page.goto(base + "search/?q=and+the")
    wait_for_results(page)
    assert marks() >= {"and", "the"}
    # Punctuation is no word: ", and" is a query of common words alone, asked as typed.
    page.goto(base + "search/?q=%2C+and")
    assert re.match(r"\d+ reports or pages match ‘, and’\.$", _status(page))
    # What is left is asked as it would be alone: "the LA" as "LA", a whole word.
    page.goto(base + "search/?q=LA")
    alone = _paths(page, base)
    note = page.inner_text("[data-search-note]")
    assert note.startswith("Includes results for ‘Local authority’")
    page.goto(base + "search/?q=the+LA")
    assert _paths(page, base) == alone
    assert page.inner_text("[data-search-note]") == note


def test_a_common_word_the_index_lacks_is_still_left_out(
    browser: object, make_site: SiteMaker, tmp_path: Path
) -> None:
    # A small site may lack "with": the query is "hello", not "no results".
    root = make_site({"content/a/_area.yml": "name: A\n", "content/a/p.md": "# Notes\n\nHello.\n"})
    build(load_config(root), output=tmp_path / "site")
    tab = browser.new_page()  # type: ignore[attr-defined]
    try:
        with served(tmp_path / "site") as url:
            tab.goto(url + "search/?q=hello+with")
            wait_for_results(tab)
            assert tab.locator(STATUS).inner_text() == "1 report or page matches ‘hello with’."
    finally:
        tab.close()


def test_a_misspelt_phrase_is_corrected_in_its_quotes(page: object, base: str) -> None:
    page.goto(base + "search/?q=%22speach+and+language%22")
    status = _status(page)
    assert status.startswith('No results for ‘"speach and language"’.')
    assert re.search(r"\d+ reports? or pages? match(es)? ‘\"speech and language\"’\.$", status)


def test_a_misspelt_word_is_corrected_and_said(page: object, base: str) -> None:
    page.goto(base + "search/?q=continance")
    status = _status(page)
    assert status.startswith("No results for ‘continance’.")
    assert "match ‘continence’" in status
    assert _paths(page, base)[0].startswith("lancashire/app-highlight-report-2020-12/#action-2")


def test_no_results_says_what_to_try(page: object, base: str) -> None:
    page.goto(base + "search/?q=zzxqv")
    assert _status(page) == "No results for ‘zzxqv’."
    assert "Check the spelling" in page.inner_text("[data-search-note]")
    assert page.locator(".search-result").count() == 0


def test_keyboard_only(page: object, base: str) -> None:
    page.goto(base + "southend/")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the site title
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "site-search-input"
    page.keyboard.type("services")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=services")
    total = int(_status(page).split()[0])
    assert total > 10
    # Tab from the search box reaches the search button, the filters, then the results.
    page.focus("#search-input")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "checkbox"
    page.keyboard.press("Space")
    page.wait_for_function(
        "() => /showing only/.test(document.querySelector('[data-search-status]').textContent)"
    )
    page.keyboard.press("Space")
    page.wait_for_function(
        "() => !/showing only/.test(document.querySelector('[data-search-status]').textContent)"
    )
    # "Show more results" loads the next ten and moves focus to the first of them.
    more = page.get_by_role("button", name="Show more results")
    more.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('.search-result').length > 10")
    focused = page.evaluate("document.activeElement.closest('.search-result') !== null")
    assert focused
    assert (
        page.evaluate(
            "[...document.querySelectorAll('.search-result')].indexOf("
            "document.activeElement.closest('.search-result'))"
        )
        == 10
    )


def test_search_page_passes_axe_with_results_and_filters(page: object, base: str) -> None:
    from .test_accessibility import AXE, WCAG

    page.goto(base + "search/?q=EHCP&area=Suffolk")
    wait_for_results(page)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        WCAG,
    )
    assert [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in result["violations"]] == []


def test_without_javascript_the_page_says_so(browser: object, base: str) -> None:
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    tab = context.new_page()
    try:
        tab.goto(base + "search/?q=EHCP")
        assert tab.locator("[data-search-needs]").is_visible()
        assert "Search needs JavaScript" in tab.inner_text("main")
        assert not tab.locator("[data-search-form]").is_visible()
        # The header box on other pages still leads here as a plain form.
        tab.goto(base + "essex/")
        tab.fill("#site-search-input", "SENDIASS")
        tab.press("#site-search-input", "Enter")
        tab.wait_for_url("**/search/?q=SENDIASS")
    finally:
        context.close()


def test_opened_from_disk_the_page_explains(browser: object, demo_site: Path) -> None:
    tab = browser.new_page()  # type: ignore[attr-defined]
    try:
        tab.goto((demo_site / "search" / "index.html").as_uri() + "?q=EHCP")
        message = tab.locator("[data-search-file]")
        assert message.is_visible()
        assert "web server" in message.inner_text()
        assert not tab.locator("[data-search-needs]").is_visible()
    finally:
        tab.close()


@pytest.fixture(scope="module")
def parted_base(demo_source: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo site with its index in parts, as a big site's is (a part per ~30 KB of
    record pages instead of per 13 MB)."""
    from sendsite.builtin.search import pagefind

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pagefind, "PART_BYTES", 30_000)
        site = build_demo(demo_source, tmp_path_factory.mktemp("parted") / "site")
    with served(site) as url:
        yield url


@pytest.mark.parametrize("query", ["autism", "EHCP", "speech and language therapy", "Quality"])
def test_an_index_in_parts_finds_what_one_index_finds(
    browser: object, base: str, parted_base: str, query: str
) -> None:
    fetched: list[str] = []
    tab = browser.new_page()  # type: ignore[attr-defined]
    try:
        tab.on("request", lambda request: fetched.append(request.url))
        found = {}
        for root in (base, parted_base):
            tab.goto(root + "search/?q=" + query.replace(" ", "+"))
            found[root] = (_status(tab), sorted(_all_results(tab, root)))
        assert found[parted_base] == found[base]
        assert found[base][1], query
        # The parts were merged: their index files were fetched from the parted site.
        parts = {u.split("/pagefind/")[1].split("/")[0] for u in fetched if "/pagefind/part-" in u}
        assert len(parts) >= 3, parts
    finally:
        tab.close()


# --- in the preview server --------------------------------------------------------------------


def test_search_works_in_the_preview_and_follows_edits(browser: object, tmp_path: Path) -> None:
    root = tmp_path / "site-src"
    shutil.copytree(REPO / "content" / "southend", root / "content" / "southend")
    shutil.copyfile(REPO / "content" / "_glossary.yml", root / "content" / "_glossary.yml")
    log = Log()
    preview = PreviewServer(root, "127.0.0.1", 0, log=log)
    preview.start()
    tab = browser.new_page()  # type: ignore[attr-defined]
    try:
        log.wait_for(INDEXED, 1, 15)
        tab.goto(preview.url + "search/?q=SALT")
        assert "southend/highlight-report-2021-05/#p2" in [
            h.removeprefix(preview.url) for h in wait_for_results(tab)
        ]
        # A burst of saves is indexed once, after the edits settle.
        report = root / "content" / "southend" / "highlight-report-2021-05.md"
        text = report.read_text(encoding="utf-8")
        indexed = log.count(INDEXED)
        for n in range(5):
            report.write_text(text.replace("Liquid Logic", f"Quokka{n} Logic"), encoding="utf-8")
            time.sleep(0.15)  # saves a moment apart, each rebuilt on its own
        log.wait_for(INDEXED, indexed + 1, 30)
        # This first index after the burst has the last save in it (one made in
        # between would not), so it came after the last rebuild: no other follows.
        tab.goto(preview.url + "search/?q=Quokka4")
        wait_for_results(tab)
        assert [[h.removeprefix(preview.url) for h in links] for links in result_links(tab)] == [
            [
                "southend/highlight-report-2021-05/#p1",
                "southend/highlight-report-2021-05/#p1-risk-1",
            ]
        ]
        assert log.count(INDEXED) == indexed + 1
    finally:
        tab.close()
        preview.stop()
    assert not [f for f in preview.live.search._retired if f.exists()]


@contextlib.contextmanager
def demo_preview(tmp_path: Path) -> Iterator[tuple[PreviewServer, Log, Path]]:
    """The demo, copied into ``tmp_path``, in a running preview whose whole search index is
    made: (the preview, its log, the copy's folder)."""
    root = copy_demo(tmp_path / "site-src")
    log = Log()
    preview = PreviewServer(root, "127.0.0.1", 0, log=log)
    preview.start()
    try:
        log.wait_for(INDEXED, 1, 60)
        yield preview, log, root
    finally:
        preview.stop()


def save_without_feasibility(root: Path, log: Log) -> None:
    """Save Lancashire's report, the only one saying "feasibility", with "Quokka" in its
    place, and wait for the preview to index the saved page."""
    report = root / "content" / "lancashire" / "app-highlight-report-2020-12.md"
    text = report.read_text(encoding="utf-8")
    assert "quokka" not in text.lower() and "feasibility" in text.lower()
    indexed = log.count(INDEXED)
    report.write_text(re.sub("(?i)feasibility", "Quokka", text), encoding="utf-8")
    log.wait_for(INDEXED, indexed + 1, 60)


def test_the_preview_hides_a_saved_pages_old_results_in_any_part(
    browser: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sendsite.builtin.search import pagefind

    monkeypatch.setattr(pagefind, "PART_BYTES", 30_000)  # the demo in several parts
    with demo_preview(tmp_path) as (preview, log, root):
        tab = browser.new_page()  # type: ignore[attr-defined]
        try:
            listed = json.loads(
                preview.live.search.files[PurePosixPath("pagefind", pagefind.PARTS)].read_text(
                    encoding="utf-8"
                )
            )
            assert len(listed["parts"]) >= 2
            tab.goto(preview.url + "search/?q=feasibility")
            before = [h.removeprefix(preview.url) for h in wait_for_results(tab)]
            assert any(h.startswith("lancashire/app-highlight-report-2020-12/") for h in before)
            save_without_feasibility(root, log)
            tab.goto(preview.url + "search/?q=feasibility")
            # The only page with the word was saved without it: no results, and none of
            # the nearest words the small index of saved pages has.
            wait_for_results(tab)
            assert _status_text(tab).startswith("No results"), _status_text(tab)
            # The saved page is found by its new word (in the small index of saved pages).
            tab.goto(preview.url + "search/?q=Quokka")
            found = [h.removeprefix(preview.url) for h in wait_for_results(tab)]
            assert "lancashire/app-highlight-report-2020-12/#action-3" in found, found
            # The parts' pages of every word are never shown.
            assert not [h for h in found if h.startswith("search/")], found
        finally:
            tab.close()
