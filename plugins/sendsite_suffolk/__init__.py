"""Suffolk's response grid to the joint local area SEND revisit (``format: suffolk-response-grid``).

A grid answering the revisit's numbered weaknesses and recommendations: for
each one (or several sharing one answer), the proposed responses from the
local area with their dates, the leads, and how impact will be measured, with
progress updates. The original colours each response by its status (Blue
completed, Orange delayed, Black in progress or in the future).
"""

from sendsite import Format

from .reader import STATUS_KEY, read_report

__version__ = "0.1.0"

FORMAT = Format(
    "suffolk-response-grid",
    "Revisit response grid",
    read_report,
    "suffolk/report.html",
    (STATUS_KEY,),
    date_field="date",
)
