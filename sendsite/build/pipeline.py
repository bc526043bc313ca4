"""The build pipeline in memory: read, link, render — again and again, cheaply.

    content/ --read (format plugins)--> reports and pages --link--> Site
             --render (Jinja2)--> {output path: bytes}

A ``Pipeline`` remembers what it read and rendered; ``refresh`` re-reads only the files
that changed and re-renders only the pages they feed and those that list reports.
``sendsite build`` runs it once; ``sendsite serve`` refreshes one on every save."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2

from sendsite.build.cache import Pieces, hash_as_read, unchanged
from sendsite.build.collisions import Claim, ClaimMemo, collisions, site_collisions
from sendsite.build.dead_links import Loose, dead_links
from sendsite.build.deferred import Deferred, FileContent
from sendsite.build.edits import ContentFiles
from sendsite.build.generated import GeneratedFiles
from sendsite.build.heap import collected_once
from sendsite.build.linking import link
from sendsite.build.page_maker import PageMaker, first_pages
from sendsite.build.pages import Page, gathers, site_pages
from sendsite.build.parallel import in_workers, map_forked, portable, read_many
from sendsite.build.patch import Linked, patch
from sendsite.build.progress import Progress, Stage
from sendsite.build.reading import (
    MAX_ERRORS,
    BuildFailed,
    Collector,
    ReadFile,
    StrictWarnings,
    collect_formats,
)
from sendsite.build.render import compile_now, make_environment, render_for
from sendsite.build.site import Refreshed, Site, SiteCounts
from sendsite.build.spool import PageSpool, spooling, still_there, used
from sendsite.build.static import as_published, theme_and_plugin_files
from sendsite.config import SiteConfig
from sendsite.content.documents import Area, load_area, same_area_address
from sendsite.content.glossary import AbbrMarker
from sendsite.content.markdown import slugify
from sendsite.content.model import Format
from sendsite.plugins.manager import PluginManager, call_each

__all__ = ["Pipeline"]

# Pages that only show their own document; every other kind lists or aggregates.
_OWN_CONTENT_KINDS = {"report", "page"}
#: Pages are rendered in forked workers only if at least one in this many is: for a few
#: pages of a big site, workers cost what the second core gives, and copy what they read.
FEW_PAGES = 10


def _signature(path: Path, area: Area | None) -> tuple[int, int, str]:
    stat = path.stat()
    return (stat.st_mtime_ns, stat.st_size, repr(area))


class Pipeline:
    """Reads and renders a site, keeping what it can between refreshes."""

    def __init__(
        self,
        config: SiteConfig,
        pm: PluginManager,
        *,
        parallel: bool = True,
        progress: Progress | None = None,
        spool: PageSpool | None = None,
        compiled: Path | None = None,
    ) -> None:
        self.config = config
        self.spool = spool  # where a build's pages go instead of memory (``build.spool``)
        self.compiled = compiled  # where compiled templates are kept (``build.cache``)
        self.pm = pm
        #: Read on several cores when there are many files (forks: only when single-threaded).
        self.parallel = parallel
        #: Told of each stage's work as it is done (times it; a terminal shows a bar).
        self.progress = progress or Progress()
        self.formats: dict[str, tuple[str, Format]] = collect_formats(pm)
        self._env: jinja2.Environment | None = None
        self._static: dict[PurePosixPath, Path] | None = None
        self._published: dict[PurePosixPath, Path | bytes] = {}  # see ``published_static``
        self._read: dict[PurePosixPath, ReadFile] = {}
        self._pages: dict[PurePosixPath, FileContent] = {}
        #: Each page's document and its links that name no content file (``dead_links``).
        self._loose: Loose = {}
        self._shape: tuple[Any, ...] = ()
        #: Files read since pages were last rendered (a failed refresh keeps them here).
        self._unrendered: set[PurePosixPath] = set()
        #: What makes each page's address, and which plugin made each generated file.
        self._page_claims: list[Claim] = []
        self._claims = ClaimMemo()
        #: What ``_check_addresses`` last found clear (static files, generated, attachments).
        self._checked: tuple[Any, ...] = (None, None, None)
        self._generated = GeneratedFiles(pm)
        self._memo: dict[str, Any] = {}  # what plugins keep between refreshes: build.memo
        self._content = ContentFiles(config.content_path, config.check_folders)
        #: The last site linked, for a save of edits only to be patched into (``patch``).
        self._linked: Linked | None = None
        #: Series pages shown differently since the last render (None: not known).
        self._touched: set[PurePosixPath] | None = None
        #: The site last rendered and what rendered its pages (for ``refresh``'s ``early``).
        self._made: tuple[Site, PageMaker] | None = None

    def forget_templates(self) -> None:
        """Drop compiled templates and the static file list (after a theme edit)."""
        self._env = None
        self._static = None
        self._pages.clear()

    @property
    def env(self) -> jinja2.Environment:
        if self._env is None:
            dirs = [Path(d) for _, ds in call_each(self.pm, "register_template_dirs") for d in ds]
            templates = self.config.theme_path() / "templates"
            self._env = make_environment(templates, dirs, self.config.templates_path, self.compiled)
        return self._env

    def static_files(self) -> dict[PurePosixPath, Path]:
        """The theme's static files and each plugin's, by output path."""
        if self._static is None:
            theme = self.config.theme_path()
            self._static = theme_and_plugin_files(self.pm, theme)
            self._published = as_published(self._static, theme if self.config.minify else None)
        return self._static

    def published_static(self) -> dict[PurePosixPath, Path | bytes]:
        """The static files as written into the site: the built-in theme's scripts and
        stylesheets minified under ``minify`` (``build.static``), made with the list."""
        self.static_files()
        return self._published

    # --- read and link -----------------------------------------------------------

    def read(
        self, problems: Collector, changed: Collection[Path] | None = None
    ) -> tuple[Site, set[PurePosixPath]]:
        """Read what changed since last time and link the site; return it and the re-read
        files. ``changed``: the paths saved since the last refresh, if known."""
        tree, edits = self._content.look(changed)
        areas: dict[str, Area] = {}
        for path, rel in tree.areas:
            area = problems.attempt(partial(load_area, path, rel))
            if area is not None and area.slug in areas:
                problems.errors.append(same_area_address(areas[area.slug], area))
            elif area is not None:
                areas[area.slug] = area
        # Only the saved documents, when the preview knows what was saved and all the
        # others were read (and still are as they were): the rest are kept in order.
        only_saved = edits is not None and len(self._read) == len(tree.documents)
        current: dict[PurePosixPath, ReadFile] = dict(self._read) if only_saved else {}
        look = tree.documents
        if only_saved:
            look = [(self._content.path_of(rel), rel) for rel in sorted(edits or ())]
        stale: list[tuple[Path, PurePosixPath, tuple[int, int, str]]] = []
        for path, rel in look:
            cached = self._read.get(rel)
            if cached is not None and edits is not None and rel not in edits:
                current[rel] = cached  # not saved since it was read
                continue
            area = areas.get(slugify(rel.parts[0])) if len(rel.parts) > 1 else None
            try:
                signature = _signature(path, area)
            except OSError:
                current.pop(rel, None)
                continue  # deleted while we looked: the next event will tell us
            if cached is None or not (
                cached.signature == signature or cached.saved_unchanged(signature)
            ):
                stale.append((path, rel, signature))
            else:
                current[rel] = cached
        jobs = [(p, r) for p, r, _ in stale]
        # Read with workers, what was read is frozen unlooked at (looking took 0.7 s at
        # 10,000 reports; reading makes no cycles, and a failed read's problems come without
        # their causes, ``portable``); read here alone (a preview's save), an error's cycle
        # is collected.
        here = not in_workers(len(jobs), self.parallel)
        with self.progress.stage("read", len(jobs)) as stage, collected_once(collect=here):
            outcomes = read_many(
                self.pm, self.formats, areas, jobs, parallel=self.parallel, done=stage.advance
            )
        for (_, rel, sig), (kind, value, warnings, scanned) in zip(stale, outcomes, strict=True):
            if kind == "error":
                problems.add(value)
                problems.warnings.extend(warnings)
                current.pop(rel, None)
            else:
                current[rel] = ReadFile(sig, value, warnings, *(scanned or (None, True, "")))
        if not only_saved:  # in the content folder's (sorted) order, whatever was read again
            current = {rel: current[rel] for _, rel in tree.documents if rel in current}
        for cached in current.values():
            problems.warnings.extend(cached.warnings)
        reread = {rel for _, rel, _ in stale}
        before, self._read = self._read, current
        self._unrendered |= reread
        linked, self._linked = self._linked, None
        pairs = [(before[r], current[r]) for r in reread if r in before and r in current]
        edited = edits is not None and not problems.errors and len(pairs) == len(reread)
        patched = patch(linked, pairs) if edited and linked else None
        pending, self._touched = self._touched, None  # not known while linking part-way
        if linked is not None and patched is not None:  # each linked as before
            self._touched = None if pending is None else pending | patched
            problems.warnings += linked.warnings(current)
            self._linked = linked
            return linked.site, reread
        readers = len(problems.warnings)
        touched: set[PurePosixPath] = set()
        site = link(self.config, self.pm, tree, areas, current, problems, self._memo, touched)
        self._touched = None if pending is None else pending | touched
        acronyms = {PurePosixPath(w.file): w for w in problems.warnings[readers:] if w.file}
        self._linked = Linked(site, acronyms)
        return site, reread

    # --- render --------------------------------------------------------------------

    @collected_once()
    def render(
        self, site: Site, problems: Collector, *, defer: bool = False
    ) -> tuple[int, int, bool]:
        """Render the pages that need it; return how many were rendered and deferred,
        and whether the site kept its shape.

        A page is kept when the site's shape (pages, glossary, menu, areas, topics)
        is unchanged and nothing it shows was read again: its own file (a report or
        plain page), a re-read file in one of its ``areas`` (a page of some areas).
        With ``defer``, pages that only list what was re-read are made when asked
        for; pages of re-read files, and (if the shape changed) pages whose source
        links to other content files, are rendered now, so mistakes show at once.
        The first refresh, and the first after ``forget_templates``, renders all.
        """
        targets, documents = self._addresses(site)
        by_plugin = [
            (name, page)
            for name, pages in call_each(self.pm, "register_pages", site=site)
            for page in pages
        ]
        extra = [page for _, page in by_plugin]
        own = list(site_pages(site))
        paths = [str(page.path) for page in (*own, *extra)]
        claims = [
            *(Claim(p.path, f"the '{p.title}' page of plugin '{name}'") for name, p in by_plugin),
            *self._claims.of(own),
        ]
        if not self._claims.same(claims):  # the same claims as last time raise nothing
            problems.errors.extend(collisions(claims))
        problems.raise_if_failed()
        self._page_claims = claims
        self._claims.remember(claims)
        site.menu = [(p.menu, str(p.path)) for p in extra if p.menu]
        shape = (
            documents,
            tuple((str(path), rel) for path, rel in site.assets),  # links follow the names
            tuple(site.glossary),
            tuple(site.menu),
            tuple((a.area.slug, a.title) for a in site.areas),
            tuple((t.slug, t.name, t.description, t.words) for t in site.topics),
        )
        everything = shape != self._shape
        make = PageMaker(
            lambda page: self._render_one(site, page),
            targets,
            AbbrMarker(site.glossary),
            directory_urls=self.config.directory_urls,
            published={*map(str, [*self.static_files(), *targets.values()]), *paths},
        )
        with self.progress.stage("render", len(self._page_claims)) as stage:
            rendered, deferred, fresh, loose = self._render_pages(
                site, [*own, *extra], make, problems, stage, everything, defer
            )
        problems.raise_if_failed()
        self._pages, self._shape, self._made, self._loose = fresh, shape, (site, make), loose
        self._unrendered, self._touched = set(), set()
        return rendered, deferred, not everything

    def _addresses(self, site: Site) -> tuple[dict[PurePosixPath, PurePosixPath], tuple[str, ...]]:
        """Where each content file is published (reports, pages, attachments), and the
        reports' and pages' files in order (part of the site's shape). A save patched into
        the site last rendered moves nothing: its addresses are kept."""
        if self._made is not None and self._made[0] is site:
            return self._made[1].targets, self._shape[0]
        targets = {entry.document.relpath: entry.path for entry in site.reports}
        targets.update({plain.document.relpath: plain.path for plain in site.all_pages})
        documents = tuple(sorted(map(str, targets)))
        for path, published in site.assets:
            rel = path.relative_to(self.config.content_path).as_posix()
            targets[PurePosixPath(rel)] = published
        return targets, documents

    def _render_pages(
        self,
        site: Site,
        pages: list[Page],
        make: PageMaker,
        problems: Collector,
        stage: Stage,
        everything: bool,
        defer: bool,
    ) -> tuple[int, int, dict[PurePosixPath, FileContent], Loose]:
        """Render (or keep, or defer) each page; return the counts, the pages and their
        loose links (a page kept or deferred keeps its last: ``dead_links`` checks them
        against the site as it is then)."""
        changed = self._unrendered
        first = not self._pages  # nothing rendered yet, or templates changed: check every page
        changed_areas = {slugify(rel.parts[0]) if len(rel.parts) > 1 else "" for rel in changed}
        deferred = 0
        fresh: dict[PurePosixPath, FileContent] = {}
        to_make: list[Page] = []
        for page in pages:
            own_changed = page.source is not None and page.source.relpath in changed
            keep = self._pages.get(page.path)
            if keep is not None and not everything and not own_changed:
                if self._touched is not None:  # the link said which series pages changed
                    series = page.source is not None and page.source.relpath in self._touched
                else:
                    series = page.kind == "report" and page.context["entry"].in_series
                shows_only_itself = (
                    page.kind in _OWN_CONTENT_KINDS and page.source is not None and not series
                )
                shows_other_areas = page.areas is not None and not page.areas & changed_areas
                if shows_only_itself or not changed or shows_other_areas:
                    fresh[page.path] = keep
                    stage.advance()
                    continue
            now = own_changed or first
            if everything and page.source is not None and not now:  # its links may now differ
                now = self._names_files(page.source.relpath)
            if defer and not now:
                fresh[page.path] = Deferred(partial(make.now, page))
                deferred += 1
                stage.advance()
                continue
            fresh[page.path] = b""  # keeps the pages' order; filled in below
            to_make.append(page)
        parallel = self.parallel and not defer and len(to_make) * FEW_PAGES >= len(pages)
        work = spooling(make, None if defer else used(self.spool, len(pages)))
        if in_workers(len(to_make), parallel):  # made once, here, not in each worker
            compile_now(self.env, (page.template for page in to_make if not gathers(page)))
            site.work_out_changes()
        made = map_forked(
            work, to_make, parallel=parallel, done=stage.advance, portable=portable, here=gathers
        )
        loose = {path: self._loose[path] for path in fresh if path in self._loose}
        for page, (html, errors, refs) in zip(to_make, made, strict=True):
            problems.add(errors)
            loose.pop(page.path, None)
            if html is None:
                del fresh[page.path]
            else:
                fresh[page.path] = html
            if refs and page.source is not None:
                loose[page.path] = (page.source.relpath, tuple(refs))
        if len(problems.errors) > MAX_ERRORS:  # enough to be going on with; the build fails
            problems.capped = True
            del problems.errors[MAX_ERRORS:]
        loose = {path: loose[path] for path in fresh if path in loose}  # in the pages' order
        return len(to_make), deferred, fresh, loose

    def _names_files(self, rel: PurePosixPath) -> bool:
        read = self._read.get(rel)
        return read is None or read.names_files

    def _render_one(self, site: Site, page: Page) -> str:
        context = {"site": site, "config": self.config, "page": page, **page.context}
        return render_for(self.pm, self.env, page, context, self.config.directory_urls)

    def _check_addresses(self, site: Site, generated: Iterable[PurePosixPath]) -> None:
        """Raise ``BuildFailed`` if two things (or content and the build) share an address."""
        static, origins = (
            self.static_files(),
            {p: self._generated.origins.get(p, "?") for p in generated},
        )
        checked = (static, origins, site.assets)
        if self._checked[0] is static and self._checked[1:] == checked[1:] and self._claims.kept:
            return  # nothing that has an address changed since the last check
        errors = site_collisions(
            static, origins, self._page_claims, site.assets, self.config.content_path
        )
        if errors:
            raise BuildFailed(errors, [])
        self._checked = checked

    # --- from one build to the next ----------------------------------------------------

    def keep(self) -> tuple[Any, ...]:
        """What a later build can start from (kept by ``build.cache``)."""
        for r in self._read.values():  # a file read by this build, if not saved since
            r.digest = r.digest or hash_as_read(r.item.document.source, r.signature[:2])
        return (Pieces(self._read), Pieces(self._pages), self._shape, self._loose)

    def resume(self, kept: tuple[Any, ...], since: int) -> None:
        """Start from what ``keep`` returned (``since``: when the build that kept it began
        looking at files): a file whose bytes are as they were is not read again (see
        ``cache.unchanged``), nor a page rendered again that shows nothing read again."""
        reads, pages, self._shape, self._loose = kept
        self._pages, self._touched = still_there(pages), set()  # a page whose file went: made again
        for rel, read in reads.items():
            source = read.item.document.source
            if now := unchanged(source, read.signature[:2], read.digest, since):
                read.signature = (*now, read.signature[2])
                self._read[rel] = read

    # --- both ------------------------------------------------------------------------

    def refresh(
        self,
        *,
        strict: bool = False,
        defer: bool = False,
        changed: Collection[Path] | None = None,
        early: Callable[[dict[PurePosixPath, bytes]], None] | None = None,
    ) -> Refreshed:
        """Bring the in-memory site up to date with the files on disk.

        ``changed`` (the preview's watcher): the paths saved since the last refresh (see
        ``ContentFiles.look``). Raises ``BuildFailed`` with every error found (the previous
        state is kept), or ``StrictWarnings`` when ``strict``. With ``defer``, what only lists
        or aggregates the changed files is made when first asked for (see ``render``).
        ``early`` (the preview) is given the saved reports' pages once made (a save patched
        into the site last rendered), before the pages listing them and the site's checks."""
        problems = Collector()
        site, reread = self.read(problems, changed)
        if early and self._made and self._made[0] is site and self._pages and not problems.errors:
            items = [self._read[rel].item for rel in sorted(reread) if rel in self._read]
            early(first_pages(site, items, self._made[1]))
        try:
            rendered, deferred, same_shape = self.render(site, problems, defer=defer)
        except BuildFailed as failed:
            raise BuildFailed(failed.errors, problems.warnings, capped=failed.capped) from None
        files: dict[PurePosixPath, FileContent] = dict(self.published_static())
        with self.progress.stage("generate"):  # made as written, beside the pages' copying
            generated = self._generated.of(site, defer and same_shape)
        files.update(generated)
        for path, rel in site.assets:
            files[rel] = path
        files.update(self._pages)
        self._check_addresses(site, generated)
        targets = self._made[1].targets if self._made else {}
        problems.warnings += dead_links(self._loose, targets, files, self.config.content_path)
        if strict and problems.warnings:
            raise StrictWarnings(problems.warnings, SiteCounts.of(site))
        pages, warnings = len(self._pages), problems.warnings
        return Refreshed(site, files, pages, rendered, len(reread), warnings, deferred)
