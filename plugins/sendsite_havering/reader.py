"""Reading a Havering Health & Wellbeing Board report's front matter into its model."""

from __future__ import annotations

import re
from dataclasses import replace

from markupsafe import Markup

from sendsite import (
    Document,
    DueDate,
    Fields,
    GlossaryTerm,
    Item,
    KeyEntry,
    Level,
    Report,
    Risk,
    Section,
    StatusKey,
    parse_due,
)
from sendsite.markdown import plain_text, render_inline, render_markdown

from .model import (
    BoardReport,
    DetailSection,
    Implication,
    MoneyFigure,
    Officer,
    Paragraph,
    RiskLine,
    StrategyPriority,
    Tracked,
)

PROGRESS_KEY = StatusKey(
    name="havering-progress",
    title="Havering progress",
    entries=(
        KeyEntry("Complete", Level.COMPLETE, aliases=("Completed", "Done")),
        KeyEntry("In progress", Level.IN_PROGRESS, aliases=("Under way", "Ongoing")),
        KeyEntry("Planned", Level.NOT_STARTED, aliases=("Not started",)),
    ),
    description="taken only from what the report's text says about each item",
)

HEADINGS = {
    "financial": "Financial implications and risks",
    "legal": "Legal implications and risks",
    "hr": "Human Resources implications and risks",
    "equalities": "Equalities implications and risks",
}

_SECTION_NUMBER = re.compile(r"^\d+$")
_KIND = re.compile(r"^[a-z][a-z-]*$")
_MONEY = re.compile(r"£\d[\d,]*(?:\.\d\d)?")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def read_report(document: Document) -> Report:
    """Read a ``havering-board-report`` document; raises ``ContentError`` on mistakes."""
    root = Fields.of(document)
    root.check_known(
        {
            "format",
            "title",
            "slug",
            "date",
            "board",
            "subject",
            "board_lead",
            "author",
            "strategy",
            "recommendations",
            "sections",
            "implications",
            "background_papers",
            "glossary",
        }
    )
    strategy = root.mapping("strategy")
    strategy.check_known({"intro", "priorities"})
    sections = _unique(root, "sections", _section, "number", "section number", required=True)
    implications = _unique(root, "implications", _implication, "kind", "implications kind")
    model = BoardReport(
        board=root.text("board"),
        subject=root.text("subject"),
        board_lead=root.text("board_lead"),
        author=_officer(root.mapping("author")),
        date=root.due("date", required=True),
        strategy_intro=strategy.text("intro"),
        priorities=tuple(_priority(p) for p in strategy.list("priorities")),
        summary=render_markdown(document.body),
        recommendations=tuple(render_inline(t) for t in root.texts("recommendations")),
        sections=sections,
        implications=implications,
        background_papers=tuple(render_inline(t) for t in root.texts("background_papers")),
        money=_money(sections, implications),
    )
    glossary = [_term(t) for t in root.list("glossary")]
    return Report(
        title=root.text("title", default=model.subject or "Board report"),
        model=model,
        date=model.date,
        summary=_summary(model),
        sections=_contents(model, glossary),
        items=[_item(s, p, t) for s, p, t in model.tracked],
        risks=_risks(model),
        glossary=glossary,
    )


def _unique(
    root: Fields, key: str, read, id_key: str, what: str, *, required: bool = False
) -> tuple:
    """Read a list of entries, refusing two with the same ``id_key`` (their anchors)."""
    seen: set[str] = set()
    result = []
    for fields in root.list(key, required=required):
        entry = read(fields)
        written = getattr(entry, id_key)
        if written in seen:
            raise fields.error(
                id_key, f"{what} '{written}' is used twice", fix=f"Give each a different {what}."
            )
        seen.add(written)
        result.append(entry)
    return tuple(result)


def _officer(fields: Fields) -> Officer:
    fields.check_known({"name", "title", "phone", "email"})
    if not fields.data:
        return Officer("")
    return Officer(
        fields.text("name", required=True),
        fields.text("title"),
        fields.text("phone"),
        fields.text("email"),
    )


