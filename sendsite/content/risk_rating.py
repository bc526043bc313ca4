"""Risk ratings: their own scale (High, Medium, Low; closed), not the progress scale.

A risk is rated by how likely and how harmful it is, not by how far a plan has
slipped. An area keeps its own words (a RAG column, High/Medium/Low) in a
``RiskKey`` that maps each onto a ``RiskLevel``; a register that scores risks
as likelihood × impact gives the score, which is kept, shown, and, where no
word is given, rated by the key's score bands.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from os import PathLike
from typing import Any

from sendsite.content.status import (
    Level,
    Scale,
    Status,
    _aliases,
    _fold,
    _only,
    _text,
    load_key_file,
)

__all__ = [
    "RatingEntry",
    "RiskKey",
    "RiskLevel",
    "RiskRating",
    "load_risk_key",
    "rating_from_status",
]


class RiskLevel(Scale):
    """The risk rating scale, most serious first (rank 0); a closed risk (no longer
    live) last."""

    HIGH = ("high", "High", "red")
    MEDIUM = ("medium", "Medium", "orange")
    LOW = ("low", "Low", "green")
    NOT_RATED = ("not-rated", "Not rated", "none")
    CLOSED = ("closed", "Closed", "blue")


@dataclass(frozen=True)
class RiskRating:
    """One risk's rating: its level, the area's own word, and its score if scored.

    ``score`` is likelihood × impact where the register gives them (or a score
    alone). Like a ``Status`` it has ``level``, ``label``, ``key`` and ``text``,
    so the theme's ``status_tag`` shows either.
    """

    level: RiskLevel = RiskLevel.NOT_RATED
    label: str = ""
    meaning: str = ""
    key: str = ""
    likelihood: int | None = None
    impact: int | None = None
    score: int | None = None

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", self.level.label)
        if self.score is None and self.likelihood and self.impact:
            object.__setattr__(self, "score", self.likelihood * self.impact)

    @property
    def text(self) -> str:
        """The words shown: the area's word with the rating, ``Amber (Medium)``; or ``High``."""
        if self.label.casefold() == self.level.label.casefold():
            return self.label
        return f"{self.label} ({self.level.label})"

    @property
    def score_text(self) -> str:
        """``score 12 (likelihood 3 × impact 4)``, ``score 12``, or ``""`` if not scored."""
        if self.score is None:
            return ""
        if self.likelihood and self.impact:
            return f"score {self.score} (likelihood {self.likelihood} × impact {self.impact})"
        return f"score {self.score}"

    @property
    def severity(self) -> int:
        """For sorting, most serious first: the level, then the higher score."""
        return self.level.rank * 1000 + (999 - min(self.score or 0, 999))

    @property
    def is_complete(self) -> bool:
        """True for a closed risk (as a ``Status`` says of a finished item)."""
        return self.level is RiskLevel.CLOSED


#: The documented rule that rates a risk given only a progress ``Status`` (the old API).
_FROM_LEVEL = {
    Level.SIGNIFICANT_DEVIATION: RiskLevel.HIGH,
    Level.DELAYED: RiskLevel.HIGH,
    Level.MINOR_DEVIATION: RiskLevel.MEDIUM,
    Level.ON_TRACK: RiskLevel.LOW,
    Level.COMPLETE: RiskLevel.CLOSED,
}


def rating_from_status(status: Status) -> RiskRating:
    """The rating of a risk rated on the progress scale (the old API): significant
    deviation and delayed are High, minor deviation Medium, on track Low, complete
    Closed, anything else Not rated. The area's word is kept."""
    level = _FROM_LEVEL.get(status.level, RiskLevel.NOT_RATED)
    label = status.label if status.level is not Level.NOT_RATED else ""
    return RiskRating(level, label, status.meaning, status.key)


