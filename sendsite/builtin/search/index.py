"""Writing the search index, and the word lists for typo correction.

The index itself is Pagefind's (see ``search_pagefind``, the one module that
knows about it): one small page per record, a report section with its items
as sub-results, a report's key facts, an area, a page (see ``search_records``).

Pagefind has no typo tolerance, so ``search/words/<letter>.json`` lists the
indexed words starting with each letter and how many records use them: the
search page fetches the one list a mistyped word needs and suggests the
nearest known word.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain
from pathlib import Path, PurePosixPath
from typing import Any

from sendsite.build.copying import link_tree, relink
from sendsite.build.heap import give_back
from sendsite.builtin.search.pagefind import (
    BUNDLE,
    Layout,
    SearchIndexError,
    StagedIndex,
    copy_index,
    layout,
    record_pages,
    stage_index,
)
from sendsite.builtin.search.records import SearchRecord

__all__ = [
    "BUNDLE",
    "WORDS",
    "IndexSummary",
    "SearchIndexError",
    "StagedSearch",
    "stage_search_index",
    "write_search_index",
]

#: Where the word lists go in the site (the index goes in ``BUNDLE``).
WORDS = PurePosixPath("search", "words")


@dataclass(frozen=True)
class IndexSummary:
    """What was indexed, for the build's summary and for tests."""

    records: int
    words: int
    files: int
    bytes: int
    #: Copied from the last site, made from the very same records (see ``build.cache``).
    reused: bool = False
    #: The parts of the index (see ``pagefind``), and how many were copied from the last
    #: site, their pages unchanged.
    parts: int = 1
    parts_copied: int = 0
    #: Searched newest first: the first date (ISO) of the reports a first search looks
    #: in (``pagefind.PARTS``); "" if a search looks in the whole site.
    since: str = ""


def write_search_index(
    site_dir: Path,
    records: list[SearchRecord],
    language: str = "en",
    stop: threading.Event | None = None,
) -> IndexSummary:
    """Index ``records`` into ``site_dir`` (see ``BUNDLE``) and write the word lists:
    ``stage_search_index``, then Pagefind (``StagedSearch.run``); setting ``stop`` (from
    another thread) ends Pagefind's runs with ``SearchIndexError``.

    Raises ``SearchIndexError`` if the index cannot be written or holds fewer
    records than it was given. A site with nothing to index (no reports or
    pages yet) gets no index.
    """
    return stage_search_index(site_dir, records, language).run(site_dir, stop)


@dataclass
class StagedSearch:
    """A search index half made (``stage_search_index``): ``run`` makes the rest.

    It pickles, so the two halves can run in different processes (see ``build.forked``).
    """

    records: int
    words: int
    #: The last site's index, already copied (the same records made it) ...
    copied: list[Path] | None = None
    #: ... or the pages for Pagefind, on disk.
    index: StagedIndex | None = None
    #: How many parts the index is in (see ``pagefind``).
    parts: int = 1
    #: ``IndexSummary.since``.
    since: str = ""
    #: ... or the index made already, while the site was written (see ``background``),
    #: and how many of its parts were copied from the last site.
    made: list[Path] | None = None
    made_copied: int = 0

    @property
    def to_make(self) -> bool:
        """Whether ``run`` still has Pagefind to run (the index is neither copied nor made)."""
        return self.copied is None and self.made is None and self.index is not None

    def run(self, site_dir: Path, stop: threading.Event | None = None) -> IndexSummary:
        """Make the index into ``site_dir`` (unless copied or made); the summary of the
        whole index. Setting ``stop`` ends Pagefind's runs (``StagedIndex.run``)."""
        if self.copied is not None:
            files, copied = self.copied, self.parts
        elif self.made is not None:
            files, copied = self.made, self.made_copied
        elif self.index is not None:
            files, copied = self.index.run(site_dir, stop), len(self.index.reused)
        else:
            return IndexSummary(0, 0, 0, 0)
        size = sum(p.stat().st_size for p in files)
        whole = self.copied is not None
        return IndexSummary(
            self.records, self.words, len(files), size, whole, self.parts, copied, self.since
        )


