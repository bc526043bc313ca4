"""Which item of one report is which item of the next: the one place items are matched.

Milestones, actions and risks are matched between two consecutive reports of a
series: first by an explicit reference both give (``ref``: an id or the
format's own number, such as 1.1), then by their words — the same
words first, then words alike enough (reworded) within the same section, then,
for what is left, alike enough anywhere in the report (a section renamed or
renumbered). Pairs are taken best first, so two similar items never swap: an
item keeps its exact twin before a look-alike is considered. Each match says
how it was made.

The cost is at most quadratic in the items of one section of the two reports
(plus the few left over at the end), never in the whole series.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Generic, TypeVar

__all__ = ["SIMILAR", "Match", "match_rows", "similarity"]

Row = TypeVar("Row")

#: How alike two texts must be (0–1) to count as one item reworded.
SIMILAR = 0.75
#: Across sections (a section renamed), a stricter bar.
SIMILAR_ELSEWHERE = 0.85

_WORD = re.compile(r"[a-z0-9]+")
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
) -> tuple[list[Match[Row]], list[Row], list[Row]]:
    """Match ``before``'s rows to ``after``'s; return the matches, the rows only
    ``before`` has (gone) and the rows only ``after`` has (new), each in its order."""
    matches: list[Match[Row]] = []
    left = list(range(len(before)))
    right = list(range(len(after)))

    def take(pairs: list[tuple[float, int, int, str]]) -> None:
        nonlocal left, right
        used_left: set[int] = set()
        used_right: set[int] = set()
        for score, i, j, how in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
            if i in used_left or j in used_right:
                continue
            used_left.add(i)
            used_right.add(j)
            matches.append(Match(before[i], after[j], how, round(score, 3)))
        left = [i for i in left if i not in used_left]
        right = [j for j in right if j not in used_right]

    words_before = [_words(text(row)) for row in before]
    words_after = [_words(text(row)) for row in after]
    sets_before = [set(w) for w in words_before]
    sets_after = [set(w) for w in words_after]
    # 1. The same reference on both sides.
    refs_after: dict[str, list[int]] = {}
    for j in right:
        if key := ref(after[j]).strip():
            refs_after.setdefault(key, []).append(j)
    take([(1.0, i, j, "ref") for i in left for j in refs_after.get(ref(before[i]).strip(), [])])
    # 2. The same words.
    same_words: dict[tuple[str, ...], list[int]] = {}
    for j in right:
        same_words.setdefault(words_after[j], []).append(j)
    take(
        [
            (1.0, i, j, "text")
            for i in left
            if words_before[i]
            for j in same_words.get(words_before[i], [])
        ]
    )
    # 3. Words alike, within the same section; 4. then anywhere, more strictly.
    for same_section, bar in ((True, SIMILAR), (False, SIMILAR_ELSEWHERE)):
        pairs = []
        for i in left:
            for j in right:
                if same_section and section(before[i]) != section(after[j]):
                    continue
                a, b = sets_before[i], sets_after[j]
                if not a or not b:
                    continue
                dice = 2 * len(a & b) / (len(a) + len(b))
                if (dice + 1) / 2 < bar:
                    continue  # even the same word order could not lift it to the bar
                order = SequenceMatcher(
                    None, " ".join(words_before[i]), " ".join(words_after[j]), autojunk=False
                ).ratio()
                if (score := (dice + order) / 2) >= bar:
                    pairs.append((score, i, j, "similar"))
        take(pairs)
    position = {id(row): j for j, row in enumerate(after)}
    matches.sort(key=lambda m: position[id(m.after)])
    return matches, [before[i] for i in left], [after[j] for j in right]
