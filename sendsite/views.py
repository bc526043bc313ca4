"""The built-in cross-area pages, registered as a plugin like any other.

Dashboard, milestone tracker, risk register, topics, glossary and data
exports are built from the core's common items only, so they work for any
area a plugin adds. Disable them all with ``disable_plugins: [views]``.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from .crossarea import Dashboard, month_groups, risk_rows, tracker_rows
from .exports import export_files
from .hookspecs import hookimpl
from .pages import HOME, Page
from .site import Site
from .status import Level

_CRUMBS = [("Home", HOME)]


def _options(values: list[str]) -> list[str]:
    return sorted({v for v in values if v}, key=str.casefold)


@hookimpl
def register_pages(site: Site) -> list[Page]:
    rows = tracker_rows(site)
    risks = risk_rows(site)
    levels = list(Level)
    areas = [(a.area.slug, a.title) for a in site.areas]
    pages = [
        Page(
            "dashboard",
            PurePosixPath("dashboard/index.html"),
            "dashboard.html",
            "Status dashboard",
            _CRUMBS,
            {"dashboard": Dashboard.of(site), "levels": levels},
            menu="Dashboard",
        ),
        Page(
            "tracker",
            PurePosixPath("tracker/index.html"),
            "tracker.html",
            "Milestone tracker",
            _CRUMBS,
            {
                "rows": rows,
                "groups": month_groups(rows),
                "levels": [lv for lv in levels if any(r.item.status.level is lv for r in rows)],
                "areas": areas,
                "owners": _options([r.item.owner for r in rows]),
                "overdue_count": sum(r.overdue for r in rows),
            },
            menu="Milestone tracker",
        ),
        Page(
            "risks",
            PurePosixPath("risks/index.html"),
            "risks.html",
            "Risk register",
            _CRUMBS,
            {
                "rows": risks,
                "levels": [lv for lv in levels if any(r.risk.status.level is lv for r in risks)],
                "areas": areas,
            },
            menu="Risk register",
        ),
    ]
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
    if site.glossary:
        pages.append(
            Page(
                "glossary",
                PurePosixPath("glossary/index.html"),
                "glossary.html",
                "Glossary",
                _CRUMBS,
                {"terms": site.glossary},
                menu="Glossary",
            )
        )
    return pages


def _by_area(site: Site, topic: Any) -> list[tuple[Any, list[Any]]]:
    groups = []
    for area in site.areas:
        matches = [m for m in topic.matches if m.report.area.slug == area.area.slug]
        groups.append((area, matches))
    return groups


@hookimpl
def register_files(site: Site) -> dict[PurePosixPath, bytes]:
    return export_files(tracker_rows(site), risk_rows(site))
