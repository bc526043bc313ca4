"""Data exports for analysts: ``data/milestones.csv``, ``data/risks.csv``, ``data/items.json``.

CSV files are UTF-8 with a byte-order mark, so Excel opens them with the right
characters; every date is given as written and as understood (ISO 8601). Text
that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` first) is
prefixed with ``'`` in the CSV files only; the JSON keeps every value exact.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from operator import itemgetter
from pathlib import PurePosixPath
from typing import Any

from sendsite.build.deferred import Reusable, Streamed
from sendsite.builtin.crossarea import RiskRow, TrackerRow
from sendsite.builtin.paging import latest

__all__ = [
    "MILESTONE_COLUMNS",
    "RISK_COLUMNS",
    "array_parts",
    "csv_cell",
    "csv_file",
    "csv_lines",
    "export_files",
    "json_lines",
]

MILESTONE_COLUMNS = [
    "area", "area_name", "report", "report_title", "report_date", "report_date_text",
    "kind", "section", "ref", "text", "owner", "due_text", "due_start", "due_end",
    "due_precision", "status", "status_label", "status_key", "overdue", "url", "latest",
]  # fmt: skip
RISK_COLUMNS = [
    "area", "area_name", "report", "report_title", "report_date", "report_date_text",
    "section", "ref", "text", "mitigation", "owner", "rating", "rating_label", "rating_text",
    "rating_key", "likelihood", "impact", "score", "url", "latest",
]  # fmt: skip


def _report_fields(row: TrackerRow | RiskRow) -> dict[str, Any]:
    entry = row.entry
    as_of = entry.report.as_of
    return {
        "area": entry.area.slug,
        "area_name": entry.area.name,
        "report": entry.slug,
        "report_title": entry.title,
        "report_date": as_of.isoformat() if as_of else "",
        "report_date_text": entry.report.date.text if entry.report.date else "",
        "url": row.target.replace("index.html#", "#"),
        "latest": latest(entry),
    }


def milestone_record(row: TrackerRow) -> dict[str, Any]:
    """One milestone or action as a flat record (the CSV row and JSON object)."""
    item = row.item
    return {
        **_report_fields(row),
        "kind": item.kind,
        "ref": item.ref,
        "section": item.section,
        "text": item.text,
        "owner": item.owner,
        "due_text": item.due.text,
        "due_start": item.due.start.isoformat() if item.due.start else "",
        "due_end": item.due.end.isoformat() if item.due.end else "",
        "due_precision": item.due.precision,
        "status": item.status.level.slug,
        "status_label": item.status.label,
        "status_key": item.status.key,
        "overdue": row.overdue,
    }


def risk_record(row: RiskRow) -> dict[str, Any]:
    """One risk as a flat record: its rating on the risk scale (``high``), the area's
    word (``Amber``), both as shown, and its likelihood, impact and score where given."""
    risk, rating = row.risk, row.risk.rating
    return {
        **_report_fields(row),
        "section": risk.section,
        "ref": risk.ref,
        "text": risk.text,
        "mitigation": risk.mitigation,
        "owner": risk.owner,
        "rating": rating.level.slug,
        "rating_label": rating.label,
        "rating_text": rating.text,
        "rating_key": rating.key,
        "likelihood": rating.likelihood,
        "impact": rating.impact,
        "score": rating.score,
    }


#: What makes a spreadsheet read a cell as a formula (OWASP's list, spaces allowed first).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value: Any) -> Any:
    """A value made safe for a spreadsheet: text that would start a formula gets a ``'``.

    Excel and LibreOffice run a cell such as ``=HYPERLINK(...)`` or ``@SUM(...)``
    as a formula; the leading apostrophe makes them show it as text. Numbers
    and the JSON export are left exactly as they are.
    """
    if isinstance(value, str) and value.lstrip(" ").startswith(_FORMULA_START):
        return "'" + value
    return value


#: First characters after which ``csv_cell`` may have something to do.
_MAYBE_FORMULA = frozenset(" =+-@\t\r\n")


def _cell(value: Any) -> Any:
    """A value as its CSV cell: ``yes``/``no`` for booleans, text through ``csv_cell``."""
    if value.__class__ is str:  # most cells: plain text that cannot start a formula
        return csv_cell(value) if value[:1] in _MAYBE_FORMULA else value
    return "yes" if value is True else "no" if value is False else csv_cell(value)


class _CsvLines:
    """Records as CSV lines, by one writer (a writer and a buffer a line cost more
    than the line itself)."""

    def __init__(self, columns: list[str]) -> None:
        self._values = itemgetter(*columns)
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")

    def __call__(self, record: dict[str, Any]) -> str:
        self._writer.writerow(
            [
                v if v.__class__ is str and v[:1] not in _MAYBE_FORMULA else _cell(v)
                for v in self._values(record)
            ]
        )
        line = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return line


def _csv_line(record: dict[str, Any], columns: list[str]) -> str:
    return _CsvLines(columns)(record)


#: ``json.dumps(record, ensure_ascii=False, sort_keys=True)``, without making an
#: encoder for every record.
_json_line = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode

#: The rows an export lists: how each becomes a record, and the CSV file's columns.
_KINDS: dict[str, tuple[Callable[[Any], dict[str, Any]], list[str]]] = {
    "milestone": (milestone_record, MILESTONE_COLUMNS),
    "risk": (risk_record, RISK_COLUMNS),
}


def _encoded(
    line: Callable[[dict[str, Any]], str], record_of: Callable[[Any], dict[str, Any]], row: Any
) -> bytes:
    return line(record_of(row)).encode()


#: Where each item's export lines are kept, in ``Site.memo``: they live as long as the
#: pipeline does (the preview's), not the process.
_MEMO_KEY = "exports.lines"
#: An item's lines, by the ids of the item and its report entry: the two objects and
#: whether the report was the latest of its series (so a line is reused only while they
#: are the same objects and it still is, or is not), its CSV line and its JSON line.
_Kept = dict[tuple[int, int], tuple[object, object, bool, bytes, bytes]]


class _Lines:
    """Each item's export lines (UTF-8: half the memory of text with a dash in it).

    From the second making of the exports in one pipeline on (the preview, after a
    save), the lines are kept in ``memo`` and reused while the item and its report are
    the same objects (it keeps unchanged reports between rebuilds). A build makes the
    exports once, and keeps nothing: a 10,000-report site's lines are 250 MB.
    """

    def __init__(self, memo: dict[str, Any] | None) -> None:
        self.keep = memo is not None and _MEMO_KEY in memo
        self.last: _Kept = memo.get(_MEMO_KEY) or {} if memo is not None else {}
        self.seen: _Kept = {}
        if memo is not None:  # only what this site holds now: nothing grows without bound
            memo[_MEMO_KEY] = self.seen

    def of(self, rows: list[Any], kind: str, which: int) -> Iterator[bytes | Reusable]:
        """Each row's CSV line (``which`` 2) or JSON line (3), in order, made as asked for.

        A build gives each line as a ``Reusable`` piece keyed by its report's entry and
        whether it is the latest of its series: a build after an edit copies the lines
        of the reports not read again, nor followed by a new one or no longer, from the
        last site's file (``build.reused``)."""
        record_of, columns = _KINDS[kind]
        if not self.keep:
            line = _CsvLines(columns) if which == 2 else _json_line
            for row in rows:
                piece = (row.entry.stamp, kind, latest(row.entry))
                yield piece, partial(_encoded, line, record_of, row)
            return
        csv_line = _CsvLines(columns)
        for row in rows:
            thing = row.item if isinstance(row, TrackerRow) else row.risk
            key, now = (id(thing), id(row.entry)), latest(row.entry)
            hit = self.seen.get(key) or self.last.get(key)
            if hit is None or hit[0] is not thing or hit[1] is not row.entry or hit[2] != now:
                record = record_of(row)
                csv, json_ = csv_line(record).encode(), _json_line(record).encode()
                hit = (thing, row.entry, now, csv, json_)
            self.seen[key] = hit
            yield hit[3] if which == 2 else hit[4]


