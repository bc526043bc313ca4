"""JSON Schemas of front matter, so editors flag mistakes and complete keys as authors type.

A format describes its own keys in JSON Schema (draft-07: what VS Code's YAML
extension supports fully), kept as ``schema.json`` beside its plugin's
``__init__.py`` (``Format.schema``). Where it names one of the core's readers,
``{"$ref": "#/definitions/<reader>"}``, the reader's own schema is put in its
place, merged with the keys beside the ``$ref``:

    text, date       text (a number is text too), e.g. ``title``, ``due``
    texts            one text, or a list of texts (``Fields.texts``, ``inlines``)
    flag             yes or no
    number           an entry's number as written: up to four digits (``Fields.number``)
    integer          a whole number; ``minimum`` and ``maximum`` beside it (``Fields.integer``)
    choice           a word of ``enum`` beside it, in any case (``Fields.choice``)
    terms            a glossary table: ``term``, ``expansion``, ``description``
    status/<key>     a word of the status key named ``<key>`` (any case; empty is unrated)

and a format's own ``definitions`` can be used the same way. Every object with
``properties`` is closed (an unknown key is a mistake, as the reader says), and
a key in ``required`` may not be empty, as ``required=True`` means for a reader.
``front_matter_schema`` adds the core's own keys (``format``, ``title``,
``slug``, ``series``, ``supersedes``, ``topics``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sendsite.content.integers import integer_schema

if TYPE_CHECKING:
    from sendsite.content.model import Format
    from sendsite.content.risk_rating import RiskKey
    from sendsite.content.status import StatusKey

__all__ = ["DRAFT", "SCHEMA_FILE", "front_matter_schema", "read_format_schema", "schema_text"]

DRAFT = "http://json-schema.org/draft-07/schema#"
#: A plugin's schema of its format's keys, beside its ``__init__.py``.
SCHEMA_FILE = "schema.json"

_TEXT = {"type": ["string", "number", "null"]}
_BLOCKS: dict[str, dict[str, Any]] = {
    "text": _TEXT,
    "date": {
        **_TEXT,
        "description": "A date as written: '31 March 2021', '31/03/2021', 'March 2021', "
        "'April-May 2021' or 'Q2 2021/22'.",
    },
    "texts": {
        "type": ["string", "number", "array", "null"],
        "items": {"type": ["string", "number"]},
        "description": "One line, or a list of lines each starting with '- '.",
    },
    "flag": {
        "anyOf": [
            {"type": ["boolean", "null"]},
            {"type": "string", "pattern": r"^\s*([Yy][Ee][Ss]|[Nn][Oo]|[Tt]rue|[Ff]alse)\s*$"},
        ],
        "description": "yes or no",
    },
    "number": {
        "anyOf": [
            {"type": "string", "pattern": r"^\s*(?:[0-9]{1,4})?\s*$"},
            {"type": "integer", "minimum": 0, "maximum": 9999},
            {"type": "null"},
        ],
        "description": 'A whole number, as it is written (e.g. "3").',
    },
    "terms": {
        "type": ["array", "null"],
        "items": {
            "type": "object",
            "properties": {"term": _TEXT, "expansion": _TEXT, "description": _TEXT},
            "required": ["term", "expansion"],
        },
    },
}

#: The keys the core reads in every format's front matter.
_CORE = {
    "title": {**_TEXT, "description": "The report's title."},
    "slug": {**_TEXT, "description": "The last part of the page's web address."},
    "series": {**_TEXT, "description": "The series this report belongs to."},
    "supersedes": {**_TEXT, "description": "The file name of the report this one follows."},
    "topics": {
        "type": ["object", "null"],
        "description": "Sections or items of this report, each with the topics it is about.",
        "additionalProperties": {"type": ["string", "array"], "items": {"type": "string"}},
    },
}
#: Characters with a meaning in a regular expression (in Python and JavaScript alike).
_SPECIAL = set("\\^$.|?*+()[]{}/")
#: Keys whose values are data, not schemas.
_DATA = {"enum", "const", "required", "examples", "default"}


def read_format_schema(path: Path) -> dict[str, Any]:
    """A format's ``schema.json``; a ``ValueError`` naming the file if it is not a schema."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot read the format's schema: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("properties"), dict):
        raise ValueError(f"{path}: the format's schema should be an object with 'properties'")
    return data


