"""The one Markdown renderer: CommonMark plus tables, stable heading ids, sanitized.

Report bodies and Markdown inside front-matter fields both go through
``render_markdown``; raw HTML in content is passed through an allow-list
sanitizer so nothing active (scripts, event handlers, ``javascript:`` URLs,
iframes) survives.

Blocks of Markdown are parsed by cmark-gfm (GitHub's C implementation of CommonMark,
through ``cmarkgfm``, called by ``content.cmark`` so that its memory is given back):
about twelve times faster than markdown-it-py, which parsing reports' bodies made most
of the time spent reading a site. One line of Markdown
(``render_inline``, which must not make a list of ``1. Recommendations``) is parsed
by markdown-it-py, which can parse inline content alone. Both follow CommonMark;
``tests/test_markdown_engines.py`` checks that they render the same.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache, partial
from html import escape as html_escape
from html import unescape as html_unescape

import nh3
from cmarkgfm.cmark import Options
from markdown_it import MarkdownIt
from markupsafe import Markup

from sendsite.content.cmark import cmark_html

__all__ = [
    "CODE_FENCE",
    "in_tag",
    "plain_text",
    "render_inline",
    "render_markdown",
    "sanitize",
    "scrolling_tables",
    "settle_content_ids",
    "slugify",
    "spaced_links",
    "without_controls",
]

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd",
    "del", "details", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "time", "tr", "u", "ul", "section",
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


def in_tag(html: str, at: int, start: int = 0) -> bool:
    """Whether ``at`` in ``html`` (looking back no further than ``start``) is inside a tag,
    not in text: ``href="x.pdf"`` shown in code (``&lt;a href="x.pdf"&gt;``) is text."""
    return html.rfind("<", start, at) > html.rfind(">", start, at)


#: A link to a part of the page it is on, as written in Markdown or HTML (``](#p9)``,
#: ``[p9]: #p9``, ``href="#p9"``).
_LINK_WITHIN = re.compile(r"""(?:\]\(\s*<?|\]:\s*<?|href\s*=\s*["']?)#""")


def links_within(text: str) -> bool:
    """Whether ``text`` (a content file's) may link to a part of its own page."""
    # The pattern is run only where such a link may be (headings are "## ...").
    if "#" not in text or ("](" not in text and "]:" not in text and "href" not in text):
        return False
    return _LINK_WITHIN.search(text) is not None


#: A link whose address holds a space outside angle brackets (``[plan](Plan v2.pdf)``):
#: Markdown shows it as its text. Its address has a dot or a slash, as a file's does.
_SPACED_LINK = re.compile(
    r"\[[^\]\n]+\]\((?!<)(?P<to>[^()\s<>]+ (?![\"'])[^()<>\n]*?[./][^()<>\n]*)\)"
)
#: The start or end of a fenced code block, whose lines are not links nor a table.
CODE_FENCE = re.compile(r"^ {0,3}(?:```|~~~)")


def spaced_links(text: str) -> list[tuple[int, str]]:
    """Each link in ``text`` that is not one for a space in its address, outside code:
    (index of its line, the address as written)."""
    if "](" not in text:
        return []
    found, fenced = [], False
    for n, line in enumerate(text.split("\n")):
        if CODE_FENCE.match(line):
            fenced = not fenced
        elif not fenced and "](" in line:
            unquoted = re.sub(r"`[^`]*`", "", line)
            found += [(n, m["to"]) for m in _SPACED_LINK.finditer(unquoted)]
    return found


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
    """markdown-it-py, for one line of Markdown (``renderInline``)."""
    return MarkdownIt("commonmark", {"html": True, "typographer": False})


