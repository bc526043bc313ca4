"""The typed model of a Havering Health & Wellbeing Board report."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from sendsite import DueDate, Status


@dataclass(frozen=True)
class Officer:
    """A report author or an officer who signed an implications section."""

    name: str
    title: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class StrategyPriority:
    """A Health and Wellbeing Strategy priority on the cover sheet, ticked or not."""

    number: str
    title: str
    addressed: bool

    @property
    def label(self) -> str:
        return f"Priority {self.number}: {self.title}"


@dataclass(frozen=True)
class Tracked:
    """A milestone or action that a paragraph states, tracked across areas."""

    anchor: str
    kind: str
    text: str
    owner: str
    due: DueDate
    status: Status


@dataclass(frozen=True)
class RiskLine:
    """A risk stated by a paragraph or an implications section."""

    anchor: str
    risk: Markup
    mitigation: Markup
    owner: str
    status: Status


@dataclass(frozen=True)
class Paragraph:
    """A numbered paragraph (1.1, 1.2 …) of the report detail."""

    number: str
    anchor: str
    body: Markup
    items: tuple[Tracked, ...]
    risks: tuple[RiskLine, ...]


@dataclass(frozen=True)
class DetailSection:
    """A numbered section of the report detail and its paragraphs."""

    number: str
    title: str
    anchor: str
    paragraphs: tuple[Paragraph, ...]

    @property
    def heading(self) -> str:
        return f"{self.number}. {self.title}"


@dataclass(frozen=True)
class Implication:
    """Financial, legal, HR or equalities implications and risks, signed by an officer."""

    kind: str
    heading: str
    anchor: str
    body: Markup
    risks: tuple[RiskLine, ...]
    closing: Markup
    officer: Officer


@dataclass(frozen=True)
class MoneyFigure:
    """A sum of money the report states, with its sentence and where it is."""

    amount: str
    sentence: str
    anchor: str
    where: str


@dataclass(frozen=True)
class BoardReport:
    """The whole report: cover sheet, summary, recommendations, detail, implications."""

    board: str
    subject: str
    board_lead: str
    author: Officer
    date: DueDate
    strategy_intro: str
    priorities: tuple[StrategyPriority, ...]
    summary: Markup
    recommendations: tuple[Markup, ...]
    sections: tuple[DetailSection, ...]
    implications: tuple[Implication, ...]
    background_papers: tuple[Markup, ...]
    money: tuple[MoneyFigure, ...]

    @property
    def tracked(self) -> tuple[tuple[DetailSection, Paragraph, Tracked], ...]:
        """Every milestone and action, with where it is stated, in report order."""
        return tuple(
            (section, paragraph, item)
            for section in self.sections
            for paragraph in section.paragraphs
            for item in paragraph.items
        )
