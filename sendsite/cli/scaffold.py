"""``sendsite new-area NAME``: a new area with a working format plugin to adapt.

Writes into the site folder, from the templates in ``scaffold_templates/``::

    content/<area>/_area.yml                    the area: name, council, partners
    content/<area>/highlight-report-2024-03.md  a sample report in the new format
    plugins/sendsite_<area>/                    the plugin (loaded from the site as it is):
        __init__.py  reader.py  model.py        hooks; reader; typed model
        schema.json                             its front matter's schema, for editors
        templates/<area>/report.html            the report page
        static/<area>.css                       its styles
        tests/test_<area>.py                    its tests
        pyproject.toml  README.md               packaging (the entry point); what is where

The result builds and passes its own tests at once. It is exactly what the
tutorial in ``docs/tutorial.md`` builds by hand for the area "northshire".
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path, PurePosixPath

from sendsite.build.reading import collect_formats
from sendsite.config import LOCAL_PLUGINS_DIR, SiteConfig
from sendsite.content.markdown import slugify
from sendsite.errors import SendsiteError
from sendsite.plugins.local import find_local_plugins
from sendsite.plugins.manager import DEFAULT_PLUGINS, ENTRY_POINT_GROUP, make_plugin_manager

__all__ = [
    "SITE_FOLDERS", "AreaNames", "ScaffoldError", "area_names", "scaffold_area", "scaffold_files",
]  # fmt: skip

SAMPLE_REPORT = "highlight-report-2024-03.md"

#: The top-level folders a site's own pages take (the built-in views, what changed, the
#: search page and index, the theme's files, the data exports): an area of one of these
#: names would clash with them. ``tests/test_scaffold.py`` checks a built site's folders.
SITE_FOLDERS = frozenset(
    ["a-z", "accessibility", "changes", "dashboard", "data", "glossary", "pagefind",
     "risks", "search", "static", "topics", "tracker"]
)  # fmt: skip


class ScaffoldError(SendsiteError):
    """The new area cannot be created as asked (bad name, files already there)."""


@dataclass(frozen=True)
class AreaNames:
    """Every name the new area's files use, made from the one the user gave."""

    slug: str
    title: str

    @property
    def module(self) -> str:
        return "sendsite_" + self.slug.replace("-", "_")

    @property
    def package(self) -> str:
        return "sendsite-" + self.slug

    @property
    def format(self) -> str:
        return f"{self.slug}-highlight"


#: What an area's name may hold besides letters and digits: it is written as it is into
#: YAML, Python, TOML and JSON files ("North: East" would end a YAML key, a quote a string).
NAME_PUNCTUATION = frozenset(" -'&.,()")
#: The most bytes in a file's or folder's name (Linux, macOS and Windows alike).
_LONGEST_NAME = 255


def area_names(name: str) -> AreaNames:
    """``northshire`` -> Northshire; ``"North East Lincs"`` -> ``north-east-lincs``."""
    slug = slugify(name)
    if not slug or not slug[0].isalpha():
        raise ScaffoldError(
            f"'{name}' cannot be an area's name: it must start with a letter",
            fix="Use the area's name, e.g. 'sendsite new-area northshire'.",
        )
    odd = sorted({c for c in name.strip() if not c.isalnum() and c not in NAME_PUNCTUATION})
    if odd:
        raise ScaffoldError(
            f"'{name}' cannot be an area's name: it holds {' '.join(odd)}",
            fix="Use letters, digits, spaces and - ' & . , ( ) (the name goes into the "
            "plugin's code), and write the area's full name in its _area.yml afterwards. "
            "Nothing was written.",
        )
    plain = name.strip() == slug
    return AreaNames(slug, slug.replace("-", " ").title() if plain else " ".join(name.split()))


# (template under scaffold_templates/, where it goes); {content}, {plugin} and names filled in.
_FILES = (
    ("content/_area.yml.tmpl", "{content}/{slug}/_area.yml"),
    ("content/report.md.tmpl", "{content}/{slug}/" + SAMPLE_REPORT),
    ("plugin/__init__.py.tmpl", "{plugin}/__init__.py"),
    ("plugin/model.py.tmpl", "{plugin}/model.py"),
    ("plugin/reader.py.tmpl", "{plugin}/reader.py"),
    ("plugin/schema.json.tmpl", "{plugin}/schema.json"),
    ("plugin/templates/report.html.tmpl", "{plugin}/templates/{slug}/report.html"),
    ("plugin/static/area.css.tmpl", "{plugin}/static/{slug}.css"),
    ("plugin/tests/__init__.py.tmpl", "{plugin}/tests/__init__.py"),
    ("plugin/tests/test_area.py.tmpl", "{plugin}/tests/test_{test}.py"),
    ("plugin/pyproject.toml.tmpl", "{plugin}/pyproject.toml"),
    ("plugin/README.md.tmpl", "{plugin}/README.md"),
    ("plugin/gitignore.tmpl", "{plugin}/.gitignore"),
)


