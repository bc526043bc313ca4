"""Rendering pages with Jinja2: template lookup order, helpers, clear errors.

Templates are looked up in the site's own ``templates/`` folder, then each
plugin's template folders, then the theme. ``default:NAME`` always means the
theme's own template, so an override can extend the one it replaces::

    {% extends "default:base.html" %}
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Iterable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import jinja2
import jinja2.bccache
import jinja2.meta

from sendsite.build.urls import linker
from sendsite.errors import PluginError, SendsiteError
from sendsite.plugins.manager import PluginManager, call_each

if TYPE_CHECKING:
    from sendsite.build.pages import Page

__all__ = [
    "RENDER_NAMES",
    "TemplateError",
    "check_own_names",
    "compile_now",
    "made_once",
    "make_environment",
    "render_for",
    "render_page",
]


class TemplateError(SendsiteError):
    """A template is missing, has a syntax error, or failed while rendering."""


def make_environment(
    theme_templates: Path,
    plugin_template_dirs: Iterable[Path] = (),
    site_templates: Path | None = None,
    compiled: Path | None = None,
) -> jinja2.Environment:
    """The Jinja2 environment for a build: autoescape on, undefined names are errors.
    Looked up in the site's templates, the plugins', then the theme's; ``default:`` names
    the theme's, ``plugin:`` the plugins' (or the theme's).
    ``compiled``: a folder where templates are kept compiled for the next build (Jinja2's
    bytecode cache: a template whose source changed is compiled again)."""
    theme = jinja2.FileSystemLoader(str(theme_templates))
    chain: list[jinja2.BaseLoader] = []
    if site_templates is not None and site_templates.is_dir():
        chain.append(jinja2.FileSystemLoader(str(site_templates)))
    plugins = [jinja2.FileSystemLoader(str(d)) for d in plugin_template_dirs]
    chain.extend(plugins)
    chain.append(theme)
    # "default:NAME" is the theme's; "plugin:NAME" what the plugins (then the theme) give,
    # so a site's own template can extend the plugin's one it replaces.
    given = jinja2.ChoiceLoader([*plugins, theme])
    chain.append(jinja2.PrefixLoader({"default": theme, "plugin": given}, delimiter=":"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(chain),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_KeptCompiled(str(compiled)) if compiled else None,
        # Templates are kept in a plain dict, never evicted (a site has tens of them), not
        # in Jinja2's LRU cache: that one takes a lock on every look-up, and a worker
        # forked (``build.parallel``) while this process rendered a page inside it would
        # inherit the lock taken and wait for it forever on its first page.
        cache_size=-1,
    )
    return env


class _KeptCompiled(jinja2.FileSystemBytecodeCache):
    """Jinja2's bytecode cache, but a template it cannot keep or give back (a full disk,
    its folder gone) is only compiled: the cache saves time, never fails a build."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def compile_now(env: jinja2.Environment, names: Iterable[str]) -> None:
    """Compile the templates ``names`` and those they extend, include or import, now.

    Called before pages are given to forked workers: they then share the compiled
    templates instead of each compiling its own on its first page (about 80 ms for a
    report's templates, again in each worker started). A template that is missing or
    does not compile is left for its page's render to report.
    """
    todo, seen = sorted(set(names)), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            env.get_template(name)
            source = env.loader.get_source(env, name)[0] if env.loader else ""
            todo += [n for n in jinja2.meta.find_referenced_templates(env.parse(source)) if n]
        except jinja2.TemplateError:
            continue


def render_page(
    env: jinja2.Environment,
    template: str,
    path: PurePosixPath,
    context: dict[str, Any],
    *,
    directory_urls: bool = True,
) -> str:
    """Render ``template`` as the page written at output ``path``.

    Adds ``url(target)`` (a relative link from this page to a site path),
    ``page_path``, ``root`` (the relative path to the site root) and ``once`` (see
    ``made_once``).
    """

    url = linker(path, directory_urls=directory_urls)
    try:
        tmpl = env.get_template(template)
        return tmpl.render(
            **context,
            url=url,
            page_path=str(path),
            root=url("index.html"),
            once=made_once(),
        )
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"template syntax error: {exc.message}",
            file=exc.filename or exc.name or template,
            line=exc.lineno,
            fix="Check the {% %} and {{ }} tags on that line are closed and spelt right.",
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(
            f"template '{exc.name}' was not found (needed for {path})",
            fix="Check the template name in the format plugin, or add it to templates/.",
        ) from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(
            f"while rendering {path} with '{template}': {exc.message}",
            fix="A template uses a name that is not set: check its spelling, "
            "or guard it with {% if name is defined %}.",
        ) from None
    except RecursionError:
        raise TemplateError(
            f"rendering {path} with '{template}': a template extends itself, or templates "
            "extend one another in a loop",
            fix="To extend the template an override replaces, name it with a prefix: "
            "'default:' for the theme's, 'plugin:' for a plugin's "
            '({% extends "plugin:northshire/report.html" %}).',
        ) from None


def render_for(
    pm: PluginManager,
    env: jinja2.Environment,
    page: Page,
    context: dict[str, Any],
    directory_urls: bool = True,
) -> str:
    """``render_page`` for ``page`` with ``context`` and each plugin's
    ``extra_template_vars`` (none may replace a name sendsite gives, nor one another
    plugin gives: ``check_own_names``)."""
    file = page.source.relpath if page.source else None
    own, given = {*context, *RENDER_NAMES}, dict[str, str]()
    for plugin, extra in call_each(
        pm, "extra_template_vars", template=page.template, page=page, file=file
    ):
        check_own_names(plugin, extra, own, given)  # (not the page's: said once)
        given.update(dict.fromkeys(extra, plugin))
        context.update(extra)
    return render_page(env, page.template, page.path, context, directory_urls=directory_urls)


#: Names ``render_page`` gives every template itself, and those the theme's templates
#: import (``ui``, their macros).
RENDER_NAMES = frozenset({"url", "page_path", "root", "once", "ui"})


def made_once() -> Callable[..., Any]:
    """A page's ``once(macro, *args)``: ``macro(*args)``, made the first time it is asked
    for on the page and given again for the same macro and the same objects (a tracker
    makes each report's cell once, not once for each of its rows)."""
    made: dict[tuple[int, ...], tuple[Any, Any]] = {}

    def once(macro: Callable[..., Any], *args: Any) -> Any:
        key = (id(macro), *map(id, args))
        if key not in made:  # the objects are kept with it, so no other takes their ids
            made[key] = ((macro, args), macro(*args))
        return made[key][1]

    return once


def check_own_names(
    plugin: str, extra: dict[str, Any], own: Collection[str], given: dict[str, str]
) -> None:
    """Refuse ``extra_template_vars`` from ``plugin`` that would replace a name sendsite
    gives the template (``own``: ``page``, ``site``, ``url``, a page's own ``report``…)
    or one another plugin gives (``given``: each name, and the plugin)."""
    taken = sorted(name for name in extra if name in own)
    shared = sorted(name for name in extra if given.get(name, plugin) != plugin)
    if not taken and not shared:
        return
    names = ", ".join(f"'{name}'" for name in taken or shared)
    whose = "sendsite sets itself" if taken else f"plugin '{given[shared[0]]}' gives too"
    raise PluginError(
        f"returned the template variable {names}, which {whose}",
        plugin=plugin,
        hook="extra_template_vars",
        fix="Give it a name of the plugin's own (its name as a prefix, say): "
        + ("the templates use sendsite's." if taken else "each plugin's is its own."),
    )
