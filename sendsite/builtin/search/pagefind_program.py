"""Pagefind's program: found, run on one part's pages, waited for, and its part finished.

Private to ``pagefind`` (the one door to Pagefind), which decides what is indexed
in which part and how many runs go side by side. Each run is Pagefind's own program
(``pagefind[bin]``, or ``$PAGEFIND_BINARY_PATH``) indexing a folder of record pages
into a folder of its own; once it has ended, ``PartRun.finish`` checks that it
indexed every page and gives each result its site page's address where Pagefind's
own name for it is not that already (``pagefind_bundle``).

*In memory.* A part made again after an edit differs from the last site's in a few
files: the edited report's fragments, some index chunks, the meta file. Where the last
site has an index and the machine a file system in memory (Linux's ``/dev/shm``),
Pagefind writes the part there and ``move_in`` puts it into the site, each file the last
site holds byte for byte linked, the rest copied. An older report's part at 2,000
reports is about 900 files: made on disk by Pagefind's many threads at once they cost
about half a second (contending for the folder); linked, a fiftieth. Unchanged files also
keep their dates, so a copy to a server (``rsync -a``) sends only what changed.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

from sendsite.build.copying import copy_into
from sendsite.build.forked import ending_with_this
from sendsite.builtin.search import pagefind_bundle
from sendsite.builtin.search.pagefind_bundle import ENTRY, READ_ERRORS
from sendsite.errors import SendsiteError

__all__ = [
    "MEMORY", "PROGRAM_FILES", "UNUSED", "PartRun", "SearchIndexError", "finish", "first_ended",
    "made_in", "memory_folder", "move_in", "program", "start",
]  # fmt: skip

#: Pagefind's own ready-made interfaces: sendsite has its own search page.
UNUSED = ["pagefind-highlight.js"] + [
    f"pagefind-{ui}{end}" for ui in ("ui", "modular-ui", "component-ui") for end in (".js", ".css")
]  # fmt: skip
#: Pagefind's program in the browser (with its ``wasm.*.pagefind``): a part after the
#: first does not need it, as the search page loads the first part's.
PROGRAM_FILES = ["pagefind.js", "pagefind-worker.js"]
#: Seconds to wait for Pagefind before giving up (a stuck program must not hang a build).
_TIMEOUT = 900.0
#: Seconds between looks at runs side by side, for the first to end.
_POLL = 0.02
#: Where Linux keeps a file system in memory (tmpfs), if it has one (``memory_folder``).
MEMORY = Path("/dev/shm")
#: The least free space in ``MEMORY`` for parts to be made there: two runs at once write
#: about two thirds of their pages' bytes each (``pagefind.PART_BYTES``: 13 MB).
_ROOM = 256 * 1024 * 1024
#: How a folder made in ``MEMORY`` is named. The build making one holds a lock on it
#: (``made_in``): a killed build's is removed by the next, whatever process ids mean where
#: each ran (containers sharing the machine's /dev/shm).
_PREFIX = "sendsite-index-"
#: Seconds a folder in ``MEMORY`` is left alone after it was last changed: one just made
#: is not held yet.
_SETTLE = 10.0


class SearchIndexError(SendsiteError):
    """The search index could not be written."""


class PartRun:
    """Pagefind indexing one part's pages into ``bundle``, from the moment it is made.

    What Pagefind says goes to a temporary file, not a pipe: a run is not read from
    while another is waited for, and a full pipe would stop it.

    With ``memory`` (``memory_folder``; given when the last site has an index), Pagefind
    writes into a folder there instead, and ``finish`` moves the part into ``bundle``,
    each file the last site's part ``last`` holds byte for byte linked (``move_in``).
    """

    def __init__(
        self,
        pages: Path,
        bundle: Path,
        addresses: dict[str, str],
        language: str,
        size: int = 0,
        memory: Path | None = None,
        last: Path | None = None,
    ) -> None:
        self.bundle, self.addresses, self.size, self.last = bundle, addresses, size, last
        #: Where Pagefind writes, if not ``bundle``: a folder in ``memory``, removed once
        #: moved in, or the run stopped or failed; and the handle holding its lock.
        self.made: Path | None = None
        self._held = -1
        if memory is not None:
            self.made, self._held = made_in(memory)
        # Closed by wait or stop: it lives as long as the run.
        self.said: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self.deadline = time.monotonic() + _TIMEOUT
        try:
            self.process = start(pages, self.made or bundle, language, said=self.said)
        except BaseException:
            self.said.close()
            self._discard()
            raise

    def ended(self) -> bool:
        """Whether Pagefind has ended (or has run for too long: ``wait`` then says so)."""
        return self.process.poll() is not None or time.monotonic() > self.deadline

    def wait(self) -> PartRun:
        """Wait for Pagefind to end (``SearchIndexError`` if it failed); return this run."""
        try:
            self.process.wait(timeout=max(0.0, self.deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.stop()
            raise SearchIndexError(
                f"Pagefind did not finish within {_TIMEOUT:.0f} seconds"
            ) from None
        if self.process.returncode != 0:
            self.said.seek(0)
            said = " ".join(self.said.read().decode("utf-8", "replace").split())[-500:]
            self.said.close()
            self._discard()
            raise SearchIndexError(f"Pagefind failed (exit {self.process.returncode}): {said}")
        self.said.close()
        return self

    def finish(self) -> dict[str, list[str]]:
        """Check the part Pagefind wrote and give results their addresses, and move it into
        ``bundle`` if it was made elsewhere; return each site page's results' ids."""
        made = self.made or self.bundle
        try:
            try:
                counts = json.loads((made / ENTRY).read_text(encoding="utf-8"))["languages"]
                written = sum(int(lang["page_count"]) for lang in counts.values())
            except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
                raise SearchIndexError(f"Pagefind wrote no usable index ({exc})") from None
            if written != len(self.addresses):
                raise SearchIndexError(
                    f"Pagefind indexed {written} of {len(self.addresses)} pages of search records",
                    fix="A page whose records have no words cannot be found: "
                    "give every record some text.",
                )
            ids = finish(made, self.addresses)
            if self.made is not None:
                move_in(self.made, self.bundle, self.last)
        finally:
            self._discard()
        return ids

    def stop(self) -> None:
        """End Pagefind if it is still running (the build failed meanwhile)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.said.close()
        self._discard()

    def _discard(self) -> None:
        if self.made is not None:
            shutil.rmtree(self.made, ignore_errors=True)
            os.close(self._held)
            self.made = None


