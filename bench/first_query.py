"""What a first search query downloads from a built sendsite site.

    .venv/bin/python bench/first_query.py SITE_FOLDER [--query WORDS ...] [--json]

Run by ``peers.py`` after its timed builds (with the project's venv: it needs
Playwright for the browser and cbor2 for the static estimate); it never imports
sendsite, so it measures any built site, old or new.

Two methods, both printed:

- **browser** (as ``search_bench.py`` measures): the site is served over HTTP
  under a sub-path, as an intranet would serve it, with no compression; for
  each query, headless Chromium opens ``search/?q=QUERY`` in a fresh context
  (an empty cache: a first search) and waits until the page announces its
  results (``--older``: ``search/?q=QUERY&older=1``, a search of the older reports
  too, as the search page's button makes it). Every file the server sends is
  counted: its bytes as served (uncompressed: Pagefind's index files are stored
  gzipped, so that is their size on disk) and as a server that gzips text (HTML,
  CSS, JS, JSON) would send it. ``search_bytes`` leaves out the search page's own HTML, CSS and JS
  (the page a reader is already on): Pagefind's runtime, its index chunks,
  fragments and filters, and sendsite's word lists. Also printed: the page's long
  tasks (the browser's ``longtask`` entries, 50 ms or more on the main thread, while
  nothing else can answer the reader's typing) from opening to results.
  ``--no-worker`` gives Pagefind ``noWorker: true`` (the search runs on the main
  thread and ``pagefind-worker.js`` is not downloaded) to weigh the two. Needs Chromium
  (``apt-get install chromium``, or ``$SENDSITE_CHROMIUM``).
- **static** (no browser; Pagefind's part only): the files Pagefind's runtime
  needs before any query (``pagefind.js``, ``pagefind-entry.json``, the
  language's WebAssembly and ``.pf_meta``) plus the index chunk holding each
  query word (looked up in the chunk ranges of the ``.pf_meta``) and five
  median result fragments; for an index in parts (``sendsite-parts.json``), each
  part's entry file, meta file and chunk (but for the parts of older reports, which a
  first search leaves out: ``later``). It ignores sendsite's own search page, word lists
  and any filter files, so it is a lower bound of the browser figure.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import json
import os
import shutil
import statistics
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote_plus, unquote, urlsplit

QUERIES = ["autism", "EHCP", "transport", "speech and language therapy"]
PREFIX = "/intranet/send/"
TEXT = (".html", ".css", ".js", ".json", ".mjs")
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def chromium_path() -> str | None:
    path = os.environ.get("SENDSITE_CHROMIUM") or shutil.which("chromium")
    return path if path and os.path.exists(path) else None


class CountingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site under PREFIX and records every file sent and its size."""

    sent: list[tuple[str, int]]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def translate_path(self, path: str) -> str:
        path = urlsplit(path).path
        if not path.startswith(PREFIX):
            return str(Path(self.directory) / ".missing")
        return super().translate_path("/" + path[len(PREFIX) :])

    def copyfile(self, source, outputfile) -> None:  # type: ignore[no-untyped-def]
        data = source.read()
        outputfile.write(data)
        self.sent.append((unquote(urlsplit(self.path).path)[len(PREFIX) :], len(data)))


@contextlib.contextmanager
def served(site: Path) -> Iterator[tuple[str, list[tuple[str, int]]]]:
    """Serve ``site`` under ``PREFIX`` on a free local port while inside: the base URL,
    and the list of (path, bytes) sent, which the server appends to as it sends."""
    sent: list[tuple[str, int]] = []
    handler = type("Handler", (CountingHandler,), {"sent": sent})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}", sent
    finally:
        server.shutdown()
        server.server_close()


def kind(path: str) -> str:
    if path.startswith("search/words/"):
        return "word lists"
    if not path.startswith("pagefind/"):
        return "search page"
    for folder, name in (("index", "chunks"), ("fragment", "fragments"), ("filter", "filters")):
        if f"/{folder}/" in path:
            return f"pagefind {name}"
    return "pagefind runtime"


