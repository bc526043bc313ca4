"""Writing the site atomically: into a temporary folder, swapped in when complete.

A failed or interrupted build never leaves ``site/`` half written: the old
folder stays exactly as it was until the new one is whole. Output paths are
checked to stay inside the output folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath

from filelock import FileLock, Timeout

from .deferred import FileContent, content_bytes
from .errors import SendsiteError

__all__ = ["MARKER", "OutputError", "write_site"]

#: A file in every built site, so sendsite never replaces a folder it did not make.
MARKER = ".sendsite-output"


class OutputError(SendsiteError):
    """The output folder cannot be written or replaced safely."""


def _check_relative(rel: PurePosixPath) -> None:
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise OutputError(f"refusing to write outside the output folder: '{rel}'")


def write_site(
    output: Path,
    files: Mapping[PurePosixPath, FileContent],
    before_swap: Callable[[Path], object] | None = None,
) -> None:
    """Write ``files`` (text as bytes, or a source file to copy) as the new ``output``.

    The previous output is replaced only after every file is written and
    ``before_swap(staging_folder)`` (e.g. building the search index into the
    new site) has returned; if it raises, the previous output is kept. Two
    builds into the same folder at once are refused rather than interleaved.
    """
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(output.parent / f".{output.name}.lock", blocking=False)
    try:
        with lock:
            _write(output, files, before_swap)
    except Timeout:
        raise OutputError(
            f"another sendsite build is writing '{output}' right now",
            fix="Wait for it to finish, then build again.",
        ) from None


def _write(
    output: Path,
    files: Mapping[PurePosixPath, FileContent],
    before_swap: Callable[[Path], object] | None,
) -> None:
    if output.exists() and not output.is_dir():
        raise OutputError(
            f"the output path '{output}' is a file, not a folder",
            fix="Choose another --output folder.",
        )
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).exists():
        raise OutputError(
            f"the output folder '{output}' has files that sendsite did not write",
            fix="Choose an empty or new --output folder; sendsite will not delete "
            "a folder it did not create.",
        )
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))
    try:
        for rel, content in sorted(files.items()):
            _check_relative(rel)
            target = staging.joinpath(*rel.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, Path):
                shutil.copyfile(content, target)
            else:
                target.write_bytes(content_bytes(content))
        (staging / MARKER).write_text("This folder is written by sendsite build.\n")
        if before_swap is not None:
            before_swap(staging)
        for path in [staging, *staging.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        _swap(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, output: Path) -> None:
    """Put ``staging`` at ``output``; the old output is removed only afterwards."""
    if not output.exists():
        os.replace(staging, output)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
    os.replace(output, retired / output.name)
    try:
        os.replace(staging, output)
    except BaseException:
        os.replace(retired / output.name, output)
        raise
    finally:
        shutil.rmtree(retired, ignore_errors=True)