def first_ended(runs: list[PartRun], stop: threading.Event | None = None) -> PartRun:
    """Take the run that ends first out of ``runs`` (they run side by side), once it has;
    ``SearchIndexError`` if ``stop`` is set meanwhile (the build failed: see ``background``)."""
    while True:
        for n, run in enumerate(runs):
            if run.ended():
                return runs.pop(n)
        if stop is not None and stop.is_set():
            raise SearchIndexError("the search index was stopped: the build failed")
        time.sleep(_POLL)


def finish(bundle: Path, addresses: dict[str, str]) -> dict[str, list[str]]:
    """Give each result its site page's address (where it lacks it), sort the filters, and
    rename files to match; return each site page's results' ids."""
    for name in UNUSED:
        (bundle / name).unlink(missing_ok=True)
    try:
        plans = pagefind_bundle.plan(bundle, addresses)
    except READ_ERRORS as exc:
        raise SearchIndexError(
            f"Pagefind wrote an index sendsite cannot read ({type(exc).__name__}: {exc})",
            fix="Install the Pagefind version pyproject.toml names (pip install -e .).",
        ) from None
    try:
        return pagefind_bundle.rewrite(bundle, plans)
    except OSError as exc:
        raise SearchIndexError(f"the search index could not be rewritten ({exc})") from None


