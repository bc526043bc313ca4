"""Matching rows between two reports: the same answers as ever, at a cost that stays bounded
with many rows of one text (a fuzzer's two reports of 4,000 identical milestones took
3 GB) or many reworded ones."""

from __future__ import annotations

import random
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from difflib import SequenceMatcher
from typing import Any

import pytest

from sendsite.build import matching
from sendsite.build.matching import SIMILAR, SIMILAR_ELSEWHERE, Match, _words, match_rows

#: A row: (its place, text, section, reference); rows are told apart by identity.
Row = tuple[int, str, str, str]


def _reference(
    before: Sequence[Any],
    after: Sequence[Any],
    *,
    text: Callable[[Any], str],
    section: Callable[[Any], str],
    ref: Callable[[Any], str],
) -> tuple[list[Match[Any]], list[Any], list[Any]]:
    """``match_rows`` as it was before it classed rows (listing every pair of rows of one
    text, or of one section, then sorting them): the answers it must still give. (Rows of
    the same words pair in their own section first, since they were found to pair across
    sections.)"""
    matches: list[Match[Any]] = []
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
    refs_after: dict[str, list[int]] = {}
    for j in right:
        if key := ref(after[j]).strip():
            refs_after.setdefault(key, []).append(j)
    take([(1.0, i, j, "ref") for i in left for j in refs_after.get(ref(before[i]).strip(), [])])
    for same_section in (True, False):  # the same words in the same section first
        same_words: dict[tuple[str, ...], list[int]] = {}
        for j in right:
            same_words.setdefault(words_after[j], []).append(j)
        take(
            [
                (1.0, i, j, "text")
                for i in left
                if words_before[i]
                for j in same_words.get(words_before[i], [])
                if not same_section or section(before[i]) == section(after[j])
            ]
        )
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
                    continue
                order = SequenceMatcher(
                    None, " ".join(words_before[i]), " ".join(words_after[j]), autojunk=False
                ).ratio()
                if (score := (dice + order) / 2) >= bar:
                    pairs.append((score, i, j, "similar"))
        take(pairs)
    position = {id(row): j for j, row in enumerate(after)}
    matches.sort(key=lambda m: position[id(m.after)])
    return matches, [before[i] for i in left], [after[j] for j in right]


def _run(how: Callable[..., Any], before: Sequence[Row], after: Sequence[Row]) -> Any:
    """The answer, as identities (rows of one text are still different rows)."""
    found, gone, new = how(
        before, after, text=lambda r: r[1], section=lambda r: r[2], ref=lambda r: r[3]
    )
    return (
        [(id(m.before), id(m.after), m.how, m.score) for m in found],
        [id(r) for r in gone],
        [id(r) for r in new],
    )


WORDS = ["plan", "team", "data", "task", "risk", "care", "need", "home"]
POOL = ["plan team data task", "risk care need home", "plan care data home"]


def _rows(rng: random.Random, count: int, like: Sequence[Row] = (), *, pool: bool) -> list[Row]:
    """Rows of few words, so many are the same, many alike and many tie: from a few texts
    (``pool``) a word or two changed, or from ``like`` (the earlier report) reworded."""
    rows: list[Row] = []
    for k in range(count):
        if pool:
            words = rng.choice(POOL).split()
            for _ in range(rng.randrange(2) if like else 0):
                words[rng.randrange(len(words))] = rng.choice(WORDS)
        elif like and rng.random() < 0.6:
            words = rng.choice(like)[1].split() or ["plan"]
            for _ in range(rng.randrange(3)):
                words[rng.randrange(len(words))] = rng.choice(WORDS)
        else:
            words = [rng.choice(WORDS) for _ in range(rng.randrange(3, 6))]
        text = "the of" if rng.random() < 0.05 else " ".join(words)  # no words: never matched
        rows.append((k, text, rng.choice("AB"), rng.choice(["", "", "", "", "1", "2 "])))
    return rows


@pytest.mark.parametrize("pool", [False, True], ids=["reworded", "few-texts"])
def test_the_answers_are_the_old_ones(pool: bool) -> None:
    """Random small reports (duplicates, reorderings, rewordings, sections, references,
    rows given twice): every answer, in order, is the one the old listing gave."""
    rng = random.Random(20240601 + pool)
    kinds: set[str] = set()
    for _ in range(400):
        before = _rows(rng, rng.randrange(16), pool=pool)
        after = _rows(rng, rng.randrange(16), before, pool=pool)
        rng.shuffle(after)
        if rng.random() < 0.2 and after:  # one row object given twice
            after.append(after[0])
            before.extend(before[:1])
        expected = _run(_reference, before, after)
        assert _run(match_rows, before, after) == expected, (before, after)
        kinds |= {how for _, _, how, _ in expected[0]}
    assert kinds == {"ref", "text", "similar"}


