"""Understanding the dates authors write in UK progress reports.

The author's text is always kept; what it means is added beside it as a range
``start``–``end`` (a single day has ``start == end``). Anything that cannot be
understood ("Complete", "Ongoing", "Quarterly reporting following go-live")
keeps its text and has no dates: that is never an error.

Rules are tried in order: UK report idioms (qualifiers such as "by", "w/c", "by the
end of"; "early", "mid" or "late" in a month or a year, calendar or financial: its
third; month ranges; financial years and quarters: "2020/21", "2020-21", "FY 20/21",
"20/21" where its second number cannot be a month ("11/12" may be 11 December), "Q2
2019-20", "2019-20 Q2", "Q1-Q2 2020-21"; "Mar-21"; "2021-05"; "03/2021" ("3/21" is
ambiguous); school terms; "from April to June 2021" is the range; a spaced dash parts
a range whose parts hold dashes, "2019-20 - 2020-21"), then day-first dates, then
``dateutil`` (day-first, never fuzzy), trusted only when it read the numbers as day,
month, year. Two-digit years are 20xx. A time of day (or a span of them) after or
before a day is ignored: "3/6/2021 10:00-12:00", "10am 3 June 2021". "2020-2021" is
the two calendar years. A range whose end comes before its start ("12-3 June 2021",
"Summer term 2021 to Spring term 2021") is not understood, nor is a financial year
whose second year does not follow its first ("2020/2", "2020-22", "Q2 2021/23").
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil import parser as dateutil_parser

from sendsite.content.times import without_time

__all__ = ["DueDate", "looks_like_a_date", "parse_due"]

MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    MONTHS[calendar.month_name[_number].lower()] = _number
    MONTHS[calendar.month_abbr[_number].lower()] = _number
MONTHS["sept"] = 9

#: Precision names, from most to least exact.
PRECISIONS = ("day", "week", "range", "month", "quarter", "term", "year", "unparsed")

# English school terms (approximate; councils differ by a week or two).
TERMS = {"autumn": (9, 12), "spring": (1, 4), "summer": (4, 7)}


@dataclass(frozen=True)
class DueDate:
    """A date as written by the author, and what it was understood to mean.

    ``start``/``end`` are inclusive. ``precision`` says how exact the text was
    (see ``PRECISIONS``); ``qualifier`` keeps words such as "by", "from" or
    "mid" that shaped the range. "from X" has a start and no end.
    """

    text: str
    start: date | None = None
    end: date | None = None
    precision: str = "unparsed"
    qualifier: str | None = None

    @property
    def understood(self) -> bool:
        """True when the text was turned into at least one date."""
        return self.start is not None or self.end is not None

    @property
    def sort_key(self) -> date | None:
        """The date to sort and judge lateness by: the end, else the start."""
        return self.end or self.start

    def is_before(self, day: date) -> bool:
        """True when the whole range ends before ``day``."""
        return self.end is not None and self.end < day

    def iso(self) -> str:
        """A machine-readable form: ``2021-03-31``, ``2021-04`` or ``2021-04-01/2021-05-31``."""
        if not self.understood:
            return ""
        if self.start == self.end and self.start is not None:
            return self.start.isoformat()
        if self.start and self.end:
            if (
                self.start.day == 1
                and self.end == _month_end(self.end.year, self.end.month)
                and (self.start.year, self.start.month) == (self.end.year, self.end.month)
            ):
                return f"{self.start.year:04d}-{self.start.month:02d}"
            return f"{self.start.isoformat()}/{self.end.isoformat()}"
        if self.start:
            return f"{self.start.isoformat()}/"
        assert self.end is not None
        return f"/{self.end.isoformat()}"

    def describe(self) -> str:
        """How the date was understood, in words, e.g. ``1 Apr 2021 to 31 May 2021``."""
        if not self.understood:
            return "not a date"
        if self.start and self.end:
            if self.start == self.end:
                return _fmt(self.start)
            return f"{_fmt(self.start)} to {_fmt(self.end)}"
        if self.start:
            return f"from {_fmt(self.start)}"
        assert self.end is not None
        return f"by {_fmt(self.end)}"


def _fmt(day: date) -> str:
    return f"{day.day} {calendar.month_abbr[day.month]} {day.year}"


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _year(text: str) -> int:
    value = int(text)
    return 2000 + value if len(text) <= 2 else value


# --- normalising ---------------------------------------------------------------

_ORDINAL = re.compile(r"\b(\d{1,2})\s*(?:st|nd|rd|th)\b", re.IGNORECASE)
_DASHES = re.compile(r"\s*[\u2010-\u2015-]\s*")
_SPACES = re.compile(r"\s+")
_MONTH_WORD = "|".join(sorted(MONTHS, key=len, reverse=True))
_MONTH = rf"(?P<m>{_MONTH_WORD})\.?"
_MONTH2 = rf"(?P<m2>{_MONTH_WORD})\.?"


def _normalise(text: str) -> str:
    text = _SPACES.sub(" ", text).strip().rstrip(".,;:").strip()
    text = _ORDINAL.sub(r"\1", text)
    # "30May 19": a day glued to its month.
    text = re.sub(rf"\b(\d{{1,2}})(?=(?:{_MONTH_WORD})\b)", r"\1 ", text, flags=re.IGNORECASE)
    return _DASHES.sub("-", text).lower()


# --- the rules -------------------------------------------------------------------

_QUALIFIER = re.compile(
    r"^(?P<q>by|before|from|after|early|mid|late|end of|end|beginning of|start of|"
    r"w/c|week commencing|week beginning|wb|beginning|commencing|starting)\b\s*-?\s*"
    r"(?:the )?(?P<rest>.+)$"
)
#: Qualifiers naming a part of a month or year ("by the end of March": that part).
_PART_OF = {"early", "mid", "late", "end of", "end", "beginning of", "start of"}
#: Qualifiers that mean another: "End March 2021" is its end; "beginning March", from.
_SAME = {"end": "end of", "beginning": "from", "commencing": "from", "starting": "from"}
#: A month, then a day written as one ("31st"), then nothing: no year.
_DAY_NOT_YEAR = re.compile(rf"\b(?:{_MONTH_WORD})\.?,? \d{{1,2}} ?(?:st|nd|rd|th)$")
_ONWARDS = re.compile(r"\s+(?:onwards|onward|and after)$")
_DAY_MONTH_YEAR = re.compile(rf"^(?P<d>\d{{1,2}}) {_MONTH},? (?P<y>\d{{4}}|\d{{2}})$")
_MONTH_YEAR = re.compile(rf"^{_MONTH}(?:,? |-)(?P<y>\d{{4}}|\d{{2}})$")  # "Mar-21" too
_NUMERIC = re.compile(r"^(?P<d>\d{1,2})[/.](?P<m>\d{1,2})[/.](?P<y>\d{4}|\d{2})$")
_ISO = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})$")
_YEAR = re.compile(r"^(?P<y>\d{4})$")
# "2020/21", "2020/2021" or "2020-21" (normalised from "2020–21"); "2020-2021" is a range.
_FY_SECOND = r"(?:/|-(?=\d{2}$))(?P<y2>\d{2}|\d{4})"
_FINANCIAL_YEAR = re.compile(rf"^(?:fy ?)?(?P<y>\d{{4}}){_FY_SECOND}$")
#: "FY 20/21", "FY20-21", or "20/21" where its second number cannot be a month (13 on).
_SHORT_FINANCIAL_YEAR = re.compile(
    r"^(?:fy ?(?P<y>\d{2})[/-]|(?P<y_>\d{2})/(?=1[3-9]|[2-9]))(?P<y2>\d{2})$"
)
#: A year of a quarter: four digits, perhaps with the next ("2020/21"), or two with the next.
_QUARTER_YEAR = (
    r"(?:fy ?)?(?P<y{0}>\d{{4}}|\d{{2}}(?=[/-]\d{{2}}))(?:[/-](?P<y2{0}>\d{{2}}|\d{{4}}))?"
)
_QUARTER = re.compile(
    rf"^(?:q(?P<q>[1-4]) {_QUARTER_YEAR.format('')}"
    rf"|{_QUARTER_YEAR.format('_')} q(?P<q_>[1-4]))$"  # "2020-21 Q2"
)
#: A month of a financial year: "June 2021/22" (June 2021), "Jan-21/22" (January 2022).
_MONTH_OF_FY = re.compile(rf"^{_MONTH}[ -](?P<y>\d{{4}}|\d{{2}})/(?P<y2>\d{{2}}|\d{{4}})$")
#: A month as ISO 8601 writes it: "2021-05" (not a financial year: "2011-12" is one).
_ISO_MONTH = re.compile(r"^(?P<y>\d{4})-(?P<m>0[1-9]|1[0-2])$")
_NUMERIC_MONTH = re.compile(r"^(?P<m>\d{1,2})/(?P<y>\d{4})$")
_TERM = re.compile(r"^(?P<t>autumn|spring|summer)(?: term)? (?P<y>\d{4})$")
_DAY_RANGE = re.compile(rf"^(?P<d1>\d{{1,2}})-(?P<d2>\d{{1,2}}) {_MONTH},? (?P<y>\d{{4}}|\d{{2}})$")
# Words first: a part may hold a dash of its own ("2019-20 to 2020-21").
_RANGE_SPLITS = (
    re.compile(r"^(?P<a>.+?) (?:to|until|and) (?P<b>.+)$"),
    re.compile(r"^(?P<a>.+?)-(?P<b>.+)$"),  # dashes are bare once normalised
)
_MONTH_ONLY = re.compile(rf"^{_MONTH}$")
_QUARTER_ONLY = re.compile(r"^q(?P<q>[1-4])$")
#: A dash with spaces around it: "2019-20 - 2020-21" (normalising makes every dash bare).
_SPACED_DASH = re.compile(r"\s+[\u2010-\u2015-]\s+")
_DAY_MONTH = re.compile(rf"^(?P<d>\d{{1,2}}) {_MONTH}$")


def _span(text: str) -> tuple[date, date, str] | None:
    """Understand a date with no qualifier as an inclusive range and a precision."""
    if m := _DAY_MONTH_YEAR.match(text):
        return _day(_year(m["y"]), MONTHS[m["m"]], int(m["d"]))
    if m := _NUMERIC.match(text):
        return _day(_year(m["y"]), int(m["m"]), int(m["d"]))
    if m := _ISO.match(text):
        return _day(int(m["y"]), int(m["m"]), int(m["d"]))
    if m := _MONTH_YEAR.match(text):
        year, month = _year(m["y"]), MONTHS[m["m"]]
        return date(year, month, 1), _month_end(year, month), "month"
    if m := _NUMERIC_MONTH.match(text):
        year, month = int(m["y"]), int(m["m"])
        if not 1 <= month <= 12:
            return None
        return date(year, month, 1), _month_end(year, month), "month"
    if m := _DAY_RANGE.match(text):
        year, month = _year(m["y"]), MONTHS[m["m"]]
        first = _day(year, month, int(m["d1"]))
        last = _day(year, month, int(m["d2"]))
        if first and last and first[0] <= last[0]:
            return first[0], last[0], "range"
        return None
    if m := _QUARTER.match(text):
        quarter, first_year, second = m["q"] or m["q_"], m["y"] or m["y_"], m["y2"] or m["y2_"]
        if second and not _next_year(_year(first_year), second):
            return None
        return _quarter(int(quarter), _year(first_year))
    fy = _FINANCIAL_YEAR.match(text) or _SHORT_FINANCIAL_YEAR.match(text)
    if fy and _next_year(start_year := _year(fy["y"] or fy["y_"]), fy["y2"]):
        return date(start_year, 4, 1), date(start_year + 1, 3, 31), "year"
    if (m := _MONTH_OF_FY.match(text)) and _next_year(_year(m["y"]), m["y2"]):
        month = MONTHS[m["m"]]
        year = _year(m["y"]) + (month < 4)
        return date(year, month, 1), _month_end(year, month), "month"
    if m := _ISO_MONTH.match(text):  # "2021-05"; "2011-12" is the financial year (above)
        year, month = int(m["y"]), int(m["m"])
        return date(year, month, 1), _month_end(year, month), "month"
    if m := _TERM.match(text):
        first_month, last_month = TERMS[m["t"]]
        year = int(m["y"])
        return date(year, first_month, 1), _month_end(year, last_month), "term"
    if m := _YEAR.match(text):
        year = int(m["y"])
        return date(year, 1, 1), date(year, 12, 31), "year"
    return None


def _next_year(year: int, written: str) -> bool:
    """True when ``written`` ("21" or "2021") is the year after ``year``: 2020/21."""
    return _year(written) % 100 == (year + 1) % 100


def _day(year: int, month: int, day: int) -> tuple[date, date, str] | None:
    try:
        value = date(year, month, day)
    except ValueError:
        return None
    return value, value, "day"


def _quarter(quarter: int, year: int) -> tuple[date, date, str]:
    """UK financial quarters: Q1 is April to June of the financial year starting in ``year``."""
    first_month = 4 + 3 * (quarter - 1)
    if first_month > 12:
        first_month -= 12
        year += 1
    return date(year, first_month, 1), _month_end(year, first_month + 2), "quarter"


def _range(text: str) -> tuple[date, date, str] | None:
    """Two dates joined by a dash or 'to': "April-May 2021", "Sept 2020 to March 2021"."""
    for split in _RANGE_SPLITS:
        if (m := split.match(text)) and (span := _joined(m["a"].strip(), m["b"].strip())):
            return span
    return None


def _joined(left: str, right: str) -> tuple[date, date, str] | None:
    """The range from ``left`` to ``right``, if both are understood and in order."""
    right_span = _span(right)
    if right_span is None:
        return None
    left_span = _span(left)
    if left_span is None:
        # Borrow the year (and month) from the right: "April-May 2021", "1-15 May 2021".
        year = right_span[0].year
        if mo := _MONTH_ONLY.match(left):
            month = MONTHS[mo["m"]]
            if right_span[2] == "year" and right_span[0].month == 4:  # of a financial year
                year += month < 4
            elif month > right_span[0].month:
                year -= 1
            left_span = date(year, month, 1), _month_end(year, month), "month"
        elif dm := _DAY_MONTH.match(left):
            left_span = _day(year, MONTHS[dm["m"]], int(dm["d"]))
        elif (qm := _QUARTER_ONLY.match(left)) and right_span[2] == "quarter":
            # "Q1-Q2 2020-21": the quarter of the same financial year.
            fy_start = year if right_span[0].month >= 4 else year - 1
            left_span = _quarter(int(qm["q"]), fy_start)
    # The range runs to the end of the right part, so the left part must end
    # no later: "Summer term 2021 to Spring term 2021" is reversed, not April.
    if left_span is None or right_span[1] < left_span[1]:
        return None
    return left_span[0], right_span[1], "range"


def _timed_day(text: str) -> tuple[date, date, str] | None:
    """A day with a time of day (or a span of times) after or before it, which is ignored:
    "3 June 2021 10am", "3/6/2021 10:00-12:00", "10am 3 June 2021"."""
    rest = without_time(text)
    span = (_span(rest) or _fallback(rest)) if rest is not None else None
    return span if span is not None and span[2] == "day" else None


def _month_on(day: date, months: int) -> date:
    """The first of the month ``months`` after ``day``'s."""
    year, month = divmod(day.month - 1 + months, 12)
    return date(day.year + year, month + 1, 1)


