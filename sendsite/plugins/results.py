"""Checking what a plugin's hook returned, before sendsite relies on it.

A hook returning the wrong shape (a list where a dict is due, text instead of
bytes, a path with a NUL) would otherwise fail far away with a traceback.
``check_result`` says what is wrong in words; ``call_each`` turns that into a
``PluginError`` naming the plugin and the hook.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath, PurePosixPath
from typing import Any

from sendsite.build.collisions import reserved_for
from sendsite.build.deferred import Streamed
from sendsite.plugins.shapes import describe, wrong_records, wrong_report, wrong_term

__all__ = ["check_changed", "check_result"]


def _bad_path(value: object, *, relative: bool) -> str | None:
    if not isinstance(value, str | PurePath):
        return f"{describe(value)} where a path is due"
    text = str(value)
    if "\x00" in text:
        return f"the path {text!r}, which holds a NUL character"
    if relative:
        if "\\" in text:
            return f"the path {text!r}, which holds a backslash (write '/' between folders)"
        path = PurePosixPath(text)
        if not text or path.is_absolute() or ".." in path.parts or text.endswith("/"):
            return f"the path {text!r}, which is not a file's place inside the site"
        if reserved := reserved_for(path):
            return f"the path {text!r}, which is {reserved}"
    return None


def _list_of(kind: Callable[[], type], noun: str) -> Callable[[object], str | None]:
    def check(result: object) -> str | None:
        if not isinstance(result, list | tuple):
            return f"{describe(result)} instead of a list of {noun}"
        wanted = kind()
        for item in result:
            if not isinstance(item, wanted):
                return f"a list holding {describe(item)} where {noun} are due"
        return None

    return check


def _paths(result: object) -> str | None:
    if not isinstance(result, list | tuple):
        return f"{describe(result)} instead of a list of folders"
    return next((bad for item in result if (bad := _bad_path(item, relative=False))), None)


def _static_dirs(result: object) -> str | None:
    if not isinstance(result, dict):
        return f"{describe(result)} instead of a dict of {{name: folder}}"
    for name, folder in result.items():
        bad = _bad_path(name, relative=True) or _bad_path(folder, relative=False)
        if bad:
            return bad
        if len(PurePosixPath(str(name)).parts) != 1 or str(name).strip(".") == "":
            return f"the name {str(name)!r}, which is not one folder's name (static/<name>/)"
    return None


def _files(result: object) -> str | None:
    if not isinstance(result, dict):
        return f"{describe(result)} instead of a dict of {{path: bytes}}"
    for path, data in result.items():
        if bad := _bad_path(path, relative=True):
            return bad
        if not isinstance(data, bytes | Streamed):
            return f"{describe(data)} for '{path}' where bytes are due (encode text as UTF-8)"
        if isinstance(data, Streamed) and not callable(data.make):
            return (
                f"a Streamed for '{path}' given {describe(data.make)}, not a function that"
                " makes the pieces: write Streamed(make), not Streamed(make())"
            )
    return None


def _pages(result: object) -> str | None:
    if wrong := _list_of(_page, "Page objects")(result):
        return wrong
    for page in result:  # type: ignore[attr-defined]
        path = page.path
        if not isinstance(path, PurePosixPath):
            return (
                f"the page '{page.title}' with its path as {describe(path)}: give a"
                f" PurePosixPath, e.g. PurePosixPath('{str(path).strip('/') or 'x'}')"
            )
        if bad := _bad_path(path, relative=True):
            return f"the page '{page.title}' at {bad}"
        if not path.suffix:
            return (
                f"the page '{page.title}' at '{path}', which names no file: a page's path "
                f"ends in its file's name, e.g. '{path}/index.html'"
            )
        for name, kind in (("kind", str), ("template", str), ("title", str)):
            if not isinstance(getattr(page, name), kind):
                return f"the page at '{path}' with its {name} as {describe(getattr(page, name))}"
    return None


def _template_vars(result: object) -> str | None:
    if not isinstance(result, dict):
        return f"{describe(result)} instead of a dict of template variables"
    bad = next((key for key in result if not isinstance(key, str)), None)
    return None if bad is None else f"a variable name that is {describe(bad)}, not text"


def _format() -> type:
    from sendsite.content.model import Format

    return Format


def _term() -> type:
    from sendsite.content.model import GlossaryTerm

    return GlossaryTerm


def _page() -> type:
    from sendsite.build.pages import Page

    return Page


_CHECKS: dict[str, Callable[[object], str | None]] = {
    "register_formats": _list_of(_format, "Format objects"),
    "register_template_dirs": _paths,
    "register_static_dirs": _static_dirs,
    "register_glossary_terms": lambda result: (
        _list_of(_term, "GlossaryTerm objects")(result) or wrong_term(result)  # type: ignore[arg-type]
    ),
    "extra_template_vars": _template_vars,
    "register_pages": _pages,
    "register_files": _files,
    "prepare_report": lambda result: (
        f"{describe(result)}, which sendsite does not use (change the report it is given in place)"
    ),
    "prepare_search_records": lambda result: (
        f"{describe(result)}, which sendsite does not use (change the records it is given in place)"
    ),
}


#: What a hook may change in place, checked after each plugin's call (see ``check_changed``).
_CHANGED: dict[str, Callable[[dict[str, Any]], str | None]] = {
    "prepare_report": lambda kwargs: wrong_report(kwargs["report"]),
    "prepare_search_records": lambda kwargs: wrong_records(kwargs["records"]),
}


def check_changed(hook: str, kwargs: dict[str, Any]) -> str | None:
    """What a plugin's call of ``hook`` left wrong in the objects it was given to change."""
    check = _CHANGED.get(hook)
    return None if check is None else check(kwargs)


def check_result(hook: str, result: Any) -> str | None:
    """What is wrong with ``result`` as a return value of ``hook`` (None: nothing)."""
    check = _CHECKS.get(hook)
    return None if check is None or result is None else check(result)