#: Raw HTML kept (``sanitize`` cleans it), table alignment as markdown-it-py writes it,
#: each block's place in the source, by which a heading the Markdown made is told from
#: one written as HTML (only the first kind gets an id; the places are removed), and
#: footnotes (``[^1]``, then ``[^1]: The note.``), as GitHub writes them.
_CMARK_OPTIONS = (
    Options.CMARK_OPT_UNSAFE
    | Options.CMARK_OPT_SOURCEPOS
    | Options.CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES
    | Options.CMARK_OPT_FOOTNOTES
)
#: The classes footnotes keep, for the theme (no other class passes the sanitizer).
_FOOTNOTE_CLASSES = {
    "section": {"footnotes"},
    "sup": {"footnote-ref"},
    "a": {"footnote-backref"},
    "span": {"visually-hidden"},
}
#: A footnote's number in the text, and the link back to it from the note.
_FOOTNOTE_MARKS = re.compile(
    r'<sup class="footnote-ref">.*?</sup>|<a [^>]*class="footnote-backref"[^>]*>.*?</a>', re.S
)
#: A footnote's number (a link to its note), its note, and the link back, exactly as
#: cmark-gfm writes them (an author's own ``id="fn-x"`` is left alone).
_FOOTNOTE_REF = re.compile(
    r'<a href="#fn-([^"]*)" id="fnref-([^"]*)" data-footnote-ref>([0-9]+)</a>'
)
_FOOTNOTE_NOTE = re.compile(r'<li id="fn-([^"]*)">')
#: Where cmark-gfm starts a block's notes.
_NOTES = '<section class="footnotes" data-footnotes>'
#: A footnote's number whole (``number``: a link inside a ``sup``), a tag (``end``: "/"
#: if closing, and its ``name``), or what holds text that is not tags (a comment, CDATA…).
_NUMBER_OR_TAG = re.compile(
    r'(?P<number><sup class="footnote-ref"><a href="#fn-[^"]*" id="fnref-[^"]*" '
    r"data-footnote-ref>[0-9]+</a></sup>)|<!--.*?-->|<!\[CDATA\[.*?\]\]>|<[?!][^>]*>"
    r"|<(?P<end>/?)(?P<name>[a-zA-Z][\w:-]*)(?:[^>\"']++|\"[^\"]*+\"|'[^']*+')*+>",
    re.S,
)
#: A footnote's number as cmark-gfm writes it, to leave out of a heading's id.
_FOOTNOTE_SUP = re.compile(r'<sup class="footnote-ref"><a [^>]*data-footnote-ref>[0-9]+</a></sup>')
_FOOTNOTE_BACK = re.compile(
    r'<a href="#fnref-([^"]*)" class="footnote-backref" data-footnote-backref'
    r' data-footnote-backref-idx="[^"]*" aria-label="([^"]*)">(.*?)</a>',
    re.S,
)
#: What marks an id content gave (a Markdown heading's, or one in the author's HTML)
#: until the page it goes into is made (``settle_content_ids``).
_MARK = ' data-c=""'
# Each id pattern starts with the text ``id="`` and looks back for the space before it
# only there: a pattern that starts with the look-behind (or ``\s``) is tried at every
# character of a page, five times as slow.
_MARKED_ID = re.compile(r'id="(?<=\sid=")([^"]*)" data-c=""')
_ANY_ID = re.compile(r'id="(?<=\sid=")([^"]*)"')
#: Any id, and whether it is marked as content's.
_ID_ATTRIBUTE = re.compile(r'id="(?<=\sid=")([^"]*)"( data-c="")?')
_MADE_HEADING = re.compile(r'<(h[1-6]) data-sourcepos="[^"]*">(.*?)</\1>', re.S)
_SOURCEPOS = re.compile(r' data-sourcepos="[^"]*"')
_ANY_TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.S)


def _block_html(text: str) -> str:
    """A block of Markdown as HTML (not yet sanitized), each heading with its id.

    A heading's id is ``slugify`` of its text (without images' alternative text or
    line breaks); a second heading with the same text gets ``-1``, a third ``-2``.
    """
    try:
        html = cmark_html(text, _CMARK_OPTIONS, ["table"])
    except UnicodeEncodeError:  # a lone surrogate (from an escape in YAML): not UTF-8
        text = text.encode("utf-8", "replace").decode("utf-8")
        return _block_html(text)
    ids = _Ids()

    def with_id(match: re.Match[str]) -> str:
        tag, inner = match.groups()
        words = _ANY_TAG.sub("", _FOOTNOTE_SUP.sub("", inner)).replace("\n", "")
        slug = slugify(html_unescape(words))  # a note's number is not one of its words
        return f'<{tag} id="{ids.take(slug)}">{inner}</{tag}>'

    return _own_footnotes(_SOURCEPOS.sub("", _MADE_HEADING.sub(with_id, html)), text)