def stage_search_index(
    site_dir: Path,
    records: list[SearchRecord],
    language: str = "en",
    *,
    reuse: Path | None = None,
    parts: Layout | None = None,
    reused: dict[int, Path] | None = None,
    digests: list[str] | None = None,
    counts: Counter[str] | None = None,
    release: bool = False,
    started: tuple[int, str, int] | None = None,
    home: Path | None = None,
    last: Path | None = None,
    last_site: Path | None = None,
) -> StagedSearch:
    """``write_search_index`` up to running Pagefind: the word lists written into
    ``site_dir`` and the last site's index copied, or the records' pages written into a
    folder of their own for Pagefind.

    With ``reuse`` (a site whose index was made from these very records), its index is
    copied rather than made again; with ``reused``, the parts of it made from the very
    same pages (``StagedIndex``); the bytes are the same either way (``parts`` and
    ``digests``: the records' ``layout`` and its ``part_digests``, if the caller made
    them already; ``counts``: how many records hold each word, if known). With
    ``release`` (a build), ``records`` is emptied once the word lists are written:
    Pagefind needs only the pages, and does not run beside them. ``started``: the index
    is being made already (``background``): its parts, ``since`` and parts copied; only
    the word lists are written, and ``StagedSearch.made`` is to be given its files.
    ``home``: where the pages are kept for the next build, and ``last`` the last site's
    index (``pagefind.stage_index``); ``last_site``: the last site, whose word lists
    are kept where they are as they were (``write_word_lists``).
    """
    if not records:
        return StagedSearch(0, 0)
    count = len(records)
    copied = copy_index(reuse, site_dir) if reuse is not None else None
    # The very same records made the last site's word lists too.
    words = _copy_word_lists(reuse, site_dir) if reuse is not None and copied else None
    if words is None:
        lists = last_site.joinpath(*WORDS.parts) if last_site is not None else None
        words = write_word_lists(site_dir.joinpath(*WORDS.parts), records, counts, lists)
    if copied is None and parts is None:
        parts = layout(record_pages(records, language), language)
    if release:
        records.clear()
        give_back()
    if started is not None:
        number, since, copied_parts = started
        return StagedSearch(count, words, parts=number, since=since, made_copied=copied_parts)
    number, since = (len(parts.parts), parts.since) if parts is not None else (1, "")
    if copied is not None or parts is None:
        return StagedSearch(count, words, copied=copied, parts=number, since=since)
    index = stage_index(parts, language, reused, digests, home, last)
    return StagedSearch(count, words, index=index, parts=number, since=since)


def write_word_lists(
    folder: Path,
    records: Iterable[SearchRecord],
    counts: Counter[str] | None = None,
    last: Path | None = None,
) -> int:
    """Write ``<first letter>.json`` word lists (``{"w": [[word, records], ...]}``):
    ``counts``, how many records hold each word, if already known (``RecordMemo``). A list
    whose bytes are those of its file in ``last`` (the last site's lists) is that file,
    linked: it keeps its date, and a copy by date sends only the lists that changed."""
    if counts is None:
        counts = Counter(chain.from_iterable(map(SearchRecord.listed_words, records)))
    groups: dict[str, list[list[Any]]] = {}
    for word, count in sorted(counts.items()):
        groups.setdefault(_letter(word), []).append([word, count])
    folder.mkdir(parents=True, exist_ok=True)
    # Every letter has a list, even an empty one: a missing list means "cannot tell".
    for letter in [*"abcdefghijklmnopqrstuvwxyz", "0", "_"]:
        groups.setdefault(letter, [])
    for letter, words in sorted(groups.items()):
        name = f"{letter}.json"
        (folder / name).write_text(
            json.dumps({"w": words}, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )
        if last is not None:
            relink(last / name, folder / name)
    return len(counts)


def _copy_word_lists(site_dir: Path, into: Path) -> int | None:
    """Copy (link) the word lists of the site at ``site_dir`` into ``into``; how many
    words they list, or None if they cannot be read whole."""
    source, target = site_dir.joinpath(*WORDS.parts), into.joinpath(*WORDS.parts)
    try:
        link_tree(source, target)
        return sum(len(json.loads(p.read_text("utf-8"))["w"]) for p in target.glob("*.json"))
    except (OSError, ValueError, KeyError, TypeError):
        shutil.rmtree(target, ignore_errors=True)
        return None


def _letter(word: str) -> str:
    first = word[0]
    return first if "a" <= first <= "z" else ("0" if first.isdigit() else "_")
