"""``sendsite plugins``, and broken plugins: named plainly, and never hiding the rest."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

import pytest

from sendsite.plugins.manager import DEFAULT_PLUGINS, ENTRY_POINT_GROUP

from .conftest import SiteMaker, run_cli
from .test_local_plugins import TINY, install, tiny_site

pytestmark = pytest.mark.usefixtures("forget_test_modules")


def _in_use() -> str:
    """How ``sendsite plugins`` counts the installed plugins and the built-in ones."""
    installed = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    return f"{len(installed) + len(DEFAULT_PLUGINS)} plugins in use:"


def test_lists_the_demos_plugins(demo_source: Path) -> None:
    result = run_cli("plugins", "--source", str(demo_source))
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith(_in_use())
    assert (
        "southend 0.1.0\n  from:    entry point southend = sendsite_southend (package sendsite)"
        in out
    )
    assert "  formats: southend-highlight (Highlight report)" in out
    assert "  hooks:   register_formats, register_template_dirs" in out
    assert "views 0.1.0\n  from:    built into sendsite" in out
    assert "FAILED" not in out


def test_lists_as_json(demo_source: Path) -> None:
    result = run_cli("plugins", "--source", str(demo_source), "--json")
    data = json.loads(result.output)
    by_name = {p["name"]: p for p in data["plugins"]}
    suffolk = by_name["suffolk"]
    assert suffolk["version"] == "0.1.0"
    assert suffolk["source"] == "entry point"
    assert suffolk["path"].endswith("sendsite_suffolk/__init__.py")
    assert suffolk["formats"] == [
        {
            "name": "suffolk-response-grid",
            "title": "Revisit response grid",
            "template": "suffolk/report.html",
        }
    ]
    assert "register_static_dirs" in suffolk["hooks"]
    assert all(p["loaded"] and not p["error"] for p in data["plugins"])


def test_a_local_plugin_says_where_it_is(make_site: SiteMaker) -> None:
    root = tiny_site(make_site, {"plugins/tiny.py": TINY})
    out = run_cli("plugins", "--source", str(root)).output
    assert "tiny 2.0\n  from:    the site's own plugins: " in out
    assert "plugins/tiny.py" in out
    assert "  formats: tiny-list (Tiny list)" in out


def test_a_plugin_that_fails_to_import_is_flagged_and_the_rest_listed(
    demo_source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_use = _in_use()
    (tmp_path / "brokenarea_plugin.py").write_text("import does_not_exist_anywhere\n")
    install(tmp_path, monkeypatch, "brokenarea", "brokenarea_plugin")
    result = run_cli("plugins", "--source", str(demo_source))
    assert result.exit_code == 1
    out = result.output
    assert in_use in out  # everything else still listed
    assert "1 plugin failed to load:\n\nbrokenarea: FAILED to load" in out
    assert "from:    entry point 'brokenarea = brokenarea_plugin' (package brokenarea 1.0)" in out
    assert "why:     could not be loaded from entry point 'brokenarea_plugin'" in out
    assert "ModuleNotFoundError: No module named 'does_not_exist_anywhere'" in out
    assert "fix:     Reinstall the plugin's package, or disable it" in out


def test_a_misspelt_hook_is_flagged_with_the_likely_name(make_site: SiteMaker) -> None:
    typo = "from sendsite import hookimpl\n\n@hookimpl\ndef register_format():\n    return []\n"
    root = tiny_site(make_site, {"plugins/tiny.py": TINY, "plugins/typo.py": typo})
    result = run_cli("plugins", "--source", str(root))
    assert result.exit_code == 1
    assert "tiny 2.0" in result.output
    assert "typo: FAILED to load" in result.output
    assert "unknown hook 'register_format'" in result.output
    assert "Did you mean 'register_formats'?" in result.output


def test_a_plugin_whose_formats_hook_raises_does_not_stop_the_listing(
    make_site: SiteMaker,
) -> None:
    broken = TINY.replace("    return [Format(", '    raise KeyError("x")\n    return [Format(')
    root = make_site({"plugins/tiny.py": broken})
    result = run_cli("plugins", "--source", str(root), "--json")
    assert result.exit_code == 1
    tiny = {p["name"]: p for p in json.loads(result.output)["plugins"]}["tiny"]
    assert tiny["error"] == "hook 'register_formats' raised KeyError: 'x'"
    assert tiny["hooks"] == ["register_formats"]


# --- check and build carry on past a broken plugin -------------------------------------------

GOOD_REPORT_WITH_A_MISTAKE = """\
---
format: tiny-list
title: Another tiny report
items:
  - text: Something
    rag: Purple
