"""The typed model of a Havering Health & Wellbeing Board report (its paragraphs'
milestones, actions and risks are the common ``Item`` and ``Risk`` themselves)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup

from sendsite import Item, Risk
from sendsite.content.markdown import plain_text

_MONEY = re.compile(r"£\d[\d,]*(?:\.\d\d)?")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


@dataclass(frozen=True)
class Officer:
    """A report author or an officer who signed an implications section."""

    name: str
    title: str = ""
    phone: str = ""
    email: str = ""

    @property
    def signed(self) -> str:
        return ", ".join(part for part in (self.name, self.title) if part)


@dataclass(frozen=True)
class Priority:
    """A Health and Wellbeing Strategy priority on the cover sheet, ticked or not."""

    number: str
    title: str
    addressed: bool


@dataclass(frozen=True)
class Paragraph:
    """A numbered paragraph (1.1, 1.2 …) of the report detail, and the milestones,
    actions and risks it states."""

    number: str
    anchor: str
    body: Markup
    items: tuple[Item, ...]
    risks: tuple[Risk, ...]


@dataclass(frozen=True)
class DetailSection:
    """A numbered section of the report detail and its paragraphs."""

    heading: str
    anchor: str
    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True)
class Implication:
    """Financial, legal, HR or equalities implications and risks, signed by an officer."""

    heading: str
    anchor: str
    body: Markup
    risks: tuple[Risk, ...]
    closing: Markup
    officer: Officer


@dataclass(frozen=True)
class MoneyFigure:
    """A sum of money the report states, with its sentence and where it is."""

    amount: str
    sentence: str
    target: str
    where: str


@dataclass(frozen=True)
class BoardReport:
    """The whole report: cover sheet, summary, recommendations, detail, implications."""

    author: Officer
    strategy_intro: str
    priorities: tuple[Priority, ...]
    summary: Markup
    recommendations: tuple[Markup, ...]
    sections: tuple[DetailSection, ...]
    implications: tuple[Implication, ...]
    background_papers: tuple[Markup, ...]

    @property
    def paragraphs(self) -> tuple[Paragraph, ...]:
        return tuple(p for s in self.sections for p in s.paragraphs)

    @property
    def tracked(self) -> tuple[tuple[Paragraph, Item], ...]:
        """Every milestone and action, with the paragraph stating it, in report order."""
        return tuple((p, i) for p in self.paragraphs for i in p.items)

    @property
    def money(self) -> tuple[MoneyFigure, ...]:
        """Every £ figure in the report, with the sentence that states it."""
        places = [(p.anchor, f"Paragraph {p.number}", p.body) for p in self.paragraphs]
        places += [(i.anchor, i.heading, i.body) for i in self.implications]
        return tuple(
            MoneyFigure(amount, sentence, anchor, where)
            for anchor, where, body in places
            for sentence in _SENTENCE_END.split(plain_text(body))
            for amount in _MONEY.findall(sentence)
        )
