"""Shared fixtures: the demo site (a copy, built once), small sites from text, and helpers
for reading the rows, sections and text of built pages."""

from __future__ import annotations

import html
import os
import re
import shutil
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sendsite.build.publish import build, read_site
from sendsite.build.site import Site
from sendsite.cli.commands import main
from sendsite.config import load_config
from sendsite.content.model import Report
from sendsite.plugins.manager import PluginManager, make_plugin_manager

from .browser import launch_browser

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "seeds"

#: ``make_site``: write ``{relative path: text}`` into a fresh site folder, return the folder.
SiteMaker = Callable[[dict[str, str]], Path]


#: The demo site's own areas: the five seed reports many tests are written from.
DEMO_AREAS = ("essex", "havering", "lancashire", "southend", "suffolk")
#: The demo's site-wide content files.
DEMO_FILES = ("_glossary.yml", "_topics.yml")


def copy_demo(dest: Path, source: Path = REPO) -> Path:
    """Copy the demo site as seeded from ``source`` into ``dest``; return ``dest``.

    The copy holds ``sendsite.yml``, the site-wide content files and the five
    seed areas only: an area added to the repository (``sendsite new-area``
    writes ``content/<area>/`` and ``plugins/sendsite_<area>/``), a plain page or
    a ``templates/`` folder there never changes what the tests see. The copy has
    no ``plugins/`` folder: the seed areas' plugins are the installed
    ``sendsite_*`` packages, which ``sendsite build`` loads for it through their
    entry points (see ``demo_plugins``).
    """
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / "sendsite.yml", dest / "sendsite.yml")
    content = source / "content"
    for name in DEMO_FILES:
        if (content / name).is_file():
            (dest / "content").mkdir(exist_ok=True)
            shutil.copyfile(content / name, dest / "content" / name)
    for area in DEMO_AREAS:
        shutil.copytree(content / area, dest / "content" / area)
    return dest


def demo_plugins(root: Path) -> PluginManager:
    """The plugins ``sendsite build`` loads for the site at ``root``."""
    return make_plugin_manager(config=load_config(root))


@pytest.fixture(scope="session")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo site's source (see ``copy_demo``), made once per test run.

    Tests must not change it: copy it again (``copy_demo``) to edit a demo.
    """
    return copy_demo(tmp_path_factory.mktemp("demo") / "src")


def build_demo(source: Path, output: Path) -> Path:
    """Build the site at ``source`` into ``output`` as ``sendsite build`` does."""
    build(load_config(source), pm=demo_plugins(source), output=output)
    return output


def read_demo(source: Path) -> Site:
    """Read the site at ``source`` (every area and report) with its plugins, writing nothing."""
    site, _ = read_site(load_config(source), demo_plugins(source))
    return site


@pytest.fixture(scope="session")
def demo_site(demo_source: Path) -> Path:
    """The demo site, built once per test run."""
    return build_demo(demo_source, demo_source.parent / "site")


@pytest.fixture(scope="session")
def demo(demo_source: Path) -> Site:
    """The demo site as read (every area and report), without writing it."""
    return read_demo(demo_source)


@pytest.fixture(scope="session")
def demo_reports(demo: Site) -> dict[str, Report]:
    """The demo's (single) report of each area, by area folder name."""
    return {entry.area.slug: entry.report for entry in demo.reports}


_INLINE = r"a|abbr|b|code|em|i|mark|small|span|strong|sub|sup|time|u|q|s|del|ins|kbd"


def fragment_text(fragment: str) -> str:
    """The visible text of some HTML as a reader sees it: inline tags leave no gap,
    block tags separate words; whitespace collapsed, entities decoded."""
    raw = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", fragment, flags=re.S)
    raw = re.sub(rf"</?(?:{_INLINE})\b[^>]*>", "", raw)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())


def page_text(path: Path) -> str:
    """The visible text of an HTML file."""
    return fragment_text(path.read_text(encoding="utf-8"))


