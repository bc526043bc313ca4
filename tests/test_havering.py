"""The Havering board report, end to end: cover sheet, numbered paragraphs, the
milestones and actions they state, money figures, implications and their officers."""

from __future__ import annotations

import re
from html import unescape as html_unescape
from itertools import pairwise
from pathlib import Path

import pytest
from sendsite_havering.reader import PROGRESS_KEY

from sendsite.content.risk_rating import RiskLevel
from sendsite.content.status import Level

from .conftest import (
    SiteMaker,
    element_html,
    element_text,
    fragment_text,
    page_text,
    run_cli,
    section_html,
    section_text,
)

PAGE = Path("havering/send-joint-commissioning-annual-report-2014/index.html")


@pytest.fixture(scope="module")
def report(demo_reports):
    return demo_reports["havering"]


@pytest.fixture(scope="module")
def html(demo_site: Path) -> str:
    return (demo_site / PAGE).read_text(encoding="utf-8")


# Every numbered paragraph, with words it must hold.
PARAGRAPHS = [
    ("1.1", "has met on seven occasions"),
    ("1.2", "An update is provided later in this report."),
    ("1.3", "difficult to predict the numbers with any certainty"),
    ("1.4", "The first EHC plans will be produced early in the New Year"),
    ("1.5", "a case review of the allocation of short breaks"),
    ("2.1", "a Children's Commissioner has been appointed"),
    ("3.1", "outcomes linked to the overall service delivery"),
    ("3.2", "with the contract award due in March 2015."),
    ("3.3", "£850,000 per annum."),
    ("4.1", "the special (complex) element of School Nursing Services"),
    ("4.2", "Launch of the Service during April 2015."),
    ("4.3", "£60,000 (still to be confirmed)"),
    ("5.1", "During July 2014 the CCG worked to review"),
    ("6.1", "Developing a continuation of provision"),
    ("6.2", "the current NHS England Tier 4 CAMHS review"),
    ("6.3", "revised CAMHS strategy"),
    ("6.4", "Health Watch and continuing care team"),
    ("6.5", "a briefing for Clinical Directors in early 2015"),
    ("7.1", "Scoping for this piece of work will begin at the end of the year"),
]

# (anchor, paragraph, words, owner or "", due as written or "", status tag text)
ITEMS = [
    ("para-1-4-item-1", "1.4", "London wide policy", "The LA, with London Councils", "",
     "In progress"),
    ("para-1-4-item-2", "1.4", "The first EHC plans produced", "", "early in the New Year",
     "Planned: not started"),
    ("para-1-5-item-1", "1.5", "Pilot of a new Resource Allocation System",
     "Adult Social Care Services", "early in the New Year", "Planned: not started"),
    ("para-1-5-item-2", "1.5", "Case review of the allocation of short breaks", "", "",
     "Not rated"),
    ("para-2-1-item-1", "2.1", "Children's Commissioner appointed", "CCG and Local Authority",
     "During the year", "Complete"),
    ("para-3-1-item-1", "3.1", "service specification developed", "", "", "Complete"),
    ("para-3-2-item-1", "3.2", "expressions of interest from potential bidders",
     "Local Authority procurement", "November 2014", "Complete"),
    ("para-3-2-item-2", "3.2", "Speech and Language: contract award",
     "Local Authority procurement", "March 2015", "Planned: not started"),
    ("para-4-2-item-1", "4.2", "School nursing tender process",
     "Public Health, supported by the CCG", "", "In progress"),
    ("para-4-2-item-2", "4.2", "Award of Contract", "Public Health, supported by the CCG",
     "December 2014", "Planned: not started"),
    ("para-4-2-item-3", "4.2", "Launch of the Service", "Public Health, supported by the CCG",
     "April 2015", "Planned: not started"),
    ("para-5-1-item-1", "5.1", "Review of existing music therapy contracts", "CCG",
     "July 2014", "Complete"),
    ("para-6-1-item-1", "6.1", "Review of Tiers 1-3", "CCG, supported by LBH", "",
     "Planned: not started"),
    ("para-6-3-item-1", "6.3", "CAMHS task and finish group meets",
     "Havering's CAMHS task and finish group", "", "In progress"),
    ("para-6-4-item-1", "6.4", "CAMHS review consultations with stakeholders",
     "Commissioners from the Children and Disabilities Team (CAD), with the CAMHS project lead",
     "", "In progress"),
    ("para-6-5-item-1", "6.5", "briefing for Clinical Directors", "", "early 2015",
     "Planned: not started"),
    ("para-6-5-item-2", "6.5", "update provided to the Joint Commissioning Board", "",
     "the subsequent Joint Commissioning Board", "Planned: not started"),
    ("para-6-5-item-3", "6.5", "Joint plan for the future commissioning of CAMHS",
     "CCG, with LBH", "as early in 2015 as possible", "Planned: not started"),
    ("para-7-1-item-1", "7.1", "Scoping of joint commissioning of respite and short breaks",
     "CCG and Local Authority", "the end of the year", "Planned: not started"),
    ("para-7-1-item-2", "7.1", "equipment, including wheelchairs", "CCG and Local Authority",
     "", "Planned: not started"),
    ("para-7-1-item-3", "7.1", "reviewing therapies", "CCG and Local Authority", "",
     "Planned: not started"),
]  # fmt: skip

