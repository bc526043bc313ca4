"""Which record page goes in which part of the index: private to ``pagefind``.

Two rules, with the sizes ``pagefind`` passes in:

- *Newest first.* A site whose record pages pass ``first_bytes`` keeps its newest
  reports (whole calendar months, as many as fit in ``first_bytes``) and every page
  that is not a report (areas, topics, pages) in the first part. A first search
  looks only there, so what a reader downloads for it stops growing with the site;
  the search page merges the older reports' parts when the reader asks for them, or
  when nothing newer matches (``Layout.since``).
- *Memory.* The other pages are in as few parts as keep each about ``part_bytes``,
  each in the part its address hashes to: a like mix in each (their scores compare
  as they would in one index), and a page stays in its part for as long as the
  number of parts stays the same, so a build can copy the parts that did not change.

Each part of an index in more than one also has a page of words
(``pagefind_pages.word_page``), so that no part answers a word it lacks with a near
word it has:

- in like mixes, every part has the page of every word of the site;
- newest first, the first part has the page of the older reports' words (so it knows
  every word of the site), and the older parts none: each is made from its own pages
  alone. The index of words (``Layout.words``, a small index of its own, merged only
  once the older reports are searched) has a page of each part's words: the search page
  keeps the results of the parts whose page matched the query, and asks for those
  alone (filter ``pagefind_pages.PART``) when another's did not. So a word the site
  lacks changes the first part, the index of words and the part of its page, no other.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from sendsite.builtin.search.pagefind_pages import (
    OLDER_WORDS,
    PART_WORDS,
    WORDS,
    page_date,
    page_words,
    word_page,
)

__all__ = ["Layout", "PartKey", "RecordPage", "layout"]

#: A record page (its HTML, UTF-8) and the site page it stands for.
RecordPage = tuple[bytes, str]
#: A hash naming a part's pages, given its number, how many parts there are and its pages.
PartKey = Callable[[int, int, list[RecordPage]], str]


@dataclass
class Layout:
    """The parts of the index, in order, the first part first."""

    parts: list[list[RecordPage]]
    #: The first date (ISO) of the reports in the first part, if the other parts hold
    #: only reports older than that (newest first); "" if every part is a like mix.
    since: str = ""
    #: Newest first, the index of words: a page of each part's words, in order.
    words: list[RecordPage] = field(default_factory=list)
    #: The ``key`` of each older part that ``layout`` hashed for its words, by number.
    keys: dict[int, str] = field(default_factory=dict)


def layout(
    pages: list[RecordPage],
    language: str,
    part_bytes: int,
    first_bytes: int,
    known: dict[str, set[bytes]] | None = None,
    key: PartKey | None = None,
) -> Layout:
    """``pages`` in parts, by the rules above.

    ``known``: the words of older parts by their ``key``, from an earlier layout (the
    build cache's), so a part whose pages are as they were is not read again for its
    words; it is left holding this layout's. (The first part is read each time: an edit
    of a newest report, the most common one, changes it anyway.)
    """
    since, days = "", []
    if _size(pages) > first_bytes:  # the pages' dates are read only for a site this big
        days = [page_date(html) for html, _ in pages]
        since = _since(pages, days, min(first_bytes, part_bytes))
    if since:
        newer = [not day or day >= since for day in days]
        newest = [page for page, new in zip(pages, newer, strict=True) if new]
        older = [page for page, new in zip(pages, newer, strict=True) if not new]
        parts = [newest, *_hashed(older, part_bytes)]
        found, keys = [page_words(newest)], dict[int, str]()
        for n, part in enumerate(parts[1:], start=1):
            if known is None or key is None:
                found.append(page_words(part))
                continue
            keys[n] = key(n, len(parts), part)
            found.append(known.get(keys[n]) or page_words(part))
        if known is not None:
            known.clear()
            known.update((keys[n], found[n]) for n in keys)
        words = [word_page(w, language, f"{PART_WORDS}{n}") for n, w in enumerate(found)]
        older_words = set().union(*found[1:])  # the older reports' words
        parts[0].append(word_page(older_words, language, OLDER_WORDS))
        return Layout(parts, since, words, keys)
    parts = _hashed(pages, part_bytes)
    if len(parts) > 1:
        every = word_page(page_words(pages), language, WORDS)
        parts = [[*part, every] for part in parts]
    return Layout(parts, since)


def _since(pages: list[RecordPage], days: list[str], budget: int) -> str:
    """The first day of the earliest month whose reports and all newer ones fit in
    ``budget`` with the pages that are not reports (or, if the newest month alone does
    not, the earliest such day); "" if not even the newest day's reports fit."""
    undated, by_day = 0, defaultdict[str, int](int)
    for (html, _), day in zip(pages, days, strict=True):
        if day:
            by_day[day] += len(html)
        else:
            undated += len(html)
    by_month = defaultdict[str, int](int)
    for day, size in by_day.items():
        by_month[day[:7] + "-01"] += size
    for steps in (by_month, by_day):
        since, total = "", undated
        for start in sorted(steps, reverse=True):
            total += steps[start]
            if total > budget:
                break
            since = start
        if since:  # "" if every report fits: then there are no older ones
            return since if since > min(by_day) else ""
    return ""


def _hashed(pages: list[RecordPage], part_bytes: int) -> list[list[RecordPage]]:
    """``pages`` in as few parts as keep each about ``part_bytes``, each in the part its
    address hashes to (in their order); no empty part."""
    count = max(1, min(len(pages), -(-_size(pages) // part_bytes)))
    parts: list[list[RecordPage]] = [[] for _ in range(count)]
    for page in pages:
        parts[zlib.crc32(page[1].encode()) % count].append(page)
    return [part for part in parts if part]


def _size(pages: list[RecordPage]) -> int:
    return sum(len(html) for html, _ in pages)
