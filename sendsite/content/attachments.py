"""Files in ``content/`` that are not reports: which may be published, and where.

A council trusts its intranet's origin, so nothing a browser could run may be
published from content: only an allow-list of download types (documents,
spreadsheets, slides, raster images, plain text and CSV). HTML, SVG,
JavaScript, XML and any type not listed are refused with an error naming the
file. A binary type must also start with its format's signature, so a page
renamed to ``.pdf`` is refused too, and a text file must not look like markup
(older browsers guess a type from the contents).

Attachments are published under web-safe names, as pages are: each folder and
the file name are made of ``a-z0-9-`` (``Sub Folder/Plan (final).PDF`` becomes
``sub-folder/plan-final.pdf``).
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from sendsite.content.documents import published_folder
from sendsite.content.markdown import slugify
from sendsite.errors import ContentError

__all__ = ["ALLOWED_TYPES", "attachment_path", "check_attachment", "published_path"]

_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
_JPEG = (b"\xff\xd8\xff",)

#: Extension → the signatures its files start with (empty: a text type).
ALLOWED_TYPES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".doc": _OLE,
    ".xls": _OLE,
    ".ppt": _OLE,
    ".docx": _ZIP,
    ".xlsx": _ZIP,
    ".pptx": _ZIP,
    ".odt": _ZIP,
    ".ods": _ZIP,
    ".odp": _ZIP,
    ".rtf": (b"{\\rtf",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": _JPEG,
    ".jpeg": _JPEG,
    ".gif": (b"GIF87a", b"GIF89a"),
    ".webp": (b"RIFF",),
    ".txt": (),
    ".csv": (),
}

_ACTIVE = {".html", ".htm", ".xhtml", ".shtml", ".svg", ".svgz", ".js", ".mjs", ".xml", ".xsl"}
#: Markup in a text file, anywhere in it: a tag (``<b>``, ``<img src=…``, ``</p``), a
#: comment or doctype (``<!``) or a processing instruction (``<?``).
_MARKUP = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9-]*[\s/>]|/[a-zA-Z]|!|\?)")
_UTF16 = (b"\xff\xfe", b"\xfe\xff")


def _kinds() -> str:
    return ", ".join(ext.lstrip(".").upper() for ext in ALLOWED_TYPES)


def check_attachment(path: Path, rel: PurePosixPath) -> None:
    """Raise ``ContentError`` unless ``path`` is a download type that cannot run in a browser."""
    suffix = rel.suffix.lower()
    if suffix not in ALLOWED_TYPES:
        what = (
            "a web page or script, which would run on the intranet as if it were the site itself"
            if suffix in _ACTIVE
            else f"a '{suffix or 'no extension'}' file, which is not a type sendsite publishes"
        )
        raise ContentError(
            f"this file is {what}",
            file=rel,
            fix=f"Publish documents as one of: {_kinds()} (e.g. save a diagram as PNG). To "
            "keep a file in content/ without publishing it, start its name with '_'.",
        )
    signatures = ALLOWED_TYPES[suffix]
    try:
        with path.open("rb") as handle:
            head = handle.read(1024 if signatures else -1)  # a text file: all of it
    except OSError as exc:
        raise ContentError(f"cannot read the file: {exc.strerror}", file=rel) from None
    if signatures and not head.startswith(signatures):
        raise ContentError(
            f"this file is named '{suffix}' but its contents are not a {suffix[1:].upper()} file",
            file=rel,
            fix="Export the document again from the program that made it, with its real "
            "type's extension.",
        )
    if suffix == ".webp" and head[8:12] != b"WEBP":
        raise ContentError("this file is named '.webp' but is not a WebP image", file=rel)
    if not signatures:
        _check_text(head, rel, suffix[1:].upper())


def _check_text(data: bytes, rel: PurePosixPath, kind: str) -> None:
    """Refuse a text file holding markup anywhere (some browsers guess a type from the
    contents), read as the UTF-16 its mark says or else byte for byte (UTF-8, or a
    council's Windows CSV: markup is ASCII in both)."""
    if data.startswith(_UTF16):
        text = data.decode("utf-16", "replace")
    elif b"\0" in data:
        raise ContentError(
            f"this {kind} file is not text (it holds NUL bytes)",
            file=rel,
            fix="Save it again as text (UTF-8), or publish it as a PDF.",
        )
    else:
        text = data.decode("latin-1")
    found = _MARKUP.search(text)
    if found is not None:
        line = text.count("\n", 0, found.start()) + 1
        raise ContentError(
            f"this {kind} file holds web-page markup ('{found.group(0).strip()}…' on line"
            f" {line}), which some browsers would run",
            file=rel,
            line=line,
            fix="Remove the HTML from the file, or publish it as a PDF. (A '<' before a"
            " word reads as a tag: write 'less than' or put a space after it.)",
        )


def published_path(rel: PurePosixPath) -> PurePosixPath:
    """Where an attachment is published: safe folder names and a safe file name."""
    name = slugify(rel.stem) or "file"
    return published_folder(rel.parent, rel) / f"{name}{rel.suffix.lower()}"


def attachment_path(path: Path, rel: PurePosixPath) -> PurePosixPath:
    """Check an attachment (``check_attachment``) and return where it is published."""
    check_attachment(path, rel)
    return published_path(rel)
