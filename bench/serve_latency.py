"""Benchmark: save-to-reload latency of `sendsite serve`.

    python bench/serve_latency.py --reports 0      # the demo site's own content
    python bench/serve_latency.py --reports 500    # a generated site
    python bench/serve_latency.py --reports 500 --create   # new report files instead
    python bench/serve_latency.py --reports 2000 --pages /tracker/,/dashboard/,/a-z/

Starts the real preview server, then repeatedly saves one report (by the
write-then-rename that most editors use) and does what the page's reload
script does: waits on the live-reload endpoint until the page it shows has
changed (the saved report's page is published before the rest of the rebuild;
a listing page once the rebuild is done), then fetches the page. The
time from the save to having the new page is the latency a reader sees,
minus the browser's own paint.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import REPO, generate

from sendsite.serve.http import RELOAD_PATH
from sendsite.serve.server import PreviewServer


def _get(port: int, path: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    body = conn.getresponse().read().decode()
    conn.close()
    return body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=0, help="0 = the repository's content")
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--verbose", action="store_true", help="print the server's messages")
    parser.add_argument("--search", action="store_true", help="also time save -> search index")
    parser.add_argument(
        "--site-files", action="store_true", help="with the demo's glossary and topics"
    )
    parser.add_argument("--areas", type=int, default=10, help="areas of the generated site")
    parser.add_argument(
        "--pages", default="", help="comma-separated cross-area pages to time too, in turn"
    )
    parser.add_argument(
        "--create", action="store_true", help="add a new report each time instead of editing one"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site-src"
        if args.reports:
            generate(root, args.reports, args.areas, site_files=args.site_files)
            report = root / "content" / "area-00" / "report-00000.md"
            page = "/area-00/report-00000/"
        else:
            shutil.copytree(REPO / "content", root / "content")
            shutil.copy(REPO / "sendsite.yml", root / "sendsite.yml")
            report = root / "content" / "southend" / "highlight-report-2021-05.md"
            page = "/southend/highlight-report-2021-05/"
        started = time.perf_counter()
        indexed: list[tuple[float, str]] = []

        def log(line: str) -> None:
            if line.startswith("Search index updated"):
                indexed.append((time.perf_counter(), line))
            if args.verbose:
                print(line, file=sys.stderr)

        server = PreviewServer(root, "127.0.0.1", 0, log=log)
        first = time.perf_counter() - started
        server.start()
        port = server.httpd.server_address[1]
        original = report.read_text()
        count = sum(1 for _ in (root / "content").rglob("*.md"))
        times: list[float] = []
        others = [p for p in args.pages.split(",") if p]
        by_page: dict[str, list[float]] = {p: [] for p in others}
        searchable: list[float] = []
        if args.search:
            whole = _wait_for(indexed, 1, 600)
            print(f"whole index at start-up: {whole[0] - started:.2f} s ({whole[1]})")
        try:
            for n in range(args.saves):
                generation = server.live.snapshot.generation
                marker = f"Latency probe {n}"
                target, address = report, page
                if args.create:
                    target = report.with_name(f"probe-{n}.md")
                    address = page.replace(report.stem, target.stem)
                temp = target.with_name(f".{target.name}.tmp")
                saved = time.perf_counter()
                temp.write_text(original.replace("title: ", f"title: {marker} ", 1))
                os.replace(temp, target)
                turn = n % (len(others) + 1)
                # As a tab showing the page does: wait until the page it shows changed.
                shown = others[turn - 1] if turn else address
                _get(port, f"{RELOAD_PATH}?since={generation}&page={shown}")
                if turn:  # a cross-area page, made on this request from the new site
                    assert server.live.snapshot.generation > generation
                    _get(port, others[turn - 1])
                    by_page[others[turn - 1]].append(time.perf_counter() - saved)
                    time.sleep(0.1)
                    continue
                body = _get(port, address)
                took = time.perf_counter() - saved
                assert marker in body, "the new page was not served"
                times.append(took)
                if args.search:
                    done = _wait_for(indexed, len(indexed) + 1, 120)
                    searchable.append(done[0] - saved)
                    last = done[1]
                time.sleep(0.1)
        finally:
            server.stop()
    print(
        f"site: {'demo content' if not args.reports else f'{args.reports} generated reports'}"
        f" ({count} Markdown files)"
    )
    print(f"first build at start-up: {first:.2f} s")
    print(
        f"save-to-new-page over {len(times)} {'new reports' if args.create else 'saves'}: "
        f"median {statistics.median(times) * 1000:.0f} ms,"
        f" max {max(times) * 1000:.0f} ms, min {min(times) * 1000:.0f} ms"
    )
    for other, seconds in by_page.items():
        print(
            f"save-to-{other} over {len(seconds)} saves: "
            f"median {statistics.median(seconds) * 1000:.0f} ms, max {max(seconds) * 1000:.0f} ms"
        )
    if searchable:
        print(
            f"save-to-searchable over {len(searchable)} saves (the index's 1 s settle"
            f" included): median {statistics.median(searchable):.2f} s,"
            f" max {max(searchable):.2f} s; last: {last}"
        )


def _wait_for(lines: list[tuple[float, str]], count: int, seconds: float) -> tuple[float, str]:
    """Wait until ``lines`` has ``count`` entries; return the last."""
    end = time.perf_counter() + seconds
    while len(lines) < count:
        if time.perf_counter() > end:
            raise SystemExit(f"no search index within {seconds} s")
        time.sleep(0.02)
    return lines[count - 1]


if __name__ == "__main__":
    main()
