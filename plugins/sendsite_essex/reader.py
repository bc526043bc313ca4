"""Reading an Essex joint commissioning paper's front matter into its model."""

from __future__ import annotations

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
from sendsite.markdown import plain_text, render_inline, render_markdown, slugify

from .model import Activity, JointCommissioningPaper, Phase, Principle, Workstream

PROGRESS_KEY = StatusKey(
    name="essex-progress",
    title="Essex progress",
    entries=(
        KeyEntry("Complete", Level.COMPLETE, "done", aliases=("Completed", "Done")),
        KeyEntry("In progress", Level.IN_PROGRESS, "under way", aliases=("Ongoing", "On going")),
        KeyEntry("Not started", Level.NOT_STARTED, "not yet begun", aliases=("Planned",)),
    ),
    description=(
        "the paper has no colour key, so a status is given only where its wording says "
        "an activity is done or under way"
    ),
)

# (front-matter key, heading, id suffix) of each workstream phase.
PHASES = (("phase_one", "Phase One", "phase-one"), ("phase_two", "Phase Two", "phase-two"))


def read_report(document: Document) -> Report:
    """Read an ``essex-joint-commissioning`` document; raises ``ContentError`` on mistakes."""
    root = Fields.of(document)
    root.check_known(
        {
            "format",
            "title",
            "slug",
            "period",
            "progress_reports_to",
            "vision",
            "outcomes",
            "objectives",
            "scope",
            "principles",
            "engagement",
            "phase_one",
            "workstreams",
            "overall_success",
            "summary_review",
            "glossary",
        }
    )
    vision = root.mapping("vision")
    vision.check_known({"text", "source"})
    objectives = root.mapping("objectives")
    objectives.check_known({"intro", "items"})
    scope = root.mapping("scope")
    scope.check_known({"intro", "families", "professionals"})
    principles = root.mapping("principles")
    principles.check_known({"intro", "items", "commitments_intro", "commitments"})
    engagement = root.mapping("engagement")
    engagement.check_known({"heading", "text"})
    phase_one = root.mapping("phase_one")
    phase_one.check_known({"heading", "intro", "covered", "excluded_intro", "excluded"})
    glossary = root.mapping("glossary")
    glossary.check_known({"note", "terms"})

    model = JointCommissioningPaper(
        period=root.due("period"),
        progress_reports_to=root.text("progress_reports_to"),
        background=render_markdown(document.body),
        vision=vision.markdown("text"),
        vision_source=vision.inline("source"),
        outcomes=_inlines(root, "outcomes"),
        objectives_intro=objectives.inline("intro"),
        objectives=_inlines(objectives, "items"),
        scope_intro=scope.inline("intro"),
        scope_families=_inlines(scope, "families"),
        scope_professionals=_inlines(scope, "professionals"),
        principles_intro=principles.inline("intro"),
        principles=tuple(_principle(p) for p in principles.list("items")),
        commitments_intro=principles.inline("commitments_intro"),
        commitments=_inlines(principles, "commitments"),
        engagement_heading=engagement.text("heading", default="Engaging with families"),
        engagement=engagement.markdown("text"),
        phase_one_heading=phase_one.text("heading", default="Phase one"),
        phase_one_intro=phase_one.markdown("intro"),
        phase_one_covered=_inlines(phase_one, "covered"),
        phase_one_excluded_intro=phase_one.markdown("excluded_intro"),
        phase_one_excluded=_inlines(phase_one, "excluded"),
        workstreams=_workstreams(root),
        overall_success=root.markdown("overall_success"),
        summary_review=root.markdown("summary_review"),
        glossary_note=glossary.markdown("note"),
        glossary=tuple(_term(t) for t in glossary.list("terms")),
    )
    items = [item for ws in model.workstreams for item in _items(ws)]
    return Report(
        title=root.text("title", default="Joint Commissioning – Key Activities and Progress"),
        model=model,
        date=model.period if model.period.text else None,
        summary=_summary(model, items),
        sections=_sections(model),
        items=items,
        glossary=list(model.glossary),
    )


