"""The A to Z index: every report, section, area and topic, by first letter, as plain HTML.

It is the way on for a reader without JavaScript (the search page links to it) and
for one who would rather scan than search. Entries are filed by their words, not
their numbering: "Weakness 2: Timeliness of EHC assessments" is under T, with
"Weakness 2" shown beside its link.

**Size.** A heading shared by several reports of one area (a series repeats its
sections every month) is one entry linking to that area's newest report holding
it, with a count of the earlier ones and a link to the area's list; so are an
area's reports whose titles differ only in their dates ("Highlight report, May
2021", "…, June 2021"). So the index grows with the headings and kinds of report
an area has, not with its reports times their sections. Up to ``PAGE_LIMIT``
links it is one page; beyond, ``a-z/`` lists the letters and each letter has a
page of its own (``a-z/s/``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import PurePosixPath

from sendsite.build.memo import per_area, per_report
from sendsite.build.pages import HOME, Page
from sendsite.build.site import AreaEntry, ReportEntry, Site
from sendsite.content.model import Section

__all__ = ["A_TO_Z_PAGE", "PAGE_LIMIT", "Entry", "Letter", "Place", "a_to_z_pages", "letters"]

A_TO_Z_PAGE = PurePosixPath("a-z/index.html")
#: Above this many links in all, each letter has a page of its own.
PAGE_LIMIT = 3000

_TITLE = "A to Z index"
#: "Weakness 17:", "Weaknesses 3 and 4:", "Action 3:", "P1 –", "1.": numbering, not words.
_NUMBERING = re.compile(
    r"^\s*((?:[^\W\d_]+\s+)?[A-Z]?\d+[a-z]?(?:\.\d+)*(?:\s*(?:–|-|and|&|to)\s*\d+)?)"
    r"\s*[:.–—-]\s+(?=\w)"
)
#: The words that date a report's title: an area's reports of one kind are one entry.
_DATES = re.compile(
    r"\b(?:\d+(?:st|nd|rd|th)?|q[1-4]|quarter|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?"
    r"|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b"
)
_KEYS = [chr(c) for c in range(ord("A"), ord("Z") + 1)] + ["0–9", "Other"]


@dataclass(frozen=True)
class Place:
    """One link of an entry: where it is, and what the reader needs to choose it."""

    title: str
    path: str
    detail: str = ""
    #: Earlier reports of the same area holding the same heading, and the area's page.
    earlier: int = 0
    area_path: str = ""
    area: str = ""


@dataclass
class Entry:
    """A heading as filed ("Timeliness of EHC assessments and plans") and its places."""

    text: str
    kind: str
    places: list[Place] = field(default_factory=list)


@dataclass
class Letter:
    """One letter's entries; ``slug`` names its page (``a-z/s/``) or its anchor."""

    key: str
    slug: str
    entries: list[Entry] = field(default_factory=list)

    @property
    def links(self) -> int:
        return sum(len(e.places) for e in self.entries)


def filed(title: str) -> tuple[str, str]:
    """A heading's words to file it under, and its numbering ("Weakness 2"), if any."""
    text = " ".join(title.split())
    match = _NUMBERING.match(text)
    if not match:
        return text, ""
    label = match.group(1)
    return text[match.end() :], label if not label[0].isdigit() else f"Section {label}"


def _key(text: str) -> str:
    first = next((c for c in unicodedata.normalize("NFKD", text) if c.isalnum()), "")
    if first.isdigit():
        return "0–9"
    return first.upper() if "A" <= first.upper() <= "Z" else "Other"


def _sort_key(entry: Entry) -> tuple[str, str, str]:
    words = re.sub(r"[^\w\s]", "", entry.text.casefold())
    return (" ".join(words.split()), entry.kind, entry.text)


def _when(entry: ReportEntry) -> str:
    date = entry.report.date
    return f"{entry.area.name}, {date.text}" if date and date.text else entry.area.name


def _parents(sections: list[Section]) -> list[str]:
    """The title of the section each section is part of ("" for a top-level one)."""
    parents, current = [], ""
    for section in sections:
        parents.append(current if section.level > 2 else "")
        if section.level <= 2:
            current = section.title
    return parents


#: An area's entries: (kind, words filed under) → (heading as first seen, its places).
_AreaEntries = dict[tuple[str, str], tuple[str, list[Place]]]


