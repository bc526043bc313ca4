"""The ``sendsite`` command line. Content mistakes print as plain messages, never tracebacks."""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from pathlib import Path

import click

from sendsite import __version__
from sendsite.build.progress import Progress, TerminalProgress
from sendsite.build.publish import SiteCounts, build
from sendsite.cli import program
from sendsite.cli.failures import echo_json, echo_problems, friendly_errors, plural
from sendsite.cli.outcome import result_record, summary_lines
from sendsite.cli.schema import leave_schemas, schema_listing, schema_of
from sendsite.config import SiteConfig, load_config
from sendsite.errors import PluginError
from sendsite.plugins.isolation import check_isolated
from sendsite.plugins.manager import make_plugin_manager

_source_option = click.option(
    "--source",
    "-s",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The site folder holding content/ and sendsite.yml. [default: current folder]",
)
_strict_option = click.option(
    "--strict", is_flag=True, help="Treat warnings (unknown keys, odd dates) as errors."
)
_verbose_option = click.option(
    "--verbose", "-v", is_flag=True, help="Show the Python traceback behind a plugin error."
)


def _config(source: Path | None) -> SiteConfig:
    return load_config(source or Path.cwd())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sendsite")
def main() -> None:
    """sendsite publishes SEND partnership progress reports as a static website.

    Reports are Markdown files with YAML front matter under content/<area>/;
    each area's format is read by a plugin. Check your content with
    'sendsite check', then publish it with 'sendsite build'.
    """


_quiet_option = click.option(
    "--quiet", "-q", is_flag=True, help="Print errors only: no warnings, progress or summary."
)
_json_option = click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON object (figures and problems) on standard output, nothing else.",
)


def _progress(quiet: bool, as_json: bool) -> Progress:
    """A progress bar on a terminal; on a pipe or file, or when asked to be quiet, none."""
    if quiet or as_json or not sys.stderr.isatty():
        return Progress()
    try:  # how long a stage runs before its bar shows (e.g. 0 to see every bar)
        delay = float(os.environ.get("SENDSITE_PROGRESS_DELAY", "1"))
    except ValueError:
        delay = 1.0
    return TerminalProgress(delay=max(delay, 0.0))


@main.command("build")
@_source_option
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write the site into. [default: site/ in the site folder]",
)
@_strict_option
@click.option(
    "--no-cache",
    "cache",
    flag_value=False,
    default=True,
    help="Read and render everything again, ignoring what the last build kept in .sendsite/cache/.",
)
@_quiet_option
@_json_option
@_verbose_option
@friendly_errors
def build_command(
    source: Path | None,
    output: Path | None,
    strict: bool,
    cache: bool,
    quiet: bool,
    as_json: bool,
    verbose: bool,
) -> None:
    """Build the site from content/ into site/.

    Everything is checked first (as 'sendsite check' does); the previous site
    is replaced only when the whole build succeeds. Links are relative, so the
    folder can be published under any path. On a terminal, a stage that takes
    more than a second shows a progress bar; a summary follows the build.
    """
    config = _config(source)
    pm = make_plugin_manager(config=config, tolerant=True)
    if pm.failures:
        check_isolated(config, strict=strict)  # names every broken plugin, and the rest
    try:
        result = build(
            config,
            pm=pm,
            output=output.resolve() if output else None,
            strict=strict,
            progress=_progress(quiet, as_json),
            cache=cache,
            own_process=program.own_process,
        )
    except PluginError:
        check_isolated(config, strict=strict)  # report everything else too, where possible
        raise
    leave_schemas(pm, config.root, quiet=quiet or as_json)
    if as_json:
        echo_json(
            result_record(
                "build",
                warnings=result.warnings,
                base=config.content_path,
                root=config.root,
                result=result,
            )
        )
        return
    if quiet:
        return
    echo_problems(result.warnings, "warning", config.content_path)
    click.echo(
        f"Built {result.pages} pages ({result.files} files) into {result.output} "
        f"in {result.seconds:.2f} s"
        + (f", with {plural(len(result.warnings), 'warning')}" if result.warnings else "")
        + "."
    )
    click.echo("\n".join(summary_lines(result)))


@main.command("check")
@_source_option
@_strict_option
@_quiet_option
@_json_option
@_verbose_option
@friendly_errors
def check_command(
    source: Path | None, strict: bool, quiet: bool, as_json: bool, verbose: bool
) -> None:
    """Check every content file without writing anything.

    Prints each problem as file:line:column with the line quoted and a fix,
    all problems in one run. Exits with status 1 if there are errors (or, with
    --strict, warnings). A broken plugin is named, and the rest is still checked.
    """
    config = _config(source)
    checked = check_isolated(config, strict=strict)
    site = checked.site
    if as_json:
        echo_json(
            result_record(
                "check",
                warnings=checked.warnings,
                base=config.content_path,
                root=config.root,
                counts=SiteCounts.of(site),
            )
        )
        return
    if quiet:
        return
    echo_problems(checked.warnings, "warning", config.content_path)
    click.echo(
        f"No errors in {plural(len(site.reports), 'report')} and "
        f"{plural(len(site.all_pages), 'page')}"
        + (f" ({plural(len(checked.warnings), 'warning')})" if checked.warnings else "")
        + "."
    )


