"""Building a plugin manager and calling hooks with the plugin's name attached.

There is no module-level manager: ``make_plugin_manager()`` builds a fresh one
each time (one per build, one per test). Plugins come, in this order, from:

1. sendsite itself (``views``: the cross-area pages);
2. the ``sendsite`` entry-point group (installed packages, the built-in areas too);
3. the site's own folder (``plugins/`` or the ``plugins:`` option; see
   ``local_plugins``), when a ``config`` is given;
4. the ``plugins`` argument (tests).

A module reached twice (an installed package whose files are the site's own
``plugins/`` folder, as in this repository) is registered once, through its
entry point. A local plugin with an installed plugin's name but other files
overrides it: the installed one is not imported.

Some hooks are answered by convention, for a plugin that does not implement
them itself: a module's ``FORMAT`` is what ``register_formats`` returns, and a
package's ``templates/`` and ``static/`` folders (beside the ``__init__.py``
that is its module's ``__file__``) are what ``register_template_dirs`` and
``register_static_dirs`` return: ``[<package>/templates]`` and
``{<plugin name>: <package>/static}``; a ``schema.json`` there is the
``FORMAT``'s schema (``Format.schema``).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from difflib import get_close_matches
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pluggy

from sendsite import __version__, hookspecs
from sendsite.config import CONFIG_FILE
from sendsite.content.model import Format
from sendsite.content.schema import SCHEMA_FILE, front_matter_schema, read_format_schema
from sendsite.errors import ConfigError, PluginError, SendsiteError
from sendsite.plugins.local import LocalPlugin, find_local_plugins, import_local_plugin
from sendsite.plugins.results import check_changed, check_result

if TYPE_CHECKING:
    from sendsite.config import SiteConfig

__all__ = [
    "ENTRY_POINT_GROUP",
    "LoadedPlugin",
    "PluginFailure",
    "PluginManager",
    "call_each",
    "make_plugin_manager",
]

ENTRY_POINT_GROUP = "sendsite"

#: sendsite's own features that are plugins, by name: imported by module name, so
#: the manager does not import them (nor they it) when this module loads.
DEFAULT_PLUGINS = {
    "views": "sendsite.builtin.views",
    "changes": "sendsite.builtin.whats_changed",
}


@dataclass(frozen=True)
class LoadedPlugin:
    """Where a plugin came from, for messages and ``sendsite plugins``.

    ``source`` is ``built-in``, ``entry point``, ``local`` or ``given`` (passed
    in by code, as tests do). ``version`` is the module's ``__version__``, else
    its package's version.
    """

    name: str
    module: str
    package: str = ""
    version: str = ""
    source: str = "given"
    entry_point: str = ""
    path: str = ""
    note: str = ""


@dataclass(frozen=True)
class PluginFailure:
    """A plugin that could not be used, and why (kept by a tolerant manager)."""

    name: str
    source: str
    where: str
    error: PluginError


class PluginManager(pluggy.PluginManager):
    """A pluggy manager that also remembers where each plugin came from."""

    def __init__(self) -> None:
        super().__init__("sendsite")
        self.add_hookspecs(hookspecs)
        self.loaded: dict[str, LoadedPlugin] = {}
        #: Plugins that failed to load (only a ``tolerant`` manager keeps going).
        self.failures: list[PluginFailure] = []
        #: Names the site asked not to load.
        self.disabled: list[str] = []
        #: Installed plugins not loaded because a local plugin has their name.
        self.overridden: dict[str, str] = {}

    def remove(self, name: str) -> None:
        """Unregister a plugin by name (to carry on without it)."""
        if self.has_plugin(name):
            self.unregister(name=name)
        self.loaded.pop(name, None)


def make_plugin_manager(
    *,
    disabled: Iterable[str] = (),
    entry_points: bool = True,
    plugins: Iterable[tuple[str, object]] = (),
    config: SiteConfig | None = None,
    tolerant: bool = False,
) -> PluginManager:
    """A fresh plugin manager with the hookspecs and the plugins in use.

    With ``config``, its ``disable_plugins`` are skipped too and the site's
    local plugins are loaded. A plugin that fails to import, or implements a
    hook that does not exist, raises ``PluginError``; with ``tolerant`` it is
    recorded in ``failures`` instead and the others are still loaded.
    """
    pm = PluginManager()
    skip = set(disabled) | set(config.disable_plugins if config else ())
    pm.disabled = sorted(skip)

    def failed(error: PluginError, source: str, where: str) -> None:
        if not tolerant:
            raise error
        pm.failures.append(PluginFailure(error.plugin, source, where, error))

    local: list[LocalPlugin] = []
    if config is not None:
        try:
            local = find_local_plugins(config.plugin_paths())
        except PluginError as error:
            failed(error, "local", "the site's plugins")
    found = list(local)
    for name, module_name in DEFAULT_PLUGINS.items():
        if name not in skip:  # built-in features, through the same door as any plugin
            module = importlib.import_module(module_name)
            info = LoadedPlugin(
                name, module_name, "sendsite", __version__, "built-in", path=module.__file__ or ""
            )
            _register(pm, module, info)
    if entry_points:
        local = _load_entry_points(pm, skip, local, failed)
    for plugin in local:
        if plugin.name in skip:
            continue
        try:
            module = import_local_plugin(plugin)
            _register(pm, module, _describe_local(pm, plugin, module))
        except PluginError as error:
            failed(error, "local", str(plugin.where))
    if config is not None:
        every = {*DEFAULT_PLUGINS, *(p.name for p in found), *(name for name, _ in plugins)}
        if entry_points:
            every |= {ep.name for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}
        _check_disabled(config, every)
    for name, given in plugins:
        if name not in skip:
            try:
                _register(pm, given, LoadedPlugin(name, _module_name(given)))
            except PluginError as error:
                failed(error, "given", name)
    _check_hook_names(pm, tolerant)
    return pm


_Fail = Callable[[PluginError, str, str], None]


def _check_disabled(config: SiteConfig, every: set[str]) -> None:
    """Raise ``ConfigError`` for a name in ``disable_plugins`` that no plugin has (a typo
    would leave on the very plugin meant to be off)."""
    for name in config.disable_plugins:
        if name not in every:
            close = get_close_matches(name, sorted(every), n=1)
            raise ConfigError(
                f"option 'disable_plugins': there is no plugin called '{name}'",
                file=config.source or CONFIG_FILE,
                line=config.lines.get("disable_plugins"),
                fix=(f"Did you mean '{close[0]}'? " if close else "")
                + f"Plugins: {', '.join(sorted(every))} ('sendsite plugins' lists them).",
            )


def _load_entry_points(
    pm: PluginManager, skip: set[str], local: list[LocalPlugin], failed: _Fail
) -> list[LocalPlugin]:
    """Load installed plugins; return the local plugins still to load."""
    local_names = {p.name for p in local}
    for ep in sorted(
        importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name
    ):
        if ep.name in skip or pm.has_plugin(ep.name):
            continue
        dist = ep.dist
        package = f" (package {dist.name} {dist.version})" if dist else ""
        where = f"entry point '{ep.name} = {ep.value}'{package}"
        file = _module_file(ep.module)
        same = [p for p in local if p.path == file]
        if same:  # the site's own copy is this very module: load it once, as installed
            local = [p for p in local if p not in same]
        elif ep.name in local_names:
            pm.overridden[ep.name] = where.removeprefix("entry point ")
            continue  # the site's own plugin of this name wins; do not import this one
        try:
            module = ep.load()
        except Exception as exc:
            error = PluginError(
                f"could not be loaded from entry point '{ep.value}'{package}: "
                f"{type(exc).__name__}: {exc}",
                plugin=ep.name,
                fix="Reinstall the plugin's package, or disable it in sendsite.yml "
                f"with 'disable_plugins: [{ep.name}]'.",
            )
            error.__cause__ = exc
            failed(error, "entry point", where)
            continue
        info = LoadedPlugin(
            ep.name,
            _module_name(module),
            dist.name if dist else "",
            _version(module, dist.version if dist else ""),
            "entry point",
            f"{ep.name} = {ep.value}",
            str(file or getattr(module, "__file__", None) or ""),
        )
        try:
            _register(pm, module, info)
        except PluginError as error:
            failed(error, "entry point", where)
    return local


def _describe_local(pm: PluginManager, plugin: LocalPlugin, module: object) -> LoadedPlugin:
    overridden = pm.overridden.get(plugin.name)
    return LoadedPlugin(
        plugin.name,
        plugin.module,
        "",
        _version(module, ""),
        "local",
        "",
        str(plugin.path),
        f"used instead of the installed {overridden}" if overridden else "",
    )


def _module_file(module: str) -> Path | None:
    """The file a module would be imported from, without importing it (if top-level)."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not spec.has_location:
        return None
    return Path(spec.origin).resolve()


