"""What the search index holds: one record per report section, with its items.

A record is the unit a reader finds: a part of a report (each report's
``sections``: a priority area, a workstream, a numbered weakness or section),
the report's own key facts, an area, a plain page or a topic. The milestones,
actions and risks shown in a section (the report's ``items`` and ``risks``)
are kept inside its record as ``SearchItem``s, so a result can link straight
to the section *and* to the matching items in it (Pagefind's sub-results),
while the index grows with the number of sections rather than the number of
table rows: a few thousand reports stay a few tens of thousands of records.

Records are made from the rendered pages, so their text is exactly what the
reader sees (including anything a format's template adds), split at the
anchors the report declares. Only the core's common model is used, so any
area a plugin adds is searchable; plugins adjust the records through the
``prepare_search_records`` hook.

The cross-area views (dashboard, tracker, register, glossary) repeat what the
reports say and are not indexed, so each finding appears once.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath

from sendsite.build.cache import Pieces
from sendsite.build.deferred import FileContent, content_bytes
from sendsite.build.parallel import map_batched
from sendsite.build.site import ReportEntry, Site
from sendsite.build.urls import relative_url
from sendsite.build.written import Written
from sendsite.builtin.search.synonyms import Synonyms, words_in
from sendsite.builtin.search.text import split_text
from sendsite.content.markdown import plain_text
from sendsite.content.model import Item, Risk
from sendsite.plugins.manager import PluginManager, call_each

__all__ = ["KINDS", "RecordMemo", "SearchItem", "SearchRecord", "search_records"]

#: Makes reports' records: ``(entries, count)`` -> their records, in order, and (with
#: ``count``) how many of them hold each word.
_Make = Callable[[list["ReportEntry"], bool], tuple[list[list["SearchRecord"]], Counter[str]]]

#: The kinds of thing the search page can filter on, in the order it lists them.
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
class SearchItem:
    """A milestone, action or risk inside a record, found and linked on its own.

    ``anchor`` is its element id on the page; ``title`` its own words (a
    heading in the index), ``text`` the rest of its row (owner, date, status,
    mitigation). ``status`` is the shared level's label (the "status" filter;
    for a risk, its rating: High, Medium, Low), ``status_label`` the area's own
    words and ``status_tone`` its colour.
    """

    anchor: str
    title: str
    text: str
    kind: str
    status: str = ""
    status_label: str = ""
    status_tone: str = ""
    owner: str = ""
    due: str = ""

    def facts(self) -> list[str]:
        """For the search page: [anchor, kind, status, status label, tone, owner, due, title]."""
        return [
            self.anchor,
            self.kind,
            self.status,
            self.status_label,
            self.status_tone,
            self.owner,
            self.due,
            self.title,
        ]


@dataclass
class SearchRecord:
    """One searchable thing and where it is.

    ``url`` is a site path (``northshire/may-report/#p2``), relative to the site
    root as the site's links are. ``kind`` is one of ``KINDS`` (plugins may add
    their own). ``title`` is weighted above ``text``; ``aka`` holds other forms
    of the glossary terms mentioned (searched, never shown); ``items`` are the
    milestones, actions and risks in it, each with its own anchor on the same
    page as ``url``.
    """

    url: str
    title: str
    text: str
    kind: str
    area: str = ""
    report: str = ""
    date: str = ""
    aka: list[str] = field(default_factory=list)
    items: list[SearchItem] = field(default_factory=list)

    def page(self) -> str:
        """The page the record is on (``url`` without its anchor)."""
        return self.url.partition("#")[0]

    def filters(self) -> dict[str, list[str]]:
        """Area; kind (the record's and its items'); the statuses of its items."""
        kinds = list(dict.fromkeys([self.kind, *(i.kind for i in self.items)]))
        statuses = list(dict.fromkeys(i.status for i in self.items if i.status))
        values = {"area": [self.area] if self.area else [], "kind": kinds, "status": statuses}
        return {key: value for key, value in values.items() if value}

    def words(self) -> str:
        """All the text that is searched, for the synonyms and the word lists."""
        return " ".join([self.title, self.text, *(f"{i.title} {i.text}" for i in self.items)])

    def listed_words(self) -> set[str]:
        """Its distinct words of three characters or more, casefolded, with its ``aka``:
        what the search page's word lists count (``search/words/``)."""
        return _listed(words_in(self.words()), self.aka)


