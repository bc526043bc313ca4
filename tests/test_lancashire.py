"""The Lancashire APP highlight report, end to end: outcomes, actions 1–5 and every row."""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest
from sendsite_lancashire.reader import PROGRESS_KEY, RISK_KEY

from sendsite.content.risk_rating import RiskLevel
from sendsite.content.status import Level

from .conftest import (
    REPO,
    SiteMaker,
    edited_copy,
    element_text,
    fragment_text,
    page_text,
    run_cli,
    section_text,
)

PAGE = Path("lancashire/app-highlight-report-2020-12/index.html")
SOURCE = REPO / "content" / "lancashire" / "app-highlight-report-2020-12.md"


@pytest.fixture(scope="module")
def report(demo_reports):
    return demo_reports["lancashire"]


@pytest.fixture(scope="module")
def html(demo_site: Path) -> str:
    return (demo_site / PAGE).read_text(encoding="utf-8")


_INLINE = re.compile(r"</?(?:abbr|strong|em|time|span|a)\b[^>]*>")


ACTIONS = [
    ("action-1", "Action 1: Leaders’ Understanding of Local Area"),
    ("action-2", "Action 2: Joint Commissioning"),
    ("action-3", "Action 3: ASD Pathway"),
    ("action-4", "Action 4: Transitions in Healthcare"),
    ("action-5", "Action 5: Local Offer"),
]

OWNERS = "Sarah Callaghan and Zoe Richards"

# (anchor, milestone words, due date as written, responsible owner)
MILESTONES = [
    ("action-1-milestone-1", "securing feedback from parent carers", "31/01/21", OWNERS),
    ("action-1-milestone-2", "range of feedback reporting mechanisms", "31/01/21", OWNERS),
    ("action-1-milestone-3", "contributes recurrently to each delivery group", "31/01/21", OWNERS),
    ("action-2-milestone-1", "Set up commissioning dashboard", "31/12/20", "Dave Carr"),
    ("action-2-milestone-2", "without named PH school nurse", "31/12/20", "Karen Gosling"),
    ("action-2-milestone-3", "Map special nursing services", "31/12/20", "Kirsty Hamer"),
    ("action-2-milestone-4", "Map and review continence services", "31/12/20", "Steve Flynn"),
    ("action-3-milestone-1", "feasibility study of future", "31/12/20", "Maria Nelligan LSCFT"),
    ("action-3-milestone-2", "Set up mobilisation group", "31/01/21", "Zoe Richards"),
    ("action-3-milestone-3", "Identify support mechanisms", "31/01/21", "Zoe Richards"),
    ("action-3-milestone-4", "Likert scale questions", "28/02/21", "Phil Gooden"),
    ("action-4-milestone-1", "Share project plan with ICPs", "31/01/21", "Zoe Richards"),
    (
        "action-4-milestone-2",
        "Set up engagement meeting with providers",
        "31/01/21",
        "Zoe Richards",
    ),
    ("action-4-milestone-3", "adult services engaged", "28/02/21", "Zoe Richards"),
    ("action-4-milestone-4", "Data requirements for transitions", "31/12/20", "Scott Johnson"),
    ("action-5-milestone-1", "Complete and implement the directory", "31/10/20", "Ian Forsyth"),
    ("action-5-milestone-2", "variety of methods of communication", "31/01/21", "Lisa Taylor"),
    ("action-5-milestone-3", "web-based tool", "31/12/20", "Ian Forsyth"),
    ("action-5-milestone-4", "Schedule regular reviews", "31/01/21", "Lisa Taylor"),
]

# (anchor, risk words, mitigation words)
RISKS = [
    ("action-1-risk-1", "Delays for implementing feedback", "Ready to pilot this in January"),
    ("action-1-risk-2", "Data from health is varied", "Data QuIP Group with membership"),
    ("action-1-risk-3", "COVID continues to put pressure", "within constraints of current"),
    ("action-2-risk-1", "new continence policy may take time", "immediately policy is ratified"),
    ("action-3-risk-1", "ND Co-ordinators not yet in post", "Recruitment taking place"),
    ("action-3-risk-2", "outputs from private providers", "delivering digital assessments"),
    ("action-3-risk-3", "Data requirements not being met", "Data QuIP has been set up"),
    ("action-4-risk-1", "Adult services not engaged", "SEND Improvement Group reporting"),
    ("action-4-risk-2", "– new requirement", "Data QuIP has been set up"),
    ("action-4-risk-3", "COVID-19 response within providers", "delivered ready to proceed"),
    ("action-5-risk-1", "until 4th Jan 2021 / Absence of Project Officer", "outstanding/ over due"),
    ("action-5-risk-2", "Interface between service directory", "Agreed to defer launch"),
    ("action-5-risk-3", "Little feedback through feedback tool", "Communication plan"),
]

