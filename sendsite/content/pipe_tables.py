"""Markdown pipe tables that would lose what they hold, found before they are rendered.

GitHub's table rules (cmark-gfm's) drop a row's cells past its table's columns, and show a
table whose line of dashes has other cells than its header as plain text: figures pasted
from a spreadsheet would vanish from the page without a word. ``lost_cells`` finds both,
so the build can warn at their lines.
"""

from __future__ import annotations

import re

from sendsite.content.markdown import CODE_FENCE

__all__ = ["TABLE_FIX", "lost_cells"]

#: A table's line of dashes: ``|---|:---:|``, each cell dashes with a colon at either end.
_DASHES = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
#: Somewhere in a text, what could be a table's line of dashes (a cell of dashes by a pipe).
_A_DASH_ROW = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*\|", re.MULTILINE)
#: What does not part cells: an escaped pipe (one in a code span does, as GitHub's does).
_NOT_A_PIPE = re.compile(r"\\\|")
TABLE_FIX = (
    "Give each row, and the line of dashes, as many cells as the table's header has (add "
    "a column to the header, and a '---' under it, for what rows hold past it)."
)


def _cells(line: str) -> int:
    text = _NOT_A_PIPE.sub("", line).strip()
    text = text.removeprefix("|").removesuffix("|")
    return text.count("|") + 1


def lost_cells(text: str) -> list[tuple[int, str]]:
    """Each table row in ``text`` with more cells than its table has columns, and each
    table whose line of dashes does not match its header: (index of the line, what is
    wrong)."""
    if "|" not in text or _A_DASH_ROW.search(text) is None:  # most texts: no table at all
        return []
    found: list[tuple[int, str]] = []
    lines = text.split("\n")
    fenced, columns = False, 0  # columns: of the table the lines are in, 0 if none
    for n, line in enumerate(lines):
        if "|" not in line and not columns and not fenced and "`" not in line and "~" not in line:
            continue  # most lines: not in a table, nor a fence
        if CODE_FENCE.match(line):
            fenced, columns = not fenced, 0
            continue
        if fenced:
            continue
        if columns and line.strip():
            if "|" in line and (count := _cells(line)) > columns:
                lost = f"the last {count - columns} would not be shown"
                found.append((n, f"this table row has {count} cells but its table {columns} "
                                 f"columns: {lost}"))  # fmt: skip
            continue
        columns = 0
        below = lines[n + 1] if n + 1 < len(lines) else ""
        if "|" in line and "|" in below and "-" in below and _DASHES.match(below):
            head, dashes = _cells(line), _cells(below)
            if head == dashes:
                columns = head
                continue
            shown = "the table would be shown as plain text"
            found.append((n, f"this table's header has {head} cells but the line of dashes "
                             f"under it {dashes}: {shown}"))  # fmt: skip
    return found