# (anchor, risk words, mitigation words, owner, where it sits)
RISKS = [
    ("para-4-3-risk-1", "less than was expected by partners in Public Health",
     "On-going discussions are in place", "CCG and Public Health", "para-4-3"),
    ("implications-equalities-risk-1", "short breaks/respice care need not matching",
     "Measures are in place to attempt to mitigate", "Paul Green, Corporate Policy & Diversity "
     "Advisor", "implications-equalities"),
    ("implications-equalities-risk-2", "funding of the School Nursing Services",
     "Measures are in place to attempt to mitigate", "Paul Green, Corporate Policy & Diversity "
     "Advisor", "implications-equalities"),
]  # fmt: skip

OFFICERS = [
    ("financial", "Financial implications and risks", "David Allen/Rav Nijjar"),
    ("legal", "Legal implications and risks", "Stephen Doye"),
    (
        "hr",
        "Human Resources implications and risks",
        "Eve Anderson, Strategic HR Business Partner – Children, Adults & Housing and "
        "Public Health",
    ),
    ("equalities", "Equalities implications and risks", "Paul Green, Corporate Policy & "
     "Diversity Advisor"),
]  # fmt: skip


# --- the page -------------------------------------------------------------------------------


def test_cover_sheet(html: str, demo_site: Path) -> None:
    text = page_text(demo_site / PAGE)
    assert "Board Health & Wellbeing Board" in text
    assert "Subject heading SEND Joint Commissioning Annual Report 2014" in text
    assert "Board lead Councillor Steven Kelly" in text
    assert "Report author Mary Pattinson, Head of Learning & Achievement" in text
    cover = section_html(html, "cover-sheet")
    assert '<a href="tel:01708433808">01708 433808</a>' in cover
    assert '<a href="mailto:Mary.pattinson@havering.gov.uk">' in cover


@pytest.mark.parametrize(
    ("number", "title"),
    [
        ("1", "Priority 1: Early help for vulnerable people"),
        ("6", "Priority 6: Better integrated care for vulnerable children"),
        ("7", "Priority 7: Reducing avoidable hospital admissions"),
        ("8", "Priority 8: Improve the quality of services to ensure that patient experience"),
    ],
)
def test_strategy_priorities_are_ticked(html: str, number: str, title: str) -> None:
    row = element_text(html, "li", f"priority-{number}")
    assert row.startswith("☒ Addressed")  # a word, not colour or a symbol alone
    assert title in row


