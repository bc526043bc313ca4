"""Reading a rendered page's text the way a reader sees it, split at anchors.

Search results link straight to a section or an item of a page, so the text
of a page is split into parts, one for each element whose ``id`` is wanted
(a report section, a milestone row). Text belongs to the innermost wanted
element around it; a wanted heading (``<h2 id>``) owns the text up to the next
heading of its level or above. Text outside every wanted element belongs to
the page itself (key ``""``).

Only ``<main>`` is read. Navigation, table headers, scripts, footnotes' numbers
and links back, and anything marked ``data-pagefind-ignore``, ``hidden`` or
``aria-hidden="true"`` are skipped, as Pagefind itself would skip them; a skipped
element is passed over in one step, to its closing tag (about half of a report
page's tags are in skipped parts: navigation, "since the last report"). A regular-expression
scanner is used rather than a full HTML parser: sendsite's own templates and
sanitized Markdown are well formed, and this is several times faster on big sites.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache
from html import unescape

from sendsite.builtin.search.pagefind import IGNORE_ATTRIBUTE

__all__ = ["split_text"]

# Possessive quantifiers (Python 3.11+): an attribute list is taken in runs, never re-tried.
_TOKEN = re.compile(
    r"<!--.*?-->|<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>\"']++|\"[^\"]*+\"|'[^']*+')*+)>", re.S
)
_ID = re.compile(r"""\sid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_IGNORE_ATTR = re.compile(
    rf"""\s(?:{re.escape(IGNORE_ATTRIBUTE)}|hidden)(?:[\s=/]|$)|\saria-hidden\s*=\s*["']?true"""
)
#: A footnote's number in the text, or the link back from the note: not words to find.
_FOOTNOTE_MARK = re.compile(r"""\sclass=["'](?:footnote-ref|footnote-backref)["']""")
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


#: Where a block ends, among a part's pieces of text (a space when they are joined; never
#: one of them, which may be spaces too).
_BREAK = "\u2029"
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
    top = _Open("", "", False)
    stack: list[_Open] = [top]
    opened: dict[str, int] = {}  # how many elements of each name are open
    # The innermost open element, whose text it is, and where that text goes; kept in
    # step with the stack (this loop runs for every tag of every page: it is kept tight).
    owner = ""
    chunks = parts[""]

    def boundary() -> None:
        at = len(chunks) - 1
        while at >= 0 and chunks[at] != _BREAK and chunks[at].isspace():
            at -= 1  # spaces between tags (and skipped elements): the words end before
        if at >= 0 and chunks[at] != _BREAK:
            tail = chunks[at].rstrip()
            if tail and tail[-1].isalnum():
                chunks[at] = f"{tail}."
            chunks.append(_BREAK)

    position = html.find(">", start) + 1
    tokens = _TOKEN.finditer(html, position, end)
    while (match := next(tokens, None)) is not None:
        at = match.start()
        if at > position and not top.skip:
            text = html[position:at]
            chunks.append(unescape(text) if "&" in text else text)
        position = match.end()
        closing, name, attrs = match.groups()
        if not name:
            continue  # a comment
        name = name.lower()
        if closing:
            if opened.get(name):
                if name in _BLOCK and not top.skip:
                    boundary()
                while len(stack) > 1:
                    closed = stack.pop()
                    opened[closed.name] -= 1
                    if closed.reference and closed.mark is not None:
                        del parts[closed.mark[0]][closed.mark[1] :]
                    if closed.name == name:
                        break
                top = stack[-1]
                owner = top.heading[1] if top.heading is not None else top.owner
                chunks = parts[owner]
            continue
        if name in _BLOCK and not top.skip:
            boundary()
        if name in _VOID or attrs.endswith("/") or (attrs and attrs.rstrip().endswith("/")):
            continue
        key: str | None = None
        if "id" in attrs and (found := _ID.search(attrs)) is not None:
            ident = next((g for g in found.groups() if g is not None), None)
            key = ident if ident is not None and ident in wanted else None
        parent = top
        level = _HEADING.get(name)
        if level is not None:
            if parent.heading is not None and parent.heading[0] >= level:
                parent.heading = None  # a heading of the same level or above ends the scope
                owner = parent.owner
            if key is not None:
                parent.heading, key = (level, key), None
                owner = parent.heading[1]
                parts.setdefault(owner, [])
        href = _HREF.search(attrs) if name == "a" and references else None
        if href is not None and href.group(1) in references:
            row = next((e for e in reversed(stack) if e.name in _ROWS), None)
            if row is not None:
                row.reference = True
        skip = (
            parent.skip
            or name in _SKIP_TAGS
            or (("hidden" in attrs or "ignore" in attrs) and bool(_IGNORE_ATTR.search(attrs)))
            or ("footnote-" in attrs and bool(_FOOTNOTE_MARK.search(attrs)))
        )
        if key is not None:
            owner = key
            parts.setdefault(key, [])
        top = _Open(name, owner, skip)
        chunks = parts[owner]
        if name in _ROWS:
            top.mark = (owner, len(chunks))
        stack.append(top)
        opened[name] = opened.get(name, 0) + 1
        if skip and not parent.skip:  # nothing inside is read: go straight to its end
            close = _skipped_to(html, name, position, end, wanted, references)
            if close is not None:
                position = close
                tokens = _TOKEN.finditer(html, position, end)
    if not top.skip:
        chunks.append(html[position:end])
    return {key: " ".join("".join(chunks).split()) for key, chunks in parts.items()}


@lru_cache(maxsize=64)
def _tags_named(name: str) -> re.Pattern[str]:
    """Comments, and opening and closing tags named ``name`` (group 1: "/" for a closing one)."""
    return re.compile(
        rf"<!--.*?-->|<(/?){re.escape(name)}((?:[^>\"']++|\"[^\"]*+\"|'[^']*+')*+)>",
        re.S | re.I,
    )


def _skipped_to(
    html: str,
    name: str,
    start: int,
    end: int,
    wanted: Collection[str],
    references: Collection[str],
) -> int | None:
    """Where the skipped element ``name`` opened just before ``start`` closes (the start of
    its closing tag), so its content need not be scanned tag by tag; None if it does not
    close before ``end``, or holds a wanted id or a link to a reference (which count even
    in skipped content: they are left to the scan)."""
    depth = 1
    for match in _tags_named(name).finditer(html, start, end):
        closing, attrs = match.groups()
        if attrs is not None and attrs[:1] not in ("", " ", "\t", "\n", "\r", "/"):
            continue  # a longer name: <sectionx>
        if closing is None:
            continue  # a comment
        if closing:
            depth -= 1
            if depth == 0:
                inside = html[start : match.start()]
                if "id" in inside and any(
                    next(g for g in found.groups() if g is not None) in wanted
                    for found in _ID.finditer(inside)
                ):
                    return None
                if references and any(
                    href.group(1) in references for href in _HREF.finditer(inside)
                ):
                    return None
                return match.start()
        elif not attrs.rstrip().endswith("/"):
            depth += 1
    return None
