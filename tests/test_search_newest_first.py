"""A big site's first search looks in its newest reports; the older ones on request.

The demo is built as a big site is, with a first part of 100 KB of record pages instead
of 6 MB: Southend's report (May 2021), Essex's (March 2021) and every page that is not
a report are searched first; Lancashire's (December 2020), Suffolk's (2019) and
Havering's (2014) only when the reader asks, or when nothing newer matches.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from sendsite.builtin.search import pagefind

from .conftest import build_demo
from .test_search import (
    STATUS,
    _all_results,
    demo_preview,
    save_without_feasibility,
    served,
    wait_for_results,
)

OLDER = ("lancashire/", "suffolk/", "havering/")
BUTTON = "[data-search-scope] button"


@pytest.fixture(scope="module")
def newest_first(demo_source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pagefind, "FIRST_BYTES", 100_000)
        patch.setattr(pagefind, "PART_BYTES", 100_000)  # the older reports in two parts
        return build_demo(demo_source, tmp_path_factory.mktemp("newest") / "site")


@pytest.fixture(scope="module")
def newest_base(newest_first: Path) -> Iterator[str]:
    with served(newest_first) as url:
        yield url


@pytest.fixture(scope="module")
def whole_base(demo_site: Path) -> Iterator[str]:
    with served(demo_site) as url:
        yield url


@pytest.fixture
def tab(browser: object) -> Iterator[object]:
    """A fresh tab (a first search: nothing cached) that records what it fetches."""
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    page.fetched = []
    page.on("request", lambda request: page.fetched.append(request.url))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def _older_parts(page: object) -> set[str]:
    return {u.split("/pagefind/")[1].split("/")[0] for u in page.fetched if "/pagefind/part-" in u}


def test_the_parts_list_says_which_hold_older_reports(newest_first: Path, demo_site: Path) -> None:
    listed = json.loads((newest_first / "pagefind" / pagefind.PARTS).read_text("utf-8"))
    assert listed["since"] == "2021-03-01"  # whole months: Essex's report is of 31 March
    assert listed["later"] == listed["parts"] and len(listed["parts"]) >= 2
    # The first part: the newest reports and every page that is not a report.
    fragments = pagefind.fragments_by_page(newest_first / "pagefind")
    first = {p for p, ids in fragments.items() if any(_in_first(newest_first, i) for i in ids)}
    assert {p for p in first if p.count("/") == 2 and not p.startswith("topics/")} == {
        "essex/joint-commissioning-progress/",
        "southend/highlight-report-2021-05/",
    }
    assert {"lancashire/", "havering/", "topics/therapies/"} <= first
    # A site under the budget is as before: one part, no older reports apart.
    whole = json.loads((demo_site / "pagefind" / pagefind.PARTS).read_text("utf-8"))
    assert (whole["parts"], whole["later"], whole["since"]) == ([], [], "")


def _one_index_results(browser: object, whole_base: str, query: str) -> list[str]:
    """What the demo built as one index (every report searched) finds for ``query``."""
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        page.goto(whole_base + "search/?q=" + query)
        return sorted(_all_results(page, whole_base))
    finally:
        page.close()


def _in_first(site: Path, result_id: str) -> bool:
    return (site / "pagefind" / "fragment" / f"{result_id}.pf_fragment").is_file()


def test_a_first_search_looks_in_the_newest_reports_and_the_rest_on_request(
    tab: object, newest_base: str, whole_base: str, browser: object
) -> None:
    expected = _one_index_results(browser, whole_base, "autism")
    assert any(p.startswith(OLDER) for p in expected)

    tab.goto(newest_base + "search/?q=autism")  # type: ignore[attr-defined]
    newest = sorted(_all_results(tab, newest_base))
    status = tab.locator(STATUS).inner_text()  # type: ignore[attr-defined]
    assert status.endswith("Searched the newest reports only, from 1 March 2021 on."), status
    assert newest and set(newest) < set(expected)
    assert not [p for p in newest if p.startswith(OLDER) and p.count("/") > 1]
    assert _older_parts(tab) == set()  # nothing of the older reports was downloaded

    tab.locator(BUTTON).click()  # type: ignore[attr-defined]
    tab.wait_for_function(  # type: ignore[attr-defined]
        "s => !document.querySelector(s).textContent.includes('newest')", arg=STATUS
    )
    assert sorted(_all_results(tab, newest_base)) == expected
    assert tab.locator(BUTTON).is_hidden()  # type: ignore[attr-defined]
    assert "older=1" in tab.url  # type: ignore[attr-defined]
    assert len(_older_parts(tab)) >= 2
    # The button's search is the focused result's: its first link has the focus.
    focused = tab.evaluate("document.activeElement.className")  # type: ignore[attr-defined]
    assert focused == "search-result__link"

    # The address brings the same search back, older reports and all.
    again = browser.new_page()  # type: ignore[attr-defined]
    again.goto(tab.url)  # type: ignore[attr-defined]
    assert sorted(_all_results(again, newest_base)) == expected
    assert again.locator(BUTTON).is_hidden()
    again.close()


def test_a_word_only_older_reports_have_is_found_at_once(
    tab: object, newest_base: str, whole_base: str, browser: object
) -> None:
    # Only Lancashire's report of December 2020 says "feasibility".
    expected = _one_index_results(browser, whole_base, "feasibility")
    assert expected and all(p.startswith("lancashire/") for p in expected)

    tab.goto(newest_base + "search/?q=feasibility")  # type: ignore[attr-defined]
    assert sorted(_all_results(tab, newest_base)) == expected
    status = tab.locator(STATUS).inner_text()  # type: ignore[attr-defined]
    assert "newest" not in status and tab.locator(BUTTON).is_hidden()  # type: ignore[attr-defined]
    assert _older_parts(tab)


def test_a_word_no_report_has_says_so_after_looking_everywhere(
    tab: object, newest_base: str
) -> None:
    tab.goto(newest_base + "search/?q=xylophone")  # type: ignore[attr-defined]
    wait_for_results(tab)
    status = tab.locator(STATUS).inner_text()  # type: ignore[attr-defined]
    assert status.startswith("No results") and "newest" not in status, status


def test_the_newest_first_search_page_passes_axe_and_reflows(
    browser: object, newest_base: str
) -> None:
    from .test_accessibility import AXE, WCAG

    for width in (1024, 320):
        page = browser.new_page(viewport={"width": width, "height": 700})  # type: ignore[attr-defined]
        try:
            page.goto(newest_base + "search/?q=autism")
            wait_for_results(page)
            assert page.locator(BUTTON).is_visible()
            page.add_script_tag(path=str(AXE))
            found = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
                " resultTypes: ['violations']})",
                WCAG,
            )
            assert [v["id"] for v in found["violations"]] == [], width
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        finally:
            page.close()


def test_a_search_page_without_the_button_searches_everything(
    tab: object, newest_first: Path, whole_base: str, browser: object, tmp_path: Path
) -> None:
    """A site's own copy of an older search.html has no button: every part is searched."""
    site = tmp_path / "site"
    shutil.copytree(newest_first, site)
    page = site / "search" / "index.html"
    html, found = re.subn(r"<p [^>]*data-search-scope.*?</p>\n", "", page.read_text("utf-8"))
    assert found == 1
    page.write_text(html, encoding="utf-8")
    expected = _one_index_results(browser, whole_base, "autism")
    with served(site) as base:
        tab.goto(base + "search/?q=autism")  # type: ignore[attr-defined]
        assert sorted(_all_results(tab, base)) == expected
        assert "newest" not in tab.locator(STATUS).inner_text()  # type: ignore[attr-defined]
        # A word only the newest reports have: the older parts' nearest words left out.
        tab.goto(base + "search/?q=fortnightly")  # type: ignore[attr-defined]
        assert sorted(_all_results(tab, base)) == _one_index_results(
            browser, whole_base, "fortnightly"
        )


