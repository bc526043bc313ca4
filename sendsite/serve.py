"""``sendsite serve``: a live preview for authors.

The site is built in memory and served over HTTP on this computer only (by
default). Every save is noticed, the pages it affects are rebuilt, and open
browser tabs reload themselves. A broken file never stops the server: the
browser shows what is wrong and where, and the page comes back by itself once
the file is fixed.

This is a preview server, not a web server for production: it serves one
person, from memory, with a reload script injected into every page. Publish
``sendsite build``'s ``site/`` folder on a real web server instead.

Even so it stands up to a hostile browser tab or a careless plugin:

- it answers only requests whose ``Host`` names this computer (see
  ``allowed_hosts``), so a web page cannot read the preview through a domain
  name of its own pointed at 127.0.0.1 (DNS rebinding);
- a source file (an attachment, a theme's or plugin's static file) is read
  when asked for, and only if it is still inside the folder it was found in:
  swapped for a link to elsewhere, it is not found;
- any failure in a rebuild, even ``SystemExit`` from a plugin, becomes the
  error page; the next save tries again.
"""

from __future__ import annotations

import contextlib
import ipaddress
import mimetypes
import posixpath
import re
import socket
import threading
import time
import traceback
from collections import ChainMap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qs, unquote, urlsplit

from markupsafe import Markup, escape

from .config import CONFIG_FILE, SiteConfig, load_config
from .deferred import FileContent, Folders, content_bytes, read_confined
from .errors import Problem, SendsiteError
from .messages import view_problem
from .pages import Page
from .pipeline import Pipeline
from .plugins import PluginManager, call_each, make_plugin_manager
from .progress import Progress
from .reading import BuildFailed, StrictWarnings
from .render import render_page
from .search import BackgroundIndexer
from .watch import ChangeQueue, Watcher

__all__ = ["AllowedHosts", "LiveSite", "PreviewServer", "allowed_hosts"]

RELOAD_PATH = "/.sendsite/livereload"
_WAIT_SECONDS = 20.0
#: The longest build number a reload request may give (generations are counted from 0).
_SINCE = re.compile(r"[0-9]{1,15}")

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
    #: Where the source files in ``files`` may be read from (checked on every read).
    folders: Folders = field(default_factory=Folders)


def _interrupted(error: BaseException) -> bool:
    """Ctrl-C in the main thread: the one failure the preview lets stop it.

    Signals only ever reach the main thread, so a ``KeyboardInterrupt``
    anywhere else was raised by code (a plugin) and is a failure like any other.
    """
    return isinstance(error, KeyboardInterrupt) and threading.current_thread() is (
        threading.main_thread()
    )