def _apply_qualifier(text: str, qualifier: str, span: tuple[date, date, str]) -> DueDate:
    start, end, precision = span
    if qualifier in {"by"}:
        return DueDate(text, start, end, precision, "by")
    if qualifier == "before":
        day = start - timedelta(days=1)
        return DueDate(text, day, day, "day" if precision == "day" else precision, "before")
    if qualifier in {"from", "after"}:
        return DueDate(
            text,
            start if qualifier == "from" else end + timedelta(days=1),
            None,
            precision,
            qualifier,
        )
    if qualifier in {"w/c", "week commencing", "week beginning", "wb"}:  # of a day only
        return (
            DueDate(text, start, start + timedelta(days=6), "week", "w/c")
            if precision == "day"
            else DueDate(text)
        )
    # early / mid / late / end of / beginning of: the first, middle or last third of a
    # month ("Mid-April": 11-20 April) or of a year ("early 2015": January-April; "early
    # 2020-21", a financial year: April-July 2020).
    third = {"early": 0, "beginning of": 0, "start of": 0, "mid": 1, "late": 2}.get(qualifier, 2)
    if precision == "month":
        first_day, last_day = [(1, 10), (11, 20), (21, end.day)][third]
        return DueDate(
            text, start.replace(day=first_day), start.replace(day=last_day), "range", qualifier
        )
    if precision == "year" and start.month in (1, 4):  # a calendar or financial year
        part, last = _month_on(start, 4 * third), _month_on(start, 4 * third + 3)
        return DueDate(text, part, _month_end(last.year, last.month), "range", qualifier)
    return DueDate(text, start, end, precision, qualifier)


