"""Statuses: area words map onto the shared scale and always read as words."""

from __future__ import annotations

import pytest
from sendsite_southend.reader import RAG_KEY

from sendsite.content.status import KeyEntry, Level, StatusKey

KEY = StatusKey(
    name="test",
    title="Test key",
    entries=(
        KeyEntry("Blue", Level.COMPLETE, "completed activity", aliases=("Done",)),
        KeyEntry("Orange", Level.DELAYED, "delayed activity"),
        KeyEntry("High", Level.SIGNIFICANT_DEVIATION, "high risk"),
    ),
)


def test_lookup_ignores_case_and_spacing() -> None:
    status = KEY.lookup("  blue ")
    assert status is not None
    assert status.level is Level.COMPLETE
    assert status.label == "Blue"
    assert KEY.lookup("done").level is Level.COMPLETE  # type: ignore[union-attr]


def test_unknown_word_is_not_guessed() -> None:
    assert KEY.lookup("Purple") is None
    assert KEY.allowed == ["Blue", "Orange", "High"]


def test_blank_is_not_rated() -> None:
    for blank in (None, "", "   "):
        status = KEY.lookup(blank)
        assert status is not None
        assert status.level is Level.NOT_RATED
        assert status.text == "Not rated"


def test_tag_text_always_has_a_word_beyond_the_colour() -> None:
    assert KEY.lookup("Orange").text == "Orange: delayed activity"  # type: ignore[union-attr]
    # With no meaning of its own, the shared level's label explains the colour.
    assert RAG_KEY.lookup("Yellow").text == "Yellow: minor deviation"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("word", "level"),
    [
        ("Green", Level.ON_TRACK),
        ("Yellow", Level.MINOR_DEVIATION),
        ("Amber", Level.MINOR_DEVIATION),
        ("Red", Level.SIGNIFICANT_DEVIATION),
        ("Blue", Level.COMPLETE),
        ("Complete", Level.COMPLETE),
        ("", Level.NOT_RATED),
    ],
)
def test_southend_rag_key(word: str, level: Level) -> None:
    status = RAG_KEY.lookup(word)
    assert status is not None and status.level is level


def test_shared_scale_levels_have_slugs_labels_and_tones() -> None:
    assert [level.slug for level in Level] == [
        "complete",
        "on-track",
        "in-progress",
        "minor-deviation",
        "significant-deviation",
        "delayed",
        "not-started",
        "not-rated",
    ]
    assert Level.from_slug("on_track") is Level.ON_TRACK
    assert len({level.tone for level in Level}) == len(Level)
