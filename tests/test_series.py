"""Report series: what changed since the last report, on every page that should say so."""

from __future__ import annotations

import csv
import http.server
import io
import json
import re
import shutil
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from sendsite.build.changes import KINDS
from sendsite.build.publish import build, read_site
from sendsite.build.site import ReportEntry
from sendsite.config import load_config
from sendsite.plugins.manager import make_plugin_manager

from .conftest import REPO, SiteMaker, fragment_text, page_text, run_cli
from .test_accessibility import _Quiet, axe_and_reflow_failures

EXAMPLE = REPO / "examples" / "northdale-series"
ATOM = "{http://www.w3.org/2005/Atom}"


def _read(root: Path) -> dict[str, ReportEntry]:
    config = load_config(root)
    site, _ = read_site(config, make_plugin_manager(config=config))
    return {entry.slug: entry for entry in site.reports}


def _changes(entry: ReportEntry) -> set[tuple[str, str, str]]:
    return {(c.kind, c.direction, c.text) for c in entry.changes}


@pytest.fixture(scope="module")
def northdale() -> dict[str, ReportEntry]:
    return _read(EXAMPLE)


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("northdale") / "site"
    config = load_config(EXAMPLE)
    build(config, pm=make_plugin_manager(config=config), output=out, strict=True)
    return out


# --- the series and its changes ---------------------------------------------------------


def test_reports_form_a_series_in_date_order(northdale: dict[str, ReportEntry]) -> None:
    q1, q2, q3, q4 = (northdale[f"highlight-2023-q{n}"] for n in (1, 2, 3, 4))
    assert (q1.previous, q2.previous, q3.previous, q4.previous) == (None, q1, q2, q3)
    assert (q1.next, q2.next, q3.next, q4.next) == (q2, q3, q4, None)
    assert q1.changes == []


def test_changes_are_worked_out_when_first_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    """Linking matches each report's items with the one before's; what changed is worked
    out from the matches only when a page or an export asks, then kept."""
    from sendsite.build import series

    worked: list[str] = []
    real = series.changes_between

    def counted(before: ReportEntry, entry: ReportEntry, *args: Any) -> Any:
        worked.append(entry.slug)
        return real(before, entry, *args)

    monkeypatch.setattr(series, "changes_between", counted)
    entries = _read(EXAMPLE)
    assert worked == []
    q3 = entries["highlight-2023-q3"]
    assert q3.change_summary and worked == ["highlight-2023-q3"]
    assert q3.changes is q3.changes and worked == ["highlight-2023-q3"]  # kept
    assert any(q3.changes_of(c.anchor) for c in q3.changes if not c.gone)
    assert worked == ["highlight-2023-q3"]


def test_every_kind_of_change_is_found(northdale: dict[str, ReportEntry]) -> None:
    found = {c.kind for entry in northdale.values() for c in entry.changes}
    assert found == set(KINDS)
    q2, q3, q4 = (northdale[f"highlight-2023-q{n}"] for n in (2, 3, 4))
    assert ("status", "worsened", "Recruit four additional EHC plan coordinators") in _changes(q2)
    assert ("status", "improved", "Launch a termly SEND newsletter for families") in _changes(q2)
    reworded = [(c.before, c.after) for c in q2.changes if c.kind == "reworded"]
    assert reworded == [  # the example's answer key: "reworded (same item)"
        (
            "Publish the refreshed Local Offer website",
            "Publish the refreshed Local Offer site for families",
        )
    ]
    assert (
        "due",
        "brought forward",
        "Co-produce a 'You said, we did' page with the parent carer forum",
    ) in _changes(q2)
    assert (
        "risk-new",
        "",
        "Turnover among EHC plan coordinators while recruitment is under way",
    ) in {(c.kind, c.direction, c.text) for c in q2.changes} or any(
        c.kind == "risk-new" and c.text.startswith("Turnover") for c in q2.changes
    )
    slipped = next(c for c in q3.changes if c.kind == "due" and c.text.startswith("Recruit four"))
    assert (slipped.direction, slipped.before, slipped.after, slipped.detail) == (
        "slipped",
        "30 September 2023",
        "31 March 2024",
        "6 months",
    )
    dropped = next(c for c in q3.changes if c.kind == "dropped")
    assert dropped.text.startswith("Produce an easy-read guide")
    assert dropped.gone and dropped.page is q3.previous
    assert any(c.kind == "new" and c.text.startswith("Extend the early years") for c in q4.changes)
    assert any(c.kind == "risk-closed" for c in q3.changes)
    assert any(c.kind == "risk-rated" and c.direction == "improved" for c in q4.changes)


def test_completed_items_that_leave_the_report_are_not_dropped(
    northdale: dict[str, ReportEntry],
) -> None:
    q3 = northdale["highlight-2023-q3"]
    # Completed in Q2, not listed in Q3: that is done, not dropped.
    assert not any("quality standards" in c.text for c in q3.changes)
    assert [c.text for c in q3.changes if c.kind == "dropped"] == [
        "Produce an easy-read guide to the EHC needs assessment process"
    ]


def test_a_reworded_item_is_the_same_item(northdale: dict[str, ReportEntry]) -> None:
    q1, q2 = northdale["highlight-2023-q1"], northdale["highlight-2023-q2"]
    before = next(i for i in q1.report.items if i.text.startswith("Publish the refreshed"))
    after = next(i for i in q2.report.items if i.text.startswith("Publish the refreshed"))
    assert before.text != after.text
    history = q2.history[after.anchor]
    assert [(e, row.text) for e, row in history] == [(q1, before.text), (q2, after.text)]
    assert not any(c.text == after.text and c.kind in {"new", "dropped"} for c in q2.changes)


def test_similar_items_do_not_swap(northdale: dict[str, ReportEntry]) -> None:
    q2 = northdale["highlight-2023-q2"]
    worsened = [c.text for c in q2.changes if c.kind == "status" and c.direction == "worsened"]
    assert "Train health visitors in the graduated approach" in worsened
    assert "Train SENCOs in the graduated approach" not in worsened
    for entry in northdale.values():
        for anchor, history in entry.history.items():
            texts = {row.text for _, row in history}
            assert not ({"Train SENCOs in the graduated approach"} < texts), anchor


