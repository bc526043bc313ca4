"""A status key written as data: ``StatusKey.from_mapping`` and ``load_status_key``."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from sendsite import ContentError, KeyEntry, Level, StatusKey
from sendsite.content.risk_rating import load_risk_key
from sendsite.content.status import load_status_key

from .conftest import REPO

YAML = """\
name: northshire-rag
title: Northshire RAG rating
description: as given by each workstream's lead
entries:
  - label: Blue
    level: complete
    meaning: complete
    aliases: [Complete, Completed]
  - label: Amber
    level: MINOR_DEVIATION
    meaning: behind plan, but recoverable
"""

WRITTEN = StatusKey(
    name="northshire-rag",
    title="Northshire RAG rating",
    entries=(
        KeyEntry("Blue", Level.COMPLETE, "complete", aliases=("Complete", "Completed")),
        KeyEntry("Amber", Level.MINOR_DEVIATION, "behind plan, but recoverable"),
    ),
    description="as given by each workstream's lead",
)


def test_a_key_in_a_file_is_the_key_written_in_python(tmp_path: Path) -> None:
    path = tmp_path / "rag_key.yml"
    path.write_text(YAML, encoding="utf-8")
    key = load_status_key(path)
    assert key == WRITTEN
    assert key.lookup("completed") == WRITTEN.lookup("Blue")
    assert key.blank_status.level is Level.NOT_RATED


def test_only_what_is_needed_need_be_written() -> None:
    key = StatusKey.from_mapping(
        {"name": "x-rag", "title": "X", "entries": [{"label": "Green", "level": "on-track"}]}
    )
    assert key == StatusKey("x-rag", "X", (KeyEntry("Green", Level.ON_TRACK),))
    blank = StatusKey.from_mapping({**_key(), "blank": "not-started"})
    assert blank.blank is Level.NOT_STARTED


def _key(**entry: Any) -> dict[str, Any]:
    return {
        "name": "x-rag",
        "title": "X",
        "entries": [{"label": "Green", "level": "on-track", **entry}],
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "X", "entries": [{"label": "A", "level": "complete"}]}, "the key: 'name'"),
        ({"name": "x", "title": "X"}, "the key: 'entries' should be a list"),
        ({"name": "x", "title": "X", "entries": ["Green"]}, "entry 1: expected 'key: value'"),
        ({**_key(), "titel": "X"}, "the key: unknown key 'titel'"),
        (_key(alias=["G"]), "entry 1: unknown key 'alias'"),
        (_key(level="purple"), "entry 1: 'level' should be one of complete, on-track"),
        (_key(level=None), "entry 1: 'level' should be one of"),
        (_key(aliases="G"), "entry 1: 'aliases' should be a list of words"),
        (_key(aliases=[True]), "entry 1: 'aliases' should be a list of words"),
        (_key(label=""), "entry 1: 'label' should be text"),
        (_key(meaning=3), "entry 1: 'meaning' should be text"),
        ({**_key(), "blank": "grey"}, "the key: 'blank' should be one of"),
    ],
)
def test_mistakes_say_where_they_are(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(")):
        StatusKey.from_mapping(data)


def test_a_mistake_in_a_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "rag_key.yml"
    path.write_text(YAML.replace("level: complete", "level: done"), encoding="utf-8")
    with pytest.raises(ValueError, match=r"rag_key\.yml: entry 1: 'level' should be one of"):
        load_status_key(path)
    path.write_text("- Blue\n- Amber\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"rag_key\.yml: expected 'key: value' lines"):
        load_status_key(path)
    path.write_text("name: [x\n", encoding="utf-8")
    with pytest.raises(ContentError, match="not valid YAML"):
        load_status_key(path)


@pytest.mark.parametrize(
    ("area", "constant", "file"),
    [
        ("essex", "PROGRESS_KEY", "progress_key.yml"),
        ("havering", "PROGRESS_KEY", "progress_key.yml"),
        ("lancashire", "PROGRESS_KEY", "progress_key.yml"),
        ("southend", "RAG_KEY", "rag_key.yml"),
        ("suffolk", "STATUS_KEY", "status_key.yml"),
    ],
)
def test_the_built_in_keys_are_their_files(area: str, constant: str, file: str) -> None:
    reader = importlib.import_module(f"sendsite_{area}.reader")
    assert getattr(reader, constant) == load_status_key(
        REPO / "plugins" / f"sendsite_{area}" / file
    )


@pytest.mark.parametrize("area", ["lancashire", "southend"])
def test_the_built_in_risk_keys_are_their_files(area: str) -> None:
    reader = importlib.import_module(f"sendsite_{area}.reader")
    path = REPO / "plugins" / f"sendsite_{area}" / "risk_key.yml"
    assert load_risk_key(path) == reader.RISK_KEY


def test_the_key_files_ship_with_the_plugins() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"*.yml"' in pyproject.split("[tool.setuptools.package-data]")[1].split("\n[")[0]
