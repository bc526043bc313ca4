"""A plugin that hands back, or leaves, something of the wrong shape is named in a plain
error, at the hook, never a traceback from far away or a site silently wrong."""

from __future__ import annotations

import json
import textwrap

import pytest

from .conftest import SiteMaker, run_cli
from .test_local_plugins import REPORT, TINY

HEAD = (
    "from pathlib import Path, PurePosixPath\n"
    "from sendsite import *\n"
    "from sendsite import Streamed\n"
)


pytestmark = pytest.mark.usefixtures("forget_test_modules")


def _build(make_site: SiteMaker, plugins: dict[str, str], extra: dict[str, str] | None = None):
    files = {
        "content/tiny/_area.yml": "name: Tiny\n",
        "content/tiny/report.md": REPORT,
        "plugins/tiny.py": TINY,
        **{f"plugins/{name}.py": HEAD + textwrap.dedent(code) for name, code in plugins.items()},
        **(extra or {}),
    }
    root = make_site(files)
    return root, run_cli("build", "--source", str(root))


# --- what a reader returns ---------------------------------------------------------


READER = """
KEY = StatusKey("odd-rag", "Odd RAG", (KeyEntry("Green", Level.ON_TRACK),))

def read(document):
    return Report({report})

@hookimpl
def register_formats():
    return [Format("odd-list", "Odd list", read, "report.html", (KEY,))]
"""


@pytest.mark.parametrize(
    ("report", "said"),
    [
        ('"Odd", items=["Recruit two coordinators"]', "report.items[0] as text, where Item is due"),
        ('"Odd", date="28 March 2024"', "report.date as text, where DueDate or None is due"),
        (
            '"Odd", items=[Item("milestone", "x", "m-1", None)]',
            "report.items[0].status as None, where Status is due",
        ),
        ('"Odd", summary=[("Lead",)]', "report.summary[0] as a tuple, where a (label, value)"),
        ("42", "report.title as an int, where str is due"),
        (
            '"Odd", items=[Item("milestone", "x", "Row 1", KEY.blank_status)]',
            "report.items[0].anchor 'Row 1', which is not lower-case letters, digits and hyphens",
        ),
        (
            '"Odd", sections=[Section("m-1", "One")], items=[Item("milestone", "x", "m-1", '
            "KEY.blank_status)]",
            "report.items[0].anchor 'm-1', the anchor of report.sections[0] too",
        ),
    ],
)
def test_a_report_of_the_wrong_shape_names_the_reader(
    make_site: SiteMaker, report: str, said: str
) -> None:
    root, result = _build(
        make_site,
        {"odd": READER.format(report=report)},
        {
            "content/odd/_area.yml": "name: Odd\n",
            "content/odd/r.md": "---\nformat: odd-list\n---\n",
        },
    )
    assert result.exit_code == 1
    assert "odd/r.md: error: plugin 'odd', hook 'register_formats (read)': the reader for " in (
        result.output
    )
    assert f"format 'odd-list' returned a Report with {said}" in result.output
    assert "Traceback" not in result.output
    assert not (root / "site").exists()


# --- what a hook leaves in what it was given to change ------------------------------


@pytest.mark.parametrize(
    ("code", "said"),
    [
        (
            "@hookimpl\ndef prepare_report(report):\n    report.items.append('x')\n",
            "hook 'prepare_report': left report.items[1] as text, where Item is due",
        ),
        (
            "@hookimpl\ndef prepare_report(report):\n    report.title = 42\n",
            "hook 'prepare_report': left report.title as an int",
        ),
        (
            "@hookimpl\ndef prepare_search_records(records):\n    records.append({'url': 'x'})\n",
            "hook 'prepare_search_records': left records[",
        ),
        (
            "@hookimpl\ndef register_glossary_terms():\n    return [GlossaryTerm('SEND', 5)]\n",
            "hook 'register_glossary_terms': returned terms[0].expansion as an int",
        ),
    ],
)
def test_a_model_object_left_wrong_names_the_plugin(
    make_site: SiteMaker, code: str, said: str
) -> None:
    _, result = _build(make_site, {"meddler": code})
    assert result.exit_code == 1
    assert f"plugin 'meddler', {said}" in result.output
    assert "Traceback" not in result.output


