"""Southend SEND partnership highlight reports (``format: southend-highlight``).

A highlight report to the Southend SEND Strategic Partnership Board: priority
areas P1, P2 … each with a milestone table (completed-by date, RAG), top risks
and issues with mitigations, a narrative, and next-period activities; then the
decisions asked of the board.
"""

from __future__ import annotations

from pathlib import Path

from sendsite import Format, hookimpl

from .reader import RAG_KEY, read_report

__version__ = "0.1.0"

FORMAT = Format(
    name="southend-highlight",
    title="Highlight report",
    read=read_report,
    template="southend/report.html",
    status_keys=(RAG_KEY,),
    description="Southend SEND Strategic Partnership Board highlight report",
)


@hookimpl
def register_formats() -> list[Format]:
    return [FORMAT]


@hookimpl
def register_template_dirs() -> list[Path]:
    return [Path(__file__).parent / "templates"]