def _module_name(plugin: object) -> str:
    return plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__module__


def _version(plugin: object, default: str) -> str:
    version = getattr(plugin, "__version__", None)
    return version if isinstance(version, str) and version else default


def _register(pm: PluginManager, plugin: object, info: LoadedPlugin) -> None:
    if any(existing is plugin for existing in pm.get_plugins()):
        return  # the same module reached twice (e.g. installed and local)
    if pm.has_plugin(info.name):  # pluggy's own message lists every plugin's module
        taken = pm.loaded.get(info.name)
        raise PluginError(
            f"another plugin is already called '{info.name}'"
            + (f" ({taken.source}: {taken.module})" if taken is not None else ""),
            plugin=info.name,
            fix="Rename this plugin (and its package, sendsite_<name>); 'views' and "
            "'changes' are sendsite's own.",
        )
    try:
        pm.register(plugin, name=info.name)
    except (pluggy.PluginValidationError, ValueError) as exc:
        raise PluginError(str(exc), plugin=info.name) from None
    pm.loaded[info.name] = info
    try:
        _add_conventions(pm, plugin, info.name)
    except PluginError:
        pm.remove(info.name)
        raise


def _add_conventions(pm: PluginManager, plugin: object, name: str) -> None:
    """Implement, for a module plugin, the hooks its names and folders answer by convention.

    A module's ``FORMAT`` (a ``Format``) answers ``register_formats``; a
    package's ``templates/`` and ``static/`` folders, beside its
    ``__init__.py``, answer ``register_template_dirs`` and
    ``register_static_dirs``; a ``schema.json`` there is the ``FORMAT``'s schema.
    A hook the plugin implements itself is left alone. Each is added in the
    plugin's name, so ``sendsite plugins`` lists it, an error names the plugin,
    and the order between plugins is kept.
    """
    if not isinstance(plugin, ModuleType):
        return
    found: list[tuple[str, Callable[[], object]]] = []
    fmt = getattr(plugin, "FORMAT", None)
    file = getattr(plugin, "__file__", None)
    if isinstance(fmt, Format):
        fmt = _with_schema(fmt, file, name)
        found.append(("register_formats", lambda: [fmt]))
    elif fmt is not None:
        raise PluginError(
            f"its FORMAT is {type(fmt).__name__}, not a Format, so it reads no reports",
            plugin=name,
            fix="Set FORMAT to one Format(...); a plugin with several formats returns them "
            "from a register_formats hook of its own instead.",
        )
    if file and Path(file).name == "__init__.py":
        templates, static = Path(file).parent / "templates", Path(file).parent / "static"
        if templates.is_dir():
            found.append(("register_template_dirs", lambda: [templates]))
        if static.is_dir():
            found.append(("register_static_dirs", lambda: {name: static}))
    for hook, function in found:
        caller = getattr(pm.hook, hook)
        if not any(impl.plugin is plugin for impl in caller.get_hookimpls()):
            opts = pluggy.HookimplOpts(  # a plain @hookimpl's options
                wrapper=False,
                hookwrapper=False,
                optionalhook=False,
                tryfirst=False,
                trylast=False,
                specname=None,
            )
            caller._add_hookimpl(pluggy.HookImpl(plugin, name, function, opts))