@dataclass(frozen=True)
class RatingEntry:
    """One word of an area's risk key, what it means, and its rating."""

    label: str
    level: RiskLevel
    meaning: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class RiskKey:
    """An area's words for rating risks, shown as a legend on its pages.

    ``scores`` are the lowest likelihood × impact scores rated High and Medium
    (lower is Low), for a risk scored but given no word; ``scale`` is the
    largest likelihood or impact (5 on a 5 × 5 matrix).
    """

    name: str
    title: str
    entries: tuple[RatingEntry, ...]
    description: str = ""
    scores: tuple[int, int] = (15, 5)
    scale: int = 5
    blank: RiskLevel = RiskLevel.NOT_RATED
    _index: dict[str, RatingEntry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {_fold(word): e for e in self.entries for word in (e.label, *e.aliases)}
        object.__setattr__(self, "_index", index)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> RiskKey:
        """A key written as data (a plugin's YAML file), e.g.::

            name: northshire-risk
            title: Northshire risk rating
            entries:
              - label: Red
                rating: high
              - label: Amber
                rating: medium
            scores: {high: 15, medium: 5}   # optional: likelihood × impact bands
            scale: 5                        # optional: likelihood and impact go 1–5

        Anything unknown or missing is a ``ValueError`` saying where.
        """
        _only(data, {"name", "title", "entries", "description", "scores", "scale"}, "the key")
        entries = data.get("entries")
        if not isinstance(entries, list) or not entries:
            raise ValueError("the key: 'entries' should be a list of its words")
        scale = data.get("scale", 5)
        if not isinstance(scale, int) or isinstance(scale, bool) or not 2 <= scale <= 10:
            raise ValueError(
                f"the key: 'scale' should be a whole number from 2 to 10, not {scale!r}"
            )
        scores = _bands(data.get("scores", {"high": 15, "medium": 5}), scale)
        return cls(
            name=_text(data, "name", "the key"),
            title=_text(data, "title", "the key"),
            entries=tuple(_entry(e, f"entry {n}") for n, e in enumerate(entries, start=1)),
            description=_text(data, "description", "the key", required=False),
            scores=scores,
            scale=scale,
        )

    def lookup(self, word: str | None) -> RiskRating | None:
        """The rating for ``word`` (case and spacing ignored); None if the key lacks it.
        An empty word is Not rated."""
        if word is None or not str(word).strip():
            return RiskRating(self.blank, key=self.name)
        entry = self._index.get(_fold(str(word)))
        if entry is None:
            return None
        return RiskRating(entry.level, entry.label, entry.meaning, self.name)

    def rate_score(self, score: int) -> RiskLevel:
        """The level of a likelihood × impact ``score``, by the key's bands."""
        high, medium = self.scores
        if score >= high:
            return RiskLevel.HIGH
        return RiskLevel.MEDIUM if score >= medium else RiskLevel.LOW

    @property
    def allowed(self) -> list[str]:
        """The words this key accepts, for error messages."""
        return [entry.label for entry in self.entries]


def load_risk_key(path: str | PathLike[str]) -> RiskKey:
    """The risk key in the YAML file at ``path``, as ``RiskKey.from_mapping`` reads it::

        RISK_KEY = load_risk_key(Path(__file__).with_name("risk_key.yml"))

    A mistake in the file is a ``ContentError`` (not YAML) or a ``ValueError``
    naming the file: either stops the plugin loading, with the message.
    """
    return load_key_file(path, "risk key file", RiskKey.from_mapping)


def _entry(data: object, where: str) -> RatingEntry:
    if not isinstance(data, Mapping):
        raise ValueError(f"{where}: expected 'key: value' lines: label, rating")
    _only(data, {"label", "rating", "meaning", "aliases"}, where)
    value = data.get("rating")
    if isinstance(value, str):
        with suppress(KeyError):
            level = RiskLevel.from_slug(value)
            meaning = _text(data, "meaning", where, required=False)
            return RatingEntry(_text(data, "label", where), level, meaning, _aliases(data, where))
    slugs = ", ".join(level.slug for level in RiskLevel)
    raise ValueError(f"{where}: 'rating' should be one of {slugs}, not {value!r}")


def _bands(scores: object, scale: int) -> tuple[int, int]:
    """The key's ``scores:`` (the lowest High and Medium scores) as a pair."""
    if isinstance(scores, Mapping) and set(scores) == {"high", "medium"}:
        high, medium = scores["high"], scores["medium"]
        whole = all(isinstance(n, int) and 1 <= n <= scale * scale for n in (high, medium))
        if whole and medium < high:
            return int(high), int(medium)
    raise ValueError(
        "the key: 'scores' should give the lowest 'high:' and 'medium:' likelihood × impact"
        f" scores, medium below high, up to {scale * scale}, e.g. {{high: 15, medium: 5}}"
    )
