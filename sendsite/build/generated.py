"""Plugins' generated files (``register_files``): made at once, or when first asked for."""

from __future__ import annotations

from functools import partial
from pathlib import PurePosixPath

from sendsite.build.deferred import Deferred, FileContent, Streamed, content_bytes
from sendsite.build.site import Site
from sendsite.errors import PluginError
from sendsite.plugins.manager import PluginManager, call_each

__all__ = ["GeneratedFiles"]


class GeneratedFiles:
    """The files plugins generate, and which plugin made each (for address clashes)."""

    def __init__(self, pm: PluginManager) -> None:
        self.pm = pm
        #: The plugin that last gave each path.
        self.origins: dict[PurePosixPath, str] = {}
        #: The paths plugins gave when last called at once.
        self._paths: list[PurePosixPath] | None = None

    def of(self, site: Site, defer: bool) -> dict[PurePosixPath, FileContent]:
        """Plugins' files for ``site``; with ``defer``, made when asked for under the paths
        they had when last made at once (the site kept its shape). A file given as pieces
        (``Streamed``) is made as it is written."""

        def collect() -> dict[PurePosixPath, FileContent]:
            made: dict[PurePosixPath, FileContent] = {}
            for name, extra in call_each(self.pm, "register_files", site=site):
                for path, data in extra.items():
                    rel = PurePosixPath(path)
                    if rel in made and self.origins[rel] != name:
                        raise PluginError(
                            f"gives the file '{rel}', which plugin '{self.origins[rel]}' gives too",
                            plugin=name,
                            hook="register_files",
                            fix="Give one of them another path, or disable one of the two "
                            "plugins in sendsite.yml (disable_plugins).",
                        )
                    if isinstance(data, Streamed):
                        data.origin = (name, rel)  # named if making it fails
                    made[rel] = data
                    self.origins[rel] = name
            return made

        if defer and self._paths is not None:
            group = Deferred(collect)
            return {path: Deferred(partial(_one_file, group, path)) for path in self._paths}
        made = collect()
        self._paths = sorted(made)
        return dict(made)


def _one_file(group: Deferred[dict[PurePosixPath, FileContent]], path: PurePosixPath) -> bytes:
    """One file of a group of generated files made together when first asked for."""
    return content_bytes(group.get().get(path))
