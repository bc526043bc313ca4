"""Cross-area views: dashboard, tracker, risk register, topics, glossary and exports."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest

from sendsite.build.publish import build, read_site
from sendsite.builtin.crossarea import Dashboard, tracker_rows
from sendsite.config import load_config
from sendsite.content.dates import parse_due
from sendsite.content.glossary import AbbrMarker
from sendsite.content.model import GlossaryTerm, Item
from sendsite.content.status import Level, Status
from sendsite.plugins.manager import make_plugin_manager

from .conftest import SiteMaker, page_text, run_cli


def _status(level: Level) -> Status:
    return Status(level, level.label)


@pytest.mark.parametrize(
    ("due", "level", "as_of", "overdue"),
    [
        ("31/10/20", Level.NOT_RATED, date(2020, 12, 31), True),
        ("31/10/20", Level.COMPLETE, date(2020, 12, 31), False),
        ("31/12/20", Level.ON_TRACK, date(2020, 12, 31), False),  # due on the day: not late
        ("April-May 2021", Level.ON_TRACK, date(2021, 5, 15), False),  # inside the range
        ("April-May 2021", Level.ON_TRACK, date(2021, 6, 1), True),  # after the range's end
        ("Mid-April 2021.", Level.MINOR_DEVIATION, date(2021, 4, 21), True),
        ("from September 2020", Level.NOT_STARTED, date(2030, 1, 1), False),  # no end
        ("Ongoing", Level.NOT_RATED, date(2030, 1, 1), False),  # no date understood
        ("31/10/20", Level.NOT_RATED, None, False),  # report has no date
    ],
)
def test_overdue_rule(due: str, level: Level, as_of: date | None, overdue: bool) -> None:
    item = Item("milestone", "x", "a", _status(level), parse_due(due))
    assert item.is_overdue(as_of) is overdue


def test_dashboard_counts_equal_the_reports_items(demo, demo_site: Path) -> None:
    dashboard = Dashboard.of(demo)
    html = (demo_site / "dashboard" / "index.html").read_text()
    assert len(dashboard.areas) == len(demo.areas) >= 4
    for area_row, report_rows in dashboard.areas:
        reports = area_row.area.reports
        assert area_row.items.total == sum(len(e.report.items) for e in reports)
        assert area_row.risks.total == sum(len(e.report.risks) for e in reports)
        for row in report_rows:
            assert row.items.total == len(row.entry.report.items)
            for level in Level:
                expected = sum(1 for i in row.entry.report.items if i.status.level is level)
                assert row.items.by_level[level] == expected
        # The area's total is in the table as text beside its bar.
        name = re.escape(area_row.title)
        match = re.search(
            rf">{name}</a>.*?<td class=\"numeric\" data-label=\"Total\"><strong>(\d+)</strong>",
            html,
            re.S,
        )
        assert match and int(match.group(1)) == area_row.items.total


def test_dashboard_numbers_link_to_the_filtered_tracker(demo_site: Path) -> None:
    html = (demo_site / "dashboard" / "index.html").read_text()
    assert 'href="../tracker/southend/?status=on-track" aria-label="5 on track">5</a>' in html
    # Risks are counted by rating, and link to the register filtered to that rating.
    assert 'href="../risks/southend/?rating=medium" aria-label="2 medium">2</a>' in html
    assert 'aria-label="Risk rating scale"' in html
    assert '<svg class="bar"' in html and 'aria-hidden="true"' in html
    # Each level in the legends beside the colour its bars have (the tags are paler).
    for label, tone in [("On track", "green"), ("Significant deviation", "red"), ("High", "red")]:
        swatch = f'<rect class="bar__segment--{tone}" width="1" height="1"></rect></svg>'
        assert re.search(re.escape(swatch) + r"<strong[^>]*>" + label + "<", html), label


def test_tracker_lists_every_item_with_a_working_link(demo, demo_site: Path) -> None:
    html = (demo_site / "tracker" / "index.html").read_text()
    rows = re.findall(r"<tr data-row (.*?)</tr>", html, re.S)
    assert len(rows) == sum(len(e.report.items) for e in demo.reports)
    for entry in demo.reports:
        page = (demo_site / entry.path).read_text()
        for item in entry.report.items:
            assert f'href="../{entry.path.parent}/#{item.anchor}"' in html
            assert f'id="{item.anchor}"' in page, f"{entry.path}: no element #{item.anchor}"


def test_tracker_is_grouped_by_month_without_javascript(demo_site: Path) -> None:
    html = (demo_site / "tracker" / "index.html").read_text()
    groups = re.findall(r'<th scope="colgroup" colspan="7" id="(due-[^"]+)">', html)
    months = [g for g in groups if g != "due-none"]
    assert months == sorted(months)
    assert groups[-1] == "due-none"
    assert "No date understood" in html
    assert '<form class="filters"' in html and " hidden>" in html


def test_southend_overdue_items_are_flagged(demo_site: Path) -> None:
    html = (demo_site / "tracker" / "index.html").read_text()

    def row_of(anchor: str) -> str:
        for row in re.findall(r"<tr data-row .*?</tr>", html, re.S):
            if f'#{anchor}"' in row:
                return row
        raise AssertionError(anchor)

    assert 'data-overdue="1"' in row_of("p1-milestone-2")  # 31 March 2021, not rated
    assert "Overdue</strong>" in row_of("p1-milestone-2")
    assert 'data-overdue=""' in row_of("p1-milestone-1")  # completed
    assert 'data-overdue=""' in row_of("p2-milestone-4")  # due 2022


def test_risk_register_lists_every_risk(demo, demo_site: Path) -> None:
    html = (demo_site / "risks" / "index.html").read_text()
    rows = re.findall(r"<tr data-row ", html)
    assert len(rows) == sum(len(e.report.risks) for e in demo.reports)
    assert "Funding approval in place and now held within single budget line." in html


def test_exports_round_trip(demo, demo_site: Path) -> None:
    raw = (demo_site / "data" / "milestones.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    records = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    rows = tracker_rows(demo)
    assert len(records) == len(rows)
    for record, row in zip(records, rows, strict=True):
        assert record["text"] == row.item.text
        assert record["owner"] == row.item.owner
        assert record["due_text"] == row.item.due.text
        assert record["due_end"] == (row.item.due.end.isoformat() if row.item.due.end else "")
        assert record["status"] == row.item.status.level.slug
        assert record["overdue"] == ("yes" if row.overdue else "no")
        assert record["area"] == row.entry.area.slug
    data = json.loads((demo_site / "data" / "items.json").read_text())
    assert data["schema"] == "sendsite-items/2"
    assert [m["text"] for m in data["milestones"]] == [r.item.text for r in rows]
    assert data["milestones"][0]["overdue"] in (True, False)
    risks = list(csv.DictReader(io.StringIO((demo_site / "data/risks.csv").read_text("utf-8-sig"))))
    assert len(risks) == len(data["risks"]) == sum(len(e.report.risks) for e in demo.reports)


def test_exports_give_each_risk_its_rating_in_its_own_columns(demo_site: Path) -> None:
    text = (demo_site / "data/risks.csv").read_text("utf-8-sig")
    risks = list(csv.DictReader(io.StringIO(text)))
    header = text.splitlines()[0].split(",")
    assert header[11:18] == [
        "rating", "rating_label", "rating_text", "rating_key", "likelihood", "impact", "score"
    ]  # fmt: skip
    assert "status" not in header  # a risk has no progress status
    first = risks[0]  # most serious first: Southend's Yellow risk
    assert first["text"].startswith("P2 Joint Commissioning of Therapies - Variation")
    assert (first["rating"], first["rating_label"], first["rating_text"]) == (
        "medium",
        "Yellow",
        "Yellow (Medium)",
    )
    assert (first["rating_key"], first["likelihood"], first["score"]) == ("southend-risk", "", "")
    assert {r["rating"] for r in risks} == {"medium", "not-rated"}
    data = json.loads((demo_site / "data" / "items.json").read_text())
    assert data["risks"][0]["rating"] == "medium"
    assert data["risks"][0]["score"] is None and "status" not in data["risks"][0]


def test_risk_register_shows_ratings_most_serious_first(demo_site: Path) -> None:
    html = (demo_site / "risks" / "index.html").read_text()
    cells = re.findall(r'<td data-label="Rating" data-value="(\d+)">(.*?)</td>', html)
    ratings = [re.sub(r"<[^>]+>", "", cell) for _, cell in cells]
    assert ratings == ["Yellow (Medium)"] * 2 + ["Not rated"] * (len(cells) - 2)
    assert [int(v) for v, _ in cells] == sorted(int(v) for v, _ in cells)
    assert "deviation" not in html  # not the progress scale's words
    assert '<select id="filter-rating" name="rating" data-field="rating">' in html
    assert '<option value="medium">Medium</option><option value="not-rated">' in html


def test_glossary_page_has_site_and_report_terms(demo, demo_site: Path) -> None:
    text = page_text(demo_site / "glossary" / "index.html")
    assert "EHCP Education, Health and Care Plan" in text
    assert "CAMHS Child and Adolescent Mental Health Services" in text
    terms = {name for t in demo.glossary for name in (t.term, *t.aliases)}
    assert {
        "EHCP",
        "SEND",
        "CCG",
        "CAMHS",
        "SENDIASS",
        "SENCO",
        "SALT",
        "SLT",
        "ASD",
        "ADHD",
        "ND",
        "WSoA",
        "APP",
        "LO",
        "CYP",
        "VCS",
        "ICS",
        "ICP",
    } <= terms


def test_first_use_of_each_acronym_is_marked_once(demo_site: Path) -> None:
    html = (demo_site / "southend" / "highlight-report-2021-05" / "index.html").read_text()
    main = html[html.index("<main") : html.index("</main>")]
    abbrs = re.findall(r'<abbr title="([^"]+)">([^<]+)</abbr>', main)
    words = [w for _, w in abbrs]
    assert len(words) == len(set(words)), "each acronym is marked once per page"
    assert ("Education, Health and Care Plan", "EHCP") in abbrs
    assert "<abbr" not in html[: html.index("<main")], "only the page's main content is marked"
    for attribute in re.findall(r'(?:id|href|title)="([^"]*)"', html):
        assert "<abbr" not in attribute


def test_abbr_never_breaks_markup() -> None:
    marker = AbbrMarker(
        [GlossaryTerm("EHCP", "Education, Health & Care Plan"), GlossaryTerm("LO", "Local Offer")]
    )
    html = (
        '<main><h2 id="ehcp-hub">EHCP hub</h2><a href="#EHCP" title="EHCP">EHCP</a>'
        "<code>EHCP</code><p>EHCP, LO and lo and LOL</p></main>"
    )
    marked = marker.mark(html)
    assert marked == (
        '<main><h2 id="ehcp-hub"><abbr title="Education, Health &amp; Care Plan">EHCP</abbr>'
        ' hub</h2><a href="#EHCP" title="EHCP">EHCP</a><code>EHCP</code>'
        '<p>EHCP, <abbr title="Local Offer">LO</abbr> and lo and LOL</p></main>'
    )


def test_topics_match_items_sections_and_tags(demo, demo_site: Path) -> None:
    topics = {t.slug: t for t in demo.topics}
    autism = topics["autism-and-neurodevelopment"]
    southend = [m for m in autism.matches if m.report.area.slug == "southend"]
    assert any(m.anchor == "p3" for m in southend), "the ND pathway section is on the topic"
    therapies = topics["therapies"]
    assert any(m.anchor == "p2" for m in therapies.matches)
    assert not any(m.anchor == "p1-risk-2" for m in therapies.matches)
    html = (demo_site / "topics" / "therapies" / "index.html").read_text()
    assert 'href="../../southend/highlight-report-2021-05/#p2"' in html
    assert 'id="area-southend"' in html


TOPICS = """\
- name: Equipment
  description: Specialist equipment.
  words: [equipment, wheelchair]
