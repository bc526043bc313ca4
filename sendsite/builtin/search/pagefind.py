"""Pagefind, behind one door: its private helpers ``pagefind_program`` (runs it),
``pagefind_bundle`` (reads its files), ``pagefind_layout`` and ``pagefind_pages``.

Pagefind (``pagefind[bin]``) is a Rust program that writes a chunked index into
``pagefind/`` so a browser downloads only what a query needs. The search records of each
site page (a report's overview and sections) become one small HTML page in a folder (the
build cache's, where only what changed is written again), its sections and their items
headings with their anchors, and Pagefind's own program indexes the folder on every core.
The rest of sendsite uses only ``index_records``, ``index_language``, ``SearchIndexError``,
``BUNDLE``, ``PARTS`` and ``IGNORE_ATTRIBUTE``.

*Names.* A record page is written where the site has its page (``north/may/index.html``)
when its address is a plain folder, so Pagefind names the result as the site does and it is
left as written; only the others' results are given their addresses afterwards
(``pagefind_pages.write_pages``, ``pagefind_bundle``). Rewriting every result took about
half a second of a core for each part, beside the Pagefind runs.

*Parts.* Pagefind holds all it indexes in memory (about 33 times the bytes of the pages it
is given), so a big site is indexed in parts of at most ``PART_BYTES`` of record pages, each
by a run of its own, two side by side (one run leaves a core idle about a third of the time)
while their pages stay within ``INDEXING_BYTES``: the first part is ``pagefind/``, the
others ``pagefind/part-N/``, listed in ``pagefind/sendsite-parts.json``; the search page
merges them (Pagefind's ``mergeIndex``, which shares the first part's program). Which page
goes in which part is ``pagefind_layout``'s: a page goes to the part its address hashes to,
so every part holds a like mix of areas and years, and a page stays in its part as the site
changes: a build whose part holds the very same pages as the last build's copies that part
of the last site's index instead of running Pagefind.

*Newest first.* A site of more than ``FIRST_BYTES`` of record pages has its newest reports
and its other pages in the first part, and its older reports in the others (``later`` and
``since`` in ``PARTS``): a first search downloads only the first part's index, whatever the
site's age; the search page merges the rest when asked.

Beyond Pagefind's documented options, sendsite relies on the files it writes (see
``pagefind_bundle``), pinned in pyproject.toml and checked by
``tests/test_pagefind_contract.py``. The same records give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from sendsite.build.copying import link_tree
from sendsite.build.parallel import cores
from sendsite.builtin.search import pagefind_bundle, pagefind_layout, pagefind_pages
from sendsite.builtin.search.pagefind_bundle import ENTRY, READ_ERRORS
from sendsite.builtin.search.pagefind_layout import Layout
from sendsite.builtin.search.pagefind_pages import OLDER_WORDS as _OLDER_WORDS
from sendsite.builtin.search.pagefind_pages import WORDS as _WORDS
from sendsite.builtin.search.pagefind_pages import pages_folder, part_of, write_pages
from sendsite.builtin.search.pagefind_program import (
    PROGRAM_FILES,
    PartRun,
    SearchIndexError,
    first_ended,
    memory_folder,
)
from sendsite.builtin.search.pagefind_reuse import copy_part, copy_words

if TYPE_CHECKING:
    from sendsite.builtin.search.records import RecordMemo, SearchRecord

__all__ = [
    "BUNDLE", "FIRST_BYTES", "IGNORE_ATTRIBUTE", "INDEXING_BYTES", "PARTS", "PART_BYTES",
    "Layout", "SearchIndexError", "StagedIndex",
    "copy_index", "fragments_by_page", "index_language", "index_records", "last_index",
    "layout", "part_digests", "record_pages", "records_digest", "stage_index",
]  # fmt: skip

#: Where the index goes in the site.
BUNDLE = PurePosixPath("pagefind")
#: The list of the index's other parts (``{"parts": ["part-1/", ...]}``), in ``BUNDLE``;
#: also the ids of the pages of words (``hidden``), what made each part (``digests``, see
#: ``part_digests``), so the next build can tell which it may copy, and, newest first,
#: the parts of older reports (``later``), the first date of the first part's reports
#: (``since``, ISO; "" if every part is a like mix), the index of words (``words``, its
#: folder, see ``WORDS_FOLDER``) and the id of each part's page in it (``probes``).
PARTS = "sendsite-parts.json"
#: The most bytes of record pages one Pagefind run indexes (about 850 of a big site's
#: reports; Pagefind holds about 33 times this, some 430 MB); a bigger site is indexed
#: in parts, two at once (see ``INDEXING_BYTES``).
PART_BYTES = 13_000_000
#: The most bytes of record pages indexed at once, by runs side by side (at most two,
#: and one on a single core): Pagefind's runs then hold some 870 MB in all, which with
#: the rest of the build stays under 1 GB. A part bigger than this runs alone.
INDEXING_BYTES = 26_000_000
#: The most bytes of record pages a first search looks in (about 400 of a big site's
#: reports, whole months of them, with every page that is not a report): a first search
#: for a common word at 10,000 reports then downloads about 300 KB, search page and all.
#: Each part searched first costs a first search its meta file and one or two index
#: chunks (up to ~70 KB), so there is one such part: this is at most ``PART_BYTES``.
#: (12 MB gave a first search the same bytes for one word and 27 KB more for four, and
#: a build after an edit of a newest report twice the Pagefind run: 2.5 s, not 1.2 s.)
FIRST_BYTES = 6_000_000
#: The folder of the index of words in ``BUNDLE`` (see ``pagefind_layout``): named as no
#: part is, and as a copy of the first part leaves out (``part-*``).
WORDS_FOLDER = "part-words"
#: The attribute that keeps an element (and what is inside it) out of the index.
IGNORE_ATTRIBUTE = "data-pagefind-ignore"
#: How the record pages are named for Pagefind, in the digests: an index named otherwise
#: (its results' addresses written otherwise, its parts not named by the filter ``part``)
#: is never copied into a new site.
_NAMING = "folders, parts named"


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
    return stage_index(layout(pages, language), language).run(site_dir)


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
    #: Each part's ``part_digests``.
    digests: list[str]
    #: Parts made from the very same pages as the last site's: part number -> that
    #: site's index (``BUNDLE`` in it), whose part is copied instead of made again.
    reused: dict[int, Path] = field(default_factory=dict)
    #: ``Layout.since``: the other parts are older reports, merged on request.
    since: str = ""
    #: Each part's bytes of pages (what Pagefind holds about 33 times while indexing it).
    sizes: list[int] = field(default_factory=list)
    #: Whether the last of ``parts`` (and ``sizes``) is the index of words (see
    #: ``pagefind_layout``), made into ``WORDS_FOLDER``; its digest (as ``part_digests``
    #: are made); and the last site's index (``BUNDLE`` in it) if that has the very same
    #: index of words, which is then copied instead.
    words: bool = False
    words_digest: str = ""
    words_from: Path | None = None
    kept: bool = False  # whether ``folder`` is the build cache's, kept for the next build
    #: The last site's index: a part made again has the files it holds linked from it
    #: (made in memory first, where the machine has a folder there: ``PartRun``).
    last: Path | None = None

    def run(self, site_dir: Path, stop: threading.Event | None = None) -> list[Path]:
        """Index every part into ``site_dir/pagefind`` (see ``index_records``); the pages'
        folder is removed whatever happens. Setting ``stop`` (from another thread) ends
        the runs with ``SearchIndexError``."""
        bundle = site_dir.joinpath(*BUNDLE.parts)
        count = len(self.parts) - self.words  # the parts of the index itself
        outputs = [bundle]
        outputs += [site_dir / f".{BUNDLE.name}-part-{n}" for n in range(1, count)]
        outputs += [site_dir / f".{BUNDLE.name}-{WORDS_FOLDER}"] if self.words else []
        runs: list[PartRun] = []
        try:
            for output in outputs:
                shutil.rmtree(output, ignore_errors=True)
            hidden: set[str] = set()
            probes = [""] * count  # each part's page in the index of words: its id
            waiting = [n for n in range(len(outputs)) if n not in self.reused]
            for n in self.reused:
                hidden.update(copy_part(self.reused[n], n, outputs[n], PARTS))
            if self.words_from is not None:  # the last site's index of words: the same
                waiting.remove(count)
                probes = copy_words(self.words_from, outputs[count], count, WORDS_FOLDER, PARTS)
                hidden.update(p for p in probes if p)
            at_once = min(2, cores())
            memory = memory_folder() if self.last is not None else None
            while waiting or runs:
                # When no other part may start beside the runs, the first to end is
                # waited for; then the next ones start, and its results get their
                # addresses while they index.
                if stop is not None and stop.is_set():
                    raise SearchIndexError("the search index was stopped: the build failed")
                ended = None
                if runs and self._next(runs, waiting, at_once) is None:
                    ended = first_ended(runs, stop).wait()
                while (part := self._next(runs, waiting, at_once)) is not None:
                    waiting.remove(part)
                    pages, size = self.folder / f"part-{part}", self.sizes[part]
                    last = self.last / _folder(part, count) if self.last is not None else None
                    addresses = self.parts[part]
                    runs.append(
                        PartRun(pages, outputs[part], addresses, self.language, size, memory, last)
                    )
                if ended is not None:
                    for address, ids in ended.finish().items():
                        if address in (_WORDS, _OLDER_WORDS):
                            hidden.update(ids)
                        elif (number := part_of(address)) is not None and number < count:
                            hidden.update(ids)
                            probes[number] = ids[0]
            for n, output in enumerate(outputs[1:], start=1):
                for name in PROGRAM_FILES + [p.name for p in output.glob("wasm.*.pagefind")]:
                    (output / name).unlink(missing_ok=True)
                output.rename(bundle / _folder(n, count))
            names = [f"part-{n}/" for n in range(1, count)]
            listed = json.dumps(
                {
                    "parts": names,
                    "hidden": sorted(hidden),
                    "words": f"{WORDS_FOLDER}/" if self.words else "",
                    "probes": probes if self.words else [],
                    "words_digest": self.words_digest,
                    "digests": self.digests,
                    "later": names if self.since else [],
                    "since": self.since,
                }
            )
            (bundle / PARTS).write_text(listed, encoding="utf-8")
        finally:
            for left in runs:
                left.stop()
            for output in outputs[1:]:
                shutil.rmtree(output, ignore_errors=True)
            self.discard()
        return sorted(p for p in bundle.rglob("*") if p.is_file())

    def _next(self, runs: list[PartRun], waiting: list[int], at_once: int) -> int | None:
        """The first ``waiting`` part that may start beside ``runs`` (see
        ``INDEXING_BYTES``), if any. Not only the next in line: hashed parts differ in
        size, and one a little too big to pair would leave a core idle for a whole run."""
        if not runs:
            return waiting[0] if waiting else None
        if len(runs) >= at_once:
            return None
        room = INDEXING_BYTES - sum(run.size for run in runs)
        return next((n for n in waiting if self.sizes[n] <= room), None)

    def discard(self) -> None:
        """Remove the pages' folder, unless ``kept`` (``run`` does, once done)."""
        if not self.kept:
            shutil.rmtree(self.folder, ignore_errors=True)


