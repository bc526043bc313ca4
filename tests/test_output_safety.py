"""The output side of `sendsite build`: where it may write, the swap, and disks that fail.

Every refusal exits with status 1, prints one error line naming the path (and a
fix) without a traceback, and leaves the previous site/ exactly as it was. The
disk failures are real: a small tmpfs mounted here, made read-only or filled
(the tests run as root, so file permissions would not stop a write).
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

import pytest
from click.testing import Result

from sendsite.build import writer
from sendsite.build.deferred import FileContent, Streamed
from sendsite.build.writer import MARKER, write_site

from .conftest import SiteMaker, run_cli

PAGES = {"content/a.md": "# A\n\nThe first page.\n", "content/b.md": "# B\n\nThe second.\n"}

Snapshot = dict[str, bytes | None]
#: The user and group ids of ``nobody``, whom the tests that need a user who is not root
#: run as.
NOBODY = 65534


def _snapshot(folder: Path) -> Snapshot:
    """Every file's bytes, folder (None) and link under ``folder``, by relative path."""
    return {p.relative_to(folder).as_posix(): _entry(p) for p in sorted(folder.rglob("*"))}


def _entry(path: Path) -> bytes | None:
    if path.is_symlink():
        return f"link to {os.readlink(path)}".encode()
    return None if path.is_dir() else path.read_bytes()


def _built(make_site: SiteMaker, files: dict[str, str] = PAGES) -> Path:
    root = make_site(files)
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0, result.output
    return root


