"""`sendsite build`: output layout, determinism, relative links, errors and safety."""

from __future__ import annotations

import filecmp
import itertools
import multiprocessing
import os
import re
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest
from markupsafe import Markup

from sendsite.build.pipeline import Pipeline
from sendsite.build.publish import build
from sendsite.build.render import make_environment, render_page
from sendsite.config import load_config
from sendsite.errors import ConfigError
from sendsite.plugins.manager import make_plugin_manager

from .conftest import REPO, SiteMaker, run_cli


def _tree_bytes(root: Path) -> dict[str, bytes]:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p.relative_to(root)): p.read_bytes() for p in files}


def test_demo_site_layout(demo_site: Path) -> None:
    assert (demo_site / "index.html").is_file()
    assert (demo_site / "404.html").is_file()
    assert (demo_site / "static" / "sendsite.css").is_file()
    assert (demo_site / "southend" / "index.html").is_file()
    assert (demo_site / "southend" / "highlight-report-2021-05" / "index.html").is_file()


def test_two_builds_are_byte_identical(demo_source: Path, tmp_path: Path) -> None:
    config = load_config(demo_source)
    build(config, output=tmp_path / "one")
    build(config, output=tmp_path / "two")
    one, two = _tree_bytes(tmp_path / "one"), _tree_bytes(tmp_path / "two")
    assert one.keys() == two.keys()
    assert [name for name in one if one[name] != two[name]] == []


_URL_ATTR = re.compile(r'\b(?:href|src|action)\s*=\s*"([^"]*)"')


def test_every_link_is_relative_and_resolves(demo_site: Path) -> None:
    pages = sorted(demo_site.rglob("*.html"))
    assert len(pages) >= 4
    for page in pages:
        for url in _URL_ATTR.findall(page.read_text(encoding="utf-8")):
            assert not url.startswith("/"), f"{page}: root-relative link {url}"
            if url.startswith(("mailto:", "tel:")):
                continue  # a report author's contact details: no request leaves the site
            assert not re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I), f"{page}: absolute URL {url}"
            target = url.split("#")[0].split("?")[0]
            if not target:
                continue
            resolved = (page.parent / target).resolve()
            if target.endswith("/"):
                resolved = resolved / "index.html"
            assert resolved.is_file(), f"{page}: link {url} goes nowhere"
            assert demo_site.resolve() in resolved.parents, f"{page}: link {url} leaves the site"


def test_in_page_anchors_exist(demo_site: Path) -> None:
    for page in demo_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        ids = set(re.findall(r'\bid="([^"]+)"', text))
        for anchor in re.findall(r'href="#([^"]+)"', text):
            assert anchor in ids, f"{page}: #{anchor} has no target"
        assert len(ids) == len(re.findall(r'\bid="([^"]+)"', text)), f"{page}: duplicate ids"


HAVERING_WITH_HEADINGS = """\
---
format: havering-board-report
date: 1 October 2014
recommendations:
  - To accept the report.
sections:
  - number: "1"
    title: Meetings
    paragraphs:
      - number: "1.1"
        text: The group met seven times.
background_papers:
  - None.
---
## Summary

The group met and agreed its plan.

## Recommendations

See below, and [the meetings](#meetings).
"""


def test_a_reports_own_headings_never_take_its_sections_ids(make_site: SiteMaker) -> None:
    """The summary's "## Recommendations" once took the Recommendations section's id, so
    the contents list (and search, and the A-Z) led into the summary."""
    root = make_site({"content/havering/r.md": HAVERING_WITH_HEADINGS})
    assert run_cli("build", "--source", str(root)).exit_code == 0
    text = (root / "site" / "havering" / "r" / "index.html").read_text(encoding="utf-8")
    ids = re.findall(r'\sid="([^"]+)"', text)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert re.search(r'<section[^>]* id="recommendations"', text)
    assert '<h2 id="recommendations-1">Recommendations</h2>' in text
    assert 'href="#recommendations"' in text and "data-c" not in text


