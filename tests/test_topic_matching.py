"""Topic matching: all topics in one pass over a text (``TopicMatcher``) gives exactly
what one regex per topic gives, and a topic page lists what its words match."""

from __future__ import annotations

import re
import sys
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sendsite.build.publish import build, read_site
from sendsite.config import load_config
from sendsite.content.topics import (
    _RUNS,
    Topic,
    TopicMatcher,
    _fold,
    _foldable,
    _folded_runs,
)
from sendsite.plugins.manager import make_plugin_manager

from .conftest import SiteMaker

_SETTINGS = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def reference_why(words: tuple[str, ...], text: str) -> str | None:
    """What puts ``text`` on a topic of ``words``, by the documented rules, one regex
    per kind: words in capitals (two or more letters, all capitals) are tried first
    and match only in capitals, then the others in any case; whole words (no word
    character or hyphen either side), an optional plural "s" or "es"; at the first
    place in the text where one matches, the longest alternative (as written in the
    regex) that matches; a space in a word stands for any whitespace."""

    def is_caps(word: str) -> bool:
        letters = [c for c in word if c.isalpha()]
        return len(letters) >= 2 and all(c.isupper() for c in letters)

    for caps, flags in ((True, re.NOFLAG), (False, re.IGNORECASE)):
        kind = [w for w in words if is_caps(w) == caps]
        if not kind:
            continue
        alternatives = sorted(
            (re.escape(w).replace(r"\ ", r"\s+") for w in kind), key=len, reverse=True
        )
        pattern = r"(?<![\w-])(" + "|".join(alternatives) + r")(?:s|es)?(?![\w-])"
        if found := re.search(pattern, text, flags):
            return found.group(1)
    return None


def _one_pass(topics: list[Topic], text: str) -> list[tuple[str, str]]:
    return [(topic.slug, word) for topic, word in TopicMatcher(topics).why(text)]


def _per_topic(topics: list[Topic], text: str) -> list[tuple[str, str]]:
    found = [(t.slug, reference_why(t.words, text)) for t in topics]
    assert [word for _, word in found] == [t.why(text) for t in topics]
    return [(slug, word) for slug, word in found if word is not None]


# Pieces of topic words and texts that meet at the awkward places: a phrase of one
# topic over a word of another, prefixes, plurals of words ending in s, hyphens and
# digits, letters re.IGNORECASE folds beyond ASCII (dotless i, long s, Kelvin sign),
# letters with case beyond ASCII, punctuation inside words.
_PIECES = [
    "ASD", "asd", "Asd", "ADHD", "ND", "nd", "OT", "SaLT", "SALT", "LO", "lo", "EHC",
    "ehc", "EHCP", "ehcp", "plan", "plans", "Plan", "short", "break", "breaks", "breakes",
    "therapy", "therapies", "therap", "bus", "buses", "buss", "s", "es", "e", "S",
    "co", "production", "co-production", "co-produced", "20", "20-week", "week", "weeks",
    "data", "set", "sets", "parent", "carer", "forum", "parent/carer", "x_y", "_", "-",
    "Education,", "Health", "and", "Care", "(ASD)", "a.b", "café", "CAFÉ", "cafe",
    "ß", "ẞ", "Σ", "\u03c3", "\u03c2", "\u03b9", "\u0345", "ﬅ", "ﬆ",
    "\u0131", "\u0130", "\u017f", "\u212a", "kit", "KIT", "\u212ait", "i", "I",
    "bu\u017f", "bu\u017fe\u017f", "th\u0130s", "\u0131t", "½", "²", "٣", "\udc80",
]  # fmt: skip
_GLUE = [" ", " ", " ", "  ", "\n", "\t", "-", "", ",", ", ", ".", "(", ")", "/", "’", "–",
         " – ", "\u00a0", "\u2028", "_", "s", "es", "'", "\u0301"]  # fmt: skip

