"""Essex SEND joint commissioning papers (``format: essex-joint-commissioning``).

A progress paper on joint commissioning in the Essex Local Area: background,
vision, outcomes, objectives, scope, principles and family engagement, then
one section per workstream (Therapies, Neuro Development, SENDIASS, the Local
Offer, Equipment) with what success looks like, a roadmap, and Phase One and
Phase Two activities; then overall success and a summary review.
"""

from sendsite import Format

from .reader import PROGRESS_KEY, read_report

__version__ = "0.1.0"

FORMAT = Format(
    "essex-joint-commissioning",
    "Joint commissioning progress paper",
    read_report,
    "essex/report.html",
    (PROGRESS_KEY,),
    date_field="period",
)
