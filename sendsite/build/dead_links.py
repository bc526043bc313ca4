"""Links and images in content that lead nowhere: a warning at the line that has them.

A relative link to a file (``[plan](forward-plan.pdf)``, ``![map](map.png)``) is an
attachment when the file is in ``content/`` beside the Markdown; otherwise it is left as
written and the browser looks for it beside the page. Where nothing is published there
either (no page, attachment, theme or plugin file, export or feed), the reader would
follow a dead link, so the build warns (``--strict`` fails), as MkDocs does for links
it cannot find. So does a relative link to a folder (``[May](../may-report/)``, or
``../may-report``, which a web server answers with the folder's page) where the site has
no page, and a link to a part of another report (``[P9](may.md#p9)``)
that its page does not have, or to a part of its own page (``[P9](#p9)``) that is not
there: the page's own links (its contents list) are checked only where its document
links within the page (``Document.links_within``, found as the file is read), so as to
cost the other pages nothing.

Pages are rendered in workers and kept from build to build (the build cache), so a
page's loose references (those naming no content file) are kept with it, and checked
against the site as it is at the end of every build: adding the missing file clears the
warning without rendering the page again. A link that leaves the site (``../../x.pdf``
from a page one folder deep) may go to another part of the intranet: it is not checked.

Markup shown as text in code (``&lt;a href="x.pdf"&gt;``) is not a link. The preview,
which after some changes leaves pages to be made when they are asked for, makes at once
the pages whose documents name other files (``ReadFile.names_files``), so it warns of a
deleted attachment as a build does. The search index is written after this check: on a
site with a search page, a link into it (``pagefind/``, ``search/words/``) is not checked.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from html import unescape
from pathlib import Path, PurePosixPath
from typing import Literal
from urllib.parse import unquote

from sendsite.build.collisions import SEARCH_INDEX, SEARCH_PAGE
from sendsite.build.deferred import Deferred, FileContent, content_bytes
from sendsite.content.markdown import in_tag
from sendsite.errors import Problem

__all__ = [
    "MAX_LOOSE", "URL_SPACES", "Loose", "LooseRef", "RefKind", "as_written", "dead_links",
    "line_naming", "loose_ref", "same_page_refs", "site_path", "source_lines",
]  # fmt: skip

#: A link to a file, an image, a link to a folder (a page), or to a part of a page.
RefKind = Literal["link", "image", "page", "part"]

#: The most dead links reported in one build; the last warning says how many more.
MAX_SHOWN = 50
#: The most loose references kept for one page (each a different place on the site): a
#: page of a million made-up links is not held, and no real page comes near it.
MAX_LOOSE = 1000
#: An element's id in a page's HTML.
_ID = re.compile(rb'\sid="([^"]+)"')
_ID_TEXT = re.compile(r'\sid="([^"]+)"')
#: A link to a part of the page it is on, in a page's HTML.
_HERE = re.compile(r'href(?<![\w-]href)="#([^"]+)"')
#: What a browser takes off both ends of an address (the URL standard's C0 space).
URL_SPACES = "\t\n\x0c\r "
_NOWHERE = "leads nowhere: there is no such file beside this document, nor on the site"
_MESSAGES = {
    "link": f"the link to '{{written}}' {_NOWHERE}",
    "image": f"the image '{{written}}' {_NOWHERE}",
    "page": "the link to '{written}' leads nowhere: the site has no page there",
    "part": "the link to '{written}' leads to a part of the page that is not there",
}
_ATTACH = (
    "Check the name, or put the file in content/ at '{content}' (a file beside the "
    "document is published with it). Links are relative to the document's folder."
)
_PART_FIX = (
    "Check the name after '#': open the page, follow its contents to the part, and copy "
    "what the address has after '#' (a report's parts are named from their codes and "
    "headings: '#p2', '#risks')."
)
_PAGE_FIX = (
    "Check the address. To link to a report or page, link to its .md file as it sits in "
    "content/, relative to this file ('../other-area/report.md'): the build points the "
    "link at the page wherever it is published."
)


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
    #: For a link to a part of a page: the part's id.
    anchor: str = ""


#: Each page's loose references, by its output path: its document's path in ``content/``
#: and the references.
Loose = dict[PurePosixPath, tuple[PurePosixPath, tuple[LooseRef, ...]]]


@lru_cache(maxsize=16384)
def site_path(page_folder: str, value: str) -> str | None:
    """Where the reference ``value`` (an ``href`` or ``src`` as in the HTML) on a page in
    ``page_folder`` leads on the site (a folder: its ``index.html``); None if it leaves the
    site, so cannot be checked. A page links to the same few places as the pages beside it."""
    written = as_written(value)
    site = posixpath.normpath(posixpath.join(page_folder, written))
    if site == ".." or site.startswith("../"):
        return None
    if written.endswith("/"):
        return "index.html" if site == "." else f"{site}/index.html"
    return site


def loose_ref(value: str, document_folder: str, site: str, kind: RefKind) -> LooseRef:
    """The reference ``value`` of a page made from a document in ``document_folder``,
    leading to ``site`` (``site_path``), which the site was not known to publish."""
    written = as_written(value)
    content = posixpath.normpath(posixpath.join(document_folder, written))
    return LooseRef(written, PurePosixPath(content), PurePosixPath(site), kind)


def same_page_refs(
    html: str, document: PurePosixPath, page: PurePosixPath, known: Iterable[LooseRef] = ()
) -> list[LooseRef]:
    """The links on ``page`` (its finished HTML, made from ``document``) to a part of it
    that it does not have, in page order; not those ``known`` already (written as a link
    to the document's own ``.md``), nor ``#top``, which a browser takes for the top, nor
    markup shown as text in code."""
    anchors = dict.fromkeys(
        as_written(found[1]) for found in _HERE.finditer(html) if in_tag(html, found.start())
    )
    for anchor in [a for a in anchors if a.lower() == "top"]:  # as browsers compare it
        del anchors[anchor]
    if not anchors:
        return []
    ids = _as_found({unescape(value) for value in _ID_TEXT.findall(html)})
    noted = {ref.anchor for ref in known if ref.kind == "part" and ref.site == page}
    return [
        LooseRef(f"#{anchor}", document, page, "part", anchor)
        for anchor in anchors
        if anchor not in ids and anchor not in noted
    ][:MAX_LOOSE]


def _as_found(ids: set[str]) -> set[str]:
    """``ids`` and, for one holding ``%``, its percent-decoded form: a browser finds the
    element whose id is ``caf%C3%A9`` (as cmark-gfm names a footnote) for ``#caf%C3%A9``,
    which ``as_written`` decodes."""
    return ids | {unquote(found) for found in ids if "%" in found}


def as_written(value: str) -> str:
    """An ``href`` or ``src`` (as in the HTML) as the author wrote it: unescaped,
    percent-decoded, without the spaces around it (browsers take them off)."""
    value = value.strip(URL_SPACES)
    return unquote(unescape(value)).strip(URL_SPACES) if "&" in value or "%" in value else value


def dead_links(
    loose: Loose,
    targets: Collection[PurePosixPath],
    published: Mapping[PurePosixPath, FileContent],
    content_folder: Path,
) -> list[Problem]:
    """A warning for each loose reference (by page: its document and references) that is
    neither a content file (``targets``) nor a published file now, or names a part its
    page does not have; one per document and reference, in page order."""
    found: dict[tuple[PurePosixPath, str], LooseRef] = {}
    ids = _Ids(published)
    # The search index is written after this check: links into it are passed over.
    later = tuple(f"{folder}/" for folder in SEARCH_INDEX) if SEARCH_PAGE in published else ()
    for document, refs in loose.values():
        for ref in refs:
            if later and str(ref.site).startswith(later):
                continue
            if ref.kind == "part":
                dead = ids.lack(ref.site, ref.anchor)
            else:
                dead = ref.content not in targets and ref.site not in published
            if dead:
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
                fix=_fix(ref, content_folder),
            )
        )
    order = {document: n for n, document in enumerate(lines)}  # each document's, by line
    problems.sort(key=lambda p: (order[PurePosixPath(str(p.file))], p.line or 0))
    if len(found) > MAX_SHOWN:
        # A page with more than MAX_LOOSE kept only that many: the count is a floor.
        least = "at least " if any(len(refs) >= MAX_LOOSE for _, refs in loose.values()) else ""
        problems.append(
            Problem(
                f"{least}{len(found) - MAX_SHOWN} more links or images lead nowhere; "
                f"the first {MAX_SHOWN} are listed above",
                fix="Correct those, then build again to see the rest.",
            )
        )
    return problems


class _Ids:
    """The ids of the site's pages, read once each when first asked about. A page the
    preview makes only when it is opened is not made for this: its parts are not known."""

    def __init__(self, files: Mapping[PurePosixPath, FileContent]) -> None:
        self.files = files
        self.ids: dict[PurePosixPath, set[str] | None] = {}

    def lack(self, page: PurePosixPath, anchor: str) -> bool:
        """Whether ``page`` is known to have no element with the id ``anchor``."""
        if page not in self.ids:
            content = self.files.get(page)
            known = content is not None and not isinstance(content, Deferred)
            found = _ID.findall(content_bytes(content)) if known else None
            self.ids[page] = (
                None if found is None else _as_found({unescape(i.decode()) for i in found})
            )
        ids = self.ids[page]
        return ids is not None and anchor not in ids


def _fix(ref: LooseRef, content_folder: Path) -> str:
    """How to mend ``ref``: put the file in place, or say why the one there is not published."""
    if ref.kind in ("link", "page") and (cut := _cut_short(ref.content, content_folder)):
        return cut
    if ref.kind in ("link", "image") and (near := _named_alike(ref.content, content_folder)):
        return near
    if ref.kind == "page":
        return _PAGE_FIX
    if ref.kind == "part":
        return _PART_FIX
    content = str(ref.content)
    if content == ".." or content.startswith("../"):
        return "Check the address: it names no file in content/, nor one the site publishes."
    if (content_folder / content).is_file():
        return (
            f"'{content}' is in content/ but not published: a file or folder whose name "
            "starts with '_' stays unpublished. Rename it to publish it, or remove the link."
        )
    return _ATTACH.format(content=content)


def _named_alike(content: PurePosixPath, content_folder: Path) -> str | None:
    """The file beside where the link leads whose name is the link's but for capitals, or
    for how its accents are stored (macOS keeps 'é' as 'e' and an accent: it looks alike
    and is not the same name), said as a fix; None if there is none."""
    wanted = unicodedata.normalize("NFC", content.name).casefold()
    try:
        found = sorted(
            p.name
            for p in (content_folder / content).parent.iterdir()
            if unicodedata.normalize("NFC", p.name).casefold() == wanted and p.name != content.name
        )
    except OSError:  # no such folder
        return None
    if not found:
        return None
    name = found[0]
    if unicodedata.normalize("NFC", name) == unicodedata.normalize("NFC", content.name):
        return (
            f"The file beside it looks like '{content.name}' but its accents are stored "
            "otherwise (as macOS keeps them): type the file's name again, or rename the "
            "file, so the two are the same."
        )
    return f"Did you mean '{name}'? A link's file name must match its capitals."


def _cut_short(content: PurePosixPath, content_folder: Path) -> str | None:
    """Why a link to a file whose name holds '#' or '?' missed it ("My Doc#2.pdf" is a
    link to "My Doc", part "2.pdf"), if such a file is beside where the link leads."""
    try:
        found = sorted(
            p.name
            for p in (content_folder / content).parent.iterdir()
            if p.name.startswith((f"{content.name}#", f"{content.name}?"))
        )
    except OSError:  # no such folder
        return None
    if not found:
        return None
    whole = found[0]
    return (
        f"'{whole}' is beside it in content/, but in a link '#' starts a part of the page "
        f"and '?' a query, so the link stops at '{content.name}'. Write them as %23 and "
        f"%3F ('{whole.replace('#', '%23').replace('?', '%3F')}'), or rename the file "
        "without them."
    )


def line_naming(lines: Iterable[str], written: str) -> int | None:
    """The first line (1-based) that links to ``written`` (``](name``, ``]: name``,
    ``href="name``), else the first that names it (as itself, not inside a longer name:
    ``a.pdf`` is not found in ``big-a.pdf``), as written or as Markdown may have had it:
    percent-encoded, ``&amp;``, punctuation escaped (``my\\_file.pdf``)."""
    linked, named = _naming(written)
    first = None
    for number, text in enumerate(lines, 1):
        if linked.search(text):
            return number
        if first is None and named.search(text):
            first = number
    return first


@lru_cache(maxsize=256)
def _naming(written: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Patterns for ``written`` as a link's target, and as a name anywhere."""
    parts = []
    for char in written:
        if char == "&":
            parts.append("&(?:amp;)?")
        elif char.isascii() and char.isalnum():
            parts.append(char)
        else:
            escaped = rf"\\?{re.escape(char)}" if char.isascii() else re.escape(char)
            encoded = "".join(f"%{byte:02X}" for byte in char.encode())
            parts.append(f"(?:{escaped}|(?i:{encoded}))")
    name = "".join(parts)
    target = r"(?:\]\(\s*<?|\]:\s*<?|(?:href|src)\s*=\s*[\"']?)"
    # A link's address ends where its part or query starts, or the link does: 'Plan' is
    # not the address of '](Plan%232.pdf)' or '](Plan.pdf)', but is of '](Plan#2.pdf)'.
    ends = r"""(?=[)#?\s>"']|$)"""
    return re.compile(target + name + ends), re.compile(r"(?<![\w.%-])" + name + r"(?![\w-])")


def source_lines(path: Path) -> list[str]:
    """The lines of the file at ``path`` (none if it cannot be read now)."""
    try:
        return path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
