"""Reading a Lancashire APP highlight report's front matter into its model."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from dateutil.relativedelta import relativedelta

from sendsite import Document, DueDate, Fields, Item, Report, Section, facts, load_risk_key
from sendsite.content.markdown import render_markdown
from sendsite.content.status import load_status_key

from .model import Action, HighlightReport, NextStep, Term

PROGRESS_KEY = load_status_key(Path(__file__).with_name("progress_key.yml"))
RISK_KEY = load_risk_key(Path(__file__).with_name("risk_key.yml"))

#: The three 'action in next …' columns: front-matter key, heading, months ahead.
TIMESCALES = (
    ("next_month", "Next month", 1),
    ("next_3_months", "Next 3 months", 3),
    ("next_6_months", "Next 6 months", 6),
)


def read_report(document: Document) -> Report:
    """Read a ``lancashire-app-highlight`` document; raises ``ContentError`` on mistakes."""
    root = Fields.of(document)
    date = root.due("date", required=True)
    if date.sort_key is None:
        raise root.error(
            "date",
            f"the report date '{date.text}' is not a date",
            fix="Write the date the report speaks for, e.g. 'date: \"31/12/20\"'.",
        )
    priorities_by = root.due("priorities_by")
    seen: dict[str, int] = {}
    actions = tuple(
        _action(a, date, priorities_by, seen) for a in root.list("actions", required=True)
    )
    model = HighlightReport(
        priorities_by=priorities_by,
        quarter_to=root.text("quarter_to", default=date.text),
        status_note=root.markdown("status_note"),
        introduction=render_markdown(document.body),
        outcomes_intro=root.text("outcomes_intro"),
        actions=actions,
        glossary_heading=root.text("glossary_heading", default="Glossary of abbreviations"),
        glossary=_glossary(root),
    )
    milestones = [m for a in actions for m in a.milestones]
    overdue = sum(m.is_overdue(date.sort_key) for m in milestones)
    risks = [r for a in actions for r in a.risks]
    sections = []
    if document.body.strip() or model.status_note:
        sections.append(Section("introduction", "Introduction"))
    if any(a.outcome for a in actions):
        sections.append(Section("outcomes", "Outcomes"))
    sections += [Section(a.anchor, a.heading) for a in actions]
    if model.glossary:
        sections.append(Section("glossary", model.glossary_heading))
    return Report(
        title=root.text("title", default="Accelerated Progress Plan Highlight Report"),
        model=model,
        date=date,
        summary=facts(
            ("Report", root.text("report")),
            ("Date", date.text),
            ("Priorities for delivery by", priorities_by.text),
            ("Actions", f"{len(actions)}: " + "; ".join(a.title for a in actions)),
            (
                f"Key milestones this quarter (to {model.quarter_to})",
                f"{len(milestones)}, of which {overdue} past their due date"
                " and not marked complete",
            ),
            ("Risks", str(len(risks))),
        ),
        sections=sections,
        items=[i for a in actions for i in (*a.priorities, *a.milestones, *a.next_steps)],
        risks=risks,
        glossary=[t.common for t in model.glossary],
    )


def _action(fields: Fields, date: DueDate, by: DueDate, seen: dict[str, int]) -> Action:
    number = fields.number("number", "action", required=True, seen=seen)
    title = fields.text("title", required=True)
    anchor, section = f"action-{number}", f"Action {number} – {title}"
    blank = PROGRESS_KEY.blank_status
    priorities = tuple(
        Item("action", text, f"{anchor}-priority-{n}", blank, by, section=section)
        for n, text in enumerate(fields.inlines("priorities"), start=1)
    )
    milestones = fields.items(
        "milestones",
        "milestone",
        f"{anchor}-milestone",
        PROGRESS_KEY,
        section=section,
        rating="status",
    )
    next_steps = []
    for key, label, months in TIMESCALES:
        when = _within(label, months, date)
        for n, text in enumerate(fields.inlines(key), start=1):
            slug = f"{anchor}-{key.replace('_', '-')}-{n}"
            next_steps.append(NextStep("action", text, slug, blank, when, "", section))
    risks = fields.risks("risks", f"{anchor}-risk", RISK_KEY, section=section, inline=True)
    return Action(
        number=number,
        title=title,
        outcome=fields.inline("outcome"),
        priorities_note=fields.text("priorities_note"),
        priorities=priorities,
        progress=fields.inlines("progress"),
        milestones=milestones,
        next_steps=tuple(next_steps),
        risks=risks,
        issues=fields.inlines("issues"),
        support=fields.inlines("support"),
    )


def _within(label: str, months: int, date: DueDate) -> DueDate:
    """'Next 3 months' from the report's date: the day after it to three months on."""
    assert date.sort_key is not None
    start = date.sort_key + timedelta(days=1)
    end = start + relativedelta(months=months) - timedelta(days=1)
    precision = "month" if months == 1 and start.day == 1 else "range"
    return DueDate(label, start, end, precision)


def _glossary(root: Fields) -> tuple[Term, ...]:
    """The glossary's rows, each abbreviation (or term, given none) once: its anchor."""
    seen: dict[str, int] = {}
    terms: list[Term] = []
    for row in root.list("glossary"):
        term, abbreviation = row.text("term", required=True), row.text("abbreviation")
        row.unique("abbreviation" if abbreviation else "term", seen, "glossary entry")
        expansion = row.text("expansion", required=True)
        terms.append(Term(term, abbreviation, expansion, row.text("description")))
    return tuple(terms)