def test_reordered_items_and_a_renamed_section_change_nothing_by_themselves(
    northdale: dict[str, ReportEntry],
) -> None:
    for entry in northdale.values():
        for change in entry.changes:
            assert change.kind != "new" or change.text not in {
                row.text for row in [*entry.previous.report.items, *entry.previous.report.risks]
            }, change


def test_matching_says_how(northdale: dict[str, ReportEntry]) -> None:
    hows = {c.how.split()[0] for e in northdale.values() for c in e.changes if c.how}
    assert "text" in hows and hows <= {"text", "similar", "ref"}
    assert all(not c.how for e in northdale.values() for c in e.changes if c.kind == "new")


# --- every built-in format: a later copy of each demo report ----------------------------

DATES = {
    "southend": ("meeting_date", "28th June 2021"),
    "essex": ("period", '"April 2021 to September 2021"'),
    "havering": ("date", '"2015"'),
    "lancashire": ("date", '"31/01/21"'),
    "suffolk": ("date", '"9 October 2019"'),
}


@pytest.mark.parametrize("area", sorted(DATES))
def test_each_format_matches_its_own_items_in_a_later_copy(area: str, make_site: SiteMaker) -> None:
    source = next((REPO / "content" / area).glob("*.md"))
    text = source.read_text()
    key, later = DATES[area]
    copy = re.sub(rf"^{key}: .*$", f"{key}: {later}", text, count=1, flags=re.M)
    assert copy != text
    root = make_site({f"content/{area}/a.md": text, f"content/{area}/b.md": copy})
    shutil.copy(REPO / "content" / "_glossary.yml", root / "content" / "_glossary.yml")
    first = _read(root)["a"]
    items = first.report.items + first.report.risks
    # Reword one item a little (a word added before its last): it must still match.
    target = next(
        row
        for row in first.report.items
        if len(row.text.split()) >= 4 and copy.count(row.text) == 1
    )
    words = target.text.split()
    reworded_text = " ".join([*words[:-1], "promptly", words[-1]])
    copy = copy.replace(target.text, reworded_text)
    (root / "content" / area / "b.md").write_text(copy)
    second = _read(root)["b"]
    assert second.previous is not None and second.previous.slug == "a"
    found = [(c.kind, c.before, c.after) for c in second.changes]
    assert found == [("reworded", target.text, reworded_text)]  # its only change
    assert len(second.history) == len(items)
    reworded = next(r for r in second.report.items if r.anchor == target.anchor)
    assert reworded.text == reworded_text
    assert [row.text for _, row in second.history[target.anchor]] == [target.text, reworded_text]


# --- ids, supersedes and mistakes --------------------------------------------------------

REPORT = """\
---
format: southend-highlight
title: {title}
meeting_date: {date}
{extra}priorities:
  - code: P1
    title: Plans
    milestones:
{rows}
---
"""


def _row(text: str, rag: str = "Green", ref: str = "", due: str = "31 March 2022") -> str:
    id_line = f"        id: {ref}\n" if ref else ""
    return f"      - milestone: {text}\n{id_line}        completed_by: {due}\n        rag: {rag}\n"


def _report(title: str, date: str, rows: str, extra: str = "") -> str:
    return REPORT.format(title=title, date=date, rows=rows.rstrip("\n"), extra=extra)


def test_an_explicit_id_matches_whatever_the_words(make_site: SiteMaker) -> None:
    root = make_site(
        {
            "content/x/a.md": _report("A", "1 May 2021", _row("Hire two therapists", ref="m-7")),
            "content/x/b.md": _report(
                "B", "1 June 2021", _row("Speech and language staff recruited", "Blue", "m-7")
            ),
        }
    )
    changes = _read(root)["b"].changes
    assert [(c.kind, c.how, c.before, c.after) for c in changes] == [
        ("reworded", "ref", "Hire two therapists", "Speech and language staff recruited"),
        ("completed", "ref", "Green: on track", "Blue: complete"),
    ]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "Recruit 4 additional EHC plan coordinators",
            "Recruit 2 additional EHC plan coordinators",
        ),
        ("Open the new special school in Northtown", "Open the new special school in Southtown"),
    ],
)
def test_a_row_matched_though_its_words_changed_says_so(
    make_site: SiteMaker, before: str, after: str
) -> None:
    """A number or a place changed in a row's words: the same row, not the same promise.
    It was "No change"."""
    root = make_site(
        {
            "content/x/a.md": _report("A", "1 May 2021", _row(before)),
            "content/x/b.md": _report("B", "1 June 2021", _row(after)),
        }
    )
    changes = _read(root)["b"].changes
    assert [(c.kind, c.label, c.before, c.after) for c in changes] == [
        ("reworded", "Reworded", before, after)
    ]


@pytest.mark.parametrize(
    ("later", "expected"),
    [
        (_row("Hold review meeting", "Red"), [("dropped", "Green: on track")]),
        (_row("Hold review meeting", "Red") + _row("Hold review meeting", "Green"), []),
    ],
    ids=["one-kept", "swapped"],
)
def test_twin_rows_are_matched_by_their_status_first(
    make_site: SiteMaker, later: str, expected: list[tuple[str, str]]
) -> None:
    """Two same rows of one date, one Green, one Red: the Red one kept is the Red one (it
    was the Green one turned Red, and the Red one dropped)."""
    twins = _row("Hold review meeting", "Green") + _row("Hold review meeting", "Red")
    root = make_site(
        {
            "content/x/a.md": _report("A", "1 May 2021", twins),
            "content/x/b.md": _report("B", "1 June 2021", later),
        }
    )
    assert [(c.kind, c.before) for c in _read(root)["b"].changes] == expected


def test_rows_in_any_script_are_matched(make_site: SiteMaker) -> None:
    rows = _row("Αξιολόγηση αναγκών") + _row("Hire two therapists")
    root = make_site(
        {
            "content/x/a.md": _report("A", "1 May 2021", rows),
            "content/x/b.md": _report("B", "1 June 2021", rows),
        }
    )
    assert _read(root)["b"].changes == []  # was the Greek row new, and the same one dropped


