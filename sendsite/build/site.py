"""The linked site: every report read, grouped into areas, with its output path.

Built once everything has been read (as MkDocs does), so pages that list or
aggregate reports see all of them. Nothing here names an area or a format.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from sendsite.build.changes import HISTORY_SHOWN, summarise
from sendsite.build.deferred import FileContent
from sendsite.build.series import worked_changes
from sendsite.config import SiteConfig
from sendsite.content.documents import Area, Document, published_folder
from sendsite.content.model import Format, GlossaryTerm, Item, Report, Risk
from sendsite.content.risk_rating import RiskKey
from sendsite.content.status import StatusKey
from sendsite.errors import ContentError, Problem

if TYPE_CHECKING:
    from sendsite.build.changes import Change

__all__ = [
    "AreaEntry", "PlainPage", "Refreshed", "ReportEntry", "Site", "SiteCounts", "link_site",
]  # fmt: skip

#: A year in a report's title ("… quarter 4 2023/24", "… May 2021"): see ``ReportEntry.named``.
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


@dataclass
class ReportEntry:
    """A report that has been read, and where its page goes."""

    document: Document
    format: Format
    report: Report
    area: Area
    path: PurePosixPath
    #: The report before and after this one in its series (see ``series``).
    previous: ReportEntry | None = field(default=None, compare=False, repr=False)
    next: ReportEntry | None = field(default=None, compare=False, repr=False)
    #: The report of the same date this one corrects (names in ``supersedes:``), which
    #: it takes the place of in the series; its ``next`` is this one.
    corrects: ReportEntry | None = field(default=None, compare=False, repr=False)
    #: What changed since ``previous`` (see ``changes``): None until first asked for.
    found_changes: list[Change] | None = field(default_factory=list, compare=False, repr=False)
    #: An item's or risk's anchor → where it was in the last ``HISTORY_SHOWN`` reports of
    #: the series so far (oldest first), and in how many reports in all.
    history: dict[str, tuple[tuple[ReportEntry, Item | Risk], ...]] = field(
        default_factory=dict, compare=False, repr=False
    )
    history_length: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    #: The changes shown beside each item of this page, by the item's anchor (made from
    #: ``changes`` when first asked for: see ``changes_of``).
    marks: dict[str, list[Change]] | None = field(default=None, compare=False, repr=False)
    #: The report this one was last compared with, the changes found (None until asked
    #: for), the matched (before, after) pairs and the matching itself: kept while both are
    #: the very same objects (see ``series``).
    compared: tuple[ReportEntry, list[Change] | None, list[tuple[Any, Any]], Any] | None = field(
        default=None, compare=False, repr=False
    )
    #: The last matching of this report's rows with its previous report's, by a hash of
    #: what it read of them (see ``changes.matches_between``); pickled with the entry.
    matched: tuple[bytes, Any, Any] | None = field(default=None, compare=False, repr=False)
    #: A hash of what matching reads of this report's own rows (``changes._own_rows``),
    #: made once for the entry: a report read again is a new entry.
    rows_digest: bytes | None = field(default=None, compare=False, repr=False)
    #: Plugins' work on this report alone, by name: ``(depends, result)`` (see
    #: ``memo.per_report(..., on_entry=True)``); pickled with the entry.
    kept: dict[str, tuple[Any, Any]] = field(default_factory=dict, compare=False, repr=False)
    #: A hash of what decided what this report's page showed of its series when last
    #: linked (see ``series.link_series``); pickled with the entry.
    view: bytes = field(default=b"", compare=False, repr=False)
    #: Names this entry (made when the report is read, pickled with it): a piece of a data
    #: export keyed by it is copied from the last site's file (see ``build.reused``).
    stamp: bytes = field(default_factory=lambda: os.urandom(12), compare=False, repr=False)

    def __getstate__(self) -> dict[str, object]:
        """Pickled (for worker processes and the build cache) without its series: the
        links run report to report, too deep to pickle on a long series, and every
        refresh makes them again (see ``series.link_series``)."""
        state = dict(self.__dict__)
        state.update(previous=None, next=None, corrects=None, marks=None, compared=None)
        state.update(history={}, history_length={}, found_changes=[])
        return state

    @property
    def title(self) -> str:
        return self.report.title

    @property
    def named(self) -> str:
        """What another page calls this report: its title, with its date as written unless
        the title has a year in it already. A partnership may title every month's report
        alike, and a history of four "SEND highlight report"s told them apart by nothing."""
        title, date = self.report.title, self.report.date
        return f"{title} ({date.text})" if date and date.text and not _YEAR.search(title) else title

    @property
    def in_series(self) -> bool:
        """Whether another report comes before or after this one."""
        return self.previous is not None or self.next is not None

    @property
    def changes(self) -> list[Change]:
        """What changed since ``previous``, in the order the page shows the items: worked
        out when first asked for (see ``series.worked_changes``), as a build after an
        edit shows few of its reports' changes."""
        if self.found_changes is None:
            self.found_changes = worked_changes(self)
        return self.found_changes

    @property
    def change_summary(self) -> str:
        """The changes since the previous report counted by kind: "3 new, 1 dropped"."""
        return summarise(self.changes)

    def changes_of(self, anchor: str) -> list[Change]:
        """The changes shown beside the item at ``anchor`` on this report's page."""
        if self.marks is None:
            marks: dict[str, list[Change]] = {}
            for change in self.changes:
                if not change.gone:
                    marks.setdefault(change.anchor, []).append(change)
            self.marks = marks
        return self.marks.get(anchor, [])

    def forget_series(self) -> None:
        """Drop what was worked out from the series: changes, histories, marks."""
        self.found_changes, self.history, self.history_length, self.marks = [], {}, {}, None

    def history_of(self, anchor: str, last: int = HISTORY_SHOWN) -> tuple[int, list[Any]]:
        """How many earlier reports are left out, and the ``last`` (at most
        ``HISTORY_SHOWN``) reports of an item's history (oldest first): ``(report, item
        or risk)`` pairs."""
        history = self.history.get(anchor, ())
        length = self.history_length.get(anchor, len(history))
        return max(0, length - last), list(history[-last:])

    @property
    def slug(self) -> str:
        return self.document.slug

    @property
    def status_keys(self) -> tuple[StatusKey | RiskKey, ...]:
        return self.format.status_keys


