"""Loading content: Markdown files with YAML front matter, and area metadata.

No area knowledge lives here. A ``Document`` is one file split into its front
matter (with the line of every key) and its Markdown body; an ``Area`` is a
folder of reports described by its ``_area.yml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePath, PurePosixPath
from typing import TYPE_CHECKING, Any

from sendsite.content.fences import front_matter_end
from sendsite.content.markdown import links_within, slugify, spaced_links, without_controls
from sendsite.content.pipe_tables import TABLE_FIX, lost_cells
from sendsite.content.yamlfile import Positions, load_yaml
from sendsite.errors import ContentError, Problem

__all__ = [
    "AREA_FILE",
    "SITE_FILES",
    "Area",
    "Document",
    "discover",
    "kind_of",
    "load_area",
    "load_document",
    "published_folder",
    "resolved",
    "same_area_address",
]

AREA_FILE = "_area.yml"
#: Site-wide data files kept at the top of the content folder.
SITE_FILES = ("_glossary.yml", "_topics.yml")
MAX_FILE_BYTES = 2 * 1024 * 1024
#: The longest slug (a page's folder name), in bytes: what file systems allow a name.
MAX_SLUG_BYTES = 255


@dataclass
class Document:
    """One content file: front matter (with key positions) and Markdown body."""

    source: Path
    relpath: PurePosixPath
    front: dict[str, Any]
    positions: Positions
    body: str
    body_line: int
    warnings: list[Problem] = field(default_factory=list)
    #: Whether the file may link to a part of its own page (``[P9](#p9)``): its page's
    #: links within it are then checked (``build.dead_links``).
    links_within: bool = False

    @property
    def format(self) -> str | None:
        """The ``format:`` named in the front matter, if any."""
        value = self.front.get("format")
        return str(value).strip() if value is not None else None

    @property
    def area(self) -> str | None:
        """The slug of the area folder this file sits in (first folder under content), if any."""
        return slugify(self.relpath.parts[0]) if len(self.relpath.parts) > 1 else None

    @property
    def area_folder(self) -> str | None:
        """The area folder's own name, as on disk."""
        return self.relpath.parts[0] if len(self.relpath.parts) > 1 else None

    @cached_property
    def slug(self) -> str:
        """The front matter's ``slug:``, else one made from the file name."""
        return slugify(str(self.front.get("slug") or self.relpath.stem))

    def check_slug(self) -> None:
        """Raise if the slug (the page's folder name), or a folder it sits in, would be
        empty or too long; or if ``format:``, ``slug:``, ``series:`` or ``supersedes:`` is
        not one piece of text."""
        for key in ("format", "slug", "series", "supersedes"):
            value = self.front.get(key)
            if isinstance(value, list | dict | bool):  # text, a number or a date will do
                example = "northshire-highlight" if key == "format" else "report-2021-05"
                raise self.error(
                    f"'{key}' must be one piece of text, but it is {kind_of(value)}",
                    key,
                    value=True,
                    fix=f"Write it on one line after '{key}:', e.g. '{key}: {example}'.",
                )
        published_folder(self.relpath.parent, self.relpath)
        if not self.slug:
            where = "slug" if "slug" in self.front else None
            raise self.error(
                "this file's web address would be empty: its "
                + ("'slug:'" if where else "file name")
                + " has no letters or digits",
                *([where] if where else []),
                fix="Use letters and digits in the file name (or slug:), e.g. 'report-2021-05'.",
            )
        if len(self.slug.encode("utf-8")) > MAX_SLUG_BYTES:
            where = "slug" if "slug" in self.front else None
            raise self.error(
                f"this file's web address would be {len(self.slug.encode())} bytes long: too "
                f"long for a folder name (at most {MAX_SLUG_BYTES})",
                *([where] if where else []),
                value=bool(where),
                fix="Give it a shorter "
                + ("'slug:'" if where else "file name (or a 'slug:')")
                + f", of at most {MAX_SLUG_BYTES} letters, e.g. 'report-2021-05'.",
            )

    def line(self, *path: str | int) -> int | None:
        """The line in the file of a front-matter key (or its nearest parent)."""
        return self.positions.line(*path)

    def error(
        self, message: str, *path: str | int, fix: str | None = None, value: bool = False
    ) -> ContentError:
        """A ``ContentError`` pointing at the front-matter key ``path`` (or its value)."""
        found = self.positions.find(*path, value=value)
        return ContentError(
            message,
            file=self.relpath,
            line=found[0] if found else None,
            column=found[1] if found else None,
            fix=fix,
        )

    def warn(self, message: str, *path: str | int, fix: str | None = None) -> None:
        """Record a warning about this file (shown by the build; fatal with --strict)."""
        self.warnings.append(self.error(message, *path, fix=fix).problem)

    def __getstate__(self) -> dict[str, Any]:
        """What a copy in another process (a reading worker's, the build cache's) holds:
        all but the body, which format readers have made their report from by then; a
        copy asked for its body reads it from the file again (``__getattr__``)."""
        state = dict(self.__dict__)
        state.pop("body", None)
        return state

    if not TYPE_CHECKING:  # so the type checker still knows every other name is a mistake

        def __getattr__(self, name: str) -> Any:
            if name != "body" or "relpath" not in self.__dict__:
                raise AttributeError(name)
            self.body = load_document(self.source, self.relpath).body
            return self.body


