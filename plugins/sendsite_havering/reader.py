"""Reading a Havering Health & Wellbeing Board report's front matter into its model."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from sendsite import Document, Fields, Report, Section, facts
from sendsite.content.markdown import render_markdown
from sendsite.content.status import load_status_key

from .model import BoardReport, DetailSection, Implication, Officer, Paragraph, Priority

OFFICER = ("name", "title", "phone", "email")
KINDS, _ITEM = ("milestone", "action"), {"rating": "status", "text": "text", "means": "due_means"}
_KIND = ("[a-z][a-z-]*", "implications", "should be one lower-case word")

PROGRESS_KEY = load_status_key(Path(__file__).with_name("progress_key.yml"))

HEADINGS = {
    "financial": "Financial implications and risks",
    "legal": "Legal implications and risks",
    "hr": "Human Resources implications and risks",
    "equalities": "Equalities implications and risks",
}
_KIND_FIX = f"Use one of {', '.join(HEADINGS)}, or another word with a 'heading:'."


def read_report(document: Document) -> Report:
    """Read a ``havering-board-report`` document; raises ``ContentError`` on mistakes."""
    root = Fields.of(document)
    strategy, author = root.mapping("strategy"), Officer(*root.group("author", *OFFICER))
    date = root.due("date", required=True)
    sections = tuple(map(partial(_section, seen={}), root.list("sections", required=True)))
    implications = tuple(map(partial(_implication, seen={}), root.list("implications")))
    model = BoardReport(
        author=author,
        strategy_intro=strategy.text("intro"),
        priorities=tuple(map(partial(_priority, seen={}), strategy.list("priorities"))),
        summary=render_markdown(document.body),
        recommendations=root.inlines("recommendations"),
        sections=sections,
        implications=implications,
        background_papers=root.inlines("background_papers"),
    )
    glossary = root.terms("glossary")
    contents = [Section("cover-sheet", "Cover sheet")]
    contents += [Section("summary", "Summary")] if model.summary else []
    contents += [Section("recommendations", "Recommendations")] if model.recommendations else []
    contents += [Section("at-a-glance", "At a glance")] if model.tracked or model.money else []
    contents.append(Section("report-detail", "Report detail"))
    contents += [Section(s.anchor, s.heading, level=3) for s in sections]
    contents += [Section("implications", "Implications and risks")] if implications else []
    contents += [Section(i.anchor, i.heading, level=3) for i in implications]
    contents.append(Section("background-papers", "Background papers"))
    contents += [Section("abbreviations", "Abbreviations")] if glossary else []
    subject = root.text("subject")
    return Report(
        title=root.text("title", default=subject or "Board report"),
        model=model,
        date=date,
        summary=facts(
            ("Board", root.text("board")),
            ("Subject heading", subject),
            ("Board lead", root.text("board_lead")),
            ("Report author", author.signed),
            ("Report date", date.text),
        ),
        sections=contents,
        items=[item for _, item in model.tracked],
        risks=[r for p in model.paragraphs for r in p.risks]
        + [r for i in implications for r in i.risks],
        glossary=list(glossary),
    )


def _section(fields: Fields, seen: dict[str, int]) -> DetailSection:
    """A numbered section, and its paragraphs with the items and risks they state."""
    number = fields.number("number", "section", required=True, seen=seen)
    heading = f"{number}. {fields.text('title', required=True)}"
    numbers: dict[str, int] = {}
    paragraph = (rf"{number}\.\d+", "paragraph", f"does not belong to section {number}")
    fix = f'Number its paragraphs "{number}.1", "{number}.2" and so on, in quotes.'
    paragraphs = []
    for row in fields.list("paragraphs", required=True):
        written = row.matching("number", *paragraph, fix=fix, required=True, seen=numbers)
        anchor, where = "para-" + written.replace(".", "-"), f"{heading}, paragraph {written}"
        items = row.items("items", KINDS, f"{anchor}-item", PROGRESS_KEY, **_ITEM, section=where)
        risks = row.risks("risks", f"{anchor}-risk", None, section=where, inline=True)
        body = row.markdown("text", required=True)
        paragraphs.append(Paragraph(written, anchor, body, items, risks))
    return DetailSection(heading, f"section-{number}", tuple(paragraphs))


def _implication(fields: Fields, seen: dict[str, int]) -> Implication:
    kind = fields.matching("kind", *_KIND, fix=_KIND_FIX, required=True, seen=seen)
    heading = fields.text("heading", required=kind not in HEADINGS) or HEADINGS[kind]
    officer = Officer(*fields.group("officer", *OFFICER, required=True))
    closing, anchor = fields.inline("closing"), f"implications-{kind}"
    owned = {"owner": officer.signed, "mitigation": closing}  # unless a risk says otherwise
    risks = fields.risks("risks", f"{anchor}-risk", None, section=heading, inline=True, **owned)
    body = fields.markdown("text", required=True)
    return Implication(heading, anchor, body, risks, closing, officer)


def _priority(fields: Fields, seen: dict[str, int]) -> Priority:
    number = fields.unique("number", seen, "strategy priority", required=True)
    return Priority(number, fields.text("title", required=True), fields.flag("addressed"))
