"""Due dates: the author's text is kept and understood as a day or a range, UK day-first."""

from __future__ import annotations

from datetime import date

import pytest

from sendsite.content.dates import looks_like_a_date, parse_due

from .conftest import SiteMaker, run_cli

# Every date form that appears in the five seed reports, and what it means.
SEED_FORMS = [
    # Southend
    ("31 st March 2021", "2021-03-31", "2021-03-31", "day"),
    ("15 th May 2021", "2021-05-15", "2021-05-15", "day"),
    ("30 th June 2021", "2021-06-30", "2021-06-30", "day"),
    ("28th May 2021", "2021-05-28", "2021-05-28", "day"),
    ("Mid-April 2021.", "2021-04-11", "2021-04-20", "range"),
    ("April-May 2021", "2021-04-01", "2021-05-31", "range"),
    ("30 th September 2022", "2022-09-30", "2022-09-30", "day"),
    ("May 2021", "2021-05-01", "2021-05-31", "month"),
    # Suffolk
    ("by 30 June 2019", "2019-06-30", "2019-06-30", "day"),
    ("by 31 Dec 2019", "2019-12-31", "2019-12-31", "day"),
    ("by 30 Sept 2019", "2019-09-30", "2019-09-30", "day"),
    ("by 30May 19", "2019-05-30", "2019-05-30", "day"),
    ("by 30 Mar 2020", "2020-03-30", "2020-03-30", "day"),
    ("by Sept 2020", "2020-09-01", "2020-09-30", "month"),
    ("by July 2019", "2019-07-01", "2019-07-31", "month"),
    ("Q4 2018/19", "2019-01-01", "2019-03-31", "quarter"),
    ("Q1 2019/20", "2019-04-01", "2019-06-30", "quarter"),
    ("2019/20", "2019-04-01", "2020-03-31", "year"),
    # Havering
    ("March 2015", "2015-03-01", "2015-03-31", "month"),
    ("October 2013", "2013-10-01", "2013-10-31", "month"),
    # Essex
    ("July 2021", "2021-07-01", "2021-07-31", "month"),
    ("January 2019", "2019-01-01", "2019-01-31", "month"),
    # Lancashire
    ("31/01/21", "2021-01-31", "2021-01-31", "day"),
    ("31/12/20", "2020-12-31", "2020-12-31", "day"),
    ("30/09/2021", "2021-09-30", "2021-09-30", "day"),
    ("31/10/20", "2020-10-31", "2020-10-31", "day"),
    ("04/01/21", "2021-01-04", "2021-01-04", "day"),
    ("4th Jan 2021", "2021-01-04", "2021-01-04", "day"),
    ("31st December 2020", "2020-12-31", "2020-12-31", "day"),
]


@pytest.mark.parametrize(("text", "start", "end", "precision"), SEED_FORMS)
def test_seed_date_forms_are_understood(text: str, start: str, end: str, precision: str) -> None:
    due = parse_due(text)
    assert due.text == text
    assert (str(due.start), str(due.end), due.precision) == (start, end, precision)


@pytest.mark.parametrize(
    "text",
    [
        "Complete",
        "Completed",
        "Ongoing",
        "TBC",
        "Quarterly Reporting to Joint Commissioning Group/SSPB following go-live.",
        "within 6 weeks of identification",
        "",
    ],
)
def test_text_that_is_not_a_date_is_kept_without_a_date(text: str) -> None:
    due = parse_due(text)
    assert due.text == text
    assert not due.understood
    assert due.start is None and due.end is None
    assert due.precision == "unparsed"
    assert due.describe() == "not a date"


def test_from_has_a_start_and_no_end() -> None:
    due = parse_due("from 30 Sept 2019")
    assert (due.start, due.end, due.qualifier) == (date(2019, 9, 30), None, "from")
    assert not due.is_before(date(2030, 1, 1)), "an open-ended date is never overdue"


def test_impossible_day_first_dates_are_not_silently_swapped() -> None:
    # dateutil would read this month-first; a UK reader would not.
    assert not parse_due("12/31/2021").understood
    assert not parse_due("30/02/2021").understood


