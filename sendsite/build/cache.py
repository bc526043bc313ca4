"""The build cache: what the last ``sendsite build`` read and rendered, kept for the next.

A second build re-reads only the content files whose bytes changed, and
re-renders only the pages that show them (and the pages that list or
aggregate reports), exactly as ``sendsite serve`` does after a save; the site
is byte for byte what a cold build makes. The cache lives in the site folder
(``.sendsite/cache/``) and is used only while everything else that shapes the
output is as it was: sendsite itself, every plugin's folder, the theme, the
site's ``templates/`` and ``sendsite.yml`` (their files' bytes), Python, and the
versions of the libraries that make its text (``_LIBRARIES``).
A cache that cannot be read is ignored, and written again after the build; one that
can be read but makes the build fail is removed by ``sendsite build``, which then
builds once more without it (``publish``).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import inspect
import os
import pickle
import shutil
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sendsite
from sendsite.build.hashed import keep_only
from sendsite.build.pieces import LastPieces, PieceReader, Pieces, PieceWriter
from sendsite.config import CONFIG_FILE, SiteConfig
from sendsite.content.status import KEY_FILES
from sendsite.plugins.manager import PluginManager, call_each

__all__ = [
    "CACHE_FILE", "CHUNKS", "INDEX_PAGES", "LoadedCache", "Pieces", "StagedCache",
    "bytes_hash", "compiled_templates", "content_hash", "drop_cache", "file_date", "fingerprint",
    "hash_as_read", "load_cache", "save_cache", "unchanged",
]  # fmt: skip

#: Where the cache is kept, in the site folder (never inside the published site).
CACHE_FILE = Path(".sendsite", "cache", "build.pickle")
#: Where the cache's big mappings are kept, a file a chunk (see ``build.pieces``).
CHUNKS = Path(".sendsite", "cache", "chunks")
#: Where the search index's pages for Pagefind are kept (see ``pagefind.stage_index``).
INDEX_PAGES = Path(".sendsite", "cache", "index-pages")
#: Where compiled templates are kept (Jinja2's bytecode cache), a folder per fingerprint.
TEMPLATES = Path(".sendsite", "cache", "templates")
#: A folder of templates compiled under another fingerprint is removed once this old.
_STALE_SECONDS = 3600
#: How close to a build's start a file's date makes its bytes hashed (see ``unchanged``):
#: more than the coarsest clock of a file system sendsite may be used on (FAT's 2 s).
RACY_NS = 3_000_000_000
#: Raised when what the cache holds changes shape, so an old cache is not read.
_LAYOUT = 10
#: The libraries whose version can change what a page holds: Markdown, the sanitizer,
#: the templates, YAML and dates.
_LIBRARIES = (
    "cmarkgfm", "markdown-it-py", "nh3", "jinja2", "markupsafe", "pyyaml", "python-dateutil",
)  # fmt: skip


@dataclass
class StagedCache:
    """A cache written beside the one in use, to replace it or to be dropped."""

    partial: Path
    path: Path
    #: Its chunk folder, the chunk files it names, and those it added.
    chunks: Path
    names: set[str]
    made: list[str]

    def keep(self) -> None:
        """Make it the cache the next build reads (if it cannot be, there is none), and
        remove the chunk files it does not name (the last cache's, changed since) and any
        cache a build stopped short of its end left beside it (a site has one build at a
        time: the build lock)."""
        try:
            self.partial.replace(self.path)
        except OSError:
            self.drop()
            return
        keep_only(self.chunks, self.names)
        for stale in self.path.parent.glob(f"{self.path.name}.*"):
            with contextlib.suppress(OSError):
                stale.unlink()

    def drop(self) -> None:
        """Remove it: the build it describes failed."""
        with contextlib.suppress(OSError):
            self.partial.unlink(missing_ok=True)
        for name in self.made:
            with contextlib.suppress(OSError):
                (self.chunks / name).unlink()


def fingerprint(config: SiteConfig, pm: PluginManager) -> str:
    """A hash of everything besides content that shapes the output."""
    digest = hashlib.sha256(f"{_LAYOUT} {sys.version}".encode())
    for library in _LIBRARIES:
        digest.update(f"\0{library} {_version(library)}".encode())
    folders = {Path(sendsite.__file__).parent, config.theme_path(), config.templates_path}
    for _, plugin in pm.list_name_plugin():
        module = inspect.getmodule(plugin)
        if module is not None and getattr(module, "__file__", None):
            folders.add(Path(str(module.__file__)).parent)
    # What plugins draw on from elsewhere: their template and static folders (a plugin
    # may keep them outside its own), and the files their keys were read from.
    folders.update(
        Path(d).resolve() for _, ds in call_each(pm, "register_template_dirs") for d in ds
    )
    for _, dirs in call_each(pm, "register_static_dirs"):
        folders.update(Path(d).resolve() for d in dirs.values())
    # A folder inside another (the built-in theme inside sendsite) is read once.
    outer = [f for f in sorted(folders) if not any(o in f.parents for o in folders)]
    files = [path for folder in outer for path in _files(folder)]
    for path in [*files, *sorted(KEY_FILES - set(files))]:
        digest.update(f"\0{path}\0".encode())
        with contextlib.suppress(OSError):  # a key file since removed: a change all the same
            digest.update(path.read_bytes())
    config_file = config.root / CONFIG_FILE
    digest.update(config_file.read_bytes() if config_file.is_file() else b"")
    return digest.hexdigest()


def _version(library: str) -> str:
    try:
        return importlib.metadata.version(library)
    except importlib.metadata.PackageNotFoundError:
        return ""


def _files(folder: Path) -> Iterable[Path]:
    """The files under ``folder`` that can change the output (not bytecode caches)."""
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    )


def compiled_templates(config: SiteConfig, key: str) -> Path | None:
    """The folder where templates compiled under ``key`` (a ``fingerprint``: sendsite, the
    theme, the plugins, the libraries) are kept for the next build; folders of other
    keys untouched for an hour are removed. None if it cannot be made (compiled anew)."""
    root = config.root / TEMPLATES
    folder = root / key[:16]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        os.utime(folder)
        for other in root.iterdir():
            if other != folder and time.time() - other.stat().st_mtime > _STALE_SECONDS:
                shutil.rmtree(other, ignore_errors=True)
    except OSError:
        return None
    return folder


def content_hash(path: Path) -> str:
    """The hash of a content file's bytes (what decides whether it is read again)."""
    return bytes_hash(path.read_bytes())


def bytes_hash(data: bytes) -> str:
    """``content_hash`` of a file holding ``data``."""
    return hashlib.sha256(data).hexdigest()


def file_date(path: Path) -> tuple[int, int] | None:
    """A file's date (in nanoseconds) and size, None if it is gone: what says whether it
    may have changed."""
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_mtime_ns, found.st_size


def hash_as_read(path: Path, seen: tuple[int, ...]) -> str:
    """The ``content_hash`` of ``path`` if its date and size are still those ``seen``
    before it was read; "" (not known: read again next time) if it was saved since, while
    the build ran. Named by its new bytes, the read of the old would be kept for them."""
    try:
        return content_hash(path) if file_date(path) == seen else ""
    except OSError:
        return ""


def unchanged(
    source: Path, seen: tuple[int, int], digest: str, since: int
) -> tuple[int, int] | None:
    """The date and size of the file at ``source`` now if its bytes are those ``digest``
    names (a ``content_hash``), else None (changed, or gone).

    A file whose date and size are those the last build ``seen`` is taken as unchanged
    without reading it, as ``make`` and ``git status`` do, unless that date is within
    ``RACY_NS`` of ``since`` (when that build began looking at files) or later: it could
    have been written again within one tick of the file system's clock, keeping its date.
    Any other is read and hashed."""
    now = file_date(source)
    if now is None or (now == seen and now[0] < since - RACY_NS):
        return now
    try:
        return now if content_hash(source) == digest else None
    except OSError:
        return None


@dataclass
class LoadedCache:
    """What ``load_cache`` read: the state ``save_cache`` kept, and the chunks its ``Pieces``
    came from (so the next ``save_cache`` names again those that are as they were)."""

    state: Any
    pieces: LastPieces


def load_cache(config: SiteConfig, key: str) -> LoadedCache | None:
    """What ``save_cache`` kept under ``key``, or None (no cache, another key, unreadable)."""
    path = config.root / CACHE_FILE
    try:
        with path.open("rb") as file:
            reader = PieceReader(file, config.root / CHUNKS)
            kept_key, state = reader.load()
            if kept_key != key:
                return None
            return LoadedCache(state, reader.fill())
    except FileNotFoundError:
        return None
    except Exception:  # a cache from another version, cut short, or damaged: build cold
        return None


def drop_cache(config: SiteConfig) -> bool:
    """Remove the cache ``load_cache`` reads (the next build is a cold one, and makes it
    again); whether there was one."""
    try:
        (config.root / CACHE_FILE).unlink()
    except OSError:
        return False
    return True


def save_cache(
    config: SiteConfig, key: str, state: Any, last: LastPieces | None = None
) -> StagedCache | None:
    """Write ``state`` for the next build beside the cache, where it is not yet used;
    ``StagedCache.keep`` puts it in place (once the build has succeeded). None if it
    cannot be written: the next build is then a cold one. ``Pieces`` in ``state`` (not
    inside one another) are written after the rest, a few entries at a time, each chunk
    whose entries are as ``last`` (``LoadedCache.pieces``) read them named again."""
    path = config.root / CACHE_FILE
    partial = path.with_name(f"{path.name}.{os.getpid()}")
    writer: PieceWriter | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with partial.open("wb") as file:
            writer = PieceWriter(file, config.root / CHUNKS)
            writer.dump((key, state))
            writer.write_pieces(last)
    except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
        made = writer.made if writer is not None else []
        StagedCache(partial, path, config.root / CHUNKS, set(), made).drop()
        return None
    return StagedCache(partial, path, writer.folder, writer.names, writer.made)
