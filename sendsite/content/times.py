"""Times of day written beside a date, which a due date does not use.

Authors write a meeting's time with its day ("3 June 2021 10am", "10am 3 June 2021",
"3/6/2021 10:00-12:00"); ``dates.parse_due`` keeps the text as written and reads the
day, once the time is taken off here. The text is as ``dates`` normalises it: lower
case, spaces single, every dash a bare ``-``.
"""

from __future__ import annotations

import re

__all__ = ["without_time"]

#: A time of day: "10am", "10.30 pm", "14:00".
_CLOCK = (
    r"(?:(?P<h12{0}>\d{{1,2}})(?:[:.](?P<m12{0}>\d{{2}}))? ?(?:[ap]m|[ap]\.m\.?)"
    r"|(?P<h{0}>\d{{1,2}})[:.](?P<m{0}>\d{{2}}))"
)
#: A time of day after a date (", at 2pm"), or a span of them ("10am-12pm", "10:00 to 12:00").
_AFTER = re.compile(
    rf",? (?:at |from )?{_CLOCK.format('')}(?:(?:-| to | until ){_CLOCK.format('_')})?$"
)
#: A time of day before a date: "10am 3 June 2021", "at 2pm on 3/6/2021".
_BEFORE = re.compile(rf"^(?:at )?{_CLOCK.format('')},?(?: on)? ")


#: An ISO 8601 date and time, as spreadsheets and Power Automate export them:
#: "2020-12-31t10:00:00" (normalised), perhaps with seconds' fractions and a time zone.
_ISO_TIME = re.compile(
    r"^(?P<day>\d{4}-\d{2}-\d{2})t(?P<h>\d{2}):(?P<m>\d{2})(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?$"
)


def without_time(text: str) -> str | None:
    """``text`` (normalised) without the time of day after or before it; None if it has
    none, or one no clock shows ("25:00", "13pm")."""
    if (iso := _ISO_TIME.match(text)) is not None:
        return iso["day"] if int(iso["h"]) <= 23 and int(iso["m"]) <= 59 else None
    if (after := _AFTER.search(text)) is not None:
        return text[: after.start()] if _clock(after, "") and _clock(after, "_") else None
    if (before := _BEFORE.match(text)) is not None:
        return text[before.end() :] if _clock(before, "") else None
    return None


def _clock(found: re.Match[str], which: str) -> bool:
    """Whether the time in ``found`` (its groups ending ``which``) is one a clock shows;
    the second of a span (``which`` "_") may be missing."""
    if found[f"h12{which}"] is not None:
        hour, minute = int(found[f"h12{which}"]), int(found[f"m12{which}"] or 0)
        return 1 <= hour <= 12 and minute <= 59
    if found[f"h{which}"] is not None:
        return int(found[f"h{which}"]) <= 23 and int(found[f"m{which}"]) <= 59
    return which == "_"