def test_missing_year_is_not_guessed() -> None:
    assert not parse_due("24th June").understood


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("31 st March 2021", "2021-03-31"),
        ("May 2021", "2021-05"),
        ("April-May 2021", "2021-04-01/2021-05-31"),
        ("from September 2020", "2020-09-01/"),
        ("w/c 12th April 2021", "2021-04-12/2021-04-18"),
        ("End of June 2020", "2020-06-21/2020-06-30"),
        ("Spring term 2021", "2021-01-01/2021-04-30"),
        ("September 2020 to March 2021", "2020-09-01/2021-03-31"),
        ("December-January 2021", "2020-12-01/2021-01-31"),
    ],
)
def test_other_uk_report_idioms(text: str, iso: str) -> None:
    assert parse_due(text).iso() == iso


def test_overdue_uses_the_end_of_the_range() -> None:
    due = parse_due("April-May 2021")
    assert due.is_before(date(2021, 6, 1))
    assert not due.is_before(date(2021, 5, 31))


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("early 2015", "2015-01-01/2015-04-30"),
        ("mid 2015", "2015-05-01/2015-08-31"),
        ("end of 2014", "2014-09-01/2014-12-31"),
        ("beginning 15 April 2019", "2019-04-15/"),
        ("from 1 April 2019 onwards", "2019-04-01/"),
        ("commencing July 2021", "2021-07-01/"),
    ],
)
def test_qualified_years_and_open_starts(text: str, iso: str) -> None:
    assert parse_due(text).iso() == iso


# A reversed or typo'd range, or a financial year that is not one, is "not
# understood" (so the build warns) rather than silently read as another date.
REVERSED_OR_TYPOED = [
    # Found by the fuzzer: dateutil read the first day as the year.
    "12-3 June 2021",
    "15-5 May 2021",
    "30-28 April 2021",
    "31-1 May 2021",
    "2020/2",
    "summer term 2021 to spring term 2021",
    # More of the same.
    "12 - 3 June 2021",
    "12th-3rd June 2021",
    "by 12-3 June 2021",
    "from 30-28 April 2021",
    "2-1 Jan 22",
    "31-30 Dec 2021",
    "12 3 June 2021",
    "Summer term 2021 - April 2021",
    "2021/22 to summer term 2021",
    "Q2 2021/23",
    # dateutil read these year-day-month or guessed the missing day.
    "2021-6-3",
    "2021/6/3",
]

# Already not understood before the fix; they must stay so.
ALREADY_NOT_UNDERSTOOD = [
    "15 May - 1 May 2021",
    "3 June 2021 to 1 June 2021",
    "May 2021 to April 2021",
    "March 2021 - September 2020",
    "Autumn term 2021 to Summer term 2021",
    "2021/22 to 2020/21",
    "Q3 2021/22 to Q1 2021/22",
    "2020/2021/2",
    "FY 2020/2",
    "Q2 2020/2",
    "2020/23",
]


# Near misses of the hyphenated financial years, times of day and numeric months
# (below): not understood, rather than read as something else.
NEAR_MISSES = [
    "2020-22",
    "2020-19",
    "FY 2020-22",
    "Q2 2019-21",
    "June 2021 10am",
    "2021 at 2pm",
    "3 June 2021 25:00",
    "3 June 2021 13pm",
    "3 June 2021 10:75",
    "2020-12-31T25:00:00",
    "1-15 May 2021 10am",
    "1/22",
    "01/22",
    "13/2022",
    "0/2022",
    # Near misses of the two-digit financial years, ISO months, times and quarter ranges.
    "11/12",  # 11 December, or the financial year 2011/12: cannot tell
    "3/4",
    "20/22",
    "FY 20/22",
    "Q2 20/22",
    "2021-13",
    "2021-00",
    "10am June 2021",  # a time belongs to a day
    "3 June 2021 10am-13pm",
    "3 June 2021 9am-25:00",
    "Q4-Q1 2020-21",  # January-March 2021, then April-June 2020: reversed
    "Q2-Q5 2020-21",
    "2020-21 - 2019-20",
    # A week commences on a day.
    "w/c May 2021",
    "w/c 13/14",
    "week commencing Q2 2021/22",
    # A month against two years that are not a financial year (dateutil: 21 June 2023).
    "Jun-21/23",
    "June 21/23",
    "June 2021/2023",
    # A month and a day written as one, with no year (dateutil: March 2031, May 2015).
    "March 31st",
    "by March 31st",
    "May 15th",
]


