"""Watching the site's files and turning editors' saves into one batch of changes.

Editors save in many ways: writing in place, writing a temporary file and
renaming it over the original (vim, VS Code, JetBrains), deleting and
recreating. Every kind of event — created, modified, moved (both ends),
deleted — counts as "this path changed". Editor temporaries and swap files
are ignored. A burst of events is folded into one batch once the files have
been quiet for a moment.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection, Iterable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from sendsite.content.documents import is_ignored, saved_as

__all__ = ["POLL_SECONDS", "ChangeQueue", "Watcher"]

#: How often ``--poll`` looks at the files.
POLL_SECONDS = 0.5


class ChangeQueue:
    """Paths that changed, collected until the builder takes them as one batch."""

    def __init__(self, settle: float = 0.05, longest: float = 0.5) -> None:
        self.settle = settle
        self.longest = longest
        self._paths: set[Path] = set()
        self._last = 0.0
        self._first = 0.0
        self._cond = threading.Condition()

    def add(self, paths: Iterable[Path]) -> None:
        """Record changed paths (from the watcher thread)."""
        with self._cond:
            now = time.monotonic()
            if not self._paths:
                self._first = now
            self._paths.update(paths)
            self._last = now
            self._cond.notify_all()

    def more(self, seconds: float, among: Collection[Path]) -> bool:
        """Whether one of the paths ``among`` changes (or has) within ``seconds``."""
        with self._cond:
            return self._cond.wait_for(
                lambda: any(saved_as(path) in among for path in self._paths), seconds
            )

    def take(self, timeout: float | None = None) -> set[Path]:
        """Wait for changes, then for the files to settle; return the batch (maybe empty).

        Returns once no event has arrived for ``settle`` seconds, or ``longest``
        seconds after the first event of the batch, whichever comes first.
        """
        with self._cond:
            if not self._paths and not self._cond.wait_for(lambda: bool(self._paths), timeout):
                return set()
            while True:
                now = time.monotonic()
                quiet_until = self._last + self.settle
                deadline = self._first + self.longest
                if now >= quiet_until or now >= deadline:
                    batch, self._paths = self._paths, set()
                    return batch
                self._cond.wait(min(quiet_until, deadline) - now)


class _Handler(FileSystemEventHandler):
    def __init__(self, queue: ChangeQueue) -> None:
        self.queue = queue

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in {"opened", "closed_no_write"}:
            return  # reading a file is not a change
        if event.is_directory and event.event_type == "modified":
            return  # an entry added or removed: that entry's own event says which
        paths = [Path(str(event.src_path))]
        if getattr(event, "dest_path", ""):
            paths.append(Path(str(event.dest_path)))
        changed = [p for p in paths if not _ignored(p)]
        if changed:
            self.queue.add(changed)


def _ignored(path: Path) -> bool:
    """Editor temporaries, and Python's byte-code caches written when plugins are imported.

    A name that starts with ``_`` is watched all the same: content leaves such files out
    (but for an area's ``_area.yml`` and the site's ``_glossary.yml`` and ``_topics.yml``),
    and a save of one rebuilds the same site, but a theme's partial templates
    (``_macros.html``), their overrides and a plugin's ``__init__.py`` start with it too."""
    if path.suffix == ".pyc" or "__pycache__" in path.parts:
        return True
    return is_ignored(path.name.lstrip("_"))


class Watcher:
    """Watches folders (recursively) and single files' folders, feeding a ``ChangeQueue``."""

    def __init__(
        self,
        queue: ChangeQueue,
        folders: Iterable[Path],
        shallow: Iterable[Path] = (),
        *,
        poll: bool = False,
    ) -> None:
        self._observer = PollingObserver(timeout=POLL_SECONDS) if poll else Observer()
        handler = _Handler(queue)
        for folder in sorted(set(folders)):
            if folder.is_dir():
                self._observer.schedule(handler, str(folder), recursive=True)
        for folder in sorted(set(shallow)):
            if folder.is_dir():
                self._observer.schedule(handler, str(folder), recursive=False)

    def start(self) -> None:
        self._observer.start()

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join(timeout=5)
