"""``sendsite serve``: a live preview for authors.

The site is built in memory and served over HTTP on this computer only (by
default). Every save is noticed, the pages it affects are rebuilt, and open
browser tabs reload themselves. A broken file never stops the server: the
browser shows what is wrong and where, and the page comes back by itself once
the file is fixed.

This is a preview server, not a web server for production: it serves one
person, from memory, with a reload script injected into every page. Publish
``sendsite build``'s ``site/`` folder on a real web server instead.
"""

from __future__ import annotations

import contextlib
import mimetypes
import posixpath
import threading
import time
from collections import ChainMap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qs, unquote, urlsplit

from markupsafe import Markup, escape

from .config import CONFIG_FILE, SiteConfig, load_config
from .deferred import FileContent, content_bytes
from .errors import Problem, SendsiteError
from .messages import view_problem
from .pages import Page
from .pipeline import Pipeline
from .plugins import call_each, make_plugin_manager
from .reading import BuildFailed, StrictWarnings
from .render import render_page
from .search import BackgroundIndexer
from .watch import ChangeQueue, Watcher

__all__ = ["LiveSite", "PreviewServer"]

RELOAD_PATH = "/.sendsite/livereload"
_WAIT_SECONDS = 20.0

_RELOAD_SCRIPT = """
<script>/* sendsite serve: reloads this page when the site is rebuilt */
(function () {
  var generation = %d;
  function wait() {
    fetch("%s?since=" + generation, {cache: "no-store"})
      .then(function (r) { return r.text(); })
      .then(function (t) { if (Number(t) !== generation) { location.reload(); } else { wait(); } })
      .catch(function () { setTimeout(wait, 1000); });
  }
  wait();
})();
</script>
"""


@dataclass
class Snapshot:
    """What the server shows right now: the last good files, or the current errors."""

    generation: int
    files: dict[PurePosixPath, FileContent]
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    error_page: bytes = b""


