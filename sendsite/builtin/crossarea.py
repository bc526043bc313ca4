"""Cross-area views computed from the common items only: no area is named here.

- the milestone tracker: every milestone and action, with overdue flagged;
- the risk register: every risk with its mitigation, most serious first;
- the dashboard: items counted on the shared status scale, risks on the risk
  scale, per area and per report;
- topics: items and sections matching each theme, area by area.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, partial
from itertools import chain
from operator import add, itemgetter
from typing import Any, TypeVar

from sendsite.build.memo import per_area, per_report
from sendsite.build.site import AreaEntry, ReportEntry, Site
from sendsite.content.model import Item, Risk
from sendsite.content.risk_rating import RiskLevel
from sendsite.content.status import Level
from sendsite.content.topics import Topic, TopicMatch, TopicMatcher, item_text, section_text

__all__ = [
    "Dashboard",
    "RiskRow",
    "TrackerRow",
    "area_risk_rows",
    "area_tracker_rows",
    "counts_of",
    "due_month_name",
    "keyed_risk_rows",
    "keyed_tracker_rows",
    "match_topics",
    "merge_keyed",
    "merged",
    "month_groups",
    "month_name",
    "report_matches",
    "risk_key",
    "risk_rows",
    "row_key",
    "tracker_rows",
]

NO_DATE = "No date understood"


@dataclass(frozen=True)
class TrackerRow:
    """One milestone or action, with where it comes from and whether it is late."""

    entry: ReportEntry
    item: Item
    overdue: bool

    @property
    def target(self) -> str:
        """The item's place on its report page, as a site path with an anchor."""
        return f"{self.entry.path}#{self.item.anchor}"

    @cached_property
    def due_month(self) -> str:
        """``2021-03`` for the month the item is due by (end of its range), else ``""``."""
        day = self.item.due.sort_key
        return f"{day.year:04d}-{day.month:02d}" if day else ""


@dataclass(frozen=True)
class RiskRow:
    """One risk, with where it comes from."""

    entry: ReportEntry
    risk: Risk

    @property
    def target(self) -> str:
        return f"{self.entry.path}#{self.risk.anchor}"


_Row = TypeVar("_Row", TrackerRow, RiskRow)
_T = TypeVar("_T")

#: Rows of one report, each with its ``row_key`` or ``risk_key``, sorted by it.
Keyed = list[tuple[tuple[Any, ...], _Row]]


def keyed_tracker_rows(entry: ReportEntry) -> Keyed[TrackerRow]:
    """A report's milestones and actions, soonest due first, each with its key."""
    as_of = entry.report.as_of
    rows = [TrackerRow(entry, item, item.is_overdue(as_of)) for item in entry.report.items]
    return sorted(((row_key(row), row) for row in rows), key=itemgetter(0))


def keyed_risk_rows(entry: ReportEntry) -> Keyed[RiskRow]:
    """A report's risks, most serious first, each with its key."""
    rows = [RiskRow(entry, risk) for risk in entry.report.risks]
    return sorted(((risk_key(row), row) for row in rows), key=itemgetter(0))


def merge_keyed(lists: Iterable[Keyed[_Row]]) -> list[_Row]:
    """Reports' keyed rows (in the area's order of reports) as one sorted list: the
    order ``sorted`` gives all the rows, ties included."""
    return [row for _, row in merged(lists, itemgetter(0))]


def area_tracker_rows(area: AreaEntry) -> list[TrackerRow]:
    """An area's milestones and actions, soonest due first; undated ones last."""
    return merge_keyed([keyed_tracker_rows(entry) for entry in area.reports])


def tracker_rows(site: Site) -> list[TrackerRow]:
    """Every milestone and action, soonest due first; undated ones last."""
    return merged([area_tracker_rows(area) for area in site.areas], row_key)


def merged(lists: Iterable[list[_T]], key: Callable[[_T], Any]) -> list[_T]:
    """Lists each sorted by ``key`` (an area's rows, areas in the site's order) as one
    sorted list: the order ``sorted`` gives their concatenation, ties included (one
    stable sort, which finds each list's run already in order)."""
    return sorted(chain.from_iterable(lists), key=key)


def row_key(row: TrackerRow) -> tuple[Any, ...]:
    """Where a tracker row goes: by due date (undated last), area, report, anchor."""
    day = row.item.due.sort_key
    return (
        day is None,
        day or date.min,
        row.entry.area.name.casefold(),
        row.entry.title.casefold(),
        row.item.anchor,
    )


