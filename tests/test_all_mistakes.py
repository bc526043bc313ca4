"""Every mistake in a report's fields is reported in one run, each at its line."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

import pytest

from sendsite.content.documents import Document, load_document
from sendsite.content.fields import Fields, read_checked
from sendsite.errors import ContentError, ContentErrors
from tests.conftest import REPO, SiteMaker, run_cli

SOUTHEND = (REPO / "content" / "southend" / "highlight-report-2021-05.md").read_text()
GLOSSARY = (REPO / "content" / "_glossary.yml").read_text()


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def _southend_with_three_mistakes() -> str:
    text = SOUTHEND.replace(
        "        completed_by: 31 st March 2021\n        rag:\n",
        "        completed_by: 31 st March 2021\n        rag: Purple\n",
        1,
    )
    text = text.replace(
        "    risks:\n      - risk: >-", "    risks:\n      - risk:\n      - risk: >-", 1
    )
    text = text.replace("report_by: Ross Gerrie", "report_bye: Ross Gerrie", 1)
    return text.replace("meeting_date: 28th May 2021", "meeting_date: [28th May 2021]", 1)


def test_check_lists_every_mistake_of_a_report_at_its_line(make_site: SiteMaker) -> None:
    text = _southend_with_three_mistakes()
    root = make_site({"content/_glossary.yml": GLOSSARY, "content/southend/r.md": text})
    result = run_cli("check", "--source", str(root))
    assert result.exit_code == 1
    output = result.output
    purple, empty = _line_of(text, "rag: Purple"), _line_of(text, "- risk:\n")
    date = _line_of(text, "meeting_date:")
    assert f"southend/r.md:{date}:15: error: meeting_date: expected text but found a list" in output
    assert f"southend/r.md:{purple}:14: error: priorities[1].milestones[2].rag: unknown status" in (
        output
    )
    assert f"southend/r.md:{empty}:" in output
    assert "priorities[1].risks[1].risk: is empty" in output
    assert "How to fix: Write 'risk:' followed by the text." in output
    # In the file's order, and the misspelt key beside them.
    assert output.index(f"r.md:{date}:") < output.index(f"r.md:{purple}:")
    assert output.index(f"r.md:{purple}:") < output.index(f"r.md:{empty}:")
    assert "unknown key 'report_bye' is ignored" in output
    assert "Stopped: 3 errors and 1 warning. Nothing was written." in output
    assert "Traceback" not in output


def test_json_gives_each_mistake(make_site: SiteMaker) -> None:
    root = make_site(
        {
            "content/_glossary.yml": GLOSSARY,
            "content/southend/r.md": _southend_with_three_mistakes(),
        }
    )
    result = run_cli("check", "--source", str(root), "--json")
    assert result.exit_code == 1
    problems = json.loads(result.output)["problems"]
    errors = [p for p in problems if p["level"] == "error"]
    assert len(errors) == 3
    assert {p["file"] for p in errors} == {"content/southend/r.md"}
    assert len({p["line"] for p in errors}) == 3


def test_a_missing_key_is_shown_with_the_misspelt_one_that_explains_it(
    make_site: SiteMaker,
) -> None:
    text = SOUTHEND.replace("priorities:", "prioritees:", 1)
    root = make_site({"content/_glossary.yml": GLOSSARY, "content/southend/r.md": text})
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert "'priorities' is missing" in result.output
    assert "unknown key 'prioritees' is ignored" in result.output
    assert "Did you mean 'priorities'?" in result.output
    assert not (root / "site").exists()


def test_every_mistake_is_found_when_workers_read(
    make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sendsite.build import parallel

    monkeypatch.setattr(parallel, "MIN_PARALLEL", 2)
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    files = {f"content/southend/r{n}.md": SOUTHEND for n in range(4)}
    files["content/southend/r2.md"] = _southend_with_three_mistakes()
    for n in range(4):  # a series of its own each: copies of one date are not one series
        files[f"content/southend/r{n}.md"] = files[f"content/southend/r{n}.md"].replace(
            "format: southend-highlight\n", f"format: southend-highlight\nseries: copy {n}\n", 1
        )
    files["content/_glossary.yml"] = GLOSSARY
    result = run_cli("build", "--source", str(make_site(files)))
    assert result.exit_code == 1
    assert result.output.count("southend/r2.md:") == 4  # three errors and the warning
    assert "Stopped: 3 errors and 1 warning." in result.output


def _document(tmp_path: Path, front: str) -> Document:
    path = tmp_path / "area" / "report.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front}---\n", encoding="utf-8")
    return load_document(path, PurePosixPath("area/report.md"))


def _read_range(document: Document) -> tuple[int, int]:
    fields = Fields.of(document)
    low = fields.integer("low", required=True)
    high = fields.integer("high", required=True)
    if high < low:  # a rule of the reader's own, on what two fields say together
        raise fields.error("high", f"is below low ({low})", fix="Swap them.")
    return low, high


def test_a_readers_own_error_shows_when_the_fields_are_right(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match=r"high: is below low \(5\)") as caught:
        read_checked(_read_range, _document(tmp_path, "low: 5\nhigh: 1\n"))
    assert not isinstance(caught.value, ContentErrors)
    assert caught.value.line == 3


def test_after_a_fields_mistake_the_readers_own_errors_and_crashes_are_left_out(
    tmp_path: Path,
) -> None:
    # 'low' is text: its stand-in (None) would make the reader crash comparing it.
    with pytest.raises(ContentErrors) as caught:
        read_checked(_read_range, _document(tmp_path, "low: five\nhigh: x\n"))
    messages = [p.message for p in caught.value.problems]
    assert messages == [
        "low: expected a whole number but found the text 'five'",
        "high: expected a whole number but found the text 'x'",
    ]
    assert [p.line for p in caught.value.problems] == [2, 3]


def test_accessors_raise_at_once_outside_a_readers_run(tmp_path: Path) -> None:
    fields = Fields.of(_document(tmp_path, "low: five\n"))
    with pytest.raises(ContentError, match="expected a whole number"):
        fields.integer("low")


def test_a_reader_stopped_by_a_stand_in_warns_of_no_keys_it_never_reached(tmp_path: Path) -> None:
    def read(document: Document) -> int:
        fields = Fields.of(document)
        size = fields.integer("size", required=True)  # 'big': noted, None stands in
        return size + fields.integer("more", default=0)  # crashes on the stand-in

    document = _document(tmp_path, "size: big\nmore: 2\nlater: x\n")
    with pytest.raises(ContentErrors) as caught:
        read_checked(read, document)
    assert [p.message for p in caught.value.problems] == [
        "size: expected a whole number but found the text 'big'"
    ]
    assert caught.value.warnings == []  # not "unknown key 'more'", nor 'later'


def _read_rows(document: Document) -> list[str]:
    rows = []
    for row in Fields.of(document).list("rows"):
        kind = row.choice("kind", ("legal", "financial"), required=True)
        # A heading is needed only for a kind of the plugin's own: a refused kind's
        # stand-in ("") would ask for one.
        heading = row.text("heading", required=kind not in ("legal", "financial"))
        rows.append(heading or kind)
    return rows


def test_a_mistake_that_follows_from_a_stand_in_in_its_entry_is_left_out(tmp_path: Path) -> None:
    text = "rows:\n  - kind: Financal\n  - kind: legal\n  - kind: moral\n"
    with pytest.raises(ContentErrors) as caught:
        read_checked(_read_rows, _document(tmp_path, text))
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (3, "rows[1].kind: unknown kind 'Financal'"),
        (5, "rows[3].kind: unknown kind 'moral'"),
    ]  # not also "rows[1]: 'heading' is missing", nor rows[3]'s


def test_a_key_read_twice_gives_its_mistake_once(tmp_path: Path) -> None:
    def read(document: Document) -> str:
        fields = Fields.of(document)
        return fields.number("number", "action", seen={})  # reads the key twice

    with pytest.raises(ContentErrors) as caught:
        read_checked(read, _document(tmp_path, "number: [1]\n"))
    assert [p.message for p in caught.value.problems] == ["number: expected text but found a list"]


def test_a_score_out_of_range_is_one_mistake_not_two(make_site: SiteMaker) -> None:
    text = SOUTHEND.replace(
        "        rag:\n    narrative:",
        "        rag:\n        likelihood: 7\n        impact: 3\n    narrative:",
        1,
    )
    root = make_site({"content/_glossary.yml": GLOSSARY, "content/southend/r.md": text})
    result = run_cli("check", "--source", str(root))
    assert result.exit_code == 1
    assert "likelihood: 7 is out of range" in result.output
    assert "with no likelihood" not in result.output
    assert "Stopped: 1 error." in result.output
