"""Tables every format has, read straight into the common model: milestones, risks, terms.

``Fields`` inherits these readers; they are here to keep each module small.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import replace
from difflib import get_close_matches
from typing import TYPE_CHECKING, Protocol

from sendsite.content.checked import stand_in
from sendsite.content.model import GlossaryTerm, Item, Risk
from sendsite.content.risk_rating import RiskKey, RiskRating, rating_from_status
from sendsite.content.status import StatusKey
from sendsite.errors import ContentError

if TYPE_CHECKING:
    from sendsite.content.fields import Fields

__all__ = ["CommonTables"]

_OLD_KEY = (
    "Fields.risks with a progress StatusKey rates risks on the progress scale; give it a"
    " RiskKey (load_risk_key) instead (see docs/model.md)"
)


class _Table(Protocol):
    """What these readers need of ``Fields``: a table's rows, each a ``Fields``."""

    path: tuple[str | int, ...]

    def list(self, key: str, *, required: bool = False) -> Sequence[Fields]: ...

    def mapping(self, key: str, *, required: bool = False) -> Fields: ...

    def text(self, key: str, *, required: bool = False, default: str = "") -> str: ...

    def integer(
        self, key: str, *, minimum: int | None = None, maximum: int | None = None
    ) -> int | None: ...

    def error(
        self, key: str | int | None, message: str, fix: str | None = None
    ) -> ContentError: ...

    def warn(self, key: str | int | None, message: str, fix: str | None = None) -> None: ...


class CommonTables:
    """Readers of whole tables into ``Item``, ``Risk`` and ``GlossaryTerm``, and of a
    block of related texts (part of ``Fields``)."""

    def terms(self: _Table, key: str, *, required: bool = False) -> tuple[GlossaryTerm, ...]:
        """A glossary table: a list of ``term``, ``expansion`` and optional ``description``;
        a term given twice is an error (a row copied and not edited)."""
        seen: dict[str, int] = {}
        return tuple(
            GlossaryTerm(
                row.unique(
                    "term",
                    seen,
                    "glossary term",
                    required=True,
                    fix="Give each term one row: delete one of the two, or merge them.",
                ),
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
        risk_key: RiskKey | StatusKey | None,
        *,
        section: str = "",
        owner: str = "",
        mitigation: str = "",
        rating: str = "rag",
        inline: bool = False,
    ) -> tuple[Risk, ...]:
        """A table of risks and issues, each row a ``Risk``.

        A row holds ``risk:`` (required), ``mitigation:`` (as Markdown; one
        line each with ``inline``), ``owner:``, and its rating (see
        ``risk_rating``: a word of ``risk_key`` at ``rating``, and any
        ``likelihood:``, ``impact:`` or ``score:``). With ``rating=""`` or no
        key the report rates none. ``owner`` and ``mitigation`` are for rows
        that give none. Row n is anchored ``<anchor>-<n>``.

        A progress ``StatusKey`` (the old API) still works, its levels made
        ratings by ``rating_from_status``, with a ``DeprecationWarning``.
        """
        if isinstance(risk_key, StatusKey):
            warnings.warn(_OLD_KEY, DeprecationWarning, stacklevel=2)
        risks = []
        for n, row in enumerate(self.list(key), start=1):
            status, rated = None, RiskRating(key=risk_key.name if risk_key else "")
            if isinstance(risk_key, StatusKey):
                status = row.status(rating, risk_key) if rating else risk_key.blank_status
                rated = rating_from_status(status)
            elif risk_key is not None and rating:
                rated = row.risk_rating(rating, risk_key)
            risks.append(
                Risk(
                    (row.inline if inline else row.markdown)("risk", required=True),
                    f"{anchor}-{n}",
                    status,
                    (row.inline if inline else row.markdown)("mitigation") or mitigation,
                    row.text("owner") or owner,
                    section,
                    ref=row.text("id"),
                    rating=rated,
                )
            )
        return tuple(risks)

    def risk_rating(self: _Table, key: str, risk_key: RiskKey) -> RiskRating:
        """A risk's rating: a word of ``risk_key`` at ``key`` (empty is Not rated), and
        ``likelihood:`` and ``impact:`` (whole numbers up to the key's ``scale``) or
        ``score:`` where the row gives them. A row scored but given no word is rated
        by the key's score bands; one given both keeps its word, and shows the score.
        """
        word = self.text(key)
        found = risk_key.lookup(word)
        if found is None:
            close = get_close_matches(word, risk_key.allowed, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            error = self.error(
                key,
                f"unknown rating '{word}' for the {risk_key.title}",
                fix=f"Use one of: {', '.join(risk_key.allowed)}, or leave it empty if not"
                f" rated.{hint}",
            )
            found = stand_in(error, RiskRating(risk_key.blank, key=risk_key.name), self.path)
        scale = risk_key.scale
        likelihood = self.integer("likelihood", minimum=1, maximum=scale)
        impact = self.integer("impact", minimum=1, maximum=scale)
        score = self.integer("score", minimum=1, maximum=scale * scale)
        if (likelihood is None) != (impact is None):
            given, missing = (
                ("likelihood", "impact") if impact is None else ("impact", "likelihood")
            )
            error = self.error(
                given,
                f"a {given} with no {missing}: a score is likelihood × impact",
                fix=f"Add '{missing}:' beside it (1 to {scale}), or give the 'score:' alone.",
            )
            likelihood = impact = stand_in(error, None, self.path, relational=True)
        if likelihood and impact:
            if score is not None and score != likelihood * impact:
                error = self.error(
                    "score",
                    f"the score {score} is not likelihood {likelihood} × impact {impact}",
                    fix=f"Write 'score: {likelihood * impact}', or leave 'score:' out.",
                )
                stand_in(error, None, self.path, relational=True)
            score = likelihood * impact
        elif score is not None and not any(
            score % n == 0 and score // n <= scale for n in range(1, scale + 1)
        ):
            # A slip, most likely (13 for 12): a warning, as a register may score otherwise.
            products = sorted({a * b for a in range(1, scale + 1) for b in range(1, scale + 1)})
            self.warn(
                "score",
                f"the score {score} is not a likelihood × impact on the {scale} × {scale} "
                f"matrix: those are {', '.join(map(str, products))}",
                fix="Check the score in the register, or give 'likelihood:' and 'impact:' "
                "instead. If the register's matrix is larger, give its side as 'scale:' in "
                "the area's risk key.",
            )
        level, label = found.level, found.label
        if not word.strip() and score is not None:
            level = risk_key.rate_score(score)
            label = level.label
        return replace(
            found, level=level, label=label, likelihood=likelihood, impact=impact, score=score
        )

    def group(self: _Table, key: str, *keys: str, required: bool = False) -> tuple[str, ...]:
        """Related texts in the mapping at ``key``, in the order of ``keys`` (an officer's
        ``name``, ``title``, ``phone``): all empty if none is given, else the first is
        required. With ``required``, the mapping itself must be there."""
        block = self.mapping(key, required=required)
        given = any([block.has(name) for name in keys])
        return tuple(block.text(name, required=given and name == keys[0]) for name in keys)
