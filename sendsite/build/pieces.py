"""The build cache's big mappings: pickled a few entries at a time, and copied from the
last cache where their entries are as they were read.

A ``Pieces`` mapping (the reads of every content file, the search records of every
report) is most of the cache: at 2,000 reports some 50 MB and 4,000 entries, whose
pickling was a tenth of a build after one edit. It is written in chunks of at most
``PIECE`` entries, each a pickle of its own (see ``Pieces``) in a file of its own,
named after its bytes' hash, in the cache's chunk folder. When it is read, which file
each chunk came from is noted, and for each entry what says whether it is as it was
(``_watched``): the objects it holds, and the state each of them pickles. The next
cache names the same file for a chunk with the same keys in the same order whose
entries each still hold the very same objects in the same state, writing nothing;
any other chunk is pickled into a new file. (Copying the unchanged chunks into one
new file wrote 80 MB a build at 2,000 reports.) ``cache.StagedCache`` removes the
files no cache names once the build has succeeded.

An entry's objects are what it holds: a tuple's items, a list's or a dict's entries
(the container itself, and each of its items as an object), and, for an object with
``cache_facets()``, each object it names (its own, and the containers it changes in
place), with the state it would pickle (``__getstate__``), compared value by value:
the same object, or an equal string, number, bytes, path or empty container. What an
entry's objects hold deeper (a report's items, sections and rows) is fixed when the
file is read: no hook changes a report after ``prepare_report``, which the data
exports' copied pieces rely on too (``build.reused``).
"""

from __future__ import annotations

import contextlib
import pickle
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, BinaryIO

from sendsite.build.hashed import put_hashed

__all__ = ["PIECE", "PieceReader", "PieceWriter", "Pieces"]

#: How many entries of a ``Pieces`` mapping are pickled at once. (Smaller is no slower
#: to pickle: a chunk's memo stays small. Fewer entries are pickled again after an edit.)
PIECE = 50
#: Values compared by equality, not identity, in what says an entry is as it was.
_VALUES = (str, bytes, int, float, bool, type(None), PurePath)
_CONTAINERS = (list, tuple, dict, set, frozenset)
#: Held as they are by what ``PieceReader`` keeps (they cannot be weakly referenced).
_HELD = {list, dict, set, frozenset, bytearray}


class Pieces(dict[Any, Any]):
    """A mapping the cache pickles a few entries at a time, each with a fresh memo.

    Pickle remembers every object it has written until the end of a dump, and a big
    site's reads are millions of objects: at 10,000 reports that memory is some 370 MB,
    beside the site itself. An object two pieces share (an area, a format) is written
    in each and comes back as equal copies, as worker processes' results do.
    """


@dataclass
class _Chunk:
    """One pickle of a ``Pieces`` mapping's entries: their keys, and its file."""

    keys: tuple[Any, ...]
    name: str


@dataclass
class _Read:
    """The chunks one ``Pieces`` mapping was read from, and what each of its entries
    held when read (``_watched``)."""

    chunks: list[_Chunk] = field(default_factory=list)
    held: dict[Any, list[object]] = field(default_factory=dict)


class PieceReader(pickle.Unpickler):
    """Reads what ``PieceWriter`` wrote (its chunks from ``folder``); each ``Pieces`` is
    empty until ``fill``."""

    def __init__(self, file: BinaryIO, folder: Path) -> None:
        super().__init__(file)
        self.file, self.folder = file, folder
        self.pieces: list[Pieces] = []

    def persistent_load(self, pid: Any) -> Any:
        if pid != len(self.pieces):
            raise pickle.UnpicklingError(f"unexpected piece {pid!r}")
        self.pieces.append(Pieces())
        return self.pieces[-1]

    def fill(self) -> LastPieces:
        """Read every ``Pieces``' entries (after ``load``); what a ``PieceWriter`` can
        name again."""
        last = LastPieces(self.folder)
        for pieces in self.pieces:
            read = _Read()
            for name in pickle.load(self.file):
                try:
                    chunk = pickle.loads((self.folder / name).read_bytes())
                except Exception:  # damaged: gone, so the next cache writes it again
                    with contextlib.suppress(OSError):
                        (self.folder / name).unlink()
                    raise
                pieces.update(chunk)
                read.chunks.append(_Chunk(tuple(chunk), name))
                read.held.update((key, _watched(value, weak=True)) for key, value in chunk.items())
            last.read.append(read)
        return last


@dataclass
class LastPieces:
    """The last cache's ``Pieces``, as ``PieceReader.fill`` read them from ``folder``."""

    folder: Path
    read: list[_Read] = field(default_factory=list)


