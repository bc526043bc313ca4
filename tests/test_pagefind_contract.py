"""What sendsite relies on in Pagefind: a Pagefind upgrade that changes any of it fails here.

``sendsite/builtin/search/pagefind.py`` is the one door to Pagefind (with its private
helpers ``pagefind_program``, which runs it, and ``pagefind_bundle``).
Beyond its documented options it relies on the files Pagefind's program writes,
the JSON and CBOR inside them (see that module's docstring). Each test names
what changed; when one fails after an upgrade, adapt ``search_pagefind`` and
widen the pin in pyproject.toml only once everything here passes.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path
from typing import Any

import cbor2
import pytest
from packaging.requirements import Requirement

from sendsite.builtin.search import pagefind as search_pagefind
from sendsite.builtin.search import pagefind_bundle, pagefind_pages, pagefind_program
from sendsite.builtin.search.pagefind import BUNDLE, SearchIndexError, index_records
from sendsite.builtin.search.records import SearchItem, SearchRecord

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
#: Files Pagefind writes at the top of its bundle, apart from the hashed ``.pf_meta``.
_FILES = {"pagefind-entry.json", "pagefind.js", "pagefind-worker.js", *pagefind_program.UNUSED}
_FOLDERS = {"filter", "fragment", "index"}
_HASH = re.compile(r"^en_[0-9a-f]+$")


def _records() -> list[SearchRecord]:
    """A few records using everything the index holds: filters, metadata, dates, items."""

    def item(anchor: str, title: str, kind: str, status: str) -> SearchItem:
        return SearchItem(anchor, title, f"Owner Jo. Due May. {status}", kind, status, status)

    return [
        SearchRecord(
            "north/may/",
            "May report",
            "Highlights of the month.",
            "Report",
            area="North",
            date="2021-05-01",
        ),
        SearchRecord(
            "north/may/#p1",
            "P1 Speech and language therapy",
            "Waiting lists for therapy are long.",
            "Section",
            area="North",
            report="May report",
            date="2021-05-01",
            aka=["SALT"],
            items=[
                item("m1", "Recruit therapists", "Milestone", "Complete"),
                item("r1", "Staff leave", "Risk or issue", "Significant deviation"),
            ],
        ),
        SearchRecord("south/", "South", "Assessment pathway for autism.", "Area", area="South"),
        SearchRecord(
            "north/may/#p3",
            "P3 Short breaks",
            "More places at weekends.",
            "Section",
            area="North",
            report="May report",
            date="2021-05-01",
            items=[item("a3", "Open a second centre", "Action", "Complete")],
        ),
        SearchRecord(  # a section whose page has no overview record (as a plugin may add)
            "east/june/#p2",
            "P2 Preparing for adulthood",
            "Transition plans at fourteen.",
            "Section",
            area="East",
            report="June report",
            date="2021-06-01",
            items=[item("a1", "Write the plan", "Action", "Minor deviation")],
        ),
        SearchRecord("about/", "About", "Board papers and minutes.", "Page"),
    ]


def _pages() -> list[str]:
    """The site pages of ``_records()``: one Pagefind page each, in order of first record."""
    return list(dict.fromkeys(record.page() for record in _records()))


def _gunzip(path: Path) -> bytes:
    raw = gzip.decompress(path.read_bytes())
    assert raw.startswith(pagefind_bundle.SIGNATURE), (
        f"Pagefind's {path.parent.name}/{path.name} no longer starts with "
        f"{pagefind_bundle.SIGNATURE!r} once gunzipped"
    )
    return raw[len(pagefind_bundle.SIGNATURE) :]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The records as the pages Pagefind indexes, and each page's record address."""
    folder = tmp_path_factory.mktemp("pages")
    return folder, pagefind_pages.write_pages(
        search_pagefind.record_pages(_records(), "en"), folder
    )