@pytest.mark.parametrize("text", REVERSED_OR_TYPOED + ALREADY_NOT_UNDERSTOOD + NEAR_MISSES)
def test_reversed_ranges_and_false_financial_years_are_not_understood(text: str) -> None:
    due = parse_due(text)
    assert due.text == text
    assert not due.understood, f"{text!r} was read as {due.describe()}"
    assert due.precision == "unparsed"
    assert looks_like_a_date(text), "the build warns only about text that looks like a date"


# Their correct neighbours still mean what they say.
CORRECT_NEIGHBOURS = [
    ("3-12 June 2021", "2021-06-03", "2021-06-12", "range"),
    ("5-15 May 2021", "2021-05-05", "2021-05-15", "range"),
    ("28-30 April 2021", "2021-04-28", "2021-04-30", "range"),
    ("1-31 May 2021", "2021-05-01", "2021-05-31", "range"),
    ("1-15 March 2024", "2024-03-01", "2024-03-15", "range"),
    ("12-12 June 2021", "2021-06-12", "2021-06-12", "range"),
    ("30 April - 1 May 2021", "2021-04-30", "2021-05-01", "range"),
    ("1 May - 15 May 2021", "2021-05-01", "2021-05-15", "range"),
    ("April-May 2024", "2024-04-01", "2024-05-31", "range"),
    ("December-January 2021", "2020-12-01", "2021-01-31", "range"),
    ("September 2020 to March 2021", "2020-09-01", "2021-03-31", "range"),
    ("spring term 2021 to summer term 2021", "2021-01-01", "2021-07-31", "range"),
    ("May 2021 to summer term 2021", "2021-05-01", "2021-07-31", "range"),
    ("June 2021 to 2021/22", "2021-06-01", "2022-03-31", "range"),
    ("2020/21 to 2021/22", "2020-04-01", "2022-03-31", "range"),
    ("Q1 2021/22 to Q3 2021/22", "2021-04-01", "2021-12-31", "range"),
    ("2020/21", "2020-04-01", "2021-03-31", "year"),
    ("2020/2021", "2020-04-01", "2021-03-31", "year"),
    ("2099/00", "2099-04-01", "2100-03-31", "year"),
    ("Q2 2021/22", "2021-07-01", "2021-09-30", "quarter"),
    ("Q4 2021", "2022-01-01", "2022-03-31", "quarter"),
    ("Summer term 2024", "2024-04-01", "2024-07-31", "term"),
    ("31/03/2021", "2021-03-31", "2021-03-31", "day"),
    ("3 June 2021", "2021-06-03", "2021-06-03", "day"),
    ("3 June 21", "2021-06-03", "2021-06-03", "day"),
    ("2021-06-03", "2021-06-03", "2021-06-03", "day"),
    # Left to dateutil, which reads them day, month, year.
    ("June 3, 2021", "2021-06-03", "2021-06-03", "day"),
    ("Wednesday 3rd of June 2021", "2021-06-03", "2021-06-03", "day"),
    ("3-Jun-21", "2021-06-03", "2021-06-03", "day"),
    ("3-6-2021", "2021-06-03", "2021-06-03", "day"),
]


@pytest.mark.parametrize(("text", "start", "end", "precision"), CORRECT_NEIGHBOURS)
def test_correct_neighbours_of_reversed_forms_are_understood(
    text: str, start: str, end: str, precision: str
) -> None:
    due = parse_due(text)
    assert (str(due.start), str(due.end), due.precision) == (start, end, precision)


