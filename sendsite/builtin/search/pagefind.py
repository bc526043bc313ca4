"""Pagefind, behind one door: the only module that runs it (``pagefind_bundle`` reads its files).

Pagefind (``pagefind[bin]``) is a Rust program that writes a chunked index into
``pagefind/`` so a browser downloads only what a query needs. The search records
of each site page (a report's overview and sections) become one small HTML page
in a temporary folder, its sections and their items headings with their
anchors, and Pagefind's own program indexes the folder on every core. The rest
of sendsite uses only ``index_records``, ``index_language``, ``SearchIndexError``,
``BUNDLE``, ``PARTS`` and ``IGNORE_ATTRIBUTE``.

*Parts.* Pagefind holds all it indexes in memory (about 33 times the bytes of
the pages it is given), so a big site is indexed in parts of at most
``PART_BYTES`` of record pages, each by a run of its own, one after another: the
first part is ``pagefind/``, the others ``pagefind/part-N/``, listed in
``pagefind/sendsite-parts.json``; the search page merges them (Pagefind's
``mergeIndex``, which shares the first part's program). Pages are dealt to the
parts in turn, so every part holds a like mix of areas and years, and scores
from different parts compare as they would in one index.

Beyond Pagefind's documented options, sendsite relies on the files it writes
(see ``pagefind_bundle``), pinned in pyproject.toml and checked by
``tests/test_pagefind_contract.py``. The same records give the same bytes.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape, unescape
from importlib.metadata import version
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from sendsite.builtin.search import pagefind_bundle
from sendsite.builtin.search.pagefind_bundle import ENTRY, READ_ERRORS
from sendsite.errors import SendsiteError

if TYPE_CHECKING:
    from sendsite.builtin.search.records import SearchRecord

__all__ = [
    "BUNDLE", "IGNORE_ATTRIBUTE", "PARTS", "PART_BYTES", "SearchIndexError", "StagedIndex",
    "copy_index", "fragments_by_page", "index_language", "index_records", "record_pages",
    "records_digest", "stage_index",
]  # fmt: skip

#: Where the index goes in the site.
BUNDLE = PurePosixPath("pagefind")
#: The list of the index's other parts (``{"parts": ["part-1/", ...]}``), in ``BUNDLE``.
PARTS = "sendsite-parts.json"
#: The most bytes of record pages one Pagefind run indexes (about 2,400 of a big site's
#: reports, some 1 GB of Pagefind's memory); a bigger site is indexed in parts, one
#: after another. Each part costs a first search its meta file and one or two index
#: chunks (up to ~70 KB), so parts are as big as memory allows, not small.
PART_BYTES = 32_000_000
#: The attribute that keeps an element (and what is inside it) out of the index.
IGNORE_ATTRIBUTE = "data-pagefind-ignore"
#: Pagefind's own ready-made interfaces: sendsite has its own search page.
_UNUSED = ["pagefind-highlight.js"] + [
    f"pagefind-{ui}{end}" for ui in ("ui", "modular-ui", "component-ui") for end in (".js", ".css")
]  # fmt: skip
#: The address given to each part's page of every word (see ``_word_page``).
_WORDS = "search/?every-word"
_TAG = re.compile(r"<[^>]*>")
_META = re.compile(r'data-pagefind-meta="[^":]*:([^"]*)"')
#: What a part after the first does not need: the search page loads the first part's.
_PROGRAM = ["pagefind.js", "pagefind-worker.js"]
#: Seconds to wait for Pagefind before giving up (a stuck program must not hang a build).
_TIMEOUT = 900.0


class SearchIndexError(SendsiteError):
    """The search index could not be written."""


def index_language(language: str) -> str:
    """The index's language for the site's ``lang`` (``en-GB`` -> ``en``): one index for all."""
    return (language or "en").split("-")[0].lower() or "en"


def index_records(
    records: Sequence[SearchRecord],
    site_dir: Path,
    language: str = "en",
    *,
    pages: list[tuple[bytes, str]] | None = None,
) -> list[Path]:
    """Index ``records`` into ``site_dir/pagefind``; return the files written.

    ``pages`` is ``record_pages(records, language)`` if the caller made it already; it
    is emptied once the pages are written for Pagefind, so they are not held while it runs.

    The same records give the same bytes. Raises ``SearchIndexError`` if
    Pagefind is missing, fails, indexes fewer pages than it was given (a page
    with no words is dropped), or writes what sendsite cannot read.
    """
    if pages is None:
        pages = record_pages(records, language)
    return stage_index(pages, language).run(site_dir)


@dataclass
class StagedIndex:
    """Record pages on disk, a folder for each part of the index, for ``run`` to index.

    It pickles: ``sendsite build`` writes the pages in the process that made them and
    indexes them in one holding nothing else (see ``build.forked``).
    """

    folder: Path
    #: Each part's pages: file name (``/000001.html``) -> its site page.
    parts: list[dict[str, str]]
    language: str

    def run(self, site_dir: Path) -> list[Path]:
        """Index every part into ``site_dir/pagefind`` (see ``index_records``); the pages'
        folder is removed whatever happens."""
        bundle = site_dir.joinpath(*BUNDLE.parts)
        outputs = [bundle]
        outputs += [site_dir / f".{BUNDLE.name}-part-{n}" for n in range(1, len(self.parts))]
        try:
            for output in outputs:
                shutil.rmtree(output, ignore_errors=True)
            hidden: set[str] = set()
            for n, (output, addresses) in enumerate(zip(outputs, self.parts, strict=True)):
                pages = self.folder / f"part-{n}"  # one at a time: each holds its part in memory
                hidden.update(_index_part(pages, output, addresses, self.language).get(_WORDS, []))
            for n, output in enumerate(outputs[1:], start=1):
                for name in _PROGRAM + [p.name for p in output.glob("wasm.*.pagefind")]:
                    (output / name).unlink()
                output.rename(bundle / f"part-{n}")
            names = [f"part-{n}/" for n in range(1, len(outputs))]
            listed = json.dumps({"parts": names, "hidden": sorted(hidden)})
            (bundle / PARTS).write_text(listed, encoding="utf-8")
        finally:
            for output in outputs[1:]:
                shutil.rmtree(output, ignore_errors=True)
            self.discard()
        return sorted(p for p in bundle.rglob("*") if p.is_file())

    def discard(self) -> None:
        """Remove the pages' folder (``run`` does, once done)."""
        shutil.rmtree(self.folder, ignore_errors=True)


