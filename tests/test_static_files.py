"""The built-in theme's scripts and stylesheets are published smaller (``minify``), as
written with ``minify: false``; a plugin's, or a site's own theme's, always as written."""

from __future__ import annotations

import shutil
from pathlib import Path

from sendsite.build.publish import build
from sendsite.config import load_config

from .conftest import REPO, SiteMaker, run_cli

THEME_STATIC = REPO / "themes" / "default" / "static"

#: A local plugin publishing a folder of its own static files.
BRAND = """\
from pathlib import Path

from sendsite.hookspecs import hookimpl


@hookimpl
def register_static_dirs():
    return {"brand": Path(__file__).parent / "brand_static"}
"""

#: A script the minifier would break: a template literal inside another loses its spaces.
SCRIPT = """\
// One item a person.
function list(people) {
  return `<ul>${people.map((p) => `<li>${p.first} ${p.last}</li>`).join("")}</ul>`;
}
"""


def _brand_site(make_site: SiteMaker, config: str = "") -> Path:
    return make_site(
        {
            "sendsite.yml": config or "title: Brand\n",
            "plugins/brand.py": BRAND,
            "plugins/brand_static/brand.js": SCRIPT,
            "plugins/brand_static/brand.css": ".logo {\n  background: url('team photo.png');\n}\n",
            "content/a/p.md": "# P\n",
        }
    )


def test_the_themes_scripts_and_stylesheets_are_published_smaller(
    make_site: SiteMaker, tmp_path: Path
) -> None:
    root = _brand_site(make_site)
    build(load_config(root), output=tmp_path / "o")
    # The built-in theme's files, a sixth smaller or more, their comments gone; the
    # readable copies in the theme stay. (They run minified in every browser test.)
    for name in ("search.js", "sendsite.css", "search.css", "tables.js"):
        published = (tmp_path / "o" / "static" / name).read_text(encoding="utf-8")
        assert len(published) < (THEME_STATIC / name).stat().st_size * 0.85, name
        assert "\n/*" not in published and "\n  " not in published, name
    assert "function meaningful(query)" in (THEME_STATIC / "search.js").read_text()
    # A plugin's files are published as written: the minifiers read code by patterns and
    # would break some (a template literal in another, nested CSS, a space in a url()).
    brand = tmp_path / "o" / "static" / "brand"
    assert (brand / "brand.js").read_text(encoding="utf-8") == SCRIPT
    assert (brand / "brand.css").read_bytes() == (
        root / "plugins/brand_static/brand.css"
    ).read_bytes()


def test_a_sites_own_theme_is_published_as_written(make_site: SiteMaker, tmp_path: Path) -> None:
    root = _brand_site(make_site, "title: Brand\ntheme: ours\n")
    shutil.copytree(THEME_STATIC.parent, root / "themes" / "ours")
    css = ".card {\n  .title :first-child { color: red; }\n}\n"
    (root / "themes/ours/static/ours.css").write_text(css, encoding="utf-8")
    build(load_config(root), output=tmp_path / "o")
    assert (tmp_path / "o/static/ours.css").read_text(encoding="utf-8") == css
    for name in ("search.js", "sendsite.css"):
        assert (tmp_path / "o/static" / name).read_bytes() == (THEME_STATIC / name).read_bytes()


def test_minify_false_publishes_the_themes_files_as_written(
    make_site: SiteMaker, tmp_path: Path
) -> None:
    root = _brand_site(make_site, "title: Brand\nminify: false\n")
    build(load_config(root), output=tmp_path / "o")
    for name in ("search.js", "sendsite.css", "search.css", "tables.js"):
        assert (tmp_path / "o/static" / name).read_bytes() == (THEME_STATIC / name).read_bytes()


def test_minify_must_be_true_or_false(make_site: SiteMaker) -> None:
    root = make_site({"sendsite.yml": "minify: sometimes\n", "content/a/p.md": "# P\n"})
    result = run_cli("build", "--source", str(root))
    assert result.exit_code != 0
    assert "minify" in result.output and "sendsite.yml" in result.output
    assert "Traceback" not in result.output
