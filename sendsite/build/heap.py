"""Giving a build's memory back once it is done with it, before Pagefind runs beside it."""

from __future__ import annotations

import contextlib
import ctypes
import re

from sendsite.build.urls import forget_paths
from sendsite.content.yamlfile import forget_shared

__all__ = ["forget_caches", "give_back"]


def give_back() -> None:
    """Give memory freed since the last call back to the system: glibc keeps it for
    reuse unless asked, and the search records and Pagefind, which come next, need it."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def forget_caches() -> None:
    """Empty the caches that outlive a site (relative paths, YAML positions, compiled
    patterns): each entry would keep a block of the freed heap in use. Only for a
    process that is the build's own (``re.purge`` empties every module's patterns)."""
    forget_paths()
    forget_shared()
    re.purge()