# --- files and pages -----------------------------------------------------------------


def _files(value: str) -> str:
    return f"@hookimpl\ndef register_files(site):\n    return {value}\n"


def _pages(path: str) -> str:
    return (
        "@hookimpl\ndef register_pages(site):\n"
        f"    return [Page('board', {path}, 'base.html', 'Board papers')]\n"
    )


@pytest.mark.parametrize(
    ("code", "said"),
    [
        (
            "def gen():\n    yield b'a'\n" + _files("{'data/g.txt': Streamed(gen())}"),
            "a Streamed for 'data/g.txt' given a generator, not a function that makes the "
            "pieces: write Streamed(make), not Streamed(make())",
        ),
        (
            "def gen():\n    yield b'a'\n    raise KeyError('boom')\n"
            + _files("{'data/g.txt': Streamed(gen)}"),
            "making 'data/g.txt' (a Streamed file) raised KeyError: 'boom'",
        ),
        (
            "def gen():\n    yield 'text'\n" + _files("{'data/g.txt': Streamed(gen)}"),
            "making 'data/g.txt' (a Streamed file) raised TypeError: gave str where bytes",
        ),
        (_files("{'data\\\\win.txt': b'x'}"), "which holds a backslash"),
        (_files("{'pagefind/pagefind.js': b'x'}"), "which is the search index (pagefind/)"),
        (_pages("'board/index.html'"), "the page 'Board papers' with its path as text"),
        (_pages("PurePosixPath('board-papers')"), "which names no file"),
        (_pages("PurePosixPath('../x/index.html')"), "which is not a file's place inside"),
        (
            "@hookimpl\ndef register_static_dirs():\n    return {'.': Path(__file__).parent}\n",
            "the name '.', which is not one folder's name (static/<name>/)",
        ),
        (
            "@hookimpl\ndef extra_template_vars():\n    return {'url': 'x', 'page': 1}\n",
            "returned the template variable 'page', 'url', which sendsite sets itself",
        ),
    ],
)
def test_a_file_or_page_of_the_wrong_shape_names_the_plugin(
    make_site: SiteMaker, code: str, said: str
) -> None:
    root, result = _build(make_site, {"maker": code})
    assert result.exit_code == 1
    assert "plugin 'maker', hook '" in result.output
    assert said in result.output
    assert "Traceback" not in result.output
    assert not (root / "site").exists()


def test_two_plugins_giving_one_file_or_static_folder_are_named(make_site: SiteMaker) -> None:
    files = _files("{'data/shared.json': b'{}'}")
    _, result = _build(make_site, {"first": files, "second": files})
    assert result.exit_code == 1
    said = "hook 'register_files': gives the file 'data/shared.json', which plugin '"
    assert said in result.output
    assert "'first'" in result.output and "'second'" in result.output

    static = "@hookimpl\ndef register_static_dirs():\n    return {'board': Path(__file__).parent}\n"
    _, result = _build(make_site, {"first": static, "second": static})
    assert result.exit_code == 1
    said = "hook 'register_static_dirs': publishes its static files in 'static/board/', as plugin"
    assert said in result.output
    assert "'first'" in result.output and "'second'" in result.output


def test_a_format_that_is_not_a_format_is_named(make_site: SiteMaker) -> None:
    code = TINY.replace(
        "@hookimpl\ndef register_formats():\n    return [Format(", "FORMAT = [Format("
    ).replace("(KEY,))]\n", "(KEY,))]\nFORMAT = FORMAT\n")
    root = make_site(
        {
            "content/tiny/_area.yml": "name: Tiny\n",
            "content/tiny/report.md": REPORT,
            "plugins/tiny.py": code,
        }
    )
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert "plugin 'tiny': its FORMAT is list, not a Format, so it reads no reports" in (
        result.output
    )


