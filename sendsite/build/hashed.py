"""Folders of files named after a hash of their bytes: the build's spool, the cache's chunks.

A file is written only if no file of the folder holds the same bytes yet, and whole
or not at all (into a partial file first, then renamed: a killed build leaves no half
file under a hash's name). What the folder's user no longer names is removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Collection
from pathlib import Path

__all__ = ["keep_only", "put_hashed"]


def put_hashed(folder: Path, data: bytes) -> tuple[Path, bool]:
    """The file of ``folder`` holding ``data``, and whether it was written now (no file
    held those bytes)."""
    path = folder / hashlib.blake2b(data, digest_size=20).hexdigest()
    with contextlib.suppress(OSError):
        if path.stat().st_size == len(data):  # (one cut short, or emptied, is written again)
            return path, False
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_bytes(data)
    partial.replace(path)
    return path, True


def keep_only(folder: Path, names: Collection[str]) -> None:
    """Remove every file of ``folder`` but ``names`` (as far as it can)."""
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if entry.name not in names:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
