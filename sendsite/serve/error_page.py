"""The page the preview shows while the site has errors, and which failures stop it."""

from __future__ import annotations

import threading
from pathlib import Path, PurePosixPath

from jinja2 import Environment
from markupsafe import Markup, escape

from sendsite.build.pages import Page
from sendsite.build.render import render_page
from sendsite.cli.messages import view_problem
from sendsite.config import SiteConfig
from sendsite.errors import Problem

__all__ = ["error_page", "interrupted"]


def interrupted(error: BaseException) -> bool:
    """Ctrl-C in the main thread: the one failure the preview lets stop it.

    Signals only ever reach the main thread, so a ``KeyboardInterrupt``
    anywhere else was raised by code (a plugin) and is a failure like any other.
    """
    return isinstance(error, KeyboardInterrupt) and threading.current_thread() is (
        threading.main_thread()
    )


def error_page(
    errors: list[Problem],
    warnings: list[Problem],
    base: Path,
    config: SiteConfig | None,
    env: Environment | None,
) -> bytes:
    """The theme's ``error.html`` listing ``errors`` and ``warnings`` (files named from
    ``base``), served at every path; plain HTML if there is no theme yet or it fails."""
    problems = [view_problem(p, base=base) for p in errors]
    shown = [view_problem(p, level="warning", base=base) for p in warnings]
    if env is not None and config is not None:
        page = Page("error", PurePosixPath("index.html"), "error.html", "There is a problem")
        context = {"config": config, "page": page, "problems": problems, "warnings": shown}
        try:
            html = render_page(
                env, "error.html", page.path, context, directory_urls=config.directory_urls
            )
            # Served at every path: resolve the theme's relative links from the root.
            return html.replace("<head>", '<head>\n<base href="/">', 1).encode("utf-8")
        except BaseException as error:  # the theme itself is broken: plain HTML instead
            if interrupted(error):
                raise
    items = "".join(
        f"<li><p><strong>{escape(p.where)}</strong>: {escape(p.message)}</p>"
        + (f"<pre>{escape(chr(10).join(p.quote))}</pre>" if p.quote else "")
        + (f"<p>How to fix: {escape(p.fix)}</p>" if p.fix else "")
        + "</li>"
        for p in problems
    )
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        '<title>There is a problem</title></head><body style="font-family: Arial, '
        'sans-serif"><main><h1>There is a problem</h1>'
        f"<ol>{Markup(items)}</ol></main></body></html>"
    ).encode()
