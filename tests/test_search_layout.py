"""Which record page goes in which part of the index (``pagefind_layout``): newest first.

The browser's side (a first search looks in the first part only) is in
``test_search_newest_first.py``; here, which pages the first part holds, for sites of
every shape.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest

from sendsite.builtin.search import pagefind
from sendsite.builtin.search.pagefind_layout import RecordPage, layout
from sendsite.builtin.search.pagefind_pages import (
    OLDER_WORDS,
    PART_WORDS,
    WORDS,
    page_date,
    record_pages,
)
from sendsite.builtin.search.records import RecordMemo, SearchItem, SearchRecord


def _report(day: str, n: int, words: int = 100) -> SearchRecord:
    return SearchRecord(
        f"area-{n % 3}/report-{n}/",
        f"Report {n}",
        " ".join(["autism"] * words + [f"word{day.replace('-', '')}"]),
        "Report",
        area=f"Area {n % 3}",
        date=day,
        aka=["ASD"],
        items=[SearchItem("m1", "Recruit", "Owner Jo.", "Milestone", "Complete", "Complete")],
    )


def _site(days: list[str]) -> list[RecordPage]:
    records = [_report(day, n) for n, day in enumerate(days)]
    records.append(SearchRecord("area-0/", "Area 0", "An area page.", "Area", area="Area 0"))
    return record_pages(records, "en")


def _reports(part: list[RecordPage]) -> list[str]:
    return sorted(page_date(html) for html, address in part if address != WORDS and page_date(html))


def _words(page: RecordPage) -> set[str]:
    return {w for w in page[0].decode().replace("<", " <").split() if w.startswith("word")}


def test_a_page_knows_its_reports_date_and_only_a_reports() -> None:
    (report, section, area) = record_pages(
        [
            _report("2024-02-29", 1),
            SearchRecord(
                "a/r/#p1", "P1", "Text.", "Section", area="A", report="R", date="2023-01-31"
            ),
            SearchRecord("a/", "A", "An area: 2023-01-31.", "Area", area="A"),
        ],
        "en",
    )
    assert page_date(report[0]) == "2024-02-29"
    assert page_date(section[0]) == "2023-01-31"  # a page of sections only (a plugin's)
    assert page_date(area[0]) == ""  # a date in its text is not its date


def test_newest_first_takes_whole_months_that_fit() -> None:
    days = [f"2024-{m:02d}-{d:02d}" for m in range(1, 13) for d in (5, 20)]  # 24 reports
    pages = _site(days)
    size = sum(len(html) for html, _ in pages)
    each = len(pages[0][0])
    # Room for the area page and five months of reports (ten), not six.
    found = layout(pages, "en", part_bytes=10**9, first_bytes=each * 11)
    assert size > each * 11
    assert found.since == "2024-08-01"
    first, *older = found.parts
    assert _reports(first) == days[-10:]
    assert "area-0/" in [address for _, address in first]
    assert sorted(d for part in older for d in _reports(part)) == days[:-10]
    # The first part knows every word of the site: its own, and the older reports' (its
    # last page). The older parts have their own pages alone: a word new to the site
    # changes only the part of its page and the first part.
    older_words = {f"word{d.replace('-', '')}" for d in days[:-10]}
    assert first[-1][1] == OLDER_WORDS and _words(first[-1]) == older_words
    assert not [a for part in older for _, a in part if a in (WORDS, OLDER_WORDS)]
    # The index of words: a page of each part's words (the first part's own), in order.
    assert [a for _, a in found.words] == [f"{PART_WORDS}{n}" for n in range(len(found.parts))]
    for part, words in zip([first[:-1], *older], found.words, strict=True):
        assert _words(words) == {w for page in part for w in _words(page)}


def test_the_first_part_is_no_bigger_than_a_part() -> None:
    days = [f"2024-{m:02d}-10" for m in range(1, 13)]
    pages = _site(days)
    each = len(pages[0][0])
    found = layout(pages, "en", part_bytes=each * 4, first_bytes=each * 8)
    assert found.since == "2024-10-01"  # three reports and the area page: four pages' bytes
    assert len(_reports(found.parts[0])) == 3
    # The first part (less its page of every word) within the budget of a part.
    assert sum(len(html) for html, _ in found.parts[0][:-1]) <= each * 4


def test_a_newest_month_too_big_to_fit_is_cut_by_day() -> None:
    days = [f"2024-06-{d:02d}" for d in range(1, 21)]
    pages = _site(days)
    each = len(pages[0][0])
    found = layout(pages, "en", part_bytes=10**9, first_bytes=each * 6)
    assert found.since == "2024-06-16"
    assert _reports(found.parts[0]) == days[-5:]


@pytest.mark.parametrize(
    ("days", "reason"),
    [
        (["2024-06-01"] * 20, "the newest day alone does not fit"),
        (["2024-06-01", "2024-06-02"], "the site fits"),
        ([], "no reports"),
    ],
)
def test_no_newest_first_when_it_cannot_help(days: list[str], reason: str) -> None:
    pages = _site(days)
    each = len(pages[0][0]) if days else 100
    found = layout(pages, "en", part_bytes=each * 3, first_bytes=each * 3)
    assert found.since == "", reason
    # A like mix: each part of an index in more than one knows every word of the site.
    every = {w for page in pages for w in _words(page)}
    if len(found.parts) > 1:
        assert all(part[-1][1] == WORDS and _words(part[-1]) == every for part in found.parts)
    assert found.words == []  # no index of words: every part knows every word
    dated = sorted(d for part in found.parts for d in _reports(part))
    assert dated == sorted(days)


def test_the_sizes_that_decide_are_pagefinds(monkeypatch: pytest.MonkeyPatch) -> None:
    days = [f"2024-{m:02d}-10" for m in range(1, 13)]
    records = [_report(day, n) for n, day in enumerate(days)]
    pages = pagefind.record_pages(records, "en")
    assert pagefind.layout(pages, "en").since == ""  # the demo's sizes: far under 6 MB
    monkeypatch.setattr(pagefind, "FIRST_BYTES", max(len(html) for html, _ in pages) * 4)
    assert pagefind.layout(pages, "en").since == "2024-09-01"


def test_an_older_parts_words_are_kept_by_its_pages_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    days = [f"2024-{m:02d}-{d:02d}" for m in range(1, 13) for d in (5, 20)]
    records = [_report(day, n) for n, day in enumerate(days)]
    pages = pagefind.record_pages(records, "en")
    each = len(pages[0][0])
    monkeypatch.setattr(pagefind, "FIRST_BYTES", each * 5)
    monkeypatch.setattr(pagefind, "PART_BYTES", each * 8)
    known: dict[str, set[bytes]] = {}
    cold = pagefind.layout(list(pages), "en", known)
    digests = pagefind.part_digests(cold, "en")
    assert len(cold.parts) > 2 and cold.since
    # Filled with the words of each older part, by that part's digest (the first part's
    # words are read each time).
    assert sorted(known) == sorted(digests[1:])
    # The digests made for the words are the parts' own: the same as made without them.
    assert digests == pagefind.part_digests(pagefind.layout(list(pages), "en"), "en")
    # Kept words are used as they are, not read again from the pages: a stand-in set shows
    # in the first part's page of the older reports' words and in the index of words.
    marked = {digest: {b"autism", b"wordkept"} for digest in known}
    warm = pagefind.layout(list(pages), "en", marked)
    assert _words(warm.parts[0][-1]) == {"wordkept"}
    assert all(_words(page) == {"wordkept"} for page in warm.words[1:])
    # An older report edited: its part is read again, the others' words are kept.
    edited = [_report(day, n) for n, day in enumerate(days)]
    edited[0].text += " wordedited"
    later = pagefind.layout(pagefind.record_pages(edited, "en"), "en", marked)
    assert "wordedited" in _words(later.parts[0][-1])
    changed = [n for n, page in enumerate(later.words[1:], start=1) if _words(page) != {"wordkept"}]
    assert len(changed) == 1
    assert len(marked) == len(later.parts) - 1  # only this layout's parts are kept
    # And the same pages give the same index with or without kept words.
    again = pagefind.layout(list(pages), "en", {})
    assert again == cold


def test_a_report_pages_record_page_is_kept_while_its_records_and_page_are(
    tmp_path: Path,
) -> None:
    """The build cache's memo gives back a report's record page, not made again, while the
    report's records are the very ones it kept for the same page; any other is made."""
    days = ["2024-01-05", "2024-02-05", "2024-03-05"]
    records = [_report(day, n) for n, day in enumerate(days)]
    area = SearchRecord("area-0/", "Area 0", "An area page.", "Area", area="Area 0")
    spooled = tmp_path / "page.html"
    memo = RecordMemo()
    memo.reports = {
        PurePosixPath(f"r{n}.html"): (None if n < 2 else spooled, bytes([n]), [record])
        for n, record in enumerate(records)
    }
    made = record_pages([*records, area], "en", memo)
    assert made == record_pages([*records, area], "en")  # the same pages as with no memo
    # Kept: the report pages held in memory; not the area's, nor a spooled page's.
    assert sorted(memo.html) == [PurePosixPath("r0.html"), PurePosixPath("r1.html")]
    memo.html[PurePosixPath("r0.html")] = ("en", b"\x00", b"<kept/>")
    memo.html[PurePosixPath("r1.html")] = ("en", b"\x01", b"<kept/>")
    again = dict((address, html) for html, address in record_pages([*records, area], "en", memo))
    assert again["area-0/report-0/"] == again["area-1/report-1/"] == b"<kept/>"
    assert again["area-2/report-2/"] == made[2][0]
    # Made again: another language, or the report's page changed, or other records.
    memo.html[PurePosixPath("r0.html")] = ("cy", b"\x00", b"<kept/>")
    memo.html[PurePosixPath("r1.html")] = ("en", b"\xff", b"<kept/>")
    other = _report(days[2], 2)
    later = dict(record_pages([records[0], records[1], other, area], "en", memo))
    assert b"<kept/>" not in later
    assert [html for html, _ in record_pages([*records, area], "en", memo)] == [
        html for html, _ in made
    ]