# Financial years with a dash, a day with a time of day, a numeric month and year.
MORE_UK_FORMS = [
    ("2020-21", "2020-04-01", "2021-03-31", "year"),
    ("2020\u201321", "2020-04-01", "2021-03-31", "year"),
    ("FY 2020-21", "2020-04-01", "2021-03-31", "year"),
    ("by 2020-21", "2020-04-01", "2021-03-31", "year"),
    ("2099-00", "2099-04-01", "2100-03-31", "year"),
    ("Q2 2019-20", "2019-07-01", "2019-09-30", "quarter"),
    ("Q4 2019\u201320", "2020-01-01", "2020-03-31", "quarter"),
    # Four digits both sides is still the two calendar years.
    ("2020-2021", "2020-01-01", "2021-12-31", "range"),
    ("3 June 2021 10am", "2021-06-03", "2021-06-03", "day"),
    ("3 June 2021, 10:30", "2021-06-03", "2021-06-03", "day"),
    ("3 June 2021 at 2pm", "2021-06-03", "2021-06-03", "day"),
    ("3/6/2021 14:00", "2021-06-03", "2021-06-03", "day"),
    ("by 3rd June 2021 at 10.30 a.m.", "2021-06-03", "2021-06-03", "day"),
    ("1/2022", "2022-01-01", "2022-01-31", "month"),
    ("01/2022", "2022-01-01", "2022-01-31", "month"),
    ("by 03/2021", "2021-03-01", "2021-03-31", "month"),
    ("12/2021", "2021-12-01", "2021-12-31", "month"),
    # Ranges whose parts hold a dash of their own.
    ("2019-20 to 2020-21", "2019-04-01", "2021-03-31", "range"),
    ("Q1 2020-21 to Q2 2020-21", "2020-04-01", "2020-09-30", "range"),
    ("April 2020 until 2020-21", "2020-04-01", "2021-03-31", "range"),
]


def test_a_dashed_financial_year_reads_as_the_slashed_one() -> None:
    assert parse_due("2020-21").describe() == parse_due("2020/21").describe()
    assert parse_due("by 03/2021").describe() == "1 Mar 2021 to 31 Mar 2021"
    assert parse_due("3 June 2021 at 2pm").describe() == "3 Jun 2021"


# Parts of a financial year, "from … to …", "by the end of …", "Mar-21", a quarter
# written after its year: each read as a council officer reads it.
PARTS_AND_SPELLINGS = [
    ("early 2020-21", "2020-04-01", "2020-07-31", "range"),
    ("mid 2020/21", "2020-08-01", "2020-11-30", "range"),
    ("end of 2020-21", "2020-12-01", "2021-03-31", "range"),
    ("by mid 2020-21", "2020-08-01", "2020-11-30", "range"),
    ("from 2019-20 to 2020-21", "2019-04-01", "2021-03-31", "range"),
    ("from April 2020 to March 2021", "2020-04-01", "2021-03-31", "range"),
    ("by end of March 2021", "2021-03-21", "2021-03-31", "range"),
    ("by the end of March 2021", "2021-03-21", "2021-03-31", "range"),
    ("End March 2021", "2021-03-21", "2021-03-31", "range"),
    ("Mar-21", "2021-03-01", "2021-03-31", "month"),
    ("March-2021", "2021-03-01", "2021-03-31", "month"),
    ("2020-21 Q2", "2020-07-01", "2020-09-30", "quarter"),
    ("2021/22 Q3", "2021-10-01", "2021-12-31", "quarter"),
    ("Q2 2020-2021", "2020-07-01", "2020-09-30", "quarter"),
]


