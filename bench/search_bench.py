"""Benchmark: the search index of a generated site of thousands of reports.

    python bench/search_bench.py --reports 3000

Builds a generated site (``generate.py``: copies of the Southend report with
titles and wording varied, over several areas), then reports:

- build time, split into reading and rendering, making the search records,
  and Pagefind writing the index;
- the index on disk: records, files, bytes (Pagefind's bundle and sendsite's
  word lists for typo correction);
- for a few queries typed into the search page in headless Chromium, served
  over HTTP like an intranet would: every file the browser downloads and its
  bytes, as served (no compression) and as a server that gzips text would send
  them, and the time until the results are announced.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote_plus

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from first_query import served, tally
from generate import generate

from sendsite.build.publish import check_site
from sendsite.build.writer import write_site
from sendsite.builtin.search.indexer import index_language, search_records, write_search_index
from sendsite.config import load_config
from sendsite.plugins.manager import make_plugin_manager
from tests.browser import ARGS, CHROMIUM

QUERIES = ["EHCP", "autism waiting", "speech and language therapy", "continance"]


def _kind(path: str) -> str:
    if path.startswith("search/words/"):
        return "word lists"
    if not path.startswith("pagefind/"):
        return "search page (HTML, CSS, JS)"
    if "/index/" in path:
        return "Pagefind index chunks"
    if "/fragment/" in path:
        return "Pagefind result fragments"
    if "/filter/" in path:
        return "Pagefind filters"
    return "Pagefind runtime (JS, WASM, meta)"


def _measure_queries(site: Path) -> None:
    from playwright.sync_api import sync_playwright

    with served(site) as (base, sent), sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for query in QUERIES:
            context = chromium.new_context()  # a fresh cache: a first search on this page
            page = context.new_page()
            sent.clear()
            started = time.perf_counter()
            page.goto(f"{base}search/?q={quote_plus(query)}")
            page.wait_for_function(
                "() => document.querySelector('[data-search-status]').textContent !== ''",
                timeout=60000,
            )
            seconds = time.perf_counter() - started
            status = page.inner_text("[data-search-status]")
            page.wait_for_timeout(300)  # let late requests land in the log
            context.close()
            by_kind = tally(site, sent, _kind)
            total = sum(v[1] for v in by_kind.values())
            total_gz = sum(v[2] for v in by_kind.values())
            search_only = sum(v[1] for k, v in by_kind.items() if k.startswith("Pagefind"))
            words = by_kind.get("word lists", [0, 0, 0])[1]
            print(f"\nquery {query!r}: {status}  ({seconds:.2f} s to results, first visit)")
            for kind, (files, size, size_gz) in sorted(by_kind.items()):
                print(f"  {kind:34} {files:3} files {size / 1024:8.1f} KB"
                      f"  (gzipped {size_gz / 1024:7.1f} KB)")  # fmt: skip
            print(f"  {'total':34} {len(sent):3} files {total / 1024:8.1f} KB"
                  f"  (gzipped {total_gz / 1024:7.1f} KB); index data for this query "
                  f"{(search_only + words) / 1024:.1f} KB")  # fmt: skip
        chromium.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=3000)
    parser.add_argument("--areas", type=int, default=10)
    parser.add_argument("--no-browser", action="store_true", help="skip the per-query bytes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = generate(Path(tmp) / "site-src", args.reports, args.areas)
        config = load_config(root)
        pm = make_plugin_manager(disabled=config.disable_plugins)
        started = time.perf_counter()
        checked = check_site(config, pm)
        rendered = time.perf_counter()
        records = search_records(checked.site, checked.files, pm)
        recorded = time.perf_counter()
        timing: dict[str, float] = {}
        summary = []

        def index(staging: Path) -> None:
            begun = time.perf_counter()
            summary.append(write_search_index(staging, records, index_language(config.language)))
            timing["pagefind"] = time.perf_counter() - begun

        site = Path(tmp) / "site"
        write_site(site, checked.files, before_swap=index)
        finished = time.perf_counter()
        result = summary[0]
        bundle = [p for p in (site / "pagefind").rglob("*") if p.is_file()]
        words = [p for p in (site / "search" / "words").rglob("*") if p.is_file()]
        fragments = [p for p in bundle if p.parent.name == "fragment"]
        chunks = [p for p in bundle if p.parent.name == "index"]
        meta = next(p for p in bundle if p.suffix == ".pf_meta")
        print(f"reports: {args.reports}  pages: {checked.pages}  search records: {result.records}")
        print(
            f"build: {finished - started:.1f} s in all = read and render "
            f"{rendered - started:.1f} s + search records {recorded - rendered:.1f} s + "
            f"Pagefind index {timing['pagefind']:.1f} s + writing pages "
            f"{finished - recorded - timing['pagefind']:.1f} s"
        )
        print(
            f"index on disk: {sum(p.stat().st_size for p in bundle) / 1e6:.1f} MB in "
            f"{len(bundle)} files ({len(fragments)} fragments averaging "
            f"{sum(p.stat().st_size for p in fragments) / max(len(fragments), 1):.0f} bytes, "
            f"{len(chunks)} index chunks averaging "
            f"{sum(p.stat().st_size for p in chunks) / max(len(chunks), 1) / 1024:.1f} KB, "
            f"meta {meta.stat().st_size / 1024:.1f} KB); word lists "
            f"{sum(p.stat().st_size for p in words) / 1024:.1f} KB in {len(words)} files "
            f"({result.words} words)"
        )
        if not args.no_browser:
            _measure_queries(site)


if __name__ == "__main__":
    main()
