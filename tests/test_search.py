"""Search: the index a build writes, the search box, and the search page in a real browser.

The built site is served over HTTP on 127.0.0.1 under a sub-path
(``/intranet/send/``), as an intranet would, to catch links that assume the
site is at the root.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

PREFIX = "/intranet/send/"


class _SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder at ``PREFIX`` only; everything else is not found."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0].split("#", 1)[0]
        if not path.startswith(PREFIX):
            return str(Path(self.directory) / ".not-here")
        return super().translate_path("/" + path[len(PREFIX) :])


@contextlib.contextmanager
def served(site: Path) -> Iterator[str]:
    """Serve ``site`` over HTTP under ``PREFIX``; yield its base URL."""
    handler = functools.partial(_SubPathHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


STATUS = "[data-search-status]"


def wait_for_results(page: object) -> list[str]:
    """Wait for the search page to announce its results; return the result links."""
    page.wait_for_function(  # type: ignore[attr-defined]
        "s => document.querySelector(s) && document.querySelector(s).textContent.trim() !== ''",
        arg=STATUS,
        timeout=15000,
    )
    return page.eval_on_selector_all(  # type: ignore[attr-defined]
        ".search-result__link", "links => links.map(a => a.href)"
    )
