"""Each format's JSON Schema and its reader agree: a report one accepts, the other reads.

The documents: every demo report, and variations of each made systematically
at the first place each key is used (with list positions counted as one): the
key dropped; its value replaced by yes/no, a number, words, a list and a
mapping; an unknown key added beside it; each word of a choice or status tried
(and a word that is not one). For each, the schema's verdict (``jsonschema``,
draft-07, on the front matter as an editor sees it: dates as text) must be the
reader's. The reader's verdict is that of ``sendsite build --strict``: it reads
without an error or a warning (an unknown key is a warning, so an error there).

Some checks no schema can make are the reader's alone, and are left out of the
variations (``READER_ONLY``): numbers that must be unique or belong to their
section, a date that must be understood; so are the core's own keys (topics,
series, supersedes), checked by the build, not the reader. Nor can a schema tell
``3.0`` from ``3`` (JSON has one kind of number): the reader refuses it for a
whole number, and an editor does not flag it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

import jsonschema
import pytest

from sendsite import Format, Report
from sendsite.build.reading import collect_formats
from sendsite.content.documents import Document, load_document
from sendsite.content.fields import CORE_KEYS, Fields, read_checked
from sendsite.content.schema import front_matter_schema
from sendsite.content.status import KeyEntry, Level, StatusKey
from sendsite.content.yamlfile import Positions
from sendsite.errors import ContentError
from sendsite.plugins.manager import make_plugin_manager

from .conftest import DEMO_AREAS

DROP = object()
WRONG: tuple[Any, ...] = (True, 42, "some words", ["a list"], {"a": "mapping"})

Path_ = tuple[str | int, ...]

#: Values the reader checks against others, beyond what a schema can say: a Havering
#: section's number is the start of its paragraphs' numbers ("2" and "2.1"), and a
#: Lancashire report's date must be a date sendsite understands (what comes next is
#: worked out from it). Only dropping them is varied.
READER_ONLY = {("sections", "*", "number"), ("date",)}


@pytest.fixture(scope="module")
def formats() -> dict[str, Format]:
    return {name: fmt for name, (_, fmt) in collect_formats(make_plugin_manager()).items()}


def as_editor_sees(value: Any) -> Any:
    """Front matter as JSON: what an editor's YAML extension checks (dates are text)."""
    if isinstance(value, dict):
        return {str(k): as_editor_sees(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_editor_sees(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value


def schema_accepts(schema: dict[str, Any], front: dict[str, Any]) -> bool:
    return bool(jsonschema.Draft7Validator(schema).is_valid(as_editor_sees(front)))


def reader_accepts(fmt: Format, document: Document) -> bool:
    try:
        read_checked(fmt.read, document)
    except ContentError:
        return False
    return not document.warnings  # as --strict: a warning fails the build


def _variant(document: Document, path: Path_, value: Any) -> Document:
    """``document`` with the value at ``path`` replaced (or dropped, or a key added)."""
    front = copy.deepcopy(document.front)
    parent = front
    for part in path[:-1]:
        parent = parent[part]
    if value is DROP:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    positions = document.positions
    written = {p: w for p, w in positions.written.items() if p[: len(path)] != path}
    return Document(
        document.source,
        document.relpath,
        front,
        Positions(positions.marks, positions.values, written),
        document.body,
        document.body_line,
    )


def _words(schema: dict[str, Any], path: Path_) -> list[str]:
    """The words of the choice or status at ``path`` (by the schema), if it is one."""
    node: dict[str, Any] | None = schema
    for part in path:
        if node is None:
            return []
        branches = [node, *node.get("anyOf", [])]
        key = "items" if isinstance(part, int) else "properties"
        found = [b[key] for b in branches if key in b]
        node = found[0] if found else None
        if node is not None and not isinstance(part, int):
            node = node.get(part)
    options = [
        b["enum"]
        for b in (node or {}).get("anyOf", [])
        if all(isinstance(word, str) and word for word in b.get("enum", [None]))
    ]
    return [w for word in (options[0] if options else []) for w in (word, word.upper())]


def _places(value: Any, path: Path_, seen: set[Path_]) -> Iterator[tuple[Path_, Any]]:
    """Every (path, value) in ``value``, once for each key's place (list positions as one)."""
    shape = tuple("*" if isinstance(p, int) else p for p in path)
    if shape in seen:
        return
    seen.add(shape)
    yield path, value
    if isinstance(value, dict):
        for key, inner in value.items():
            if path or key not in CORE_KEYS or key == "title":
                yield from _places(inner, (*path, key), seen)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _places(inner, (*path, index), seen)


def variations(document: Document, schema: dict[str, Any]) -> Iterator[tuple[str, Document]]:
    """Documents made from ``document``: keys dropped, values of the wrong kind, unknown
    keys, each word of a choice or status and one that is not."""
    for path, value in _places(document.front, (), set()):
        if isinstance(value, dict):
            yield f"{path}: an unknown key", _variant(document, (*path, "not_a_key"), "x")
        if not path:
            continue
        if isinstance(path[-1], str):
            yield f"{path} dropped", _variant(document, path, DROP)
        if tuple("*" if isinstance(p, int) else p for p in path) in READER_ONLY:
            continue
        for wrong in WRONG:
            yield f"{path} = {wrong!r}", _variant(document, path, wrong)
        for word in [*_words(schema, path), "Purple"] if _words(schema, path) else []:
            yield f"{path} = {word!r}", _variant(document, path, word)


def _disagreements(fmt: Format, document: Document) -> tuple[list[str], int, int]:
    schema = front_matter_schema(fmt)
    wrong, accepted, refused = [], 0, 0
    for name, variant in variations(document, schema):
        by_schema, by_reader = schema_accepts(schema, variant.front), reader_accepts(fmt, variant)
        accepted, refused = accepted + by_reader, refused + (not by_reader)
        if by_schema != by_reader:
            verdict = "accepts" if by_schema else "refuses"
            wrong.append(f"{name}: the schema {verdict} it, the reader does not")
    return wrong, accepted, refused


def _load(path: Path) -> Document:
    return load_document(path, PurePosixPath(path.parent.name, path.name))


def _demo(source: Path, area: str) -> Document:
    """The demo report of ``area`` (each demo area has one)."""
    [path] = sorted((source / "content" / area).glob("*.md"))
    return _load(path)


@pytest.mark.parametrize("area", DEMO_AREAS)
def test_every_demo_report_validates_against_its_formats_schema(
    area: str, demo_source: Path, formats: dict[str, Format]
) -> None:
    document = _demo(demo_source, area)
    fmt = formats[str(document.format)]
    assert fmt.schema is not None, f"{fmt.name} has no schema.json"
    schema = front_matter_schema(fmt)
    jsonschema.Draft7Validator.check_schema(schema)
    errors = jsonschema.Draft7Validator(schema).iter_errors(as_editor_sees(document.front))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []
    assert reader_accepts(fmt, document)


@pytest.mark.parametrize("area", DEMO_AREAS)
def test_schema_and_reader_agree_on_variations_of_each_demo_report(
    area: str, demo_source: Path, formats: dict[str, Format]
) -> None:
    document = _demo(demo_source, area)
    wrong, accepted, refused = _disagreements(formats[str(document.format)], document)
    assert wrong == []
    assert accepted > 10 and refused > 50  # both verdicts are tried, many times


# --- the core's readers, through a small format of their own ------------------------------

KEY = StatusKey(
    "test-rag",
    "Test RAG",
    (
        KeyEntry("Green", Level.ON_TRACK, aliases=("On track",)),
        KeyEntry("Red", Level.SIGNIFICANT_DEVIATION),
    ),
)
T = {"$ref": "#/definitions/text"}
CORE_READERS: dict[str, Any] = {
    "properties": {
        "percent": {"$ref": "#/definitions/integer", "minimum": 0, "maximum": 100},
        "year": {"$ref": "#/definitions/integer", "minimum": 2000},
        "places": {"$ref": "#/definitions/integer"},
        "kind": {"$ref": "#/definitions/choice", "enum": ["milestone", "action"]},
        "rag": {"$ref": "#/definitions/status/test-rag"},
        "done": {"$ref": "#/definitions/flag"},
        "lines": {"$ref": "#/definitions/texts"},
        "due": {"$ref": "#/definitions/date"},
        "rows": {
            "type": ["array", "null"],
            "items": {
                "type": "object",
                "properties": {"number": {"$ref": "#/definitions/number"}, "text": T},
                "required": ["number"],
            },
        },
        "glossary": {"$ref": "#/definitions/terms"},
    },
    "required": ["percent", "kind"],
}
SAMPLE = """\
---
format: core-readers
title: The core's readers
percent: 40
year: "2024"
places: -3
kind: Action
rag: on TRACK
done: yes
lines: [one, two]
due: 31 March 2024
rows:
  - number: "7"
    text: A row
  - number: 8
glossary:
  - term: SEND
    expansion: Special educational needs and disabilities
---
"""


def _read_core(document: Document) -> Report:
    root = Fields.of(document)
    root.integer("percent", minimum=0, maximum=100, required=True)
    root.integer("year", minimum=2000)
    root.integer("places")
    root.choice("kind", ("milestone", "action"), required=True)
    root.status("rag", KEY)
    root.flag("done")
    root.texts("lines")
    root.due("due")
    for row in root.list("rows"):
        row.number("number", "row", required=True)
        row.text("text")
    root.terms("glossary")
    return Report(root.text("title"))


CORE_FORMAT = Format(
    "core-readers", "Core readers", _read_core, "x.html", (KEY,), schema=CORE_READERS
)


def test_the_core_readers_schemas_agree_with_the_readers(tmp_path: Path) -> None:
    path = tmp_path / "area" / "sample.md"
    path.parent.mkdir()
    path.write_text(SAMPLE, encoding="utf-8")
    document = _load(path)
    assert schema_accepts(front_matter_schema(CORE_FORMAT), document.front)
    wrong, accepted, refused = _disagreements(CORE_FORMAT, document)
    assert wrong == []
    assert accepted > 10 and refused > 30


@pytest.mark.parametrize(
    ("key", "value", "accepted"),
    [
        ("percent", 100, True),
        ("percent", 101, False),
        ("percent", -1, False),
        ("percent", " 007 ", True),
        ("percent", "101", False),
        ("percent", 2.5, False),
        ("percent", "forty", False),
        ("year", 1999, False),
        ("year", 123456789, True),
        ("year", "-2000", False),
        ("places", "-12", True),
        ("places", "+12", True),
        ("kind", "  MILESTONE ", True),
        ("kind", "milestones", False),
        ("rag", "on-track", True),
        ("rag", " Red ", True),
        ("rag", "", True),
        ("rag", "Amber", False),
        ("done", "yes please", False),
        ("done", " Yes ", True),  # in quotes: yes, to the reader and to an editor alike
        ("done", "false", True),
        ("lines", [1, None], False),
    ],
)
def test_edge_values_get_one_verdict(tmp_path: Path, key: str, value: Any, accepted: bool) -> None:
    path = tmp_path / "area" / "sample.md"
    path.parent.mkdir()
    path.write_text(SAMPLE, encoding="utf-8")
    variant = _variant(_load(path), (key,), value)
    assert reader_accepts(CORE_FORMAT, variant) is accepted
    assert schema_accepts(front_matter_schema(CORE_FORMAT), variant.front) is accepted


def _patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from [value] if key == "pattern" else _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


def test_patterns_escape_only_what_javascripts_strict_mode_allows(
    formats: dict[str, Format],
) -> None:
    # Editors run the patterns as JavaScript, whose unicode mode refuses escapes such as
    # '\–' (Lancashire's status words have an en dash) or '\-' outside brackets.
    escaped = set()
    for fmt in formats.values():
        for pattern in _patterns(front_matter_schema(fmt)):
            escaped |= set(re.findall(r"\\(.)", pattern.replace("[\\s-]", "")))
    assert escaped <= set("sS^$.|?*+()[]{}/\\")
    assert {"(", "s"} <= escaped


def _first_risk(front: dict[str, Any]) -> Path_:
    """Where the first risk row of a demo report is (a path of keys and positions)."""
    for path, value in _places(front, (), set()):
        if path and path[-1] == "risks" and isinstance(value, list) and value:
            return (*path, 0)
    raise AssertionError("no risks")


@pytest.mark.parametrize("area", ["southend", "lancashire"])
@pytest.mark.parametrize(
    ("scores", "accepted"),
    [
        ({"likelihood": 4, "impact": 5}, True),
        ({"likelihood": "3", "impact": 2, "score": 6}, True),
        ({"score": 25}, True),
        ({"likelihood": 6, "impact": 1}, False),
        ({"likelihood": 0, "impact": 1}, False),
        ({"score": 26}, False),
        ({"likelihood": 2.5, "impact": 2}, False),
        ({"impact": True, "likelihood": 1}, False),
    ],
)
def test_schema_and_reader_agree_on_risk_scores(
    area: str, scores: dict[str, Any], accepted: bool, demo_source: Path, formats: dict[str, Format]
) -> None:
    """A risk's likelihood, impact and score (see the risk ratings): one verdict."""
    document = _demo(demo_source, area)
    fmt = formats[str(document.format)]
    row = _first_risk(document.front)
    parent = copy.deepcopy(document.front)
    target = parent
    for part in row:
        target = target[part]
    variant = _variant(document, row, {**target, **scores})
    assert schema_accepts(front_matter_schema(fmt), variant.front) is accepted
    assert reader_accepts(fmt, variant) is accepted
