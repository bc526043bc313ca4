"""One page rendered to bytes: its template, links to content files, abbreviations marked."""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import PurePosixPath

from sendsite.build.dead_links import LooseRef, same_page_refs
from sendsite.build.links import Resolved, rewrite_content_links
from sendsite.build.pages import Page, document_page
from sendsite.build.reading import BuildFailed, Collector
from sendsite.build.site import PlainPage, ReportEntry, Site
from sendsite.content.glossary import AbbrMarker
from sendsite.content.markdown import settle_content_ids
from sendsite.errors import Problem

__all__ = ["Made", "PageMaker", "first_pages"]

#: A page made: its bytes (None if it failed), the problems found, and its relative links
#: and images that name no content file nor a file the site was known to publish.
Made = tuple[bytes | None, list[Problem], list[LooseRef]]


class PageMaker:
    """Renders one page of a site to bytes: template, content links, abbreviations."""

    def __init__(
        self,
        render_one: Callable[[Page], str],
        targets: dict[PurePosixPath, PurePosixPath],
        marker: AbbrMarker,
        *,
        directory_urls: bool,
        published: Collection[str] = frozenset(),
    ) -> None:
        self.render_one = render_one
        self.targets = targets
        self.marker = marker
        self.directory_urls = directory_urls
        #: The site's files known before its pages are made (pages, attachments, static).
        self.published = published
        #: Where each reference on the pages made so far led (``rewrite_content_links``).
        self.known_links: dict[tuple[str, str, str, bool], Resolved] = {}

    def __call__(self, page: Page) -> Made:
        """The page's bytes (None if it failed), the problems found, its loose links."""
        problems = Collector()
        html = problems.attempt(lambda: self.render_one(page))
        if html is None:
            return None, problems.errors, []
        loose: list[LooseRef] = []
        if page.source is not None:
            html, link_problems, loose = rewrite_content_links(
                html,
                page.source,
                page.path,
                self.targets,
                directory_urls=self.directory_urls,
                published=self.published,
                known=self.known_links,
            )
            problems.errors.extend(link_problems)
        html = settle_content_ids(html)
        document = page.source
        if document is not None and document.links_within:
            loose += same_page_refs(html, document.relpath, page.path, loose)
        return self.marker.mark(html).encode("utf-8"), problems.errors, loose

    def now(self, page: Page) -> bytes:
        """The page's bytes, or ``BuildFailed`` (for a page made when first asked for)."""
        html, errors, _ = self(page)
        if errors or html is None:
            raise BuildFailed(errors, [])
        return html


def first_pages(
    site: Site, items: list[ReportEntry | PlainPage], make: PageMaker
) -> dict[PurePosixPath, bytes]:
    """The pages of ``items`` (the documents just saved), made before the rest of the
    site is; nothing if one of them has no page of its own or fails (the full render
    reports why)."""
    made: dict[PurePosixPath, bytes] = {}
    for item in items:
        page = document_page(site, item)
        if page is None:
            return {}
        html, errors, _ = make(page)
        if html is None or errors:
            return {}
        made[page.path] = html
    return made
