"""The files of a Pagefind bundle: read, checked, and rewritten to the same bytes every time.

Private to ``pagefind`` (the one door to Pagefind). Pagefind names each result
after the file it indexed: ``/north/may/`` for ``north/may/index.html``, which is the
site page's own address (with a leading ``/``, which Pagefind's and sendsite's
scripts both drop), so most results are left as Pagefind wrote them. A result of a
numbered file (``/000123.html``) has its fragment (gzipped JSON behind a
``pagefind_dcd`` signature, starting ``{"url":``) given its site page's address
(``/`` and the address) and renamed after its new contents, and the list of pages in
the ``.pf_meta`` file (gzipped CBOR) follows. Pagefind writes each filter's values,
and the list of filters in its meta file, in a Rust hash map's order, which
changes every run; those lists are sorted and the files renamed after their new
contents. A file that does not decode and re-encode to exactly its own bytes is
an error: an index whose results point nowhere is never published.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cbor2

__all__ = [
    "ENTRY", "READ_ERRORS", "SIGNATURE", "Unexpected", "fragments_by_page", "plan", "rewrite",
]  # fmt: skip

#: The file naming each language's meta file (and how many pages it indexed).
ENTRY = "pagefind-entry.json"
#: What Pagefind's binary files start with, once gunzipped.
SIGNATURE = b"pagefind_dcd"


class Unexpected(Exception):
    """Pagefind wrote something sendsite does not understand."""


#: What reading an index sendsite does not understand can raise.
READ_ERRORS = (Unexpected, OSError, EOFError, ValueError, KeyError, TypeError, cbor2.CBORError)


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
    #: Each fragment's new payload (its site page's address in it), by its old hash;
    #: None for a fragment that names its site page already.
    fragments: dict[str, bytes | None] = field(default_factory=dict)
    #: Each fragment's site page's address, by its old hash.
    addresses: dict[str, str] = field(default_factory=dict)


def plan(bundle: Path, addresses: dict[str, str]) -> list[_Plan]:
    """Read and check ``bundle``, and work out each fragment's payload with its site
    page's address where it lacks it (``addresses``: Pagefind's name for a record page ->
    its site page); raises ``READ_ERRORS``."""
    plans = _plans(bundle)
    for one in plans:
        for fragment, _ in one.pages:
            one.addresses[fragment], one.fragments[fragment] = _addressed(
                bundle, fragment, addresses
            )
    return plans


def rewrite(bundle: Path, plans: list[_Plan]) -> dict[str, list[str]]:
    """Write what ``plan`` worked out: fragments, sorted filters, the meta, the entry file.

    Returns each site page's address -> its results' ids (the fragments' new hashes)."""
    written: dict[str, list[str]] = {}
    entry_path = bundle / ENTRY
    text = entry_path.read_text(encoding="utf-8")
    for one in plans:
        moved = {}
        for old, payload in one.fragments.items():
            if payload is None:
                moved[old] = old
            else:
                moved[old] = _write_payload(bundle / "fragment", "", old, payload, ".pf_fragment")
            written.setdefault(one.addresses[old], []).append(moved[old])
        for page in one.pages:
            page[0] = moved[page[0]]
        renamed = {}
        for file_hash, content in one.contents.items():
            content[1].sort(key=lambda value: value[0])
            renamed[file_hash] = _write(bundle / "filter", "", file_hash, content, ".pf_filter")
        for pair in one.filters:
            pair[1] = renamed[pair[1]]
        one.filters.sort(key=lambda pair: pair[0])
        new_meta = _write(bundle, "pagefind.", one.meta_hash, one.meta, ".pf_meta")
        text = text.replace(f'"{one.meta_hash}"', f'"{new_meta}"')
    entry_path.write_text(text, encoding="utf-8")
    return written


_HEAD = '{"url":'
_URL = json.JSONDecoder()


def _fragment_url(bundle: Path, fragment: str) -> tuple[str, str]:
    """A fragment's payload (JSON text) and the address it names (read from its start)."""
    body = _payload(bundle / "fragment" / f"{fragment}.pf_fragment").decode("utf-8")
    if not body.startswith(_HEAD):
        raise Unexpected(f"fragment {fragment} does not start with its address")
    named, _ = _URL.raw_decode(body, len(_HEAD))
    if not isinstance(named, str):
        raise Unexpected(f"fragment {fragment} does not start with its address")
    return body, named


def _addressed(bundle: Path, fragment: str, addresses: dict[str, str]) -> tuple[str, bytes | None]:
    """A fragment's site page's address, and its payload (JSON) with ``/`` and that
    address; None if it has it already."""
    body, named = _fragment_url(bundle, fragment)
    head = _HEAD + json.dumps(named, ensure_ascii=False)
    if not body.startswith(head) or named not in addresses:
        raise Unexpected(f"fragment {fragment} does not start with a record page's address")
    address = addresses[named]
    if named == f"/{address}":
        return address, None
    return address, (
        _HEAD + json.dumps(f"/{address}", ensure_ascii=False) + body[len(head) :]
    ).encode()


def _plans(bundle: Path) -> list[_Plan]:
    """For each language: its meta, its filters and their files' contents, its pages."""
    entry = json.loads((bundle / ENTRY).read_text(encoding="utf-8"))
    plans = []
    for language in entry["languages"].values():
        meta_hash = language["hash"]
        meta = _read(bundle / f"pagefind.{meta_hash}.pf_meta")
        filters = [part for part in meta if _is_filter_list(part, bundle)]
        pages = [part for part in meta if _is_page_list(part, bundle)]
        if len(filters) > 1 or len(pages) != 1:
            raise Unexpected("the meta file's lists of filters and pages")
        contents = {}
        for name, file_hash in filters[0] if filters else []:
            content = _read(bundle / "filter" / f"{file_hash}.pf_filter")
            if not _is_filter(content) or content[0] != name:
                raise Unexpected(f"filter {name}")
            contents[file_hash] = content
        plans.append(_Plan(meta_hash, meta, filters[0] if filters else [], contents, pages[0]))
    return plans


def _payload(path: Path) -> bytes:
    """What a gzipped Pagefind file holds after its signature."""
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(SIGNATURE):
        raise Unexpected(f"{path.name}: no signature")
    return raw[len(SIGNATURE) :]


def _read(path: Path) -> Any:
    """A gzipped, signed CBOR file's contents, if they re-encode to exactly its bytes."""
    body = _payload(path)
    item = cbor2.loads(body)
    if cbor2.dumps(item) != body:
        raise Unexpected(f"{path.name}: does not re-encode to itself")
    return item


def _write(folder: Path, prefix: str, old_hash: str, item: Any, suffix: str) -> str:
    """Write ``item`` as Pagefind would (CBOR), named after its contents; return its hash."""
    return _write_payload(folder, prefix, old_hash, cbor2.dumps(item), suffix)


def _write_payload(folder: Path, prefix: str, old_hash: str, payload: bytes, suffix: str) -> str:
    """Write a payload as Pagefind would over the file it replaces, then rename that file
    after its new contents; return its new hash. (Rewriting a file in place and renaming
    it costs a fraction of making a new one on some file systems: no inode to allocate.)"""
    data = gzip.compress(SIGNATURE + payload, compresslevel=9, mtime=0)
    language, _, digest = old_hash.rpartition("_")
    new_hash = f"{language}_{hashlib.sha256(data).hexdigest()[: len(digest)]}"
    old = folder / f"{prefix}{old_hash}{suffix}"
    old.write_bytes(data)
    old.replace(folder / f"{prefix}{new_hash}{suffix}")
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


def fragments_by_page(bundle: Path) -> dict[str, list[str]]:
    """Each page's address -> its results' ids (fragment hashes) in ``bundle``;
    raises ``READ_ERRORS``."""
    found: dict[str, list[str]] = {}
    for one in _plans(bundle):
        for fragment, _ in one.pages:
            url = _fragment_url(bundle, fragment)[1]
            found.setdefault(url.partition("#")[0].removeprefix("/"), []).append(fragment)
    return found
