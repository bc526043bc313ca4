"""``sendsite new-area``: a new area that builds, passes its own tests and joins the site."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from markupsafe import escape

from sendsite.cli.scaffold import SAMPLE_REPORT, SITE_FOLDERS, area_names, scaffold_files
from sendsite.config import load_config
from sendsite.plugins.manager import make_plugin_manager

from .conftest import REPO, copy_demo, page_text, run_cli

pytestmark = pytest.mark.usefixtures("forget_test_modules")


def run_plugin_tests(site: Path, plugin: str) -> subprocess.CompletedProcess[str]:
    """Run a plugin's own tests as its author would, from the site folder."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"plugins/{plugin}"],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A site holding only the new area 'northshire', built."""
    root = tmp_path_factory.mktemp("new-area")
    made = run_cli("new-area", "northshire", "--source", str(root))
    assert made.exit_code == 0, made.output
    built = run_cli("build", "--source", str(root))
    assert built.exit_code == 0, built.output
    assert "warning" not in built.output  # the sample is clean: no unknown keys or acronyms
    yield root, root / "site"
    for name, module in list(sys.modules.items()):
        if (getattr(module, "__file__", None) or "").startswith(str(root)):
            del sys.modules[name]


def test_new_area_writes_a_plugin_content_and_a_test(scaffolded: tuple[Path, Path]) -> None:
    root, _ = scaffolded
    plugin = root / "plugins" / "sendsite_northshire"
    for rel in [
        "__init__.py",
        "reader.py",
        "model.py",
        "templates/northshire/report.html",
        "static/northshire.css",
        "tests/test_northshire.py",
        "pyproject.toml",
    ]:
        assert (plugin / rel).is_file(), rel
    assert (root / "content" / "northshire" / "_area.yml").is_file()
    assert (root / "content" / "northshire" / SAMPLE_REPORT).is_file()
    project = tomllib.loads((plugin / "pyproject.toml").read_text())
    assert project["project"]["entry-points"]["sendsite"] == {"northshire": "sendsite_northshire"}
    assert project["project"]["name"] == "sendsite-northshire"
    assert project["project"]["dependencies"] == ["sendsite>=0.1"]
    ignored = (plugin / ".gitignore").read_text().splitlines()
    assert {"build/", "*.egg-info/"} <= set(ignored)


def test_new_area_says_where_the_guide_is(tmp_path: Path) -> None:
    result = run_cli("new-area", "westshire", "--source", str(tmp_path))
    assert result.exit_code == 0, result.output
    where = result.output.strip().splitlines()[-1].strip()
    assert where.endswith("README.md") and Path(where).is_file(), result.output
    assert "the plugin author's guide" in Path(where).read_text()
    assert "sendsite's repository" not in result.output


def test_the_new_area_has_its_page(scaffolded: tuple[Path, Path]) -> None:
    _, site = scaffolded
    page = site / "northshire" / "highlight-report-2024-03" / "index.html"
    text = page_text(page)
    assert "SEND improvement highlight report, March 2024" in text
    assert "W1 – Education, Health and Care Plans" in text
    assert "Amber: behind plan, but recoverable" in text
    html = page.read_text()
    assert 'id="w1-milestone-2"' in html and 'id="w2-risk-1"' in html
    assert "static/northshire/northshire.css" in html
    assert (site / "static" / "northshire" / "northshire.css").is_file()
    assert "Northshire" in page_text(site / "index.html")


def test_the_new_areas_items_are_in_the_cross_area_pages(
    scaffolded: tuple[Path, Path],
) -> None:
    _, site = scaffolded
    tracker = (site / "tracker" / "index.html").read_text()
    for n in (1, 2, 3):
        assert f"northshire/highlight-report-2024-03/#w1-milestone-{n}" in tracker
    assert "Half of new EHCPs issued within 20 weeks" in tracker
    assert "1 overdue" in page_text(site / "tracker" / "index.html")
    risks = (site / "risks" / "index.html").read_text()
    assert "northshire/highlight-report-2024-03/#w2-risk-1" in risks
    assert "Northshire" in page_text(site / "dashboard" / "index.html")
    items = json.loads((site / "data" / "items.json").read_text())
    assert {m["area"] for m in items["milestones"]} == {"northshire"}
    assert len(items["milestones"]) == 4 and len(items["risks"]) == 2


