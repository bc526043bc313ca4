"""The Essex joint commissioning paper, end to end: every section, workstream and activity."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest
from sendsite_essex.reader import PROGRESS_KEY

from sendsite.content.status import Level

from .conftest import (
    REPO,
    SiteMaker,
    edited_copy,
    fragment_text,
    row_text,
    run_cli,
    section_text,
)

PAGE = Path("essex/joint-commissioning-progress/index.html")
SOURCE = REPO / "content" / "essex" / "joint-commissioning-progress.md"


@pytest.fixture(scope="module")
def report(demo_reports):
    return demo_reports["essex"]


@pytest.fixture(scope="module")
def html(demo_site: Path) -> str:
    return (demo_site / PAGE).read_text(encoding="utf-8")


NR, DONE, UNDER_WAY = "Not rated", "Complete: done", "In progress: under way"

# (anchor, words from the activity, date as written or "", status tag text)
ACTIVITIES = [
    ("therapies-phase-one-1", "Mapping & analysis of needs of the Essex population 0-25", "", NR),
    ("therapies-phase-one-2", "Mapping & analysis of the available services at all tiers", "", NR),
    ("therapies-phase-one-3", "Definition of roles & responsibilities", "", NR),
    ("therapies-phase-one-4", "Stakeholder engagement and workshops", "", NR),
    ("therapies-phase-one-5", "workforce development and capacity requirements", "", NR),
    ("therapies-phase-two-1", "Single specification agreed", "", NR),
    ("therapies-phase-two-2", "Key Performance Indicators", "", NR),
    ("therapies-phase-two-3", "Implementation of the Balance System at Place", "", NR),
    ("neuro-development-phase-one-1", "core set of common activities", "", DONE),
    ("neuro-development-phase-one-2", "as of December 2020 and Recovery Action Plans", "", DONE),
    ("neuro-development-phase-one-3", "On going development of Pathways", "", UNDER_WAY),
    ("neuro-development-phase-one-4", "Data set development to provide oversight", "", NR),
    ("neuro-development-phase-one-5", "Southend Essex Thurrock Family Resource pack", "", NR),
    ("neuro-development-phase-one-6", "£300k investment included for pre and post", "", DONE),
    ("neuro-development-phase-one-7", "Established Provider led collaboratives", "", DONE),
    ("neuro-development-phase-one-8", "Competency Framework in development", "", UNDER_WAY),
    ("neuro-development-phase-one-9", "Annual Impact Survey 2020", "", DONE),
    ("neuro-development-phase-two-1", "Place based and Essex wide initiatives", "", NR),
    ("sendiass-phase-one-1", "Business case for two posts", "", DONE),
    ("sendiass-phase-two-1", "compliance with the SEND Code of Practice", "", NR),
    ("sendiass-phase-two-2", "ensures the success criteria is met", "", NR),
    ("sendiass-phase-two-3", "Develop the case for change", "", NR),
    ("local-offer-phase-one-1", "Set up team to develop the new Local Area, Local Offer", "", NR),
    ("local-offer-phase-one-2", "Understand what exists for families", "", NR),
    ("local-offer-phase-one-3", "Understand the views of families and young people", "", NR),
    ("local-offer-phase-one-4", "Understand what is needed going forward", "", NR),
    ("local-offer-phase-one-5", "will include/not include", "", DONE),
    ("local-offer-phase-one-6", "Agreed who will produce", "", DONE),
    ("local-offer-phase-two-1", "implementation commencing in July 2021", "July 2021", NR),
    ("equipment-phase-one-1", "Map the pathways for current provision per CCG", "", NR),
    ("equipment-phase-one-2", "Map current providers", "", NR),
    ("equipment-phase-one-3", "Develop a specialist equipment list", "", NR),
    ("equipment-phase-one-4", "Enable Service User Views", "", NR),
    ("equipment-phase-two-1", "streamlined process", "Not given", NR),
    ("equipment-phase-two-2", "Process in place by Sept 2020", "by Sept 2020", NR),
    (
        "equipment-phase-two-3",
        "receive any required specialist equipment",
        "within 6 weeks of identification",
        NR,
    ),
]

WORKSTREAMS = {
    "therapies": ("Therapies", ["success", "phase-one", "phase-two"]),
    "neuro-development": ("Neuro Development", ["success", "roadmap", "phase-one", "phase-two"]),
    "sendiass": ("SENDIASS", ["success", "phase-one", "phase-two"]),
    "local-offer": ("The Local Offer", ["roadmap", "phase-one", "phase-two"]),
    "equipment": ("Equipment", ["success", "roadmap", "phase-one", "phase-two"]),
}


@pytest.mark.parametrize(("anchor", "words", "due", "status"), ACTIVITIES)
def test_every_activity_row(html: str, anchor: str, words: str, due: str, status: str) -> None:
    row = row_text(html, anchor)
    assert words in row
    assert due in row
    assert row.endswith(status)


def test_activity_rows_sit_in_their_workstream_and_phase(html: str) -> None:
    for anchor, *_ in ACTIVITIES:
        phase = anchor.rsplit("-", 1)[0]
        workstream = phase.rsplit("-phase-", 1)[0]
        section = html[html.index(f'<section id="{phase}"') :]
        section = section[: section.index("</section>")]
        assert f'<tr id="{anchor}">' in section
        assert html.index(f'id="workstream-{workstream}"') < html.index(f'<tr id="{anchor}">')


def test_details_of_the_neuro_development_core_set(html: str) -> None:
    row = re.search(r'<tr id="neuro-development-phase-one-1">(.*?)</tr>', html, re.S).group(1)  # type: ignore[union-attr]
    assert row.count("<li>") == 8
    assert "<li>Workforce Awareness and Training</li>" in row
    assert "<li>Family Feedback</li>" in row


@pytest.mark.parametrize("slug", list(WORKSTREAMS))
def test_workstream_sections(html: str, slug: str) -> None:
    title, parts = WORKSTREAMS[slug]
    assert f'<h2 class="heading-l" id="workstream-{slug}-heading">{title}</h2>' in html
    for part in parts:
        assert f'<section id="{slug}-{part}"' in html
        assert f'<h3 class="heading-m" id="{slug}-{part}-heading">' in html
    assert f"<caption>{title} – Phase One activities</caption>" in html
    assert f"<caption>{title} – Phase Two activities</caption>" in html


def test_top_sections_in_order(html: str, report) -> None:
    anchors = [s.anchor for s in report.sections]
    assert anchors == [
        "background",
        "vision",
        "overall-outcomes",
        "objectives",
        "scope",
        "principles",
        "engaging-with-families",
        "phase-one",
        *(f"workstream-{slug}" for slug in WORKSTREAMS),
        "overall-success",
        "summary-review",
        "glossary",
    ]
    positions = [html.index(f'<section class="report-section" id="{a}"') for a in anchors]
    assert positions == sorted(positions)
    for anchor in anchors:
        assert f'<a href="#{anchor}">' in html


def test_headings_do_not_skip_levels(html: str) -> None:
    main = html[html.index("<main") : html.index("</main>")]
    levels = [int(level) for level in re.findall(r"<h([1-6])\b", main)]
    assert levels.count(1) == 1 and levels[0] == 1
    for before, after in pairwise(levels):
        assert after <= before + 1


def test_tables_are_accessible(html: str) -> None:
    main = html[html.index("<main") : html.index("</main>")]
    tables = re.findall(r"<table.*?</table>", main, re.S)
    assert len(tables) == 11  # two phases in each of five workstreams, and abbreviations
    for table in tables:
        assert 'class="table table--stack"' in table
        assert "<caption>" in table
        headers = re.findall(r"<th\b[^>]*>", table)
        assert headers and all("scope=" in th for th in headers)
        cells = re.findall(r"<td\b[^>]*>", table)
        assert cells and all("data-label=" in td for td in cells)


def test_background_vision_and_framework(html: str) -> None:
    background = section_text(html, "background")
    assert "one Local Authority (Essex County Council) and five CCGs" in background
    assert "Implement annual 'progress and impact report' for integrated services." in background
    vision = section_text(html, "vision")
    assert "A sense of belonging, value and worth;" in vision
    assert (
        "Source: Developing a strategy for SEND in Essex, Public Consultation March 2019" in vision
    )
    assert "<figcaption" in html and "<cite>Developing a strategy" in html
    assert "Improved quantitative data." in section_text(html, "overall-outcomes")
    objectives = html[html.index('id="objectives"') : html.index('id="scope"')]
    assert objectives.count("<li>") == 2 and '<ol class="list">' in objectives
    scope = section_text(html, "scope")
    assert "For children, young people and their families" in scope
    assert "For professionals" in scope
    assert "Therapists have confidence in the ability of the wider workforce" in scope


def test_principles_and_commitments(html: str) -> None:
    principles = section_text(html, "principles")
    for name in (
        "Participation & engagement –",
        "Co-production & collaboration – together we involve",
        "Evidence based and outcomes focussed – We will share",
        "Transparent – Constraints on public finances",
        "Effective communication – Information sharing is vital",
        "is everyone's business. Through local, regional and national development",
    ):
        assert name in principles
    # The extraction ran two commitments together; they are two list items again.
    assert (
        "<li>align existing contracts, develop new joint contracts and identify priorities, "
        "benefits and risks</li>" in html
    )
    assert (
        "<li>implement a shared commissioning cycle, including quality assurance reviews as "
        "appropriate</li>" in html
    )


def test_engagement_and_phase_one_coverage(html: str) -> None:
    engagement = section_text(html, "engaging-with-families")
    assert "Engaging with families with our partners Essex Family Forum (EFF)" in engagement
    assert (
        "on-going Graffiti Wall will be reported to the improvement board quarterly" in engagement
    )
    assert '"not ready to share with parents/carers yet"' in engagement
    coverage = section_text(html, "phase-one")
    assert "from September 2020 to March 2021" in coverage
    assert "Therapies – Physiotherapy, Occupational Therapy and Speech and Language" in coverage
    assert "Agreeing personal Budgets." in coverage


def test_workstream_prose(html: str) -> None:
    therapies = section_text(html, "workstream-therapies")
    assert "Speech & Language Therapy (SLT) – treatment and support" in therapies
    assert "Better Communication CIC have been jointly commissioned" in therapies
    sendiass = section_text(html, "workstream-sendiass")
    # "SEND IASSReduction" in the extraction: two outcomes, split again.
    assert "Multi Schools Council and SEND IASS Reduction in parents feeling" in sendiass
    assert "The further development of the business case" in sendiass
    offer = section_text(html, "workstream-local-offer")
    assert "needs to have a search function with high precision and high recall" in offer
    assert "Improve overall user satisfaction – quantitative and qualitative feedback" in offer
    equipment = html[html.index('id="equipment-roadmap"') : html.index('id="equipment-phase-one"')]
    assert re.search(r"Develop waiting list for\s*<ul>", equipment)
    assert fragment_text(equipment).count("Specialist") == 2
    assert "accessed quickly" in section_text(html, "overall-success")
    assert "Phase one has been shortened due to CV19" in section_text(html, "summary-review")


def test_summary_and_legend(html: str) -> None:
    text = fragment_text(html)
    assert "Phase one September 2020 to March 2021" in text
    assert "Workstreams Therapies, Neuro Development, SENDIASS, The Local Offer, Equipment" in text
    assert "Activities 36 in phases one and two: 8 complete, 2 in progress, 26 with no" in text
    assert "Status key" in text
    assert '<strong class="tag tag--blue">Complete</strong> done' in html


@pytest.mark.parametrize(
    ("word", "level"),
    [
        ("Complete", Level.COMPLETE),
        ("completed", Level.COMPLETE),
        ("Done", Level.COMPLETE),
        ("In progress", Level.IN_PROGRESS),
        ("in-progress", Level.IN_PROGRESS),
        ("On going", Level.IN_PROGRESS),
        ("Ongoing", Level.IN_PROGRESS),
        ("Not started", Level.NOT_STARTED),
        ("Planned", Level.NOT_STARTED),
        ("", Level.NOT_RATED),
        (None, Level.NOT_RATED),
    ],
)
def test_status_words(word: str | None, level: Level) -> None:
    status = PROGRESS_KEY.lookup(word)
    assert status is not None and status.level is level


def test_unknown_status_word_is_not_in_the_key() -> None:
    assert PROGRESS_KEY.lookup("Green") is None


def test_common_items(report) -> None:
    assert len(report.items) == len(ACTIVITIES)
    assert [item.anchor for item in report.items] == [a[0] for a in ACTIVITIES]
    assert {item.kind for item in report.items} == {"action"}
    sections = {item.anchor: item.section for item in report.items}
    assert sections["therapies-phase-one-1"] == "Therapies – Phase One"
    assert sections["neuro-development-phase-two-1"] == "Neuro Development – Phase Two"
    assert sections["local-offer-phase-two-1"] == "The Local Offer – Phase Two"
    first = report.items[8]
    assert first.text.startswith("Agreed a core set of common activities")
    assert first.text.endswith("Coordination; Family Feedback")
    levels = [item.status.level for item in report.items]
    assert levels.count(Level.COMPLETE) == 8
    assert levels.count(Level.IN_PROGRESS) == 2
    assert levels.count(Level.NOT_RATED) == 26


def test_every_anchor_is_a_unique_id_on_the_page(html: str, report) -> None:
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    for item in report.items:
        assert ids.count(item.anchor) == 1
    for section in report.sections:
        assert ids.count(section.anchor) == 1


def test_dates_are_understood(report) -> None:
    due = {item.anchor: item.due for item in report.items}
    assert due["local-offer-phase-two-1"].text == "July 2021"
    assert due["local-offer-phase-two-1"].iso() == "2021-07"
    assert due["equipment-phase-two-2"].text == "by Sept 2020"
    assert due["equipment-phase-two-2"].iso() == "2020-09"
    assert due["equipment-phase-two-2"].qualifier == "by"
    relative = due["equipment-phase-two-3"]
    assert relative.text == "within 6 weeks of identification" and not relative.understood
    assert due["therapies-phase-one-1"].text == ""
    assert report.date.text == "September 2020 to March 2021"
    assert report.date.iso() == "2020-09-01/2021-03-31"


def test_overdue_against_the_end_of_phase_one(report) -> None:
    overdue = [item.anchor for item in report.items if item.is_overdue(report.as_of)]
    assert overdue == ["equipment-phase-two-2"]


def test_dates_are_machine_readable(html: str) -> None:
    assert '<time datetime="2021-07">July 2021</time>' in html
    assert '<time datetime="2020-09">by Sept 2020</time>' in html


def test_glossary(report, html: str) -> None:
    terms = {term.term: term.expansion for term in report.glossary}
    assert terms["WSoA"] == "Written Statement of Action"
    assert terms["EFF"] == "Essex Family Forum"
    assert terms["SALT"] == "Speech and language therapy"
    assert terms["ND"] == "Neurodevelopmental"
    assert len(terms) == len(report.glossary) == len(re.findall(r'<tr id="glossary-\d+">', html))
    assert '<th scope="row" data-label="Abbreviation">' in html
    assert row_text(html, "glossary-7") == "CYP Children and young people"


def _broken(make_site: SiteMaker, old: str, new: str) -> tuple[Path, int]:
    return edited_copy(make_site, SOURCE, "content/essex/paper.md", old, new)


def test_unknown_status_word_is_a_plain_error(make_site: SiteMaker) -> None:
    root, line = _broken(make_site, "status: In progress", "status: In progres")
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert f"essex/paper.md:{line}:" in result.output
    assert "unknown status 'In progres'" in result.output
    assert "Did you mean 'In progress'?" in result.output
    assert "Traceback" not in result.output


def test_duplicate_workstream_id_is_a_plain_error(make_site: SiteMaker) -> None:
    root, line = _broken(make_site, "id: sendiass", "id: therapies")
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert f"essex/paper.md:{line}:" in result.output
    assert "'therapies' is used twice" in result.output
    assert "Traceback" not in result.output


def test_missing_workstreams_is_a_plain_error(make_site: SiteMaker) -> None:
    root = make_site(
        {"content/essex/r.md": "---\nformat: essex-joint-commissioning\ntitle: Paper\n---\n"}
    )
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert "essex/r.md" in result.output
    assert "'workstreams' is missing" in result.output
    assert "Traceback" not in result.output


def test_activity_without_words_is_a_plain_error(make_site: SiteMaker) -> None:
    root, line = _broken(
        make_site, "- activity: Map current providers.", "- activity:\n          due: May 2021"
    )
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert f"essex/paper.md:{line}" in result.output
    assert ".activity: is empty" in result.output
    assert "How to fix: Write 'activity:' followed by the text." in result.output
    assert "Traceback" not in result.output


def test_sections_carry_their_prose_for_topic_pages(report) -> None:
    text = {section.anchor: section.text for section in report.sections}
    assert "NHSE Autism Deep Dive Report" in text["workstream-neuro-development"]
    assert "Competency Framework in development" in text["workstream-neuro-development"]
    assert "Graffiti Wall" in text["engaging-with-families"]
    assert text["glossary"] == ""
