"""Checking the model objects a plugin hands back or changes: a report, its rows, terms,
search records, each field of the type the model gives it.

A reader that puts text where an ``Item`` goes, or a ``prepare_report`` that sets a
title to a number, would otherwise fail pages later with a traceback naming no plugin.
Each function says in words what is wrong (None: nothing), for ``call_each`` and the
reader's caller to raise as the plugin's error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["describe", "wrong_records", "wrong_report", "wrong_term"]


def describe(value: object) -> str:
    """What ``value`` is, in words for a message: "text", "bytes", "None", "an int"."""
    if value is None:
        return "None"
    if isinstance(value, str | bytes):
        return "text" if isinstance(value, str) else "bytes"
    name = type(value).__name__
    return f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}"


def _wrong_fields(value: object, where: str, types: Mapping[str, Any]) -> str | None:
    """The first field of ``value`` not of its type in ``types`` (a type or a tuple)."""
    for name, kind in types.items():
        got = getattr(value, name, None)
        if not isinstance(got, kind):
            wanted = kind if isinstance(kind, tuple) else (kind,)
            names = " or ".join("None" if t is type(None) else t.__name__ for t in wanted)
            return f"{where}.{name} as {describe(got)}, where {names} is due"
    return None


def _wrong_rows(rows: object, where: str, kind: type, types: Mapping[str, Any]) -> str | None:
    if not isinstance(rows, list | tuple):
        return f"{where} as {describe(rows)}, where a list is due"
    for n, row in enumerate(rows):
        if not isinstance(row, kind):
            return f"{where}[{n}] as {describe(row)}, where {kind.__name__} is due"
        if wrong := _wrong_fields(row, f"{where}[{n}]", types):
            return wrong
    return None


def wrong_report(report: object) -> str | None:
    """What is not of its type in ``report`` (a ``Report``), as "items[0] as text, where
    Item is due"; None if nothing."""
    from sendsite.content.dates import DueDate
    from sendsite.content.model import GlossaryTerm, Item, Risk, Section
    from sendsite.content.risk_rating import RiskRating
    from sendsite.content.status import Status

    text = {"text": str, "anchor": str, "owner": str, "section": str, "ref": str}
    return (
        _wrong_fields(report, "report", {"title": str, "date": (DueDate, type(None))})
        or _wrong_summary(getattr(report, "summary", None))
        or _wrong_rows(
            getattr(report, "sections", None),
            "report.sections",
            Section,
            {"anchor": str, "title": str, "level": int, "text": str},
        )
        or _wrong_rows(
            getattr(report, "items", None),
            "report.items",
            Item,
            {"kind": str, **text, "status": Status, "due": DueDate},
        )
        or _wrong_rows(
            getattr(report, "risks", None),
            "report.risks",
            Risk,
            {**text, "mitigation": str, "rating": RiskRating, "status": (Status, type(None))},
        )
        or _wrong_rows(getattr(report, "glossary", None), "report.glossary", GlossaryTerm, _TERM)
        or _wrong_anchors(report)
    )


_ANCHOR = re.compile(r"[a-z0-9][a-z0-9-]*")


def _wrong_anchors(report: Any) -> str | None:
    """The first anchor that is not lower-case letters, digits and hyphens, or that two
    rows share (each is an element's id on the report's page: docs/model.md)."""
    seen: dict[str, str] = {}
    for field in ("sections", "items", "risks"):
        for n, row in enumerate(getattr(report, field)):
            where = f"report.{field}[{n}].anchor"
            if not _ANCHOR.fullmatch(row.anchor):
                return (
                    f"{where} '{row.anchor}', which is not lower-case letters, digits and hyphens"
                )
            if row.anchor in seen:
                return f"{where} '{row.anchor}', the anchor of {seen[row.anchor]} too"
            seen[row.anchor] = where[: -len(".anchor")]
    return None


def _wrong_summary(summary: object) -> str | None:
    if not isinstance(summary, list | tuple):
        return f"report.summary as {describe(summary)}, where a list is due"
    for n, row in enumerate(summary):
        if not (isinstance(row, tuple | list) and len(row) == 2):
            return f"report.summary[{n}] as {describe(row)}, where a (label, value) pair is due"
        label, value = row
        if not isinstance(label, str) or isinstance(value, bool) or not _is_shown(value):
            return (
                f"report.summary[{n}] as ({describe(label)}, {describe(value)}), where a "
                "label (text) and a value (text or a number) are due"
            )
    return None


def _is_shown(value: object) -> bool:
    """Whether a key fact's value is shown as it is: text or a number."""
    return isinstance(value, str | int | float)


_TERM = {"term": str, "expansion": str, "description": str, "aliases": (tuple, list)}


def wrong_term(terms: Sequence[object]) -> str | None:
    """What is not of its type in a list of ``GlossaryTerm`` objects; None if nothing."""
    for n, term in enumerate(terms):
        if wrong := _wrong_fields(term, f"terms[{n}]", _TERM):
            return wrong
    return None


def wrong_records(records: object) -> str | None:
    """What is not of its type in the search records; None if nothing."""
    from sendsite.builtin.search.records import SearchRecord

    types = {name: str for name in ("url", "title", "text", "kind", "area", "report", "date")}
    return _wrong_rows(records, "records", SearchRecord, {**types, "aka": list, "items": list})
