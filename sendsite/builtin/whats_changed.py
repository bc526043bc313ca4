"""What changed since the last report, site-wide: a page, data exports and Atom feeds.

A built-in plugin (``changes``), registered like any other. It reads the
changes the core worked out for every report in a series (``build.series``):

- ``changes/``: the latest report of each area against the one before it, every
  change with its before and after, filterable by area and kind (the filters
  need JavaScript; without it the page lists everything, area by area);
- ``data/changes.csv`` and ``data/changes.json``: every change of every report;
- ``feed.xml`` and ``<area>/feed.xml``: Atom feeds of new reports and their changes.

Disable it with ``disable_plugins: [changes]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from functools import partial
from pathlib import PurePosixPath
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from sendsite.build.changes import KINDS, Change
from sendsite.build.deferred import Reusable, Streamed
from sendsite.build.memo import per_area, per_report
from sendsite.build.pages import HOME, Page
from sendsite.build.site import AreaEntry, ReportEntry, Site
from sendsite.build.urls import relative_url
from sendsite.builtin.exports import array_parts, csv_file, csv_lines, json_lines
from sendsite.content.markdown import slugify
from sendsite.hookspecs import hookimpl

__all__ = ["CHANGE_COLUMNS", "change_record", "change_records", "latest_changes"]

CHANGES_PAGE = PurePosixPath("changes/index.html")
#: The newest reports a feed lists.
FEED_ENTRIES = 50
CHANGE_COLUMNS = [
    "area", "area_name", "report", "report_title", "report_date", "previous_report",
    "previous_report_date", "section", "text", "kind", "direction", "before", "after",
    "detail", "how_matched", "url",
]  # fmt: skip


def latest_changes(site: Site) -> list[tuple[ReportEntry, list[Change]]]:
    """The last report of each area's series (one that follows another), with its
    changes: area by area, newest first."""
    found = [per_area(site, "changes.latest", area, _area_latest) for area in site.areas]
    return [(last, last.changes) for lasts in found for last in lasts]


def _area_latest(area: AreaEntry) -> tuple[ReportEntry, ...]:
    """The last report of each of ``area``'s series that follows another: one no report
    follows (a correction of the same date, which ``supersedes:`` the first, is the last,
    compared with the report before the one it corrects)."""
    lasts = [e for e in area.reports if e.previous is not None and e.next is None]
    return tuple(sorted(lasts, key=lambda e: (e.report.as_of or date.min, e.title), reverse=True))


def _url(change: Change) -> str:
    return change.target.replace("index.html#", "#")


def change_record(change: Change) -> dict[str, Any]:
    """One change as a flat record (a CSV row, a JSON object)."""
    return next(change_records([change]))


def change_records(changes: Iterable[Change]) -> Iterator[dict[str, Any]]:
    """Each change as a flat record, one at a time (a big site's are not all held);
    what a report gives every one of its changes (its fields, its sections) is worked
    out once."""
    reports: dict[tuple[int, int], dict[str, Any]] = {}
    sections_of: dict[int, dict[str, str]] = {}
    for change in changes:
        entry, previous = change.entry, change.previous
        fields = reports.get((id(entry), id(previous)))
        if fields is None:
            fields = reports[id(entry), id(previous)] = _report_fields(entry, previous)
        shown = change.page.report
        sections = sections_of.get(id(shown))
        if sections is None:
            sections = sections_of[id(shown)] = {i.anchor: i.section for i in shown.items} | {
                r.anchor: r.section for r in shown.risks
            }
        yield {
            **fields,
            "section": sections.get(change.anchor, ""),
            "text": change.text,
            "kind": change.kind,
            "direction": change.direction,
            "before": change.before,
            "after": change.after,
            "detail": change.detail,
            "how_matched": change.how,
            "url": _url(change),
        }


def _report_fields(entry: ReportEntry, previous: ReportEntry) -> dict[str, Any]:
    return {
        "area": entry.area.slug,
        "area_name": entry.area.name,
        "report": entry.slug,
        "report_title": entry.title,
        "report_date": entry.report.as_of.isoformat() if entry.report.as_of else "",
        "previous_report": previous.slug,
        "previous_report_date": previous.report.as_of.isoformat() if previous.report.as_of else "",
    }


def _exports(site: Site) -> dict[PurePosixPath, Streamed]:
    """``data/changes.csv`` and ``data/changes.json``, made piece by piece as written:
    each report's lines one ``Reusable`` piece, keyed by the report's entry and its
    previous one's (a build after an edit copies the others' from the last site)."""

    def csv_block(changes: list[Change]) -> bytes:
        return b"".join(csv_lines(change_records(changes), CHANGE_COLUMNS))

    def json_block(changes: list[Change]) -> bytes:
        return b",\n".join(json_lines(change_records(changes)))

    def blocks(block: Callable[[list[Change]], bytes]) -> Iterator[Reusable]:
        for entry in site.reports:
            if entry.previous is not None and _changed(site, entry, entry.previous):
                # All against one report, the previous one: the key names both.
                yield (entry.stamp, entry.previous.stamp), partial(_block, block, entry)

    def document() -> Iterator[bytes | Reusable]:
        yield b'{"schema": "sendsite-changes/2",\n"changes": '
        yield from array_parts(blocks(json_block))
        yield b"}\n"

    return {
        PurePosixPath("data/changes.csv"): Streamed(
            lambda: csv_file(CHANGE_COLUMNS, blocks(csv_block))
        ),
        PurePosixPath("data/changes.json"): Streamed(document),
    }


def _changed(site: Site, entry: ReportEntry, previous: ReportEntry) -> bool:
    """Whether ``entry`` changed anything since ``previous``, the report before it: kept
    with the entry for that report (the build cache keeps it), so a build after an edit
    works out only the edited reports' changes for the exports (their lines are copied)."""
    stamp = previous.stamp
    return per_report(site, "changes.any", entry, lambda e: bool(e.changes), stamp, on_entry=True)