class LiveSite:
    """Builds the site in memory and keeps it current as files change.

    ``rebuild(changed)`` is called with the paths that changed; it re-reads
    the configuration, forgets compiled templates, or just refreshes content,
    as each change requires. It never raises for content or plugin problems:
    those become the error page.
    """

    def __init__(self, root: Path, log: Callable[[str], None] = print) -> None:
        self.root = root.resolve()
        self.log = log
        self._cond = threading.Condition()
        self.snapshot = Snapshot(0, {})
        self.config: SiteConfig | None = None
        self.pipeline: Pipeline | None = None
        #: The search index, rebuilt in the background once edits settle.
        self.search = BackgroundIndexer(log)

    def files(self, snapshot: Snapshot) -> Mapping[PurePosixPath, FileContent]:
        """The snapshot's files plus the search index's (kept separately, updated later)."""
        return ChainMap(snapshot.files, self.search.files) if self.search.files else snapshot.files

    def close(self) -> None:
        """Stop the search indexer and remove its files."""
        self.search.close()

    # --- what to watch ----------------------------------------------------------------

    def watched_folders(self) -> list[Path]:
        """Folders whose every change matters: content, templates, theme, plugins' files."""
        folders = [self.root / "themes"]
        if self.config is None:
            folders += [self.root / "content", self.root / "templates"]
        else:
            folders += [self.config.content_path, self.config.templates_path]
            # A listed single-file plugin: its folder (the root itself is watched shallowly).
            folders += [
                p if p.is_dir() else p.parent
                for p in self.config.plugin_paths()
                if p.is_dir() or p.parent != self.root.resolve()
            ]
            with contextlib.suppress(SendsiteError):
                folders.append(self.config.theme_path())
        if self.pipeline is not None:
            pm = self.pipeline.pm
            folders += [Path(d) for _, ds in call_each(pm, "register_template_dirs") for d in ds]
            for _, dirs in call_each(pm, "register_static_dirs"):
                folders += [Path(d) for d in dirs.values()]
        return sorted({f.resolve() for f in folders})

    # --- building ----------------------------------------------------------------------

    def rebuild(self, changed: set[Path] | None = None) -> Snapshot:
        """Bring the in-memory site up to date; ``None`` means rebuild everything."""
        started = time.perf_counter()
        try:
            pipeline = self._pipeline_for(changed)
            result = pipeline.refresh(defer=True)
        except (BuildFailed, StrictWarnings) as failed:
            errors = getattr(failed, "errors", [])
            return self._failed(errors, failed.warnings, started)
        except SendsiteError as error:
            return self._failed([error.problem], [], started)
        snapshot = Snapshot(self.snapshot.generation + 1, result.files, [], result.warnings)
        self._publish(snapshot)
        self.search.schedule(result.site, result.files, pipeline.pm)
        self.log(
            f"Rebuilt in {time.perf_counter() - started:.2f} s: {result.rendered} of "
            f"{result.pages} pages rendered"
            + (f" ({result.deferred} more when first opened)" if result.deferred else "")
            + f", {result.reread} files read"
            + (f", {len(result.warnings)} warning(s)" if result.warnings else "")
            + "."
        )
        return snapshot

    def _pipeline_for(self, changed: set[Path] | None) -> Pipeline:
        config_file = self.root / CONFIG_FILE
        if (
            self.pipeline is None
            or changed is None
            or config_file in changed
            or self._touches_local_plugins(changed)
        ):
            self.config = load_config(self.root)
            pm = make_plugin_manager(config=self.config)
            # Forking worker processes is only safe before the server's threads start.
            self.pipeline = Pipeline(self.config, pm, parallel=threading.active_count() == 1)
            return self.pipeline
        content = self.pipeline.config.content_path
        looks = [f for f in self.watched_folders() if f != content]
        if any(f == p or f in p.parents for p in changed for f in looks):
            self.pipeline.forget_templates()  # a template, theme or plugin file changed
        return self.pipeline

    def _touches_local_plugins(self, changed: set[Path]) -> bool:
        """Whether a change is to a local plugin's Python code (it needs a fresh manager)."""
        if self.config is None:
            return False
        roots = self.config.plugin_paths()
        return any(
            p.suffix == ".py" and any(r == p or r in p.parents for r in roots) for p in changed
        )

    def _log_errors(self, errors: list[Problem]) -> None:
        base = self.config.content_path if self.config else self.root
        for problem in errors:
            view = view_problem(problem, base=base)
            self.log(f"{view.where}: error: {view.message}" if view.where else view.message)
            for line in view.quote:
                self.log(line)
            if view.fix:
                self.log(f"  How to fix: {view.fix}")

    def _failed(self, errors: list[Problem], warnings: list[Problem], started: float) -> Snapshot:
        self._log_errors(errors)
        self.log(
            f"Build failed after {time.perf_counter() - started:.2f} s: still serving the last "
            "good site; the browser shows the errors. Save the file again once fixed."
        )
        snapshot = Snapshot(self.snapshot.generation + 1, self.snapshot.files, errors, warnings)
        snapshot.error_page = self._error_page(snapshot)
        self._publish(snapshot)
        return snapshot

    def _error_page(self, snapshot: Snapshot) -> bytes:
        base = self.config.content_path if self.config else self.root
        problems = [view_problem(p, base=base) for p in snapshot.errors]
        warnings = [view_problem(p, level="warning", base=base) for p in snapshot.warnings]
        if self.pipeline is not None and self.config is not None:
            page = Page("error", PurePosixPath("index.html"), "error.html", "There is a problem")
            try:
                html = render_page(
                    self.pipeline.env,
                    "error.html",
                    page.path,
                    {
                        "config": self.config,
                        "page": page,
                        "problems": problems,
                        "warnings": warnings,
                    },
                    directory_urls=self.config.directory_urls,
                )
                # Served at every path: resolve the theme's relative links from the root.
                return html.replace("<head>", '<head>\n<base href="/">', 1).encode("utf-8")
            except Exception:  # the theme itself is broken: fall back to plain HTML
                pass
        items = "".join(
            f"<li><p><strong>{escape(p.where)}</strong>: {escape(p.message)}</p>"
            + (f"<pre>{escape(chr(10).join(p.quote))}</pre>" if p.quote else "")
            + (f"<p>How to fix: {escape(p.fix)}</p>" if p.fix else "")
            + "</li>"
            for p in problems
        )
        return (
            '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
            '<title>There is a problem</title></head><body style="font-family: Arial, '
            'sans-serif"><main><h1>There is a problem</h1>'
            f"<ol>{Markup(items)}</ol></main></body></html>"
        ).encode()

    def request_failed(self, error: SendsiteError) -> bytes:
        """Report a page that failed when made on request: in the terminal and as its page."""
        errors = getattr(error, "errors", None) or [error.problem]
        self._log_errors(errors)
        return self._error_page(Snapshot(self.snapshot.generation, {}, errors, []))

    def _publish(self, snapshot: Snapshot) -> None:
        with self._cond:
            self.snapshot = snapshot
            self._cond.notify_all()

    def wait_for_change(self, since: int, timeout: float) -> int:
        """Block until a build newer than ``since`` is published (or ``timeout``)."""
        with self._cond:
            self._cond.wait_for(lambda: self.snapshot.generation != since, timeout)
            return self.snapshot.generation


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep the terminal for build messages

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def do_GET(self) -> None:
        self._respond(head=False)

    def _respond(self, *, head: bool) -> None:
        live = self.server.live
        url = urlsplit(self.path)
        if url.path == RELOAD_PATH:
            since = parse_qs(url.query).get("since", ["-1"])[0]
            generation = live.wait_for_change(
                int(since) if since.lstrip("-").isdigit() else -1, _WAIT_SECONDS
            )
            self._send(HTTPStatus.OK, str(generation).encode(), "text/plain", head)
            return
        snapshot = live.snapshot
        files = live.files(snapshot)
        target = _resolve(url.path, files)
        if isinstance(target, str):  # a folder without its trailing slash
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", target + ("?" + url.query if url.query else ""))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if target is None:
            status = HTTPStatus.NOT_FOUND
            rel = PurePosixPath("404.html")
            body = content_bytes(snapshot.files.get(rel)) or b"<h1>Page not found</h1>"
        else:
            status, rel = HTTPStatus.OK, target
            try:
                body = content_bytes(files[target])
            except SendsiteError as error:  # a page made on request failed
                status, body = HTTPStatus.INTERNAL_SERVER_ERROR, live.request_failed(error)
        content_type = _content_type(rel)
        if content_type.startswith("text/html"):
            if snapshot.errors and status != HTTPStatus.INTERNAL_SERVER_ERROR:
                status, body = HTTPStatus.INTERNAL_SERVER_ERROR, snapshot.error_page
            body = _inject(body, snapshot.generation)
        self._send(status, body, content_type, head)

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(body)