@main.command("serve")
@_source_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", "-p", default=8000, show_default=True, help="Port to listen on.")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a web browser.")
@click.option(
    "--poll", is_flag=True, help="Check files for changes every half second (for network drives)."
)
@_verbose_option
@friendly_errors
def serve_command(
    source: Path | None, host: str, port: int, open_browser: bool, poll: bool, verbose: bool
) -> None:
    """Preview the site while you edit it.

    Builds the site in memory and serves it at http://127.0.0.1:8000/. Every
    save shows up in the open browser by itself; a mistake shows an error page
    naming the file and line, and the page comes back once the file is fixed.
    Press Ctrl-C to stop. For publishing, use 'sendsite build' instead.
    """
    import signal
    import time
    import webbrowser

    from sendsite.serve.server import PreviewServer

    server = PreviewServer(
        source or Path.cwd(),
        host,
        port,
        poll=poll,
        log=click.echo,
        progress=_progress(quiet=False, as_json=False),
    )
    server.start()
    where = (
        "only this computer can open it"
        if host in {"127.0.0.1", "localhost", "::1"}
        else "other computers on your network can open it too"
    )
    click.echo(f"Serving the site at {server.url} ({where}). Press Ctrl-C to stop.")
    for name in ("SIGTERM", "SIGHUP"):  # a terminal closed, a kill: stop as Ctrl-C does
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _interrupt)
    if open_browser:
        webbrowser.open(server.url)
    try:
        # Woken twice a second, not only by a signal: Linux may hand Ctrl-C to any of the
        # server's threads, and Python acts on it in the main thread only once that runs.
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        click.echo("\nStopping.")
    finally:
        server.stop()


def _interrupt(signum: int, frame: object) -> None:
    """A signal to end ``serve`` taken as Ctrl-C, so its temporary files are removed."""
    raise KeyboardInterrupt


@main.command("plugins")
@_source_option
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@_verbose_option
@friendly_errors
def plugins_command(source: Path | None, as_json: bool, verbose: bool) -> None:
    """List the plugins the site uses, and any that failed to load.

    For each: its name and version, where it was loaded from (built in, an
    installed package's entry point, or the site's own plugins/ folder), the
    report formats it provides and the hooks it implements. Exits with status
    1 if a plugin failed to load.
    """

    from sendsite.plugins.listing import describe_plugins, plugins_as_json, plugins_as_text

    config = _config(source)
    pm = make_plugin_manager(config=config, tolerant=True)
    reports = describe_plugins(pm)
    if verbose:
        for failure in pm.failures:
            if failure.error.__cause__ is not None:
                traceback.print_exception(failure.error.__cause__, file=sys.stderr)
    if as_json:
        echo_json(plugins_as_json(reports, pm.disabled))
    else:
        click.echo(plugins_as_text(reports, pm.disabled))
    if any(r.error for r in reports):
        sys.exit(1)


@main.command("schema")
@click.argument("format_name", metavar="[FORMAT]", required=False)
@_source_option
@friendly_errors
def schema_command(format_name: str | None, source: Path | None) -> None:
    """Print the JSON Schema of a format's front matter; without FORMAT, list the formats.

    Editors use it to flag mistakes and complete keys as you type. 'sendsite
    build' also writes each format's schema to .sendsite/schemas/<format>.json
    in the site folder (the README says how to point VS Code at it). A plugin that
    fails to load is named, the other plugins' formats are still given, and the
    command exits with status 1.
    """
    config = _config(source)
    out = sys.stdout  # the schema's alone (it is redirected to a file): plugins print to stderr
    with contextlib.redirect_stdout(sys.stderr):
        pm = make_plugin_manager(config=config, tolerant=True)  # the others' formats shown
        broken = [failure.error.problem for failure in pm.failures]
        echo_problems(broken, "warning", None)
        shown = schema_listing(pm, config) if format_name is None else schema_of(pm, format_name)
    click.echo(shown, file=out, nl=format_name is None)
    if broken:  # as 'sendsite plugins' does: what it could, then a failure
        sys.exit(1)


@main.command("new-area")
@click.argument("name")
@_source_option
@friendly_errors
def new_area_command(name: str, source: Path | None) -> None:
    """Start a new area: a working format plugin, a sample report and a test.

    NAME is the area's name, e.g. 'northshire' or "North East Lincolnshire".
    Writes content/<area>/ (the area and a sample report) and
    plugins/sendsite_<area>/ (the plugin's reader, model, template, CSS, tests
    and pyproject.toml). The site builds with it at once; adapt the files to
    the area's own report. Nothing is overwritten. The plugin author's guide,
    installed with sendsite (the command prints where), explains every file.
    """
    from sendsite.cli.scaffold import loads_local_folder, scaffold_area

    config = _config(source)
    names, written = scaffold_area(config, name)
    click.echo(f"Created the area '{names.title}' with its format '{names.format}':")
    for path in written:
        click.echo(f"  {_shown(path)}")
    plugin = Path("plugins", names.module).as_posix()
    click.echo(
        "\nNext:\n"
        "  sendsite build       builds the site: the new area has its own page, and its\n"
        "                       items are in the dashboard, tracker, risk register and search\n"
        "  sendsite plugins     lists the new plugin as in use\n"
        f"  python -m pytest {plugin}\n"
        "                       runs the plugin's own tests\n"
        "Then change the reader, model and template to fit the area's own report; the\n"
        f"plugin author's guide explains every file:\n  {guide_path()}"
    )
    if not loads_local_folder(config):
        click.echo(
            "\nNote: this site's sendsite.yml lists its plugins under 'plugins:', without the\n"
            "plugins/ folder; add 'plugins' to that list so the new plugin is loaded.",
            err=True,
        )


def guide_path() -> Path:
    """Where the plugin author's guide is, installed with sendsite (its ``docs/``)."""
    from importlib.resources import files

    return Path(str(files("sendsite.docs").joinpath("README.md")))


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
