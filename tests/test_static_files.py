"""The theme's and plugins' scripts and stylesheets as published: smaller by default
(``minify``), as written with ``minify: false``; licences and ``.min`` files kept."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from sendsite.build.publish import build
from sendsite.config import load_config
from sendsite.serve.live import LiveSite

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

SCRIPT = """\
/*! Brand widget, MIT licence */
// Counts the rows.
function count(rows) {
  /* a block comment */
  var pattern = /\\/\\*not a comment\\*\\//g;   // a regular expression
  return rows.length + " rows // kept";
}
"""


def _brand_site(make_site: SiteMaker, config: str = "") -> Path:
    root = make_site(
        {
            "sendsite.yml": config or "title: Brand\n",
            "plugins/brand.py": BRAND,
            "plugins/brand_static/brand.js": SCRIPT,
            "plugins/brand_static/brand.css": "/* the brand */\n.brand {\n  color: #0b0c0c;\n}\n",
            "plugins/brand_static/vendor.min.js": "/* kept */ var  a = 1;\n",
            "content/a/p.md": "# P\n",
        }
    )
    (root / "plugins/brand_static/latin1.js").write_bytes(b"var s = '\xe9';  // caf\xe9\n")
    return root


def test_scripts_and_stylesheets_are_published_smaller_and_still_mean_the_same(
    make_site: SiteMaker, tmp_path: Path
) -> None:
    root = _brand_site(make_site)
    build(load_config(root), output=tmp_path / "o")
    brand = tmp_path / "o" / "static" / "brand"
    script = (brand / "brand.js").read_text(encoding="utf-8")
    assert "Counts the rows" not in script and "a block comment" not in script
    assert script.startswith("/*! Brand widget, MIT licence */")  # a licence stays
    assert "/\\/\\*not a comment\\*\\//g" in script and '" rows // kept"' in script
    assert len(script) < len(SCRIPT)
    # (The theme's own scripts run minified in every browser test: search, tables.)
    assert (brand / "brand.css").read_text(encoding="utf-8") == ".brand{color:#0b0c0c}\n"
    # A file already minified, or one that is not UTF-8, is published as it is.
    assert (brand / "vendor.min.js").read_bytes() == b"/* kept */ var  a = 1;\n"
    assert (brand / "latin1.js").read_bytes() == b"var s = '\xe9';  // caf\xe9\n"
    # The theme's files too, a third smaller or more; its readable copies are untouched.
    for name in ("search.js", "sendsite.css", "tables.js"):
        published = (tmp_path / "o" / "static" / name).stat().st_size
        assert published < (THEME_STATIC / name).stat().st_size * 0.8, name
    assert "function meaningful(query)" in (THEME_STATIC / "search.js").read_text()


def test_minify_false_publishes_the_files_as_written(make_site: SiteMaker, tmp_path: Path) -> None:
    root = _brand_site(make_site, "title: Brand\nminify: false\n")
    build(load_config(root), output=tmp_path / "o")
    assert (tmp_path / "o/static/brand/brand.js").read_text(encoding="utf-8") == SCRIPT
    for name in ("search.js", "sendsite.css", "search.css", "tables.js"):
        assert (tmp_path / "o/static" / name).read_bytes() == (THEME_STATIC / name).read_bytes()


def test_minify_must_be_true_or_false(make_site: SiteMaker) -> None:
    root = make_site({"sendsite.yml": "minify: sometimes\n", "content/a/p.md": "# P\n"})
    result = run_cli("build", "--source", str(root))
    assert result.exit_code != 0
    assert "minify" in result.output and "sendsite.yml" in result.output
    assert "Traceback" not in result.output


def test_a_stylesheet_edited_while_previewing_is_published_smaller_again(
    make_site: SiteMaker,
) -> None:
    root = _brand_site(make_site)
    live = LiveSite(root, log=lambda line: None)
    try:
        rel = PurePosixPath("static/brand/brand.css")
        assert live.read(live.rebuild(None), rel) == b".brand{color:#0b0c0c}\n"
        css = root / "plugins/brand_static/brand.css"
        css.write_text("/* new */\n.brand {\n  color: #d4351c;\n}\n", encoding="utf-8")
        assert live.read(live.rebuild({css}), rel) == b".brand{color:#d4351c}\n"
    finally:
        live.close()