@pytest.fixture(scope="module")
def raw_bundle(tmp_path_factory: pytest.TempPathFactory, pages: tuple[Path, Any]) -> Path:
    """The bundle exactly as Pagefind writes it (nothing removed or rewritten)."""
    bundle = tmp_path_factory.mktemp("raw") / "pagefind"
    pagefind_program.PartRun(pages[0], bundle, pages[1], "en").wait()
    return bundle


def _copy(bundle: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "pagefind"
    shutil.copytree(bundle, copy)
    return copy


def _meta(bundle: Path) -> tuple[dict[str, Any], Any]:
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    meta_hash = entry["languages"]["en"]["hash"]
    return entry, cbor2.loads(_gunzip(bundle / f"pagefind.{meta_hash}.pf_meta"))


# --- the version ------------------------------------------------------------------------


def test_the_installed_pagefind_is_in_the_pinned_range() -> None:
    dependencies = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["dependencies"]
    pin = next(Requirement(d) for d in dependencies if Requirement(d).name == "pagefind")
    assert any(s.operator in {"<", "<=", "==", "~="} for s in pin.specifier), (
        f"pyproject.toml pins {pin}: Pagefind needs an upper bound (the versions tested here)"
    )
    for distribution in ("pagefind", "pagefind-bin"):
        installed = version(distribution)
        assert pin.specifier.contains(installed, prereleases=True), (
            f"{distribution} {installed} is installed, outside the tested range {pin.specifier}"
        )
    from pagefind_bin import get_executable

    program = get_executable()
    assert program is not None and program.is_file(), "Pagefind's program was not found"
    said = subprocess.run([program, "--version"], capture_output=True, text=True, check=True)
    assert said.stdout.split() == ["pagefind", version("pagefind-bin")], (
        f"the Pagefind program says {said.stdout.strip()!r}, pagefind-bin is "
        f"{version('pagefind-bin')}"
    )


def test_the_program_takes_the_options_sendsite_gives() -> None:
    from pagefind_bin import get_executable

    said = subprocess.run([get_executable(), "--help"], capture_output=True, text=True, check=True)
    for option in ("--site", "--output-path", "--force-language", "--silent"):
        assert option in said.stdout, f"Pagefind's program has no {option} option any more"


def test_a_missing_program_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-program"))
    with pytest.raises(SearchIndexError, match="the Pagefind program was not found"):
        index_records(_records(), tmp_path, "en")


def test_a_failing_program_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bin").mkdir()
    program = tmp_path / "bin" / "pagefind"
    program.write_text("#!/bin/sh\necho 'Error: the disk is on fire' >&2\nexit 3\n")
    program.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(program))
    with pytest.raises(
        SearchIndexError, match=r"Pagefind failed \(exit 3\): Error: the disk is on fire"
    ):
        index_records(_records(), tmp_path, "en")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="started by a launcher there")
def test_a_program_that_cannot_be_run_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = tmp_path / "pagefind"
    program.write_text("not a program\n")  # not executable
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(program))
    with pytest.raises(SearchIndexError) as raised:
        index_records(_records(), tmp_path / "site", "en")
    assert str(raised.value).startswith("Pagefind failed"), raised.value
    assert f"{program}: Permission denied" in str(raised.value)


