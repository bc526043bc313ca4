"""The five built-in plugins, and what ``sendsite new-area`` writes, follow the guide's conventions.

Each check below is one numbered convention in docs/format-plugins.md
("Conventions"); the test names the plugin and the convention it breaks.
"""

from __future__ import annotations

import ast
import importlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from types import ModuleType

import pytest

from sendsite import ContentError, Document, Fields, Format, RiskKey, StatusKey
from sendsite.config import load_config
from sendsite.content.documents import load_document
from sendsite.content.fields import read_checked
from sendsite.errors import ContentErrors
from sendsite.plugins.manager import call_each, make_plugin_manager

from .conftest import REPO, run_cli

BUILT_IN = ["essex", "havering", "lancashire", "southend", "suffolk"]
GUIDE = REPO / "docs" / "format-plugins.md"


def conventions_broken(area: str, module: ModuleType, content: Path, tests: Path) -> list[str]:
    """Every convention the plugin ``module`` for ``area`` breaks, as plain sentences."""
    broken: list[str] = []
    folder = Path(module.__file__ or "").parent
    # What sendsite gets from the plugin: its hooks, or the conventions that stand for them.
    pm = make_plugin_manager(entry_points=False, plugins=[(area, module)])
    hooks = {
        hook: [result for name, result in call_each(pm, hook) if name == area]
        for hook in ("register_formats", "register_template_dirs", "register_static_dirs")
    }
    # 1. One package per area, named after it.
    if folder.name != "sendsite_" + area.replace("-", "_"):
        broken.append(f"1: the package is {folder.name}, not sendsite_{area}")
    if not (content / area / "_area.yml").is_file():
        broken.append(f"1: no content/{area}/_area.yml")
    # 2. Three modules; hooks only in __init__.py.
    for name in ("__init__.py", "reader.py", "model.py"):
        if not (folder / name).is_file():
            broken.append(f"2: no {name}")
    for path in folder.glob("*.py"):
        if path.name != "__init__.py" and "@hookimpl" in path.read_text():
            broken.append(f"2: {path.name} implements hooks (keep them in __init__.py)")
    # 3. The docstring names the format; a version.
    formats: list[Format] = [f for result in hooks["register_formats"] for f in result]
    if formats != [getattr(module, "FORMAT", None)]:
        broken.append("2: __init__.py does not define the format as FORMAT")
    for fmt in formats:
        if f"``format: {fmt.name}``" not in (module.__doc__ or ""):
            broken.append(f"3: the docstring does not name ``format: {fmt.name}``")
    if not isinstance(getattr(module, "__version__", None), str):
        broken.append("3: no __version__")
    # 4. Names start with the area's.
    reader = importlib.import_module(module.__name__ + ".reader")
    for fmt in formats:
        if not fmt.name.startswith(f"{area}-"):
            broken.append(f"4: format '{fmt.name}' does not start with '{area}-'")
        if fmt.read is not reader.read_report:
            broken.append("4: the format's reader is not reader.read_report")
        for key in fmt.status_keys:
            if not key.name.startswith(f"{area}-"):
                broken.append(f"4: status key '{key.name}' does not start with '{area}-'")
    keys = [
        v
        for n, v in vars(reader).items()
        if n.endswith("_KEY") and isinstance(v, StatusKey | RiskKey)
    ]
    if not keys or any(k not in f.status_keys for k in keys for f in formats):
        broken.append(
            "4: the reader's *_KEY status and risk keys are not all in Format.status_keys"
        )
    # 5. The report template.
    template = folder / "templates" / area / "report.html"
    if [f.template for f in formats] != [f"{area}/report.html"] * len(formats):
        broken.append(f"5: the template is not '{area}/report.html'")
    if hooks["register_template_dirs"] != [[folder / "templates"]]:
        broken.append("5: sendsite does not find the package's templates folder")
    html = template.read_text() if template.is_file() else ""
    if not html.startswith('{% extends "report.html" %}') or "{% block report %}" not in html:
        broken.append("5: the template does not extend report.html and fill block report")
    # 6. CSS.
    static = folder / "static"
    if static.is_dir():
        if hooks["register_static_dirs"] != [{area: static}]:
            broken.append(f"6: sendsite does not publish the static folder as '{area}'")
        css = static / f"{area}.css"
        link = '{% block head %}<link rel="stylesheet" href="{{ url(\'static/AREA/AREA.css\') }}">'
        if not css.is_file() or link.replace("AREA", area) not in html:
            broken.append(f"6: static/{area}.css is missing or not linked in block head")
        for file in static.glob("*.css"):
            text = re.sub(r"/\*.*?\*/", "", file.read_text(), flags=re.S)
            for prelude in re.findall(r"([^{}]+)\{", text):
                if prelude.strip().startswith("@"):
                    continue  # @media: its rules are checked one by one
                for selector in prelude.split(","):
                    if not selector.strip().startswith(f".{area}-"):
                        broken.append(f"6: {file.name}: '{selector.strip()}' is not '.{area}-…'")
    # 7. Reading is pure and checked.
    source = (folder / "reader.py").read_text()
    for call in ("open(", ".read_text(", ".read_bytes(", "date.today(", "datetime.now(", "os."):
        if call in source:
            broken.append(f"7: reader.py uses {call}: a reader reads only its document")
    if "Fields.of(" not in source:
        broken.append("7: reader.py does not read the front matter through Fields")
    # 8. A frozen dataclass model.
    tree = ast.parse((folder / "model.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and "dataclass(frozen=True)" not in ast.unparse(
            node.decorator_list
        ):
            broken.append(f"8: model.{node.name} is not a frozen dataclass")
    # 9. Tests.
    if not tests.is_file():
        broken.append(f"9: no {tests.name}")
    return broken


@pytest.mark.parametrize("area", BUILT_IN)
def test_built_in_plugins_follow_the_conventions(area: str) -> None:
    module = importlib.import_module(f"sendsite_{area}")
    assert (
        conventions_broken(area, module, REPO / "content", REPO / "tests" / f"test_{area}.py") == []
    )


@pytest.fixture
def scaffolded(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    for name, module in list(sys.modules.items()):
        if (getattr(module, "__file__", None) or "").startswith(str(tmp_path)):
            del sys.modules[name]


@pytest.mark.parametrize("name", ["northshire", "North East Lincs"])
def test_the_scaffold_follows_the_conventions(scaffolded: Path, name: str) -> None:
    assert run_cli("new-area", name, "--source", str(scaffolded)).exit_code == 0
    [plugin] = (scaffolded / "plugins").iterdir()
    area = plugin.name.removeprefix("sendsite_").replace("_", "-")
    pm = make_plugin_manager(config=load_config(scaffolded), entry_points=False)
    module = pm.get_plugin(area)
    tests = plugin / "tests" / f"test_{plugin.name.removeprefix('sendsite_')}.py"
    assert conventions_broken(area, module, scaffolded / "content", tests) == []


def test_the_guide_lists_the_conventions_the_test_checks() -> None:
    text = GUIDE.read_text()
    section = text[text.index("## Conventions") :]
    numbered = re.findall(r"^(\d+)\. \*\*", section, flags=re.M)
    assert numbered == [str(n) for n in range(1, 11)]


@pytest.mark.parametrize("area", BUILT_IN)
def test_built_in_anchors_are_on_the_page(area: str, demo_site: Path, demo_reports) -> None:
    # 10. Every item, risk and section anchor is an element id on the report page.
    report = demo_reports[area]
    anchors = {x.anchor for x in [*report.items, *report.risks, *report.sections]}
    pages = [p.read_text() for p in (demo_site / area).glob("*/index.html")]
    ids = max(
        (set(re.findall(r'\bid="([^"]+)"', html)) for html in pages),
        key=lambda found: len(anchors & found),
    )
    assert sorted(anchors - ids) == []


# 7. Reading is checked: sendsite knows the keys a reader asked for, and names the others.

#: area -> (a line of its demo report, the line misspelt, the key it should be)
MISSPELT = {
    "essex": ("    roadmap: |", "    road_map: |", "roadmap"),
    "havering": ("  title: Head of", "  titel: Head of", "title"),
    "lancashire": ("    priorities_note:", "    priority_note:", "priorities_note"),
    "southend": (
        "        completed_by: Completed",
        "        completedby: Completed",
        "completed_by",
    ),
    "suffolk": ('        due: "by 31 May', '        dues: "by 31 May', "due"),
}


def _demo_document(folder: Path, area: str, old: str = "", new: str = "") -> Document:
    """The demo report of ``area``, with its first ``old`` made ``new``."""
    [path] = (REPO / "content" / area).glob("*.md")
    copy = folder / path.name
    copy.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return load_document(copy, PurePosixPath(area, path.name))


@pytest.mark.parametrize("area", BUILT_IN)
def test_built_in_readers_name_a_misspelt_key_without_a_list(area: str, tmp_path: Path) -> None:
    reader = importlib.import_module(f"sendsite_{area}.reader")
    clean = _demo_document(tmp_path, area)
    read_checked(reader.read_report, clean)
    assert clean.warnings == []
    old, new, key = MISSPELT[area]
    document = _demo_document(tmp_path, area, old, new)
    read_checked(reader.read_report, document)
    [warning] = document.warnings
    assert f"unknown key '{new.split(':')[0].strip()}' is ignored" in warning.message
    assert warning.fix == f"Did you mean '{key}'?"


def _doc(tmp_path: Path, front: str) -> Document:
    path = tmp_path / "r.md"
    path.write_text(f"---\n{front}---\n", encoding="utf-8")
    return load_document(path, PurePosixPath("x/r.md"))


def test_keys_asked_for_are_known_whether_there_or_not(tmp_path: Path) -> None:
    def read(document: Document) -> None:
        root = Fields.of(document)
        root.text("report_by")  # not in the file: still a key this format knows
        for row in root.list("rows"):
            row.text("text")

    document = _doc(tmp_path, "reportby: Jo\nrows:\n  - text: a\n    txt: b\n")
    read_checked(read, document)
    assert [(w.line, w.message, w.fix) for w in document.warnings] == [
        (2, "unknown key 'reportby' is ignored", "Did you mean 'report_by'?"),
        (5, "rows[1]: unknown key 'txt' is ignored", "Did you mean 'text'?"),
    ]


def test_keys_unread_are_warned_of_beside_a_fields_mistake(tmp_path: Path) -> None:
    def read(document: Document) -> None:
        Fields.of(document).text("title", required=True)

    document = _doc(tmp_path, "titel: x\n")
    with pytest.raises(ContentErrors) as caught:
        read_checked(read, document)
    assert [p.message for p in caught.value.problems] == ["front matter: 'title' is missing"]
    assert [w.message for w in caught.value.warnings] == ["unknown key 'titel' is ignored"]


def test_no_warnings_when_the_reader_raises_its_own_error(tmp_path: Path) -> None:
    def read(document: Document) -> None:
        fields = Fields.of(document)
        if fields.text("title") == "x":
            raise fields.error("title", "is not a title")

    document = _doc(tmp_path, "title: x\ntitel: y\n")
    with pytest.raises(ContentError, match="is not a title"):
        read_checked(read, document)
    assert document.warnings == []


def test_check_known_and_data_still_work_and_are_not_checked_twice(tmp_path: Path) -> None:
    def read(document: Document) -> None:
        root = Fields.of(document)
        root.check_known({"title", "author", "meta"})  # as plugins did: checked at once
        Fields.of(document).text("title")  # a second view of the same mapping
        assert root.mapping("meta").data == {"anything": 1}  # read by hand: all known

    document = _doc(tmp_path, "titel: x\nauthor: y\nmeta:\n  anything: 1\n")
    read_checked(read, document)
    assert [w.message for w in document.warnings] == ["unknown key 'titel' is ignored"]
