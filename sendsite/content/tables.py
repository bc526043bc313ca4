"""Tables every format has, read straight into the common model: milestones, risks, terms.

``Fields`` inherits these readers; they are here to keep each module small.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from sendsite.content.model import GlossaryTerm, Item, Risk
from sendsite.content.status import StatusKey

if TYPE_CHECKING:
    from sendsite.content.fields import Fields

__all__ = ["CommonTables"]


class _Table(Protocol):
    """What these readers need of ``Fields``: a table's rows, each a ``Fields``."""

    def list(self, key: str, *, required: bool = False) -> Sequence[Fields]: ...

    def mapping(self, key: str, *, required: bool = False) -> Fields: ...


class CommonTables:
    """Readers of whole tables into ``Item``, ``Risk`` and ``GlossaryTerm``, and of a
    block of related texts (part of ``Fields``)."""

    def terms(self: _Table, key: str, *, required: bool = False) -> tuple[GlossaryTerm, ...]:
        """A glossary table: a list of ``term``, ``expansion`` and optional ``description``."""
        return tuple(
            GlossaryTerm(
                row.text("term", required=True),
                row.text("expansion", required=True),
                row.text("description"),
            )
            for row in self.list(key, required=required)
        )

    def items(
        self: _Table,
        key: str,
        kind: str | tuple[str, ...],
        anchor: str,
        status_key: StatusKey,
        *,
        section: str = "",
        rating: str = "rag",
        text: str = "",
        means: str = "",
    ) -> tuple[Item, ...]:
        """A table of milestones or actions (``kind``), each row an ``Item``.

        A row holds its words under the kind's own name (``milestone:``, required),
        and ``due``, ``owner`` and its rating (``rating``: a word of
        ``status_key``). Row n is anchored ``<anchor>-<n>``.

        Given the kinds a row may be (``("milestone", "action")``), each row
        says which in ``kind:`` (see ``Fields.choice``) and holds its words
        under ``text``. ``text`` also renames the words' key for a single kind;
        with ``means``, ``due`` may be words explained there (see ``Fields.due``).
        """
        return tuple(
            Item(
                row.choice("kind", kind, required=True) if isinstance(kind, tuple) else kind,
                row.text(text or str(kind), required=True),
                f"{anchor}-{n}",
                row.status(rating, status_key),
                row.due("due", means=means),
                row.text("owner"),
                section,
                ref=row.text("id"),
            )
            for n, row in enumerate(self.list(key), start=1)
        )

    def risks(
        self: _Table,
        key: str,
        anchor: str,
        status_key: StatusKey,
        *,
        section: str = "",
        owner: str = "",
        mitigation: str = "",
        rating: str = "rag",
        inline: bool = False,
    ) -> tuple[Risk, ...]:
        """A table of risks and issues, each row a ``Risk``.

        A row holds ``risk:`` (required), ``mitigation:`` (as Markdown; one
        line each with ``inline``), ``owner:``, and its rating (``rating``: a
        word of ``status_key``; with ``rating=""`` the report rates none).
        ``owner`` and ``mitigation`` are for rows that give none. Row n is
        anchored ``<anchor>-<n>``.
        """
        unrated = status_key.blank_status
        return tuple(
            Risk(
                (row.inline if inline else row.markdown)("risk", required=True),
                f"{anchor}-{n}",
                row.status(rating, status_key) if rating else unrated,
                (row.inline if inline else row.markdown)("mitigation") or mitigation,
                row.text("owner") or owner,
                section,
                ref=row.text("id"),
            )
            for n, row in enumerate(self.list(key), start=1)
        )

    def group(self: _Table, key: str, *keys: str, required: bool = False) -> tuple[str, ...]:
        """Related texts in the mapping at ``key``, in the order of ``keys`` (an officer's
        ``name``, ``title``, ``phone``): all empty if none is given, else the first is
        required. With ``required``, the mapping itself must be there."""
        block = self.mapping(key, required=required)
        given = any([block.has(name) for name in keys])
        return tuple(block.text(name, required=given and name == keys[0]) for name in keys)
