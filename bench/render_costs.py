"""What one page of each kind costs to make, on one core: its template and the passes after.

    .venv/bin/python bench/render_costs.py --n 2000           # the peer comparison's corpus
    .venv/bin/python bench/render_costs.py --source SITE --kinds report,tracker --limit 200

The site is read and linked in this process (``Pipeline(parallel=False)``), then the pages
of each kind (``report``, ``tracker``, ``risks``, ``area``…, as ``register_pages`` and
the site's own pages name them) are made again one after another, ``--rounds`` times, and
the best round is printed: milliseconds a page for the whole of ``PageMaker`` (what a
rendering worker does for a page, but sending it back), and for its parts: the template,
the links to content files, the content ids made unique, the abbreviations marked. A
page whose context is made when first asked for (the search page's filters, a tracker's
rows) pays for it in the first round only: ``--rounds 1`` counts it, the best of several
does not.

The kinds' totals say where a build's render stage spends its CPU (the stage runs them on
every core: its wall time is about this total over the cores, plus the set-up in one
process that ``cpu_timeline.py`` shows). Unlike ``profile_build.py``, this imports
sendsite and times its page maker's steps by wrapping them (``PageMaker.render_one``,
``page_maker.rewrite_content_links``…), so it follows the working tree's code and must
change with it. No unit test asserts a time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH_ROOT = Path(os.environ.get("BENCH_ROOT", "/tmp/sendsite-bench"))
STEPS = ("template", "content links", "ids", "abbreviations")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="the corpus peers.py made")
    parser.add_argument("--source", type=Path, help="a site folder instead of the corpus")
    parser.add_argument("--kinds", default="", help="comma-separated page kinds (default all)")
    parser.add_argument("--limit", type=int, default=0, help="at most this many pages a kind")
    parser.add_argument("--rounds", type=int, default=2, help="rounds; the best is printed")
    args = parser.parse_args()
    source = args.source or BENCH_ROOT / "corpus" / f"sendsite-{args.n}"
    if not (source / "sendsite.yml").is_file():
        raise SystemExit(f"no site at {source} (run bench/peers.py --n {args.n} first)")

    from sendsite.build import page_maker
    from sendsite.build.pages import site_pages
    from sendsite.build.pipeline import Pipeline
    from sendsite.config import load_config
    from sendsite.plugins.manager import call_each, make_plugin_manager

    config = load_config(source)
    pm = make_plugin_manager(config=config)
    started = time.perf_counter()
    pipeline = Pipeline(config, pm, parallel=False)
    site = pipeline.refresh().site
    print(f"read, linked and rendered once in {time.perf_counter() - started:.1f} s: {source}")
    pages = [*site_pages(site)]
    pages += [p for _, made in call_each(pm, "register_pages", site=site) for p in made]
    site.work_out_changes()
    make = pipeline._made[1]  # the page maker of the refresh: its targets and marker
    by_kind: dict[str, list[Any]] = defaultdict(list)
    for page in pages:
        by_kind[page.kind].append(page)
    wanted = [k for k in args.kinds.split(",") if k] or sorted(by_kind)

    spent: dict[str, float] = {}

    def timed(step: str, work: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*a: Any, **k: Any) -> Any:
            start = time.perf_counter()
            try:
                return work(*a, **k)
            finally:
                spent[step] = spent.get(step, 0.0) + time.perf_counter() - start

        return wrapper

    make.render_one = timed("template", make.render_one)
    make.marker.mark = timed("abbreviations", make.marker.mark)  # type: ignore[method-assign]
    page_maker.rewrite_content_links = timed("content links", page_maker.rewrite_content_links)
    page_maker.settle_content_ids = timed("ids", page_maker.settle_content_ids)

    rows, whole = [], 0.0
    for kind in wanted:
        chosen = by_kind.get(kind, [])[: args.limit or None]
        if not chosen:
            print(f"no pages of kind {kind!r}", file=sys.stderr)
            continue
        best: tuple[float, dict[str, float]] | None = None
        for _ in range(args.rounds):
            spent.clear()
            start = time.perf_counter()
            for page in chosen:
                make(page)
            took = time.perf_counter() - start
            if best is None or took < best[0]:
                best = (took, dict(spent))
        assert best is not None
        total = best[0] * len(by_kind[kind]) / len(chosen)  # for every page of the kind
        whole += total
        rows.append((kind, len(by_kind[kind]), len(chosen), best, total))

    print(f"{'kind':12}{'pages':>7}{'timed':>7}{'ms/page':>9}" + "".join(f"{s:>15}" for s in STEPS))
    for kind, count, timed_pages, (took, steps), total in rows:
        per = [1000 * steps.get(s, 0.0) / timed_pages for s in STEPS]
        print(
            f"{kind:12}{count:7,}{timed_pages:7,}{1000 * took / timed_pages:9.3f}"
            + "".join(f"{p:15.3f}" for p in per)
            + f"   {total:6.2f} s, {100 * total / whole:4.1f} %"
        )
    print(f"every page of these kinds: {whole:.2f} s of one core")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