class PieceWriter(pickle.Pickler):
    """Pickles all but ``Pieces``, which it lists (in order) for ``write_pieces``."""

    def __init__(self, file: BinaryIO, folder: Path) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.file, self.folder = file, folder
        self.pieces: list[Pieces] = []
        #: Every chunk file the cache names, and those this writer made.
        self.names: set[str] = set()
        self.made: list[str] = []

    def persistent_id(self, obj: Any) -> Any:
        if obj.__class__ is Pieces:
            self.pieces.append(obj)
            return len(self.pieces) - 1
        return None

    def write_pieces(self, last: LastPieces | None = None) -> int:
        """Write the ``Pieces`` listed (after ``dump``): each chunk whose entries are as
        ``last`` read them is its file again, the others pickled into new files; return
        how many entries were in chunks named again."""
        named = 0
        self.folder.mkdir(parents=True, exist_ok=True)
        for n, pieces in enumerate(self.pieces):
            same = last is not None and last.folder == self.folder and n < len(last.read)
            names: list[str] = []
            for kept, entries in _chunks(pieces, last.read[n] if last and same else None):
                if kept is not None and (self.folder / kept.name).is_file():
                    names.append(kept.name)
                    named += len(entries)
                else:
                    names.append(self._put(_pickled(entries)))
            pickle.dump(names, self.file)
            self.names.update(names)
        return named

    def _put(self, data: bytes) -> str:
        """Write a chunk's bytes (unless a file holds them already); its file's name."""
        path, written = put_hashed(self.folder, data)
        if written:
            self.made.append(path.name)
        return path.name


def _pickled(entries: list[tuple[Any, Any]]) -> bytes:
    return pickle.dumps(dict(entries), protocol=pickle.HIGHEST_PROTOCOL)


def _chunks(
    pieces: Pieces, read: _Read | None
) -> Iterator[tuple[_Chunk | None, list[tuple[Any, Any]]]]:
    """``pieces``' entries in chunks: each chunk of ``read`` whose keys come next, in
    order, with every entry as it was (with that chunk), and the rest in chunks of at
    most ``PIECE`` (with None)."""
    items = list(pieces.items())
    starts = {chunk.keys[0]: chunk for chunk in read.chunks if chunk.keys} if read else {}
    todo: list[tuple[Any, Any]] = []
    at = 0
    while at < len(items):
        chunk = starts.get(items[at][0])
        if chunk is not None and read is not None:
            entries = items[at : at + len(chunk.keys)]
            if tuple(key for key, _ in entries) == chunk.keys and all(
                _same(read.held[key], _watched(value)) for key, value in entries
            ):
                if todo:
                    yield None, todo
                    todo = []
                yield chunk, entries
                at += len(entries)
                continue
        todo.append(items[at])
        at += 1
        if len(todo) == PIECE:
            yield None, todo
            todo = []
    if todo:
        yield None, todo


def _watched(value: Any, weak: bool = False) -> list[object]:
    """What says whether an entry's ``value`` is as it was (see the module's docstring).
    ``weak``: objects that can be are held by weak references (what ``PieceReader``
    keeps must not keep alive the reads a build replaces)."""
    out: list[object] = []
    _watch(value, out, _weak if weak else _strong)
    return out


def _watch(value: Any, out: list[object], ref: Callable[[object], object]) -> None:
    if isinstance(value, _VALUES):
        out.append(value)
    elif type(value) is tuple:
        out.append(len(value))
        for item in value:
            _watch(item, out, ref)
    elif isinstance(value, _CONTAINERS):
        _held(value, out, ref)
    elif hasattr(value, "cache_facets"):
        for facet in value.cache_facets():
            _held(facet, out, ref)
    else:
        out.append(ref(value))


def _held(thing: object, out: list[object], ref: Callable[[object], object]) -> None:
    """``thing`` itself, and what it holds one level down (a container's items, an
    object's pickled state), ended by how many."""
    out.append(ref(thing))
    if isinstance(thing, dict):
        items: Iterable[object] = (x for pair in thing.items() for x in pair)
    elif isinstance(thing, _CONTAINERS):
        items = thing
    else:
        state = thing.__getstate__()  # an object's attributes come in a fixed order
        items = state.values() if isinstance(state, dict) else (state,)
    count = len(out)
    out += map(ref, items)
    out.append(len(out) - count)


def _strong(thing: object) -> object:
    return thing


def _weak(thing: object) -> object:
    """A weak reference to ``thing`` where it can have one (tuples: to each item)."""
    kind = type(thing)
    if kind in _HELD or isinstance(thing, _VALUES):
        return thing
    if kind is tuple:
        return tuple(map(_weak, thing))  # type: ignore[call-overload]
    try:
        return weakref.ref(thing)
    except TypeError:
        return thing


def _same(before: list[object], now: list[object]) -> bool:
    """Whether ``now`` (``_watched``) names the objects and values ``before`` (weak) did."""
    return len(before) == len(now) and all(map(_same_one, before, now))


def _same_one(before: object, now: object) -> bool:
    if before is now:
        return True
    if type(before) is weakref.ref:
        return before() is now
    if type(before) is not type(now):
        return False
    if isinstance(before, tuple) and isinstance(now, tuple):
        return len(before) == len(now) and all(map(_same_one, before, now))
    if isinstance(before, _VALUES):
        return before == now
    return isinstance(before, _CONTAINERS) and not before and not now
