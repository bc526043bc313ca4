"""Southend SEND partnership highlight reports (``format: southend-highlight``).

A highlight report to the Southend SEND Strategic Partnership Board: priority
areas P1, P2 … each with a milestone table (completed-by date, RAG), top risks
and issues with mitigations, a narrative, and next-period activities; then the
decisions asked of the board.
"""

from sendsite import Format

from .reader import RAG_KEY, RISK_KEY, read_report

__version__ = "0.1.0"

FORMAT = Format(
    "southend-highlight",
    "Highlight report",
    read_report,
    "southend/report.html",
    (RAG_KEY, RISK_KEY),
    date_field="meeting_date",
)
