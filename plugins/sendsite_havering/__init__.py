"""Havering Health & Wellbeing Board reports (``format: havering-board-report``).

A report to the Havering Health & Wellbeing Board, such as the SEND Joint
Commissioning Group's annual report: a cover sheet (board, subject, board lead,
author and contact, the Health and Wellbeing Strategy priorities it addresses),
a summary, recommendations, the report detail as numbered sections and
paragraphs (1.1, 1.2 …, each linkable as ``#para-1-1``), implications and risks
(financial, legal, HR, equalities) each signed by an officer, and background
papers. There is no milestone table: the commissioning milestones and actions
that paragraphs state are recorded beside those paragraphs.
"""

from __future__ import annotations

from pathlib import Path

from sendsite import Format, hookimpl

from .reader import PROGRESS_KEY, read_report

__version__ = "0.1.0"

FORMAT = Format(
    name="havering-board-report",
    title="Health & Wellbeing Board report",
    read=read_report,
    template="havering/report.html",
    status_keys=(PROGRESS_KEY,),
    description="Havering Health & Wellbeing Board report with numbered paragraphs",
)


@hookimpl
def register_formats() -> list[Format]:
    return [FORMAT]


@hookimpl
def register_template_dirs() -> list[Path]:
    return [Path(__file__).parent / "templates"]


@hookimpl
def register_static_dirs() -> dict[str, Path]:
    return {"havering": Path(__file__).parent / "static"}
