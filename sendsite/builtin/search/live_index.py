"""The preview's search index: a whole index, plus a small one for what changed since.

``sendsite serve`` indexes the whole site once, in the background, when it
starts. After that a save does not index the whole site again: the pages whose
search records changed since the whole index was made are indexed on their own
into a small index, ``pagefind-preview/<n>/``, served beside it with a list of
the whole index's results those pages replace (``pagefind-preview/stale.json``). In the preview the
search page merges the small index into the whole one (Pagefind's
``mergeIndex``) and hides the replaced results, so a search finds what was
saved a moment ago without waiting for the whole site to be indexed again.

When more than ``max_changed`` pages differ from the whole index it is made
again (and the small one dropped), so the small index stays small. A published
site (``sendsite build``) never has a small index: its one index is always whole.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sendsite.build.deferred import FileContent
from sendsite.build.site import Site
from sendsite.builtin.search.index import WORDS, write_search_index
from sendsite.builtin.search.indexer import SEARCH_PAGE
from sendsite.builtin.search.pagefind import BUNDLE, fragments_by_page, records_digest
from sendsite.builtin.search.records import RecordMemo, SearchRecord, search_records
from sendsite.errors import SendsiteError
from sendsite.plugins.manager import PluginManager

__all__ = ["NICENESS", "PREVIEW_BUNDLE", "BackgroundIndexer"]

#: Where the small index of recent changes is served in the preview.
PREVIEW_BUNDLE = PurePosixPath("pagefind-preview")
_Job = tuple[Site, Mapping[PurePosixPath, FileContent], PluginManager]


@dataclass
class _Whole:
    """The last whole index: what each page's records were, and its results for each page."""

    language: str
    digests: dict[str, str]
    fragments: dict[str, list[str]]
    folder: Path
    files: dict[PurePosixPath, Path]


@dataclass
class _Pages:
    """The current records grouped by page, each page's digest remembered by its records."""

    records: dict[str, list[SearchRecord]] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)


