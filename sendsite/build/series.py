"""Report series: an area's reports of one format, in the order of their report dates.

Each report is linked to the one before and after it; the items of each pair
are matched (``matching``) and what changed between them is worked out
(``changes``), with each item's history across the series. A report may name
its series (``series: quarterly``) or the report it follows
(``supersedes: highlight-2023-q1.md``); one that names a report of its own date
corrects it, and takes its place (``_corrections``). Two reports of one series with the same
date, a ``supersedes:`` naming a report that does not exist, one dated after it or
one another report already follows (by its ``supersedes:`` or its date), or reports
superseding each other in a circle are errors at their line.
"""

from __future__ import annotations

import hashlib
import itertools
import posixpath
import threading
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from sendsite.build.changes import HISTORY_SHOWN, changes_between, matches_between
from sendsite.build.series_problems import (
    at_supersedes,
    circles,
    supersedes_a_later_one,
    undated_link,
)
from sendsite.errors import ContentError, Problem

if TYPE_CHECKING:
    from sendsite.build.changes import Change
    from sendsite.build.site import ReportEntry
    from sendsite.content.model import Item, Risk

__all__ = ["link_series", "relink", "undated", "worked_changes"]

_WORKING = threading.Lock()


def _series_name(entry: ReportEntry) -> str:
    """The series the report is in: ``series:`` (whatever its case and spacing), else its
    format's name."""
    value = entry.document.front.get("series")
    return " ".join(str(value).casefold().split()) if value not in (None, "") else entry.format.name


def _series_of(entry: ReportEntry) -> tuple[str, str]:
    """The report's format and series name (two formats' reports are never compared)."""
    return entry.format.name, _series_name(entry)


def _series_groups(reports: Iterable[ReportEntry]) -> list[list[ReportEntry]]:
    """The reports of each series: of one area, one format and one series name."""
    groups: dict[tuple[str, str, str], list[ReportEntry]] = {}
    for entry in reports:
        groups.setdefault((entry.area.slug, *_series_of(entry)), []).append(entry)
    return list(groups.values())


def _date_line(entry: ReportEntry) -> int | None:
    key = entry.format.date_field
    return entry.document.line(key) if key else None


def _find(
    entry: ReportEntry, name: str, by_file: dict[PurePosixPath, ReportEntry]
) -> ReportEntry | None:
    """The report named: a file by its path from ``entry``'s folder, else the area's one
    report of that slug or file name (in any of the area's folders)."""
    wanted = name if name.endswith(".md") else f"{name}.md"
    near = by_file.get(PurePosixPath(posixpath.normpath(entry.document.relpath.parent / wanted)))
    area = [o for o in by_file.values() if o.area == entry.area]
    named = [o for o in area if name in (o.slug, o.document.relpath.name)]
    return near or (named[0] if len(named) == 1 else None)


def _order(
    group: list[ReportEntry], named: dict[int, ReportEntry], problems: list[Problem]
) -> list[ReportEntry]:
    """The dated reports of one series, oldest first; a second report of one date is an
    error, unless one names the other in ``supersedes:`` (``named``: report → the one it
    follows)."""
    dated = sorted(
        (e for e in group if e.report.as_of is not None),
        key=lambda e: (e.report.as_of, str(e.document.relpath)),
    )
    _after_those_named(dated, named)
    for earlier, later in itertools.pairwise(dated):
        if earlier.report.as_of == later.report.as_of and not (
            named.get(id(later)) is earlier or named.get(id(earlier)) is later
        ):
            said = [e.report.date.text if e.report.date else "" for e in (later, earlier)]
            both = f"'{said[0]}' here, '{said[1]}' there" if said[0] != said[1] else said[0]
            problems.append(
                ContentError(
                    f"this report and {earlier.document.relpath} are in one series with the "
                    f"same date ({later.report.as_of:%-d %B %Y}: {both}), so sendsite cannot "
                    "tell which came first",
                    file=later.document.relpath,
                    line=_date_line(later),
                    fix="Correct the date, or say which report this one follows with "
                    f"'supersedes: {earlier.document.relpath.name}' (or put them in different "
                    "series with 'series:').",
                ).problem
            )
    return dated


