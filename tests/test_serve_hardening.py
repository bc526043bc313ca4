"""`sendsite serve` under hostile or unlucky conditions: a file swapped for a link,
a foreign Host header, a mangled reload request, a crowd of requests during a save,
and a build that fails in a way nobody planned for."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sendsite.build.pipeline import Pipeline
from sendsite.serve.http import allowed_hosts
from sendsite.serve.live import LiveSite
from sendsite.serve.server import PreviewServer

from .conftest import REPO
from .test_serve import PAGE, REPORT, TITLE, get, save_by_rename, wait_until

ABOUT = "content/about.md"


@pytest.fixture
def site_root(tmp_path: Path) -> Path:
    root = tmp_path / "site-src"
    shutil.copytree(REPO / "content" / "southend", root / "content" / "southend")
    (root / "sendsite.yml").write_text("title: Hardening test\n")
    return root


@pytest.fixture
def start(site_root: Path) -> Iterator:
    """Start a preview of ``site_root`` on a free port (stopped after the test)."""
    started: list[PreviewServer] = []

    def run(host: str = "127.0.0.1") -> PreviewServer:
        log: list[str] = []
        preview = PreviewServer(site_root, host, 0, log=log.append)
        preview.log_lines = log  # type: ignore[attr-defined]
        started.append(preview)
        preview.start()
        return preview

    yield run
    for preview in started:
        preview.stop()


def request(
    server: PreviewServer, path: str, host: str | None = None, timeout: float = 10
) -> tuple[int, str]:
    """A GET with the given Host header (None: leave the header out)."""
    address, port = server.httpd.server_address[:2]
    conn = http.client.HTTPConnection(str(address), int(port), timeout=timeout)
    try:
        conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        if host is not None:
            conn.putheader("Host", host.replace("PORT", str(port)))
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def log_of(server: PreviewServer) -> str:
    return "\n".join(server.log_lines)  # type: ignore[attr-defined]


# --- 1. a file swapped for a symbolic link while serving -------------------------------


def replace_with_link(path: Path, target: Path) -> None:
    """Swap ``path`` for a link to ``target`` in one step, as an attacker would."""
    temp = path.with_name(".swap-link")
    os.symlink(target, temp)
    os.replace(temp, path)


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("root:x:0:0:SECRET-OUTSIDE-THE-SITE\n")
    return path


@pytest.mark.parametrize("where", ["content attachment", "plugin static file"])
def test_a_file_swapped_for_a_link_outside_is_not_served(
    start, site_root: Path, secret: Path, where: str
) -> None:
    if where == "content attachment":
        source = site_root / "content" / "southend" / "plan.pdf"
        url = "/southend/plan.pdf"
    else:
        (site_root / "plugins").mkdir()
        (site_root / "plugins" / "assets.py").write_text(
            "import sendsite\nfrom pathlib import Path\n\n\n@sendsite.hookimpl\n"
            "def register_static_dirs():\n"
            "    return {'assets': Path(__file__).parent.parent / 'plugin-static'}\n"
        )
        (site_root / "plugin-static").mkdir()
        source = site_root / "plugin-static" / "plan.pdf"
        url = "/static/assets/plan.pdf"
    source.write_bytes(b"%PDF-1.4 the plan")
    server = start()
    assert request(server, url, "127.0.0.1:PORT") == (200, "%PDF-1.4 the plan")

    replace_with_link(source, secret)
    status, body = request(server, url, "127.0.0.1:PORT")  # before any rebuild notices
    assert status == 404 and "SECRET" not in body
    if where == "content attachment":  # the rebuild refuses the link; the old file list stays
        wait_until(lambda: request(server, PAGE, "127.0.0.1:PORT")[0] == 500, 3.0)
        status, body = request(server, url, "127.0.0.1:PORT")  # not found: the error page
        assert status == 500 and "There is a problem" in body and "SECRET" not in body

    inside = source.with_name("other.pdf")  # a link that stays inside is still served
    inside.write_bytes(b"%PDF-1.4 another plan")
    replace_with_link(source, inside)
    assert request(server, url, "127.0.0.1:PORT") == (200, "%PDF-1.4 another plan")


def test_a_folder_swapped_for_a_link_outside_is_not_served(
    start, site_root: Path, tmp_path: Path
) -> None:
    folder = site_root / "content" / "southend" / "files"
    folder.mkdir()
    (folder / "plan.pdf").write_bytes(b"%PDF-1.4 the plan")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "plan.pdf").write_text("SECRET-OUTSIDE-THE-SITE")
    server = start()
    assert request(server, "/southend/files/plan.pdf", "localhost:PORT")[0] == 200
    os.rename(folder, folder.with_name("files-old"))
    os.symlink(elsewhere, folder)
    status, body = request(server, "/southend/files/plan.pdf", "localhost:PORT")
    assert status == 404 and "SECRET" not in body


# --- 2. the Host header (DNS rebinding) ------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1:PORT",
        "127.0.0.1",
        "localhost:PORT",
        "LocalHost",
        "[::1]:PORT",
        "[::1]",
        "localhost:8123",  # a forwarded port still names this computer
    ],
)
def test_requests_naming_this_computer_are_answered(start, host: str) -> None:
    status, body = request(start(), PAGE, host)
    assert status == 200 and TITLE in body


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:PORT",
        "127.0.0.1.evil.example:PORT",
        "localhost.evil.example",
        "localhost:PORT@evil.example",
        "127.0.0.2:PORT",
        "[::1]x",
        "localhost:abc",
        "",
        None,
    ],
)
def test_requests_for_another_host_are_refused(start, host: str | None) -> None:
    server = start()
    for path in (PAGE, "/.sendsite/livereload?since=0", "/static/sendsite.css"):
        status, body = request(server, path, host, timeout=5)
        assert status == 400, path
        assert "Host" in body and "http://127.0.0.1:" in body
        assert TITLE not in body


def test_two_host_headers_are_refused(start) -> None:
    server = start()
    address, port = server.httpd.server_address[:2]
    conn = http.client.HTTPConnection(str(address), int(port), timeout=5)
    try:
        conn.putrequest("GET", PAGE, skip_host=True)
        conn.putheader("Host", f"127.0.0.1:{port}")
        conn.putheader("Host", "evil.example")
        conn.endheaders()
        assert conn.getresponse().status == 400
    finally:
        conn.close()


def test_another_address_given_with_host_is_answered_too() -> None:
    """The rule behind ``--host`` (the tests themselves listen only on 127.0.0.1)."""
    hosts = allowed_hosts("0.0.0.0")
    assert hosts.allows("192.168.1.20:8000") and hosts.allows("[fe80::1]:8000")
    assert hosts.allows(f"{socket.gethostname()}:8000") and hosts.allows("localhost")
    assert not hosts.allows("evil.example:8000") and not hosts.allows("1.2.3.4.evil.example")
    only = allowed_hosts("192.168.1.20")
    assert only.allows("192.168.1.20:8000") and only.allows("127.0.0.1")
    assert not only.allows("192.168.1.21") and not only.allows("evil.example")


# --- 3. malformed reload requests ------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "since=abc",
        "since=",
        "since=99999999999999999999999",
        "since=" + "9" * 5000,
        "since=-1",
        "since=--5",
        "since=1.5",
        "since=%C2%B2",  # '²': a digit to str.isdigit, not to int()
        "since=%D9%A3",  # an Arabic-Indic three
        "since=+1",
        "since=%201",
        "since=0x10",
        "since=1&since=2",
        "",
        "other=1",
    ],
)
def test_a_malformed_reload_request_is_a_400(start, query: str) -> None:
    server = start()
    status, body = request(server, f"/.sendsite/livereload?{query}", "127.0.0.1:PORT", timeout=5)
    assert status == 400
    assert "since" in body
    assert "Traceback" not in log_of(server)


def test_a_reload_request_for_an_old_build_answers_at_once(start) -> None:
    server = start()
    generation = server.live.snapshot.generation
    status, body = request(server, "/.sendsite/livereload?since=0", "127.0.0.1:PORT", timeout=5)
    assert (status, body) == (200, str(generation))


# --- 4. a crowd of requests during a save ----------------------------------------------


def test_200_requests_at_once_during_a_save_are_all_answered(start, site_root: Path) -> None:
    server = start()
    report = site_root / REPORT
    original = report.read_text()
    paths = [PAGE, "/", "/static/sendsite.css", "/southend/", "/tracker/", "/no/such/"]
    go = threading.Barrier(201, timeout=30)

    def one(n: int) -> int:
        go.wait()
        try:
            return request(server, paths[n % len(paths)], "127.0.0.1:PORT", timeout=8)[0]
        except OSError as error:  # a timeout or a refused connection: not answered
            return -1 if isinstance(error, TimeoutError) else -2

    with ThreadPoolExecutor(max_workers=200) as pool:
        futures = [pool.submit(one, n) for n in range(200)]
        go.wait()
        save_by_rename(report, original.replace(TITLE, "Saved during the crowd"))
        statuses = [f.result(timeout=60) for f in futures]
    assert [s for s in statuses if s < 0] == []
    assert set(statuses) <= {200, 404}
    wait_until(lambda: "Saved during the crowd" in get(server, PAGE)[1], 3.0)


# --- 5. a failure nobody planned for never stops the preview ---------------------------

PLUGIN = '''\
import sendsite


class Halt(BaseException):
    """Not an Exception: it slips past every 'except Exception'."""


def check(title):
    if "HALT" in title:
        raise Halt("the plugin stopped everything")
    return ""


@sendsite.hookimpl
def prepare_report(report, document):
    if "EXIT" in document.body:
        raise SystemExit(0)


@sendsite.hookimpl
def extra_template_vars():
    return {"check": check}
'''

PAGE_TEMPLATE = (
    '{% extends "default:page.html" %}{% block content %}'
    "{% if page.title == 'DIVIDE' %}{{ 1 // 0 }}{% endif %}{{ check(page.title) }}"
    "{{ super() }}{% endblock %}"
)


@pytest.fixture
def faulty_site(site_root: Path) -> Path:
    (site_root / "plugins").mkdir()
    (site_root / "plugins" / "faulty.py").write_text(PLUGIN)
    (site_root / "templates").mkdir()
    (site_root / "templates" / "page.html").write_text(PAGE_TEMPLATE)
    (site_root / ABOUT).write_text("---\ntitle: About us\n---\nAbout us.\n")
    return site_root


@pytest.mark.parametrize(
    ("path", "url", "good", "bad", "shown"),
    [
        (
            REPORT,
            PAGE,
            "The Highlight reporting",
            "EXIT The Highlight reporting",
            "SystemExit",
        ),  # a hook's SystemExit
        (ABOUT, "/about/", "About us", "HALT", "the plugin stopped everything"),  # BaseException
        (ABOUT, "/about/", "About us", "DIVIDE", "ZeroDivisionError"),  # a template's bug
    ],
    ids=["hook-system-exit", "template-var-base-exception", "template-zero-division"],
)
def test_an_unexpected_failure_shows_the_error_page_then_recovers(
    start, faulty_site: Path, path: str, url: str, good: str, bad: str, shown: str
) -> None:
    server = start()
    source = faulty_site / path
    original = source.read_text()
    assert good in original and request(server, url, "127.0.0.1:PORT")[0] == 200
    for attempt in range(2):  # twice: the refresh loop is still alive after the first
        before = len(server.log_lines)  # type: ignore[attr-defined]
        save_by_rename(source, original.replace(good, bad, 1))
        wait_until(lambda: request(server, url, "127.0.0.1:PORT")[0] == 500, 3.0)
        status, body = request(server, url, "127.0.0.1:PORT")
        assert status == 500 and "There is a problem" in body and shown in body, attempt
        assert "/.sendsite/livereload" in body
        new = server.log_lines[before:]  # type: ignore[attr-defined]
        assert any(shown in line for line in new), new
        assert "Traceback" not in log_of(server)
        save_by_rename(source, original)
        wait_until(lambda: request(server, url, "127.0.0.1:PORT")[0] == 200, 3.0)
        assert request(server, PAGE, "127.0.0.1:PORT")[0] == 200


def test_a_page_made_on_request_that_fails_unexpectedly_is_a_500(start, faulty_site: Path) -> None:
    (faulty_site / "templates" / "tracker.html").write_text(
        '{% extends "default:tracker.html" %}{% block content %}'
        "{% for r in rows %}{{ check(r.item.text) }}{% endfor %}{{ super() }}{% endblock %}"
    )
    server = start()
    report = faulty_site / REPORT
    original = report.read_text()
    save_by_rename(report, original.replace("milestone: ", "milestone: HALT ", 1))
    wait_until(lambda: "HALT" in request(server, PAGE, "127.0.0.1:PORT")[1], 3.0)
    # The saved page is shown first; the tracker, made on request, once the rebuild is done.
    wait_until(lambda: request(server, "/tracker/", "127.0.0.1:PORT")[0] == 500, 3.0)
    for _ in range(2):  # the failure is kept: asking again gives the same page
        status, body = request(server, "/tracker/", "127.0.0.1:PORT")
        assert status == 500 and "the plugin stopped everything" in body
    save_by_rename(report, original)
    wait_until(lambda: request(server, "/tracker/", "127.0.0.1:PORT")[0] == 200, 3.0)


@pytest.mark.parametrize("target", ["refresh", "rebuild"])
def test_the_refresh_loop_survives_a_crash_anywhere(
    start, site_root: Path, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    server = start()
    crashed = threading.Event()
    owner, name = (Pipeline, "refresh") if target == "refresh" else (LiveSite, "rebuild")
    real = getattr(owner, name)

    def crash_once(self, *args, **kwargs):
        if not crashed.is_set():
            crashed.set()
            raise OverflowError("a bug nobody saw coming")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(owner, name, crash_once)
    report = site_root / REPORT
    original = report.read_text()
    save_by_rename(report, original.replace(TITLE, "First save"))
    assert crashed.wait(5)
    wait_until(lambda: request(server, PAGE, "127.0.0.1:PORT")[0] == 500, 3.0)
    body = request(server, PAGE, "127.0.0.1:PORT")[1]
    assert "OverflowError" in body and "a bug nobody saw coming" in body
    logged = [line for line in server.log_lines if "OverflowError" in line]  # type: ignore[attr-defined]
    assert len(logged) == 1 and "Traceback" not in log_of(server)
    save_by_rename(report, original.replace(TITLE, "Second save"))
    wait_until(lambda: "Second save" in request(server, PAGE, "127.0.0.1:PORT")[1], 3.0)
    assert request(server, PAGE, "127.0.0.1:PORT")[0] == 200
