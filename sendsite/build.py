"""The build pipeline: load, read, link, render, write.

    content/ --load--> Documents --read (format plugin)--> Reports
             --link--> Site --render (Jinja2)--> pages --write (atomic)--> site/

Everything is read before anything is written, and the output folder is
replaced only when the whole build has succeeded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path, PurePosixPath
from typing import TypeVar

import jinja2

from .config import SiteConfig
from .content import Area, Document, discover, load_area, load_document
from .errors import ContentError, PluginError, Problem, SendsiteError
from .links import rewrite_content_links
from .markdown import render_markdown
from .model import Format, GlossaryTerm, Report
from .pages import Page, site_pages
from .plugins import PluginManager, call_each, make_plugin_manager
from .render import make_environment, render_page
from .site import (
    PlainPage,
    ReportEntry,
    Site,
    duplicate_outputs,
    link_site,
    page_path,
    report_path,
)
from .writer import write_site

__all__ = [
    "BuildFailed",
    "BuildResult",
    "StrictWarnings",
    "build",
    "check_site",
    "collect_formats",
    "read_site",
]

T = TypeVar("T")


@dataclass
class BuildResult:
    """What a build produced, for the CLI's one-line summary."""

    output: Path
    pages: int
    files: int
    seconds: float
    warnings: list[Problem] = field(default_factory=list)


class StrictWarnings(SendsiteError):
    """Raised by a ``--strict`` build that found warnings; nothing was written."""

    def __init__(self, warnings: list[Problem]) -> None:
        self.warnings = warnings
        super().__init__(f"{len(warnings)} warning(s), and --strict turns warnings into errors")


def collect_formats(pm: PluginManager) -> dict[str, tuple[str, Format]]:
    """Every format the plugins provide, by name, with the plugin providing it."""
    formats: dict[str, tuple[str, Format]] = {}
    for plugin, provided in call_each(pm, "register_formats"):
        for fmt in provided:
            if fmt.name in formats:
                raise PluginError(
                    f"format '{fmt.name}' is also provided by plugin '{formats[fmt.name][0]}'",
                    plugin=plugin,
                    hook="register_formats",
                    fix="Disable one of the two plugins in sendsite.yml (disable_plugins).",
                )
            formats[fmt.name] = (plugin, fmt)
    return formats


def _read_report(
    pm: PluginManager, formats: dict[str, tuple[str, Format]], doc: Document, area: Area
) -> ReportEntry:
    name = doc.format or ""
    if name not in formats:
        known = ", ".join(sorted(formats)) or "none (no format plugin is installed)"
        close = get_close_matches(name, list(formats), n=1)
        raise doc.error(
            f"unknown format '{name}'",
            "format",
            fix=(f"Did you mean '{close[0]}'? " if close else "") + f"Installed formats: {known}.",
            value=True,
        )
    plugin, fmt = formats[name]
    report = _call_reader(plugin, fmt, doc)
    call_each(pm, "prepare_report", report=report, document=doc, area=area, file=doc.relpath)
    return ReportEntry(doc, fmt, report, area, report_path(area, doc))


def _call_reader(plugin: str, fmt: Format, doc: Document) -> Report:
    try:
        report = fmt.read(doc)
    except (ContentError, PluginError):
        raise
    except Exception as exc:
        raise PluginError(
            f"raised {type(exc).__name__} while reading format '{fmt.name}': {exc}",
            plugin=plugin,
            hook="register_formats (read)",
            file=doc.relpath,
            fix="This is a bug in the plugin, not necessarily in your content: report it "
            "to the plugin's authors (run with --verbose for the traceback).",
        ) from exc
    if not isinstance(report, Report):
        raise PluginError(
            f"the reader for format '{fmt.name}' returned {type(report).__name__}, not a Report",
            plugin=plugin,
            hook="register_formats (read)",
            file=doc.relpath,
        )
    return report


def _plain_page(doc: Document, area: Area | None) -> PlainPage:
    title = doc.front.get("title")
    if not isinstance(title, str) or not title.strip():
        title = doc.relpath.stem.replace("-", " ").replace("_", " ").capitalize()
    return PlainPage(doc, title.strip(), render_markdown(doc.body), area, page_path(doc))


MAX_ERRORS = 50


class BuildFailed(SendsiteError):
    """The content has errors; every one found is in ``errors``. Nothing was written."""

    def __init__(self, errors: list[Problem], warnings: list[Problem]) -> None:
        self.errors = errors
        self.warnings = warnings
        super().__init__(f"{len(errors)} error(s) found")


class _Collector:
    """Gathers problems from independent steps, so one run reports them all."""

    def __init__(self) -> None:
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def attempt(self, step: Callable[[], T]) -> T | None:
        """Run ``step``; record its error and return None if it fails."""
        if len(self.errors) >= MAX_ERRORS:
            return None
        try:
            return step()
        except SendsiteError as exc:
            exc.problem.cause = exc.__cause__
            self.errors.append(exc.problem)
            return None

    def raise_if_failed(self) -> None:
        if self.errors:
            raise BuildFailed(self.errors, self.warnings)


def _read_document(
    pm: PluginManager,
    formats: dict[str, tuple[str, Format]],
    areas: dict[str, Area],
    path: Path,
    rel: PurePosixPath,
) -> tuple[ReportEntry | PlainPage, list[Problem]]:
    doc = load_document(path, rel)
    doc.check_slug()
    area = None
    if doc.area is not None:
        area = areas.get(doc.area) or Area(slug=doc.area, name=doc.area.replace("-", " ").title())
    if doc.format is None:
        return _plain_page(doc, area), doc.warnings
    if area is None:
        raise doc.error(
            "a report must sit in its area's folder",
            "format",
            fix=f"Move it to content/<area>/{rel.name}, e.g. content/northshire/{rel.name}.",
        )
    return _read_report(pm, formats, doc, area), doc.warnings


