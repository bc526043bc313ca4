"""The code's shape: no import cycles, small modules, a tree that shows the pipeline."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from .conftest import REPO

PACKAGE = REPO / "sendsite"
#: "no module past ~400 lines" (DESIGN.md); a module that must grow past this is split.
MAX_LINES = 450


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports_at_load(path: Path) -> set[str]:
    """The sendsite modules a module imports when it is loaded (not in functions, not for types)."""
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for inner in ast.walk(node) if not isinstance(node, ast.FunctionDef | ast.ClassDef) else ():
            if isinstance(inner, ast.ImportFrom) and inner.module and inner.level == 0:
                if inner.module.startswith("sendsite"):
                    found.add(inner.module)
                    found.update(f"{inner.module}.{alias.name}" for alias in inner.names)
            elif isinstance(inner, ast.Import):
                found.update(a.name for a in inner.names if a.name.startswith("sendsite"))
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: _imports_at_load(path) & set(modules) - {name} for name, path in modules.items()}


def test_no_module_imports_itself_through_others() -> None:
    graph = _graph()
    visiting: list[str] = []
    done: set[str] = set()
    cycles: list[list[str]] = []

    def visit(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            cycles.append([*visiting[visiting.index(name) :], name])
            return
        visiting.append(name)
        for other in sorted(graph[name]):
            visit(other)
        visiting.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join(c) for c in cycles)


def test_relative_imports_are_not_used_in_the_package() -> None:
    relative = [
        f"{p.relative_to(REPO)}:{n.lineno}"
        for p in PACKAGE.rglob("*.py")
        for n in ast.walk(ast.parse(p.read_text()))
        if isinstance(n, ast.ImportFrom) and n.level > 0
    ]
    assert not relative, relative


def test_importing_sendsite_alone_works() -> None:
    for module in ("sendsite", "sendsite.cli.commands", "sendsite.serve.server"):
        result = subprocess.run(
            [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr


def test_no_module_is_too_long() -> None:
    long = {
        str(p.relative_to(REPO)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert not long, long


def test_the_public_plugin_api_is_at_the_top() -> None:
    import sendsite

    for name in ("hookimpl", "Format", "Fields", "Report", "Item", "Risk", "Section"):
        assert hasattr(sendsite, name), name
    for name in ("StatusKey", "Level", "Page", "Document", "Area", "ContentError"):
        assert hasattr(sendsite, name), name


def test_the_readme_lists_every_module() -> None:
    readme = (REPO / "README.md").read_text()
    layout = readme[readme.index("### How the code is laid out") :]
    for path in PACKAGE.rglob("*.py"):
        if path.name in {"__init__.py", "__main__.py"}:
            continue
        rel = path.relative_to(PACKAGE)
        assert any(f"{rel.stem}{end}" in layout for end in (" ", ".py ", "\n", "/")), rel


#: The restructuring's target for each built-in area plugin's Python (its readers and
#: model; templates and data files are not counted): what Fields and the template
#: macros take care of is not written again in a plugin.
PLUGIN_MAX_LINES = 250


def test_each_built_in_plugin_is_light() -> None:
    heavy = {
        folder.name: n
        for folder in sorted((REPO / "plugins").glob("sendsite_*"))
        if (n := sum(len(p.read_text().splitlines()) for p in folder.glob("*.py")))
        > PLUGIN_MAX_LINES
    }
    assert len(list((REPO / "plugins").glob("sendsite_*"))) == 5
    assert not heavy, heavy