---
"""


def test_check_names_a_plugin_that_fails_to_import_and_checks_the_rest(
    make_site: SiteMaker,
) -> None:
    root = tiny_site(
        make_site,
        {
            "plugins/tiny.py": TINY,
            "plugins/northshire.py": "import nowhere_at_all\n",
            "content/tiny/second.md": GOOD_REPORT_WITH_A_MISTAKE,
            "content/northshire/r.md": "---\nformat: northshire-highlight\n---\n",
        },
    )
    result = run_cli("check", "--source", str(root))
    assert result.exit_code == 1
    out = result.output
    assert "error: plugin 'northshire': could not be loaded from" in out
    assert "ModuleNotFoundError: No module named 'nowhere_at_all'" in out
    assert "second.md:6:" in out and "unknown status 'Purple'" in out  # the rest is checked
    assert "unknown format 'northshire-highlight'" in out
    assert "A plugin failed (see above) and was left out of the check" in out
    assert "Stopped: 3 errors. Nothing was written." in out


def test_check_names_the_hook_that_raised_and_checks_the_rest(make_site: SiteMaker) -> None:
    terms = "from sendsite import hookimpl\n\n@hookimpl\ndef register_glossary_terms():\n"
    root = tiny_site(
        make_site,
        {
            "plugins/tiny.py": TINY,
            "plugins/terms.py": terms + "    return 1 / 0\n",
            "content/tiny/second.md": GOOD_REPORT_WITH_A_MISTAKE,
        },
    )
    result = run_cli("check", "--source", str(root))
    assert result.exit_code == 1
    out = result.output
    assert "error: plugin 'terms', hook 'register_glossary_terms': raised ZeroDivisionError" in out
    assert "unknown status 'Purple'" in out
    assert "Traceback" not in out
    assert "Stopped: 2 errors." in out


def test_verbose_shows_the_traceback_behind_a_plugin_error(make_site: SiteMaker) -> None:
    pages = "from sendsite import hookimpl\n\n@hookimpl\ndef register_pages(site):\n    1 / 0\n"
    root = tiny_site(make_site, {"plugins/tiny.py": TINY, "plugins/pages.py": pages})
    result = run_cli("check", "--source", str(root), "--verbose")
    assert result.exit_code == 1
    assert "Traceback" in result.output and "1 / 0" in result.output


def test_build_with_a_broken_plugin_writes_nothing(make_site: SiteMaker, tmp_path: Path) -> None:
    root = tiny_site(make_site, {"plugins/tiny.py": TINY, "plugins/bad.py": "import nowhere_\n"})
    out = tmp_path / "out"
    result = run_cli("build", "--source", str(root), "--output", str(out))
    assert result.exit_code == 1
    assert "error: plugin 'bad': could not be loaded" in result.output
    assert "Nothing was written." in result.output
    assert not out.exists()


def test_build_names_a_hook_that_raises_during_the_build(
    make_site: SiteMaker, tmp_path: Path
) -> None:
    glossary = "from sendsite import hookimpl\n\n@hookimpl\ndef register_glossary_terms():\n"
    root = tiny_site(make_site, {"plugins/tiny.py": TINY, "plugins/g.py": glossary + "    {}[1]\n"})
    result = run_cli("build", "--source", str(root), "--output", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "plugin 'g', hook 'register_glossary_terms': raised KeyError: 1" in result.output
    assert not (tmp_path / "out").exists()


def test_check_names_an_installed_plugin_that_fails_to_import_and_checks_the_rest(
    demo_source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "brokenarea_plugin.py").write_text("import does_not_exist_anywhere\n")
    install(tmp_path, monkeypatch, "brokenarea", "brokenarea_plugin")
    result = run_cli("check", "--source", str(demo_source))
    assert result.exit_code == 1
    out = result.output
    assert (
        "error: plugin 'brokenarea': could not be loaded from entry point 'brokenarea_plugin' "
        "(package brokenarea 1.0): ModuleNotFoundError" in out
    )
    assert "Stopped: 1 error" in out  # the demo's content was checked, and is fine