def test_two_formats_reports_are_two_series_whatever_their_series_name(
    make_site: SiteMaker,
) -> None:
    southend = (REPO / "content" / "southend" / "highlight-report-2021-05.md").read_text()
    lancashire = next((REPO / "content" / "lancashire").glob("*.md")).read_text()
    named = "series: quarterly\n"
    root = make_site(
        {
            "content/x/a.md": southend.replace("---\n", f"---\n{named}", 1),
            "content/x/b.md": lancashire.replace("---\n", f"---\n{named}", 1),
        }
    )
    shutil.copy(REPO / "content" / "_glossary.yml", root / "content" / "_glossary.yml")
    reports = _read(root)
    assert reports["a"].previous is None and reports["b"].previous is None


def test_an_id_that_changes_falls_back_to_the_words(make_site: SiteMaker) -> None:
    root = make_site(
        {
            "content/x/a.md": _report("A", "1 May 2021", _row("Hire two therapists", ref="1.1")),
            "content/x/b.md": _report(
                "B", "1 June 2021", _row("Hire two therapists", "Red", ref="2.1")
            ),
        }
    )
    [change] = _read(root)["b"].changes
    assert (change.kind, change.direction, change.how) == ("status", "worsened", "text")


def test_a_recurring_item_is_told_apart_by_its_due_date(make_site: SiteMaker) -> None:
    """One row a quarter with the same words: the finished one left out of the next report
    and the March one done is that, not two dates slipping and the June row dropped."""
    board = "Progress report to the SEND Board"
    root = make_site(
        {
            "content/x/a.md": _report(
                "A",
                "31 January 2023",
                _row(board, "Blue", due="31 December 2022")
                + _row(board, due="31 March 2023")
                + _row(board, due="30 June 2023"),
            ),
            "content/x/b.md": _report(
                "B",
                "30 April 2023",
                _row(board, "Blue", due="31/03/2023") + _row(board, due="30 June 2023"),
            ),
        }
    )
    [change] = _read(root)["b"].changes
    assert (change.kind, change.text, change.before, change.after, change.how) == (
        "completed", board, "Green: on track", "Blue: complete", "text",
    )  # fmt: skip


def test_a_recurring_items_leftovers_either_side_of_its_matched_date_are_not_paired(
    make_site: SiteMaker,
) -> None:
    """September's board report done and left out, December's kept, March's added: March's
    row is new, not September's slipped six months past December's."""
    board = "Progress report to the SEND Board"
    root = make_site(
        {
            "content/x/a.md": _report(
                "A",
                "31 October 2022",
                _row(board, "Blue", due="30 September 2022") + _row(board, due="31 December 2022"),
            ),
            "content/x/b.md": _report(
                "B",
                "31 January 2023",
                _row(board, due="31 December 2022") + _row(board, due="31 March 2023"),
            ),
        }
    )
    changes = [(c.kind, c.text, c.after) for c in _read(root)["b"].changes]
    assert changes == [("new", board, "Green: on track")], changes


def test_a_recurring_items_date_moved_short_of_its_twin_is_still_a_slip(
    make_site: SiteMaker,
) -> None:
    """Two board reports a year, the first moved from September to October: a month's
    slip, as before; only a move past the matched twin's date is not taken as one."""
    board = "Progress report to the SEND Board"
    root = make_site(
        {
            "content/x/a.md": _report(
                "A",
                "31 August 2022",
                _row(board, due="30 September 2022") + _row(board, due="31 March 2023"),
            ),
            "content/x/b.md": _report(
                "B",
                "30 September 2022",
                _row(board, due="31 October 2022") + _row(board, due="31 March 2023"),
            ),
        }
    )
    [change] = _read(root)["b"].changes
    assert (change.kind, change.text, change.how) == ("due", board, "text")


def test_the_same_words_in_another_section_are_another_item(make_site: SiteMaker) -> None:
    """P1 and P2 each have a "Quarterly review" row and a "Staff capacity" risk; P1's go:
    they are dropped and closed, and P2's, unchanged, say nothing."""

    def report(date: str, with_p1_rows: bool) -> str:
        review = _row("Quarterly review") if with_p1_rows else ""
        risks = "    risks:\n      - risk: Staff capacity\n        rag: Amber\n"
        return (
            f"---\nformat: southend-highlight\ntitle: Report\nmeeting_date: {date}\n"
            "priorities:\n  - code: P1\n    title: Plans\n    milestones:\n"
            + review
            + _row("Audit plans")
            + (risks if with_p1_rows else "")
            + "  - code: P2\n    title: Therapies\n    milestones:\n"
            + _row("Quarterly review", "Red", due="30 June 2022")
            + "    risks:\n      - risk: Staff capacity\n        rag: Red\n---\n"
        )

    root = make_site(
        {
            "content/x/a.md": report("31 January 2022", True),
            "content/x/b.md": report("28 February 2022", False),
        }
    )
    changes = _read(root)["b"].changes
    assert {(c.kind, c.text, c.before) for c in changes} == {
        ("dropped", "Quarterly review", "Green: on track"),
        ("risk-closed", "Staff capacity", "Amber (Medium)"),
    }
    assert all(c.gone and c.anchor.startswith("p1") for c in changes), changes


def test_a_score_given_or_taken_away_is_a_re_rating_with_no_direction(
    make_site: SiteMaker,
) -> None:
    def risks(first: str, second: str) -> str:
        return (
            "    risks:\n      - risk: Capacity of the team\n        rag: Amber\n"
            f"{first}      - risk: Funding for posts\n        rag: Amber\n{second}"
        )

    scored = "        likelihood: 3\n        impact: 4\n"
    root = make_site(
        {
            "content/x/a.md": _report("A", "1 May 2021", _row("Plan") + risks("", scored)),
            "content/x/b.md": _report("B", "1 June 2021", _row("Plan") + risks(scored, "")),
        }
    )
    changes = _read(root)["b"].changes
    assert {(c.kind, c.direction, c.text) for c in changes} == {
        ("risk-rated", "", "Capacity of the team"),
        ("risk-rated", "", "Funding for posts"),
    }