def _listed(words: list[str], aka: list[str]) -> set[str]:
    """``listed_words`` of a record whose text has ``words`` (``words_in``) and ``aka``."""
    found = {word for word in words if len(word) > 2}
    found.update(word for form in aka for word in words_in(form) if len(word) > 2)
    return found


@dataclass
class RecordMemo:
    """Reports' records kept between calls, by the rendered page they came from.

    The preview keeps one between indexings, and the build cache one between
    builds. A report's records are made again only when its page's HTML changed
    or the glossary did; the records of the others are the very same objects as
    last time (a page rendered again is compared by a hash of its bytes, not
    split again). The build cache's also keeps the words of the index's older parts.
    """

    glossary: object = None
    #: Per report page: the page content last seen (None once kept on disk), the hash
    #: of its bytes, and its records.
    reports: dict[PurePosixPath, tuple[object, bytes, list[SearchRecord]]] = field(
        default_factory=dict
    )
    #: How many of ``reports``' records hold each word (``listed_words``), kept in step
    #: with them: counted by the workers that make them (a build's memo starts with an
    #: empty count); None until ``word_counts`` is first asked, if not counting from the start.
    words: Counter[str] | None = None
    #: The words of the index's older parts, by their digest (see ``pagefind.layout``).
    part_words: dict[str, set[bytes]] = field(default_factory=dict)
    #: Per report page held in memory, its record page for the search index, with that
    #: page's language and the hash of the page it was made for (``reports``; see
    #: ``pagefind.record_pages``). Not for a page in the build's spool: a big site's
    #: record pages would be held all through a build.
    html: dict[PurePosixPath, tuple[str, bytes, bytes]] = field(default_factory=dict)

    def records(
        self,
        entries: Sequence[ReportEntry],
        files: Mapping[PurePosixPath, FileContent],
        make: _Make,
    ) -> list[list[SearchRecord]]:
        """Each entry's records: kept ones where its page is as it was, ``make``'s for the
        rest (``make(entries, count)``: their records, and with ``count`` how many of them
        hold each word)."""
        kept_now: dict[PurePosixPath, tuple[object, bytes, list[SearchRecord]]] = {}
        todo: list[tuple[ReportEntry, object, bytes]] = []
        for entry in entries:
            page = files.get(entry.path)
            kept = self.reports.get(entry.path)
            # The same page, the same file of the build's spool (named after its bytes), or
            # the same file of the last site, unchanged.
            if kept is not None and (
                kept[0] is page or (isinstance(page, Path | Written) and kept[0] == page)
            ):
                kept_now[entry.path] = kept
                continue
            digest = hashlib.blake2b(content_bytes(page), digest_size=16).digest()
            if kept is not None and kept[1] == digest:
                kept_now[entry.path] = (page, digest, kept[2])
            else:
                todo.append((entry, page, digest))
        made, counted = make([entry for entry, _, _ in todo], self.words is not None)
        for (entry, seen, digest), records in zip(todo, made, strict=True):
            kept_now[entry.path] = (seen, digest, records)
        if self.words is not None:  # the words of the reports made again, gone or new
            for path, (_, _, records) in self.reports.items():
                if path not in kept_now or kept_now[path][2] is not records:
                    self.words.subtract(w for r in records for w in r.listed_words())
            self.words.update(counted)
            self.words = +self.words  # no word a record no longer holds
        self.reports = kept_now
        return [kept_now[entry.path][2] for entry in entries]

    def word_counts(self, records: Sequence[SearchRecord]) -> Counter[str]:
        """How many of ``records`` hold each word (``listed_words``): ``search_records``'
        whole list, made with this memo. The kept reports' records are counted once and
        kept in step (``records``); only the others (areas, pages, topics) each time.
        Records not made with this memo (a plugin adjusts them) are all counted."""
        kept = {id(r) for _, _, recs in self.reports.values() for r in recs}
        listed = {id(r) for r in records}
        if not kept <= listed:  # the list was not made with this memo's reports
            return Counter(w for r in records for w in r.listed_words())
        if self.words is None:
            self.words = Counter(
                w for _, _, recs in self.reports.values() for r in recs for w in r.listed_words()
            )
        counts = Counter(self.words)
        counts.update(w for r in records if id(r) not in kept for w in r.listed_words())
        return counts

    def portable(self) -> RecordMemo:
        """The memo without the pages themselves (for the build cache: hashes suffice;
        a page in the build's spool, or kept as the last site's file, keeps that file)."""
        reports: dict[PurePosixPath, tuple[object, bytes, list[SearchRecord]]] = Pieces(
            (path, (seen if isinstance(seen, Path | Written) else None, digest, made))
            for path, (seen, digest, made) in self.reports.items()
        )
        return RecordMemo(self.glossary, reports, self.words, self.part_words, self.html)


