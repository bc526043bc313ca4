"""The plugin system: entry-point discovery, validation, and errors that name the plugin."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from sendsite import Format, Report, hookimpl
from sendsite.build.publish import BuildFailed, build, collect_formats
from sendsite.config import load_config
from sendsite.errors import PluginError
from sendsite.plugins.manager import call_each, make_plugin_manager

from .conftest import SiteMaker


def test_built_in_formats_come_through_the_entry_point() -> None:
    pm = make_plugin_manager()
    assert "southend" in pm.loaded
    loaded = pm.loaded["southend"]
    assert loaded.module == "sendsite_southend"
    assert loaded.package == "sendsite"
    formats = collect_formats(pm)
    assert formats["southend-highlight"][0] == "southend"


def test_every_name_of_the_plugin_api_loads_from_the_package() -> None:
    """The package loads its names when asked (so the program starts lightly): each
    one it lists is there, is the object its module holds, and a misspelt one is an
    AttributeError that says so."""
    import sendsite

    fresh = subprocess.run(
        [sys.executable, "-c", "import sendsite, sys; print(sorted(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "sendsite.content.model" not in fresh.stdout
    assert sorted(sendsite.__all__) == sorted(sendsite._HOMES)
    for name, home in sendsite._HOMES.items():
        assert getattr(sendsite, name) is getattr(importlib.import_module(home), name), name
    assert set(sendsite.__all__) <= set(dir(sendsite))
    with pytest.raises(AttributeError, match="no attribute 'Fromat'"):
        sendsite.Fromat  # noqa: B018


def test_core_names_no_area() -> None:
    core = Path(__file__).resolve().parent.parent / "sendsite"
    text = "\n".join(p.read_text() for p in core.rglob("*.py")).lower()
    for area in ["southend", "essex", "suffolk", "havering", "lancashire"]:
        assert area not in text, f"the core mentions {area}"


def test_core_builds_with_no_area_plugin(make_site: SiteMaker, tmp_path: Path) -> None:
    root = make_site({"content/about.md": "---\ntitle: About\n---\nHello *world*.\n"})
    pm = make_plugin_manager(entry_points=False)
    assert collect_formats(pm) == {}
    result = build(load_config(root), pm=pm, output=tmp_path / "out")
    # home, about, 404, the (empty) dashboard, tracker, register, search page and A to Z
    # index, and the accessibility statement
    assert result.pages == 9
    for page in ("tracker", "risks", "dashboard", "search"):
        assert (tmp_path / "out" / page / "index.html").is_file()
    about = (tmp_path / "out" / "about" / "index.html").read_text()
    assert "<em>world</em>" in about


def test_a_report_needs_an_installed_format(make_site: SiteMaker, tmp_path: Path) -> None:
    root = make_site({"content/a/r.md": "---\ntitle: R\nformat: nonesuch\n---\n"})
    with pytest.raises(BuildFailed) as caught:
        build(load_config(root), pm=make_plugin_manager(entry_points=False), output=tmp_path / "o")
    [error] = caught.value.errors
    assert "unknown format 'nonesuch'" in error.message
    assert "none (no format plugin is installed)" in (error.fix or "")
    assert error.line == 3


@pytest.mark.parametrize(
    ("written", "fix"),
    [
        ("southend-higlight", "Did you mean 'southend-highlight'?"),
        ("lancashire-highlight", "Did you mean 'lancashire-app-highlight'?"),
        # A new area's format shares only its kind with another: no typo to point at.
        ("northshire-highlight", "No installed plugin reads it: a new area's format comes"),
    ],
)
def test_an_unknown_format_is_named_as_a_typo_only_when_it_is_one(
    make_site: SiteMaker, tmp_path: Path, written: str, fix: str
) -> None:
    root = make_site({"content/a/r.md": f"---\ntitle: R\nformat: {written}\n---\n"})
    with pytest.raises(BuildFailed) as caught:
        build(load_config(root), output=tmp_path / "o")
    [error] = caught.value.errors
    assert (error.fix or "").startswith(fix), error.fix
    assert "Installed formats: essex-joint-commissioning," in (error.fix or "")


def test_misspelt_hook_is_an_error() -> None:
    plugin = ModuleType("typo_plugin")

    @hookimpl
    def register_formatz() -> list[Format]:  # pragma: no cover - never called
        return []

    plugin.register_formatz = register_formatz  # type: ignore[attr-defined]
    with pytest.raises(PluginError) as caught:
        make_plugin_manager(entry_points=False, plugins=[("typo", plugin)])
    assert "plugin 'typo'" in str(caught.value)
    assert "register_formatz" in str(caught.value)


def test_exception_in_a_hook_names_plugin_hook_and_file() -> None:
    class Broken:
        @hookimpl
        def register_glossary_terms(self) -> list:
            raise KeyError("oops")

    pm = make_plugin_manager(entry_points=False, plugins=[("broken", Broken())])
    with pytest.raises(PluginError) as caught:
        call_each(pm, "register_glossary_terms", file="a/b.md")
    message = str(caught.value)
    assert "plugin 'broken'" in message
    assert "hook 'register_glossary_terms'" in message
    assert message.startswith("a/b.md: ")


def test_reader_crash_names_the_plugin_and_file(make_site: SiteMaker, tmp_path: Path) -> None:
    def read(document) -> Report:
        raise ZeroDivisionError("division by zero")

    class Crashy:
        @hookimpl
        def register_formats(self) -> list[Format]:
            return [Format("crashy", "Crashy", read, "report.html")]

    root = make_site({"content/a/r.md": "---\nformat: crashy\n---\n"})
    pm = make_plugin_manager(entry_points=False, plugins=[("crashy-plugin", Crashy())])
    with pytest.raises(BuildFailed) as caught:
        build(load_config(root), pm=pm, output=tmp_path / "o")
    [error] = caught.value.errors
    assert str(error).startswith("a/r.md: plugin 'crashy-plugin'")
    assert "ZeroDivisionError" in error.message
    assert isinstance(error.cause, ZeroDivisionError)


def test_two_plugins_cannot_claim_one_format() -> None:
    def make(name: str) -> object:
        class P:
            @hookimpl
            def register_formats(self) -> list[Format]:
                return [Format("same", name, lambda d: Report("x"), "report.html")]

        return P()

    pm = make_plugin_manager(entry_points=False, plugins=[("one", make("1")), ("two", make("2"))])
    with pytest.raises(PluginError, match="format 'same' is also provided by plugin"):
        collect_formats(pm)


def test_disabled_plugins_are_not_loaded() -> None:
    pm = make_plugin_manager(disabled=["southend"])
    assert "southend" not in pm.loaded
    assert "southend-highlight" not in collect_formats(pm)


def test_plugin_that_fails_to_import_is_named(tmp_path: Path, monkeypatch) -> None:
    dist = tmp_path / "brokenarea-1.2.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: brokenarea\nVersion: 1.2\n")
    (dist / "entry_points.txt").write_text("[sendsite]\nbrokenarea = brokenarea_plugin\n")
    (tmp_path / "brokenarea_plugin.py").write_text("import does_not_exist_anywhere\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    try:
        with pytest.raises(PluginError) as caught:
            make_plugin_manager()
    finally:
        sys.modules.pop("brokenarea_plugin", None)
    message = str(caught.value)
    assert "plugin 'brokenarea'" in message
    assert "brokenarea 1.2" in message
    assert "ModuleNotFoundError" in message
    assert "disable_plugins" in (caught.value.fix or "")
