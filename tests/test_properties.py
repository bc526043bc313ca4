"""Property tests: no input makes loading, date understanding or slug making crash
with anything but the project's own error."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sendsite.content import load_document
from sendsite.dates import parse_due
from sendsite.errors import ContentError
from sendsite.markdown import slugify

_SETTINGS = settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])

yaml_ish = st.lists(
    st.sampled_from([*list("abc:-[]{}&*!|>'\"#\n\t %@`,?0123456789."), "---\n", "  ", "key: "]),
    max_size=80,
).map("".join)


@_SETTINGS
@given(body=st.one_of(yaml_ish, st.text(max_size=300), st.binary(max_size=300)))
def test_front_matter_loading_never_crashes(tmp_path: Path, body: str | bytes) -> None:
    path = tmp_path / "doc.md"
    data = body if isinstance(body, bytes) else ("---\n" + body + "\n---\n").encode()
    path.write_bytes(data)
    try:
        doc = load_document(path, PurePosixPath("a/doc.md"))
    except ContentError as error:
        assert str(error)
        return
    assert isinstance(doc.front, dict)
    assert all(isinstance(key, str) for key in doc.front)


_date_words = st.sampled_from(
    [
        "by",
        "from",
        "mid",
        "Mid-",
        "end of",
        "w/c",
        "Q1",
        "Q4",
        "st",
        "th",
        "-",
        "/",
        " to ",
        "April",
        "Sept",
        "May",
        "2019/20",
        "2021",
        "21",
        "31",
        "0",
        "99",
        "Spring term",
        ".",
    ]
)


@_SETTINGS
@given(text=st.one_of(st.text(max_size=60), st.lists(_date_words, max_size=6).map(" ".join)))
def test_date_understanding_never_raises(text: str) -> None:
    due = parse_due(text)
    assert due.text == text.strip()
    if due.start and due.end:
        assert due.start <= due.end
    assert due.understood == (due.start is not None or due.end is not None)
    due.iso()
    due.describe()


@_SETTINGS
@given(text=st.text(max_size=80))
def test_slugs_are_always_safe(text: str) -> None:
    slug = slugify(text)
    assert re.fullmatch(r"([a-z0-9]+(-[a-z0-9]+)*)?", slug)
    assert slug not in {"con", "nul", "aux", "prn", "com1", "lpt1"}
    assert slugify(slug) == slug
