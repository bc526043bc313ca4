"""Keeping the cross-area pages small however many reports a site has.

Below the limits every page lists everything, as a small site expects. Above them:

- the all-areas tracker and register list the rows of each area's latest reports
  (the last of each series), at most ``ROWS_PER_PAGE`` of them, the most urgent
  first, and say what they leave out and where it is;
- an area's own tracker and register are split into pages of at most
  ``ROWS_PER_PAGE`` rows (``tracker/<area>/page-2/``), the tracker's by due month;
- the dashboard counts per area and per month instead of per report once there
  are more than ``DASHBOARD_REPORTS`` reports (per year before its last
  ``MONTH_YEARS`` years of reports);
- a topic's page and its areas' pages of it (``topic_views``) hold at most
  ``ROWS_PER_PAGE`` matches.

A row of the tracker or register is about 1.2 KB of HTML, so a page stays well
under a megabyte.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Generic, TypeVar

from sendsite.build.site import ReportEntry
from sendsite.builtin.crossarea import (
    Counts,
    Dashboard,
    DashboardRow,
    RiskRow,
    TrackerRow,
    due_month_name,
    merged,
    month_groups,
    month_name,
    risk_key,
    row_key,
)

__all__ = [
    "DASHBOARD_REPORTS",
    "MONTH_YEARS",
    "ROWS_PER_PAGE",
    "Cap",
    "MonthRow",
    "PageOfRows",
    "latest",
    "latest_rows",
    "month_rows",
    "months_of",
    "packed",
    "pages_of_risks",
    "pages_of_tracker",
    "serious_risks",
    "summarised",
    "urgent_items",
]

#: The most rows of milestones, actions or risks one page lists.
ROWS_PER_PAGE = 400
#: Above this many reports the dashboard counts per area and month, not per report.
DASHBOARD_REPORTS = 150
#: The latest reports the summarised dashboard names under each area.
LATEST_SHOWN = 3
#: The summarised dashboard counts the reports of its latest this many years (that have
#: reports) by month, and earlier reports by year: a page of a few dozen rows however long
#: a partnership has been reporting.
MONTH_YEARS = 3

_Row = TypeVar("_Row", TrackerRow, RiskRow)
_Line = TypeVar("_Line")


@dataclass(frozen=True)
class Cap:
    """What an all-areas page shows of all there is: ``shown`` of ``total`` rows,
    from ``reports`` latest reports holding ``latest`` rows."""

    total: int
    shown: int
    reports: int
    latest: int


@dataclass(frozen=True)
class PageOfRows(Generic[_Line]):
    """One page of an area's tracker, register or topic: its rows, number and label."""

    rows: list[_Line]
    number: int
    label: str

    def path(self, folder: PurePosixPath) -> PurePosixPath:
        """``folder/index.html`` for the first page, ``folder/page-N/index.html`` after."""
        if self.number == 1:
            return folder / "index.html"
        return folder / f"page-{self.number}" / "index.html"


def latest(entry: ReportEntry) -> bool:
    """Whether a report is the latest of its series (or stands alone)."""
    return entry.next is None


def latest_rows(rows: list[_Row]) -> list[_Row]:
    """The rows of the latest reports, in their order (kept with each area's views, so
    the all-areas pages do not pass over every row of the site to find them)."""
    return [row for row in rows if latest(row.entry)]


def _capped(
    per_area: Sequence[tuple[list[_Row], list[_Row]]],
    key: Callable[[_Row], Any],
    first: Callable[[_Row], bool],
) -> tuple[list[_Row], Cap | None]:
    """All rows (each area's, sorted by ``key``, merged) if few enough; else the latest
    reports' rows, those ``first`` picks before the others, at most ``ROWS_PER_PAGE``,
    in their sorted order. ``per_area``: each area's rows and ``latest_rows`` of them."""
    total = sum(len(rows) for rows, _ in per_area)
    if total <= ROWS_PER_PAGE:
        return merged([rows for rows, _ in per_area], key), None
    current = merged([latest for _, latest in per_area], key)
    reports = len({id(r.entry) for r in current})
    latest_rows = len(current)
    if len(current) > ROWS_PER_PAGE:
        chosen = {id(r) for r in sorted(current, key=lambda r: not first(r))[:ROWS_PER_PAGE]}
        current = [r for r in current if id(r) in chosen]
    return current, Cap(total, len(current), reports, latest_rows)


def urgent_items(
    per_area: Sequence[tuple[list[TrackerRow], list[TrackerRow]]],
) -> tuple[list[TrackerRow], Cap | None]:
    """What the all-areas tracker lists (each area's rows soonest due first, and the
    latest reports' of them): overdue first when the latest reports' items are too many."""
    return _capped(per_area, row_key, lambda r: r.overdue)


