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

__all__ = ["Topic", "TopicMatch", "TopicMatcher", "item_text", "load_topics", "section_text"]


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
        return self.why(item_text(item))

    def match_section(self, section: Section) -> str | None:
        return self.why(section_text(section))


def item_text(item: Item | Risk) -> str:
    """What topics are looked for in an item or risk: its text and any mitigation."""
    return f"{item.text} {getattr(item, 'mitigation', '')}"


def section_text(section: Section) -> str:
    """What topics are looked for in a section: its title and text."""
    return f"{section.title} {section.text}"


def _is_caps(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _alternation(words: list[str]) -> str:
    parts = sorted((re.escape(w).replace(r"\ ", r"\s+") for w in words), key=len, reverse=True)
    return r"(?<![\w-])(" + "|".join(parts) + r")(?:s|es)?(?![\w-])"


#: Runs of word characters and hyphens: where a topic's word can start and end
#: (``(?<![\w-])``, ``(?![\w-])``), and what the word is looked up by.
_RUNS = re.compile(r"[\w-]+")
#: Each byte of an ASCII character that is not a word character or hyphen, as a space.
_SPACES = bytes(b if b >= 128 or chr(b).isalnum() or b in b"_-" else 32 for b in range(256))
#: UTF-8 of common separators beyond ASCII (no-break space, pound sign, quotes, dashes,
#: bullet, ellipsis), also spaces.
_SEPARATORS = [c.encode() for c in "\u00a0\u00a3\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026"]
#: The letters beyond ASCII that ``re.IGNORECASE`` matches to an ASCII letter and whose
#: lower case is not that letter (dotless i, dotted capital I, long s; the Kelvin sign's
#: is ``k``): folded with these, what an ASCII character matches has its lower case.
_FOLD = str.maketrans({"\u0131": "i", "\u0130": "i", "\u017f": "s"})


def _fold(text: str) -> str:
    return (text if text.isascii() else text.translate(_FOLD)).lower()


def _folded_runs(text: str) -> list[str]:
    """``[_fold(run) for run in _RUNS.findall(text)]``, sooner: the text split at its
    separators as bytes, the regex left only the pieces with other characters."""
    utf8 = text.encode("utf-8", "surrogatepass").translate(_SPACES)
    if not text.isascii():
        for separator in _SEPARATORS:
            utf8 = utf8.replace(separator, b" ")
    spaced = utf8.decode("utf-8", "surrogatepass")
    if spaced.isascii():
        return spaced.lower().split()
    runs = [run for p in spaced.split() for run in ((p,) if p.isascii() else _RUNS.findall(p))]
    return _fold(" ".join(runs)).split(" ") if runs else []


def _foldable(word: str) -> bool:
    """Whether ``_fold`` compares ``word`` as ``re.IGNORECASE`` does: every character
    ASCII or without case (others, such as é or ß, leave their topic to its regex)."""
    return all(c.isascii() or c.lower() == c == c.upper() for c in word)


#: A phrase, by its first folded run: its topic, whether it is in capitals, its folded
#: runs but the last, and what the last may be (with "s" or "es").
_Phrase = tuple[int, bool, list[str], frozenset[str]]


class TopicMatcher:
    """``Topic.why`` of many topics at once: one pass over a text's runs of word
    characters and hyphens finds which topics' words may be in it, and only those
    topics' regexes are searched, so the words found are the regexes' own.

    None is passed over: where a word matches, the text has the word's runs in a row,
    the last perhaps with "s" or "es", and their folds are the word's folds (what
    ``re.IGNORECASE`` matches to an ASCII character folds as it does and is a word
    character as it is; tests/test_topic_matching.py checks every character). A
    word that cannot be looked up so (one without letters or digits, or with letters
    with a case beyond ASCII, as in "café") has its topic's regex for its kind of
    word (capitals or not) searched in every text.
    """

    def __init__(self, topics: list[Topic]) -> None:
        self.topics = topics
        #: Words of one run, by its folds (alone, with "s", with "es"): topic, capitals.
        self._words: dict[str, list[tuple[int, bool]]] = {}
        self._phrases: dict[str, list[_Phrase]] = {}
        #: Topics searched in every text: for words of any case, and in capitals.
        self._whole: tuple[set[int], set[int]] = (set(), set())
        for index, topic in enumerate(topics):
            for caps in (True, False):
                self._add(index, caps, [w for w in topic.words if _is_caps(w) == caps])
        self._firsts = self._words.keys() | self._phrases.keys()

    def _add(self, index: int, caps: bool, words: list[str]) -> None:
        found = [[_fold(r) for r in _RUNS.findall(w)] for w in words]
        if not all(found) or not (caps or all(map(_foldable, words))):
            self._whole[caps].add(index)
            return
        for *head, last in found:
            ends = frozenset((last, f"{last}s", f"{last}es"))
            if head:
                self._phrases.setdefault(head[0], []).append((index, caps, head, ends))
            else:
                for end in ends:
                    self._words.setdefault(end, []).append((index, caps))

    def why(self, text: str) -> list[tuple[Topic, str]]:
        """Each topic whose ``why(text)`` is not None, in order, with that word."""
        runs = _folded_runs(text)
        plain, caps = self._whole
        if hits := self._firsts.intersection(runs):
            plain, caps = set(plain), set(caps)
            for key in hits:
                for index, in_caps in self._words.get(key, ()):
                    (caps if in_caps else plain).add(index)
                for index, in_caps, head, ends in self._phrases.get(key, ()):
                    if index not in (caps if in_caps else plain) and _has(runs, head, ends):
                        (caps if in_caps else plain).add(index)
        found: list[tuple[Topic, str]] = []
        for index in sorted(plain | caps):
            topic = self.topics[index]
            # Capitals first, as in ``Topic.why``; a regex not to search is None.
            for pattern in (
                topic._caps if index in caps else None,
                topic._pattern if index in plain else None,
            ):
                if pattern is not None and (match := pattern.search(text)):
                    found.append((topic, match.group(1)))
                    break
        return found


def _has(runs: list[str], head: list[str], ends: frozenset[str]) -> bool:
    """Whether ``runs`` holds the runs ``head`` then one of ``ends``."""
    at = runs.index(head[0])
    while True:
        end = at + len(head)
        if end < len(runs) and runs[end] in ends and runs[at:end] == head:
            return True
        try:
            at = runs.index(head[0], at + 1)
        except ValueError:
            return False


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
        if not slug:
            given = "slug" if entry.get("slug") else "name"
            raise ContentError(
                f"topic '{entry['name']}' would have an empty web address: its {given} has no"
                " letters or digits a web address can use",
                file=rel,
                line=positions.line(index, given),
                fix="Give the topic a 'slug:' of plain letters and digits, e.g. 'slug: autism'.",
            )
        if not all(str(word).strip() for word in words):
            raise ContentError(
                f"topic '{entry['name']}': a word in 'words' is empty",
                file=rel,
                line=positions.line(index, "words"),
                fix="Remove the empty word from the list.",
            )
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