def test_the_new_areas_items_are_in_the_search_index(
    scaffolded: tuple[Path, Path],
) -> None:
    pytest.importorskip("pagefind")
    _, site = scaffolded
    if not (site / "pagefind").is_dir():
        pytest.skip("this build has no search index")
    report = "/northshire/highlight-report-2024-03/"  # a result names its page from the root
    records = []
    for fragment in (site / "pagefind" / "fragment").iterdir():
        raw = gzip.decompress(fragment.read_bytes())
        records.append(json.loads(raw[raw.index(b"{") :]))

    def found(anchor: str, words: str) -> dict:
        """The record a reader lands on for ``anchor`` (its own, or its section's sub-result)."""
        for record in records:
            ids = {record["url"].partition("#")[2]} | {a["id"] for a in record.get("anchors", [])}
            if record["url"].startswith(report) and anchor in ids and words in record["content"]:
                return record
        raise AssertionError(f"nothing in the search index links to #{anchor} with {words!r}")

    milestone = found("w1-milestone-2", "Half of new EHCPs issued within 20 weeks")
    assert milestone["filters"]["area"] == ["Northshire"]
    assert "Milestone" in milestone["filters"]["kind"]
    risk = found("w2-risk-1", "Vacancies in the children's therapy team")
    assert "Risk or issue" in risk["filters"]["kind"]


def test_the_plugins_own_tests_pass_at_once(scaffolded: tuple[Path, Path]) -> None:
    root, _ = scaffolded
    result = run_plugin_tests(root, "sendsite_northshire")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 passed" in result.stdout


def test_the_sample_report_is_one_its_schema_accepts(scaffolded: tuple[Path, Path]) -> None:
    """The schema the build leaves for editors (.sendsite/schemas/) accepts the sample
    report new-area writes, its scored risk included, and refuses a progress word on a
    risk, as the reader does."""
    jsonschema = pytest.importorskip("jsonschema")
    root, _ = scaffolded
    schema = json.loads((root / ".sendsite/schemas/northshire-highlight.json").read_text())
    [sample] = (root / "content" / "northshire").glob("*.md")
    front = yaml.safe_load(sample.read_text(encoding="utf-8").split("---\n")[1])
    front = json.loads(json.dumps(front, default=str))  # dates as an editor sees them: text
    risks = [risk for workstream in front["workstreams"] for risk in workstream["risks"]]
    assert any("likelihood" in risk and "impact" in risk for risk in risks)
    validator = jsonschema.Draft7Validator(schema)
    assert not list(validator.iter_errors(front))
    risks[0]["rag"] = "Blue"  # a word of the progress key, not the risk key
    assert not validator.is_valid(front)


def test_the_plugin_is_listed_as_local(scaffolded: tuple[Path, Path]) -> None:
    root, _ = scaffolded
    result = run_cli("plugins", "--source", str(root))
    assert result.exit_code == 0, result.output
    assert "northshire 0.1.0\n  from:    the site's own plugins: " in result.output
    assert "  formats: northshire-highlight (Highlight report)" in result.output


def test_new_area_beside_the_demos_own_areas(tmp_path: Path) -> None:
    # A copy of the demo site (content and sendsite.yml), plus the new area.
    root = copy_demo(tmp_path / "site")
    assert run_cli("new-area", "North East Lincs", "--source", str(root)).exit_code == 0
    assert (root / "plugins" / "sendsite_north_east_lincs" / "tests").is_dir()
    result = run_cli("build", "--source", str(root), "--output", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    area = tmp_path / "out" / "north-east-lincs"
    assert "North East Lincs" in page_text(area / "index.html")
    tracker = page_text(tmp_path / "out" / "tracker" / "index.html")
    assert "North East Lincs" in tracker and "Southend" in tracker
    pm = make_plugin_manager(config=load_config(root))
    assert pm.loaded["north-east-lincs"].source == "local"
    assert pm.loaded["southend"].source == "entry point"


@pytest.mark.parametrize("name", ["Off", "null", "O'Brien & Sons (North), St. Ives"])
def test_names_yaml_or_python_would_misread_make_an_area_that_builds(
    tmp_path: Path, name: str
) -> None:
    root = tmp_path / "site"
    root.mkdir()
    assert run_cli("new-area", name, "--source", str(root)).exit_code == 0
    result = run_cli("build", "--source", str(root), "--strict")
    assert result.exit_code == 0, result.output
    names = area_names(name)
    page = (root / "site" / names.slug / "index.html").read_text("utf-8")
    assert re.search(r"<h1[^>]*>\s*" + re.escape(str(escape(names.title))), page)


def test_new_area_refuses_a_format_or_an_address_the_site_has(tmp_path: Path) -> None:
    root = copy_demo(tmp_path / "site")
    result = run_cli("new-area", "Lancashire App", "--source", str(root))
    assert result.exit_code == 1
    assert "there is already a format called 'lancashire-app-highlight'" in result.output
    (root / "content" / "North Shire").mkdir()
    (root / "content" / "North Shire" / "_area.yml").write_text("name: North Shire\n")
    result = run_cli("new-area", "north shire", "--source", str(root))
    assert result.exit_code == 1
    assert "the area folder content/North Shire/ is published at 'north-shire/'" in result.output
    assert not (root / "plugins").exists()


def test_names(tmp_path: Path) -> None:
    names = area_names("North East Lincs")
    assert (names.slug, names.title, names.module, names.format) == (
        "north-east-lincs",
        "North East Lincs",
        "sendsite_north_east_lincs",
        "north-east-lincs-highlight",
    )
    assert area_names("northshire").title == "Northshire"
    files = scaffold_files(area_names("northshire"))
    assert all("@@" not in text for text in files.values())


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("2024", "it must start with a letter"),
        ("!!!", "it must start with a letter"),
        ("southend", "there is already a plugin called 'southend'"),
        ("views", "'views' is taken by the site itself (its built-in plugin)"),
        ("Search", "'search' is taken by the site itself (its search/ pages)"),
        ("a-z", "'a-z' is taken by the site itself (its a-z/ pages)"),
        # Written as they are into YAML, Python and JSON, these broke the site they made.
        ("North: East", "'North: East' cannot be an area's name: it holds :"),
        ('Area "Q"', 'it holds "'),
        ("Bath\\Wells", "it holds \\"),
        ("Area #1", "it holds #"),
        ("a" * 247, "is too long for an area's name: its plugin's files would have names of"),
    ],
)
def test_new_area_refuses_bad_or_taken_names(tmp_path: Path, name: str, problem: str) -> None:
    result = run_cli("new-area", name, "--source", str(tmp_path))
    assert result.exit_code == 1
    assert problem in result.output
    assert list(tmp_path.iterdir()) == []


