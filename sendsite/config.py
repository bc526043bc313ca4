"""Site configuration: the optional ``sendsite.yml`` at the site root.

Every option has a default, so a site with no config file builds. Unknown or
mistyped keys are errors that name the key, its line and the likely intent.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from difflib import get_close_matches
from importlib.resources import files
from pathlib import Path
from typing import Any

from sendsite.content.documents import read_text
from sendsite.content.yamlfile import load_yaml
from sendsite.errors import ConfigError

__all__ = ["CONFIG_FILE", "LOCAL_PLUGINS_DIR", "SiteConfig", "load_config"]

CONFIG_FILE = "sendsite.yml"
#: The conventional folder of a site's own plugins, beside ``content/``.
LOCAL_PLUGINS_DIR = "plugins"


@dataclass(frozen=True)
class SiteConfig:
    """Validated site settings. Paths are resolved against ``root``."""

    root: Path
    title: str = "SEND partnership progress reports"
    description: str = ""
    organisation: str = ""
    language: str = "en-GB"
    content_dir: str = "content"
    output_dir: str = "site"
    templates_dir: str = "templates"
    theme: str = "default"
    disable_plugins: tuple[str, ...] = ()
    #: Local plugin files and folders (``plugins:``); None means the ``plugins/`` folder.
    plugins: tuple[str, ...] | None = None
    directory_urls: bool = True
    #: Publish the built-in theme's scripts and stylesheets minified (``build.static``).
    minify: bool = True
    footer: str = ""
    #: What makes the ids of the site's feeds its own (default: made from ``title``).
    feed_id: str = ""
    #: For the accessibility statement: how readers report a problem, and when the
    #: statement (and the site's accessibility) was last reviewed.
    accessibility_contact: str = ""
    accessibility_reviewed: str = ""
    source: Path | None = field(default=None, compare=False)
    #: The line of each option given in ``sendsite.yml`` (not overridden), for messages.
    lines: dict[str, int] = field(default_factory=dict, compare=False)

    @property
    def output_line(self) -> int | None:
        """The line of ``output:`` in ``sendsite.yml``, for messages about the output folder."""
        return self.lines.get("output")

    @property
    def content_path(self) -> Path:
        return (self.root / self.content_dir).resolve()

    def check_folders(self) -> None:
        """Raise ``ConfigError`` unless the content folder is a folder (a mistyped
        ``content:`` would otherwise publish an empty site over the last one) and the
        theme is one (``theme_path``): once, before any page needs it."""
        self.theme_path()
        if self.content_path.is_dir():
            return
        there = "is not a folder" if self.content_path.exists() else "does not exist"
        if "content" in self.lines:
            raise ConfigError(
                f"option 'content': the content folder '{self.content_dir}' {there}",
                file=self.source or CONFIG_FILE,
                line=self.lines["content"],
                fix="Give the folder holding the areas' reports, relative to the site folder.",
            )
        raise ConfigError(
            f"there is no content folder here: '{self.content_path}' {there}",
            fix="Run sendsite in the site folder (the one holding content/), or give it with"
            " --source; 'sendsite new-area NAME' starts a site's first area.",
        )

    @property
    def output_path(self) -> Path:
        return (self.root / self.output_dir).resolve()

    @property
    def templates_path(self) -> Path:
        return (self.root / self.templates_dir).resolve()

    def plugin_paths(self) -> list[Path]:
        """Where the site's local plugins are: the ``plugins:`` option, else ``plugins/``.

        Listed paths were checked when the configuration was loaded; the
        conventional ``plugins/`` folder is simply skipped when absent.
        """
        if self.plugins is None:
            folder = self.root / LOCAL_PLUGINS_DIR
            return [folder.resolve()] if folder.is_dir() else []
        return [(self.root / entry).resolve() for entry in self.plugins]

    def theme_path(self) -> Path:
        """The theme folder: the site's own ``themes/<name>``, else a built-in theme."""
        file, line = self.source or CONFIG_FILE, self.lines.get("theme")
        if Path(self.theme).name != self.theme or self.theme in ("", ".", ".."):
            raise ConfigError(
                f"option 'theme': '{self.theme}' is a path, not a theme's name",
                file=file,
                line=line,
                fix="Name a folder in the site's themes/ folder (e.g. 'theme: ours' for"
                " themes/ours/), or a built-in theme such as 'default'.",
            )
        local = self.root / "themes" / self.theme
        if local.is_dir():
            if not (local / "templates").is_dir():
                raise ConfigError(
                    f"option 'theme': the theme folder themes/{self.theme}/ has no templates/"
                    " folder",
                    file=file,
                    line=line,
                    fix="A theme holds templates/ (and static/): start from a copy of the"
                    " built-in default theme's two folders (see docs/templates.md).",
                )
            return local.resolve()
        builtin = Path(str(files("sendsite.themes").joinpath(self.theme)))
        if builtin.is_dir():
            return builtin
        available = sorted(
            p.name
            for p in Path(str(files("sendsite.themes"))).iterdir()
            if p.is_dir() and not p.name.startswith(("_", "."))
        )
        raise ConfigError(
            f"option 'theme': there is no theme called '{self.theme}'",
            file=file,
            line=line,
            fix=f"Use one of: {', '.join(available)}, or add a folder themes/{self.theme}/.",
        )

    def input_folders(self) -> list[tuple[str, Path]]:
        """The folders a build reads (or keeps its own work in, ``.sendsite/``), named for
        messages: the output must stay clear of them.

        The site's own ``templates/``, ``themes/<theme>`` and ``plugins/`` count
        even before they exist, since a site written there would be read back.
        """
        folders = [
            ("content folder", self.content_path),
            ("templates folder", self.templates_path),
            ("theme folder", (self.root / "themes" / self.theme).resolve()),
            ("theme folder", self.theme_path()),
        ]
        if self.plugins is None:
            plugins = [(self.root / LOCAL_PLUGINS_DIR).resolve()]
        else:
            plugins = self.plugin_paths()
        folders += [("plugins folder", path) for path in plugins]
        # sendsite's own working folder: the cache, its pages, the spare site.
        folders.append(("working folder", (self.root / ".sendsite").resolve()))
        return folders


