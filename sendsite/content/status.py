"""Statuses: one shared scale, and each area's own key mapped onto it.

An area keeps its own words (a Green/Yellow RAG, a Blue/Orange/Black key,
separate progress and risk keys). Each word maps to a ``Level`` on
the shared scale, which gives the colour and lets cross-area pages compare
areas. A status is always shown as words and colour together.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from os import PathLike
from pathlib import Path
from typing import Any, Self, TypeVar

from sendsite.content.yamlfile import load_yaml

__all__ = [
    "KeyEntry",
    "Level",
    "Scale",
    "Status",
    "StatusKey",
    "load_key_file",
    "load_status_key",
]

_Key = TypeVar("_Key")


class Scale(Enum):
    """A scale of levels (progress, or risk ratings), each with a slug, a label and a
    colour tone; the members are listed in the scale's order."""

    def __init__(self, slug: str, label: str, tone: str) -> None:
        self.slug = slug
        self.label = label
        self.tone = tone

    @classmethod
    def from_slug(cls, slug: str) -> Self:
        """The level whose slug (``on-track``) or name (``ON_TRACK``) is given."""
        wanted = slug.strip().lower().replace("_", "-").replace(" ", "-")
        for level in cls:
            if level.slug == wanted:
                return level
        raise KeyError(slug)

    @property
    def rank(self) -> int:
        """Position on the scale, for stable sorting (0 comes first)."""
        return _ranks(type(self))[self]


@cache
def _ranks(scale: type[Scale]) -> dict[Scale, int]:
    """Each level of ``scale`` by its position (a sort key: asked for row by row)."""
    return {level: n for n, level in enumerate(scale)}


class Level(Scale):
    """The shared status scale, in the order dashboards list it."""

    COMPLETE = ("complete", "Complete", "blue")
    ON_TRACK = ("on-track", "On track", "green")
    IN_PROGRESS = ("in-progress", "In progress", "neutral")
    MINOR_DEVIATION = ("minor-deviation", "Minor deviation", "yellow")
    SIGNIFICANT_DEVIATION = ("significant-deviation", "Significant deviation", "red")
    DELAYED = ("delayed", "Delayed", "orange")
    NOT_STARTED = ("not-started", "Not started", "grey")
    NOT_RATED = ("not-rated", "Not rated", "none")


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

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> StatusKey:
        """A key written as data (a plugin's YAML or JSON file), e.g.::

            name: northshire-rag
            title: Northshire RAG rating
            description: as given by each workstream's lead
            entries:
              - label: Blue
                level: complete
                meaning: complete
                aliases: [Complete, Completed]
              - label: Amber
                level: minor-deviation
                meaning: behind plan, but recoverable

        ``name`` and ``title`` and each entry's ``label`` and ``level`` are
        needed; a level is named by its slug (``on-track``) or its name
        (``ON_TRACK``), and so is the optional ``blank``. Anything else, or
        anything missing, is a ``ValueError`` saying where.
        """
        _only(data, {"name", "title", "entries", "description", "blank"}, "the key")
        entries = data.get("entries")
        if not isinstance(entries, list) or not entries:
            raise ValueError("the key: 'entries' should be a list of its words")
        return cls(
            name=_text(data, "name", "the key"),
            title=_text(data, "title", "the key"),
            entries=tuple(_entry(e, f"entry {n}") for n, e in enumerate(entries, start=1)),
            blank=_level(data, "blank", "the key", default=Level.NOT_RATED),
            description=_text(data, "description", "the key", required=False),
        )

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


def load_status_key(path: str | PathLike[str]) -> StatusKey:
    """The status key in the YAML file at ``path``, as ``StatusKey.from_mapping`` reads it.

    So a plugin can keep its key's words and meanings as data beside its
    reader, and read them once, as the reader is imported::

        RAG_KEY = load_status_key(Path(__file__).with_name("rag_key.yml"))

    A mistake in the file is a ``ContentError`` (not YAML) or a ``ValueError``
    naming the file: either stops the plugin loading, with the message.
    """
    return load_key_file(path, "status key file", StatusKey.from_mapping)


#: Every file a key was read from (``load_key_file``), wherever it is: the build cache's
#: ``fingerprint`` hashes them, as a plugin may keep its keys outside its own folder.
KEY_FILES: set[Path] = set()


def load_key_file(
    path: str | PathLike[str], what: str, read: Callable[[Mapping[str, Any]], _Key]
) -> _Key:
    """A key (status or risk) read by ``read`` from the YAML file at ``path``; a mistake
    is a ``ContentError`` (not YAML) or a ``ValueError`` naming the file."""
    path = Path(path)
    KEY_FILES.add(path.resolve())
    data, _ = load_yaml(path.read_text(encoding="utf-8"), file=path, what=what)
    try:
        if not isinstance(data, Mapping):
            raise ValueError("expected 'key: value' lines: name, title, entries")
        return read(data)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


def _aliases(data: Mapping[str, Any], where: str) -> tuple[str, ...]:
    """An entry's other words for its label."""
    aliases = data.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        raise ValueError(f"{where}: 'aliases' should be a list of words")
    return tuple(aliases)


def _entry(data: object, where: str) -> KeyEntry:
    if not isinstance(data, Mapping):
        raise ValueError(f"{where}: expected 'key: value' lines: label, level")
    _only(data, {"label", "level", "meaning", "aliases"}, where)
    return KeyEntry(
        _text(data, "label", where),
        _level(data, "level", where),
        _text(data, "meaning", where, required=False),
        _aliases(data, where),
    )


def _only(data: Mapping[str, Any], known: set[str], where: str) -> None:
    for key in data:
        if key not in known:
            raise ValueError(f"{where}: unknown key '{key}' (known: {', '.join(sorted(known))})")


def _text(data: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValueError(f"{where}: '{key}' should be text, not {value!r}")
    return value


def _level(data: Mapping[str, Any], key: str, where: str, *, default: Level | None = None) -> Level:
    value = data.get(key)
    if value is None and default is not None:
        return default
    if isinstance(value, str):
        with suppress(KeyError):
            return Level.from_slug(value)
    slugs = ", ".join(level.slug for level in Level)
    raise ValueError(f"{where}: '{key}' should be one of {slugs}, not {value!r}")


def _fold(word: str) -> str:
    return " ".join(word.replace("-", " ").split()).casefold()