def test_a_value_returned_from_a_hook_that_changes_in_place_is_refused(
    make_site: SiteMaker,
) -> None:
    code = "@hookimpl\ndef prepare_report(report):\n    return 'a new title'\n"
    _, result = _build(make_site, {"returner": code})
    assert result.exit_code == 1
    assert "plugin 'returner', hook 'prepare_report': returned text, which sendsite does not " in (
        result.output
    )


def test_a_schema_reference_to_nothing_names_the_file(make_site: SiteMaker) -> None:
    package = {
        "plugins/sendsite_odd/__init__.py": TINY.replace(
            "@hookimpl\ndef register_formats():\n    return [", "FORMAT = ("
        ).replace('"report.html", (KEY,))]', '"report.html", (KEY,)))'),
        "plugins/sendsite_odd/schema.json": (
            '{"properties": {"items": {"$ref": "#/definitions/txt"}}}'
        ),
    }
    root = make_site(
        {"content/tiny/_area.yml": "name: Tiny\n", "content/tiny/report.md": REPORT, **package}
    )
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    schema = root / "plugins" / "sendsite_odd" / "schema.json"
    assert f"{schema}: the schema refers to '#/definitions/txt', which is not a definition" in (
        result.output
    )


def test_what_a_plugin_prints_stays_out_of_a_printed_schema(make_site: SiteMaker) -> None:
    chatty = "@hookimpl\ndef register_formats():\n    print('hello from chatty')\n"
    root, _ = _build(make_site, {"chatty": chatty})
    result = run_cli("schema", "tiny-list", "--source", str(root))
    assert result.exit_code == 0
    assert result.stdout.startswith("{")
    assert json.loads(result.stdout)["properties"]["format"]["const"] == "tiny-list"
    assert "hello from chatty" in result.stderr


def test_two_plugins_keys_of_one_name_and_other_words_are_named(make_site: SiteMaker) -> None:
    other = """
KEY = StatusKey("tiny-rag", "Other RAG", (KeyEntry("Red", Level.SIGNIFICANT_DEVIATION),))

def read(document):
    return Report("Other")

@hookimpl
def register_formats():
    return [Format("other-list", "Other list", read, "report.html", (KEY,))]
"""
    _, result = _build(make_site, {"other": other})
    assert result.exit_code == 1
    assert "has a status key named 'tiny-rag', as plugin '" in result.output
    assert "Name each area's key after the area" in result.output


def test_a_key_fact_given_as_a_number_is_shown(make_site: SiteMaker) -> None:
    root, result = _build(
        make_site,
        {"odd": READER.format(report='"Odd", summary=[("Items", 3), ("Share", 0.5)]')},
        {
            "content/odd/_area.yml": "name: Odd\n",
            "content/odd/r.md": "---\nformat: odd-list\n---\n",
        },
    )
    assert result.exit_code == 0, result.output
    page = (root / "site" / "odd" / "r" / "index.html").read_text(encoding="utf-8")
    assert "Items" in page and ">3<" in page


def test_a_template_variable_two_plugins_give_names_the_other(make_site: SiteMaker) -> None:
    extra = "@hookimpl\ndef extra_template_vars():\n    return {'feedback_address': 'x'}\n"
    _, result = _build(make_site, {"first": extra, "second": extra})
    assert result.exit_code == 1
    said = "returned the template variable 'feedback_address', which plugin '"
    assert said in result.output and "' gives too" in result.output
    assert "sendsite sets itself" not in result.output
    assert result.output.count(said) == 1  # said once, not once a page
    assert "Stopped: 1 error." in result.output


def test_a_template_variable_the_views_plugin_gives_names_it(make_site: SiteMaker) -> None:
    search = "@hookimpl\ndef extra_template_vars():\n    return {'search_page': 'x'}\n"
    _, result = _build(make_site, {"mine": search})
    assert result.exit_code == 1
    assert "'search_page', which plugin '" in result.output
    assert "sendsite sets itself" not in result.output