def _inlines(fields: Fields, key: str) -> tuple:
    return tuple(render_inline(text) for text in fields.texts(key))


def _principle(fields: Fields) -> Principle:
    fields.check_known({"name", "text"})
    return Principle(fields.inline("name", required=True), fields.inline("text"))


def _term(fields: Fields) -> GlossaryTerm:
    fields.check_known({"term", "expansion", "description"})
    return GlossaryTerm(
        fields.text("term", required=True),
        fields.text("expansion", required=True),
        fields.text("description"),
    )


def _workstreams(root: Fields) -> tuple[Workstream, ...]:
    workstreams = []
    seen: set[str] = set()
    for fields in root.list("workstreams", required=True):
        fields.check_known({"id", "title", "intro", "success", "roadmap", "phase_one", "phase_two"})
        title = fields.text("title", required=True)
        slug = slugify(fields.text("id") or title)
        if not slug or slug in seen:
            problem = "has no letters or digits" if not slug else f"'{slug}' is used twice"
            raise fields.error(
                "id" if fields.has("id") else "title",
                f"the workstream's id {problem}",
                fix="Give each workstream its own short 'id:', e.g. 'id: therapies'.",
            )
        seen.add(slug)
        phases = tuple(
            _phase(fields.mapping(key), f"{slug}-{suffix}", heading)
            for key, heading, suffix in PHASES
            if fields.has(key)
        )
        workstreams.append(
            Workstream(
                slug,
                title,
                fields.markdown("intro"),
                fields.markdown("success"),
                fields.markdown("roadmap"),
                phases,
            )
        )
    return tuple(workstreams)


def _phase(fields: Fields, anchor: str, title: str) -> Phase:
    fields.check_known({"intro", "items"})
    activities = []
    for n, row in enumerate(fields.list("items"), start=1):
        row.check_known({"activity", "details", "due", "status"})
        activities.append(
            Activity(
                f"{anchor}-{n}",
                row.inline("activity", required=True),
                tuple(render_inline(text) for text in row.texts("details")),
                row.due("due"),
                row.status("status", PROGRESS_KEY),
            )
        )
    return Phase(anchor, title, fields.markdown("intro"), tuple(activities))


def _items(workstream: Workstream) -> list[Item]:
    items = []
    for phase in workstream.phases:
        for a in phase.activities:
            text = plain_text(a.activity)
            if a.details:
                text += " " + "; ".join(plain_text(d) for d in a.details)
            items.append(
                Item(
                    "action",
                    text,
                    a.anchor,
                    a.status,
                    a.due,
                    section=f"{workstream.title} – {phase.title}",
                )
            )
    return items


def _summary(model: JointCommissioningPaper, items: list[Item]) -> list[tuple[str, str]]:
    counts = Counter(item.status.level for item in items)
    tally = ", ".join(
        f"{counts[level]} {label}"
        for level, label in (
            (Level.COMPLETE, "complete"),
            (Level.IN_PROGRESS, "in progress"),
            (Level.NOT_STARTED, "not started"),
            (PROGRESS_KEY.blank, "with no status stated"),
        )
        if counts[level]
    )
    rows = [
        ("Phase one", model.period.text),
        ("Workstreams", ", ".join(ws.title for ws in model.workstreams)),
        ("Activities", f"{len(items)} in phases one and two: {tally}" if items else ""),
        ("Progress reports to", model.progress_reports_to),
    ]
    return [(label, value) for label, value in rows if value]


def _sections(model: JointCommissioningPaper) -> list[Section]:
    """The contents list; each section carries its prose as plain text for topic pages."""
    m = model
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
        *((ws.anchor, ws.title, _workstream_prose(ws)) for ws in m.workstreams),
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


def _workstream_prose(ws: Workstream) -> list:
    prose = [ws.intro, ws.success, ws.roadmap]
    for phase in ws.phases:
        prose.append(phase.intro)
        prose += [a.activity for a in phase.activities]
    return prose
