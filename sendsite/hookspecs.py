"""The plugin contract: every hook a sendsite plugin can implement.

Hooks come in verb families, as in Datasette:

- ``register_*`` return things the core collects (formats, templates, static
  files, glossary terms); names are checked for duplicates.
- ``prepare_*`` adjust an object in place.
- ``extra_*`` add to what the core produces (template context).

The core calls hooks by keyword, so a hook may gain arguments later and an
implementation can take any subset of them. A plugin is a module (or object)
with functions decorated ``@sendsite.hookimpl``, registered through the
``sendsite`` entry-point group::

    [project.entry-points.sendsite]
    myarea = "sendsite_myarea"
"""

# A hookspec is a signature and a docstring: its body is never run, so mypy's check
# that a function returning a value has a body does not apply here.
# mypy: disable-error-code="empty-body"

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:  # for the signatures only (search records import the manager, which imports this)
    from sendsite.build.deferred import Streamed
    from sendsite.build.pages import Page
    from sendsite.build.site import Site
    from sendsite.builtin.search.records import SearchRecord
    from sendsite.content.documents import Area, Document
    from sendsite.content.model import Format, GlossaryTerm, Report

hookspec = pluggy.HookspecMarker("sendsite")
hookimpl = pluggy.HookimplMarker("sendsite")


@hookspec
def register_formats() -> list[Format]:
    """Return the report formats this plugin reads.

    Each ``Format`` names the value of ``format:`` in front matter that
    selects it, a ``read(document) -> Report`` function, the template that
    renders the report page, and the area's status keys. ``read`` must be a
    pure function of the document: validate as you go and raise
    ``ContentError`` (``document.error(...)`` or ``Fields``) with the key's
    line; return the format's typed model in ``Report.model`` and the common
    items (milestones/actions, risks, glossary terms) beside it. Two plugins
    registering the same format name is an error.

    A plugin module that defines ``FORMAT`` (a ``Format``) and does not
    implement this hook provides that format, as if it returned ``[FORMAT]``.
    """


@hookspec
def register_template_dirs() -> list[Path]:
    """Return folders of Jinja2 templates this plugin contributes.

    Put a format's templates in a sub-folder named after the plugin
    (``templates/myarea/report.html``) to avoid clashes. A site's own
    ``templates/`` folder overrides these; these override the theme's.

    A plugin package that does not implement this hook contributes its
    ``templates/`` folder (beside its ``__init__.py``), if it has one.
    """


@hookspec
def register_static_dirs() -> dict[str, Path]:
    """Return static folders to publish, as ``{name: folder}``.

    Each folder is copied to ``static/<name>/`` in the site; templates link
    to it with ``{{ url('static/<name>/file.css') }}``.

    A plugin package that does not implement this hook publishes its
    ``static/`` folder (beside its ``__init__.py``), if it has one, as
    ``static/<plugin name>/``.
    """


@hookspec
def register_glossary_terms() -> list[GlossaryTerm]:
    """Return glossary terms this plugin knows, independent of any one report.

    Terms found inside a report belong in that report's ``Report.glossary``.
    """


@hookspec
def prepare_report(report: Report, document: Document, area: Area | None) -> None:
    """Adjust a report in place after its format has read it.

    Called for every report, whichever plugin read it: add common items,
    fix up titles, add sections. Must not do I/O beyond the document.
    """


@hookspec
def extra_template_vars(template: str, page: Page) -> dict[str, Any] | None:
    """Return extra variables for rendering ``template`` for ``page``.

    ``page`` is the page being rendered (its ``kind`` is ``home``, ``area``,
    ``report``, ``page``, ``not-found``, ``accessibility``, or a cross-area page's
    kind). Return ``None`` to add nothing.
    """


@hookspec
def register_pages(site: Site) -> list[Page]:
    """Return extra pages built from the whole site (cross-area views, indexes).

    Each is a ``sendsite.build.pages.Page`` with its output path, template, title
    and context; a page with ``menu`` set appears in every page's navigation.
    A page that shows only some areas' reports says which in ``areas`` (their
    slugs), so ``sendsite serve`` leaves it alone when another area changes.
    Called after every report has been read and linked.
    """


@hookspec
def register_files(site: Site) -> dict[str | PurePosixPath, bytes | Streamed] | None:
    """Return extra files to publish, as ``{path in the site: bytes}`` (e.g. data exports).

    A big file can be given as ``sendsite.Streamed(make)``, ``make()`` giving its bytes
    in pieces: it is written as the pieces come, never held whole.
    """


@hookspec
def prepare_search_records(site: Site, records: list[SearchRecord]) -> None:
    """Adjust, in place, what the search index holds before it is built.

    ``records`` is a list of ``sendsite.builtin.search.indexer.SearchRecord``: one per report
    section (and per report, area, plain page and topic), each with its
    ``url`` (a site path, with ``#anchor`` for a section), ``title``, ``text``,
    ``kind`` (``Section``, ``Report``…: the search page's "kind" filter),
    ``area``, ``aka`` (other forms of the glossary terms it mentions, searched
    but never shown) and ``items``: the ``SearchItem`` milestones, actions and
    risks shown in that section, each with its ``anchor`` on the same page,
    ``title``, ``text``, ``kind`` and ``status`` (the shared level's label:
    the "status" filter). Append records for things the pages do not show as
    text, remove ones that only repeat others, or change titles, kinds and
    text. Called once per build, after every page has been rendered; must not
    do I/O.
    """
