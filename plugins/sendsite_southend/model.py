"""The typed model of a Southend highlight report."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from sendsite import DueDate, Status


@dataclass(frozen=True)
class Milestone:
    """A row of a priority area's milestone table."""

    anchor: str
    text: str
    completed_by: DueDate
    rag: Status


@dataclass(frozen=True)
class RiskRow:
    """A row of a priority area's 'top risks and issues' table."""

    anchor: str
    risk: Markup
    mitigation: Markup
    rag: Status


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
    anchor: str
    milestones: tuple[Milestone, ...]
    risks: tuple[RiskRow, ...]
    narrative: Markup
    activities: tuple[Activity, ...]

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
