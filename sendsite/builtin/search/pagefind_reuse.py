"""What a build copies from the last site's index: the parts made from the very same pages.

Private to ``pagefind`` (the one door to Pagefind). A part whose pages are the very same
as the last site's is linked from it rather than made again (``copy_part``), and so is
the index of words (``copy_words``); a part made again has its unchanged files linked
instead (``pagefind_program.move_in``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sendsite.build.copying import link_tree
from sendsite.builtin.search.pagefind_program import SearchIndexError

__all__ = ["copy_part", "copy_words"]


def copy_words(bundle: Path, output: Path, count: int, words: str, parts: str) -> list[str]:
    """Copy the index of words (folder ``words``) of the index at ``bundle`` into ``output``
    (linked where it can be); return its pages' ids by part (``probes`` in the list
    ``parts``)."""
    try:
        probes = [str(p) for p in json.loads((bundle / parts).read_text("utf-8"))["probes"]]
        link_tree(bundle / words, output)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise _not_copied(str(exc)) from None
    if len(probes) != count:
        raise _not_copied("its parts differ")
    return probes


def copy_part(bundle: Path, n: int, output: Path, parts: str) -> list[str]:
    """Copy part ``n`` of the last site's index at ``bundle`` into ``output`` (linked
    where it can be: the last site goes once the new one is in place); return its
    results' ids the search page hides (its page of words', from the list ``parts``)."""
    source = bundle if n == 0 else bundle / f"part-{n}"
    # The first part is the bundle's top: not the other parts, nor their list (Pagefind's
    # own files are named after their language and hash, never so).
    others = shutil.ignore_patterns(parts, "part-*") if n == 0 else None
    try:
        hidden = json.loads((bundle / parts).read_text(encoding="utf-8"))["hidden"]
        link_tree(source, output, others)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise _not_copied(str(exc)) from None
    return [h for h in hidden if (output / "fragment" / f"{h}.pf_fragment").is_file()]


def _not_copied(reason: str) -> SearchIndexError:
    return SearchIndexError(
        f"the last site's search index could not be copied ({reason})",
        fix="Build again; if this goes on, build with --no-cache.",
    )