def search_records(
    site: Site,
    files: Mapping[PurePosixPath, FileContent],
    pm: PluginManager | None = None,
    *,
    parallel: bool = False,
    memo: RecordMemo | None = None,
) -> list[SearchRecord]:
    """Every record for ``site`` from its rendered ``files``; plugins adjust them last.

    With ``parallel`` (a build, not the preview's indexing thread), reports'
    records are made in forked workers; the records are the same either way.
    ``memo`` keeps reports' records for the next call, and gives back those of
    pages that are as they were (not used when a plugin adjusts records: it may
    change them in place).
    """
    synonyms = Synonyms(site.glossary)
    link = _Linker(site)
    if pm is not None and pm.hook.prepare_search_records.get_hookimpls():
        memo = None
    if memo is not None and memo.glossary != site.glossary:
        words = None if memo.words is None else Counter[str]()  # still counting, if it was
        memo.glossary, memo.reports, memo.words, memo.html = list(site.glossary), {}, words, {}

    #: The words of the reports' records made since the last ``tally``, in this process.
    pending = Counter[str]()

    def with_aka(*made: SearchRecord, count: bool = False) -> list[SearchRecord]:
        for record in made:
            text = record.words()
            words = words_in(text)  # one pass over its text for the glossary and the count
            record.aka = synonyms.aka(text, words)
            if count:
                pending.update(_listed(words, record.aka))
        return list(made)

    def of_report(entry: ReportEntry, count: bool = False) -> list[SearchRecord]:
        made = _report_records(entry, _html(files.get(entry.path)), link)
        return with_aka(*made, count=count)

    def tally(_batch: list[list[SearchRecord]]) -> Counter[str]:
        """What a batch just made added to ``pending``: its records' words (the batch's
        work and its tally run one after the other, in the same process)."""
        found = pending.copy()
        pending.clear()
        return found

    entries = [entry for area_entry in site.areas for entry in area_entry.reports]

    def make(todo: list[ReportEntry], count: bool) -> tuple[list[list[SearchRecord]], Counter[str]]:
        made, tallies = map_batched(partial(of_report, count=count), todo, tally, parallel=parallel)
        counted = Counter[str]()  # empty unless ``count``
        for found in tallies:  # each worker's: the words are counted where the records are made
            counted.update(found)
        return made, counted

    made = make(entries, False)[0] if memo is None else memo.records(entries, files, make)
    by_report = iter(made)
    records: list[SearchRecord] = []
    for area_entry in site.areas:
        area = area_entry.area
        text = " ".join(
            part for part in (area.council, ", ".join(area.partners), area.description) if part
        )
        url = link(area_entry.path)
        records += with_aka(SearchRecord(url, area_entry.title, text, "Area", area=area.name))
        for _ in area_entry.reports:
            records += next(by_report)
        for page in area_entry.pages:
            records += with_aka(*_page_records(page.title, page.path, files, link, area.name))
    for page in site.pages:
        records += with_aka(*_page_records(page.title, page.path, files, link, ""))
    if site.home is not None and (intro := plain_text(str(site.home.html))):
        home = link(PurePosixPath("index.html"))
        records += with_aka(SearchRecord(home, site.config.title, intro, "Page"))
    for topic in site.topics:
        path = PurePosixPath("topics", topic.slug, "index.html")
        if path in files:
            url = link(path)
            records += with_aka(SearchRecord(url, topic.name, topic.description, "Topic"))
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


