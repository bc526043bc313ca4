"""Making Pagefind's output byte-identical from one build to the next.

sendsite promises that the same content builds the same bytes. Pagefind 1.5
writes each filter's values, and the list of filters in its ``.pf_meta``
file, in the order of a Rust hash map, which changes every run; the file
names are hashes of the contents, so they change too. ``stabilise`` sorts
those lists and renames the files after their new contents.

The files are gzipped CBOR behind a ``pagefind_dcd`` signature. Only the
CBOR that Pagefind writes is understood here (integers, strings, arrays,
maps, floats and simple values); each file is first checked to decode and
re-encode to exactly its own bytes, and anything unexpected leaves the
bundle as Pagefind wrote it (still correct, only not reproducible).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
from pathlib import Path
from typing import Any

__all__ = ["stabilise"]

_SIGNATURE = b"pagefind_dcd"


class _Raw(bytes):
    """A CBOR item kept as its exact encoding (floats, simple values)."""


class _Unexpected(Exception):
    pass


def _decode(data: bytes, at: int = 0) -> tuple[Any, int]:
    if at >= len(data):
        raise _Unexpected("truncated")
    first = data[at]
    major, info = first >> 5, first & 31
    at += 1
    if major == 7:
        size = {20: 0, 21: 0, 22: 0, 23: 0, 25: 2, 26: 4, 27: 8}.get(info)
        if size is None:
            raise _Unexpected(f"simple value {info}")
        return _Raw(data[at - 1 : at + size]), at + size
    if info < 24:
        value = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        value = int.from_bytes(data[at : at + size], "big")
        at += size
    else:
        raise _Unexpected(f"length {info}")
    if major == 0:
        return value, at
    if major == 1:
        return -1 - value, at
    if major in (2, 3):
        chunk = data[at : at + value]
        return (bytes(chunk) if major == 2 else chunk.decode("utf-8")), at + value
    if major == 4:
        items = []
        for _ in range(value):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    if major == 5:
        pairs = []
        for _ in range(value):
            key, at = _decode(data, at)
            item, at = _decode(data, at)
            pairs.append((key, item))
        return {"__map__": pairs}, at
    raise _Unexpected(f"major type {major}")


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | info]) + value.to_bytes(size, "big")
    raise _Unexpected("integer too large")


def _encode(item: Any) -> bytes:
    if isinstance(item, _Raw):
        return bytes(item)
    if isinstance(item, bool) or item is None:
        raise _Unexpected("bare bool or None")
    if isinstance(item, int):
        return _head(0, item) if item >= 0 else _head(1, -1 - item)
    if isinstance(item, str):
        raw = item.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(item, bytes):
        return _head(2, len(item)) + item
    if isinstance(item, list):
        return _head(4, len(item)) + b"".join(_encode(x) for x in item)
    if isinstance(item, dict):
        pairs = item["__map__"]
        return _head(5, len(pairs)) + b"".join(_encode(k) + _encode(v) for k, v in pairs)
    raise _Unexpected(type(item).__name__)


def _read(path: Path) -> Any:
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(_SIGNATURE):
        raise _Unexpected(f"{path.name}: no signature")
    body = raw[len(_SIGNATURE) :]
    item, end = _decode(body)
    if end != len(body) or _encode(item) != body:
        raise _Unexpected(f"{path.name}: does not re-encode to itself")
    return item


def _named(language: str, data: bytes, length: int) -> str:
    return f"{language}_{hashlib.sha256(data).hexdigest()[:length]}"


def _is_filter(item: Any) -> bool:
    return (
        isinstance(item, list)
        and len(item) == 2
        and isinstance(item[0], str)
        and isinstance(item[1], list)
        and all(isinstance(v, list) and v and isinstance(v[0], str) for v in item[1])
    )


def _is_filter_list(part: Any, bundle: Path) -> bool:
    """``[[name, file hash], ...]`` naming filter files that exist."""
    return (
        isinstance(part, list)
        and bool(part)
        and all(
            isinstance(p, list)
            and len(p) == 2
            and all(isinstance(x, str) for x in p)
            and (bundle / "filter" / f"{p[1]}.pf_filter").is_file()
            for p in part
        )
    )


def stabilise(bundle: Path) -> bool:
    """Sort Pagefind's filters in ``bundle`` and rename files to match; False if left alone."""
    try:
        return _stabilise(bundle)
    except (_Unexpected, OSError, ValueError, KeyError, struct.error, UnicodeDecodeError):
        return False


def _stabilise(bundle: Path) -> bool:
    entry_path = bundle / "pagefind-entry.json"
    text = entry_path.read_text(encoding="utf-8")
    entry = json.loads(text)
    plans = []
    for language in entry["languages"].values():
        meta_hash = language["hash"]
        meta_path = bundle / f"pagefind.{meta_hash}.pf_meta"
        meta = _read(meta_path)
        filters = [part for part in meta if _is_filter_list(part, bundle)]
        if len(filters) > 1:
            raise _Unexpected("more than one list of filters in the meta file")
        contents = {}
        for name, file_hash in filters[0] if filters else []:
            content = _read(bundle / "filter" / f"{file_hash}.pf_filter")
            if not _is_filter(content) or content[0] != name:
                raise _Unexpected(f"filter {name}")
            contents[file_hash] = content
        plans.append((meta_hash, meta_path, meta, filters[0] if filters else [], contents))
    # Everything understood: now rewrite.
    for meta_hash, meta_path, meta, filter_list, contents in plans:
        prefix = meta_hash.rsplit("_", 1)[0]
        renamed = {}
        for file_hash, content in contents.items():
            content[1].sort(key=lambda value: value[0])
            old = bundle / "filter" / f"{file_hash}.pf_filter"
            data = gzip.compress(_SIGNATURE + _encode(content), compresslevel=9, mtime=0)
            new_hash = _named(file_hash.rsplit("_", 1)[0], data, len(file_hash.rsplit("_", 1)[1]))
            old.unlink()
            (bundle / "filter" / f"{new_hash}.pf_filter").write_bytes(data)
            renamed[file_hash] = new_hash
        for pair in filter_list:
            pair[1] = renamed[pair[1]]
        filter_list.sort(key=lambda pair: pair[0])
        data = gzip.compress(_SIGNATURE + _encode(meta), compresslevel=9, mtime=0)
        new_meta = _named(prefix, data, len(meta_hash.rsplit("_", 1)[1]))
        meta_path.unlink()
        (bundle / f"pagefind.{new_meta}.pf_meta").write_bytes(data)
        text = text.replace(f'"{meta_hash}"', f'"{new_meta}"')
    entry_path.write_text(text, encoding="utf-8")
    return True
