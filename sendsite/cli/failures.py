"""How the command line fails: the project's errors as plain messages, never tracebacks.

Each command is wrapped in ``friendly_errors``; ``--json`` gets the same problems as one
JSON object on standard output.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import sys
import traceback
from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from pathlib import Path
from typing import IO, Any, NoReturn, TypeVar

import click

from sendsite.build.publish import MAX_ERRORS, BuildFailed, SiteCounts, StrictWarnings
from sendsite.build.writer import shown_path
from sendsite.cli.messages import format_problem
from sendsite.cli.outcome import result_record
from sendsite.config import load_config
from sendsite.errors import Problem, SendsiteError

__all__ = ["echo_json", "echo_problems", "friendly_errors", "plural"]

F = TypeVar("F", bound=Callable[..., Any])


def echo_problems(
    problems: list[Problem], level: str, base: Path | None, verbose: bool = False
) -> None:
    """Print each problem (file:line:column, the line quoted, the fix) on standard error."""
    for problem in problems:
        if verbose and problem.cause is not None:
            traceback.print_exception(problem.cause, file=sys.stderr)
        click.echo(format_problem(problem, level=level, base=base), err=True)
        click.echo("", err=True)


def _content_base(source: Path | None) -> Path | None:
    try:
        return load_config(source or Path.cwd()).content_path
    except SendsiteError:
        return None


def friendly_errors(func: F) -> F:
    """Print the project's errors (all of them, with warnings) and exit with status 1.

    With ``--json`` the problems go into one JSON object on standard output
    instead; with ``--quiet`` warnings are not shown.
    """

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("as_json"):
            return _friendly(func, *args, **kwargs)
        # Standard output is the JSON object's alone: what a plugin prints goes to stderr.
        token = _JSON_OUT.set(sys.stdout)
        try:
            with contextlib.redirect_stdout(sys.stderr):
                return _friendly(func, *args, **kwargs)
        finally:
            _JSON_OUT.reset(token)

    return wrapper  # type: ignore[return-value]


#: Where ``echo_json`` writes: standard output as it was, while a command run with
#: ``--json`` has ``print`` write to standard error (``friendly_errors``).
_JSON_OUT: ContextVar[IO[str] | None] = ContextVar("sendsite_json_out", default=None)


def _friendly(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``func(*args, **kwargs)``, its failures shown as ``friendly_errors`` says."""
    verbose = kwargs.get("verbose", False)
    try:
        return func(*args, **kwargs)
    except KeyboardInterrupt:  # Ctrl-C: one line (or one JSON object), no traceback
        if "as_json" not in kwargs:  # a command of another kind (serve): as it says it
            raise
        problem = Problem(
            "stopped by Ctrl-C: nothing was written, and the last site is as it was",
            fix="Run the command again to finish it.",
        )
        _fail(kwargs, [problem] if kwargs.get("as_json") else [], [], "Aborted!", base=False)
    except (BuildFailed, StrictWarnings) as exc:
        errors = exc.errors if isinstance(exc, BuildFailed) else []
        if isinstance(exc, BuildFailed):
            capped = " (stopped counting there)" if exc.capped else ""
            summary = f"{plural(len(exc.errors), 'error')}{capped}"
            if exc.warnings:
                summary += f" and {plural(len(exc.warnings), 'warning')}"
        else:
            summary = f"{plural(len(exc.warnings), 'warning')}, and --strict is on"
        counts = exc.counts if isinstance(exc, StrictWarnings) else None
        stopped = f"Stopped: {summary}. Nothing was written."
        _fail(kwargs, errors, exc.warnings, stopped, counts=counts)
    except SendsiteError as exc:
        if verbose and exc.__cause__ is not None:
            traceback.print_exception(exc.__cause__, file=sys.stderr)
        _fail(kwargs, exc.problems, [])
    except OSError as exc:  # the last resort: a file or folder the code did not expect
        if isinstance(exc, BrokenPipeError) and _stdout_unread():
            _stop_writing_stdout()  # the work was done; only its report went unread
            return None
        if verbose:
            traceback.print_exception(exc, file=sys.stderr)
        where = f": '{shown_path(exc.filename)}'" if exc.filename else ""
        problem = Problem(
            f"{exc.strerror or exc}{where}",
            fix="Check that the file or folder named can be read and written, then try "
            "again; --verbose shows where this happened.",
        )
        _fail(kwargs, [problem], [], base=False)
    except RuntimeError as exc:  # Path.resolve() of a link that leads back to itself
        if "Symlink loop" not in str(exc):
            raise
        problem = Problem(
            f"a symbolic link loops back on itself ({str(exc).partition('from ')[2] or exc})",
            fix="Point the link at a real folder or file (ls -l shows where it leads), or "
            "remove it.",
        )
        _fail(kwargs, [problem], [], base=False)


def _fail(
    options: dict[str, Any],
    errors: list[Problem],
    warnings: list[Problem],
    summary: str = "",
    *,
    base: bool = True,
    counts: SiteCounts | None = None,
) -> NoReturn:
    """Show the problems as the command's options ask, then exit with status 1.

    ``counts``: what the site holds, where it was read whole (``--strict`` stopped it).
    """
    source = options.get("source")
    content = _content_base(source) if base else None
    if options.get("as_json"):
        root = (source or Path.cwd()).resolve()
        command = click.get_current_context().info_name or "sendsite"
        echo_json(
            result_record(
                command,
                errors=errors,
                warnings=warnings,
                base=content,
                root=root,
                counts=counts,
                failed=True,
            )
        )
        sys.exit(1)
    if not options.get("quiet"):
        echo_problems(warnings, "warning", content)
    echo_problems(errors[:MAX_ERRORS], "error", content, options.get("verbose", False))
    if len(errors) > MAX_ERRORS:
        more = plural(len(errors) - MAX_ERRORS, "more error")
        click.echo(f"{more}, not shown: correct these and run it again to see them.", err=True)
    if summary:
        click.echo(summary, err=True)
    sys.exit(1)


def echo_json(record: dict[str, Any]) -> None:
    """What --json prints: the one object, and nothing else on standard output."""
    click.echo(json.dumps(record, indent=2), file=_JSON_OUT.get())


def plural(count: int, word: str) -> str:
    """``count`` and ``word``, with an s unless there is one."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def _stdout_unread() -> bool:
    """Whether standard output is a pipe whose reader has gone (``sendsite build | head``).

    Linux and macOS report a pipe with no reader as an error to ``poll``; elsewhere
    (no ``poll``) a broken pipe is reported as any other failure to write."""
    try:
        fd = sys.stdout.fileno()
        poller = select.poll()
    except (AttributeError, OSError, ValueError):
        return False
    poller.register(fd, select.POLLOUT)
    return any(event & select.POLLERR for _, event in poller.poll(0))


def _stop_writing_stdout() -> None:
    """Send what is left for standard output nowhere, so leaving flushes nothing into the
    broken pipe (Python's own advice for a program whose reader stops reading)."""
    nowhere = os.open(os.devnull, os.O_WRONLY)
    os.dup2(nowhere, sys.stdout.fileno())
    os.close(nowhere)