def test_the_preview_searches_newest_first_and_follows_a_saved_older_report(
    browser: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In ``sendsite serve`` too: a saved older report's old results (in a part of older
    reports) stay hidden once that part is searched, and its new words are found."""
    monkeypatch.setattr(pagefind, "FIRST_BYTES", 100_000)
    monkeypatch.setattr(pagefind, "PART_BYTES", 100_000)
    with demo_preview(tmp_path) as (preview, log, root):
        tab = browser.new_page()  # type: ignore[attr-defined]
        try:
            tab.goto(preview.url + "search/?q=autism")
            wait_for_results(tab)
            assert "Searched the newest reports only" in tab.locator(STATUS).inner_text()
            save_without_feasibility(root, log)
            tab.goto(preview.url + "search/?q=feasibility")
            wait_for_results(tab)
            status = tab.locator(STATUS).inner_text()
            assert status.startswith("No results") and "newest" not in status, status
            tab.goto(preview.url + "search/?q=Quokka")
            found = [h.removeprefix(preview.url) for h in wait_for_results(tab)]
            assert "lancashire/app-highlight-report-2020-12/#action-3" in found, found
        finally:
            tab.close()


def test_a_word_only_the_newest_reports_have_is_not_answered_by_the_older_parts(
    tab: object, newest_base: str, whole_base: str, browser: object
) -> None:
    """The older reports' parts know only their own words (a word only the newest reports
    have changes the first part alone). Asked for "fortnightly", which only the newest
    reports have, they would answer with the nearest word they have ("for"): once they
    are searched too, the index of words tells the search page, which asks the first part
    alone, filtered or not."""
    expected = _one_index_results(browser, whole_base, "fortnightly")
    assert expected and not [p for p in expected if p.startswith(OLDER) and p.count("/") > 1]
    tab.goto(newest_base + "search/?q=fortnightly&older=1")  # type: ignore[attr-defined]
    assert sorted(_all_results(tab, newest_base)) == expected
    assert len(_older_parts(tab)) >= 2  # the older parts were searched too
    area = "Southend"
    assert any(p.startswith("southend/") for p in expected)
    tab.goto(newest_base + f"search/?q=fortnightly&older=1&area={area}")  # type: ignore[attr-defined]
    assert sorted(_all_results(tab, newest_base)) == sorted(
        p for p in expected if p.startswith("southend/")
    )
    # A word the older reports have too is answered by every part, as before.
    tab.goto(newest_base + "search/?q=autism&older=1")  # type: ignore[attr-defined]
    assert sorted(_all_results(tab, newest_base)) == _one_index_results(
        browser, whole_base, "autism"
    )