@dataclass
class PlainPage:
    """A Markdown file with no ``format:``: a page of prose."""

    document: Document
    title: str
    html: Markup
    area: Area | None
    path: PurePosixPath


@dataclass
class AreaEntry:
    """An area with its reports and pages, newest report first."""

    area: Area
    path: PurePosixPath
    reports: list[ReportEntry] = field(default_factory=list)
    pages: list[PlainPage] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.area.name

    @property
    def status_keys(self) -> list[StatusKey | RiskKey]:
        """The status and risk keys used by this area's reports, once each."""
        keys: dict[str, StatusKey | RiskKey] = {}
        for entry in self.reports:
            for key in entry.status_keys:
                keys.setdefault(key.name, key)
        return list(keys.values())


@dataclass
class Site:
    """Everything the render stage needs."""

    config: SiteConfig
    areas: list[AreaEntry]
    reports: list[ReportEntry]
    pages: list[PlainPage]
    glossary: list[GlossaryTerm]
    home: PlainPage | None = None
    assets: list[tuple[Path, PurePosixPath]] = field(default_factory=list)
    #: Cross-area topics (from content/_topics.yml) with what matched them.
    topics: list[Any] = field(default_factory=list)
    #: (label, site path) of pages listed in every page's navigation.
    menu: list[tuple[str, str]] = field(default_factory=list)
    #: What plugins keep between refreshes of one pipeline (see ``build.memo``).
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def work_out_changes(self) -> None:
        """Work out every report's changes now (``ReportEntry.changes``): before pages
        are rendered in forked workers, which would each work them out again."""
        for entry in self.reports:
            entry.changes  # noqa: B018 (a property that works them out)

    @property
    def all_pages(self) -> list[PlainPage]:
        """Every plain page: the home introduction, top-level and area pages."""
        pages = [p for area in self.areas for p in area.pages] + self.pages
        return [self.home, *pages] if self.home else pages


