"""Running a format's reader so that one pass finds every mistake in its fields.

``read_checked`` is how the core calls a reader. While it runs, a ``Fields``
accessor that finds a mistake (a missing key, a word that is not a status, text
where a list goes) does not stop the reader: it notes the error and hands back a
stand-in (empty text, an empty list, the blank status), and the reader goes on to
the next key. When the reader returns, every error noted is raised at once, as
``ContentErrors``, so an author sees all of a report's mistakes in one run, as a
form shows every field it refuses.

After a noted mistake, what follows from the stand-ins is not trusted, as it may come
from a stand-in, not from the file:

- an error the reader raises itself (a due date before its start, say), or a crash,
  ends the reading with only the mistakes noted so far;
- a later mistake that may follow from one (a key missing, or values that disagree: a
  paragraph's number against its section's) in or inside an entry of a table already
  found wrong is left out ('heading' missing once its 'kind' was refused).

Each shows once the noted mistakes are fixed, if it is still there. Keys the reader
never asked for are warned of only if it read to its end.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, TypeVar

from sendsite.errors import ContentError, ContentErrors

if TYPE_CHECKING:
    from sendsite.content.documents import Document
    from sendsite.content.fields import Fields

__all__ = ["noted_opened", "read_checked", "stand_in"]

T = TypeVar("T")

#: The ``Fields`` made while ``read_checked`` runs a reader (None outside it).
_OPENED: ContextVar[list[Fields] | None] = ContextVar("sendsite_fields_opened", default=None)


class _Noted:
    """The mistakes accessors found while a reader runs, and where (each mapping's path)."""

    def __init__(self) -> None:
        self.errors: list[ContentError] = []
        self.scopes: list[tuple[str | int, ...]] = []
        self.said: set[tuple[str, int | None]] = set()

    def __bool__(self) -> bool:
        return bool(self.errors)

    def note(self, error: ContentError, where: tuple[str | int, ...], relational: bool) -> None:
        """Note ``error``, found in the mapping at ``where``, unless it may follow from a
        stand-in: if it is ``relational``, in or inside an entry (not the front matter's
        top) already found wrong. The same error twice is noted once."""
        if relational and any(scope and where[: len(scope)] == scope for scope in self.scopes):
            return
        said = (error.problem.message, error.problem.line)
        if said not in self.said:
            self.said.add(said)
            self.errors.append(error)
            self.scopes.append(where)


#: The mistakes accessors found while ``read_checked`` runs a reader (None outside it).
_MISTAKES: ContextVar[_Noted | None] = ContextVar("sendsite_mistakes", default=None)


def read_checked(read: Callable[[Document], T], document: Document) -> T:
    """``read(document)``, with every mistake its fields hold raised together, then a
    warning for every key the reader never read.

    A mistake an accessor finds is noted and the reader goes on with a stand-in
    value; when it returns, all that were noted are raised as one ``ContentErrors``
    (see the module's notes). Every mapping the reader opened through ``Fields`` is
    then checked: a key that no accessor asked for (``text``, ``list``, ``has`` …)
    is reported as "unknown key 'x' is ignored" at its line, with "Did you mean …?"
    among the keys that were read (beside the errors too: a misspelt key is often
    why a required one is missing). A mapping the reader checked itself with
    ``check_known``, or read through ``fields.data``, is left alone.
    """
    opened: list[Fields] = []
    mistakes = _Noted()
    opened_token, mistakes_token = _OPENED.set(opened), _MISTAKES.set(mistakes)
    try:
        result = read(document)
    except Exception:
        if not mistakes:
            raise
        raise ContentErrors(mistakes.errors, document.warnings) from None  # read part-way
    finally:
        _OPENED.reset(opened_token)
        _MISTAKES.reset(mistakes_token)
    _warn_unread(opened)
    if mistakes:
        raise ContentErrors(mistakes.errors, document.warnings)
    return result


def stand_in(
    error: ContentError,
    value: T,
    where: tuple[str | int, ...] = (),
    *,
    relational: bool = False,
) -> T:
    """``value`` in place of what a field of the mapping at ``where`` should have held,
    ``error`` noted, while ``read_checked`` runs a reader; anywhere else, ``error`` is
    raised. ``relational``: the mistake may follow from another value (a key missing that
    is needed only for some values of another; one row's number against another's; a
    score against its likelihood and impact)."""
    mistakes = _MISTAKES.get()
    if mistakes is None:
        raise error
    mistakes.note(error, where, relational)
    return value


def noted_opened(fields: Fields) -> None:
    """Remember ``fields`` for ``read_checked``'s check of unread keys (if it runs)."""
    opened = _OPENED.get()
    if opened is not None:
        opened.append(fields)


def _warn_unread(opened: list[Fields]) -> None:
    """Warn once per mapping, however many ``Fields`` wrapped it, about keys none read."""
    mappings: dict[int, list[Fields]] = {}
    for fields in opened:
        mappings.setdefault(id(fields._data), []).append(fields)
    for views in mappings.values():
        if views[0]._data and not any(view._checked for view in views):
            views[0]._warn_unknown(set().union(*(view.asked for view in views)))
