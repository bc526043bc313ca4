"""What changed since the last report: the board's first question, as data every view reads.

For two consecutive reports of a series, the matched items and risks (see
``matching``) become a list of ``Change``: a status that moved on the shared
scale (improved or worsened), a due date that moved (slipped or brought
forward, and by how much), an item that is new, completed, or gone without
being completed (dropped), a risk added, closed (no longer listed) or re-rated
on the risk scale (its level or its likelihood × impact score), and the words of a
row matched by its id or as alike enough (reworded).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sendsite.build.matching import Match, Row, match_rows
from sendsite.content.model import Item, Risk
from sendsite.content.risk_rating import RiskLevel, RiskRating
from sendsite.content.status import Level, Status

if TYPE_CHECKING:
    from sendsite.build.site import ReportEntry

__all__ = ["HISTORY_SHOWN", "KINDS", "Change", "changes_between", "matches_between", "summarise"]

#: How many reports of an item's history its row shows (the newest; the page says how
#: many earlier ones there are), so a long series does not make every page longer.
HISTORY_SHOWN = 6

#: Every kind of change, with the words a reader sees for it.
KINDS = {
    "status": "Status changed",
    "due": "Due date moved",
    "new": "New",
    "completed": "Completed",
    "dropped": "Dropped",
    "risk-new": "New risk",
    "risk-closed": "Risk closed",
    "risk-rated": "Risk re-rated",
    "reworded": "Reworded",
}

#: Better first: how a status moving along the shared scale reads (not rated: no direction).
_GOODNESS = {
    Level.COMPLETE: 0,
    Level.ON_TRACK: 1,
    Level.IN_PROGRESS: 2,
    Level.NOT_STARTED: 3,
    Level.MINOR_DEVIATION: 3,
    Level.DELAYED: 4,
    Level.SIGNIFICANT_DEVIATION: 5,
}


@dataclass(frozen=True)
class Change:
    """One change seen in ``entry`` against ``previous``.

    ``anchor`` is where the item is shown: on ``entry``'s page, or on
    ``previous``'s for an item no longer listed (``gone``). ``before`` and
    ``after`` are as a reader would say them ("Green: on track"); ``direction``
    is ``improved``, ``worsened``, ``slipped`` or ``brought forward`` where the
    change has one; ``how`` says how the item was matched (``ref``, ``text``,
    ``similar 0.82``; empty for new and gone items).
    """

    kind: str
    entry: ReportEntry
    previous: ReportEntry
    text: str
    anchor: str
    before: str = ""
    after: str = ""
    how: str = ""
    direction: str = ""
    detail: str = ""
    gone: bool = False

    @property
    def label(self) -> str:
        """The kind of change in words, with its direction: "Status changed: worsened"."""
        words = KINDS[self.kind]
        return f"{words}: {self.direction}" if self.direction else words

    @property
    def page(self) -> ReportEntry:
        """The report whose page shows the item."""
        return self.previous if self.gone else self.entry

    @property
    def target(self) -> str:
        """The item's place in the site (its page and anchor)."""
        return f"{self.page.path}#{self.anchor}"


def summarise(changes: list[Change]) -> str:
    """Changes counted by kind, in words: "3 new, 1 dropped, 2 status changed"."""
    counts = Counter(c.kind for c in changes)
    return ", ".join(f"{counts[k]} {KINDS[k].lower()}" for k in KINDS if counts[k]) or "no changes"


def _how(match: Match[Item] | Match[Risk]) -> str:
    return f"similar {match.score:.2f}" if match.how == "similar" else match.how


def _direction(before: Status, after: Status) -> str:
    first, second = _GOODNESS.get(before.level), _GOODNESS.get(after.level)
    if first is None or second is None or first == second:
        return ""
    return "improved" if second < first else "worsened"


def _moved(before: date, after: date) -> str:
    days = (after - before).days
    size = abs(days)
    if size >= 56:
        amount = f"{round(size / 30.44)} months"
    elif size >= 14:
        amount = f"{round(size / 7)} weeks"
    else:
        amount = f"{size} day" + ("" if size == 1 else "s")
    return amount


