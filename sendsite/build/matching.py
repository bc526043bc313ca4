"""Which item of one report is which item of the next: the one place items are matched.

Milestones, actions and risks are matched between two consecutive reports of a
series: first by an explicit reference both give (``ref``: an id or the
format's own number, such as 1.1), then by their words — the same
words first (in the same section and with the same due date before the same words
elsewhere), then words alike enough (reworded) within the same section, then,
for what is left, alike enough anywhere in the report (a section renamed or
renumbered). Pairs are taken best first, so two similar items never swap: an
item keeps its exact twin before a look-alike is considered. Each match says
how it was made.

Rows alike in all a step reads of them (many rows of one text) are classed
together and paired as a class, first to first, second to second..., never as
every pair of their rows. Words alike are compared once per two distinct texts of
one section (then of the rest), up to ``COMPARED`` comparisons a step; past that,
each only with those of the other report nearest its place. So the cost is linear
in the rows, and never in the whole series.
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Generic, TypeVar

__all__ = ["SIMILAR", "Match", "match_rows", "similarity"]

Row = TypeVar("Row")
Key = TypeVar("Key", bound=Hashable)

#: How alike two texts must be (0–1) to count as one item reworded.
SIMILAR = 0.75
#: Across sections (a section renamed), a stricter bar.
SIMILAR_ELSEWHERE = 0.85
#: Steps 3 and 4 compare every two distinct texts left (of one section in step 3)
#: while that is at most this many comparisons a step: far more than any real
#: report needs (its new, gone and reworded items, a few hundred at most). Past it,
#: each text is compared with only the texts of the other report whose first rows
#: are nearest its own first row's place: as many as keep the step to about this
#: many comparisons, and at least ``NEAREST``. So a hostile report costs seconds.
COMPARED = 100_000
NEAREST = 10

_WORD = re.compile(r"[^\W_]+")  # letters and digits, of any script
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "to",
        "for",
        "in",
        "on",
        "by",
        "with",
        "at",
        "from",
        "is",
        "are",
        "be",
        "as",
        "or",
    ]
)


@dataclass(frozen=True)
class Match(Generic[Row]):
    """A row of the earlier report and the same row in the later one, and how that was found.

    ``how`` is ``ref`` (both give the same reference), ``text`` (the same words)
    or ``similar`` (words alike: ``score`` says how much, from 0 to 1).
    """

    before: Row
    after: Row
    how: str
    score: float = 1.0


@lru_cache(maxsize=1 << 16)
def _words(text: str) -> tuple[str, ...]:
    """The words of an item's text that tell it apart (a series repeats its items' texts
    report after report, and each report is matched as the later one, then the earlier)."""
    return tuple(w for w in _WORD.findall(text.casefold()) if w not in _STOP)


def similarity(first: str, second: str) -> float:
    """How alike two item texts are, from 0 to 1: shared words and their order."""
    a, b = _words(first), _words(second)
    if not a or not b:
        return 0.0
    shared = len(set(a) & set(b))
    dice = 2 * shared / (len(set(a)) + len(set(b)))
    order = SequenceMatcher(None, " ".join(a), " ".join(b), autojunk=False).ratio()
    return (dice + order) / 2


def match_rows(
    before: Sequence[Row],
    after: Sequence[Row],
    *,
    text: Callable[[Row], str],
    section: Callable[[Row], str],
    ref: Callable[[Row], str],
    detail: Callable[[Row], Hashable] | None = None,
    state: Callable[[Row], Hashable] | None = None,
) -> tuple[list[Match[Row]], list[Row], list[Row]]:
    """Match ``before``'s rows to ``after``'s; return the matches, the rows only
    ``before`` has (gone) and the rows only ``after`` has (new), each in its order.

    ``detail`` tells rows of the same words apart (an item's due date: a meeting held
    every quarter is one row a quarter): those of one detail pair first. ``state`` (an
    item's status) pairs twins of one section and detail: of two same rows, one Green
    and one Red, the Red one kept is the Red one, not the Green one turned Red."""
    matches: list[Match[Row]] = []
    left = list(range(len(before)))
    right = list(range(len(after)))

    #: Due dates of rows matched by their words and date, by their words (``crosses``).
    dated: dict[tuple[str, ...], list[tuple[str, str]]] = {}

    def crosses(i: int, j: int) -> bool:
        """Whether rows of the same words are dated either side of one of those words
        matched by date: a recurring row's leftovers (September's done, March's new), not
        one row moved six months past its December twin."""
        twins = dated.get(words_before[i]) if words_before[i] == words_after[j] else None
        if not twins or detail is None:
            return False
        one, other = _span(detail(before[i])), _span(detail(after[j]))
        if one is None or other is None:
            return False
        (_, ends), (starts, _) = sorted((one, other))
        return any(ends < first and last < starts for first, last in twins)

    def take(pairs: Iterable[tuple[float, int, int]], how: str) -> None:
        """Match the pairs, given best first, each row in at most one."""
        nonlocal left, right
        used_left: set[int] = set()
        used_right: set[int] = set()
        for score, i, j in pairs:
            if crosses(i, j):
                continue
            if how == "text" and detail is not None:  # the same words: the same date too?
                day = detail(before[i])
                span = _span(day) if day == detail(after[j]) else None
                if span is not None:
                    dated.setdefault(words_before[i], []).append(span)
            used_left.add(i)
            used_right.add(j)
            matches.append(Match(before[i], after[j], how, round(score, 3)))
        left = [i for i in left if i not in used_left]
        right = [j for j in right if j not in used_right]

    words_before = [_words(text(row)) for row in before]
    words_after = [_words(text(row)) for row in after]
    # 1. The same reference on both sides.
    refs_before = _classes(left, lambda i: ref(before[i]).strip() or None)
    take(_same(refs_before, _classes(right, lambda j: ref(after[j]).strip() or None)), "ref")
    # 2. The same words: of one section, detail and state (twins told apart); of one
    # section and detail; of one section; then of one detail; anywhere.
    details: list[Callable[[Row], Hashable] | None] = [] if detail is None else [detail]
    twins = [] if detail is None or state is None else [lambda row: (detail(row), state(row))]
    for where in (section, None):
        for told in [*(twins if where is section else []), *details, None]:
            texts_before = _same_words(left, before, words_before, where, told)
            texts_after = _same_words(right, after, words_after, where, told)
            take(_same(texts_before, texts_after), "text")
    # 3. Words alike, within the same section; 4. then anywhere, more strictly.
    for where, bar in ((section, SIMILAR), (None, SIMILAR_ELSEWHERE)):
        alike_before = _placed(left, before, words_before, where)
        take(_alike(alike_before, _placed(right, after, words_after, where), bar), "similar")
    position = {id(row): j for j, row in enumerate(after)}
    matches.sort(key=lambda m: position[id(m.after)])
    return matches, [before[i] for i in left], [after[j] for j in right]


def _span(value: Hashable) -> tuple[str, str] | None:
    """A ``detail`` that is a date (``2023-03-31``, ``2023-03``, a range ``…/…``) as its
    first and last day, as text that sorts as the days do (a month's from ``-00`` to
    ``-99``); None for any other."""
    if not isinstance(value, str) or not _ISO.match(value):
        return None
    parts = value.split("/")
    first, last = parts[0], parts[-1]
    start = first if len(first) == 10 else f"{first[:7]}-00"
    return start, last if len(last) == 10 else f"{last[:7]}-99"


_ISO = re.compile(r"\d{4}-\d{2}")


def _classes(rows: list[int], key: Callable[[int], Key | None]) -> dict[Key, list[int]]:
    """``rows`` (places, in order) by their key, each class's in order; None: left out."""
    found: dict[Key, list[int]] = {}
    for n in rows:
        if (k := key(n)) is not None:
            found.setdefault(k, []).append(n)
    return found


def _same_words(
    rows: list[int],
    of: Sequence[Row],
    words: list[tuple[str, ...]],
    where: Callable[[Row], str] | None,
    told: Callable[[Row], Hashable] | None,
) -> dict[tuple[str, Hashable, tuple[str, ...]], list[int]]:
    """Rows with words by their words, and their section and detail where asked for."""

    def key(n: int) -> tuple[str, Hashable, tuple[str, ...]] | None:
        row = of[n]
        return ((where(row) if where else ""), (told(row) if told else None), words[n])

    return _classes(rows, lambda n: key(n) if words[n] else None)


def _placed(
    rows: list[int],
    of: Sequence[Row],
    words: list[tuple[str, ...]],
    where: Callable[[Row], str] | None,
) -> dict[tuple[str, tuple[str, ...]], list[int]]:
    """Rows with words by their section (or all in one: ``where`` None) and words."""
    return _classes(
        rows, lambda n: ((where(of[n]) if where else ""), words[n]) if words[n] else None
    )


def _same(left: dict[Key, list[int]], right: dict[Key, list[int]]) -> list[tuple[float, int, int]]:
    """Rows of the same key paired in order, first with first (steps 1 and 2): what taking
    every such pair by (first ``before`` row, first ``after`` row) would take."""
    pairs = [
        (1.0, i, j)
        for k, rows in left.items()
        for i, j in zip(rows, right.get(k, ()), strict=False)
    ]
    return sorted(pairs, key=lambda p: p[1])


#: Classes of rows paired by how alike they are: score -> ``before`` class -> ``after``
#: classes.
_Levels = dict[float, dict[int, list[int]]]


def _alike(
    left: dict[tuple[str, tuple[str, ...]], list[int]],
    right: dict[tuple[str, tuple[str, ...]], list[int]],
    bar: float,
) -> Iterator[tuple[float, int, int]]:
    """Rows alike enough (``similarity`` at least ``bar``) and of one section (the key's
    first part) paired best first (steps 3 and 4): each two distinct texts scored once."""
    keys_left, keys_right = list(left), list(right)
    lefts, rights = list(left.values()), list(right.values())
    sets_left = [set(words) for _, words in keys_left]
    sets_right = [set(words) for _, words in keys_right]
    groups: dict[str, tuple[list[int], list[int]]] = {}
    for a, (where, _) in enumerate(keys_left):
        groups.setdefault(where, ([], []))[0].append(a)
    for b, (where, _) in enumerate(keys_right):
        groups.setdefault(where, ([], []))[1].append(b)
    levels: _Levels = {}
    width = max(NEAREST, COMPARED // max(1, len(keys_left)))
    if sum(len(g) * len(h) for g, h in groups.values()) <= COMPARED:
        width = len(keys_right)  # every two: the cap is not reached
    for group_left, group_right in groups.values():
        near = _near(group_left, group_right, lefts, rights, width)
        for a, candidates in zip(group_left, near, strict=True):
            first, one = " ".join(keys_left[a][1]), sets_left[a]
            for b in candidates:
                other = sets_right[b]
                dice = 2 * len(one & other) / (len(one) + len(other))
                if (dice + 1) / 2 < bar:
                    continue  # even the same word order could not lift it to the bar
                second = " ".join(keys_right[b][1])
                order = SequenceMatcher(None, first, second, autojunk=False).ratio()
                if (score := (dice + order) / 2) >= bar:
                    levels.setdefault(score, {}).setdefault(a, []).append(b)
    return _pair_off(levels, lefts, rights)


def _near(
    group_left: list[int],
    group_right: list[int],
    lefts: list[list[int]],
    rights: list[list[int]],
    width: int,
) -> Iterator[list[int]]:
    """For each class of ``group_left``, the classes of ``group_right`` it is compared
    with: all, or the ``width`` whose first rows are nearest its first row's place."""
    if len(group_right) <= width:
        for _ in group_left:
            yield group_right
        return
    in_place = sorted(group_right, key=lambda b: rights[b][0])
    firsts = [rights[b][0] for b in in_place]
    for a in group_left:
        start = bisect.bisect_left(firsts, lefts[a][0]) - width // 2
        start = max(0, min(start, len(in_place) - width))
        yield in_place[start : start + width]


def _pair_off(
    levels: _Levels, lefts: list[list[int]], rights: list[list[int]]
) -> Iterator[tuple[float, int, int]]:
    """Pairs of rows of paired classes, taken as from every such pair sorted by (best
    score, first ``before`` row, first ``after`` row), each taken if both its rows are
    still free, but without listing those pairs.

    The rows of a class pair alike, so a class's rows are taken first to last: each
    class keeps how many of its rows are taken. At each score, the free ``before`` rows
    are visited in order, each taking the first free row of its paired classes.
    """
    taken_left = [0] * len(lefts)
    taken_right = [0] * len(rights)
    for score in sorted(levels, reverse=True):
        paired = levels[score]
        queue = [(lefts[a][taken_left[a]], a) for a in paired if taken_left[a] < len(lefts[a])]
        heapq.heapify(queue)
        while queue:
            i, a = heapq.heappop(queue)
            free = [
                (rights[b][taken_right[b]], b) for b in paired[a] if taken_right[b] < len(rights[b])
            ]
            if not free:
                continue  # none later at this score either: the class's other rows neither
            j, b = min(free)
            taken_left[a] += 1
            taken_right[b] += 1
            yield score, i, j
            if taken_left[a] < len(lefts[a]):
                heapq.heappush(queue, (lefts[a][taken_left[a]], a))