def test_pages_have_one_h1_skip_link_and_landmarks(demo_site: Path) -> None:
    for page in demo_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert len(re.findall(r"<h1\b", text)) == 1, page
        assert re.search(r'<html lang="en-GB">', text), page
        assert "<main" in text, page
        if page.name != "404.html":
            assert 'class="skip-link"' in text and 'href="#main-content"' in text, page
        levels = [int(n) for n in re.findall(r"<h([1-6])\b", text)]
        for before, after in itertools.pairwise(levels):
            assert after <= before + 1, f"{page}: heading jumps from h{before} to h{after}"


def test_no_request_leaves_the_site(demo_site: Path) -> None:
    # Pagefind's own scripts parse URLs against "https://example.com" without fetching
    # it; tests/test_search.py watches a real browser's requests while it searches.
    for path in demo_site.rglob("*"):
        if path.suffix in {".html", ".css", ".js"} and "pagefind" not in path.parts:
            text = path.read_text(encoding="utf-8")
            assert "http://" not in text and "https://" not in text, path
            assert "@import" not in text, path


def test_home_and_area_pages_list_reports(demo_site: Path) -> None:
    home = (demo_site / "index.html").read_text()
    assert 'href="southend/"' in home
    assert 'href="southend/highlight-report-2021-05/"' in home
    area = (demo_site / "southend" / "index.html").read_text()
    assert 'href="highlight-report-2021-05/"' in area
    assert "Southend-on-Sea City Council" in area
    assert '<link rel="stylesheet" href="../static/sendsite.css">' in area