def layout(
    pages: list[tuple[bytes, str]], language: str, known: dict[str, set[bytes]] | None = None
) -> Layout:
    """``pages`` (``record_pages``'s) as the index's parts, with their pages of words (see
    ``pagefind_layout``; ``known``: older parts' words by ``part_digests``, kept up to date)."""
    lang = index_language(language)

    def key(n: int, count: int, part: list[tuple[bytes, str]]) -> str:  # as part_digests
        return _pages_digest(f"{_seed(lang, count)} {n}", part)

    return pagefind_layout.layout(pages, lang, PART_BYTES, FIRST_BYTES, known, key)


def part_digests(parts: Layout, language: str) -> list[str]:
    """A hash for each part of ``layout``'s naming what Pagefind would index in it (and
    Pagefind's version): a part with the hash of the last site's same part is copied."""
    seed = _seed(index_language(language), len(parts.parts))
    made = parts.keys  # the older parts' digests, if ``layout`` made them for their words
    return [made.get(n) or _pages_digest(f"{seed} {n}", p) for n, p in enumerate(parts.parts)]


def _seed(language: str, count: int) -> str:
    return f"{version('pagefind-bin')} {_NAMING} {language} {count}"


def _pages_digest(seed: str, pages: list[tuple[bytes, str]]) -> str:
    """A hash of ``seed`` and ``pages``, their addresses and bytes (``part_digests``)."""
    digest = hashlib.sha256(seed.encode())
    for html, address in pages:
        digest.update(b"\0" + address.encode() + b"\0" + html)
    return digest.hexdigest()


