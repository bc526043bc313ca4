"""Loading content files: front matter with line numbers, body, encodings, mistakes."""

from __future__ import annotations

import pickle
from pathlib import Path, PurePosixPath

import pytest
from sendsite_southend.reader import RAG_KEY

from sendsite.content.documents import discover, load_area, load_document
from sendsite.content.fields import Fields
from sendsite.content.status import Level
from sendsite.errors import ContentError


def _write(tmp_path: Path, text: str | bytes, name: str = "area/report.md") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _load(tmp_path: Path, text: str | bytes):
    path = _write(tmp_path, text)
    return load_document(path, PurePosixPath("area/report.md"))


def test_front_matter_keys_keep_their_lines(tmp_path: Path) -> None:
    doc = _load(
        tmp_path,
        "---\nformat: demo\ntitle: A report\nrows:\n  - name: one\n  - name: two\n"
        "    rag: Green\n---\nBody text.\n",
    )
    assert doc.format == "demo"
    assert doc.front["title"] == "A report"
    assert doc.line("format") == 2
    assert doc.line("rows", 1, "rag") == 7
    assert doc.line("rows", 1) == 6
    assert doc.body.strip() == "Body text."
    assert doc.body_line == 9
    assert doc.area == "area"
    assert doc.slug == "report"


def test_bom_and_crlf_are_fine(tmp_path: Path) -> None:
    doc = _load(tmp_path, "\ufeff---\r\ntitle: T\r\n---\r\nHello\r\n".encode())
    assert doc.front == {"title": "T"}
    assert doc.body == "Hello\n"


def test_no_front_matter_is_a_plain_page(tmp_path: Path) -> None:
    doc = _load(tmp_path, "# Just Markdown\n")
    assert doc.front == {}
    assert doc.format is None
    assert doc.body_line == 1


def test_yaml_error_points_at_the_line_in_the_file(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as caught:
        _load(tmp_path, "---\ntitle: ok\nsubtitle: Priority 1: EHCPs\n---\n")
    error = caught.value
    assert error.line == 3
    assert "not valid YAML" in str(error)
    assert "quotes" in (error.fix or "")


def test_unclosed_front_matter(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="never closed"):
        _load(tmp_path, "---\ntitle: x\n")


def test_front_matter_must_be_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="key: value"):
        _load(tmp_path, "---\n- a\n- b\n---\n")


def test_non_utf8_names_the_byte(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as caught:
        _load(tmp_path, b"---\ntitle: caf\xe9\n---\n")
    assert "not UTF-8" in str(caught.value)
    assert "byte 14 is 0xe9" in str(caught.value)
    assert caught.value.line == 2


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="empty"):
        _load(tmp_path, "  \n")


def test_yaml_alias_bomb_is_refused(tmp_path: Path) -> None:
    bomb = "---\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for n in range(1, 9):
        bomb += f"{chr(97 + n)}: &{chr(97 + n)} [" + ", ".join([f"*{chr(96 + n)}"] * 10) + "]\n"
    bomb += "---\n"
    with pytest.raises(ContentError, match="too large"):
        _load(tmp_path, bomb)


def test_python_tags_are_not_executed(tmp_path: Path) -> None:
    with pytest.raises(ContentError):
        _load(tmp_path, "---\nx: !!python/object/apply:os.system ['true']\n---\n")


def test_fields_errors_carry_line_and_fix(tmp_path: Path) -> None:
    doc = _load(tmp_path, "---\nrows:\n  - rag: Purple\n  - rag: green\n---\n")
    rows = Fields.of(doc).list("rows")
    assert rows[1].status("rag", RAG_KEY).level is Level.ON_TRACK
    with pytest.raises(ContentError) as caught:
        rows[0].status("rag", RAG_KEY)
    error = caught.value
    assert error.line == 3
    assert "unknown status 'Purple'" in str(error)
    assert "Green" in (error.fix or "") and "Red" in (error.fix or "")


def test_fields_type_errors(tmp_path: Path) -> None:
    doc = _load(tmp_path, "---\ntitle: [a, b]\nrows: not a list\n---\n")
    fields = Fields.of(doc)
    with pytest.raises(ContentError, match="expected text but found a list"):
        fields.text("title")
    with pytest.raises(ContentError, match="expected a list") as caught:
        fields.list("rows")
    assert caught.value.line == 3
    with pytest.raises(ContentError, match="'missing' is missing"):
        fields.text("missing", required=True)
    empty = Fields.of(_load(tmp_path, "---\npriorities: []\n---\n"))
    with pytest.raises(ContentError, match="priorities: has nothing in it") as caught:
        empty.list("priorities", required=True)  # it was "'priorities' is missing"
    assert caught.value.line == 2


def test_unknown_keys_are_warnings_with_a_suggestion(tmp_path: Path) -> None:
    doc = _load(tmp_path, "---\ntitel: x\n---\n")
    Fields.of(doc).check_known({"title", "format"})
    assert len(doc.warnings) == 1
    warning = doc.warnings[0]
    assert warning.line == 2
    assert "unknown key 'titel'" in warning.message
    assert "Did you mean 'title'?" in (warning.fix or "")


def test_area_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "name: Southend\npartners: [A, B]\n", "southend/_area.yml")
    area = load_area(path, PurePosixPath("southend/_area.yml"))
    assert (area.slug, area.name, area.partners) == ("southend", "Southend", ("A", "B"))
    bad = _write(tmp_path, "name: X\ncouncill: Y\n", "x/_area.yml")
    with pytest.raises(ContentError, match="unknown key 'councill'") as caught:
        load_area(bad, PurePosixPath("x/_area.yml"))
    assert caught.value.line == 2


def test_discover_ignores_editor_temporaries(tmp_path: Path) -> None:
    for name in [
        "a/r.md",
        "a/_area.yml",
        "a/.r.md.swp",
        "a/r.md~",
        "a/4913",
        "a/notes.pdf",
        "a/.#r.md",
        "a/r.md___jb_tmp___",
    ]:
        _write(tmp_path, "x", name)
    tree = discover(tmp_path)
    assert [str(rel) for _, rel in tree.documents] == ["a/r.md"]
    assert [str(rel) for _, rel in tree.areas] == ["a/_area.yml"]
    assert [str(rel) for _, rel in tree.assets] == ["a/notes.pdf"]


def test_a_documents_copy_carries_no_body_and_reads_it_again_when_asked(tmp_path: Path) -> None:
    """A reading worker's result and the build cache hold documents without their body
    (the reports are made from it by then); a plugin asking a copy for it still gets it."""
    body = "The narrative of the report. " * 400
    doc = _load(tmp_path, f"---\ntitle: A report\n---\n{body}\n")
    assert doc.body.startswith(body)
    pickled = pickle.dumps(doc)
    assert len(pickled) < len(body) / 4
    copy = pickle.loads(pickled)
    assert "body" not in copy.__dict__
    assert copy.body == doc.body and copy == doc
    assert copy.front == {"title": "A report"} and copy.line("title") == 2