def csv_file(columns: list[str], lines: Iterable[bytes | Reusable]) -> Iterator[bytes | Reusable]:
    """A CSV export: a byte-order mark (for Excel), the header row, then ``lines``."""
    yield ("\ufeff" + _csv_line({c: c for c in columns}, columns)).encode()
    yield from lines


def csv_lines(records: Iterable[dict[str, Any]], columns: list[str]) -> Iterator[bytes]:
    """Each record's CSV line (formulas neutralised: ``csv_cell``), UTF-8, as asked for."""
    csv_line = _CsvLines(columns)
    return (csv_line(record).encode() for record in records)


def json_lines(records: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """Each record's JSON line (keys sorted), UTF-8, as asked for."""
    return (_json_line(record).encode() for record in records)


def array_parts(lines: Iterable[bytes | Reusable]) -> Iterator[bytes | Reusable]:
    """JSON lines as the pieces of an array, one element a line (or a piece of lines
    joined by ``",\\n"``)."""
    yield b"["
    first = True
    for line in lines:
        yield b"\n" if first else b",\n"
        yield line
        first = False
    yield b"]" if first else b"\n]"


def export_files(
    milestones: list[TrackerRow], risks: list[RiskRow], memo: dict[str, Any] | None = None
) -> dict[PurePosixPath, Streamed]:
    """The three export files, by their path in the site, each made piece by piece as it
    is written (``Streamed``). ``memo`` (``Site.memo``): see ``_Lines``."""
    lines = _Lines(memo)

    def items() -> Iterator[bytes | Reusable]:
        yield b'{"schema": "sendsite-items/2",\n"milestones": '
        yield from array_parts(lines.of(milestones, "milestone", 3))
        yield b',\n"risks": '
        yield from array_parts(lines.of(risks, "risk", 3))
        yield b"}\n"

    return {
        PurePosixPath("data/milestones.csv"): Streamed(
            lambda: csv_file(MILESTONE_COLUMNS, lines.of(milestones, "milestone", 2))
        ),
        PurePosixPath("data/risks.csv"): Streamed(
            lambda: csv_file(RISK_COLUMNS, lines.of(risks, "risk", 2))
        ),
        PurePosixPath("data/items.json"): Streamed(items),
    }