def _block(block: Callable[[list[Change]], bytes], entry: ReportEntry) -> bytes:
    return block(entry.changes)


def _feed_id(site: Site, where: str) -> str:
    """An id no other site's feed has (one reader may follow two councils' feeds): the
    site's ``feed_id`` (else its title) and the place in it."""
    name = slugify(site.config.feed_id or site.config.title) or "site"
    return f"urn:sendsite:{escape(name)}:{escape(where)}"


def _timestamp(entry: ReportEntry) -> str:
    day = entry.report.as_of or date(1970, 1, 1)
    return f"{day.isoformat()}T00:00:00Z"


def _feed(
    site: Site, path: PurePosixPath, title: str, reports: list[ReportEntry], page: str
) -> bytes:
    """An Atom feed of ``reports`` (newest first), with links relative to the feed;
    ``page`` is the page it follows (the home page, an area's). A report with no date
    understood is left out: a feed dates each entry, and it would be 1 January 1970."""
    dated = [entry for entry in reports if entry.report.as_of is not None]
    newest = sorted(dated, key=lambda e: (e.report.as_of or date.min, e.title), reverse=True)
    newest = newest[:FEED_ENTRIES]
    updated = _timestamp(newest[0]) if newest else "1970-01-01T00:00:00Z"
    alternate = relative_url(path, page, directory_urls=site.config.directory_urls)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"  <title>{escape(title)}</title>",
        f"  <id>{_feed_id(site, str(path))}</id>",
        f"  <updated>{updated}</updated>",
        f"  <author><name>{escape(site.config.title)}</name></author>",
        f'  <link rel="alternate" href={quoteattr(alternate)}/>',
        f'  <link rel="self" href={quoteattr(path.name)}/>',
    ]
    for entry in newest:  # kept with the entry, for the report before it (build cache too)
        depends = entry.previous.stamp if entry.previous is not None else None
        make = partial(_feed_entry, site, path)
        lines.append(per_report(site, f"feed {path}", entry, make, depends, on_entry=True))
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode()


def _feed_entry(site: Site, path: PurePosixPath, entry: ReportEntry) -> str:
    """A report's entry in the feed at ``path``: its changes since the report before."""
    link = relative_url(path, str(entry.path), directory_urls=site.config.directory_urls)
    items = "".join(
        f"<li>{escape(c.label)}: {escape(c.text)}"
        + (f" ({escape(c.before)} → {escape(c.after)})" if c.before and c.after else "")
        + "</li>"
        for c in entry.changes
    )
    since = (
        f"<p>Since {escape(entry.previous.title)}: {escape(entry.change_summary)}.</p>"
        if entry.previous
        else "<p>The first report of its series.</p>"
    )
    return "\n".join(
        [
            "  <entry>",
            f"    <title>{escape(entry.area.name)}: {escape(entry.named)}</title>",
            f"    <id>{_feed_id(site, str(entry.path.parent))}</id>",
            f"    <updated>{_timestamp(entry)}</updated>",
            f'    <link rel="alternate" href={quoteattr(link)}/>',
            f'    <content type="html">{escape(since + (f"<ul>{items}</ul>" if items else ""))}'
            "</content>",
            "  </entry>",
        ]
    )


@hookimpl
def register_pages(site: Site) -> list[Page]:
    latest = latest_changes(site)
    if not any(entry.in_series for entry in site.reports):
        return []
    rows = [change for _, changes in latest for change in changes]
    return [
        Page(
            "changes",
            CHANGES_PAGE,
            "changes.html",
            "What changed",
            [("Home", HOME)],
            {
                "latest": latest,
                "rows": rows,
                "kinds": [(k, v) for k, v in KINDS.items() if any(r.kind == k for r in rows)],
                "areas": list(dict.fromkeys((e.area.slug, e.area.name) for e, _ in latest)),
            },
            menu="What changed",
        )
    ]


@hookimpl
def register_files(site: Site) -> dict[PurePosixPath, bytes | Streamed]:
    if not site.reports:
        return {}
    files: dict[PurePosixPath, bytes | Streamed] = {**_exports(site)}
    feed = PurePosixPath("feed.xml")
    files[feed] = _feed(site, feed, f"{site.config.title}: new reports", site.reports, HOME)
    for area in site.areas:
        if area.reports:
            path = area.path.parent / "feed.xml"
            title = f"{area.title}: new reports"
            files[path] = _feed(site, path, title, area.reports, str(area.path))
    return files


@hookimpl
def extra_template_vars(page: Page) -> dict[str, str]:
    """Every page names the feed of new reports in its head (feed readers find it there),
    and an area's page the area's own feed as well."""
    feeds = {"site_feed": "feed.xml"}
    if page.kind == "area":
        feeds["area_feed"] = str(page.path.parent / "feed.xml")
    return feeds
