"""Pagefind, behind one door: the only module that knows it is there.

Pagefind (``pagefind[bin]``) is a Rust program, driven here through its Python
API, that writes a chunked index into ``pagefind/`` so a browser downloads only
what a query needs; each record goes to it as one small HTML page. The rest of
sendsite uses only ``index_records``, ``index_language``, ``SearchIndexError``,
``BUNDLE`` and ``IGNORE_ATTRIBUTE``. Beyond Pagefind's documented API it relies
on the following, pinned in pyproject.toml and checked by
``tests/test_pagefind_contract.py``:

- *Speed.* The Python wrapper reads each reply only after a 0.1-second pause
  (``PagefindService._wait_for_responses``): 17 minutes for 10,000 records.
  ``_Service`` reads replies as they arrive, through the wrapper's private
  ``_backend``, ``_responses`` and ``_poll_task``.
- *Whole files.* Pagefind replies that it has written the index while its last
  writes can still be under way, and stops as soon as its input closes: sendsite
  waits until the files are whole, lets it finish on its own, and indexes again
  (at most twice) if some files are still empty.
- *Same bytes.* Pagefind writes each filter's values, and the list of filters in
  its ``.pf_meta`` file, in a Rust hash map's order, which changes every run; the
  file names are hashes of the contents. ``_stabilise`` sorts those lists
  (gzipped CBOR behind a ``pagefind_dcd`` signature, read and written with cbor2)
  and renames the files after their new contents. A file that does not decode
  and re-encode to exactly its own bytes leaves the bundle as Pagefind wrote it.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import functools
import gzip
import hashlib
import json
import shutil
import threading
from collections.abc import Callable, Coroutine, Sequence
from html import escape
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import cbor2

from sendsite.errors import SendsiteError

if TYPE_CHECKING:
    from sendsite.builtin.search.records import SearchRecord

__all__ = ["BUNDLE", "IGNORE_ATTRIBUTE", "SearchIndexError", "index_language", "index_records"]

#: Where the index goes in the site.
BUNDLE = PurePosixPath("pagefind")
#: The attribute that keeps an element (and what is inside it) out of the index.
IGNORE_ATTRIBUTE = "data-pagefind-ignore"
#: Pagefind's own ready-made interfaces: sendsite has its own search page.
_UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)
_ENTRY = "pagefind-entry.json"
#: What Pagefind's binary files start with, once gunzipped.
_SIGNATURE = b"pagefind_dcd"
#: Seconds Pagefind may take to finish writing once asked to stop.
_CLOSE_SECONDS = 120.0
#: Seconds to wait for Pagefind's files to be whole before letting it stop.
_SETTLE_LIMIT = 30.0
#: Times to run Pagefind before giving up on an incomplete index.
_ATTEMPTS = 3
#: Records sent to Pagefind before waiting for its replies.
_IN_FLIGHT = 64
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
    Pagefind is missing, fails, or indexes fewer records than it was given (it
    does not fail on empty input itself: a record with no words is dropped).
    """
    language = index_language(language)
    bundle = site_dir.joinpath(*BUNDLE.parts)
    for attempt in range(1, _ATTEMPTS + 1):
        if bundle.exists():
            shutil.rmtree(bundle)
        indexed = _run_pagefind(records, bundle, language)
        if _complete(bundle) or attempt == _ATTEMPTS:
            break
        # Pagefind can stop with files it had started still empty: index again.
    try:
        counts = json.loads((bundle / _ENTRY).read_text(encoding="utf-8"))["languages"]
        written = sum(int(lang["page_count"]) for lang in counts.values())
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SearchIndexError(f"Pagefind wrote no usable index ({exc})") from None
    if indexed != len(records) or written != len(records):
        raise SearchIndexError(
            f"Pagefind indexed {written} of {len(records)} search records",
            fix="A record with no words cannot be found: give every record some text.",
        )
    for name in _UNUSED:
        (bundle / name).unlink(missing_ok=True)
    _stabilise(bundle)
    return sorted(p for p in bundle.rglob("*") if p.is_file())


def _record_html(record: SearchRecord, language: str = "en") -> str:
    """A record as the small HTML page Pagefind indexes.

    Its items become headings with their anchors, so Pagefind returns them as
    sub-results (linked straight to the row) with their own excerpts; their
    weight is that of plain text, so a long table does not outrank prose.
    Metadata and filters go in ``data-pagefind-*`` attributes. There is no sort key:
    the search page ranks by relevance only, and a sort adds about two bytes a record
    to the file every first query downloads (60 KB at 30,000 records).
    """
    out = [f'<!DOCTYPE html><html lang="{escape(language)}"><body>']
    for key, value in record.meta().items():
        out.append(f'<span data-pagefind-meta="{escape(key)}:{escape(value)}"></span>')
    for key, values in record.filters().items():
        for value in values:
            out.append(f'<span data-pagefind-filter="{escape(key)}:{escape(value)}"></span>')
    out.append(f"<p>{escape(record.text or record.title)}</p>")
    for item in record.items:
        out.append(
            f'<h2 id="{escape(item.anchor)}" data-pagefind-weight="1">{escape(item.title)}</h2>'
        )
        if item.text:
            out.append(f"<p>{escape(item.text)}</p>")
    out.append("</body></html>")
    return "".join(out)