def scaffold_files(names: AreaNames, content_dir: str = "content") -> dict[PurePosixPath, str]:
    """The new area's files, ``{path relative to the site folder: text}``."""
    test = names.module.removeprefix("sendsite_")
    tokens = {
        "@@area@@": names.slug,
        "@@Name@@": names.title,
        "@@module@@": names.module,
        "@@package@@": names.package,
        "@@test@@": test,
    }
    where = {
        "content": content_dir,
        "plugin": f"{LOCAL_PLUGINS_DIR}/{names.module}",
        "slug": names.slug,
        "test": test,
    }
    root = files("sendsite.cli").joinpath("scaffold_templates")
    result = {}
    for template, target in _FILES:
        text = root.joinpath(template).read_text(encoding="utf-8")
        for token, value in tokens.items():
            text = text.replace(token, value)
        result[PurePosixPath(target.format(**where))] = text
    return result


def scaffold_area(config: SiteConfig, name: str) -> tuple[AreaNames, list[Path]]:
    """Write the new area's files into the site; return its names and the files written.

    Nothing is written if any file already exists, or if a plugin of that
    name is already installed or in the site.
    """
    names = area_names(name)
    _check_unused(config, names)
    content = Path(config.content_dir).as_posix()
    planned = {config.root / rel: text for rel, text in scaffold_files(names, content).items()}
    longest = max(len(part.encode()) for path in planned for part in path.parts)
    if longest > _LONGEST_NAME:
        raise ScaffoldError(
            f"'{name}' is too long for an area's name: its plugin's files would have names "
            f"of {longest} bytes, and a file's name holds at most {_LONGEST_NAME}",
            fix="Use a shorter name, and write the area's full name in its _area.yml "
            "afterwards. Nothing was written.",
        )
    existing = [path for path in planned if path.exists()]
    if existing:
        shown = ", ".join(str(p.relative_to(config.root)) for p in existing)
        raise ScaffoldError(
            f"the area '{names.slug}' already has files: {shown}",
            fix="Choose another name, or move those files away first. Nothing was written.",
        )
    for path, text in planned.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return names, list(planned)


def _check_unused(config: SiteConfig, names: AreaNames) -> None:
    if names.slug in DEFAULT_PLUGINS or names.slug in SITE_FOLDERS:
        raise ScaffoldError(
            f"'{names.slug}' is taken by the site itself (its "
            + ("built-in plugin" if names.slug in DEFAULT_PLUGINS else f"{names.slug}/ pages")
            + ")",
            fix="Choose another name for the new area, e.g. the council's. Nothing was written.",
        )
    entry_points = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    installed = {ep.name: ep.value for ep in entry_points}
    if names.slug in installed:
        raise ScaffoldError(
            f"there is already a plugin called '{names.slug}' "
            f"(installed: entry point '{installed[names.slug]}')",
            fix="Choose another name for the new area. Nothing was written.",
        )
    local = {p.name: p for p in find_local_plugins(config.plugin_paths())}
    if names.slug in local:
        raise ScaffoldError(
            f"there is already a plugin called '{names.slug}' in {local[names.slug].where}",
            fix="Choose another name for the new area. Nothing was written.",
        )
    formats = collect_formats(make_plugin_manager(config=config, tolerant=True))
    if names.format in formats:
        raise ScaffoldError(
            f"there is already a format called '{names.format}' (plugin "
            f"'{formats[names.format][0]}'), which the new area's would be",
            fix="Choose another name for the new area. Nothing was written.",
        )
    content = config.content_path
    folders = content.iterdir() if content.is_dir() else iter(())
    same = [f for f in folders if f.name != names.slug and slugify(f.name) == names.slug]
    same = [folder for folder in same if folder.is_dir()]
    if same:
        raise ScaffoldError(
            f"the area folder {content.name}/{same[0].name}/ is published at "
            f"'{names.slug}/', where the new area would be",
            fix="Choose another name for the new area, or add to that area. Nothing was written.",
        )


def loads_local_folder(config: SiteConfig) -> bool:
    """True when the site loads plugins from its ``plugins/`` folder (where they are written)."""
    folder = (config.root / LOCAL_PLUGINS_DIR).resolve()
    return config.plugins is None or folder in config.plugin_paths()
