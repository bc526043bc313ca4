"""The Suffolk revisit response grid, end to end: every weakness, response, date, lead, status."""

from __future__ import annotations

import itertools
import re
from datetime import date
from pathlib import Path

import pytest
from sendsite_suffolk.reader import STATUS_KEY

from sendsite.content.status import Level

from .conftest import (
    REPO,
    SiteMaker,
    fragment_text,
    page_text,
    row_text,
    run_cli,
    section_html,
    section_text,
)

PAGE = Path("suffolk/revisit-response-2019-09/index.html")
SOURCE = REPO / "content" / "suffolk" / "revisit-response-2019-09.md"


@pytest.fixture(scope="module")
def report(demo_reports):
    return demo_reports["suffolk"]


@pytest.fixture(scope="module")
def html(demo_site: Path) -> str:
    return (demo_site / PAGE).read_text(encoding="utf-8")


# (section anchor, h2 text, words from each weakness in it)
ENTRIES = [
    ("weakness-1", "Weakness 1: Communicating plans for change", ["not been well communicated"]),
    ("weakness-2", "Weakness 2:", ["remains too slow for too many"]),
    ("weakness-3-4", "Weaknesses 3 and 4:", ["newly completed EHC plans", "not integrated well"]),
    ("weakness-5", "Weakness 5:", ["as CYP move towards adulthood"]),
    ("weakness-6", "Weakness 6:", ["particularly from CAMHS", "point 11-17 below"]),
    ("weakness-7", "Weakness 7:", ["sufficient expertise and confidence"]),
    ("weakness-8", "Weakness 8:", ["The local offer (website) has improved"]),
    ("weakness-9", "Weakness 9:", ["needs to move on urgently"]),
    ("weakness-10", "Weakness 10:", ["unnecessary escalation of concerns"]),
    (
        "weakness-11-15",
        "Weaknesses 11–15: Access to CAMHS and mental health services",
        [
            "complex mental health needs",
            "significant concern – often long delays – and",
            "practitioners' availability",
            "other areas of NHS delivery",
            "urgent work is not sufficiently timely",
        ],
    ),
    ("weakness-16", "Weakness 16:", ["drifted against the action plan milestones"]),
    ("weakness-17", "Weakness 17:", ["in line with NICE guidance"]),
    ("weakness-18", "Weakness 18:", ["across the whole of Suffolk"]),
    ("weakness-19", "Weakness 19:", ["agreed priorities and goals", "programme board does not"]),
    ("weakness-20", "Weakness 20:", ["strengthen early intervention services"]),
    ("weakness-21", "Weakness 21:", ["full implementation of the new approach"]),
]

HEAD = "Head of SEND Services for CYP, SCC"
AD_IS = "AD Inclusion & Skills, SCC"
W6 = "AD Transformation CYP, CCG; AD Integrated Community Paediatric Services (ICPS), CCG"
DCO = "Clinical Commissioning Groups DCOs"
NOT_RATED = "Not rated"

