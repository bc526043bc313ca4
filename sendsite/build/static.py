"""The theme's and plugins' static files: found, claimed, and published.

The theme's ``static/`` folder is published as ``static/``, and each plugin's folders
(``register_static_dirs``) as ``static/<name>/``. With ``minify: true`` (the default)
the built-in theme's ``.js`` and ``.css`` files are published without their comments
and spare whitespace (``rjsmin``, ``rcssmin``: nothing renamed or reordered; ``/*! */``
comments kept). Only those: the two minifiers read code by patterns, not by parsing
it, and miss what the built-in theme does not use (a template literal inside another,
nested CSS, a space in a quoted ``url()``), so a plugin's files, or a site's own
theme's, which sendsite's tests do not run, are published as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib.resources import files as package_files
from pathlib import Path, PurePosixPath

import rcssmin
import rjsmin

from sendsite.errors import PluginError
from sendsite.plugins.manager import PluginManager, call_each

__all__ = [
    "as_published",
    "builtin_themes",
    "claim_static",
    "minify_text",
    "static_files",
    "theme_and_plugin_files",
]

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


def minify_text(suffix: str, text: str) -> str:
    """``text``, a ``.js`` or ``.css`` file's (``suffix``), made smaller."""
    return str(_MINIFIERS[suffix.lower()](text, keep_bang_comments=True)).rstrip("\n") + "\n"


def as_published(
    files: Mapping[PurePosixPath, Path], theme: Path | None
) -> dict[PurePosixPath, Path | bytes]:
    """``files`` as published: with ``theme`` (the site's theme folder, under ``minify``),
    each script and stylesheet of a built-in theme made smaller; every other file stays
    a path, copied as it is."""
    out: dict[PurePosixPath, Path | bytes] = dict(files)
    own = theme / "static" if theme and theme.resolve().parent == builtin_themes() else None
    for rel, path in files.items():
        if own and path.is_relative_to(own) and rel.suffix.lower() in _MINIFIERS:
            out[rel] = minify_text(rel.suffix, path.read_text(encoding="utf-8")).encode("utf-8")
    return out


def builtin_themes() -> Path:
    """The folder of sendsite's own themes (``default``)."""
    return Path(str(package_files("sendsite.themes"))).resolve()