@dataclass(frozen=True)
class Area:
    """A local area: a folder of reports, described by its ``_area.yml``."""

    slug: str
    name: str
    council: str = ""
    partners: tuple[str, ...] = ()
    description: str = ""
    source: PurePosixPath | None = None


def published_folder(folder: PurePosixPath, file: PurePosixPath) -> PurePosixPath:
    """A content folder's place in the site: each part made of ``a-z0-9-`` only.

    ``Área #1?x/Sub Folder`` becomes ``area-1-x/sub-folder``. Raises
    ``ContentError`` (about ``file``) when a part has no letters or digits.
    """
    parts = []
    for part in folder.parts:
        slug = slugify(part)
        if not slug:
            raise ContentError(
                f"the folder '{part}' would have an empty web address: "
                "its name has no letters or digits",
                file=file,
                fix="Rename the folder with letters and digits, e.g. 'northshire'.",
            )
        parts.append(slug)
    return PurePosixPath(*parts)


def same_area_address(first: Area, second: Area) -> Problem:
    """The problem of two area folders whose names make the same web address."""
    return ContentError(
        f"the area folders of {first.source} and {second.source} would both be published "
        f"at '{first.slug}/'",
        file=second.source,
        fix="Rename one of the folders: folder names that differ only in capitals, accents "
        "or punctuation make the same address.",
    ).problem


def read_text(path: Path, relpath: PurePath | str) -> str:
    """Read a UTF-8 file (a BOM and CRLF endings are fine) with clear errors."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ContentError(f"cannot read the file: {exc.strerror}", file=relpath) from None
    if size > MAX_FILE_BYTES:
        raise ContentError(
            f"the file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit for one report",
            file=relpath,
            fix="Split it into several reports, or move large attachments out of the Markdown.",
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ContentError(
            f"cannot read the file: {exc.strerror or exc}",
            file=relpath,
            fix="Check the file can be opened (its permissions, and that the disk or network "
            "drive holding it is there), or move it out of content/.",
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ContentError(
            f"the file is not UTF-8 text (byte {exc.start} is 0x{raw[exc.start]:02x})",
            file=relpath,
            line=line,
            fix="Save the file as UTF-8 (in most editors: Save As, Encoding: UTF-8).",
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_document(path: Path, relpath: PurePosixPath) -> Document:
    """Split a Markdown file into front matter and body. Raises ``ContentError``."""
    text = read_text(path, relpath)
    if not text.strip():
        raise ContentError(
            "the file is empty",
            file=relpath,
            line=1,
            fix="Add front matter and content, or delete the file.",
        )
    lines = text.split("\n")
    front: dict[str, Any] = {}
    positions = Positions()
    body_start = 0
    index = front_matter_end(lines, relpath)
    if index is not None:
        data, positions = load_yaml("\n".join(lines[1:index]), file=relpath, first_line=2)
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ContentError(
                "the front matter must be a set of 'key: value' lines",
                file=relpath,
                line=2,
                fix="Write each setting as 'key: value', e.g. 'title: My report'.",
            )
        front = {str(key): value for key, value in data.items()}
        body_start = index + 1
    body = "\n".join(lines[body_start:])
    within = links_within(text)
    lost = [
        Problem(message, file=relpath, line=body_start + 1 + n, fix=TABLE_FIX)
        for n, message in lost_cells(body)
    ] + [
        Problem(
            f"the link to '{to}' is shown as text: a space ends a link's address",
            file=relpath,
            line=body_start + 1 + n,
            fix=f"Put the address in angle brackets: (<{to}>).",
        )
        for n, to in spaced_links(body)
    ]
    body = without_controls(body)
    return Document(path, relpath, front, positions, body, body_start + 1, lost, within)


def load_area(path: Path, relpath: PurePosixPath) -> Area:
    """Read an ``_area.yml``: name (required), council, partners, description."""
    data, positions = load_yaml(read_text(path, relpath), file=relpath, what="area file")
    slug = str(published_folder(relpath.parent, relpath))
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ContentError(
            "the area file must be a set of 'key: value' lines",
            file=relpath,
            line=1,
            fix="Write e.g. 'name: Northshire' and 'council: Northshire County Council'.",
        )
    known = {"name", "council", "partners", "description"}
    for key in data:
        if key not in known:
            raise ContentError(
                f"unknown key '{key}' in the area file",
                file=relpath,
                line=positions.line(key),
                fix=f"Use only: {', '.join(sorted(known))}.",
            )
    partners = data.get("partners") or []
    if isinstance(partners, str):
        partners = [partners]
    if not isinstance(partners, list) or not all(isinstance(p, str) for p in partners):
        raise ContentError(
            "'partners' must be a list of names",
            file=relpath,
            line=positions.line("partners"),
            fix="Write one partner per line, each starting with '- '.",
        )
    for key in ("name", "council", "description"):
        if key in data and not isinstance(data[key], str):
            raise ContentError(
                f"'{key}' must be text",
                file=relpath,
                line=positions.line(key),
                fix=f"Write {key}: followed by words, in quotes if they contain a colon.",
            )
    return Area(
        slug=slug,
        name=data.get("name") or relpath.parent.name.replace("-", " ").title(),
        council=data.get("council", ""),
        partners=tuple(partners),
        description=data.get("description", ""),
        source=relpath,
    )


_IGNORED_PREFIXES = (".", "_", "~", "#")
_IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".tmp", ".bak")


def is_ignored(name: str) -> bool:
    """Editor temporaries, hidden files and ``_``-prefixed files are not content."""
    return (
        name.startswith(_IGNORED_PREFIXES)
        or name.endswith(_IGNORED_SUFFIXES)
        or name == "4913"
        or "___jb_" in name
    )


@dataclass
class ContentTree:
    """What is under the content folder, in a stable order."""

    documents: list[tuple[Path, PurePosixPath]] = field(default_factory=list)
    areas: list[tuple[Path, PurePosixPath]] = field(default_factory=list)
    assets: list[tuple[Path, PurePosixPath]] = field(default_factory=list)
    site_files: dict[str, tuple[Path, PurePosixPath]] = field(default_factory=dict)


def resolved(path: Path) -> Path:
    """The path with links resolved; as given if that fails (gone, or a loop of links)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path


