"""The golden-output fixture: a small site built whole and compared with a committed copy.

``source/`` is a small site of its own (two areas using the built-in
``southend-highlight`` and ``lancashire-app-highlight`` formats, a plain page,
a glossary and topics); ``expected/`` is what ``sendsite build --strict`` makes
of it, file by file. After an intended change to the output, regenerate it with

    .venv/bin/python -m tests.golden

and review the change with ``git diff tests/golden/`` before committing it.

The Pagefind search index (``pagefind/``) is compared by its file names only,
listed in ``pagefind-files.txt``: its bytes are Pagefind's own binary runtime
(WebAssembly, about 140 KB here) and index chunks, which change with every
Pagefind release. The index is deterministic (two builds give the same bytes,
see tests/test_build.py), and its file names are hashes of its contents, so a
change to what is indexed still shows up here as a change of names.
"""

from __future__ import annotations

import difflib
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sendsite.build.publish import build
from sendsite.config import load_config
from sendsite.plugins.manager import make_plugin_manager

__all__ = [
    "EXPECTED",
    "PAGEFIND_FILES",
    "REGENERATE",
    "SOURCE",
    "Comparison",
    "build_golden",
    "compare",
    "regenerate",
]

GOLDEN = Path(__file__).resolve().parent
SOURCE = GOLDEN / "source"
EXPECTED = GOLDEN / "expected"
PAGEFIND_FILES = GOLDEN / "pagefind-files.txt"
#: Folders of the output compared by file names only (see the module docstring).
NAMES_ONLY = ("pagefind",)
#: The one-line command that rewrites ``expected/`` (run from the repository root).
REGENERATE = ".venv/bin/python -m tests.golden"

#: How much of a mismatch to print: files diffed, and lines of each diff.
SHOW_FILES = 5
SHOW_LINES = 60


def build_golden(output: Path) -> Path:
    """Build ``source/`` into ``output`` exactly as ``sendsite build --strict`` does."""
    config = load_config(SOURCE)
    build(config, pm=make_plugin_manager(config=config), output=output, strict=True)
    return output


def _names_only(rel: str) -> bool:
    return rel.split("/", 1)[0] in NAMES_ONLY


def tree(site: Path) -> tuple[dict[str, bytes], list[str]]:
    """The site's files as ``{relative path: bytes}``, and the names-only files' paths."""
    files: dict[str, bytes] = {}
    names: list[str] = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        if _names_only(rel):
            names.append(rel)
        else:
            files[rel] = path.read_bytes()
    return files, sorted(names)


@dataclass
class Comparison:
    """How a built site differs from ``expected/`` (empty lists: it does not)."""

    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    differing: list[str] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.missing or self.extra or self.differing)

    def report(self) -> str:
        """A plain account of the differences, with diffs of the first few files."""
        lines = ["The built golden site differs from tests/golden/expected/."]
        for label, paths in (
            ("missing (expected, not built)", self.missing),
            ("extra (built, not expected)", self.extra),
            ("differing", self.differing),
        ):
            if paths:
                lines.append(f"{len(paths)} file(s) {label}:")
                lines += [f"  {p}" for p in paths]
        lines += self.diffs
        if len(self.differing) > len(self.diffs):
            lines.append(f"(diffs of the first {len(self.diffs)} differing files only)")
        lines.append(
            f"If the change is intended, regenerate with `{REGENERATE}` and review "
            "`git diff tests/golden/`."
        )
        return "\n".join(lines)


def _diff(rel: str, expected: bytes, actual: bytes) -> str:
    try:
        old, new = expected.decode("utf-8"), actual.decode("utf-8")
    except UnicodeDecodeError:
        return f"--- {rel}: binary, {len(expected)} bytes expected, {len(actual)} built"
    diff = list(
        difflib.unified_diff(
            old.splitlines(),
            new.splitlines(),
            f"expected/{rel}",
            f"built/{rel}",
            lineterm="",
        )
    )
    if not diff:  # the same lines: line endings or a final newline differ
        diff = [f"--- {rel}: the same lines, but line endings or the final newline differ"]
    if len(diff) > SHOW_LINES:
        diff = [*diff[:SHOW_LINES], f"... ({len(diff) - SHOW_LINES} more diff lines)"]
    return "\n".join(diff)


def compare(site: Path) -> Comparison:
    """Compare a built site with ``expected/`` and ``pagefind-files.txt``."""
    built, built_names = tree(site)
    expected, _ = tree(EXPECTED)
    expected_names = PAGEFIND_FILES.read_text(encoding="utf-8").split()
    result = Comparison(
        missing=sorted((expected.keys() - built.keys()) | (set(expected_names) - {*built_names})),
        extra=sorted((built.keys() - expected.keys()) | (set(built_names) - {*expected_names})),
        differing=sorted(
            rel for rel in expected.keys() & built.keys() if expected[rel] != built[rel]
        ),
    )
    result.diffs = [_diff(rel, expected[rel], built[rel]) for rel in result.differing[:SHOW_FILES]]
    return result


def regenerate() -> Comparison:
    """Build ``source/`` afresh and make ``expected/`` (and the Pagefind list) match it.

    Returns what changed, compared with the previous expected output.
    """
    with tempfile.TemporaryDirectory() as tmp:
        site = build_golden(Path(tmp) / "site")
        changes = compare(site) if EXPECTED.is_dir() and PAGEFIND_FILES.is_file() else None
        files, names = tree(site)
        shutil.rmtree(EXPECTED, ignore_errors=True)
        for rel, data in files.items():
            target = EXPECTED / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        PAGEFIND_FILES.write_text("".join(f"{name}\n" for name in names), encoding="utf-8")
    return changes if changes is not None else Comparison(extra=sorted(files))