def _own_footnotes(html: str, text: str) -> str:
    """``html`` with its footnotes' ids unlike another block's: cmark-gfm numbers each
    block's from 1, and a page holds several blocks (a report's introduction, each
    priority's narrative). They are named after the block's text, so they stay the same
    from build to build; the same block twice on a page is settled as any id is
    (``settle_content_ids``), its links leading to the first's notes, which say the same.
    Each note is named by its number, not its label: cmark-gfm names a second link to
    note ``1`` as it names the first link to a note labelled ``1-2``. A link back to a
    number that is not on the page (one in an image's text) is left out, and the link
    back's name ("Back to reference 1") is hidden text in it. Only cmark-gfm's own
    markup is renamed: an author's ``<li id="fn-x">`` is left alone."""
    text_part, start, notes = html.rpartition(_NOTES)
    if not start:
        return html
    tag = hashlib.blake2b(text.encode("utf-8"), digest_size=3).hexdigest()

    def own(label: str, link: str, number: int | str) -> str:
        """The id of cmark-gfm's link ``link`` (``label``, or ``label-2`` for its second)
        to note ``number``."""
        return f"{tag}-{number}" + (link[len(label) :] if link.startswith(f"{label}-") else "")

    def ref(found: re.Match[str]) -> str:  # the number shown is the note's
        label, link, number = found.groups()
        return (
            f'<a href="#fn-{tag}-{number}" id="fnref-{own(label, link, number)}" '
            f"data-footnote-ref>{number}</a>"
        )

    html = _FOOTNOTE_REF.sub(ref, _numbers_after_links(html))
    text_part, start, notes = html.rpartition(_NOTES)

    def back(label: str, number: int, found: re.Match[str]) -> str:
        target = f"fnref-{own(label, found[1], number)}"
        if f'id="{target}"' not in html:
            return ""
        name = f'<span class="visually-hidden"> {found[2]}</span>'
        return f'<a href="#{target}" class="footnote-backref">{found[3]}{name}</a>'

    pieces = _FOOTNOTE_NOTE.split(notes)  # before, then each note's label and its text
    for at in range(1, len(pieces), 2):
        label, number = pieces[at], at // 2 + 1
        pieces[at] = f'<li id="fn-{tag}-{number}">'
        pieces[at + 1] = _FOOTNOTE_BACK.sub(partial(back, label, number), pieces[at + 1])
    return text_part + start + "".join(pieces)


def _numbers_after_links(html: str) -> str:
    """``html`` with each footnote number written inside a link's text (``[the
    plan[^1]](…)``: a link inside a link, which a browser splits, leaving an empty
    superscript and the number beside it) moved to just after that link. A number in
    a link that does not close is left where it is."""
    moves: list[tuple[int, list[tuple[int, int]]]] = []  # where to, and the numbers' spans
    inside: list[tuple[int, int]] = []
    depth = 0
    for found in _NUMBER_OR_TAG.finditer(html):
        if found["number"] is not None:
            if depth:
                inside.append(found.span())
        elif found["name"] is not None and found["name"].lower() == "a":
            if not found["end"]:
                depth += 1
            elif depth:
                depth -= 1
                if not depth and inside:
                    moves.append((found.end(), inside))
                    inside = []
    if not moves:
        return html
    out: list[str] = []
    at = 0
    for to, spans in moves:
        for start, end in spans:
            out.append(html[at:start])
            at = end
        out.append(html[at:to])
        out.extend(html[start:end] for start, end in spans)
        at = to
    return "".join(out) + html[at:]


