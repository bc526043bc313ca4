"""The glossary: terms from plugins, reports and the site's ``content/_glossary.yml``,
and marking up the first use of each acronym on a page as ``<abbr title="…">``.

``_glossary.yml`` maps a term to its expansion, or to a mapping with
``expansion`` and optional ``description`` and ``aliases`` (other ways of writing
the term, which share its one definition)::

    EHCP: Education, Health and Care Plan
    SALT:
      expansion: Speech and Language Therapy
      aliases: [SLT, SaLT]

One entry per term in the site glossary: the site's own file wins, then plugins'
terms, then each report's (see ``merge_terms``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from html import escape
from itertools import accumulate
from pathlib import Path, PurePosixPath

from sendsite.content.documents import read_text
from sendsite.content.markdown import in_tag, slugify
from sendsite.content.model import GlossaryTerm
from sendsite.content.yamlfile import load_yaml
from sendsite.errors import ContentError

__all__ = ["AbbrMarker", "acronyms_in", "glossary_rows", "load_glossary", "merge_terms"]


def load_glossary(path: Path, rel: PurePosixPath) -> list[GlossaryTerm]:
    """Read ``_glossary.yml``; raises ``ContentError`` with the line of any mistake."""
    data, positions = load_yaml(read_text(path, rel), file=rel, what="glossary")
    if data is None:
        return []
    if not isinstance(data, dict):
        raise ContentError(
            "the glossary must be 'TERM: what it stands for' lines",
            file=rel,
            line=1,
            fix="Write e.g. 'EHCP: Education, Health and Care Plan'.",
        )
    terms = []
    named: dict[str, str] = {}  # every term and alias -> the term it names
    for key, value in data.items():
        term = str(key).strip()
        line = positions.line(key)
        if isinstance(value, dict) and not isinstance(value.get("description", ""), str):
            raise ContentError(
                f"glossary term '{term}': the description must be text",
                file=rel,
                line=positions.line(key, "description"),
                fix="Write the description on one line after 'description:' (or as a block"
                " after 'description: |').",
            )
        if isinstance(value, str) and value.strip():
            found = GlossaryTerm(term, value.strip())
        elif isinstance(value, dict) and isinstance(value.get("expansion"), str):
            unknown = set(value) - {"expansion", "description", "aliases"}
            if unknown:
                raise ContentError(
                    f"glossary term '{term}': unknown key '{sorted(unknown)[0]}'",
                    file=rel,
                    line=positions.line(key, sorted(unknown)[0]),
                    fix="Use only 'expansion', 'description' and 'aliases'.",
                )
            found = GlossaryTerm(
                term,
                value["expansion"].strip(),
                str(value.get("description", "")),
                _aliases(value.get("aliases"), term, rel, positions.line(key, "aliases")),
            )
        else:
            raise ContentError(
                f"glossary term '{term}' has no expansion",
                file=rel,
                line=line,
                fix=f"Write '{term}: what it stands for' on one line.",
            )
        for name in (found.term, *found.aliases):
            other = named.setdefault(name, term)
            if other != term:
                raise ContentError(
                    f"glossary term '{term}': '{name}' is already in the glossary, "
                    f"as '{other}' or one of its aliases",
                    file=rel,
                    line=line,
                    fix=f"Keep one entry: list '{name}' once, as a term or as an alias "
                    "under 'aliases:'.",
                )
        terms.append(found)
    return terms


def _aliases(value: object, term: str, rel: PurePosixPath, line: int | None) -> tuple[str, ...]:
    """The ``aliases:`` of a glossary term: a list of other spellings (or just one)."""
    if value is None:
        return ()
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise ContentError(
            f"glossary term '{term}': aliases must be a list of other ways to write it",
            file=rel,
            line=line,
            fix=f"Write e.g. 'aliases: [{term}s]', or leave 'aliases:' out.",
        )
    return tuple(dict.fromkeys(v.strip() for v in values if v.strip() != term))


def _same_words(expansion: str) -> str:
    """An expansion compared ignoring case, punctuation, hyphens and '&' for 'and'."""
    text = re.sub(r"[^\w\s]", "", expansion.casefold().replace("&", " and "))
    return " ".join(text.split())


@dataclass
class _Entry:
    first: GlossaryTerm
    aliases: list[str] = field(default_factory=list)
    also: dict[str, GlossaryTerm] = field(default_factory=dict)

    def add(self, term: GlossaryTerm) -> None:
        for name in (term.term, *term.aliases):
            if name != self.first.term and name not in self.aliases:
                self.aliases.append(name)
        words = _same_words(term.expansion)
        if words != _same_words(self.first.expansion):
            self.also.setdefault(words, replace(term, aliases=()))

    def merged(self) -> GlossaryTerm:
        return replace(self.first, aliases=tuple(self.aliases), also=tuple(self.also.values()))


def merge_terms(terms: Iterable[GlossaryTerm]) -> list[GlossaryTerm]:
    """One entry per term, sorted A to Z, whatever spells it and however often.

    A term and its aliases are one entry, matched ignoring case (``WSoA``,
    ``WSOA``); every spelling met is kept as an alias, so each is marked on the
    page. The **first definition wins**, with its description (give the site
    glossary's terms first): a later one in the same words (ignoring case,
    punctuation and "&") adds only its spellings; one in other words is kept in
    ``also``, once per wording, with its description and source, to be shown under it.
    """
    entries: list[_Entry] = []
    by_name: dict[str, _Entry] = {}
    for term in terms:
        names = [n for n in (term.term.strip(), *term.aliases) if n]
        entry = next((by_name[n.casefold()] for n in names if n.casefold() in by_name), None)
        if entry is None:
            entry = _Entry(term)
            entries.append(entry)
        entry.add(term)
        for name in names:
            by_name.setdefault(name.casefold(), entry)
    merged = [entry.merged() for entry in entries]
    return sorted(merged, key=lambda t: (t.term.casefold(), t.term))


def glossary_rows(terms: Iterable[GlossaryTerm]) -> list[tuple[str, str, GlossaryTerm]]:
    """The glossary page's rows, A to Z: ``(anchor, name, term)``.

    Each term is one row with its own anchor (``term-ehcp``); each alias spelt
    other than by case (``SLT`` for ``SALT``) is a row of its own whose ``name``
    is the alias and whose anchor is its term's, for a "see SALT" link.
    """
    anchors: dict[str, str] = {}
    rows = []
    for term in terms:
        base = "term-" + (slugify(term.term) or "entry")
        anchor, n = base, 1
        while anchor in anchors.values():
            n += 1
            anchor = f"{base}-{n}"
        anchors[term.term] = anchor
        rows.append((anchor, term.term, term))
        folded = term.term.casefold()
        rows += [(anchor, alias, term) for alias in term.aliases if alias.casefold() != folded]
    return sorted(rows, key=lambda row: (row[1].casefold(), row[1] != row[2].term, row[1]))


#: Elements whose text is never marked: links and abbreviations already, code, what is
#: not text shown on the page, and controls whose text can hold no markup (an option of
#: a filter: the parser drops the tag, and a menu's options cannot be pointed at).
_SKIP = {
    "abbr", "a", "script", "style", "title", "code", "pre", "textarea", "svg", "button",
    "select", "option",
}  # fmt: skip


class AbbrMarker:
    """Marks the first use of each glossary acronym on a page as ``<abbr title>``.

    Only text inside ``<main>`` is touched, never tags or attribute values,
    and never text already inside an ``abbr``, a link, code or a script.
    Terms and their aliases are matched as whole words, case-sensitively (``LO``
    is not "lo"); each has one title, its term's expansion (give merged terms).
    """

    def __init__(self, terms: Iterable[GlossaryTerm]) -> None:
        self.titles: dict[str, str] = {}
        for term in terms:
            for name in (term.term, *term.aliases):
                if _is_acronym(name):
                    self.titles.setdefault(name, term.expansion)
        # The terms by first letter, so the pattern starts with a set of letters and the
        # scan jumps between them; a term starts a word (not after a letter, digit, "_",
        # "&", "/" or "-"), which the look-behind after its first letter checks.
        by_first: dict[str, list[str]] = {}
        for word in sorted(self.titles, key=len, reverse=True):
            by_first.setdefault(word[0], []).append(re.escape(word[1:]))
        self.pattern = (
            re.compile(
                "("
                + "|".join(
                    rf"{re.escape(k)}(?<![\w&/-].)(?:{'|'.join(v)})"
                    for k, v in sorted(by_first.items())
                )
                + r")(?![\w/-])",
                re.S,
            )
            if by_first
            else None
        )

    def mark(self, html: str) -> str:
        """Return ``html`` with the first use of each known acronym in ``<main>`` marked.

        The terms are found first; tags and skipped elements are looked at only
        around them, so a long page with few acronyms costs little.
        """
        if self.pattern is None:
            return html
        start = html.find("<main")
        end = html.rfind("</main>")
        if start == -1 or end == -1:
            return html
        done: set[str] = set()
        firsts: list[re.Match[str]] = []
        skipped = _Skipped(html, start, end)
        for match in self.pattern.finditer(html, start, end):
            word, at = match.group(1), match.start()
            if word in done or in_tag(html, at, start):
                continue  # marked already, or inside a tag
            if skipped.at(at):
                continue
            done.add(word)
            firsts.append(match)
            if len(done) == len(self.titles):
                break
        out, position = [], 0
        for match in firsts:
            word = match.group(1)
            out += [html[position : match.start()], f'<abbr title="{escape(self.titles[word])}">']
            out += [word, "</abbr>"]
            position = match.end()
        return "".join([*out, html[position:]]) if firsts else html


# An opening or closing tag of an element whose text is never marked.
_SKIP_TAG = re.compile(r"<(/?)\s*(?:" + "|".join(sorted(_SKIP)) + r")(?![a-zA-Z0-9])[^>]*>", re.I)


class _Skipped:
    """Whether a place in ``html[start:end]`` is inside a link, code, an ``abbr`` or the
    like, asked of places in order: the tags are read only as far as the last place asked
    about (a page's first uses of its terms are seldom near its end)."""

    def __init__(self, html: str, start: int, end: int) -> None:
        self.tags = _SKIP_TAG.finditer(html, start, end)
        self.next: re.Match[str] | None = next(self.tags, None)
        self.depth = 0  # how many skipped elements are open where the tags were read to

    def at(self, place: int) -> bool:
        """Whether ``place`` (not inside a tag; at or after the last place asked) is skipped."""
        while self.next is not None and self.next.start() < place:
            tag = self.next
            if tag.group(1):
                self.depth = max(0, self.depth - 1)
            elif not tag.group(0).endswith("/>"):
                self.depth += 1
            self.next = next(self.tags, None)
        return self.depth > 0


def _is_acronym(term: str) -> bool:
    """``EHCP``, ``WSoA``, ``SENDIASS``, ``0-19`` is not: at least two capitals, no spaces."""
    return " " not in term and sum(c.isupper() for c in term) >= 2 and term[0].isalpha()


# Two or more capitals, possibly with lower-case letters between (WSoA, SaLT, EHCPs), not
# after a letter, digit, "_", "&", "/", "-" or "^" (a footnote's label, "[^ONS]", is never
# shown). (The look-behind follows the first capital, so the pattern starts with a
# capital, which the scan jumps between: 2.5 times as fast.)
_ACRONYM_LIKE = re.compile(r"([A-Z](?<![\w&/^-].)[a-z]?[A-Z][A-Za-z]*?)(s?)(?![\w/-])", re.S)
# Capitalised words that are not abbreviations: headings in capitals and roman numerals.
_NOT_ACRONYMS = {"II", "III", "IV", "VI", "VII", "VIII", "IX", "XI", "XII"}


def acronyms_in(text: str) -> dict[str, int]:
    """Every acronym-like word in ``text`` with the line it first appears on.

    Words on a line written mostly in capitals ("TOP RISKS & ISSUES") are taken
    as a heading, not abbreviations; a plural "s" is allowed ("EHCPs").
    """
    found: dict[str, int] = {}
    starts: list[int] = []  # where each line starts, worked out once a word needs its line
    shouting: dict[int, bool] = {}  # by line, worked out only when needed
    # One pass over the whole text: a word never spans lines, and a line break stands
    # where the pattern's look-arounds would see the line's start or end.
    for match in _ACRONYM_LIKE.finditer(text):
        word = match.group(1)
        if word in found or word in _NOT_ACRONYMS:
            continue  # seen, or a numeral
        upper = sum(map(str.isupper, word))
        if upper < len(word) - upper:
            continue  # a name such as "McCarron"
        if not starts:
            starts = list(accumulate(map(len, text.splitlines(keepends=True)), initial=0))
        number = bisect_right(starts, match.start())
        if word.isupper():
            if number not in shouting:
                shouting[number] = _looks_like_shouting(text[starts[number - 1] : starts[number]])
            if shouting[number]:
                continue  # a heading in capitals: its words are not abbreviations
        found[word] = number
    return found


def _looks_like_shouting(line: str) -> bool:
    """Whether ``line`` is written mostly in capitals. A short line (a heading recurs in
    every report of its kind) is looked at once, and remembered."""
    return _shouting(line) if len(line) <= _SHORT_LINE else _is_shouting(line)


#: The longest line ``_looks_like_shouting`` remembers (a pasted paragraph is not kept).
_SHORT_LINE = 1000


def _is_shouting(line: str) -> bool:
    letters = list(filter(str.isalpha, line))
    return bool(letters) and sum(map(str.isupper, letters)) / len(letters) > 0.6


_shouting = lru_cache(maxsize=4096)(_is_shouting)
