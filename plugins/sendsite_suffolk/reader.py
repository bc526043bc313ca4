"""Reading a Suffolk response grid's front matter into its model."""

from __future__ import annotations

import re
from collections import Counter

from sendsite import (
    Document,
    Fields,
    GlossaryTerm,
    Item,
    KeyEntry,
    Level,
    Report,
    Section,
    StatusKey,
)
from sendsite.markdown import plain_text, render_markdown

from .model import Action, Entry, Measure, ResponseGrid, Weakness

STATUS_KEY = StatusKey(
    name="suffolk-progress",
    title="Suffolk progress key",
    entries=(
        KeyEntry("Blue", Level.COMPLETE, "Completed activity", aliases=("Completed", "Complete")),
        KeyEntry("Orange", Level.DELAYED, "Delayed activity", aliases=("Delayed",)),
        KeyEntry(
            "Black",
            Level.IN_PROGRESS,
            "Actions in progress/ in the future",
            aliases=("In progress", "In the future"),
        ),
    ),
    description="the colour of a response's text in the original grid",
)

_NUMBER = re.compile(r"^\d{1,3}$")


def read_report(document: Document) -> Report:
    """Read a ``suffolk-response-grid`` document; raises ``ContentError`` on mistakes."""
    root = Fields.of(document)
    root.check_known(
        {
            "format",
            "title",
            "slug",
            "revisit",
            "date",
            "status_note",
            "abbreviations",
            "glossary",
            "entries",
        }
    )
    seen: dict[str, int] = {}
    entries = tuple(_entry(e, seen) for e in root.list("entries", required=True))
    model = ResponseGrid(
        revisit=root.text("revisit"),
        date=root.due("date", required=True),
        introduction=render_markdown(document.body),
        status_note=root.markdown("status_note"),
        abbreviations=_terms(root, "abbreviations"),
        glossary=_terms(root, "glossary"),
        entries=entries,
    )
    actions = [a for e in entries for a in e.actions]
    counts = Counter(a.status.level for a in actions)
    tally = ", ".join(f"{counts[level]} {level.label.lower()}" for level in Level if counts[level])
    summary = [
        (label, value)
        for label, value in (
            ("Revisit", model.revisit),
            ("Date", model.date.text),
            ("Weaknesses", f"{len(seen)} numbered, in {len(entries)} entries"),
            ("Proposed responses", f"{len(actions)}: {tally}"),
        )
        if value
    ]
    has_intro = document.body.strip() or model.status_note
    sections = [Section("introduction", "Introduction")] if has_intro else []
    if model.abbreviations:
        sections.append(Section("abbreviations", "Abbreviations"))
    sections += [Section(e.anchor, e.heading) for e in entries]
    if model.glossary:
        sections.append(Section("other-abbreviations", "Other abbreviations"))
    return Report(
        title=root.text("title", default="Response to the joint local area SEND revisit"),
        model=model,
        date=model.date,
        summary=summary,
        sections=sections,
        items=[item for e in entries for item in _items(e)],
        glossary=[*model.abbreviations, *model.glossary],
    )


def _terms(root: Fields, key: str) -> tuple[GlossaryTerm, ...]:
    terms = []
    for row in root.list(key):
        row.check_known({"term", "expansion", "description"})
        terms.append(
            GlossaryTerm(
                row.text("term", required=True),
                row.text("expansion", required=True),
                row.text("description"),
            )
        )
    return tuple(terms)


def _entry(fields: Fields, seen: dict[str, int]) -> Entry:
    fields.check_known({"topic", "weaknesses", "responses", "leads", "impact"})
    weaknesses = []
    for row in fields.list("weaknesses", required=True):
        row.check_known({"number", "text", "note"})
        number = row.text("number")
        if number and not _NUMBER.match(number):
            raise row.error(
                "number",
                f"weakness number '{number}' should be a whole number",
                fix="Write e.g. 'number: \"7\"', or leave it out for an unnumbered weakness.",
            )
        if number in seen:
            raise row.error(
                "number",
                f"weakness {number} is already used on line {seen[number]}",
                fix="Give each weakness its own number; weaknesses sharing a response go in"
                " one entry's 'weaknesses:' list.",
            )
        if number:
            seen[number] = row.line("number") or 0
        weaknesses.append(Weakness(number, row.inline("text", required=True), row.inline("note")))
    numbers = [w.number for w in weaknesses if w.number]
    if not numbers:
        raise fields.error(
            "weaknesses",
            "none of this entry's weaknesses has a number",
            fix="Add 'number: \"7\"' to the first weakness, so the entry can be linked to.",
        )
    anchor = "weakness-" + "-".join(dict.fromkeys([numbers[0], numbers[-1]]))
    if len(weaknesses) > 1:
        # Each numbered weakness of a shared entry can be linked to on its own.
        weaknesses = [
            Weakness(w.number, w.text, w.note, _own_anchor(w.number, anchor)) for w in weaknesses
        ]
    leads = tuple(fields.texts("leads"))
    actions = []
    for n, row in enumerate(fields.list("responses", required=True), start=1):
        row.check_known({"action", "due", "lead", "status"})
        actions.append(
            Action(
                f"{anchor}-action-{n}",
                row.inline("action", required=True),
                row.due("due"),
                row.text("lead") or "; ".join(dict.fromkeys(leads)),
                row.status("status", STATUS_KEY),
            )
        )
    impact = []
    for row in fields.list("impact"):
        row.check_known({"measure", "update"})
        impact.append(Measure(row.inline("measure", required=True), row.inline("update")))
    return Entry(
        anchor,
        fields.text("topic"),
        tuple(weaknesses),
        tuple(actions),
        leads,
        tuple(impact),
    )


def _own_anchor(number: str, entry_anchor: str) -> str:
    """A numbered weakness's own id, unless the entry's id already is that."""
    own = f"weakness-{number}" if number else ""
    return "" if own == entry_anchor else own


def _items(entry: Entry) -> list[Item]:
    section = f"{entry.title} – {entry.topic}" if entry.topic else entry.title
    return [
        Item("action", plain_text(a.text), a.anchor, a.status, a.due, a.lead, section)
        for a in entry.actions
    ]