def test_summary_and_recommendations(html: str) -> None:
    summary = section_text(html, "summary")
    assert summary.startswith("Summary Clause 26 of the Children and Families Act 2014")
    assert summary.endswith("This report constitutes this annual report.")
    assert "<li>To accept the Report.</li>" in section_html(html, "recommendations")


def test_numbered_sections(html: str) -> None:
    detail = section_html(html, "report-detail")
    headings = re.findall(r'<h3 class="heading-m" id="(section-\d)-heading">([^<]+)</h3>', detail)
    assert [(a, fragment_text(t)) for a, t in headings] == [
        ("section-1", "1. Joint Commissioning Group Meetings"),
        ("section-2", "2. Children's Joint Commissioning Update – October 2014"),
        ("section-3", "3. Speech and Language"),
        ("section-4", "4. Special School Nursing"),
        ("section-5", "5. Music Therapy and Counselling Service"),
        ("section-6", "6. CAMHS"),
        ("section-7", "7. Future Joint Commissioning Plans"),
    ]


@pytest.mark.parametrize(("number", "words"), PARAGRAPHS)
def test_every_numbered_paragraph(html: str, number: str, words: str) -> None:
    anchor = "para-" + number.replace(".", "-")
    section = section_html(html, f"section-{number.split('.')[0]}")
    paragraph = element_html(section, "li", anchor)
    assert f'<a class="havering-para__number" href="#{anchor}"' in paragraph
    assert fragment_text(paragraph).startswith(number + " ")
    assert words in fragment_text(paragraph)


def test_paragraphs_are_an_ordered_structure(html: str) -> None:
    numbers = re.findall(r'<li class="havering-para" id="para-(\d+)-(\d+)">', html)
    assert [f"{a}.{b}" for a, b in numbers] == [number for number, _ in PARAGRAPHS]
    assert html.count('<ol class="havering-paras" role="list">') == 7


def test_lists_inside_paragraphs(html: str) -> None:
    assert element_html(html, "li", "para-1-1").count("<li>") == 3
    assert element_html(html, "li", "para-6-1").count("<li>") == 6
    assert element_html(html, "li", "para-6-4").count("<li>") == 13
    assert element_html(html, "li", "para-7-1").count("<li>") == 3


@pytest.mark.parametrize(("anchor", "paragraph", "words", "owner", "due", "status"), ITEMS)
def test_every_item_beside_its_paragraph(
    html: str, anchor: str, paragraph: str, words: str, owner: str, due: str, status: str
) -> None:
    inside = element_html(html, "li", "para-" + paragraph.replace(".", "-"))
    row = fragment_text(element_html(inside, "li", anchor))
    assert words in row
    assert (f"Owner: {owner}" in row) if owner else ("Owner:" not in row)
    assert (f"Due: {due}" in row) if due else ("Due:" not in row)
    assert row.endswith(status)


@pytest.mark.parametrize(("anchor", "risk", "mitigation", "owner", "where"), RISKS[:1])
def test_paragraph_risk(
    html: str, anchor: str, risk: str, mitigation: str, owner: str, where: str
) -> None:
    row = fragment_text(element_html(element_html(html, "li", where), "li", anchor))
    assert row.startswith("Risk:") and risk in row
    assert f"Mitigation: {mitigation}" in row and f"Owner: {owner}" in row
    assert row.endswith("Not rated")


@pytest.mark.parametrize(("anchor", "risk", "mitigation", "owner", "where"), RISKS[1:])
def test_equalities_risks(
    html: str, anchor: str, risk: str, mitigation: str, owner: str, where: str
) -> None:
    section = section_html(html, where)
    row = fragment_text(element_html(section, "li", anchor))
    assert risk in row and row.endswith("Not rated")
    assert mitigation in fragment_text(section)


