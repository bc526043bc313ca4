"""The demo site the tests read is a copy of its five seed areas.

The repository's root is also the site a developer tries things in: the guide
invites ``sendsite new-area northshire`` there, which adds ``content/northshire/``
and ``plugins/sendsite_northshire/``. The tests therefore never build or read the
root itself: they use ``copy_demo`` (the seed areas only, see tests/conftest.py),
and these tests check that an added area changes nothing they see.

By hand, the whole suite in a copy of the repository with an added area. The
copy must run its own code, not the repository's editable install, so it gets a
virtual environment that borrows only the installed dependencies (``$REPO`` is
the repository, ``$SP`` its ``.venv/lib/python3.11/site-packages``):

    mkdir /tmp/wt && git archive HEAD | tar -x -C /tmp/wt && cd /tmp/wt
    ln -s ../themes sendsite/themes
    python3.11 -m venv --without-pip /tmp/wt-venv
    echo "$SP" > /tmp/wt-venv/lib/python3.11/site-packages/deps.pth
    export PYTHONPATH=/tmp/wt:/tmp/wt/plugins
    /tmp/wt-venv/bin/python -m sendsite new-area northshire
    /tmp/wt-venv/bin/python -m pytest -q -p no:cacheprovider
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import (
    DEMO_AREAS,
    REPO,
    build_demo,
    copy_demo,
    forget_modules_from,
    read_demo,
    run_cli,
)

#: Names for the added area: the first one the repository does not have yet.
NEW_AREAS = ("northshire", "westshire", "eastshire")


def _tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def repository_with_a_new_area(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A copy of the repository's site as it is now, plus an area from ``sendsite new-area``."""
    root = tmp_path / "repository"
    root.mkdir()
    shutil.copyfile(REPO / "sendsite.yml", root / "sendsite.yml")
    shutil.copytree(REPO / "content", root / "content")
    name = next(
        n
        for n in NEW_AREAS
        if not (REPO / "content" / n).exists() and not (REPO / "plugins" / f"sendsite_{n}").exists()
    )
    result = run_cli("new-area", name, "--source", str(root))
    assert result.exit_code == 0, result.output
    assert (root / "content" / name / "_area.yml").is_file()
    assert (root / "plugins" / f"sendsite_{name}" / "__init__.py").is_file()
    yield root, name
    forget_modules_from(tmp_path)


def test_the_demo_copy_leaves_out_an_added_area(
    repository_with_a_new_area: tuple[Path, str], tmp_path: Path
) -> None:
    root, name = repository_with_a_new_area
    with_area = copy_demo(tmp_path / "with", source=root)
    assert _tree(with_area) == _tree(copy_demo(tmp_path / "without"))
    assert sorted(p.name for p in (with_area / "content").iterdir() if p.is_dir()) == sorted(
        DEMO_AREAS
    )
    assert not (with_area / "plugins").exists()
    assert (root / "content" / name).is_dir()  # the repository's copy has it


def test_the_demo_fixtures_are_the_same_beside_an_added_area(
    repository_with_a_new_area: tuple[Path, str], tmp_path: Path, demo_site: Path
) -> None:
    root, name = repository_with_a_new_area
    source = copy_demo(tmp_path / "src", source=root)
    site = read_demo(source)
    assert sorted(area.area.slug for area in site.areas) == sorted(DEMO_AREAS)
    assert sorted(entry.area.slug for entry in site.reports) == sorted(DEMO_AREAS)
    built = build_demo(source, tmp_path / "site")
    assert not (built / name).exists()
    assert _tree(built) == _tree(demo_site)  # what every demo-based test reads


#: Ways a test could build or read the repository's own site instead of a copy.
_READS_THE_ROOT = re.compile(
    r"load_config\(\s*REPO\s*[,)]"  # load_config(REPO)
    r"|str\(\s*REPO\s*\)"  # "--source", str(REPO)
    r"|REPO\s*/\s*\"content\"\s*\)\s*\.\s*(?:r?glob|iterdir|walk)\("  # every area's files
    r"|copytree\(\s*REPO\s*/\s*\"content\"\s*,"  # all of content/
)


def test_no_test_builds_or_reads_the_repositorys_own_site() -> None:
    found = [
        f"{path.name}:{source[: match.start()].count(chr(10)) + 1}: {match.group(0)}"
        for path in sorted(Path(__file__).parent.glob("*.py"))
        if path.name != Path(__file__).name
        for source in [path.read_text(encoding="utf-8")]
        for match in _READS_THE_ROOT.finditer(source)
    ]
    assert found == [], "use the demo's copy (demo_source, copy_demo) instead"
