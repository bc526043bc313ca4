"""The typed model of a Suffolk response grid.

Its proposed responses are the common ``Item`` itself (text, due date, lead, status).
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from sendsite import DueDate, GlossaryTerm, Item


@dataclass(frozen=True)
class Weakness:
    """A weakness or recommendation from the revisit; ``number`` is "" when unnumbered.

    ``anchor`` is set when the weakness shares its entry with others, so that
    ``#weakness-12`` lands on it inside the shared section.
    """

    number: str
    text: Markup
    note: Markup
    anchor: str = ""


@dataclass(frozen=True)
class Measure:
    """An impact measurement, with the progress update written beside it (if any)."""

    text: Markup
    update: Markup


@dataclass(frozen=True)
class Entry:
    """A row of the grid: one or more weaknesses sharing one response."""

    anchor: str
    topic: str
    weaknesses: tuple[Weakness, ...]
    actions: tuple[Item, ...]
    impact: tuple[Measure, ...]

    @property
    def numbers(self) -> tuple[str, ...]:
        return tuple(w.number for w in self.weaknesses if w.number)

    @property
    def shared(self) -> bool:
        """True when several weaknesses share this entry's response."""
        return len(self.weaknesses) > 1

    @property
    def label(self) -> str:
        """``7``, ``3 and 4``, or ``11–15`` for a longer run of numbers."""
        numbers = self.numbers
        if len(numbers) > 2 and [int(n) for n in numbers] == list(
            range(int(numbers[0]), int(numbers[-1]) + 1)
        ):
            return f"{numbers[0]}–{numbers[-1]}"
        if len(numbers) > 1:
            return f"{', '.join(numbers[:-1])} and {numbers[-1]}"
        return "".join(numbers)

    @property
    def title(self) -> str:
        """``Weakness 7`` or ``Weaknesses 11–15``."""
        return f"{'Weaknesses' if len(self.numbers) > 1 else 'Weakness'} {self.label}"

    @property
    def heading(self) -> str:
        return f"{self.title}: {self.topic}" if self.topic else self.title

    @property
    def section(self) -> str:
        """Its name on cross-area pages."""
        return f"{self.title} – {self.topic}" if self.topic else self.title


@dataclass(frozen=True)
class ResponseGrid:
    """The whole report: header, introduction, abbreviations and the grid's entries."""

    revisit: str
    date: DueDate
    introduction: Markup
    status_note: Markup
    abbreviations: tuple[GlossaryTerm, ...]
    glossary: tuple[GlossaryTerm, ...]
    entries: tuple[Entry, ...]
