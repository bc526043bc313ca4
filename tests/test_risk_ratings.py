"""Risk ratings: their own scale (High, Medium, Low), each area's words mapped onto it,
likelihood × impact scores, and plugins written for the old API (a progress status)."""

from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path, PurePosixPath

import pytest

from sendsite import Format, Report, Risk, Status, hookimpl
from sendsite.build.publish import build
from sendsite.config import load_config
from sendsite.content.documents import load_document
from sendsite.content.fields import Fields
from sendsite.content.risk_rating import RiskKey, RiskLevel, RiskRating, rating_from_status
from sendsite.content.status import KeyEntry, Level, StatusKey
from sendsite.errors import ContentError
from sendsite.plugins.manager import make_plugin_manager

from .conftest import SEEDS, SiteMaker

KEY = RiskKey.from_mapping(
    {
        "name": "north-risk",
        "title": "North risk rating",
        "entries": [
            {"label": "Red", "rating": "high"},
            {"label": "Amber", "rating": "medium"},
            {"label": "Green", "rating": "low"},
        ],
    }
)


def _fields(tmp_path: Path, front: str) -> Fields:
    path = tmp_path / "area" / "report.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front}---\n", encoding="utf-8")
    return Fields.of(load_document(path, PurePosixPath("area/report.md")))


def _risks(tmp_path: Path, rows: str) -> tuple[Risk, ...]:
    return _fields(tmp_path, "risks:\n" + rows).risks("risks", "r", KEY)


# --- each demo area's risks, against the seed reports' own words ----------------------


def _seed_rags(seed: str, header: str) -> list[str]:
    """The RAG cell of every risk row of the seed's risk tables, in order."""
    path = SEEDS / seed
    if not path.is_file():
        pytest.skip(f"the seed report {seed} is not on this machine")
    rags, in_table = [], False
    lines = path.read_text(encoding="utf-8").splitlines()
    for n, line in enumerate(lines):
        if line.startswith(header):
            in_table = True
        elif not line.strip():
            # A blank line ends the table, unless a cell runs on after it (a tab first).
            in_table = in_table and n + 1 < len(lines) and lines[n + 1].startswith("\t")
        elif in_table and not line.startswith("\t"):
            rags.append(line.split("\t")[-1].strip())
    return rags


def test_southend_risks_keep_their_rag_word_as_a_rating(demo_reports: dict[str, Report]) -> None:
    risks = demo_reports["southend"].risks
    rags = _seed_rags("000_d31c993f1e1a69a1.txt", "TOP RISKS & ISSUES\tMITIGATION")
    assert rags == ["", "", "Yellow", "Yellow", "", ""]
    assert [r.rating.label for r in risks] == [rag or "Not rated" for rag in rags]
    assert [r.rating.text for r in risks if r.rating.level is RiskLevel.MEDIUM] == [
        "Yellow (Medium)"
    ] * 2
    assert {r.rating.level for r in risks} == {RiskLevel.MEDIUM, RiskLevel.NOT_RATED}
    assert all(r.status is None for r in risks)  # no progress wording on a risk


def test_lancashire_risks_are_unrated_as_the_seed_gives_no_word(
    demo_reports: dict[str, Report],
) -> None:
    rags = _seed_rags("004_523830ed46d3faab.txt", "RISKS\tMITIGATION\tRAG")
    assert rags == [""] * 13  # the RAG cells were colour only
    risks = demo_reports["lancashire"].risks
    assert [r.rating.text for r in risks] == ["Not rated"] * 13
    assert {r.rating.key for r in risks} == {"lancashire-risk"}


def test_havering_rates_none_of_its_risks(demo_reports: dict[str, Report]) -> None:
    risks = demo_reports["havering"].risks
    assert risks and {(r.rating.level, r.status) for r in risks} == {(RiskLevel.NOT_RATED, None)}


def test_the_report_page_shows_ratings_and_the_risk_key(demo_site: Path) -> None:
    html = next((demo_site / "southend").glob("*/index.html")).read_text()
    row = html[html.index('id="p2-risk-1"') :]
    row = row[: row.index("</tr>")]
    assert '<strong class="tag tag--orange" data-rating="medium">Yellow (Medium)</strong>' in row
    assert "Risk RAG rating: the RAG column" in html
    assert '<strong class="tag tag--red">Red</strong> High risk</li>' in html


# --- the key and the Fields reader ------------------------------------------------------


def test_words_scores_and_bands(tmp_path: Path) -> None:
    worded, scored, both, blank = _risks(
        tmp_path,
        "  - risk: A\n    rag: amber\n"
        "  - risk: B\n    likelihood: 4\n    impact: 4\n"
        "  - risk: C\n    rag: Green\n    score: 20\n"
        "  - risk: D\n",
    )
    assert (worded.rating.level, worded.rating.text, worded.rating.score) == (
        RiskLevel.MEDIUM,
        "Amber (Medium)",
        None,
    )
    # No word: rated by the key's bands (15 and over is High).
    assert (scored.rating.level, scored.rating.score) == (RiskLevel.HIGH, 16)
    assert scored.rating.score_text == "score 16 (likelihood 4 × impact 4)"
    # The area's own word is kept; the score is shown beside it.
    assert (both.rating.text, both.rating.score_text) == ("Green (Low)", "score 20")
    assert blank.rating.text == "Not rated"
    assert scored.rating.severity < worded.rating.severity < both.rating.severity


