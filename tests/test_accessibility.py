"""Accessibility of every kind of page, checked in a real browser.

- axe-core (the engine GDS's monitoring uses) finds no WCAG 2.0/2.1/2.2 A or AA
  violations on one page of each template;
- every page reflows at 320 CSS pixels wide (WCAG 1.4.10) with no sideways scrolling;
- the skip link is the first thing a keyboard reaches and moves focus to the content;
- no two landmarks of a page share a name (a screen reader's list of them tells each apart).
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import axe_playwright_python
import pytest

AXE = Path(axe_playwright_python.__file__).parent / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(demo_site: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(demo_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def axe_violations(page: Any, url: str) -> list[str]:
    """What axe finds on the page at ``url`` (every ``<details>`` opened first)."""
    page.goto(url)
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        WCAG,
    )
    return [
        f"{v['id']} ({v['impact']}) {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
    ]


def too_wide(page: Any, url: str) -> str | None:
    """How wide the page at ``url`` is, if wider than ``page``'s viewport."""
    page.goto(url)
    width = page.evaluate("document.documentElement.scrollWidth")
    return (
        f"{width}px wide at {page.viewport_size['width']}px"
        if width > page.viewport_size["width"]
        else None
    )


def axe_and_reflow_failures(browser: Any, base: str, paths: list[str]) -> list[str]:
    """What axe finds on each page and any page wider than 320 CSS pixels at that
    width, as "/path: ..." lines."""
    failures = []
    page = browser.new_page()
    narrow = browser.new_page(viewport={"width": 320, "height": 640})
    try:
        for path in paths:
            failures += [f"/{path}: {found}" for found in axe_violations(page, base + path)]
            if wide := too_wide(narrow, base + path):
                failures.append(f"/{path}: {wide}")
    finally:
        page.close()
        narrow.close()
    return failures


def _pages(site: Path) -> list[str]:
    return sorted(
        "" if p.parent == site else f"{p.parent.relative_to(site).as_posix()}/"
        for p in site.rglob("index.html")
    )


def _one_of_each_template(site: Path) -> list[str]:
    wanted = ["", "dashboard/", "tracker/", "risks/", "topics/", "glossary/", "southend/"]
    wanted += ["accessibility/", "a-z/"]
    wanted += [p for p in _pages(site) if p.count("/") == 2 and not p.startswith("topics/")]
    wanted.append(next(p for p in _pages(site) if p.startswith("topics/") and p != "topics/"))
    return wanted


def test_axe_finds_no_wcag_violations(demo_site: Path, base_url: str, browser) -> None:
    page = browser.new_page()
    try:
        failures = [
            f"/{path}: {found}"
            for path in _one_of_each_template(demo_site)
            for found in axe_violations(page, base_url + path)
        ]
    finally:
        page.close()
    assert failures == []


def test_no_two_landmarks_on_a_page_share_a_name(demo_site: Path, base_url: str, browser) -> None:
    """axe's landmark-unique rule, on every page: names as the browser computes them.

    Essex's report has "What success will look like" in four workstreams; each is
    named with its workstream ("What success will look like: Therapies").
    """
    page = browser.new_page()
    clashes = []
    try:
        for path in _pages(demo_site):
            page.goto(base_url + path)
            page.add_script_tag(path=str(AXE))
            result = page.evaluate(
                "() => axe.run(document, {runOnly: {type: 'rule', values: ['landmark-unique']}})"
            )
            assert result["passes"] or result["inapplicable"], "the rule ran"
            for violation in result["violations"]:
                clashes += [f"/{path}: {node['target']}" for node in violation["nodes"]]
        page.goto(base_url + "essex/joint-commissioning-progress/")
        regions = page.get_by_role("region", name="What success will look like", exact=False)
        names = [regions.nth(i).get_attribute("aria-label") for i in range(regions.count())]
    finally:
        page.close()
    assert clashes == []
    assert names == [
        "What success will look like: Therapies",
        "What success will look like: Neuro Development",
        "What success will look like: SENDIASS",
        "What success will look like: Equipment",
    ]


def test_every_page_reflows_at_320_pixels(demo_site: Path, base_url: str, browser) -> None:
    page = browser.new_page(viewport={"width": 320, "height": 640})
    try:
        failures = [
            f"/{path}: {wide}"
            for path in _pages(demo_site)
            if (wide := too_wide(page, base_url + path))
        ]
    finally:
        page.close()
    assert failures == []


def test_skip_link_is_first_and_moves_focus(base_url: str, browser) -> None:
    page = browser.new_page()
    try:
        page.goto(base_url + "southend/highlight-report-2021-05/")
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent")
        assert focused == "Skip to main content"
        assert page.locator(".skip-link").is_visible()
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main-content"
    finally:
        page.close()