# (anchor, timescale as shown, words from the planned action)
NEXT_STEPS = [
    ("action-1-next-month-1", "Next month", "Friends and Family approach"),
    ("action-1-next-month-4", "Next month", "Review new feedback mechanisms"),
    ("action-1-next-3-months-2", "Next 3 months", "knowledge gaps from Board ‘Quizzes’"),
    ("action-1-next-6-months-2", "Next 6 months", "Theme and trends analysis"),
    ("action-2-next-month-3", "Next month", "recommend provisions changes"),
    ("action-2-next-6-months-3", "Next 6 months", "Implement recommendations"),
    (
        "action-3-next-month-1",
        "Next month",
        "Receive gap and demand analysis report (Ian Davidson)",
    ),
    ("action-3-next-3-months-3", "Next 3 months", "50% of parent carer feedback"),
    ("action-3-next-3-months-4", "Next 3 months", "Hold engagement event"),
    ("action-4-next-month-3", "Next month", "initial feedback at 20% as at 31/12/20 to 31/03/21"),
    ("action-4-next-3-months-3", "Next 3 months", "45% of young people feedback"),
    ("action-5-next-month-3", "Next month", "Develop more content for service directory"),
    ("action-5-next-6-months-1", "Next 6 months", "produce improvement plan in response"),
]

# Entries per action in: priorities, progress, milestones, next month/3/6, risks,
# issues, support.
SHAPE = {
    "1": (5, 6, 3, (4, 4, 2), 3, 2, 1),
    "2": (7, 5, 4, (3, 3, 3), 1, 1, 2),
    "3": (4, 4, 4, (3, 4, 2), 3, 4, 3),
    "4": (5, 4, 4, (4, 3, 3), 3, 2, 4),
    "5": (7, 4, 4, (3, 2, 1), 3, 4, 2),
}


@pytest.mark.parametrize(("anchor", "words", "due", "owner"), MILESTONES)
def test_every_milestone_row(html: str, anchor: str, words: str, due: str, owner: str) -> None:
    row = element_text(html, "tr", anchor)
    assert words in row
    assert f" {due} {owner} Not rated" in row.replace(" Overdue", "")


@pytest.mark.parametrize(("anchor", "risk", "mitigation"), RISKS)
def test_every_risk_row(html: str, anchor: str, risk: str, mitigation: str) -> None:
    row = element_text(html, "tr", anchor)
    assert risk in row and mitigation in row
    assert row.endswith("Not rated")


@pytest.mark.parametrize(("anchor", "when", "words"), NEXT_STEPS)
def test_next_steps_rows(html: str, anchor: str, when: str, words: str) -> None:
    row = element_text(html, "tr", anchor)
    assert row.startswith(when + " ")
    assert words in row


@pytest.mark.parametrize(("anchor", "heading"), ACTIONS)
def test_each_action_is_its_own_section(html: str, anchor: str, heading: str) -> None:
    assert f'<h2 class="heading-l" id="{anchor}-heading">{heading}</h2>' in _INLINE.sub("", html)
    text = section_text(html, anchor)
    for part in (
        "Priorities in APP for delivery by 30/09/2021",
        "Key progress since last update",
        "Key milestones this quarter (to 31/12/20)",
        "Action in next month, next 3 months and next 6 months",
        "Risks",
        "Key issues / gaps",
        "Support requirements",
    ):
        assert part in text, f"{anchor} lacks '{part}'"
    # Each row of the action's tables sits inside its own section.
    for row in re.findall(rf'<tr id="({anchor}-[a-z0-9-]+)"', html):
        assert row.startswith(f"{anchor}-")


@pytest.mark.parametrize("number", sorted(SHAPE))
def test_every_entry_of_every_action(report, number: str) -> None:
    action = report.model.actions[int(number) - 1]
    priorities, progress, milestones, nexts, risks, issues, support = SHAPE[number]
    assert action.number == number
    assert len(action.priorities) == priorities
    assert len(action.progress) == progress
    assert len(action.milestones) == milestones
    whens = [s.when.text for s in action.next_steps]
    assert (
        whens.count("Next month"),
        whens.count("Next 3 months"),
        whens.count("Next 6 months"),
    ) == nexts
    assert len(action.risks) == risks
    assert len(action.issues) == issues
    assert len(action.support) == support


