"""Linking what was read into a site: areas, series, glossary, topics, attachments.

Run on every refresh once the changed files are read (``pipeline``): the reports
and pages read, with the content folder's site files, become one ``Site``.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import PurePosixPath
from typing import Any

from sendsite.build.checks import topic_tags, undefined_acronyms
from sendsite.build.reading import Collector, ReadFile
from sendsite.build.series import link_series, undated
from sendsite.build.site import PlainPage, ReportEntry, Site, duplicate_outputs, link_site
from sendsite.builtin.crossarea import match_topics
from sendsite.config import SiteConfig
from sendsite.content.attachments import attachment_path
from sendsite.content.documents import Area, ContentTree
from sendsite.content.glossary import load_glossary, merge_terms
from sendsite.content.model import GlossaryTerm
from sendsite.content.topics import Topic, load_topics
from sendsite.plugins.manager import PluginManager, call_each

__all__ = ["link"]


def link(
    config: SiteConfig,
    pm: PluginManager,
    tree: ContentTree,
    areas: dict[str, Area],
    current: dict[PurePosixPath, ReadFile],
    problems: Collector,
    memo: dict[str, Any],
    touched: set[PurePosixPath] | None = None,
) -> Site:
    """The site of the files read (``current``, by content path), or the problems found
    in ``problems`` (raised once everything that can be checked is). ``memo``: what
    plugins keep between refreshes (``Site.memo``); ``touched`` is given the reports
    whose pages show their series differently from the last link (see ``link_series``)."""
    items = [entry.item for entry in current.values()]
    reports = [i for i in items if isinstance(i, ReportEntry)]
    pages = [i for i in items if isinstance(i, PlainPage)]
    for item in items:
        if item.area is not None:
            areas.setdefault(item.area.slug, item.area)
    problems.errors.extend(duplicate_outputs(items))
    # The site's own glossary wins over plugins' terms, and those over reports'.
    glossary: list[GlossaryTerm] = []
    if "_glossary.yml" in tree.site_files:
        glossary += problems.attempt(lambda: load_glossary(*tree.site_files["_glossary.yml"])) or []
    glossary += [t for _, terms in call_each(pm, "register_glossary_terms") for t in terms]
    topics: list[Topic] = []
    if "_topics.yml" in tree.site_files:
        topics = problems.attempt(lambda: load_topics(*tree.site_files["_topics.yml"])) or []
    glossary += [
        replace(t, source=f"{entry.area.name}: {entry.title}", page=str(entry.path))
        for entry in reports
        for t in entry.report.glossary
    ]
    tags = topic_tags(reports, topics, problems)
    problems.errors.extend(link_series(reports, touched))
    problems.warnings.extend(undated(reports))
    assets = [
        (path, published)
        for path, rel in tree.assets
        if (published := problems.attempt(partial(attachment_path, path, rel)))
    ]
    problems.raise_if_failed()
    merged = merge_terms(glossary)
    found = [
        (read.item.document.relpath, read.scan())
        for read in current.values()
        if isinstance(read.item, ReportEntry)
    ]
    problems.warnings.extend(undefined_acronyms(found, merged))
    site = link_site(config, areas, reports, pages, merged, assets)
    site.topics, site.memo = topics, memo
    match_topics(site, topics, tags)
    return site
