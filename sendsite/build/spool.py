"""Rendered pages kept on disk instead of in memory while ``sendsite build`` runs.

A build renders every page before it writes the site (nothing is published unless
every check passes). Held in memory, a 10,000-report site's pages are about a
gigabyte. Instead, on a site of ``SPOOL_PAGES`` pages or more, each page is written
into a spool folder in the site folder as soon as it is rendered, by the worker that
rendered it, under a name made from a hash of its bytes; the build holds only the
file's path. The writer copies the file into the new site and the search records are
made from it. Plugins' generated files (the data exports) go there too.

A page that comes out byte for byte as the site being replaced has it (a rebuild
without the cache: ``--no-cache``, or a new version, theme or setting, where most
pages come out as they were) is not written again: it is that site's file, kept as
``written.Written`` and linked into the new site. Making a file costs far more than
reading one on some file systems (ext4 without a journal looks, for each file it
makes, past every file removed in the last few minutes), and the spool's files are
removed once the site is written.

- With the build cache (``sendsite build``) the spool is ``.sendsite/cache/pages/``.
  Once the site is written the cache keeps its pages as the site's files
  (``build.written``), so after each build the spool's files, which the new cache
  no longer names, are removed.
- Without it (``--no-cache``, or ``build()`` called from Python) the spool is a
  folder of its own (``.sendsite/spool-*``), removed when the build ends (a killed
  build's is removed by the next build).
- Builds of one site take turns (``.sendsite/build.lock``) so none removes what
  another is using. A site folder that cannot be written (read-only) has no spool:
  its pages are held in memory, as the preview's always are.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path, PurePosixPath

from filelock import FileLock

from sendsite.build.cache import CACHE_FILE
from sendsite.build.dead_links import LooseRef
from sendsite.build.deferred import FileContent, content_bytes
from sendsite.build.hashed import keep_only, put_hashed
from sendsite.build.pages import Page
from sendsite.build.written import Written
from sendsite.errors import Problem

__all__ = ["SPOOL_PAGES", "PageSpool", "spool_for", "spooling", "still_there", "used"]

#: Below this many pages a build holds its pages in memory: their HTML is small beside
#: the search indexer's share of the build's peak, and writing each page twice (spool,
#: then site) costs more than holding it (2,000 reports: about 1 s of a 20 s build).
SPOOL_PAGES = 4000
#: The folder of sendsite's own files in the site folder.
_HOME = CACHE_FILE.parts[0]
#: Where the build cache's pages are kept, beside the cache.
_CACHED = CACHE_FILE.parent / "pages"
#: The prefix of a build's own spool (without the cache).
_OWN = "spool-"
_LOCK = "build.lock"


class PageSpool:
    """A folder of rendered pages (and generated files), each named after a hash of its bytes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        #: The site this build replaces (a folder ``build`` wrote), if any: a page with
        #: the bytes of its file there is that file, not written again (see ``page``).
        self.last: Path | None = None
        #: The files it held when opened (a failed build leaves it so).
        self._before: set[str] = set()
        with contextlib.suppress(OSError):
            self._before = set(os.listdir(folder))

    def page(self, rel: PurePosixPath, data: bytes) -> Path | Written:
        """Page ``rel``'s file: the last site's, if it holds ``data`` (a rebuild without
        the cache after a change of version or settings, where most pages come out as
        they were: kept as ``Written``, to be linked), else the spool's."""
        if self.last is not None:
            kept = Written.holding(os.path.join(self.last, *rel.parts), data)
            if kept is not None:
                return kept
        return self.put(data)

    def put(self, data: bytes) -> Path:
        """Write ``data`` (unless a page with the same bytes is there); return its file."""
        return put_hashed(self.folder, data)[0]

    def keep_only(self, paths: Iterable[object]) -> None:
        """Remove every file of the spool but ``paths`` (pages a build cache names)."""
        named = {p.name for p in paths if isinstance(p, Path) and p.parent == self.folder}
        keep_only(self.folder, named)

    def restore(self) -> None:
        """Remove the files written since it was opened (by a build that failed)."""
        keep_only(self.folder, self._before)


_Made = tuple[FileContent | None, list[Problem], list[LooseRef]]


def used(spool: PageSpool | None, pages: int) -> PageSpool | None:
    """``spool``, for a site of ``pages`` pages that is worth spooling (``SPOOL_PAGES``)."""
    return spool if pages >= SPOOL_PAGES else None


def spooling(make: Callable[[Page], _Made], spool: PageSpool | None) -> Callable[[Page], _Made]:
    """``make`` (a page's bytes, problems and loose links), or with ``spool`` one giving the
    page's file in the spool instead of its bytes."""
    return make if spool is None else partial(_spooled_page, make, spool)


def _spooled_page(make: Callable[[Page], _Made], spool: PageSpool, page: Page) -> _Made:
    html, problems, loose = make(page)
    return (None if html is None else spool.page(page.path, content_bytes(html))), problems, loose


def still_there(pages: dict[PurePosixPath, FileContent]) -> dict[PurePosixPath, FileContent]:
    """``pages`` (a build cache's) without those whose file, in the spool or in the last
    site (``Written``), has gone or changed since."""
    return {
        rel: page
        for rel, page in pages.items()
        if (
            page.is_file()
            if isinstance(page, Path)
            else not isinstance(page, Written) or page.is_there()
        )
    }


@contextlib.contextmanager
def spool_for(root: Path, *, cached: bool) -> Iterator[PageSpool | None]:
    """The spool of a build of the site at ``root`` (its build cache's if ``cached``),
    held for the build; None if the site folder cannot be written."""
    home = root / _HOME
    lock = FileLock(str(home / _LOCK))
    try:
        home.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except OSError:
        yield None
        return
    folder: Path | None = None
    try:
        for leftover in home.glob(f"{_OWN}*"):  # a killed build's: no build holds it now
            shutil.rmtree(leftover, ignore_errors=True)
        with contextlib.suppress(OSError):
            if cached:
                (root / _CACHED).mkdir(parents=True, exist_ok=True)
                folder = root / _CACHED
            else:
                folder = Path(tempfile.mkdtemp(prefix=_OWN, dir=home))
        spool = PageSpool(folder) if folder is not None else None
        try:
            yield spool
        except BaseException:
            if spool is not None and cached:  # what the cache in use names is still there
                spool.restore()
            raise
    finally:
        if folder is not None and not cached:
            shutil.rmtree(folder, ignore_errors=True)
        lock.release()
