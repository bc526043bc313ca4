"""What matching the topics costs: ``match_topics`` alone on a generated site.

    python bench/topics_bench.py [--reports 2000] [--runs 5] [--check]

Generates ``--reports`` copies of the Southend report with the demo's
``_glossary.yml`` and ``_topics.yml``, reads and links them once, then times
``match_topics`` (every report's sections, items and risks against every topic)
``--runs`` times and prints the median. With ``--check``, also times the plain
loop of one regex search per text and topic (what ``match_topics`` did before it
matched all topics in one pass) and checks both give the same matches.
"""

from __future__ import annotations

import argparse
import inspect
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import REPO, generate

from sendsite.build.checks import topic_tags
from sendsite.build.publish import read_site
from sendsite.build.reading import Collector
from sendsite.build.site import Site
from sendsite.builtin.crossarea import _anchor_text, match_topics
from sendsite.config import load_config
from sendsite.content.model import Item
from sendsite.content.topics import Topic, TopicMatch
from sendsite.plugins.manager import make_plugin_manager

Tags = dict[tuple[str, str], list[str]]


def site_of(root: Path, reports: int) -> Path:
    """A generated site with the demo's glossary and topics."""
    if "site_files" in inspect.signature(generate).parameters:
        return generate(root, reports, site_files=True)
    generate(root, reports)
    for name in ("_glossary.yml", "_topics.yml"):
        shutil.copyfile(REPO / "content" / name, root / "content" / name)
    return root


def per_topic(site: Site, topics: list[Topic], tags: Tags) -> None:
    """The reference: one regex search per text and topic, topic by topic."""
    for topic in topics:
        topic.matches.clear()
    by_slug = {t.slug: t for t in topics}
    for entry in site.reports:
        source = str(entry.document.relpath)
        seen: set[tuple[str, str]] = set()
        for (path, anchor), slugs in tags.items():
            if path == source:
                for slug in slugs:
                    by_slug[slug].matches.append(
                        TopicMatch(
                            entry,
                            anchor,
                            "section",
                            _anchor_text(entry, anchor),
                            "tagged by the report",
                        )
                    )
                    seen.add((slug, anchor))
        for topic in topics:
            for section in entry.report.sections:
                word = topic.why(f"{section.title} {section.text}")
                if word and (topic.slug, section.anchor) not in seen:
                    topic.matches.append(
                        TopicMatch(entry, section.anchor, "section", section.title, word)
                    )
            for kind, things in (("item", entry.report.items), ("risk", entry.report.risks)):
                for thing in things:
                    word = topic.why(f"{thing.text} {getattr(thing, 'mitigation', '')}")
                    if word and (topic.slug, thing.anchor) not in seen:
                        label = thing.kind if isinstance(thing, Item) else kind
                        topic.matches.append(
                            TopicMatch(entry, thing.anchor, label, thing.text, word)
                        )


def timed(run: object, site: Site, tags: Tags, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run(site, site.topics, tags)  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return times


def summary(topics: list[Topic]) -> list[list[tuple[object, str, str, str, str]]]:
    """Every topic's matches, in order, as plain tuples."""
    return [[(m.report, m.anchor, m.kind, m.text, m.reason) for m in t.matches] for t in topics]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--check", action="store_true", help="compare with the per-topic loop")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = site_of(Path(tmp) / "site-src", args.reports)
        site, _ = read_site(load_config(root), make_plugin_manager())
    tags = topic_tags(site.reports, site.topics, Collector())
    texts = sum(
        len(e.report.sections) + len(e.report.items) + len(e.report.risks) for e in site.reports
    )
    words = sum(len(t.words) for t in site.topics)
    print(
        f"reports: {len(site.reports)}  texts: {texts}  topics: {len(site.topics)}"
        f"  words: {words}  runs: {args.runs}"
    )
    fast = timed(match_topics, site, tags, args.runs)
    found = summary(site.topics)
    print(
        f"match_topics: median {statistics.median(fast):.3f} s"
        f"  (min {min(fast):.3f}, max {max(fast):.3f})"
        f"  matches: {sum(len(t) for t in found)}"
    )
    if args.check:
        slow = timed(per_topic, site, tags, args.runs)
        print(
            f"per-topic regex loop: median {statistics.median(slow):.3f} s"
            f"  (min {min(slow):.3f}, max {max(slow):.3f})"
            f"  ratio {statistics.median(slow) / statistics.median(fast):.1f}x"
        )
        reference = summary(site.topics)
        same = reference == found
        print("same matches as the per-topic loop:", "yes" if same else "NO")
        if not same:
            sys.exit(1)


if __name__ == "__main__":
    main()
