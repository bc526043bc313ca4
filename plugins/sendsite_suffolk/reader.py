"""Reading a Suffolk response grid's front matter into its model."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sendsite import Document, Fields, Item, Report, Section, facts, tally
from sendsite.content.markdown import render_markdown
from sendsite.content.status import load_status_key

from .model import Entry, Measure, ResponseGrid, Weakness

STATUS_KEY = load_status_key(Path(__file__).with_name("status_key.yml"))


def read_report(document: Document) -> Report:
    """Read a ``suffolk-response-grid`` document; raises ``ContentError`` on mistakes."""
    root = Fields.of(document)
    seen: dict[str, int] = {}
    entries = tuple(_entry(e, seen) for e in root.list("entries", required=True))
    model = ResponseGrid(
        revisit=root.text("revisit"),
        date=root.due("date", required=True),
        introduction=render_markdown(document.body),
        status_note=root.markdown("status_note"),
        abbreviations=root.terms("abbreviations"),
        glossary=root.terms("glossary"),
        entries=entries,
    )
    actions = [a for e in entries for a in e.actions]
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
        summary=facts(
            ("Revisit", model.revisit),
            ("Date", model.date.text),
            ("Weaknesses", f"{len(seen)} numbered, in {len(entries)} entries"),
            ("Proposed responses", f"{len(actions)}: {tally(a.status for a in actions)}"),
        ),
        sections=sections,
        items=actions,
        glossary=[*model.abbreviations, *model.glossary],
    )


def _entry(fields: Fields, seen: dict[str, int]) -> Entry:
    weaknesses = []
    for row in fields.list("weaknesses", required=True):
        number = row.number(
            "number",
            "weakness",
            seen=seen,
            fix="Give each weakness its own number; weaknesses sharing a response go in"
            " one entry's 'weaknesses:' list.",
        )
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
    leads = "; ".join(dict.fromkeys(fields.texts("leads")))
    impact = tuple(
        Measure(row.inline("measure", required=True), row.inline("update"))
        for row in fields.list("impact")
    )
    entry = Entry(anchor, fields.text("topic"), tuple(weaknesses), (), impact)
    actions = tuple(
        Item(
            "action",
            row.inline("action", required=True),
            f"{anchor}-action-{n}",
            row.status("status", STATUS_KEY),
            row.due("due"),
            row.text("lead") or leads,
            entry.section,
            ref=row.text("id"),
        )
        for n, row in enumerate(fields.list("responses", required=True), start=1)
    )
    return replace(entry, actions=actions)


def _own_anchor(number: str, entry_anchor: str) -> str:
    """A numbered weakness's own id, unless the entry's id already is that."""
    own = f"weakness-{number}" if number else ""
    return "" if own == entry_anchor else own