def _after_those_named(dated: list[ReportEntry], named: dict[int, ReportEntry]) -> None:
    """Put each report of one date after the report of that date it supersedes (by name,
    "report-06-revised.md" sorts before "report-06.md"); in place. A circle of them
    stays as it is, for ``circles`` to report."""
    for _ in range(len(dated)):
        moved = False
        for n in range(len(dated) - 1):
            earlier, later = dated[n], dated[n + 1]
            same_day = earlier.report.as_of == later.report.as_of
            if same_day and named.get(id(earlier)) is later and named.get(id(later)) is not earlier:
                dated[n], dated[n + 1] = later, earlier
                moved = True
        if not moved:
            return


def link_series(
    reports: Iterable[ReportEntry], touched: set[PurePosixPath] | None = None
) -> list[Problem]:
    """Link every report to its neighbours and work out its changes; return the problems.

    ``touched`` is given the files of the reports whose pages may show their series
    differently from when they were last linked: another report after them, or another
    before them (``_views``; kept with each report, by the build cache too).
    """
    reports = list(reports)
    problems: list[Problem] = []
    linked_before = {id(entry): entry.previous for entry in reports}
    for entry in reports:
        entry.previous = entry.next = entry.corrects = None
    by_file = {entry.document.relpath: entry for entry in reports}
    named = _named_predecessors(reports, by_file, problems)
    previous: dict[int, ReportEntry] = {}
    for group in _series_groups(reports):
        ordered = _order(group, named, problems)
        for earlier, later in itertools.pairwise(ordered):
            previous[id(later)] = earlier
    problems += _skips(reports, previous, named)
    previous.update(named)  # an explicit supersedes: wins over the dates
    problems += circles(reports, previous)
    if problems:
        for entry in reports:
            entry.forget_series()
        return problems
    corrected = _corrections(reports, previous, named)
    for entry in reports:
        before = previous.get(id(entry))
        if before is not None:
            entry.previous = before
            if id(entry) not in corrected:  # (a corrected report is followed by its correction)
                before.next = entry
    for entry in reports:
        if (correction := corrected.get(id(entry))) is not None:
            entry.next, correction.corrects = correction, entry
    # A report keeps its changes while it and every report before it are the very
    # ones (not read again) it was compared with last time. A save re-compares the
    # saved report and those after it in its series, until one comes out as it was:
    # each report's history is its previous one's, one step on, so all after it do too.
    compared: set[int] = set()
    order = _oldest_first(reports)
    for entry in order:
        before = entry.previous
        was_before = linked_before[id(entry)]
        if before is None:  # the first of its series: nothing to compare
            entry.forget_series()
            if was_before is not None:  # (no longer compared: those after it change too)
                compared.add(id(entry))
        elif before is not was_before or id(before) in compared:
            was = _shown(entry)
            entry.forget_series()
            _compare(entry)
            if before is not was_before or _shown(entry) != was:
                compared.add(id(entry))
    if touched is not None:
        views = _views(order)
        for entry in reports:
            if views[id(entry)] != entry.view:
                touched.add(entry.document.relpath)
            entry.view = views[id(entry)]
    return problems


def _corrections(
    reports: list[ReportEntry], previous: dict[int, ReportEntry], named: dict[int, ReportEntry]
) -> dict[int, ReportEntry]:
    """Each report that a report of its own date names in ``supersedes:`` (a correction)
    → that report. The correction takes its place (in ``previous``, in place): it follows
    the report the corrected one followed, and is compared with that, so the series says
    what changed in the period, not what the correction changed."""
    corrected: dict[int, ReportEntry] = {}  # a report -> its correction
    corrects: dict[int, ReportEntry] = {}  # a correction -> the report it corrects
    for entry in reports:
        target = named.get(id(entry))
        if target is not None and target.report.as_of == entry.report.as_of:
            corrected[id(target)], corrects[id(entry)] = entry, target
    for entry in reports:
        first = entry
        while id(first) in corrects:  # (a correction of a correction: the first's place)
            first = corrects[id(first)]
        if first is entry:
            continue
        before = previous.get(id(first))
        if before is not None:
            previous[id(entry)] = before
        else:
            previous.pop(id(entry), None)
    return corrected


