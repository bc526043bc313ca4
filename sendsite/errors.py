"""The project's own error types.

Every mistake an author or plugin author can make is reported through one of
these, carrying where it happened and a plain-English fix, so the CLI can print
it without a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any


@dataclass
class Problem:
    """One thing wrong, with where it is and how to fix it."""

    message: str
    file: PurePath | str | None = None
    line: int | None = None
    column: int | None = None
    fix: str | None = None
    #: The exception behind a plugin's error, shown with ``--verbose``.
    cause: BaseException | None = field(default=None, compare=False, repr=False)

    def location(self) -> str:
        """``file:line:column`` as far as it is known."""
        if self.file is None:
            return ""
        parts = [str(self.file)]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        if self.fix:
            text += f"\n  How to fix: {self.fix}"
        return text


class SendsiteError(Exception):
    """Base class: a problem the user can fix, printed without a traceback."""

    def __init__(
        self,
        message: str,
        *,
        file: PurePath | str | None = None,
        line: int | None = None,
        column: int | None = None,
        fix: str | None = None,
    ) -> None:
        self.problem = Problem(message, file, line, column, fix)
        super().__init__(str(self.problem))

    def __reduce__(self) -> tuple[Any, ...]:
        # As it is, whatever the subclass's __init__ takes (``sendsite build`` sends
        # errors from one process to another: see ``build.forked``).
        return (_restore, (type(self), self.args, self.__dict__))

    @property
    def file(self) -> PurePath | str | None:
        return self.problem.file

    @property
    def line(self) -> int | None:
        return self.problem.line

    @property
    def fix(self) -> str | None:
        return self.problem.fix

    @property
    def problems(self) -> list[Problem]:
        """Every problem this error stands for: itself, or each of ``ContentErrors``."""
        return [self.problem]


class ConfigError(SendsiteError):
    """``sendsite.yml`` is missing something, mistyped, or has an unknown key."""


class ContentError(SendsiteError):
    """A content file (report, area metadata) is malformed or inconsistent."""


class ContentErrors(ContentError):
    """Several mistakes found in one file at once (see ``read_checked``); the first is
    this error's own ``problem``, and ``problems`` holds them all, in the file's order."""

    def __init__(self, errors: Sequence[SendsiteError], warnings: Sequence[Problem] = ()) -> None:
        ordered = sorted((e.problem for e in errors), key=lambda p: (p.line or 0, p.column or 0))
        first = ordered[0]
        super().__init__(
            first.message, file=first.file, line=first.line, column=first.column, fix=first.fix
        )
        self.problem = first
        self._problems = ordered
        #: The file's warnings, found beside the errors (a misspelt key, often why
        #: a required one is missing).
        self.warnings = list(warnings)

    @property
    def problems(self) -> list[Problem]:
        return self._problems


class PluginError(SendsiteError):
    """A plugin failed to load, or raised inside one of its hooks."""

    def __init__(
        self,
        message: str,
        *,
        plugin: str,
        hook: str | None = None,
        file: PurePath | str | None = None,
        line: int | None = None,
        fix: str | None = None,
    ) -> None:
        self.plugin = plugin
        self.hook = hook
        where = f"plugin '{plugin}'" + (f", hook '{hook}'" if hook else "")
        super().__init__(f"{where}: {message}", file=file, line=line, fix=fix)


def _restore(cls: type[SendsiteError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    """A pickled ``SendsiteError`` (or subclass) made again without calling its __init__."""
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error
