"""The plugin author's guide cannot rot: its hook reference matches ``hookspecs.py``,
its tutorial is followed block by block into a working plugin, and its links work.

As in Datasette's ``tests/test_docs.py``: every hook is documented with its exact
signature, and the guide documents no hook that does not exist.
"""

from __future__ import annotations

import inspect
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest
from markdown_it import MarkdownIt

from sendsite import hookspecs
from sendsite.cli.scaffold import area_names, scaffold_files
from sendsite.config import _OPTIONS

from .conftest import REPO, forget_modules_from, page_text, run_cli

DOCS = REPO / "docs"
HOOKS = DOCS / "hooks.md"
TUTORIAL = DOCS / "tutorial.md"


def hookspec_functions() -> dict[str, Callable[..., object]]:
    """Every hook in ``sendsite/hookspecs.py`` (one added there is picked up here)."""
    return {n: f for n, f in vars(hookspecs).items() if hasattr(f, "sendsite_spec")}


def _markdown(text: str) -> str:
    """A docstring as the guide writes it: ``code`` as `code`."""
    return re.sub(r"``([^`]+)``", r"`\1`", text)


def _squash(text: str) -> str:
    return " ".join(text.split())


def signature_line(name: str, hook: Callable[..., object]) -> str:
    sig = inspect.signature(hook)
    params = ", ".join(f"{p.name}: {p.annotation}" for p in sig.parameters.values())
    return f"def {name}({params}) -> {sig.return_annotation}"


def heading(name: str, hook: Callable[..., object]) -> str:
    return f"### `{name}({', '.join(inspect.signature(hook).parameters)})`"


def reference_stub(name: str, hook: Callable[..., object]) -> str:
    """The section a new hook needs in docs/hooks.md (to paste, then add an example)."""
    doc = _markdown(inspect.getdoc(hook) or "")
    return f"{heading(name, hook)}\n\n```python\n{signature_line(name, hook)}\n```\n\n{doc}\n"


def reference_sections() -> dict[str, str]:
    """docs/hooks.md's ``### `hook(...)``` sections, by hook name."""
    text = HOOKS.read_text(encoding="utf-8")
    parts = re.split(r"^(### `[^`]*`)\s*$", text, flags=re.M)
    sections = {}
    for title, body in zip(parts[1::2], parts[2::2], strict=True):
        name = re.match(r"### `(\w+)", title)
        assert name, f"docs/hooks.md: a hook heading must be '### `name(args)`': {title}"
        sections[name.group(1)] = title + "\n" + re.split(r"^## ", body, flags=re.M)[0]
    return sections


# --- the hook reference ------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(hookspec_functions()))
def test_every_hook_is_documented_with_its_signature_and_docstring(name: str) -> None:
    hook = hookspec_functions()[name]
    section = reference_sections().get(name)
    stub = reference_stub(name, hook)
    assert section is not None, f"docs/hooks.md does not document '{name}'; add:\n\n{stub}"
    assert section.startswith(heading(name, hook) + "\n"), f"heading should be:\n{stub}"
    assert f"```python\n{signature_line(name, hook)}\n```" in section, f"signature:\n{stub}"
    for paragraph in (inspect.getdoc(hook) or "").split("\n\n"):
        assert _squash(_markdown(paragraph)) in _squash(section), (
            f"docs/hooks.md '{name}' no longer matches its docstring in hookspecs.py:\n\n{stub}"
        )


def test_the_guide_documents_no_hook_that_does_not_exist() -> None:
    hooks = set(hookspec_functions())
    assert set(reference_sections()) <= hooks
    for page in DOCS.glob("*.md"):
        text = re.sub(r"unknown hook '\w+'", "", page.read_text())  # misspelt on purpose
        for name in re.findall(r"\b(?:register|prepare|extra)_[a-z]\w*", text):
            assert name in hooks, f"docs/{page.name} names '{name}', which is not a hook"


# --- the tutorial, followed block by block --------------------------------------------------


@dataclass
class Block:
    """A fenced block of the guide: its language, file name (``title="..."``) and text."""

    lang: str
    title: str
    text: str
    line: int


def blocks_of(page: Path) -> list[Block]:
    blocks = []
    for token in MarkdownIt("commonmark").parse(page.read_text(encoding="utf-8")):
        if token.type == "fence":
            lang, _, rest = token.info.partition(" ")
            title = re.search(r'title="([^"]+)"', rest)
            line = (token.map or [0])[0] + 1
            blocks.append(Block(lang, title.group(1) if title else "", token.content, line))
    return blocks


