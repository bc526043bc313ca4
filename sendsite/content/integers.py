"""Whole numbers in front matter: the ``Fields.integer`` reader, and its JSON Schema.

``Fields`` inherits the reader; the schema is here too so the two say the same:
a YAML integer, or text that is a whole number (``"12"``), within a range.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol, overload

from sendsite.content.checked import stand_in

if TYPE_CHECKING:
    from sendsite.errors import ContentError

__all__ = ["Integers", "integer_schema"]

#: Text an author may write for a whole number: digits, perhaps signed (``"12"``, ``"-3"``).
WHOLE = re.compile(r"\s*[+-]?[0-9]+\s*")
#: The widest range a schema spells out when a bound is not given (18 digits either way).
_LIMIT = 10**18 - 1


class _Field(Protocol):
    """What the reader needs of ``Fields``."""

    path: tuple[str | int, ...]

    def _require(self, key: str, required: bool, shape: str) -> Any: ...

    def error(
        self, key: str | int | None, message: str, fix: str | None = None
    ) -> ContentError: ...


class Integers:
    """The whole-number reader (part of ``Fields``)."""

    @overload
    def integer(
        self: _Field,
        key: str,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
        required: bool = False,
        default: int,
    ) -> int: ...

    @overload
    def integer(
        self: _Field,
        key: str,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
        required: bool = False,
        default: None = None,
    ) -> int | None: ...

    def integer(
        self: _Field,
        key: str,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
        required: bool = False,
        default: int | None = None,
    ) -> int | None:
        """A whole number (``places: 12``, or ``"12"`` in quotes) from ``minimum`` to
        ``maximum`` (either may be left open); ``default`` when absent or empty.

        Yes/no, a number with a decimal point, other text, and a number out of
        the range are refused, with a fix that names the range.
        """
        value = self._require(key, required, f"followed by {_between(minimum, maximum)}")
        if value is None or (isinstance(value, str) and not value.strip()):
            return default
        if isinstance(value, str) and WHOLE.fullmatch(value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            error = self.error(
                key,
                f"expected a whole number but found {_shown(value)}",
                fix=_fix(key, minimum, maximum),
            )
            return stand_in(error, default, self.path)
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            error = self.error(
                key,
                f"{value} is out of range: it should be {_between(minimum, maximum)}",
                fix=_fix(key, minimum, maximum),
            )
            return stand_in(error, default, self.path)
        return value


def _between(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f"a whole number from {minimum} to {maximum}"
    if minimum is not None:
        return f"a whole number of {minimum} or more"
    if maximum is not None:
        return f"a whole number of {maximum} or less"
    return "a whole number"


def _fix(key: str, minimum: int | None, maximum: int | None) -> str:
    example = minimum if minimum is not None else (maximum if maximum is not None else 1)
    return f"Write {_between(minimum, maximum)}, e.g. '{key}: {example}' (no decimal point)."


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return f"yes/no ({str(value).lower()})"
    if isinstance(value, float):
        return (
            f"{value}, with a decimal point"
            if value.is_integer()
            else f"{value:g}, which is not whole"
        )
    if isinstance(value, str):
        return f"the text '{value if len(value) <= 40 else value[:37] + '...'}'"
    if isinstance(value, dict):
        return "a set of 'key: value' lines"
    return "a list" if isinstance(value, list) else type(value).__name__


def integer_schema(minimum: int | None = None, maximum: int | None = None) -> dict[str, Any]:
    """The JSON Schema of what ``Fields.integer`` accepts with this range (empty included)."""
    number: dict[str, Any] = {"type": "integer"}
    if minimum is not None:
        number["minimum"] = minimum
    if maximum is not None:
        number["maximum"] = maximum
    low = -_LIMIT if minimum is None else minimum
    high = _LIMIT if maximum is None else maximum
    spelled = []
    if high >= 0:
        spelled.append(r"\+?0*(?:" + "|".join(_digits(max(low, 0), high)) + ")")
    if low < 0:
        spelled.append("-0*(?:" + "|".join(_digits(max(-high, 0), -low)) + ")")
    text = {"type": "string", "pattern": r"^\s*(?:" + "|".join(spelled) + r")?\s*$"}
    return {"anyOf": [number, text, {"type": "null"}]}


def _digits(low: int, high: int) -> list[str]:
    """Regular expressions that match exactly the numbers from ``low`` to ``high`` (both >= 0)."""
    if low > high:
        return ["(?!)"]
    parts = []
    while low <= high:  # one run per number of digits
        top = min(high, 10 ** len(str(low)) - 1)
        parts += _same_length(str(low), str(top))
        low = top + 1
    return parts


def _same_length(low: str, high: str) -> list[str]:
    """Expressions for the numbers between ``low`` and ``high``, written with as many digits."""
    if low == high:
        return [low]
    if len(low) == 1:
        return [f"[{low}-{high}]"]
    if low[0] == high[0]:
        return [low[0] + part for part in _same_length(low[1:], high[1:])]
    rest = len(low) - 1
    parts, first, last = [], int(low[0]), int(high[0])
    if low[1:] != "0" * rest:
        parts += [low[0] + part for part in _same_length(low[1:], "9" * rest)]
        first += 1
    if high[1:] != "9" * rest:
        last -= 1
    if first <= last:
        parts.append((str(first) if first == last else f"[{first}-{last}]") + "[0-9]" * rest)
    if high[1:] != "9" * rest:
        parts += [high[0] + part for part in _same_length("0" * rest, high[1:])]
    return parts
