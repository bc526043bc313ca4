"""The typed model of a Lancashire Accelerated Progress Plan highlight report.

Its priorities, milestones and next steps are the common ``Item``, its risks ``Risk``.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from sendsite import DueDate, GlossaryTerm, Item, Risk
from sendsite.content.markdown import slugify


@dataclass(frozen=True)
class NextStep(Item):
    """An entry of 'action in next month / next 3 months / next 6 months': an action due then."""

    @property
    def when(self) -> DueDate:
        """The timescale it is planned for, from the report's date."""
        return self.due


@dataclass(frozen=True)
class Action:
    """One of the plan's actions (1–5), with every part of its highlight page."""

    number: str
    title: str
    outcome: Markup
    priorities_note: str
    priorities: tuple[Item, ...]
    progress: tuple[Markup, ...]
    milestones: tuple[Item, ...]
    next_steps: tuple[NextStep, ...]
    risks: tuple[Risk, ...]
    issues: tuple[Markup, ...]
    support: tuple[Markup, ...]

    @property
    def anchor(self) -> str:
        return f"action-{self.number}"

    @property
    def heading(self) -> str:
        return f"Action {self.number}: {self.title}"


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
    """The whole report: its dates, outcomes, actions 1–5 and the glossary."""

    priorities_by: DueDate
    quarter_to: str
    status_note: Markup
    introduction: Markup
    outcomes_intro: str
    actions: tuple[Action, ...]
    glossary_heading: str
    glossary: tuple[Term, ...]
