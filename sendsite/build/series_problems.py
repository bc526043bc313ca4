"""The mistakes a report series can have that take more than a line to say: a report
following one dated after it, reports following each other in a circle, and a report
with no date understood named in a ``supersedes:`` (``series`` finds them)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from sendsite.errors import ContentError, Problem

if TYPE_CHECKING:
    from sendsite.build.site import ReportEntry

__all__ = ["at_supersedes", "circles", "supersedes_a_later_one", "undated_link"]


def at_supersedes(entry: ReportEntry, message: str, fix: str) -> Problem:
    """The error ``message`` at ``entry``'s ``supersedes:`` line."""
    return ContentError(
        message, file=entry.document.relpath, line=entry.document.line("supersedes"), fix=fix
    ).problem


def undated_link(entry: ReportEntry, target: ReportEntry) -> Problem:
    """The error for a ``supersedes:`` from or to a report with no date understood: such a
    report has no place in its series (``series.undated``), so it follows none."""
    which = entry if entry.report.as_of is None else target
    written = which.report.date.text if which.report.date else ""
    what = f"its date '{written}' is not understood" if written else "it has no date"
    here, there = entry.document.relpath.name, target.document.relpath.name
    return at_supersedes(
        entry,
        f"'{here}' supersedes '{there}', but {which.document.relpath.name} has no place in "
        f"a series: {what}",
        f"Write the date {which.document.relpath.name} speaks for after "
        f"'{which.format.date_field}:', e.g. '31 January 2022', or delete this line.",
    )


def supersedes_a_later_one(
    entry: ReportEntry,
    target: ReportEntry,
    by_file: dict[PurePosixPath, ReportEntry],
    find: Callable[[ReportEntry, str, dict[PurePosixPath, ReportEntry]], ReportEntry | None],
) -> Problem:
    """The error for a ``supersedes:`` naming a report dated after this one: the link is
    not made (else the two would follow each other in a circle)."""
    here, there = entry.document.relpath.name, target.document.relpath.name
    named_back = target.document.front.get("supersedes")
    if named_back not in (None, "") and find(target, str(named_back).strip(), by_file) is entry:
        fix = (
            f"Delete this 'supersedes:' line: {there} already says it follows this report "
            f"(its 'supersedes:' on line {target.document.line('supersedes')})."
        )
    else:
        fix = (
            "A report follows the one before it: name an earlier report in 'supersedes:', "
            f"delete the line, or correct the dates if {there} really came first."
        )
    dates = [e.report.date.text if e.report.date else "" for e in (target, entry)]
    return at_supersedes(
        entry,
        f"'{here}' supersedes '{there}', which is dated after it ({there} is dated "
        f"{dates[0]}, {here} {dates[1]})",
        fix,
    )


def circles(reports: list[ReportEntry], previous: dict[int, ReportEntry]) -> list[Problem]:
    """A problem for each circle of reports that follow each other (linear in the reports)."""
    problems = []
    settled: set[int] = set()  # reports whose chain back is known: no circle, or reported
    for entry in reports:
        walked: dict[int, int] = {}  # id -> place in this walk
        chain: list[ReportEntry] = []
        step: ReportEntry | None = entry
        while step is not None and id(step) not in settled and id(step) not in walked:
            walked[id(step)] = len(chain)
            chain.append(step)
            step = previous.get(id(step))
        settled.update(walked)
        if step is None or id(step) not in walked:
            continue  # the chain ended, or joined one already walked
        loop = chain[walked[id(step)] :]
        names = " → ".join(str(e.document.relpath.name) for e in [*loop, loop[0]])
        problems.append(
            at_supersedes(
                step,
                f"these reports supersede each other in a circle: {names}",
                "Each report can only follow one that came before it: remove or "
                "correct one of the 'supersedes:' lines.",
            )
        )
    return problems
