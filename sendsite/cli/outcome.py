"""What ``build`` and ``check`` did, for people (a summary) and for machines (JSON).

The JSON shape is ``sendsite-result/1``, described by ``docs/result.schema.json``:
one object with the command, whether it succeeded, the figures of the site and
of each stage, and every problem with its file, line, message and fix.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sendsite.build.progress import STAGES
from sendsite.cli.messages import shown_message
from sendsite.errors import Problem

if TYPE_CHECKING:
    from sendsite.build.publish import BuildResult, SiteCounts
    from sendsite.builtin.search.index import IndexSummary

__all__ = ["SCHEMA", "problem_record", "result_record", "summary_lines"]

SCHEMA = "sendsite-result/1"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.0f} KB"


def summary_lines(result: BuildResult) -> list[str]:
    """The table printed after a build: what the site holds, seconds per stage, sizes."""
    counts = result.counts
    left = [("Areas", counts.areas), ("Reports", counts.reports), ("Pages", counts.pages)]
    right = [
        ("Milestones and actions", counts.milestones),
        ("Risks", counts.risks),
        ("Warnings", len(result.warnings)),
    ]
    lines = [""]
    for (name, value), (other, number) in zip(left, right, strict=True):
        lines.append(f"  {name:<9}{value:>7,}    {other:<24}{number:>7,}")
    lines.append("")
    for key, label in STAGES.items():
        if key in result.stages:
            lines.append(f"  {label:<22}{result.stages[key]:>7.2f} s")
    sizes = f"  Output {_megabytes(result.output_bytes)} in {_plural(result.files, 'file')}"
    if result.search is not None:
        sizes += (
            f"; the search index {_megabytes(result.search.bytes)} in "
            f"{_plural(result.search.files, 'file')} ({_plural(result.search.records, 'record')}"
            + _index_source(result.search)
        )
    lines += ["", sizes + "."]
    if result.rendered < result.pages:
        lines.append(
            f"  From the last build's cache: {result.pages - result.rendered:,} of "
            f"{_plural(result.pages, 'page')}; {_plural(result.read, 'content file')} read "
            "again (sendsite build --no-cache reads and renders everything)."
        )
    return lines


def _index_source(search: IndexSummary) -> str:
    """What of the search index came from the last build, and whether a first search
    looks in the newest reports only, for the summary's sizes line."""
    said = ""
    if search.since:
        first = date.fromisoformat(search.since)
        said = f"; the reports from {first.day} {first:%B %Y} on are searched first"
    if search.reused:
        return said + "; the same records as last time, so copied from the last build)"
    if search.parts_copied:
        return said + (
            f"; {search.parts_copied} of its {search.parts} parts copied from the last build, "
            "their records unchanged)"
        )
    return said + ")"


def problem_record(
    problem: Problem, level: str, base: Path | None, root: Path | None
) -> dict[str, Any]:
    """A problem as JSON: its file relative to the site folder where it is inside it."""
    file: str | None = None
    if problem.file is not None:
        path = Path(problem.file)
        if not path.is_absolute() and base is not None:
            path = base / path
        file = str(path)
        if root is not None and path.is_absolute():
            relative = os.path.relpath(path, root)
            file = str(path) if relative.startswith("..") else Path(relative).as_posix()
    return {
        "level": level,
        "file": file,
        "line": problem.line,
        "column": problem.column,
        "message": shown_message(problem),
        "fix": problem.fix,
    }


def _counts(counts: SiteCounts) -> dict[str, int]:
    return {
        "areas": counts.areas,
        "reports": counts.reports,
        "pages": counts.pages,
        "milestones": counts.milestones,
        "risks": counts.risks,
    }


def result_record(
    command: str,
    *,
    errors: list[Problem] | None = None,
    warnings: list[Problem] | None = None,
    base: Path | None = None,
    root: Path | None = None,
    result: BuildResult | None = None,
    counts: SiteCounts | None = None,
    failed: bool = False,
) -> dict[str, Any]:
    """The whole outcome of ``command`` (``build`` or ``check``) as one JSON object.

    ``failed``: the command failed even if no error is listed (``--strict`` and warnings).
    """
    errors, warnings = errors or [], warnings or []
    shown = result.counts if result else counts
    record: dict[str, Any] = {
        "schema": SCHEMA,
        "command": command,
        "ok": not (errors or failed),
        "counts": _counts(shown) if shown is not None else None,
        "problems": [problem_record(p, "error", base, root) for p in errors]
        + [problem_record(p, "warning", base, root) for p in warnings],
    }
    if result is not None:
        record |= {
            "output": str(result.output),
            "pages": result.pages,
            "files": result.files,
            "seconds": round(result.seconds, 3),
            "stages": {key: round(seconds, 3) for key, seconds in result.stages.items()},
            "output_bytes": result.output_bytes,
            "read": result.read,
            "rendered": result.rendered,
            "search": None
            if result.search is None
            else {
                "records": result.search.records,
                "words": result.search.words,
                "files": result.search.files,
                "bytes": result.search.bytes,
                "reused": result.search.reused,
                "parts": result.search.parts,
                "parts_copied": result.search.parts_copied,
                "since": result.search.since or None,
            },
        }
    return record