class _Ids:
    """Ids handed out in order, each unlike the others: a slug taken already gets ``-1``,
    then ``-2``… (skipping any taken). Each slug keeps its next number, so a thousand
    same headings cost a thousand steps."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self.taken = taken if taken is not None else set()
        self.tried: dict[str, int] = {}

    def take(self, slug: str) -> str:
        unique, n = slug, self.tried.get(slug, 1)
        if slug in self.taken:
            unique = f"{slug}-{n}"
            while unique in self.taken:
                unique, n = f"{slug}-{n + 1}", n + 1
            self.tried[slug] = n + 1
        self.taken.add(unique)
        return unique


def _marked(html: str) -> str:
    """Content's (sanitized) HTML with each of its ids marked as content's."""
    return _ANY_ID.sub(rf"\g<0>{_MARK}", html) if ' id="' in html else html


def settle_content_ids(html: str) -> str:
    """A page's HTML with each id content gave unlike every other id on the page.

    A block of Markdown numbers its own headings alike (``_block_html``), but not
    against the page it goes into: a summary's "## Recommendations" (or an author's
    ``<h2 id="recommendations">``) would take the id of the report's Recommendations
    section, and the contents list would lead into the summary. So the page's own ids
    stay, and an id of content's that is taken (by the page, or content before it) is
    numbered on (``-1``, ``-2``…). The mark that tells content's ids from the page's is
    removed.
    """
    if _MARK not in html:
        return html
    found = _ID_ATTRIBUTE.findall(html)
    own = {value for value, mark in found if not mark}
    marked = [value for value, mark in found if mark]
    if own.isdisjoint(marked) and len(set(marked)) == len(marked):
        return html.replace(_MARK, "")  # no clash: the usual page, one pass
    ids = _Ids(own)
    return _MARKED_ID.sub(lambda found: f'id="{ids.take(found[1])}"', html).replace(_MARK, "")


def sanitize(html: str) -> str:
    """Remove anything active from HTML, keeping the harmless markup reports use.

    A link whose address was taken away (``javascript:``, ``data:``) or that had none
    (``<a name>``) becomes a ``<span>``: left an ``<a>``, it would look like a link
    that does nothing.
    """
    clean = _SANITIZER.clean(html)
    return _NOT_A_LINK.sub(r"<span\1>\2</span>", clean) if "<a" in clean else clean


#: The sanitizer, made once: its rules are made afresh on each ``nh3.clean`` call, which
#: costs more than cleaning the short fragments reports are made of.
_SANITIZER = nh3.Cleaner(
    tags=_ALLOWED_TAGS,
    attributes=_ALLOWED_ATTRIBUTES,
    allowed_classes=_FOOTNOTE_CLASSES,
    url_schemes={"http", "https", "mailto", "tel"},
    link_rel=None,
)
#: Keeps no tags at all: the text of the HTML.
_TEXT_ONLY = nh3.Cleaner(tags=set(), attributes={})

#: An ``<a>`` without ``href`` in ``nh3``'s output (whose attributes are all quoted).
_NOT_A_LINK = re.compile(r'<a((?:\s(?!href=)[a-z-]+="[^"]*")*)>(.*?)</a>', re.S)


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


#: Control characters (but tab and line breaks), which a page may not hold: a text pasted
#: from a PDF brings form feeds (page breaks), Word a vertical tab (its line break).
#: Front matter cannot hold them (YAML refuses them); a file's text can.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Those that part words (page and line breaks), as a space; the rest are dropped.
_PARTING = {"\x0b": " ", "\x0c": " ", "\x85": " "}


def without_controls(text: str) -> str:
    """``text`` without control characters, a page or line break a space (so each line
    stays the file's line, for messages)."""
    if _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(lambda found: _PARTING.get(found[0], ""), text)


def render_markdown(text: str | None) -> Markup:
    """Render a block of Markdown to safe HTML."""
    if not text:
        return Markup("")
    text = str(text)
    if _is_plain_line(text):
        return Markup(f"<p>{html_escape(text, quote=False)}</p>\n")
    return Markup(scrolling_tables(_marked(sanitize(_block_html(text)))))


#: A table written in Markdown, as cmark-gfm makes it.
_TABLE = re.compile(r"<table>(?:(?!<table).)*?</table>", re.S)  # (an inner one, if nested)


def scrolling_tables(html: str) -> str:
    """``html`` with each Markdown table in a box that scrolls sideways, so a table
    wider than a phone scrolls by itself, not the whole page (WCAG 1.4.10)."""
    if "<table>" not in html:
        return html
    return _TABLE.sub(r'<div class="table-scroll" tabindex="0">\g<0></div>', html)


def render_inline(text: str | None) -> Markup:
    """Render one line of Markdown (no surrounding paragraph) to safe HTML."""
    if not text:
        return Markup("")
    text = str(text)
    if _is_plain_line(text):
        return Markup(html_escape(text, quote=False))
    return Markup(_marked(sanitize(_renderer().renderInline(text))))


def plain_text(text: str | None) -> str:
    """Markdown (or already rendered ``Markup``) as one line of plain text.

    For tables of items, data exports and search records.
    """
    if not text:
        return ""
    html = str(text) if isinstance(text, Markup) else _block_html(str(text))
    if "footnote-" in html:  # a note's number and its way back are not its words
        html = _FOOTNOTE_MARKS.sub("", html)
    html = re.sub(r"</(p|li|h[1-6]|td|th|tr|div|blockquote)>", " ", html)
    stripped = _TEXT_ONLY.clean(html)
    return " ".join(html_unescape(stripped).split())
