"""The ``sendsite`` command line. Content mistakes print as plain messages, never tracebacks."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .build import StrictWarnings, build
from .config import load_config
from .errors import Problem, SendsiteError
from .messages import format_problem

F = TypeVar("F", bound=Callable[..., Any])


def _friendly_errors(func: F) -> F:
    """Turn the project's errors into a message and exit code 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        verbose = kwargs.get("verbose", False)
        source = kwargs.get("source")
        try:
            return func(*args, **kwargs)
        except SendsiteError as exc:
            if verbose and exc.__cause__ is not None:
                traceback.print_exception(exc.__cause__, file=sys.stderr)
            base = _content_base(source)
            click.echo(format_problem(exc.problem, base=base), err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _content_base(source: Path | None) -> Path | None:
    try:
        return load_config(source or Path.cwd()).content_path
    except SendsiteError:
        return source or Path.cwd()


_source_option = click.option(
    "--source",
    "-s",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The site folder holding content/ and sendsite.yml. [default: current folder]",
)
_verbose_option = click.option(
    "--verbose", "-v", is_flag=True, help="Show the Python traceback behind a plugin error."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sendsite")
def main() -> None:
    """sendsite publishes SEND partnership progress reports as a static website.

    Reports are Markdown files with YAML front matter under content/<area>/;
    each area's format is read by a plugin. Start with 'sendsite build'.
    """


@main.command("build")
@_source_option
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write the site into. [default: site/ in the site folder]",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
@_verbose_option
@_friendly_errors
def build_command(source: Path | None, output: Path | None, strict: bool, verbose: bool) -> None:
    """Build the site from content/ into site/.

    The previous site is replaced only when the whole build succeeds. Links
    are relative, so the folder can be published under any path.
    """
    config = load_config(source or Path.cwd())
    try:
        result = build(config, output=output.resolve() if output else None, strict=strict)
    except StrictWarnings as exc:
        _print_warnings(exc.warnings, config.content_path)
        click.echo(f"Stopped: {exc}", err=True)
        sys.exit(1)
    _print_warnings(result.warnings, config.content_path)
    click.echo(
        f"Built {result.pages} pages ({result.files} files) into {result.output} "
        f"in {result.seconds:.2f} s"
        + (f", with {len(result.warnings)} warning(s)" if result.warnings else "")
        + "."
    )


def _print_warnings(warnings: list[Problem], base: Path) -> None:
    for problem in warnings:
        click.echo(format_problem(problem, level="warning", base=base), err=True)
