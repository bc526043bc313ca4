"""A site's own plugins: Python files and packages in its folder, used without installing.

    plugins/                      (beside content/; or listed under 'plugins:' in sendsite.yml)
      northshire.py               a plugin in one file        -> plugin 'northshire'
      sendsite_northshire/        a plugin package            -> plugin 'northshire'
        __init__.py

A plugin's name is its module's name without the ``sendsite_`` prefix, with
``_`` written as ``-`` (as its entry point would be named). Files and folders
whose names start with ``_``, ``.`` or ``test`` are not plugins.

Each is imported under its own module name, so a package's relative imports,
its tests and pickling (parallel reads) work as for an installed package. A
module already imported from the same file is reused; one imported from
another file is replaced only if sendsite itself loaded it as a local plugin
(another site's copy, or an edited one).
"""

from __future__ import annotations

import importlib.util
import sys
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from sendsite.errors import PluginError

__all__ = ["LocalPlugin", "find_local_plugins", "import_local_plugin", "plugin_name"]

#: Set on modules sendsite imported as local plugins: the source files' newest mtime.
_STAMP = "__sendsite_local_stamp__"


@dataclass(frozen=True)
class LocalPlugin:
    """A plugin found in the site's folder."""

    name: str
    module: str
    #: The module's file: ``name.py``, or the package's ``__init__.py``.
    path: Path

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"

    @property
    def where(self) -> Path:
        """The file or package folder, as a person would point at it."""
        return self.path.parent if self.is_package else self.path


def plugin_name(module: str) -> str:
    """The plugin name for a module: ``sendsite_north_east`` -> ``north-east``."""
    return module.removeprefix("sendsite_").replace("_", "-")


def find_local_plugins(paths: Iterable[Path]) -> list[LocalPlugin]:
    """The plugins in ``paths`` (files, package folders, or folders holding them).

    Raises ``PluginError`` for a name Python cannot import or two plugins
    with one name.
    """
    found: dict[str, LocalPlugin] = {}
    for file in (f for path in paths for f in _module_files(path)):
        module = file.parent.name if file.name == "__init__.py" else file.stem
        where = file.parent if file.name == "__init__.py" else file
        if not module.isidentifier():
            raise PluginError(
                f"'{where}' cannot be imported: '{module}' is not a Python module name",
                plugin=plugin_name(module),
                fix="Rename it with letters, digits and underscores only, starting with a "
                "letter, e.g. 'sendsite_northshire'.",
            )
        plugin = LocalPlugin(plugin_name(module), module, file.resolve())
        other = found.get(plugin.name)
        if other is not None and other.path != plugin.path:
            raise PluginError(
                f"two local plugins have this name: {other.where} and {plugin.where}",
                plugin=plugin.name,
                fix="Rename or remove one of them.",
            )
        found[plugin.name] = plugin
    return sorted(found.values(), key=lambda p: p.name)


def _module_files(path: Path) -> Iterator[Path]:
    if path.is_file():
        if path.suffix == ".py":
            yield path
        return
    if (path / "__init__.py").is_file():
        yield path / "__init__.py"
        return
    if not path.is_dir():
        return
    for child in sorted(path.iterdir()):
        if child.name.startswith(("_", ".", "test")) or child.name == "conftest.py":
            continue
        if child.is_file() and child.suffix == ".py":
            yield child
        elif child.is_dir() and (child / "__init__.py").is_file():
            yield child / "__init__.py"


def import_local_plugin(plugin: LocalPlugin) -> ModuleType:
    """Import a local plugin's module (or reuse it); raises ``PluginError`` naming the file."""
    existing = sys.modules.get(plugin.module)
    if existing is not None:
        file = getattr(existing, "__file__", None)
        same = file is not None and Path(file).resolve() == plugin.path
        stamp = getattr(existing, _STAMP, None)
        if same and (stamp is None or stamp == _stamp(plugin)):
            return existing
        if not same and stamp is None:
            raise PluginError(
                f"'{plugin.where}' cannot be loaded: a module called '{plugin.module}' is "
                f"already imported from {file or 'elsewhere'}",
                plugin=plugin.name,
                fix="Rename the local plugin (e.g. 'sendsite_<area>'), or uninstall the "
                "package that provides the other module.",
            )
        _forget(plugin.module)  # another site's copy, or an edited one: load it afresh
    spec = importlib.util.spec_from_file_location(
        plugin.module,
        plugin.path,
        submodule_search_locations=[str(plugin.path.parent)] if plugin.is_package else None,
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    setattr(module, _STAMP, _stamp(plugin))
    sys.modules[plugin.module] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        _forget(plugin.module)
        file, line = _where_in(plugin, exc)
        raise PluginError(
            f"could not be loaded from {plugin.where}: {type(exc).__name__}: {exc}",
            plugin=plugin.name,
            file=file,
            line=line,
            fix="Fix the plugin's code (run with --verbose for the traceback), or take it "
            "out of the site's plugins.",
        ) from exc
    return module


def _stamp(plugin: LocalPlugin) -> int:
    files = plugin.path.parent.rglob("*.py") if plugin.is_package else [plugin.path]
    return max((f.stat().st_mtime_ns for f in files if f.is_file()), default=0)


def _forget(module: str) -> None:
    for name in [n for n in sys.modules if n == module or n.startswith(module + ".")]:
        del sys.modules[name]


def _where_in(plugin: LocalPlugin, exc: BaseException) -> tuple[Path | None, int | None]:
    """The plugin's own file and line where ``exc`` happened, if it was in its files."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return Path(exc.filename), exc.lineno
    folder = plugin.path.parent if plugin.is_package else None
    found: tuple[Path | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        if path == plugin.path or (folder is not None and folder in path.parents):
            found = (path, frame.lineno)
    return found
