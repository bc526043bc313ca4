"""Many cached builds in a row, as a partnership makes them over months: after each of a
seeded run of changes (a status, a new word, a new or deleted report, a report put back,
a file saved unchanged, a glossary term, a page changed in the published site, the site's
settings, a template of its own, a build into another folder), the site is byte for byte
what a cold build of the same files writes. The cache, the kept pages, the spare site and
the index's parts carry state from each build to the next; a mistake in that state shows
only after several builds."""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from sendsite.builtin.search import pagefind as search_pagefind

from .conftest import copy_demo
from .test_build_cache import _build, _tree

SOUTHEND = Path("content", "southend")
MAY = "highlight-report-2021-05.md"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August")
#: Changes made, in a seeded random order (the seed is in the test's name).
STEPS = 14


def _month(text: str, number: int) -> str:
    """The May report as that of another month of 2021 (its title and meeting date)."""
    name = MONTHS[number - 1]
    return text.replace("report, May 2021", f"report, {name} 2021").replace(
        "28th May 2021", f"28th {name} 2021"
    )


class Chain:
    """The site's files, what each step changed, and the builds that follow."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root, self.rng = root, rng
        self.source = copy_demo(root / "src")
        self.may = (self.source / SOUTHEND / MAY).read_text(encoding="utf-8")
        for number in (2, 3, 4):  # a series of four months, May the newest
            (self.source / SOUTHEND / f"highlight-report-2021-0{number}.md").write_text(
                _month(self.may, number), encoding="utf-8"
            )
        self.originals = {p: p.read_text(encoding="utf-8") for p in self._reports()}
        self.next_month, self.words, self.builds = 6, 0, 0
        self.output = root / "site"

    def _reports(self) -> list[Path]:
        return sorted(
            p
            for area in ("southend", "lancashire")
            for p in (self.source / "content" / area).glob("*.md")
        )

    def _any_report(self) -> Path:
        return self.rng.choice(self._reports())

    # --- the changes ---------------------------------------------------------------

    def status(self) -> str:
        report = self.rng.choice(sorted((self.source / SOUTHEND).glob("*.md")))
        text = report.read_text(encoding="utf-8")
        lines = text.split("\n")
        rags = [n for n, line in enumerate(lines) if line.strip().startswith("rag: ")]
        n = self.rng.choice(rags)
        old = lines[n].split("rag: ", 1)[1]
        new = self.rng.choice([c for c in ("Green", "Yellow", "Red") if c != old])
        lines[n] = lines[n].replace(f"rag: {old}", f"rag: {new}")
        report.write_text("\n".join(lines), encoding="utf-8")
        return f"{report.name}: a status {old or 'none'} -> {new}"

    def word(self) -> str:
        report = self._any_report()
        self.words += 1
        word = f"Quillwort{'xyzvw'[self.words % 5]}{self.words}"
        with report.open("a", encoding="utf-8") as file:
            file.write(f"\n{word} was agreed.\n")
        return f"{report.name}: a word no report had ({word})"

    def add(self) -> str:
        if self.next_month > len(MONTHS):
            return self.touch()
        number = self.next_month
        self.next_month += 1
        name = f"highlight-report-2021-0{number}.md"
        (self.source / SOUTHEND / name).write_text(_month(self.may, number), encoding="utf-8")
        return f"{name}: a newer report"

    def delete(self) -> str:
        series = sorted((self.source / SOUTHEND).glob("*.md"))
        removable = [p for p in series if p.name != MAY]
        if len(series) <= 2 or not removable:
            return self.status()
        report = self.rng.choice(removable)
        report.unlink()
        return f"{report.name}: deleted"

    def put_back(self) -> str:
        report = self.rng.choice(sorted(self.originals))
        report.write_text(self.originals[report], encoding="utf-8")
        return f"{report.name}: put back as it first was"

    def touch(self) -> str:
        report = self._any_report()
        later = report.stat().st_mtime + 5
        os.utime(report, (later, later))
        return f"{report.name}: saved with the same bytes"

    def glossary(self) -> str:
        self.words += 1
        glossary = self.source / "content" / "_glossary.yml"
        with glossary.open("a", encoding="utf-8") as file:
            file.write(f"QZT{self.words}: Quillwort task group {self.words}\n")
        return f"_glossary.yml: a term QZT{self.words}"

    def hand_edit(self) -> str:
        pages = sorted(self.output.rglob("*.html"))
        page = self.rng.choice(pages)
        if self.rng.random() < 0.5:
            page.unlink()
            return f"site/{page.relative_to(self.output)}: deleted by hand"
        with page.open("a", encoding="utf-8") as file:
            file.write("<!-- changed by hand -->")
        return f"site/{page.relative_to(self.output)}: changed by hand"

    def config(self) -> str:
        settings = self.source / "sendsite.yml"
        text = settings.read_text(encoding="utf-8")
        self.words += 1
        settings.write_text(
            text.replace("organisation: ", f"organisation: Quillwort {self.words} ", 1),
            encoding="utf-8",
        )
        return f"sendsite.yml: the organisation renamed (Quillwort {self.words})"

    def template(self) -> str:
        own = self.source / "templates" / "404.html"
        own.parent.mkdir(exist_ok=True)
        self.words += 1
        own.write_text(
            '{% extends "base.html" %}{% block content %}'
            f"<h1>Not found ({self.words})</h1>{{% endblock %}}",
            encoding="utf-8",
        )
        return f"templates/404.html: the site's own, version {self.words}"

    def elsewhere(self) -> str:
        status = self.status()
        _build(self.source, self.root / "elsewhere")
        return f"{status}, built into another folder first"

    # --- the builds ----------------------------------------------------------------

    def build(self) -> None:
        _build(self.source, self.output)
        self.builds += 1

    def cold(self) -> dict[str, bytes]:
        """The site a cold build of the same files writes (a copy of them, no cache)."""
        copy = self.root / f"cold-{self.builds}"
        shutil.copytree(self.source, copy / "src", ignore=shutil.ignore_patterns(".sendsite"))
        _build(copy / "src", copy / "site", "--no-cache")
        tree = _tree(copy / "site")
        shutil.rmtree(copy)
        return tree


@pytest.mark.parametrize("seed", [20261206, 7])
def test_a_run_of_cached_builds_is_each_time_the_cold_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    # Small parts, so the index is searched newest first and in parts, as a big site's is.
    monkeypatch.setattr(search_pagefind, "FIRST_BYTES", 100_000)
    monkeypatch.setattr(search_pagefind, "PART_BYTES", 60_000)
    chain = Chain(tmp_path, random.Random(seed))
    chain.build()
    changes: list[Callable[[], str]] = [
        chain.status, chain.word, chain.add, chain.delete, chain.put_back, chain.touch,
        chain.glossary, chain.hand_edit, chain.config, chain.template, chain.elsewhere,
    ]  # fmt: skip
    order = changes[:]  # each change at least once, in a seeded order, then any
    chain.rng.shuffle(order)
    order += [chain.rng.choice(changes) for _ in range(STEPS - len(order))]
    done: list[str] = []
    for change in order:
        done.append(change())
        chain.build()
        built, cold = _tree(chain.output), chain.cold()
        assert sorted(built) == sorted(cold), done
        differ = [name for name in built if built[name] != cold[name]]
        assert differ == [], f"after {done}: {differ[:5]}"
