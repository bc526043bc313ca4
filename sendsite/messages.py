"""Formatting problems for people: location, message, the line quoted, the fix."""

from __future__ import annotations

from pathlib import Path

from .errors import Problem

__all__ = ["format_problem"]


def format_problem(problem: Problem, *, level: str = "error", base: Path | None = None) -> str:
    """Render a problem as a compiler would: ``file:line:col: error: ...`` and the line.

    ``base`` is the folder that relative file names in problems are under
    (the content folder); the quoted line is read from there if it exists.
    """
    where = problem.location()
    head = f"{where}: {level}: {problem.message}" if where else f"{level}: {problem.message}"
    lines = [head]
    quoted = _quote(problem, base)
    if quoted:
        lines.extend(quoted)
    if problem.fix:
        lines.append(f"  How to fix: {problem.fix}")
    return "\n".join(lines)


def _quote(problem: Problem, base: Path | None) -> list[str]:
    if problem.file is None or problem.line is None:
        return []
    path = Path(problem.file)
    if not path.is_absolute() and base is not None:
        path = base / path
    try:
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if number == problem.line:
                    text = raw.decode("utf-8", "replace").rstrip("\r\n").replace("\t", "    ")
                    break
            else:
                return []
    except OSError:
        return []
    if len(text) > 160:
        text = text[:157] + "..."
    gutter = f"  {problem.line} | "
    out = [gutter + text]
    if problem.column:
        out.append(" " * (len(gutter) + problem.column - 1) + "^")
    return out
