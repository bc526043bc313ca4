"""Nothing of substance from any seed report may be dropped.

Each file in tests/seed_phrases/ lists distinctive phrases (one per line; blank
lines and lines starting with '#' are ignored) taken from every table row and
section of one seed report. Every phrase must appear in the built demo site's text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import site_text

PHRASES = Path(__file__).parent / "seed_phrases"


def _phrase_files() -> list[Path]:
    return sorted(PHRASES.glob("*.txt"))


def _phrases(path: Path) -> list[str]:
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _normalise(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("‘", "'").split()).casefold()


@pytest.mark.parametrize("phrase_file", _phrase_files(), ids=lambda p: p.stem)
def test_every_seed_phrase_is_in_the_site(phrase_file: Path, demo_site: Path) -> None:
    text = _normalise(site_text(demo_site))
    phrases = _phrases(phrase_file)
    assert len(phrases) >= 20, "a seed's phrase list should cover every row and section"
    missing = [p for p in phrases if _normalise(p) not in text]
    assert not missing, f"{len(missing)} phrase(s) from the seed are not in the site: {missing}"
