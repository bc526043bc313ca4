"""``sendsite build`` and ``sendsite check``: the pipeline run once, then written atomically.

    content/ --read--> reports --link--> Site --render--> pages --write (atomic)--> site/
                                                         search index (Pagefind) ┘

Everything is read and rendered before anything is written, and the output
folder is replaced only when the whole build, search index included, has
succeeded.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .config import SiteConfig
from .deferred import FileContent
from .errors import Problem
from .pipeline import Pipeline, Refreshed
from .plugins import PluginManager, make_plugin_manager
from .reading import MAX_ERRORS, BuildFailed, Collector, StrictWarnings, collect_formats
from .search import IndexSummary, index_step
from .site import Site
from .writer import write_site

__all__ = [
    "MAX_ERRORS",
    "BuildFailed",
    "BuildResult",
    "StrictWarnings",
    "build",
    "check_site",
    "collect_formats",
    "read_site",
]


@dataclass
class BuildResult:
    """What a build produced, for the CLI's one-line summary."""

    output: Path
    pages: int
    files: int
    seconds: float
    warnings: list[Problem] = field(default_factory=list)
    #: What the search index holds (None when the site has no search page).
    search: IndexSummary | None = None


def check_site(config: SiteConfig, pm: PluginManager, *, strict: bool = False) -> Refreshed:
    """Read, link and render everything in memory; raise on any error.

    Raises ``BuildFailed`` with every error found, or ``StrictWarnings`` when
    ``strict`` and there are warnings.
    """
    return Pipeline(config, pm).refresh(strict=strict)


def read_site(config: SiteConfig, pm: PluginManager) -> tuple[Site, list[Problem]]:
    """Read and link every content file without rendering (for tools and tests)."""
    problems = Collector()
    site, _ = Pipeline(config, pm).read(problems)
    return site, problems.warnings


def build(
    config: SiteConfig,
    *,
    pm: PluginManager | None = None,
    output: Path | None = None,
    strict: bool = False,
) -> BuildResult:
    """Check the whole site, then write it into ``output`` (default: the config's).

    Nothing is written unless every check passes (with ``strict``, warnings
    count too); the previous output is replaced only when the new one is whole.
    """
    started = time.perf_counter()
    if pm is None:
        pm = make_plugin_manager(config=config)
    checked = check_site(config, pm, strict=strict)
    target = output or config.output_path
    files: dict[PurePosixPath, FileContent] = checked.files
    step = index_step(checked.site, files, pm)
    indexed: list[IndexSummary] = []

    def index(staging: Path) -> None:
        # Inside the new site, before it replaces the old one: a failed index
        # leaves the last good site in place.
        if step is not None:
            indexed.append(step(staging))

    write_site(target, files, before_swap=index)
    return BuildResult(
        target,
        checked.pages,
        len(files),
        time.perf_counter() - started,
        checked.warnings,
        indexed[0] if indexed else None,
    )