# (anchor, response words, due as written, lead, status tag text)
ACTIONS = [
    ("weakness-1-action-1", "dedicated SEND communication lead/role", "by 31 May 2019",
     "Assistant Director (AD) Inclusion & Skills SCC", NOT_RATED),
    ("weakness-1-action-2", "joint proactive strategic comms plan", "by 31 May 2019",
     "Assistant Director (AD) Inclusion & Skills SCC", NOT_RATED),
    ("weakness-1-action-3", "new Facebook page for Suffolk SEND", "by 30 June 2019",
     "Assistant Director (AD) Inclusion & Skills SCC", NOT_RATED),
    ("weakness-1-action-4", "routine feedback loop for service users", "by 30 June 2019",
     "Assistant Director (AD) Inclusion & Skills SCC", NOT_RATED),
    ("weakness-1-action-5", "clear about future plans", "by 30 June 2019",
     "Assistant Director (AD) Inclusion & Skills SCC", NOT_RATED),
    ("weakness-2-action-1", "strengthen the caseworker resource", "by 30 June 2019", HEAD,
     NOT_RATED),
    ("weakness-2-action-2", "operational leadership within the EHC delivery team",
     "by 31 August 2019", HEAD, NOT_RATED),
    ("weakness-2-action-3", "education psychology function", "by 31 May 2019", HEAD, NOT_RATED),
    ("weakness-2-action-4", "response times to advice requests", "by 31 July 2019", HEAD,
     NOT_RATED),
    ("weakness-3-4-action-1", "joint SEND Quality Assurance (QA) team", "by 31 August 2019",
     HEAD, NOT_RATED),
    ("weakness-3-4-action-2", "online SEND training programme that has been developed",
     "by 31 August 2019", "Senior Responsible Officers (SROs)", NOT_RATED),
    ("weakness-3-4-action-3", "measuring progress against EHC outcomes live", "by 30 Sept 2019",
     HEAD, NOT_RATED),
    ("weakness-3-4-action-4", "peer review of the quality of EHC plans/reviews",
     "by 31 July 2020", HEAD, NOT_RATED),
    ("weakness-5-action-1", "one-year appointment of a SEND transitions officer",
     "by 30 June 2019", "SEND Consultant for Moving into Adulthood, SCC", NOT_RATED),
    ("weakness-5-action-2", "Moving Into Adulthood Plan (MIAP)", "from 30 Sept 2019",
     "SEND Consultant for Moving into Adulthood, SCC", NOT_RATED),
    ("weakness-5-action-3", "gather data from MIAPs", "by 31 Dec 2019",
     "SEND Consultant for Moving into Adulthood, SCC", NOT_RATED),
    ("weakness-5-action-4", "200 SENCOs", "by 30 Mar 2020",
     "SEND Consultant for Moving into Adulthood, SCC", NOT_RATED),
    ("weakness-6-action-1", "Ideal Worker model", "Not given", W6, NOT_RATED),
    ("weakness-6-action-2", "scheduled to run June- Sept 2019", "by 28 February 2020", W6,
     NOT_RATED),
    ("weakness-6-action-3", "Speech, Language and Communication model",
     "from 30 September 2019 onwards", W6, NOT_RATED),
    ("weakness-6-action-4", "Waveney SALT", "from 30 Sept 2019 onwards", W6, NOT_RATED),
    ("weakness-7-action-1", "SEND training is mandatory", "Not given", DCO, NOT_RATED),
    ("weakness-7-action-2", "SEND clinical leads", "by July 2019", DCO, NOT_RATED),
    ("weakness-7-action-3", "decision making panel", "by 30 May 2019", DCO, NOT_RATED),
    ("weakness-7-action-4", "(4 sessions a year)", "by 31 July 2019", DCO, NOT_RATED),
    ("weakness-7-action-5", "Biannual audit of health advice", "Not given", DCO, NOT_RATED),
    ("weakness-7-action-6", "eLearning package once finalised", "Not given", DCO, NOT_RATED),
    ("weakness-8-action-1", '"SEND Wheel" Tool', "by 30May 19",
     "Head of SEND Funding & Contracts, SCC", NOT_RATED),
    ("weakness-8-action-2", "to use the LO site with families", "by 31 Dec 2019",
     "Head of SEND Funding & Contracts, SCC", NOT_RATED),
    ("weakness-8-action-3", "check question in the annual review", "by 30 June 2019",
     "Head of SEND Funding & Contracts, SCC", NOT_RATED),
    ("weakness-9-action-1", "SEND Training Officer", "by 30 June 2019", AD_IS, NOT_RATED),
    ("weakness-9-action-2", "workforce training programme", "by 30 Oct 2019", AD_IS, NOT_RATED),
    ("weakness-9-action-3", "minimum standard of training", "by 31 Dec 2019", AD_IS, NOT_RATED),
    ("weakness-10-action-1", "real time feedback loop", "by 30June 2019", AD_IS, NOT_RATED),
    ("weakness-10-action-2", "clear communications policy", "by 31 July 2019", AD_IS, NOT_RATED),
    ("weakness-10-action-3", "person centred planning", "by 30 Sept 2019", AD_IS, NOT_RATED),
    ("weakness-10-action-4", "QA casework check", "by 31 Dec 2019", AD_IS, NOT_RATED),
    ("weakness-10-action-5", "performance conversations", "by 30 June 2019", AD_IS, NOT_RATED),
    ("weakness-10-action-6", "new way of managing complaints", "by 30 April 2019", AD_IS,
     NOT_RATED),
    ("weakness-11-15-action-1", "Develop Mental health strategies", "Not given",
     "Chief Operating Officer (COO) NSFT", NOT_RATED),
    ("weakness-11-15-action-2", "commencing 15 June 2019 and completing", "by 31 Dec 2020",
     "AD Transformation CYP", NOT_RATED),
    ("weakness-11-15-action-3", "monitoring of wait times", "from 1 April 2019 onwards",
     "Director of Nursing (DON) CCG", NOT_RATED),
    ("weakness-11-15-action-4", "Expand Hub Board remit", "Not given", "DON CCG", NOT_RATED),
    ("weakness-11-15-action-5", "Service line reviews", "by 30 Sept 2019", "DON CCG",
     "Black: actions in progress/ in the future"),
    ("weakness-11-15-action-6", "Redesign operational processes", "beginning 15 April 2019",
     "COO, NSFT", NOT_RATED),
    ("weakness-16-action-1", "additional £2million in a new Crisis model", "by 30 March 2020",
     "AD Transf. CYP; COO, NSFT", NOT_RATED),
    ("weakness-16-action-2", "CAMHS Crisis pilot", "by 30 June 2019",
     "AD Transf. CYP; COO, NSFT", NOT_RATED),
    ("weakness-17-action-1", "ADHD prioritised for the first Service Review", "Not given",
     "COO, NSFT", NOT_RATED),
    ("weakness-17-action-2", "three neurodevelopment pathways", "by 30 December 2019",
     "AD Transformation CYP", NOT_RATED),
    ("weakness-17-action-3", "Rapid Recovery plan for ADHD", "by 30 December 2019",
     "COO, NSFT", NOT_RATED),
    ("weakness-18-action-1", "Most Capable Provider process", "by 31 July 2019",
     "AD Transformation CYP", NOT_RATED),
    ("weakness-18-action-2", 'Nine "quick wins"', "Not given", "AD Transformation CYP",
     NOT_RATED),
    ("weakness-19-action-1", "agreed set of KPIs", "by 30 April 2019",
     "AD Inclusion and Skills; DON CCG", "Blue: completed activity"),
    ("weakness-19-action-2", 'joint "non-exec" SEND Oversight Board', "by 30 April 2019",
     "AD Inclusion and Skills; DON CCG", "Blue: completed activity"),
    ("weakness-20-action-1", "Co-production and communication resources", "by 30 June 2019",
     "AD Trans CYP", NOT_RATED),
    ("weakness-20-action-2", "start of the MCP process", "by 30 June 2019", "AD Trans CYP",
     NOT_RATED),
    ("weakness-21-action-1", "Multi-Agency assessment centre pilot", "by April 2019",
     "AD Trans CYP", NOT_RATED),
]  # fmt: skip


