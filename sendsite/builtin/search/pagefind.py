"""Pagefind, behind one door: the only module that knows it is there.

Pagefind (``pagefind[bin]``) is a Rust program that writes a chunked index into
``pagefind/`` so a browser downloads only what a query needs. The search records
of each site page (a report's overview and sections) become one small HTML page
in a temporary folder, its sections and their items headings with their
anchors, and Pagefind's own program indexes the folder on every core. The rest of sendsite uses only
``index_records``, ``index_language``, ``SearchIndexError``, ``BUNDLE`` and
``IGNORE_ATTRIBUTE``. Beyond Pagefind's documented options it relies on the
following, pinned in pyproject.toml and checked by
``tests/test_pagefind_contract.py``:

- *Addresses.* Pagefind names each result after its page's file
  (``/000123.html``); a result's address is its site page's (``area/report/``).
  Each fragment (gzipped JSON behind a ``pagefind_dcd`` signature, starting
  ``{"url":``) gets its site page's address, is renamed after its new contents, and
  the list of pages in the ``.pf_meta`` file (gzipped CBOR, read and written
  with cbor2) follows.
- *Same bytes.* Pagefind writes each filter's values, and the list of filters in
  its ``.pf_meta`` file, in a Rust hash map's order, which changes every run; the
  file names are hashes of the contents. Those lists are sorted and the files
  renamed after their new contents.

A file that does not decode and re-encode to exactly its own bytes, or anything
else unexpected, is a ``SearchIndexError`` naming it: an index whose results
point nowhere is never published.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from importlib.metadata import version
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import cbor2

from sendsite.errors import SendsiteError

if TYPE_CHECKING:
    from sendsite.builtin.search.records import SearchRecord

__all__ = [
    "BUNDLE", "IGNORE_ATTRIBUTE", "SearchIndexError", "copy_index", "fragments_by_page",
    "index_language", "index_records", "records_digest",
]  # fmt: skip

#: Where the index goes in the site.
BUNDLE = PurePosixPath("pagefind")
#: The attribute that keeps an element (and what is inside it) out of the index.
IGNORE_ATTRIBUTE = "data-pagefind-ignore"
#: Pagefind's own ready-made interfaces: sendsite has its own search page.
_UNUSED = ["pagefind-highlight.js"] + [
    f"pagefind-{ui}{end}" for ui in ("ui", "modular-ui", "component-ui") for end in (".js", ".css")
]  # fmt: skip
_ENTRY = "pagefind-entry.json"
#: What Pagefind's binary files start with, once gunzipped.
_SIGNATURE = b"pagefind_dcd"
#: Seconds to wait for Pagefind before giving up (a stuck program must not hang a build).
_TIMEOUT = 900.0


class SearchIndexError(SendsiteError):
    """The search index could not be written."""


def index_language(language: str) -> str:
    """The index's language for the site's ``lang`` (``en-GB`` -> ``en``): one index for all."""
    return (language or "en").split("-")[0].lower() or "en"


def index_records(
    records: Sequence[SearchRecord], site_dir: Path, language: str = "en"
) -> list[Path]:
    """Index ``records`` into ``site_dir/pagefind``; return the files written.

    The same records give the same bytes. Raises ``SearchIndexError`` if
    Pagefind is missing, fails, indexes fewer pages than it was given (a page
    with no words is dropped), or writes what sendsite cannot read.
    """
    language = index_language(language)
    bundle = site_dir.joinpath(*BUNDLE.parts)
    if bundle.exists():
        shutil.rmtree(bundle)
    with tempfile.TemporaryDirectory(prefix="sendsite-records-") as folder:
        addresses = _write_pages(records, Path(folder), language)
        _run_pagefind(Path(folder), bundle, language)
    try:
        counts = json.loads((bundle / _ENTRY).read_text(encoding="utf-8"))["languages"]
        written = sum(int(lang["page_count"]) for lang in counts.values())
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SearchIndexError(f"Pagefind wrote no usable index ({exc})") from None
    if written != len(addresses):
        raise SearchIndexError(
            f"Pagefind indexed {written} of {len(addresses)} pages of search records",
            fix="A page whose records have no words cannot be found: give every record some text.",
        )
    for name in _UNUSED:
        (bundle / name).unlink(missing_ok=True)
    _finish(bundle, addresses)
    return sorted(p for p in bundle.rglob("*") if p.is_file())


def records_digest(records: Sequence[SearchRecord], language: str = "en") -> str:
    """A hash naming these records as Pagefind would index them (and Pagefind's version)."""
    digest = hashlib.sha256(f"{version('pagefind-bin')} {index_language(language)}".encode())
    for group in _group(records):
        digest.update(b"\0" + _page_html(group, index_language(language)).encode("utf-8"))
    return digest.hexdigest()


def copy_index(site_dir: Path, into: Path) -> list[Path] | None:
    """Copy the index of the site at ``site_dir`` into ``into``; None if it has none whole."""
    source, bundle = site_dir.joinpath(*BUNDLE.parts), into.joinpath(*BUNDLE.parts)
    if not (source / _ENTRY).is_file():
        return None
    try:
        if bundle.exists():
            shutil.rmtree(bundle)
        shutil.copytree(source, bundle)
    except OSError:
        shutil.rmtree(bundle, ignore_errors=True)
        return None
    return sorted(p for p in bundle.rglob("*") if p.is_file())


def fragments_by_page(bundle: Path) -> dict[str, list[str]]:
    """Each page's address -> its results' ids (``result.id``: fragment hashes) in ``bundle``;
    the preview's search page hides a page's results by them when it is indexed again."""
    found: dict[str, list[str]] = {}
    try:
        for plan in _plans(bundle):
            for fragment, _ in plan.pages:
                url = _fragment_url(bundle, fragment)[1]
                found.setdefault(url.partition("#")[0], []).append(fragment)
    except _READ_ERRORS as exc:
        raise SearchIndexError(f"the search index could not be read ({exc})") from None
    return found


def _write_pages(records: Sequence[SearchRecord], folder: Path, language: str) -> dict[str, str]:
    """Write one page per site page for Pagefind to index; return each file's site page."""
    addresses = {}
    for n, group in enumerate(_group(records)):
        name = f"{n:06d}.html"
        (folder / name).write_text(_page_html(group, language), encoding="utf-8")
        addresses[f"/{name}"] = group[0].page()
    return addresses


def _group(records: Sequence[SearchRecord]) -> list[list[SearchRecord]]:
    """The records by site page (in order); on each, those with no anchor lead."""
    pages: dict[str, list[SearchRecord]] = {}
    for record in records:
        pages.setdefault(record.page(), []).append(record)
    return [sorted(group, key=lambda r: "#" in r.url) for group in pages.values()]


def _page_html(group: Sequence[SearchRecord], language: str = "en") -> str:
    """The records of one site page as the small HTML page Pagefind indexes.

    The page's lead record (a report's overview) comes first; each section is a
    heading with its anchor, and its items lower headings with theirs, so Pagefind
    returns them as sub-results (linked straight to the section or the row) with
    their own excerpts. Items weigh as plain text, so a long table does not
    outrank prose. Metadata and filters go in ``data-pagefind-*`` attributes.
    There is no sort key: the search page ranks by relevance only, and a sort adds
    about two bytes a page to the file every first query downloads.
    """
    out = [f'<!DOCTYPE html><html lang="{escape(language)}"><body>']
    for key, value in _page_meta(group).items():
        out.append(f'<span data-pagefind-meta="{escape(key)}:{escape(value)}"></span>')
    for key, values in _page_filters(group).items():
        for value in values:
            out.append(f'<span data-pagefind-filter="{escape(key)}:{escape(value)}"></span>')
    for record in group:
        if anchor := _anchor(record):
            out.append(f'<h2 id="{escape(anchor)}">{escape(record.title)}</h2>')
        if record.text or not anchor:
            out.append(f"<p>{escape(record.text or record.title)}</p>")
        for item in record.items:
            out.append(
                f'<h3 id="{escape(item.anchor)}" data-pagefind-weight="1">{escape(item.title)}</h3>'
            )
            if item.text:
                out.append(f"<p>{escape(item.text)}</p>")
    out.append("</body></html>")
    return "".join(out)


def _page_meta(group: Sequence[SearchRecord]) -> dict[str, str]:
    """Its lead record's title, kind, area and date; every record's ``aka``; JSON
    ``sections`` (``[[anchor, title, kind, aka], ...]``) and ``items`` (each item's
    ``facts()`` and then its section's anchor)."""
    lead, sections = group[0], [r for r in group if "#" in r.url]
    led = "#" not in lead.url  # else a plugin's sections with no overview
    values = {
        "title": lead.title if led else lead.report or lead.title,
        "kind": lead.kind if led else "Report" if lead.report else lead.kind,
        "area": next((r.area for r in group if r.area), ""),
        "date": lead.date,
        "aka": " · ".join(dict.fromkeys(a for r in group for a in r.aka)),
        "sections": _json([[_anchor(r), r.title, r.kind, " · ".join(r.aka)] for r in sections]),
        "items": _json([[*i.facts(), _anchor(r)] for r in group for i in r.items]),
    }
    return {key: value for key, value in values.items() if value}


def _page_filters(group: Sequence[SearchRecord]) -> dict[str, list[str]]:
    """Area, kind and status: what its records' filters hold, together."""
    values: dict[str, dict[str, None]] = {}
    for record in group:
        for key, chosen in record.filters().items():
            values.setdefault(key, {}).update(dict.fromkeys(chosen))
    return {key: list(chosen) for key, chosen in values.items()}


def _anchor(record: SearchRecord) -> str:
    return record.url.partition("#")[2]


def _json(rows: list[list[str]]) -> str:
    return json.dumps(rows, ensure_ascii=False) if rows else ""


# --- running Pagefind -----------------------------------------------------------------------


def _program() -> Path:
    """Pagefind's program: ``$PAGEFIND_BINARY_PATH`` (as Pagefind's own Python package
    reads it, e.g. for ``pagefind_extended``), or the one ``pagefind[bin]`` installs."""
    if chosen := os.environ.get("PAGEFIND_BINARY_PATH"):
        if not Path(chosen).is_file():
            raise SearchIndexError(
                f"the Pagefind program was not found (PAGEFIND_BINARY_PATH is {chosen})",
                fix="Point PAGEFIND_BINARY_PATH at Pagefind's program, or unset it.",
            )
        return Path(chosen)
    problem: Exception = ImportError("pagefind_bin is not installed")
    for package in ("pagefind_bin_extended", "pagefind_bin"):  # as Pagefind's package looks
        try:
            return Path(importlib.import_module(package).get_executable())
        except (ImportError, FileNotFoundError) as exc:
            problem = exc if isinstance(exc, FileNotFoundError) else problem
    raise SearchIndexError(
        f"the Pagefind program was not found ({problem})",
        fix="Install sendsite with its dependencies: pip install 'pagefind[bin]'.",
    )


def _run_pagefind(pages: Path, bundle: Path, language: str) -> None:
    """Index the record pages in ``pages`` into ``bundle`` with Pagefind's program."""
    command = [str(_program()), "--site", str(pages), "--output-path", str(bundle)]
    command += ["--force-language", language, "--silent"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise SearchIndexError(f"Pagefind did not finish within {_TIMEOUT:.0f} seconds") from None
    except OSError as exc:
        raise SearchIndexError(f"Pagefind could not be run: {exc}") from None
    if done.returncode != 0:
        said = " ".join((done.stderr or done.stdout).split())[-500:]
        raise SearchIndexError(f"Pagefind failed (exit {done.returncode}): {said}")


# --- the same bytes every time --------------------------------------------------------------


class _Unexpected(Exception):
    """Pagefind wrote something sendsite does not understand."""


#: What reading an index sendsite does not understand can raise.
_READ_ERRORS = (_Unexpected, OSError, EOFError, ValueError, KeyError, TypeError, cbor2.CBORError)


@dataclass
class _Plan:
    """One language's index, read and checked before anything is rewritten."""

    meta_hash: str
    meta: list[Any]
    #: ``[[name, file hash], ...]`` (part of the meta) and each filter file's contents.
    filters: list[Any]
    contents: dict[str, Any]
    #: ``[[fragment hash, word count], ...]`` (part of the meta): one a result.
    pages: list[Any]
    #: Each fragment's new payload (its site page's address in it), by its old hash.
    fragments: dict[str, bytes] = field(default_factory=dict)


def _finish(bundle: Path, addresses: dict[str, str]) -> None:
    """Give each result its site page's address, sort the filters, and rename files to match."""
    try:
        plans = _plans(bundle)
        for plan in plans:
            plan.fragments = {h: _addressed(bundle, h, addresses) for h, _ in plan.pages}
    except _READ_ERRORS as exc:
        raise SearchIndexError(
            f"Pagefind wrote an index sendsite cannot read ({type(exc).__name__}: {exc})",
            fix="Install the Pagefind version pyproject.toml names (pip install -e .).",
        ) from None
    try:
        _rewrite(bundle, plans)
    except OSError as exc:
        raise SearchIndexError(f"the search index could not be rewritten ({exc})") from None


def _fragment_url(bundle: Path, fragment: str) -> tuple[str, str]:
    """A fragment's payload (JSON text) and the address it names."""
    body = _payload(bundle / "fragment" / f"{fragment}.pf_fragment").decode("utf-8")
    return body, str(json.loads(body)["url"])


def _addressed(bundle: Path, fragment: str, addresses: dict[str, str]) -> bytes:
    """A fragment's payload (JSON) with its site page's address for its file name."""
    body, named = _fragment_url(bundle, fragment)
    head = '{"url":' + json.dumps(named, ensure_ascii=False)
    if not body.startswith(head) or named not in addresses:
        raise _Unexpected(f"fragment {fragment} does not start with a record page's address")
    return (
        '{"url":' + json.dumps(addresses[named], ensure_ascii=False) + body[len(head) :]
    ).encode()


def _rewrite(bundle: Path, plans: list[_Plan]) -> None:
    """Write what ``_finish`` planned: fragments, sorted filters, the meta, the entry file."""
    entry_path = bundle / _ENTRY
    text = entry_path.read_text(encoding="utf-8")
    for plan in plans:
        moved = {}
        for old, payload in plan.fragments.items():
            (bundle / "fragment" / f"{old}.pf_fragment").unlink()
            moved[old] = _write_payload(bundle / "fragment", "", old, payload, ".pf_fragment")
        for page in plan.pages:
            page[0] = moved[page[0]]
        renamed = {}
        for file_hash, content in plan.contents.items():
            content[1].sort(key=lambda value: value[0])
            (bundle / "filter" / f"{file_hash}.pf_filter").unlink()
            renamed[file_hash] = _write(bundle / "filter", "", file_hash, content, ".pf_filter")
        for pair in plan.filters:
            pair[1] = renamed[pair[1]]
        plan.filters.sort(key=lambda pair: pair[0])
        (bundle / f"pagefind.{plan.meta_hash}.pf_meta").unlink()
        new_meta = _write(bundle, "pagefind.", plan.meta_hash, plan.meta, ".pf_meta")
        text = text.replace(f'"{plan.meta_hash}"', f'"{new_meta}"')
    entry_path.write_text(text, encoding="utf-8")


def _plans(bundle: Path) -> list[_Plan]:
    """For each language: its meta, its filters and their files' contents, its pages."""
    entry = json.loads((bundle / _ENTRY).read_text(encoding="utf-8"))
    plans = []
    for language in entry["languages"].values():
        meta_hash = language["hash"]
        meta = _read(bundle / f"pagefind.{meta_hash}.pf_meta")
        filters = [part for part in meta if _is_filter_list(part, bundle)]
        pages = [part for part in meta if _is_page_list(part, bundle)]
        if len(filters) > 1 or len(pages) != 1:
            raise _Unexpected("the meta file's lists of filters and pages")
        contents = {}
        for name, file_hash in filters[0] if filters else []:
            content = _read(bundle / "filter" / f"{file_hash}.pf_filter")
            if not _is_filter(content) or content[0] != name:
                raise _Unexpected(f"filter {name}")
            contents[file_hash] = content
        plans.append(_Plan(meta_hash, meta, filters[0] if filters else [], contents, pages[0]))
    return plans


def _payload(path: Path) -> bytes:
    """What a gzipped Pagefind file holds after its signature."""
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(_SIGNATURE):
        raise _Unexpected(f"{path.name}: no signature")
    return raw[len(_SIGNATURE) :]


def _read(path: Path) -> Any:
    """A gzipped, signed CBOR file's contents, if they re-encode to exactly its bytes."""
    body = _payload(path)
    item = cbor2.loads(body)
    if cbor2.dumps(item) != body:
        raise _Unexpected(f"{path.name}: does not re-encode to itself")
    return item


def _write(folder: Path, prefix: str, old_hash: str, item: Any, suffix: str) -> str:
    """Write ``item`` as Pagefind would (CBOR), named after its contents; return its hash."""
    return _write_payload(folder, prefix, old_hash, cbor2.dumps(item), suffix)


def _write_payload(folder: Path, prefix: str, old_hash: str, payload: bytes, suffix: str) -> str:
    """Write a payload as Pagefind would, named after its contents; return its new hash."""
    data = gzip.compress(_SIGNATURE + payload, compresslevel=9, mtime=0)
    language, _, digest = old_hash.rpartition("_")
    new_hash = f"{language}_{hashlib.sha256(data).hexdigest()[: len(digest)]}"
    (folder / f"{prefix}{new_hash}{suffix}").write_bytes(data)
    return new_hash


def _is_filter(item: Any) -> bool:
    """``[name, [[value, [page, ...]], ...]]``: a filter file's contents."""
    return (
        isinstance(item, list)
        and len(item) == 2
        and isinstance(item[0], str)
        and isinstance(item[1], list)
        and all(isinstance(v, list) and v and isinstance(v[0], str) for v in item[1])
    )


def _is_filter_list(part: Any, bundle: Path) -> bool:
    """``[[name, file hash], ...]`` naming filter files that exist."""
    return _is_pairs(part, str, lambda pair: bundle / "filter" / f"{pair[1]}.pf_filter")


def _is_page_list(part: Any, bundle: Path) -> bool:
    """``[[fragment hash, word count], ...]`` naming fragment files that exist."""
    return _is_pairs(part, int, lambda pair: bundle / "fragment" / f"{pair[0]}.pf_fragment")


def _is_pairs(part: Any, second: type, file: Callable[[list[Any]], Path]) -> bool:
    """A non-empty list of ``[text, second]`` pairs, each naming a file that exists."""
    return (
        isinstance(part, list)
        and bool(part)
        and all(
            isinstance(pair, list)
            and len(pair) == 2
            and isinstance(pair[0], str)
            and isinstance(pair[1], second)
            and not isinstance(pair[1], bool)
            and file(pair).is_file()
            for pair in part
        )
    )
