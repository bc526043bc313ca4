"""Search across every area: the search page, and building its index.

    rendered pages --search_records--> records (+ plugins' prepare_search_records)
                   --write_search_index (Pagefind)--> pagefind/ and search/words/

``sendsite build`` indexes inside the staging folder, before it replaces the
old site, so a failed index never costs the last good site. ``sendsite
serve`` indexes in the background once edits settle (see ``live_index``) and
serves the result beside the in-memory pages.

The search page itself (``search/``) is registered by the built-in views
plugin; the index is built whenever that page is part of the site.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sendsite.build.collisions import SEARCH_PAGE
from sendsite.build.deferred import FileContent
from sendsite.build.pages import HOME, LazyContext, Page
from sendsite.build.site import Site
from sendsite.build.writer import scratch_folder
from sendsite.builtin.search import background
from sendsite.builtin.search.background import IndexRun
from sendsite.builtin.search.index import (
    IndexSummary,
    SearchIndexError,
    StagedSearch,
    stage_search_index,
    write_search_index,
)
from sendsite.builtin.search.pagefind import (
    Layout,
    index_language,
    last_index,
    layout,
    part_digests,
    record_pages,
    stage_index,
)
from sendsite.builtin.search.records import KINDS, RecordMemo, SearchRecord, search_records
from sendsite.builtin.search.synonyms import Synonyms
from sendsite.content.risk_rating import RiskLevel
from sendsite.content.status import Level
from sendsite.plugins.manager import PluginManager

__all__ = [
    "KINDS",
    "SEARCH_PAGE",
    "IndexStep",
    "IndexSummary",
    "RecordMemo",
    "SearchIndexError",
    "SearchRecord",
    "StagedSearch",
    "index_language",
    "index_step",
    "search_page",
    "search_records",
    "write_search_index",
]

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

    ``digests`` name the records exactly, part by part of the index (``part_digests``);
    ``reuse`` is the last site's folder when its index was made from the very same
    records, so it is copied instead of made again, and ``reused`` its index's parts
    made from the very same pages (by number). ``parts`` are the records as
    Pagefind's pages in the index's parts, made once for the digests and the index.
    """

    records: list[SearchRecord]
    language: str
    digests: list[str]
    parts: Layout
    reuse: Path | None = None
    reused: dict[int, Path] = field(default_factory=dict)
    #: How many records hold each word, if the build cache's memo kept count.
    counts: Counter[str] | None = None
    #: If Pagefind's runs started before the site is written (``start``): the index's
    #: parts, ``since`` and parts copied then.
    started: tuple[int, str, int] | None = None
    #: The folder the records' pages are kept in between builds (the build cache's), if any.
    home: Path | None = None
    #: The last site's index, if it has one (``pagefind.last_index``).
    last: Path | None = None
    #: The last site, if any (its word lists are kept where they are as they were).
    last_site: Path | None = None

    def __call__(self, folder: Path) -> IndexSummary:
        return self.stage(folder).run(folder)

    def start(self, output: Path) -> IndexRun | None:
        """Start Pagefind on the records' pages now, in a thread, while the site for
        ``output`` is written, if its runs fit beside what this process holds (see
        ``background``); None if they do not, or if the last site's index is copied."""
        if self.reuse is not None or not self.parts.parts:
            return None
        sizes = [sum(len(html) for html, _ in part) for part in self.parts.parts]
        if not background.fits(sizes, self.reused, background.held_now()):
            return None
        self.started = (len(sizes), self.parts.since, len(self.reused))
        staged = stage_index(
            self.parts, self.language, self.reused, self.digests, self.home, self.last
        )
        return IndexRun(staged, scratch_folder(output.resolve()))

    def stage_beside(self, output: Path) -> background.StagingRun | None:
        """``stage`` in a thread, while the site for ``output`` is written (``StagingRun``),
        unless the last site's index is copied whole (into the site itself)."""
        if self.reuse is not None or self.started is not None:
            return None
        return background.StagingRun(self.stage, scratch_folder(output.resolve()))

    def stage(self, folder: Path) -> StagedSearch:
        """The word lists written into ``folder`` and the records' pages onto disk; the
        records let go. Pagefind runs when the result is run (in another process, maybe)."""
        return stage_search_index(
            folder,
            self.records,
            self.language,
            reuse=self.reuse,
            parts=self.parts,
            reused=self.reused,
            digests=self.digests,
            counts=self.counts,
            release=True,
            started=self.started,
            home=self.home,
            last=self.last,
            last_site=self.last_site,
        )


def index_step(
    site: Site,
    files: Mapping[PurePosixPath, FileContent],
    pm: PluginManager | None,
    *,
    parallel: bool = False,
    last: Path | None = None,
    memo: RecordMemo | None = None,
    home: Path | None = None,
    before: Path | None = None,
) -> IndexStep | None:
    """What to run in the staging folder before it becomes the site, or None without search.

    The records are made now (so plugin errors surface before anything is
    written; in worker processes with ``parallel``, which only a single-threaded
    build may ask for); Pagefind runs when the returned step is called. ``last``
    is the last site's folder: the same records reuse its index, and the same
    pages in a part of it reuse that part (its index says what made each part).
    ``memo`` (the build cache's) gives back the records of report pages as they were;
    ``home`` (the build cache's too) keeps the records' pages for Pagefind between builds.
    ``before`` is the site being replaced, with or without the cache: a word list as it
    has it stays its file (``write_word_lists``).
    """
    if SEARCH_PAGE not in files:
        return None
    records = search_records(site, files, pm, parallel=parallel, memo=memo)
    language = site.config.language
    known = memo.part_words if memo is not None else None
    parts = layout(record_pages(records, language, memo), language, known)
    digests = part_digests(parts, language)
    counts = memo.word_counts(records) if memo is not None else None
    step = IndexStep(records, language, digests, parts, counts=counts, home=home, last_site=before)
    found = last_index(last) if last is not None else None
    if found is None:
        return step
    bundle, made = found
    step.last = bundle
    if made == digests:
        step.reuse = last
    elif len(made) == len(digests) > 1:
        step.reused = {
            n: bundle for n, (a, b) in enumerate(zip(made, digests, strict=True)) if a == b
        }
        for n in step.reused:  # copied from the last site: their pages are not held on
            parts.parts[n].clear()
    return step