def test_a_stuck_program_is_stopped_and_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Pagefind that never ends does not hang the build: it is killed, and said so."""
    (tmp_path / "bin").mkdir()
    program, pid = tmp_path / "bin" / "pagefind", tmp_path / "pid"
    program.write_text(f"#!/bin/sh\necho $$ > {pid}\nexec sleep 60\n")
    program.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(program))
    monkeypatch.setattr(pagefind_program, "_TIMEOUT", 1.0)
    with pytest.raises(SearchIndexError, match="Pagefind did not finish within 1 seconds"):
        index_records(_records(), tmp_path / "site", "en")
    stuck = int(pid.read_text())
    with pytest.raises(ProcessLookupError):  # killed and reaped: no such process any more
        os.kill(stuck, 0)
    assert not list((tmp_path / "site").glob(".pagefind-part-*"))


# --- the files ------------------------------------------------------------------------------


def test_the_bundle_holds_the_files_sendsite_expects(raw_bundle: Path) -> None:
    names = {p.name for p in raw_bundle.iterdir()}
    metas = {n for n in names if n.startswith("pagefind.") and n.endswith(".pf_meta")}
    wasm = {n for n in names if n.startswith("wasm.") and n.endswith(".pagefind")}
    assert names - metas - wasm == _FILES | _FOLDERS, (
        "Pagefind's bundle changed: new "
        f"{sorted(names - metas - wasm - _FILES - _FOLDERS)}, missing "
        f"{sorted((_FILES | _FOLDERS) - names)} (sendsite removes {pagefind_program.UNUSED})"
    )
    assert all(p.stat().st_size for p in raw_bundle.rglob("*") if p.is_file()), "an empty file"
    entry, _ = _meta(raw_bundle)
    assert entry["version"] == version("pagefind")
    assert list(entry["languages"]) == ["en"]
    language = entry["languages"]["en"]
    assert language["page_count"] == len(_pages()) == 4, f"pagefind-entry.json changed: {entry}"
    assert _HASH.match(language["hash"]), f"the meta file's hash looks different: {entry}"
    assert metas == {f"pagefind.{language['hash']}.pf_meta"}
    assert len(list((raw_bundle / "fragment").iterdir())) == len(_pages())


def test_the_cbor_that_is_rewritten_has_the_shape_sendsite_reads(raw_bundle: Path) -> None:
    _, meta = _meta(raw_bundle)
    assert isinstance(meta, list) and meta[0] == version("pagefind"), (
        f"the .pf_meta file no longer starts with Pagefind's version: {meta!r:.200}"
    )
    filter_lists = [part for part in meta if pagefind_bundle._is_filter_list(part, raw_bundle)]
    assert len(filter_lists) == 1, f"no single list of filters in the .pf_meta file: {meta!r:.300}"
    filters = dict(filter_lists[0])
    assert sorted(filters) == ["area", "kind", "status"]
    pages = {"area": 3, "kind": 4, "status": 2}
    for name, file_hash in filters.items():
        assert _HASH.match(file_hash), f"the {name} filter file's hash looks different"
        content = cbor2.loads(_gunzip(raw_bundle / "filter" / f"{file_hash}.pf_filter"))
        assert pagefind_bundle._is_filter(content) and content[0] == name, (
            f"the {name} filter file is no longer [name, [[value, [page, ...]], ...]]: {content}"
        )
        assert all(isinstance(p, int) for _, numbers in content[1] for p in numbers)
        assert len({p for _, numbers in content[1] for p in numbers}) == pages[name]
    for path in [*raw_bundle.glob("*.pf_meta"), *(raw_bundle / "filter").iterdir()]:
        body = _gunzip(path)
        assert cbor2.dumps(cbor2.loads(body)) == body, f"{path.name} does not re-encode to itself"


def test_the_meta_file_every_first_query_loads_holds_no_sort(raw_bundle: Path) -> None:
    # A sort by date costs every first query about two bytes a record; nothing uses it.
    _, meta = _meta(raw_bundle)
    assert any(record.date for record in _records()), "a record has a date to sort by"
    sorts = [p for p in meta if isinstance(p, list) and p and isinstance(p[0], list)]
    sorts = [p for p in sorts if p[0] and p[0][0] == "date"]
    assert sorts == [], f"the index sorts by date: {sorts!r:.100}"


def test_the_fragments_hold_what_the_search_page_shows(
    raw_bundle: Path, pages: tuple[Path, dict[str, str]]
) -> None:
    fragments = {}
    for path in (raw_bundle / "fragment").iterdir():
        body = _gunzip(path)
        fragment = json.loads(body)
        assert body.startswith(b'{"url":' + json.dumps(fragment["url"]).encode()), (
            f"a fragment no longer starts with its address: {body[:80]!r}"
        )
        fragments[fragment["url"]] = fragment
    assert sorted(fragments) == sorted(pages[1]), (
        f"results are no longer named after their pages' files: {sorted(fragments)}"
    )
    # A page written where the site has it (north/may/index.html) is named as the site
    # names it, so its result needs no new address (see test_results_are_named_...).
    assert pages[1]["/north/may/"] == "north/may/"
    fragment = fragments["/north/may/"]  # the May report: its overview, then two sections
    overview, p1, p3 = (r for r in _records() if r.page() == "north/may/")
    assert fragment["meta"] == pagefind_pages._page_meta([overview, p1, p3])
    assert fragment["meta"]["title"] == "May report" and fragment["meta"]["kind"] == "Report"
    sections = json.loads(fragment["meta"]["sections"])
    assert sections == [["p1", p1.title, "Section", "SALT"], ["p3", p3.title, "Section", ""]]
    items = json.loads(fragment["meta"]["items"])
    assert [(i[0], i[-1]) for i in items] == [("m1", "p1"), ("r1", "p1"), ("a3", "p3")]
    assert fragment["filters"] == {
        "area": ["North"],
        "kind": ["Report", "Section", "Milestone", "Risk or issue", "Action"],
        "status": ["Complete", "Significant deviation"],
    }, f"a fragment's filters changed: {fragment}"
    anchors = [(a["element"], a["id"], a["text"]) for a in fragment["anchors"]]
    assert anchors == [
        ("h2", "p1", p1.title),
        ("h3", "m1", "Recruit therapists"),
        ("h3", "r1", "Staff leave"),
        ("h2", "p3", p3.title),
        ("h3", "a3", "Open a second centre"),
    ], f"sections and items are no longer sub-results with their anchors: {anchors}"
    assert fragment["content"].startswith("Highlights of the month. P1 Speech")
    june = fragments["/east/june/"]  # sections with no overview: named after their report
    assert (june["meta"]["title"], june["meta"]["kind"]) == ("June report", "Report")


def test_finishing_gives_results_their_addresses_and_sorts_filters(
    raw_bundle: Path, pages: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    bundle = _copy(raw_bundle, tmp_path)
    _, raw_meta = _meta(raw_bundle)
    pagefind_program.finish(bundle, pages[1])  # raises, saying why, if anything is unexpected
    _, meta = _meta(bundle)  # the entry file names the rewritten meta file
    assert len(list(bundle.glob("*.pf_meta"))) == 1
    page_list = next(p for p in meta if pagefind_bundle._is_page_list(p, bundle))
    raw_pages = next(p for p in raw_meta if pagefind_bundle._is_page_list(p, raw_bundle))
    assert [count for _, count in page_list] == [count for _, count in raw_pages]
    urls = [
        json.loads(_gunzip(bundle / "fragment" / f"{name}.pf_fragment"))["url"]
        for name, _ in page_list
    ]
    assert sorted(urls) == sorted(f"/{page}" for page in _pages())  # one a page, no anchor
    assert len(list((bundle / "fragment").iterdir())) == len(page_list)
    filter_list = next(p for p in meta if pagefind_bundle._is_filter_list(p, bundle))
    assert filter_list == sorted(filter_list)
    for _, file_hash in filter_list:
        values = cbor2.loads(_gunzip(bundle / "filter" / f"{file_hash}.pf_filter"))[1]
        assert values == sorted(values)
    assert len(list((bundle / "filter").iterdir())) == len(filter_list)
    assert all(p.stat().st_size for p in bundle.rglob("*") if p.is_file()), "an empty file"


def test_results_are_named_as_their_site_pages_and_only_numbered_ones_rewritten(
    tmp_path: Path,
) -> None:
    """A page whose address is a plain folder is written where the site has it: Pagefind
    names its result as the site does (``/north/may/``; the home page ``/``), and its
    fragment is left exactly as Pagefind wrote it. Any other address (an ``index.html``
    one, capitals) is a numbered file whose fragment is given the address afterwards."""
    addresses = ["north/may/", "", "notes/index.html", "Odd/Page/", "a.b/"]
    records = [SearchRecord(a, f"Title {n}", f"Words on page {n}.", "Page") for n, a in
               enumerate(addresses)]  # fmt: skip
    folder = tmp_path / "pages"
    folder.mkdir()
    named = pagefind_pages.write_pages(search_pagefind.record_pages(records, "en"), folder)
    assert sorted(key for key, page in named.items() if key == f"/{page}") == ["/", "/north/may/"]
    assert (folder / "north" / "may" / "index.html").is_file() and (folder / "index.html").is_file()
    raw = tmp_path / "raw"
    pagefind_program.PartRun(folder, raw, named, "en").wait()
    bundle = _copy(raw, tmp_path)
    results = pagefind_program.finish(bundle, named)
    urls = {name.stem: json.loads(_gunzip(name))["url"] for name in (bundle / "fragment").iterdir()}
    assert sorted(urls.values()) == sorted(f"/{a}" for a in addresses)
    assert sorted(results) == sorted(addresses)
    for address in addresses:
        (result,) = results[address]
        assert urls[result] == f"/{address}"
        as_written = raw / "fragment" / f"{result}.pf_fragment"
        if address in ("north/may/", ""):  # Pagefind's own bytes, not rewritten
            assert as_written.read_bytes() == (bundle / "fragment" / as_written.name).read_bytes()
        else:
            assert not as_written.exists()


def test_an_index_sendsite_cannot_read_is_an_error(
    raw_bundle: Path, pages: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    bundle = _copy(raw_bundle, tmp_path)
    fragment = next((bundle / "fragment").iterdir())
    fragment.write_bytes(gzip.compress(b"pagefind_dcd" + b'{"content":"no address first"}'))
    with pytest.raises(SearchIndexError, match="Pagefind wrote an index sendsite cannot read"):
        pagefind_program.finish(bundle, pages[1])


def test_the_same_records_give_the_same_bytes(tmp_path: Path) -> None:
    def index(folder: Path) -> dict[str, bytes]:
        files = index_records(_records(), folder, "en-GB")
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in files}

    one, two = index(tmp_path / "one"), index(tmp_path / "two")
    assert one.keys() == two.keys() and one == two
    assert all(name.startswith(f"{BUNDLE}/") for name in one)
    assert not any(name.removeprefix(f"{BUNDLE}/") in pagefind_program.UNUSED for name in one)


def test_a_big_index_is_made_in_parts_each_page_in_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each record page is a few hundred bytes: 700 bytes a part makes four parts, two of
    # which the four pages' addresses hash to (an empty part is left out).
    monkeypatch.setattr(search_pagefind, "PART_BYTES", 700)

    def index(folder: Path) -> dict[str, bytes]:
        files = index_records(_records(), folder, "en")
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in files}

    one, two = index(tmp_path / "one"), index(tmp_path / "two")
    assert one == two  # the same parts, the same bytes
    bundle = tmp_path / "one" / "pagefind"
    parts = json.loads((bundle / search_pagefind.PARTS).read_text(encoding="utf-8"))["parts"]
    assert len(parts) >= 1 and parts == [f"part-{n}/" for n in range(1, len(parts) + 1)]
    assert sorted(p.name for p in bundle.iterdir() if p.name.startswith("part-")) == [
        name.rstrip("/") for name in parts
    ]
    assert not list(tmp_path.joinpath("one").glob(".pagefind-part-*"))  # no folder left over
    counts = []
    for name in parts:
        part = bundle / name
        entry, _ = _meta(part)  # each part is an index Pagefind's mergeIndex loads
        counts.append(entry["languages"]["en"]["page_count"])
        # The search page runs the first part's program for every part.
        assert not {"pagefind.js", "pagefind-worker.js"} & {p.name for p in part.iterdir()}
        assert not list(part.glob("wasm.*"))
    entry, _ = _meta(bundle)
    counts.append(entry["languages"]["en"]["page_count"])
    # Each part has its pages and one page of every word, whose results are hidden.
    assert sum(counts) == len(_pages()) + len(counts)
    listed = json.loads((bundle / search_pagefind.PARTS).read_text(encoding="utf-8"))
    assert len(listed["hidden"]) == 1  # the same page in each part: the same id
    # Every site page's result is in exactly one part; the word pages are none of them.
    found = search_pagefind.fragments_by_page(bundle)
    assert sorted(found) == sorted(_pages())
    assert all(len(ids) == 1 for ids in found.values())
    assert not set(listed["hidden"]) & {i for ids in found.values() for i in ids}
    # A word of one page is in every part (the word page), so no part makes do with
    # the nearest word it has.
    for part in [bundle, *(bundle / name for name in parts)]:
        (word_page,) = [f for f in (part / "fragment").iterdir() if f.stem in listed["hidden"]]
        content = json.loads(_gunzip(word_page))["content"]
        assert {"autism.", "therapists", "Highlights", "SALT"} <= set(content.split()), content


def test_a_small_index_is_one_part(tmp_path: Path) -> None:
    index_records(_records(), tmp_path, "en")
    listed = json.loads((tmp_path / "pagefind" / search_pagefind.PARTS).read_text("utf-8"))
    assert listed["parts"] == [] and listed["hidden"] == []
    assert listed["digests"] == search_pagefind.part_digests(
        search_pagefind.layout(search_pagefind.record_pages(_records(), "en"), "en"), "en"
    )
    assert not list((tmp_path / "pagefind").glob("part-*"))


def _watch_runs(monkeypatch: pytest.MonkeyPatch) -> tuple[list[int], list[bool]]:
    """Record, as each Pagefind starts, how many were then running (itself included), and,
    as each part is finished, whether another Pagefind was still indexing meanwhile."""
    started: list[subprocess.Popen[bytes]] = []
    running_at_start: list[int] = []
    finished_while_running: list[bool] = []
    real_start, real_finish = pagefind_program.start, pagefind_program.finish

    def start(pages: Path, bundle: Path, language: str, **kw: Any) -> subprocess.Popen[bytes]:
        started.append(real_start(pages, bundle, language, **kw))
        running_at_start.append(sum(p.poll() is None for p in started))
        return started[-1]

    def finish(bundle: Path, addresses: dict[str, str]) -> dict[str, list[str]]:
        finished_while_running.append(any(p.poll() is None for p in started))
        return real_finish(bundle, addresses)

    monkeypatch.setattr(pagefind_program, "start", start)
    monkeypatch.setattr(pagefind_program, "finish", finish)
    return running_at_start, finished_while_running


def test_two_pagefinds_index_side_by_side_while_their_parts_fit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On two cores, two parts are indexed at once when their pages fit in
    ``INDEXING_BYTES`` together, never three; the index is the same bytes as one run at a
    time makes."""
    monkeypatch.setattr(search_pagefind, "PART_BYTES", 300)  # a part a page or two
    monkeypatch.setattr(search_pagefind, "cores", lambda: 2)
    one_at_a_time = {
        p.relative_to(tmp_path / "one").as_posix(): p.read_bytes()
        for p in _index_in_parts(tmp_path / "one", monkeypatch, indexing_bytes=1)
    }
    running_at_start, finished_while_running = _watch_runs(monkeypatch)
    files = _index_in_parts(tmp_path / "two", monkeypatch, indexing_bytes=1_000_000)
    assert len(running_at_start) >= 3
    assert running_at_start[:2] == [1, 2] and max(running_at_start) == 2
    assert len(finished_while_running) == len(running_at_start)
    assert finished_while_running[0] is True  # the first part, while the others index
    side_by_side = {p.relative_to(tmp_path / "two").as_posix(): p.read_bytes() for p in files}
    assert side_by_side == one_at_a_time


