"""Topics: themes that areas tackle in common, defined in ``content/_topics.yml``.

Each topic has a name, a description and the words and acronyms that mark an
item or section as on-topic::

    - name: Autism and neurodevelopmental pathways
      slug: autism               # optional; made from the name otherwise
      description: Assessment and support for autistic children ...
      words: [autism, autistic, ASD, neurodevelopmental, ND pathway]

Words match whole words, ignoring case, with an optional plural "s"; words
written in capitals (acronyms such as ``ASD``) match only in capitals. A report
can also tag a section explicitly in its front matter::

    topics:
      p3: [autism]               # section anchor: topic slugs
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sendsite.content.documents import read_text
from sendsite.content.markdown import slugify
from sendsite.content.model import Item, Risk, Section
from sendsite.content.yamlfile import load_yaml
from sendsite.errors import ContentError

__all__ = ["Topic", "TopicMatch", "load_topics"]


@dataclass
class TopicMatch:
    """Something on a report page that is on-topic, and why."""

    report: object  # ReportEntry (not imported, to keep this module free of the site model)
    anchor: str
    kind: str
    text: str
    reason: str


@dataclass
class Topic:
    """A theme to compare areas on, and what matched it."""

    name: str
    slug: str
    description: str
    words: tuple[str, ...]
    matches: list[TopicMatch] = field(default_factory=list)
    _pattern: re.Pattern[str] | None = field(default=None, repr=False)
    _caps: re.Pattern[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        plain = [w for w in self.words if not _is_caps(w)]
        caps = [w for w in self.words if _is_caps(w)]
        if plain:
            self._pattern = re.compile(_alternation(plain), re.IGNORECASE)
        if caps:
            self._caps = re.compile(_alternation(caps))

    def why(self, text: str) -> str | None:
        """The word that puts ``text`` on this topic, or None."""
        for pattern in (self._caps, self._pattern):
            if pattern is not None and (found := pattern.search(text)):
                return found.group(1)
        return None

    def match_item(self, item: Item | Risk) -> str | None:
        text = f"{item.text} {getattr(item, 'mitigation', '')}"
        return self.why(text)

    def match_section(self, section: Section) -> str | None:
        return self.why(f"{section.title} {section.text}")


def _is_caps(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _alternation(words: list[str]) -> str:
    parts = sorted((re.escape(w).replace(r"\ ", r"\s+") for w in words), key=len, reverse=True)
    return r"(?<![\w-])(" + "|".join(parts) + r")(?:s|es)?(?![\w-])"


def load_topics(path: Path, rel: PurePosixPath) -> list[Topic]:
    """Read ``_topics.yml``; raises ``ContentError`` with the line of any mistake."""
    data, positions = load_yaml(read_text(path, rel), file=rel, what="topics file")
    if data is None:
        return []
    if not isinstance(data, list):
        raise ContentError(
            "the topics file must be a list of topics, each starting with '- name:'",
            file=rel,
            line=1,
            fix="Start each topic with '- name: ...' and indent its description and words.",
        )
    topics: list[Topic] = []
    seen: set[str] = set()
    for index, entry in enumerate(data):
        line = positions.line(index)
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ContentError(
                f"topic {index + 1} has no name",
                file=rel,
                line=line,
                fix="Each topic needs 'name:', 'description:' and 'words:'.",
            )
        unknown = set(entry) - {"name", "slug", "description", "words"}
        if unknown:
            key = sorted(unknown)[0]
            raise ContentError(
                f"topic '{entry['name']}': unknown key '{key}'",
                file=rel,
                line=positions.line(index, key),
                fix="Use only name, slug, description and words.",
            )
        words = entry.get("words") or []
        if (
            not isinstance(words, list)
            or not words
            or not all(isinstance(w, str | int) for w in words)
        ):
            raise ContentError(
                f"topic '{entry['name']}': 'words' must be a list of words and acronyms",
                file=rel,
                line=positions.line(index, "words"),
                fix="Write e.g. 'words: [autism, ASD, neurodevelopmental]'.",
            )
        slug = slugify(str(entry.get("slug") or entry["name"]))
        if slug in seen:
            raise ContentError(
                f"two topics share the web address 'topics/{slug}/'",
                file=rel,
                line=line,
                fix="Give one of them a different name or 'slug:'.",
            )
        seen.add(slug)
        topics.append(
            Topic(
                entry["name"].strip(),
                slug,
                str(entry.get("description", "")).strip(),
                tuple(str(w).strip() for w in words),
            )
        )
    return topics
