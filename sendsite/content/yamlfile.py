"""Safe YAML reading that remembers where every key and list item came from.

Errors later in the pipeline (a bad status three levels down a report's front
matter) can then point at ``file:line``. Only the safe loader is used, and
documents are bounded in size, depth and alias expansion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, TypeVar

import yaml

from sendsite.errors import ContentError

__all__ = ["Positions", "load_yaml"]

# libyaml's safe loader is several times faster and reports the same positions.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_NODES = 200_000
MAX_DEPTH = 60
#: Longer runs of digits are not a number anyone types (and Python refuses past 4,300).
MAX_NUMBER_CHARS = 40
#: Tags of values YAML turns into something other than text.
_TYPED = re.compile(r":(int|float|timestamp|bool)$")
#: Control characters (but tab and line breaks): not allowed in a web page.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """The safe loader, with a positioned error for values it cannot construct."""


class _BadValue(yaml.constructor.ConstructorError):
    """A well-formed value that is not a real date or a readable number."""


def _not_a_value(node: yaml.ScalarNode, problem: str) -> _BadValue:
    return _BadValue(None, None, problem, node.start_mark)


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        raise _not_a_value(node, f"'{node.value}' is not a real date") from None


def _int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    if len(node.value) > MAX_NUMBER_CHARS:
        raise _not_a_value(node, f"a number {len(node.value):,} characters long")
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    except (ValueError, OverflowError):
        raise _not_a_value(node, f"'{node.value}' is not a number sendsite can read") from None


def _float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    if len(node.value) > MAX_NUMBER_CHARS:
        raise _not_a_value(node, f"a number {len(node.value):,} characters long")
    return yaml.constructor.SafeConstructor.construct_yaml_float(loader, node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _int)
_Loader.add_constructor("tag:yaml.org,2002:float", _float)

Path_ = tuple[str | int, ...]
_T = TypeVar("_T")

#: One copy of each key path and (line, column) pair for every file read by this process:
#: thousands of reports share the same paths (``("priorities", 0, "milestones", 3)``) and
#: positions, so each is kept once. Emptied when it grows past ``_SHARED_MAX`` entries.
_SHARED: dict[object, object] = {}
_SHARED_MAX = 1_000_000


def _shared(value: _T) -> _T:
    """The one copy of ``value`` (a tuple of strings and numbers)."""
    kept = _SHARED.get(value)
    if kept is None:
        if len(_SHARED) >= _SHARED_MAX:
            _SHARED.clear()
        kept = _SHARED[value] = value
    return kept  # type: ignore[return-value]


@dataclass
class Positions:
    """1-based ``(line, column)`` of each key or list item, by its path in the data.

    ``marks`` holds where each key (or list item) starts; ``values`` where its
    value starts, for errors about the value rather than the key.
    """

    marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    #: The exact characters of each unquoted value YAML reads as a number or a date
    #: (``2.10``, ``2023-03-31``), so a text field can keep what the author typed.
    written: dict[Path_, str] = field(default_factory=dict)

    def find(self, *path: str | int, value: bool = False) -> tuple[int, int] | None:
        """The position of ``path`` (its value's, if asked), or of its nearest ancestor."""
        key = tuple(path)
        if value and key in self.values:
            return self.values[key]
        while key:
            if key in self.marks:
                return self.marks[key]
            key = key[:-1]
        return self.marks.get(())

    def line(self, *path: str | int) -> int | None:
        """The line of ``path`` (or its nearest ancestor)."""
        found = self.find(*path)
        return found[0] if found else None


#: The characters besides the newline YAML ends a line at (NEL, LINE and PARAGRAPH
#: SEPARATOR), each as a space; and spaces of no width (ZERO WIDTH SPACE, WORD JOINER,
#: ZERO WIDTH NO-BREAK SPACE), dropped: 'Red' with one after it is 'Red' to a reader.
_LINE_SEPARATORS = str.maketrans(
    {"\x85": " ", "\u2028": " ", "\u2029": " ", "\u200b": None, "\u2060": None, "\ufeff": None}
)


def load_yaml(
    text: str, *, file: PurePath | str, first_line: int = 1, what: str = "front matter"
) -> tuple[Any, Positions]:
    """Parse YAML safely; return the data and the positions of its keys.

    ``first_line`` is the file line where ``text`` starts, so front matter
    inside a Markdown file reports the file's own line numbers. Raises
    ``ContentError`` for syntax errors and oversized or hostile documents.
    """
    offset = first_line - 1
    # Text pasted from a PDF, Word or a web page may hold these: invisible, but YAML breaks
    # lines at the first three, so every line after would be misnumbered and a value
    # split (a space is what a reader sees there), and the others make 'Red' another word.
    text = text.translate(_LINE_SEPARATORS)
    loader: yaml.SafeLoader | None = None  # or the C loader, which has the same API
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        positions = Positions()
        if node is None:
            return None, positions
        data = _walk(loader, node, (), positions, offset, file, depth=0, budget=[MAX_NODES])
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1 + offset
        raise ContentError(
            f"the {what} contains a control character (code {exc.character:#04x}) "
            "that YAML does not allow",
            file=file,
            line=line,
            fix="Delete the invisible character on that line (retyping the line is easiest).",
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise ContentError(
            f"{problem}"
            if isinstance(exc, _BadValue)
            else f"the {what} is not valid YAML: {problem}",
            file=file,
            line=(mark.line + 1 + offset) if mark else None,
            column=(mark.column + 1) if mark else None,
            fix=_yaml_fix(problem, _char_at(text, mark)),
        ) from None
    except yaml.YAMLError as exc:
        raise ContentError(
            f"the {what} is not valid YAML: {exc}",
            file=file,
            line=first_line,
            fix="Check the text between the '---' lines is written as 'key: value' lines.",
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, positions


def _char_at(text: str, mark: yaml.Mark | None) -> str:
    if mark is None:
        return ""
    lines = text.split("\n")
    if mark.line >= len(lines) or mark.column >= len(lines[mark.line]):
        return ""
    return lines[mark.line][mark.column]


def _yaml_fix(problem: str, char: str) -> str:
    if char == "\t":
        return "YAML does not allow tab characters for indentation: use spaces."
    if "is not a real date" in problem:
        return (
            "Check the day and the month (dates written 2021-02-28 are year-month-day), "
            "or write the date in words, e.g. 28 February 2021."
        )
    if "characters long" in problem or "not a number sendsite" in problem:
        return "Shorten the number, or put the value in quotes to keep it as text."
    if "could not determine a constructor" in problem:
        return "Remove the '!!' tag: sendsite reads plain YAML values only."
    if "mapping values are not allowed" in problem:
        return (
            "A value contains ': ' (colon and space). Put the whole value in quotes, "
            'e.g. title: "Priority 1: EHCPs".'
        )
    if "could not find expected ':'" in problem:
        return "Each line needs 'key: value'. Check for a missing colon or a stray line."
    if "did not find expected" in problem:
        return "Check the indentation lines up, and that quotes and brackets are closed."
    return "Check the line shown (and the line above it) for indentation, quotes and colons."


#: The tags of what ``_walk`` makes itself; any other (a number, a date, ``!!set``) is
#: made by the loader.
_STR, _MAP, _SEQ = (f"tag:yaml.org,2002:{name}" for name in ("str", "map", "seq"))


def _walk(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    path: Path_,
    positions: Positions,
    offset: int,
    file: PurePath | str,
    depth: int,
    budget: list[int],
) -> Any:
    """The value of ``node`` (as the safe loader makes it), noting where each key and
    list item in it is; one pass over the nodes, not one to note and one to make."""
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        raise ContentError(
            "the YAML is too large or too deeply nested to be a report "
            "(this can also be an alias-expansion attack)",
            file=file,
            line=node.start_mark.line + 1 + offset,
            fix="Split the content into smaller files; avoid YAML anchors and aliases (& and *).",
        )
    mark = node.start_mark
    here = _shared((mark.line + 1 + offset, mark.column + 1))
    positions.marks.setdefault(path, here)
    positions.values[path] = here
    if isinstance(node, yaml.MappingNode):
        seen: dict[str | int, int] = {}
        made: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):  # "[TBC]: ask Ross", "? [a, b]"
                km = key_node.start_mark
                raise ContentError(
                    "a key must be a word, but this one is a "
                    + ("list" if isinstance(key_node, yaml.SequenceNode) else "set of settings")
                    + " (brackets [ ] or braces { } start one)",
                    file=file,
                    line=km.line + 1 + offset,
                    column=km.column + 1,
                    fix="Write the key as a word, or put the whole line's text in quotes as a "
                    "value, e.g. 'note: \"[TBC] check with Ross\"'.",
                )
            key: str = key_node.value
            if key != "<<":  # a key is text as written: "2021", "yes", "~" (not 2021, True, None)
                key_node.tag = "tag:yaml.org,2002:str"
            child = _shared((*path, key))
            km = key_node.start_mark
            if key != "<<":
                if key in seen:
                    raise ContentError(
                        f"'{key}' is given twice in the same place, on lines {seen[key]} "
                        f"and {km.line + 1 + offset}; YAML would silently keep only the last",
                        file=file,
                        line=km.line + 1 + offset,
                        column=km.column + 1,
                        fix=f"Delete one of the two '{key}:' lines (or rename one, if both "
                        "are needed).",
                    )
                seen[key] = km.line + 1 + offset
            positions.marks[child] = _shared((km.line + 1 + offset, km.column + 1))
            if key_node.style == '"':  # a double-quoted key: its escapes checked
                _refuse_escaped_control(key_node, "a key", offset, file)
            made[key] = _walk(loader, value_node, child, positions, offset, file, depth + 1, budget)
        if node.tag != _MAP or "<<" in made:  # merged (<<: *defaults), or a !!set: as YAML does
            return loader.construct_object(node, deep=True)
        return made
    if isinstance(node, yaml.SequenceNode):
        items = [
            _walk(loader, item, _shared((*path, index)), positions, offset, file, depth + 1, budget)
            for index, item in enumerate(node.value)
        ]
        return items if node.tag == _SEQ else loader.construct_object(node, deep=True)
    assert isinstance(node, yaml.ScalarNode)  # YAML has no other kind of node
    if not node.style and _TYPED.search(node.tag):
        positions.written[path] = node.value
    elif node.style == '"':  # escapes: checked
        names = [part for part in path if isinstance(part, str)]
        _refuse_escaped_control(node, f"'{names[-1]}'" if names else "a value", offset, file)
    return node.value if node.tag == _STR else loader.construct_object(node)


def _refuse_escaped_control(node: yaml.Node, what: str, offset: int, file: PurePath | str) -> None:
    """Refuse a control character written as an escape in double quotes ("Plan\\0B"):
    the reader refuses one typed as it is, but an escape would reach the web page."""
    if not isinstance(node, yaml.ScalarNode) or node.style != '"':
        return  # only a double-quoted value has escapes
    found = _CONTROL.search(node.value)
    if found is None:
        return
    mark = node.start_mark
    raise ContentError(
        f"{what} contains a control character (U+{ord(found.group()):04X}) that cannot "
        "appear in a web page",
        file=file,
        line=mark.line + 1 + offset,
        column=mark.column + 1,
        fix="Remove the escape that makes it (a backslash code such as \\0, \\a, \\x07 or "
        "\\u0000) from the text in double quotes.",
    )