def test_one_pagefind_runs_at_a_time_when_two_parts_do_not_fit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each Pagefind holds its whole part in memory: parts whose pages together pass
    ``INDEXING_BYTES`` (or a single core) are indexed one after another, a part's results
    getting their addresses while Pagefind indexes the next."""
    monkeypatch.setattr(search_pagefind, "PART_BYTES", 700)
    for cores, limit in ((2, 1), (1, 1_000_000)):
        monkeypatch.setattr(search_pagefind, "cores", lambda cores=cores: cores)
        running_at_start, finished_while_running = _watch_runs(monkeypatch)
        files = _index_in_parts(tmp_path / str(cores), monkeypatch, indexing_bytes=limit)
        assert files and len(running_at_start) >= 2 and set(running_at_start) == {1}
        # The first parts were finished as the next one was indexed (Pagefind takes far
        # longer than a few small files' rewriting), the last one after.
        assert finished_while_running[0] is True and finished_while_running[-1] is False


def test_a_part_that_fits_starts_beside_a_run_before_one_that_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hashed parts differ in size: when the next part in line is too big to index beside
    the run going on, a later one that fits starts instead, and no core waits a whole run."""
    monkeypatch.setattr(search_pagefind, "PART_BYTES", 300)
    monkeypatch.setattr(search_pagefind, "cores", lambda: 2)
    real_stage = search_pagefind.stage_index

    def stage(*args: Any, **kw: Any) -> search_pagefind.StagedIndex:
        staged = real_stage(*args, **kw)
        assert len(staged.sizes) >= 4
        staged.sizes = [10, 20, 5] + [20] * (len(staged.sizes) - 3)  # what runs may hold
        return staged

    monkeypatch.setattr(search_pagefind, "stage_index", stage)
    running_at_start, _ = _watch_runs(monkeypatch)
    folders: list[str] = []
    watched_start = pagefind_program.start

    def start(pages: Path, bundle: Path, language: str, **kw: Any) -> subprocess.Popen[bytes]:
        folders.append(pages.name)
        return watched_start(pages, bundle, language, **kw)

    monkeypatch.setattr(pagefind_program, "start", start)
    files = _index_in_parts(tmp_path / "site", monkeypatch, indexing_bytes=25)
    assert files and folders[:2] == ["part-0", "part-2"]  # part-1 (20) does not fit beside 10
    assert running_at_start[:2] == [1, 2] and max(running_at_start) == 2
    assert sorted(folders) == [f"part-{n}" for n in range(len(folders))]  # each part once


