"""Lancashire SEND Accelerated Progress Plan highlight reports
(``format: lancashire-app-highlight``).

The outcomes the plan seeks for children and young people with SEND, then one
page per action (1–5): its priorities for delivery, key progress since the
last update, key milestones this quarter (due date, responsible owner), the
actions for the next month, 3 months and 6 months, risks with mitigation and
RAG, key issues and gaps, and the support required; then a glossary. Progress
and risk each have their own colour key.
"""

from sendsite import Format

from .reader import PROGRESS_KEY, RISK_KEY, read_report

__version__ = "0.1.0"

FORMAT = Format(
    "lancashire-app-highlight",
    "Accelerated Progress Plan highlight report",
    read_report,
    "lancashire/report.html",
    (PROGRESS_KEY, RISK_KEY),
    date_field="date",
)