def last_index(site_dir: Path) -> tuple[Path, list[str]] | None:
    """The index of the site at ``site_dir`` and its parts' digests, if it is whole."""
    bundle = site_dir.joinpath(*BUNDLE.parts)
    try:
        listed = json.loads((bundle / PARTS).read_text(encoding="utf-8"))
        names, digests = list(listed["parts"]), [str(d) for d in listed["digests"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    count = len(digests)
    if names != [f"part-{n}/" for n in range(1, count)] or not (bundle / ENTRY).is_file():
        return None
    if not all((bundle / f"part-{n}" / ENTRY).is_file() for n in range(1, count)):
        return None
    return bundle, digests


def stage_index(
    parts: Layout,
    language: str,
    reused: dict[int, Path] | None = None,
    digests: list[str] | None = None,
    home: Path | None = None,
    last: Path | None = None,
) -> StagedIndex:
    """Write ``parts`` (``layout``'s), a folder for each part (its index of words after
    them) but the ``reused`` ones (see ``StagedIndex``), into ``home`` or a temporary folder
    (``pagefind_pages.pages_folder``); the parts are emptied, so their pages are not held
    while Pagefind runs. ``digests``: ``part_digests``, if the caller made them already;
    ``last``: the last site's index (``last_index``), if it has one."""
    reused = reused or {}
    copied = next(iter(reused.values()), None)  # the last site's index, if parts are copied
    last = last or copied
    digests = digests if digests is not None else part_digests(parts, language)
    words = bool(parts.words)  # the index of words, after the parts
    folder = pages_folder(home, len(parts.parts) + words)
    words_digest = _words_digest(parts, language) if words else ""
    words_from = (
        copied if words and copied is not None and _listed_digest(copied) == words_digest else None
    )
    every = [*parts.parts, parts.words] if words else parts.parts
    try:
        addresses: list[dict[str, str]] = []
        sizes = [sum(len(html) for html, _ in part) for part in every]
        for n, part in enumerate(every):
            (folder / f"part-{n}").mkdir(exist_ok=True)
            if n in reused or (n == len(parts.parts) and words_from is not None):
                addresses.append({})
            else:  # the index of words' pages name no part: the search page never asks
                named = n if n < len(parts.parts) else None
                addresses.append(write_pages(part, folder / f"part-{n}", named, home is not None))
            part.clear()  # written: the pages are not held while Pagefind runs
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    parts.parts.clear()
    language = index_language(language)
    return StagedIndex(
        folder, addresses, language, digests, reused, parts.since, sizes, words,
        words_digest, words_from, home is not None, last,
    )  # fmt: skip


def records_digest(
    records: Sequence[SearchRecord],
    language: str = "en",
    *,
    pages: list[tuple[bytes, str]] | None = None,
) -> str:
    """A hash naming these records as Pagefind would index them (and Pagefind's version);
    ``pages`` is ``record_pages(records, language)`` if the caller made it already."""
    seed = f"{_seed(index_language(language), PART_BYTES)} {FIRST_BYTES}"
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
        link_tree(source, bundle)
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
    found.pop(_OLDER_WORDS, None)
    return found


def record_pages(
    records: Sequence[SearchRecord], language: str, memo: RecordMemo | None = None
) -> list[tuple[bytes, str]]:
    """Each site page's records as the HTML page Pagefind indexes (UTF-8), with its address;
    ``memo`` keeps report pages' as their records are kept (``pagefind_pages.record_pages``)."""
    return pagefind_pages.record_pages(records, index_language(language), memo)


def _words_digest(parts: Layout, language: str) -> str:
    """A hash naming what Pagefind would index in the index of words (``part_digests``)."""
    seed = f"{version('pagefind-bin')} {_NAMING} {index_language(language)} words"
    return _pages_digest(seed, parts.words)


def _listed_digest(bundle: Path) -> str:
    """The digest of the index of words of the index at ``bundle`` ("" if none known)."""
    try:
        return str(json.loads((bundle / PARTS).read_text(encoding="utf-8"))["words_digest"])
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def _folder(n: int, count: int) -> str:
    """Where part ``n`` of an index of ``count`` parts (and then its index of words) goes
    in ``BUNDLE``."""
    return "" if n == 0 else f"part-{n}" if n < count else WORDS_FOLDER
