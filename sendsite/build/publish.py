"""``sendsite build`` and ``sendsite check``: the pipeline run once, then written atomically.

    content/ --read--> reports --link--> Site --render--> pages --write (atomic)--> site/
                                                         search index (Pagefind) ┘

Everything is read and rendered before anything is written into the output
folder (rendered pages wait on disk, in the build's spool: see ``spool``), and
the output folder is replaced only when the whole build, search index
included, has succeeded.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

from sendsite.build.cache import (
    CACHE_FILE,
    INDEX_PAGES,
    StagedCache,
    compiled_templates,
    drop_cache,
    fingerprint,
    load_cache,
    save_cache,
)
from sendsite.build.deferred import FileContent
from sendsite.build.forked import can_fork, in_child, yield_cores
from sendsite.build.heap import collected_once, give_back
from sendsite.build.pipeline import Pipeline
from sendsite.build.progress import Progress
from sendsite.build.reading import (
    MAX_ERRORS,
    BuildFailed,
    Collector,
    StrictWarnings,
    collect_formats,
)
from sendsite.build.reused import ReusedPieces
from sendsite.build.site import Refreshed, Site, SiteCounts
from sendsite.build.spare import spare_for
from sendsite.build.spool import PageSpool, spool_for
from sendsite.build.writer import (
    OutputError,
    last_site,
    output_lock,
    stage_site,
    swap_in,
    writing_into,
)
from sendsite.build.written import as_written
from sendsite.builtin.search.indexer import IndexSummary, RecordMemo, StagedSearch, index_step
from sendsite.builtin.search.pagefind import BUNDLE
from sendsite.config import CONFIG_FILE, SiteConfig
from sendsite.errors import Problem, SendsiteError
from sendsite.plugins.manager import PluginManager, make_plugin_manager

__all__ = [
    "MAX_ERRORS",
    "BuildFailed",
    "BuildResult",
    "SiteCounts",
    "StrictWarnings",
    "build",
    "check_output_place",
    "check_site",
    "collect_formats",
    "read_site",
]


@dataclass
class BuildResult:
    """What a build produced, for the CLI's summary."""

    output: Path
    pages: int
    files: int
    seconds: float
    warnings: list[Problem] = field(default_factory=list)
    #: What the search index holds (None when the site has no search page).
    search: IndexSummary | None = None
    counts: SiteCounts = field(default_factory=SiteCounts)
    #: Seconds per stage (``read``, ``render``, ``generate``, ``write``, ``index``).
    stages: dict[str, float] = field(default_factory=dict)
    #: The size of every file written, search index included.
    output_bytes: int = 0
    #: Content files read, and pages rendered, by this build (fewer than all of them when
    #: the last build's cache held the rest).
    read: int = 0
    rendered: int = 0


def check_site(
    config: SiteConfig,
    pm: PluginManager,
    *,
    strict: bool = False,
    progress: Progress | None = None,
) -> Refreshed:
    """Read, link and render everything in memory; raise on any error.

    Raises ``BuildFailed`` with every error found, or ``StrictWarnings`` when
    ``strict`` and there are warnings.
    """
    return Pipeline(config, pm, progress=progress).refresh(strict=strict)


def read_site(config: SiteConfig, pm: PluginManager) -> tuple[Site, list[Problem]]:
    """Read and link every content file without rendering (for tools and tests)."""
    problems = Collector()
    site, _ = Pipeline(config, pm).read(problems)
    return site, problems.warnings


def check_output_place(config: SiteConfig, output: Path, *, from_config: bool = False) -> None:
    """Refuse an output folder that is, holds or sits inside a folder the build reads.

    A site written inside ``content/`` would be published again inside the next
    one; one that holds the site folder would be replaced by it. Nothing has
    been written when this raises ``OutputError``.
    """
    output = output.resolve()
    where = _place(output, "site folder", config.root.resolve(), inside_ok=True)
    for label, folder in config.input_folders():
        where = where or _place(output, label, folder.resolve(), inside_ok=False)
    if where is None:
        return
    if from_config:
        raise OutputError(
            f"option 'output': the output folder '{output}' {where}",
            file=config.source or CONFIG_FILE,
            line=config.output_line,
            fix="Choose a folder of its own, e.g. 'output: site' (the default); sendsite "
            "replaces the whole output folder at each build.",
        )
    raise OutputError(
        f"the output folder '{output}' {where}",
        fix="Choose a folder of its own for --output, e.g. 'site' in the site folder "
        "(the default); sendsite replaces the whole output folder at each build.",
    )


def _place(output: Path, label: str, folder: Path, *, inside_ok: bool) -> str | None:
    """How ``output`` overlaps ``folder``, as words for a message, or None."""
    if output == folder:
        return f"is the {label} itself"
    if folder.is_relative_to(output):
        return f"holds the {label} '{folder}'"
    if not inside_ok and output.is_relative_to(folder):
        return f"is inside the {label} '{folder}'"
    return None