def _refused(result: Result, *words: str) -> str:
    """The one error line of a refused build (checked: exit 1, no traceback, ``words``)."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if "error:" in line]
    assert len(errors) == 1, result.output
    for word in words:
        assert word in errors[0], result.output
    assert "How to fix:" in result.output
    return errors[0]


# A. The output folder must stay clear of everything the build reads.

OVERLAPS = {
    "inside content": ("content/out", "is inside the content folder"),
    "the content folder": ("content", "is the content folder itself"),
    "the site folder": (".", "is the site folder itself"),
    "holding the site folder": ("..", "holds the site folder"),
    "the templates folder": ("templates", "is the templates folder itself"),
    "the theme folder": ("themes/default", "is the theme folder itself"),
    "the plugins folder": ("plugins", "is the plugins folder itself"),
    "a link into content": ("published", "is inside the content folder"),
    "inside sendsite's own": (".sendsite/spare", "is inside the working folder"),
}


@pytest.mark.parametrize("case", OVERLAPS)
def test_output_overlapping_what_the_build_reads_is_refused(
    case: str, make_site: SiteMaker, tmp_path: Path
) -> None:
    root = _built(make_site)
    if case == "a link into content":
        (root / "published").symlink_to(root / "content" / "out", target_is_directory=True)
    before = _snapshot(tmp_path)
    given, words = OVERLAPS[case]
    output = (root / given).resolve()
    result = run_cli("build", "--source", str(root), "--output", str(root / given))
    _refused(result, f"error: the output folder '{output}' {words}")
    assert _snapshot(tmp_path) == before, "nothing is written, not even a lock file"
    assert not (output.parent / f".{output.name}.lock").exists()


def test_output_option_inside_content_is_refused_at_its_line(make_site: SiteMaker) -> None:
    root = _built(make_site)
    (root / "sendsite.yml").write_text("title: Reports\noutput: content/site\n")
    before = _snapshot(root)
    line = _refused(run_cli("build", "--source", str(root)), "sendsite.yml:2: error:")
    assert f"option 'output': the output folder '{root / 'content' / 'site'}'" in line
    assert "is inside the content folder" in line
    assert _snapshot(root) == before


def test_a_folder_of_its_own_inside_the_site_folder_is_fine(make_site: SiteMaker) -> None:
    root = _built(make_site)
    result = run_cli("build", "--source", str(root), "--output", str(root / "public" / "www"))
    assert result.exit_code == 0, result.output
    assert (root / "public" / "www" / "a" / "index.html").is_file()


# B. The swap: site/ exists at every instant, and leftovers are cleared.


def test_the_site_folder_is_there_at_every_instant(tmp_path: Path) -> None:
    site = tmp_path / "site"
    page = PurePosixPath("index.html")
    write_site(site, {page: b"<p>0</p>", PurePosixPath("a/index.html"): b"a"})
    missing: list[str] = []
    done = threading.Event()

    def watch() -> None:
        for _ in range(5_000_000):  # bounded, in case the builds never end
            if done.is_set():
                return
            if not os.path.isdir(site):
                missing.append("site/")
            try:
                (site / "index.html").read_bytes()
            except FileNotFoundError:
                missing.append("site/index.html")

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for build in range(1, 150):
            files = {page: f"<p>{build}</p>".encode(), PurePosixPath("a/index.html"): b"a"}
            write_site(site, files)
    finally:
        done.set()
        watcher.join(timeout=60)
    assert not missing, f"missing {len(missing)} times, first: {missing[0]}"
    assert (site / "index.html").read_bytes() == b"<p>149</p>"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", "site"]


def test_without_an_exchange_the_two_renames_are_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unsupported(*_: object) -> int:
        ctypes.set_errno(errno.EINVAL)  # as a file system without RENAME_EXCHANGE says
        return -1

    monkeypatch.setattr(writer, "_renameat2", lambda: unsupported)
    site = tmp_path / "site"
    write_site(site, {PurePosixPath("index.html"): b"one"})
    write_site(site, {PurePosixPath("index.html"): b"two"})
    assert (site / "index.html").read_bytes() == b"two"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", "site"]


def test_a_build_killed_between_the_two_renames_gets_its_site_back(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_site(site, {PurePosixPath("index.html"): b"old"})
    retired = tmp_path / ".site.old-k1ll3d_x"
    retired.mkdir()
    site.rename(retired / "site")  # killed here: no site/ at all

    def fail(_: Path) -> None:
        raise OSError(errno.EIO, "Input/output error")

    with pytest.raises(writer.OutputError, match="Input/output error"):
        write_site(site, {PurePosixPath("index.html"): b"new"}, before_swap=fail)
    assert (site / "index.html").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", "site"]


def _copied_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[PurePosixPath, FileContent]:
    """Thirty pages waiting in files (as a big site's spooled pages), copied by a process
    of their own while the data export is made here."""
    monkeypatch.setattr(writer, "COPY_APART", 1)
    spool = tmp_path / "spool"
    spool.mkdir()
    files: dict[PurePosixPath, FileContent] = {}
    for n in range(30):
        (spool / str(n)).write_bytes(b"page %d" % n)
        files[PurePosixPath(f"p{n}/index.html")] = spool / str(n)
    return files


def test_the_pages_a_copying_process_copies_are_in_the_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _copied_apart(tmp_path, monkeypatch)
    files[PurePosixPath("data/items.csv")] = Streamed(lambda: iter([b"a,b\n", b"1,2\n"]))
    write_site(tmp_path / "site", files)
    assert (tmp_path / "site" / "p29" / "index.html").read_bytes() == b"page 29"
    assert (tmp_path / "site" / "data" / "items.csv").read_bytes() == b"a,b\n1,2\n"


def test_without_a_python_to_start_the_pages_are_copied_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _copied_apart(tmp_path, monkeypatch)
    files[PurePosixPath("data/items.csv")] = Streamed(lambda: iter([b"a,b\n"]))
    monkeypatch.setattr(sys, "executable", "")  # a frozen or embedded Python
    write_site(tmp_path / "site", files)
    assert (tmp_path / "site" / "p29" / "index.html").read_bytes() == b"page 29"


def _fails_leaving_the_last_site(
    tmp_path: Path, files: dict[PurePosixPath, FileContent], error: str
) -> writer.OutputError:
    site = tmp_path / "site"
    write_site(site, {PurePosixPath("index.html"): b"old"})
    with pytest.raises(writer.OutputError, match=error) as raised:
        write_site(site, files)
    assert (site / "index.html").read_bytes() == b"old"
    assert _leftovers(tmp_path) == []
    return raised.value


def test_a_copy_that_fails_in_the_copying_process_fails_the_write_as_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _copied_apart(tmp_path, monkeypatch)
    files[PurePosixPath("p7/index.html")] = tmp_path / "spool" / "gone"
    files[PurePosixPath("data/items.csv")] = Streamed(lambda: iter([b"a,b\n"]))
    failed = _fails_leaving_the_last_site(tmp_path, files, "No such file or directory")
    assert isinstance(failed.__cause__, OSError)
    assert failed.__cause__.errno == errno.ENOENT  # as shutil raised it: the fix depends on it


def test_a_write_that_fails_here_stops_the_copying_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _copied_apart(tmp_path, monkeypatch)

    def broken() -> Iterator[bytes]:
        yield b"a,b\n"
        raise OSError(errno.ENOSPC, "No space left on device")

    files[PurePosixPath("data/items.csv")] = Streamed(broken)
    _fails_leaving_the_last_site(tmp_path, files, "The disk holding")


def _leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".site.") and p.is_dir())


def test_a_build_killed_mid_way_is_cleared_by_the_next(make_site: SiteMaker) -> None:
    text = "Some text. " * 300
    pages = {f"content/area/page-{n:03}.md": f"# Page {n}\n\n{text}\n" for n in range(120)}
    root = _built(make_site, pages)
    before = _snapshot(root / "site")
    command = [sys.executable, "-m", "sendsite", "build", "--source", str(root)]
    for _attempt in range(3):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            if _leftovers(root):  # its new site is being written
                process.send_signal(signal.SIGKILL)
                break
            time.sleep(0.001)
        process.wait(timeout=60)
        if process.returncode == -signal.SIGKILL and _leftovers(root):
            break
    else:
        pytest.fail("could not kill a build while it was writing")
    assert _snapshot(root / "site") == before, "a killed build leaves the site as it was"
    stale = root / ".site.new-ab12cd34"  # as an earlier killed build left it
    stale.mkdir()
    (stale / "marker.txt").write_text("left by a killed build")
    cache = root / ".sendsite" / "cache"
    (cache / "build.pickle.4242").write_bytes(b"a cache a killed build was writing")
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0, result.output
    assert _leftovers(root) == [], "the next build removes what killed builds left"
    assert sorted(p.name for p in cache.glob("build.pickle*")) == ["build.pickle"]
    assert _snapshot(root / "site") == before


def test_only_this_outputs_leftovers_are_removed(make_site: SiteMaker, tmp_path: Path) -> None:
    root = _built(make_site)
    kept = [".site.newer", ".site.new-notes", ".other.new-ab12cd34", "site.new-ab12cd34"]
    for name in kept:
        (root / name).mkdir()
        (root / name / "keep.txt").write_text("not sendsite's to delete")
    (root / ".site.old-ab12cd34").symlink_to(tmp_path)  # a link is never followed
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0, result.output
    for name in kept:
        assert (root / name / "keep.txt").is_file(), name
    assert (root / ".site.old-ab12cd34").is_symlink()


def test_a_running_builds_folders_are_left_alone(make_site: SiteMaker) -> None:
    root = _built(make_site)
    staging = root / ".site.new-ab12cd34"
    staging.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from filelock import FileLock; lock = FileLock(sys.argv[1]); "
            "lock.acquire(); print('held', flush=True); sys.stdin.read()",
            str(root / ".site.lock"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        before = _snapshot(root / "site")
        result = run_cli("build", "--source", str(root))
        _refused(result, "another sendsite build is writing")
        assert staging.is_dir(), "a running build's staging folder is not touched"
        assert _snapshot(root / "site") == before
    finally:
        holder.communicate(input="", timeout=30)


# C. Disks and paths that fail: one line, exit 1, the previous site kept.


@pytest.fixture
def small_disk() -> Iterator[Callable[[Path], Path]]:
    """Mount a 4 MB tmpfs at a folder (skipped where mounting is not allowed)."""
    mounted: list[Path] = []

    def mount(folder: Path) -> Path:
        if os.geteuid() != 0:
            pytest.skip("mounting a small disk needs root (CI runs the tests as root)")
        folder.mkdir(parents=True, exist_ok=True)
        try:
            done = subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)],
                capture_output=True,
                text=True,
                check=False,
            )
        except FileNotFoundError:
            pytest.skip("there is no mount command here")
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(folder)
        return folder

    yield mount
    for folder in reversed(mounted):
        if subprocess.run(["umount", str(folder)], check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], check=True)


def _remount(folder: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(folder)], check=True)


def test_a_read_only_disk(
    make_site: SiteMaker, tmp_path: Path, small_disk: Callable[[Path], Path]
) -> None:
    root = make_site(PAGES)
    disk = small_disk(tmp_path / "disk")
    out = disk / "site"
    assert run_cli("build", "--source", str(root), "--output", str(out)).exit_code == 0
    before = _snapshot(disk)
    _remount(disk, "ro")
    result = run_cli("build", "--source", str(root), "--output", str(out))
    _refused(result, f"error: cannot write the site into '{out}': Read-only file system")
    assert f"'{disk}' is on a read-only disk" in result.output
    assert _snapshot(disk) == before


def test_a_read_only_output_folder(
    make_site: SiteMaker, tmp_path: Path, small_disk: Callable[[Path], Path]
) -> None:
    root = make_site(PAGES)
    out = tmp_path / "www" / "site"
    assert run_cli("build", "--source", str(root), "--output", str(out)).exit_code == 0
    previous = _snapshot(out)
    out.rename(tmp_path / "previous")
    small_disk(out)  # the output folder is a disk of its own, its parent is writable
    for rel, data in previous.items():
        if data is None:
            (out / rel).mkdir()
        else:
            (out / rel).write_bytes(data)
    _remount(out, "ro")
    result = run_cli("build", "--source", str(root), "--output", str(out))
    _refused(result, f"error: cannot replace the output folder '{out}': it is a read-only mount")
    assert _snapshot(out) == previous
    assert sorted(p.name for p in out.parent.iterdir()) == [".site.lock", "site"]


def test_a_full_disk(
    make_site: SiteMaker, tmp_path: Path, small_disk: Callable[[Path], Path]
) -> None:
    root = make_site(PAGES)
    disk = small_disk(tmp_path / "disk")
    out = disk / "site"
    assert run_cli("build", "--source", str(root), "--output", str(out)).exit_code == 0
    filler = disk / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        with pytest.raises(OSError, match="No space left"):
            for _ in range(4096):  # 16 MB at most, on a 4 MB disk
                os.write(descriptor, b"\0" * 4096)
    finally:
        os.close(descriptor)
    os.truncate(filler, filler.stat().st_size - 32 * 1024)  # room for a few files, not a site
    # A rebuild writes only what changed (the rest is linked): a new page too big for it.
    (root / "content" / "c.md").write_text("# C\n\n" + "A long page. " * 20_000, "utf-8")
    before = _snapshot(disk)
    result = run_cli("build", "--source", str(root), "--output", str(out))
    _refused(result, f"error: cannot write the site into '{out}': No space left on device")
    assert f"The disk holding '{disk}' is full" in result.output
    assert _snapshot(disk) == before, "the half-written new site is removed"
    filler.unlink()
    assert run_cli("build", "--source", str(root), "--output", str(out)).exit_code == 0
    assert (out / "c" / "index.html").stat().st_size > 200_000


@pytest.mark.parametrize("shape", ["one long name", "many folders"])
def test_a_path_over_the_systems_limit(shape: str, make_site: SiteMaker, tmp_path: Path) -> None:
    root = _built(make_site)
    before = _snapshot(tmp_path)
    name = "x" * 5000 if shape == "one long name" else "/".join(["y" * 100] * 50)
    result = run_cli("build", "--source", str(root), "--output", str(tmp_path / name))
    line = _refused(result, "File name too long", "characters)")
    assert len(line) < 300, "a very long path is shortened in the message"
    assert "Choose a shorter --output path" in result.output
    assert _snapshot(tmp_path) == before


def test_a_parent_that_is_a_file(make_site: SiteMaker) -> None:
    root = _built(make_site)
    (root / "a-file").write_text("not a folder")
    before = _snapshot(root)
    result = run_cli("build", "--source", str(root), "--output", str(root / "a-file" / "site"))
    _refused(result, f"'{root / 'a-file'}' is a file, not a folder")
    assert _snapshot(root) == before


def test_a_missing_parent_is_created(make_site: SiteMaker, tmp_path: Path) -> None:
    root = make_site(PAGES)
    out = tmp_path / "new" / "deeper" / "site"
    result = run_cli("build", "--source", str(root), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "index.html").is_file() and (out / MARKER).is_file()


def test_any_other_os_error_is_one_line(
    make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site(PAGES)

    def broken(*_: object, **__: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", "/srv/reports/site")

    monkeypatch.setattr("sendsite.cli.commands.build", broken)
    result = run_cli("build", "--source", str(root))
    _refused(result, "error: Permission denied: '/srv/reports/site'")


def test_a_released_file_is_let_go_once_written(tmp_path: Path) -> None:
    """``release``: the build's bytes are not held while the search index is made."""
    files: dict[PurePosixPath, FileContent] = {
        PurePosixPath("index.html"): b"home",
        PurePosixPath("a/index.html"): b"a",
    }
    seen: list[int] = []
    write_site(
        tmp_path / "site", files, before_swap=lambda _: seen.append(len(files)), release=True
    )
    assert seen == [0] and files == {}
    assert (tmp_path / "site" / "a" / "index.html").read_bytes() == b"a"


# E. A rebuild changes only what changed.

LONG_AGO = 1_000_000_000  # 2001: a date no file of a fresh build has


@pytest.mark.parametrize("options", [(), ("--no-cache",)], ids=["cached", "cold"])
def test_a_rebuild_keeps_the_dates_of_files_it_did_not_change(
    options: tuple[str, ...], make_site: SiteMaker
) -> None:
    """A copy to a server by date (``rsync -a``) then sends only what changed; a file
    changed by hand in the last site is written again; nothing outside shares a file
    but the site it replaced, which a build with the cache keeps (``build.spare``)."""
    root = make_site(PAGES)
    out = root / "site"
    assert run_cli("build", "--source", str(root), "--output", str(out), *options).exit_code == 0
    for path in out.rglob("*"):
        os.utime(path, (LONG_AGO, LONG_AGO))
    (root / "content" / "a.md").write_text("# A\n\nThe first page, edited.\n", encoding="utf-8")
    (out / "b" / "index.html").write_text("changed by hand", encoding="utf-8")
    untouched = (out / "search" / "index.html").read_bytes()
    assert run_cli("build", "--source", str(root), "--output", str(out), *options).exit_code == 0
    assert "edited" in (out / "a" / "index.html").read_text(encoding="utf-8")
    assert (out / "a" / "index.html").stat().st_mtime > LONG_AGO
    assert "The second." in (out / "b" / "index.html").read_text(encoding="utf-8")
    assert (out / "b" / "index.html").stat().st_mtime > LONG_AGO
    assert (out / "search" / "index.html").read_bytes() == untouched
    assert (out / "search" / "index.html").stat().st_mtime == LONG_AGO
    kept = [p for p in out.rglob("*") if p.is_file() and p.stat().st_mtime == LONG_AGO]
    assert len(kept) > 10, "most files of the site did not change"
    # Nothing outside shares a file but the site it replaced, kept to make the next one.
    spare = root / ".sendsite" / "spare"
    spared = {p.stat().st_ino for p in spare.rglob("*") if p.is_file()}
    assert bool(spared) == (options == ())  # kept by a build with the cache only
    shared = [p.stat() for p in out.rglob("*") if p.is_file() and p.stat().st_nlink > 1]
    assert all(found.st_nlink == 2 and found.st_ino in spared for found in shared)


def test_the_site_is_readable_by_a_web_server_whatever_the_umask(make_site: SiteMaker) -> None:
    """A build run with a private umask (077) still publishes folders 0755 and files 0644,
    the first time and when a rebuild keeps most files of the last site."""
    root = make_site(PAGES)
    out = root / "site"
    before = os.umask(0o077)
    try:
        for _ in range(2):
            result = run_cli("build", "--source", str(root), "--output", str(out))
            assert result.exit_code == 0, result.output
            paths = out.rglob("*")
            modes = {p.relative_to(out).as_posix(): p.stat().st_mode & 0o777 for p in paths}
            assert out.stat().st_mode & 0o777 == 0o755
            assert {m for p, m in modes.items() if (out / p).is_dir()} == {0o755}
            assert {m for p, m in modes.items() if (out / p).is_file()} == {0o644}
            assert "pagefind/pagefind.js" in modes and "a/index.html" in modes
            (root / "content" / "a.md").write_text("# A\n\nEdited.\n", encoding="utf-8")
    finally:
        os.umask(before)


def test_a_published_file_keeps_its_mode_while_the_next_build_makes_its_own_readable(
    make_site: SiteMaker,
) -> None:
    """The next site shares unchanged files with the published one (linked); one whose
    mode was changed by hand is copied before the new site's is set, so the file readers
    are served is not changed under them, and the build's own is 0644 all the same."""
    root = make_site(PAGES)
    out = root / "site"
    assert run_cli("build", "--source", str(root), "--output", str(out)).exit_code == 0
    published = out / "search" / "index.html"
    before = published.read_bytes()
    published.chmod(0o600)
    fd = os.open(published, os.O_RDONLY)  # the published file itself, wherever it goes
    try:
        (root / "content" / "a.md").write_text("# A\n\nEdited.\n", encoding="utf-8")
        result = run_cli("build", "--source", str(root), "--output", str(out))
        assert result.exit_code == 0, result.output
        assert os.fstat(fd).st_mode & 0o777 == 0o600, "the published file was not changed"
    finally:
        os.close(fd)
    assert published.stat().st_mode & 0o777 == 0o644
    assert published.read_bytes() == before


@pytest.mark.parametrize("kind", ["folder", "file"])
def test_a_link_put_into_the_published_site_is_never_written_through(
    kind: str, make_site: SiteMaker, tmp_path: Path
) -> None:
    """A symbolic link someone put in the published site (which a build with the cache
    keeps to make the next site from, ``build.spare``) is removed, never followed: what it
    points at keeps its contents and mode, and the next sites are as a cold build makes them."""
    root = make_site(PAGES)
    out = root / "site"
    assert run_cli("build", "--source", str(root), "--output", str(out)).exit_code == 0
    cold = _snapshot(out)
    outside = tmp_path / "outside"
    if kind == "folder":
        outside.mkdir(mode=0o700)
        replaced = out / "static"
    else:
        outside.write_bytes(b"not the site's")
        outside.chmod(0o600)
        replaced = out / "b" / "index.html"
    (out / "moved-aside").mkdir()
    replaced.rename(out / "moved-aside" / replaced.name)
    replaced.symlink_to(outside)
    for n in range(3):  # the link's site is kept, then made into the next one
        (root / "content" / "a.md").write_text(
            f"# A\n\nThe first page.{' ' * n}\n", encoding="utf-8"
        )
        result = run_cli("build", "--source", str(root), "--output", str(out))
        assert result.exit_code == 0, result.output
        assert not replaced.is_symlink(), f"build {n + 2}"
        assert _snapshot(out) == cold, f"build {n + 2} is the cold build"
    assert outside.stat().st_mode & 0o777 == (0o700 if kind == "folder" else 0o600)
    if kind == "folder":
        assert list(outside.iterdir()) == []
    else:
        assert outside.read_bytes() == b"not the site's"


@pytest.mark.parametrize("edited", [False, True], ids=["no change", "an edit"])
def test_links_put_into_the_published_index_are_left_out_of_the_next(
    edited: bool, make_site: SiteMaker, tmp_path: Path
) -> None:
    """What a build takes from the last site's search index and word lists (linked, not
    made again) leaves out a symbolic link put there by hand: nothing outside the site
    gets into the next one."""
    root = make_site(PAGES)
    out = root / "site"
    assert run_cli("build", "--source", str(root), "--output", str(out)).exit_code == 0
    secret, folder = tmp_path / "secret.txt", tmp_path / "secrets"
    secret.write_text("not the site's")
    folder.mkdir()
    (folder / "more.txt").write_text("not the site's either")
    planted = {
        out / "pagefind" / "fragment" / "planted.pf_fragment": secret,
        out / "pagefind" / "planted": folder,
        out / "search" / "words" / "planted.json": secret,
        out / "search" / "words" / "planted": folder,
    }
    for link, target in planted.items():
        link.symlink_to(target)
    if edited:
        (root / "content" / "a.md").write_text("# A\n\nEdited.\n", encoding="utf-8")
    result = run_cli("build", "--source", str(root), "--output", str(out))
    assert result.exit_code == 0, result.output
    cold = tmp_path / "cold"
    result = run_cli("build", "--source", str(root), "--output", str(cold), "--no-cache")
    assert result.exit_code == 0, result.output
    assert _snapshot(out) == _snapshot(cold)
    assert not any(os.path.lexists(link) for link in planted)


def test_keyed_pieces_are_copied_from_the_last_file_in_order_and_the_rest_made(
    tmp_path: Path,
) -> None:
    """The n-th piece under a key is copied from where the last build wrote its n-th (read
    from the file on disk, here changed in place, its size and date kept); a new key, or a
    piece past the last build's count, is made; a file changed otherwise is made whole."""
    from sendsite.build.reused import ReusedPieces, write_streamed

    made: list[str] = []

    def piece(key: str, text: str) -> tuple[str, Callable[[], bytes]]:
        return key, lambda: made.append(text) or text.encode()

    rel, old, new = PurePosixPath("data/x.csv"), tmp_path / "old.csv", tmp_path / "new.csv"
    first = ReusedPieces()
    pieces = [b"head\n", piece("a", "a1\n"), piece("b", "b1\n"), piece("a", "a2\n")]
    write_streamed(old, rel, Streamed(lambda: pieces), None, first)
    assert old.read_bytes() == b"head\na1\nb1\na2\n" and made == ["a1\n", "b1\n", "a2\n"]
    found = old.stat()
    old.write_bytes(old.read_bytes().replace(b"a2", b"A2"))
    os.utime(old, ns=(found.st_atime_ns, found.st_mtime_ns))
    made.clear()
    again = [b"head\n", piece("a", "x1\n"), piece("c", "c1\n"), piece("a", "x2\n")]
    again += [piece("a", "x3\n"), piece("b", "y1\n")]
    write_streamed(new, rel, Streamed(lambda: again), old, ReusedPieces(first.made))
    assert new.read_bytes() == b"head\na1\nc1\nA2\nx3\nb1\n"
    assert made == ["c1\n", "x3\n"]
    os.utime(old)  # its date changed: nothing of it is trusted
    made.clear()
    write_streamed(new, rel, Streamed(lambda: again), old, ReusedPieces(first.made))
    assert new.read_bytes() == b"head\nx1\nc1\nx2\nx3\ny1\n" and len(made) == 5


@pytest.mark.parametrize("system_copy", [True, False], ids=["copy_file_range", "read-write"])
def test_adjacent_spans_of_the_last_file_are_copied_at_once_and_made_where_it_came_short(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, system_copy: bool
) -> None:
    """Spans that follow each other in the last file are copied in one go; a run the last
    file no longer holds whole (it shrank since it was checked) is made piece by piece,
    and the writer is told so."""
    from sendsite.build.copying import Appender

    calls: list[int] = []
    real = os.copy_file_range

    def counted(source: int, target: int, count: int, *args: int) -> int:
        calls.append(count)
        if not system_copy:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real(source, target, count, *args)

    monkeypatch.setattr(os, "copy_file_range", counted)
    last = tmp_path / "last"
    last.write_bytes(b"abcdefghij")
    source = os.open(last, os.O_RDONLY)
    try:
        with (tmp_path / "new").open("wb") as file:
            out = Appender(file, source)
            out.write(b"<")
            out.copy(0, 3, lambda: b"ABC")
            out.copy(3, 2, lambda: b"DE")
            out.copy(8, 2, lambda: b"IJ")
            assert out.offset == 8
            assert out.flush() and out.whole
            out.write(b">")
            out.copy(6, 2, lambda: b"GH")
            out.copy(8, 4, lambda: b"IJKL")  # past the end of the last file
            assert not out.flush() and not out.whole
            assert out.offset == 15
    finally:
        os.close(source)
    assert (tmp_path / "new").read_bytes() == b"<abcdeij>GHIJKL"
    assert calls[:2] == [5, 2]  # a-e at once, then i-j


def test_a_lock_file_left_by_another_user_is_named(
    make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After one build run with sudo, the lock file beside the output is root's: the
    message names it, not the site folder (which can be written)."""
    import errno

    from sendsite.build import writer

    root = make_site({"content/southend/r.md": "# A page\n"})
    (root / ".site.lock").write_text("")

    def refused(self: object, *args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(root / ".site.lock"))

    monkeypatch.setattr(writer.FileLock, "acquire", refused)
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert f"its lock file '{root / '.site.lock'}' belongs to another user" in result.output
    assert f"Delete '{root / '.site.lock'}'" in result.output


def _as_a_user(work: Callable[[], object]) -> int:
    """``work()`` done by a user who is not root, whom permissions stop (the tests run as
    root: then in a child given the ids of ``nobody``); 0 if it returned."""
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 1
        try:
            if os.geteuid() == 0:
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            work()
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


@pytest.fixture
def users_folder() -> Iterator[Path]:
    """A folder the user of ``_as_a_user`` owns and can reach."""
    folder = Path(tempfile.mkdtemp(prefix="sendsite-user-"))
    try:
        if os.geteuid() == 0:
            os.chown(folder, NOBODY, NOBODY)
        yield folder
    finally:
        for root, folders, _ in os.walk(folder):  # (what a failed test left read-only)
            for name in folders:
                os.chmod(os.path.join(root, name), 0o755)
        shutil.rmtree(folder)


def test_a_site_made_read_only_is_replaced_and_removed(users_folder: Path) -> None:
    """A site whose folders were made read-only (``chmod -R a-w site``) was replaced, but
    left beside the new one as ``.site.new-*`` by every build, unsaid: its owner could
    neither remove its files nor move it. Its owner may make it writable again, and does."""
    output, staging = users_folder / "site", users_folder / ".site.new-ab12cd34"
    for folder, text in ((output, "old"), (staging, "new")):
        (folder / "area" / "report").mkdir(parents=True)
        (folder / "area" / "report" / "index.html").write_text(text)
        (folder / MARKER).write_text("")
    leftover = users_folder / ".site.new-cd34ef56"  # the old site an earlier build left
    shutil.copytree(output, leftover)
    if os.geteuid() == 0:
        for root, folders, files in os.walk(users_folder):
            for name in [*folders, *files]:
                os.chown(os.path.join(root, name), NOBODY, NOBODY)
    for tree in (output, leftover):
        for root, _, files in os.walk(tree, topdown=False):
            for name in files:
                os.chmod(os.path.join(root, name), 0o444)
            os.chmod(root, 0o555)

    assert _as_a_user(lambda: writer._remove_leftovers(output, {staging.name})) == 0
    assert _as_a_user(lambda: writer.swap_in(staging, output)) == 0
    assert (output / "area" / "report" / "index.html").read_text() == "new"
    assert sorted(p.name for p in users_folder.iterdir()) == ["site"]