- name: Autism
  words: [autism, ASD]
"""

REPORT = """\
---
format: southend-highlight
meeting_date: 28th May 2021
topics:
  p1: [equipment]
priorities:
  - code: P1
    title: Data systems
    milestones:
      - milestone: New wheelchairs ordered
        completed_by: May 2021
      - milestone: Autistic spectrum review (asd in lower case)
        completed_by: June 2021
      - milestone: ASD pathway agreed
        completed_by: June 2021
---
"""


def test_topic_rules_and_explicit_tags(make_site: SiteMaker, tmp_path: Path) -> None:
    root = make_site({"content/_topics.yml": TOPICS, "content/southend/r.md": REPORT})
    site, _ = read_site(load_config(root), make_plugin_manager())
    equipment, autism = site.topics
    assert [(m.anchor, m.reason) for m in equipment.matches] == [
        ("p1", "tagged by the report"),
        ("p1-milestone-1", "wheelchair"),
    ]
    assert [m.anchor for m in autism.matches] == ["p1-milestone-3"]
    build(load_config(root), output=tmp_path / "out")
    assert (tmp_path / "out" / "topics" / "equipment" / "index.html").is_file()


def test_tagging_an_unknown_topic_or_section_is_an_error(make_site: SiteMaker) -> None:
    bad = REPORT.replace("p1: [equipment]", "p9: [equipment]\n  p1: [equipmnt]")
    root = make_site({"content/_topics.yml": TOPICS, "content/southend/r.md": bad})
    result = run_cli("check", "--source", str(root))
    assert result.exit_code == 1
    assert "r.md:5:3: error: topics: this report has no section or item 'p9'" in result.output
    assert "r.md:6:7: error: topics: there is no topic 'equipmnt'" in result.output


def test_bad_topics_and_glossary_files(make_site: SiteMaker) -> None:
    root = make_site(
        {
            "content/_topics.yml": "- name: X\n  words: autism\n",
            "content/_glossary.yml": "EHCP: Education, Health and Care Plan\nSEND:\n",
        }
    )
    result = run_cli("check", "--source", str(root))
    assert result.exit_code == 1
    assert "_topics.yml:2: error: topic 'X': 'words' must be a list" in result.output
    assert "_glossary.yml:2: error: glossary term 'SEND' has no expansion" in result.output


@pytest.mark.parametrize(
    ("topic", "problem"),
    [
        (
            "- name: 日本語\n  words: [x]\n",
            "_topics.yml:1: error: topic '日本語' would have an empty web address: its name",
        ),
        (
            "- name: Autism\n  slug: '+++'\n  words: [x]\n",
            "_topics.yml:2: error: topic 'Autism' would have an empty web address: its slug",
        ),
        (
            "- name: Autism\n  words: [autism, ' ']\n",
            "_topics.yml:2: error: topic 'Autism': a word in 'words' is empty",
        ),
    ],
)
def test_a_topic_that_cannot_be_published_is_named_in_the_topics_file(
    make_site: SiteMaker, topic: str, problem: str
) -> None:
    """Not 'the page of plugin views would be published at topics/', naming no file."""
    root = make_site({"content/_topics.yml": topic, "content/southend/r.md": REPORT})
    result = run_cli("check", "--source", str(root))
    assert result.exit_code == 1
    assert problem in result.output
    assert "plugin 'views'" not in result.output


def test_a_glossary_term_yaml_would_read_as_another_type_is_read_as_written(
    make_site: SiteMaker,
) -> None:
    """'NO: Nursing Officer' was listed as the term 'False' (then refused, asking for
    quotes): every key is now the text typed."""
    glossary = "EHCP: plan\nNO: Nursing Officer\n1.10: a version\n~: nothing\n"
    root = make_site({"content/_glossary.yml": glossary})
    assert run_cli("check", "--source", str(root)).exit_code == 0
    config = load_config(root)
    site, _ = read_site(config, make_plugin_manager(config=config))
    assert {"NO", "1.10", "~"} <= {term.term for term in site.glossary}


def test_a_glossary_description_that_is_not_text_is_an_error(make_site: SiteMaker) -> None:
    glossary = "EHCP:\n  expansion: plan\n  description: [one, two]\n"
    root = make_site({"content/_glossary.yml": glossary})
    result = run_cli("check", "--source", str(root))
    assert result.exit_code == 1
    assert "_glossary.yml:3: error: glossary term 'EHCP': the description must be text" in (
        result.output
    )


def test_views_can_be_disabled(make_site: SiteMaker, tmp_path: Path) -> None:
    root = make_site({"sendsite.yml": "disable_plugins: [views]\n", "content/a.md": "# A\n"})
    build(load_config(root), output=tmp_path / "out")
    assert not (tmp_path / "out" / "tracker").exists()
    assert "Milestone tracker" not in (tmp_path / "out" / "index.html").read_text()


def test_each_area_has_its_own_tracker_and_register(demo, demo_site: Path) -> None:
    for area in demo.areas:
        slug = area.area.slug
        tracker = (demo_site / "tracker" / slug / "index.html").read_text()
        rows = re.findall(r"<tr data-row ", tracker)
        assert len(rows) == sum(len(e.report.items) for e in area.reports)
        assert f'<h1 class="heading-xl">Milestone tracker: {area.title}</h1>' in tracker
        assert 'id="filter-area"' not in tracker  # one area: no area filter
        register = (demo_site / "risks" / slug / "index.html").read_text()
        assert len(re.findall(r"<tr data-row ", register)) == sum(
            len(e.report.risks) for e in area.reports
        )


def test_undefined_abbreviations_are_a_warning(make_site: SiteMaker) -> None:
    report = REPORT.replace(
        "New wheelchairs ordered", "New wheelchairs ordered via the WCS and NHS"
    )
    root = make_site(
        {
            "content/_glossary.yml": "NHS: National Health Service\n",
            "content/_topics.yml": TOPICS,
            "content/southend/r.md": report.replace("Data systems", "DATA SYSTEMS REVIEW BOARD"),
        }
    )
    relaxed = run_cli("check", "--source", str(root))
    assert relaxed.exit_code == 0
    assert "r.md:10: warning: abbreviations not in the glossary: WCS, ASD" in relaxed.output
    assert "SYSTEMS" not in relaxed.output, "a heading in capitals is not an abbreviation"
    strict = run_cli("check", "--source", str(root), "--strict")
    assert strict.exit_code == 1
