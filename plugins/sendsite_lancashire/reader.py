"""Reading a Lancashire APP highlight report's front matter into its model."""

from __future__ import annotations

import re
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from sendsite import (
    Document,
    DueDate,
    Fields,
    Item,
    KeyEntry,
    Level,
    Report,
    Risk,
    Section,
    StatusKey,
)
from sendsite.markdown import plain_text, render_inline, render_markdown

from .model import Action, HighlightReport, Milestone, NextStep, Priority, RiskRow, Term

PROGRESS_KEY = StatusKey(
    name="lancashire-progress",
    title="Colour key for progress",
    entries=(
        KeyEntry("Completed", Level.COMPLETE, aliases=("Complete",)),
        KeyEntry(
            "Activity progress – on track",
            Level.ON_TRACK,
            aliases=("Activity progress on track", "On track"),
        ),
        KeyEntry(
            "Activity progress – minor deviation from plan",
            Level.MINOR_DEVIATION,
            aliases=(
                "Activity progress minor deviation from plan",
                "Minor deviation",
                "Minor deviation from plan",
            ),
        ),
        KeyEntry(
            "Activity progress – significant deviation from plan (tolerance of 2 weeks)",
            Level.SIGNIFICANT_DEVIATION,
            aliases=(
                "Activity progress significant deviation from plan (tolerance of 2 weeks)",
                "Activity progress significant deviation from plan (tolerance of 2 week)",
                "Significant deviation",
                "Significant deviation from plan",
            ),
        ),
    ),
    description="the colour of a milestone's status in the original report",
)

RISK_KEY = StatusKey(
    name="lancashire-risk",
    title="Colour key for risk",
    entries=(
        KeyEntry("High", Level.SIGNIFICANT_DEVIATION, "High risk"),
        KeyEntry("Medium", Level.MINOR_DEVIATION, "Medium risk"),
        KeyEntry("Low", Level.ON_TRACK, "Low risk"),
    ),
    description="impact and likelihood of a risk happening determines whether the risk"
    " is rated as High, Medium or Low",
)

#: The three 'action in next …' columns: front-matter key, heading, months ahead.
TIMESCALES = (
    ("next_month", "Next month", 1),
    ("next_3_months", "Next 3 months", 3),
    ("next_6_months", "Next 6 months", 6),
)

_NUMBER = re.compile(r"^\d{1,2}$")


def read_report(document: Document) -> Report:
    """Read a ``lancashire-app-highlight`` document; raises ``ContentError`` on mistakes."""
    root = Fields.of(document)
    root.check_known(
        {
            "report",
            "date",
            "priorities_by",
            "quarter_to",
            "status_note",
            "outcomes_intro",
            "actions",
            "glossary_heading",
            "glossary",
        }
    )
    date = root.due("date", required=True)
    if date.sort_key is None:
        raise root.error(
            "date",
            f"the report date '{date.text}' is not a date",
            fix="Write the date the report speaks for, e.g. 'date: \"31/12/20\"'.",
        )
    priorities_by = root.due("priorities_by")
    seen: dict[str, int] = {}
    actions = tuple(_action(a, date, seen) for a in root.list("actions", required=True))
    glossary = tuple(_term(row) for row in root.list("glossary"))
    model = HighlightReport(
        report=root.text("report"),
        date=date,
        priorities_by=priorities_by,
        quarter_to=root.text("quarter_to", default=date.text),
        status_note=root.markdown("status_note"),
        introduction=render_markdown(document.body),
        outcomes_intro=root.text("outcomes_intro"),
        actions=actions,
        glossary_heading=root.text("glossary_heading", default="Glossary of abbreviations"),
        glossary=glossary,
    )
    items = [item for a in actions for item in _items(a, priorities_by)]
    risks = [risk for a in actions for risk in _risks(a)]
    milestones = [i for i in items if i.kind == "milestone"]
    overdue = sum(i.is_overdue(date.sort_key) for i in milestones)
    summary = [
        (label, value)
        for label, value in (
            ("Report", model.report),
            ("Date", date.text),
            ("Priorities for delivery by", priorities_by.text),
            ("Actions", f"{len(actions)}: " + "; ".join(a.title for a in actions)),
            (
                f"Key milestones this quarter (to {model.quarter_to})",
                f"{len(milestones)}, of which {overdue} past their due date"
                " and not marked complete",
            ),
            ("Risks", str(len(risks))),
        )
        if value
    ]
    sections = []
    if document.body.strip() or model.status_note:
        sections.append(Section("introduction", "Introduction"))
    if any(a.outcome for a in actions):
        sections.append(Section("outcomes", "Outcomes"))
    sections += [Section(a.anchor, a.heading) for a in actions]
    if glossary:
        sections.append(Section("glossary", model.glossary_heading))
    return Report(
        title=root.text("title", default="Accelerated Progress Plan Highlight Report"),
        model=model,
        date=date,
        summary=summary,
        sections=sections,
        items=items,
        risks=risks,
        glossary=[t.common for t in glossary],
    )


