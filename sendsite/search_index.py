"""Writing the search index with Pagefind, and the word lists for typo correction.

Pagefind (``pagefind[bin]`` on PyPI) does the indexing: a Rust program driven
through its Python API, writing a chunked index into ``pagefind/`` so that a
browser downloads only the parts a query needs. sendsite hands it one small
HTML page per record: a report section with its items as sub-results, a
report's key facts, an area, a page (see ``search_records``).

Pagefind's Python wrapper reads each reply from the program only after a
0.1-second pause (``PagefindService._wait_for_responses`` in pagefind 1.5),
which would make 10,000 records take 17 minutes. ``_make_service`` reads replies as
they arrive instead; everything else is the wrapper's own code. Pagefind also
replies that it has written the index while its last writes can still be under
way, and stops as soon as its input closes, so sendsite waits until the files
are whole before closing it (and indexes again, at most twice, if some are not).

Pagefind has no typo tolerance, so ``search/words/<letter>.json`` lists the
indexed words starting with each letter and how many records use them: the
search page fetches the one list a mistyped word needs and suggests the
nearest known word.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import functools
import json
import re
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import SendsiteError
from .search_records import SearchRecord
from .search_stable import stabilise

__all__ = ["BUNDLE", "WORDS", "IndexSummary", "SearchIndexError", "write_search_index"]

#: Where the Pagefind bundle and the word lists go in the site.
BUNDLE = PurePosixPath("pagefind")
WORDS = PurePosixPath("search", "words")
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
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
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


@dataclass(frozen=True)
class IndexSummary:
    """What was indexed, for the build's summary and for tests."""

    records: int
    words: int
    files: int
    bytes: int


def write_search_index(
    site_dir: Path, records: list[SearchRecord], language: str = "en"
) -> IndexSummary:
    """Index ``records`` into ``site_dir/pagefind`` and write the word lists.

    Raises ``SearchIndexError`` if Pagefind is missing, fails, or indexes
    fewer records than it was given (it does not fail on empty input itself).
    A site with nothing to index (no reports or pages yet) gets no index.
    """
    if not records:
        return IndexSummary(0, 0, 0, 0)
    bundle = site_dir.joinpath(*BUNDLE.parts)
    for attempt in range(1, _ATTEMPTS + 1):
        if bundle.exists():
            shutil.rmtree(bundle)
        indexed = _run_pagefind(records, bundle, language)
        if _complete(bundle) or attempt == _ATTEMPTS:
            break
        # Pagefind can stop with files it had started still empty: index again.
    entry = bundle / "pagefind-entry.json"
    try:
        counts = json.loads(entry.read_text(encoding="utf-8"))["languages"]
        written = sum(int(lang["page_count"]) for lang in counts.values())
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SearchIndexError(f"Pagefind wrote no usable index ({exc})") from None
    if indexed != len(records) or written != len(records):
        raise SearchIndexError(
            f"Pagefind indexed {written} of {len(records)} search records",
            fix="A record with no words cannot be found: give every record some text.",
        )
    for name in _UNUSED:
        (bundle / name).unlink(missing_ok=True)
    stabilise(bundle)
    words = write_word_lists(site_dir.joinpath(*WORDS.parts), records)
    files = [p for p in bundle.rglob("*") if p.is_file()]
    return IndexSummary(len(records), words, len(files), sum(p.stat().st_size for p in files))


def _sizes(bundle: Path) -> dict[str, int]:
    """Every file in the bundle and its size."""
    if not bundle.exists():
        return {}
    return {str(p): p.stat().st_size for p in bundle.rglob("*") if p.is_file()}


def _complete(bundle: Path, sizes: dict[str, int] | None = None) -> bool:
    """Whether Pagefind's bundle is whole: its entry file readable and no file left empty."""
    try:
        json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return all((_sizes(bundle) if sizes is None else sizes).values())


