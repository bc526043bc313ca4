"""Search across every area: the search page, and building its index.

    rendered pages --search_records--> records (+ plugins' prepare_search_records)
                   --write_search_index (Pagefind)--> pagefind/ and search/words/

``sendsite build`` indexes inside the staging folder, before it replaces the
old site, so a failed index never costs the last good site. ``sendsite
serve`` indexes in the background once edits settle (see ``BackgroundIndexer``)
and serves the result beside the in-memory pages.

The search page itself (``search/``) is registered by the built-in views
plugin; the index is built whenever that page is part of the site.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sendsite.build.deferred import FileContent
from sendsite.build.pages import HOME, LazyContext, Page
from sendsite.build.site import Site
from sendsite.builtin.search.index import IndexSummary, SearchIndexError, write_search_index
from sendsite.builtin.search.pagefind import index_language, records_digest
from sendsite.builtin.search.records import KINDS, SearchRecord, search_records
from sendsite.builtin.search.synonyms import Synonyms
from sendsite.content.risk_rating import RiskLevel
from sendsite.content.status import Level
from sendsite.errors import SendsiteError
from sendsite.plugins.manager import PluginManager

__all__ = [
    "KINDS",
    "SEARCH_PAGE",
    "BackgroundIndexer",
    "IndexStep",
    "IndexSummary",
    "SearchIndexError",
    "SearchRecord",
    "index_language",
    "index_step",
    "search_page",
    "search_records",
    "write_search_index",
]

SEARCH_PAGE = PurePosixPath("search", "index.html")

_Job = tuple[Site, Mapping[PurePosixPath, FileContent], PluginManager]


def search_page(site: Site) -> Page:
    """The search page: its filters' options and the glossary's acronym groups."""
    return Page(
        "search",
        SEARCH_PAGE,
        "search.html",
        "Search",
        [("Home", HOME)],
        LazyContext(
            lambda: {"synonyms": Synonyms(site.glossary).table(), "filters": filter_options(site)}
        ),
    )


def filter_options(site: Site) -> list[tuple[str, str, list[str]]]:
    """``(name, legend, values)`` for each filter, from the site (not from the index).

    The search page lists them without loading Pagefind's filter files, which
    grow with the site: those are fetched only once a reader filters.
    """
    reports = [entry.report for entry in site.reports]
    present = {
        "Report": bool(reports),
        "Section": any(report.sections for report in reports),
        "Milestone": any(item.kind == "milestone" for r in reports for item in r.items),
        "Action": any(item.kind == "action" for r in reports for item in r.items),
        "Risk or issue": any(report.risks for report in reports),
        "Area": bool(site.areas),
        "Topic": bool(site.topics),
        "Page": bool(site.all_pages),
    }
    levels = {i.status.level for r in reports for i in r.items}
    ratings = {k.rating.level for r in reports for k in r.risks}
    # A risk's rating is in the same filter, after the progress levels (both say "Not rated").
    statuses = [level.label for level in Level if level in levels]
    statuses += [lv.label for lv in RiskLevel if lv in ratings and lv.label not in statuses]
    return [
        ("area", "Area", [area.title for area in site.areas]),
        ("kind", "Kind of result", [kind for kind in KINDS if present[kind]]),
        ("status", "Status or rating", statuses),
    ]


@dataclass
class IndexStep:
    """The search index of a build, made in the staging folder just before the swap.

    ``digest`` names the records exactly (see ``records_digest``); ``reuse`` is the
    last site's folder when its index was made from the very same records, so it is
    copied instead of made again.
    """

    records: list[SearchRecord]
    language: str
    digest: str
    reuse: Path | None = None

    def __call__(self, folder: Path) -> IndexSummary:
        return write_search_index(folder, self.records, self.language, reuse=self.reuse)


def index_step(
    site: Site,
    files: Mapping[PurePosixPath, FileContent],
    pm: PluginManager | None,
    *,
    parallel: bool = False,
    last: tuple[Path, str] | None = None,
) -> IndexStep | None:
    """What to run in the staging folder before it becomes the site, or None without search.

    The records are made now (so plugin errors surface before anything is
    written; in worker processes with ``parallel``, which only a single-threaded
    build may ask for); Pagefind runs when the returned step is called. ``last``
    is the last site's folder and its records' digest: the same records reuse its index.
    """
    if SEARCH_PAGE not in files:
        return None
    records = search_records(site, files, pm, parallel=parallel)
    language = site.config.language
    digest = records_digest(records, language)
    reuse = last[0] if last is not None and last[1] == digest else None
    return IndexStep(records, language, digest, reuse)


class BackgroundIndexer:
    """Keeps a search index for ``sendsite serve``, rebuilt after edits settle.

    ``schedule(site, files, pm)`` is cheap and returns at once; indexing runs
    in a thread ``settle`` seconds after the last call, so a burst of saves
    is indexed once and never slows the preview's own rebuilds. ``files``
    maps the index's site paths to files in a temporary folder (the last good
    index; empty until the first one is ready).
    """

    def __init__(self, log: Callable[[str], None] = print, settle: float = 1.0) -> None:
        self.log = log
        self.settle = settle
        self.files: dict[PurePosixPath, Path] = {}
        self._pending: _Job | None = None
        self._due = 0.0
        self._wake = threading.Condition()
        self._closed = False
        self._folder: Path | None = None
        self._retired: list[Path] = []
        self._thread = threading.Thread(target=self._run, name="sendsite-search", daemon=True)
        self._thread.start()

    def schedule(
        self, site: Site, files: Mapping[PurePosixPath, FileContent], pm: PluginManager
    ) -> None:
        with self._wake:
            self._pending = (site, files, pm)
            self._due = time.monotonic() + self.settle
            self._wake.notify_all()

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify_all()
        self._thread.join(timeout=30)
        for folder in [*self._retired, *filter(None, [self._folder])]:
            shutil.rmtree(folder, ignore_errors=True)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._closed and (self._pending is None or time.monotonic() < self._due):
                    wait = None if self._pending is None else self._due - time.monotonic()
                    self._wake.wait(wait)
                if self._closed:
                    return
                job = self._pending
                assert job is not None  # the wait ends with a job to do, or closed
                site, files, pm = job
                self._pending = None
            self._index(site, files, pm)

    def _index(
        self, site: Site, files: Mapping[PurePosixPath, FileContent], pm: PluginManager
    ) -> None:
        step = None
        folder = Path(tempfile.mkdtemp(prefix="sendsite-search-"))
        started = time.perf_counter()
        try:
            step = index_step(site, files, pm)
            if step is None:
                self._swap(None, {})
                shutil.rmtree(folder, ignore_errors=True)
                return
            summary = step(folder)
        except SendsiteError as error:
            shutil.rmtree(folder, ignore_errors=True)
            self._say(f"Search index not updated: {error.problem.message}")
            return
        except (Exception, SystemExit) as error:  # a plugin's bug must not stop the indexer
            shutil.rmtree(folder, ignore_errors=True)
            self._say(f"Search index not updated: {type(error).__name__}: {error}")
            return
        fresh = {
            PurePosixPath(p.relative_to(folder).as_posix()): p
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }
        self._swap(folder, fresh)
        self._say(
            f"Search index updated in {time.perf_counter() - started:.2f} s: "
            f"{summary.records} records."
        )

    def _say(self, line: str) -> None:
        """Log a line, unless the preview is stopping (it has said so already)."""
        if not self._closed:
            self.log(line)

    def _swap(self, folder: Path | None, files: dict[PurePosixPath, Path]) -> None:
        # The folder before last is removed: a request that looked up a file in the
        # last one a moment ago can still read it.
        for old in self._retired[:-1]:
            shutil.rmtree(old, ignore_errors=True)
        self._retired = self._retired[-1:]
        if self._folder is not None:
            self._retired.append(self._folder)
        self._folder, self.files = folder, files
