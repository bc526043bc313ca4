"""Pages the build cache keeps as the files the last build wrote, not as their bytes.

A site held in memory (fewer than ``spool.SPOOL_PAGES`` pages) had every page pickled
into the build cache: at 2,000 reports 130 MB of a 150 MB cache, written, read and
removed again by every build, and the writer read each of the last site's files back
to compare it with the page before linking it. The last site holds those bytes
already. So the cache keeps, for each page, the file the build wrote (``Written``: its
path in the site, and the file's inode, size and modification time, as ``make`` and
``rsync`` judge a file unchanged). The next build takes such a page as kept while its
file is still that file (``spool.still_there``), links it into the new site without reading
it, and renders the page again where it is not (the site folder removed, or a page
changed by hand). A big site's pages, written to the build's spool as they are
rendered (``build.spool``), are kept the same way once the site is written, and the
spool's files removed: the next build links them too, where it compared each with
the last site's file, byte for byte, before linking it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = ["Written", "as_written"]

_OPEN = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)


def _signature(found: os.stat_result) -> tuple[int, int, int]:
    return (found.st_ino, found.st_size, found.st_mtime_ns)


@dataclass(frozen=True)
class Written:
    """A page as the last build wrote it into the site: its file there, while unchanged."""

    #: The file (a string: a path pickles at a tenth of the speed).
    path: str
    #: The file as written: inode, size and modification time (nanoseconds).
    signature: tuple[int, int, int]
    #: A page of a site too big to hold its pages (spooled, see ``build.spool``), of
    #: which nothing more is held (``records.RecordMemo.html``).
    spooled: bool = False

    @classmethod
    def holding(cls, path: str, data: bytes) -> Written | None:
        """The file at ``path`` (the last site's page) as a spooled page, if it holds exactly
        ``data``; None if it does not, is not a plain file, or cannot be read."""
        try:
            fd = os.open(path, _OPEN)
            with os.fdopen(fd, "rb") as file:
                found = os.fstat(fd)
                same = stat.S_ISREG(found.st_mode) and found.st_size == len(data)
                same = same and file.read(len(data) + 1) == data
        except OSError:
            return None
        return cls(path, _signature(found), spooled=True) if same else None

    def is_there(self) -> bool:
        """Whether the file is still the one written."""
        return self.is_at(self.path)

    def is_at(self, path: str) -> bool:
        """Whether the file at ``path`` is this page's file (the same file, linked)."""
        try:
            return _signature(os.stat(path, follow_symlinks=False)) == self.signature
        except OSError:
            return False

    def read(self) -> bytes:
        """The page's bytes; ``OSError`` if its file is no longer the one written."""
        fd = os.open(self.path, _OPEN)
        with os.fdopen(fd, "rb") as file:
            if _signature(os.fstat(fd)) != self.signature:
                raise self._changed()
            return file.read()

    def put(self, target: Path, old: Path | None) -> None:
        """Put the page at ``target`` in a new site: ``old`` (the site's last file at that
        place) linked if it is the very file, else the file copied (after a build into
        another folder); ``OSError`` if the file changed since the build began."""
        target.parent.mkdir(parents=True, exist_ok=True)
        if old is not None:
            with contextlib.suppress(OSError):
                if _signature(os.stat(old, follow_symlinks=False)) == self.signature:
                    os.link(old, target)
                    return
        fd = os.open(self.path, _OPEN)
        with os.fdopen(fd, "rb") as source, target.open("wb") as copy:
            if _signature(os.fstat(fd)) != self.signature:
                raise self._changed()
            shutil.copyfileobj(source, copy)

    def _changed(self) -> OSError:
        return OSError(f"the last site's page '{self.path}' changed while the site was built")


def as_written(
    pages: MutableMapping[PurePosixPath, object], staging: Path, output: Path
) -> dict[PurePosixPath, Written]:
    """Replace each page of ``pages`` held as bytes or a file (the build's spool's, or
    another site's) by its file as written into ``staging`` (the new site, to become
    ``output``); return the pages replaced. A page whose file cannot be looked at stays
    as it is."""
    replaced: dict[PurePosixPath, Written] = {}
    for rel, page in pages.items():
        if isinstance(page, bytes | Path | Written):
            spooled = isinstance(page, Path) or (isinstance(page, Written) and page.spooled)
            with contextlib.suppress(OSError):
                found = os.stat(os.path.join(staging, *rel.parts), follow_symlinks=False)
                now = Written(os.path.join(output, *rel.parts), _signature(found), spooled)
                if now != page:  # the very object kept, where it is the same file
                    replaced[rel] = now
    pages.update(replaced)
    return replaced