@pytest.mark.parametrize(("anchor", "heading", "weaknesses"), ENTRIES)
def test_every_entry_is_a_section(html: str, anchor: str, heading: str, weaknesses) -> None:
    section = section_html(html, anchor)
    h2 = re.search(rf'<h2 class="heading-l" id="{anchor}-heading">(.*?)</h2>', section)
    assert h2 and fragment_text(h2.group(1)).startswith(heading)
    text = fragment_text(section)
    for words in weaknesses:
        assert words in text
    for h3 in ("Proposed response from local area", "Impact measurement"):
        assert f">{h3}</h3>" in section


@pytest.mark.parametrize(("anchor", "words", "due", "lead", "status"), ACTIONS)
def test_every_response(html: str, anchor: str, words: str, due: str, lead: str, status: str):
    row = row_text(html, anchor)
    assert words in row
    assert f" {due} {lead} {status}" in row
    assert row.endswith(status)


def test_responses_sit_in_their_entry(html: str) -> None:
    for anchor, *_ in ACTIONS:
        entry = anchor.rsplit("-action-", 1)[0]
        assert f'<tr id="{anchor}">' in section_html(html, entry)


def test_every_weakness_number_is_linkable(html: str) -> None:
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    for n in range(1, 22):
        assert f"weakness-{n}" in ids
        assert f'<a href="#weakness-{n}"><span class="visually-hidden">Weakness </span>{n}</a>' in (
            html
        )
    # Every in-page link lands on an element.
    for target in re.findall(r'href="#([^"]+)"', html):
        assert target in ids, target


