"""Formatting problems for people: location, message, the line quoted, the fix."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sendsite.errors import Problem

__all__ = ["ProblemView", "format_problem", "shown_message", "view_problem"]


@dataclass(frozen=True)
class ProblemView:
    """A problem ready to show: where, what, the quoted line and marker, the fix."""

    level: str
    where: str
    message: str
    quote: tuple[str, ...]
    fix: str


def view_problem(
    problem: Problem, *, level: str = "error", base: Path | None = None
) -> ProblemView:
    """Prepare a problem for the terminal or the browser.

    ``base`` is the folder that relative file names in problems are under
    (the content folder). The file is shown relative to the current folder
    when it is inside it, so authors can open it from the terminal.
    """
    path = _full_path(problem, base)
    shown = Problem(
        problem.message, _display(path) if path else problem.file, problem.line, problem.column
    )
    quote = tuple(_quote(path, problem.line, problem.column)) if path is not None else ()
    return ProblemView(level, shown.location(), shown_message(problem), quote, problem.fix or "")


def shown_message(problem: Problem, most: int = 500) -> str:
    """The problem's message, cut to ``most`` characters: one quoting a pasted megabyte
    (an unknown status word of a whole page) would otherwise fill the terminal."""
    text = problem.message
    return text if len(text) <= most else f"{text[: most - 1]}…"


def format_problem(problem: Problem, *, level: str = "error", base: Path | None = None) -> str:
    """Render a problem as a compiler would: ``file:line:col: error: ...`` and the line."""
    view = view_problem(problem, level=level, base=base)
    head = f"{view.where}: {level}: {view.message}" if view.where else f"{level}: {view.message}"
    lines = [head, *view.quote]
    if view.fix:
        lines.append(f"  How to fix: {view.fix}")
    return "\n".join(lines)


def _full_path(problem: Problem, base: Path | None) -> Path | None:
    if problem.file is None:
        return None
    path = Path(problem.file)
    if not path.is_absolute():
        if base is None:
            return None
        path = base / path
    return path


def _display(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


def _quote(path: Path, line: int | None, column: int | None) -> list[str]:
    if line is None:
        return []
    try:
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if number == line:
                    text = raw.decode("utf-8", "replace").rstrip("\r\n")
                    break
            else:
                return []
    except OSError:
        return []
    text = text.replace("\t", " ")
    if len(text) > 160:
        text = text[:157] + "..."
    gutter = f"  {line} | "
    out = [gutter + text]
    if column and column <= len(text) + 1:
        out.append(" " * (len(gutter) + column - 1) + "^")
    return out