def front_matter_schema(fmt: Format) -> dict[str, Any]:
    """The whole front matter of ``fmt``'s reports: the format's keys and the core's."""
    own: Mapping[str, Any] = fmt.schema or {"properties": {}}
    definitions = {**_BLOCKS, **own.get("definitions", {})}
    for key in fmt.status_keys:
        definitions[f"status/{key.name}"] = _status(key)
    properties = {
        "format": {"const": fmt.name, "description": f"{fmt.title}: this report's format."},
        **_CORE,
        **own["properties"],
    }
    schema = {
        "title": f"{fmt.title} ({fmt.name})",
        "description": fmt.description or f"The front matter of a '{fmt.name}' report.",
        **{k: v for k, v in own.items() if k not in ("definitions", "properties", "required")},
        "$schema": DRAFT,
        "type": "object",
        "properties": properties,
        "required": ["format", *own.get("required", [])],
    }
    if fmt.schema is None:
        schema["additionalProperties"] = True  # the format's keys are not known
    expanded: dict[str, Any] = _expand(schema, definitions)
    return expanded


def schema_text(schema: Mapping[str, Any]) -> str:
    """The schema as a file holds it: JSON with sorted keys, the same every time."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _expand(node: Any, definitions: Mapping[str, Any]) -> Any:
    """``node`` with every ``$ref`` to a definition replaced by it, objects closed and
    required keys made non-empty."""
    if isinstance(node, list):
        return [_expand(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    node = dict(node)
    if "$ref" in node:
        node = _resolve(node, definitions)
    result = {
        key: value if key in _DATA else _expand(value, definitions)
        for key, value in node.items()
        if key != "definitions"
    }
    properties = result.get("properties")
    if isinstance(properties, dict):
        if "object" in _types(result):
            result.setdefault("additionalProperties", False)
        for key in result.get("required", []):
            if key in properties:
                properties[key] = _non_empty(properties[key])
    return result


def _resolve(node: dict[str, Any], definitions: Mapping[str, Any]) -> dict[str, Any]:
    ref = node.pop("$ref")
    name = ref.removeprefix("#/definitions/")
    if name == "choice":
        options = node.pop("enum")
        return {**_choice(options), **node}
    if name == "integer":
        return {**integer_schema(node.pop("minimum", None), node.pop("maximum", None)), **node}
    if name not in definitions:
        raise ValueError(f"the schema refers to '{ref}', which is not a definition")
    base = dict(definitions[name])
    if "$ref" in base:
        base = _resolve(base, definitions)
    return {**base, **node}


def _choice(options: list[str]) -> dict[str, Any]:
    """A word of ``options`` in any case, or nothing (as ``Fields.choice`` reads it)."""
    words = "|".join(_any_case(option) for option in options)
    return {
        "anyOf": [
            {"enum": list(options)},
            {"type": "string", "pattern": rf"^\s*(?:{words})?\s*$"},
            {"type": "null"},
        ]
    }


def _status(key: StatusKey | RiskKey) -> dict[str, Any]:
    """A word of ``key`` or one of its other words, in any case and spacing, or nothing."""
    words = [word for entry in key.entries for word in (entry.label, *entry.aliases)]
    spelled = "|".join(r"[\s-]+".join(map(_any_case, w.replace("-", " ").split())) for w in words)
    return {
        "anyOf": [
            {"enum": [entry.label for entry in key.entries]},
            {"type": "string", "pattern": rf"^[\s-]*(?:{spelled})?[\s-]*$"},
            {"type": "null"},
        ],
        "description": f"{key.title}: one of {', '.join(e.label for e in key.entries)}, "
        "or empty if not rated.",
    }


def _any_case(word: str) -> str:
    """A regular expression for ``word`` in upper or lower case, or a mix.

    Only the characters special in a pattern are escaped: an editor may read it as
    a JavaScript pattern in its strict (unicode) mode, which refuses other escapes.
    """
    out = ""
    for char in word:
        if char.lower() != char.upper():
            out += f"[{char.upper()}{char.lower()}]"
        else:
            out += "\\" + char if char in _SPECIAL else char
    return out


def _types(schema: Mapping[str, Any]) -> list[str]:
    kind = schema.get("type", [])
    return [kind] if isinstance(kind, str) else list(kind)


def _non_empty(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` without its empty values: no null, empty text, list or mapping."""
    schema = dict(schema)
    if "anyOf" in schema:
        schema["anyOf"] = [_non_empty(b) for b in schema["anyOf"] if b.get("type") != "null"]
    if "type" in schema:
        kinds = [kind for kind in _types(schema) if kind != "null"]
        schema["type"] = kinds[0] if len(kinds) == 1 else kinds
        for kind, word in (
            ("string", "minLength"),
            ("array", "minItems"),
            ("object", "minProperties"),
        ):
            if kind in kinds:
                schema.setdefault(word, 1)
    return schema