def month_groups(rows: list[TrackerRow]) -> list[tuple[str, str, list[TrackerRow]]]:
    """Rows grouped by due month: ``(id, "Due by March 2021", rows)``; undated last."""
    groups: dict[str, list[TrackerRow]] = {}
    for row in rows:
        groups.setdefault(row.due_month, []).append(row)
    return [(f"due-{m}" if m else "due-none", _month_title(m), rows) for m, rows in groups.items()]


def _month_title(month: str) -> str:
    """A tracker row's ``due_month`` as a heading: "Due by March 2021" (or ``NO_DATE``)."""
    return f"Due by {due_month_name(month)}" if month else NO_DATE


def due_month_name(month: str) -> str:
    """A tracker row's ``due_month`` as "March 2021" (or ``NO_DATE``)."""
    return month_name(int(month[:4]), int(month[5:])) if month else NO_DATE


def month_name(year: int, month: int) -> str:
    """A month as the site names it: "March 2021"."""
    return f"{calendar.month_name[month]} {year}"


def area_risk_rows(area: AreaEntry) -> list[RiskRow]:
    """An area's risks, most serious first (by rating, then score), then by report."""
    return merge_keyed([keyed_risk_rows(entry) for entry in area.reports])


def risk_rows(site: Site) -> list[RiskRow]:
    """Every risk, most serious first (by rating, then score), then by area and report."""
    return merged([area_risk_rows(area) for area in site.areas], risk_key)


def risk_key(row: RiskRow) -> tuple[Any, ...]:
    """Where a risk row goes: by severity, area, report, anchor."""
    return (
        row.risk.rating.severity,
        row.entry.area.name.casefold(),
        row.entry.title.casefold(),
        row.risk.anchor,
    )


@dataclass
class Counts:
    """Items per level on a scale (the shared status scale, or the risk scale for
    risks), with the number overdue.

    The numbers are kept in the scale's order (a list, not a mapping keyed by level):
    the dashboard adds up thousands of these, and hashing an enum member is slow."""

    scale: tuple[Level | RiskLevel, ...] = tuple(Level)
    #: How many items are at each level of ``scale``, in its order.
    numbers: list[int] = field(default_factory=list)
    overdue: int = 0

    def __post_init__(self) -> None:
        if not self.numbers:
            self.numbers = [0] * len(self.scale)

    @property
    def total(self) -> int:
        return sum(self.numbers)

    @property
    def by_level(self) -> dict[Level | RiskLevel, int]:
        """The number at each level of the scale."""
        return dict(zip(self.scale, self.numbers, strict=True))

    def tally(self, level: Level | RiskLevel) -> None:
        """Count one more item at ``level``."""
        self.numbers[self.scale.index(level)] += 1

    def cells(self, levels: Iterable[Level | RiskLevel]) -> list[tuple[Level | RiskLevel, int]]:
        """``(level, number)`` for each of ``levels`` (a table's columns)."""
        return [(level, self.numbers[self.scale.index(level)]) for level in levels]

    def add(self, other: Counts) -> None:
        """Count ``other``'s items too (on the same scale)."""
        self.numbers = list(map(add, self.numbers, other.numbers))
        self.overdue += other.overdue

    def segments(self) -> list[tuple[Level | RiskLevel, int, float, float]]:
        """``(level, count, start %, width %)`` for drawing a stacked bar."""
        total = self.total or 1
        out, start = [], 0.0
        for level, count in zip(self.scale, self.numbers, strict=True):
            if count:
                width = 100 * count / total
                out.append((level, count, round(start, 3), round(width, 3)))
                start += width
        return out


@dataclass
class DashboardRow:
    """A line of the dashboard: an area (with its reports) or one report."""

    title: str
    area: AreaEntry
    entry: ReportEntry | None
    items: Counts
    risks: Counts
    #: An area's row: how many of its reports a later one in their series follows (their
    #: rows were how things stood then, and its counts leave them out).
    superseded: int = 0


@dataclass
class Dashboard:
    """Counts of items and risks on the shared scale, per area and per report."""

    areas: list[tuple[DashboardRow, list[DashboardRow]]]

    @classmethod
    def of(cls, site: Site) -> Dashboard:
        """Every area's row and its reports' (kept per area between the preview's refreshes)."""
        make = partial(_area_rows, site)
        return cls([per_area(site, "dashboard", area, make) for area in site.areas])

    @property
    def levels(self) -> list[Level]:
        return list(Level)


