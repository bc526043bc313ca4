"""Local plugins: a site's own plugin files, loaded without installing, and never twice."""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path

import pytest

from sendsite.build.publish import BuildFailed, build, collect_formats
from sendsite.config import load_config
from sendsite.errors import ConfigError, PluginError
from sendsite.plugins.manager import DEFAULT_PLUGINS, ENTRY_POINT_GROUP, make_plugin_manager

from .conftest import DEMO_AREAS, REPO, SiteMaker, copy_demo, run_cli, save_later

#: A whole format plugin in one file: a list of items, each with a RAG word.
TINY = '''
"""Tiny lists (``format: tiny-list``)."""

from sendsite import Fields, Format, Item, KeyEntry, Level, Report, StatusKey, hookimpl

__version__ = "2.0"
KEY = StatusKey("tiny-rag", "Tiny RAG", (KeyEntry("Green", Level.ON_TRACK),))


def read(document):
    root = Fields.of(document)
    items = [
        Item("milestone", row.text("text", required=True), f"m-{n}", row.status("rag", KEY))
        for n, row in enumerate(root.list("items"), start=1)
    ]
    return Report(root.text("title"), items=items)


@hookimpl
def register_formats():
    return [Format("tiny-list", "Tiny list", read, "report.html", (KEY,))]
'''

REPORT = """\
---
format: tiny-list
title: A tiny report
items:
  - text: Something to do
    rag: Green
---
"""


pytestmark = pytest.mark.usefixtures("forget_test_modules")


def tiny_site(make_site: SiteMaker, extra: dict[str, str] | None = None) -> Path:
    return make_site(
        {
            "content/tiny/_area.yml": "name: Tiny\n",
            "content/tiny/report.md": REPORT,
            **(extra or {}),
        }
    )


def install(folder: Path, monkeypatch: pytest.MonkeyPatch, name: str, module: str) -> None:
    """Make ``module`` (a file or package under ``folder``) look pip-installed as ``name``."""
    dist = folder / f"{name}-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{name} = {module}\n")
    monkeypatch.syspath_prepend(str(folder))
    importlib.invalidate_caches()


# --- a site whose own plugins are also installed, as this repository's root is -------


def test_installed_plugins_among_the_sites_own_are_loaded_once(tmp_path: Path) -> None:
    # The repository's root has the built-in plugins in plugins/, and installed. The
    # demo's copy here lists the seed areas' plugin folders of the repository instead:
    # the same situation, whatever else 'sendsite new-area' has added to plugins/.
    root = copy_demo(tmp_path / "site")
    folders = [REPO / "plugins" / f"sendsite_{area}" for area in DEMO_AREAS]
    with (root / "sendsite.yml").open("a", encoding="utf-8") as config_file:
        config_file.write("plugins:\n" + "".join(f"  - {json.dumps(str(f))}\n" for f in folders))
    config = load_config(root)
    assert [f.resolve() for f in folders] == config.plugin_paths()
    pm = make_plugin_manager(config=config)
    installed = {ep.name for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}
    assert set(DEMO_AREAS) <= installed
    assert set(pm.loaded) == installed | set(DEFAULT_PLUGINS)
    assert len(pm.get_plugins()) == len(installed) + len(DEFAULT_PLUGINS)
    for name in installed:
        assert pm.loaded[name].source == "entry point", name
    for name in DEMO_AREAS:
        assert pm.loaded[name].package == "sendsite", name
    assert not pm.failures
    formats = collect_formats(pm)  # two copies would claim each format twice
    assert formats["southend-highlight"][0] == "southend"

    result = run_cli("check", "--source", str(root))
    assert result.exit_code == 0, result.output


# --- finding and loading -------------------------------------------------------------