def test_shared_entries_say_so(html: str) -> None:
    shared = section_html(html, "weakness-11-15")
    assert "suffolk-entry--shared" in re.search(r'<section [^>]*id="weakness-11-15"', html)[0]
    assert "One shared response." in shared and "These 5 weaknesses share" in shared
    for n in range(11, 16):
        assert f'id="weakness-{n}"' in shared
    assert "These 2 weaknesses share" in section_html(html, "weakness-3-4")
    nineteen = section_html(html, "weakness-19")
    assert "These 2 weaknesses share" in nineteen
    assert "Not numbered" in fragment_text(nineteen)
    assert "share" not in section_html(html, "weakness-7")


def test_impact_measurement_and_progress_updates(html: str) -> None:
    two = section_text(html, "weakness-2")
    assert (
        "Monthly report on timeliness of issue of EHC Plans. Progress update: Six-month trend"
        " of delivery at 41% - Q4 2018/19 and Q1 2019/20 compared with Q2/3 performance for"
        " 18/19 of 24%. Q2 performance has dipped slightly to 37%"
    ) in two
    nineteen = section_text(html, "weakness-19")
    assert "every 2 months. Progress update: In place" in nineteen
    assert "to the programme Progress update: First meeting set/up and briefing." in nineteen
    impact = section_html(html, "weakness-11-15").split("Impact measurement", 1)[1]
    assert impact.count("<li>") == 4
    assert "£2million" in section_text(html, "weakness-16")


def test_abbreviations(html: str, report) -> None:
    text = section_text(html, "abbreviations")
    for term, expansion in [
        ("SCC", "Suffolk County Council"),
        ("CCG", "Clinical Commissioning Group"),
        ("NSFT", "Norfolk and Suffolk Foundation Trust"),
        ("ICPS", "Integrated Community Paediatric Services"),
        ("CYP", "Children and Young People"),
    ]:
        assert f"{term} {expansion}" in text
    terms = {t.term: t.expansion for t in report.glossary}
    assert terms["CYP"] == "Children and Young People"
    assert terms["CAMHS"] == "Child and Adolescent Mental Health Services"
    assert terms["MIAP"] == "Moving Into Adulthood Plan"
    assert len(report.glossary) == 24
    assert '<abbr title="Not in Education Employment or Training">NEET</abbr>' in html


@pytest.mark.parametrize(
    ("word", "level"),
    [
        ("Blue", Level.COMPLETE),
        ("Completed", Level.COMPLETE),
        ("Orange", Level.DELAYED),
        ("delayed", Level.DELAYED),
        ("Black", Level.IN_PROGRESS),
        ("In progress", Level.IN_PROGRESS),
        ("", Level.NOT_RATED),
    ],
)
def test_status_words_map_to_shared_levels(word: str, level: Level) -> None:
    status = STATUS_KEY.lookup(word)
    assert status is not None and status.level is level


def test_status_legend(html: str) -> None:
    assert '<strong class="tag tag--blue">Blue</strong> Completed activity' in html
    assert '<strong class="tag tag--orange">Orange</strong> Delayed activity' in html
    assert '<strong class="tag tag--neutral">Black</strong> Actions in progress/' in html
    assert STATUS_KEY.lookup("Green") is None


def test_dates_are_understood(report) -> None:
    due = {item.anchor: item.due for item in report.items}
    assert due["weakness-1-action-1"].iso() == "2019-05-31"
    assert due["weakness-8-action-1"].iso() == "2019-05-30"  # "by 30May 19"
    assert due["weakness-10-action-1"].iso() == "2019-06-30"  # "by 30June 2019"
    assert due["weakness-7-action-2"].iso() == "2019-07"  # "by July 2019"
    assert due["weakness-5-action-2"].iso() == "2019-09-30/"  # "from 30 Sept 2019"
    assert due["weakness-6-action-3"].iso() == "2019-09-30/"  # "… onwards"
    assert due["weakness-11-15-action-6"].iso() == "2019-04-15/"  # "beginning 15 April 2019"
    assert due["weakness-11-15-action-2"].iso() == "2020-12-31"
    assert due["weakness-16-action-1"].iso() == "2020-03-30"
    assert not due["weakness-6-action-1"].understood