class BackgroundIndexer:
    """Keeps a search index for ``sendsite serve``, updated after edits settle.

    ``schedule(site, files, pm)`` is cheap and returns at once; indexing runs
    in a thread ``settle`` seconds after the last call, so a burst of saves
    is indexed once and never slows the preview's own rebuilds. ``files``
    maps the index's site paths to files in a temporary folder (the last good
    index; empty until the first one is ready).
    """

    def __init__(
        self, log: Callable[[str], None] = print, settle: float = 1.0, max_changed: int = 50
    ) -> None:
        self.log = log
        self.settle = settle
        self.max_changed = max_changed
        self.files: dict[PurePosixPath, Path] = {}
        self._pending: _Job | None = None
        self._due = 0.0
        self._wake = threading.Condition()
        self._closed = False
        self._stopping = threading.Event()  # set by close: Pagefind's runs end
        #: The folders the index being served is in (the whole index's, the changes').
        self._serving: list[Path] = []
        self._retired: list[Path] = []
        self._whole: _Whole | None = None
        self._memo = RecordMemo()
        self._pages = _Pages()
        #: How many small indexes have been made (each is served at an address of its own).
        self._made = 0
        #: Started by the first ``schedule``: the preview's first build, before it, may
        #: fork reading workers, which is only safe while no other thread runs.
        self._thread: threading.Thread | None = None

    def schedule(
        self, site: Site, files: Mapping[PurePosixPath, FileContent], pm: PluginManager
    ) -> None:
        """Index ``site`` once ``settle`` seconds pass without another call."""
        with self._wake:
            self._pending = (site, files, pm)
            self._due = time.monotonic() + self.settle
            self._wake.notify_all()
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(
                    target=self._run, name="sendsite-search", daemon=True
                )
                self._thread.start()

    @property
    def serving(self) -> list[Path]:
        """The temporary folders the files served now are in."""
        return list(self._serving)

    def close(self) -> None:
        """Stop the thread (and Pagefind, if it runs) and remove every index it wrote."""
        with self._wake:
            self._closed = True
            self._stopping.set()
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=30)
        for folder in [*self._retired, *self._serving]:
            shutil.rmtree(folder, ignore_errors=True)

    def _run(self) -> None:
        _yield_to_the_preview()
        while True:
            with self._wake:
                while not self._closed and (self._pending is None or time.monotonic() < self._due):
                    wait = None if self._pending is None else self._due - time.monotonic()
                    self._wake.wait(wait)
                if self._closed:
                    return
                job = self._pending
                assert job is not None  # the wait ends with a job to do, or closed
                self._pending = None
            self._index(*job)

    def _index(
        self, site: Site, files: Mapping[PurePosixPath, FileContent], pm: PluginManager
    ) -> None:
        started = time.perf_counter()
        folder = Path(tempfile.mkdtemp(prefix="sendsite-search-"))
        try:
            if SEARCH_PAGE not in files:
                self._whole = None
                self._swap({})
                shutil.rmtree(folder, ignore_errors=True)
                return
            records = search_records(site, files, pm, memo=self._memo)
            language = site.config.language
            changed = self._changed(records, language)
            if changed is None:
                said = self._index_whole(records, language, folder)
            else:
                said = self._index_changes(records, changed, folder)
        except SendsiteError as error:
            shutil.rmtree(folder, ignore_errors=True)
            if not self._stopping.is_set():  # (stopped by close: the preview is ending)
                self._say(f"Search index not updated: {error.problem.message}")
            return
        except (Exception, SystemExit) as error:  # a plugin's bug must not stop the indexer
            shutil.rmtree(folder, ignore_errors=True)
            self._say(f"Search index not updated: {type(error).__name__}: {error}")
            return
        self._say(f"Search index updated in {time.perf_counter() - started:.2f} s: {said}.")

    def _changed(self, records: list[SearchRecord], language: str) -> set[str] | None:
        """The pages whose records differ from the whole index's; None: index it all again."""
        last, pages = self._pages, _Pages()
        for record in records:
            pages.records.setdefault(record.page(), []).append(record)
        for page, group in pages.records.items():
            before = last.records.get(page)
            same = before is not None and len(before) == len(group)
            if same and all(a is b for a, b in zip(before or [], group, strict=True)):
                pages.digests[page] = last.digests[page]
            else:
                pages.digests[page] = records_digest(group, language)
        self._pages = pages
        whole = self._whole
        if whole is None or whole.language != language:
            return None
        changed = {p for p, d in pages.digests.items() if whole.digests.get(p) != d}
        changed |= whole.digests.keys() - pages.digests.keys()
        return changed if len(changed) <= self.max_changed else None

    def _index_whole(self, records: list[SearchRecord], language: str, folder: Path) -> str:
        summary = write_search_index(folder, records, language, self._stopping)
        found = _files_under(folder)
        fragments = fragments_by_page(folder.joinpath(*BUNDLE.parts))
        self._whole = _Whole(language, dict(self._pages.digests), fragments, folder, found)
        self._swap(found, folder)
        return f"{summary.records} records"

    def _index_changes(self, records: list[SearchRecord], changed: set[str], folder: Path) -> str:
        """Index the changed pages on their own, beside the last whole index."""
        assert self._whole is not None
        fresh = [r for r in records if r.page() in changed]
        write_search_index(folder, fresh, self._whole.language, self._stopping)
        # Each small index has an address of its own, so a browser's cached copy of
        # an earlier one is never mixed with it.
        self._made += 1
        under = PREVIEW_BUNDLE / str(self._made)
        stale = sorted(f for page in changed for f in self._whole.fragments.get(page, []))
        manifest = {
            "bundle": f"{under}/" if fresh else None,
            "pages": sorted(changed),
            "stale": stale,
        }
        small: dict[PurePosixPath, Path] = {}
        for rel, path in _files_under(folder).items():
            if rel.parts[: len(WORDS.parts)] == WORDS.parts:
                rel = PurePosixPath("words", *rel.parts[len(WORDS.parts) :])
            elif rel.parts[: len(BUNDLE.parts)] == BUNDLE.parts:
                rel = PurePosixPath(*rel.parts[len(BUNDLE.parts) :])
            small[under / rel] = path
        (folder / "stale.json").write_text(json.dumps(manifest), encoding="utf-8")
        small[PREVIEW_BUNDLE / "stale.json"] = folder / "stale.json"
        self._swap({**self._whole.files, **small}, self._whole.folder, folder)
        pages = f"{len(changed)} changed page{'' if len(changed) == 1 else 's'}"
        return f"{len(fresh)} records of {pages}, beside the whole index"

    def _say(self, line: str) -> None:
        """Log a line, unless the preview is stopping (it has said so already)."""
        if not self._closed:
            self.log(line)

    def _swap(self, files: dict[PurePosixPath, Path], *serving: Path | None) -> None:
        """Serve ``files``, which are in the folders ``serving``, from now on.

        A folder no longer served is removed at the swap after this one: a request
        that looked up a file in it a moment ago can still read it.
        """
        for old in self._retired:
            shutil.rmtree(old, ignore_errors=True)
        now = [f for f in serving if f is not None]
        self._retired = [f for f in self._serving if f not in now]
        self._serving, self.files = now, files


#: How much lower the indexer's priority is than the preview's own (Unix "nice" steps).
NICENESS = 10


def _yield_to_the_preview() -> None:
    """Lower this thread's CPU priority, and so that of the Pagefind runs it starts (a
    child takes its parent thread's): the whole index at start-up takes minutes on a big
    site, and a save's rebuild and the pages a browser asks for should not wait for it.

    Linux keeps a priority per thread; elsewhere this may not apply, and is skipped.
    """
    with contextlib.suppress(AttributeError, OSError):
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + NICENESS)


def _files_under(folder: Path) -> dict[PurePosixPath, Path]:
    return {
        PurePosixPath(p.relative_to(folder).as_posix()): p
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