def _action(fields: Fields, date: DueDate, seen: dict[str, int]) -> Action:
    fields.check_known(
        {
            "number",
            "title",
            "outcome",
            "priorities_note",
            "priorities",
            "progress",
            "milestones",
            *(key for key, _, _ in TIMESCALES),
            "risks",
            "issues",
            "support",
        }
    )
    number = fields.text("number", required=True)
    if not _NUMBER.match(number):
        raise fields.error(
            "number",
            f"action number '{number}' should be a whole number",
            fix="Write e.g. 'number: \"3\"'.",
        )
    if number in seen:
        raise fields.error(
            "number",
            f"action {number} is already used on line {seen[number]}",
            fix="Give each action its own number.",
        )
    seen[number] = fields.line("number") or 0
    anchor = f"action-{number}"
    priorities = tuple(
        Priority(f"{anchor}-priority-{n}", n, render_inline(text))
        for n, text in enumerate(fields.texts("priorities"), start=1)
    )
    milestones = []
    for n, row in enumerate(fields.list("milestones"), start=1):
        row.check_known({"milestone", "due", "owner", "status"})
        due, status = row.due("due"), row.status("status", PROGRESS_KEY)
        milestones.append(
            Milestone(
                f"{anchor}-milestone-{n}",
                row.text("milestone", required=True),
                due,
                row.text("owner"),
                status,
                # Past due on the report's own date and not marked complete.
                overdue=bool(date.sort_key and due.is_before(date.sort_key))
                and not status.is_complete,
            )
        )
    next_steps = []
    for key, label, months in TIMESCALES:
        when = _within(label, months, date)
        for n, text in enumerate(fields.texts(key), start=1):
            slug = key.replace("_", "-")
            next_steps.append(NextStep(f"{anchor}-{slug}-{n}", render_inline(text), when))
    risks = []
    for n, row in enumerate(fields.list("risks"), start=1):
        row.check_known({"risk", "mitigation", "rag"})
        risks.append(
            RiskRow(
                f"{anchor}-risk-{n}",
                row.inline("risk", required=True),
                row.inline("mitigation"),
                row.status("rag", RISK_KEY),
            )
        )
    return Action(
        number=number,
        title=fields.text("title", required=True),
        anchor=anchor,
        outcome=fields.inline("outcome"),
        priorities_note=fields.text("priorities_note"),
        priorities=priorities,
        progress=tuple(render_inline(t) for t in fields.texts("progress")),
        milestones=tuple(milestones),
        next_steps=tuple(next_steps),
        risks=tuple(risks),
        issues=tuple(render_inline(t) for t in fields.texts("issues")),
        support=tuple(render_inline(t) for t in fields.texts("support")),
    )


def _within(label: str, months: int, date: DueDate) -> DueDate:
    """'Next 3 months' from the report's date: the day after it to three months on."""
    assert date.sort_key is not None
    start = date.sort_key + timedelta(days=1)
    end = start + relativedelta(months=months) - timedelta(days=1)
    precision = "month" if months == 1 and start.day == 1 else "range"
    return DueDate(label, start, end, precision)


def _term(row: Fields) -> Term:
    row.check_known({"term", "abbreviation", "expansion", "description"})
    return Term(
        row.text("term", required=True),
        row.text("abbreviation"),
        row.text("expansion", required=True),
        row.text("description"),
    )


def _items(action: Action, priorities_by: DueDate) -> list[Item]:
    section = action.section
    blank = PROGRESS_KEY.lookup("")
    assert blank is not None
    items = [
        Item("action", plain_text(p.text), p.anchor, blank, priorities_by, section=section)
        for p in action.priorities
    ]
    items += [
        Item("milestone", m.text, m.anchor, m.status, m.due, m.owner, section)
        for m in action.milestones
    ]
    items += [
        Item("action", plain_text(s.text), s.anchor, blank, s.when, section=section)
        for s in action.next_steps
    ]
    return items


def _risks(action: Action) -> list[Risk]:
    return [
        Risk(
            plain_text(r.risk),
            r.anchor,
            r.rag,
            mitigation=plain_text(r.mitigation),
            section=action.section,
        )
        for r in action.risks
    ]
