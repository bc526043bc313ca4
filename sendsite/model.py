"""The core's content model: what every format plugin turns a report into.

A format plugin reads a ``Document`` into its own typed model (any dataclass)
and wraps it in a ``Report``, adding the **common items** the core uses for
cross-area pages: milestones and actions (``Item``), risks (``Risk``) and
glossary terms (``GlossaryTerm``). The core never looks inside ``Report.model``;
only the format's own templates do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from .dates import DueDate
from .status import Status, StatusKey

if TYPE_CHECKING:
    from .content import Document

__all__ = ["Format", "GlossaryTerm", "Item", "Report", "Risk", "Section"]


@dataclass(frozen=True)
class Section:
    """An entry in a report page's contents list: an anchor on the page and its title.

    ``text`` is the section's prose as plain text (optional): cross-area topic
    pages match against it, so a narrative about autism finds the autism topic.
    """

    anchor: str
    title: str
    level: int = 2
    text: str = ""


@dataclass(frozen=True)
class Item:
    """A milestone or action: something to be done by a date, with a status.

    ``kind`` is ``"milestone"`` or ``"action"``. ``anchor`` is the element id on
    the report page where the item is shown; ``section`` names the part of the
    report it belongs to (a priority area, an action, a weakness number).
    """

    kind: str
    text: str
    anchor: str
    status: Status
    due: DueDate = field(default_factory=lambda: DueDate(""))
    owner: str = ""
    section: str = ""

    def is_overdue(self, as_of: date | None) -> bool:
        """Due (the end of its range) before ``as_of`` and not complete."""
        return as_of is not None and self.due.is_before(as_of) and not self.status.is_complete


@dataclass(frozen=True)
class Risk:
    """A risk or issue, with what is being done about it and its rating."""

    text: str
    anchor: str
    status: Status
    mitigation: str = ""
    owner: str = ""
    section: str = ""


@dataclass(frozen=True)
class GlossaryTerm:
    """An abbreviation or term and what it stands for."""

    term: str
    expansion: str
    description: str = ""


@dataclass
class Report:
    """What a format's reader returns for one document.

    ``model`` is the format's own typed model, handed to its template as
    ``report.model``. ``date`` is the report's own date ("as at"), used to
    decide what is overdue. ``summary`` is the key facts shown at the top
    (label, value) pairs. ``sections`` is the page's contents list.
    """

    title: str
    model: Any = None
    date: DueDate | None = None
    summary: list[tuple[str, str]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    risks: list[Risk] = field(default_factory=list)
    glossary: list[GlossaryTerm] = field(default_factory=list)

    @property
    def as_of(self) -> date | None:
        """The day the report speaks for (end of its date range), if known."""
        return self.date.sort_key if self.date else None


Reader = Callable[["Document"], Report]


@dataclass(frozen=True)
class Format:
    """A report format a plugin provides, chosen by ``format:`` in front matter.

    ``read`` turns a loaded document into a ``Report`` and must be a pure
    function of that document. ``template`` is the Jinja2 template that
    renders the report page. ``status_keys`` are the area's colour keys, shown
    as a legend on its pages.
    """

    name: str
    title: str
    read: Reader
    template: str
    status_keys: tuple[StatusKey, ...] = ()
    description: str = ""