# --- running Pagefind -----------------------------------------------------------------------


def _run_pagefind(records: Sequence[SearchRecord], bundle: Path, language: str) -> int:
    """Index ``records`` into ``bundle`` with Pagefind; return how many it indexed."""
    try:
        return _in_own_thread(lambda: _index(records, bundle, language))
    except SearchIndexError:
        raise
    except FileNotFoundError as exc:
        raise SearchIndexError(
            f"the Pagefind program was not found ({exc})",
            fix="Install sendsite with its dependencies: pip install 'pagefind[bin]'.",
        ) from None
    except TimeoutError:
        raise SearchIndexError(f"Pagefind did not finish within {_TIMEOUT:.0f} seconds") from None
    except Exception as exc:
        raise SearchIndexError(f"Pagefind failed: {type(exc).__name__}: {exc}") from None


def _in_own_thread(make: Callable[[], Coroutine[Any, Any, int]]) -> int:
    """Run a coroutine to the end in a thread of its own (with its own event loop).

    The caller may already be inside an event loop (a web server, Playwright's
    sync API in tests), where ``asyncio.run`` is not allowed.
    """
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(asyncio.run(asyncio.wait_for(make(), _TIMEOUT)))
        except BaseException as exc:  # handed to the caller's thread
            outcome.append(exc)

    thread = threading.Thread(target=run, name="sendsite-pagefind")
    thread.start()
    thread.join()
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return int(outcome[0])


async def _index(records: Sequence[SearchRecord], bundle: Path, language: str) -> int:
    from pagefind.index import IndexConfig

    config = IndexConfig(output_path=str(bundle), force_language=language)
    service = await _make_service().launch()
    try:
        index = await service.create_index(config)
        indexed = 0
        # A few requests in flight at once keep Pagefind busy while the next are encoded;
        # Pagefind handles them in the order sent, so the index is the same every time.
        for start in range(0, len(records), _IN_FLIGHT):
            replies = await asyncio.gather(
                *(
                    index.add_html_file(content=_record_html(record, language), url=record.url)
                    for record in records[start : start + _IN_FLIGHT]
                )
            )
            indexed += sum(1 for reply in replies if reply.get("page_word_count", 0))
        await index.write_files(str(bundle))
        await _until_written(bundle)
        return indexed
    finally:
        await service.close()


def _sizes(bundle: Path) -> dict[str, int]:
    """Every file in the bundle and its size."""
    if not bundle.exists():
        return {}
    return {str(p): p.stat().st_size for p in bundle.rglob("*") if p.is_file()}