def _reworded(
    entry: ReportEntry, previous: ReportEntry, match: Match[Item] | Match[Risk]
) -> list[Change]:
    """A change of the row's words (matched by its id, or as alike enough): "Recruit 4
    coordinators" and "Recruit 2 coordinators" are one row, but not the same promise."""
    before, after = match.before.text, match.after.text
    if before == after or _wording(before) == _wording(after):  # most rows: the same text
        return []
    return [
        Change("reworded", entry, previous, after, match.after.anchor, before, after, _how(match))
    ]


def _wording(text: str) -> str:
    """A row's words as they read, whatever their case, spacing and closing full stop."""
    return " ".join(text.casefold().split()).rstrip(".")


def _item_changes(entry: ReportEntry, previous: ReportEntry, match: Match[Item]) -> list[Change]:
    before, after = match.before, match.after
    found = _reworded(entry, previous, match)
    if before.status.level != after.status.level:
        completed = after.status.is_complete and not before.status.is_complete
        found.append(
            Change(
                "completed" if completed else "status",
                entry,
                previous,
                after.text,
                after.anchor,
                before=before.status.text,
                after=after.status.text,
                how=_how(match),
                direction="" if completed else _direction(before.status, after.status),
            )
        )
    finished = before.status.is_complete and after.status.is_complete
    if not finished and _said(before.due.text) != _said(after.due.text):
        start, end = before.due.sort_key, after.due.sort_key
        direction = detail = ""
        if start and end and start != end:
            direction = "slipped" if end > start else "brought forward"
            detail = _moved(start, end)
        if not (start and end and start == end):  # the same day written another way is no change
            found.append(
                Change(
                    "due",
                    entry,
                    previous,
                    after.text,
                    after.anchor,
                    before=before.due.text,
                    after=after.due.text,
                    how=_how(match),
                    direction=direction,
                    detail=detail,
                )
            )
    return found


def _said(text: str) -> str:
    """A due date's text as it reads, whatever its case and spacing ("TBC", "tbc")."""
    return " ".join(text.casefold().split())


def _risk_changes(entry: ReportEntry, previous: ReportEntry, match: Match[Risk]) -> list[Change]:
    found = _reworded(entry, previous, match)
    before, after = match.before.rating, match.after.rating
    if (before.level, before.score) == (after.level, after.score):
        return found
    closed = after.is_complete and not before.is_complete
    return [
        *found,
        Change(
            "risk-closed" if closed else "risk-rated",
            entry,
            previous,
            match.after.text,
            match.after.anchor,
            before.text + (f", {before.score_text}" if before.score_text else ""),
            after.text + (f", {after.score_text}" if after.score_text else ""),
            _how(match),
            "" if closed else _risk_direction(before, after),
        ),
    ]


def _risk_direction(before: RiskRating, after: RiskRating) -> str:
    """A rating that went up (High is up) is worse; not rated has no direction, nor has a
    score given or taken away at the same level (no score is not a score of 0)."""
    if RiskLevel.NOT_RATED in (before.level, after.level) or before.severity == after.severity:
        return ""
    if before.level == after.level and None in (before.score, after.score):
        return ""
    return "improved" if after.severity > before.severity else "worsened"


def matches_between(
    previous: ReportEntry, entry: ReportEntry
) -> tuple[
    tuple[list[Match[Item]], list[Item], list[Item]],
    tuple[list[Match[Risk]], list[Risk], list[Risk]],
]:
    """The items, then the risks, of two reports matched: (matches, gone, new) each.

    Matching is the costly part of a series, and depends only on each row's text,
    section and reference (and an item's due date): the result is kept in
    ``entry.matched`` by a hash of those, both reports', which the build cache keeps too.
    A later build whose two reports' rows are as they were does not match them again.
    """
    key = _rows_key(previous, entry)
    if entry.matched is not None and entry.matched[0] == key:
        _, items, risks = entry.matched
        return (
            _expand(items, previous.report.items, entry.report.items),
            _expand(risks, previous.report.risks, entry.report.risks),
        )
    found_items = match_rows(
        previous.report.items,
        entry.report.items,
        text=lambda i: i.text,
        section=lambda i: i.section,
        ref=lambda i: i.ref,
        detail=_when,
        state=lambda i: i.status.level,
    )
    found_risks = match_rows(
        previous.report.risks,
        entry.report.risks,
        text=lambda r: r.text,
        section=lambda r: r.section,
        ref=lambda r: r.ref,
    )
    entry.matched = (
        key,
        _compact(found_items, previous.report.items, entry.report.items),
        _compact(found_risks, previous.report.risks, entry.report.risks),
    )
    return found_items, found_risks


