"""The preview's HTTP side: which files it serves, to whom, and the reload endpoint.

Only files of the built site are served (``..``, encoded or not, is not found);
only requests addressed to this computer are answered (DNS rebinding); a
malformed reload request is a 400."""

from __future__ import annotations

import contextlib
import ipaddress
import json
import mimetypes
import posixpath
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import PurePosixPath
from urllib.parse import parse_qs, unquote, urlsplit

from sendsite.build.deferred import FileContent, content_bytes
from sendsite.serve.live import LiveSite, Snapshot

__all__ = ["RELOAD_PATH", "AllowedHosts", "PreviewHTTPServer", "allowed_hosts"]

RELOAD_PATH = "/.sendsite/livereload"
_WAIT_SECONDS = 20.0
#: The longest build number a reload request may give (generations are counted from 0).
_SINCE = re.compile(r"[0-9]{1,15}")

_RELOAD_SCRIPT = """
<script data-sendsite-preview>/* sendsite serve: reloads this page when the site is rebuilt */
(function () {
  var generation = %d, address = "%s", page = encodeURIComponent(location.pathname);
  // Has this tab's page changed since its build? Held open until it has (or 20 s), or
  // with "now" answered at once.
  function check(now) {
    return fetch(address + "?since=" + generation + "&page=" + page + (now ? "&wait=0" : ""),
                 {cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (a) {
        if (a.reload) { location.reload(); } else { generation = a.generation; }
      });
  }
  function ask() { check(true).catch(function () {}); }  // (failed: the next build asks)
  function again(step) { return function () { setTimeout(step, 1000); }; }
  if (!(window.BroadcastChannel && navigator.locks)) {  // (an address not this computer's)
    (function wait() { check(false).then(wait, again(wait)); })();
    return;
  }
  // A browser opens at most six connections to one server: a request held open by every
  // tab would leave none for a seventh page. One tab holds one open for all of them, and
  // tells the others of each new build, which each then asks about its own page at once.
  var builds = new BroadcastChannel("sendsite-livereload");
  builds.onmessage = function (e) {
    if (e.data !== generation) { ask(); }
  };
  ask();
  navigator.locks.request("sendsite-livereload", function () {
    return new Promise(function () {  // held while this tab is open
      var newest = generation;
      (function wait() {
        fetch(address + "?since=" + newest, {cache: "no-store"})
          .then(function (r) { return r.text(); })
          .then(function (text) {
            var built = parseInt(text, 10);
            if (built !== newest) {  // (not greater after the preview is started again)
              newest = built;
              builds.postMessage(built);
              if (built !== generation) { ask(); }
            }
            wait();
          }, again(wait));
      })();
    });
  });
})();
</script>
"""


class _Handler(BaseHTTPRequestHandler):
    server: PreviewHTTPServer
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
            page = _query_value(url.query, "page")
            if page is None:  # any newer build: its number
                generation = live.wait_for_change(since, _WAIT_SECONDS)
                self._send(HTTPStatus.OK, str(generation).encode(), "text/plain", head)
                return
            # A tab's page: reload only if a newer build changed it (a save elsewhere
            # does not, nor does the rest of a rebuild after the saved page was shown);
            # with wait=0 at once (a tab told of a build by the tab that waits for all).
            now = _query_value(url.query, "wait") == "0"
            generation, changed = live.wait_for_page(
                since, 0.0 if now else _WAIT_SECONDS, partial(_served, urlsplit(page).path)
            )
            answer = json.dumps({"generation": generation, "reload": changed}).encode()
            self._send(HTTPStatus.OK, answer, "application/json", head)
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
        if body is None or target is None:  # not in the site, or a source not readable now
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
        if close or self.server.live.closed:  # (a preview stopped: the next is another's)
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if not head:
            self.wfile.write(body)


def _since(query: str) -> int | None:
    """The build number given as ``since=``; None unless given once and well formed."""
    value = _query_value(query, "since")
    if value is None or not _SINCE.fullmatch(value):
        return None
    return int(value)


def _query_value(query: str, name: str) -> str | None:
    """The value of ``name=`` in a query; None unless given once."""
    try:
        values = parse_qs(query, keep_blank_values=True, max_num_fields=10).get(name, [])
    except ValueError:  # too many fields
        return None
    return values[0] if len(values) == 1 else None


def _served(raw_path: str, snapshot: Snapshot) -> object:
    """What a request for ``raw_path`` shows from ``snapshot`` (for comparing builds)."""
    if snapshot.errors:
        return snapshot  # its error page, at every path
    target = _resolve(raw_path, snapshot.files)
    if isinstance(target, str):
        return target
    return snapshot.files.get(target or PurePosixPath("404.html"))


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


class PreviewHTTPServer(ThreadingHTTPServer):
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
