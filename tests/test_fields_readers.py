"""The ``Fields`` readers for a word from a fixed set, text to a pattern, and a block of texts."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from sendsite.content.documents import load_document
from sendsite.content.fields import Fields
from sendsite.errors import ContentError


def _fields(tmp_path: Path, front: str) -> Fields:
    path = tmp_path / "area" / "report.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front}---\n", encoding="utf-8")
    return Fields.of(load_document(path, PurePosixPath("area/report.md")))


def test_choice_gives_back_the_option_as_written(tmp_path: Path) -> None:
    fields = _fields(tmp_path, "kind: Milestone\nother: ''\n")
    assert fields.choice("kind", ("milestone", "action")) == "milestone"
    assert fields.choice("other", ("a", "b"), default="a") == "a"
    assert fields.choice("absent", ("a", "b")) == ""
    with pytest.raises(ContentError, match="'absent' is missing"):
        fields.choice("absent", ("a", "b"), required=True)


def test_choice_refuses_other_words_listing_the_options(tmp_path: Path) -> None:
    fields = _fields(tmp_path, "title: x\nkind: actoin\n")
    with pytest.raises(ContentError, match="unknown kind 'actoin'") as caught:
        fields.choice("kind", ("milestone", "action"))
    assert caught.value.line == 3
    assert "Use one of: milestone, action." in (caught.value.fix or "")
    assert "Did you mean 'action'?" in (caught.value.fix or "")


def test_matching_checks_the_whole_value(tmp_path: Path) -> None:
    fields = _fields(tmp_path, 'rows:\n  - number: "1.1"\n  - number: "1.2x"\n')
    first, second = fields.list("rows")
    assert first.matching("number", r"1\.\d+", "paragraph", "is not in section 1", fix="F") == "1.1"
    with pytest.raises(
        ContentError, match=r"paragraph number '1\.2x' is not in section 1"
    ) as caught:
        second.matching("number", r"1\.\d+", "paragraph", "is not in section 1", fix="F")
    assert caught.value.line == 4
    assert caught.value.fix == "F"


def test_matching_with_seen_refuses_a_repeat(tmp_path: Path) -> None:
    fields = _fields(tmp_path, "rows:\n  - kind: legal\n  - kind: legal\n")
    seen: dict[str, int] = {}
    first, second = fields.list("rows")
    assert (
        first.matching("kind", "[a-z]+", "implications", "is wrong", fix="F", seen=seen) == "legal"
    )
    with pytest.raises(ContentError, match="implications kind legal is already used on line 3"):
        second.matching("kind", "[a-z]+", "implications", "is wrong", fix="F", seen=seen)


def test_group_reads_related_texts(tmp_path: Path) -> None:
    fields = _fields(tmp_path, "author:\n  name: A Officer\n  phone: '01708 000000'\nnone: {}\n")
    assert fields.group("author", "name", "title", "phone") == ("A Officer", "", "01708 000000")
    assert fields.group("none", "name", "title") == ("", "")
    assert fields.group("absent", "name", "title") == ("", "")
    with pytest.raises(ContentError, match="'absent' is missing"):
        fields.group("absent", "name", required=True)


def test_group_needs_its_first_text_once_any_is_given(tmp_path: Path) -> None:
    fields = _fields(tmp_path, "author:\n  title: Head of Service\n")
    with pytest.raises(ContentError, match="author: 'name' is missing") as caught:
        fields.group("author", "name", "title")
    assert caught.value.line == 2


def test_items_whose_rows_choose_their_kind(tmp_path: Path) -> None:
    from sendsite_havering.reader import PROGRESS_KEY

    fields = _fields(
        tmp_path,
        "items:\n  - kind: Action\n    text: Meet\n    due: early next year\n"
        "    due_means: early 2015\n",
    )
    (item,) = fields.items(
        "items", ("milestone", "action"), "p", PROGRESS_KEY, text="text", means="due_means"
    )
    assert (item.kind, item.text, item.anchor, item.due.text) == (
        "action",
        "Meet",
        "p-1",
        "early next year",
    )
    assert item.due.understood


def test_integer_reads_a_whole_number_in_range(tmp_path: Path) -> None:
    fields = _fields(tmp_path, 'places: 12\nquoted: "40"\nempty: ""\n')
    assert fields.integer("places", minimum=0, maximum=100) == 12
    assert fields.integer("quoted", minimum=0, maximum=100) == 40
    assert fields.integer("empty") is None
    assert fields.integer("absent", default=3) == 3
    with pytest.raises(ContentError, match="'absent' is missing") as missing:
        fields.integer("absent", minimum=1, maximum=5, required=True)
    assert "followed by a whole number from 1 to 5" in (missing.value.fix or "")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yes", "expected a whole number but found yes/no (true)"),
        ("2.5", "expected a whole number but found 2.5, which is not whole"),
        ("3.0", "expected a whole number but found 3.0, with a decimal point"),
        ("ten", "expected a whole number but found the text 'ten'"),
        ('"12 pupils"', "expected a whole number but found the text '12 pupils'"),
        ("[1, 2]", "expected a whole number but found a list"),
        ("101", "101 is out of range: it should be a whole number from 0 to 100"),
        ("-1", "-1 is out of range: it should be a whole number from 0 to 100"),
    ],
)
def test_integer_refuses_anything_else_naming_the_range(
    tmp_path: Path, value: str, message: str
) -> None:
    fields = _fields(tmp_path, f"title: x\npercent: {value}\n")
    with pytest.raises(ContentError) as caught:
        fields.integer("percent", minimum=0, maximum=100)
    assert str(caught.value.problem.message) == f"percent: {message}"
    assert caught.value.line == 3
    assert caught.value.fix == (
        "Write a whole number from 0 to 100, e.g. 'percent: 0' (no decimal point)."
    )


def test_integer_ranges_open_at_one_end(tmp_path: Path) -> None:
    fields = _fields(tmp_path, "low: -5\nhigh: 5000\n")
    assert fields.integer("high", minimum=1) == 5000
    with pytest.raises(ContentError, match="should be a whole number of 0 or more") as caught:
        fields.integer("low", minimum=0)
    assert (
        caught.value.fix == "Write a whole number of 0 or more, e.g. 'low: 0' (no decimal point)."
    )
    with pytest.raises(ContentError, match="should be a whole number of 10 or less"):
        fields.integer("high", maximum=10)


def test_a_list_of_lines_keeps_each_as_typed(tmp_path: Path) -> None:
    """YAML would read these as numbers (2.1, octal 10, 630 minutes, 31, 1000): one value
    was kept as typed, but the same in a list was changed on the page and in the data."""
    written = ["2.10", "012", "10:30", "0x1F", "1_000", "3.50", "yes please", "Plan"]
    fields = _fields(tmp_path, "steps:\n" + "".join(f"  - {w}\n" for w in written))
    assert fields.texts("steps") == written
    assert [str(line) for line in fields.inlines("steps")] == written


def test_a_glossary_table_refuses_a_term_given_twice(tmp_path: Path) -> None:
    """A row copied and not edited: the site's glossary would give the second meaning as
    the report's ("SCC: Clinical Commissioning Group")."""
    fields = _fields(
        tmp_path,
        "terms:\n  - term: SCC\n    expansion: Suffolk County Council\n"
        "  - term: scc\n    expansion: Clinical Commissioning Group\n",
    )
    with pytest.raises(ContentError, match="glossary term scc is already used on line 3") as caught:
        fields.terms("terms")
    assert caught.value.line == 5
    assert [
        t.term for t in _fields(tmp_path, "terms:\n  - term: A\n    expansion: B\n").terms("terms")
    ] == ["A"]


def test_yes_or_no_in_quotes_and_a_yes_or_no_where_text_goes_read_as_written(
    tmp_path: Path,
) -> None:
    """`addressed: "yes"` was "expected yes or no"; `owner: No` was "expected text but
    found yes/no" (YAML reads an unquoted No as no)."""
    fields = _fields(tmp_path, 'addressed: "Yes"\nopen: " no "\nowner: No\nlead: on\n')
    assert (fields.flag("addressed"), fields.flag("open")) == (True, False)
    assert (fields.text("owner"), fields.text("lead")) == ("No", "on")


def test_an_empty_entry_is_called_that(tmp_path: Path) -> None:
    fields = _fields(tmp_path, "rows:\n  - milestone: A\n  -\n")
    with pytest.raises(ContentError, match="found nothing \\(an empty entry"):
        fields.list("rows")[1]