#: A report's headings: (key, heading as filed, its place), and its keys once each.
_Headings = tuple[list[tuple[tuple[str, str], str, Place]], list[tuple[str, str]]]


def _report_headings(report: ReportEntry) -> _Headings:
    """A report's title and sections as the index files them."""
    items: list[tuple[tuple[str, str], str, Place]] = []
    headings = [("report", report.title, "", "")]
    sections = report.report.sections
    for section, parent in zip(sections, _parents(sections), strict=True):
        headings.append(("section", section.title, section.anchor, parent))
    for kind, title, anchor, parent in headings:
        text, label = filed(title)
        words = text.casefold() if kind == "section" else _DATES.sub(" ", text.casefold())
        key = (kind, " ".join(re.sub(r"[^\w\s]", "", words).split()) or text.casefold())
        if not key[1]:
            continue
        where = [w for w in (label, f"part of “{parent}”" if parent else "") if w]
        place = Place(
            report.title,
            f"{report.path}#{anchor}" if anchor else str(report.path),
            " · ".join([_when(report), *where]),
            area_path=str(PurePosixPath(report.area.slug, "index.html")),
            area=report.area.name,
        )
        items.append((key, text, place))
    return items, list(dict.fromkeys(key for key, _, _ in items))


def _area_entries(site: Site, area: AreaEntry) -> _AreaEntries:
    """An area's reports and their sections; its reports are newest first. Each
    report's headings are kept between the preview's refreshes while it is the same."""
    texts: dict[tuple[str, str], str] = {}
    found: dict[tuple[str, str], tuple[ReportEntry, list[Place]]] = {}
    counts: dict[tuple[str, str], int] = {}
    for report in area.reports:
        items, keys = per_report(site, "a_to_z", report, _report_headings)
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
        for key, text, place in items:
            texts.setdefault(key, text)
            newest = found.setdefault(key, (report, []))
            if newest[0] is report:
                newest[1].append(place)
    out: _AreaEntries = {}
    for key, text in texts.items():
        places = found[key][1]
        # The count of earlier reports goes after the area's last link.
        places[-1] = replace(places[-1], earlier=counts[key] - 1)
        out[key] = (text, places)
    return out


def letters(site: Site) -> list[Letter]:
    """Every letter (A–Z, then 0–9 and Other), each with its entries sorted."""
    entries: dict[tuple[str, str], Entry] = {}
    make = partial(_area_entries, site)

    def add(kind: str, title: str, place: Place) -> None:
        entries.setdefault((kind, title.casefold()), Entry(title, kind)).places.append(place)

    for area in site.areas:
        count = len(area.reports)
        add(
            "area",
            area.title,
            Place(area.title, str(area.path), f"{count} report{'s' * (count != 1)}"),
        )
        # Kept between refreshes of the preview while the area's reports are the same.
        for key, (text, places) in per_area(site, "a_to_z", area, make).items():
            entries.setdefault(key, Entry(text, kind=key[0])).places += places
    for topic in site.topics:
        path = f"topics/{topic.slug}/index.html"
        add(
            "topic",
            topic.name,
            Place(topic.name, path, "reports’ sections on this topic, area by area"),
        )
    by_key: dict[str, Letter] = {k: Letter(k, _slug(k)) for k in _KEYS}
    for entry in entries.values():
        by_key[_key(entry.text)].entries.append(entry)
    for letter in by_key.values():
        letter.entries.sort(key=_sort_key)
    return list(by_key.values())


def _slug(key: str) -> str:
    return {"0–9": "0-9", "Other": "other"}.get(key, key.lower())


def a_to_z_pages(site: Site) -> list[Page]:
    """The A to Z page, and a page per letter when the site is large."""
    all_letters = letters(site)
    split = sum(letter.links for letter in all_letters) > PAGE_LIMIT
    crumbs = [("Home", HOME)]
    context = {"letters": all_letters, "split": split, "letter": None}
    pages = [Page("a-to-z", A_TO_Z_PAGE, "a_to_z.html", _TITLE, crumbs, context)]
    if split:
        for letter in all_letters:
            if letter.entries:
                pages.append(
                    Page(
                        "a-to-z",
                        A_TO_Z_PAGE.parent / letter.slug / "index.html",
                        "a_to_z.html",
                        f"{_TITLE}: {letter.key}",
                        [*crumbs, (_TITLE, str(A_TO_Z_PAGE))],
                        {**context, "letter": letter},
                    )
                )
    return pages
