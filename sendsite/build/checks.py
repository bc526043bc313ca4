"""Checks made once every report is read: explicit topic tags, abbreviations not explained."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath

from sendsite.build.reading import Collector
from sendsite.build.site import ReportEntry
from sendsite.builtin.crossarea import anchors_of
from sendsite.content.model import GlossaryTerm
from sendsite.content.topics import Topic
from sendsite.errors import Problem

__all__ = ["topic_tags", "undefined_acronyms"]


def undefined_acronyms(
    found: Iterable[tuple[PurePosixPath, dict[str, int]]], glossary: Iterable[GlossaryTerm]
) -> list[Problem]:
    """A warning per report that uses abbreviations the glossary does not explain.

    ``found`` gives each report's file and the acronym-like words in it, with their
    lines; a term's aliases explain it as the term does.
    """
    known = {name for term in glossary for name in (term.term, *term.aliases)}
    warnings = []
    for relpath, words_found in found:
        missing = {word: line for word, line in words_found.items() if word not in known}
        if missing:
            words = sorted(missing, key=missing.__getitem__)
            warnings.append(
                Problem(
                    f"abbreviations not in the glossary: {', '.join(words)}",
                    relpath,
                    missing[words[0]],
                    fix="Add each to content/_glossary.yml ('TERM: what it stands for'), "
                    "so readers can see what it means.",
                )
            )
    return warnings


def topic_tags(
    reports: list[ReportEntry], topics: list[Topic], problems: Collector
) -> dict[tuple[str, str], list[str]]:
    """Read each report's explicit ``topics:`` (section anchor: topic slugs), checking both."""
    known = {t.slug for t in topics}
    tags: dict[tuple[str, str], list[str]] = {}
    for entry in reports:
        doc = entry.document
        value = doc.front.get("topics")
        if value is None:
            continue
        if not isinstance(value, dict):
            problems.errors.append(
                doc.error(
                    "'topics' must map a section to topic names, e.g. 'p3: [autism]'",
                    "topics",
                    fix="Write 'topics:', then one indented 'anchor: [topic, ...]' per section.",
                ).problem
            )
            continue
        anchors = anchors_of(entry)
        for anchor, slugs in value.items():
            slugs = [slugs] if isinstance(slugs, str) else slugs
            if str(anchor) not in anchors:
                problems.errors.append(
                    doc.error(
                        f"topics: this report has no section or item '{anchor}'",
                        "topics",
                        anchor,
                        fix=f"Use one of: {', '.join(sorted(anchors))}.",
                    ).problem
                )
                continue
            for slug in slugs if isinstance(slugs, list) else []:
                if str(slug) not in known:
                    problems.errors.append(
                        doc.error(
                            f"topics: there is no topic '{slug}'",
                            "topics",
                            anchor,
                            value=True,
                            fix=f"Use a topic in content/_topics.yml: {', '.join(sorted(known))}.",
                        ).problem
                    )
                else:
                    tags.setdefault((str(doc.relpath), str(anchor)), []).append(str(slug))
    return tags
