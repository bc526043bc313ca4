"""``sendsite serve``: a live preview for authors.

The site is built in memory and served over HTTP on this computer only (by
default). Every save is noticed, the pages it affects are rebuilt, and open
browser tabs reload themselves. A broken file never stops the server: the
browser shows what is wrong and where, and the page comes back by itself once
the file is fixed.

This is a preview server, not a web server for production: it serves one
person, from memory, with a reload script injected into every page. Publish
``sendsite build``'s ``site/`` folder on a real web server instead.

Even so it stands up to a hostile browser tab or a careless plugin:

- it answers only requests whose ``Host`` names this computer (see
  ``allowed_hosts``), so a web page cannot read the preview through a domain
  name of its own pointed at 127.0.0.1 (DNS rebinding);
- a source file (an attachment, a theme's or plugin's static file) is read
  when asked for, and only if it is still inside the folder it was found in:
  swapped for a link to elsewhere, it is not found;
- any failure in a rebuild, even ``SystemExit`` from a plugin, becomes the
  error page; the next save tries again.
"""

from __future__ import annotations

import contextlib
import threading
import time
import traceback
from collections import ChainMap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath

from sendsite.build.deferred import FileContent, Folders, content_bytes, read_confined
from sendsite.build.pipeline import Pipeline
from sendsite.build.progress import Progress
from sendsite.build.reading import BuildFailed, StrictWarnings
from sendsite.builtin.search.live_index import BackgroundIndexer
from sendsite.cli.messages import view_problem
from sendsite.config import CONFIG_FILE, LOCAL_PLUGINS_DIR, SiteConfig, load_config
from sendsite.content.documents import resolved
from sendsite.errors import Problem, SendsiteError
from sendsite.plugins.manager import PluginManager, call_each, make_plugin_manager
from sendsite.serve.error_page import error_page, interrupted
from sendsite.serve.tabs import RECENT, same_page

__all__ = ["LiveSite", "Snapshot"]


@dataclass
class Snapshot:
    """What the server shows right now: the last good files, or the current errors."""

    generation: int
    files: dict[PurePosixPath, FileContent]
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    error_page: bytes = b""
    #: Where the source files in ``files`` may be read from (checked on every read).
    folders: Folders = field(default_factory=Folders)


#: The most warnings a rebuild prints (``sendsite check`` prints them all).
WARNINGS_SHOWN = 20