def test_priorities_are_numbered_as_in_the_plan(html: str) -> None:
    assert element_text(html, "li", "action-2-priority-7").startswith(
        "Agree and implement consistent policy arrangements for the provision of continence"
    )
    assert '<li id="action-2-priority-7" value="7">' in html
    assert element_text(html, "li", "action-3-priority-4").startswith("70% of parent carers")
    text = section_text(html, "action-1")
    assert "(as in APP Submission)" in text
    assert "(as in APP Submission)" not in section_text(html, "action-3")


def test_outcomes_link_to_their_actions(html: str) -> None:
    text = section_text(html, "outcomes")
    assert text.startswith(
        "Outcomes Because of the actions of the Accelerated Progress Plan, children and young"
        " people with SEND will ..."
    )
    assert "Experience improved services due to leaders having a better" in text
    assert "while on the ASD waiting list (Action 3: ASD Pathway)" in text
    for anchor, _ in ACTIONS:
        assert f'<a href="#{anchor}">' in html
    assert "Outcome 4: children and young people with SEND will … Have a transition plan" in (
        element_text(html, "p", "action-4-outcome")
    )


def test_issues_and_support(html: str) -> None:
    text = section_text(html, "action-3")
    assert (
        "Key issues / gaps ND Co-ordinators recruitment is underway Data provision is currently"
        " not fit for purpose" in text
    )
    assert "funding includes 0.5wte B6 agreed by CCB" in text
    text = section_text(html, "action-4")
    assert "Need Commissioner lead for the ICS – awaiting confirmation of nominee" in text
    text = section_text(html, "action-1")
    assert "Support requirements Initial work with health providers suggests" in text


def test_headings_do_not_skip_levels(html: str) -> None:
    levels = [int(n) for n in re.findall(r"<h([1-6])\b", html)]
    assert levels.count(1) == 1
    assert all(b <= a + 1 for a, b in pairwise(levels))


def test_tables_are_accessible(html: str) -> None:
    tables = re.findall(r"<table\b.*?</table>", html, re.S)
    assert len(tables) == 5 * 3 - 0  # milestones, next steps, risks in each action
    for table in tables:
        assert 'class="table table--stack' in table
        assert "<caption" in table
        assert '<th scope="col">' in table
        cells = re.findall(r"<t[dh]\b[^>]*>", table.split("</thead>")[1])
        assert cells and all("data-label=" in cell for cell in cells)
    assert '<th scope="row" data-label="Milestone">' in html
    assert '<td data-label="Responsible owner">Ian Forsyth</td>' in html


def test_statuses_are_words_and_colour(html: str) -> None:
    tags = re.findall(
        r'<strong class="tag tag--none" data-status="not-rated">([^<]+)</strong>', html
    )
    assert len(tags) == 19
    assert set(tags) == {"Not rated"}
    # The risks' RAG cells are colour only in the original: not rated, on the risk scale.
    risks = re.findall(
        r'<strong class="tag tag--none" data-rating="not-rated">([^<]+)</strong>', html
    )
    assert risks == ["Not rated"] * 13


def test_summary_and_legend(html: str) -> None:
    text = fragment_text(html)
    assert "Report Lancashire SEND Accelerated Progress Plan Highlight Report" in text
    assert "Date 31/12/20" in text
    assert "Priorities for delivery by 30/09/2021" in text
    assert "19, of which 1 past their due date and not marked complete" in text
    assert "Colour key for progress" in text
    assert "Activity progress – significant deviation from plan (tolerance of 2 weeks)" in text
    assert (
        "Colour key for risk: impact and likelihood of a risk happening determines whether the"
        " risk is rated as High, Medium or Low" in text
    )
    assert '<strong class="tag tag--red">High</strong> High risk' in html
    assert '<strong class="tag tag--green">Activity progress – on track</strong>' in html