def element_html(page: str, tag: str, anchor: str) -> str:
    """The inner HTML of the ``tag`` element with id ``anchor`` (nesting-aware)."""
    start = re.search(rf'<{tag}\b[^>]*\bid="{re.escape(anchor)}"[^>]*>', page)
    assert start, f"no <{tag}> #{anchor}"
    depth, pos = 1, start.end()
    for match in re.finditer(rf"<(/?){tag}\b[^>]*>", page[pos:]):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return page[pos : pos + match.start()]
    raise AssertionError(f"<{tag}> #{anchor} is never closed")


def element_text(page: str, tag: str, anchor: str) -> str:
    """The visible text of the ``tag`` element with id ``anchor``."""
    return fragment_text(element_html(page, tag, anchor))


def row_text(page: str, anchor: str) -> str:
    """The visible text of the table row with id ``anchor``."""
    return element_text(page, "tr", anchor)


def section_html(page: str, anchor: str) -> str:
    """The inner HTML of the ``<section>`` with id ``anchor`` (its subsections too)."""
    return element_html(page, "section", anchor)


def section_text(page: str, anchor: str) -> str:
    """The visible text of the ``<section>`` with id ``anchor`` (its subsections too)."""
    return element_text(page, "section", anchor)


def edited_copy(
    make_site: SiteMaker, source: Path, rel: str, old: str, new: str
) -> tuple[Path, int]:
    """A site holding ``source`` at ``rel`` with its first ``old`` replaced by ``new``.

    Returns the site folder and the line ``old`` started on (for error messages).
    """
    text = source.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {source.name}"
    line = text[: text.index(old)].count("\n") + 1
    return make_site({rel: text.replace(old, new, 1)}), line


def save_later(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` with a newer modification time than it had, as a save
    a moment later gives (a file system's clock can be too coarse to tell otherwise)."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns <= before:
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


def site_text(site: Path) -> str:
    """The visible text of every page of a built site, joined."""
    return "\n".join(page_text(p) for p in sorted(site.rglob("*.html")))


#: A tracker template that fails for any milestone whose text holds "BOOM".
FAILING_TRACKER = (
    '{% extends "default:tracker.html" %}{% block content %}'
    '{% for r in rows %}{% if "BOOM" in r.item.text %}{{ r.no_such.name }}{% endif %}'
    "{% endfor %}{{ super() }}{% endblock %}"
)


#: A small report in the built-in ``southend-highlight`` format, up to its body (13 lines).
SOUTHEND_FRONT = """\
---
format: southend-highlight
title: June report
meeting_date: 25th June 2021
priorities:
  - code: P1
    title: Plan quality
    milestones:
      - milestone: Handbook agreed
        completed_by: 31 st March 2021
        rag: Green
---
"""


@pytest.fixture
def make_site(tmp_path: Path) -> SiteMaker:
    """Write ``{relative path: text}`` into a fresh site folder and return the folder."""

    def make(files: dict[str, str]) -> Path:
        root = tmp_path / "src"
        for rel, text in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        (root / "content").mkdir(parents=True, exist_ok=True)
        return root

    return make


def forget_modules_from(folder: Path) -> None:
    """Drop the modules imported from ``folder`` (a test's own plugins), so that tests
    cannot see each other's."""
    for name, module in list(sys.modules.items()):
        if (getattr(module, "__file__", None) or "").startswith(str(folder)):
            del sys.modules[name]


@pytest.fixture
def forget_test_modules(tmp_path: Path) -> Iterator[None]:
    """``forget_modules_from`` the test's folder once it has run (``usefixtures``)."""
    yield
    forget_modules_from(tmp_path)


def run_cli(*args: str) -> Result:
    """Run the sendsite command line in-process."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A headless Chromium (skipped locally without one; required in CI)."""
    yield from launch_browser()
