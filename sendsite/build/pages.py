"""The pages a site has, each with its template, output path and context.

Navigation is home, area index, breadcrumbs and the report's own contents:
no page lists every report, so output grows linearly with the content.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from sendsite.build.site import AreaEntry, PlainPage, ReportEntry, Site
from sendsite.content.documents import Document

__all__ = ["LazyContext", "Page", "document_page", "gathers", "site_pages"]

HOME = "index.html"


@dataclass
class Page:
    """One page to render: what it is, where it goes and what it shows."""

    kind: str
    path: PurePosixPath
    template: str
    title: str
    breadcrumbs: list[tuple[str, str]] = field(default_factory=list)
    #: What the template shows; a ``LazyContext`` is worked out when the page is rendered.
    context: Mapping[str, Any] = field(default_factory=dict)
    #: The content file the page shows, if any (links in it are checked).
    source: Document | None = None
    #: A label to list the page in every page's navigation under.
    menu: str | None = None
    #: The areas (slugs) whose reports the page shows, so ``sendsite serve`` need
    #: not re-render it when another area's report changes; ``None``: any area.
    areas: frozenset[str] | None = None


def gathers(page: Page) -> bool:
    """Whether ``page`` shows many documents (a tracker, an area's index), not one of its
    own. A build renders these in its own process: a forked worker reading every report
    would come to hold a copy of the memory they sit on (see ``parallel.map_forked``)."""
    return page.source is None


class LazyContext(Mapping[str, Any]):
    """A page's context worked out only when it is first needed: a page that the
    preview leaves to be made when asked for costs nothing until then."""

    def __init__(self, make: Callable[[], dict[str, Any]]) -> None:
        self._make: Callable[[], dict[str, Any]] | None = make
        self._values: dict[str, Any] = {}

    def _get(self) -> dict[str, Any]:
        if self._make is not None:
            self._values, self._make = self._make(), None
        return self._values

    def __getitem__(self, key: str) -> Any:
        return self._get()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


def site_pages(site: Site) -> Iterator[Page]:
    """Every page of the site, in a stable order."""
    kept: dict[int, tuple[Any, Any, Page]] = site.memo.get("site_pages", {})
    made: dict[int, tuple[Any, Any, Page]] = {}
    site.memo["site_pages"] = made
    yield Page(
        "home",
        PurePosixPath(HOME),
        "home.html",
        site.config.title,
        context={"intro": site.home},
        source=site.home.document if site.home else None,
    )
    for area_entry in site.areas:
        area_crumbs = [("Home", HOME)]
        yield Page(
            "area",
            area_entry.path,
            "area.html",
            area_entry.title,
            breadcrumbs=area_crumbs,
            context={"area": area_entry},
            areas=frozenset({area_entry.area.slug}),
        )
        crumbs = _area_crumbs(area_entry)
        for entry in area_entry.reports:
            # The same report in the same area gives the same page (see ``build.memo``).
            was = kept.get(id(entry))
            if (
                was is None
                or was[0] is not entry
                or was[1] is not area_entry
                or bool(was[2].areas) != entry.in_series
            ):
                was = (entry, area_entry, _report_page(entry, area_entry, crumbs))
            made[id(entry)] = was
            yield was[2]
        for plain in area_entry.pages:
            yield _plain_page(plain, area_entry)
    for plain in site.pages:
        yield _plain_page(plain, None)
    yield Page(
        "not-found", PurePosixPath("404.html"), "404.html", "Page not found", areas=frozenset()
    )


def document_page(site: Site, item: ReportEntry | PlainPage) -> Page | None:
    """The page of one report or plain page of ``site``, as ``site_pages`` makes it (None
    for the home page's text): the preview renders a saved report's page with this
    before the rest of the site."""
    if item is site.home:
        return None
    slug = item.area.slug if item.area is not None else None
    area_entry = next((a for a in site.areas if a.area.slug == slug), None)
    if slug is not None and area_entry is None:
        return None
    if isinstance(item, PlainPage):
        return _plain_page(item, area_entry)
    return _report_page(item, area_entry, _area_crumbs(area_entry)) if area_entry else None


def _area_crumbs(area_entry: AreaEntry) -> list[tuple[str, str]]:
    return [("Home", HOME), (area_entry.title, str(area_entry.path))]


def _plain_page(plain: PlainPage, area_entry: AreaEntry | None) -> Page:
    context: dict[str, Any]
    if area_entry is None:
        crumbs, context = [("Home", HOME)], {"plain": plain}
    else:
        crumbs, context = _area_crumbs(area_entry), {"plain": plain, "area": area_entry}
    return Page(
        "page",
        plain.path,
        "page.html",
        plain.title,
        breadcrumbs=crumbs,
        context=context,
        source=plain.document,
    )


def _report_page(entry: ReportEntry, area_entry: AreaEntry, crumbs: list[tuple[str, str]]) -> Page:
    return Page(
        "report",
        entry.path,
        entry.format.template,
        entry.title,
        breadcrumbs=crumbs,
        context={
            "entry": entry,
            "report": entry.report,
            "model": entry.report.model,
            "area": area_entry,
            "status_keys": entry.status_keys,
        },
        source=entry.document,
        # A report in a series shows its neighbours' changes too.
        areas=frozenset({area_entry.area.slug}) if entry.in_series else None,
    )