def test_the_build_caches_folder_of_pages_gets_only_what_changed(tmp_path: Path) -> None:
    """Kept from build to build, a part's folder of pages for Pagefind is brought up to
    date: a file that holds its page is left alone, a changed page written again, and
    what the part no longer has removed (and the folders of parts there are no more)."""
    from sendsite.builtin.search.pagefind_pages import pages_folder, write_pages

    home = tmp_path / "index-pages"
    days = ["2024-01-05", "2024-02-05", "2024-03-05"]
    pages = record_pages([_report(day, n) for n, day in enumerate(days)], "en")
    folder = pages_folder(home, 2) / "part-0"
    folder.mkdir()
    (home / "part-5").mkdir()  # a part from a bigger index
    (home / "stray.html").write_text("?")
    assert pages_folder(home, 2) == home and sorted(p.name for p in home.iterdir()) == ["part-0"]
    first = write_pages(pages, folder, 0, kept=True)
    files = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*.html")}
    for path in files.values():  # an old date: a file written again would show today's
        os.utime(path, ns=(10**18, 10**18))
    assert sorted(files) == [f"area-{n}/report-{n}/index.html" for n in range(3)]
    edited = [_report(day, n) for n, day in enumerate(days)]
    edited[1].text += " wordedited"
    later = record_pages(edited[:2], "en")
    (folder / "000009.html").write_text("left over")
    assert write_pages(later, folder, 0, kept=True) == {
        k: v for k, v in first.items() if "2" not in k
    }
    now = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*")}
    assert sorted(now) == ["area-0", "area-0/report-0", "area-0/report-0/index.html",
                           "area-1", "area-1/report-1", "area-1/report-1/index.html"]  # fmt: skip
    assert now["area-0/report-0/index.html"].stat().st_mtime_ns == 10**18
    assert b"wordedited" in now["area-1/report-1/index.html"].read_bytes()
    # What a fresh folder would hold, byte for byte.
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    write_pages(later, fresh, 0)
    assert {p.relative_to(fresh).as_posix(): p.read_bytes() for p in fresh.rglob("*.html")} == {
        name: path.read_bytes() for name, path in now.items() if path.is_file()
    }
