"""Links and images in content that lead nowhere: a warning at the line that has them.

A relative link to a file (``[plan](forward-plan.pdf)``, ``![map](map.png)``) is an
attachment when the file is in ``content/`` beside the Markdown; otherwise it is left as
written and the browser looks for it beside the page. Where nothing is published there
either (no page, attachment, theme or plugin file, export or feed), the reader would
follow a dead link, so the build warns (``--strict`` fails), as MkDocs does for links
it cannot find. So does a relative link to a folder (``[May](../may-report/)``) where
the site has no page.

Pages are rendered in workers and kept from build to build (the build cache), so a
page's loose references (those naming no content file) are kept with it, and checked
against the site as it is at the end of every build: adding the missing file clears the
warning without rendering the page again. A link that leaves the site (``../../x.pdf``
from a page one folder deep) may go to another part of the intranet: it is not checked.
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from html import unescape
from pathlib import Path, PurePosixPath
from typing import Literal
from urllib.parse import unquote

from sendsite.errors import Problem

__all__ = [
    "LooseRef", "RefKind", "dead_links", "line_naming", "loose_ref", "site_path", "source_lines",
]  # fmt: skip

#: A link to a file, an image, or a link to a folder (a page).
RefKind = Literal["link", "image", "page"]

#: The most dead links reported in one build; the last warning says how many more.
MAX_SHOWN = 50
_NOWHERE = "leads nowhere: there is no such file beside this document, nor on the site"
_MESSAGES = {
    "link": f"the link to '{{written}}' {_NOWHERE}",
    "image": f"the image '{{written}}' {_NOWHERE}",
    "page": "the link to '{written}' leads nowhere: the site has no page there",
}
_ATTACH = (
    "Check the name, or put the file in content/ at '{content}' (a file beside the "
    "document is published with it). Links are relative to the document's folder."
)
_FIXES = {
    "link": _ATTACH,
    "image": _ATTACH,
    "page": "Check the address. To link to a report or page, link to its .md file as it "
    "sits in content/, relative to this file ('../other-area/report.md'): the build "
    "points the link at the page wherever it is published.",
}


@dataclass(frozen=True)
class LooseRef:
    """A relative link or image on a page that names no file in ``content/``."""

    #: As the author wrote it (unescaped, percent-decoded).
    written: str
    #: Where it would be in ``content/``, had the author put it beside the Markdown.
    content: PurePosixPath
    #: Where the browser looks for it on the site, from the page (a folder's index.html).
    site: PurePosixPath
    kind: RefKind


@lru_cache(maxsize=16384)
def site_path(page_folder: str, value: str) -> str | None:
    """Where the reference ``value`` (an ``href`` or ``src`` as in the HTML) on a page in
    ``page_folder`` leads on the site (a folder: its ``index.html``); None if it leaves the
    site, so cannot be checked. A page links to the same few places as the pages beside it."""
    site = posixpath.normpath(posixpath.join(page_folder, _written(value)))
    if site == ".." or site.startswith("../"):
        return None
    if value.endswith("/"):
        return "index.html" if site == "." else f"{site}/index.html"
    return site


def loose_ref(value: str, document_folder: str, site: str, kind: RefKind) -> LooseRef:
    """The reference ``value`` of a page made from a document in ``document_folder``,
    leading to ``site`` (``site_path``), which the site was not known to publish."""
    written = _written(value)
    content = posixpath.normpath(posixpath.join(document_folder, written))
    return LooseRef(written, PurePosixPath(content), PurePosixPath(site), kind)


def _written(value: str) -> str:
    """An ``href`` or ``src`` as the author wrote it: unescaped, percent-decoded."""
    return unquote(unescape(value)) if "&" in value or "%" in value else value


def dead_links(
    loose: Mapping[PurePosixPath, tuple[PurePosixPath, tuple[LooseRef, ...]]],
    targets: Collection[PurePosixPath],
    published: Collection[PurePosixPath],
    content_folder: Path,
) -> list[Problem]:
    """A warning for each loose reference (by page: its document and references) that is
    neither a content file (``targets``) nor a published file now; one per document and
    reference, in page order."""
    found: dict[tuple[PurePosixPath, str], LooseRef] = {}
    for document, refs in loose.values():
        for ref in refs:
            if ref.content not in targets and ref.site not in published:
                found.setdefault((document, ref.written), ref)
    problems: list[Problem] = []
    lines: dict[PurePosixPath, list[str]] = {}
    for (document, written), ref in list(found.items())[:MAX_SHOWN]:
        if document not in lines:
            lines[document] = source_lines(content_folder / document)
        problems.append(
            Problem(
                _MESSAGES[ref.kind].format(written=written),
                file=document,
                line=line_naming(lines[document], written),
                fix=_FIXES[ref.kind].format(content=ref.content),
            )
        )
    if len(found) > MAX_SHOWN:
        problems.append(
            Problem(
                f"{len(found) - MAX_SHOWN} more links or images lead nowhere; "
                f"the first {MAX_SHOWN} are listed above",
                fix="Correct those, then build again to see the rest.",
            )
        )
    return problems


def line_naming(lines: Iterable[str], written: str) -> int | None:
    """The first line (1-based) that names ``written``, as written or encoded."""
    forms = {written, written.replace(" ", "%20"), written.replace("&", "&amp;")}
    for number, text in enumerate(lines, 1):
        if any(form in text for form in forms):
            return number
    return None


def source_lines(path: Path) -> list[str]:
    """The lines of the file at ``path`` (none if it cannot be read now)."""
    try:
        return path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