class LiveSite:
    """Builds the site in memory and keeps it current as files change.

    ``rebuild(changed)`` is called with the paths that changed; it re-reads
    the configuration, forgets compiled templates, or just refreshes content,
    as each change requires. It never raises (but for Ctrl-C in the main
    thread): content and plugin problems, and any unexpected failure, become
    the error page.
    """

    def __init__(
        self, root: Path, log: Callable[[str], None] = print, progress: Progress | None = None
    ) -> None:
        self.root = root.resolve()
        self.log = log
        #: Shown for the first build only (a terminal's progress bars).
        self._first_progress = progress
        self._cond = threading.Condition()
        self.closed = False
        self.snapshot = Snapshot(0, {})
        self.config: SiteConfig | None = None
        self.pipeline: Pipeline | None = None
        #: Set after an unexpected failure, which may have left the pipeline half-updated.
        self._start_afresh = False
        #: The search index, rebuilt in the background once edits settle.
        self.search = BackgroundIndexer(log)
        #: The last few snapshots published, by generation (what a waiting tab shows).
        self._recent: dict[int, Snapshot] = {}
        #: Shows the errors of a rebuild made with ``hold_errors``, not yet shown.
        self.held: Callable[[], None] | None = None

    def files(self, snapshot: Snapshot) -> Mapping[PurePosixPath, FileContent]:
        """The snapshot's files plus the search index's (kept separately, updated later)."""
        if not self.search.files:
            return snapshot.files
        # ChainMap only reads here; typeshed asks for MutableMappings, invariant in their
        # values, so the index's dict of Paths is not taken as one of FileContent.
        return ChainMap(snapshot.files, self.search.files)  # type: ignore[arg-type]

    def close(self) -> None:
        """Answer the tabs waiting for a build; stop the search indexer, remove its files."""
        with self._cond:
            self.closed = True
            self._cond.notify_all()
        self.search.close()

    # --- what to watch ----------------------------------------------------------------

    def watched_folders(self) -> list[Path]:
        """Folders whose every change matters: content, templates, theme, plugins' files."""
        folders = [self.root / "themes"]
        if self.config is None:
            folders += [self.root / "content", self.root / "templates"]
        else:
            folders += [self.config.content_path, self.config.templates_path]
            # A listed single-file plugin: its folder (the root itself is watched shallowly).
            folders += [
                p if p.is_dir() else p.parent
                for p in self.config.plugin_paths()
                if p.is_dir() or p.parent != self.root.resolve()
            ]
            with contextlib.suppress(SendsiteError):
                folders.append(self.config.theme_path())
        if self.pipeline is not None:
            pm = self.pipeline.pm
            try:
                folders += [
                    Path(d) for _, ds in call_each(pm, "register_template_dirs") for d in ds
                ]
                folders += _static_dirs(pm)
            except BaseException as error:  # a failing plugin: the rebuild reports it
                if interrupted(error):
                    raise
        return sorted({resolved(f) for f in folders})

    def read_by_the_site(self, changed: set[Path]) -> set[Path]:
        """``changed`` but for what the site does not read: the output folder (which
        ``sendsite build`` run beside the preview replaces), and files beside
        ``sendsite.yml`` that are not the site's (notes, a log of this preview's own)."""
        config = self.config or SiteConfig(root=self.root)  # (the defaults, if it cannot load)
        output = config.output_path
        read = {path for path in changed if path != output and output not in path.parents}
        if any(path.parent == self.root for path in read):
            # The folders watched (content/ and templates/ may be made after the preview
            # starts), and plugins/, which may be too.
            top = {CONFIG_FILE, LOCAL_PLUGINS_DIR}
            top |= {f.name for f in self.watched_folders() if f.parent == self.root}
            top |= {p.name for p in config.plugin_paths() if p.parent == self.root}
            read = {path for path in read if path.parent != self.root or path.name in top}
        return read

    # --- building ----------------------------------------------------------------------

    def rebuild(self, changed: set[Path] | None = None, *, hold_errors: bool = False) -> Snapshot:
        """Bring the in-memory site up to date; ``None`` means rebuild everything.

        With ``hold_errors``, a failure is neither shown nor logged but kept in ``held``
        (call it to show it): a file caught half-written is saved again a moment later.
        """
        started = time.perf_counter()
        self.held = None
        try:
            pipeline = self._pipeline_for(changed)
            try:
                result = pipeline.refresh(defer=True, changed=changed, early=self._publish_first)
            finally:
                pipeline.progress = Progress()  # bars for the first build only
                # Workers are forked only for the first build, before the server's threads run.
                pipeline.parallel = False
            folders = self._source_folders(pipeline)
        except (BuildFailed, StrictWarnings) as failed:
            errors = getattr(failed, "errors", [])
            return self._failed(errors, failed.warnings, started, hold_errors)
        except SendsiteError as error:
            return self._failed(error.problems, [], started, hold_errors)
        except BaseException as error:  # a bug in a plugin, a template or sendsite
            if interrupted(error):
                raise
            return self.crashed(error, started, hold=hold_errors)
        snapshot = Snapshot(
            self.snapshot.generation + 1, result.files, [], result.warnings, folders=folders
        )
        self._publish(snapshot)
        self.search.schedule(result.site, result.files, pipeline.pm)
        seconds = time.perf_counter() - started
        if changed is None:
            line = f"Built {_count(result.pages, 'page')} in {seconds:.2f} s"
        else:
            line = (
                f"Rebuilt in {seconds:.2f} s after {self._describe(changed)}: "
                f"{result.rendered} of {_count(result.pages, 'page')} rendered"
            )
        self.log(
            line
            + (f" ({result.deferred} more when first opened)" if result.deferred else "")
            + f", {_count(result.reread, 'file')} read"
            + (f", {_count(len(result.warnings), 'warning')}" if result.warnings else "")
            + "."
        )
        self._log_warnings(result.warnings, changed)
        return snapshot

    def _log_warnings(self, warnings: list[Problem], changed: set[Path] | None) -> None:
        """Print the saved files' warnings (all, after the first build), as ``check`` does."""
        base = self.config.content_path if self.config else self.root
        saved = {p.resolve() for p in changed} if changed is not None else None
        shown = [
            w for w in warnings
            if saved is None or (w.file is not None and (base / w.file).resolve() in saved)
        ]  # fmt: skip
        self._log_problems(shown[:WARNINGS_SHOWN], "warning")
        if len(shown) > WARNINGS_SHOWN:
            self.log(f"… and {len(shown) - WARNINGS_SHOWN} more: sendsite check lists them all.")

    def _describe(self, changed: set[Path]) -> str:
        """What was saved, in a few words: one file's name, or how many and the first."""
        names = sorted(_shown_under(path, self.root) for path in changed)
        if len(names) == 1:
            return f"saving {names[0]}"
        return f"saving {len(names)} files ({names[0]}, …)"

    def _pipeline_for(self, changed: set[Path] | None) -> Pipeline:
        config_file = self.root / CONFIG_FILE
        if (
            self.pipeline is None
            or changed is None
            or self._start_afresh
            or config_file in changed
            or self._touches_local_plugins(changed)
        ):
            # Until the configuration and plugins load, every rebuild tries them again: a
            # broken sendsite.yml stays shown when a report is saved after it.
            self._start_afresh = True
            self.config = load_config(self.root)
            pm = make_plugin_manager(config=self.config)
            # Forking worker processes is only safe before the server's threads start.
            self.pipeline = Pipeline(
                self.config,
                pm,
                parallel=threading.active_count() == 1,
                progress=self._first_progress,
            )
            self._first_progress = None
            self._start_afresh = False
            return self.pipeline
        content = self.pipeline.config.content_path
        looks = [f for f in self.watched_folders() if f != content]
        if any(f == p or f in p.parents for p in changed for f in looks):
            self.pipeline.forget_templates()  # a template, theme or plugin file changed
        return self.pipeline

    @staticmethod
    def _source_folders(pipeline: Pipeline) -> Folders:
        """The folders the site's source files are served from: content, static folders."""
        config = pipeline.config
        return Folders(
            [config.content_path, config.theme_path() / "static", *_static_dirs(pipeline.pm)]
        )

    def _touches_local_plugins(self, changed: set[Path]) -> bool:
        """Whether a change is to a local plugin's Python code, or a folder of them made or
        removed (``plugins/`` made by ``sendsite new-area``): it needs a fresh manager."""
        if self.config is None:
            return False
        roots = self.config.plugin_paths()
        return any(
            p.suffix in (".py", "") and any(r == p or r in p.parents for r in roots)
            for p in changed
        )

    def _log_problems(self, errors: list[Problem], level: str = "error") -> None:
        base = self.config.content_path if self.config else self.root
        for problem in errors:
            view = view_problem(problem, base=base)
            self.log(f"{view.where}: {level}: {view.message}" if view.where else view.message)
            for line in view.quote:
                self.log(line)
            if view.fix:
                self.log(f"  How to fix: {view.fix}")

    def _failed(
        self, errors: list[Problem], warnings: list[Problem], started: float, hold: bool
    ) -> Snapshot:
        took = time.perf_counter() - started

        def say() -> None:
            self._log_problems(errors)
            self.log(
                f"Build failed after {took:.2f} s: still serving the last good site; the "
                "browser shows the errors. Save the file again once fixed."
            )

        return self._show_errors(errors, warnings, say, hold)

    def crashed(
        self, error: BaseException, started: float | None = None, *, hold: bool = False
    ) -> Snapshot:
        """Show an unexpected failure as the error page, and log it in one line.

        The next rebuild starts afresh (configuration, plugins, every page), as
        the failure may have left the pipeline half-updated.
        """
        self._start_afresh = True
        problem = self._unexpected(error)
        took = f" after {time.perf_counter() - started:.2f} s" if started is not None else ""
        where = f"{view_problem(problem, base=self.root).where}: " if problem.file else ""
        line = (
            f"Build failed{took}: {where}{problem.message}. Still serving the last good site; "
            "the browser shows the error. Save a file to try again."
        )
        return self._show_errors([problem], [], partial(self.log, line), hold)

    def _unexpected(self, error: BaseException) -> Problem:
        """The problem to show for an exception nobody expected, where the site's code raised it."""
        name = type(error).__name__
        text = str(error)
        place: tuple[str, int] | None = None
        for frame, line in traceback.walk_tb(error.__traceback__):
            file = Path(frame.f_code.co_filename)
            if file.is_absolute() and self.root in file.parents:  # a local plugin or template
                place = (str(file), line)
        where, at = place or (None, None)
        return Problem(
            f"unexpected {name}: {text}" if text else f"unexpected {name}",
            where,
            at,
            fix="This is a bug in a plugin, a template or sendsite, not a mistake in your "
            "content. Fix it, or undo your last change, and save: the page reloads by itself.",
        )

    def _show_errors(
        self, errors: list[Problem], warnings: list[Problem], say: Callable[[], None], hold: bool
    ) -> Snapshot:
        """The error page's snapshot, shown (and ``say`` called) now, or once ``held`` is."""
        old = self.snapshot
        snapshot = Snapshot(old.generation + 1, old.files, errors, warnings, folders=old.folders)
        snapshot.error_page = self._error_page(snapshot)

        def show() -> None:
            say()
            self._publish(snapshot)

        if hold:
            self.held = show
        else:
            show()
        return snapshot

    def _error_page(self, snapshot: Snapshot) -> bytes:
        base = self.config.content_path if self.config else self.root
        env = self.pipeline.env if self.pipeline is not None else None
        return error_page(snapshot.errors, snapshot.warnings, base, self.config, env)

    def request_failed(self, error: BaseException) -> bytes:
        """Report a page that failed when made on request: in the terminal and as its page."""
        if isinstance(error, SendsiteError):
            errors = getattr(error, "errors", None) or [error.problem]
            self._log_problems(errors)
        else:
            errors = [self._unexpected(error)]
            self.log(f"A page failed when opened: {errors[0].message}.")
        return self._error_page(Snapshot(self.snapshot.generation, {}, errors, []))

    def read(self, snapshot: Snapshot, rel: PurePosixPath) -> bytes | None:
        """The bytes of the file at site path ``rel``, or None if it cannot be served.

        A source file is read only if it is still inside the folder it came
        from (see ``read_confined``). Raises what a page made on request raised.
        """
        content: FileContent | None
        if rel in snapshot.files:
            content, folders = snapshot.files[rel], snapshot.folders
        else:  # the search index, written by the indexer to temporary folders of its own
            content = self.search.files.get(rel)
            if not isinstance(content, Path):
                return None
            folders = Folders(self.search.serving)
        if isinstance(content, Path):
            return read_confined(content, folders)
        return content_bytes(content)

    def _publish_first(self, pages: dict[PurePosixPath, bytes]) -> None:
        """Show the saved reports' new pages at once, while the rest is rebuilt: a tab
        showing one of them reloads now; the pages listing them follow with the rebuild."""
        old = self.snapshot
        if pages and not old.errors:
            files = {**old.files, **pages}
            self._publish(
                Snapshot(old.generation + 1, files, [], old.warnings, folders=old.folders)
            )

    def _publish(self, snapshot: Snapshot) -> None:
        with self._cond:
            self.snapshot = snapshot
            self._recent[snapshot.generation] = snapshot
            while len(self._recent) > RECENT:
                del self._recent[min(self._recent)]
            self._cond.notify_all()

    def wait_for_change(self, since: int, timeout: float) -> int:
        """Block until a build newer than ``since`` is published (or ``timeout``)."""
        return self.wait_for_page(since, timeout)[0]

    def wait_for_page(
        self, since: int, timeout: float, served: Callable[[Snapshot], object] | None = None
    ) -> tuple[int, bool]:
        """Block until a build newer than ``since`` changes what ``served`` (a tab's page
        in a snapshot) gives, or ``timeout``; return the newest build's number and
        whether the page changed. Without ``served``, any newer build is a change."""
        deadline = time.monotonic() + timeout
        while True:
            with self._cond:
                newer = partial(_newer, self, since)
                self._cond.wait_for(newer, deadline - time.monotonic())
                now, then = self.snapshot, self._recent.get(since)
            if now.generation == since:
                return since, False
            # (Outside the lock: a page made when first opened may be made here.)
            if served is None or then is None or not same_page(served(then), served(now)):
                return now.generation, True
            since = now.generation  # the page as it was: wait for the next build


def _newer(live: LiveSite, since: int) -> bool:
    return live.snapshot.generation != since or live.closed


def _count(number: int, word: str) -> str:
    return f"{number:,} {word}{'' if number == 1 else 's'}"


def _shown_under(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _static_dirs(pm: PluginManager) -> list[Path]:
    """The plugins' static folders."""
    return [Path(d) for _, dirs in call_each(pm, "register_static_dirs") for d in dirs.values()]
