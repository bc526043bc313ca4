"""Streamed files written from the last site's copy where their pieces are as they were.

A data export holds a line (or a block of lines) for every item of every report: at
10,000 reports, 235 MB made anew by every build, some 6 s of a build after one edit.
A ``Streamed`` file's pieces may each be given as ``(key, make)`` (see
``build.deferred``), the key naming what the bytes are made from (a report's entry
kept by the build cache: ``ReportEntry.stamp``). The writer notes where each keyed
piece went in the file (``PieceIndex``), and the build cache keeps the notes; the next
build copies a piece whose key it finds from the last site's file, as it is on disk
(checked by its inode, size and modification time), and calls ``make`` for the rest.

The n-th piece under one key is the last build's n-th under it: a key is given to the
pieces of one report in the order the report gives them, and must change whenever
their bytes could (a report read again is a new entry, with a new stamp).
"""

from __future__ import annotations

import contextlib
import os
from array import array
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sendsite.build.copying import Appender, relink
from sendsite.build.deferred import Streamed

__all__ = ["PieceIndex", "ReusedPieces", "write_streamed"]


@dataclass
class PieceIndex:
    """Where one file's keyed pieces are: per key, (offset, length) pairs in order."""

    #: The file as written: inode, size and modification time (nanoseconds).
    signature: tuple[int, int, int]
    spans: dict[Hashable, array[int]] = field(default_factory=dict)


def _signature(found: os.stat_result) -> tuple[int, int, int]:
    return (found.st_ino, found.st_size, found.st_mtime_ns)


@dataclass
class ReusedPieces:
    """The last build's ``PieceIndex`` of each streamed file (``last``, from the build
    cache) and this build's (``made``, for the next)."""

    last: Mapping[PurePosixPath, PieceIndex] = field(default_factory=dict)
    made: dict[PurePosixPath, PieceIndex] = field(default_factory=dict)

    def write(self, target: Path, rel: PurePosixPath, content: Streamed, old: Path | None) -> None:
        """Write ``content`` at ``target`` (the new site's ``rel``; ``old`` is the last
        site's file there, if any) and note where its keyed pieces went.

        Pieces are copied from ``old`` where it has them, adjacent ones in one copy by
        the system (``copying.Appender``: never mapped, so the last file's pages are not
        added to what this process holds); if the file changed since it was checked, a
        copy comes short and the file is made whole instead."""
        with contextlib.ExitStack() as stack:
            source, before = self._last_file(rel, old, stack)
            spans = _written(target, content, source, before)
            if spans is None:
                spans = _written(target, content, None, {})
        assert spans is not None
        if old is not None:
            relink(old, target)
        self.made[rel] = PieceIndex(_signature(target.stat()), spans)

    def _last_file(
        self, rel: PurePosixPath, old: Path | None, stack: contextlib.ExitStack
    ) -> tuple[int | None, Mapping[Hashable, array[int]]]:
        """The last site's file at ``rel`` opened for reading, and where its pieces are,
        if it is the file the last build wrote there; else (None, nothing)."""
        last = self.last.get(rel)
        if last is None or old is None:
            return None, {}
        try:
            descriptor = os.open(old, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return None, {}
        stack.callback(os.close, descriptor)
        try:
            same = _signature(os.fstat(descriptor)) == last.signature
        except OSError:
            same = False
        return (descriptor, last.spans) if same else (None, {})


def write_streamed(
    target: Path,
    rel: PurePosixPath,
    content: Streamed,
    old: Path | None,
    reused: ReusedPieces | None,
) -> None:
    """Write ``content`` at ``target`` (the new site's ``rel``), then make it ``old`` (the
    last site's file) linked if the bytes are the same; with ``reused``, its keyed pieces
    are copied from ``old`` where it has them."""
    if reused is not None:
        reused.write(target, rel, content, old)
        return
    with target.open("wb") as file:
        file.writelines(content.pieces())
    if old is not None:
        relink(old, target)


def _written(
    target: Path, content: Streamed, source: int | None, before: Mapping[Hashable, array[int]]
) -> dict[Hashable, array[int]] | None:
    """Write ``content`` at ``target``, its n-th piece under a key copied from where
    ``before`` says the n-th was in ``source``; where each keyed piece went, or None if
    a copy came short (what was written is then not what the spans say)."""
    spans: dict[Hashable, array[int]] = {}
    with target.open("wb") as file:
        out = Appender(file, source)
        for piece in content.given():
            if isinstance(piece, bytes):
                out.between(piece)
                continue
            key, make = piece
            at = spans.get(key)
            if at is None:
                at = spans[key] = array("Q")
            n, was = len(at), before.get(key)
            if source is not None and was is not None and n + 1 < len(was):
                at.extend((out.offset, was[n + 1]))
                out.copy(was[n], was[n + 1], make)
            else:
                data = make()
                at.extend((out.offset, len(data)))
                out.write(data)
        out.flush()
    return spans if out.whole else None