def gzipped(site: Path, path: str, size: int) -> int:
    file = site / (path + "index.html" if path.endswith("/") or not path else path)
    if file.suffix in TEXT and file.is_file():
        return len(gzip.compress(file.read_bytes(), 6))
    return size


def tally(
    site: Path, sent: list[tuple[str, int]], kind_of: Callable[[str], str]
) -> dict[str, list[int]]:
    """The files ``sent`` by kind (``kind_of`` their path): [files, bytes, bytes gzipped]."""
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for path, size in sent:
        entry = by_kind[kind_of(path)]
        entry[0] += 1
        entry[1] += size
        entry[2] += gzipped(site, path, size)
    return by_kind


#: Records the page's long tasks from its start (``window.__longTasks``, milliseconds).
LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
}).observe({ type: "longtask", buffered: true });
"""
#: Where sendsite's search.js gives Pagefind its options (``--no-worker`` adds one).
OPTIONS = "baseUrl: siteRoot.pathname,"


def without_worker(route) -> None:  # type: ignore[no-untyped-def]
    """Serve search.js with Pagefind told not to use its web worker."""
    script = route.fetch().text()
    if OPTIONS not in script:
        raise SystemExit(f"--no-worker: search.js no longer holds {OPTIONS!r}")
    route.fulfill(
        body=script.replace(OPTIONS, OPTIONS + " noWorker: true,"),
        content_type="text/javascript",
    )


def browser(
    site: Path, queries: list[str], executable: str, older: bool = False, worker: bool = True
) -> list[dict]:
    from playwright.sync_api import sync_playwright

    results = []
    with served(site) as (base, sent), sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=ARGS)
        for query in queries:
            context = chromium.new_context()  # an empty cache: a first search
            if not worker:
                context.route("**/search.js", without_worker)
            page = context.new_page()
            page.add_init_script(LONG_TASKS)
            sent.clear()
            started = time.perf_counter()
            page.goto(f"{base}search/?q={quote_plus(query)}{'&older=1' if older else ''}")
            page.wait_for_function(
                "() => { const s = document.querySelector('[data-search-status]');"
                " return s && s.textContent.trim() !== ''; }",
                timeout=120_000,
            )
            seconds = time.perf_counter() - started
            status = page.inner_text("[data-search-status]")
            page.wait_for_timeout(500)  # let late requests land in the log
            long_tasks = [round(d) for d in page.evaluate("window.__longTasks")]
            context.close()
            by_kind = tally(site, sent, kind)
            results.append(
                {
                    "query": query,
                    "status": " ".join(status.split()),
                    "seconds": round(seconds, 2),
                    "files": len(sent),
                    "bytes": sum(v[1] for v in by_kind.values()),
                    "bytes_gzip": sum(v[2] for v in by_kind.values()),
                    "search_bytes": sum(v[1] for k, v in by_kind.items() if k != "search page"),
                    "by_kind": {
                        k: {"files": v[0], "bytes": v[1], "bytes_gzip": v[2]}
                        for k, v in sorted(by_kind.items())
                    },
                    "largest": sorted(sent, key=lambda s: -s[1])[:3],
                    "long_tasks_ms": long_tasks,
                }
            )
        chromium.close()
    return results


def static(site: Path, queries: list[str]) -> dict:
    """Pagefind's part of a first query, from the bundle's files alone."""
    import cbor2

    bundle = site / "pagefind"
    # A big site's index is in parts, all searched first but the older reports' ("later").
    listed = bundle / "sendsite-parts.json"
    data = json.loads(listed.read_text(encoding="utf-8")) if listed.is_file() else {}
    names = [n for n in data.get("parts", []) if n not in data.get("later", [])]
    parts = [bundle, *(bundle / name for name in names)]
    top = {p.name: p.stat().st_size for p in bundle.iterdir() if p.is_file()}
    wasm = [v for k, v in top.items() if k.startswith("wasm.") and "unknown" not in k]
    runtime = (
        top.get("pagefind.js", 0)
        + (max(wasm) if wasm else top.get("wasm.unknown.pagefind", 0))
        + sum(f.stat().st_size for part in parts for f in part.glob("pagefind-entry.json"))
        + sum(f.stat().st_size for part in parts for f in part.glob("*.pf_meta"))
    )
    fragments = sorted(p.stat().st_size for part in parts for p in (part / "fragment").iterdir())
    five = 5 * (fragments[len(fragments) // 2] if fragments else 0)
    chunk_sizes = sorted(p.stat().st_size for part in parts for p in (part / "index").iterdir())
    out: dict = {
        "parts": len(parts),
        "runtime_bytes": runtime,
        "five_fragments_bytes": five,
        "index_chunks": len(chunk_sizes),
        "index_chunk_bytes_median": chunk_sizes[len(chunk_sizes) // 2] if chunk_sizes else 0,
        "index_chunk_bytes_max": chunk_sizes[-1] if chunk_sizes else 0,
        "filter_bytes_total": sum(
            p.stat().st_size
            for part in parts
            if (part / "filter").is_dir()
            for p in (part / "filter").iterdir()
        ),
        "queries": {},
    }
    ranges = []  # (part, [[first word, last word, chunk hash], ...]) for each part
    try:
        for part in parts:
            meta_file = next(part.glob("*.pf_meta"))
            meta = cbor2.loads(gzip.decompress(meta_file.read_bytes())[len(b"pagefind_dcd") :])
            ranges.append((part, meta[2]))
    except Exception as error:  # the format is Pagefind's, not ours
        out["error"] = f"cannot read the chunk ranges of the .pf_meta: {error!r}"
        ranges = []
    for query in queries:
        total = runtime + five
        for word in query.lower().split():
            for part, chunks in ranges:  # each part's chunk holding the word
                for first, last, digest in chunks:
                    if first <= word <= last or word.startswith(last):
                        total += (part / "index" / f"{digest}.pf_index").stat().st_size
                        break
        out["queries"][query] = total
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("site", type=Path, help="a built site (holding search/ and pagefind/)")
    parser.add_argument("--query", action="append", help=f"default: {QUERIES}")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--older",
        action="store_true",
        help="search older reports too (older=1: every part of a site searched newest first)",
    )
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="give Pagefind noWorker: true (search on the main thread; no worker download)",
    )
    args = parser.parse_args()
    queries = args.query or QUERIES
    result: dict = {"site": str(args.site), "static": static(args.site, queries)}
    executable = chromium_path()
    if args.no_browser:
        result["browser_skipped"] = "--no-browser"
    elif executable is None:
        result["browser_skipped"] = "no Chromium (apt-get install chromium)"
    else:
        try:
            result["browser"] = browser(
                args.site, queries, executable, args.older, worker=not args.no_worker
            )
        except Exception as error:  # report, and keep the static figure
            result["browser_skipped"] = f"the browser run failed: {error!r}"
    if "browser" in result:
        worst = max(result["browser"], key=lambda q: q["bytes"])
        result["first_query_bytes_max"] = worst["bytes"]
        result["first_query_bytes_median"] = statistics.median(
            q["bytes"] for q in result["browser"]
        )
        result["first_query_worst"] = worst["query"]
    if args.json:
        print(json.dumps(result))
        return 0
    for q in result.get("browser", []):
        print(
            f"{q['query']!r}: {q['bytes'] / 1024:.1f} KB in {q['files']} files "
            f"(gzipped {q['bytes_gzip'] / 1024:.1f} KB; search data {q['search_bytes'] / 1024:.1f}"
            f" KB), {q['seconds']} s: {q['status']}"
        )
        print(f"    long tasks (ms)    {q['long_tasks_ms'] or 'none'}")
        for name, v in q["by_kind"].items():
            print(f"    {name:18} {v['files']:3} files {v['bytes'] / 1024:8.1f} KB")
    if "browser_skipped" in result:
        print(f"browser: skipped ({result['browser_skipped']})")
    st = result["static"]
    for query, total in st["queries"].items():
        print(f"static (Pagefind only) {query!r}: {total / 1024:.1f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