@pytest.mark.parametrize(
    ("rows", "message", "fix"),
    [
        ("    rag: Purple\n", "unknown rating 'Purple' for the North risk rating", "Red, Amber"),
        ("    rag: Amberr\n", "unknown rating 'Amberr'", "Did you mean 'Amber'?"),
        ("    likelihood: 3\n", "a likelihood with no impact", "Add 'impact:'"),
        ("    likelihood: 6\n    impact: 1\n", "should be a whole number from 1 to 5", "1 to 5"),
        ("    likelihood: 2\n    impact: 3\n    score: 9\n", "is not likelihood 2 × impact 3", "6"),
    ],
)
def test_rating_mistakes_name_the_line_and_a_fix(
    tmp_path: Path, rows: str, message: str, fix: str
) -> None:
    with pytest.raises(ContentError, match=message) as caught:
        _risks(tmp_path, "  - risk: A\n" + rows)
    assert caught.value.line and caught.value.line >= 3
    assert fix in (caught.value.fix or "")


def test_a_score_no_likelihood_times_impact_makes_is_a_warning_at_its_line(
    tmp_path: Path,
) -> None:
    """13 on a 5 × 5 matrix is a slip (for 12 or 15, say): warned about, not refused, as a
    register may score otherwise; the fix names the key's 'scale:'."""
    fields = _fields(
        tmp_path,
        "risks:\n  - risk: A\n    rag: Red\n    score: 13\n  - risk: B\n    score: 12\n",
    )
    slip, good = fields.risks("risks", "r", KEY)
    assert (slip.rating.text, slip.rating.score_text) == ("Red (High)", "score 13")
    assert good.rating.score == 12
    [warning] = fields.document.warnings
    assert warning.line == 5
    assert warning.message == (
        "risks[1].score: the score 13 is not a likelihood × impact on the 5 × 5 matrix: "
        "those are 1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 20, 25"
    )
    assert "'scale:'" in (warning.fix or "")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"entries": [{"label": "Red", "rating": "significant-deviation"}]}, "'rating' should be"),
        ({"entries": [{"label": "Red", "rating": "high"}], "scores": {"high": 3}}, "'scores'"),
        ({"entries": [{"label": "Red", "level": "high"}]}, "unknown key 'level'"),
    ],
)
def test_a_risk_key_with_a_mistake_says_where(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RiskKey.from_mapping({"name": "n-risk", "title": "N", **data})


# --- plugins written against the old API ------------------------------------------------

OLD_KEY = StatusKey(
    "old-rag",
    "Old RAG",
    (
        KeyEntry("Red", Level.SIGNIFICANT_DEVIATION),
        KeyEntry("Amber", Level.MINOR_DEVIATION),
        KeyEntry("Blue", Level.COMPLETE),
    ),
)


def _old_read(document) -> Report:
    fields = Fields.of(document)
    built = Risk("Staff leave", "r-1", OLD_KEY.lookup("Red"), "Agency cover")  # positional
    from_table = fields.risks("risks", "t", OLD_KEY)  # a progress key, as before
    return Report("Old plugin report", risks=[built, *from_table])


class OldPlugin:
    @hookimpl
    def register_formats(self) -> list[Format]:
        return [Format("old-format", "Old", _old_read, "report.html", (OLD_KEY,))]


def test_the_documented_rule_from_progress_to_rating() -> None:
    expected = {
        Level.SIGNIFICANT_DEVIATION: RiskLevel.HIGH,
        Level.DELAYED: RiskLevel.HIGH,
        Level.MINOR_DEVIATION: RiskLevel.MEDIUM,
        Level.ON_TRACK: RiskLevel.LOW,
        Level.COMPLETE: RiskLevel.CLOSED,
        Level.IN_PROGRESS: RiskLevel.NOT_RATED,
        Level.NOT_STARTED: RiskLevel.NOT_RATED,
        Level.NOT_RATED: RiskLevel.NOT_RATED,
    }
    for level, rating in expected.items():
        assert rating_from_status(Status(level, "Word")).level is rating
    assert rating_from_status(Status(Level.MINOR_DEVIATION, "Amber", key="k")) == RiskRating(
        RiskLevel.MEDIUM, "Amber", key="k"
    )


def test_a_risk_given_a_progress_status_warns_and_is_rated() -> None:
    with pytest.warns(DeprecationWarning, match=r"rating=RiskRating") as caught:
        risk = Risk("Staff leave", "r-1", Status(Level.DELAYED, "Orange"))
    assert caught[0].filename == __file__  # the warning points at the plugin's own line
    assert risk.status == Status(Level.DELAYED, "Orange")  # still there for old templates
    assert risk.rating.text == "Orange (High)"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Risk("New", "r-2", rating=RiskRating(RiskLevel.LOW)).status is None


def test_an_old_style_plugin_still_builds_with_ratings(
    make_site: SiteMaker, tmp_path: Path
) -> None:
    root = make_site(
        {
            "content/old/r.md": """\
            ---
            format: old-format
            risks:
              - risk: Rising demand
                rag: Amber
              - risk: Closed risk
                rag: Blue
            ---
            """
        }
    )
    pm = make_plugin_manager(entry_points=False, plugins=[("old-plugin", OldPlugin())])
    with pytest.warns(DeprecationWarning):
        build(load_config(root), pm=pm, output=tmp_path / "site")
    register = (tmp_path / "site" / "risks" / "index.html").read_text()
    for shown in ("Red (High)", "Amber (Medium)", "Blue (Closed)"):
        assert shown in register
    assert register.index("Red (High)") < register.index("Amber (Medium)")
    rows = list(
        csv.DictReader(io.StringIO((tmp_path / "site/data/risks.csv").read_text("utf-8-sig")))
    )
    assert [(r["text"], r["rating"], r["rating_label"]) for r in rows] == [
        ("Staff leave", "high", "Red"),
        ("Rising demand", "medium", "Amber"),
        ("Closed risk", "closed", "Blue"),
    ]
