"""Reading front-matter fields with validation, for format plugins.

``Fields`` wraps one mapping in a document's front matter. Each accessor
checks the value's type and raises a ``ContentError`` that points at the
key's line with a plain-English fix, so plugins never hand-write validation
or line tracking.

    root = Fields.of(document)
    for area in root.list("priorities", required=True):
        title = area.text("title", required=True)
        when = area.due("completed_by")
        rag = area.status("rag", RAG_KEY)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from difflib import get_close_matches
from typing import Any

from markupsafe import Markup

from .content import Document
from .dates import DueDate, looks_like_a_date, parse_due
from .errors import ContentError
from .markdown import render_inline, render_markdown
from .status import Status, StatusKey

__all__ = ["CORE_KEYS", "Fields"]

_SCALARS = (str, int, float, date)

#: Front-matter keys the core reads itself, in every format.
CORE_KEYS = frozenset({"format", "title", "slug", "topics"})


class Fields:
    """A validated view of one mapping in a document's front matter."""

    def __init__(self, document: Document, data: Mapping[str, Any], path: tuple = ()) -> None:
        self.document = document
        self.data = data
        self.path = path

    @classmethod
    def of(cls, document: Document) -> Fields:
        """The whole front matter of ``document``."""
        return cls(document, document.front)

    # --- errors -----------------------------------------------------------------

    def error(self, key: str | int | None, message: str, fix: str | None = None) -> ContentError:
        """A ``ContentError`` at the value of ``key`` (or at this mapping), naming its path."""
        path = (*self.path, key) if key is not None else self.path
        return self.document.error(
            f"{_describe(path)}: {message}", *path, fix=fix, value=key is not None
        )

    def line(self, key: str | int | None = None) -> int | None:
        """The file line of ``key`` in this mapping."""
        path = (*self.path, key) if key is not None else self.path
        return self.document.line(*path)

    # --- accessors ----------------------------------------------------------------

    def has(self, key: str) -> bool:
        """True when ``key`` is present and not empty."""
        return self.data.get(key) not in (None, "", [], {})

    def _require(self, key: str, required: bool, shape: str) -> Any:
        value = self.data.get(key)
        if value in (None, "", [], {}) and required:
            where = "this entry" if self.path else "the front matter"
            raise self.error(None, f"'{key}' is missing", fix=f"Add '{key}:' to {where}, {shape}.")
        return value

    def text(self, key: str, *, required: bool = False, default: str = "") -> str:
        """A single line or paragraph of plain text."""
        value = self._require(key, required, "followed by the text")
        if value is None:
            return default
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, bool) or not isinstance(value, _SCALARS):
            raise self.error(
                key,
                f"expected text but found {_kind(value)}",
                fix=f"Write '{key}:' followed by the text on the same line"
                " (in quotes if it contains a colon).",
            )
        if isinstance(value, date):
            return f"{value.day} {value:%B %Y}"
        return str(value).strip()

    def markdown(self, key: str, *, required: bool = False) -> Markup:
        """A block of Markdown, rendered to safe HTML."""
        return render_markdown(self.text(key, required=required))

    def inline(self, key: str, *, required: bool = False) -> Markup:
        """One line of Markdown, rendered to safe HTML without a paragraph."""
        return render_inline(self.text(key, required=required))

    def due(self, key: str, *, required: bool = False) -> DueDate:
        """A date as written ("31 st March 2021", "Mid-April 2021") and understood.

        Text that is plainly not a date ("Complete", "Ongoing") is kept quietly;
        text that looks like a date but cannot be understood is a warning.
        """
        due = parse_due(self.text(key, required=required))
        if not due.understood and looks_like_a_date(due.text):
            path = (*self.path, key)
            self.document.warnings.append(
                self.document.error(
                    f"{_describe(path)}: could not understand the date '{due.text}'; it is "
                    "shown as written but cannot be checked for being overdue",
                    *path,
                    value=True,
                    fix="Write a day, month or range UK-style, e.g. '31 March 2021', "
                    "'31/03/2021', 'March 2021', 'April-May 2021' or 'Q2 2021/22'.",
                ).problem
            )
        return due

    def status(self, key: str, status_key: StatusKey, *, required: bool = False) -> Status:
        """A status word from the area's key; an empty value is the key's blank level."""
        word = self.text(key, required=required)
        found = status_key.lookup(word)
        if found is None:
            allowed = status_key.allowed
            close = get_close_matches(word, allowed, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise self.error(
                key,
                f"unknown status '{word}' for the {status_key.title}",
                fix=f"Use one of: {', '.join(allowed)}, or leave it empty if not rated.{hint}",
            )
        return found

    def texts(self, key: str, *, required: bool = False) -> list[str]:
        """A list of text lines; a single text value counts as a list of one."""
        value = self._require(key, required, "with one line per entry starting with '- '")
        if value is None:
            return []
        if isinstance(value, _SCALARS) and not isinstance(value, bool):
            return [self.text(key)]
        if not isinstance(value, list):
            raise self.error(
                key,
                f"expected a list but found {_kind(value)}",
                fix="Write each entry on its own line starting with '- '.",
            )
        entries = Fields(self.document, {}, (*self.path, key))
        result = []
        for index, entry in enumerate(value):
            if isinstance(entry, bool) or not isinstance(entry, _SCALARS):
                raise entries.error(
                    index,
                    f"expected text but found {_kind(entry)}",
                    fix="Write each entry as text after '- ' on one line.",
                )
            result.append(str(entry).strip())
        return result

    def list(self, key: str, *, required: bool = False) -> list[Fields]:
        """A list of mappings (e.g. table rows), each as its own ``Fields``."""
        value = self._require(key, required, "with one '- ' entry per row, indented under it")
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(
                key,
                f"expected a list but found {_kind(value)}",
                fix="Write each entry on its own line starting with '- '.",
            )
        rows = []
        for index, row in enumerate(value):
            if not isinstance(row, dict):
                raise Fields(self.document, {}, (*self.path, key)).error(
                    index,
                    f"expected 'key: value' lines but found {_kind(row)}",
                    fix="Each entry starts with '- ' and holds 'key: value' lines, "
                    "indented under it.",
                )
            rows.append(Fields(self.document, row, (*self.path, key, index)))
        return rows

    def mapping(self, key: str, *, required: bool = False) -> Fields:
        """A nested mapping as its own ``Fields`` (empty if absent)."""
        value = self._require(key, required, "with 'key: value' lines indented under it")
        if value is None:
            return Fields(self.document, {}, (*self.path, key))
        if not isinstance(value, dict):
            raise self.error(
                key,
                f"expected 'key: value' lines but found {_kind(value)}",
                fix=f"Indent the lines under '{key}:' as 'key: value' pairs.",
            )
        return Fields(self.document, value, (*self.path, key))

    def check_known(self, known: Iterable[str]) -> None:
        """Warn about keys this mapping does not use (often a misspelling).

        At the top of the front matter the core's own keys (``format``,
        ``title``, ``slug``, ``topics``) are always allowed.
        """
        allowed = set(known) | (CORE_KEYS if not self.path else set())
        for key in self.data:
            if key not in allowed:
                close = get_close_matches(str(key), sorted(allowed), n=1)
                hint = (
                    f"Did you mean '{close[0]}'?"
                    if close
                    else (f"Known keys here: {', '.join(sorted(allowed))}.")
                )
                where = f"{_describe(self.path)}: " if self.path else ""
                self.document.warn(
                    f"{where}unknown key '{key}' is ignored",
                    *self.path,
                    key,
                    fix=hint,
                )


def _describe(path: tuple) -> str:
    if not path:
        return "front matter"
    text = ""
    for part in path:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a set of 'key: value' lines"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"yes/no ({str(value).lower()})"
    if isinstance(value, str):
        short = value if len(value) <= 40 else value[:37] + "..."
        return f"the text '{short}'"
    return "a number" if isinstance(value, int | float) else type(value).__name__
