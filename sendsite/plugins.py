"""Building a plugin manager and calling hooks with the plugin's name attached.

There is no module-level manager: ``make_plugin_manager()`` builds a fresh one
each time (one per build, one per test).
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pluggy

from . import hookspecs
from .errors import PluginError, SendsiteError

__all__ = [
    "ENTRY_POINT_GROUP",
    "LoadedPlugin",
    "PluginManager",
    "call_each",
    "make_plugin_manager",
]

ENTRY_POINT_GROUP = "sendsite"


@dataclass(frozen=True)
class LoadedPlugin:
    """Where a plugin came from, for messages and ``sendsite plugins``."""

    name: str
    module: str
    package: str = ""
    version: str = ""


class PluginManager(pluggy.PluginManager):
    """A pluggy manager that also remembers where each plugin came from."""

    def __init__(self) -> None:
        super().__init__("sendsite")
        self.add_hookspecs(hookspecs)
        self.loaded: dict[str, LoadedPlugin] = {}


def make_plugin_manager(
    *,
    disabled: Iterable[str] = (),
    entry_points: bool = True,
    plugins: Iterable[tuple[str, object]] = (),
) -> PluginManager:
    """A fresh plugin manager with the hookspecs and the installed plugins.

    Plugins come from the ``sendsite`` entry-point group (unless
    ``entry_points`` is false) and from ``plugins`` (name, module-or-object)
    pairs. Names in ``disabled`` are skipped. A plugin that fails to import,
    or implements a hook that does not exist, raises ``PluginError``.
    """
    pm = PluginManager()
    skip = set(disabled)
    if "views" not in skip:
        from . import views  # the built-in cross-area pages, through the same door

        _register(pm, "views", views, "sendsite", "")
    if entry_points:
        for ep in sorted(
            importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name
        ):
            if ep.name in skip or pm.has_plugin(ep.name):
                continue
            dist = ep.dist
            try:
                module = ep.load()
            except Exception as exc:
                raise PluginError(
                    f"could not be loaded from entry point '{ep.value}'"
                    + (f" (package {dist.name} {dist.version})" if dist else "")
                    + f": {type(exc).__name__}: {exc}",
                    plugin=ep.name,
                    fix="Reinstall the plugin's package, or disable it in sendsite.yml "
                    f"with 'disable_plugins: [{ep.name}]'.",
                ) from exc
            _register(pm, ep.name, module, dist.name if dist else "", dist.version if dist else "")
    for name, plugin in plugins:
        if name not in skip:
            _register(pm, name, plugin, "", "")
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        plugin_name = pm.get_name(exc.plugin) or "?"
        raise PluginError(
            str(exc),
            plugin=plugin_name,
            fix="A function marked @hookimpl must be named after a sendsite hook; "
            "check its spelling against the hook reference.",
        ) from None
    return pm


def _register(pm: PluginManager, name: str, plugin: object, package: str, version: str) -> None:
    if any(existing is plugin for existing in pm.get_plugins()):
        return  # the same module reached twice (e.g. installed and local)
    try:
        pm.register(plugin, name=name)
    except (pluggy.PluginValidationError, ValueError) as exc:
        raise PluginError(str(exc), plugin=name) from None
    module = plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__module__
    pm.loaded[name] = LoadedPlugin(name, module, package, version)


def call_each(pm: pluggy.PluginManager, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
    """Call a hook on every plugin, returning ``(plugin name, result)`` pairs.

    Results of ``None`` are dropped. An exception in a plugin becomes a
    ``PluginError`` naming the plugin, the hook and (if given as ``file``) the
    file being processed; the project's own errors pass through, with the
    plugin named.
    """
    file = kwargs.pop("file", None)
    results = []
    caller = getattr(pm.hook, hook)
    for impl in reversed(caller.get_hookimpls()):
        name = impl.plugin_name
        args = {arg: kwargs[arg] for arg in impl.argnames}
        try:
            result = impl.function(**args)
        except SendsiteError:
            raise
        except Exception as exc:
            raise PluginError(
                f"raised {type(exc).__name__}: {exc}",
                plugin=name,
                hook=hook,
                file=file,
                fix="This is a bug in the plugin, not in your content: report it to the "
                "plugin's authors (run with --verbose for the traceback).",
            ) from exc
        if result is not None:
            results.append((name, result))
    return results