_piece = st.one_of(st.sampled_from(_PIECES), st.text(min_size=1, max_size=3))
_FOLDS_LIKE = {"i": "\u0131", "I": "\u0130", "s": "\u017f", "k": "\u212a", "K": "\u212a"}
_SUFFIXES = st.sampled_from(["", "", "", "s", "es", "S", "ES", "\u017f", "e\u017f", "x"])
_SPACES = st.sampled_from([" ", " ", "  ", "\n", "\t", "\u00a0", "\u2028"])
_WORD_GLUE = st.sampled_from([" ", " ", "", "-", "  ", ", ", "/"])
_HOW = st.integers(0, 3)


@st.composite
def _word(draw: st.DrawFn) -> str:
    parts = draw(st.lists(_piece, min_size=1, max_size=3))
    glue = [draw(_WORD_GLUE) for _ in parts[1:]]
    return "".join(p + g for p, g in zip(parts, [*glue, ""], strict=True))


def _written(draw: st.DrawFn, word: str) -> str:
    """``word`` as a text may have it: letters in another case or swapped for what
    folds like them, other whitespace between its words, a plural ending."""
    out = []
    for c in word:
        how = draw(_HOW)
        if c == " ":
            out.append(draw(_SPACES))
        else:
            out.append(c.swapcase() if how == 0 else _FOLDS_LIKE.get(c, c) if how == 1 else c)
    return "".join(out) + draw(_SUFFIXES)


_KIND = st.integers(0, 3)
_TEXT_GLUE = st.sampled_from(_GLUE)


@st.composite
def _topics_and_text(draw: st.DrawFn) -> tuple[list[Topic], str]:
    """Up to four topics, and a text of their words (as written, or as a text may have
    them), other pieces and glue."""
    words = draw(st.lists(st.lists(_word(), min_size=1, max_size=6), min_size=1, max_size=4))
    topics = [Topic(f"Topic {n}", f"t{n}", "", tuple(w)) for n, w in enumerate(words)]
    mine = [w for t in topics for w in t.words]
    text = []
    for _ in range(draw(st.integers(0, 10))):
        kind = draw(_KIND)
        word = mine[draw(st.integers(0, len(mine) - 1))]
        piece = word if kind == 0 else _written(draw, word) if kind == 1 else draw(_piece)
        text.append(piece + draw(_TEXT_GLUE))
    return topics, "".join(text)


@_SETTINGS
@given(case=_topics_and_text())
@example(case=([Topic("A", "a", "", ("short break", "short breaks"))], "Short  breaks."))
@example(
    case=([Topic("A", "a", "", ("data", "data set")), Topic("B", "b", "", ("set",))], "data sets")
)
@example(case=([Topic("A", "a", "", ("bus",))], "the BU\u017fES, the buss"))
@example(case=([Topic("A", "a", "", ("bus",))], "the BU\u017fES"))
@example(case=([Topic("A", "a", "", ("this",))], "TH\u0130S"))
@example(case=([Topic("A", "a", "", ("this",))], "th\u0131s"))
@example(case=([Topic("A", "a", "", ("kit",))], "\u212aIT"))
@example(case=([Topic("A", "a", "", ("ASD", "autism"))], "autism, then ASD"))
@example(case=([Topic("A", "a", "", ("SaLT", "ND"))], "salt and Nd and nd"))
@example(case=([Topic("A", "a", "", ("café",)), Topic("B", "b", "", ("\u03b9",))], "CAFÉS \u0345"))
@example(
    case=(
        [Topic("A", "a", "", ("Education, Health and Care Plan",))],
        "education,\nhealth AND care plans",
    )
)
@example(
    case=(
        [Topic("A", "a", "", ("(ASD)", "20-week", "co-production"))],
        "x(ASD)s 20-weeks co-production-led (ASD)s",
    )
)
@example(case=([Topic("A", "a", "", ("",))], ""))
def test_one_pass_finds_what_each_topic_regex_finds(case: tuple[list[Topic], str]) -> None:
    topics, text = case
    assert _one_pass(topics, text) == _per_topic(topics, text)


@_SETTINGS
@given(
    text=st.one_of(st.text(max_size=60), st.lists(st.sampled_from(_PIECES + _GLUE)).map("".join))
)
def test_folded_runs_are_the_regex_runs_folded(text: str) -> None:
    assert _folded_runs(text) == [_fold(run) for run in _RUNS.findall(text)]