@pytest.mark.parametrize(("kind", "heading", "signed"), OFFICERS)
def test_implications_are_signed(html: str, kind: str, heading: str, signed: str) -> None:
    section = section_html(html, f"implications-{kind}")
    assert f'<h3 class="heading-m" id="implications-{kind}-heading">{heading}</h3>' in section
    signature = element_html(section, "p", f"implications-{kind}-officer")
    assert html_unescape(re.sub(r"<[^>]+>", "", signature)) == f"Signed: {signed}"


def test_money_figures(html: str) -> None:
    table = element_html(html, "table", "money-figures")
    assert "<caption>Money figures in the report</caption>" in table
    rows = [fragment_text(r) for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]]
    assert [r.split()[0] for r in rows] == ["£850,000", "£60,000", "£275,974", "£206,612"]
    assert '<a href="#para-3-3">Paragraph 3.3</a>' in table
    assert '<a href="#para-4-3">Paragraph 4.3</a>' in table
    assert table.count('<a href="#implications-financial">') == 2
    assert "one-off SEN Reform grant of £275,974 to Havering" in rows[2]


def test_at_a_glance_links_every_item(html: str) -> None:
    table = element_html(html, "table", "milestones-and-actions")
    assert [f"#{a}" for a, *_ in ITEMS] == re.findall(r'<a href="(#para-[\d-]+item-\d+)">', table)


def test_tables_are_accessible(html: str) -> None:
    for table in re.findall(r"<table\b.*?</table>", html, re.S):
        assert 'class="table table--stack"' in table
        assert "<caption>" in table
        assert "<th>" not in table and '<th scope="col">' in table
        cells = re.findall(r"<td\b[^>]*>", table)
        assert cells and all("data-label=" in cell for cell in cells)


def test_headings_do_not_skip_levels(html: str) -> None:
    levels = [int(n) for n in re.findall(r"<h([1-6])\b", html)]
    assert levels.count(1) == 1
    assert all(b <= a + 1 for a, b in pairwise(levels))


def test_every_anchor_is_a_unique_id(html: str, report) -> None:
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    anchors = [s.anchor for s in report.sections] + [i.anchor for i in report.items]
    anchors += [r.anchor for r in report.risks]
    assert set(anchors) <= set(ids)


def test_background_papers_and_abbreviations(html: str) -> None:
    assert "None are listed in the report." in section_html(html, "background-papers")
    glossary = section_text(html, "abbreviations")
    assert "CAMHS Child and Adolescent Mental Health Services" in glossary
    assert "NELFT North East London NHS Foundation Trust" in glossary


# --- the common model --------------------------------------------------------------------------


def test_common_items(report) -> None:
    assert [item.anchor for item in report.items] == [row[0] for row in ITEMS]
    assert {item.kind for item in report.items} == {"milestone", "action"}
    award = report.items[7]
    assert award.kind == "milestone"
    assert award.text == "Speech and Language: contract award"
    assert award.section == "3. Speech and Language, paragraph 3.2"
    assert award.owner == "Local Authority procurement (CCG-funded service)"
    assert award.status.level is Level.NOT_STARTED
    assert report.items[5].status.level is Level.COMPLETE
    assert report.items[3].status.level is Level.NOT_RATED


def test_common_risks(report) -> None:
    assert [r.anchor for r in report.risks] == [row[0] for row in RISKS]
    equalities = report.risks[1]
    assert equalities.owner == "Paul Green, Corporate Policy & Diversity Advisor"
    assert (
        equalities.mitigation
        == "Measures are in place to attempt to mitigate these negative impacts."
    )
    assert equalities.section == "Equalities implications and risks"
    assert report.risks[0].section == "4. Special School Nursing, paragraph 4.3"
    # The report rates none of its risks: not rated on the risk scale, and no progress status.
    assert all(r.rating.level is RiskLevel.NOT_RATED and r.status is None for r in report.risks)