# Two defaults that differ in day, month and year: what dateutil guessed differs.
_DEFAULTS = (datetime(1900, 1, 1), datetime(1904, 2, 2))


def _fallback(text: str) -> tuple[date, date, str] | None:
    """dateutil, day-first and strict, trusted only when it read the text as a UK reader would.

    Nothing may come from the default (a missing day, month or year means 'not
    understood'), and the numbers written must be, in order, the day, the month
    if numeric, then the year in four or two digits. Otherwise dateutil has read
    the text another way: a leading day as the year and the real year as a time
    ("12-3 June 2021" as 3 June 2012, 20:21), "2020/2" as 1 February 2020, or
    "12/31/2021" month-first.
    """
    if not re.search(r"\d", text) or len(text) > 40 or _MONTH_OF_FY.match(text):
        return None  # "Jun-21/23" is no financial year, not 21 June 2023
    try:
        first, second = (
            dateutil_parser.parse(text, dayfirst=True, default=default) for default in _DEFAULTS
        )
    except (ValueError, OverflowError):
        return None
    if first != second:
        return None
    day = first.date()
    *before_year, year = re.findall(r"\d+", text)
    if [int(number) for number in before_year] not in ([day.day], [day.day, day.month]):
        return None
    if year not in {f"{day.year:04d}", f"{day.year % 100:02d}"}:
        return None
    return day, day, "day"