def undated(reports: Iterable[ReportEntry]) -> list[Problem]:
    """A warning for each report with no date understood in a series of others: it has
    no place in it, so nothing is compared with it (a report alone needs no date)."""
    found = []
    for group in _series_groups(reports):
        for entry in group if len(group) > 1 else ():
            if entry.report.as_of is not None:
                continue
            written = entry.report.date.text if entry.report.date else ""
            what = f"date '{written}' is not understood" if written else "has no date"
            found.append(
                Problem(
                    f"the report's {what}, so it has no place in its series of "
                    f"{len(group)} reports: it is not compared with the reports before and "
                    "after it",
                    file=entry.document.relpath,
                    line=_date_line(entry),
                    fix=f"Write the date the report speaks for after '{entry.format.date_field}:'"
                    ", e.g. '31 January 2022', 'March 2022' or 'Q1 2022/23'.",
                )
            )
    return found


def _named_predecessors(
    reports: list[ReportEntry], by_file: dict[PurePosixPath, ReportEntry], problems: list[Problem]
) -> dict[int, ReportEntry]:
    """Each report that names the one it follows (``supersedes:``) → that report."""
    named: dict[int, ReportEntry] = {}
    followed: dict[int, ReportEntry] = {}  # a report named → the first report naming it
    for entry in reports:
        name = entry.document.front.get("supersedes")
        if name in (None, ""):
            continue
        target = _find(entry, str(name).strip(), by_file)
        if target is None or target is entry:
            problems.append(
                at_supersedes(
                    entry,
                    f"supersedes: there is no other report '{name}' in this area"
                    if target is None
                    else "supersedes: a report cannot follow itself",
                    "Name the file of the report this one follows, as it is in this folder, "
                    "e.g. 'supersedes: highlight-2023-q1.md'.",
                )
            )
        elif (theirs := _series_of(target)) != (ours := _series_of(entry)):
            problems.append(
                at_supersedes(
                    entry,
                    f"supersedes: {target.document.relpath.name} is in another series "
                    f"('{theirs[1]}', this one '{ours[1]}')",
                    "Name a report of this series, or give both one 'series:' and format.",
                )
            )
        elif None in (target.report.as_of, entry.report.as_of):
            problems.append(undated_link(entry, target))
        elif _dated_after(target, entry):
            problems.append(supersedes_a_later_one(entry, target, by_file, _find))
        elif (first := followed.get(id(target))) is not None:
            problems.append(  # else the series forks, and one of the two drops out of it
                at_supersedes(
                    entry,
                    f"supersedes: {target.document.relpath.name} is already followed by "
                    f"{first.document.relpath.name} (its 'supersedes:' on line "
                    f"{first.document.line('supersedes')})",
                    "Name the report this one follows: the one just before it, e.g. "
                    f"'supersedes: {first.document.relpath.name}'.",
                )
            )
        else:
            named[id(entry)], followed[id(target)] = target, entry
    return named


def _skips(
    reports: list[ReportEntry], previous: dict[int, ReportEntry], named: dict[int, ReportEntry]
) -> list[Problem]:
    """An error for each ``supersedes:`` naming a report that another report follows by
    its date (``previous``) and names nothing: the series would fork in two, and the
    report skipped drop out of it."""
    after: dict[int, ReportEntry] = {}  # a report → the next by date that names nothing
    for later in reports:
        earlier = previous.get(id(later))
        if earlier is not None and id(later) not in named:
            after[id(earlier)] = later
    problems: list[Problem] = []
    for entry in reports:
        target = named.get(id(entry))
        skipped = after.get(id(target)) if target is not None else None
        if target is None or skipped is None or skipped is entry:
            continue
        there, between = target.document.relpath.name, skipped.document.relpath.name
        problems.append(
            at_supersedes(
                entry,
                f"supersedes: {there} is followed by {between} (the next report of its "
                "series by date), so the series would split in two",
                f"Name the report just before this one ('supersedes: {between}'), or "
                f"put {between} in a series of its own with 'series:' if it is not one of "
                "these reports.",
            )
        )
    return problems


def _dated_after(target: ReportEntry, entry: ReportEntry) -> bool:
    after, before = target.report.as_of, entry.report.as_of
    return after is not None and before is not None and after > before