def build(
    config: SiteConfig,
    *,
    pm: PluginManager | None = None,
    output: Path | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    cache: bool = False,
    own_process: bool = False,
) -> BuildResult:
    """Check the whole site, then write it into ``output`` (default: the config's).

    Nothing is written unless every check passes (with ``strict``, warnings
    count too); the previous output is replaced only when the new one is whole.
    ``progress`` is told of each stage (default: timed only). With ``cache``
    (as ``sendsite build`` does), what the last build read and rendered is used
    where it still holds (see ``build.cache``) and kept for the next. With
    ``own_process`` (the ``sendsite`` program: the build is all its process does), the
    site is read, rendered and written in a child process that has ended, giving all
    its memory back, before Pagefind runs (see ``build.forked``; Pagefind's runs that
    fit beside the child in memory start before the site is written, and index while
    it is: see ``search.background``); inside another program (a test runner) that
    program would be copied too, so it is not done.
    """
    started = time.perf_counter()
    progress = progress or Progress()
    target = output or config.output_path
    check_output_place(config, target, from_config=output is None)
    if pm is None:
        pm = make_plugin_manager(config=config)
    with spool_for(config.root, cached=cache) as spool, output_lock(target):
        args = (config, pm, target, strict, progress, cache, spool)
        make = partial(_make, *args)
        run = partial(in_child, make) if own_process and can_fork() else make
        made = _made_or_cold(run, config) if cache else run()
        progress.seconds.update(made.seconds)
        search = _publish(made, target, progress, spool)
    return BuildResult(
        target,
        made.pages,
        made.files,
        time.perf_counter() - started,
        made.warnings,
        search,
        made.counts,
        dict(progress.seconds),
        made.written + (search.bytes if search is not None else 0),
        made.reread,
        made.rendered,
    )


@dataclass
class _Made:
    """A site written into a staging folder, its search index half made, and the figures
    of the summary: what the process that puts the site in place needs (it pickles)."""

    staging: Path
    search: StagedSearch | None
    cache: StagedCache | None
    #: The spooled pages the new cache names (the spool's files).
    spooled: list[Path]
    pages: int
    files: int
    warnings: list[Problem]
    counts: SiteCounts
    reread: int
    rendered: int
    seconds: dict[str, float]
    #: The bytes of the site's files but the search index's (``BUNDLE``).
    written: int
    #: Where the site this one replaces is kept (``build.spare``), if anywhere.
    spare: Path | None


def _make(
    config: SiteConfig,
    pm: PluginManager,
    target: Path,
    strict: bool,
    progress: Progress,
    cache: bool,
    spool: PageSpool | None,
) -> _Made:
    """``build``'s work up to Pagefind: the site read, rendered and written into a
    staging folder beside ``target`` (its pages in ``spool``, if any), the cache staged."""
    key = fingerprint(config, pm) if cache else ""
    compiled = compiled_templates(config, key) if cache else None
    before = last_site(target)  # the site being replaced, if sendsite wrote it
    if spool is not None:  # a page as the site being replaced has it is that page's file
        spool.last = before
    pipeline = Pipeline(config, pm, progress=progress, spool=spool, compiled=compiled)
    with collected_once(collect=False):  # unpickling: objects that live on, no garbage
        loaded = load_cache(config, key) if cache else None
    kept, last_pieces = (loaded.state, loaded.pieces) if loaded is not None else (None, None)
    del loaded
    looked = time.time_ns()  # before any file is looked at: see ``cache.unchanged``
    if kept is not None:
        pipeline.resume(kept[0], kept[3])
    checked = pipeline.refresh(strict=strict)
    checked.site.memo.clear()  # what plugins keep for the next refresh: a build has none
    give_back()  # what making the data exports used and let go
    files: dict[PurePosixPath, FileContent] = checked.files
    last = target if kept is not None else None  # --no-cache indexes everything
    memo = kept[1] if kept is not None else RecordMemo(words=Counter())  # counts as it makes
    # The data exports' pieces: where they are in the last site, and will be in this one.
    reused = ReusedPieces(kept[2] if kept is not None else {}) if cache else None
    with progress.stage("index", step="records"), collected_once():  # the index's work
        home = config.root / INDEX_PAGES if cache and spool is not None else None
        step = index_step(
            checked.site, files, pm, parallel=True, last=last, memo=memo, home=home, before=before
        )
    state = pipeline.keep() if cache else None
    spans = reused.made if reused else {}
    kept_state = (state, memo.portable(), spans, looked) if state else None
    figures = (checked.pages, len(files), checked.warnings, SiteCounts.of(checked.site))
    reread, rendered = checked.reread, checked.rendered
    # From here only the files (each let go once written), the index step and what the
    # cache keeps are needed: what only the rest held is freed. (The data exports, made
    # as they are written, hold on to the site until then.)
    del checked, pipeline, kept, memo, state
    give_back()
    # Where memory allows, Pagefind indexes while the site and the cache are written.
    early = step.start(target) if step is not None else None
    if early is not None:  # Pagefind first: this process's writing has time to spare
        yield_cores()
    staged: StagedCache | None = None
    staging: Path | None = None
    spooled: list[Path] = []  # the spool's files the cache names (none once written)
    # Else the index is staged (word lists, record pages) while the site is written.
    beside = step.stage_beside(target) if step is not None and early is None else None
    try:
        keep = [run.folder for run in (early, beside) if run is not None]
        spare = spare_for(config.root, target) if cache else None
        staging = stage_site(
            target, files, progress, release=True, keep=keep, reused=reused, spare=spare
        )
        if kept_state is not None:  # the pages as the files just written, not their bytes
            spooled = _as_written(kept_state, staging, target)
        with progress.stage("index", step="search pages"), writing_into(target):
            staged_by = beside.into if beside is not None else step.stage if step else None
            beside = None  # into removes its folder, whatever happens
            search = staged_by(staging) if staged_by is not None else None
        # Once the records' pages are on disk: pickling adds to what the site holds.
        # Written beside the cache in use, and put in place only once the site is.
        with collected_once(collect=False):  # pickling makes no cycles to look for
            staged = save_cache(config, key, kept_state, last_pieces) if kept_state else None
        # The index's bytes come with it; this walk is done while Pagefind indexes, if it does.
        written = _size_of(staging, BUNDLE.parts[0] if step is not None else "")
        if early is not None and search is not None:
            with progress.stage("index"), writing_into(target):
                search.made = early.into(staging)
    except BaseException:
        if early is not None:
            early.cancel()
        if beside is not None:
            beside.cancel()
        if staged is not None:
            staged.drop()
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    del kept_state
    give_back()  # what was let go, before Pagefind runs (in this process: no child)
    return _Made(
        staging, search, staged, spooled, *figures, reread, rendered, dict(progress.seconds),
        written, spare,
    )  # fmt: skip


