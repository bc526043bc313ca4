"""The theme's and plugins' static files: found, claimed, and published smaller.

The theme's ``static/`` folder is published as ``static/``, and each plugin's folders
(``register_static_dirs``) as ``static/<name>/``. With ``minify: true`` (the default)
each ``.js`` and ``.css`` file is published without its comments and spare whitespace
(``rjsmin``, ``rcssmin``: nothing renamed or reordered, so the code a browser runs is
the code written). ``/*! … */`` comments (licences) stay; a ``.min.js`` or
``.min.css`` file, or one that is not UTF-8, is published as it is. The readable files
stay where they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

import rcssmin
import rjsmin

from sendsite.errors import PluginError
from sendsite.plugins.manager import PluginManager, call_each

__all__ = ["as_published", "claim_static", "minify_text", "static_files", "theme_and_plugin_files"]

_MINIFIERS = {".js": rjsmin.jsmin, ".css": rcssmin.cssmin}


def theme_and_plugin_files(pm: PluginManager, theme: Path) -> dict[PurePosixPath, Path]:
    """The theme's static files (``theme``: its folder) and each plugin's, by output path."""
    sources = [(PurePosixPath("static"), theme / "static")]
    owners: dict[str, str] = {}
    for plugin, dirs in call_each(pm, "register_static_dirs"):
        for name, folder in sorted(dirs.items()):
            claim_static(owners, name, plugin)
            sources.append((PurePosixPath("static", name), Path(folder)))
    return static_files(sources)


def static_files(sources: Iterable[tuple[PurePosixPath, Path]]) -> dict[PurePosixPath, Path]:
    """The files under each ``(output prefix, folder)`` by output path; hidden files and
    links out of their folder are left out."""
    files: dict[PurePosixPath, Path] = {}
    for prefix, folder in sources:
        if folder.is_dir():
            real = folder.resolve()
            for path in sorted(folder.rglob("*")):
                if path.name.startswith(".") or not path.is_file():
                    continue
                if path.is_symlink() and real not in path.resolve().parents:
                    continue  # a link out of the theme's or plugin's folder
                rel = PurePosixPath(path.relative_to(folder).as_posix())
                files[prefix / rel] = path
    return files


def claim_static(owners: dict[str, str], name: str, plugin: str) -> None:
    """Note that ``plugin`` publishes ``static/<name>/``, refusing it if another plugin
    in ``owners`` (by name) does."""
    if owners.setdefault(name, plugin) == plugin:
        return
    raise PluginError(
        f"publishes its static files in 'static/{name}/', as plugin '{owners[name]}' does",
        plugin=plugin,
        hook="register_static_dirs",
        fix="Give each plugin's static folder a name of its own (the plugin's name), or "
        "disable one of the two plugins in sendsite.yml (disable_plugins).",
    )


def minify_text(suffix: str, text: str) -> str | None:
    """``text`` (a ``.js`` or ``.css`` file's) made smaller, or None for another kind."""
    minifier = _MINIFIERS.get(suffix.lower())
    if minifier is None:
        return None
    return str(minifier(text, keep_bang_comments=True)).rstrip("\n") + "\n"


def as_published(
    files: Mapping[PurePosixPath, Path], minify: bool
) -> dict[PurePosixPath, Path | bytes]:
    """``files`` as published: with ``minify``, each script's and stylesheet's content
    made smaller; every other file stays a path, copied as it is."""
    out: dict[PurePosixPath, Path | bytes] = dict(files)
    for rel, path in files.items() if minify else ():
        if rel.suffix.lower() not in _MINIFIERS or rel.stem.lower().endswith(".min"):
            continue
        try:
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # published as it is (a file that cannot be read is said when copied)
        out[rel] = (minify_text(rel.suffix, text) or text).encode("utf-8")
    return out