def test_build_command_summary_and_exit_code(demo_source: Path, tmp_path: Path) -> None:
    result = run_cli("build", "--source", str(demo_source), "--output", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    summary = r"Built \d+ pages \(\d+ files\) into .* in \d+\.\d\d s(, with \d+ warnings?)?\.$"
    first, *table = result.output.strip().splitlines()
    assert re.match(summary, first)
    assert re.match(r"  Areas +5 +Milestones and actions +\d+$", table[1])


def test_no_config_file_uses_defaults(make_site: SiteMaker, tmp_path: Path) -> None:
    root = make_site({"content/index.md": "Welcome to *our* reports.\n"})
    build(load_config(root), output=tmp_path / "o")
    home = (tmp_path / "o" / "index.html").read_text()
    assert "<title>SEND partnership progress reports</title>" in home
    assert "Welcome to <em>our</em> reports." in home


def test_unknown_config_key_is_a_clear_error(make_site: SiteMaker) -> None:
    root = make_site({"sendsite.yml": "title: X\ntheem: default\n"})
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    assert caught.value.line == 2
    assert "unknown option 'theem'" in str(caught.value)
    assert "Did you mean 'theme'?" in (caught.value.fix or "")
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert "sendsite.yml:2" in result.output
    assert "Traceback" not in result.output


def test_config_type_errors(make_site: SiteMaker) -> None:
    root = make_site({"sendsite.yml": "title: X\ndirectory_urls: sometimes\n"})
    with pytest.raises(ConfigError, match="option 'directory_urls': expected true or false"):
        load_config(root)
    root = make_site({"sendsite.yml": "theme: nope\n"})
    with pytest.raises(ConfigError, match="no theme called 'nope'"):
        load_config(root).theme_path()


def test_content_error_is_printed_plainly_with_the_line(make_site: SiteMaker) -> None:
    root = make_site(
        {
            "content/southend/r.md": """\
            ---
            format: southend-highlight
            meeting_date: 1 May 2021
            priorities:
              - code: P1
                title: T
                milestones:
                  - milestone: M
                    rag: Purple
            ---
            """
        }
    )
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    expected = "southend/r.md:9:14: error: priorities[1].milestones[1].rag: unknown status 'Purple'"
    assert expected in result.output
    assert "  9 |         rag: Purple" in result.output
    assert "How to fix: Use one of: Blue, Green, Yellow, Amber, Red" in result.output


def test_failed_build_keeps_the_previous_site(make_site: SiteMaker) -> None:
    root = make_site({"content/about.md": "---\ntitle: About\n---\nFirst.\n"})
    assert run_cli("build", "--source", str(root)).exit_code == 0
    before = _tree_bytes(root / "site")
    (root / "content" / "bad.md").write_text("---\ntitle: [unclosed\n---\n")
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert _tree_bytes(root / "site") == before
    leftovers = [p.name for p in root.iterdir() if p.name.startswith(".site")]
    assert leftovers in ([], [".site.lock"]), "no half-written folder is left behind"


def test_deleted_content_leaves_no_stale_page(make_site: SiteMaker) -> None:
    root = make_site({"content/a.md": "# A\n", "content/b.md": "# B\n"})
    assert run_cli("build", "--source", str(root)).exit_code == 0
    assert (root / "site" / "b" / "index.html").exists()
    (root / "content" / "b.md").unlink()
    assert run_cli("build", "--source", str(root)).exit_code == 0
    assert not (root / "site" / "b").exists()


def test_refuses_to_replace_a_folder_it_did_not_make(make_site: SiteMaker, tmp_path: Path) -> None:
    root = make_site({"content/a.md": "# A\n"})
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.docx").write_text("years of work")
    result = run_cli("build", "--source", str(root), "--output", str(precious))
    assert result.exit_code == 1
    assert "has files that sendsite did not write" in result.output
    assert (precious / "thesis.docx").read_text() == "years of work"


def test_content_assets_are_copied(make_site: SiteMaker, tmp_path: Path) -> None:
    root = make_site({"content/area/paper.pdf": "%PDF-1.4 pretend"})
    build(load_config(root), output=tmp_path / "o")
    assert filecmp.cmp(root / "content/area/paper.pdf", tmp_path / "o/area/paper.pdf")


def test_directory_urls_off_links_to_index_files(make_site: SiteMaker, tmp_path: Path) -> None:
    root = make_site({"sendsite.yml": "directory_urls: false\n", "content/a/p.md": "# P\n"})
    build(load_config(root), output=tmp_path / "o")
    home = (tmp_path / "o" / "index.html").read_text()
    page = (tmp_path / "o" / "a" / "p" / "index.html").read_text()
    assert 'href="a/index.html"' in home
    assert 'href="../../index.html"' in page


def test_help_reads_well() -> None:
    top = run_cli("--help")
    assert top.exit_code == 0
    assert "publishes SEND partnership progress reports" in top.output
    assert re.search(r"\bbuild +Build the site from content/ into site/\.", top.output)
    sub = run_cli("build", "--help")
    for option in ("--source", "--output", "--strict", "--verbose"):
        assert option in sub.output
    assert "replaced only when the whole build succeeds" in sub.output


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_parallel_and_serial_builds_give_byte_identical_sites(
    demo_source: Path, tmp_path: Path, monkeypatch
) -> None:
    """Reading, rendering and search records in forked workers change no byte of the site."""
    from sendsite.build import parallel

    monkeypatch.setattr(parallel, "MIN_PARALLEL", 10**9)
    assert (
        run_cli(
            "build", "--no-cache", "--source", str(demo_source), "-o", str(tmp_path / "serial")
        ).exit_code
        == 0
    )
    forks: list[int] = []
    real_pool = multiprocessing.get_context("fork").Pool

    def counting_pool(*args, **kwargs):  # the workers really are started
        forks.append(1)
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)
    monkeypatch.setattr(
        multiprocessing.context.ForkContext, "Pool", lambda self, *a, **k: counting_pool(*a, **k)
    )
    assert (
        run_cli(
            "build", "--no-cache", "--source", str(demo_source), "-o", str(tmp_path / "forked")
        ).exit_code
        == 0
    )
    assert len(forks) == 3  # read, render, search records
    serial, forked = _tree(tmp_path / "serial"), _tree(tmp_path / "forked")
    assert sorted(serial) == sorted(forked)
    assert len(serial) > 100
    different = [name for name in serial if serial[name] != forked[name]]
    assert different == []


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: no workers")
@pytest.mark.parametrize("before_forking", [True, False])
def test_pages_rendered_in_workers_use_templates_compiled_before_the_fork(
    demo_source: Path, tmp_path: Path, monkeypatch, before_forking: bool
) -> None:
    """Each rendering worker would otherwise compile every template it uses on its first
    page (about 80 ms for a report's, again for each worker started on a big site)."""
    import jinja2

    from sendsite.build import parallel, pipeline

    loads = tmp_path / "loads"
    real_source = jinja2.FileSystemLoader.get_source

    def logged_source(self, environment, template):
        with loads.open("a") as log:  # one short appended line: whole, from any process
            log.write(f"{os.getpid()} {template}\n")
        return real_source(self, environment, template)

    monkeypatch.setattr(jinja2.FileSystemLoader, "get_source", logged_source)
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)
    if not before_forking:  # the check fails without the change it is for
        monkeypatch.setattr(pipeline, "compile_now", lambda env, names: None)
    result = run_cli("build", "--no-cache", "--source", str(demo_source), "-o", str(tmp_path / "s"))
    assert result.exit_code == 0, result.output
    in_workers = [
        line for line in loads.read_text().splitlines() if int(line.split()[0]) != os.getpid()
    ]
    if before_forking:
        assert in_workers == []
    else:
        assert any(line.endswith("report.html") for line in in_workers)