class LiveSite:
    """Builds the site in memory and keeps it current as files change.

    ``rebuild(changed)`` is called with the paths that changed; it re-reads
    the configuration, forgets compiled templates, or just refreshes content,
    as each change requires. It never raises (but for Ctrl-C in the main
    thread): content and plugin problems, and any unexpected failure, become
    the error page.
    """

    def __init__(
        self, root: Path, log: Callable[[str], None] = print, progress: Progress | None = None
    ) -> None:
        self.root = root.resolve()
        self.log = log
        #: Shown for the first build only (a terminal's progress bars).
        self._first_progress = progress
        self._cond = threading.Condition()
        self.snapshot = Snapshot(0, {})
        self.config: SiteConfig | None = None
        self.pipeline: Pipeline | None = None
        #: Set after an unexpected failure, which may have left the pipeline half-updated.
        self._start_afresh = False
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
            try:
                folders += [
                    Path(d) for _, ds in call_each(pm, "register_template_dirs") for d in ds
                ]
                folders += _static_dirs(pm)
            except BaseException as error:  # a failing plugin: the rebuild reports it
                if _interrupted(error):
                    raise
        return sorted({_resolved(f) for f in folders})

    # --- building ----------------------------------------------------------------------

    def rebuild(self, changed: set[Path] | None = None) -> Snapshot:
        """Bring the in-memory site up to date; ``None`` means rebuild everything."""
        started = time.perf_counter()
        try:
            pipeline = self._pipeline_for(changed)
            try:
                result = pipeline.refresh(defer=True)
            finally:
                pipeline.progress = Progress()  # bars for the first build only
            folders = self._source_folders(pipeline)
        except (BuildFailed, StrictWarnings) as failed:
            errors = getattr(failed, "errors", [])
            return self._failed(errors, failed.warnings, started)
        except SendsiteError as error:
            return self._failed([error.problem], [], started)
        except BaseException as error:  # a bug in a plugin, a template or sendsite
            if _interrupted(error):
                raise
            return self.crashed(error, started)
        snapshot = Snapshot(
            self.snapshot.generation + 1, result.files, [], result.warnings, folders=folders
        )
        self._publish(snapshot)
        self.search.schedule(result.site, result.files, pipeline.pm)
        seconds = time.perf_counter() - started
        if changed is None:
            line = f"Built {_count(result.pages, 'page')} in {seconds:.2f} s"
        else:
            line = (
                f"Rebuilt in {seconds:.2f} s after {self._describe(changed)}: "
                f"{result.rendered} of {_count(result.pages, 'page')} rendered"
            )
        self.log(
            line
            + (f" ({result.deferred} more when first opened)" if result.deferred else "")
            + f", {_count(result.reread, 'file')} read"
            + (f", {_count(len(result.warnings), 'warning')}" if result.warnings else "")
            + "."
        )
        return snapshot

    def _describe(self, changed: set[Path]) -> str:
        """What was saved, in a few words: one file's name, or how many and the first."""
        names = sorted(_shown_under(path, self.root) for path in changed)
        if len(names) == 1:
            return f"saving {names[0]}"
        return f"saving {len(names)} files ({names[0]}, …)"

    def _pipeline_for(self, changed: set[Path] | None) -> Pipeline:
        config_file = self.root / CONFIG_FILE
        if (
            self.pipeline is None
            or changed is None
            or self._start_afresh
            or config_file in changed
            or self._touches_local_plugins(changed)
        ):
            self.config = load_config(self.root)
            pm = make_plugin_manager(config=self.config)
            # Forking worker processes is only safe before the server's threads start.
            self.pipeline = Pipeline(
                self.config,
                pm,
                parallel=threading.active_count() == 1,
                progress=self._first_progress,
            )
            self._first_progress = None
            self._start_afresh = False
            return self.pipeline
        content = self.pipeline.config.content_path
        looks = [f for f in self.watched_folders() if f != content]
        if any(f == p or f in p.parents for p in changed for f in looks):
            self.pipeline.forget_templates()  # a template, theme or plugin file changed
        return self.pipeline

    @staticmethod
    def _source_folders(pipeline: Pipeline) -> Folders:
        """The folders the site's source files are served from: content, static folders."""
        config = pipeline.config
        return Folders(
            [config.content_path, config.theme_path() / "static", *_static_dirs(pipeline.pm)]
        )

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
        return self._show_errors(errors, warnings)

    def crashed(self, error: BaseException, started: float | None = None) -> Snapshot:
        """Show an unexpected failure as the error page, and log it in one line.

        The next rebuild starts afresh (configuration, plugins, every page), as
        the failure may have left the pipeline half-updated.
        """
        self._start_afresh = True
        problem = self._unexpected(error)
        took = f" after {time.perf_counter() - started:.2f} s" if started is not None else ""
        where = f"{view_problem(problem, base=self.root).where}: " if problem.file else ""
        self.log(
            f"Build failed{took}: {where}{problem.message}. Still serving the last good site; "
            "the browser shows the error. Save a file to try again."
        )
        return self._show_errors([problem], [])

    def _unexpected(self, error: BaseException) -> Problem:
        """The problem to show for an exception nobody expected, where the site's code raised it."""
        name = type(error).__name__
        text = str(error)
        place: tuple[str, int] | None = None
        for frame, line in traceback.walk_tb(error.__traceback__):
            file = Path(frame.f_code.co_filename)
            if file.is_absolute() and self.root in file.parents:  # a local plugin or template
                place = (str(file), line)
        return Problem(
            f"unexpected {name}: {text}" if text else f"unexpected {name}",
            *(place or (None, None)),
            fix="This is a bug in a plugin, a template or sendsite, not a mistake in your "
            "content. Fix it, or undo your last change, and save: the page reloads by itself.",
        )

    def _show_errors(self, errors: list[Problem], warnings: list[Problem]) -> Snapshot:
        old = self.snapshot
        snapshot = Snapshot(old.generation + 1, old.files, errors, warnings, folders=old.folders)
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
            except BaseException as error:  # the theme itself is broken: plain HTML instead
                if _interrupted(error):
                    raise
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

    def request_failed(self, error: BaseException) -> bytes:
        """Report a page that failed when made on request: in the terminal and as its page."""
        if isinstance(error, SendsiteError):
            errors = getattr(error, "errors", None) or [error.problem]
            self._log_errors(errors)
        else:
            errors = [self._unexpected(error)]
            self.log(f"A page failed when opened: {errors[0].message}.")
        return self._error_page(Snapshot(self.snapshot.generation, {}, errors, []))

    def read(self, snapshot: Snapshot, rel: PurePosixPath) -> bytes | None:
        """The bytes of the file at site path ``rel``, or None if it cannot be served.

        A source file is read only if it is still inside the folder it came
        from (see ``read_confined``). Raises what a page made on request raised.
        """
        if rel in snapshot.files:
            content, folders = snapshot.files[rel], snapshot.folders
        else:  # the search index, written by the indexer to a temporary folder of its own
            content = self.search.files.get(rel)
            if not isinstance(content, Path):
                return None
            folders = Folders([content.parents[len(rel.parts) - 1]])
        if isinstance(content, Path):
            return read_confined(content, folders)
        return content_bytes(content)

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
    #: Seconds a connection may sit idle (a request never finished, a kept-alive tab).
    timeout = 60

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep the terminal for build messages

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def do_GET(self) -> None:
        self._respond(head=False)

    def _respond(self, *, head: bool) -> None:
        """Answer a request: whatever goes wrong, the browser gets an answer."""
        self._started, self._head = False, head
        try:
            self._answer(head)
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # the browser went away
        except BaseException as error:  # a handler thread: Ctrl-C never lands here
            path = "".join(c for c in self.path[:200] if c.isprintable())
            self.server.live.log(f"Could not answer {path}: {type(error).__name__}: {error}")
            self.close_connection = True
            if not self._started:
                with contextlib.suppress(OSError):
                    self._refuse(
                        HTTPStatus.INTERNAL_SERVER_ERROR, "The preview failed: see its log.\n"
                    )

    def _answer(self, head: bool) -> None:
        live = self.server.live
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1 or not self.server.hosts.allows(hosts[0]):
            self._wrong_host(hosts)
            return
        url = urlsplit(self.path)
        if url.path == RELOAD_PATH:
            since = _since(url.query)
            if since is None:
                self._refuse(
                    HTTPStatus.BAD_REQUEST,
                    "The reload request needs since=N: the number of the build the page shows, "
                    "a whole number of up to 15 digits.\n",
                )
                return
            generation = live.wait_for_change(since, _WAIT_SECONDS)
            self._send(HTTPStatus.OK, str(generation).encode(), "text/plain", head)
            return
        snapshot = live.snapshot
        files = live.files(snapshot)
        target = _resolve(url.path, files)
        if isinstance(target, str):  # a folder without its trailing slash
            self._started = True
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", target + ("?" + url.query if url.query else ""))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body: bytes | None = None
        status = HTTPStatus.OK
        if target is not None:
            try:
                body = live.read(snapshot, target)
            except BaseException as error:  # a page made on request failed
                status, body = HTTPStatus.INTERNAL_SERVER_ERROR, live.request_failed(error)
        if body is None:  # not in the site, or a source file that may not be read now
            status = HTTPStatus.NOT_FOUND
            target = PurePosixPath("404.html")
            body = content_bytes(snapshot.files.get(target)) or b"<h1>Page not found</h1>"
        content_type = _content_type(target)
        if content_type.startswith("text/html"):
            if snapshot.errors and status != HTTPStatus.INTERNAL_SERVER_ERROR:
                status, body = HTTPStatus.INTERNAL_SERVER_ERROR, snapshot.error_page
            body = _inject(body, snapshot.generation)
        self._send(status, body, content_type, head)

    def _wrong_host(self, hosts: list[str]) -> None:
        if len(hosts) == 1:
            shown = "".join(c for c in hosts[0][:100] if c.isprintable())
            said = f"its Host header names '{shown}'"
        else:
            said = "it has no Host header" if not hosts else "it has more than one Host header"
        self._refuse(
            HTTPStatus.BAD_REQUEST,
            f"This preview answers only requests addressed to this computer, and {said}.\n"
            f"Open {self.server.url} instead. (Another name leading here could be a web page "
            "trying to read the preview.)\n",
        )

    def _refuse(self, status: HTTPStatus, text: str) -> None:
        """A short plain-text answer; the connection is closed after it."""
        self.close_connection = True
        self._send(status, text.encode(), "text/plain; charset=utf-8", self._head, close=True)

    def _send(
        self,
        status: HTTPStatus,
        body: bytes,
        content_type: str,
        head: bool,
        *,
        close: bool = False,
    ) -> None:
        self._started = True
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        if not head:
            self.wfile.write(body)


