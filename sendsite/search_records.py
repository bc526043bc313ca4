"""What the search index holds: one record per report section, item, risk and page.

A record is the unit a reader finds and lands on: a priority area, a
workstream, a numbered weakness or paragraph (each report's ``sections``), a
milestone or action (``items``), a risk (``risks``), the report's own key
facts, an area, a plain page or a topic. Each links straight to its anchor,
carries the filters the search page offers (area, kind, status) and the
other forms of the glossary terms it mentions (``aka``).

Records are made from the rendered pages, so their text is exactly what the
reader sees (including anything a format's template adds), split at the
anchors the report declares. Only the core's common model is used, so any
area a plugin adds is searchable; plugins adjust the records through the
``prepare_search_records`` hook.

The cross-area views (dashboard, tracker, register, glossary) repeat what the
reports say and are not indexed, so each finding appears once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .markdown import plain_text
from .plugins import PluginManager, call_each
from .search_synonyms import Synonyms
from .search_text import split_text
from .site import ReportEntry, Site
from .urls import relative_url

__all__ = ["KINDS", "SearchRecord", "search_records"]

#: The kinds of record, in the order the search page lists them in its filter.
KINDS = (
    "Report",
    "Section",
    "Milestone",
    "Action",
    "Risk or issue",
    "Area",
    "Topic",
    "Page",
)


@dataclass
class SearchRecord:
    """One searchable thing and where it is.

    ``url`` is a site path (``northshire/may-report/#p1-milestone-2``), made
    relative to the site root as the site's links are. ``kind`` is one of
    ``KINDS`` (plugins may add their own). ``title`` is weighted above
    ``text``; ``aka`` holds other forms of the glossary terms mentioned
    (searched, never shown). ``section`` is the title of the part of the
    report the record belongs to, and ``section_url`` that part's link.
    """

    url: str
    title: str
    text: str
    kind: str
    area: str = ""
    report: str = ""
    section: str = ""
    section_url: str = ""
    status: str = ""
    status_label: str = ""
    status_tone: str = ""
    owner: str = ""
    due: str = ""
    date: str = ""
    aka: list[str] = field(default_factory=list)

    def meta(self) -> dict[str, str]:
        """The fields shown with a result (all searched; weights are set on the search page)."""
        values = {
            "title": self.title,
            "kind": self.kind,
            "area": self.area,
            "report": self.report,
            "section": self.section,
            "status": self.status_label,
            "tone": self.status_tone,
            "owner": self.owner,
            "due": self.due,
            "date": self.date,
            "aka": " · ".join(self.aka),
        }
        return {key: value for key, value in values.items() if value}

    def filters(self) -> dict[str, list[str]]:
        """The search page's filters: area, kind of result and shared status."""
        values = {"area": self.area, "kind": self.kind, "status": self.status}
        return {key: [value] for key, value in values.items() if value}


def search_records(
    site: Site,
    files: Mapping[PurePosixPath, bytes | Path],
    pm: PluginManager | None = None,
) -> list[SearchRecord]:
    """Every record for ``site`` from its rendered ``files``; plugins adjust them last."""
    synonyms = Synonyms(site.glossary)
    link = _Linker(site)
    records: list[SearchRecord] = []
    for area_entry in site.areas:
        area = area_entry.area
        text = " ".join(
            part for part in (area.council, ", ".join(area.partners), area.description) if part
        )
        records.append(
            SearchRecord(link(area_entry.path), area_entry.title, text, "Area", area=area.name)
        )
        for entry in area_entry.reports:
            records += _report_records(entry, _html(files.get(entry.path)), link)
        for page in area_entry.pages:
            records += _page_records(page.title, page.path, files, link, area.name)
    for page in site.pages:
        records += _page_records(page.title, page.path, files, link, "")
    if site.home is not None:
        records += _page_records(site.config.title, PurePosixPath("index.html"), files, link, "")
    for topic in site.topics:
        path = PurePosixPath("topics", topic.slug, "index.html")
        if path in files:
            records.append(SearchRecord(link(path), topic.name, topic.description, "Topic"))
    for record in records:
        record.aka = synonyms.aka(f"{record.title} {record.text}")
    if pm is not None:
        call_each(pm, "prepare_search_records", site=site, records=records)
    return records


class _Linker:
    """Site paths as the site links them (``directory_urls`` or ``index.html``)."""

    def __init__(self, site: Site) -> None:
        self.directory_urls = site.config.directory_urls
        self._pages: dict[str, str] = {}

    def __call__(self, path: PurePosixPath | str, anchor: str = "") -> str:
        key = str(path)
        url = self._pages.get(key)
        if url is None:
            url = relative_url("index.html", key, directory_urls=self.directory_urls)
            url = self._pages[key] = "" if url == "./" else url
        return f"{url}#{anchor}" if anchor else url


def _html(content: bytes | Path | None) -> str:
    if content is None:
        return ""
    data = content if isinstance(content, bytes) else content.read_bytes()
    return data.decode("utf-8", "replace")


def _report_records(entry: ReportEntry, html: str, link: _Linker) -> list[SearchRecord]:
    report = entry.report
    area = entry.area.name
    sections = {s.anchor: s for s in report.sections}
    items = {i.anchor: i for i in report.items}
    risks = {r.anchor: r for r in report.risks}
    parts = split_text(html, {*sections, *items, *risks}, {*items, *risks}) if html else {}
    date = report.as_of.isoformat() if report.as_of else ""
    common = {"area": area, "report": report.title, "date": date}
    facts = ". ".join(f"{label}: {value}" for label, value in report.summary)
    records = [
        SearchRecord(
            link(entry.path),
            report.title,
            parts.get("", "") or facts,
            "Report",
            section_url=link(entry.path),
            **common,
        )
    ]
    # The section each anchor sits in: the last section before it on the page.
    order = [*parts, *(a for a in [*sections, *items, *risks] if a not in parts)]
    owner_section: dict[str, str] = {}
    current = ""
    for anchor in order:
        if anchor in sections:
            current = anchor
        owner_section[anchor] = current
    for anchor in order:
        if anchor in sections:
            section = sections[anchor]
            text = parts.get(anchor) or section.text
            if _not_worth_indexing(section.title, text):
                continue
            records.append(
                SearchRecord(
                    link(entry.path, anchor),
                    section.title,
                    text,
                    "Section",
                    section=section.title,
                    section_url=link(entry.path, anchor),
                    **common,
                )
            )
            continue
        home = sections.get(owner_section.get(anchor, ""))
        home_url = link(entry.path, home.anchor) if home else link(entry.path)
        if anchor in items:
            item = items[anchor]
            status = item.status
            records.append(
                SearchRecord(
                    link(entry.path, anchor),
                    plain_text(item.text) if "<" in item.text else item.text,
                    parts.get(anchor) or item.text,
                    item.kind.capitalize(),
                    section=item.section or (home.title if home else ""),
                    section_url=home_url,
                    status=status.level.label,
                    status_label=status.text,
                    status_tone=status.level.tone,
                    owner=item.owner,
                    due=item.due.text,
                    **common,
                )
            )
        elif anchor in risks:
            risk = risks[anchor]
            status = risk.status
            text = parts.get(anchor) or " ".join(filter(None, (risk.text, risk.mitigation)))
            records.append(
                SearchRecord(
                    link(entry.path, anchor),
                    risk.text,
                    text,
                    "Risk or issue",
                    section=risk.section or (home.title if home else ""),
                    section_url=home_url,
                    status=status.level.label,
                    status_label=status.text,
                    status_tone=status.level.tone,
                    owner=risk.owner,
                    **common,
                )
            )
    return records


#: Sections that list a report's abbreviations repeat the site glossary: every
#: acronym would find them first.
_GLOSSARY_TITLE = re.compile(r"\b(abbreviations?|glossary|acronyms)\b", re.IGNORECASE)
_LETTERS = re.compile(r"[^\W_]+")


def _not_worth_indexing(title: str, text: str) -> bool:
    """A heading with (almost) nothing under it, or a list of abbreviations."""
    words = len(_LETTERS.findall(text))
    return words <= len(_LETTERS.findall(title)) + 2 or bool(_GLOSSARY_TITLE.search(title))


def _page_records(
    title: str,
    path: PurePosixPath,
    files: Mapping[PurePosixPath, bytes | Path],
    link: _Linker,
    area: str,
) -> list[SearchRecord]:
    html = _html(files.get(path))
    text = split_text(html, ()).get("", "") if html else ""
    if not text:
        return []
    return [SearchRecord(link(path), title, text, "Page", area=area, section_url=link(path))]