@pytest.mark.parametrize(
    ("key", "word", "level"),
    [
        (PROGRESS_KEY, "Completed", Level.COMPLETE),
        (PROGRESS_KEY, "Complete", Level.COMPLETE),
        (PROGRESS_KEY, "Activity progress – on track", Level.ON_TRACK),
        (PROGRESS_KEY, "Activity progress - On track", Level.ON_TRACK),
        (PROGRESS_KEY, "Activity progress -On track", Level.ON_TRACK),
        (PROGRESS_KEY, "On track", Level.ON_TRACK),
        (PROGRESS_KEY, "Activity progress - minor deviation from plan", Level.MINOR_DEVIATION),
        (PROGRESS_KEY, "Minor deviation", Level.MINOR_DEVIATION),
        (
            PROGRESS_KEY,
            "Activity progress – significant deviation from plan (tolerance of 2 weeks)",
            Level.SIGNIFICANT_DEVIATION,
        ),
        (
            PROGRESS_KEY,
            "Activity progress - significant deviation from plan (Tolerance of 2 Week)",
            Level.SIGNIFICANT_DEVIATION,
        ),
        (PROGRESS_KEY, "Significant deviation", Level.SIGNIFICANT_DEVIATION),
        (PROGRESS_KEY, "", Level.NOT_RATED),
        (PROGRESS_KEY, None, Level.NOT_RATED),
    ],
)
def test_status_words(key, word: str | None, level: Level) -> None:
    status = key.lookup(word)
    assert status is not None and status.level is level


@pytest.mark.parametrize(
    ("word", "level", "shown"),
    [
        ("High", RiskLevel.HIGH, "High"),
        ("medium", RiskLevel.MEDIUM, "Medium"),
        ("Low", RiskLevel.LOW, "Low"),
        ("", RiskLevel.NOT_RATED, "Not rated"),
    ],
)
def test_risk_words_are_ratings_not_progress(word: str, level: RiskLevel, shown: str) -> None:
    """The report's colour key for risk: "rated as High, Medium or Low"."""
    rating = RISK_KEY.lookup(word)
    assert rating is not None and rating.level is level and rating.text == shown


def test_words_outside_the_keys_are_refused() -> None:
    assert PROGRESS_KEY.lookup("Green") is None
    assert RISK_KEY.lookup("Completed") is None


def test_common_items(report) -> None:
    assert report.date.text == "31/12/20"
    assert report.date.iso() == "2020-12-31"
    assert report.as_of == date(2020, 12, 31)
    milestones = [i for i in report.items if i.kind == "milestone"]
    assert [m.anchor for m in milestones] == [m[0] for m in MILESTONES]
    assert [(m.due.text, m.owner) for m in milestones] == [(m[2], m[3]) for m in MILESTONES]
    actions = [i for i in report.items if i.kind == "action"]
    assert len(actions) == 28 + 44  # priorities, then next month / 3 months / 6 months
    assert len(report.items) == 19 + 28 + 44
    assert [r.anchor for r in report.risks] == [r[0] for r in RISKS]
    assert {r.rating.level for r in report.risks} == {RiskLevel.NOT_RATED}
    assert {r.status for r in report.risks} == {None}  # no progress status on a risk
    assert {i.status.level for i in report.items} == {Level.NOT_RATED}
    by_anchor = {i.anchor: i for i in report.items}
    assert by_anchor["action-3-milestone-1"].section == "Action 3 – ASD Pathway"
    assert by_anchor["action-3-milestone-1"].owner == "Maria Nelligan LSCFT"
    assert by_anchor["action-1-priority-4"].text == (
        "Review the POET survey and implement improved feedback systems"
    )
    assert report.risks[4].section == "Action 3 – ASD Pathway"
    assert report.risks[4].mitigation == "Recruitment taking place in January"
    assert [s.anchor for s in report.sections] == [
        "introduction",
        "outcomes",
        *(a for a, _ in ACTIONS),
        "glossary",
    ]


def test_every_anchor_is_a_unique_id_on_the_page(html: str, report) -> None:
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    for anchor in [i.anchor for i in report.items] + [r.anchor for r in report.risks]:
        assert ids.count(anchor) == 1, anchor
    for section in report.sections:
        assert ids.count(section.anchor) == 1


def test_dates_are_understood(report) -> None:
    due = {item.anchor: item.due for item in report.items}
    assert due["action-5-milestone-1"].iso() == "2020-10-31"
    assert due["action-3-milestone-4"].iso() == "2021-02-28"
    assert due["action-2-milestone-1"].iso() == "2020-12-31"
    assert due["action-1-priority-1"].text == "30/09/2021"
    assert due["action-1-priority-1"].iso() == "2021-09-30"
    # 'Action in next …' is counted from the report's date, 31/12/20.
    assert due["action-1-next-month-1"].text == "Next month"
    assert due["action-1-next-month-1"].iso() == "2021-01"
    assert due["action-1-next-3-months-1"].iso() == "2021-01-01/2021-03-31"
    assert due["action-1-next-6-months-1"].iso() == "2021-01-01/2021-06-30"


