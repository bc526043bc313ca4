"""Where a content file's front matter begins and ends, and that it is read as such.

Front matter is the file's first lines, from a ``---`` on line 1 to the next ``---`` (or
``...``). Written a little otherwise (blank lines or an invisible character above it,
four dashes, a stray ``---`` among its lines), a report would quietly become a page
showing its settings as text, and drop out of every list: those are errors here.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import yaml

from sendsite.errors import ContentError

__all__ = ["front_matter_end"]

_FENCES = ("---", "...")
#: YAML's loader, in C where it is built in: the check of a stray fence reads settings.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DASHES = re.compile(r"-{3,}")
#: A front-matter line: ``key:`` (then a value, or nothing).
_KEY_LINE = re.compile(r"[A-Za-z_][\w-]*:(\s|$)")
#: A line of nested front matter: an indented ``key:`` or ``- key:`` (a page's text does
#: not start so: "- Budget: agreed" is a list, but not indented).
_NESTED_KEY_LINE = re.compile(r"[ \t]+(?:- )?[A-Za-z_][\w-]*:(\s|$)")
#: What may hide before a line's first dash: spaces of any kind, and characters that
#: show nothing (zero-width spaces and joiners, a byte-order mark).
_UNSEEN = " \t\u00a0\u2007\u202f\u200b\u200c\u200d\u2060\ufeff"


def front_matter_end(lines: list[str], relpath: PurePosixPath) -> int | None:
    """The index of the line that closes the front matter of a file of ``lines``, or
    None if it has none (a page of Markdown alone). Raises ``ContentError`` for front
    matter not read as such, or never closed."""
    _check_fence(lines, relpath)
    if lines[0].rstrip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in _FENCES:
            break
    else:
        raise ContentError(
            "the front matter starts with '---' on line 1 but is never closed",
            file=relpath,
            line=1,
            fix="Add a line with just '---' after the last front-matter line.",
        )
    _check_end(lines, index, relpath)
    return index


def _check_fence(lines: list[str], relpath: PurePosixPath) -> None:
    """Refuse front matter that is not read as such: a fence below blank lines, or of
    more than three dashes, followed by a ``key:`` line (the file would quietly become a
    page showing its settings as text, and a report would drop out of every list)."""
    _check_first_line(lines, relpath)
    first = next((n for n, line in enumerate(lines) if line.strip(_UNSEEN)), 0)
    fence = lines[first].strip(_UNSEEN)
    if (first, lines[0].rstrip()) == (0, "---") or not _DASHES.fullmatch(fence):
        return
    if first + 1 >= len(lines) or not _KEY_LINE.match(lines[first + 1]):
        return  # a rule, not front matter
    hidden = next((c for c in lines[first] if c in _UNSEEN and not c.isspace()), None)
    if fence == "---" and hidden is not None:
        where = "starts with" if lines[first].lstrip().startswith(hidden) else "has"
        raise ContentError(
            f"line {first + 1} {where} an invisible character (U+{ord(hidden):04X}) beside "
            "its '---', so the front matter would not be read",
            file=relpath,
            line=first + 1,
            fix="Delete the start of the line and type '---' again (the character often "
            "comes from copying text out of Word or a web page).",
        )
    if first == 0 and fence == "---":
        raise ContentError(
            "the front matter's '---' must start line 1, but spaces come before it",
            file=relpath,
            line=1,
            fix="Delete the spaces before the '---'.",
        )
    if first:
        raise ContentError(
            "the front matter must start on line 1, but "
            + ("a blank line comes" if first == 1 else f"{first} blank lines come")
            + " before it",
            file=relpath,
            line=1,
            fix="Delete the blank lines above the first '---'.",
        )
    raise ContentError(
        f"the front matter must start with exactly three dashes, not '{fence}'",
        file=relpath,
        line=1,
        fix="Make the first line '---'.",
    )


def _check_first_line(lines: list[str], relpath: PurePosixPath) -> None:
    """Refuse a first line that opens front matter sendsite does not read: '---' with
    more on its line ('--- # settings'), TOML's '+++' (as Hugo reads it), or a file saved
    as UTF-16 (every other byte empty)."""
    line = lines[0].strip(_UNSEEN)
    if "\x00" in line and line.replace("\x00", "").strip() in ("---", "+++"):
        raise ContentError(
            "this file is saved as UTF-16 (every other byte is empty), and sendsite reads "
            "UTF-8: its front matter would not be read",
            file=relpath,
            line=1,
            fix="Save it as UTF-8 (in Notepad: Save As, then Encoding: UTF-8).",
        )
    following = lines[1] if len(lines) > 1 else ""
    if line == "+++" and _TOML_KEY_LINE.match(following):
        raise ContentError(
            "front matter between '+++' lines (TOML) is not read: sendsite reads YAML "
            "between '---' lines",
            file=relpath,
            line=1,
            fix="Write it as YAML between '---' lines: 'title: Our report' for "
            "'title = \"Our report\"'.",
        )
    opened = line.startswith("---") and line[3:4] in (" ", "\t") and line[3:].strip()
    closed = any(later.rstrip() in _FENCES for later in lines[2:])  # settings, then '---'
    if opened and closed and _KEY_LINE.match(following):
        raise ContentError(
            f"the front matter's first line must be '---' alone, not '{line}'",
            file=relpath,
            line=1,
            fix="Make the first line '---' (a comment goes on a line of its own below).",
        )


#: A line of TOML front matter: ``key = value``.
_TOML_KEY_LINE = re.compile(r"[A-Za-z_][\w-]*\s*=")


def _check_end(lines: list[str], end: int, relpath: PurePosixPath) -> None:
    """Refuse front matter ended early by a stray '---': the rest (a report's last
    priorities, its decisions) would be the page's text, shown as settings, and its rows
    lost. Told from a page whose text starts with a ``key:``-like line by all three signs:
    the text up to the next '---' has nested lines, a line of its own '---' follows it,
    and the front matter with it (the stray line left out) is one valid set of settings."""
    start = next((n for n in range(end + 1, len(lines)) if lines[n].strip()), len(lines))
    if start == len(lines) or not (
        _KEY_LINE.match(lines[start]) or _NESTED_KEY_LINE.match(lines[start])
    ):
        return
    close = next((n for n in range(start, len(lines)) if lines[n].rstrip() in _FENCES), 0)
    rest = lines[start:close]  # none without a fence after
    if not any(line[:1] in (" ", "\t") and line.strip() for line in rest):
        return
    try:
        whole = yaml.load("\n".join(lines[1:end] + rest), Loader=_LOADER)
    except yaml.YAMLError:
        return
    if not isinstance(whole, dict):
        return
    raise ContentError(
        f"the front matter ends at line {end + 1}, but the lines after it are more "
        f"front matter ('{lines[start].strip()[:40]}'), up to the '---' on line {close + 1}",
        file=relpath,
        line=end + 1,
        fix="Delete this '---' line: the front matter's closing '---' comes after its "
        "last setting.",
    )
