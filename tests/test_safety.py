"""Hostile markup in content never survives as active HTML; the harmless text around it does."""

from __future__ import annotations

import re
from pathlib import Path

from sendsite.build.publish import build
from sendsite.config import load_config
from sendsite.content.markdown import slugify

from .conftest import SiteMaker

HOSTILE = Path(__file__).parent / "fixtures" / "hostile.md"


def test_hostile_markup_is_neutralised(make_site: SiteMaker, tmp_path: Path) -> None:
    root = make_site({"content/area/pasted.md": HOSTILE.read_text()})
    build(load_config(root), output=tmp_path / "out")
    html = (tmp_path / "out" / "area" / "pasted" / "index.html").read_text()
    main = html[html.index("<main") : html.index("</main>")]
    lowered = main.lower()
    for active in (
        "<script",
        "<iframe",
        "<object",
        "<embed",
        "<form",
        "<input",
        "<svg",
        "tracker.example",
        "evil.example",
        "owned",
    ):
        assert active not in lowered, f"{active} survived"
    assert not re.search(r"<[^>]+\son\w+\s*=", lowered), "an event handler survived"
    assert not re.search(r"<[^>]+\sstyle\s*=", lowered), "a style attribute survived"
    assert not re.search(r"""(href|src)\s*=\s*["']?\s*(javascript|data):""", lowered)
    for text in (
        "Before the script.",
        "After the script.",
        "Image caption survives.",
        "Local Offer",
        "Text after the frame.",
        "A data link",
        "Styled paragraph text.",
        "Hidden detail text.",
    ):
        assert text in main, f"lost harmless text: {text}"
    assert '<img src="x" alt="Chart of EHCP timeliness">' in main
    assert "<td>41%</td>" in main
    assert '<abbr title="Education, Health and Care Plan">EHCP</abbr>' in main
    assert "<details><summary>More</summary>" in main
    # A javascript: Markdown link is left as inert text, never as a link, nor as an <a>
    # without an address (it would look like a link that does nothing).
    assert "<span>Local Offer</span>" in main
    assert not re.search(r"<a(?![^>]*\shref=)[\s>]", main), "an <a> without href"


def test_titles_and_fields_are_escaped(make_site: SiteMaker, tmp_path: Path) -> None:
    root = make_site(
        {"content/area/t.md": '---\ntitle: "<script>alert(1)</script> & co"\n---\nBody\n'}
    )
    build(load_config(root), output=tmp_path / "out")
    html = (tmp_path / "out" / "area" / "t" / "index.html").read_text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html


def test_slugs_are_safe_folder_names() -> None:
    assert slugify("Priority Area 1 (P1)") == "priority-area-1-p1"
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("C:\\Windows\\system32") == "c-windows-system32"
    assert slugify("Café réport") == "cafe-report"
    assert slugify("CON") == "con-page"
    assert slugify("lpt1") == "lpt1-page"
    assert slugify("‮evil‬") == "evil"
    assert slugify("日本語") == ""
    assert re.fullmatch(r"[a-z0-9-]*", slugify("a\u0000b\nc\td"))