def test_the_directory_of_services_is_overdue(report) -> None:
    [item] = [
        i for i in report.items if i.text == "Complete and implement the directory of services"
    ]
    assert item.kind == "milestone"
    assert item.due.iso() == "2020-10-31"
    assert not item.status.is_complete
    overdue = [i.anchor for i in report.items if i.is_overdue(report.as_of)]
    assert overdue == ["action-5-milestone-1"]


def test_the_page_flags_the_overdue_milestone_in_words(html: str) -> None:
    assert element_text(html, "tr", "action-5-milestone-1").startswith(
        "Complete and implement the directory of services 31/10/20 Overdue Ian Forsyth Not rated"
    )
    assert html.count('<strong class="tag tag--red">Overdue</strong>') == 1


def test_dates_are_machine_readable(html: str) -> None:
    assert '<time datetime="2020-10-31">31/10/20</time>' in html
    assert '<time datetime="2021-01">Next month</time>' in html
    assert 'title="Understood as 1 Jan 2021 to 30 Jun 2021">Next 6 months</span>' in html


def test_glossary(report, html: str) -> None:
    terms = {t.term: t for t in report.glossary}
    assert len(report.glossary) == 23
    assert terms["APP"].expansion == "Accelerated Progress Plan"
    assert terms["ND"].expansion == "Neuro developmental pathway"
    assert terms["B6"].description == "which is a health pay grade"
    assert terms["Q3"].expansion == "Quarter 3"
    assert element_text(html, "div", "glossary-nd").startswith("ND Pathway")
    text = section_text(html, "glossary")
    assert text.startswith("Glossary of Abbreviations Used APP Accelerated Progress Plan")
    assert "B6 Band 6 (which is a health pay grade)" in text
    assert "SEND PM SEND Project Manager" in text
    assert "Q2 Quarter 2 (July to September) Q3 Quarter 3 (October to December)" in text


def test_glossary_terms_reach_the_site_glossary(demo_site: Path) -> None:
    text = page_text(demo_site / "glossary" / "index.html")
    assert "Personal Outcomes Evaluation Tool" in text
    assert "Local Offer Development Officer" in text


def _broken(make_site: SiteMaker, old: str, new: str) -> tuple[Path, int]:
    return edited_copy(make_site, SOURCE, "content/lancashire/report.md", old, new)


def test_unknown_status_word_is_a_plain_error(make_site: SiteMaker) -> None:
    old = "owner: Ian Forsyth\n        status:\n"
    root, line = _broken(make_site, old, "owner: Ian Forsyth\n        status: Ongoing\n")
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert f"lancashire/report.md:{line + 1}:" in result.output
    assert "unknown status 'Ongoing' for the Colour key for progress" in result.output
    assert "Traceback" not in result.output


def test_duplicate_action_number_is_a_plain_error(make_site: SiteMaker) -> None:
    root, line = _broken(make_site, 'number: "4"', 'number: "3"')
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert f"lancashire/report.md:{line}:" in result.output
    assert "action 3 is already used on line" in result.output
    assert "Traceback" not in result.output


def test_report_date_that_is_not_a_date_is_a_plain_error(make_site: SiteMaker) -> None:
    root, line = _broken(make_site, 'date: "31/12/20"', "date: Winter")
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert f"lancashire/report.md:{line}:" in result.output
    assert "the report date 'Winter' is not a date" in result.output
    assert "Traceback" not in result.output


def test_missing_actions_is_a_plain_error(make_site: SiteMaker) -> None:
    root = make_site(
        {
            "content/lancashire/r.md": (
                '---\nformat: lancashire-app-highlight\ndate: "31/12/20"\n---\n'
            )
        }
    )
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert "lancashire/r.md" in result.output
    assert "'actions' is missing" in result.output
    assert "Traceback" not in result.output


def test_a_date_at_the_end_of_the_calendar_is_a_content_error(make_site: SiteMaker) -> None:
    """Its next six months ran past the year 9999: an OverflowError blamed on the plugin
    ('a bug in the plugin'), naming no line. A date past the year 9000 is not understood
    (sendsite.content.dates.LAST_YEAR), and a report's date must be understood."""
    report = (
        '---\nformat: lancashire-app-highlight\ndate: "31/12/9999"\nactions:\n'
        '  - number: "1"\n    title: Leaders\n    next_month:\n      - Review\n---\nBody.\n'
    )
    root = make_site({"content/lancashire/r.md": report})
    result = run_cli("check", "--source", str(root))
    assert result.exit_code == 1
    assert "r.md:3:7: error: date: the report date '31/12/9999' is not a date" in result.output
    assert "bug in the plugin" not in result.output