def test_a_due_date_reworded_is_no_change_once_done_nor_in_another_case(
    make_site: SiteMaker,
) -> None:
    root = make_site(
        {
            "content/x/a.md": _report(
                "A",
                "1 May 2021",
                _row("Agree plan", "Blue", due="Completed") + _row("Hire", due="TBC"),
            ),
            "content/x/b.md": _report(
                "B",
                "1 June 2021",
                _row("Agree plan", "Blue", due="Complete") + _row("Hire", due="tbc "),
            ),
            "content/x/c.md": _report(
                "C",
                "1 July 2021",
                _row("Agree plan", "Blue", due="Complete") + _row("Hire", due="Autumn"),
            ),
        }
    )
    reports = _read(root)
    assert reports["b"].changes == []
    assert _changes(reports["c"]) == {("due", "", "Hire")}


def test_series_names_are_one_whatever_their_case_and_spacing(make_site: SiteMaker) -> None:
    root = make_site(
        {
            f"content/x/{name}.md": _report(name, date, _row("Hire", rag), f"series: {series}\n")
            for name, date, rag, series in [
                ("a", "1 May 2021", "Green", "quarterly"),
                ("b", "1 June 2021", "Amber", "Quarterly"),
                ("c", "1 July 2021", "Red", "quarterly "),
            ]
        }
    )
    entries = _read(root)
    assert (entries["b"].previous, entries["c"].previous) == (entries["a"], entries["b"])
    assert _changes(entries["c"]) == {("status", "worsened", "Hire")}


def test_a_report_whose_date_is_not_understood_is_warned_of_and_not_first_of_a_series(
    make_site: SiteMaker,
) -> None:
    root = make_site(
        {
            "content/x/a.md": _report("A", "1 May 2021", _row("Hire")),
            "content/x/b.md": _report("B", "TBC", _row("Hire", "Amber")),
            "content/x/c.md": _report("C", "1 July 2021", _row("Hire", "Red")),
        }
    )
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0, result.output
    assert (
        "b.md:4: warning: the report's date 'TBC' is not understood, so it has no place in "
        "its series of 3 reports"
    ) in result.output
    area = page_text(root / "site" / "x" / "index.html")
    assert "Not compared: its date is not understood" in area
    assert area.count("First of its series") == 1  # a's only
    assert run_cli("build", "--source", str(root), "--strict").exit_code == 1
    # A report alone needs no date it can be placed by: "Phase one" is its period.
    alone = make_site({"content/y/a.md": _report("A", "Phase one", _row("Hire"))})
    assert "y/a.md:" not in run_cli("check", "--source", str(alone)).output


def test_a_revision_of_one_date_named_to_sort_first_follows_the_report_it_revises(
    make_site: SiteMaker,
) -> None:
    """'june-revised.md' sorts before 'june.md' ('-' before '.'): its supersedes: puts it
    after, where it was called a circle and the series said to split."""
    root = make_site(
        {
            "content/x/june.md": _report("June", "30 June 2023", _row("Hire")),
            "content/x/june-revised.md": _report(
                "June revised", "30 June 2023", _row("Hire", "Amber"), "supersedes: june.md\n"
            ),
            "content/x/september.md": _report("Sept", "30 September 2023", _row("Hire", "Red")),
        }
    )
    assert run_cli("check", "--source", str(root), "--strict").exit_code == 0
    entries = _read(root)
    # The revision takes the place of the report it corrects (the first of its series).
    assert entries["june-revised"].previous is None
    assert entries["june-revised"].corrects is entries["june"]
    assert entries["june"].next is entries["june-revised"]
    assert entries["september"].previous is entries["june-revised"]
    assert _changes(entries["september"]) == {("status", "worsened", "Hire")}


def test_supersedes_names_a_report_in_another_folder_of_its_area(make_site: SiteMaker) -> None:
    row = _row("Hire two therapists")
    root = make_site(
        {
            "content/x/2023/q4.md": _report("Q4", "1 December 2023", row),
            "content/x/2024/q1.md": _report(
                "Q1", "1 March 2024", row, "supersedes: ../2023/q4.md\n"
            ),
            "content/x/2025/q2.md": _report("Q2", "1 June 2025", row, "supersedes: q1.md\n"),
            "content/x/2025/q3.md": _report("Q3", "1 September 2025", row, "supersedes: q2\n"),
        }
    )
    entries = _read(root)
    assert entries["q1"].previous is entries["q4"]  # by its path from the folder
    assert entries["q2"].previous is entries["q1"]  # by its name, in another folder
    assert entries["q3"].previous is entries["q2"]


def test_supersedes_orders_reports_of_one_date(make_site: SiteMaker) -> None:
    root = make_site(
        {
            "content/x/a.md": _report("A", "1 May 2021", _row("Hire two therapists")),
            "content/x/b.md": _report(
                "B", "1 May 2021", _row("Hire two therapists", "Red"), "supersedes: a.md\n"
            ),
        }
    )
    entries = _read(root)
    assert entries["b"].corrects is entries["a"] and entries["a"].next is entries["b"]
    assert entries["b"].previous is None  # in a's place: a had none before it


