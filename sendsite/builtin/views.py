"""The built-in cross-area pages, registered as a plugin like any other.

Dashboard, milestone tracker, risk register, topics, glossary, the search
page and data exports are built from the core's common items only, so they work for any
area a plugin adds. Disable them all with ``disable_plugins: [views]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import PurePosixPath
from typing import Any

from sendsite.build.deferred import Streamed
from sendsite.build.memo import per_area, per_report
from sendsite.build.pages import HOME, LazyContext, Page
from sendsite.build.site import AreaEntry, ReportEntry, Site
from sendsite.builtin import paging
from sendsite.builtin.a_to_z import A_TO_Z_PAGE, a_to_z_pages
from sendsite.builtin.crossarea import (
    Dashboard,
    DashboardRow,
    RiskRow,
    TrackerRow,
    keyed_risk_rows,
    keyed_tracker_rows,
    merge_keyed,
    merged,
    month_groups,
    risk_key,
    row_key,
)
from sendsite.builtin.exports import export_files
from sendsite.builtin.search.indexer import SEARCH_PAGE, search_page
from sendsite.builtin.topic_views import topic_pages
from sendsite.content.glossary import glossary_rows
from sendsite.content.risk_rating import RiskLevel
from sendsite.content.status import Level
from sendsite.hookspecs import hookimpl

_CRUMBS = [("Home", HOME)]


def _options(values: list[str]) -> list[str]:
    return sorted({v for v in values if v}, key=str.casefold)


@dataclass(frozen=True)
class _AreaViews:
    """An area's rows of the tracker and register, sorted and split into pages."""

    rows: list[TrackerRow]
    risks: list[RiskRow]
    book: list[paging.PageOfRows[TrackerRow]]
    register: list[paging.PageOfRows[RiskRow]]
    #: The rows and risks of the area's latest reports (what a capped all-areas page lists).
    latest_rows: list[TrackerRow]
    latest_risks: list[RiskRow]


def _area_views(site: Site, area: AreaEntry) -> _AreaViews:
    rows = merge_keyed(
        [per_report(site, "views.rows", e, keyed_tracker_rows) for e in area.reports]
    )
    risks = merge_keyed([per_report(site, "views.risks", e, keyed_risk_rows) for e in area.reports])
    book, register = paging.pages_of_tracker(rows), paging.pages_of_risks(risks)
    return _AreaViews(
        rows, risks, book, register, paging.latest_rows(rows), paging.latest_rows(risks)
    )


def _views_of(site: Site) -> list[_AreaViews]:
    """Each area's views, kept between refreshes for areas whose reports did not change
    (and each report's rows, for reports that did not change)."""
    make = partial(_area_views, site)
    return [per_area(site, "views.areas", area, make) for area in site.areas]


#: What a tracker or register page lists, made when the page is rendered:
#: ``(rows, how many in all, more of the page's context)``.
_Rows = Callable[[], tuple[list[Any], int, dict[str, Any]]]


def _tracker_page(
    path: PurePosixPath,
    title: str,
    crumbs: list[tuple[str, str]],
    listed: _Rows,
    areas: list[tuple[str, str]],
    menu: str | None = None,
    scope: frozenset[str] | None = None,
) -> Page:
    def context() -> dict[str, Any]:
        rows, total, extra = listed()
        return {
            "rows": rows,
            "groups": month_groups(rows),
            "levels": [lv for lv in Level if any(r.item.status.level is lv for r in rows)],
            "areas": areas,
            "owners": _options([r.item.owner for r in rows]),
            "reports": _reports_of(r.entry for r in rows),
            "earlier": sum(r.entry.next is not None for r in rows),
            "overdue_count": sum(r.overdue for r in rows),
            "total": total,
            "combined": menu is not None,
            **extra,
        }

    return Page(
        "tracker", path, "tracker.html", title, crumbs, LazyContext(context), menu=menu, areas=scope
    )


def _risks_page(
    path: PurePosixPath,
    title: str,
    crumbs: list[tuple[str, str]],
    listed: _Rows,
    areas: list[tuple[str, str]],
    menu: str | None = None,
    scope: frozenset[str] | None = None,
) -> Page:
    def context() -> dict[str, Any]:
        rows, total, extra = listed()
        return {
            "rows": rows,
            "ratings": [lv for lv in RiskLevel if any(r.risk.rating.level is lv for r in rows)],
            "reports": _reports_of(r.entry for r in rows),
            "earlier": sum(r.entry.next is not None for r in rows),
            "areas": areas,
            "total": total,
            "combined": menu is not None,
            **extra,
        }

    return Page(
        "risks", path, "risks.html", title, crumbs, LazyContext(context), menu=menu, areas=scope
    )


def _reports_of(entries: Iterable[ReportEntry]) -> list[tuple[str, str]]:
    """The reports of a page's rows for its report filter, newest first: each as its
    folder on the site (what the rows and the dashboard's links name it by) and name."""
    found = {str(entry.path.parent): entry for entry in entries}
    newest = sorted(found.items(), key=lambda kv: (str(kv[1].report.as_of or ""), kv[0]))
    return [(key, entry.named) for key, entry in reversed(newest)]


