"""The error of an output folder that cannot be written or replaced, in plain English.

``OutputError`` names the folder and says what to do, by the kind of failure: a
read-only disk, no permission, a full disk, a name too long, a mount point.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from sendsite.errors import SendsiteError

__all__ = ["OutputError", "io_error", "shown_path"]


class OutputError(SendsiteError):
    """The output folder cannot be written or replaced safely."""


def shown_path(path: Path | str, limit: int = 120) -> str:
    """``path`` for a one-line message: a very long one is shortened in the middle."""
    text = str(path)
    if len(text) <= limit:
        return text
    return f"{text[: limit // 2]}…{text[-limit // 3 :]} ({len(text):,} characters)"


def io_error(action: str, path: Path, output: Path, exc: OSError) -> OutputError:
    """The ``OutputError`` of ``exc``, met doing ``action`` to ``path`` (at or by ``output``)."""
    reason = exc.strerror or str(exc)
    return OutputError(f"{action} '{shown_path(path)}': {reason}", fix=_fix(exc, output))


def _fix(exc: OSError, output: Path) -> str:
    """What to do about a failed write near ``output``, by the kind of failure."""
    folder = f"'{shown_path(output.parent)}'"
    if exc.errno == errno.EROFS:
        return (
            f"{folder} is on a read-only disk. Mount it read-write, or choose another "
            "--output folder."
        )
    if exc.errno in (errno.EACCES, errno.EPERM):
        return (
            f"Allow writing in {folder} (sendsite writes the new site there, beside the old "
            "one, then swaps the two), or choose another --output folder."
        )
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"The disk holding {folder} is full. Free some space (the new site is written "
            "beside the old one, so both must fit), then build again."
        )
    if exc.errno == errno.ENAMETOOLONG:
        name_max, path_max = _name_limits(output)
        return (
            f"Choose a shorter --output path: here a folder's name can have up to {name_max} "
            f"bytes (sendsite adds {len('..new-12345678')} to it for the folder it writes "
            f"first) and a whole path up to {path_max:,}."
        )
    if exc.errno in (errno.EBUSY, errno.EXDEV):
        return (
            f"'{shown_path(output)}' is a mount point or in use, so it cannot be swapped for "
            "the new site: build into a folder inside it, or into another folder."
        )
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return "A part of the path is a file, not a folder: choose another --output path."
    return f"Check that {folder} can be written, or choose another --output folder."


def _name_limits(path: Path) -> tuple[int, int]:
    """The longest file name and path on the disk holding ``path`` (its nearest folder)."""
    folder = next((p for p in path.parents if os.path.isdir(p)), Path("/"))
    try:
        return os.pathconf(folder, "PC_NAME_MAX"), os.pathconf(folder, "PC_PATH_MAX")
    except (OSError, ValueError):
        return 255, 4096
