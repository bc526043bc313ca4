"""Markdown to HTML by cmark-gfm, with the C library's memory given back.

``cmarkgfm.markdown_to_html_with_extensions`` never frees the document it parses
nor the HTML it renders (cmark leaves both to the caller): about 50 KB for each
of the benchmark's reports, held until the process ends. A build that reads
10,000 reports in one process would keep 500 MB of them; a reading worker that
reads thousands, hundreds of MB. So the same calls are made here, and then the
document is freed with ``cmark_node_free`` and the HTML with cmark's own
allocator's ``free``, both looked up in the very library ``cmarkgfm`` loaded.

Where they cannot be found (a ``cmarkgfm`` built otherwise), ``cmark_html`` uses
``cmarkgfm``'s own function: the same HTML, with its leak.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import cmarkgfm
from cmarkgfm import cmark

__all__ = ["cmark_html", "frees_memory"]


class _Allocator(ctypes.Structure):
    """cmark's ``cmark_mem``: the functions it allocates and frees with."""

    _fields_ = [
        ("calloc", ctypes.c_void_p),
        ("realloc", ctypes.c_void_p),
        ("free", ctypes.CFUNCTYPE(None, ctypes.c_void_p)),
    ]


@lru_cache(maxsize=1)
def _freeing() -> tuple[Callable[[int], None], Callable[[int], None]] | None:
    """``(free a document, free rendered text)`` by address, or None if not available."""
    try:
        native = ctypes.CDLL(cmark._cmark.__file__)  # already loaded: the same library
        node_free = native.cmark_node_free
        node_free.argtypes, node_free.restype = [ctypes.c_void_p], None
        allocator = native.cmark_get_default_mem_allocator
        allocator.argtypes, allocator.restype = [], ctypes.POINTER(_Allocator)
        free = allocator().contents.free
    except (AttributeError, OSError, TypeError, ValueError):
        return None
    return node_free, free


def frees_memory() -> bool:
    """Whether ``cmark_html`` gives cmark's memory back (see the module's docstring)."""
    return _freeing() is not None


def _address(pointer: Any) -> int:
    return int(cmark._cmark.ffi.cast("uintptr_t", pointer))


def cmark_html(text: str, options: int, extensions: list[str]) -> str:
    """``cmarkgfm.markdown_to_html_with_extensions(text, options, extensions)``, with the
    parsed document and the rendered HTML freed once the HTML is a Python string."""
    freeing = _freeing()
    if freeing is None:
        html: str = cmarkgfm.markdown_to_html_with_extensions(text, options, extensions)
        return html
    node_free, free = freeing
    cmark.core_extensions_ensure_registered()
    found = [cmark.find_syntax_extension(name) for name in extensions]
    if any(extension is None for extension in found):
        raise ValueError(f"unknown cmark extension in {extensions}")
    parser = cmark.parser_new(options=options)
    try:
        for extension in found:
            cmark.parser_attach_syntax_extension(parser, extension)
        cmark.parser_feed(parser, text)
        root = cmark.parser_finish(parser)
        try:
            lib = cmark._cmark.lib
            if lib.cmark_node_get_type(root) == lib.CMARK_NODE_NONE:
                raise ValueError("cmark could not parse the Markdown")
            raw = lib.cmark_render_html(root, options, cmark.parser_get_syntax_extensions(parser))
            try:
                return str(cmark._cmark.ffi.string(raw).decode("utf-8"))
            finally:
                free(_address(raw))
        finally:
            node_free(_address(root))
    finally:
        cmark.parser_free(parser)
