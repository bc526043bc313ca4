"""Shared fixtures: building the demo site once, and building small sites from text."""

from __future__ import annotations

import functools
import html
import re
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sendsite.build import build, read_site
from sendsite.cli import main
from sendsite.config import load_config
from sendsite.model import Report
from sendsite.plugins import make_plugin_manager

from .browser import launch_browser

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own content/, built once per test run."""
    out = tmp_path_factory.mktemp("demo") / "site"
    build(load_config(REPO), output=out)
    return out


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


def row_text(page: str, anchor: str) -> str:
    """The visible text of the table row with id ``anchor``."""
    return fragment_text(element_html(page, "tr", anchor))


@functools.cache
def _demo_reports() -> dict[str, Report]:
    site, _ = read_site(load_config(REPO), make_plugin_manager())
    return {entry.area.slug: entry.report for entry in site.reports}


def demo_report(area: str) -> Report:
    """The (single) report of ``area`` in the repository's content, as its plugin read it."""
    return _demo_reports()[area]


def site_text(site: Path) -> str:
    """The visible text of every page of a built site, joined."""
    return "\n".join(page_text(p) for p in sorted(site.rglob("*.html")))


SiteMaker = Callable[[dict[str, str]], Path]

#: A tracker template that fails for any milestone whose text holds "BOOM".
FAILING_TRACKER = (
    '{% extends "default:tracker.html" %}{% block content %}'
    '{% for r in rows %}{% if "BOOM" in r.item.text %}{{ r.no_such.name }}{% endif %}'
    "{% endfor %}{{ super() }}{% endblock %}"
)


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


def run_cli(*args: str) -> Result:
    """Run the sendsite command line in-process."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A headless Chromium (skipped locally without one; required in CI)."""
    yield from launch_browser()
