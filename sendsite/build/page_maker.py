"""One page rendered to bytes: its template, links to content files, abbreviations marked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath

from sendsite.build.links import rewrite_content_links
from sendsite.build.pages import Page
from sendsite.build.reading import BuildFailed, Collector
from sendsite.content.glossary import AbbrMarker
from sendsite.errors import Problem

__all__ = ["PageMaker"]


class PageMaker:
    """Renders one page of a site to bytes: template, content links, abbreviations."""

    def __init__(
        self,
        render_one: Callable[[Page], str],
        targets: dict[PurePosixPath, PurePosixPath],
        marker: AbbrMarker,
        *,
        directory_urls: bool,
    ) -> None:
        self.render_one = render_one
        self.targets = targets
        self.marker = marker
        self.directory_urls = directory_urls

    def __call__(self, page: Page) -> tuple[bytes | None, list[Problem]]:
        """The page's bytes (None if it failed) and the problems found."""
        problems = Collector()
        html = problems.attempt(lambda: self.render_one(page))
        if html is None:
            return None, problems.errors
        if page.source is not None:
            html, link_problems = rewrite_content_links(
                html,
                page.source,
                page.path,
                self.targets,
                directory_urls=self.directory_urls,
            )
            problems.errors.extend(link_problems)
        return self.marker.mark(html).encode("utf-8"), problems.errors

    def now(self, page: Page) -> bytes:
        """The page's bytes, or ``BuildFailed`` (for a page made when first asked for)."""
        html, errors = self(page)
        if errors or html is None:
            raise BuildFailed(errors, [])
        return html