def test_new_area_never_overwrites(tmp_path: Path) -> None:
    area = tmp_path / "content" / "northshire"
    area.mkdir(parents=True)
    (area / "_area.yml").write_text("name: Our own\n")
    result = run_cli("new-area", "northshire", "--source", str(tmp_path))
    assert result.exit_code == 1
    assert "already has files: content/northshire/_area.yml" in result.output
    assert "Nothing was written." in result.output
    assert (area / "_area.yml").read_text() == "name: Our own\n"
    assert not (tmp_path / "plugins").exists()


def test_new_area_warns_when_the_site_does_not_load_its_plugins_folder(tmp_path: Path) -> None:
    (tmp_path / "sendsite.yml").write_text("plugins: []\n")
    result = run_cli("new-area", "northshire", "--source", str(tmp_path))
    assert result.exit_code == 0
    assert "add 'plugins' to that list" in result.output


def test_the_new_areas_page_is_accessible(scaffolded: tuple[Path, Path], browser) -> None:
    """axe finds no WCAG 2.2 AA violations, and the page reflows at 320 pixels."""
    import functools
    import http.server
    import threading

    import axe_playwright_python

    _, site = scaffolded

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    page = browser.new_page(viewport={"width": 320, "height": 640})
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/northshire/{SAMPLE_REPORT[:-3]}/")
        page.add_script_tag(path=str(Path(axe_playwright_python.__file__).parent / "axe.min.js"))
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " resultTypes: ['violations']})",
            ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
        )
        assert [v["id"] for v in result["violations"]] == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
    finally:
        page.close()
        server.shutdown()
        server.server_close()


def test_the_names_an_area_may_not_take_are_the_site_folders_a_build_makes(
    demo_site: Path, tmp_path: Path
) -> None:
    """Every top-level folder of the demo site and of a site with a series (changes/) that
    is not an area's is in ``SITE_FOLDERS``, so new-area refuses it as a name."""
    series = tmp_path / "site"
    result = run_cli(
        "build", "--source", str(REPO / "examples" / "northdale-series"), "--output", str(series)
    )
    assert result.exit_code == 0, result.output
    content = demo_site.parent / "src" / "content"
    areas = {p.name for p in content.iterdir() if p.is_dir()} | {"northdale"}
    folders = {p.name for site in (demo_site, series) for p in site.iterdir() if p.is_dir()}
    assert "changes" in folders and "search" in folders
    assert folders - areas <= SITE_FOLDERS, folders - areas - SITE_FOLDERS


def test_a_workstream_code_of_any_writing_makes_good_anchors(tmp_path: Path) -> None:
    # 'W2.1' (dotted, as many plans number their workstreams) makes 'w2-1', not 'w2.1'.
    assert run_cli("new-area", "westshire", "--source", str(tmp_path)).exit_code == 0
    report = next((tmp_path / "content" / "westshire").glob("*.md"))
    report.write_text(report.read_text().replace("- code: W2", "- code: W2.1"))
    result = run_cli("build", "--source", str(tmp_path))
    assert result.exit_code == 0, result.output
    page = next((tmp_path / "site" / "westshire").glob("*/index.html")).read_text()
    assert 'id="w2-1"' in page and 'id="w2-1-milestone-1"' in page
