"""The pages Pagefind is given: each site page's search records as one small HTML page.

Private to ``pagefind`` (the one door to Pagefind), as ``pagefind_bundle`` is on the
way out: a site page's records become headings with their anchors and ``data-pagefind-*``
attributes, so Pagefind returns a report's sections and rows as sub-results; a
part of an index in more than one gets the page of every word of the site.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from html import escape, unescape
from pathlib import Path
from typing import TYPE_CHECKING

from sendsite.build.pieces import Pieces
from sendsite.build.written import Written

if TYPE_CHECKING:
    from sendsite.builtin.search.records import RecordMemo, SearchRecord

__all__ = [
    "OLDER_WORDS", "PART", "PART_WORDS", "WORDS",
    "page_date", "page_words", "pages_folder", "part_of", "part_tag", "record_pages",
    "word_page", "write_pages",
]  # fmt: skip

#: The address given to each part's page of every word (see ``word_page``).
WORDS = "search/?every-word"
#: The address of the first part's page of the older reports' words, searched newest
#: first (see ``pagefind_layout``).
OLDER_WORDS = "search/?every-older-word"
#: The start of the address of a part's page in the index of words (``PART_WORDS`` and
#: the part's number; see ``pagefind_layout``).
PART_WORDS = "search/?words-of-part-"
#: The filter on every page of a part of an index, its value the part's number
#: (``part_tag``): the search page asks for the parts that know every word of a query.
PART = "part"
#: A site page's address that is a plain folder, written where the site has it for
#: Pagefind (see ``write_pages``): names of lower-case letters, digits, ``-`` and ``_``,
#: each starting with a letter or digit (never ``..``, nor a numbered page's name; never
#: two addresses one file on a file system that ignores case).
_FOLDER = re.compile(r"(?:[a-z0-9][a-z0-9_-]*/)*")
#: How a record page ends: the filter naming its part goes before.
_END = b"</body></html>"
_TAG = re.compile(rb"<[^>]*>")
_META = re.compile(rb'data-pagefind-meta="[^":]*:([^"]*)"')
#: A page's date, among the metadata at its start (see ``_page_html``; values are escaped).
_DATE = re.compile(
    rb'<!DOCTYPE html><html lang="[^"]*"><body>(?:<span data-pagefind-meta="[^"]*"></span>)*?'
    rb'<span data-pagefind-meta="date:(\d{4}-\d{2}-\d{2})"></span>'
)


def record_pages(
    records: Sequence[SearchRecord], language: str, memo: RecordMemo | None = None
) -> list[tuple[bytes, str]]:
    """Each site page's records as the HTML page Pagefind indexes (UTF-8: half the memory
    of text with a dash in it, which Python keeps at two bytes a character), with its
    address; ``language`` is the index's (``pagefind.index_language``).

    With ``memo`` (whose ``records`` gave the reports' records), a report page whose
    records are the very ones the memo kept, made from the same page, is given the
    record page the memo kept (``RecordMemo.html``); the memo is left holding this call's."""
    if memo is None:
        return [(_page_html(g, language).encode("utf-8"), g[0].page()) for g in _group(records)]
    owner = {id(r): path for path, (_, _, made) in memo.reports.items() for r in made}
    kept, memo.html = memo.html, Pieces()  # pickled by the build cache a few at a time
    pages: list[tuple[bytes, str]] = []
    for group in _group(records):
        path = owner.get(id(group[0]))
        seen, digest, made = memo.reports[path] if path is not None else (None, b"", [])
        mine = len(group) == len(made) and all(owner.get(id(r)) == path for r in group)
        found = kept.get(path) if mine and path is not None else None
        if found is not None and found[:2] == (language, digest):
            html = found[2]
        else:
            html = _page_html(group, language).encode("utf-8")
        if mine and path is not None and not _spooled(seen):
            memo.html[path] = (language, digest, html)
        pages.append((html, group[0].page()))
    return pages


def _spooled(page: object) -> bool:
    """Whether ``page`` (a report's page) is one of a site too big to hold its pages."""
    return isinstance(page, Path) or (isinstance(page, Written) and page.spooled)


def page_words(pages: list[tuple[bytes, str]]) -> set[bytes]:
    """Every word of ``pages``, for ``word_page``: as UTF-8 bytes, split at ASCII spaces
    (which is what ``escape`` leaves; Pagefind splits a page of words as it splits the
    others, so a word that holds another space is still found)."""
    found: set[bytes] = set()
    for page, _ in pages:
        found.update(_TAG.sub(b" ", page).split())
        for meta in _META.findall(page):
            found.update(meta.split())
    return found


def word_page(found: set[bytes], language: str, address: str = WORDS) -> tuple[bytes, str]:
    """A page holding each of the words ``found`` (``page_words``) once, for a part of an
    index, at ``address`` (``WORDS``, ``OLDER_WORDS`` or ``PART_WORDS``).

    Pagefind, finding no indexed word that begins with a searched word, matches the
    longest indexed word the searched word begins with ("autism" -> "aut", or "a").
    Alone, a part lacking a word the site has would do that, and the search page
    would list its nonsense beside the true results of the other parts; with this
    page a part has every word of the pages (as Pagefind splits them: at spaces).
    The search page never shows it: ``pagefind.PARTS`` lists its results as ``hidden``.
    """
    words = {unescape(w.decode()) if b"&" in w else w.decode() for w in found}
    body = escape(" ".join(sorted(words)))
    html = f'<!DOCTYPE html><html lang="{escape(language)}"><body><p>{body}</p></body></html>'
    return html.encode("utf-8"), address


def part_tag(part: int) -> bytes:
    """The filter naming part ``part``, written at the end of each of its pages."""
    return f'<span data-pagefind-filter="{PART}:{part}"></span>'.encode()


def part_of(address: str) -> int | None:
    """The part whose words the page at ``address`` holds (``PART_WORDS``), or None."""
    number = address.removeprefix(PART_WORDS)
    return int(number) if number != address and number.isdigit() else None


def page_date(page: bytes) -> str:
    """The date (ISO) of the report a page of ``record_pages`` stands for; "" if none."""
    found = _DATE.match(page)
    return found.group(1).decode() if found else ""


def _group(records: Sequence[SearchRecord]) -> list[list[SearchRecord]]:
    """The records by site page (in order); on each, those with no anchor lead."""
    pages: dict[str, list[SearchRecord]] = {}
    for record in records:
        pages.setdefault(record.page(), []).append(record)
    return [sorted(group, key=lambda r: "#" in r.url) for group in pages.values()]


def _page_html(group: Sequence[SearchRecord], language: str = "en") -> str:
    """The records of one site page as the small HTML page Pagefind indexes.

    The page's lead record (a report's overview) comes first; each section is a
    heading with its anchor, and its items lower headings with theirs, so Pagefind
    returns them as sub-results (linked straight to the section or the row) with
    their own excerpts. Items weigh as plain text, so a long table does not
    outrank prose. Metadata and filters go in ``data-pagefind-*`` attributes.
    There is no sort key: the search page ranks by relevance only, and a sort adds
    about two bytes a page to the file every first query downloads.
    """
    out = [f'<!DOCTYPE html><html lang="{escape(language)}"><body>']
    for key, value in _page_meta(group).items():
        out.append(f'<span data-pagefind-meta="{escape(key)}:{escape(value)}"></span>')
    for key, values in _page_filters(group).items():
        for value in values:
            out.append(f'<span data-pagefind-filter="{escape(key)}:{escape(value)}"></span>')
    for record in group:
        if anchor := _anchor(record):
            out.append(f'<h2 id="{escape(anchor)}">{escape(record.title)}</h2>')
        if record.text or not anchor:
            out.append(f"<p>{escape(record.text or record.title)}</p>")
        for item in record.items:
            out.append(
                f'<h3 id="{escape(item.anchor)}" data-pagefind-weight="1">{escape(item.title)}</h3>'
            )
            if item.text:
                out.append(f"<p>{escape(item.text)}</p>")
    out.append("</body></html>")
    return "".join(out)


def _page_meta(group: Sequence[SearchRecord]) -> dict[str, str]:
    """Its lead record's title, kind, area and date; every record's ``aka``; JSON
    ``sections`` (``[[anchor, title, kind, aka], ...]``) and ``items`` (each item's
    ``facts()`` and then its section's anchor)."""
    lead, sections = group[0], [r for r in group if "#" in r.url]
    led = "#" not in lead.url  # else a plugin's sections with no overview
    values = {
        "title": lead.title if led else lead.report or lead.title,
        "kind": lead.kind if led else "Report" if lead.report else lead.kind,
        "area": next((r.area for r in group if r.area), ""),
        "date": lead.date,
        "aka": " · ".join(dict.fromkeys(a for r in group for a in r.aka)),
        "sections": _json([[_anchor(r), r.title, r.kind, " · ".join(r.aka)] for r in sections]),
        "items": _json([[*i.facts(), _anchor(r)] for r in group for i in r.items]),
    }
    return {key: value for key, value in values.items() if value}


def _page_filters(group: Sequence[SearchRecord]) -> dict[str, list[str]]:
    """Area, kind and status: what its records' filters hold, together."""
    values: dict[str, dict[str, None]] = {}
    for record in group:
        for key, chosen in record.filters().items():
            values.setdefault(key, {}).update(dict.fromkeys(chosen))
    return {key: list(chosen) for key, chosen in values.items()}


def _anchor(record: SearchRecord) -> str:
    return record.url.partition("#")[2]


def _json(rows: list[list[str]]) -> str:
    return json.dumps(rows, ensure_ascii=False) if rows else ""


def write_pages(
    pages: list[tuple[bytes, str]], folder: Path, part: int | None = None, kept: bool = False
) -> dict[str, str]:
    """Write each page into ``folder`` for Pagefind to index, each record page with the
    filter naming its ``part`` (``part_tag``) at its end (a part's page of words has none,
    so it is the same result in every part); return each page's address as Pagefind gives
    it (the file's, see ``pagefind_bundle``) -> its site page. With ``kept`` (the build
    cache's folder, see ``pages_folder``), a file already holding its page is left as it
    is, and any other file in ``folder`` is removed.

    A page whose address is a plain folder (``north/may/``, the home page's "") is
    written where the site has it (``north/may/index.html``): Pagefind names its result
    ``/north/may/``, which is already the site page's, so its fragment is left as Pagefind
    wrote it. Any other (``index.html`` addresses, the pages of words) is numbered
    (``000001.html``), and its fragment is given the address afterwards.
    """
    addresses: dict[str, str] = {}
    named = (part_tag(part) if part is not None else b"") + _END
    written: set[str] = set()
    for n, (html, address) in enumerate(pages):
        end = _END if address in (WORDS, OLDER_WORDS) else named  # never a result
        if _FOLDER.fullmatch(address):
            path = os.path.join(folder, address, "index.html")
            addresses[f"/{address}"] = address
        else:
            name = f"{n:06d}.html"  # never a folder's page: those are all index.html
            path = os.path.join(folder, name)
            addresses[f"/{name}"] = address
        if not html.endswith(_END):
            raise ValueError(f"not a record page: {address}")
        written.add(path)
        body = memoryview(html)[: -len(_END)]  # not html[:-14] + the filter: no copy
        if kept and _holds(path, body, end):
            continue
        try:
            out = open(path, "wb")  # noqa: SIM115 (a folder made if missing, then again)
        except FileNotFoundError:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            out = open(path, "wb")  # noqa: SIM115
        with out:
            out.write(body)
            out.write(end)
    if kept:
        _remove_others(folder, written)
    return addresses


def pages_folder(home: Path | None, count: int) -> Path:
    """Where the pages of an index's ``count`` parts are written (``part-N`` each, the
    index of words' after them): ``home`` (the build cache's, kept from build to build:
    only what changed is written again; the folders of parts past ``count`` removed),
    or else a new temporary folder."""
    if home is None:
        return Path(tempfile.mkdtemp(prefix="sendsite-records-"))
    home.mkdir(parents=True, exist_ok=True)
    for other in home.iterdir():
        number = other.name.removeprefix("part-")
        if not (number.isdigit() and int(number) < count and other.is_dir()):
            if other.is_dir():
                shutil.rmtree(other)
            else:
                other.unlink()
    return home


def _holds(path: str, body: memoryview, end: bytes) -> bool:
    """Whether the file at ``path`` holds ``body`` and then ``end``."""
    try:
        with open(path, "rb") as file:
            found = file.read(len(body) + len(end) + 1)
    except OSError:
        return False
    return len(found) == len(body) + len(end) and found.endswith(end) and body == found[: len(body)]


def _remove_others(folder: Path, written: set[str]) -> None:
    """Remove every file under ``folder`` not in ``written``, and folders left empty."""
    for root, _, files in os.walk(folder, topdown=False):
        for name in files:
            if (path := os.path.join(root, name)) not in written:
                os.unlink(path)
        if root != str(folder):
            with contextlib.suppress(OSError):  # not empty
                os.rmdir(root)