def _index_in_parts(
    site: Path, monkeypatch: pytest.MonkeyPatch, *, indexing_bytes: int
) -> list[Path]:
    """``_records`` and copies of them on other pages (enough pages for several parts)."""
    monkeypatch.setattr(search_pagefind, "INDEXING_BYTES", indexing_bytes)
    records = _records()
    for n in range(1, 4):
        records += [replace(r, url=f"copy-{n}/{r.url}") for r in _records()]
    return index_records(records, site, "en")


def test_a_failing_part_stops_the_pagefind_indexing_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_pagefind, "PART_BYTES", 700)
    started: list[subprocess.Popen[bytes]] = []
    real_start = pagefind_program.start

    def start(pages: Path, bundle: Path, language: str, **kw: Any) -> subprocess.Popen[bytes]:
        started.append(real_start(pages, bundle, language, **kw))
        return started[-1]

    def finish(bundle: Path, addresses: dict[str, str]) -> dict[str, list[str]]:
        raise search_pagefind.SearchIndexError("the part could not be rewritten")

    monkeypatch.setattr(pagefind_program, "start", start)
    monkeypatch.setattr(pagefind_program, "finish", finish)
    with pytest.raises(search_pagefind.SearchIndexError, match="could not be rewritten"):
        index_records(_records(), tmp_path / "site", "en")
    assert len(started) >= 2 and all(p.poll() is not None for p in started)
    assert not list((tmp_path / "site").glob(".pagefind-part-*"))
