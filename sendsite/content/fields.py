"""Reading front-matter fields with validation, for format plugins.

``Fields`` wraps one mapping in a document's front matter. Each accessor
checks the value's type and raises a ``ContentError`` that points at the
key's line with a plain-English fix, so plugins never hand-write validation
or line tracking. While the core runs a reader (``read_checked``) the accessor
notes the error and reads on with a stand-in value instead, so one run finds
every mistake of a report (see ``checked``).

    root = Fields.of(document)
    for area in root.list("priorities", required=True):
        title = area.text("title", required=True)
        when = area.due("completed_by")
        rag = area.status("rag", RAG_KEY)

Each ``Fields`` remembers the keys it was asked for: ``read_checked`` then warns of each
key no accessor asked for (a misspelling, usually), with its line and a "did you mean".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime
from difflib import get_close_matches
from typing import Any, TypeVar

from markupsafe import Markup

from sendsite.content.checked import noted_opened, read_checked, stand_in
from sendsite.content.date_doubts import DATE_FIX, doubt_about
from sendsite.content.dates import DueDate, parse_due
from sendsite.content.documents import Document, kind_of
from sendsite.content.integers import Integers
from sendsite.content.markdown import render_inline, render_markdown, slugify
from sendsite.content.pipe_tables import TABLE_FIX, lost_cells
from sendsite.content.status import Status, StatusKey
from sendsite.content.tables import CommonTables
from sendsite.errors import ContentError

__all__ = ["CORE_KEYS", "Fields", "read_checked"]

T = TypeVar("T")

_SCALARS = (str, int, float, date)
_WHOLE_NUMBER = re.compile(r"\d{1,4}")

#: Front-matter keys the core reads itself, in every format.
CORE_KEYS = frozenset({"format", "title", "slug", "topics", "series", "supersedes"})

_YES_NO = {"yes": True, "no": False, "true": True, "false": False}  # as text: "yes"


def _empty(value: Any) -> bool:
    """Whether a value says nothing: none, or an empty (or all-space) text, list or mapping."""
    return value in (None, "", [], {}) or (isinstance(value, str) and not value.strip())


class Fields(CommonTables, Integers):
    """A validated view of one mapping in a document's front matter."""

    def __init__(
        self, document: Document, data: Mapping[str, Any], path: tuple[str | int, ...] = ()
    ) -> None:
        self.document = document
        self._data = data
        self.path = path
        #: The keys accessors were asked for, present or not: the keys this mapping knows.
        self.asked: set[str] = set()
        self._checked = False
        noted_opened(self)

    @property
    def data(self) -> Mapping[str, Any]:
        """The mapping itself. A reader that looks at it directly is taken to know
        all its keys: none of them is reported as unknown (``check_known`` still can)."""
        self._checked = True
        return self._data

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

    def warn(self, key: str | int | None, message: str, fix: str | None = None) -> None:
        """Record ``error``'s problem as a warning (shown by the build; fatal with --strict)."""
        self.document.warnings.append(self.error(key, message, fix).problem)

    def _stand_in(self, error: ContentError, value: T, *, relational: bool = False) -> T:
        """``stand_in`` for a mistake in this mapping."""
        return stand_in(error, value, self.path, relational=relational)

    def _not_a_list(self, key: str, value: object) -> ContentError:
        return self.error(
            key,
            f"expected a list but found {kind_of(value)}",
            fix="Write each entry on its own line starting with '- '.",
        )

    def line(self, key: str | int | None = None) -> int | None:
        """The file line of ``key`` in this mapping."""
        path = (*self.path, key) if key is not None else self.path
        return self.document.line(*path)

    # --- accessors ----------------------------------------------------------------

    def has(self, key: str) -> bool:
        """True when ``key`` is present and not empty."""
        self.asked.add(key)
        return not _empty(self._data.get(key))

    def _require(self, key: str, required: bool, shape: str) -> Any:
        self.asked.add(key)
        value = self._data.get(key)
        if required and _empty(value):
            where = "this entry" if self.path else "the front matter"
            if isinstance(value, str) and value:  # spaces only (a non-breaking one, say)
                error = self.error(key, "has only spaces, no text", fix=f"Write it after '{key}:'.")
            elif isinstance(value, list | dict):  # there, with nothing in it ([] or {})
                error = self.error(
                    key, "has nothing in it", fix=f"Write its entries under '{key}:'."
                )
            elif key in self._data:  # 'risk:' and nothing after it
                error = self.error(key, "is empty", fix=f"Write '{key}:' {shape}.")
            else:
                error = self.error(
                    None, f"'{key}' is missing", fix=f"Add '{key}:' to {where}, {shape}."
                )
            return self._stand_in(error, None, relational=True)  # read on as if not there
        return value

    def text(self, key: str, *, required: bool = False, default: str = "") -> str:
        """A single line or paragraph of plain text."""
        value = self._require(key, required, "followed by the text")
        if value is None:
            return default
        if isinstance(value, datetime):
            value = value.date()
        written = self.document.positions.written.get((*self.path, key))
        if isinstance(value, bool) and written is not None:
            return written.strip()  # "owner: No" (Norway's?), "status: Yes": as typed
        if isinstance(value, bool) or not isinstance(value, _SCALARS):
            return self._stand_in(
                self.error(
                    key,
                    f"expected text but found {kind_of(value)}",
                    fix=f"Write '{key}:' followed by the text on the same line"
                    " (in quotes if it contains a colon).",
                ),
                default,
            )
        if written is not None and not isinstance(value, str):
            return written.strip()  # as typed: "2.10", not 2.1; "2023-03-31", not a date
        if isinstance(value, date):
            return f"{value.day} {value:%B %Y}"
        return str(value).strip()

    def markdown(self, key: str, *, required: bool = False) -> Markup:
        """A block of Markdown, rendered to safe HTML (a table that loses cells: a warning)."""
        for _, lost in lost_cells(text := self.text(key, required=required)):
            self.warn(key, lost, fix=TABLE_FIX)
        return render_markdown(text)

    def inline(self, key: str, *, required: bool = False) -> Markup:
        """One line of Markdown, rendered to safe HTML without a paragraph."""
        return render_inline(self.text(key, required=required))

    def due(self, key: str, *, required: bool = False, means: str = "") -> DueDate:
        """A date as written ("31 st March 2021", "Mid-April 2021") and understood.

        Text plainly not a date ("Complete", "Ongoing") is kept quietly; text that looks
        like a date but cannot be understood is a warning. With ``means``, the key beside
        it may say what words such as "early in the New Year" stand for ("early 2015"):
        the date is shown as written and understood as that."""
        if means and self.has(means):
            return self._explained_due(key, means)
        due = parse_due(self.text(key, required=required))
        if doubt := doubt_about(due):  # not understood, or a quarter with one year
            self.warn(key, doubt[0], fix=doubt[1])
        return due

    def _explained_due(self, key: str, means: str) -> DueDate:
        written = self.text(key)
        if not written:
            return self._stand_in(
                self.error(
                    means,
                    f"'{means}' explains a '{key}' that is not there",
                    fix=f"Add '{key}:' with the words the report uses, e.g. 'early in the "
                    "New Year'.",
                ),
                parse_due(""),
                relational=True,
            )
        meaning = parse_due(self.text(means))
        if not meaning.understood:
            return self._stand_in(
                self.error(means, f"could not understand the date '{meaning.text}'", fix=DATE_FIX),
                parse_due(written),
                relational=True,
            )
        return replace(meaning, text=written)

    def status(self, key: str, status_key: StatusKey, *, required: bool = False) -> Status:
        """A status word from the area's key; an empty value is the key's blank level."""
        word = self.text(key, required=required)
        found = status_key.lookup(word)
        if found is None:
            allowed = status_key.allowed
            close = get_close_matches(word, allowed, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            error = self.error(
                key,
                f"unknown status '{word}' for the {status_key.title}",
                fix=f"Use one of: {', '.join(allowed)}, or leave it empty if not rated.{hint}",
            )
            return self._stand_in(error, status_key.blank_status)
        return found

    def texts(self, key: str, *, required: bool = False) -> list[str]:
        """A list of text lines; a single text value counts as a list of one."""
        value = self._require(key, required, "with one line per entry starting with '- '")
        if value is None:
            return []
        if isinstance(value, _SCALARS) and not isinstance(value, bool):
            return [self.text(key)]
        if not isinstance(value, list):
            return self._stand_in(self._not_a_list(key, value), [])
        entries = Fields(self.document, {}, (*self.path, key))
        result = []
        for index, entry in enumerate(value):
            if isinstance(entry, bool) or not isinstance(entry, _SCALARS):
                stand_in(
                    entries.error(
                        index,
                        f"expected text but found {kind_of(entry)}",
                        fix="Write each entry as text after '- ' on one line.",
                    ),
                    None,
                    (*self.path, key, index),
                )
                continue
            written = self.document.positions.written.get((*self.path, key, index))
            typed = written if written is not None and not isinstance(entry, str) else entry
            result.append(str(typed).strip())  # as typed: "2.10", not 2.1, as ``text``
        return result

    def inlines(self, key: str, *, required: bool = False) -> tuple[Markup, ...]:
        """A list of lines (as ``texts``), each rendered as one line of Markdown."""
        return tuple(render_inline(text) for text in self.texts(key, required=required))

    def flag(self, key: str, *, required: bool = False) -> bool:
        """A yes or no (``addressed: yes``); absent is no."""
        value = self._require(key, required, "followed by yes or no")
        if value is None:
            return False
        value = _YES_NO.get(value.strip().casefold(), value) if isinstance(value, str) else value
        if not isinstance(value, bool):  # "yes" in quotes is read as yes, above
            fix = f"Write '{key}: yes' or '{key}: no'."
            return self._stand_in(self.error(key, "expected yes or no", fix=fix), False)
        return value

    def unique(
        self, key: str, seen: dict[str, int], what: str, *, required: bool = False, fix: str = ""
    ) -> str:
        """The text at ``key``, refused if another entry sharing ``seen`` has it already, or
        one making the same anchor ("APP" and "app", "1.1" and "1-1": ``slugify``).

        ``seen`` maps each value to its line, and gains this one; an empty value is
        never a clash. ``what`` names it: "action 3 is already used on line 12".
        """
        value = self.text(key, required=required)
        same = slugify(value) or value
        if same in seen:
            error = self.error(
                key,
                f"{what} {value} is already used on line {seen[same]}",
                fix=fix or f"Give each {what} its own {key}.",
            )
            return self._stand_in(error, value, relational=True)
        if value:
            seen[same] = self.line(key) or 0
        return value

    def number(
        self,
        key: str,
        what: str,
        *,
        required: bool = False,
        seen: dict[str, int] | None = None,
        fix: str = "",
    ) -> str:
        """An entry's number as written ("7"), which must be a whole number.

        With ``seen``, no two entries sharing it may have the same number (see
        ``unique``; ``fix`` is for that mistake).
        """
        value = self.text(key, required=required)
        if value and not _WHOLE_NUMBER.fullmatch(value):
            error = self.error(
                key,
                f"{what} number '{value}' should be a whole number",
                fix=f"Write e.g. '{key}: \"3\"'"
                + ("." if required else f", or leave '{key}' out."),
            )
            return self._stand_in(error, value)
        return value if seen is None else self.unique(key, seen, what, fix=fix)

    def choice(
        self, key: str, options: Iterable[str], *, required: bool = False, default: str = ""
    ) -> str:
        """A word from a fixed set (``kind: milestone``), in any case, given back as
        the option is written; empty is ``default``. Any other word is refused,
        with the options listed."""
        word, allowed = self.text(key, required=required), tuple(options)
        if not word:
            return default
        for option in allowed:
            if option.lower() == word.lower():
                return option
        close = get_close_matches(word.lower(), allowed, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        fix = f"Use one of: {', '.join(allowed)}.{hint}"
        return self._stand_in(self.error(key, f"unknown {key} '{word}'", fix=fix), default)

    def matching(
        self,
        key: str,
        pattern: str,
        what: str,
        problem: str,
        *,
        fix: str,
        required: bool = False,
        seen: dict[str, int] | None = None,
    ) -> str:
        """Text written to a pattern (a regular expression the whole value must match).

        Anything else is "<what> <key> '<value>' <problem>" ("paragraph number
        '2.1' does not belong to section 1"), with ``fix``. With ``seen``, no two
        entries sharing it may have the same value (see ``unique``); that is
        checked first.
        """
        value = (
            self.text(key, required=required)
            if seen is None
            else self.unique(
                key,
                seen,
                f"{what} {key}",
                required=required,
                fix=f"Give each {what} its own {key}.",
            )
        )
        if value and not re.fullmatch(pattern, value):
            error = self.error(key, f"{what} {key} '{value}' {problem}", fix=fix)
            return self._stand_in(error, value, relational=True)
        return value

    def list(self, key: str, *, required: bool = False) -> list[Fields]:
        """A list of mappings (e.g. table rows), each as its own ``Fields``."""
        value = self._require(key, required, "with one '- ' entry per row, indented under it")
        if value is None:
            return []
        if not isinstance(value, list):
            return self._stand_in(self._not_a_list(key, value), [])
        rows = []
        for index, row in enumerate(value):
            if not isinstance(row, dict):
                error = Fields(self.document, {}, (*self.path, key)).error(
                    index,
                    f"expected 'key: value' lines but found {kind_of(row)}",
                    fix="Each entry starts with '- ' and holds 'key: value' lines, "
                    "indented under it.",
                )
                stand_in(error, None, (*self.path, key, index))  # read on without it
                continue
            rows.append(Fields(self.document, row, (*self.path, key, index)))
        return rows

    def mapping(self, key: str, *, required: bool = False) -> Fields:
        """A nested mapping as its own ``Fields`` (empty if absent)."""
        value = self._require(key, required, "with 'key: value' lines indented under it")
        if value is None:
            return Fields(self.document, {}, (*self.path, key))
        if not isinstance(value, dict):
            error = self.error(
                key,
                f"expected 'key: value' lines but found {kind_of(value)}",
                fix=f"Indent the lines under '{key}:' as 'key: value' pairs.",
            )
            return self._stand_in(error, Fields(self.document, {}, (*self.path, key)))
        return Fields(self.document, value, (*self.path, key))

    def check_known(self, known: Iterable[str]) -> None:
        """Warn at once about keys of this mapping not in ``known`` (often a misspelling).

        Rarely needed: ``read_checked`` (how the core calls every reader)
        checks each mapping against the keys that were read. A mapping checked
        here is not checked again. At the top of the front matter the core's
        own keys (``format``, ``title``, ``slug``, ``topics``) are always allowed.
        """
        self._checked = True
        self._warn_unknown(set(known))

    def _warn_unknown(self, known: set[str]) -> None:
        allowed = known | (CORE_KEYS if not self.path else set())
        for key in self._data:
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


def _describe(path: tuple[str | int, ...]) -> str:
    if not path:
        return "front matter"
    text = ""
    for part in path:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
