"""Reading one content file into a report or page, and collecting problems.

Each document is read on its own (a pure function of the file and its area),
which is what lets ``serve`` re-read only the files that changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path, PurePosixPath
from typing import TypeVar

from sendsite.build.cache import bytes_hash, file_date, hash_as_read
from sendsite.build.site import PlainPage, ReportEntry, SiteCounts, page_path, report_path
from sendsite.content.documents import Area, Document, load_document
from sendsite.content.fields import read_checked
from sendsite.content.glossary import acronyms_in
from sendsite.content.markdown import render_markdown
from sendsite.content.model import Format, Report
from sendsite.errors import ContentError, PluginError, Problem, SendsiteError
from sendsite.plugins.manager import PluginManager, call_each
from sendsite.plugins.shapes import wrong_report

__all__ = [
    "MAX_ERRORS",
    "BuildFailed",
    "Collector",
    "ReadFile",
    "StrictWarnings",
    "collect_formats",
    "read_document",
    "scan_source",
]

T = TypeVar("T")


class StrictWarnings(SendsiteError):
    """Raised by a ``--strict`` build that found warnings; nothing was written."""

    def __init__(self, warnings: list[Problem], counts: SiteCounts | None = None) -> None:
        self.warnings = warnings
        #: What the site read holds (for ``--json``), when it was read whole.
        self.counts = counts
        super().__init__(f"{len(warnings)} warning(s), and --strict turns warnings into errors")


def collect_formats(pm: PluginManager) -> dict[str, tuple[str, Format]]:
    """Every format the plugins provide, by name, with the plugin providing it."""
    formats: dict[str, tuple[str, Format]] = {}
    keys: dict[str, tuple[str, object]] = {}  # each key's name: the plugin, the key
    for plugin, provided in call_each(pm, "register_formats"):
        for fmt in provided:
            if fmt.name in formats:
                raise PluginError(
                    f"format '{fmt.name}' is also provided by plugin '{formats[fmt.name][0]}'",
                    plugin=plugin,
                    hook="register_formats",
                    fix="Disable one of the two plugins in sendsite.yml (disable_plugins).",
                )
            formats[fmt.name] = (plugin, fmt)
            for key in fmt.status_keys:  # the exports' status_key column names one key
                owner, known = keys.setdefault(key.name, (plugin, key))
                if known is not key and known != key:
                    raise PluginError(
                        f"format '{fmt.name}' has a status key named '{key.name}', as "
                        f"plugin '{owner}' does, with other words",
                        plugin=plugin,
                        hook="register_formats",
                        fix="Name each area's key after the area ('<area>-rag'): the data "
                        "exports tell keys apart by name.",
                    )
    return formats


def _read_report(
    pm: PluginManager, formats: dict[str, tuple[str, Format]], doc: Document, area: Area
) -> ReportEntry:
    name = doc.format or ""
    if name not in formats:
        known = ", ".join(sorted(formats)) or "none (no format plugin is installed)"
        # Formats are named <area>-<kind>, so a new area's name shares its kind with
        # others ('northshire-highlight', 'westshire-highlight'): only a near miss is a typo.
        close = get_close_matches(name, list(formats), n=1, cutoff=0.8)
        hint = (
            f"Did you mean '{close[0]}'?"
            if close
            else "No installed plugin reads it: a new area's format comes from its plugin"
            " ('sendsite new-area' starts one; see docs/format-plugins.md)."
        )
        raise doc.error(
            f"unknown format '{name}'",
            "format",
            fix=f"{hint} Installed formats: {known}.",
            value=True,
        )
    plugin, fmt = formats[name]
    report = _call_reader(plugin, fmt, doc)
    _check_ids(doc, report)
    call_each(pm, "prepare_report", report=report, document=doc, area=area, file=doc.relpath)
    return ReportEntry(doc, fmt, report, area, report_path(area, doc))


def _call_reader(plugin: str, fmt: Format, doc: Document) -> Report:
    try:
        # Afterwards, every front-matter key the reader never asked for is a warning.
        report = read_checked(fmt.read, doc)
    except (ContentError, PluginError):
        raise
    except Exception as exc:
        raise PluginError(
            f"raised {type(exc).__name__} while reading format '{fmt.name}': {exc}",
            plugin=plugin,
            hook="register_formats (read)",
            file=doc.relpath,
            fix="This is a bug in the plugin, not necessarily in your content: report it "
            "to the plugin's authors (run with --verbose for the traceback).",
        ) from exc
    if not isinstance(report, Report):
        wrong = f"{type(report).__name__}, not a Report"
    elif bad := wrong_report(report):
        wrong = f"a Report with {bad}"
    else:
        return report
    raise PluginError(
        f"the reader for format '{fmt.name}' returned {wrong}",
        plugin=plugin,
        hook="register_formats (read)",
        file=doc.relpath,
        fix="This is a bug in the plugin, not in your content: report it to the plugin's "
        "authors (docs/model.md gives each field's type).",
    )


def _check_ids(doc: Document, report: Report) -> None:
    """Raise ``ContentError`` if two milestones or actions (or two risks) of ``report``
    share an id: the next report's rows are matched by id first, so a copied row's id
    left unchanged would report changes that never happened."""
    for rows, what in ((report.items, "milestone or action"), (report.risks, "risk")):
        seen: set[str] = set()
        for row in rows:
            if row.ref and row.ref in seen:
                found = [doc.line(*path) for path in _paths_of_id(doc.front, row.ref)]
                lines = [line for line in found if line is not None]
                raise ContentError(
                    f"the id '{row.ref}' is given to two of the report's {what} rows"
                    + (f" (the first on line {lines[0]})" if len(lines) > 1 else ""),
                    file=doc.relpath,
                    line=lines[1] if len(lines) > 1 else None,
                    fix="Give each row an id of its own: the id is how the next report's"
                    " row is known to be this one.",
                )
            seen.add(row.ref)


def _paths_of_id(
    node: object, ref: str, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[str | int, ...]]:
    """Where the front matter gives ``id: ref``, in the order it is written."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "id" and str(value).strip() == ref:
                yield (*path, key)
            else:
                yield from _paths_of_id(value, ref, (*path, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths_of_id(value, ref, (*path, index))


#: The front-matter keys a plain page (a file with no ``format:``) reads.
_PLAIN_KEYS = ("title", "slug", "topics")
#: Keys a page may well have that formats read too: not signs of a report.
_PAGE_LIKE = frozenset({"date", "description", "author", "summary", "tags", "draft"})


def _plain_page(
    doc: Document, area: Area | None, formats: dict[str, tuple[str, Format]]
) -> PlainPage:
    _check_plain_keys(doc, formats)
    title = doc.positions.written.get(("title",), doc.front.get("title"))
    if not isinstance(title, str) or not title.strip():
        title = doc.relpath.stem.replace("-", " ").replace("_", " ").capitalize()
    return PlainPage(doc, title.strip(), render_markdown(doc.body), area, page_path(doc))


def _check_plain_keys(doc: Document, formats: dict[str, tuple[str, Format]]) -> None:
    """An error for a ``format:`` left empty or misspelt (the report would be published as
    a plain page, its rows lost); a warning for a report's keys on a page with none."""
    for name in doc.front:
        if name == "format":  # there, with nothing after it
            raise doc.error(
                "'format:' is empty, so this file would be published as a plain page and "
                "its report lost",
                name,
                fix="Name the report's format, e.g. 'format: northshire-highlight'.",
            )
        if _one_slip(name.casefold(), "format") and (  # "Format", "fromat", "formt"
            name.casefold() == "format" or _names_a_format(doc.front[name], formats)
        ):  # but "formal: yes" and "formats: [PDF, Word]" are a page's own settings
            raise doc.error(
                f"'{name}:' is not 'format:', so this file would be published as a plain "
                "page and its report lost",
                name,
                fix="Write it as 'format:' (lower case), e.g. 'format: northshire-highlight'.",
            )
    known = {key for _, fmt in formats.values() for key in (fmt.schema or {}).get("properties", {})}
    found = [key for key in doc.front if key in known and key not in _PAGE_LIKE]
    found = [key for key in found if key not in _PLAIN_KEYS]
    if found:
        doc.warn(
            "this file has no 'format:', so it is a plain page, but it has a report's "
            f"settings, which a page ignores: {', '.join(repr(k) for k in found[:8])}",
            found[0],
            fix="If it is a report, add the line 'format:' naming its format, e.g. 'format: "
            "northshire-highlight'; if it is a page, remove those settings.",
        )


#: What a format's name looks like: words joined by hyphens (``northshire-highlight``).
_FORMAT_NAME = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)+")


def _names_a_format(value: object, formats: dict[str, tuple[str, Format]]) -> bool:
    """Whether ``value`` reads as a format's name: one of ``formats`` (or one slip from
    one), or words joined by hyphens, as format names are."""
    if not isinstance(value, str):
        return False
    name = value.strip().casefold()
    return bool(_FORMAT_NAME.fullmatch(name)) or any(_one_slip(name, known) for known in formats)


def _one_slip(written: str, meant: str) -> bool:
    """Whether ``written`` is ``meant`` with one letter wrong, missing, extra or swapped
    with the next (so "form:" or "formation:" is not "format:")."""
    if written == meant or abs(len(written) - len(meant)) > 1:
        return written == meant
    if len(written) == len(meant):
        wrong = [n for n, (a, b) in enumerate(zip(written, meant, strict=True)) if a != b]
        return len(wrong) == 1 or (
            len(wrong) == 2
            and wrong[1] == wrong[0] + 1
            and written[wrong[0]] == meant[wrong[1]]
            and written[wrong[1]] == meant[wrong[0]]
        )
    short, long = sorted((written, meant), key=len)
    return any(long[:n] + long[n + 1 :] == short for n in range(len(long)))


MAX_ERRORS = 50


class BuildFailed(SendsiteError):
    """The content has errors; every one found is in ``errors``. Nothing was written."""

    def __init__(
        self, errors: list[Problem], warnings: list[Problem], *, capped: bool = False
    ) -> None:
        self.errors = errors
        self.warnings = warnings
        #: Whether looking stopped at ``MAX_ERRORS`` (there may be more).
        self.capped = capped
        super().__init__(f"{len(errors)} error(s) found")


class Collector:
    """Gathers problems from independent steps, so one run reports them all."""

    def __init__(self) -> None:
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        #: Whether a step was skipped, or errors left out, as ``MAX_ERRORS`` were found.
        self.capped = False
        #: The errors' words and places, so one a plugin makes on every page is said once.
        self._said: set[tuple[str, str, int | None]] = set()

    def attempt(self, step: Callable[[], T]) -> T | None:
        """Run ``step``; record its error and return None if it fails."""
        if len(self.errors) >= MAX_ERRORS:
            self.capped = True
            return None
        try:
            return step()
        except SendsiteError as exc:
            exc.problem.cause = exc.__cause__
            self.add(exc.problems)
            return None

    def add(self, errors: Iterable[Problem]) -> None:
        """Record ``errors``, each once: the same words at the same place (a plugin's
        mistake on every page it makes) are said once."""
        for problem in errors:
            said = (problem.message, str(problem.file), problem.line)
            if said not in self._said:
                self._said.add(said)
                self.errors.append(problem)

    def raise_if_failed(self) -> None:
        if self.errors:
            raise BuildFailed(self.errors, self.warnings, capped=self.capped)


def read_document(
    pm: PluginManager,
    formats: dict[str, tuple[str, Format]],
    areas: dict[str, Area],
    path: Path,
    rel: PurePosixPath,
) -> tuple[ReportEntry | PlainPage, list[Problem]]:
    """Read one content file: a report (by its format's plugin) or a plain page."""
    doc = load_document(path, rel)
    doc.check_slug()
    area = None
    if doc.area is not None:
        folder = doc.area_folder or doc.area
        area = areas.get(doc.area) or Area(slug=doc.area, name=folder.replace("-", " ").title())
    if doc.format is None:
        return _plain_page(doc, area, formats), doc.warnings
    if area is None:
        raise doc.error(
            "a report must sit in its area's folder",
            "format",
            fix=f"Move it to content/<area>/{rel.name}, e.g. content/northshire/{rel.name}.",
        )
    return _read_report(pm, formats, doc, area), doc.warnings


#: A relative link in Markdown or HTML (``](x``, ``[id]: x``, ``href="x``): not a web
#: address, not a path from the root, not an anchor on the page itself.
_RELATIVE_LINK = re.compile(
    r"(?:\]\(\s*<?|^ {0,3}\[[^\]]+\]:\s*<?|(?:href|src)\s*=\s*[\"']?)"
    r"(?![a-zA-Z][\w+.-]*:|/|#|\s|\)|>)",
    re.M,
)


def scan_source(
    path: Path, seen: tuple[int, int] | None = None
) -> tuple[dict[str, int], bool, str] | None:
    """Acronym-like words in a content file and their lines, whether it names another file
    (a ``.md`` or a relative link: what the build checks), and the ``content_hash`` of its
    bytes if its date and size are still those ``seen`` before it was read (else "");
    None if it cannot be read."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    text = raw.decode("utf-8-sig", "replace")
    digest = bytes_hash(raw) if seen is not None and file_date(path) == seen else ""
    return acronyms_in(text), _names_files(text), digest


def _names_files(text: str) -> bool:
    """Whether ``text`` names a ``.md`` or has a relative link (the pattern is run only
    where a link may be: seven times the cost of looking for these four)."""
    if ".md" in text:
        return True
    if "](" not in text and "]:" not in text and "href" not in text and "src" not in text:
        return False
    return _RELATIVE_LINK.search(text) is not None


@dataclass
class ReadFile:
    """A content file as last read: its signature, what it became, its warnings."""

    signature: tuple[int, int, str]
    item: ReportEntry | PlainPage
    warnings: list[Problem]
    #: What its source text shows (``scan_source``), found once per read: by the
    #: worker that read it, or else when first asked for.
    _acronyms: dict[str, int] | None = None
    _names_files: bool = True
    #: The ``content_hash`` of the bytes read (by the worker that read them, or by the build
    #: cache), if known.
    digest: str = ""

    def cache_facets(self) -> tuple[object, ...]:
        """What the build cache watches to know this read is as it was when loaded: it,
        its entry or page, its document, and the containers they change in place (see
        ``build.pieces``)."""
        item, document = self.item, self.item.document
        kept = item.kept if isinstance(item, ReportEntry) else {}
        return (self, item, document, self.warnings, document.warnings, document.front, kept)

    def saved_unchanged(self, signature: tuple[int, int, str]) -> bool:
        """Whether the file, now dated and sized as ``signature`` says, holds the very bytes
        this was read from (saved again as it was): then it takes that signature."""
        if not self.digest or signature[2] != self.signature[2]:  # never hashed, or moved
            return False
        if hash_as_read(self.item.document.source, signature[:2]) != self.digest:
            return False
        self.signature = signature
        return True

    def scan(self) -> dict[str, int]:
        """Acronym-like words in the source and their lines; notes whether it names a ``.md``."""
        if self._acronyms is None:
            scanned = scan_source(self.item.document.source)
            if scanned is None:
                return {}  # gone since it was read: the next change will say
            self._acronyms, self._names_files, _ = scanned
        return self._acronyms

    @property
    def names_files(self) -> bool:
        """Whether the source names another file (a ``.md``, an attachment, a page): links
        the build checks, and points at where each file is published."""
        self.scan()
        return self._names_files
