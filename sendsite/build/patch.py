"""A save that only edits reports or pages, patched into the last site.

Linking a site (``linking``) looks at every report: its series, topics, glossary
and abbreviations. When the preview's watcher says a save only edited documents
it knows, and each edited document is linked as it was (the same address, date,
series and predecessor, glossary terms, no topic tags of its own; a new title only
where no report of its area has its date), the new
report or page takes the old one's place in the last site instead: its series is
compared again from it onwards, its topic matches and its abbreviation warning
are worked out again, and nothing else is touched. Anything else links the site
again, as ``sendsite build`` does.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from sendsite.build.checks import undefined_acronyms
from sendsite.build.reading import ReadFile
from sendsite.build.series import relink
from sendsite.build.site import PlainPage, ReportEntry, Site
from sendsite.builtin.crossarea import report_matches
from sendsite.errors import Problem

__all__ = ["Linked", "patch"]


@dataclass
class Linked:
    """The last site linked, and its warnings of abbreviations not explained, by file."""

    site: Site
    acronyms: dict[PurePosixPath, Problem]

    def warnings(self, reads: dict[PurePosixPath, ReadFile]) -> list[Problem]:
        """The abbreviation warnings in the order a full link gives them."""
        return [self.acronyms[rel] for rel in reads if rel in self.acronyms]


def _link_key(item: ReportEntry | PlainPage) -> tuple[Any, ...] | None:
    """What linking takes from a report or page; ``None`` if it cannot be patched."""
    if isinstance(item, PlainPage):
        return ("page", item.path, item.title, item.area)
    front = item.document.front
    if front.get("topics") is not None:
        return None  # its tags are checked against its anchors when linked
    return (
        "report",
        item.path,
        item.area,
        item.title if item.report.glossary else None,  # its terms are listed under it
        item.report.as_of,
        item.format.name,
        repr(front.get("series")),
        repr(front.get("supersedes")),
        tuple(item.report.glossary),
    )


def patch(linked: Linked, pairs: list[tuple[ReadFile, ReadFile]]) -> set[PurePosixPath] | None:
    """Put each pair's new item in place of its old one in ``linked``; return the files
    of the other reports whose pages show changed series data (changes, histories).
    ``None``, with nothing changed, if one would be linked differently (link again)."""
    site = linked.site
    plan: list[tuple[Any, int, int, list[Any]]] = []
    for old, new in pairs:
        key = _link_key(old.item)
        if key is None or key != _link_key(new.item):
            return None
        if isinstance(new.item, ReportEntry) and isinstance(old.item, ReportEntry):
            if new.item.title != old.item.title and _shares_its_date(site, old.item):
                return None  # the title orders it among its area's reports of that date
            spliced = _topic_splices(site, old.item, new.item)
            if spliced is None:
                return None
            plan += spliced
    for topic, start, end, matches in plan:
        topic.matches[start:end] = matches
    touched: set[PurePosixPath] = set()
    for old, new in pairs:
        _replace(site, old.item, new.item)
        if isinstance(new.item, ReportEntry) and isinstance(old.item, ReportEntry):
            touched |= {e.document.relpath for e in relink(old.item, new.item)}
            if new.item.previous is not None and new.item.title != old.item.title:
                touched.add(new.item.previous.document.relpath)  # its "next" link
            rel = new.item.document.relpath
            linked.acronyms.pop(rel, None)
            for warning in undefined_acronyms([(rel, new.scan())], site.glossary):
                linked.acronyms[rel] = warning
    return touched


def _topic_splices(
    site: Site, old: Any, new: ReportEntry
) -> list[tuple[Any, int, int, list[Any]]] | None:
    """Where the old report's matches are in each topic's list, and the new report's;
    ``None`` if the new one matches a topic the old one did not (it has no place yet)."""
    splices = []
    # Each topic lists its matches in the site's order of reports: find old's by halves.
    order = {id(report): index for index, report in enumerate(site.reports)}
    place, at = order[id(old)], (lambda match: order[id(match.report)])
    for topic, found in zip(site.topics, report_matches(new, site.topics, {}), strict=True):
        start = bisect_left(topic.matches, place, key=at)
        end = bisect_right(topic.matches, place, lo=start, key=at)
        if start == end and found:
            return None
        if start < end:
            splices.append((topic, start, end, found))
    return splices


def _shares_its_date(site: Site, entry: ReportEntry) -> bool:
    """Whether another report of ``entry``'s area has its date."""
    area = next(a for a in site.areas if a.area.slug == entry.area.slug)
    return any(r.report.as_of == entry.report.as_of and r is not entry for r in area.reports)


def _replace(site: Site, old: Any, new: ReportEntry | PlainPage) -> None:
    """Put ``new`` where ``old`` is in the site's lists (by identity)."""
    lists: list[list[Any]] = [site.reports, site.pages]
    lists += [area.reports for area in site.areas] + [area.pages for area in site.areas]
    for items in lists:
        for index, item in enumerate(items):
            if item is old:
                items[index] = new
    if site.home is old and isinstance(new, PlainPage):
        site.home = new