def test_rows_of_one_text_pair_in_order() -> None:
    """The first of one text matches the first, the second the second...; the rest are
    gone (or new), also in order; a reworded one goes to the first still free."""
    before = [(k, "Task", "P1", "") for k in range(4)] + [(4, "Plan the team data", "P1", "")]
    after = [(k, "Task", "P1", "") for k in range(2)] + [
        (2, "Plan the team data review", "P1", ""),
        (3, "Plan the team data review", "P1", ""),
    ]
    found, gone, new = match_rows(
        before, after, text=lambda r: r[1], section=lambda r: r[2], ref=lambda r: r[3]
    )
    assert [(m.before[0], m.after[0], m.how) for m in found] == [
        (0, 0, "text"),
        (1, 1, "text"),
        (4, 2, "similar"),
    ]
    assert [r[0] for r in gone] == [2, 3]
    assert [r[0] for r in new] == [3]
    assert _run(match_rows, before, after) == _run(_reference, before, after)


@contextmanager
def _peak() -> Iterator[list[int]]:
    """The most memory allocated at once in the block (in bytes), as ``[peak]``."""
    found = [0]
    tracemalloc.start()
    try:
        yield found
        found[0] = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


MB = 1 << 20


@pytest.mark.parametrize(
    ("text_before", "text_after", "ref", "how"),
    [
        ("Task / TBC / Green", "Task / TBC / Green", "", "text"),  # the fuzzer's reports
        ("Task one", "Other words", "7", "ref"),  # one reference on every row
        ("plan team data task", "plan team data risk", "", "similar"),  # reworded alike
    ],
    ids=["same-text", "same-ref", "same-rewording"],
)
def test_many_rows_of_one_text_take_little_memory(
    text_before: str, text_after: str, ref: str, how: str
) -> None:
    """20,000 identical rows a side (listing every pair of them took 3 GB for 4,000 a
    side, growing with the square): paired in order in a few MB."""
    n = 20_000
    before = [(k, text_before, "P1", ref) for k in range(n)]
    after = [(k, text_after, "P1", ref) for k in range(n)]
    with _peak() as peak:
        found, gone, new = match_rows(
            before, after, text=lambda r: r[1], section=lambda r: r[2], ref=lambda r: r[3]
        )
    assert peak[0] < 50 * MB
    assert not gone and not new
    assert all(m.before is before[k] and m.after is after[k] for k, m in enumerate(found))
    assert {m.how for m in found} == {how}


def test_many_reworded_rows_compare_a_bounded_number(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past ``COMPARED`` comparisons a step, each text is compared only with those nearest
    its place: the work and memory stay bounded, and rewordings in place still match."""
    compared = 0
    real = SequenceMatcher  # what matching uses

    def counted(*args: Any, **kwargs: Any) -> SequenceMatcher[str]:
        nonlocal compared
        compared += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(matching, "SequenceMatcher", counted)
    monkeypatch.setattr(matching, "COMPARED", 5_000)
    n = 1_000  # a million pairs of distinct texts, every one of them alike enough
    before = [(k, f"alpha beta gamma delta item{k}", "P1", "") for k in range(n)]
    after = [(k, f"alpha beta gamma delta thing{k}", "P1", "") for k in range(n)]
    with _peak() as peak:
        found, gone, new = match_rows(
            before, after, text=lambda r: r[1], section=lambda r: r[2], ref=lambda r: r[3]
        )
    assert compared <= n * matching.NEAREST  # 5,000 // 1,000 < NEAREST
    assert peak[0] < 20 * MB
    assert not gone and not new
    assert all(m.before is before[k] and m.how == "similar" for k, m in enumerate(found))


def test_under_the_cap_every_two_texts_are_compared() -> None:
    """Below ``COMPARED`` (here 60 × 60 distinct texts) the answers are the old ones, even
    where the best match is far from its place."""
    rng = random.Random(7)
    before = [(k, " ".join(rng.sample(WORDS, 4)) + f" n{k % 5}", "P1", "") for k in range(60)]
    after = [(k, " ".join(rng.sample(WORDS, 4)) + f" n{k % 7}", "P1", "") for k in range(60)]
    assert matching.COMPARED >= 60 * 60
    assert _run(match_rows, before, after) == _run(_reference, before, after)