def _complete(bundle: Path, sizes: dict[str, int] | None = None) -> bool:
    """Whether Pagefind's bundle is whole: its entry file readable and no file left empty."""
    try:
        json.loads((bundle / _ENTRY).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return all((_sizes(bundle) if sizes is None else sizes).values())


async def _until_written(bundle: Path) -> None:
    """Wait until the bundle is whole and has stopped changing (or ``_SETTLE_LIMIT``)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _SETTLE_LIMIT
    last: dict[str, int] | None = None
    while loop.time() < deadline:
        now = _sizes(bundle)
        if now == last and _complete(bundle, now):
            return
        last = now
        await asyncio.sleep(0.05)


@functools.cache
def _service_class() -> type:
    from pagefind.service import PagefindService

    class _Service(PagefindService):
        """Pagefind's service, reading each reply as soon as it arrives.

        It also lets the program finish on its own when closed (end of input)
        rather than stopping it at once: Pagefind can still be writing the last
        files of the index when it has replied that it wrote them.
        """

        async def close(self) -> None:
            stdin = self._backend.stdin
            if stdin is not None and not stdin.is_closing():
                stdin.close()
            try:
                await asyncio.wait_for(self._backend.wait(), _CLOSE_SECONDS)
            except TimeoutError:
                self._backend.terminate()
                await self._backend.wait()
            self._poll_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poll_task

        async def _wait_for_responses(self) -> None:
            stdout = self._backend.stdout
            assert stdout is not None
            try:
                while True:
                    line = await stdout.readuntil(b",")
                    reply: Any = json.loads(base64.b64decode(line[:-1]))
                    if not isinstance(reply, dict):
                        continue
                    message_id = reply.get("message_id")
                    payload: Any = reply.get("payload") or {}  # JSON: Pagefind's reply
                    if message_id is None and payload.get("original_message"):
                        message_id = json.loads(payload["original_message"]).get("message_id")
                    future = self._responses.get(message_id) if message_id is not None else None
                    if future is None or future.done():
                        continue
                    if payload.get("type") == "Error":
                        error = f"Pagefind: {payload.get('message')}"
                        future.set_exception(SearchIndexError(error))
                    else:
                        future.set_result(payload)
            except (asyncio.IncompleteReadError, binascii.Error, ValueError) as exc:
                # The program stopped or wrote something else: fail what is waiting.
                for future in self._responses.values():
                    if not future.done():
                        future.set_exception(SearchIndexError(f"Pagefind stopped: {exc}"))

    return _Service


def _make_service() -> Any:
    """A Pagefind service (imported lazily: only building the index needs Pagefind)."""
    return _service_class()()


# --- the same bytes every time --------------------------------------------------------------


class _Unexpected(Exception):
    """Pagefind wrote something ``_stabilise`` does not understand."""


#: For one language: its meta file's hash, its contents, its list of filters
#: (``[[name, file hash], ...]``, part of the meta) and each filter file's contents.
_Plan = tuple[str, list[Any], list[Any], dict[str, Any]]


def _stabilise(bundle: Path) -> bool:
    """Sort Pagefind's filters in ``bundle`` and rename files to match; False if left alone."""
    try:
        plans = _stabilising_plans(bundle)
    except (_Unexpected, OSError, EOFError, ValueError, KeyError, TypeError, cbor2.CBORError):
        return False
    try:
        _rewrite(bundle, plans)
    except OSError as exc:
        raise SearchIndexError(f"the search index could not be rewritten ({exc})") from None
    return True


def _rewrite(bundle: Path, plans: list[_Plan]) -> None:
    """Sort the filters that ``_stabilising_plans`` read, and rename the files to match."""
    entry_path = bundle / _ENTRY
    text = entry_path.read_text(encoding="utf-8")
    for meta_hash, meta, filter_list, contents in plans:
        renamed = {}
        for file_hash, content in contents.items():
            content[1].sort(key=lambda value: value[0])
            (bundle / "filter" / f"{file_hash}.pf_filter").unlink()
            renamed[file_hash] = _write(bundle / "filter", "", file_hash, content, ".pf_filter")
        for pair in filter_list:
            pair[1] = renamed[pair[1]]
        filter_list.sort(key=lambda pair: pair[0])
        (bundle / f"pagefind.{meta_hash}.pf_meta").unlink()
        new_meta = _write(bundle, "pagefind.", meta_hash, meta, ".pf_meta")
        text = text.replace(f'"{meta_hash}"', f'"{new_meta}"')
    entry_path.write_text(text, encoding="utf-8")


def _stabilising_plans(bundle: Path) -> list[_Plan]:
    """For each language: its meta hash, meta, list of filters and their files' contents.

    Everything is read and checked before anything is rewritten.
    """
    entry = json.loads((bundle / _ENTRY).read_text(encoding="utf-8"))
    plans = []
    for language in entry["languages"].values():
        meta_hash = language["hash"]
        meta = _read(bundle / f"pagefind.{meta_hash}.pf_meta")
        filters = [part for part in meta if _is_filter_list(part, bundle)]
        if len(filters) > 1:
            raise _Unexpected("more than one list of filters in the meta file")
        contents = {}
        for name, file_hash in filters[0] if filters else []:
            content = _read(bundle / "filter" / f"{file_hash}.pf_filter")
            if not _is_filter(content) or content[0] != name:
                raise _Unexpected(f"filter {name}")
            contents[file_hash] = content
        plans.append((meta_hash, meta, filters[0] if filters else [], contents))
    return plans


def _read(path: Path) -> Any:
    """A gzipped, signed CBOR file's contents, if they re-encode to exactly its bytes."""
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(_SIGNATURE):
        raise _Unexpected(f"{path.name}: no signature")
    body = raw[len(_SIGNATURE) :]
    item = cbor2.loads(body)
    if cbor2.dumps(item) != body:
        raise _Unexpected(f"{path.name}: does not re-encode to itself")
    return item


def _write(folder: Path, prefix: str, old_hash: str, item: Any, suffix: str) -> str:
    """Write ``item`` as Pagefind would, named after its contents; return its new hash."""
    data = gzip.compress(_SIGNATURE + cbor2.dumps(item), compresslevel=9, mtime=0)
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