def _publish(
    made: _Made, target: Path, progress: Progress, spool: PageSpool | None
) -> IndexSummary | None:
    """Finish the search index inside ``made``'s staging folder, then make it ``target``;
    if anything fails, the last site stays and the staged cache is dropped."""
    indexed: list[IndexSummary] = []

    def index(staging: Path) -> None:
        # Inside the new site, before it replaces the old one: a failed index
        # leaves the last good site in place.
        if made.search is not None:  # a stage only if Pagefind is still to run
            to_make = made.search.to_make
            with progress.stage("index") if to_make else contextlib.nullcontext():
                indexed.append(made.search.run(staging))

    try:
        swap_in(made.staging, target, index, made.spare)
    except BaseException:
        if made.search is not None and made.search.index is not None:
            made.search.index.discard()
        if made.cache is not None:
            made.cache.drop()
        raise
    if made.cache is not None:  # only now: the site just written holds these records' index
        made.cache.keep()
        if spool is not None:  # the pages the cache now names, and no others
            spool.keep_only(made.spooled)
    return indexed[0] if indexed else None


def _made_or_cold(run: Callable[[], _Made], config: SiteConfig) -> _Made:
    """``run()`` (a build with the cache); if it fails with an error not of sendsite's own
    (which a mistake in the content or a plugin is) and there is a cache, once more
    without it: what the cache holds may be what failed (files swapped by hand, an older
    sendsite's fault), and would fail every build after it. Not for a lack of memory."""
    try:
        return run()
    except (SendsiteError, MemoryError):
        raise
    except Exception as error:
        if not drop_cache(config):
            raise
        failed = error
    made = run()  # no cache to read now: as any build without one (its fault is its own)
    made.warnings.append(_cache_dropped(failed, config.root))
    return made


def _cache_dropped(error: Exception, root: Path) -> Problem:
    """The warning of a build that could not use its cache, and was made without it."""
    return Problem(
        f"the build cache could not be used ({type(error).__name__}: {error}), so it was "
        "removed and the site was built without it",
        file=root / CACHE_FILE.parent,
        fix="Nothing to do: this build made the cache again. If this warning comes back, "
        "build with --verbose and report what it shows.",
        cause=error,
    )


def _as_written(kept_state: tuple[Any, ...], staging: Path, target: Path) -> list[Path]:
    """Make the cache keep its pages (bytes, or the spool's files) as the files written
    into ``staging`` (``build.written``), and its search records' memo name those files;
    return the spool's files it still names (a page whose file could not be looked at)."""
    pages = kept_state[0][1]
    written = as_written(pages, staging, target)
    reports = kept_state[1].reports
    for path, (seen, digest, made) in reports.items():
        if (seen is None or isinstance(seen, Path)) and path in written:  # this build's page
            reports[path] = (written[path], digest, made)
    return [page for page in pages.values() if isinstance(page, Path)]


def _size_of(folder: Path, leave_out: str) -> int:
    """The bytes of every file under ``folder`` but its folder ``leave_out``'s."""
    total = 0
    for root, folders, names in os.walk(folder):
        if root == str(folder) and leave_out in folders:
            folders.remove(leave_out)
        for name in names:
            with contextlib.suppress(OSError):
                total += os.stat(os.path.join(root, name), follow_symlinks=False).st_size
    return total
