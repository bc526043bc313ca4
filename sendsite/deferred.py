"""Output made when first asked for: how ``sendsite serve`` keeps a save's reload fast.

After a save the preview renders the edited report's page at once; pages that
list or aggregate reports (trackers, dashboard, home) and generated files are
made when a browser or the search indexer first asks for them. ``sendsite
build`` never defers: it writes every file whole.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

__all__ = ["Deferred", "FileContent", "content_bytes"]

T = TypeVar("T")


class Deferred(Generic[T]):
    """A value made once, by whichever thread asks for it first; an error is kept and re-raised."""

    def __init__(self, make: Callable[[], T]) -> None:
        self._make: Callable[[], T] | None = make
        self._value: T | None = None
        self._error: BaseException | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        """The value, made now if no one has asked before."""
        with self._lock:
            if self._make is not None:
                make, self._make = self._make, None  # drop what it holds once made
                try:
                    self._value = make()
                except Exception as error:
                    self._error = error
            if self._error is not None:
                raise self._error
            return self._value  # type: ignore[return-value]


#: One output file: its bytes, a source file to copy, or bytes still to be made.
FileContent = bytes | Path | Deferred[bytes]


def content_bytes(content: FileContent | None) -> bytes:
    """The bytes of an output file (empty for none, or a source file gone since)."""
    if content is None:
        return b""
    if isinstance(content, bytes):
        return content
    if isinstance(content, Deferred):
        return content.get()
    try:
        return content.read_bytes()
    except OSError:
        return b""