def test_common_items(report) -> None:
    assert report.date.start == date(2019, 9, 9)
    assert [item.anchor for item in report.items] == [a[0] for a in ACTIONS]
    assert {item.kind for item in report.items} == {"action"}
    first = report.items[0]
    assert first.text == "Establish a dedicated SEND communication lead/role"
    assert first.owner == "Assistant Director (AD) Inclusion & Skills SCC"
    assert first.section == "Weakness 1 – Communicating plans for change"
    shared = report.items[39]
    assert shared.section == "Weaknesses 11–15 – Access to CAMHS and mental health services"
    assert report.risks == []
    assert [s.anchor for s in report.sections][:3] == [
        "introduction",
        "abbreviations",
        "weakness-1",
    ]
    assert len(report.sections) == 19
    assert ("Proposed responses", "57: 2 complete, 1 in progress, 54 not rated") in report.summary


def test_overdue_against_the_report_date(report) -> None:
    overdue = {item.anchor for item in report.items if item.is_overdue(report.as_of)}
    assert "weakness-1-action-1" in overdue
    assert "weakness-19-action-1" not in overdue  # complete
    assert "weakness-11-15-action-6" not in overdue  # a start date, no deadline
    assert "weakness-3-4-action-3" not in overdue  # due 30 Sept 2019, after 9 September


def test_page_structure_is_accessible(html: str) -> None:
    main = html.split('id="main-content"', 1)[1]
    assert main.count("<h1") == 1
    levels = [int(n) for n in re.findall(r"<h([1-6])\b", main)]
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
    tables = re.findall(r"<table\b.*?</table>", html, re.S)
    assert len(tables) == 16
    for table in tables:
        assert 'class="table table--stack suffolk-actions"' in table
        assert "<caption" in table and '<th scope="col">' in table
        cells = re.findall(r"<t[dh]\b[^>]*>", table.split("<tbody>", 1)[1])
        assert cells and all("data-label=" in cell for cell in cells)
    assert "static/suffolk/suffolk.css" in html


def test_page_text_reads_in_order(demo_site: Path) -> None:
    text = page_text(demo_site / PAGE)
    assert "Revisit January 2019 Date 9 September 2019" in text
    assert text.index("Weakness 10:") < text.index("Weaknesses 11–15:") < text.index("Weakness 16:")


GOOD = """\
---
format: suffolk-response-grid
date: "9 September 2019"
entries:
  - weaknesses:
      - number: "1"
        text: Plans are not well communicated
    responses:
      - action: Establish a communication lead
        due: "by 31 May 2019"
        status: {status}
---
"""


def test_unknown_status_is_a_plain_error(make_site: SiteMaker) -> None:
    root = make_site({"content/suffolk/r.md": GOOD.format(status="Purple")})
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert "suffolk/r.md:11:" in result.output
    assert "unknown status 'Purple'" in result.output
    assert "Blue, Orange, Black" in result.output
    assert "Traceback" not in result.output


def test_duplicate_weakness_number_is_a_plain_error(make_site: SiteMaker) -> None:
    text = GOOD.format(status="Blue").replace(
        "entries:\n",
        'entries:\n  - weaknesses:\n      - number: "1"\n        text: Twice\n'
        "    responses:\n      - action: Something\n",
    )
    root = make_site({"content/suffolk/r.md": text})
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert "suffolk/r.md:11:" in result.output
    assert "weakness 1 is already used on line 6" in result.output
    assert "Traceback" not in result.output


def test_the_good_case_builds(make_site: SiteMaker) -> None:
    root = make_site({"content/suffolk/r.md": GOOD.format(status="Blue")})
    result = run_cli("build", "--source", str(root), "--strict")
    assert result.exit_code == 0, result.output
    page = (root / "site" / "suffolk" / "r" / "index.html").read_text()
    assert 'id="weakness-1-action-1"' in page and "Blue: completed activity" in page


def test_seed_source_keeps_dates_as_strings() -> None:
    text = SOURCE.read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip().startswith("due:"):
            assert line.strip()[5:].strip().startswith('"'), line