def _shown_line_matches(shown: str, output: str) -> bool:
    """A line of shown output, with … standing for anything, is in the real output."""
    pattern = ".*?".join(re.escape(_squash(part)) for part in shown.split("…"))
    return any(re.search(pattern, _squash(line)) for line in output.splitlines())


class Reader:
    """Someone following the tutorial: writes each file, runs each command, checks outputs."""

    def __init__(self, start: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.cwd = start
        self.monkeypatch = monkeypatch
        self.written: dict[str, str] = {}

    def write(self, block: Block) -> None:
        path = self.cwd / block.title
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(block.text, encoding="utf-8")
        self.written[block.title] = block.text

    def run(self, command: str, where: str) -> tuple[int, str]:
        words = shlex.split(command)
        if words[0] == "mkdir":
            (self.cwd / words[-1]).mkdir(parents=True)
            return 0, ""
        if words[0] == "cd":
            self.cwd = self.cwd / words[1]
            return 0, ""
        if words[0] == "sendsite":
            self.monkeypatch.chdir(self.cwd)
            result = run_cli(*words[1:])
            return result.exit_code, result.output
        if words[:3] == ["python", "-m", "pytest"]:
            done = subprocess.run(
                [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *words[3:]],
                cwd=self.cwd,
                capture_output=True,
                text=True,
                timeout=300,
                env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
            )
            return done.returncode, done.stdout + done.stderr
        raise AssertionError(f"{where}: the guide's test cannot follow the command {command!r}")

    def follow(self, page: Path) -> None:
        blocks = blocks_of(page)
        for index, block in enumerate(blocks):
            where = f"docs/{page.name}:{block.line}"
            if block.title:
                self.write(block)
            elif block.lang == "sh":
                shown = blocks[index + 1] if index + 1 < len(blocks) else None
                expected = shown.text if shown and shown.lang == "text" else ""
                for command in block.text.splitlines():
                    status, output = self.run(command, where)
                if "error:" not in expected:
                    assert status == 0, f"{where}: {command!r} failed:\n{output}"
                for line in filter(str.strip, expected.splitlines()):
                    if line.strip() != "…":
                        assert _shown_line_matches(line, output), (
                            f"{where}: {command!r} no longer prints\n  {line}\nbut:\n{output}"
                        )


@pytest.fixture
def followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Reader]:
    reader = Reader(tmp_path, monkeypatch)
    reader.follow(TUTORIAL)
    yield reader
    forget_modules_from(tmp_path)


def test_following_the_tutorial_gives_a_working_plugin(followed: Reader) -> None:
    site = followed.cwd / "site"
    page = site / "northshire" / "highlight-report-2024-03" / "index.html"
    assert "W1 – Education, Health and Care Plans" in page_text(page)
    assert "Overdue" in page_text(page)
    tracker = (site / "tracker" / "index.html").read_text()
    assert "northshire/highlight-report-2024-03/#w1-milestone-2" in tracker
    assert "SALT" in page_text(site / "glossary" / "index.html")


def test_the_tutorial_builds_what_new_area_writes(followed: Reader) -> None:
    scaffold = {str(k): v for k, v in scaffold_files(area_names("northshire")).items()}
    not_in_tutorial = {  # housekeeping files the tutorial leaves to docs/packaging.md
        "plugins/sendsite_northshire/README.md",
        "plugins/sendsite_northshire/.gitignore",
    }
    assert set(followed.written) == set(scaffold) - not_in_tutorial
    for path, text in followed.written.items():
        assert text == scaffold[path], f"docs/tutorial.md's last {path} differs from new-area's"


def updated_tutorial() -> str:
    """docs/tutorial.md with the last block of each file set to what ``new-area`` writes."""
    text = TUTORIAL.read_text(encoding="utf-8")
    scaffold = {str(k): v for k, v in scaffold_files(area_names("northshire")).items()}
    last: dict[str, tuple[int, int]] = {}
    for token in MarkdownIt("commonmark").parse(text):
        title = re.search(r'title="([^"]+)"', token.info) if token.type == "fence" else None
        if title and title.group(1) in scaffold and token.map:
            last[title.group(1)] = (token.map[0], token.map[1])
    lines = text.split("\n")
    for title, (start, end) in sorted(last.items(), key=lambda item: -item[1][0]):
        lines[start + 1 : end - 1] = scaffold[title].removesuffix("\n").split("\n")
    return "\n".join(lines)


