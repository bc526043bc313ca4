"""Golden output: a small site, built whole, is the committed expected output file by file.

The fixture site and its expected output are in tests/golden/ (see its README).
After an intended change to what sendsite writes, regenerate the expected output:

    .venv/bin/python -m tests.golden
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .golden import EXPECTED, PAGEFIND_FILES, REGENERATE, build_golden, compare, tree


@pytest.fixture(scope="module")
def golden_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_golden(tmp_path_factory.mktemp("golden") / "site")


def test_the_golden_site_is_built_exactly_as_expected(golden_site: Path) -> None:
    differences = compare(golden_site)
    if differences:
        pytest.fail(differences.report(), pytrace=False)


def test_the_expected_output_covers_each_kind_of_page() -> None:
    # A regenerated expected output that lost a kind of page would pass the
    # comparison above; this keeps the fixture honest about what it covers.
    files, _ = tree(EXPECTED)
    for rel in [
        "index.html",
        "404.html",
        "southend/index.html",
        "southend/highlight-report-2021-05/index.html",  # format southend-highlight
        "southend/notes/index.html",  # a plain page
        "lancashire/app-highlight-2020-12/index.html",  # format lancashire-app-highlight
        "dashboard/index.html",
        "tracker/index.html",
        "tracker/southend/index.html",
        "risks/index.html",
        "risks/lancashire/index.html",
        "topics/index.html",
        "topics/therapies/index.html",
        "glossary/index.html",
        "search/index.html",
        "data/milestones.csv",
        "data/risks.csv",
        "data/items.json",
    ]:
        assert rel in files, rel
    names = PAGEFIND_FILES.read_text(encoding="utf-8").split()
    assert "pagefind/pagefind-entry.json" in names
    assert any(name.startswith("pagefind/index/") for name in names)


def test_a_mismatch_is_shown_as_diffs_and_lists_of_files(golden_site: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(golden_site, site)
    home = site / "index.html"
    home.write_text(
        home.read_text(encoding="utf-8").replace("golden-output", "golden output"), "utf-8"
    )
    (site / "404.html").unlink()
    (site / "extra.txt").write_text("not expected\n", encoding="utf-8")
    entry = next((site / "pagefind" / "index").iterdir())
    entry.rename(entry.with_name("en_0000000.pf_index"))
    differences = compare(site)
    assert differences.missing == ["404.html", f"pagefind/index/{entry.name}"]
    assert differences.extra == ["extra.txt", "pagefind/index/en_0000000.pf_index"]
    assert differences.differing == ["index.html"]
    report = differences.report()
    assert "--- expected/index.html\n+++ built/index.html\n" in report
    assert (
        "\n-" in report
        and "golden-output" in report
        and "\n+" in report
        and "golden output" in report
    )
    assert REGENERATE in report
