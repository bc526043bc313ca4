"""Relative URLs between output files, so a site works from any sub-path."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from functools import lru_cache
from pathlib import PurePosixPath

__all__ = ["linker", "relative_url"]

#: Targets returned as they are: anchors on the same page, mail and telephone links.
_KEPT = ("#", "mailto:", "tel:")


def relative_url(
    from_page: PurePosixPath | str, target: str, *, directory_urls: bool = True
) -> str:
    """The link from output file ``from_page`` to output path ``target``.

    ``target`` is a path inside the site (``northshire/report/index.html``,
    ``static/sendsite.css``), optionally with ``#anchor``. With
    ``directory_urls`` a link to an ``index.html`` ends at its folder (``../``).
    Absolute URLs (with a scheme) and pure anchors are returned unchanged.
    """
    return _from_folder(_folder(from_page), target, directory_urls)


def linker(
    from_page: PurePosixPath | str, *, directory_urls: bool = True
) -> Callable[[str | PurePosixPath], str]:
    """``relative_url`` from one output file, as a function of the target (a path or
    its text): the file's folder is worked out once for the many links a page makes."""
    here = _folder(from_page)
    return lambda target: _from_folder(here, str(target), directory_urls)


def _folder(page: PurePosixPath | str) -> str:
    return posixpath.dirname(str(page)) or "."


def _from_folder(here: str, target: str, directory_urls: bool) -> str:
    """``relative_url`` from a page in folder ``here``."""
    if "://" in target or target.startswith(_KEPT):
        return target
    path, _, anchor = target.partition("#")
    link = _link(here, path, directory_urls)
    return f"{link}#{anchor}" if anchor else link


@lru_cache(maxsize=16384)
def _link(here: str, path: str, directory_urls: bool) -> str:
    """The link from folder ``here`` to site path ``path`` (no anchor): a page links to
    the same few hundred places as the pages beside it (the menu, the stylesheet)."""
    path = path.lstrip("/")
    is_dir = path == "" or path.endswith("/")
    if directory_urls and (path == "index.html" or path.endswith("/index.html")):
        path, is_dir = posixpath.dirname(path), True
    elif is_dir and not directory_urls:
        path, is_dir = posixpath.join(path, "index.html"), False
    rel = _relpath(path.rstrip("/") or ".", here)
    if is_dir:
        rel = "./" if rel == "." else rel + "/"
    return rel


def _relpath(path: str, start: str) -> str:
    """``posixpath.relpath`` for the clean site paths pages link between, but faster."""
    to = [] if path == "." else path.split("/")
    here = [] if start == "." else start.split("/")
    if any(part in ("", ".", "..") for part in (*to, *here)):
        return posixpath.relpath(path, start)  # not a clean path: the general rule
    common = 0
    for a, b in zip(to, here, strict=False):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(here) - common) + to[common:]) or "."