@pytest.mark.parametrize(
    ("files", "where", "message"),
    [
        (
            {"a.md": ("1 May 2021", ""), "b.md": ("1st May 2021", "")},
            "b.md:4:",
            "are in one series with the same date (1 May 2021: '1st May 2021' here, "
            "'1 May 2021' there)",
        ),
        (  # a report with no date understood has no place in a series: it follows none
            {
                "q0.md": ("31 March 2023", ""),
                "q1.md": ("TBC", ""),
                "q2.md": ("30 September 2023", "supersedes: q1.md\n"),
            },
            "q2.md:5:",
            "'q2.md' supersedes 'q1.md', but q1.md has no place in a series: its date 'TBC' "
            "is not understood",
        ),
        (
            {"q1.md": ("31 March 2023", ""), "q2.md": ("TBC", "supersedes: q1.md\n")},
            "q2.md:5:",
            "but q2.md has no place in a series: its date 'TBC' is not understood",
        ),
        (  # a report of another series named: said so (the series split without a word)
            {
                "m.md": ("1 June 2021", "series: monthly\n"),
                "q.md": ("1 May 2021", "series: quarterly\n"),
                "n.md": ("1 July 2021", "series: monthly\nsupersedes: q.md\n"),
            },
            "n.md:6:",
            "supersedes: q.md is in another series ('quarterly', this one 'monthly')",
        ),
        (
            {"a.md": ("1 May 2021", "supersedes: march.md\n")},
            "a.md:5:",
            "supersedes: there is no other report 'march.md' in this area",
        ),
        (  # a names the report dated after it: said so, not called a circle
            {"a.md": ("1 May 2021", "supersedes: b.md\n"), "b.md": ("1 June 2021", "")},
            "a.md:5:",
            "'a.md' supersedes 'b.md', which is dated after it "
            "(b.md is dated 1 June 2021, a.md 1 May 2021)",
        ),
        (
            {
                "a.md": ("1 May 2021", "supersedes: b.md\n"),
                "b.md": ("1 June 2021", "supersedes: a.md\n"),
            },
            "a.md:5:",
            "'a.md' supersedes 'b.md', which is dated after it",
        ),
        (  # one date: only the supersedes: lines order them, and they go round
            {
                "a.md": ("1 May 2021", "supersedes: b.md\n"),
                "b.md": ("1 May 2021", "supersedes: a.md\n"),
            },
            ".md:5:",
            "these reports supersede each other in a circle",
        ),
        (  # c copied from b, its supersedes: not updated: the series would fork
            {
                "a.md": ("1 May 2021", ""),
                "b.md": ("1 June 2021", "supersedes: a.md\n"),
                "c.md": ("1 July 2021", "supersedes: a.md\n"),
            },
            "c.md:5:",
            "supersedes: a.md is already followed by b.md (its 'supersedes:' on line 5)",
        ),
        (  # c skips b, which follows a by its date: the series would fork as well
            {
                "a.md": ("1 May 2021", ""),
                "b.md": ("1 June 2021", ""),
                "c.md": ("1 July 2021", "supersedes: a\n"),
            },
            "c.md:5:",
            "supersedes: a.md is followed by b.md (the next report of its series by date), "
            "so the series would split in two",
        ),
    ],
)
def test_series_mistakes_are_errors_at_their_line(
    make_site: SiteMaker, files: dict[str, tuple[str, str]], where: str, message: str
) -> None:
    root = make_site(
        {
            f"content/x/{name}": _report(name, date, _row("Hire two therapists"), extra)
            for name, (date, extra) in files.items()
        }
    )
    for command in ("check", "build"):
        result = run_cli(command, "--source", str(root))
        assert result.exit_code == 1
        assert "Traceback" not in result.output
        assert where in result.output and message in result.output, result.output
        assert "How to fix:" in result.output


def test_two_reports_naming_each_other_are_one_error_with_its_fix(make_site: SiteMaker) -> None:
    """The earlier report's 'supersedes:' is the mistake: the error is on its line only,
    and says the later report already follows it."""
    root = make_site(
        {
            "content/x/a.md": _report("A", "1 May 2021", _row("Hire"), "supersedes: b.md\n"),
            "content/x/b.md": _report("B", "1 June 2021", _row("Hire"), "supersedes: a.md\n"),
        }
    )
    result = run_cli("check", "--source", str(root))
    assert result.exit_code == 1
    assert "circle" not in result.output and "b.md:5:" not in result.output
    assert "a.md:5: error: 'a.md' supersedes 'b.md', which is dated after it" in result.output
    assert (
        "How to fix: Delete this 'supersedes:' line: b.md already says it follows this report "
        "(its 'supersedes:' on line 5)."
    ) in result.output
    assert "1 error" in result.output


# --- what readers see ---------------------------------------------------------------------


def test_the_report_page_says_what_changed_first(example_site: Path) -> None:
    html = (example_site / "northdale" / "highlight-2023-q3" / "index.html").read_text()
    since = html[html.index('id="since-last-report"') :]
    since = since[: since.index("</section>")]
    text = fragment_text(since)
    assert "Since the last report" in text
    assert "Compared with Highlight report, quarter 2 2023/24:" in text
    assert "Dropped: Produce an easy-read guide" in text
    assert "(in the last report)" in text
    assert 'href="../highlight-2023-q2/#' in since  # a dropped item links to where it was
    assert "Due date moved: slipped (6 months): Recruit four additional EHC plan coordinators" in (
        text
    )
    assert 'rel="prev" href="../highlight-2023-q2/"' in html
    assert 'rel="next" href="../highlight-2023-q4/"' in html


def test_each_changed_row_is_marked_and_has_its_history(example_site: Path) -> None:
    html = (example_site / "northdale" / "highlight-2023-q4" / "index.html").read_text()
    assert '<th scope="col">Since the last report</th>' in html
    row = html[html.index('id="p1-milestone-1"') :]
    row = fragment_text(row[: row.index("</tr>")])
    assert "Status changed: improved" in row
    assert "Red: significant deviation → Green: on track" in row
    assert "History" in row and "Highlight report, quarter 1 2023/24: Green: on track" in row
    first = (example_site / "northdale" / "highlight-2023-q1" / "index.html").read_text()
    assert "Since the last report" not in first


def test_the_area_page_shows_the_series(example_site: Path) -> None:
    text = page_text(example_site / "northdale" / "index.html")
    assert "Since the report before" in text
    assert "First of its series" in text
    assert "3 status changed, 2 due date moved, 1 new, 6 completed" in text
    assert "Follow this area's new reports (Atom feed)" in text


def test_the_what_changed_page_lists_the_latest_changes(example_site: Path) -> None:
    html = (example_site / "changes" / "index.html").read_text()
    q4 = [c for c in _read(EXAMPLE)["highlight-2023-q4"].changes]
    assert html.count("<tr data-row") == len(q4)
    text = page_text(example_site / "changes" / "index.html")
    assert "Northdale: Highlight report, quarter 4 2023/24 since Highlight report, quarter 3" in (
        text
    )
    assert 'data-kind="risk-closed"' in html
    home = (example_site / "index.html").read_text()
    assert 'href="changes/"' in home  # in the navigation


def test_no_series_no_what_changed_page(demo_site: Path) -> None:
    assert not (demo_site / "changes").exists()
    assert (
        "Since the last report"
        not in (demo_site / "southend" / "highlight-report-2021-05" / "index.html").read_text()
    )


