"""The glossary: terms from plugins, reports and the site's ``content/_glossary.yml``,
and marking up the first use of each acronym on a page as ``<abbr title="…">``.

``_glossary.yml`` maps a term to its expansion, or to a mapping with
``expansion`` and ``description``::

    EHCP: Education, Health and Care Plan
    SALT:
      expansion: Speech and Language Therapy
      description: Also written SLT.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape
from pathlib import Path, PurePosixPath

from sendsite.content.documents import read_text
from sendsite.content.model import GlossaryTerm
from sendsite.content.yamlfile import load_yaml
from sendsite.errors import ContentError

__all__ = ["AbbrMarker", "acronyms_in", "load_glossary", "merge_terms"]


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
    for key, value in data.items():
        term = str(key).strip()
        line = positions.line(key)
        if isinstance(value, str) and value.strip():
            terms.append(GlossaryTerm(term, value.strip()))
        elif isinstance(value, dict) and isinstance(value.get("expansion"), str):
            unknown = set(value) - {"expansion", "description"}
            if unknown:
                raise ContentError(
                    f"glossary term '{term}': unknown key '{sorted(unknown)[0]}'",
                    file=rel,
                    line=positions.line(key, sorted(unknown)[0]),
                    fix="Use only 'expansion' and 'description'.",
                )
            terms.append(
                GlossaryTerm(term, value["expansion"].strip(), str(value.get("description", "")))
            )
        else:
            raise ContentError(
                f"glossary term '{term}' has no expansion",
                file=rel,
                line=line,
                fix=f"Write '{term}: what it stands for' on one line.",
            )
    return terms


def merge_terms(terms: Iterable[GlossaryTerm]) -> list[GlossaryTerm]:
    """One entry per (term, expansion), sorted A to Z; the first description wins.

    Terms are kept as spelt ("SaLT" and "SALT" are both listed); expansions are
    compared ignoring case and spacing.
    """
    seen: dict[tuple[str, str], GlossaryTerm] = {}
    for term in terms:
        key = (term.term, " ".join(term.expansion.casefold().split()))
        if key not in seen or (term.description and not seen[key].description):
            seen[key] = term
    return sorted(seen.values(), key=lambda t: (t.term.casefold(), t.expansion.casefold()))


_TAG = re.compile(r"<[^>]*>")
_SKIP = {"abbr", "a", "script", "style", "title", "code", "pre", "textarea", "svg", "button"}


class AbbrMarker:
    """Marks the first use of each glossary acronym on a page as ``<abbr title>``.

    Only text inside ``<main>`` is touched, never tags or attribute values,
    and never text already inside an ``abbr``, a link, code or a script.
    Terms are matched as whole words, case-sensitively (``LO`` is not "lo").
    """

    def __init__(self, terms: Iterable[GlossaryTerm]) -> None:
        expansions: dict[str, list[str]] = {}
        for term in terms:
            if _is_acronym(term.term):
                expansions.setdefault(term.term, []).append(term.expansion)
        self.titles = {t: " or ".join(dict.fromkeys(e)) for t, e in expansions.items()}
        words = sorted(self.titles, key=len, reverse=True)
        self.pattern = (
            re.compile(r"(?<![\w&/-])(" + "|".join(map(re.escape, words)) + r")(?![\w/-])")
            if words
            else None
        )

    def mark(self, html: str) -> str:
        """Return ``html`` with the first use of each known acronym in ``<main>`` marked."""
        if self.pattern is None:
            return html
        start = html.find("<main")
        end = html.rfind("</main>")
        if start == -1 or end == -1:
            return html
        done: set[str] = set()
        out: list[str] = []
        skipping: list[str] = []
        position = start
        for match in _TAG.finditer(html, start, end):
            out.append(self._text(html[position : match.start()], done, bool(skipping)))
            tag = match.group(0)
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", tag)
            if name and name.group(1).lower() in _SKIP and not tag.endswith("/>"):
                if tag.startswith("</"):
                    if skipping:
                        skipping.pop()
                else:
                    skipping.append(name.group(1).lower())
            out.append(tag)
            position = match.end()
        out.append(self._text(html[position:end], done, bool(skipping)))
        return html[:start] + "".join(out) + html[end:]

    def _text(self, text: str, done: set[str], skipping: bool) -> str:
        if skipping or not text.strip():
            return text

        def replace(match: re.Match[str]) -> str:
            word = match.group(1)
            if word in done:
                return word
            done.add(word)
            return f'<abbr title="{escape(self.titles[word])}">{word}</abbr>'

        return self.pattern.sub(replace, text)  # type: ignore[union-attr]


def _is_acronym(term: str) -> bool:
    """``EHCP``, ``WSoA``, ``SENDIASS``, ``0-19`` is not: at least two capitals, no spaces."""
    return " " not in term and sum(c.isupper() for c in term) >= 2 and term[0].isalpha()


# Two or more capitals, possibly with lower-case letters between (WSoA, SaLT, EHCPs).
_ACRONYM_LIKE = re.compile(r"(?<![\w&/-])([A-Z][a-z]?[A-Z][A-Za-z]*?)(s?)(?![\w/-])")
# Capitalised words that are not abbreviations: headings in capitals and roman numerals.
_NOT_ACRONYMS = {"II", "III", "IV", "VI", "VII", "VIII", "IX", "XI", "XII"}


def acronyms_in(text: str) -> dict[str, int]:
    """Every acronym-like word in ``text`` with the line it first appears on.

    Words on a line written mostly in capitals ("TOP RISKS & ISSUES") are taken
    as a heading, not abbreviations; a plural "s" is allowed ("EHCPs").
    """
    found: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _ACRONYM_LIKE.finditer(line):
            word = match.group(1)
            upper = sum(c.isupper() for c in word)
            if word in found or word in _NOT_ACRONYMS or upper < len(word) - upper:
                continue  # seen, a numeral, or a name such as "McCarron"
            if word.isupper() and _looks_like_shouting(line):
                continue  # a heading in capitals: its words are not abbreviations
            found[word] = number
    return found


def _looks_like_shouting(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.6
