"""Acronyms and their spelled-out forms, from the site glossary, for search.

Pagefind has no synonyms, so each search record carries the *other* forms of
every glossary term it mentions in a hidden ``aka`` field that is searched but
never shown: a section that says "SALT" also answers "speech and language
therapy" (and "SLT"), and one that says "speech and language therapy" answers
"SALT". Terms that share an expansion (SALT, SLT, SaLT) form one group, as do a
term's aliases and the other wordings reports give it.

Acronyms match as whole words in their own capitals (``LO`` is not "lo"), with
an optional plural "s" (``EHCPs``). Expansions match ignoring case,
punctuation and spaces between words, so "neuro-developmental" finds
"Neurodevelopmental" and "Education Health and Care Plans" finds "Education,
Health and Care Plan".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sendsite.content.model import GlossaryTerm

__all__ = ["Synonyms", "acronym_like", "words_in"]

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_PARENTHESES = re.compile(r"\([^)]*\)")
#: Expansions are matched over at most this many words.
_MAX_WORDS = 10
#: ... and at most this many letters and digits (the longest real expansions have ~80).
_MAX_CHARACTERS = 200


def words_in(text: str) -> list[str]:
    """``text``'s words (runs of letters and digits), casefolded, in order."""
    return _WORD.findall(text.casefold())


def acronym_like(term: str) -> bool:
    """``EHCP``, ``WSoA``, ``SEND PM``: two capitals or more; matched case-sensitively."""
    return sum(c.isupper() for c in term) >= 2


def _matchable(form: str) -> bool:
    """Whether ``groups_in`` can find ``form`` in a text: at most ``_MAX_WORDS`` words and
    ``_MAX_CHARACTERS`` letters (so the prefixes kept of it stay few: a pasted paragraph
    as an expansion once held every prefix of itself, gigabytes)."""
    words = _WORD.findall(_PARENTHESES.sub(" ", form).casefold())
    return len(words) <= _MAX_WORDS and sum(map(len, words)) <= _MAX_CHARACTERS


def _joined(text: str) -> str:
    return "".join(_WORD.findall(_PARENTHESES.sub(" ", text).casefold()))


def _pairs(terms: Iterable[GlossaryTerm]) -> list[tuple[str, str]]:
    """Every spelling of every term (its aliases too) with every wording it is given
    (``also`` too: each is searched, though the page shows one definition)."""
    return [
        (name, meaning)
        for term in terms
        for name in (term.term, *term.aliases)
        for meaning in (term.expansion, *(other.expansion for other in term.also))
    ]


@dataclass
class _Group:
    forms: list[str] = field(default_factory=list)


class Synonyms:
    """Finds glossary terms in text and gives the other forms of each."""

    def __init__(self, terms: Iterable[GlossaryTerm]) -> None:
        groups: dict[str, _Group] = {}
        by_term: dict[str, list[str]] = {}
        for name, meaning in _pairs(terms):
            key = _joined(meaning)
            if not key or not name.strip():
                continue
            group = groups.setdefault(key, _Group())
            expansion = " ".join(_PARENTHESES.sub(" ", meaning).split())
            for form in (expansion, name.strip()):
                if form not in group.forms:
                    group.forms.append(form)
            by_term.setdefault(name.strip(), []).append(key)
        # A term with two expansions (ND: "Neurodevelopmental", "Neuro developmental
        # pathway") joins its groups, so each expansion finds the other's records too.
        merged: dict[str, list[str]] = {}
        for keys in by_term.values():
            forms = [f for k in keys for f in groups[k].forms]
            for k in keys:
                merged.setdefault(k, [])
                merged[k] += [f for f in forms if f not in merged[k]]
        self._forms = merged
        self._exact: dict[str, list[str]] = {}  # acronym-like term -> group keys
        self._folded: dict[str, list[str]] = {}  # joined lower-case form -> group keys
        for key, forms in merged.items():
            for form in forms:
                if acronym_like(form) and " " not in form:
                    self._exact.setdefault(form, []).append(key)
                elif _matchable(form):
                    self._folded.setdefault(_joined(form), []).append(key)
        self._prefixes = {f[:n] for f in self._folded for n in range(1, len(f) + 1)}
        # A regular expression finds where an acronym-like term may start, so the check
        # runs only there (sites have thousands of records).
        exact = sorted(self._exact, key=len, reverse=True)
        self._exact_re = _starting(exact, r"s?(?![^\W_])") if exact else None

    def groups_in(self, text: str, words: list[str] | None = None) -> dict[str, set[str]]:
        """The groups mentioned in ``text``: group key -> the forms found in it (``words``:
        its ``words_in``, if the caller has them)."""
        found: dict[str, set[str]] = {}
        if self._exact_re is not None:
            for match in self._exact_re.finditer(text):
                for key in self._exact[match.group(1)]:
                    found.setdefault(key, set()).add(match.group(1))
        if not self._folded:
            return found
        folded, prefixes = self._folded, self._prefixes
        words = words_in(text) if words is None else words
        for at, first in enumerate(words):
            # Most words start no term: one look in a set each, before any joining.
            if first not in prefixes and not (first[-1] == "s" and first[:-1] in folded):
                continue
            joined = ""
            for word in words[at : at + _MAX_WORDS]:
                joined += word
                for candidate in (joined, joined[:-1] if joined[-1] == "s" else None):
                    for key in folded.get(candidate or "", ()):
                        found.setdefault(key, set()).add(candidate or "")
                if joined not in prefixes:
                    break
        return found

    def aka(self, text: str, words: list[str] | None = None) -> list[str]:
        """The other forms of every glossary term in ``text``, each once, in a stable order
        (``words``: its ``words_in``, if the caller has them)."""
        out: list[str] = []
        for key, seen in sorted(self.groups_in(text, words).items()):
            for form in self._forms[key]:
                present = form in seen or _joined(form) in seen
                if not present and form not in out:
                    out.append(form)
        return out

    def table(self) -> list[list[str]]:
        """Every group's forms, for the search page (acronym hints and exact matching)."""
        seen: list[list[str]] = []
        for key in sorted(self._forms):
            forms = self._forms[key]
            if forms not in seen:
                seen.append(forms)
        return seen


def _starting(words: list[str], after: str, flags: int = 0) -> re.Pattern[str]:
    """Any of ``words`` where a word starts, then ``after``. A look-ahead for their
    first characters lets most positions of a long text fail at once."""
    first = "".join(sorted({re.escape(word[0]) for word in words}))
    either = "|".join(map(re.escape, words))
    return re.compile(rf"(?=[{first}])(?<![^\W_])({either}){after}", flags)