#: The last year a date may fall in: well past any report's, and far enough from the
#: calendar's end (9999) that a plugin may add months or years to a date without an
#: OverflowError ("31/12/9999" is not understood, so the build warns).
LAST_YEAR = 9000


def parse_due(text: str | None) -> DueDate:
    """Understand a due date as written; never raises.

    >>> parse_due("31 st March 2021").iso()
    '2021-03-31'
    >>> parse_due("April-May 2021").describe()
    '1 Apr 2021 to 31 May 2021'
    """
    if text is None:
        return DueDate("")
    original = str(text).strip()
    norm = _normalise(original)
    if not norm:
        return DueDate(original)
    qualifier = None
    if m := _QUALIFIER.match(norm):
        qualifier, norm = m["q"], m["rest"].strip()
        inner = _QUALIFIER.match(norm) if qualifier == "by" else None
        if inner and inner["q"] in _PART_OF:  # "by (the) end of March 2021"
            qualifier, norm = inner["q"], inner["rest"].strip()
        qualifier = _SAME.get(qualifier, qualifier)
    if _DAY_NOT_YEAR.search(_SPACES.sub(" ", original).rstrip(" .,;:").lower()):
        # "March 31st": a day with no year, not March 2031
        return DueDate(original)
    if _ONWARDS.search(norm):
        norm, qualifier = _ONWARDS.sub("", norm), qualifier or "from"
    try:
        span = _span(norm) or _range(norm) or _fallback(norm) or _timed_day(norm)
        if span is None and _SPACED_DASH.search(original):
            spaced = parse_due(_SPACED_DASH.sub(" to ", original))  # "2019-20 - 2020-21"
            return DueDate(original, spaced.start, spaced.end, spaced.precision, spaced.qualifier)
        if span is None or span[1].year > LAST_YEAR:
            return DueDate(original)
        if qualifier is None or (qualifier == "from" and _RANGE_SPLITS[0].match(norm)):
            return DueDate(original, span[0], span[1], span[2])  # "from April to June 2021"
        return _apply_qualifier(original, qualifier, span)
    except (ValueError, OverflowError):  # past the calendar's end: "Q4 9999", "after 31/12/9999"
        return DueDate(original)


_DATE_HINT = re.compile(
    rf"\b(?:{_MONTH_WORD})\b|\b(?:19|20)\d\d\b|\b\d{{1,2}}[/.]\d{{1,2}}\b", re.IGNORECASE
)


def looks_like_a_date(text: str) -> bool:
    """True when text names a month, a year or a d/m pair: an attempt at a date."""
    return bool(_DATE_HINT.search(text))
