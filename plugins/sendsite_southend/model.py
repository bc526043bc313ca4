"""The typed model of a Southend highlight report.

Its milestone and risk rows are the common ``Item`` and ``Risk`` themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from sendsite import DueDate, Item, Risk


@dataclass(frozen=True)
class Activity:
    """A row of 'proposed priorities and activities for next period'."""

    anchor: str
    activity: Markup
    by_when: Markup


@dataclass(frozen=True)
class Priority:
    """A priority area (P1, P2 …) with its tables and narrative."""

    code: str
    title: str
    milestones: tuple[Item, ...]
    risks: tuple[Risk, ...]
    narrative: Markup
    activities: tuple[Activity, ...]

    @property
    def anchor(self) -> str:
        return self.code.lower()

    @property
    def heading(self) -> str:
        return f"Priority Area {self.code[1:]} ({self.code}) – {self.title}"


@dataclass(frozen=True)
class HighlightReport:
    """The whole report: header, introduction, priority areas and decisions."""

    from_: str
    to: str
    report_by: str
    meeting_date: DueDate
    introduction: Markup
    priorities: tuple[Priority, ...]
    decisions_heading: str
    decisions: tuple[Markup, ...]