def test_changes_are_exported(example_site: Path) -> None:
    rows = list(
        csv.DictReader(io.StringIO((example_site / "data" / "changes.csv").read_text("utf-8-sig")))
    )
    document = json.loads((example_site / "data" / "changes.json").read_text())
    assert document["schema"] == "sendsite-changes/2"
    assert (
        len(rows)
        == len(document["changes"])
        == sum(len(e.changes) for e in _read(EXAMPLE).values())
    )
    dropped = next(r for r in rows if r["kind"] == "dropped")
    # The slugs, as every export gives its report (joined on area and report).
    assert (dropped["area"], dropped["report"]) == ("northdale", "highlight-2023-q3")
    assert dropped["previous_report"] == "highlight-2023-q2"
    assert dropped["url"].startswith("northdale/highlight-2023-q2/#p2-milestone-")
    assert dropped["before"] == "Green: on track" and dropped["after"] == "no longer listed"
    assert {r["how_matched"] for r in rows} >= {"text", ""}
    assert set(rows[0]) == set(document["changes"][0])


def test_feeds_list_new_reports_with_their_changes(example_site: Path) -> None:
    for feed, base in (
        (example_site / "feed.xml", example_site),
        (example_site / "northdale" / "feed.xml", example_site / "northdale"),
    ):
        root = ET.parse(feed).getroot()
        assert root.tag == f"{ATOM}feed"
        entries = root.findall(f"{ATOM}entry")
        assert len(entries) == 4
        newest = entries[0]
        assert newest.findtext(f"{ATOM}updated") == "2024-03-28T00:00:00Z"
        href = newest.find(f"{ATOM}link").get("href")
        assert (base / href / "index.html").is_file(), href
        assert "Since Highlight report, quarter 3 2023/24" in newest.findtext(f"{ATOM}content")
        # Atom's own rules: an author, ids no other site's feed has; the feed follows its page.
        assert (
            root.findtext(f"{ATOM}author/{ATOM}name")
            == "Northdale SEND partnership (fictional example)"
        )
        ids = [root.findtext(f"{ATOM}id")] + [e.findtext(f"{ATOM}id") for e in entries]
        assert all(
            i.startswith("urn:sendsite:northdale-send-partnership-fictional-example:") for i in ids
        ), ids
        page = next(ln for ln in root.findall(f"{ATOM}link") if ln.get("rel") == "alternate")
        expected = example_site if base == example_site else example_site / "northdale"
        assert (base / page.get("href")).resolve() == expected.resolve()


def test_feeds_leave_out_a_report_whose_date_is_not_understood(make_site: SiteMaker) -> None:
    root = make_site(
        {
            "content/x/q0.md": _report("Q0", "31 March 2023", _row("Hire", "Green")),
            "content/x/q1.md": _report("Q1", "TBC", _row("Hire", "Amber")),
        }
    )
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0, result.output
    for feed in (root / "site" / "feed.xml", root / "site" / "x" / "feed.xml"):
        entries = ET.parse(feed).getroot().findall(f"{ATOM}entry")
        assert [e.findtext(f"{ATOM}title") for e in entries] == ["X: Q0 (31 March 2023)"]
        assert "1970" not in feed.read_text()  # its date, had it been given one


def test_what_changed_shows_the_last_report_of_each_series_of_an_area(
    make_site: SiteMaker,
) -> None:
    """Two series in one area, and a corrected report of the same date (``supersedes:``):
    each series' last report, by the order of the series, not by date and title."""
    monthly, quarterly = "series: monthly\n", "series: quarterly\n"
    fixed = "supersedes: m2.md\n" + monthly
    root = make_site(
        {
            "content/x/m1.md": _report("M1", "31 January 2023", _row("Hire", "Green"), monthly),
            "content/x/m2.md": _report("M2", "28 February 2023", _row("Hire", "Amber"), monthly),
            "content/x/m2b.md": _report("A fix", "28 February 2023", _row("Hire", "Red"), fixed),
            "content/x/q1.md": _report("Q1", "1 January 2023", _row("Plan", "Green"), quarterly),
            "content/x/q2.md": _report("Q2", "1 February 2023", _row("Plan", "Red"), quarterly),
        }
    )
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0, result.output
    page = (root / "site" / "changes" / "index.html").read_text()
    groups = re.findall(r'<th scope="colgroup"[^>]*>X: <a href="[^"]*">([^<]+)</a> since', page)
    assert groups == ["A fix (28 February 2023)", "Q2 (1 February 2023)"]
    assert "2 changes in all" in page
    # The area page lists both series newest first: a report not following the row
    # below it says which report it is compared with (the fix, in M2's place: M1).
    area = (root / "site" / "x" / "index.html").read_text()
    since = re.findall(r'<span class="muted">since <a href="[^"]*">([^<]+)</a></span>', area)
    assert sorted(since) == ["M1 (31 January 2023)"] * 2 + ["Q1 (1 January 2023)"]


