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

from sendsite.builtin.search.pagefind import IGNORE_ATTRIBUTE

__all__ = ["split_text"]

_TOKEN = re.compile(
    r"<!--.*?-->|<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S
)
_ID = re.compile(r"""\sid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_IGNORE_ATTR = re.compile(
    rf"""\s(?:{re.escape(IGNORE_ATTRIBUTE)}|hidden)(?:[\s=/]|$)|\saria-hidden\s*=\s*["']?true"""
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
    __slots__ = ("heading", "mark", "name", "owner", "reference", "skip")

    def __init__(self, name: str, owner: str, skip: bool) -> None:
        self.name = name
        #: Whose text this element's own text is (the innermost wanted id around it).
        self.owner = owner
        #: Inside something that is not read (navigation, ``data-pagefind-ignore``…).
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
    stack: list[_Open] = [_Open("", "", False)]
    opened: dict[str, int] = {}  # how many elements of each name are open

    def current() -> str:
        top = stack[-1]
        return top.heading[1] if top.heading is not None else top.owner

    def add(text: str) -> None:
        if text and not stack[-1].skip:
            parts[current()].append(unescape(text) if "&" in text else text)

    def boundary() -> None:
        if stack[-1].skip:
            return
        chunks = parts[current()]
        if chunks and chunks[-1] != " ":
            tail = chunks[-1].rstrip()
            if tail and tail[-1].isalnum():
                chunks.append(".")
            chunks.append(" ")

    position = html.find(">", start) + 1
    for match in _TOKEN.finditer(html, position, end):
        if match.start() > position:
            add(html[position : match.start()])
        position = match.end()
        closing, name, attrs = match.groups()
        if not name:
            continue  # a comment
        name = name.lower()
        if closing:
            if opened.get(name):
                if name in _BLOCK:
                    boundary()
                while len(stack) > 1:
                    closed = stack.pop()
                    opened[closed.name] -= 1
                    if closed.reference and closed.mark is not None:
                        owner, length = closed.mark
                        del parts[owner][length:]
                    if closed.name == name:
                        break
            continue
        if name in _BLOCK:
            boundary()
        if name in _VOID or attrs.rstrip().endswith("/"):
            continue
        key: str | None = None
        if "id" in attrs and (found := _ID.search(attrs)) is not None:
            ident = next((g for g in found.groups() if g is not None), None)
            key = ident if ident is not None and ident in wanted else None
        parent = stack[-1]
        level = _HEADING.get(name)
        if level is not None:
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
        skip = (
            parent.skip
            or name in _SKIP_TAGS
            or (("hidden" in attrs or "ignore" in attrs) and bool(_IGNORE_ATTR.search(attrs)))
        )
        if key is not None:
            parts.setdefault(key, [])
        element = _Open(name, key if key is not None else current(), skip)
        if name in _ROWS:
            element.mark = (element.owner, len(parts[element.owner]))
        stack.append(element)
        opened[name] = opened.get(name, 0) + 1
    add(html[position:end])
    return {key: _SPACE.sub(" ", "".join(chunks)).strip() for key, chunks in parts.items()}
