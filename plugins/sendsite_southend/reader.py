"""Reading a Southend highlight report's front matter into its model."""

from __future__ import annotations

import re
from pathlib import Path

from sendsite import Document, Fields, Item, Report, Section, facts, load_risk_key
from sendsite.content.markdown import render_markdown
from sendsite.content.status import Level, Status, load_status_key

from .model import Activity, HighlightReport, Priority

RAG_KEY = load_status_key(Path(__file__).with_name("rag_key.yml"))
RISK_KEY = load_risk_key(Path(__file__).with_name("risk_key.yml"))

_DONE_WORDS = {"complete", "completed"}
_CODE = re.compile(r"^P\d+$")


def read_report(document: Document) -> Report:
    """Read a ``southend-highlight`` document; raises ``ContentError`` on mistakes."""
    root = Fields.of(document)
    codes: dict[str, int] = {}  # each priority's code, and its line
    priorities = tuple(_priority(p, codes) for p in root.list("priorities", required=True))
    decisions = root.mapping("decisions")
    model = HighlightReport(
        from_=root.text("from"),
        to=root.text("to"),
        report_by=root.text("report_by"),
        meeting_date=root.due("meeting_date", required=True),
        introduction=render_markdown(document.body),
        priorities=priorities,
        decisions_heading=decisions.text("heading", default="Decisions required"),
        decisions=decisions.inlines("items"),
    )
    sections = [Section("introduction", "Introduction")] if document.body.strip() else []
    sections += [Section(p.anchor, f"{p.code} – {p.title}") for p in priorities]
    if model.decisions:
        sections.append(Section("decisions", model.decisions_heading))
    return Report(
        title=root.text("title", default="Highlight report"),
        model=model,
        date=model.meeting_date,
        summary=facts(
            ("From", model.from_),
            ("To", model.to),
            ("Report by", model.report_by),
            ("Meeting date", model.meeting_date.text),
        ),
        sections=sections,
        items=[m for p in priorities for m in p.milestones],
        risks=[r for p in priorities for r in p.risks],
    )


def _priority(fields: Fields, codes: dict[str, int]) -> Priority:
    written = fields.unique(  # P1 and p1 clash: one set of anchors, every link to the first
        "code", codes, "priority code", required=True, fix="Give each priority its own code."
    )
    code = written.upper()
    if not _CODE.match(code):
        raise fields.error(
            "code",
            f"priority code '{written}' should look like P1, P2, P3",
            fix="Write e.g. 'code: P1'.",
        )
    title = fields.text("title", required=True)
    anchor, section = code.lower(), f"{code} – {title}"
    milestones = []
    for n, row in enumerate(fields.list("milestones"), start=1):
        due = row.due("completed_by")
        rag = row.status("rag", RAG_KEY)
        if rag.level is Level.NOT_RATED and due.text.casefold() in _DONE_WORDS:
            # No RAG, but the author wrote "Completed" as the date: it is done.
            rag = Status(Level.COMPLETE, "Complete", "", RAG_KEY.name)
        text = row.text("milestone", required=True)
        milestones.append(
            Item(
                "milestone",
                text,
                f"{anchor}-milestone-{n}",
                rag,
                due,
                "",
                section,
                ref=row.text("id"),
            )
        )
    risks = fields.risks("risks", f"{anchor}-risk", RISK_KEY, section=section)
    activities = tuple(
        Activity(
            f"{anchor}-activity-{n}",
            row.markdown("activity", required=True),
            row.markdown("by_when"),
        )
        for n, row in enumerate(fields.list("next_period"), start=1)
    )
    narrative = fields.markdown("narrative")
    return Priority(code, title, tuple(milestones), risks, narrative, activities)
