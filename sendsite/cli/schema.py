"""``sendsite schema [FORMAT]``, and the schemas ``sendsite build`` leaves for editors.

Each format's front-matter schema (``sendsite.content.schema``) is written to
``.sendsite/schemas/<format>.json`` in the site folder at each build, where an
editor's settings can point at it; it is never part of the published site.
"""

from __future__ import annotations

from difflib import get_close_matches
from pathlib import Path

import click

from sendsite.build.reading import collect_formats
from sendsite.config import SiteConfig
from sendsite.content.model import Format
from sendsite.content.schema import front_matter_schema, schema_text
from sendsite.errors import PluginError, SendsiteError
from sendsite.plugins.manager import PluginManager

__all__ = ["SCHEMA_FOLDER", "leave_schemas", "schema_listing", "schema_of", "write_schemas"]

#: Where the build writes the schemas, in the site folder.
SCHEMA_FOLDER = Path(".sendsite", "schemas")


def schema_of(pm: PluginManager, name: str) -> str:
    """The schema of format ``name`` as JSON; an error naming the formats if there is none."""
    formats = collect_formats(pm)
    if name not in formats:
        close = get_close_matches(name, sorted(formats), n=1)
        hint = f"Did you mean '{close[0]}'? " if close else ""
        raise SendsiteError(
            f"unknown format '{name}'",
            fix=f"{hint}The formats are: {', '.join(sorted(formats))} "
            "('sendsite schema' lists them).",
        )
    return _schema(*formats[name])


def schema_listing(pm: PluginManager, config: SiteConfig) -> str:
    """The formats whose schemas ``sendsite schema FORMAT`` prints, and where builds keep them."""
    formats = collect_formats(pm)
    width = max((len(name) for name in formats), default=0)
    lines = ["Formats (sendsite schema FORMAT prints one's front-matter schema):"]
    for name, (plugin, fmt) in sorted(formats.items()):
        own = "" if fmt.schema is not None else "  (core keys only: the plugin gives no schema)"
        lines.append(f"  {name:<{width}}  {fmt.title}, plugin '{plugin}'{own}")
    lines.append(f"'sendsite build' writes each to {config.root / SCHEMA_FOLDER}/<format>.json.")
    return "\n".join(lines)


def leave_schemas(pm: PluginManager, root: Path, *, quiet: bool = False) -> None:
    """``write_schemas`` after a build; a folder that cannot be written is only a warning."""
    try:
        write_schemas(pm, root)
    except OSError as exc:
        if not quiet:
            click.echo(f"warning: the editors' schemas were not written: {exc}", err=True)


def write_schemas(pm: PluginManager, root: Path) -> list[Path]:
    """Write every format's schema into ``root``/.sendsite/schemas/; return the files.

    A file that already holds the same schema is left as it is.
    """
    folder = root / SCHEMA_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (plugin, fmt) in sorted(collect_formats(pm).items()):
        path, text = folder / f"{name}.json", _schema(plugin, fmt)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _schema(plugin: str, fmt: Format) -> str:
    try:
        return schema_text(front_matter_schema(fmt))
    except ValueError as exc:  # a plugin that gives its schema itself, with a mistake
        raise PluginError(
            f"the schema of format '{fmt.name}': {exc}",
            plugin=plugin,
            fix="Correct the plugin's schema: see 'Editor support' in docs/format-plugins.md.",
        ) from None
