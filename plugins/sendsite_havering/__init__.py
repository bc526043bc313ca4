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

from sendsite import Format

from .reader import PROGRESS_KEY, read_report

__version__ = "0.1.0"

FORMAT = Format(
    "havering-board-report",
    "Health & Wellbeing Board report",
    read_report,
    "havering/report.html",
    (PROGRESS_KEY,),
    date_field="date",
)