def test_dates_are_understood(report) -> None:
    due = {item.anchor: item.due for item in report.items}
    assert due["para-3-2-item-1"].iso() == "2014-11"
    assert due["para-3-2-item-2"].iso() == "2015-03"
    assert due["para-4-2-item-2"].iso() == "2014-12"
    assert due["para-4-2-item-3"].iso() == "2015-04"
    assert due["para-5-1-item-1"].iso() == "2014-07"
    # "early in the New Year" is kept as written and understood as 2015.
    assert due["para-1-4-item-2"].text == "early in the New Year"
    assert due["para-1-4-item-2"].iso() == "2015-01-01/2015-04-30"
    assert due["para-6-5-item-2"].iso() == ""  # "the subsequent Joint Commissioning Board"
    assert report.date.text == "2014"
    assert report.date.iso() == "2014-01-01/2014-12-31"
    assert not [item for item in report.items if item.is_overdue(report.as_of)]


def test_summary_and_contents(report) -> None:
    assert ("Board lead", "Councillor Steven Kelly") in report.summary
    assert ("Report date", "2014") in report.summary
    levels = {s.anchor: s.level for s in report.sections}
    assert levels["report-detail"] == 2 and levels["section-6"] == 3
    assert levels["implications-hr"] == 3
    assert len(report.glossary) == 11


@pytest.mark.parametrize(
    ("word", "level"),
    [
        ("Complete", Level.COMPLETE),
        ("completed", Level.COMPLETE),
        ("In progress", Level.IN_PROGRESS),
        ("in-progress", Level.IN_PROGRESS),
        ("Planned", Level.NOT_STARTED),
        ("Not started", Level.NOT_STARTED),
        ("", Level.NOT_RATED),
    ],
)
def test_status_words(word: str, level: Level) -> None:
    status = PROGRESS_KEY.lookup(word)
    assert status is not None and status.level is level


def test_unknown_status_word_is_refused() -> None:
    assert PROGRESS_KEY.lookup("Green") is None


# --- authors' mistakes -------------------------------------------------------------------------

GOOD = """\
---
format: havering-board-report
title: Small report
date: "2014"
strategy:
  priorities:
    - number: "1"
      title: Early help
      addressed: yes
sections:
  - number: "1"
    title: Meetings
    paragraphs:
      - number: "1.1"
        text: The group met.
        items:
          - kind: milestone
            text: Contract award
            due: early in the New Year
            due_means: early 2015
            status: Planned
implications:
  - kind: legal
    text: None.
    officer:
      name: A Officer
---
"""


def _build(make_site: SiteMaker, text: str):
    root = make_site({"content/havering/r.md": text})
    return run_cli("build", "--source", str(root))


def test_a_small_report_builds(make_site: SiteMaker) -> None:
    result = _build(make_site, GOOD)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ('- number: "1.1"', '- number: "2.1"', 14, "paragraph number '2.1' does not belong"),
        ("addressed: yes", "addressed: ticked", 9, "expected yes or no"),
        ("due_means: early 2015", "due_means: soonish", 20, "could not understand the date"),
        ("status: Planned", "status: Green", 21, "unknown status 'Green'"),
        ("kind: milestone", "kind: target", 17, "unknown kind 'target'"),
        ("      name: A Officer\n", "", 25, "implications[1].officer: is empty"),
    ],
)
def test_mistakes_are_plain_errors(
    make_site: SiteMaker, old: str, new: str, line: int, message: str
) -> None:
    assert old in GOOD
    result = _build(make_site, GOOD.replace(old, new))
    assert result.exit_code == 1
    assert f"havering/r.md:{line}" in result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_missing_sections_is_a_plain_error(make_site: SiteMaker) -> None:
    result = _build(make_site, "---\nformat: havering-board-report\ndate: '2014'\n---\n")
    assert result.exit_code == 1
    assert "havering/r.md" in result.output
    assert "'sections' is missing" in result.output
    assert "Traceback" not in result.output
