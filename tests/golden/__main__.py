"""Regenerate the golden output: ``python -m tests.golden`` (from the repository root)."""

from __future__ import annotations

import sys

from . import EXPECTED, regenerate


def main(argv: list[str]) -> int:
    if argv not in ([], ["regenerate"]):
        print("usage: python -m tests.golden [regenerate]", file=sys.stderr)
        return 2
    changes = regenerate()
    if not changes:
        print(f"{EXPECTED} was already up to date.")
        return 0
    print(
        f"Rewrote {EXPECTED}: {len(changes.differing)} file(s) changed, "
        f"{len(changes.extra)} added, {len(changes.missing)} removed."
    )
    for label, paths in (
        ("changed", changes.differing),
        ("added", changes.extra),
        ("removed", changes.missing),
    ):
        for path in paths:
            print(f"  {label}: {path}")
    print("Review the change with `git diff tests/golden/` before committing it.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