def report_path(area: Area, document: Document) -> PurePosixPath:
    """Where a report's page is written: ``<area>/<slug>/index.html``."""
    return PurePosixPath(area.slug, document.slug, "index.html")


def page_path(document: Document) -> PurePosixPath:
    """Where a plain page is written: its folder, then its slug."""
    return (
        published_folder(document.relpath.parent, document.relpath) / document.slug / "index.html"
    )


def _report_sort_key(entry: ReportEntry) -> tuple[bool, int, str]:
    as_of = entry.report.as_of
    # Newest first; undated reports last, then by title.
    return (as_of is None, -(as_of.toordinal() if as_of else 0), entry.title.casefold())


HOME_SOURCE = PurePosixPath("index.md")


def duplicate_outputs(items: list[ReportEntry] | list[ReportEntry | PlainPage]) -> list[Problem]:
    """A problem for each file that would be published where another already is."""
    seen: dict[PurePosixPath, Document] = {}
    problems = []
    for item in items:
        if item.document.relpath == HOME_SOURCE:
            continue
        other = seen.get(item.path)
        if other is None:
            seen[item.path] = item.document
            continue
        problems.append(
            ContentError(
                f"two files would both be published at '{item.path.parent}/': "
                f"{other.relpath} and {item.document.relpath}",
                file=item.document.relpath,
                line=item.document.line("slug"),
                fix="Give one of them a different file name, or a 'slug:' in its front matter.",
            ).problem
        )
    return problems


def link_site(
    config: SiteConfig,
    areas: dict[str, Area],
    reports: list[ReportEntry],
    pages: list[PlainPage],
    glossary: list[GlossaryTerm],
    assets: list[tuple[Path, PurePosixPath]] | None = None,
) -> Site:
    """Group reports and pages into areas (call ``duplicate_outputs`` first)."""
    home = next((p for p in pages if p.document.relpath == HOME_SOURCE), None)
    entries: dict[str, AreaEntry] = {}
    for slug in sorted(areas):
        area = areas[slug]
        entries[slug] = AreaEntry(area, PurePosixPath(slug, "index.html"))
    for entry in reports:
        entries[entry.area.slug].reports.append(entry)
    for page in pages:
        if page.area is not None and page is not home:
            entries[page.area.slug].pages.append(page)
    for area_entry in entries.values():
        area_entry.reports.sort(key=_report_sort_key)
        area_entry.pages.sort(key=lambda p: p.title.casefold())
    area_list = sorted(
        (e for e in entries.values() if e.reports or e.pages or e.area.source),
        key=lambda e: e.area.name.casefold(),
    )
    ordered_reports = [r for e in area_list for r in e.reports]
    top_pages = sorted(
        (p for p in pages if p.area is None and p is not home), key=lambda p: p.title.casefold()
    )
    return Site(config, area_list, ordered_reports, top_pages, glossary, home, assets or [])


@dataclass
class SiteCounts:
    """What a site holds, for the build's summary."""

    areas: int = 0
    reports: int = 0
    pages: int = 0
    #: Milestones and actions.
    milestones: int = 0
    risks: int = 0

    @classmethod
    def of(cls, site: Site) -> SiteCounts:
        """Count the areas, reports, plain pages, items and risks of ``site``."""
        return cls(
            len(site.areas),
            len(site.reports),
            len(site.all_pages),
            sum(len(entry.report.items) for entry in site.reports),
            sum(len(entry.report.risks) for entry in site.reports),
        )


@dataclass
class Refreshed:
    """The outcome of one refresh."""

    site: Site
    files: dict[PurePosixPath, FileContent]
    pages: int
    rendered: int
    reread: int
    warnings: list[Problem] = field(default_factory=list)
    #: Pages left to be rendered when first asked for (``refresh(defer=True)``).
    deferred: int = 0