def read_site(config: SiteConfig, pm: PluginManager) -> tuple[Site, list[Problem]]:
    """Load and read every content file, then link them into a ``Site``.

    Every file is checked even when an earlier one fails; if any failed,
    ``BuildFailed`` carries all the errors (up to ``MAX_ERRORS``).
    """
    problems = _Collector()
    formats = collect_formats(pm)
    tree = discover(config.content_path)
    areas: dict[str, Area] = {}
    for path, rel in tree.areas:
        area = problems.attempt(lambda path=path, rel=rel: load_area(path, rel))
        if area is not None:
            areas[area.slug] = area
    reports: list[ReportEntry] = []
    pages: list[PlainPage] = []
    for path, rel in tree.documents:
        result = problems.attempt(
            lambda path=path, rel=rel: _read_document(pm, formats, areas, path, rel)
        )
        if result is None:
            continue
        item, warnings = result
        problems.warnings.extend(warnings)
        if isinstance(item, ReportEntry):
            reports.append(item)
        else:
            pages.append(item)
        if item.area is not None:
            areas.setdefault(item.area.slug, item.area)
    glossary = [t for _, terms in call_each(pm, "register_glossary_terms") for t in terms]
    for entry in reports:
        glossary.extend(entry.report.glossary)
    problems.errors.extend(duplicate_outputs([*reports, *pages]))
    problems.raise_if_failed()
    site = link_site(config, areas, reports, pages, _dedupe_terms(glossary), tree.assets)
    return site, problems.warnings


def _dedupe_terms(terms: list[GlossaryTerm]) -> list[GlossaryTerm]:
    seen: dict[tuple[str, str], GlossaryTerm] = {}
    for term in terms:
        seen.setdefault((term.term.casefold(), term.expansion.casefold()), term)
    return sorted(seen.values(), key=lambda t: (t.term.casefold(), t.expansion.casefold()))


def render_site(config: SiteConfig, pm: PluginManager, site: Site) -> dict[PurePosixPath, bytes]:
    """Render every page to bytes, keyed by output path.

    Links to ``.md`` files become links to their pages; any problem on any
    page is collected and raised together as ``BuildFailed``.
    """
    problems = _Collector()
    template_dirs = [Path(d) for _, dirs in call_each(pm, "register_template_dirs") for d in dirs]
    env = make_environment(config.theme_path() / "templates", template_dirs, config.templates_path)
    targets = {item.document.relpath: item.path for item in [*site.reports, *site.all_pages]}
    out: dict[PurePosixPath, bytes] = {}
    for page in site_pages(site):
        html = problems.attempt(lambda page=page: _render_one(config, pm, env, site, page))
        if html is None:
            continue
        if page.source is not None:
            html, link_problems = rewrite_content_links(
                html, page.source, page.path, targets, directory_urls=config.directory_urls
            )
            problems.errors.extend(link_problems)
        out[page.path] = html.encode("utf-8")
    problems.raise_if_failed()
    return out


def _render_one(
    config: SiteConfig, pm: PluginManager, env: jinja2.Environment, site: Site, page: Page
) -> str:
    context = {"site": site, "config": config, "page": page, **page.context}
    file = page.source.relpath if page.source else None
    for _, extra in call_each(
        pm, "extra_template_vars", template=page.template, page=page, file=file
    ):
        context.update(extra)
    return render_page(env, page.template, page.path, context, directory_urls=config.directory_urls)


@dataclass
class Checked:
    """A site read and rendered in memory: what ``check`` verifies and ``build`` writes."""

    site: Site
    files: dict[PurePosixPath, bytes | Path]
    pages: int
    warnings: list[Problem]


def check_site(config: SiteConfig, pm: PluginManager, *, strict: bool = False) -> Checked:
    """Read, link and render everything without writing; raise on any error.

    Raises ``BuildFailed`` with every error found, or ``StrictWarnings`` when
    ``strict`` and there are warnings.
    """
    site, warnings = read_site(config, pm)
    try:
        pages = render_site(config, pm, site)
    except BuildFailed as failed:
        raise BuildFailed(failed.errors, warnings) from None
    if strict and warnings:
        raise StrictWarnings(warnings)
    files: dict[PurePosixPath, bytes | Path] = dict(static_files(config, pm))
    for path, rel in site.assets:
        files[rel] = path
    files.update(pages)
    return Checked(site, files, len(pages), warnings)


def static_files(config: SiteConfig, pm: PluginManager) -> dict[PurePosixPath, Path]:
    """The theme's static files and each plugin's, by output path."""
    files: dict[PurePosixPath, Path] = {}
    sources = [(PurePosixPath("static"), config.theme_path() / "static")]
    for _, dirs in call_each(pm, "register_static_dirs"):
        for name, folder in sorted(dirs.items()):
            sources.append((PurePosixPath("static", name), Path(folder)))
    for prefix, folder in sources:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                files[prefix / PurePosixPath(path.relative_to(folder).as_posix())] = path
    return files


def build(
    config: SiteConfig,
    *,
    pm: PluginManager | None = None,
    output: Path | None = None,
    strict: bool = False,
) -> BuildResult:
    """Check the whole site, then write it into ``output`` (default: the config's).

    Nothing is written unless every check passes (with ``strict``, warnings
    count too); the previous output is replaced only when the new one is whole.
    """
    started = time.perf_counter()
    if pm is None:
        pm = make_plugin_manager(disabled=config.disable_plugins)
    checked = check_site(config, pm, strict=strict)
    target = output or config.output_path
    write_site(target, checked.files)
    return BuildResult(
        target, checked.pages, len(checked.files), time.perf_counter() - started, checked.warnings
    )
