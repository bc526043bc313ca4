"""What a date as its author wrote it leaves in doubt: the warning at its key.

Text that looks like a date but is not understood is shown as written, and cannot be
checked for being overdue. A quarter with one year ("Q4 2023") is understood as UK
public bodies count quarters, of the financial year that starts in that year (January
to March 2024), but its author may have meant the calendar's quarter (October to
December 2023): the warning says how it was read, and how to write either.
"""

from __future__ import annotations

import re

from sendsite.content.dates import DueDate, looks_like_a_date

__all__ = ["DATE_FIX", "doubt_about"]

DATE_FIX = "Write a day, month or range UK-style, e.g. '31 March 2021', '31/03/2021', " + (
    "'March 2021', 'April-May 2021' or 'Q2 2021/22'."
)
#: A quarter with one year, before it or after it: "Q4 2023", "2023 Q4", "Q1 FY2024".
_ONE_YEAR_QUARTER = re.compile(
    r"(?<![\w/-])(?:q([1-4]) (?:fy ?)?(\d{4})|(?:fy ?)?(\d{4}) q([1-4]))(?![\w/-])", re.I
)
_FINANCIAL = ("April to June", "July to September", "October to December", "January to March")
_CALENDAR = ("January to March", "April to June", "July to September", "October to December")


def doubt_about(due: DueDate) -> tuple[str, str] | None:
    """The message and fix of a warning about ``due``, or None if it leaves no doubt."""
    if not due.understood:
        if not looks_like_a_date(due.text):
            return None  # "Complete", "Ongoing": plainly not a date
        return (
            f"could not understand the date '{due.text}'; it is shown as written but "
            "cannot be checked for being overdue",
            DATE_FIX,
        )
    found = _ONE_YEAR_QUARTER.search(" ".join(due.text.split()))
    if found is None:
        return None
    quarter, year = int(found[1] or found[4]), int(found[2] or found[3])
    financial = f"{year}/{(year + 1) % 100:02d}"
    return (
        f"'{found[0]}' is read as quarter {quarter} of the financial year {financial} "
        f"({_FINANCIAL[quarter - 1]} {year + (quarter == 4)}), as UK public bodies count "
        "quarters, but may be meant as the calendar's",
        f"Write 'Q{quarter} {financial}' for this quarter of the financial year, or the "
        f"months meant ('{_CALENDAR[quarter - 1]} {year}').",
    )
