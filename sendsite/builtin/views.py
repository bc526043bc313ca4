"""The built-in cross-area pages, registered as a plugin like any other.

Dashboard, milestone tracker, risk register, topics, glossary, the search
page and data exports are built from the core's common items only, so they work for any
area a plugin adds. Disable them all with ``disable_plugins: [views]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import PurePosixPath
from typing import Any

from sendsite.build.pages import HOME, LazyContext, Page
from sendsite.build.site import Site
from sendsite.builtin import paging
from sendsite.builtin.a_to_z import A_TO_Z_PAGE, a_to_z_pages
from sendsite.builtin.crossarea import (
    Dashboard,
    RiskRow,
    TrackerRow,
    month_groups,
    risk_rows,
    tracker_rows,
)
from sendsite.builtin.exports import export_files
from sendsite.builtin.search.indexer import SEARCH_PAGE, search_page
from sendsite.content.glossary import glossary_rows
from sendsite.content.risk_rating import RiskLevel
from sendsite.content.status import Level
from sendsite.hookspecs import hookimpl

_CRUMBS = [("Home", HOME)]


def _options(values: list[str]) -> list[str]:
    return sorted({v for v in values if v}, key=str.casefold)


def _tracker_page(
    path: PurePosixPath,
    title: str,
    crumbs: list[tuple[str, str]],
    rows: list[TrackerRow],
    areas: list[tuple[str, str]],
    total: int,
    menu: str | None = None,
    scope: frozenset[str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Page:
    return Page(
        "tracker",
        path,
        "tracker.html",
        title,
        crumbs,
        LazyContext(
            lambda: {
                "rows": rows,
                "groups": month_groups(rows),
                "levels": [lv for lv in Level if any(r.item.status.level is lv for r in rows)],
                "areas": areas,
                "owners": _options([r.item.owner for r in rows]),
                "overdue_count": sum(r.overdue for r in rows),
                "total": total,
                "combined": menu is not None,
                **(extra or {}),
            }
        ),
        menu=menu,
        areas=scope,
    )


def _risks_page(
    path: PurePosixPath,
    title: str,
    crumbs: list[tuple[str, str]],
    rows: list[RiskRow],
    areas: list[tuple[str, str]],
    total: int,
    menu: str | None = None,
    scope: frozenset[str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Page:
    return Page(
        "risks",
        path,
        "risks.html",
        title,
        crumbs,
        LazyContext(
            lambda: {
                "rows": rows,
                "ratings": [lv for lv in RiskLevel if any(r.risk.rating.level is lv for r in rows)],
                "areas": areas,
                "total": total,
                "combined": menu is not None,
                **(extra or {}),
            }
        ),
        menu=menu,
        areas=scope,
    )


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


@hookimpl
def register_pages(site: Site) -> list[Page]:
    rows = tracker_rows(site)
    risks = risk_rows(site)
    areas = [(a.area.slug, a.title) for a in site.areas]
    shown_rows, rows_cap = paging.urgent_items(rows)
    shown_risks, risks_cap = paging.serious_risks(risks)
    many = len(site.reports) > paging.DASHBOARD_REPORTS
    pages = [
        Page(
            "dashboard",
            PurePosixPath("dashboard/index.html"),
            "dashboard.html",
            "Status dashboard",
            _CRUMBS,
            LazyContext(
                lambda: {
                    "dashboard": _dashboard(site, many),
                    "months": paging.month_rows(site.reports) if many else [],
                    "reports": len(site.reports),
                    "levels": list(Level),
                    "ratings": list(RiskLevel),
                }
            ),
            menu="Dashboard",
        ),
        _tracker_page(
            PurePosixPath("tracker/index.html"),
            "Milestone tracker",
            _CRUMBS,
            shown_rows,
            areas,
            len(rows),
            menu="Milestone tracker",
            extra={"cap": rows_cap},
        ),
        _risks_page(
            PurePosixPath("risks/index.html"),
            "Risk register",
            _CRUMBS,
            shown_risks,
            areas,
            len(risks),
            menu="Risk register",
            extra={"cap": risks_cap},
        ),
    ]
    rows_of: dict[str, list[TrackerRow]] = {slug: [] for slug, _ in areas}
    risks_of: dict[str, list[RiskRow]] = {slug: [] for slug, _ in areas}
    for row in rows:
        rows_of[row.entry.area.slug].append(row)
    for risk in risks:
        risks_of[risk.entry.area.slug].append(risk)
    for slug, name in areas:
        area_rows, area_risks = rows_of[slug], risks_of[slug]
        folder = PurePosixPath("tracker", slug)
        book = paging.pages_of_tracker(area_rows)
        for part in book:
            pages.append(
                _tracker_page(
                    part.path(folder),
                    _titled(f"Milestone tracker: {name}", part.number, len(book)),
                    [*_CRUMBS, ("Milestone tracker", "tracker/index.html")],
                    part.rows,
                    [(slug, name)],
                    len(area_rows),
                    scope=frozenset({slug}),
                    extra=_paging(book, folder, part.number),
                )
            )
        folder = PurePosixPath("risks", slug)
        register = paging.pages_of_risks(area_risks)
        for sheet in register:
            pages.append(
                _risks_page(
                    sheet.path(folder),
                    _titled(f"Risk register: {name}", sheet.number, len(register)),
                    [*_CRUMBS, ("Risk register", "risks/index.html")],
                    sheet.rows,
                    [(slug, name)],
                    len(area_risks),
                    scope=frozenset({slug}),
                    extra=_paging(register, folder, sheet.number),
                )
            )
    if site.topics:
        pages.append(
            Page(
                "topics",
                PurePosixPath("topics/index.html"),
                "topics.html",
                "Topics",
                _CRUMBS,
                {"topics": site.topics},
                menu="Topics",
            )
        )
        crumbs = [*_CRUMBS, ("Topics", "topics/index.html")]
        for topic in site.topics:
            pages.append(
                Page(
                    "topic",
                    PurePosixPath("topics", topic.slug, "index.html"),
                    "topic.html",
                    topic.name,
                    crumbs,
                    LazyContext(partial(_topic_context, site, topic)),
                )
            )
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


def _topic_context(site: Site, topic: Any) -> dict[str, Any]:
    """A topic page's matches, area by area."""
    groups = []
    for area in site.areas:
        matches = [m for m in topic.matches if m.report.area.slug == area.area.slug]
        groups.append((area, matches))
    return {"topic": topic, "by_area": groups}


def _dashboard(site: Site, many: bool) -> Dashboard:
    """The dashboard's rows: per report, or summarised per area on a big site."""
    dashboard = Dashboard.of(site)
    return paging.summarised(dashboard) if many else dashboard


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
def register_files(site: Site) -> dict[PurePosixPath, bytes]:
    return export_files(tracker_rows(site), risk_rows(site))