def _oldest_first(reports: list[ReportEntry]) -> list[ReportEntry]:
    """Every report, each after the report it follows."""
    done: set[int] = set()
    order: list[ReportEntry] = []
    for entry in reports:
        chain: list[ReportEntry] = []
        step: ReportEntry | None = entry
        while step is not None and id(step) not in done:
            chain.append(step)
            done.add(id(step))
            step = step.previous
        order.extend(reversed(chain))
    return order


def _compare(entry: ReportEntry) -> None:
    """The changes in ``entry`` since its previous report, and each item's history.

    Matching the two reports' items is the costly part, and depends on the pair only:
    it is kept (``entry.compared``) while the previous report is the very one it was
    matched with, so a save re-matches the saved report and the one after it, and
    only rebuilds the histories of the rest of its series.
    """
    before = entry.previous
    if before is None:
        return
    if entry.compared is None or entry.compared[0] is not before:
        items, risks = matches_between(before, entry)
        pairs: list[tuple[Item | Risk, Item | Risk]] = [(m.before, m.after) for m in items[0]]
        pairs += [(m.before, m.after) for m in risks[0]]
        entry.compared = (before, None, pairs, (items, risks))  # changes: when asked for
    _, entry.found_changes, pairs, _ = entry.compared
    # Only the last HISTORY_SHOWN steps are kept: a long series costs no more per report.
    for was, now in pairs:
        earlier = before.history.get(was.anchor, ((before, was),))
        entry.history[now.anchor] = (*earlier[1 - HISTORY_SHOWN :], (entry, now))
        entry.history_length[now.anchor] = before.history_length.get(was.anchor, 1) + 1


def worked_changes(entry: ReportEntry) -> list[Change]:
    """What changed in ``entry`` since its previous report (``ReportEntry.changes``): the
    items were matched by ``link_series``; the changes are worked out from the matches
    only when first asked for, and kept with them (``entry.compared``)."""
    with _WORKING:  # the preview's pages may be made by two threads at once
        if entry.compared is None:
            return []
        before, changes, pairs, (items, risks) = entry.compared
        if changes is None:
            changes = changes_between(before, entry, items, risks)
            entry.compared = (before, changes, pairs, (items, risks))
        return changes


def relink(old: ReportEntry, new: ReportEntry) -> list[ReportEntry]:
    """Put ``new`` in ``old``'s place in its series (it has the same date, series and
    predecessor), and work out again its changes and those of the reports after it;
    return the reports whose changes or histories are not what they were.

    Once a report after the next one comes out as it was, so do all after it (each
    report's history is its previous one's, one step on), and the walk stops there.
    """
    new.previous, new.next = old.previous, old.next
    if new.previous is not None:
        new.previous.next = new
    if new.next is not None:
        new.next.previous = new
    touched: list[ReportEntry] = []
    step: ReportEntry | None = new
    while step is not None:
        was = _shown(step)
        step.forget_series()
        _compare(step)
        if step is not new and step.previous is not new and _shown(step) == was:
            break
        touched.append(step)
        step = step.next
    return touched


def _views(order: list[ReportEntry]) -> dict[int, bytes]:
    """For each report, a hash of what decides what its page shows of its series: it and
    every report before it (its changes and its rows' histories and their lengths are
    worked out from those alone), and the report after it; each report named by its
    ``stamp`` (a report read again is a new entry) and address. Unlike ``_shown``, it
    holds from one build to the next. ``order``: every report, each after the one it
    follows (``_oldest_first``)."""
    chains: dict[int, bytes] = {}
    for entry in order:
        chains[id(entry)] = _hash(chains.get(id(entry.previous), b""), entry)
    return {id(e): _hash(_hash(chains[id(e)], e.next), e.corrects) for e in order}


def _hash(seed: bytes, entry: ReportEntry | None) -> bytes:
    named = b"" if entry is None else entry.stamp + str(entry.path).encode()
    return hashlib.blake2b(seed + b"\0" + named, digest_size=16).digest()


def _shown(entry: ReportEntry) -> tuple[object, ...]:
    """What a report's page shows of its series, by identity (the very same objects)."""
    tails = {a: tuple((id(e), id(thing)) for e, thing in h) for a, h in entry.history.items()}
    return (id(entry.changes), tails, dict(entry.history_length))