def stage_index(pages: list[tuple[bytes, str]], language: str) -> StagedIndex:
    """Write ``pages`` (``record_pages``'s) into a temporary folder, dealt into the parts of
    the index; ``pages`` is emptied, so they are not held while Pagefind runs."""
    parts = _parts(pages)
    if len(parts) > 1:  # each part knows every word of the site (see _word_page)
        every = _word_page(pages, index_language(language))
        parts = [[*part, every] for part in parts]
    folder = Path(tempfile.mkdtemp(prefix="sendsite-records-"))
    try:
        addresses = []
        for n, part in enumerate(parts):
            (folder / f"part-{n}").mkdir()
            addresses.append(_write_pages(part, folder / f"part-{n}"))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    parts.clear()  # written: the pages are not held while Pagefind runs
    pages.clear()
    return StagedIndex(folder, addresses, index_language(language))


def records_digest(
    records: Sequence[SearchRecord],
    language: str = "en",
    *,
    pages: list[tuple[bytes, str]] | None = None,
) -> str:
    """A hash naming these records as Pagefind would index them (and Pagefind's version);
    ``pages`` is ``record_pages(records, language)`` if the caller made it already."""
    seed = f"{version('pagefind-bin')} {index_language(language)} {PART_BYTES}"
    digest = hashlib.sha256(seed.encode())
    for html, _ in pages if pages is not None else record_pages(records, language):
        digest.update(b"\0" + html)
    return digest.hexdigest()


def copy_index(site_dir: Path, into: Path) -> list[Path] | None:
    """Copy the index of the site at ``site_dir`` into ``into``; None if it has none whole."""
    source, bundle = site_dir.joinpath(*BUNDLE.parts), into.joinpath(*BUNDLE.parts)
    if not (source / ENTRY).is_file() or not (source / PARTS).is_file():
        return None
    try:
        if bundle.exists():
            shutil.rmtree(bundle)
        shutil.copytree(source, bundle)
    except OSError:
        shutil.rmtree(bundle, ignore_errors=True)
        return None
    return sorted(p for p in bundle.rglob("*") if p.is_file())


def fragments_by_page(bundle: Path) -> dict[str, list[str]]:
    """Each page's address -> its results' ids (``result.id``: fragment hashes) in every
    part of ``bundle``; the preview's search page hides a page's results by them when it
    is indexed again."""
    found: dict[str, list[str]] = {}
    try:
        names = json.loads((bundle / PARTS).read_text(encoding="utf-8"))["parts"]
        for part in [bundle, *(bundle / name for name in names)]:
            for page, ids in pagefind_bundle.fragments_by_page(part).items():
                found.setdefault(page, []).extend(ids)
    except READ_ERRORS as exc:
        raise SearchIndexError(f"the search index could not be read ({exc})") from None
    found.pop(_WORDS, None)
    return found


def _word_page(pages: list[tuple[bytes, str]], language: str) -> tuple[bytes, str]:
    """A page holding every word of ``pages`` once, added to each part of an index.

    Pagefind matches a word it does not have to the indexed words sharing its
    longest beginning ("autism" -> "autumn"). Alone, a part lacking a word the
    site has would do that, and the search page would list its nonsense beside
    the true results of the other parts; with this page every part has every
    word (as Pagefind splits them: at spaces). The search page never shows it:
    ``PARTS`` lists its results as ``hidden``.
    """
    words: dict[str, None] = {}
    for page, _ in pages:
        html = page.decode("utf-8")
        text = _TAG.sub(" ", html) + " " + " ".join(_META.findall(html))
        words.update(dict.fromkeys(unescape(text).split()))
    body = escape(" ".join(sorted(words)))
    html = f'<!DOCTYPE html><html lang="{escape(language)}"><body><p>{body}</p></body></html>'
    return html.encode("utf-8"), _WORDS


