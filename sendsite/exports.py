"""Data exports for analysts: ``data/milestones.csv``, ``data/risks.csv``, ``data/items.json``.

CSV files are UTF-8 with a byte-order mark, so Excel opens them with the right
characters; every date is given as written and as understood (ISO 8601).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import PurePosixPath
from typing import Any

from .crossarea import RiskRow, TrackerRow

__all__ = ["MILESTONE_COLUMNS", "RISK_COLUMNS", "export_files"]

MILESTONE_COLUMNS = [
    "area", "area_name", "report", "report_title", "report_date", "report_date_text",
    "kind", "section", "text", "owner", "due_text", "due_start", "due_end",
    "due_precision", "status", "status_label", "status_key", "overdue", "url",
]  # fmt: skip
RISK_COLUMNS = [
    "area", "area_name", "report", "report_title", "report_date", "report_date_text",
    "section", "text", "mitigation", "owner", "status", "status_label", "status_key", "url",
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
    """One risk as a flat record."""
    risk = row.risk
    return {
        **_report_fields(row),
        "section": risk.section,
        "text": risk.text,
        "mitigation": risk.mitigation,
        "owner": risk.owner,
        "status": risk.status.level.slug,
        "status_label": risk.status.label,
        "status_key": risk.status.key,
    }


def _csv(records: list[dict[str, Any]], columns: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow(
            {k: ("yes" if v is True else "no" if v is False else v) for k, v in record.items()}
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _json(milestones: list[dict[str, Any]], risks: list[dict[str, Any]]) -> bytes:
    """The JSON document with one record per line: readable, diffable and quick to write."""

    def array(records: list[dict[str, Any]]) -> str:
        lines = ",\n".join(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records)
        return f"[\n{lines}\n]" if records else "[]"

    return (
        f'{{"schema": "sendsite-items/1",\n"milestones": {array(milestones)},\n'
        f'"risks": {array(risks)}}}\n'
    ).encode()


def export_files(milestones: list[TrackerRow], risks: list[RiskRow]) -> dict[PurePosixPath, bytes]:
    """The three export files, by their path in the site."""
    items = [milestone_record(r) for r in milestones]
    risk_list = [risk_record(r) for r in risks]
    return {
        PurePosixPath("data/milestones.csv"): _csv(items, MILESTONE_COLUMNS),
        PurePosixPath("data/risks.csv"): _csv(risk_list, RISK_COLUMNS),
        PurePosixPath("data/items.json"): _json(items, risk_list),
    }
