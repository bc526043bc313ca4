"""The typed model of a Lancashire Accelerated Progress Plan highlight report."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from sendsite import DueDate, GlossaryTerm, Status
from sendsite.markdown import slugify


@dataclass(frozen=True)
class Milestone:
    """A row of an action's 'key milestones this quarter' table."""

    anchor: str
    text: str
    due: DueDate
    owner: str
    status: Status
    overdue: bool = False


@dataclass(frozen=True)
class NextStep:
    """An entry of 'action in next month / next 3 months / next 6 months'."""

    anchor: str
    text: Markup
    when: DueDate


@dataclass(frozen=True)
class RiskRow:
    """A row of an action's risks table."""

    anchor: str
    risk: Markup
    mitigation: Markup
    rag: Status


@dataclass(frozen=True)
class Priority:
    """A numbered priority in the APP for delivery by the plan's date."""

    anchor: str
    number: int
    text: Markup


@dataclass(frozen=True)
class Action:
    """One of the plan's actions (1–5), with every part of its highlight page."""

    number: str
    title: str
    anchor: str
    outcome: Markup
    priorities_note: str
    priorities: tuple[Priority, ...]
    progress: tuple[Markup, ...]
    milestones: tuple[Milestone, ...]
    next_steps: tuple[NextStep, ...]
    risks: tuple[RiskRow, ...]
    issues: tuple[Markup, ...]
    support: tuple[Markup, ...]

    @property
    def heading(self) -> str:
        return f"Action {self.number}: {self.title}"

    @property
    def section(self) -> str:
        """The name of this part of the report on cross-area pages."""
        return f"Action {self.number} – {self.title}"


@dataclass(frozen=True)
class Term:
    """A line of the glossary of abbreviations, as the report writes it."""

    term: str
    abbreviation: str
    expansion: str
    description: str

    @property
    def anchor(self) -> str:
        return f"glossary-{slugify(self.abbreviation or self.term)}"

    @property
    def common(self) -> GlossaryTerm:
        """The term for the site-wide glossary (keyed by the bare abbreviation)."""
        return GlossaryTerm(self.abbreviation or self.term, self.expansion, self.description)


@dataclass(frozen=True)
class HighlightReport:
    """The whole report: header, outcomes, actions 1–5 and the glossary."""

    report: str
    date: DueDate
    priorities_by: DueDate
    quarter_to: str
    status_note: Markup
    introduction: Markup
    outcomes_intro: str
    actions: tuple[Action, ...]
    glossary_heading: str
    glossary: tuple[Term, ...]