def record_pages(records: Sequence[SearchRecord], language: str) -> list[tuple[bytes, str]]:
    """Each site page's records as the HTML page Pagefind indexes (UTF-8: half the memory
    of text with a dash in it, which Python keeps at two bytes a character), with its
    address."""
    language = index_language(language)
    return [
        (_page_html(group, language).encode("utf-8"), group[0].page()) for group in _group(records)
    ]


def _parts(pages: list[tuple[bytes, str]]) -> list[list[tuple[bytes, str]]]:
    """The pages (HTML, site page) dealt in turn to as few parts as keep each within
    ``PART_BYTES``: a like mix in each, and the same parts for the same pages."""
    size = sum(len(html) for html, _ in pages)
    count = max(1, min(len(pages), -(-size // PART_BYTES)))
    return [pages[n::count] for n in range(count)]


def _write_pages(pages: list[tuple[bytes, str]], folder: Path) -> dict[str, str]:
    """Write each page into ``folder`` for Pagefind to index; return each file's site page."""
    addresses = {}
    for n, (html, address) in enumerate(pages):
        name = f"{n:06d}.html"
        (folder / name).write_bytes(html)
        addresses[f"/{name}"] = address
    return addresses


def _index_part(
    pages: Path, bundle: Path, addresses: dict[str, str], language: str
) -> dict[str, list[str]]:
    """Index one part's pages into ``bundle``, check it, and give results their addresses;
    return each site page's results' ids."""
    _run_pagefind(pages, bundle, language)
    try:
        counts = json.loads((bundle / ENTRY).read_text(encoding="utf-8"))["languages"]
        written = sum(int(lang["page_count"]) for lang in counts.values())
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SearchIndexError(f"Pagefind wrote no usable index ({exc})") from None
    if written != len(addresses):
        raise SearchIndexError(
            f"Pagefind indexed {written} of {len(addresses)} pages of search records",
            fix="A page whose records have no words cannot be found: give every record some text.",
        )
    return _finish(bundle, addresses)


def _finish(bundle: Path, addresses: dict[str, str]) -> dict[str, list[str]]:
    """Give each result its site page's address, sort the filters, and rename files to match;
    return each site page's results' ids."""
    for name in _UNUSED:
        (bundle / name).unlink(missing_ok=True)
    try:
        plans = pagefind_bundle.plan(bundle, addresses)
    except READ_ERRORS as exc:
        raise SearchIndexError(
            f"Pagefind wrote an index sendsite cannot read ({type(exc).__name__}: {exc})",
            fix="Install the Pagefind version pyproject.toml names (pip install -e .).",
        ) from None
    try:
        return pagefind_bundle.rewrite(bundle, plans)
    except OSError as exc:
        raise SearchIndexError(f"the search index could not be rewritten ({exc})") from None


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


# --- running Pagefind -----------------------------------------------------------------------


def _program() -> Path:
    """Pagefind's program: ``$PAGEFIND_BINARY_PATH`` (as Pagefind's own Python package
    reads it, e.g. for ``pagefind_extended``), or the one ``pagefind[bin]`` installs."""
    if chosen := os.environ.get("PAGEFIND_BINARY_PATH"):
        if not Path(chosen).is_file():
            raise SearchIndexError(
                f"the Pagefind program was not found (PAGEFIND_BINARY_PATH is {chosen})",
                fix="Point PAGEFIND_BINARY_PATH at Pagefind's program, or unset it.",
            )
        return Path(chosen)
    problem: Exception = ImportError("pagefind_bin is not installed")
    for package in ("pagefind_bin_extended", "pagefind_bin"):  # as Pagefind's package looks
        try:
            return Path(importlib.import_module(package).get_executable())
        except (ImportError, FileNotFoundError) as exc:
            problem = exc if isinstance(exc, FileNotFoundError) else problem
    raise SearchIndexError(
        f"the Pagefind program was not found ({problem})",
        fix="Install sendsite with its dependencies: pip install 'pagefind[bin]'.",
    )


def _run_pagefind(pages: Path, bundle: Path, language: str) -> None:
    """Index the record pages in ``pages`` into ``bundle`` with Pagefind's program."""
    command = [str(_program()), "--site", str(pages), "--output-path", str(bundle)]
    command += ["--force-language", language, "--silent"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise SearchIndexError(f"Pagefind did not finish within {_TIMEOUT:.0f} seconds") from None
    except OSError as exc:
        raise SearchIndexError(f"Pagefind could not be run: {exc}") from None
    if done.returncode != 0:
        said = " ".join((done.stderr or done.stdout).split())[-500:]
        raise SearchIndexError(f"Pagefind failed (exit {done.returncode}): {said}")