@pytest.fixture(scope="module")
def served(example_site: Path) -> Iterator[str]:
    handler = partial(_Quiet, directory=str(example_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_the_changes_page_filters_in_a_browser(served: str, browser: Any) -> None:
    page = browser.new_page()
    try:
        page.goto(served + "changes/?kind=completed")
        page.wait_for_function(
            "document.querySelector('form[data-table-filters]').hidden === false"
        )
        visible = page.locator("tr[data-row]:visible")
        assert visible.count() == 6
        kinds = visible.evaluate_all("rows => rows.map(r => r.dataset.kind)")
        assert set(kinds) == {"completed"}
        assert "6 of" in page.locator("[data-filter-summary]").inner_text()
    finally:
        page.close()


SERIES_PAGES = ["changes/", "northdale/", "northdale/highlight-2023-q3/"]


def test_the_series_pages_pass_axe_and_reflow(served: str, browser: Any) -> None:
    assert axe_and_reflow_failures(browser, served, SERIES_PAGES) == []


def _rows_under(value: object) -> list[object] | None:
    """The first list of two or more rows (mappings) anywhere under ``value``."""
    if isinstance(value, list):
        if len(value) >= 2 and all(isinstance(r, dict) for r in value):
            return value
        candidates: list[object] = value
    elif isinstance(value, dict):
        candidates = list(value.values())
    else:
        return None
    for inner in candidates:
        if (found := _rows_under(inner)) is not None:
            return found
    return None


def _shuffle_and_rename(front: object) -> bool:
    """In the first list of titled entries that hold rows, reverse one entry's rows and
    rename it; return whether anything was changed."""
    lists = (
        [front]
        if isinstance(front, list)
        else list(front.values())
        if isinstance(front, dict)
        else []
    )
    for value in lists:
        if not isinstance(value, list):
            if _shuffle_and_rename(value):
                return True
            continue
        for entry in value:
            if not isinstance(entry, dict):
                continue
            title = next((k for k in ("title", "heading", "name", "topic") if k in entry), None)
            rows = _rows_under({k: v for k, v in entry.items() if k != title})
            if rows is not None and title is not None:
                rows.reverse()
                entry[title] = f"{entry[title]} (renamed)"
                return True
    return False


@pytest.mark.parametrize("area", sorted(DATES))
def test_each_format_survives_reordering_and_a_renamed_section(
    area: str, make_site: SiteMaker
) -> None:
    import yaml

    source = next((REPO / "content" / area).glob("*.md"))
    text = source.read_text()
    _, front_text, body = text.split("---\n", 2)
    front = yaml.safe_load(front_text)
    key, later = DATES[area]
    front[key] = yaml.safe_load(later)
    assert _shuffle_and_rename(front), "no section with rows found"
    copy = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n" + body
    root = make_site({f"content/{area}/a.md": text, f"content/{area}/b.md": copy})
    shutil.copy(REPO / "content" / "_glossary.yml", root / "content" / "_glossary.yml")
    entries = _read(root)
    first, second = entries["a"], entries["b"]
    assert second.previous is first
    assert [row.section for row in second.report.items] != [
        row.section for row in first.report.items
    ] or [row.text for row in second.report.items] != [row.text for row in first.report.items]
    assert second.changes == [], [(c.kind, c.text) for c in second.changes]


def _shown_status(thing: object) -> str:
    """An item's status, or a risk's rating, as its history row shows it."""
    status = getattr(thing, "status", None)
    return status.text if status is not None else thing.rating.text  # type: ignore[attr-defined]


def test_a_refresh_after_an_edit_gives_the_changes_a_cold_read_gives(tmp_path: Path) -> None:
    """The preview re-compares only the saved report and those after it; what every report
    says changed must still be what reading everything afresh says."""
    from sendsite.build.pipeline import Pipeline

    root = tmp_path / "northdale"
    shutil.copytree(EXAMPLE, root)
    config = load_config(root)
    pipeline = Pipeline(config, make_plugin_manager(config=config), parallel=False)
    pipeline.refresh()
    folder = next(p for p in (root / "content").iterdir() if p.is_dir())

    def seen(entry: ReportEntry) -> tuple[object, ...]:
        history = {
            anchor: [(e.slug, _shown_status(thing)) for e, thing in steps]
            for anchor, steps in entry.history.items()
        }
        return (_changes(entry), history)

    def refreshed() -> dict[str, tuple[object, ...]]:
        return {e.slug: seen(e) for e in pipeline.refresh().site.reports}

    def cold() -> dict[str, tuple[object, ...]]:
        return {slug: seen(entry) for slug, entry in _read(root).items()}

    for name, old, new in [
        ("highlight-2023-q2.md", "rag: Amber", "rag: Red"),  # the middle of the series
        ("highlight-2023-q4.md", "rag: Green", "rag: Amber"),  # the newest
        ("highlight-2023-q1.md", "rag: Blue", "rag: Green"),  # the oldest
    ]:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        after = refreshed()
        assert after == cold()
        assert all(changes for slug, (changes, _) in after.items() if not slug.endswith("q1"))


def test_every_page_names_the_feeds_for_feed_readers(demo_site: Path) -> None:
    # The demo has no series: its areas' feeds are offered all the same.
    home = (demo_site / "index.html").read_text(encoding="utf-8")
    assert (
        '<link rel="alternate" type="application/atom+xml" '
        'title="SEND partnership progress reports: new reports" href="feed.xml">'
    ) in home
    area = (demo_site / "southend" / "index.html").read_text(encoding="utf-8")
    assert 'title="Southend: new reports" href="feed.xml">' in area
    assert 'href="../feed.xml">' in area
    assert '<a href="feed.xml">Follow this area\'s new reports (Atom feed)</a>' in area
    report = demo_site / "southend" / "highlight-report-2021-05" / "index.html"
    assert 'href="../../feed.xml">' in report.read_text(encoding="utf-8")
    for feed in ("feed.xml", "southend/feed.xml"):
        assert ET.parse(demo_site / feed).getroot().tag == f"{ATOM}feed"


def test_an_area_with_no_reports_names_no_feed_of_its_own(make_site: SiteMaker) -> None:
    root = make_site(
        {
            "content/x/q0.md": _report("Q0", "31 March 2023", _row("Hire", "Green")),
            "content/north/_area.yml": "name: North\n",
            "content/north/page.md": "---\ntitle: About North\n---\nSoon.\n",
        }
    )
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0, result.output
    north = (root / "site" / "north" / "index.html").read_text(encoding="utf-8")
    assert "North: new reports" not in north and "Follow this area" not in north
    assert not (root / "site" / "north" / "feed.xml").exists()
    assert 'title="X: new reports"' in (root / "site" / "x" / "index.html").read_text("utf-8")


def test_another_area_in_the_southend_format_does_not_name_southend(example_site: Path) -> None:
    """The format's status keys are the report's, not Southend's: Northdale's pages
    (written in it) said "Southend RAG rating" over their legends."""
    page = (example_site / "northdale" / "highlight-2023-q4" / "index.html").read_text("utf-8")
    titles = re.findall(r'<p class="legend__title">(.*?)</p>', page)
    shown = [re.sub(r"<[^>]+>", "", title) for title in titles]
    assert shown == [
        "RAG rating: as given by the report&#39;s authors",
        "Risk RAG rating: the RAG column of each priority area&#39;s top risks and issues",
    ]
    assert "Southend" not in page


def test_reports_titled_alike_are_named_with_their_dates(
    tmp_path: Path, example_site: Path
) -> None:
    """A partnership may title every quarter's report alike. Where a page names another
    report (its history, the next and previous links, what it is compared with, the
    lists' Report filter and column, the changes page, the dashboard), the name had been
    the title alone, and four "SEND highlight report"s were told apart by nothing."""
    root = tmp_path / "src"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".sendsite", "site"))
    for report in (root / "content" / "northdale").glob("*.md"):
        text = report.read_text("utf-8")
        report.write_text(re.sub(r"(?m)^title: .*$", "title: SEND highlight report", text))
    out = tmp_path / "site"
    build(load_config(root), output=out)
    page = (out / "northdale" / "highlight-2023-q4" / "index.html").read_text("utf-8")
    assert "Previous report: SEND highlight report (" in page
    assert "Compared with <a" in page and "SEND highlight report (" in page.split("Compared")[1]
    history = re.search(r'<ol class="history__list">(.*?)</ol>', page)
    assert history is not None
    names = re.findall(r"<a [^>]*>([^<]*)</a>", history.group(1))
    assert len(names) > 1 and len(set(names)) == len(names)
    tracker = (out / "tracker" / "northdale" / "index.html").read_text("utf-8")
    options = re.search(r'<select id="filter-report".*?</select>', tracker, re.S)
    assert options is not None
    named = re.findall(r'<option value="[^"]+">([^<]*)</option>', options.group(0))
    assert len(named) == 4 and len(set(named)) == 4
    assert all(re.fullmatch(r"SEND highlight report \(.+\)", name) for name in named)
    # A title with a year in it names its report already: nothing is added.
    own = (example_site / "northdale" / "highlight-2023-q4" / "index.html").read_text("utf-8")
    assert "Previous report: Highlight report, quarter 3 2023/24</a>" in own