def serious_risks(
    per_area: Sequence[tuple[list[RiskRow], list[RiskRow]]],
) -> tuple[list[RiskRow], Cap | None]:
    """What the all-areas register lists (each area's rows most serious first, and the
    latest reports' of them)."""
    return _capped(per_area, risk_key, lambda r: True)


def pages_of_tracker(rows: list[TrackerRow]) -> list[PageOfRows[TrackerRow]]:
    """An area's items in pages of whole due months where it can (a month longer than
    a page is split), each labelled with the months it holds."""
    pages = packed([members for _, _, members in month_groups(rows)])
    return [PageOfRows(p, n, _months(p)) for n, p in enumerate(pages, 1)]


def packed(groups: Sequence[Sequence[_Line]]) -> list[list[_Line]]:
    """Groups of rows (in order) on pages of at most ``ROWS_PER_PAGE`` rows, each group
    whole on one page where it fits (a group longer than a page is split); one empty
    page if there are none."""
    pages: list[list[_Line]] = [[]]
    for members in groups:
        if pages[-1] and len(pages[-1]) + len(members) > ROWS_PER_PAGE:
            pages.append([])
        for row in members:
            if len(pages[-1]) >= ROWS_PER_PAGE:
                pages.append([])
            pages[-1].append(row)
    return pages


def _months(rows: list[TrackerRow]) -> str:
    """The months a page of rows (in due order) holds: "March 2021 to May 2021"."""
    if not rows:
        return ""
    first, last = due_month_name(rows[0].due_month), due_month_name(rows[-1].due_month)
    return first if first == last else f"{first} to {last}"


def pages_of_risks(rows: list[RiskRow]) -> list[PageOfRows[RiskRow]]:
    """An area's risks in pages of ``ROWS_PER_PAGE``, most serious first."""
    chunks = _chunks(rows, ROWS_PER_PAGE) or [[]]
    out, start = [], 1
    for number, chunk in enumerate(chunks, 1):
        out.append(PageOfRows(chunk, number, f"Risks {start} to {start + len(chunk) - 1}"))
        start += len(chunk)
    return out


def _chunks(rows: Sequence[_Row], size: int) -> list[list[_Row]]:
    return [list(rows[i : i + size]) for i in range(0, len(rows), size)]


@dataclass
class MonthRow:
    """The reports dated in one month (all areas): their items and risks counted."""

    title: str
    reports: int
    items: Counts
    risks: Counts


_Months = dict[tuple[int, int] | None, MonthRow]


def months_of(rows: Sequence[DashboardRow]) -> _Months:
    """Reports' dashboard rows added up by the month of their dates (None: undated)."""
    by_month: _Months = {}
    for row in rows:
        day = row.entry.report.as_of if row.entry else None
        key = (day.year, day.month) if day else None
        month = by_month.get(key)
        if month is None:
            month = by_month[key] = _month_row(key, row.risks.scale)
        month.reports += 1
        month.items.add(row.items)
        month.risks.add(row.risks)
    return by_month


def _month_row(key: tuple[int, int] | None, scale: tuple[Any, ...]) -> MonthRow:
    """An empty row for a month (``(year, month)``), a whole year (``(year, 0)``) or
    undated reports (``None``)."""
    title = "Not dated" if key is None else month_name(*key) if key[1] else f"{key[0]} (whole year)"
    return MonthRow(title, 0, Counts(), Counts(scale=scale))


def month_rows(per_area: Sequence[_Months]) -> list[MonthRow]:
    """One row per month of the reports' dates in the latest ``MONTH_YEARS`` years that
    have reports, newest first; then one row per earlier year; undated reports last
    (each area's ``months_of`` its reports' dashboard rows, added up)."""
    by_month: _Months = {}
    for months in per_area:
        for key, counted in months.items():
            _add_to(by_month, key, counted)
    dated = sorted((k for k in by_month if k is not None), reverse=True)
    recent = sorted({year for year, _ in dated}, reverse=True)[:MONTH_YEARS]
    rows = [by_month[key] for key in dated if key[0] >= recent[-1]] if recent else []
    by_year: _Months = {}
    for key in dated[len(rows) :]:
        _add_to(by_year, (key[0], 0), by_month[key])
    return [*rows, *by_year.values(), *([by_month[None]] if None in by_month else [])]


def _add_to(rows: _Months, key: tuple[int, int] | None, counted: MonthRow) -> None:
    """Count ``counted``'s reports, items and risks in ``rows[key]`` (made if new)."""
    row = rows.get(key)
    if row is None:
        row = rows[key] = _month_row(key, counted.risks.scale)
    row.reports += counted.reports
    row.items.add(counted.items)
    row.risks.add(counted.risks)


def summarised(dashboard: Dashboard) -> Dashboard:
    """The dashboard with each area's latest reports only (at most ``LATEST_SHOWN``)."""
    return Dashboard(
        [
            (area, [row for row in rows if row.entry and latest(row.entry)][:LATEST_SHOWN])
            for area, rows in dashboard.areas
        ]
    )
