"""Reading a Southend highlight report's front matter into its model."""

from __future__ import annotations

import re

from sendsite import (
    Document,
    Fields,
    Item,
    KeyEntry,
    Level,
    Report,
    Risk,
    Section,
    Status,
    StatusKey,
)
from sendsite.markdown import plain_text, render_inline, render_markdown

from .model import Activity, HighlightReport, Milestone, Priority, RiskRow

RAG_KEY = StatusKey(
    name="southend-rag",
    title="Southend RAG rating",
    entries=(
        KeyEntry("Blue", Level.COMPLETE, aliases=("Complete", "Completed")),
        KeyEntry("Green", Level.ON_TRACK),
        KeyEntry("Yellow", Level.MINOR_DEVIATION),
        KeyEntry("Amber", Level.MINOR_DEVIATION),
        KeyEntry("Red", Level.SIGNIFICANT_DEVIATION),
    ),
    description="as given by the report's authors",
)

_DONE_WORDS = {"complete", "completed"}
_CODE = re.compile(r"^P\d+$")


def read_report(document: Document) -> Report:
    """Read a ``southend-highlight`` document; raises ``ContentError`` on mistakes."""
    root = Fields.of(document)
    root.check_known(
        {
            "format",
            "title",
            "slug",
            "from",
            "to",
            "report_by",
            "meeting_date",
            "priorities",
            "decisions",
        }
    )
    priorities = tuple(_priority(p) for p in root.list("priorities", required=True))
    decisions = root.mapping("decisions")
    decisions.check_known({"heading", "items"})
    model = HighlightReport(
        from_=root.text("from"),
        to=root.text("to"),
        report_by=root.text("report_by"),
        meeting_date=root.due("meeting_date", required=True),
        introduction=render_markdown(document.body),
        priorities=priorities,
        decisions_heading=decisions.text("heading", default="Decisions required"),
        decisions=tuple(render_inline(text) for text in decisions.texts("items")),
    )
    summary = [
        (label, value)
        for label, value in (
            ("From", model.from_),
            ("To", model.to),
            ("Report by", model.report_by),
            ("Meeting date", model.meeting_date.text),
        )
        if value
    ]
    sections = [Section("introduction", "Introduction")] if document.body.strip() else []
    sections += [Section(p.anchor, f"{p.code} – {p.title}") for p in priorities]
    if model.decisions:
        sections.append(Section("decisions", model.decisions_heading))
    return Report(
        title=root.text("title", default="Highlight report"),
        model=model,
        date=model.meeting_date,
        summary=summary,
        sections=sections,
        items=[item for p in priorities for item in _items(p)],
        risks=[risk for p in priorities for risk in _risks(p)],
    )


def _priority(fields: Fields) -> Priority:
    fields.check_known({"code", "title", "milestones", "risks", "narrative", "next_period"})
    written = fields.text("code", required=True)
    code = written.upper()
    if not _CODE.match(code):
        raise fields.error(
            "code",
            f"priority code '{written}' should look like P1, P2, P3",
            fix="Write e.g. 'code: P1'.",
        )
    anchor = code.lower()
    milestones = []
    for n, row in enumerate(fields.list("milestones"), start=1):
        row.check_known({"milestone", "completed_by", "rag"})
        due = row.due("completed_by")
        rag = row.status("rag", RAG_KEY)
        if rag.level is Level.NOT_RATED and due.text.casefold() in _DONE_WORDS:
            # No RAG, but the author wrote "Completed" as the date: it is done.
            rag = Status(Level.COMPLETE, "Complete", "", RAG_KEY.name)
        milestones.append(
            Milestone(f"{anchor}-milestone-{n}", row.text("milestone", required=True), due, rag)
        )
    risks = []
    for n, row in enumerate(fields.list("risks"), start=1):
        row.check_known({"risk", "mitigation", "rag"})
        risks.append(
            RiskRow(
                f"{anchor}-risk-{n}",
                row.markdown("risk", required=True),
                row.markdown("mitigation"),
                row.status("rag", RAG_KEY),
            )
        )
    activities = []
    for n, row in enumerate(fields.list("next_period"), start=1):
        row.check_known({"activity", "by_when"})
        activities.append(
            Activity(
                f"{anchor}-activity-{n}",
                row.markdown("activity", required=True),
                row.markdown("by_when"),
            )
        )
    return Priority(
        code,
        fields.text("title", required=True),
        anchor,
        tuple(milestones),
        tuple(risks),
        fields.markdown("narrative"),
        tuple(activities),
    )


def _items(priority: Priority) -> list[Item]:
    section = f"{priority.code} – {priority.title}"
    return [
        Item("milestone", m.text, m.anchor, m.rag, m.completed_by, section=section)
        for m in priority.milestones
    ]


def _risks(priority: Priority) -> list[Risk]:
    section = f"{priority.code} – {priority.title}"
    return [
        Risk(
            plain_text(r.risk),
            r.anchor,
            r.rag,
            mitigation=plain_text(r.mitigation),
            section=section,
        )
        for r in priority.risks
    ]
