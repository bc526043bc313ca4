"""Statuses: one shared scale, and each area's own key mapped onto it.

An area keeps its own words (a Green/Yellow RAG, a Blue/Orange/Black key,
separate progress and risk keys). Each word maps to a ``Level`` on
the shared scale, which gives the colour and lets cross-area pages compare
areas. A status is always shown as words and colour together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

__all__ = ["KeyEntry", "Level", "Status", "StatusKey"]


class Level(Enum):
    """The shared status scale, in the order dashboards list it."""

    COMPLETE = ("complete", "Complete", "blue")
    ON_TRACK = ("on-track", "On track", "green")
    IN_PROGRESS = ("in-progress", "In progress", "neutral")
    MINOR_DEVIATION = ("minor-deviation", "Minor deviation", "yellow")
    SIGNIFICANT_DEVIATION = ("significant-deviation", "Significant deviation", "red")
    DELAYED = ("delayed", "Delayed", "orange")
    NOT_STARTED = ("not-started", "Not started", "grey")
    NOT_RATED = ("not-rated", "Not rated", "none")

    def __init__(self, slug: str, label: str, tone: str) -> None:
        self.slug = slug
        self.label = label
        self.tone = tone

    @classmethod
    def from_slug(cls, slug: str) -> Level:
        """The level whose slug (``on-track``) or name (``ON_TRACK``) is given."""
        wanted = slug.strip().lower().replace("_", "-").replace(" ", "-")
        for level in cls:
            if level.slug == wanted:
                return level
        raise KeyError(slug)

    @property
    def rank(self) -> int:
        """Position on the scale, for stable sorting."""
        return list(Level).index(self)


@dataclass(frozen=True)
class Status:
    """One item's status: the area's own word, its meaning, and its shared level."""

    level: Level
    label: str
    meaning: str = ""
    key: str = ""

    @property
    def text(self) -> str:
        """The words shown in a tag, e.g. ``Yellow: minor deviation``.

        The area's own meaning is used if its key gives one, else the shared
        scale's label, so a colour word never stands alone.
        """
        meaning = self.meaning or self.level.label
        if meaning.casefold() != self.label.casefold():
            return f"{self.label}: {meaning[0].lower()}{meaning[1:]}"
        return self.label

    @property
    def is_complete(self) -> bool:
        return self.level is Level.COMPLETE


@dataclass(frozen=True)
class KeyEntry:
    """One line of an area's status key: its word, what it means, and its level."""

    label: str
    level: Level
    meaning: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatusKey:
    """An area's colour key, shown as a legend on its pages.

    ``blank`` is the level given to an empty status cell (usually not rated).
    """

    name: str
    title: str
    entries: tuple[KeyEntry, ...]
    blank: Level = Level.NOT_RATED
    description: str = ""
    _index: dict[str, KeyEntry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, KeyEntry] = {}
        for entry in self.entries:
            for word in (entry.label, *entry.aliases):
                index[_fold(word)] = entry
        object.__setattr__(self, "_index", index)

    def lookup(self, word: str | None) -> Status | None:
        """The status for ``word`` (case and spacing ignored); None if the key lacks it."""
        if word is None or not str(word).strip():
            return self.blank_status
        entry = self._index.get(_fold(str(word)))
        if entry is None:
            return None
        return Status(entry.level, entry.label, entry.meaning, self.name)

    @property
    def blank_status(self) -> Status:
        """The status of an empty cell: the ``blank`` level."""
        return Status(self.blank, self.blank.label, "", self.name)

    @property
    def allowed(self) -> list[str]:
        """The words this key accepts, for error messages."""
        return [entry.label for entry in self.entries]


def _fold(word: str) -> str:
    return " ".join(word.replace("-", " ").split()).casefold()