def _html(content: FileContent | None) -> str:
    return content_bytes(content).decode("utf-8", "replace")


def _report_records(entry: ReportEntry, html: str, link: _Linker) -> list[SearchRecord]:
    report = entry.report
    sections = {s.anchor: s for s in report.sections}
    items = {i.anchor: i for i in report.items}
    risks = {r.anchor: r for r in report.risks}
    parts = split_text(html, {*sections, *items, *risks}, {*items, *risks}) if html else {}
    date = report.as_of.isoformat() if report.as_of else ""
    facts = ". ".join(f"{label}: {value}" for label, value in report.summary)
    overview = SearchRecord(link(entry.path), report.title, parts.get("", "") or facts, "Report")
    overview.area, overview.date = entry.area.name, date
    records = [overview]
    # Items belong to the section they are shown in (the last section before them).
    home = overview
    for anchor in [*parts, *(a for a in [*sections, *items, *risks] if a not in parts)]:
        if anchor in sections:
            section = sections[anchor]
            home = SearchRecord(
                link(entry.path, anchor),
                section.title,
                parts.get(anchor) or section.text,
                "Section",
                area=entry.area.name,
                report=report.title,
                date=date,
            )
            records.append(home)
        elif anchor in items:
            item = items[anchor]
            home.items.append(
                _item(item.kind.capitalize(), anchor, item.text, parts.get(anchor), item)
            )
            home.items[-1].due = item.due.text
        elif anchor in risks:
            risk = risks[anchor]
            home.items.append(_item("Risk or issue", anchor, risk.text, parts.get(anchor), risk))
    return [r for r in records if r is overview or not _not_worth_indexing(r)]


def _item(kind: str, anchor: str, title: str, shown: str | None, thing: Item | Risk) -> SearchItem:
    title = plain_text(title) if "<" in title else title
    text = shown or " ".join(filter(None, (title, getattr(thing, "mitigation", ""))))
    rest = text.replace(title, " ", 1) if title in text else text
    status = thing.rating if isinstance(thing, Risk) else thing.status
    return SearchItem(
        anchor,
        f"{thing.ref} {title}" if thing.ref else title,  # a reference is searched and shown
        " ".join(rest.split()).strip(" ."),
        kind,
        status.level.label,
        status.text,
        status.level.tone,
        thing.owner,
    )


#: Sections that list a report's abbreviations repeat the site glossary: every
#: acronym would find them first.
_GLOSSARY_TITLE = re.compile(r"\b(abbreviations?|glossary|acronyms)\b", re.IGNORECASE)
_LETTERS = re.compile(r"[^\W_]+")


def _not_worth_indexing(record: SearchRecord) -> bool:
    """A heading with (almost) nothing under it, or a list of abbreviations."""
    if _GLOSSARY_TITLE.search(record.title):
        return True
    words = len(_LETTERS.findall(record.text))
    return not record.items and words <= len(_LETTERS.findall(record.title)) + 2


def _page_records(
    title: str,
    path: PurePosixPath,
    files: Mapping[PurePosixPath, FileContent],
    link: _Linker,
    area: str,
) -> list[SearchRecord]:
    html = _html(files.get(path))
    text = split_text(html, ()).get("", "") if html else ""
    if not text:
        return []
    return [SearchRecord(link(path), title, text, "Page", area=area)]
