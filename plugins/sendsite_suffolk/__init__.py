"""Suffolk's response grid to the joint local area SEND revisit (``format: suffolk-response-grid``).

A grid answering the revisit's numbered weaknesses and recommendations: for
each one (or several sharing one answer), the proposed responses from the
local area with their dates, the leads, and how impact will be measured, with
progress updates. The original colours each response by its status (Blue
completed, Orange delayed, Black in progress or in the future).
"""

from __future__ import annotations

from pathlib import Path

from sendsite import Format, hookimpl

from .reader import STATUS_KEY, read_report

__version__ = "0.1.0"

FORMAT = Format(
    name="suffolk-response-grid",
    title="Revisit response grid",
    read=read_report,
    template="suffolk/report.html",
    status_keys=(STATUS_KEY,),
    description="Suffolk local area response to the joint Ofsted/CQC SEND revisit",
)


@hookimpl
def register_formats() -> list[Format]:
    return [FORMAT]


@hookimpl
def register_template_dirs() -> list[Path]:
    return [Path(__file__).parent / "templates"]


@hookimpl
def register_static_dirs() -> dict[str, Path]:
    return {"suffolk": Path(__file__).parent / "static"}
