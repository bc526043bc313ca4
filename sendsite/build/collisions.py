"""One address, one source: nothing in the site may silently replace something else.

Every output path is claimed by what makes it — a theme or plugin file, a
generated file, a page, an attachment — and a path claimed twice is an error
naming both, at the content file where there is one. Paths the build writes
after the pages (the search index, the output marker) are reserved.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from sendsite.errors import ContentError, Problem

if TYPE_CHECKING:
    from sendsite.build.pages import Page

__all__ = [
    "RESERVED",
    "SEARCH_INDEX",
    "SEARCH_PAGE",
    "Claim",
    "ClaimMemo",
    "collisions",
    "page_claim",
    "reserved_for",
    "site_collisions",
]

#: The page whose presence means the site gets a search index: ``SEARCH_INDEX``'s folders.
SEARCH_PAGE = PurePosixPath("search", "index.html")
#: The folders of the search index (the index, the word lists), written after the pages.
SEARCH_INDEX = ("pagefind", "search/words")
#: Folders and files the build writes itself once the pages are written.
RESERVED: dict[str, str] = {
    "pagefind": "the search index (pagefind/)",
    "search/words": "the search word lists (search/words/)",
    ".sendsite-output": "the marker sendsite leaves in every site it builds",
    ".sendsite": "the preview server's own addresses (.sendsite/)",
}


@dataclass(frozen=True)
class Claim:
    """An output path and what makes it; ``file`` is the content file, if any."""

    path: PurePosixPath
    what: str
    file: PurePosixPath | None = None


def _shown(path: PurePosixPath) -> str:
    return f"{path.parent}/" if path.name == "index.html" else str(path)


def reserved_for(path: PurePosixPath) -> str | None:
    """What the build itself writes at ``path`` (see ``RESERVED``), if anything."""
    text = str(path)
    for prefix, what in RESERVED.items():
        if text == prefix or text.startswith(prefix + "/"):
            return what
    return None


def collisions(claims: Iterable[Claim]) -> list[Problem]:
    """A problem for every path claimed twice, or by content where the build writes itself.

    Give the claims made by the theme, plugins and generator first and those of
    content files last, so each problem names the content file to change.
    """
    problems = []
    seen: dict[PurePosixPath, Claim] = {}
    for claim in claims:
        first = seen.setdefault(claim.path, claim)
        reserved = reserved_for(claim.path)
        if first is claim and reserved is None:
            continue
        other = reserved or first.what
        file = claim.file or first.file
        problems.append(
            ContentError(
                f"{claim.what} would be published at '{_shown(claim.path)}', "
                f"which is already {other}",
                file=file,
                fix="Rename the file (or give it a 'slug:'), or move it to another folder, "
                "so that it has an address of its own.",
            ).problem
        )
    return problems


def page_claim(page: Page) -> Claim:
    """What makes a page's address: its content file, its area, or the page itself."""
    if page.source is not None:
        return Claim(page.path, f"the page of {page.source.relpath}", page.source.relpath)
    if page.kind == "area":
        source = page.context["area"].area.source
        return Claim(page.path, f"the page of the area '{page.title}'", source)
    return Claim(page.path, f"the {page.title.lower()} page")


def site_collisions(
    static: dict[PurePosixPath, Path],
    generated: dict[PurePosixPath, str],
    pages: list[Claim],
    assets: list[tuple[Path, PurePosixPath]],
    content: Path,
) -> list[Problem]:
    """Every clash between the theme's and plugins' files, generated files (by the plugin
    that made each), pages and attachments (by their source under ``content``)."""
    return collisions(
        [
            *(Claim(rel, f"the theme or plugin file {src}") for rel, src in static.items()),
            *(Claim(p, f"the file made by plugin '{name}'") for p, name in generated.items()),
            *pages,
            *(
                Claim(rel, f"the attachment {source}", source)
                for path, rel in assets
                if (source := PurePosixPath(path.relative_to(content).as_posix()))
            ),
        ]
    )


class ClaimMemo:
    """Each page's claim, kept while the page is the very same object, and whether the
    claims of one refresh are those of the last one checked (then nothing clashes)."""

    def __init__(self) -> None:
        self._by_page: dict[int, tuple[Page, Claim]] = {}
        self._last: list[Claim] = []
        #: Whether the claims last given to ``same`` were the same as those before.
        self.kept = False

    def of(self, pages: Iterable[Page]) -> list[Claim]:
        """The pages' claims (``page_claim``), made again only for new pages."""
        kept, self._by_page = self._by_page, {}
        claims = []
        for page in pages:
            was = kept.get(id(page))
            if was is None or was[0] is not page:
                was = (page, page_claim(page))
            self._by_page[id(page)] = was
            claims.append(was[1])
        return claims

    def same(self, claims: list[Claim]) -> bool:
        """Whether ``claims`` are those last ``remember``-ed (found clear then)."""
        last = self._last
        self.kept = len(last) == len(claims) and all(
            a is b or a == b for a, b in zip(last, claims, strict=True)
        )
        return self.kept

    def remember(self, claims: list[Claim]) -> None:
        """Note ``claims`` as found clear."""
        self._last = claims