def saved_as(path: Path) -> Path:
    """A saved file's path with its folder's links resolved but not its own: a file
    swapped for a link is named as itself, never as what it points at."""
    return resolved(path.parent) / path.name


def _inside(path: Path, root: Path) -> bool:
    """Whether ``path`` really is inside ``root`` (a link that loops is not)."""
    try:
        return root in path.resolve(strict=True).parents
    except (OSError, RuntimeError):  # a broken link, or one that leads to itself
        return False


def discover(content_dir: Path) -> ContentTree:
    """Find Markdown files, ``_area.yml`` files and other assets, sorted by path.

    A symbolic link that leads outside the content folder is refused, so a
    build can never publish files from elsewhere on the machine.
    """
    tree = ContentTree()
    if not content_dir.is_dir():
        return tree
    root = content_dir.resolve()
    for path in sorted(content_dir.rglob("*")):
        rel = PurePosixPath(path.relative_to(content_dir).as_posix())
        if path.is_symlink() and not _inside(path, root):
            if not path.exists():  # broken, or a loop of links
                raise ContentError(
                    "this is a link to nothing: what it names does not exist, or is a link"
                    " back to itself",
                    file=rel,
                    fix="Delete the link, or put the file itself in content/.",
                )
            raise ContentError(
                "this is a link to a file outside the content folder, which is not published",
                file=rel,
                fix="Copy the file into content/ instead of linking to it.",
            )
        if not path.is_file():
            continue
        if path.name == AREA_FILE and len(rel.parts) == 2 and not is_ignored(rel.parts[0]):
            tree.areas.append((path, rel))  # (an area kept out, '_drafts/', is out whole)
        elif path.name in SITE_FILES and len(rel.parts) == 1:
            tree.site_files[path.name] = (path, rel)
        elif any(is_ignored(part) for part in rel.parts):
            if not any(is_ignored(part) for part in rel.parts[:-1]):  # not in a '_' folder
                _refuse_misnamed(path.name, rel)
        elif path.suffix.lower() == ".md":
            tree.documents.append((path, rel))
        else:
            tree.assets.append((path, rel))
    return tree


def _refuse_misnamed(name: str, rel: PurePosixPath) -> None:
    """An error for an area or site file under a name sendsite does not read
    (``_area.yaml``, ``_Glossary.yml``): it would be left out without a word."""
    meant = name.casefold().removesuffix(".yaml") + (
        ".yml" if name.lower().endswith(".yaml") else ""
    )
    wanted = AREA_FILE if len(rel.parts) == 2 else SITE_FILES if len(rel.parts) == 1 else ()
    if meant != name and meant in ((wanted,) if isinstance(wanted, str) else wanted):
        raise ContentError(
            f"sendsite reads '{meant}', not '{name}': this file would be left out",
            file=rel,
            fix=f"Rename it to {meant}.",
        )


def kind_of(value: Any) -> str:
    """What a YAML value is, in words, for messages: "a list", "yes/no (true)"…"""
    if value is None:
        return "nothing (an empty entry: a '-' or a key with no value)"
    if isinstance(value, dict):
        return "a set of 'key: value' lines"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"yes/no ({str(value).lower()})"
    if isinstance(value, str):
        short = value if len(value) <= 40 else value[:37] + "..."
        return f"the text '{short}'"
    return "a number" if isinstance(value, int | float) else type(value).__name__