def test_a_feeds_ids_outlive_a_new_title_with_feed_id(make_site: SiteMaker) -> None:
    """A feed's ids are made from the site's title, and a new title made every entry new
    to feed readers (RFC 4287: an entry's id never changes): ``feed_id`` keeps them."""
    root = make_site(
        {
            "sendsite.yml": "title: Northshire SEND reports\n",
            "content/x/q0.md": _report("Q0", "31 March 2023", _row("Hire", "Green")),
            "content/x/q1.md": _report("Q1", "30 June 2023", _row("Hire", "Amber")),
        }
    )

    def ids() -> list[str | None]:
        result = run_cli("build", "--source", str(root))
        assert result.exit_code == 0, result.output
        feed = ET.parse(root / "site" / "x" / "feed.xml").getroot()
        return [feed.findtext(f"{ATOM}id")] + [
            e.findtext(f"{ATOM}id") for e in feed.findall(f"{ATOM}entry")
        ]

    first = ids()
    assert first[0] == "urn:sendsite:northshire-send-reports:x/feed.xml"
    assert "urn:sendsite:northshire-send-reports:x/q1" in first
    (root / "sendsite.yml").write_text("title: Northshire SEND partnership\n")
    assert ids()[0] == "urn:sendsite:northshire-send-partnership:x/feed.xml"
    (root / "sendsite.yml").write_text(
        "title: Northshire SEND partnership\nfeed_id: northshire-send-reports\n"
    )
    assert ids() == first


def test_a_correction_takes_the_place_of_the_report_it_corrects(tmp_path: Path) -> None:
    """A corrected report of the same date (``supersedes:``) had followed the first issue,
    so the site said what the correction changed (one status) and no longer what changed
    in the quarter; the dashboard counted both. It takes the first issue's place: it is
    compared with the report before, the first issue says it was corrected, and a cached
    build is the cold build."""
    root = tmp_path / "src"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".sendsite", "site"))
    folder = root / "content" / "northdale"
    out = tmp_path / "site"
    assert run_cli("build", "--source", str(root), "--output", str(out)).exit_code == 0
    first = (out / "northdale" / "highlight-2023-q4" / "index.html").read_text("utf-8")
    quarter = re.search(r"Compared with <a[^>]*>([^<]*)</a>: ([^.]*)\.", first)
    assert quarter is not None and quarter[1] == "Highlight report, quarter 3 2023/24"
    text = (folder / "highlight-2023-q4.md").read_text("utf-8")
    text = text.replace(
        "title: Highlight report, quarter 4 2023/24", "title: Q4 2023/24, corrected"
    )
    text = text.replace(
        "format: southend-highlight\n",
        "format: southend-highlight\nsupersedes: highlight-2023-q4.md\n",
    )
    (folder / "q4-corrected.md").write_text(text, "utf-8")
    result = run_cli("build", "--source", str(root), "--output", str(out), "--strict")
    assert result.exit_code == 0, result.output
    fixed = (out / "northdale" / "q4-corrected" / "index.html").read_text("utf-8")
    assert f'Compared with <a href="../highlight-2023-q3/">{quarter[1]}</a>: {quarter[2]}.' in fixed
    assert "Corrects: Highlight report, quarter 4 2023/24</a>" in fixed
    first = (out / "northdale" / "highlight-2023-q4" / "index.html").read_text("utf-8")
    assert "Corrected by: Q4 2023/24, corrected</a>" in first
    assert "<strong>This report was corrected.</strong>" in first
    changes = (out / "changes" / "index.html").read_text("utf-8")
    assert 'Q4 2023/24, corrected</a> since <a href="../northdale/highlight-2023-q3/">' in changes
    tracker = (out / "tracker" / "northdale" / "index.html").read_text("utf-8")
    assert "Since corrected by <a" in tracker
    third = (out / "northdale" / "highlight-2023-q3" / "index.html").read_text("utf-8")
    assert "Next report: Q4 2023/24, corrected</a>" in third
    cold = tmp_path / "cold"
    assert (
        run_cli("build", "--source", str(root), "--output", str(cold), "--no-cache").exit_code == 0
    )
    built = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    again = {p.relative_to(cold): p.read_bytes() for p in cold.rglob("*") if p.is_file()}
    assert sorted(built) == sorted(again)
    assert [name for name in built if built[name] != again[name]] == []
