"""``sendsite schema`` prints a format's front-matter schema; ``sendsite build`` leaves one per
format in ``.sendsite/schemas/`` for editors, outside the published site."""

from __future__ import annotations

import json

import jsonschema

from .conftest import SiteMaker, run_cli

FORMATS = (
    "essex-joint-commissioning",
    "havering-board-report",
    "lancashire-app-highlight",
    "southend-highlight",
    "suffolk-response-grid",
)
REPORT = """\
---
format: southend-highlight
title: May highlight report
meeting_date: 27 May 2021
priorities:
  - code: P1
    title: Joint commissioning
    milestones:
      - milestone: Strategy agreed
        completed_by: March 2021
        rag: Green
---
How the partnership stood in May.
"""
LOCAL_FORMAT = """\
from sendsite import Fields, Format, Report


def read(document):
    return Report(Fields.of(document).text("title"))


FORMAT = Format("local-note", "Note", read, "local/report.html")
"""


def test_schema_without_a_format_lists_the_formats(make_site: SiteMaker) -> None:
    root = make_site({})
    result = run_cli("schema", "--source", str(root))
    assert result.exit_code == 0
    for name in FORMATS:
        assert f"  {name}  " in result.output
    assert "Highlight report, plugin 'southend'" in result.output
    assert f"{root / '.sendsite' / 'schemas'}/<format>.json" in result.output


def test_schema_prints_the_formats_json_schema_the_same_every_time(make_site: SiteMaker) -> None:
    root = make_site({})
    first = run_cli("schema", "southend-highlight", "--source", str(root))
    again = run_cli("schema", "southend-highlight", "--source", str(root))
    assert first.exit_code == 0
    assert first.output == again.output
    schema = json.loads(first.output)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert first.output == json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["properties"]["format"] == {
        "const": "southend-highlight",
        "description": "Highlight report: this report's format.",
    }
    assert {"meeting_date", "priorities", "title", "topics"} <= set(schema["properties"])
    assert schema["required"] == ["format", "meeting_date", "priorities"]
    rag = schema["properties"]["priorities"]["items"]["properties"]["milestones"]["items"][
        "properties"
    ]["rag"]
    assert rag["anyOf"][0] == {"enum": ["Blue", "Green", "Yellow", "Amber", "Red"]}


def test_an_unknown_format_is_an_error_naming_the_formats(make_site: SiteMaker) -> None:
    root = make_site({})
    result = run_cli("schema", "southend-highlite", "--source", str(root))
    assert result.exit_code == 1
    assert "error: unknown format 'southend-highlite'" in result.output
    assert "Did you mean 'southend-highlight'?" in result.output
    assert "Traceback" not in result.output


def test_build_writes_each_formats_schema_beside_the_content_not_in_the_site(
    make_site: SiteMaker,
) -> None:
    root = make_site(
        {
            "content/southend/_area.yml": "name: Southend\n",
            "content/southend/may.md": REPORT,
            "plugins/local_note/__init__.py": LOCAL_FORMAT,
        }
    )
    result = run_cli("build", "--source", str(root), "--quiet")
    assert result.exit_code == 0, result.output
    folder = root / ".sendsite" / "schemas"
    assert sorted(p.stem for p in folder.iterdir()) == sorted([*FORMATS, "local-note"])
    printed = run_cli("schema", "southend-highlight", "--source", str(root)).output
    assert (folder / "southend-highlight.json").read_text(encoding="utf-8") == printed
    assert not list((root / "site").rglob("*schema*"))
    assert not (root / "site" / ".sendsite").exists()
    # A format whose plugin gives no schema still has the core's keys, and allows others.
    note = json.loads((folder / "local-note.json").read_text(encoding="utf-8"))
    assert note["additionalProperties"] is True
    assert set(note["properties"]) == {"format", "title", "slug", "series", "supersedes", "topics"}


def test_a_plugins_schema_json_that_is_not_json_stops_it_loading(make_site: SiteMaker) -> None:
    root = make_site(
        {
            "plugins/local_note/__init__.py": LOCAL_FORMAT,
            "plugins/local_note/schema.json": '{"properties": {"title": ',
        }
    )
    result = run_cli("schema", "local-note", "--source", str(root))
    assert result.exit_code == 1
    assert "cannot read the format's schema" in result.output
    assert "schema.json" in result.output
    assert "Traceback" not in result.output


def test_a_plugins_schema_json_naming_no_reader_stops_it_loading(make_site: SiteMaker) -> None:
    bad = {"properties": {"title": {"$ref": "#/definitions/txt"}}}
    root = make_site(
        {
            "plugins/local_note/__init__.py": LOCAL_FORMAT,
            "plugins/local_note/schema.json": json.dumps(bad),
        }
    )
    result = run_cli("schema", "--source", str(root))
    assert result.exit_code == 1
    assert "refers to '#/definitions/txt', which is not a definition" in result.output
    # The other plugins' formats are still given (one broken plugin hid them all).
    assert "southend-highlight" in result.output
    southend = run_cli("schema", "southend-highlight", "--source", str(root))
    assert southend.exit_code == 1 and '"$schema"' in southend.stdout


def test_a_plugins_schema_json_is_its_formats_schema(make_site: SiteMaker) -> None:
    own = {"properties": {"pages": {"$ref": "#/definitions/integer", "minimum": 1}}}
    root = make_site(
        {
            "plugins/local_note/__init__.py": LOCAL_FORMAT,
            "plugins/local_note/schema.json": json.dumps(own),
        }
    )
    schema = json.loads(run_cli("schema", "local-note", "--source", str(root)).output)
    assert schema["additionalProperties"] is False
    pages = schema["properties"]["pages"]["anyOf"]
    assert pages[0] == {"type": "integer", "minimum": 1}
    validator = jsonschema.Draft7Validator(schema)
    assert validator.is_valid({"format": "local-note", "pages": 3})
    assert not validator.is_valid({"format": "local-note", "pages": 0})
    assert not validator.is_valid({"format": "local-note", "pagse": 3})
