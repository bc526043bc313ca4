"""Relevance: realistic queries from the seed reports, run in a real browser.

Every query in ``tests/search_queries.yml`` is typed into the built demo site's
search page (served over HTTP under a sub-path, in headless Chromium), and the
first three results are compared with the places a reader would expect. The
test fails if fewer than the file's ``threshold`` of queries find an expected
place in the top 3.

Run ``python -m tests.test_search_relevance`` for the full report (hit rate,
precision in the top 3, and every miss with what came first instead).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote_plus

import yaml

from sendsite.build.publish import check_site
from sendsite.builtin.search.indexer import search_records
from sendsite.config import load_config
from sendsite.plugins.manager import make_plugin_manager

from .conftest import copy_demo
from .test_search import result_links, served, wait_for_results

QUERIES = Path(__file__).with_name("search_queries.yml")


@dataclass
class Outcome:
    query: str
    why: str
    expect: list[str]
    top: list[list[str]]
    relevant: list[bool]

    @property
    def hit(self) -> bool:
        return any(self.relevant)


def load_queries() -> tuple[float, list[dict]]:
    data = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))
    return float(data["threshold"]), data["queries"]


def section_of(demo_source: Path) -> dict[str, str]:
    """Each record's link, and each item's, -> its record's link (from the demo content)."""
    config = load_config(demo_source)
    pm = make_plugin_manager(config=config)
    checked = check_site(config, pm)
    links = {}
    for record in search_records(checked.site, checked.files, pm):
        links[record.url] = record.url
        for item in record.items:
            links[f"{record.page()}#{item.anchor}"] = record.url
    return links


def matches(links: list[str], expect: list[str], sections: dict[str, str]) -> bool:
    """A result (its link and its items' links) is one a reader expected."""
    for wanted in expect:
        for url in links:
            if wanted.endswith("*"):
                if url.startswith(wanted[:-1]):
                    return True
            elif url == wanted or sections.get(url) == wanted or sections.get(wanted) == url:
                return True
    return False


def run(page: object, base: str, queries: list[dict], sections: dict[str, str]) -> list[Outcome]:
    outcomes = []
    for entry in queries:
        query = str(entry["q"])
        page.goto(f"{base}search/?q={quote_plus(query)}")  # type: ignore[attr-defined]
        wait_for_results(page)
        top = [[h.removeprefix(base) for h in links] for links in result_links(page)[:3]]
        expect = [str(e) for e in entry["expect"]]
        relevant = [matches(links, expect, sections) for links in top]
        outcomes.append(Outcome(query, str(entry.get("why", "")), expect, top, relevant))
    return outcomes


def report(outcomes: list[Outcome]) -> str:
    hits = sum(o.hit for o in outcomes)
    shown = sum(len(o.top) for o in outcomes) or 1
    precise = sum(sum(o.relevant) for o in outcomes)
    lines = [
        f"queries: {len(outcomes)}; expected result in the top 3: {hits} "
        f"({hits / len(outcomes):.0%}); precision in the top 3 (relevant share of "
        f"the results shown): {precise}/{shown} ({precise / shown:.0%})"
    ]
    for o in outcomes:
        if not o.hit:
            got = [links[0] for links in o.top]
            lines.append(f"MISS {o.query!r} ({o.why}): expected {o.expect}, got {got}")
    return "\n".join(lines)


def test_expected_results_are_in_the_top_three(
    demo_source: Path, demo_site: Path, browser: object
) -> None:
    threshold, queries = load_queries()
    assert len(queries) >= 30
    sections = section_of(demo_source)
    for entry in queries:  # every expectation names something the demo site has
        for wanted in entry["expect"]:
            if not wanted.endswith("*"):
                assert wanted in sections, f"{entry['q']!r}: no search record at {wanted}"
    with served(demo_site) as base:
        page = browser.new_page()  # type: ignore[attr-defined]
        outcomes = run(page, base, queries, sections)
        page.close()
    text = report(outcomes)
    print(text)
    hits = sum(o.hit for o in outcomes)
    assert hits / len(outcomes) >= threshold, text


def main() -> None:  # pragma: no cover - a report for people, run by hand
    import tempfile

    from playwright.sync_api import sync_playwright

    from sendsite.build.publish import build

    from .browser import ARGS, CHROMIUM

    _, queries = load_queries()
    with tempfile.TemporaryDirectory() as tmp:
        source = copy_demo(Path(tmp) / "src")
        site = Path(tmp) / "site"
        config = load_config(source)
        build(config, pm=make_plugin_manager(config=config), output=site)
        sections = section_of(source)
        with sync_playwright() as playwright, served(site) as base:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            outcomes = run(chromium.new_page(), base, queries, sections)
            chromium.close()
    print(report(outcomes))
    if "-v" in sys.argv:
        for o in outcomes:
            print(f"{'hit ' if o.hit else 'MISS'} {o.query!r}: {[links[0] for links in o.top]}")


if __name__ == "__main__":  # pragma: no cover
    main()
