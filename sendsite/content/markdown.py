"""The one Markdown renderer: CommonMark plus tables, stable heading ids, sanitized.

Report bodies and Markdown inside front-matter fields both go through
``render_markdown``; raw HTML in content is passed through an allow-list
sanitizer so nothing active (scripts, event handlers, ``javascript:`` URLs,
iframes) survives.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from html import escape as html_escape
from html import unescape as html_unescape

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup
from mdit_py_plugins.anchors import anchors_plugin

__all__ = ["plain_text", "render_inline", "render_markdown", "sanitize", "slugify"]

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd",
    "del", "details", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "time", "tr", "u", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "*": {"id", "title", "lang"},
    "a": {"href"},
    "abbr": {"title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
    "time": {"datetime"},
}


# Names Windows will not create as files or folders, whatever the extension.
_RESERVED = {"con", "prn", "aux", "nul"} | {f"{d}{n}" for d in ("com", "lpt") for n in range(10)}


def slugify(text: str) -> str:
    """A stable, readable id made of ``a-z``, ``0-9`` and ``-``.

    ``Priority Area 1 (P1)`` becomes ``priority-area-1-p1``. Accents are
    dropped, anything else becomes a hyphen, and names that Windows reserves
    (``con``, ``nul``…) get ``-page`` added, so a slug is always safe as a
    folder name. May be empty if ``text`` has no letters or digits.
    """
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return f"{slug}-page" if slug in _RESERVED else slug


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "typographer": False}).enable("table")
    anchors_plugin(md, min_level=1, max_level=6, slug_func=slugify)
    return md


def sanitize(html: str) -> str:
    """Remove anything active from HTML, keeping the harmless markup reports use."""
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel=None,
    )


# One line of words and ordinary punctuation: Markdown would only wrap it in <p>.
# (Most table cells are like this; skipping the parser makes builds several times faster.)
_PLAIN_LINE = re.compile(
    r"[A-Za-z0-9(\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff]"
    r"[A-Za-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff .,;:'()/%?+\-£€$@–—‘’“”…]*"
)


def _is_plain_line(text: str) -> bool:
    return (
        _PLAIN_LINE.fullmatch(text) is not None
        and text == text.strip()
        and "  " not in text
        and not re.search(r"https?:|www\.|\b\d+[.)](\s|$)", text)
    )


def render_markdown(text: str | None) -> Markup:
    """Render a block of Markdown to safe HTML."""
    if not text:
        return Markup("")
    text = str(text)
    if _is_plain_line(text):
        return Markup(f"<p>{html_escape(text, quote=False)}</p>\n")
    return Markup(sanitize(_renderer().render(text)))


def render_inline(text: str | None) -> Markup:
    """Render one line of Markdown (no surrounding paragraph) to safe HTML."""
    if not text:
        return Markup("")
    text = str(text)
    if _is_plain_line(text):
        return Markup(html_escape(text, quote=False))
    return Markup(sanitize(_renderer().renderInline(text)))


def plain_text(text: str | None) -> str:
    """Markdown (or already rendered ``Markup``) as one line of plain text.

    For tables of items, data exports and search records.
    """
    if not text:
        return ""
    html = str(text) if isinstance(text, Markup) else _renderer().render(str(text))
    html = re.sub(r"</(p|li|h[1-6]|td|th|tr|div|blockquote)>", " ", html)
    stripped = nh3.clean(html, tags=set(), attributes={})
    return " ".join(html_unescape(stripped).split())