def _priority(fields: Fields) -> StrategyPriority:
    fields.check_known({"number", "title", "addressed"})
    addressed = fields.data.get("addressed", False)
    if not isinstance(addressed, bool):
        raise fields.error(
            "addressed",
            "expected yes or no",
            fix="Write 'addressed: yes' for a priority ticked on the cover sheet, "
            "or 'addressed: no'.",
        )
    return StrategyPriority(
        fields.text("number", required=True), fields.text("title", required=True), addressed
    )


def _section(fields: Fields) -> DetailSection:
    fields.check_known({"number", "title", "paragraphs"})
    number = fields.text("number", required=True)
    if not _SECTION_NUMBER.match(number):
        raise fields.error(
            "number",
            f"section number '{number}' should be a whole number",
            fix='Write e.g. number: "1".',
        )
    section = DetailSection(number, fields.text("title", required=True), f"section-{number}", ())
    seen: set[str] = set()
    paragraphs = []
    for row in fields.list("paragraphs", required=True):
        paragraph = _paragraph(row, section)
        if paragraph.number in seen:
            raise row.error(
                "number",
                f"paragraph {paragraph.number} is used twice",
                fix="Give each paragraph its own number.",
            )
        seen.add(paragraph.number)
        paragraphs.append(paragraph)
    return replace(section, paragraphs=tuple(paragraphs))


def _paragraph(fields: Fields, section: DetailSection) -> Paragraph:
    fields.check_known({"number", "text", "items", "risks"})
    number = fields.text("number", required=True)
    if not re.fullmatch(rf"{section.number}\.\d+", number):
        raise fields.error(
            "number",
            f"paragraph number '{number}' does not belong to section {section.number}",
            fix=f"Number the paragraphs of section {section.number} as "
            f'"{section.number}.1", "{section.number}.2" and so on, in quotes.',
        )
    anchor = "para-" + number.replace(".", "-")
    items = []
    for n, row in enumerate(fields.list("items"), start=1):
        row.check_known({"kind", "text", "owner", "due", "due_means", "status"})
        kind = row.text("kind", required=True).lower()
        if kind not in ("milestone", "action"):
            raise row.error("kind", f"unknown kind '{kind}'", fix="Use 'milestone' or 'action'.")
        items.append(
            Tracked(
                f"{anchor}-item-{n}",
                kind,
                row.text("text", required=True),
                row.text("owner"),
                _due(row),
                row.status("status", PROGRESS_KEY),
            )
        )
    risks = tuple(
        _risk_line(row, f"{anchor}-risk-{n}", owner="", mitigation=Markup(""))
        for n, row in enumerate(fields.list("risks"), start=1)
    )
    return Paragraph(number, anchor, fields.markdown("text", required=True), tuple(items), risks)


def _due(fields: Fields) -> DueDate:
    """``due`` as the paragraph words it; ``due_means`` says what date that is."""
    if not fields.has("due_means"):
        return fields.due("due")
    written = fields.text("due")
    if not written:
        raise fields.error(
            "due_means",
            "'due_means' explains a 'due' that is not there",
            fix="Add 'due:' with the words the report uses, e.g. 'early in the New Year'.",
        )
    meaning = parse_due(fields.text("due_means"))
    if not meaning.understood:
        raise fields.error(
            "due_means",
            f"could not understand the date '{meaning.text}'",
            fix="Write a month, range or year, e.g. 'March 2015', 'early 2015' or "
            "'January-March 2015'.",
        )
    return replace(meaning, text=written)


def _risk_line(fields: Fields, anchor: str, *, owner: str, mitigation: Markup) -> RiskLine:
    fields.check_known({"risk", "mitigation", "owner"})
    return RiskLine(
        anchor,
        fields.inline("risk", required=True),
        fields.inline("mitigation") or mitigation,
        fields.text("owner") or owner,
        PROGRESS_KEY.lookup(""),  # the report rates no risk
    )