def _area_rows(site: Site, area: AreaEntry) -> tuple[DashboardRow, list[DashboardRow]]:
    """An area's row of the dashboard and its reports' (each report's counts kept per
    report). The area's row adds up where it stands now: the latest report of each series
    and every report in none; a report a later one in its series follows is left out (a
    milestone four quarterly reports track is one milestone, as the last report has it)."""
    rows = [
        DashboardRow(
            entry.named,
            area,
            entry,
            *per_report(site, "dashboard.report", entry, _counts, on_entry=True),
        )
        for entry in area.reports
    ]
    items, risks = Counts(), Counts(scale=tuple(RiskLevel))
    superseded = 0
    for row in rows:
        if row.entry is not None and row.entry.next is not None:
            superseded += 1
            continue
        items.add(row.items)
        risks.add(row.risks)
    return DashboardRow(area.title, area, None, items, risks, superseded), rows


def _counts(entry: ReportEntry) -> tuple[Counts, Counts]:
    return counts_of([entry])


def counts_of(entries: list[ReportEntry]) -> tuple[Counts, Counts]:
    """The items (per progress level) and the risks (per rating) of ``entries``."""
    items, risks = Counts(), Counts(scale=tuple(RiskLevel))
    for entry in entries:
        for item in entry.report.items:
            items.tally(item.status.level)
            items.overdue += item.is_overdue(entry.report.as_of)
        for risk in entry.report.risks:
            risks.tally(risk.rating.level)
    return items, risks


def match_topics(site: Site, topics: list[Topic], tags: dict[tuple[str, str], list[str]]) -> None:
    """Fill each topic's matches from every report's items, risks and sections.

    ``tags`` maps (report source path, anchor) to topic slugs tagged explicitly
    in the report's front matter. A report's matches are kept between refreshes of
    the preview while it, the topics' words and its tags are the same.
    """
    words = tuple((t.slug, t.words) for t in topics)
    for topic in topics:
        topic.matches.clear()
    matcher = TopicMatcher(topics)
    by_report: dict[str, dict[tuple[str, str], list[str]]] = {}
    for (path, anchor), slugs in tags.items():
        by_report.setdefault(path, {})[(path, anchor)] = slugs
    for entry in site.reports:
        own = by_report.get(str(entry.document.relpath), {})
        found = per_report(
            site,
            "topics",
            entry,
            partial(report_matches, topics=topics, tags=own, matcher=matcher),
            depends=(words, tuple((k, tuple(v)) for k, v in own.items())),
            on_entry=True,
        )
        for topic, matches in zip(topics, found, strict=True):
            topic.matches += matches


def report_matches(
    entry: ReportEntry,
    topics: list[Topic],
    tags: dict[tuple[str, str], list[str]],
    matcher: TopicMatcher | None = None,
) -> list[list[TopicMatch]]:
    """Each topic's matches in one report (``tags``: the report's own)."""
    matcher = matcher or TopicMatcher(topics)
    matches: dict[str, list[TopicMatch]] = {t.slug: [] for t in topics}
    seen: set[tuple[str, str]] = set()
    for (_, anchor), slugs in tags.items():
        for slug in slugs:
            title = _anchor_text(entry, anchor)
            tagged = TopicMatch(entry, anchor, "section", title, "tagged by the report")
            matches[slug].append(tagged)
            seen.add((slug, anchor))
    # Text by text, all topics at once: each topic's matches keep the order of
    # sections, then items, then risks.
    for section in entry.report.sections:
        for topic, word in matcher.why(section_text(section)):
            if word and (topic.slug, section.anchor) not in seen:
                matches[topic.slug].append(
                    TopicMatch(entry, section.anchor, "section", section.title, word)
                )
    for kind, things in (("item", entry.report.items), ("risk", entry.report.risks)):
        for thing in things:
            for topic, word in matcher.why(item_text(thing)):
                if word and (topic.slug, thing.anchor) not in seen:
                    label = thing.kind if isinstance(thing, Item) else kind
                    matches[topic.slug].append(
                        TopicMatch(entry, thing.anchor, label, thing.text, word)
                    )
    return [matches[t.slug] for t in topics]


def _anchor_text(entry: ReportEntry, anchor: str) -> str:
    report = entry.report
    for section in report.sections:
        if section.anchor == anchor:
            return section.title
    for item in report.items:
        if item.anchor == anchor:
            return item.text
    for risk in report.risks:
        if risk.anchor == anchor:
            return risk.text
    return anchor


def anchors_of(entry: ReportEntry) -> set[str]:
    """Every anchor a report declares (sections, items, risks)."""
    report = entry.report
    return (
        {s.anchor for s in report.sections}
        | {i.anchor for i in report.items}
        | {r.anchor for r in report.risks}
    )