# Two-digit financial years, ISO months, times before a day or as a span, ranges of
# quarters, and ranges parted by a spaced dash whose parts hold dashes of their own.
SHORT_YEARS_TIMES_AND_SPANS = [
    ("FY 20/21", "2020-04-01", "2021-03-31", "year"),
    ("FY20-21", "2020-04-01", "2021-03-31", "year"),
    ("20/21", "2020-04-01", "2021-03-31", "year"),
    ("by 23/24", "2023-04-01", "2024-03-31", "year"),
    ("Q2 20/21", "2020-07-01", "2020-09-30", "quarter"),
    ("Q4 FY20/21", "2021-01-01", "2021-03-31", "quarter"),
    ("20/21 Q3", "2020-10-01", "2020-12-31", "quarter"),
    ("2021-05", "2021-05-01", "2021-05-31", "month"),
    ("by 2021-12", "2021-12-01", "2021-12-31", "month"),
    ("2011-12", "2011-04-01", "2012-03-31", "year"),  # the financial year, as before
    ("10am 3 June 2021", "2021-06-03", "2021-06-03", "day"),
    ("at 2pm on 3/6/2021", "2021-06-03", "2021-06-03", "day"),
    ("14:00, 3 June 2021", "2021-06-03", "2021-06-03", "day"),
    ("3 June 2021 10am-12pm", "2021-06-03", "2021-06-03", "day"),
    ("3 June 2021, 10:00 \u2013 12:00", "2021-06-03", "2021-06-03", "day"),
    ("3/6/2021 from 10am to 2pm", "2021-06-03", "2021-06-03", "day"),
    ("2020-12-31T10:00:00", "2020-12-31", "2020-12-31", "day"),  # as spreadsheets export it
    ("2020-12-31T10:00:00.5+01:00", "2020-12-31", "2020-12-31", "day"),
    ("Q1-Q2 2020-21", "2020-04-01", "2020-09-30", "range"),
    ("Q3 to Q4 2020/21", "2020-10-01", "2021-03-31", "range"),
    ("Q1-Q4 20/21", "2020-04-01", "2021-03-31", "range"),
    ("2019-20 - 2020-21", "2019-04-01", "2021-03-31", "range"),
    ("2019/20 \u2013 2020/21", "2019-04-01", "2021-03-31", "range"),
    ("Q1 2020-21 - Q2 2020-21", "2020-04-01", "2020-09-30", "range"),
    # A month of a financial year is in its first year, January to March in its second.
    ("June 2021/22", "2021-06-01", "2021-06-30", "month"),
    ("Jun-21/22", "2021-06-01", "2021-06-30", "month"),
    ("Jan-21/22", "2022-01-01", "2022-01-31", "month"),
    ("June to 2021/22", "2021-06-01", "2022-03-31", "range"),
    ("January until 21/22", "2022-01-01", "2022-03-31", "range"),
]


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    MORE_UK_FORMS + PARTS_AND_SPELLINGS + SHORT_YEARS_TIMES_AND_SPANS,
)
def test_more_uk_report_forms_are_understood(
    text: str, start: str, end: str, precision: str
) -> None:
    due = parse_due(text)
    assert due.text == text
    assert (str(due.start), str(due.end), due.precision) == (start, end, precision)


def test_from_alone_still_has_no_end_and_calendar_years_keep_their_thirds() -> None:
    assert parse_due("from April 2020").end is None
    assert parse_due("early 2015").describe() == "1 Jan 2015 to 30 Apr 2015"
    assert parse_due("Q2 2020-22").understood is False


@pytest.mark.parametrize(
    ("written", "read", "fix"),
    [
        ("Q4 2023", "January to March 2024", "'Q4 2023/24' for this quarter of the financial"),
        ("2023 Q1", "April to June 2023", "the months meant ('January to March 2023')"),
    ],
)
def test_a_quarter_with_one_year_is_read_as_the_financial_years_and_said(
    make_site: SiteMaker, written: str, read: str, fix: str
) -> None:
    """ "Q4 2023" may be the calendar's October to December 2023: read as UK public bodies
    count quarters (January to March 2024), and a milestone due then is not overdue in a
    report of February 2024, so the reading is said where it was written."""
    root = make_site(
        {
            "content/x/r.md": (
                "---\nformat: southend-highlight\ntitle: Report\nmeeting_date: 1 February 2024\n"
                "priorities:\n  - code: P1\n    title: Transport\n    milestones:\n"
                f"      - milestone: Hire\n        completed_by: {written}\n        rag: Green\n"
                "---\n"
            )
        }
    )
    result = run_cli("check", "--source", str(root))
    assert result.exit_code == 0, result.output
    assert (
        f"r.md:10:23: warning: priorities[1].milestones[1].completed_by: '{written}' is "
        "read as quarter" in result.output
    )
    assert f"({read}), as UK public bodies count quarters" in result.output
    assert fix in result.output
    strict = run_cli("check", "--strict", "--source", str(root))
    assert strict.exit_code == 1
    written_with_both = written.replace("2023", "2023/24")
    (root / "content" / "x" / "r.md").write_text(
        (root / "content" / "x" / "r.md").read_text().replace(written, written_with_both)
    )
    assert "warning" not in run_cli("check", "--source", str(root)).output
