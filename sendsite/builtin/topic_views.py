"""The topic pages: each topic's matches, area by area, kept small on a big site.

While a topic has at most ``paging.ROWS_PER_PAGE`` matches its page lists every one.
Above that its page shows, for each area, how many of the area's reports are on the
topic and the matches in the area's latest reports (an equal share of the limit), and
links to the area's own pages of the topic (``topics/<topic>/<area>/``): every match
in the area's reports, newest report first, in pages of whole reports where they fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import PurePosixPath
from typing import Any

from sendsite.build.memo import per_area
from sendsite.build.pages import HOME, LazyContext, Page
from sendsite.build.site import AreaEntry, ReportEntry, Site
from sendsite.builtin import paging
from sendsite.builtin.crossarea import month_name
from sendsite.content.topics import Topic, TopicMatch

__all__ = ["TopicArea", "topic_areas", "topic_pages"]

_CRUMBS = [("Home", HOME), ("Topics", "topics/index.html")]


@dataclass(frozen=True)
class TopicArea:
    """One area's matches for a topic: all of them (newest report first), how many
    reports they come from, those the topic's page lists (of ``latest`` in the area's
    latest reports), and the area's own pages of the topic, in ``folder`` (none while
    the topic's page lists every match)."""

    entry: AreaEntry
    matches: list[TopicMatch]
    reports: int
    shown: list[TopicMatch]
    latest: int
    #: How many latest reports (the last of each series) the area has.
    latest_reports: int
    book: list[paging.PageOfRows[TopicMatch]]
    folder: PurePosixPath

    @property
    def link(self) -> str:
        """The area's first page of the topic."""
        return str(self.book[0].path(self.folder))


def _entry(match: TopicMatch) -> ReportEntry:
    entry = match.report
    assert isinstance(entry, ReportEntry)
    return entry


def _newest_first(match: TopicMatch) -> tuple[bool, int]:
    day = _entry(match).report.as_of
    return day is None, -(day.toordinal() if day else 0)


def _by_report(matches: list[TopicMatch]) -> list[list[TopicMatch]]:
    """``matches`` (each report's together) in one list per report."""
    groups: list[list[TopicMatch]] = []
    for match in matches:
        if groups and _entry(groups[-1][-1]) is _entry(match):
            groups[-1].append(match)
        else:
            groups.append([match])
    return groups


def _label(matches: list[TopicMatch]) -> str:
    """The report dates a page of matches covers: "June 2025 to March 2024"."""
    days = [d for d in (_entry(m).report.as_of for m in matches) if d is not None]
    if not days:
        return "Undated reports"
    newest, oldest = (month_name(d.year, d.month) for d in (max(days), min(days)))
    label = newest if newest == oldest else f"{newest} to {oldest}"
    return label if len(days) == len(matches) else f"{label}, and undated reports"


def topic_areas(site: Site, topic: Topic) -> list[TopicArea]:
    """Each area's matches for ``topic``, and what the topic's page shows of them (kept
    between refreshes of the preview for areas whose reports did not change)."""
    capped = len(topic.matches) > paging.ROWS_PER_PAGE
    share = max(1, paging.ROWS_PER_PAGE // max(1, len(site.areas)))
    make = partial(_topic_area, topic, capped, share)
    if not capped:  # a small topic: quick to work out again
        return [make(area) for area in site.areas]
    depends = (topic.slug, topic.words, share, paging.ROWS_PER_PAGE)
    return [per_area(site, f"topics.{topic.slug}", a, make, depends) for a in site.areas]


def _topic_area(topic: Topic, capped: bool, share: int, area: AreaEntry) -> TopicArea:
    folder = PurePosixPath("topics", topic.slug, area.area.slug)
    mine = [m for m in topic.matches if _entry(m).area.slug == area.area.slug]
    matches = sorted(mine, key=_newest_first)
    groups = _by_report(matches)
    if not capped:
        return TopicArea(area, matches, len(groups), matches, 0, 0, [], folder)
    latest = [m for m in matches if paging.latest(_entry(m))]
    book = [
        paging.PageOfRows(rows, number, _label(rows))
        for number, rows in enumerate(paging.packed(groups), 1)
    ]
    newest = sum(paging.latest(entry) for entry in area.reports)
    shown = latest[:share]
    return TopicArea(
        area, matches, len(groups), shown, len(latest), newest, book if matches else [], folder
    )


def topic_pages(site: Site) -> list[Page]:
    """The topics page, each topic's page and, for a topic with too many matches for
    one page, each area's pages of it."""
    if not site.topics:
        return []
    pages = [
        Page(
            "topics",
            PurePosixPath("topics/index.html"),
            "topics.html",
            "Topics",
            _CRUMBS[:1],
            {"topics": site.topics},
            menu="Topics",
        )
    ]
    for topic in site.topics:
        # A topic page's context is made when it is rendered, unless the topic has
        # too many matches for one page: then its areas' pages must be known now.
        capped = len(topic.matches) > paging.ROWS_PER_PAGE
        areas = topic_areas(site, topic) if capped else []
        path = PurePosixPath("topics", topic.slug, "index.html")
        context = LazyContext(partial(_topic_context, site, topic, areas))
        pages.append(Page("topic", path, "topic.html", topic.name, _CRUMBS, context))
        crumbs = [*_CRUMBS, (topic.name, str(path))]
        for area in areas:
            for part in area.book:
                title = f"{topic.name}: {area.entry.title}"
                if len(area.book) > 1:
                    title += f" (page {part.number} of {len(area.book)})"
                pages.append(
                    Page(
                        "topic",
                        part.path(area.folder),
                        "topic_area.html",
                        title,
                        crumbs,
                        LazyContext(partial(_area_context, topic, area, part.number)),
                        areas=frozenset({area.entry.area.slug}),
                    )
                )
    return pages


def _topic_context(site: Site, topic: Topic, areas: list[TopicArea]) -> dict[str, Any]:
    """A topic page's areas: ``areas`` if worked out already (a capped topic), else now."""
    areas = areas or topic_areas(site, topic)
    return {"topic": topic, "by_area": areas, "capped": any(a.book for a in areas)}


def _area_context(topic: Topic, area: TopicArea, number: int) -> dict[str, Any]:
    """One of an area's pages of a topic: its matches report by report, and its links."""
    links = [(p.number, p.label, str(p.path(area.folder))) for p in area.book]
    rows = area.book[number - 1].rows
    paged = {"paging": {"number": number, "count": len(area.book), "links": links}}
    return {
        "topic": topic,
        "area": area,
        "count": len(rows),
        "by_report": [(_entry(g[0]), g) for g in _by_report(rows)],
        **(paged if len(area.book) > 1 else {}),
    }