def _with_schema(fmt: Format, file: str | None, name: str) -> Format:
    """``fmt`` with the schema of its keys from the ``schema.json`` beside its package's
    ``__init__.py``, if it has none and the file is there."""
    package = file is not None and Path(file).name == "__init__.py"
    path = Path(file).with_name(SCHEMA_FILE) if file and package else None
    if fmt.schema is not None or path is None or not path.is_file():
        return fmt
    try:
        described = replace(fmt, schema=read_format_schema(path))
        front_matter_schema(described)  # a '$ref' to no definition is found now
    except ValueError as exc:
        said = str(exc) if str(exc).startswith(str(path)) else f"{path}: {exc}"
        raise PluginError(
            said, plugin=name, fix="Correct the file: it is JSON Schema (draft-07)."
        ) from None
    return described


def _check_hook_names(pm: PluginManager, tolerant: bool) -> None:
    """A hook implementation whose name is not a hook is an error, not ignored."""
    while True:
        try:
            pm.check_pending()
            return
        except pluggy.PluginValidationError as exc:
            name = pm.get_name(exc.plugin) or "?"
            wrong = re.search(r"unknown hook '(\w+)'", str(exc))
            close = get_close_matches(wrong.group(1), _hook_names(), n=1) if wrong else []
            error = PluginError(
                str(exc),
                plugin=name,
                fix=(f"Did you mean '{close[0]}'? " if close else "")
                + "A function marked @hookimpl must be named after a sendsite hook; "
                "check its spelling against the hook reference (docs/hooks.md).",
            )
            if not tolerant:
                raise error from None
            info = pm.loaded.get(name)
            where = info.entry_point or info.path if info else name
            pm.failures.append(PluginFailure(name, info.source if info else "?", where, error))
            pm.remove(name)