def memory_folder() -> Path | None:
    """``MEMORY`` if this machine has it, writable, with ``_ROOM`` free; else None."""
    try:
        found = os.statvfs(MEMORY)
    except (OSError, AttributeError):  # no such folder, or no statvfs (Windows)
        return None
    if found.f_bavail * found.f_frsize < _ROOM or not os.access(MEMORY, os.W_OK | os.X_OK):
        return None
    return MEMORY


def made_in(folder: Path) -> tuple[Path, int]:
    """A new empty folder in ``folder`` (``memory_folder``) for one part, and a handle on
    it holding its lock (to be closed once it is removed); first, the folders there that
    no build holds (of builds that were killed) are removed. Links are never followed."""
    import fcntl  # (POSIX: only where there is such a folder)

    for left in folder.glob(f"{_PREFIX}*"):
        if _abandoned(left):
            shutil.rmtree(left, ignore_errors=True)
    made = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-", dir=folder))
    held = os.open(made, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(held, fcntl.LOCK_EX)
    return made, held


def _abandoned(folder: Path) -> bool:
    """Whether no build holds ``folder`` (``made_in``'s), nor has just made it."""
    import fcntl

    try:
        if time.time() - folder.lstat().st_mtime < _SETTLE:
            return False
        found = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:  # gone, a link, or another user's
        return False
    try:
        fcntl.flock(found, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # held by the build making it
        return False
    finally:
        os.close(found)
    return True


def move_in(made: Path, into: Path, last: Path | None) -> None:
    """Put the part Pagefind wrote in ``made`` at ``into`` (not there yet): each file the
    last site's part ``last`` holds byte for byte at the same place linked, the others
    copied (``copy_into``)."""
    into.mkdir(parents=True, exist_ok=True)
    try:
        for folder, _, names in os.walk(made):
            here = Path(folder).relative_to(made)
            for name in sorted(names):
                old = last / here / name if last is not None else None
                copy_into(Path(folder, name), into / here / name, old)
    except OSError as exc:
        raise SearchIndexError(f"the search index could not be written ({exc})") from None


def program() -> Path:
    """Pagefind's program: ``$PAGEFIND_BINARY_PATH`` (as Pagefind's own Python package
    reads it, e.g. for ``pagefind_extended``), or the one ``pagefind[bin]`` installs."""
    if chosen := os.environ.get("PAGEFIND_BINARY_PATH"):
        if not Path(chosen).is_file():
            raise SearchIndexError(
                f"the Pagefind program was not found (PAGEFIND_BINARY_PATH is {chosen})",
                fix="Point PAGEFIND_BINARY_PATH at Pagefind's program, or unset it.",
            )
        return Path(chosen)
    problem: Exception = ImportError("pagefind_bin is not installed")
    for package in ("pagefind_bin_extended", "pagefind_bin"):  # as Pagefind's package looks
        try:
            return Path(importlib.import_module(package).get_executable())
        except (ImportError, FileNotFoundError) as exc:
            problem = exc if isinstance(exc, FileNotFoundError) else problem
    raise SearchIndexError(
        f"the Pagefind program was not found ({problem})",
        fix="Install sendsite with its dependencies: pip install 'pagefind[bin]'.",
    )


def start(pages: Path, bundle: Path, language: str, *, said: IO[bytes]) -> subprocess.Popen[bytes]:
    """Start indexing the record pages in ``pages`` into ``bundle`` with Pagefind's program;
    what it says goes to ``said``."""
    command = [str(program()), "--site", str(pages), "--output-path", str(bundle)]
    command += ["--force-language", language, "--silent"]
    try:
        return subprocess.Popen(ending_with_this(command), stdout=said, stderr=subprocess.STDOUT)
    except OSError as exc:
        raise SearchIndexError(f"Pagefind could not be run: {exc}") from None