def _paging(
    pages: Sequence[paging.PageOfRows[Any]], folder: PurePosixPath, number: int
) -> dict[str, Any]:
    """What a page of an area's tracker or register says about its pages (none if one)."""
    if len(pages) == 1:
        return {}
    links = [(p.number, p.label, str(p.path(folder))) for p in pages]
    return {"paging": {"number": number, "count": len(pages), "links": links}}


def _titled(title: str, number: int, count: int) -> str:
    return title if count == 1 else f"{title} (page {number} of {count})"


def _part(
    book: Sequence[paging.PageOfRows[Any]], folder: PurePosixPath, number: int, total: int
) -> tuple[list[Any], int, dict[str, Any]]:
    """One page of an area's tracker or register: its rows, the area's total, its links."""
    return book[number - 1].rows, total, _paging(book, folder, number)


def _all_areas(views: list[_AreaViews], risks: bool) -> tuple[list[Any], int, dict[str, Any]]:
    """What the all-areas tracker (or register) lists, and what it leaves out."""
    if risks:
        shown, cap = paging.serious_risks([(v.risks, v.latest_risks) for v in views])
        return shown, sum(len(v.risks) for v in views), {"cap": cap}
    rows, cap = paging.urgent_items([(v.rows, v.latest_rows) for v in views])
    return rows, sum(len(v.rows) for v in views), {"cap": cap}


@hookimpl
def register_pages(site: Site) -> list[Page]:
    views = _views_of(site)
    areas = [(a.area.slug, a.title) for a in site.areas]
    many = len(site.reports) > paging.DASHBOARD_REPORTS
    pages = [
        Page(
            "dashboard",
            PurePosixPath("dashboard/index.html"),
            "dashboard.html",
            "Status dashboard",
            _CRUMBS,
            LazyContext(partial(_dashboard_context, site, many)),
            menu="Dashboard",
        ),
        _tracker_page(
            PurePosixPath("tracker/index.html"),
            "Milestone tracker",
            _CRUMBS,
            partial(_all_areas, views, False),
            areas,
            menu="Milestone tracker",
        ),
        _risks_page(
            PurePosixPath("risks/index.html"),
            "Risk register",
            _CRUMBS,
            partial(_all_areas, views, True),
            areas,
            menu="Risk register",
        ),
    ]
    for (slug, name), view in zip(areas, views, strict=True):
        folder = PurePosixPath("tracker", slug)
        for part in view.book:
            pages.append(
                _tracker_page(
                    part.path(folder),
                    _titled(f"Milestone tracker: {name}", part.number, len(view.book)),
                    [*_CRUMBS, ("Milestone tracker", "tracker/index.html")],
                    partial(_part, view.book, folder, part.number, len(view.rows)),
                    [(slug, name)],
                    scope=frozenset({slug}),
                )
            )
        folder = PurePosixPath("risks", slug)
        for sheet in view.register:
            pages.append(
                _risks_page(
                    sheet.path(folder),
                    _titled(f"Risk register: {name}", sheet.number, len(view.register)),
                    [*_CRUMBS, ("Risk register", "risks/index.html")],
                    partial(_part, view.register, folder, sheet.number, len(view.risks)),
                    [(slug, name)],
                    scope=frozenset({slug}),
                )
            )
    pages += topic_pages(site)
    pages.append(search_page(site))
    pages.append(
        Page(
            "accessibility",
            PurePosixPath("accessibility/index.html"),
            "accessibility.html",
            "Accessibility statement",
            _CRUMBS,
            areas=frozenset(),
        )
    )
    if site.glossary:
        pages.append(
            Page(
                "glossary",
                PurePosixPath("glossary/index.html"),
                "glossary.html",
                "Glossary",
                _CRUMBS,
                {"terms": site.glossary, "rows": glossary_rows(site.glossary)},
                menu="Glossary",
            )
        )
    return pages + a_to_z_pages(site)


def _dashboard_context(site: Site, many: bool) -> dict[str, Any]:
    """The dashboard's rows: per report, or summarised per area and month on a big site."""
    dashboard = Dashboard.of(site)
    months: list[paging.MonthRow] = []
    if many:  # each area's months kept, as its dashboard rows are, while its reports are
        per_area_months = [
            per_area(site, "dashboard.months", area, partial(_months_of, rows))
            for (_, rows), area in zip(dashboard.areas, site.areas, strict=True)
        ]
        months = paging.month_rows(per_area_months)
    return {
        "dashboard": paging.summarised(dashboard) if many else dashboard,
        "months": months,
        "month_years": paging.MONTH_YEARS,
        "reports": len(site.reports),
        "levels": list(Level),
        "ratings": list(RiskLevel),
    }


def _months_of(
    rows: list[DashboardRow], _: AreaEntry
) -> dict[tuple[int, int] | None, paging.MonthRow]:
    return paging.months_of(rows)


@hookimpl
def extra_template_vars() -> dict[str, Any]:
    """Every page's header links its search box to the search page, and its footer the
    accessibility statement and the A to Z index."""
    return {
        "search_page": str(SEARCH_PAGE),
        "accessibility_page": "accessibility/index.html",
        "a_to_z_page": str(A_TO_Z_PAGE),
    }


@hookimpl
def register_files(site: Site) -> dict[PurePosixPath, Streamed]:
    views = _views_of(site)
    return export_files(
        merged([v.rows for v in views], row_key),
        merged([v.risks for v in views], risk_key),
        site.memo,
    )
