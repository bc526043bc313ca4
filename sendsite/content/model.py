"""The core's content model: what every format plugin turns a report into.

A format plugin reads a ``Document`` into its own typed model (any dataclass)
and wraps it in a ``Report``, adding the **common items** the core uses for
cross-area pages: milestones and actions (``Item``), risks (``Risk``) and
glossary terms (``GlossaryTerm``). The core never looks inside ``Report.model``;
only the format's own templates do.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from sendsite.content.dates import DueDate
from sendsite.content.markdown import plain_text
from sendsite.content.risk_rating import RiskKey, RiskRating, rating_from_status
from sendsite.content.status import Level, Status, StatusKey

#: A day (``Report.date`` is a field, so the type has another name inside the class).
Day = date

if TYPE_CHECKING:
    from sendsite.content.documents import Document

__all__ = ["Format", "GlossaryTerm", "Item", "Report", "Risk", "Section", "facts", "tally"]

_EMPTY = Markup()
#: A risk given no rating (told apart from one rated "Not rated" on purpose).
_NOT_GIVEN = RiskRating()


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

    ``text`` may be given as rendered Markdown (``Markup``): it is then kept
    as plain text for cross-area pages and exports, and as it was in ``html``
    for the report's own page. Given as plain text, ``html`` is it escaped.
    So a report's table row can be the ``Item`` itself.
    """

    kind: str
    text: str
    anchor: str
    status: Status
    due: DueDate = field(default_factory=lambda: DueDate(""))
    owner: str = ""
    section: str = ""
    html: Markup = _EMPTY
    #: The item's own reference, if the report numbers its items (1.1, 2.3) or
    #: gives them ids: shown beside it, and the surest way to match it in the next report.
    ref: str = ""

    def __post_init__(self) -> None:
        _keep_html(self, "text", "html")

    def is_overdue(self, as_of: date | None) -> bool:
        """Due (the end of its range) before ``as_of`` and not complete."""
        return as_of is not None and self.due.is_before(as_of) and not self.status.is_complete


@dataclass(frozen=True)
class Risk:
    """A risk or issue, with what is being done about it and its rating.

    ``rating`` is a ``RiskRating`` on the risk scale (High, Medium, Low, Not
    rated), keeping the area's own word and any likelihood × impact score.
    ``text`` and ``mitigation`` may be given as rendered Markdown, as an
    ``Item``'s text: ``html`` and ``mitigation_html`` keep them for the page.

    ``status`` is the old API: a progress ``Status`` given without a rating is
    turned into one (``rating_from_status``), with a ``DeprecationWarning``.
    """

    text: str
    anchor: str
    status: Status | None = None
    mitigation: str = ""
    owner: str = ""
    section: str = ""
    html: Markup = _EMPTY
    mitigation_html: Markup = _EMPTY
    #: The risk's own reference or id, if the register gives one (see ``Item.ref``).
    ref: str = ""
    rating: RiskRating = _NOT_GIVEN

    def __post_init__(self) -> None:
        _keep_html(self, "text", "html")
        _keep_html(self, "mitigation", "mitigation_html")
        if self.rating is _NOT_GIVEN:
            rating = RiskRating()
            if self.status is not None:
                warnings.warn(
                    "Risk(status=…) rates a risk on the progress scale; give it"
                    " rating=RiskRating(…) from a RiskKey instead (see docs/model.md)",
                    DeprecationWarning,
                    stacklevel=3,
                )
                rating = rating_from_status(self.status)
            object.__setattr__(self, "rating", rating)


def _keep_html(row: object, name: str, html: str) -> None:
    """Rendered Markdown in ``row.name`` goes to ``row.html``, and plain text to ``name``."""
    value = getattr(row, name)
    if isinstance(value, Markup):
        object.__setattr__(row, html, value)
        object.__setattr__(row, name, plain_text(value))
    elif not getattr(row, html):
        object.__setattr__(row, html, escape(value))


@dataclass(frozen=True)
class GlossaryTerm:
    """An abbreviation or term and what it stands for.

    ``aliases`` are other ways of writing it (``SLT`` and ``SaLT`` for ``SALT``): they
    are marked, searched and listed as the term is, with its one definition.
    ``source`` names where a definition was found (empty for the site's own
    glossary and plugins' terms; a report's area and title), ``page`` that report's
    page. In the merged site glossary, ``also`` holds the different definitions
    other sources give the same term, shown under the one that wins.
    """

    term: str
    expansion: str
    description: str = ""
    aliases: tuple[str, ...] = ()
    source: str = ""
    page: str = ""
    also: tuple[GlossaryTerm, ...] = ()


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
    def as_of(self) -> Day | None:
        """The day the report speaks for (end of its date range), if known."""
        return self.date.sort_key if self.date else None


def facts(*rows: tuple[str, str]) -> list[tuple[str, str]]:
    """Key facts for ``Report.summary``: the ``(label, value)`` rows whose value is not empty."""
    return [(label, value) for label, value in rows if value]


def tally(statuses: Iterable[Status], unrated: str = "not rated") -> str:
    """How many ``statuses`` are at each level, in the shared scale's order: "3 complete,
    1 delayed" (for a key fact). ``unrated`` names those not rated."""
    counts = Counter(status.level for status in statuses)
    return ", ".join(
        f"{counts[level]} {unrated if level is Level.NOT_RATED else level.label.lower()}"
        for level in Level
        if counts[level]
    )


Reader = Callable[["Document"], Report]


@dataclass(frozen=True)
class Format:
    """A report format a plugin provides, chosen by ``format:`` in front matter.

    ``read`` turns a loaded document into a ``Report`` and must be a pure
    function of that document. ``template`` is the Jinja2 template that
    renders the report page. ``status_keys`` are the area's colour keys for
    progress (``StatusKey``) and for risk (``RiskKey``), shown as a legend on
    its pages in that order. ``date_field`` names the front-matter key holding
    the report's own date (the one ``Report.date`` is read from), so a problem
    with the order of a series can point at it. ``schema`` is the JSON Schema
    of the format's own front-matter keys, for editors (see
    ``sendsite.content.schema``; a plugin's ``schema.json`` gives it by convention).
    """

    name: str
    title: str
    read: Reader
    template: str
    status_keys: tuple[StatusKey | RiskKey, ...] = ()
    description: str = ""
    date_field: str = ""
    schema: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
