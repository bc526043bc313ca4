"""Pages readers need off the happy path: browsing from disk, the accessibility statement."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sendsite.build.publish import build
from sendsite.config import load_config
from sendsite.plugins.manager import make_plugin_manager

from .conftest import copy_demo, page_text


def _build(root: Path, out: Path) -> Path:
    config = load_config(root)
    build(config, pm=make_plugin_manager(config=config), output=out)
    return out


@pytest.fixture(scope="module")
def from_disk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo built for browsing from disk, as the README says: directory_urls: false."""
    root = copy_demo(tmp_path_factory.mktemp("disk") / "src")
    with (root / "sendsite.yml").open("a", encoding="utf-8") as config:
        config.write("directory_urls: false\n")
    return _build(root, root.parent / "site")


def test_a_site_built_for_disk_is_browsed_from_disk(from_disk: Path, browser: Any) -> None:
    page = browser.new_page()
    try:
        page.goto((from_disk / "index.html").as_uri())
        page.get_by_role("link", name="Southend", exact=True).first.click()
        page.wait_for_url("**/southend/index.html")  # and for the page to load
        assert page.locator("h1").inner_text() == "Southend"
        left = page.url
        page.locator("main a[href$='index.html']").first.click()
        page.wait_for_url(lambda url: url != left)
        assert page.locator("h1").count() == 1  # a page of the site, not a folder listing
        assert "Index of" not in page.content()
        left = page.url
        page.get_by_role("link", name="Milestone tracker").first.click()
        page.wait_for_url(lambda url: url != left)
        assert page.locator("h1").inner_text() == "Milestone tracker"
    finally:
        page.close()


def test_the_default_links_name_folders_for_a_web_server(demo_site: Path) -> None:
    home = (demo_site / "index.html").read_text()
    assert 'href="southend/"' in home
    assert 'href="southend/index.html"' not in home


def test_every_page_links_the_accessibility_statement(demo_site: Path) -> None:
    statement = demo_site / "accessibility" / "index.html"
    text = page_text(statement)
    assert "Accessibility statement for SEND partnership progress reports" in text
    assert "Enforcement procedure" in text and "Equality Advisory and Support Service" in text
    assert "has not yet been reviewed" in text
    for path in ("index.html", "southend/index.html", "tracker/index.html"):
        html = (demo_site / path).read_text()
        assert ">Accessibility statement</a>" in html, path


def test_the_statement_takes_its_contact_and_review_date_from_the_config(
    tmp_path: Path,
) -> None:
    root = copy_demo(tmp_path / "src")
    with (root / "sendsite.yml").open("a", encoding="utf-8") as config:
        config.write(
            "accessibility_contact: send.reports@example.gov.uk\n"
            "accessibility_reviewed: 30 November 2026\n"
        )
    out = _build(root, tmp_path / "site")
    text = page_text(out / "accessibility" / "index.html")
    assert "contact: send.reports@example.gov.uk" in text
    assert "This statement was last reviewed on 30 November 2026." in text
