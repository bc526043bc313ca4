"""The typed model of an Essex joint commissioning progress paper."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from sendsite import GlossaryTerm, Item


@dataclass(frozen=True)
class Activity(Item):
    """An activity of a workstream's phase: an ``Item`` (its words in ``html``) and details."""

    details: tuple[Markup, ...] = ()


@dataclass(frozen=True)
class Phase:
    """Phase One or Phase Two of a workstream: an optional lead-in and its activities."""

    anchor: str
    title: str
    intro: Markup
    activities: tuple[Activity, ...]


@dataclass(frozen=True)
class Workstream:
    """A workstream (Therapies, Neuro Development …) and what it aims for and has done."""

    slug: str
    title: str
    intro: Markup
    success: Markup
    roadmap: Markup
    phases: tuple[Phase, ...]

    @property
    def anchor(self) -> str:
        return f"workstream-{self.slug}"

    @property
    def prose(self) -> list[Markup]:
        """Its words, its phases' and their activities', for topic pages."""
        prose = [self.intro, self.success, self.roadmap]
        for phase in self.phases:
            prose += [phase.intro, *(a.html for a in phase.activities)]
        return prose


@dataclass(frozen=True)
class Principle:
    """A joint commissioning principle: its name and what it means."""

    name: Markup
    text: Markup


@dataclass(frozen=True)
class JointCommissioningPaper:
    """The whole paper: the shared framework, then the workstreams, then the review."""

    background: Markup
    vision: Markup
    vision_source: Markup
    outcomes: tuple[Markup, ...]
    objectives_intro: Markup
    objectives: tuple[Markup, ...]
    scope_intro: Markup
    scope_families: tuple[Markup, ...]
    scope_professionals: tuple[Markup, ...]
    principles_intro: Markup
    principles: tuple[Principle, ...]
    commitments_intro: Markup
    commitments: tuple[Markup, ...]
    engagement_heading: str
    engagement: Markup
    phase_one_heading: str
    phase_one_intro: Markup
    phase_one_covered: tuple[Markup, ...]
    phase_one_excluded_intro: Markup
    phase_one_excluded: tuple[Markup, ...]
    workstreams: tuple[Workstream, ...]
    overall_success: Markup
    summary_review: Markup
    glossary_note: Markup
    glossary: tuple[GlossaryTerm, ...]