ACRONYMS = """\
---
format: southend-highlight
meeting_date: 28th May 2021
priorities:
  - code: P1
    title: DATA SYSTEMS REVIEW BOARD
    milestones:
      - milestone: New wheelchairs ordered via the WCS and NHS
        completed_by: May 2021
---
"""


@pytest.mark.parametrize("forked", [False, True])
def test_abbreviation_warnings_are_the_same_when_read_in_workers(
    make_site: SiteMaker, monkeypatch, forked: bool
) -> None:
    """The acronym scan is made where each file is read (in a worker process when the
    reading is forked); the warnings keep their file and line either way, and a file
    edited between two checks is scanned again."""
    from sendsite.build import parallel

    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1 if forked else 10**9)
    root = make_site(
        {
            "content/_glossary.yml": "NHS: National Health Service\n",
            "content/southend/a.md": ACRONYMS,
            "content/southend/b.md": ACRONYMS.replace("WCS", "SALT").replace("28th", "29th"),
        }
    )
    result = run_cli("check", "--source", str(root))
    assert result.exit_code == 0, result.output
    assert "southend/a.md:8: warning: abbreviations not in the glossary: WCS" in result.output
    assert "southend/b.md:8: warning: abbreviations not in the glossary: SALT" in result.output
    assert "DATA" not in result.output  # a heading in capitals is not an abbreviation
    # The preview's refresh: only the edited file is read (and scanned) again.
    pipeline = Pipeline(load_config(root), make_plugin_manager(), parallel=forked)
    first = pipeline.refresh()
    assert [(str(w.file), w.line, w.message) for w in first.warnings] == [
        ("southend/a.md", 8, "abbreviations not in the glossary: WCS"),
        ("southend/b.md", 8, "abbreviations not in the glossary: SALT"),
    ]
    edited = (
        ACRONYMS.replace("WCS", "NHS").replace("28th", "29th").replace("prio", "# a\n# b\nprio")
    )
    (root / "content" / "southend" / "b.md").write_text(edited.replace("NHS and", "EHCP and"))
    second = pipeline.refresh()
    assert second.reread == 1
    assert [(str(w.file), w.line, w.message) for w in second.warnings] == [
        ("southend/a.md", 8, "abbreviations not in the glossary: WCS"),
        ("southend/b.md", 10, "abbreviations not in the glossary: EHCP"),
    ]


