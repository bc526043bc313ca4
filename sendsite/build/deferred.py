"""Output made when first asked for: how ``sendsite serve`` keeps a save's reload fast.

After a save the preview renders the edited report's page at once; pages that
list or aggregate reports (trackers, dashboard, home) and generated files are
made when a browser or the search indexer first asks for them. ``sendsite
build`` never defers: it writes every file whole.

Source files copied as they are (attachments, static files) are read when
asked for too: the preview reads one only while it is still inside the folder
it was found in (``read_confined``).
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Generic, TypeVar

from sendsite.build.written import Written
from sendsite.errors import PluginError, SendsiteError

__all__ = [
    "Deferred", "FileContent", "Folders", "Reusable", "Streamed", "content_bytes", "read_confined",
]  # fmt: skip

T = TypeVar("T")


class Deferred(Generic[T]):
    """A value made once, by whichever thread asks for it first; an error is kept and re-raised."""

    def __init__(self, make: Callable[[], T]) -> None:
        self._make: Callable[[], T] | None = make
        self._value: T | None = None
        self._error: BaseException | None = None
        self._lock = threading.Lock()

    @property
    def made(self) -> bool:
        """Whether the value has been made (and is not an error)."""
        return self._make is None and self._error is None

    def get(self) -> T:
        """The value, made now if no one has asked before."""
        with self._lock:
            if self._make is not None:
                make, self._make = self._make, None  # drop what it holds once made
                try:
                    self._value = make()
                except KeyboardInterrupt:
                    self._make = make  # interrupted, not failed: the next caller tries again
                    raise
                except BaseException as error:  # even SystemExit: never a value of None
                    self._error = error
            if self._error is not None:
                raise self._error
            return self._value  # type: ignore[return-value]


#: A piece of a ``Streamed`` file a build may copy from the last site's file instead
#: of making it: a key, which must change whenever the bytes could, and how to make
#: them (see ``build.reused``).
Reusable = tuple[Hashable, Callable[[], bytes]]


class Streamed:
    """A file made piece by piece, written as the pieces come: never held whole.

    ``make()`` gives the file's bytes in pieces, in order (a generator, say). A data
    export of a big site is hundreds of megabytes; made as one ``bytes``, it is held
    whole, and its parts beside it, while it is made. ``make`` may be called more than
    once (the preview makes a file again when asked again) and gives the same bytes
    for the same site. A piece may be ``Reusable``: ``(key, make)``.
    """

    def __init__(self, make: Callable[[], Iterable[bytes | Reusable]]) -> None:
        self.make = make
        #: The plugin that gave it and its path, if a plugin did (for its errors).
        self.origin: tuple[str, PurePosixPath] | None = None

    def pieces(self) -> Iterator[bytes]:
        """The file's bytes, piece by piece (each ``Reusable`` one made)."""
        for piece in self.given():
            yield piece if isinstance(piece, bytes) else piece[1]()

    def given(self) -> Iterator[bytes | Reusable]:
        """What ``make`` gives, piece by piece. A plugin's ``make`` that fails, or gives
        other than bytes, is that plugin's error."""
        try:
            for piece in self.make():
                if not isinstance(piece, bytes) and not (
                    isinstance(piece, tuple) and len(piece) == 2 and callable(piece[1])
                ):
                    raise TypeError(f"gave {type(piece).__name__} where bytes are due")
                yield piece
        except (SendsiteError, KeyboardInterrupt, GeneratorExit):
            raise
        except Exception as exc:
            if self.origin is None:
                raise
            plugin, path = self.origin
            raise PluginError(
                f"making '{path}' (a Streamed file) raised {type(exc).__name__}: {exc}",
                plugin=plugin,
                hook="register_files",
                fix="This is a bug in the plugin: report it to its authors (run with "
                "--verbose for the traceback). A Streamed file's make() gives bytes.",
            ) from exc


#: One output file: its bytes, a source file to copy, bytes still to be made, bytes
#: made piece by piece, or a page as the last build wrote it (from the build cache).
FileContent = bytes | Path | Deferred[bytes] | Streamed | Written


def content_bytes(content: FileContent | None) -> bytes:
    """The bytes of an output file (empty for none, or a source file gone since)."""
    if content is None:
        return b""
    if isinstance(content, bytes):
        return content
    if isinstance(content, Deferred):
        return content.get()
    if isinstance(content, Streamed):
        return b"".join(content.pieces())
    try:
        return content.read() if isinstance(content, Written) else content.read_bytes()
    except OSError:
        return b""


class Folders:
    """The folders source files may be served from, each with its real location.

    The real locations are taken when made (once per build): a folder swapped
    for a link later does not move them. ``real_folder`` costs one pass over
    these few folders, however many files the site has.
    """

    def __init__(self, folders: Iterable[Path] = ()) -> None:
        pairs = {(os.path.abspath(f), os.path.realpath(f)) for f in folders}
        #: (folder as listed, its real location), the most specific first.
        self._pairs = sorted(pairs, key=lambda pair: len(pair[0]), reverse=True)

    def real_folder(self, path: Path) -> str | None:
        """The real location of the folder ``path`` was listed under, or None."""
        listed = os.path.abspath(path)
        return next((real for folder, real in self._pairs if _within(listed, folder)), None)


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)  # the last step may not be a link
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO swapped in must not hang the reader
    | getattr(os, "O_BINARY", 0)
)


def read_confined(path: Path, folders: Folders) -> bytes | None:
    """The bytes of a source file, if it is still a regular file inside its folder.

    None when the file has gone, is no longer a regular file, or now leads out
    of the folder it was found in (itself or a folder on its way swapped for a
    link since the build). The check is made on the file actually opened, so a
    link swapped in between looking and reading is caught too.
    """
    root = folders.real_folder(path)
    if root is None:
        return None
    real = os.path.realpath(path)
    if not _within(real, root) or real == root:
        return None
    try:
        fd = os.open(real, _OPEN_FLAGS)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as file:
        try:
            opened = os.fstat(fd)
            if not stat.S_ISREG(opened.st_mode):
                return None
            # A folder on the way may have become a link after realpath looked:
            # the file opened must be the one that is at ``real`` now.
            if os.path.realpath(real) != real or not os.path.samestat(opened, os.stat(real)):
                return None
            return file.read()
        except OSError:
            return None
