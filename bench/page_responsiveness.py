"""How responsive a built site's biggest pages are in a browser (issue 13, target 4).

    .venv/bin/python bench/page_responsiveness.py SITE_FOLDER [--page PATH ...] [--json]

Serves the site over HTTP (as first_query.py does) and opens each page in headless
Chromium, in a fresh context (nothing cached), with the CPU as it is (no throttling).
For each page it prints:

- its size, and how many table rows and sort buttons it has;
- when its HTML was parsed (``DOMContentLoaded``) and when it had loaded, in ms;
- the long tasks (50 ms or more on the main thread, when the page cannot answer the
  reader) from opening it to 0.5 s after it had loaded;
- for a table page (the tracker, the risk register): the time from clicking a column's
  sort button, and from choosing a filter, to the next frame the browser could paint
  (what Web Vitals' "interaction to next paint" measures; 200 ms or less is "good").

The pages are the site's five biggest HTML pages, plus the dashboard, the all-areas
tracker and the register, unless ``--page`` names others (paths in the site, as
``tracker/`` or ``tracker/north/page-2/``). Needs Playwright and Chromium
(``apt-get install chromium``, or ``$SENDSITE_CHROMIUM``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from first_query import ARGS, LONG_TASKS, chromium_path, served

#: Pages every site has that list much: always measured unless ``--page`` is given.
LISTING = ["dashboard/", "tracker/", "risks/"]

#: Runs ``act`` (a click, a change) and resolves with the ms until the next frame painted.
TO_NEXT_PAINT = """
async (act) => {
  const started = performance.now();
  eval(act);
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  return performance.now() - started;
}
"""
SORT = "document.querySelectorAll('button.sort-button')[4].click()"
FILTER = """(() => {
  const select = document.querySelector('form[data-table-filters] select');
  select.selectedIndex = select.options.length > 1 ? 1 : 0;
  select.dispatchEvent(new Event('change'));
})()"""


def biggest(site: Path, count: int = 5) -> list[str]:
    """The ``count`` biggest HTML pages of ``site``, as paths in it (a folder's own page
    as the folder, ``tracker/north/``)."""
    pages = sorted(site.rglob("*.html"), key=lambda p: -p.stat().st_size)[:count]
    return [_address(site, page) for page in pages]


def _address(site: Path, page: Path) -> str:
    rel = page.relative_to(site).as_posix()
    return rel[: -len("index.html")] if rel.endswith("index.html") else rel


def _file(site: Path, address: str) -> Path:
    return site / (address + "index.html" if address.endswith("/") or not address else address)


def measure(site: Path, addresses: list[str], executable: str) -> list[dict]:
    from playwright.sync_api import sync_playwright

    results = []
    with served(site) as (base, _sent), sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=ARGS)
        for address in addresses:
            context = chromium.new_context()
            page = context.new_page()
            page.add_init_script(LONG_TASKS)
            page.goto(base + address, wait_until="load", timeout=120_000)
            page.wait_for_timeout(500)
            timing = page.evaluate(
                "() => { const n = performance.getEntriesByType('navigation')[0];"
                " return [n.domContentLoadedEventEnd, n.loadEventEnd]; }"
            )
            loading = [round(d) for d in page.evaluate("window.__longTasks")]
            result = {
                "page": address,
                "bytes": _file(site, address).stat().st_size,
                "rows": page.evaluate("document.querySelectorAll('tr').length"),
                "sort_buttons": page.evaluate(
                    "document.querySelectorAll('button.sort-button').length"
                ),
                "parsed_ms": round(timing[0]),
                "loaded_ms": round(timing[1]),
                "long_tasks_loading_ms": loading,
            }
            if result["sort_buttons"] > 4:
                result["sort_to_paint_ms"] = round(page.evaluate(TO_NEXT_PAINT, SORT))
            if page.evaluate("!!document.querySelector('form[data-table-filters] select')"):
                result["filter_to_paint_ms"] = round(page.evaluate(TO_NEXT_PAINT, FILTER))
            results.append(result)
            context.close()
        chromium.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("site", type=Path, help="a built site")
    parser.add_argument("--page", action="append", help="a page's path in the site")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    executable = chromium_path()
    if executable is None:
        print("no Chromium (apt-get install chromium, or set $SENDSITE_CHROMIUM)")
        return 1
    addresses = args.page or list(
        dict.fromkeys([*biggest(args.site), *(a for a in LISTING if _file(args.site, a).is_file())])
    )
    results = measure(args.site, addresses, executable)
    if args.json:
        print(json.dumps({"site": str(args.site), "pages": results}))
        return 0
    print(f"{'page':42} {'KB':>6} {'rows':>5} {'parsed':>7} {'loaded':>7}  long tasks (ms)"
          f"      sort  filter (ms to next paint)")  # fmt: skip
    for r in results:
        tasks = ", ".join(map(str, r["long_tasks_loading_ms"])) or "none"
        print(
            f"{r['page'][:42]:42} {r['bytes'] / 1024:6.0f} {r['rows']:5} {r['parsed_ms']:7} "
            f"{r['loaded_ms']:7}  {tasks:18} {r.get('sort_to_paint_ms', '-'):>5} "
            f"{r.get('filter_to_paint_ms', '-'):>7}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