def _resolve(
    raw_path: str, files: Mapping[PurePosixPath, FileContent]
) -> PurePosixPath | str | None:
    """The file a URL path names, a redirect for a folder without '/', or None.

    Only paths in the built site can be served: anything with ``..``, a NUL or
    a backslash, however encoded, is simply not found.
    """
    path = unquote(raw_path)
    if "\x00" in path or "\\" in path:
        return None
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        return None
    rel = PurePosixPath(*parts) if parts else PurePosixPath("index.html")
    if path.endswith("/") and parts:
        rel = rel / "index.html"
    if rel in files:
        return rel
    if not path.endswith("/") and rel / "index.html" in files:
        return posixpath.join(raw_path, "") if raw_path.endswith("/") else raw_path + "/"
    return None


_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".wasm": "application/wasm",
}


def _content_type(rel: PurePosixPath) -> str:
    return (
        _TYPES.get(rel.suffix.lower())
        or mimetypes.guess_type(rel.name)[0]
        or ("application/octet-stream")
    )


def _inject(html: bytes, generation: int) -> bytes:
    script = (_RELOAD_SCRIPT % (generation, RELOAD_PATH)).encode()
    marker = html.rfind(b"</body>")
    return html[:marker] + script + html[marker:] if marker != -1 else html + script


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], live: LiveSite) -> None:
        self.live = live
        super().__init__(address, _Handler)


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
    ) -> None:
        self.live = LiveSite(root, log)
        self.log = log
        self.poll = poll
        self.queue = ChangeQueue()
        self._stop = threading.Event()
        self.live.rebuild(None)
        try:
            self.httpd = _Server((host, port), self.live)
        except OSError as exc:
            raise SendsiteError(
                f"cannot listen on {host}:{port}: {exc.strerror}",
                fix="Another program (or another sendsite serve) is using that port: "
                f"try --port {port + 1}.",
            ) from None
        self.watcher = self._watcher()
        self._threads: list[threading.Thread] = []

    def _watcher(self) -> Watcher:
        return Watcher(self.queue, self.live.watched_folders(), [self.live.root], poll=self.poll)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> None:
        """Start serving, watching and rebuilding in background threads."""
        self.watcher.start()
        for target in (self.httpd.serve_forever, self._rebuild_loop):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)

    def _rebuild_loop(self) -> None:
        while not self._stop.is_set():
            changed = self.queue.take(timeout=0.2)
            if changed and not self._stop.is_set():
                folders = self.live.watched_folders()
                self.live.rebuild({p.resolve() if p.exists() else p for p in changed})
                if self.live.watched_folders() != folders:  # e.g. a new theme in the config
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