def _implication(fields: Fields) -> Implication:
    fields.check_known({"kind", "heading", "text", "risks", "closing", "officer"})
    kind = fields.text("kind", required=True)
    if not _KIND.match(kind):
        raise fields.error(
            "kind",
            f"implications kind '{kind}' should be one lower-case word",
            fix=f"Use one of {', '.join(HEADINGS)}, or another word with a 'heading:'.",
        )
    heading = fields.text("heading") or HEADINGS.get(kind, "")
    if not heading:
        raise fields.error(
            None, "'heading' is missing", fix=f"Add a 'heading:' for the '{kind}' implications."
        )
    officer = _officer(fields.mapping("officer", required=True))
    closing = fields.inline("closing")
    anchor = f"implications-{kind}"
    signed = ", ".join(part for part in (officer.name, officer.title) if part)
    risks = tuple(
        _risk_line(row, f"{anchor}-risk-{n}", owner=signed, mitigation=closing)
        for n, row in enumerate(fields.list("risks"), start=1)
    )
    return Implication(
        kind, heading, anchor, fields.markdown("text", required=True), risks, closing, officer
    )


def _money(
    sections: tuple[DetailSection, ...], implications: tuple[Implication, ...]
) -> tuple[MoneyFigure, ...]:
    """Every £ figure in the report, with the sentence that states it."""
    places = [(p.anchor, f"Paragraph {p.number}", p.body) for s in sections for p in s.paragraphs]
    places += [(i.anchor, i.heading, i.body) for i in implications]
    figures = []
    for anchor, where, body in places:
        for sentence in _SENTENCE_END.split(plain_text(body)):
            for amount in _MONEY.findall(sentence):
                figures.append(MoneyFigure(amount, sentence, anchor, where))
    return tuple(figures)


def _summary(model: BoardReport) -> list[tuple[str, str]]:
    author = ", ".join(part for part in (model.author.name, model.author.title) if part)
    rows = [
        ("Board", model.board),
        ("Subject heading", model.subject),
        ("Board lead", model.board_lead),
        ("Report author", author),
        ("Report date", model.date.text),
    ]
    return [(label, value) for label, value in rows if value]


def _contents(model: BoardReport, glossary: list[GlossaryTerm]) -> list[Section]:
    sections = [Section("cover-sheet", "Cover sheet")]
    if model.summary:
        sections.append(Section("summary", "Summary"))
    if model.recommendations:
        sections.append(Section("recommendations", "Recommendations"))
    if model.tracked or model.money:
        sections.append(Section("at-a-glance", "At a glance"))
    sections.append(Section("report-detail", "Report detail"))
    sections += [Section(s.anchor, s.heading, level=3) for s in model.sections]
    if model.implications:
        sections.append(Section("implications", "Implications and risks"))
        sections += [Section(i.anchor, i.heading, level=3) for i in model.implications]
    sections.append(Section("background-papers", "Background papers"))
    if glossary:
        sections.append(Section("abbreviations", "Abbreviations"))
    return sections


def _item(section: DetailSection, paragraph: Paragraph, item: Tracked) -> Item:
    return Item(
        item.kind,
        item.text,
        item.anchor,
        item.status,
        item.due,
        owner=item.owner,
        section=f"{section.heading}, paragraph {paragraph.number}",
    )


def _risks(model: BoardReport) -> list[Risk]:
    found = [
        (f"{s.heading}, paragraph {p.number}", r)
        for s in model.sections
        for p in s.paragraphs
        for r in p.risks
    ]
    found += [(i.heading, r) for i in model.implications for r in i.risks]
    return [
        Risk(
            plain_text(r.risk),
            r.anchor,
            r.status,
            mitigation=plain_text(r.mitigation),
            owner=r.owner,
            section=where,
        )
        for where, r in found
    ]


def _term(fields: Fields) -> GlossaryTerm:
    fields.check_known({"term", "expansion", "description"})
    return GlossaryTerm(
        fields.text("term", required=True),
        fields.text("expansion", required=True),
        fields.text("description"),
    )
