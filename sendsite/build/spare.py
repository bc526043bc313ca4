"""The site before last, kept to be made into the next site instead of built anew.

A new site was written into an empty folder beside the old one, and the old one
removed once the new one was in place. At 2,000 reports, after one edit, that was
2,100 folders and 2,100 links for pages that had not changed (0.27 s, while Pagefind
indexed beside it) and 0.2 s to remove the old site at the end. With the build cache,
``sendsite build`` keeps the site it replaces in ``.sendsite/spare/`` (on the output's
file system only: it is swapped in by a rename), and the next build into the same
folder makes that one the new site: a page the cache keeps as the last site's file
(``written.Written``) stays where the spare holds that very file (the two share it,
linked), every other file is removed (``clear_for``), and the rest is written as into
an empty folder. No file of the spare is ever written in place, so the site it shares
files with never changes under its readers.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from sendsite.build.written import Written

__all__ = ["KEPT", "SPARE", "clear_for", "keep_old", "remove_tree", "spare_for"]

#: Where the sites builds replaced are kept, in the site folder: one folder per output.
SPARE = Path(".sendsite", "spare")
#: How many such sites are kept, each for an output of its own: a build keeping one for
#: a further output removes those replaced longest ago. (A job building into a new
#: folder each time would otherwise leave a whole site behind each time.)
KEPT = 2


def spare_for(root: Path, output: Path) -> Path | None:
    """Where a build of the site at ``root`` keeps the site it replaces at ``output``;
    None where that is not on ``output``'s file system (a rename cannot move it there)."""
    folder, output = root / SPARE, output.resolve()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if os.stat(folder).st_dev != os.stat(output.parent).st_dev:
            return None
    except OSError:
        return None
    return folder / hashlib.sha256(os.fsencode(output)).hexdigest()[:16]


def clear_for(
    spare: Path, files: Mapping[PurePosixPath, object], marker: str
) -> set[PurePosixPath] | None:
    """Make ``spare`` (a site this writer wrote: it holds ``marker``) ready to become the
    site of ``files``: remove every file but the pages it holds as ``files`` has them
    (``Written``: the very file), and the folders left empty; return the pages kept.
    None, with the folder removed, if it is not such a site (or cannot be cleared)."""
    if not (spare / marker).is_file() or spare.is_symlink():
        remove_tree(spare)
        return None
    wanted = {rel.as_posix(): page for rel, page in files.items() if isinstance(page, Written)}
    kept: list[str] = []
    top = len(str(spare)) + 1
    try:
        for root, folders, names in os.walk(spare, topdown=False):
            here = root[top:] + "/" if len(root) >= top else ""
            left = False
            for name in names:
                path = os.path.join(root, name)
                page = wanted.get(here + name)
                if page is not None and page.is_at(path):
                    kept.append(here + name)
                    left = True
                else:
                    os.unlink(path)
            for name in folders:  # (a folder it holds that is still there is not empty)
                path = os.path.join(root, name)
                if os.path.islink(path):  # put there by hand: never written through
                    os.unlink(path)
                left = left or os.path.lexists(path)
            if not left and here:
                os.rmdir(root)
    except OSError:
        remove_tree(spare)
        return None
    return {PurePosixPath(rel) for rel in kept}


def keep_old(old: Path, spare: Path | None) -> None:
    """Keep the site just replaced (now at ``old``) as ``spare``, or remove it; keep at
    most ``KEPT`` such sites, those of the outputs replaced last."""
    if spare is not None and old != spare:
        remove_tree(spare)
        with contextlib.suppress(OSError):
            os.replace(old, spare)
    if spare is None or old != spare:
        remove_tree(old)
    if spare is not None and spare.is_dir():
        with contextlib.suppress(OSError):
            os.utime(spare)  # when it was kept, which a rename leaves as it was
            _keep_latest(spare)


def remove_tree(path: str | Path) -> None:
    """Remove the folder ``path`` and all it holds, as far as it can, a link never followed.

    A site replaced may hold folders made read-only (by hand, or by a copy that kept a
    server's modes), whose files its owner cannot remove as they are, nor can it move the
    folder: the old site was left beside the new one (``.site.new-*``) by every build.
    Its owner may give itself back the right to, and does (only where removing failed)."""
    shutil.rmtree(path, ignore_errors=True)
    if not os.path.lexists(path) or os.path.islink(path):
        return
    with contextlib.suppress(OSError):
        _owner_may_change(path)
        for root, folders, _ in os.walk(path):  # each folder before it is looked into
            for name in folders:
                _owner_may_change(os.path.join(root, name))
    shutil.rmtree(path, ignore_errors=True)


def _owner_may_change(folder: str | Path) -> None:
    """Let the owner of ``folder`` (not a link) list it and add and remove its files."""
    found = os.lstat(folder)
    if stat.S_ISDIR(found.st_mode) and found.st_mode & stat.S_IRWXU != stat.S_IRWXU:
        with contextlib.suppress(OSError):  # (another's folder: left as it is)
            os.chmod(folder, stat.S_IMODE(found.st_mode) | stat.S_IRWXU)


def _keep_latest(spare: Path) -> None:
    """Remove the sites kept beside ``spare`` but the ``KEPT - 1`` kept last."""
    others = []
    with os.scandir(spare.parent) as entries:
        for entry in entries:
            if entry.name != spare.name and entry.is_dir(follow_symlinks=False):
                others.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.path))
    for _, path in sorted(others, reverse=True)[KEPT - 1 :]:
        remove_tree(path)
