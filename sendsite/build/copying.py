"""Putting files into a new site: linked from the last site where unchanged, else copied.

On a big site most of the new site's files are already on disk (pages in the spool,
the theme's assets, attachments) and only need copying, which is the system's work,
while the data exports are made as they are written, which is Python's. ``Copying``
hands the copies to a process of its own, started fresh (never forked: a fork of a
build holding a gigabyte makes every page the build then writes a copy), so the two
run side by side: at 10,000 reports, 600 MB of pages copied while the exports are
made. This file is also that process's program; it imports nothing of sendsite's.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

__all__ = ["Appender", "Copying", "copy_into", "copy_span", "link_tree", "relink", "reuse"]


def reuse(old: Path, content: bytes | Path, target: Path) -> bool:
    """Link ``old`` (the last site's file at this path) as ``target`` if it holds exactly
    ``content``; False (nothing done) if it does not, or cannot be linked.

    Unchanged files then keep their dates, so a copy to a server (``rsync -a``) sends
    only what changed, and a rebuild makes no new file where none changed (on some
    file systems making a file costs twenty times linking one). The last site is
    removed once the new one is in place, so nothing else shares the files.
    """
    try:
        found = old.lstat()
        if not stat.S_ISREG(found.st_mode):
            return False
        if isinstance(content, bytes):
            if found.st_size != len(content) or old.read_bytes() != content:
                return False
        elif found.st_size != content.stat().st_size or not _same_bytes(old, content):
            return False
        os.link(old, target)
    except OSError:  # no such file, or no links here (another file system, FAT): write it
        return False
    return True


def relink(old: Path, written: Path) -> None:
    """Make ``written`` (a file just made piece by piece) the last site's file ``old``,
    linked, if the two hold the same bytes: it then keeps its date, as with ``reuse``."""
    linked = written.with_name(f".{written.name}.linked")
    if reuse(old, written, linked):
        try:
            os.replace(linked, written)
        except OSError:  # the file written stays
            linked.unlink(missing_ok=True)


def copy_into(source: Path, target: Path, old: Path | None) -> None:
    """Put file ``source`` at ``target`` (its folder made): ``old`` linked if it holds the
    same bytes, else a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if old is None or not reuse(old, source, target):
        shutil.copyfile(source, target)


def _link_or_copy(source: str, target: str) -> None:
    """Link ``target`` to ``source`` (a file of the last site, for a staging folder), or
    copy it where a link cannot be made."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def link_tree(
    source: Path, target: Path, skip: Callable[[str, list[str]], Iterable[str]] | None = None
) -> None:
    """Copy the last site's folder ``source`` to ``target`` (not there yet), each file
    linked where it can be (``_link_or_copy``), but for what ``skip`` names (as
    ``shutil.copytree``'s ``ignore``) and every symbolic link: put into the published site
    by hand, a link is never followed out of it. ``OSError`` if ``source`` is a link."""
    if source.is_symlink():
        raise OSError(errno.ELOOP, "a symbolic link, not the site's folder", str(source))

    def left_out(folder: str, names: list[str]) -> set[str]:
        named = set(skip(folder, names)) if skip is not None else set()
        return named | {n for n in names if os.path.islink(os.path.join(folder, n))}

    shutil.copytree(source, target, copy_function=_link_or_copy, ignore=left_out)


#: How much of the last file ``Appender.between`` reads ahead.
_WINDOW = 1 << 16


class Appender:
    """Appends to ``file`` bytes, and spans of file ``source`` (the last build's copy),
    adjacent spans copied by the system in one run: at 2,000 reports, the data exports'
    40 MB of pieces copied after an edit took 20,000 reads and writes, one a piece.

    A run that cannot be read whole (``source`` shrank since it was checked) is made
    instead, each span by its ``make``; ``flush`` then says so, and ``whole`` is False
    from then on (the spans' places noted by the caller may be wrong).
    """

    def __init__(self, file: BinaryIO, source: int | None) -> None:
        self.file, self.source = file, source
        #: Where the next bytes go: the bytes appended so far, copies still pending included.
        self.offset = file.tell()
        #: Whether every span asked for so far was copied (or is still pending).
        self.whole = True
        self._run: list[Callable[[], bytes]] = []
        self._start = self._end = self._at = 0
        #: A window of ``source`` read ahead (where it starts, its bytes), for ``between``.
        self._seen: tuple[int, bytes] = (0, b"")

    def write(self, data: bytes) -> None:
        """Append ``data``."""
        self.flush()
        self.file.write(data)
        self.offset += len(data)

    def between(self, data: bytes) -> None:
        """Append ``data``, a file's own bytes between its pieces (a JSON array's ``,``):
        where the source holds the very same bytes right after the pending run, they join
        it, so the pieces either side are copied in one go."""
        if self._run and self.source is not None and self._source_at(self._end, len(data)) == data:
            self._run.append(lambda: data)
            self._end += len(data)
            self.offset += len(data)
        else:
            self.write(data)

    def _source_at(self, at: int, length: int) -> bytes:
        """``length`` bytes of the source from ``at`` (fewer at its end), read ahead a
        window at a time; b"" if they cannot be read."""
        start, window = self._seen
        if not (start <= at and at + length <= start + len(window)):
            try:
                window = os.pread(self.source or 0, max(length, _WINDOW), at)
            except OSError:
                return b""
            start, self._seen = at, (at, window)
        return window[at - start : at - start + length]

    def copy(self, start: int, length: int, make: Callable[[], bytes]) -> None:
        """Append ``length`` bytes from ``start`` in ``source`` (``make()``'s bytes if
        they cannot be read: the same, or ``flush`` returns False)."""
        if not self._run or start != self._end:
            self.flush()
            self._start, self._at = start, self.offset
        self._run.append(make)
        self._end = start + length
        self.offset += length

    def flush(self) -> bool:
        """Copy the pending run; False if it had to be made instead."""
        run, self._run = self._run, []
        if not run:
            return True
        length = self._end - self._start
        if self.source is not None and copy_span(self.source, self.file, self._start, length):
            return True
        self.offset, self.whole = self._at, False
        for make in run:
            self.write(make())
        return False


def copy_span(source: int, file: BinaryIO, start: int, length: int) -> bool:
    """Append ``length`` bytes from ``start`` in file ``source`` to ``file`` (by the system,
    where it can: no copy passes through Python); False, with nothing appended, if they
    cannot all be read (the file is shorter than it was)."""
    file.flush()
    at, done = file.tell(), 0
    try:
        while done < length:
            copied = _copy_range(source, file.fileno(), length - done, start + done)
            if not copied:
                break
            done += copied
    except OSError:
        done = -1
    if done != length:
        os.ftruncate(file.fileno(), at)
    file.seek(0, os.SEEK_END)
    return done == length


def _copy_range(source: int, target: int, count: int, at: int) -> int:
    """Copy ``count`` bytes (or fewer) from ``at`` in ``source`` to where ``target`` is."""
    if hasattr(os, "copy_file_range"):
        try:
            return os.copy_file_range(source, target, count, at)
        except OSError as error:  # not between these files here: read and written
            if error.errno not in (errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL):
                raise
    return os.write(target, os.pread(source, min(count, 1 << 24), at))


def _same_bytes(first: Path, second: Path) -> bool:
    """Whether two files hold the same bytes, read a piece at a time."""
    with first.open("rb") as one, second.open("rb") as other:
        while True:
            piece = one.read(1 << 20)
            if piece != other.read(1 << 20):
                return False
            if not piece:
                return True


class Copying:
    """``copy_into`` for each ``(source, target, old)``, in a process started for them.

    ``done(n)`` is called (from a thread) as files are copied; ``wait`` raises the
    ``OSError`` that stopped the copying, as ``shutil`` would have raised it here.
    """

    @staticmethod
    def possible() -> bool:
        """Whether this Python can start the copying process (not, say, a frozen program)."""
        return bool(sys.executable) and Path(__file__).is_file()

    def __init__(
        self, jobs: list[tuple[Path, Path, Path | None]], done: Callable[[int], object]
    ) -> None:
        from sendsite.build.forked import ending_with_this  # (not in the copying process)

        self._process = subprocess.Popen(
            ending_with_this([sys.executable, "-I", "-S", __file__]),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._counting = threading.Thread(target=self._count, args=(done,), daemon=True)
        self._counting.start()
        self._feeding = threading.Thread(target=self._feed, args=(jobs,), daemon=True)
        self._feeding.start()

    def _feed(self, jobs: list[tuple[Path, Path, Path | None]]) -> None:
        assert self._process.stdin is not None
        lines = (
            b"\0".join(os.fsencode(p) if p is not None else b"" for p in job) + b"\0"
            for job in jobs
        )
        try:
            with self._process.stdin as stdin:
                stdin.write(b"".join(lines))
        except OSError:
            pass  # it stopped early: wait says why

    def _count(self, done: Callable[[int], object]) -> None:
        assert self._process.stdout is not None
        while chunk := os.read(self._process.stdout.fileno(), 65536):
            done(len(chunk))

    def wait(self) -> None:
        """Wait for every copy; raise what stopped them."""
        assert self._process.stderr is not None
        errors = self._process.stderr.read()
        code = self._ended()
        if code != 0:
            raise _failure(errors, code)

    def stop(self) -> None:
        """Stop copying (this build failed) and wait for the process to end."""
        self._process.kill()
        self._ended()

    def _ended(self) -> int:
        code = self._process.wait()
        self._feeding.join()
        self._counting.join()
        for stream in (self._process.stdout, self._process.stderr):
            if stream is not None:
                stream.close()
        return code


def _failure(errors: bytes, code: int) -> OSError:
    try:
        number, text, path = json.loads(errors.decode("utf-8", "replace").splitlines()[-1])
        return OSError(number, text, path)
    except (ValueError, IndexError, TypeError):
        last = errors.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {code}"]
        return OSError(0, f"copying the site's files failed: {last[0]}")


def _main() -> int:
    """The copying process: ``source\\0target\\0old\\0`` records on standard input (``old``
    empty for none); a byte on standard output for each file copied."""
    fields = sys.stdin.buffer.read().split(b"\0")[:-1]
    out = sys.stdout.buffer
    try:
        for n in range(0, len(fields), 3):
            source, target, old = (os.fsdecode(f) for f in fields[n : n + 3])
            copy_into(Path(source), Path(target), Path(old) if old else None)
            out.write(b".")
            if n % 150 == 0:
                out.flush()
    except OSError as exc:
        sys.stderr.write(json.dumps([exc.errno, exc.strerror, exc.filename]) + "\n")
        return 1
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_main())