async def _until_written(bundle: Path) -> None:
    """Wait until the bundle is whole and has stopped changing (or ``_SETTLE_LIMIT``).

    Pagefind replies to "write the files" while its last writes may still be
    under way, and stops as soon as its input is closed: closing it at once
    can leave files it had started empty.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _SETTLE_LIMIT
    last: dict[str, int] | None = None
    while loop.time() < deadline:
        now = _sizes(bundle)
        if now == last and _complete(bundle, now):
            return
        last = now
        await asyncio.sleep(0.05)


def _run_pagefind(records: list[SearchRecord], bundle: Path, language: str) -> int:
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


async def _index(records: list[SearchRecord], bundle: Path, language: str) -> int:
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
                    index.add_html_file(content=record_html(record, language), url=record.url)
                    for record in records[start : start + _IN_FLIGHT]
                )
            )
            indexed += sum(1 for reply in replies if reply.get("page_word_count", 0))
        await index.write_files(str(bundle))
        await _until_written(bundle)
        return indexed
    finally:
        await service.close()


def record_html(record: SearchRecord, language: str = "en") -> str:
    """A record as the small HTML page Pagefind indexes.

    Its items become headings with their anchors, so Pagefind returns them as
    sub-results (linked straight to the row) with their own excerpts; their
    weight is that of plain text, so a long table does not outrank prose.
    Metadata, filters and the sort key go in ``data-pagefind-*`` attributes.
    """
    out = [f'<!DOCTYPE html><html lang="{escape(language)}"><body>']
    for key, value in record.meta().items():
        out.append(f'<span data-pagefind-meta="{escape(key)}:{escape(value)}"></span>')
    for key, values in record.filters().items():
        for value in values:
            out.append(f'<span data-pagefind-filter="{escape(key)}:{escape(value)}"></span>')
    if record.date:
        out.append(f'<span data-pagefind-sort="date:{escape(record.date)}"></span>')
    out.append(f"<p>{escape(record.text or record.title)}</p>")
    for item in record.items:
        out.append(
            f'<h2 id="{escape(item.anchor)}" data-pagefind-weight="1">{escape(item.title)}</h2>'
        )
        if item.text:
            out.append(f"<p>{escape(item.text)}</p>")
    out.append("</body></html>")
    return "".join(out)


@functools.cache
def _service_class() -> type:
    from pagefind.service import PagefindService

    class Service(PagefindService):
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
                    message = await stdout.readuntil(b",")
                    reply: Any = json.loads(base64.b64decode(message[:-1]))
                    if not isinstance(reply, dict):
                        continue
                    message_id = reply.get("message_id")
                    payload = reply.get("payload") or {}
                    if message_id is None and payload.get("original_message"):
                        message_id = json.loads(payload["original_message"]).get("message_id")
                    future = self._responses.get(message_id) if message_id is not None else None
                    if future is None or future.done():
                        continue
                    if payload.get("type") == "Error":
                        message = f"Pagefind: {payload.get('message')}"
                        future.set_exception(SearchIndexError(message))
                    else:
                        future.set_result(payload)
            except (asyncio.IncompleteReadError, binascii.Error, ValueError) as exc:
                # The program stopped or wrote something else: fail what is waiting.
                for future in self._responses.values():
                    if not future.done():
                        future.set_exception(SearchIndexError(f"Pagefind stopped: {exc}"))

    return Service


def _make_service() -> Any:
    """A Pagefind service (imported lazily: only building the index needs Pagefind)."""
    return _service_class()()


def write_word_lists(folder: Path, records: Iterable[SearchRecord]) -> int:
    """Write ``<first letter>.json`` word lists (``{"w": [[word, records], ...]}``)."""
    counts: Counter[str] = Counter()
    for record in records:
        text = " ".join((record.words(), *record.aka))
        counts.update({w for w in _WORD.findall(text.casefold()) if len(w) > 2})
    groups: dict[str, list[list[Any]]] = {}
    for word, count in sorted(counts.items()):
        groups.setdefault(_letter(word), []).append([word, count])
    folder.mkdir(parents=True, exist_ok=True)
    # Every letter has a list, even an empty one: a missing list means "cannot tell".
    for letter in [*"abcdefghijklmnopqrstuvwxyz", "0", "_"]:
        groups.setdefault(letter, [])
    for letter, words in sorted(groups.items()):
        (folder / f"{letter}.json").write_text(
            json.dumps({"w": words}, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )
    return len(counts)


def _letter(word: str) -> str:
    first = word[0]
    return first if "a" <= first <= "z" else ("0" if first.isdigit() else "_")