def _hook_names() -> list[str]:
    return [n for n in dir(hookspecs) if hasattr(getattr(hookspecs, n), "sendsite_spec")]


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
        if impl.hookwrapper or impl.wrapper:
            raise PluginError(
                "is a hook wrapper, which sendsite's hooks do not support",
                plugin=name,
                hook=hook,
                fix="Remove 'wrapper=True' (or 'hookwrapper=True') from its @hookimpl and "
                "return the hook's result directly.",
            )
        args = {arg: kwargs[arg] for arg in impl.argnames}
        try:
            result = impl.function(**args)
        except (SendsiteError, KeyboardInterrupt):
            raise
        except BaseException as exc:  # anything else a plugin raises is its own fault
            what = (
                f"tried to end the program (SystemExit {exc.code!r})"
                if isinstance(exc, SystemExit)
                else f"raised {type(exc).__name__}" + (f": {exc}" if str(exc) else "")
            )
            raise PluginError(what, plugin=name, hook=hook, file=file, fix=_BUG) from exc
        wrong = check_result(hook, result)
        if wrong is not None:
            raise PluginError(f"returned {wrong}", plugin=name, hook=hook, file=file, fix=_BUG)
        if (changed := check_changed(hook, kwargs)) is not None:
            raise PluginError(f"left {changed}", plugin=name, hook=hook, file=file, fix=_BUG)
        if result is not None:
            results.append((name, result))
    return results


_BUG = (
    "This is a bug in the plugin, not in your content: report it to the "
    "plugin's authors (run with --verbose for the traceback)."
)
