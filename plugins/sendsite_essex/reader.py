"""Reading an Essex joint commissioning paper's front matter into its model."""

from __future__ import annotations

from pathlib import Path

from sendsite import Document, Fields, Report, Section, facts, tally
from sendsite.content.markdown import plain_text, render_markdown, slugify
from sendsite.content.status import load_status_key

from .model import Activity, JointCommissioningPaper, Phase, Principle, Workstream

PROGRESS_KEY = load_status_key(Path(__file__).with_name("progress_key.yml"))

# (front-matter key, heading, id suffix) of each workstream phase.
PHASES = (("phase_one", "Phase One", "phase-one"), ("phase_two", "Phase Two", "phase-two"))


def read_report(document: Document) -> Report:
    """Read an ``essex-joint-commissioning`` document; raises ``ContentError`` on mistakes."""
    root = Fields.of(document)
    vision, objectives = root.mapping("vision"), root.mapping("objectives")
    scope, principles = root.mapping("scope"), root.mapping("principles")
    engagement, phase_one = root.mapping("engagement"), root.mapping("phase_one")
    glossary = root.mapping("glossary")
    model = JointCommissioningPaper(
        background=render_markdown(document.body),
        vision=vision.markdown("text"),
        vision_source=vision.inline("source"),
        outcomes=root.inlines("outcomes"),
        objectives_intro=objectives.inline("intro"),
        objectives=objectives.inlines("items"),
        scope_intro=scope.inline("intro"),
        scope_families=scope.inlines("families"),
        scope_professionals=scope.inlines("professionals"),
        principles_intro=principles.inline("intro"),
        principles=tuple(
            Principle(p.inline("name", required=True), p.inline("text"))
            for p in principles.list("items")
        ),
        commitments_intro=principles.inline("commitments_intro"),
        commitments=principles.inlines("commitments"),
        engagement_heading=engagement.text("heading", default="Engaging with families"),
        engagement=engagement.markdown("text"),
        phase_one_heading=phase_one.text("heading", default="Phase one"),
        phase_one_intro=phase_one.markdown("intro"),
        phase_one_covered=phase_one.inlines("covered"),
        phase_one_excluded_intro=phase_one.markdown("excluded_intro"),
        phase_one_excluded=phase_one.inlines("excluded"),
        workstreams=_workstreams(root),
        overall_success=root.markdown("overall_success"),
        summary_review=root.markdown("summary_review"),
        glossary_note=glossary.markdown("note"),
        glossary=glossary.terms("terms"),
    )
    period = root.due("period")
    items = [a for ws in model.workstreams for phase in ws.phases for a in phase.activities]
    statuses = tally((a.status for a in items), unrated="with no status stated")
    return Report(
        title=root.text("title", default="Joint Commissioning – Key Activities and Progress"),
        model=model,
        date=period if period.text else None,
        summary=facts(
            ("Phase one", period.text),
            ("Workstreams", ", ".join(ws.title for ws in model.workstreams)),
            ("Activities", f"{len(items)} in phases one and two: {statuses}" if items else ""),
            ("Progress reports to", root.text("progress_reports_to")),
        ),
        sections=_sections(model),
        items=list(items),
        glossary=list(model.glossary),
    )


def _workstreams(root: Fields) -> tuple[Workstream, ...]:
    workstreams: dict[str, Workstream] = {}  # by slug: an id given twice is found at once
    for fields in root.list("workstreams", required=True):
        title = fields.text("title", required=True)
        slug = slugify(fields.text("id") or title)
        if not slug or slug in workstreams:
            problem = "has no letters or digits" if not slug else f"'{slug}' is used twice"
            raise fields.error(
                "id" if fields.has("id") else "title",
                f"the workstream's id {problem}",
                fix="Give each workstream its own short 'id:', e.g. 'id: therapies'.",
            )
        phases = tuple(
            _phase(fields.mapping(key), f"{slug}-{suffix}", heading, f"{title} – {heading}")
            for key, heading, suffix in PHASES
            if fields.has(key)
        )
        intro, success, roadmap = map(fields.markdown, ("intro", "success", "roadmap"))
        workstreams[slug] = Workstream(slug, title, intro, success, roadmap, phases)
    return tuple(workstreams.values())


def _phase(fields: Fields, anchor: str, title: str, section: str) -> Phase:
    rows = enumerate(fields.list("items"), start=1)
    activities = tuple(_activity(row, f"{anchor}-{n}", section) for n, row in rows)
    return Phase(anchor, title, fields.markdown("intro"), activities)


def _activity(row: Fields, anchor: str, section: str) -> Activity:
    html, details = row.inline("activity", required=True), row.inlines("details")
    # Cross-area pages show the details after the activity; the page lists them under it.
    text = " ".join([plain_text(html), "; ".join(map(plain_text, details))]).strip()
    due, status = row.due("due"), row.status("status", PROGRESS_KEY)
    return Activity(
        "action", text, anchor, status, due, "", section, html, ref=row.text("id"), details=details
    )


def _sections(m: JointCommissioningPaper) -> list[Section]:
    """The contents list; each section carries its prose as plain text for topic pages."""
    principles = [*(p.name + " " + p.text for p in m.principles), *m.commitments]
    parts = [
        ("background", "Background", [m.background]),
        ("vision", "Vision", [m.vision]),
        ("overall-outcomes", "Overall outcomes", [*m.outcomes]),
        ("objectives", "Objectives", [*m.objectives]),
        ("scope", "Scope", [*m.scope_families, *m.scope_professionals]),
        ("principles", "Joint commissioning principles", principles),
        ("engaging-with-families", m.engagement_heading, [m.engagement]),
        ("phase-one", m.phase_one_heading, [m.phase_one_intro, *m.phase_one_covered]),
        *((ws.anchor, ws.title, ws.prose) for ws in m.workstreams),
        ("overall-success", "Joint Commissioning overall success", [m.overall_success]),
        ("summary-review", "Summary review", [m.summary_review]),
    ]
    sections = [
        Section(anchor, title, text=" ".join(plain_text(p) for p in prose if p))
        for anchor, title, prose in parts
        if any(prose)
    ]
    if m.glossary:
        # No text: a list of every acronym would put this section on every topic.
        sections.append(Section("glossary", "Abbreviations"))
    return sections