# Key in sendsite.yml -> (dataclass field, expected type, example).
_OPTIONS: dict[str, tuple[str, type, str]] = {
    "title": ("title", str, "Northshire SEND reports"),
    "description": ("description", str, "Progress reports of the SEND partnership"),
    "organisation": ("organisation", str, "Example Council"),
    "language": ("language", str, "en-GB"),
    "content": ("content_dir", str, "content"),
    "output": ("output_dir", str, "site"),
    "templates": ("templates_dir", str, "templates"),
    "theme": ("theme", str, "default"),
    "disable_plugins": ("disable_plugins", list, "[northshire]"),
    "plugins": ("plugins", list, "[plugins, tools/glossary_terms.py]"),
    "directory_urls": ("directory_urls", bool, "true"),
    "minify": ("minify", bool, "false"),
    "footer": ("footer", str, "Published by the SEND partnership"),
    "feed_id": ("feed_id", str, "northshire-send-reports"),
    "accessibility_contact": ("accessibility_contact", str, "send.reports@example.gov.uk"),
    "accessibility_reviewed": ("accessibility_reviewed", str, "30 November 2026"),
}


def load_config(root: Path, overrides: dict[str, Any] | None = None) -> SiteConfig:
    """Read ``root/sendsite.yml`` if present and validate it.

    ``overrides`` (dataclass field names) win over the file, for CLI options.
    Raises ``ConfigError`` naming the option, its line and a fix.
    """
    root = root.resolve()
    if not root.is_dir():
        raise ConfigError(
            f"the site folder '{root}' does not exist",
            fix="Pass --source with the folder that holds content/ (and sendsite.yml).",
        )
    path = root / CONFIG_FILE
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    if path.is_dir():  # else taken for no settings at all, and the defaults used unsaid
        raise ConfigError(
            f"{CONFIG_FILE} is a folder, not a file of settings",
            file=path,
            fix=f"Move the folder away, and write the settings in a file called {CONFIG_FILE}.",
        )
    if path.is_symlink() and not path.exists():  # a link to settings kept elsewhere, gone
        raise ConfigError(
            f"{CONFIG_FILE} is a link to '{os.readlink(path)}', which is not there",
            file=path,
            fix="Make the file it links to available (a shared drive not connected?), or "
            f"put a {CONFIG_FILE} of the site's own in its place.",
        )
    if path.is_file():
        data, positions = load_yaml(read_text(path, path), file=path, what="site configuration")
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ConfigError(
                "sendsite.yml must be a set of 'option: value' lines",
                file=path,
                line=1,
                fix="Write e.g. 'title: Our SEND reports'.",
            )
        for key, value in data.items():
            line = positions.line(key)
            if key not in _OPTIONS:
                close = get_close_matches(str(key), list(_OPTIONS), n=1)
                raise ConfigError(
                    f"unknown option '{key}'",
                    file=path,
                    line=line,
                    fix=(f"Did you mean '{close[0]}'? " if close else "")
                    + f"Known options: {', '.join(_OPTIONS)}.",
                )
            name, kind, example = _OPTIONS[key]
            values[name] = _check(key, value, kind, example, path, line)
            if line is not None:
                lines[key] = line
            if key == "plugins":
                _check_plugin_paths(root, values[name], path, line)
            if key == "templates" and not (root / values[name]).is_dir():
                raise ConfigError(
                    f"option 'templates': there is no folder '{values[name]}'",
                    file=path,
                    line=line,
                    fix="Give the folder of the site's own templates, relative to the site"
                    " folder, or leave the option out (templates/ is used if it exists).",
                )
    values.update(overrides or {})
    overridden = {key for key, (name, _, _) in _OPTIONS.items() if name in (overrides or {})}
    known = {f.name for f in fields(SiteConfig)}
    return SiteConfig(
        root=root,
        source=path if path.is_file() else None,
        lines={key: line for key, line in lines.items() if key not in overridden},
        **{k: v for k, v in values.items() if k in known},
    )


def _check_plugin_paths(root: Path, entries: tuple[str, ...], path: Path, line: int | None) -> None:
    for entry in entries:
        target = root / entry
        if target.is_file() and target.suffix != ".py":
            raise ConfigError(
                f"option 'plugins': '{entry}' is not a Python file (name.py) or a folder",
                file=path,
                line=line,
                fix="List plugin files (name.py) and folders relative to the site folder.",
            )
        if not target.exists():
            raise ConfigError(
                f"option 'plugins': there is no file or folder '{entry}'",
                file=path,
                line=line,
                fix="List plugin files (name.py) and folders relative to the site folder, "
                "e.g. 'plugins: [plugins]'.",
            )


def _check(key: str, value: Any, kind: type, example: str, path: Path, line: int | None) -> Any:
    if kind is list:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
    elif kind is bool:
        if isinstance(value, bool):
            return value
    elif kind is str and isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    described = "a list of names" if kind is list else ("true or false" if kind is bool else "text")
    raise ConfigError(
        f"option '{key}': expected {described}, got {value!r}",
        file=path,
        line=line,
        fix=f"Write e.g. '{key}: {example}'.",
    )