def test_the_tutorial_shows_the_files_new_area_writes() -> None:
    assert updated_tutorial() == TUTORIAL.read_text(encoding="utf-8"), (
        "docs/tutorial.md differs from what 'sendsite new-area northshire' writes: update it "
        "with 'python -m tests.test_docs' and read the diff"
    )


def test_every_scaffold_file_has_a_known_language_in_the_tutorial() -> None:
    kinds = {".py": "python", ".yml": "yaml", ".md": "markdown", ".html": "jinja", ".css": "css"}
    kinds[".json"] = "json"
    for block in blocks_of(TUTORIAL):
        if block.title:
            suffix = PurePosixPath(block.title).suffix
            assert block.lang == {**kinds, ".toml": "toml"}[suffix], block.title


# --- links and the README -------------------------------------------------------------------


def _anchor(title: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", title.strip().lower())
    return text.replace(" ", "-")


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")))
def test_links_between_guide_pages_work(page: str) -> None:
    text = (DOCS / page).read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]*)(?:#([^)\s]*))?\)", text):
        file, anchor = target
        if "://" in file:
            continue
        linked = (DOCS / file) if file else DOCS / page
        assert linked.is_file(), f"docs/{page} links to {file}, which does not exist"
        if anchor:
            headings = re.findall(r"^#+ (.+)$", linked.read_text(encoding="utf-8"), flags=re.M)
            assert anchor in {_anchor(h) for h in headings}, f"docs/{page}: no #{anchor} there"


def test_the_readme_lists_every_option_and_points_to_the_guide() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for option in _OPTIONS:
        assert f"| `{option}` |" in readme, f"README's sendsite.yml table lacks '{option}'"
    assert "docs/README.md" in readme


def test_the_guide_has_an_index_of_its_pages() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for page in DOCS.glob("*.md"):
        if page.name != "README.md":
            assert f"({page.name})" in index, f"docs/README.md does not link to {page.name}"


def test_new_area_help_points_to_the_guide() -> None:
    assert "guide" in run_cli("new-area", "--help").output


# --- the other pages' examples ---------------------------------------------------------------


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")))
def test_every_python_example_compiles(page: str) -> None:
    for block in blocks_of(DOCS / page):
        if block.lang == "python" and not re.fullmatch(r"def \w+\(.*\) -> .+\n", block.text):
            compile(block.text, f"docs/{page}:{block.line}", "exec")


def test_the_smallest_plugin_works(make_site, tmp_path: Path) -> None:
    [smallest] = [b for b in blocks_of(DOCS / "format-plugins.md") if b.lang == "python"]
    root = make_site(
        {
            "plugins/tiny.py": smallest.text,
            "content/tiny/_area.yml": "name: Tiny\n",
            "content/tiny/report.md": "---\nformat: tiny-list\ntitle: T\nitems:\n"
            "  - text: Something to do\n    rag: Green\n---\n",
        }
    )
    try:
        result = run_cli("build", "--source", str(root), "--output", str(tmp_path / "out"))
        assert result.exit_code == 0, result.output
        assert 'id="m-1"' in (tmp_path / "out" / "tiny" / "report" / "index.html").read_text()
    finally:
        sys.modules.pop("tiny", None)


def test_the_smallest_plugin_finds_misspelt_keys(make_site, tmp_path: Path) -> None:
    # The guide says so below the example: no list of keys, yet a misspelling is named.
    [smallest] = [b for b in blocks_of(DOCS / "format-plugins.md") if b.lang == "python"]
    root = make_site(
        {
            "plugins/tiny.py": smallest.text,
            "content/tiny/_area.yml": "name: Tiny\n",
            "content/tiny/report.md": "---\nformat: tiny-list\ntitle: T\nitems:\n"
            "  - text: Something to do\n    rga: Green\n---\n",
        }
    )
    try:
        result = run_cli("build", "--source", str(root), "--output", str(tmp_path / "out"))
        assert result.exit_code == 0, result.output
        warning = "tiny/report.md:6:5: warning: items[1]: unknown key 'rga' is ignored"
        assert warning in result.output
        assert "Did you mean 'rag'?" in result.output
    finally:
        sys.modules.pop("tiny", None)


if __name__ == "__main__":  # python -m tests.test_docs: bring the tutorial up to date
    TUTORIAL.write_text(updated_tutorial(), encoding="utf-8")
    print(f"Updated {TUTORIAL}; review the diff.")
