"""Essex SEND joint commissioning papers (``format: essex-joint-commissioning``).

A progress paper on joint commissioning in the Essex Local Area: background,
vision, outcomes, objectives, scope, principles and family engagement, then
one section per workstream (Therapies, Neuro Development, SENDIASS, the Local
Offer, Equipment) with what success looks like, a roadmap, and Phase One and
Phase Two activities; then overall success and a summary review.
"""

from __future__ import annotations

from pathlib import Path

from sendsite import Format, hookimpl

from .reader import PROGRESS_KEY, read_report

__version__ = "0.1.0"

FORMAT = Format(
    name="essex-joint-commissioning",
    title="Joint commissioning progress paper",
    read=read_report,
    template="essex/report.html",
    status_keys=(PROGRESS_KEY,),
    description="Essex SEND joint commissioning key activities and progress paper",
)


@hookimpl
def register_formats() -> list[Format]:
    return [FORMAT]


@hookimpl
def register_template_dirs() -> list[Path]:
    return [Path(__file__).parent / "templates"]
