"""Markdown tables that would lose cells are warned of at their lines (GFM drops a row's
cells past its header's, and shows a table with a mismatched line of dashes as text)."""

from __future__ import annotations

from sendsite.content.markdown import render_markdown
from sendsite.content.pipe_tables import lost_cells

from .conftest import SOUTHEND_FRONT, SiteMaker, run_cli

TABLES = """\
| Priority | Budget |
|----------|--------|
| P1 | 100 | 50 spent | 50 left |
| P2 |
| P3 | `a|b` | 3 \\| 4 |

| Priority | Budget | Spent | Remaining |
|----------|--------|-------|
| P1 | 1 | 2 | 3 |

```
| a | b |
|---|
| 1 | 2 | 3 |
```

a | b
---

:--|--
"""


def test_rows_past_their_columns_and_mismatched_dashes_are_found() -> None:
    assert lost_cells(TABLES) == [
        (2, "this table row has 4 cells but its table 2 columns: the last 2 would not be shown"),
        # A pipe in a code span parts cells too, as cmark-gfm reads it; an escaped one not.
        (4, "this table row has 4 cells but its table 2 columns: the last 2 would not be shown"),
        (6, "this table's header has 4 cells but the line of dashes under it 3: "
            "the table would be shown as plain text"),
    ]  # fmt: skip
    # What they say happens: GFM's rules, as cmark-gfm renders them.
    html = render_markdown(TABLES)
    assert "50 spent" not in html and "<td>P2</td>" in html
    assert "<td>`a</td>" in html and "3 | 4" not in html
    assert "| Priority | Budget | Spent | Remaining |" in html  # a paragraph, not a table
    assert lost_cells("No tables | here.\n\n| a |\n|---|\n| 1 |\n") == []


def test_a_report_body_and_a_narrative_are_checked_at_their_lines(make_site: SiteMaker) -> None:
    front = SOUTHEND_FRONT.replace(
        "    title: ",
        "    narrative: |\n      | Item | Cost |\n      |---|---|\n      | Hub | £10k | agreed |\n"
        "    title: ",
        1,
    )
    body = "\nBudget:\n\n| Priority | Budget |\n|---|---|\n| P1 | 100 | 50 spent |\n"
    root = make_site({"content/southend/june.md": front + body})
    result = run_cli("check", "--source", str(root))
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if ": warning: " in line]
    body_line = (front + body).splitlines().index("| P1 | 100 | 50 spent |") + 1
    assert any(
        "narrative: this table row has 3 cells but its table 2 columns" in line for line in lines
    ), result.output
    assert any(
        line.endswith(
            f"june.md:{body_line}: warning: this table row has 3 cells but its table 2 "
            "columns: the last 1 would not be shown"
        )
        for line in lines
    ), result.output
    assert run_cli("check", "--source", str(root), "--strict").exit_code == 1
