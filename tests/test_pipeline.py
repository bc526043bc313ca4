"""The in-memory pipeline behind `sendsite serve`: what a save re-renders, and that the
pages it keeps or leaves for later are exactly those a full build writes."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import pytest

from sendsite.build.deferred import Deferred, content_bytes
from sendsite.build.pipeline import Pipeline
from sendsite.build.reading import BuildFailed
from sendsite.config import load_config
from sendsite.errors import ContentError
from sendsite.plugins.manager import make_plugin_manager

from .conftest import FAILING_TRACKER, REPO

SOUTHEND = REPO / "content" / "southend" / "highlight-report-2021-05.md"
TITLE = "Joint Commissioning highlight report, May 2021"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """Two areas, each with a copy of the Southend report, and a plain page."""
    root = tmp_path / "src"
    for area in ("east", "west"):
        folder = root / "content" / area
        folder.mkdir(parents=True)
        (folder / "_area.yml").write_text(f"name: {area.title()}shire\n")
        (folder / "report.md").write_text(SOUTHEND.read_text().replace(TITLE, f"{area} report"))
    (root / "content" / "about.md").write_text("---\ntitle: About\n---\nAbout us.\n")
    for name in ("_glossary.yml", "_topics.yml"):
        (root / "content" / name).write_text((REPO / "content" / name).read_text())
    return root


def pipeline(root: Path) -> Pipeline:
    config = load_config(root)
    return Pipeline(config, make_plugin_manager(config=config), parallel=False)


def edit(path: Path, old: str, new: str) -> None:
    time.sleep(0.01)  # a new modification time, as a real save gives
    path.write_text(path.read_text().replace(old, new))


def full_build(root: Path) -> dict[PurePosixPath, bytes]:
    files = pipeline(root).refresh().files
    return {path: content_bytes(content) for path, content in files.items()}


def test_a_save_rerenders_its_page_and_its_areas_listings_only(root: Path) -> None:
    live = pipeline(root)
    before = live.refresh().files
    edit(root / "content" / "east" / "report.md", "east report", "east report, revised")
    after = live.refresh()
    page = PurePosixPath
    assert after.reread == 1
    for kept in ("west/report/index.html", "tracker/west/index.html", "about/index.html"):
        assert after.files[page(kept)] is before[page(kept)], kept  # the very same bytes
    for redone in ("east/report/index.html", "tracker/east/index.html", "index.html"):
        assert after.files[page(redone)] is not before[page(redone)], redone
        assert b"east report, revised" in content_bytes(after.files[page(redone)])


def test_nothing_changed_renders_nothing(root: Path) -> None:
    live = pipeline(root)
    live.refresh()
    assert live.refresh().rendered == 0


def test_deferred_pages_are_exactly_what_a_full_build_writes(root: Path) -> None:
    live = pipeline(root)
    live.refresh(defer=True)
    edit(root / "content" / "east" / "report.md", "east report", "east report, revised")
    result = live.refresh(defer=True)
    assert result.rendered == 1  # the report's own page, at once
    assert result.deferred > 5  # home, area, trackers, registers, dashboard...
    later = [path for path, content in result.files.items() if isinstance(content, Deferred)]
    assert PurePosixPath("data/items.json") in later
    assert PurePosixPath("tracker/west/index.html") not in later  # another area: kept
    served = {path: content_bytes(content) for path, content in result.files.items()}
    assert served == full_build(root)


def test_a_failed_refresh_does_not_lose_the_changes_read_with_it(root: Path) -> None:
    live = pipeline(root)
    live.refresh()
    west = root / "content" / "west" / "report.md"
    original = west.read_text()
    edit(root / "content" / "east" / "report.md", "east report", "east report, revised")
    west.write_text(original.replace("title:", "title: [unclosed", 1))
    with pytest.raises(BuildFailed):
        live.refresh()
    west.write_text(original)
    files = live.refresh().files
    for path in ("east/report/index.html", "tracker/east/index.html"):
        assert b"east report, revised" in content_bytes(files[PurePosixPath(path)]), path
    assert {p: content_bytes(c) for p, c in files.items()} == full_build(root)


def test_a_page_made_on_request_reports_its_own_failure(root: Path) -> None:
    templates = root / "templates"
    templates.mkdir()
    (templates / "tracker.html").write_text(FAILING_TRACKER)
    live = pipeline(root)
    live.refresh(defer=True)
    report = root / "content" / "east" / "report.md"
    edit(report, "milestone: ", "milestone: BOOM ")
    result = live.refresh(defer=True)  # the report's own page is fine
    assert b"BOOM" in content_bytes(result.files[PurePosixPath("east/report/index.html")])
    with pytest.raises(BuildFailed) as caught:
        content_bytes(result.files[PurePosixPath("tracker/east/index.html")])
    assert "while rendering tracker/east/index.html with 'tracker.html'" in str(
        caught.value.errors[0]
    )


# Each change returns the paths a file watcher would report for it.


def _rename_area(root: Path) -> list[Path]:
    edit(root / "content" / "west" / "_area.yml", "Westshire", "West Riding")
    return [root / "content" / "west" / "_area.yml"]


def _new_glossary_term(root: Path) -> list[Path]:
    glossary = root / "content" / "_glossary.yml"
    glossary.write_text(glossary.read_text() + "QAF: Quality assurance framework\n")
    return [glossary]


def _topic_words(root: Path) -> list[Path]:
    edit(root / "content" / "_topics.yml", "    - autism\n", "    - autism\n    - handbook\n")
    return [root / "content" / "_topics.yml"]


def _new_report(root: Path) -> list[Path]:
    # A later report of the same series: the earlier one's page gains a "next" link.
    june = root / "content" / "west" / "june.md"
    june.write_text(
        SOUTHEND.read_text()
        .replace(TITLE, "west report, June")
        .replace("meeting_date: 28th May 2021", "meeting_date: 25th June 2021")
    )
    return [june]


def _deleted_report(root: Path) -> list[Path]:
    (root / "content" / "east" / "report.md").unlink()
    return [root / "content" / "east" / "report.md"]


def _edited_about_page(root: Path) -> list[Path]:
    edit(root / "content" / "about.md", "About us.", "About us, and what we do.")
    return [root / "content" / "about.md"]


def _saved_by_rename(root: Path) -> list[Path]:
    # As vim does: a temporary written, then renamed over the report (both reported).
    report = root / "content" / "west" / "report.md"
    temp = report.with_name("report.md.tmp")
    temp.write_text(report.read_text().replace("west report", "west report, saved"))
    temp.replace(report)
    return [temp, report]


def _renamed_report(root: Path) -> list[Path]:
    old, new = root / "content" / "west" / "report.md", root / "content" / "west" / "may.md"
    old.rename(new)
    return [old, new]


@pytest.mark.parametrize("told", [False, True], ids=["looked-through", "told-by-watcher"])
@pytest.mark.parametrize(
    "change",
    [
        _rename_area,
        _new_glossary_term,
        _topic_words,
        _new_report,
        _deleted_report,
        _edited_about_page,
        _saved_by_rename,
        _renamed_report,
    ],
)
def test_after_any_change_the_preview_equals_a_full_build(
    root: Path, change: Callable[[Path], list[Path]], told: bool
) -> None:
    # Told what changed (as the preview's watcher tells it), the pipeline looks at those
    # files only when they are edits of documents it knows: the site is the same.
    live = pipeline(root)
    live.refresh(defer=True)
    edit(root / "content" / "east" / "report.md", "east report", "east report, revised")
    first = live.refresh(defer=True, changed=[root / "content/east/report.md"] if told else None)
    assert first.reread == 1
    paths = change(root)
    files = live.refresh(defer=True, changed=paths if told else None).files
    assert {p: content_bytes(c) for p, c in files.items()} == full_build(root)


def _edit_may(root: Path, old: str, new: str) -> list[Path]:
    report = root / "content" / "west" / "report.md"
    edit(report, old, new)
    return [report]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # An item reworded, its topic (EHC plans) kept: patched into the last site.
        ("Health EHCP process and handbook", "Health EHCP process and guide"),
        # A status changed: the June report's changes since May change with it.
        ("completed_by: 15 th May 2021", "completed_by: 15 th July 2021"),
        # A word of a topic the report matched nowhere before: linked again.
        ("Agreement on common clinical", "Agreement on autism and common clinical"),
        # The date: the series is ordered again.
        ("meeting_date: 28th May 2021", "meeting_date: 27th May 2021"),
        # The title: patched; the June report's "previous" link follows it.
        ("title: west report", "title: west report, May"),
    ],
    ids=["reworded", "status", "new-topic", "date", "title"],
)
def test_an_edit_in_a_series_equals_a_full_build(root: Path, old: str, new: str) -> None:
    live = pipeline(root)
    _new_report(root)  # west: May, then June
    live.refresh(defer=True)
    first = live.refresh(defer=True, changed=_edit_may(root, old, new))
    assert first.reread == 1
    assert {p: content_bytes(c) for p, c in first.files.items()} == full_build(root)
    # And back again, for the series' histories and the topics' lists to be undone.
    second = live.refresh(defer=True, changed=_edit_may(root, new, old))
    assert {p: content_bytes(c) for p, c in second.files.items()} == full_build(root)


@pytest.mark.parametrize("edit_of", ["title", "item"])
def test_an_edit_early_in_a_long_series_renders_only_the_pages_it_changes(
    root: Path, edit_of: str
) -> None:
    # Twelve monthly reports in one series; the first is edited. A new title is linked
    # again (a full link), a reworded item is patched in place: either way, the reports
    # whose pages show it (the next one's "previous" link, the histories of the next
    # few) are rendered again, and the rest of the series is kept as it was.
    months = ["June", "July", "August", "September", "October", "November", "December"]
    months += ["January", "February", "March", "April"]
    for number, month in enumerate(months):
        year = 2021 if number < 7 else 2022
        (root / "content" / "west" / f"{number + 2:02}.md").write_text(
            SOUTHEND.read_text()
            .replace(TITLE, f"west report, {month}")
            .replace("meeting_date: 28th May 2021", f"meeting_date: 20th {month} {year}")
        )
    live = pipeline(root)
    before = live.refresh(defer=True).files
    old, new = ("west report", "west report, May") if edit_of == "title" else ("handbook", "guide")
    after = live.refresh(defer=True, changed=_edit_may(root, old, new)).files
    series = sorted(p for p in after if p.parts[0] == "west" and p.name == "index.html")
    series = [p for p in series if len(p.parts) == 3]
    assert len(series) == 12
    again = [p.parts[1] for p in series if after[p] is not before[p]]
    assert "report" in again and "02" in again  # the edited one, and the next
    assert len(again) <= 7 and "13" not in again  # not the whole series
    assert {p: content_bytes(c) for p, c in after.items()} == full_build(root)


def test_a_save_that_keeps_how_a_report_is_linked_keeps_the_site(root: Path) -> None:
    # A reworded item, or a new title (no other report of the area has its date), leaves
    # the report's address, date and series as they were: the report takes its old place
    # in the same site, which is not linked again. A new date orders the series again.
    live = pipeline(root)
    _new_report(root)
    site = live.refresh(defer=True).site
    changed = _edit_may(root, "handbook agreed", "handbook written")
    assert live.refresh(defer=True, changed=changed).site is site
    changed = _edit_may(root, "west report", "west report, renamed")
    result = live.refresh(defer=True, changed=changed)
    assert result.site is site
    assert {p: content_bytes(c) for p, c in result.files.items()} == full_build(root)
    changed = _edit_may(root, "meeting_date: 28th May 2021", "meeting_date: 27th May 2021")
    assert live.refresh(defer=True, changed=changed).site is not site


def test_a_new_title_of_a_later_report_is_shown_by_the_one_before(root: Path) -> None:
    live = pipeline(root)
    [june] = _new_report(root)
    live.refresh(defer=True)
    edit(june, "west report, June", "west report for June")
    result = live.refresh(defer=True, changed=[june])
    may = content_bytes(result.files[PurePosixPath("west/report/index.html")])
    assert b"west report for June" in may  # its "next" link
    assert {p: content_bytes(c) for p, c in result.files.items()} == full_build(root)


def test_a_new_title_among_reports_of_one_date_orders_the_area_again(root: Path) -> None:
    # Two reports of one date in two series: their titles order them on the area's page.
    (root / "content" / "west" / "minutes.md").write_text(
        SOUTHEND.read_text()
        .replace("---\n", "---\nseries: minutes\n", 1)
        .replace(TITLE, "west minutes")
    )
    live = pipeline(root)
    site = live.refresh(defer=True).site
    assert [r.title for r in site.areas[-1].reports] == ["west minutes", "west report"]
    result = live.refresh(defer=True, changed=_edit_may(root, "west report", "a west report"))
    assert result.site is not site
    assert [r.title for r in result.site.areas[-1].reports] == ["a west report", "west minutes"]
    assert {p: content_bytes(c) for p, c in result.files.items()} == full_build(root)


def test_a_save_the_watcher_reports_is_all_that_is_read_again(root: Path) -> None:
    live = pipeline(root)
    live.refresh(defer=True)
    east, west = root / "content" / "east" / "report.md", root / "content" / "west" / "report.md"
    edit(east, "east report", "east report, revised")
    edit(west, "west report", "west report, revised")
    result = live.refresh(defer=True, changed=[east])  # the watcher has not seen west yet
    assert result.reread == 1
    assert b"west report, revised" not in content_bytes(
        result.files[PurePosixPath("west/report/index.html")]
    )
    result = live.refresh(defer=True, changed=[west])
    assert result.reread == 1
    assert {p: content_bytes(c) for p, c in result.files.items()} == full_build(root)


def test_a_saved_file_does_not_hide_a_broken_one_the_watcher_named_before(root: Path) -> None:
    """Saves read only what was saved, but a file that failed to read is not forgotten:
    it fails every refresh until it is fixed, whatever else is saved meanwhile."""
    live = pipeline(root)
    live.refresh(defer=True)
    east, west = root / "content" / "east" / "report.md", root / "content" / "west" / "report.md"
    original = west.read_text()
    west.write_text(original.replace("title:", "title: [unclosed", 1))
    with pytest.raises(BuildFailed):
        live.refresh(defer=True, changed=[west])
    edit(east, "east report", "east report, revised")
    with pytest.raises(BuildFailed) as failed:
        live.refresh(defer=True, changed=[east])
    assert [Path(e.file).name for e in failed.value.errors] == ["report.md"]
    assert "west" in str(failed.value.errors[0].file)
    west.write_text(original)
    result = live.refresh(defer=True, changed=[west])
    assert {p: content_bytes(c) for p, c in result.files.items()} == full_build(root)
    edit(east, "east report, revised", "east report, again")  # saves read one file again
    assert live.refresh(defer=True, changed=[east]).reread == 1


def test_a_file_the_watcher_names_that_became_a_link_outside_is_refused(
    root: Path, tmp_path: Path
) -> None:
    plan = root / "content" / "east" / "plan.pdf"
    plan.write_bytes(b"%PDF-1.4 the plan")
    live = pipeline(root)
    live.refresh(defer=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    link = plan.with_name(".swap-link")
    link.symlink_to(secret)
    link.replace(plan)  # swapped in one step: the watcher names plan.pdf, not the secret
    with pytest.raises(ContentError) as caught:
        live.refresh(defer=True, changed=[plan])
    assert str(caught.value.file) == "east/plan.pdf"
    assert "outside the content folder" in str(caught.value)


def test_a_new_report_renders_its_own_page_at_once_and_the_rest_when_asked(root: Path) -> None:
    live = pipeline(root)
    live.refresh(defer=True)
    _new_report(root)
    result = live.refresh(defer=True)
    assert result.rendered == 1
    assert b"west report, June" in content_bytes(
        result.files[PurePosixPath("west/june/index.html")]
    )
    assert isinstance(result.files[PurePosixPath("east/report/index.html")], Deferred)


def test_a_link_that_loses_its_target_is_reported_at_once(root: Path) -> None:
    about = root / "content" / "about.md"
    about.write_text("---\ntitle: About\n---\nSee [the east report](east/report.md).\n")
    live = pipeline(root)
    live.refresh(defer=True)
    _deleted_report(root)
    with pytest.raises(BuildFailed) as caught:
        live.refresh(defer=True)
    [error] = caught.value.errors
    assert str(error.file) == "about.md"
    assert "east/report.md" in error.message
