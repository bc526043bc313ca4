"""Property tests: no input makes loading, date understanding or slug making crash
with anything but the project's own error."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sendsite.content.dates import parse_due
from sendsite.content.documents import load_document
from sendsite.content.markdown import slugify
from sendsite.errors import ContentError

_SETTINGS = settings(
    max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

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


_cell_text = (
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)
    | st.text(alphabet="Aaz09 .,;:'()/%?+-£€$@–—‘’“”…éÀ&<*_\n#", max_size=40)
    | st.text(alphabet="Aaz09 .,;:'()/%?+-£€$@–—‘’“”…éÀ", min_size=1, max_size=40)
) | st.sampled_from(
    [
        "Health Assurance Task and Finish Group established and operational",
        "Mid-April 2021.",
        "P3 Neurodevelopment - Delay in roll out of Programme.",
        "1. Recommendations / Discussion",
        "School capacity – particularly due to Covid.",
        "£2 million (41%) of 'As Is' mapping; see www.example.org",
        "A > B and C < D",
        "Café: 10:30–11:00, 'quoted' and \"double\"",
    ]
)


@_SETTINGS
@given(text=_cell_text)
def test_fast_path_renders_exactly_as_markdown(text: str) -> None:
    from markupsafe import Markup

    from sendsite.content.markdown import (
        _block_html,
        _marked,
        _renderer,
        render_inline,
        render_markdown,
        sanitize,
    )

    if text:
        assert render_markdown(text) == Markup(_marked(sanitize(_block_html(text))))
        assert render_inline(text) == Markup(_marked(sanitize(_renderer().renderInline(text))))


_segment = st.sampled_from(["a", "b", "tracker", "area-1", ".", "..", ""])
_site_path = st.lists(_segment, min_size=0, max_size=4).map(lambda parts: "/".join(parts) or ".")


@_SETTINGS
@given(path=_site_path, start=_site_path)
def test_fast_relative_paths_agree_with_posixpath(path: str, start: str) -> None:
    import posixpath

    from sendsite.build.urls import _relpath

    assert _relpath(path, start) == posixpath.relpath(path, start)


@_SETTINGS
@given(page=_site_path, target=_site_path, anchor=st.sampled_from(["", "#p1"]))
def test_every_relative_link_leads_back_to_its_target(page: str, target: str, anchor: str) -> None:
    import posixpath

    from sendsite.build.urls import relative_url

    page_file = posixpath.normpath(posixpath.join(page.lstrip("/"), "index.html"))
    clean = posixpath.normpath(target.lstrip("/") or ".")  # "/a" means the site's a
    if clean.startswith("..") or page_file.startswith(".."):
        return  # outside the site: never a page or a link sendsite makes
    url = relative_url(page_file, f"{clean}/x.html{anchor}")
    here = posixpath.dirname(page_file)
    assert posixpath.normpath(posixpath.join(here, url.partition("#")[0])) == posixpath.normpath(
        f"{clean}/x.html"
    )
    assert url.endswith(anchor)
