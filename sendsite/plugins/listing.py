"""What ``sendsite plugins`` shows: each plugin in use, where it came from, what it does.

Listing never stops at a broken plugin: one that failed to load, or whose
``register_formats`` raises, is shown with the reason beside the others.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sendsite.content.model import Format
from sendsite.errors import Problem
from sendsite.plugins.manager import LoadedPlugin, PluginManager
from sendsite.plugins.results import check_result

__all__ = ["PluginReport", "describe_plugins", "plugins_as_json", "plugins_as_text"]


@dataclass
class PluginReport:
    """One line of the listing: a plugin in use, or one that failed."""

    name: str
    version: str = ""
    source: str = ""
    loaded_from: str = ""
    path: str = ""
    formats: list[dict[str, str]] = field(default_factory=list)
    hooks: list[str] = field(default_factory=list)
    note: str = ""
    error: str = ""
    fix: str = ""
    #: False for a plugin that failed to load.
    loaded: bool = True


def describe_plugins(pm: PluginManager) -> list[PluginReport]:
    """Every plugin in ``pm``, then every plugin that failed to load, by name."""
    reports = []
    for name, info in sorted(pm.loaded.items()):
        plugin = pm.get_plugin(name)
        report = PluginReport(
            name,
            info.version,
            info.source,
            _loaded_from(info),
            _shown(info.path),
            hooks=sorted(caller.name for caller in pm.get_hookcallers(plugin) or []),
            note=info.note,
        )
        try:
            report.formats = [
                {"name": f.name, "title": f.title, "template": f.template}
                for f in _formats(pm, name)
            ]
        except Exception as exc:  # a broken plugin must not stop the listing
            report.error = f"hook 'register_formats' raised {type(exc).__name__}: {exc}"
        reports.append(report)
    for failure in sorted(pm.failures, key=lambda f: f.name):
        problem: Problem = failure.error.problem
        reports.append(
            PluginReport(
                failure.name,
                source=failure.source,
                loaded_from=failure.where,
                path=_shown(str(problem.file or "")),
                error=problem.message.removeprefix(f"plugin '{failure.name}': "),
                fix=problem.fix or "",
                loaded=False,
            )
        )
    return reports


def _formats(pm: PluginManager, name: str) -> list[Format]:
    formats: list[Format] = []
    for impl in pm.hook.register_formats.get_hookimpls():
        if impl.plugin_name == name:
            found = impl.function()
            wrong = check_result("register_formats", found)
            if wrong is not None:
                raise TypeError(f"returned {wrong}")
            if isinstance(found, list | tuple):  # None adds nothing
                formats.extend(found)
    return formats


def _loaded_from(info: LoadedPlugin) -> str:
    if info.source == "built-in":
        return "built into sendsite"
    if info.source == "entry point":
        package = f" (package {info.package})" if info.package else ""
        return f"entry point {info.entry_point}{package}"
    if info.source == "local":
        return f"the site's own plugins: {_shown(info.path)}"
    return f"given by the caller ({info.module})"


def _shown(path: str) -> str:
    """A path relative to the current folder when it is inside it."""
    if not path:
        return ""
    rel = os.path.relpath(Path(path))
    return path if rel.startswith("..") else rel


def plugins_as_text(reports: list[PluginReport], disabled: list[str]) -> str:
    """The listing for people."""
    used = [r for r in reports if r.loaded]
    broken = [r for r in reports if not r.loaded]
    lines = [f"{_count(len(used), 'plugin')} in use:"]
    for r in used:
        lines += ["", f"{r.name} {r.version}".rstrip(), f"  from:    {r.loaded_from}"]
        if r.path and r.source != "local":
            lines.append(f"  file:    {r.path}")
        if r.note:
            lines.append(f"  note:    {r.note}")
        if r.formats:
            shown = ", ".join(f"{f['name']} ({f['title']})" for f in r.formats)
            lines.append(f"  formats: {shown}")
        lines.append(f"  hooks:   {', '.join(r.hooks) or 'none'}")
        if r.error:
            lines.append(f"  FAILED:  {r.error}")
    if broken:
        lines += ["", f"{_count(len(broken), 'plugin')} failed to load:"]
        for r in broken:
            lines += ["", f"{r.name}: FAILED to load", f"  from:    {r.loaded_from}"]
            if r.path:
                lines.append(f"  file:    {r.path}")
            lines.append(f"  why:     {r.error}")
            if r.fix:
                lines.append(f"  fix:     {r.fix}")
    if disabled:
        lines += ["", f"Disabled in sendsite.yml: {', '.join(disabled)}"]
    return "\n".join(lines)


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def plugins_as_json(reports: list[PluginReport], disabled: list[str]) -> dict[str, Any]:
    """The listing for programs."""
    return {"plugins": [asdict(r) for r in reports], "disabled": disabled}