@cache
def _every_character() -> str:
    return "".join(map(chr, range(sys.maxunicode + 1)))


def _kind(c: str) -> str:
    return "word" if re.match(r"[\w-]", c) else "space" if c.isspace() else "other"


def test_what_an_ascii_character_matches_ignoring_case_folds_like_it() -> None:
    """Every character ``re.IGNORECASE`` matches to an ASCII one folds to the same and
    is a word character, hyphen or whitespace as it is: so the runs of a text where a
    word matches are the word's runs, folded alike."""
    for c in map(chr, range(128)):
        matched = re.findall(re.escape(c), _every_character(), re.IGNORECASE)
        for other in matched:
            assert (_fold(other), _kind(other)) == (_fold(c), _kind(c)), (c, other)
        assert matched == [c] if not c.isalpha() else len(matched) >= 2


def test_folding_keeps_every_character_one_character_and_a_space_a_space() -> None:
    for c in _every_character():
        folded = _fold(c)
        assert len(folded) == 1 and folded.isspace() == c.isspace(), c


def test_characters_taken_as_without_case_are_matched_only_by_themselves() -> None:
    """``_foldable`` lets letters beyond ASCII into the lookup only if they have no case,
    which the regex engine matches exactly (its own notion of case is checked here)."""
    sre = pytest.importorskip("_sre")
    for code in range(sys.maxunicode + 1):
        if code >= 128 and _foldable(chr(code)):
            assert not sre.unicode_iscased(code), chr(code)
        lower = sre.unicode_tolower(code)
        # A set of letters ignoring case compares lower cases: none is a letter without case.
        assert sre.unicode_iscased(lower) or lower == code, chr(code)


def test_words_that_cannot_be_looked_up_leave_their_topic_to_its_regex() -> None:
    punctuation = Topic("P", "p", "", ("&", "autism"))
    beyond = Topic("C", "c", "", ("café",))
    matcher = TopicMatcher([punctuation, beyond])
    assert matcher._whole == ({0, 1}, set())
    assert [(t.slug, w) for t, w in matcher.why("A & B at the CAFÉS")] == [
        ("p", "&"),
        ("c", "CAFÉ"),
    ]


TOPICS = """\
- name: Short breaks
  words: [short break, short breaks, respite]
- name: Data
  words: [data, data set, KPI]
- name: Autism
  words: [autism, ASD, neuro-developmental, Education Health and Care Plan]
"""

REPORT = """\
---
format: southend-highlight
meeting_date: 28th May 2021
priorities:
  - code: P1
    title: Short Breaks and respite
    milestones:
      - milestone: "Publish the short-breaks statement"
        completed_by: May 2021
      - milestone: "Review the data sets"
        completed_by: June 2021
      - milestone: "Kpi review (not the acronym), then the data and the KPIs"
        completed_by: June 2021
      - milestone: "asd and Neuro-Developmental pathway"
        completed_by: June 2021
      - milestone: "Education,\\n health and care plans"
        completed_by: July 2021
      - milestone: "Education health  and\\tcare plans"
        completed_by: July 2021
---
"""


def test_a_topic_page_lists_what_its_words_match(make_site: SiteMaker, tmp_path: Path) -> None:
    root = make_site({"content/_topics.yml": TOPICS, "content/southend/r.md": REPORT})
    site, _ = read_site(load_config(root), make_plugin_manager())
    found = {t.slug: [(m.anchor, m.reason) for m in t.matches] for t in site.topics}
    assert found == {
        # "short-breaks" is one hyphenated word, not the phrase.
        "short-breaks": [("p1", "Short Breaks")],
        # The longest word first; capitals before any other word.
        "data": [("p1-milestone-2", "data set"), ("p1-milestone-3", "KPI")],
        "autism": [
            ("p1-milestone-4", "Neuro-Developmental"),
            ("p1-milestone-6", "Education health  and\tcare plan"),
        ],
    }
    build(load_config(root), output=tmp_path / "out")
    page = (tmp_path / "out" / "topics" / "autism" / "index.html").read_text()
    assert "#p1-milestone-4" in page and "#p1-milestone-6" in page
    assert "#p1-milestone-5" not in page
