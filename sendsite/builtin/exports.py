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
from collections.abc import Callable, Iterable
from operator import itemgetter
from pathlib import PurePosixPath
from typing import Any

from sendsite.builtin.crossarea import RiskRow, TrackerRow

__all__ = [
    "MILESTONE_COLUMNS",
    "RISK_COLUMNS",
    "array_parts",
    "csv_cell",
    "csv_file",
    "export_files",
    "export_lines",
]

MILESTONE_COLUMNS = [
    "area", "area_name", "report", "report_title", "report_date", "report_date_text",
    "kind", "section", "ref", "text", "owner", "due_text", "due_start", "due_end",
    "due_precision", "status", "status_label", "status_key", "overdue", "url",
]  # fmt: skip
RISK_COLUMNS = [
    "area", "area_name", "report", "report_title", "report_date", "report_date_text",
    "section", "ref", "text", "mitigation", "owner", "rating", "rating_label", "rating_text",
    "rating_key", "likelihood", "impact", "score", "url",
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


#: Each item's export lines (UTF-8: half the memory of text with a dash in it), reused
#: while the item and its report are the same objects (``sendsite serve`` keeps
#: unchanged reports between rebuilds).
_Lines = dict[tuple[int, int], tuple[object, object, bytes, bytes]]
#: Where the lines are kept, in ``Site.memo``: they live as long as the pipeline does
#: (the preview's), not the process (a build's would hold them, unused, to the end).
_MEMO_KEY = "exports.lines"


def _export_lines(
    rows: list[Any],
    record_of: Callable[[Any], dict[str, Any]],
    columns: list[str],
    last: _Lines,
    seen: _Lines,
) -> tuple[list[bytes], list[bytes]]:
    """The CSV and JSON lines of ``rows`` (milestones or risks), in order."""
    csv_lines, json_lines = [], []
    csv_line = _CsvLines(columns)
    for row in rows:
        thing = row.item if isinstance(row, TrackerRow) else row.risk
        key = (id(thing), id(row.entry))
        hit = last.get(key)
        if hit is None or hit[0] is not thing or hit[1] is not row.entry:
            record = record_of(row)
            hit = (
                thing,
                row.entry,
                csv_line(record).encode(),
                _json_line(record).encode(),
            )
        seen[key] = hit
        csv_lines.append(hit[2])
        json_lines.append(hit[3])
    return csv_lines, json_lines


def csv_file(columns: list[str], lines: list[bytes]) -> bytes:
    """A CSV export: a byte-order mark (for Excel), the header row, then ``lines``."""
    header = _csv_line({c: c for c in columns}, columns)
    return b"".join([("\ufeff" + header).encode(), *lines])


def export_lines(
    records: Iterable[dict[str, Any]], columns: list[str]
) -> tuple[list[bytes], list[bytes]]:
    """Each record's CSV line (formulas neutralised: ``csv_cell``) and JSON line (keys
    sorted), UTF-8, made one record at a time: the records need not all be held."""
    csv_line = _CsvLines(columns)
    csv_rows, json_rows = [], []
    for record in records:
        csv_rows.append(csv_line(record).encode())
        json_rows.append(_json_line(record).encode())
    return csv_rows, json_rows


def array_parts(lines: list[bytes]) -> list[bytes]:
    """JSON lines as the pieces of an array, one element a line, to be joined once with
    what surrounds them: a big export is copied once, not three times (at 10,000
    reports its items.json is 170 MB)."""
    if not lines:
        return [b"[]"]
    parts = [b"[\n"]
    for line in lines:
        parts += (line, b",\n")
    parts[-1] = b"\n]"
    return parts


def export_files(
    milestones: list[TrackerRow], risks: list[RiskRow], memo: dict[str, Any] | None = None
) -> dict[PurePosixPath, bytes]:
    """The three export files, by their path in the site. ``memo`` (``Site.memo``) keeps
    each item's lines for the next call, which reuses those of items as they were."""
    last: _Lines = memo.get(_MEMO_KEY, {}) if memo is not None else {}
    seen: _Lines = {}
    milestone_csv, milestone_json = _export_lines(
        milestones, milestone_record, MILESTONE_COLUMNS, last, seen
    )
    risk_csv, risk_json = _export_lines(risks, risk_record, RISK_COLUMNS, last, seen)
    if memo is not None:
        memo[_MEMO_KEY] = seen  # only what this site holds now: nothing grows without bound

    document = b"".join(
        [
            b'{"schema": "sendsite-items/2",\n"milestones": ',
            *array_parts(milestone_json),
            b',\n"risks": ',
            *array_parts(risk_json),
            b"}\n",
        ]
    )
    return {
        PurePosixPath("data/milestones.csv"): csv_file(MILESTONE_COLUMNS, milestone_csv),
        PurePosixPath("data/risks.csv"): csv_file(RISK_COLUMNS, risk_csv),
        PurePosixPath("data/items.json"): document,
    }
