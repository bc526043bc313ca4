"""Where Debian's Chromium is and how to start it headless.

The ``browser`` fixture itself is in ``conftest.py``: one Playwright session for
the whole test run (a second one in the same process would fail).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

CHROMIUM = os.environ.get("SENDSITE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def launch_browser() -> Iterator[object]:
    """A Chromium browser; skipped without one locally, but required in CI."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required in CI but {CHROMIUM} does not exist")
        pytest.skip("no Chromium here: apt-get install chromium to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()
