"""The search index made while the site is written, where memory allows it.

``sendsite build`` runs Pagefind once the site is written, from a process holding
next to nothing (see ``build.forked``): Pagefind holds about ``HELD_PER_BYTE`` times
the bytes of the record pages it indexes, and a big site's build would pass
``MEMORY`` with both. A build whose runs fit beside what the build holds now (a
small site, or a build after an edit that indexes one part again) starts them before
the site is written, in a thread of its own, and the pages, the data exports and the
cache are written while Pagefind indexes: the index is made into a folder of its own
and moved into the new site once both are done. Otherwise the index is at least staged
while the site is written (``StagingRun``): the word lists and the record pages, which
mostly wait on the file system, as the site's writing does. The index is the same bytes
either way.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sendsite.build.parallel import cores
from sendsite.builtin.search.index import WORDS, StagedSearch
from sendsite.builtin.search.pagefind import BUNDLE, INDEXING_BYTES, StagedIndex

__all__ = ["HELD_PER_BYTE", "MEMORY", "IndexRun", "StagingRun", "fits", "held_now"]

#: What Pagefind holds for each byte of record pages it indexes (measured: a 11.3 MB
#: part 374 MB, a 8.3 MB part 280 MB).
HELD_PER_BYTE = 34
#: The most the build may hold with Pagefind's runs beside it (its whole process tree:
#: what this process holds, the rest of the program and the copying of the pages).
MEMORY = 900_000_000


def held_now() -> int:
    """The bytes this process holds (its resident set; 0 where that cannot be read)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):  # no /proc: not Linux
        return 0


def fits(sizes: list[int], reused: set[int] | dict[int, Path], held: int) -> bool:
    """Whether the runs indexing the parts of ``sizes`` (bytes of record pages; ``reused``
    parts are copied, not indexed) fit beside the ``held`` bytes (see ``MEMORY``), at
    most two at once (as ``StagedIndex.run`` schedules them) within ``INDEXING_BYTES``."""
    indexed = sorted((size for n, size in enumerate(sizes) if n not in reused), reverse=True)
    if not indexed or held <= 0:
        return False
    at_once = indexed[0]
    if cores() >= 2 and len(indexed) > 1 and indexed[0] + indexed[1] <= INDEXING_BYTES:
        at_once += indexed[1]
    return held + HELD_PER_BYTE * at_once <= MEMORY


class _InThread:
    """Work going on in a thread of its own while the site is written."""

    thread: threading.Thread
    #: What the work raised, raised in the build's own thread by ``_joined``.
    error: BaseException | None

    def _start(self, work: Callable[[], object], name: str) -> None:
        self.error = None

        def run() -> None:
            try:
                work()
            except BaseException as exc:
                self.error = exc

        self.thread = threading.Thread(target=run, name=name, daemon=True)
        self.thread.start()

    def _joined(self) -> None:
        """Wait for the work to end; raise what it raised."""
        self.thread.join()
        if self.error is not None:
            raise self.error


@dataclass
class IndexRun(_InThread):
    """``StagedIndex.run`` going on in a thread, into a folder of its own."""

    staged: StagedIndex
    #: Where the index is made: an empty folder on the new site's file system.
    folder: Path
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._start(lambda: self.staged.run(self.folder, self.stop), "sendsite-index")

    def into(self, site_dir: Path) -> list[Path]:
        """Wait for the index, then move it into ``site_dir`` (``BUNDLE``); its files.
        Raises what the index raised (``SearchIndexError``)."""
        try:
            self._joined()
            bundle = site_dir.joinpath(*BUNDLE.parts)
            self.folder.joinpath(*BUNDLE.parts).rename(bundle)
            return sorted(p for p in bundle.rglob("*") if p.is_file())
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def cancel(self) -> None:
        """Stop the runs (the build failed) and remove what they made."""
        self.stop.set()
        self.thread.join()
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class StagingRun(_InThread):
    """The index staged (``stage(folder)``: the word lists counted and written, the record
    pages written for Pagefind) in a thread while the site is written, the word lists
    into a folder of their own. Both mostly wait on the file system (each file made
    costs the system about a third of a millisecond here), so the two share the cores
    rather than take turns."""

    stage: Callable[[Path], StagedSearch]
    #: Where the word lists are written: an empty folder on the new site's file system.
    folder: Path
    result: StagedSearch | None = None

    def __post_init__(self) -> None:
        self._start(self._stage, "sendsite-staging")

    def _stage(self) -> None:
        self.result = self.stage(self.folder)

    def into(self, site_dir: Path) -> StagedSearch:
        """Wait for the staging, then move the word lists into ``site_dir``; the staged
        index. Raises what the staging raised."""
        try:
            self._joined()
            assert self.result is not None
            words = self.folder.joinpath(*WORDS.parts)
            if words.is_dir():
                words.rename(site_dir.joinpath(*WORDS.parts))
            return self.result
        except BaseException:
            self._discard_pages()
            raise
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def cancel(self) -> None:
        """Wait for the staging to end (the build failed) and remove what it made."""
        self.thread.join()
        self._discard_pages()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _discard_pages(self) -> None:
        if self.result is not None and self.result.index is not None:
            self.result.index.discard()