#: Matched rows by their places in the two lists: ``((before, after, how, score), ...)``,
#: then the places of the rows gone and of the rows new.
_Compact = tuple[tuple[tuple[int, int, str, float], ...], tuple[int, ...], tuple[int, ...]]


def _when(item: Item) -> str:
    """An item's due date as matching tells same-worded items apart by it: as understood,
    else as written (spaces and case aside)."""
    return item.due.iso() or " ".join(item.due.text.casefold().split())


def _rows_key(previous: ReportEntry, entry: ReportEntry) -> bytes:
    """A hash of what matching the two reports' rows reads of them."""
    return hashlib.blake2b(_own_rows(previous) + _own_rows(entry), digest_size=16).digest()


def _own_rows(entry: ReportEntry) -> bytes:
    """A hash of what matching reads of each row (its text, section and reference, and an
    item's due date and status), items then risks: made once per entry (``ReportEntry.rows_digest``,
    pickled with it), as a report is its previous report's next and the build cache keeps
    the entries of reports not read again."""
    if entry.rows_digest is None:
        digest = hashlib.blake2b(digest_size=16)
        items = [(i.text, i.section, i.ref, _when(i), i.status.level) for i in entry.report.items]
        risks = [(r.text, r.section, r.ref) for r in entry.report.risks]
        for rows in (items, risks):
            digest.update(repr(rows).encode())
            digest.update(b"\0")
        entry.rows_digest = digest.digest()
    return entry.rows_digest


def _compact(
    found: tuple[list[Match[Row]], list[Row], list[Row]], before: list[Row], after: list[Row]
) -> _Compact:
    matches, gone, new = found
    at_before = {id(row): i for i, row in enumerate(before)}
    at_after = {id(row): j for j, row in enumerate(after)}
    return (
        tuple((at_before[id(m.before)], at_after[id(m.after)], m.how, m.score) for m in matches),
        tuple(at_before[id(row)] for row in gone),
        tuple(at_after[id(row)] for row in new),
    )


def _expand(
    kept: _Compact, before: list[Row], after: list[Row]
) -> tuple[list[Match[Row]], list[Row], list[Row]]:
    pairs, gone, new = kept
    return (
        [Match(before[i], after[j], how, score) for i, j, how, score in pairs],
        [before[i] for i in gone],
        [after[j] for j in new],
    )


def changes_between(
    previous: ReportEntry,
    entry: ReportEntry,
    items: tuple[list[Match[Item]], list[Item], list[Item]],
    risks: tuple[list[Match[Risk]], list[Risk], list[Risk]],
) -> list[Change]:
    """Every change in ``entry`` since ``previous``, in the order its page shows the items."""
    found: list[Change] = []
    item_matches, gone_items, new_items = items
    risk_matches, gone_risks, new_risks = risks
    for match in item_matches:
        found += _item_changes(entry, previous, match)
    for item in new_items:
        found.append(Change("new", entry, previous, item.text, item.anchor, "", item.status.text))
    for item in gone_items:
        if not item.status.is_complete:
            found.append(
                Change(
                    "dropped",
                    entry,
                    previous,
                    item.text,
                    item.anchor,
                    item.status.text,
                    "no longer listed",
                    gone=True,
                )
            )
    for risk_match in risk_matches:
        found += _risk_changes(entry, previous, risk_match)
    for risk in new_risks:
        found.append(
            Change("risk-new", entry, previous, risk.text, risk.anchor, "", risk.rating.text)
        )
    for risk in gone_risks:
        if not risk.rating.is_complete:
            found.append(
                Change(
                    "risk-closed",
                    entry,
                    previous,
                    risk.text,
                    risk.anchor,
                    risk.rating.text,
                    "no longer listed",
                    gone=True,
                )
            )
    return found