def test_a_plugin_file_in_the_plugins_folder_is_used(make_site: SiteMaker, tmp_path: Path) -> None:
    root = tiny_site(make_site, {"plugins/tiny.py": TINY})
    result = run_cli("build", "--source", str(root), "--output", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    page = (tmp_path / "out" / "tiny" / "report" / "index.html").read_text()
    assert 'id="m-1"' in page
    pm = make_plugin_manager(config=load_config(root), entry_points=False)
    info = pm.loaded["tiny"]
    assert (info.source, info.version, info.module) == ("local", "2.0", "tiny")


def test_a_plugin_package_with_relative_imports(make_site: SiteMaker, tmp_path: Path) -> None:
    reader, hooks = TINY.split("@hookimpl")
    root = tiny_site(
        make_site,
        {
            "plugins/sendsite_tiny/reader.py": reader,
            "plugins/sendsite_tiny/__init__.py": "from sendsite import Format, hookimpl\n"
            "from .reader import KEY, read\n\n@hookimpl" + hooks,
        },
    )
    pm = make_plugin_manager(config=load_config(root), entry_points=False)
    assert pm.loaded["tiny"].module == "sendsite_tiny"
    build(load_config(root), pm=pm, output=tmp_path / "out")
    assert (tmp_path / "out" / "tiny" / "report" / "index.html").is_file()


def test_plugins_listed_in_sendsite_yml(make_site: SiteMaker, tmp_path: Path) -> None:
    root = tiny_site(
        make_site,
        {"sendsite.yml": "plugins: [tools/tiny.py]\n", "tools/tiny.py": TINY, "plugins/x.py": "!"},
    )
    pm = make_plugin_manager(config=load_config(root), entry_points=False)
    assert "tiny" in pm.loaded and "x" not in pm.loaded  # the list replaces plugins/


def test_an_empty_list_loads_no_local_plugins(make_site: SiteMaker) -> None:
    root = tiny_site(make_site, {"sendsite.yml": "plugins: []\n", "plugins/tiny.py": TINY})
    pm = make_plugin_manager(config=load_config(root), entry_points=False)
    assert "tiny" not in pm.loaded


def test_a_listed_plugin_that_does_not_exist_names_the_option(make_site: SiteMaker) -> None:
    root = make_site({"sendsite.yml": "title: T\nplugins: [tools/nope.py]\n"})
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    assert "option 'plugins': there is no file or folder 'tools/nope.py'" in str(caught.value)
    assert caught.value.line == 2


def test_a_listed_file_that_is_not_python_is_refused(make_site: SiteMaker) -> None:
    root = make_site({"sendsite.yml": "plugins: [notes.txt]\n", "notes.txt": "hello\n"})
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    assert "'notes.txt' is not a Python file (name.py) or a folder" in str(caught.value)
    assert caught.value.file == root / "sendsite.yml" and caught.value.line == 1


def test_helpers_tests_and_private_files_are_not_plugins(make_site: SiteMaker) -> None:
    root = tiny_site(
        make_site,
        {
            "plugins/tiny.py": TINY,
            "plugins/_helpers.py": "raise SystemExit('never imported')\n",
            "plugins/test_tiny.py": "raise SystemExit('never imported')\n",
            "plugins/notes/readme.txt": "a folder without __init__.py is not a plugin\n",
        },
    )
    pm = make_plugin_manager(config=load_config(root), entry_points=False)
    assert sorted(pm.loaded) == sorted(["tiny", *DEFAULT_PLUGINS])


def test_disable_plugins_applies_to_local_plugins(make_site: SiteMaker) -> None:
    root = tiny_site(
        make_site, {"sendsite.yml": "disable_plugins: [tiny]\n", "plugins/tiny.py": TINY}
    )
    pm = make_plugin_manager(config=load_config(root), entry_points=False)
    assert "tiny" not in pm.loaded
    assert pm.disabled == ["tiny"]


# --- installed and local at once ---------------------------------------------------------


def test_installed_from_the_sites_own_folder_is_loaded_once(
    make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in this repository: the package an entry point names *is* the site's plugins/ copy.
    root = tiny_site(make_site, {"plugins/sendsite_tiny/__init__.py": TINY})
    install(root / "plugins", monkeypatch, "tiny", "sendsite_tiny")
    pm = make_plugin_manager(config=load_config(root))
    assert pm.loaded["tiny"].source == "entry point"
    assert pm.loaded["tiny"].entry_point == "tiny = sendsite_tiny"
    assert [p for p in pm.get_plugins() if getattr(p, "__name__", "") == "sendsite_tiny"]
    assert list(collect_formats(pm)).count("tiny-list") == 1


def test_a_local_plugin_overrides_an_installed_one_of_that_name(
    make_site: SiteMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "site-packages"
    (elsewhere / "sendsite_tiny").mkdir(parents=True)
    (elsewhere / "sendsite_tiny" / "__init__.py").write_text("raise SystemExit('not imported')\n")
    install(elsewhere, monkeypatch, "tiny", "sendsite_tiny")
    root = tiny_site(make_site, {"plugins/sendsite_tiny/__init__.py": TINY})
    pm = make_plugin_manager(config=load_config(root))
    info = pm.loaded["tiny"]
    assert info.source == "local"
    assert "used instead of the installed 'tiny = sendsite_tiny' (package tiny 1.0)" in info.note
    assert sys.modules["sendsite_tiny"].__file__ == str(root / "plugins/sendsite_tiny/__init__.py")


def test_two_local_plugins_with_one_name(make_site: SiteMaker) -> None:
    root = tiny_site(
        make_site, {"plugins/tiny.py": TINY, "plugins/sendsite_tiny/__init__.py": TINY}
    )
    with pytest.raises(PluginError, match="two local plugins have this name"):
        make_plugin_manager(config=load_config(root), entry_points=False)


def test_a_module_name_already_taken_is_refused(make_site: SiteMaker) -> None:
    root = make_site({"plugins/json.py": TINY})
    with pytest.raises(PluginError) as caught:
        make_plugin_manager(config=load_config(root), entry_points=False)
    assert "a module called 'json' is already imported" in str(caught.value)
    assert sys.modules["json"].__file__ != str(root / "plugins" / "json.py")


def test_a_plugin_named_as_a_built_in_one_is_refused_in_plain_words(make_site: SiteMaker) -> None:
    """pluggy's own message listed every plugin's module."""
    root = make_site({"plugins/sendsite_views/__init__.py": TINY})
    with pytest.raises(PluginError) as caught:
        make_plugin_manager(config=load_config(root), entry_points=False)
    assert str(caught.value).splitlines() == [
        "plugin 'views': another plugin is already called 'views' (built-in: "
        "sendsite.builtin.views)",
        "  How to fix: Rename this plugin (and its package, sendsite_<name>); 'views' and "
        "'changes' are sendsite's own.",
    ]


def test_a_name_python_cannot_import_is_explained(make_site: SiteMaker) -> None:
    root = make_site({"plugins/my-area/__init__.py": TINY})
    with pytest.raises(PluginError, match="'my-area' is not a Python module name"):
        make_plugin_manager(config=load_config(root), entry_points=False)


# --- mistakes in a local plugin ------------------------------------------------------------


def test_a_syntax_error_names_the_plugin_file_and_line(make_site: SiteMaker) -> None:
    root = make_site({"plugins/tiny.py": "from sendsite import hookimpl\n\ndef broken(:\n"})
    with pytest.raises(PluginError) as caught:
        make_plugin_manager(config=load_config(root), entry_points=False)
    message = str(caught.value)
    assert "plugin 'tiny': could not be loaded from" in message
    assert "SyntaxError" in message
    assert caught.value.file == root / "plugins" / "tiny.py"
    assert caught.value.line == 3


def test_an_error_while_importing_points_at_the_plugins_line(make_site: SiteMaker) -> None:
    root = make_site({"plugins/sendsite_tiny/__init__.py": "X = 1\nY = {}['missing']\n"})
    with pytest.raises(PluginError) as caught:
        make_plugin_manager(config=load_config(root), entry_points=False)
    assert "KeyError" in str(caught.value)
    assert (caught.value.file, caught.value.line) == (
        root / "plugins" / "sendsite_tiny" / "__init__.py",
        2,
    )
    assert "sendsite_tiny" not in sys.modules  # a half-imported module is not kept


def test_a_broken_local_plugin_does_not_stop_the_others_when_tolerant(
    make_site: SiteMaker,
) -> None:
    root = tiny_site(make_site, {"plugins/tiny.py": TINY, "plugins/bad.py": "import nowhere_\n"})
    pm = make_plugin_manager(config=load_config(root), entry_points=False, tolerant=True)
    assert "tiny" in pm.loaded
    [failure] = pm.failures
    assert failure.name == "bad" and "ModuleNotFoundError" in str(failure.error)


def test_an_edited_plugin_is_reloaded_by_the_next_manager(
    make_site: SiteMaker, tmp_path: Path
) -> None:
    root = tiny_site(make_site, {"plugins/tiny.py": TINY})
    first = make_plugin_manager(config=load_config(root), entry_points=False)
    again = make_plugin_manager(config=load_config(root), entry_points=False)
    assert first.get_plugin("tiny") is again.get_plugin("tiny")  # unchanged: reused
    save_later(root / "plugins" / "tiny.py", TINY.replace('"Tiny list"', '"Tiny list, v2"'))
    edited = make_plugin_manager(config=load_config(root), entry_points=False)
    assert collect_formats(edited)["tiny-list"][1].title == "Tiny list, v2"


def test_another_sites_copy_of_a_plugin_is_not_reused(make_site: SiteMaker, tmp_path: Path) -> None:
    one = tiny_site(make_site, {"plugins/tiny.py": TINY})
    other = tmp_path / "other"
    (other / "plugins").mkdir(parents=True)
    (other / "plugins" / "tiny.py").write_text(TINY.replace('"Tiny list"', '"Other list"'))
    make_plugin_manager(config=load_config(one), entry_points=False)
    pm = make_plugin_manager(config=load_config(other), entry_points=False)
    assert collect_formats(pm)["tiny-list"][1].title == "Other list"


def test_a_reader_bug_in_a_local_plugin_names_plugin_and_file(
    make_site: SiteMaker, tmp_path: Path
) -> None:
    crashing = TINY.replace("root = Fields.of(document)", "root = 1 / 0")
    root = tiny_site(make_site, {"plugins/tiny.py": crashing})
    with pytest.raises(BuildFailed) as caught:
        build(
            load_config(root),
            pm=make_plugin_manager(config=load_config(root)),
            output=tmp_path / "out",
        )
    [error] = caught.value.errors
    assert str(error).startswith("tiny/report.md: plugin 'tiny', hook 'register_formats (read)'")
    assert "ZeroDivisionError" in error.message


# --- build and serve find them by themselves -------------------------------------------


def test_build_without_a_manager_uses_the_sites_plugins(
    make_site: SiteMaker, tmp_path: Path
) -> None:
    root = tiny_site(make_site, {"plugins/tiny.py": TINY})
    build(load_config(root), output=tmp_path / "out")
    assert 'id="m-1"' in (tmp_path / "out" / "tiny" / "report" / "index.html").read_text()


@pytest.mark.parametrize("listed", [False, True], ids=["plugins-folder", "listed-file"])
def test_serve_picks_up_an_edited_local_plugin(make_site: SiteMaker, listed: bool) -> None:
    from sendsite.serve.server import PreviewServer

    from .test_serve import Rebuilds, get, wait_until

    plugin = "tools/tiny.py" if listed else "plugins/tiny.py"
    extra = {plugin: TINY} | ({"sendsite.yml": f"plugins: [{plugin}]\n"} if listed else {})
    root = tiny_site(make_site, extra)
    server = PreviewServer(root, "127.0.0.1", 0, log=lambda line: None)
    rebuilds = Rebuilds(server)
    server.start()
    try:
        assert "Something to do" in get(server, "/tiny/report/")[1]
        cache = (root / plugin).parent / "__pycache__"
        cache.mkdir(exist_ok=True)
        (cache / "tiny.cpython-311.pyc").write_bytes(b"written by Python on import")
        save_later(
            root / plugin,
            TINY.replace(
                'row.text("text", required=True)', 'row.text("text", required=True).upper()'
            ),
        )
        wait_until(lambda: "SOMETHING TO DO" in get(server, "/tiny/report/")[1], 3.0)
        # Every change before the edit has been rebuilt by now: the cache was not one.
        changed = {path for batch in rebuilds.until(root / plugin, 3.0) for path in batch}
        assert changed == {(root / plugin).resolve()}  # Python's byte-code cache is not a change
    finally:
        server.stop()


#: A plugin giving a file piece by piece (``sendsite.Streamed``).
NUMBERS = """
from sendsite import Streamed, hookimpl


@hookimpl
def register_files(site):
    def lines():
        for n in range(50_000):
            yield f"{n} of {len(site.reports)}\\n".encode()

    return {"data/numbers.txt": Streamed(lines)}
"""


@pytest.mark.parametrize("spooled", [False, True])
def test_a_plugin_can_give_a_big_file_piece_by_piece(
    make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch, spooled: bool
) -> None:
    from sendsite.build import spool

    if spooled:  # as a big site's build does: into the spool as made, then copied
        monkeypatch.setattr(spool, "SPOOL_PAGES", 1)
    root = tiny_site(make_site, {"plugins/tiny.py": TINY, "plugins/counting.py": NUMBERS})
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0, result.output
    expected = "".join(f"{n} of 1\n" for n in range(50_000))
    assert (root / "site" / "data" / "numbers.txt").read_text() == expected


def test_a_generator_is_not_a_file(make_site: SiteMaker) -> None:
    plugin = NUMBERS.replace("Streamed(lines)", "lines()")
    root = tiny_site(make_site, {"plugins/tiny.py": TINY, "plugins/counting.py": plugin})
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert (
        "plugin 'counting', hook 'register_files': returned a generator for 'data/numbers.txt' "
        "where bytes are due" in result.output
    )


#: A plugin whose templates, static files and status key live outside its own folder.
SHARED_FILES = """
from pathlib import Path, PurePosixPath

from sendsite import Fields, Format, Item, Page, Report, hookimpl
from sendsite.content.status import load_status_key

SHARED = Path(__file__).resolve().parent.parent / "shared"
KEY = load_status_key(SHARED / "key.yml")


def read(document):
    rag = Fields.of(document).status("rag", KEY)
    return Report("Board paper", items=[Item("milestone", "Agree the plan", "m-1", rag)])


@hookimpl
def register_formats():
    return [Format("board-paper", "Board paper", read, "report.html", (KEY,))]


@hookimpl
def register_template_dirs():
    return [SHARED / "templates"]


@hookimpl
def register_static_dirs():
    return {"board": SHARED / "static"}


@hookimpl
def register_pages(site):
    return [Page("board", PurePosixPath("papers", "index.html"), "board/list.html", "Papers")]
"""


def test_files_a_plugin_keeps_outside_its_folder_are_watched_by_the_build_cache(
    make_site: SiteMaker, tmp_path: Path
) -> None:
    key = "name: board-rag\ntitle: Board RAG\nentries:\n  - label: Green\n    level: on-track\n"
    root = make_site(
        {
            "plugins/board.py": SHARED_FILES,
            "shared/key.yml": key + "    meaning: First meaning\n",
            "shared/templates/board/list.html": (
                '{% extends "base.html" %}{% block content %}First list{% endblock %}'
            ),
            "shared/static/board.css": "/* first */\n",
            "content/board/_area.yml": "name: Board\n",
            "content/board/paper.md": "---\nformat: board-paper\nrag: Green\n---\n",
        }
    )

    def build(*options: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "sendsite", "build", "--source", str(root), *options]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    build()
    site = root / "site"
    assert "First list" in (site / "papers" / "index.html").read_text(encoding="utf-8")
    assert "First meaning" in (site / "board" / "paper" / "index.html").read_text(encoding="utf-8")
    for rel, old, new in [
        ("shared/templates/board/list.html", "First list", "Second list"),
        ("shared/key.yml", "First meaning", "Second meaning"),
        ("shared/static/board.css", "first", "second"),
    ]:
        path = root / rel
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    build()  # with the cache the first build left
    assert "Second list" in (site / "papers" / "index.html").read_text(encoding="utf-8")
    paper = (site / "board" / "paper" / "index.html").read_text(encoding="utf-8")
    assert "Second meaning" in paper and "First meaning" not in paper
    assert (site / "static" / "board" / "board.css").read_text() == "/* second */\n"
    build("--no-cache", "--output", str(tmp_path / "cold"))
    cold = tmp_path / "cold"
    files = sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(cold) for p in cold.rglob("*") if p.is_file())
    assert [f for f in files if (site / f).read_bytes() != (cold / f).read_bytes()] == []


def test_a_sites_template_extends_the_plugins_one_it_replaces(
    make_site: SiteMaker, tmp_path: Path
) -> None:
    own = TINY.replace(
        '"report.html", (KEY,))]',
        '"tiny/report.html", (KEY,))]\n\n\n@hookimpl\ndef register_template_dirs():\n'
        '    return [Path(__file__).parent / "tiny_templates"]\n',
    ).replace(
        '"""Tiny lists (``format: tiny-list``)."""', '"""Tiny lists."""\nfrom pathlib import Path'
    )
    plugin_page = (
        '{% extends "report.html" %}{% block report %}'
        "<p>The plugin's list</p>{% block extra %}{% endblock %}{% endblock %}"
    )
    root = tiny_site(
        make_site,
        {
            "plugins/tiny.py": own,
            "plugins/tiny_templates/tiny/report.html": plugin_page,
            "templates/tiny/report.html": (
                '{% extends "plugin:tiny/report.html" %}'
                "{% block extra %}<p>The site's own note</p>{% endblock %}"
            ),
        },
    )
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0, result.output
    page = (root / "site" / "tiny" / "report" / "index.html").read_text(encoding="utf-8")
    assert "The plugin's list" in page and "The site's own note" in page
    # Without the prefix the template would extend itself: a plain error, not a traceback.
    (root / "templates" / "tiny" / "report.html").write_text(
        '{% extends "tiny/report.html" %}', encoding="utf-8"
    )
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert "with 'tiny/report.html': a template extends itself" in result.output
    assert "'plugin:' for a plugin's" in result.output
    assert "Traceback" not in result.output
