"""Links between content files: ``[see](../other-area/report.md)`` becomes the page's URL.

Authors link to the Markdown file they can see in their editor; the build
turns that into a relative link to the published page, and a link to a file
that does not exist is an error naming the line it is on. Links and images
pointing at an attachment (``[plan](Plan v2.pdf)``, relative to the Markdown
file) are pointed at its published, web-safe address; those naming no content file
are left as written, and noted for ``dead_links`` unless they name a file the site
is known to publish.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Collection, Mapping
from pathlib import PurePosixPath

from sendsite.build.dead_links import (
    MAX_LOOSE,
    URL_SPACES,
    LooseRef,
    RefKind,
    as_written,
    line_naming,
    loose_ref,
    site_path,
    source_lines,
)
from sendsite.build.reading import MAX_ERRORS
from sendsite.build.urls import relative_url
from sendsite.content.documents import Document
from sendsite.content.markdown import in_tag
from sendsite.errors import ContentError, Problem

__all__ = ["rewrite_content_links"]

#: A relative link to a ``.md`` file. It starts with ``href`` (not a look-behind), so the
#: scan of a page jumps from one ``href`` to the next; ``data-href`` is not a link.
_MD_HREF = re.compile(r'href(?<![\w-]href)="(?![a-zA-Z][a-zA-Z0-9+.-]*:|/|#)([^"#]*\.md)(#[^"]*)?"')
#: A relative link or image: to a file with an extension (an attachment, perhaps), to a
#: folder (a page), or with neither (``../may-report``, which a web server answers with
#: the folder's page, if there is one): the ``="`` of an ``href`` or ``src``, the path,
#: and any ``#page=2`` or ``?query`` after it. It starts with ``="``, so the scan of a
#: page jumps from one ``="`` to the next (twenty times faster than ``\b(href|src)=``).
_REF = re.compile(
    r'="(?:(?<=\shref=")|(?<=\ssrc="))(?![a-zA-Z][a-zA-Z0-9+.-]*:|/|#)([^"#?]+)([#?][^"]*)?"'
)
#: Where a relative reference leads (``rewrite_content_links``): the URL it is rewritten
#: to (a content file's), else the site path it leads to and its kind if it names no file
#: the site was known to publish (``""`` and None if it is left as it is, unchecked).
Resolved = tuple[str | None, str, RefKind | None]
#: An address that leaves the page's folder: a scheme, or a path from the site's root.
_LEAVES = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:|/")
#: A path's extension: a file, not a folder.
_EXTENSION = re.compile(r"\.[A-Za-z0-9]+$")


def rewrite_content_links(
    html: str,
    document: Document,
    page: PurePosixPath,
    targets: Mapping[PurePosixPath, PurePosixPath],
    *,
    directory_urls: bool = True,
    published: Collection[str] = frozenset(),
    known: dict[tuple[str, str, str, bool], Resolved] | None = None,
) -> tuple[str, list[Problem], list[LooseRef]]:
    """Point links to ``.md`` files at their pages; report links to missing files.

    ``targets`` maps each content file (relative to the content folder) to the
    output path of its page, or of the attachment itself. Also returns the other
    relative links and images to files that name no content file, nor a file in
    ``published`` (the site's files known so far), for ``dead_links``. ``known``: where
    each reference led on pages made before with the same ``targets`` and ``published``
    (pages link to the same places as the pages beside them: the menu, the stylesheet).
    """
    known = {} if known is None else known
    problems: list[Problem] = []
    lines: list[str] = []  # the document's, read once for its first broken link
    loose: dict[str, LooseRef] = {}  # by where each leads on the site
    folder, page_folder = str(document.relpath.parent), posixpath.dirname(str(page))

    def replace(match: re.Match[str]) -> str:
        if not in_tag(html, match.start()):
            return match.group(0)  # text that shows markup (in code): not a link
        href, anchor = as_written(match.group(1)), match.group(2) or ""
        joined = posixpath.normpath(posixpath.join(folder, href))
        target = _target(targets, joined)
        if target is None:
            if len(problems) <= MAX_ERRORS:  # one more than is shown: the build says so
                if not lines:
                    lines.extend(source_lines(document.source))
                problems.append(
                    ContentError(
                        f"the link to '{href}' goes to a report or page that does not exist",
                        file=document.relpath,
                        line=line_naming(lines, href),
                        fix="Check the file name and folder. Link to the .md file as it sits "
                        "in content/, relative to this file, e.g. '../other-area/report.md'.",
                    ).problem
                )
            return match.group(0)
        if anchor and len(loose) < MAX_LOOSE:  # a part of the page: dead_links looks for it
            part = as_written(anchor[1:])
            ref = LooseRef(f"{href}{anchor}", PurePosixPath(joined), target, "part", part)
            loose.setdefault(f"{target}{anchor}", ref)
        url = relative_url(page, f"{target}{anchor}", directory_urls=directory_urls)
        return f'href="{url}"'

    def reference(match: re.Match[str]) -> str:
        if not in_tag(match.string, match.start()):
            return match.group(0)  # text that shows markup (in code): not a link
        href, after = match.group(1).strip(URL_SPACES), match.group(2) or ""
        image = match.string.startswith("src", match.start() - 3)
        key = (folder, page_folder, href, image)
        found = known.get(key)
        if found is None:
            found = known[key] = resolve(href, image)
        url, site, kind = found
        if url is not None:
            return f'="{url}{after}"'
        if kind is not None and site not in loose and len(loose) < MAX_LOOSE:
            loose[site] = loose_ref(href, folder, site, kind)
        return match.group(0)

    def resolve(href: str, image: bool) -> Resolved:
        if not href or _LEAVES.match(href):  # " /path", " https:": spaces a browser drops
            return None, "", None
        target = None
        if not href.endswith("/"):
            joined = posixpath.normpath(posixpath.join(folder, as_written(href)))
            target = _target(targets, joined)
        if target is not None:
            return relative_url(page, str(target), directory_urls=directory_urls), "", None
        # Not a content file: left as written.
        site = site_path(page_folder, href)
        folder_link = href.endswith("/")
        if site is not None and not (image or folder_link) and not _EXTENSION.search(href):
            if site in published:
                return None, "", None  # a file with no extension
            site = "index.html" if site == "." else f"{site}/index.html"  # a folder's
            folder_link = True
        if site is None or site in published:
            return None, "", None
        return None, site, "image" if image else "page" if folder_link else "link"

    if ".md" in html:  # most pages link to no Markdown file: one look, not a scan
        html = _MD_HREF.sub(replace, html)
    return _REF.sub(reference, html), problems, list(loose.values())


def _target(targets: Mapping[PurePosixPath, PurePosixPath], joined: str) -> PurePosixPath | None:
    """Where the content file at ``joined`` is published, if it is one: also when its
    accents are stored otherwise than the link's ('é' as one character or as 'e' and an
    accent, as macOS keeps names; the two look alike and are one address)."""
    target = targets.get(PurePosixPath(joined))
    if target is None and not joined.isascii():
        for form in ("NFC", "NFD"):
            target = targets.get(PurePosixPath(unicodedata.normalize(form, joined)))
            if target is not None:
                break
    return target
