"""The built-in cross-area pages, registered as a plugin like any other.

Dashboard, milestone tracker, risk register, topics, glossary, the search
page and data exports are built from the core's common items only, so they work for any
area a plugin adds. Disable them all with ``disable_plugins: [views]``.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from sendsite.build.pages import HOME, Page
from sendsite.build.site import Site
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


#: Above this many rows, the all-areas tracker and register show only what needs
#: attention (overdue items; the most serious risks) and link to each area's page,
#: so no page grows past a few megabytes however many reports there are.
ROW_LIMIT = 2000


def _tracker_page(
    path: PurePosixPath,
    title: str,
    crumbs: list[tuple[str, str]],
    rows: list[TrackerRow],
    areas: list[tuple[str, str]],
    total: int,
    menu: str | None = None,
    scope: frozenset[str] | None = None,
) -> Page:
    levels = [lv for lv in Level if any(r.item.status.level is lv for r in rows)]
    return Page(
        "tracker",
        path,
        "tracker.html",
        title,
        crumbs,
        {
            "rows": rows,
            "groups": month_groups(rows),
            "levels": levels,
            "areas": areas,
            "owners": _options([r.item.owner for r in rows]),
            "overdue_count": sum(r.overdue for r in rows),
            "total": total,
            "combined": menu is not None,
        },
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
) -> Page:
    ratings = [lv for lv in RiskLevel if any(r.risk.rating.level is lv for r in rows)]
    return Page(
        "risks",
        path,
        "risks.html",
        title,
        crumbs,
        {
            "rows": rows,
            "ratings": ratings,
            "areas": areas,
            "total": total,
            "combined": menu is not None,
        },
        menu=menu,
        areas=scope,
    )


@hookimpl
def register_pages(site: Site) -> list[Page]:
    rows = tracker_rows(site)
    risks = risk_rows(site)
    areas = [(a.area.slug, a.title) for a in site.areas]
    shown_rows = rows if len(rows) <= ROW_LIMIT else [r for r in rows if r.overdue][:ROW_LIMIT]
    shown_risks = (
        risks
        if len(risks) <= ROW_LIMIT
        else [r for r in risks if r.risk.rating.level is RiskLevel.HIGH][:ROW_LIMIT]
    )
    pages = [
        Page(
            "dashboard",
            PurePosixPath("dashboard/index.html"),
            "dashboard.html",
            "Status dashboard",
            _CRUMBS,
            {"dashboard": Dashboard.of(site), "levels": list(Level), "ratings": list(RiskLevel)},
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
        ),
        _risks_page(
            PurePosixPath("risks/index.html"),
            "Risk register",
            _CRUMBS,
            shown_risks,
            areas,
            len(risks),
            menu="Risk register",
        ),
    ]
    for slug, name in areas:
        area_rows = [r for r in rows if r.entry.area.slug == slug]
        area_risks = [r for r in risks if r.entry.area.slug == slug]
        pages.append(
            _tracker_page(
                PurePosixPath("tracker", slug, "index.html"),
                f"Milestone tracker: {name}",
                [*_CRUMBS, ("Milestone tracker", "tracker/index.html")],
                area_rows,
                [(slug, name)],
                len(area_rows),
                scope=frozenset({slug}),
            )
        )
        pages.append(
            _risks_page(
                PurePosixPath("risks", slug, "index.html"),
                f"Risk register: {name}",
                [*_CRUMBS, ("Risk register", "risks/index.html")],
                area_risks,
                [(slug, name)],
                len(area_risks),
                scope=frozenset({slug}),
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
                    {"topic": topic, "by_area": _by_area(site, topic)},
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


def _by_area(site: Site, topic: Any) -> list[tuple[Any, list[Any]]]:
    groups = []
    for area in site.areas:
        matches = [m for m in topic.matches if m.report.area.slug == area.area.slug]
        groups.append((area, matches))
    return groups


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
