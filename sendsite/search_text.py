"""Reading a rendered page's text the way a reader sees it, split at anchors.

Search results link straight to a section or an item of a page, so the text
of a page is split into parts, one for each element whose ``id`` is wanted
(a report section, a milestone row). Text belongs to the innermost wanted
element around it; a wanted heading (``<h2 id>``) owns the text up to the next
heading of its level or above. Text outside every wanted element belongs to
the page itself (key ``""``).

Only ``<main>`` is read. Navigation, table headers, scripts, and anything
marked ``data-pagefind-ignore``, ``hidden`` or ``aria-hidden="true"`` are
skipped, as Pagefind itself would skip them. A regular-expression scanner is
used rather than a full HTML parser: sendsite's own templates and sanitized
Markdown are well formed, and this is several times faster on big sites.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from html import unescape

__all__ = ["split_text"]

_TOKEN = re.compile(
    r"<!--.*?-->|<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S
)
_ID = re.compile(r"""\sid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_IGNORE_ATTR = re.compile(
    r"""\s(?:data-pagefind-ignore|hidden)(?:[\s=/]|$)|\saria-hidden\s*=\s*["']?true"""
)
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
_SKIP_TAGS = {"nav", "thead", "script", "style", "template", "svg", "noscript", "button", "form"}
_BLOCK = {
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl",
    "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
    "tr", "ul",
}  # fmt: skip
_HEADING = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_SPACE = re.compile(r"\s+")


_HREF = re.compile(r"""\shref\s*=\s*["']#([^"']+)["']""")
_ROWS = {"tr", "li"}


class _Open:
    __slots__ = ("heading", "key", "mark", "name", "reference", "skip")

    def __init__(self, name: str, key: str | None, skip: bool) -> None:
        self.name = name
        self.key = key
        self.skip = skip
        #: A wanted heading's scope opened inside this element: (level, key).
        self.heading: tuple[int, str] | None = None
        #: For rows: where their text starts, and whether they only refer to an item.
        self.mark: tuple[str, int] | None = None
        self.reference = False


def split_text(
    html: str, wanted: Collection[str], references: Collection[str] = ()
) -> dict[str, str]:
    """The visible text of ``<main>``, split by the ``wanted`` element ids.

    Returns ``{id: text}`` for each wanted id found (in page order), plus
    ``""`` for text outside all of them. Block elements separate words; a
    block that ends without punctuation gets a full stop, as Pagefind does,
    so table cells and list items read as separate phrases in excerpts.

    A table row or list item that links to one of the ``references`` ids on
    the same page (a summary row pointing at the full item) is left out: the
    item's own text is found where the item is.
    """
    start = html.find("<main")
    end = html.rfind("</main>")
    if start == -1 or end == -1:
        return {}
    parts: dict[str, list[str]] = {"": []}
    stack: list[_Open] = []

    def current() -> str:
        for element in reversed(stack):
            if element.heading is not None:
                return element.heading[1]
            if element.key is not None:
                return element.key
        return ""

    def skipping() -> bool:
        return any(element.skip for element in stack)

    def add(text: str) -> None:
        if text and not skipping():
            parts.setdefault(current(), []).append(text)

    def boundary() -> None:
        if skipping():
            return
        chunks = parts.setdefault(current(), [])
        if chunks and chunks[-1] != " ":
            tail = chunks[-1].rstrip()
            if tail and tail[-1].isalnum():
                chunks.append(".")
            chunks.append(" ")

    position = html.find(">", start) + 1
    for match in _TOKEN.finditer(html, position, end):
        add(unescape(html[position : match.start()]))
        position = match.end()
        closing, name, attrs = match.group(1), (match.group(2) or "").lower(), match.group(3) or ""
        if not name:
            continue  # a comment
        if closing:
            if any(e.name == name for e in stack):
                if name in _BLOCK:
                    boundary()
                while stack:
                    closed = stack.pop()
                    if closed.reference and closed.mark is not None:
                        key, length = closed.mark
                        del parts[key][length:]
                    if closed.name == name:
                        break
            continue
        if name in _BLOCK:
            boundary()
        if name in _VOID or attrs.rstrip().endswith("/"):
            continue
        found = _ID.search(attrs)
        ident = next((g for g in found.groups() if g is not None), None) if found else None
        key = ident if ident is not None and ident in wanted else None
        level = _HEADING.get(name)
        if level is not None and stack:
            parent = stack[-1]
            if parent.heading is not None and parent.heading[0] >= level:
                parent.heading = None  # a heading of the same level or above ends the scope
            if key is not None:
                parent.heading, key = (level, key), None
                parts.setdefault(parent.heading[1], [])
        href = _HREF.search(attrs) if name == "a" and references else None
        if href is not None and href.group(1) in references:
            row = next((e for e in reversed(stack) if e.name in _ROWS), None)
            if row is not None:
                row.reference = True
        skip = name in _SKIP_TAGS or bool(_IGNORE_ATTR.search(attrs))
        if key is not None:
            parts.setdefault(key, [])
        element = _Open(name, key, skip)
        if name in _ROWS:
            where = current()
            element.mark = (where, len(parts.setdefault(where, [])))
        stack.append(element)
    add(unescape(html[position:end]))
    return {key: _SPACE.sub(" ", "".join(chunks)).strip() for key, chunks in parts.items()}