def _since(query: str) -> int | None:
    """The build number given as ``since=``; None unless given once and well formed."""
    try:
        values = parse_qs(query, keep_blank_values=True, max_num_fields=10).get("since", [])
    except ValueError:  # too many fields
        return None
    if len(values) != 1 or not _SINCE.fullmatch(values[0]):
        return None
    return int(values[0])


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


def _count(number: int, word: str) -> str:
    return f"{number:,} {word}{'' if number == 1 else 's'}"


def _shown_under(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _inject(html: bytes, generation: int) -> bytes:
    script = (_RELOAD_SCRIPT % (generation, RELOAD_PATH)).encode()
    marker = html.rfind(b"</body>")
    return html[:marker] + script + html[marker:] if marker != -1 else html + script


_LOOPBACK = frozenset({"localhost", "127.0.0.1", "[::1]"})
_EVERY_INTERFACE = frozenset({"", "0.0.0.0", "::", "[::]"})
#: A Host header: a name or IPv4 address, or an IPv6 address in brackets; then maybe a port.
_HOST = re.compile(r"(?P<name>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::[0-9]{1,5})?")


@dataclass(frozen=True)
class AllowedHosts:
    """The ``Host`` headers the preview answers (names in lower case, IPv6 in brackets)."""

    names: frozenset[str]
    #: Listening on every interface: any IP address is let in too.
    any_address: bool = False

    def allows(self, header: str) -> bool:
        """Whether a request with this ``Host`` header (port or not) is answered."""
        match = _HOST.fullmatch(header.strip())
        if match is None:
            return False
        name = _host_name(match["name"])
        if name in self.names:
            return True
        return self.any_address and _is_address(name)


def allowed_hosts(bound: str) -> AllowedHosts:
    """Which ``Host`` headers to answer when listening on ``bound`` (``--host``).

    Always this computer by its loopback names: ``localhost``, ``127.0.0.1``
    and ``[::1]``, with any port (a forwarded port still leads here). An address
    or name given with ``--host`` is added. Listening on every interface
    (``0.0.0.0`` or ``::``) also lets in any IP address and this computer's own
    name (and ``<name>.local``), so other computers on the network can open it
    by address. Any other name is refused. A web page that points a name of
    its own at this computer (DNS rebinding) sends that name as its ``Host``,
    so it is refused; a page cannot make a browser send an address as the
    ``Host`` without actually loading from that address.
    """
    names = set(_LOOPBACK)
    if bound.strip().lower() in _EVERY_INTERFACE:
        machine = socket.gethostname().lower()
        short = machine.split(".")[0]
        names.update(n for n in (machine, short, f"{short}.local") if n)
        return AllowedHosts(frozenset(names), any_address=True)
    names.add(_host_name(bound))
    return AllowedHosts(frozenset(names))


def _host_name(name: str) -> str:
    """A host name as compared: lower case, an IPv6 address compressed and in brackets."""
    bare = name.strip().lower().removeprefix("[").removesuffix("]")
    with contextlib.suppress(ValueError):
        address = ipaddress.ip_address(bare)
        return f"[{address.compressed}]" if address.version == 6 else address.compressed
    return name.strip().lower()


def _is_address(name: str) -> bool:
    with contextlib.suppress(ValueError):
        ipaddress.ip_address(name.removeprefix("[").removesuffix("]"))
        return True
    return False


def _static_dirs(pm: PluginManager) -> list[Path]:
    """The plugins' static folders."""
    return [Path(d) for _, dirs in call_each(pm, "register_static_dirs") for d in dirs.values()]


def _resolved(path: Path) -> Path:
    """The path with links resolved; as given if that fails (gone, or a loop of links)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    #: Connections waiting to be accepted: a page and its files, many tabs, a crowd at once.
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], live: LiveSite) -> None:
        self.live = live
        self.hosts = allowed_hosts(address[0])
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        """Where a browser on this computer opens the preview."""
        host, port = self.server_address[:2]
        host = str(host)
        if host in _EVERY_INTERFACE:
            host = "127.0.0.1"
        elif ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}/"


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
    ) -> None:
        self.live = LiveSite(root, log, progress=progress)
        self.log = log
        self.poll = poll
        self.queue = ChangeQueue()
        self._stop = threading.Event()
        try:  # before building, so a busy port is said at once
            self.httpd = _Server((host, port), self.live)
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
        """Rebuild after each batch of saves; nothing that goes wrong ends this loop."""
        while not self._stop.is_set():
            changed = self.queue.take(timeout=0.2)
            if changed and not self._stop.is_set():
                try:
                    self._rebuild({_resolved(p) if p.exists() else p for p in changed})
                except BaseException as error:  # not the main thread: Ctrl-C never lands here
                    with contextlib.suppress(BaseException):
                        self.live.crashed(error)

    def _rebuild(self, changed: set[Path]) -> None:
        folders = self.live.watched_folders()
        self.live.rebuild(changed)
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
