"""The whole preview: the live site, the HTTP server and the file watcher, together."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sendsite.build.heap import thaw
from sendsite.build.progress import Progress
from sendsite.content.documents import saved_as
from sendsite.errors import SendsiteError
from sendsite.serve.http import PreviewHTTPServer
from sendsite.serve.live import LiveSite
from sendsite.serve.watch import POLL_SECONDS, ChangeQueue, Watcher

__all__ = ["PreviewServer"]

#: How many rebuilds the preview makes between letting go of what they froze (``thaw``):
#: a save leaves some 50 KB frozen, and a collection of a big site's objects takes a while.
THAW_EVERY = 500
#: Seconds a failed rebuild waits for its files to be saved again before its errors are
#: shown: an editor, a sync tool or a network drive may still be writing a file it read.
ERRORS_AFTER = 0.3
#: The most seconds errors are held back while their files keep being saved.
ERRORS_AT_MOST = 2.0


class PreviewServer:
    """The whole preview: the live site, the HTTP server and the file watcher."""

    def __init__(
        self,
        root: Path,
        host: str = "127.0.0.1",
        port: int = 8000,
        *,
        poll: bool = False,
        log: Callable[[str], None] = print,
        progress: Progress | None = None,
        errors_after: float = ERRORS_AFTER,
    ) -> None:
        self.live = LiveSite(root, log, progress=progress)
        self.log = log
        self.poll = poll
        #: (Files polled are seen up to a poll later.)
        self.errors_after = errors_after + (POLL_SECONDS if poll else 0.0)
        self.queue = ChangeQueue()
        self._stop = threading.Event()
        try:  # before building, so a busy port is said at once
            self.httpd = PreviewHTTPServer((host, port), self.live)
        except OSError as exc:
            raise SendsiteError(
                f"cannot listen on {host}:{port}: {exc.strerror}",
                fix="Another program (or another sendsite serve) is using that port: "
                f"try --port {port + 1}.",
            ) from None
        try:
            self.live.rebuild(None)
        except BaseException:
            self.httpd.server_close()
            raise
        self.watcher = self._watcher()
        self._threads: list[threading.Thread] = []
        self._builds = 0

    def _watcher(self) -> Watcher:
        self._watching = self._folders()
        folders = [folder for folder, _ in self._watching]
        return Watcher(self.queue, folders, [self.live.root], poll=self.poll)

    def _folders(self) -> list[tuple[Path, int | None]]:
        """The folders to watch, each with its inode (None: not there): a folder replaced
        (content/ restored from a backup, or made again by a sync tool) is another folder,
        which a watch of the one it replaced never sees."""
        found: list[tuple[Path, int | None]] = []
        for folder in self.live.watched_folders():
            try:
                found.append((folder, folder.stat().st_ino))
            except OSError:
                found.append((folder, None))
        return found

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        if not isinstance(host, str):  # typeshed allows bytes; a TCP server's host is text
            host = host.decode()
        return f"http://{host}:{port}/"

    def start(self) -> None:
        """Start serving, watching and rebuilding in background threads."""
        self.watcher.start()
        targets: list[Callable[[], object]] = [self.httpd.serve_forever, self._rebuild_loop]
        for target in targets:
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)

    def _rebuild_loop(self) -> None:
        """Rebuild after each batch of saves; nothing that goes wrong ends this loop.

        A rebuild that fails shows its errors only if none of its files is saved again
        within ``errors_after`` seconds (for at most ``ERRORS_AT_MOST`` seconds in all);
        else they are dropped and its files rebuilt with the new save. So a file read
        while still being written (a big file saved in pieces, a sync tool, a network
        drive) never flashes the error page.
        """
        again: set[Path] = set()  # the files of a failed rebuild, saved again since
        failing = 0.0  # since when rebuilds have failed with their errors held back
        while not self._stop.is_set():
            changed = again | self.live.read_by_the_site(
                {saved_as(p) for p in self.queue.take(timeout=0.2)}
            )
            again = set()
            if changed and not self._stop.is_set():
                try:
                    self._rebuild(changed)
                    held, self.live.held = self.live.held, None
                    failing = (failing or time.monotonic()) if held is not None else 0.0
                    if (
                        held is not None
                        and time.monotonic() - failing < ERRORS_AT_MOST
                        and self.queue.more(self.errors_after, among=changed)
                    ):
                        again = changed  # its errors unseen: built again with the save
                    elif held is not None:
                        failing = 0.0
                        held()
                except BaseException as error:  # not the main thread: Ctrl-C never lands here
                    with contextlib.suppress(BaseException):
                        self.live.crashed(error)

    def _rebuild(self, changed: set[Path]) -> None:
        self._rewatch()  # a folder replaced: watched again before the rebuild reads it
        before = self.live.pipeline
        self.live.rebuild(changed, hold_errors=True)
        self._rewatch()  # a new theme in the config
        replaced, before = before is not None and self.live.pipeline is not before, None
        self._builds += 1
        if replaced or self._builds % THAW_EVERY == 0:
            thaw()  # what the builds froze and no longer use (a pipeline replaced), freed

    def _rewatch(self) -> None:
        """Watch again if the folders to watch are others than those being watched."""
        if self._folders() != self._watching:
            self.watcher.stop()
            self.watcher = self._watcher()
            self.watcher.start()

    def stop(self) -> None:
        """Stop everything and release the port."""
        self._stop.set()
        self.watcher.stop()
        self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self.live.close()
