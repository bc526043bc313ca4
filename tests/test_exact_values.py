"""What authors type is what readers see: YAML does not turn 2.10 into 2.1 or a date into words."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from .conftest import SiteMaker, page_text, run_cli

REPORT = """\
---
format: southend-highlight
title: 2.10
meeting_date: 2023-03-31
priorities:
  - code: P1
    title: 1.50
    milestones:
      - milestone: 3.0
        completed_by: 2023-06-30
        rag: Green
---
"""


def test_numbers_and_dates_keep_the_authors_characters(make_site: SiteMaker) -> None:
    root = make_site({"content/x/r.md": REPORT})
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0, result.output
    page = page_text(root / "site" / "x" / "r" / "index.html")
    assert "2.10" in page and "P1 – 1.50" in page
    assert "2023-03-31" in page and "2023-06-30" in page
    assert "31 March 2023" not in page
    rows = list(
        csv.DictReader(
            io.StringIO((root / "site" / "data" / "milestones.csv").read_text("utf-8-sig"))
        )
    )
    [row] = rows
    assert (row["text"], row["report_title"]) == ("3.0", "2.10")
    assert (row["due_text"], row["due_end"]) == ("2023-06-30", "2023-06-30")
    assert (row["report_date_text"], row["report_date"]) == ("2023-03-31", "2023-03-31")


def test_quoted_values_were_always_kept(make_site: SiteMaker) -> None:
    root = make_site({"content/x/r.md": REPORT.replace("title: 2.10", 'title: "2.10"')})
    assert run_cli("build", "--source", str(root)).exit_code == 0
    assert "2.10" in page_text(Path(root) / "site" / "x" / "r" / "index.html")


def test_an_items_reference_is_shown_and_exported(make_site: SiteMaker) -> None:
    report = REPORT.replace(
        "      - milestone: 3.0\n", "      - milestone: 3.0\n        id: 2.10\n"
    )
    root = make_site({"content/x/r.md": report})
    assert run_cli("build", "--source", str(root)).exit_code == 0
    tracker = (root / "site" / "tracker" / "index.html").read_text()
    assert '<span class="ref">2.10</span> <a href="../x/r/#p1-milestone-1">3.0</a>' in tracker
    [row] = csv.DictReader(
        io.StringIO((root / "site" / "data" / "milestones.csv").read_text("utf-8-sig"))
    )
    assert row["ref"] == "2.10"
    exported = json.loads((root / "site" / "data" / "items.json").read_text())
    assert exported["milestones"][0]["ref"] == "2.10"
