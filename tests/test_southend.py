"""The Southend highlight report, end to end: every milestone, date, RAG, risk and mitigation."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sendsite.content.status import Level

from .conftest import REPO, SiteMaker, element_html, page_text, row_text, run_cli

PAGE = Path("southend/highlight-report-2021-05/index.html")


@pytest.fixture(scope="module")
def report(demo_reports):
    return demo_reports["southend"]


@pytest.fixture(scope="module")
def html(demo_site: Path) -> str:
    return (demo_site / PAGE).read_text(encoding="utf-8")


# (anchor, milestone words, completed-by as written, RAG tag text)
MILESTONES = [
    ("p1-milestone-1", "Health Assurance Task and Finish Group", "Completed", "Complete"),
    ("p1-milestone-2", "Health EHCP process and handbook", "31 st March 2021", "Not rated"),
    ("p1-milestone-3", "robust quality assurance process", "15 th May 2021", "Not rated"),
    ("p1-milestone-4", "Audit and monitoring process", "31 st May 2021", "Not rated"),
    ("p1-milestone-5", "common clinical recording system", "30 th June 2021", "Not rated"),
    ("p2-milestone-1", "joint approach for the review of all three", "Complete", "Green: on track"),
    (
        "p2-milestone-2",
        "Mapping, analysis and recommendations",
        "Mid-April 2021.",
        "Yellow: minor deviation",
    ),
    ("p2-milestone-3", "Proposed model/framework", "31 st January 2021", "Green: on track"),
    ("p2-milestone-4", "Governance and commission", "30 th March 2022", "Green: on track"),
    ("p2-milestone-5", "Develop dashboard", "30 th March 2022", "Green: on track"),
    ("p2-milestone-6", "enter evaluation phase", "30 th September 2022", "Green: on track"),
    ("p3-milestone-1", "multi-agency triage of all referrals", "Complete", "Complete"),
    (
        "p3-milestone-2",
        "Service model and pathway is being co-produced",
        "Mid-April 2021.",
        "Not rated",
    ),
    ("p3-milestone-3", "Section 75 Agreement", "30 th April 2021", "Not rated"),
    ("p3-milestone-4", "Mobilisation of staff", "April-May 2021", "Not rated"),
    ("p3-milestone-5", "Delivery – Go Live", "30 th June 2021", "Not rated"),
    ("p3-milestone-6", "family resource information pack", "31 st July 2022", "Not rated"),
    (
        "p3-milestone-7",
        "Benefits Realisation",
        "Quarterly Reporting to Joint Commissioning Group/SSPB following go-live.",
        "Not rated",
    ),
]

RISKS = [
    ("p1-risk-1", "EHCP Hub is still providing", "national Liquid Logic forum", "Not rated"),
    ("p1-risk-2", "additional data entry workload", "wider SENDOPs action plans", "Not rated"),
    ("p2-risk-1", "Variation in capacity", "All providers are actively engaged", "Yellow"),
    ("p2-risk-2", "School capacity to engage", "Communication strategy in place", "Yellow"),
    (
        "p3-risk-1",
        "Delay in roll out of Programme",
        "Section 75 currently being developed",
        "Not rated",
    ),
    (
        "p3-risk-2",
        "Financial governance requires sign off",
        "Funding approval in place",
        "Not rated",
    ),
]


@pytest.mark.parametrize(("anchor", "words", "due", "rag"), MILESTONES)
def test_every_milestone_row(html: str, anchor: str, words: str, due: str, rag: str) -> None:
    row = row_text(html, anchor)
    assert words in row
    assert due in row
    assert row.endswith(rag)


@pytest.mark.parametrize(("anchor", "risk", "mitigation", "rag"), RISKS)
def test_every_risk_row(html: str, anchor: str, risk: str, mitigation: str, rag: str) -> None:
    row = row_text(html, anchor)
    assert risk in row and mitigation in row
    assert rag in row


def test_mitigations_are_lists(html: str) -> None:
    row = element_html(html, "tr", "p2-risk-1")
    assert row.count("<li>") == 3


def test_tables_have_captions_and_header_scopes(html: str) -> None:
    assert html.count("<caption>Milestones</caption>") == 3
    assert html.count("<caption>Top risks and issues</caption>") == 3
    assert html.count("<caption>Proposed priorities and activities for next period</caption>") == 3
    assert '<th scope="col">Completed by date</th>' in html
    assert 'data-label="RAG"' in html


def test_dates_are_machine_readable(html: str) -> None:
    assert '<time datetime="2021-03-31">31 st March 2021</time>' in html
    assert 'title="Understood as 1 Apr 2021 to 31 May 2021">April-May 2021' in html


def test_header_and_legend(demo_site: Path, html: str) -> None:
    text = page_text(demo_site / PAGE)
    assert "Report by Ross Gerrie / Caroline McCarron" in text
    assert "Meeting date 28th May 2021" in text
    assert "Status key" in text
    assert '<strong class="tag tag--yellow">Yellow</strong> Minor deviation' in html


def test_next_period_key_milestones_are_a_list(html: str) -> None:
    row = element_html(html, "tr", "p2-activity-1")
    assert row.count("<li>") == 8
    assert "<li>Phase 1 Complete</li>" in row


def test_common_items(report) -> None:
    assert report.date.start == date(2021, 5, 28)
    assert len(report.items) == len(MILESTONES)
    assert [item.anchor for item in report.items] == [m[0] for m in MILESTONES]
    assert len(report.risks) == len(RISKS)
    first = report.items[0]
    assert first.kind == "milestone"
    assert first.section == "P1 – Education, Health and Care Plans (EHCPs) – Quality Assurance"
    mapping = {item.anchor: item.status.level for item in report.items}
    assert mapping["p1-milestone-1"] is Level.COMPLETE
    assert mapping["p2-milestone-2"] is Level.MINOR_DEVIATION
    assert mapping["p3-milestone-2"] is Level.NOT_RATED
    assert report.risks[0].mitigation.startswith("Health representation on national Liquid")


def test_overdue_items_against_the_meeting_date(report) -> None:
    overdue = [item.anchor for item in report.items if item.is_overdue(report.as_of)]
    # Due before 28 May 2021 and not complete; "Complete" and undated items are not overdue.
    assert overdue == [
        "p1-milestone-2",
        "p1-milestone-3",
        "p2-milestone-2",
        "p2-milestone-3",
        "p3-milestone-2",
        "p3-milestone-3",
    ]


def test_missing_priorities_is_a_plain_error(make_site: SiteMaker) -> None:
    root = make_site(
        {"content/southend/r.md": "---\nformat: southend-highlight\nmeeting_date: May 2021\n---\n"}
    )
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert "southend/r.md" in result.output
    assert "'priorities' is missing" in result.output
    assert "Traceback" not in result.output


def test_unknown_key_warns_and_strict_fails(make_site: SiteMaker) -> None:
    text = (REPO / "content" / "southend" / "highlight-report-2021-05.md").read_text()
    glossary = (REPO / "content" / "_glossary.yml").read_text()
    root = make_site(
        {
            "content/_glossary.yml": glossary,
            "content/southend/r.md": text.replace("report_by:", "reportby:"),
        }
    )
    relaxed = run_cli("build", "--source", str(root))
    assert relaxed.exit_code == 0
    assert "southend/r.md:6:1: warning: unknown key 'reportby' is ignored" in relaxed.output
    assert "Did you mean 'report_by'?" in relaxed.output
    assert "with 1 warning." in relaxed.output
    before = (root / "site" / "index.html").stat().st_mtime_ns
    strict = run_cli("build", "--source", str(root), "--strict")
    assert strict.exit_code == 1
    assert "unknown key 'reportby'" in strict.output
    assert "Stopped: 1 warning, and --strict is on. Nothing was written." in strict.output
    assert (root / "site" / "index.html").stat().st_mtime_ns == before
