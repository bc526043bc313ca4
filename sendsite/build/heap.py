"""Giving a build's memory back once it is done with it, before Pagefind runs beside it."""

from __future__ import annotations

import contextlib
import ctypes

__all__ = ["give_back"]


def give_back() -> None:
    """Give memory freed since the last call back to the system: glibc keeps it for
    reuse unless asked, and the search records and Pagefind, which come next, need it."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)