def test_errors_from_worker_processes_keep_file_and_line(make_site: SiteMaker, monkeypatch) -> None:
    from sendsite.build import parallel

    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)
    bad = "---\nformat: southend-highlight\nmeeting_date: May 2021\npriorities: P1\n---\n"
    root = make_site({"content/southend/a.md": bad, "content/southend/b.md": bad})
    result = run_cli("check", "--source", str(root))
    assert result.exit_code == 1
    assert "southend/a.md:4:13: error: priorities: expected a list" in result.output
    assert "southend/b.md:4:13: error: priorities: expected a list" in result.output


def test_the_sendsite_program_builds_the_site_a_build_in_another_program_does(
    demo_source: Path, tmp_path: Path
) -> None:
    """The program (which makes the site in a child process, ended before the search
    index is made) writes byte for byte what ``build`` called from Python writes."""
    options = ["--no-cache", "--quiet", "--source", str(demo_source)]
    program = subprocess.run(
        [sys.executable, "-m", "sendsite", "build", *options, "-o", str(tmp_path / "program")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert program.returncode == 0, program.stderr
    build(load_config(demo_source), output=tmp_path / "inside")
    program_files, inside = _tree(tmp_path / "program"), _tree(tmp_path / "inside")
    assert sorted(program_files) == sorted(inside)
    assert [name for name in inside if program_files[name] != inside[name]] == []
    assert any(name.startswith("pagefind/") for name in inside)


def test_sections_of_one_name_are_told_apart_by_number() -> None:
    """A region's name used before on the page gets " (2)", " (3)" (counted in one pass:
    a report of 10,000 sections once took 50 s to render, rescanning every name)."""
    env = make_environment(REPO / "themes" / "default" / "templates")
    page = env.from_string(
        '{% import "_macros.html" as ui %}'
        '{% for title in ["Therapies", "Therapies", "Plans", "Therapies"] %}'
        '{% call ui.report_section("s" ~ loop.index, title) %}{% endcall %}{% endfor %}'
    ).render()
    labels = re.findall(r'<section[^>]* (aria-label(?:ledby)?)="([^"]*)"', page)
    assert labels == [
        ("aria-labelledby", "s1-heading"),
        ("aria-label", "Therapies (2)"),
        ("aria-labelledby", "s3-heading"),
        ("aria-label", "Therapies (3)"),
    ]


def test_once_makes_a_macros_output_once_a_page_for_the_same_objects(
    make_site: SiteMaker, tmp_path: Path
) -> None:
    """``once(macro, *args)``: a tracker makes each report's cell once, not for each of its
    rows; the same objects on another page, or other objects, are made again."""
    made: list[str] = []

    def cell(entry: object) -> Markup:  # as a macro gives it
        made.append(str(entry))
        return Markup(f"<{entry}>")

    root = make_site(
        {"templates/page.html": "{{ once(cell, a) }}{{ once(cell, a) }}{{ once(cell, b) }}"}
    )
    env = make_environment(REPO / "themes" / "default" / "templates", [], root / "templates")
    a, b = "first", "second"
    for path in ("one/index.html", "two/index.html"):
        html = render_page(env, "page.html", PurePosixPath(path), {"cell": cell, "a": a, "b": b})
        assert html == "<first><first><second>"
    assert made == ["first", "second", "first", "second"]
    # An object made for the call is not mistaken for the one made before it (an id is
    # reused once its object is gone).
    made.clear()
    root.joinpath("templates/fresh.html").write_text(
        "{% for n in range(3) %}{{ once(cell, fresh(n)) }}{% endfor %}"
    )

    class Fresh:
        def __init__(self, n: int) -> None:
            self.n = n

        def __str__(self) -> str:
            return str(self.n)

    html = render_page(
        env, "fresh.html", PurePosixPath("f/index.html"), {"cell": cell, "fresh": Fresh}
    )
    assert html == "<0><1><2>"
