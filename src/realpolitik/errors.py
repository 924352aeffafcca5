"""Errors that reach users: each names the file, the line, the field, the value and the fix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem of an input file."""

    file: str
    line: int | None
    field: str
    message: str
    value: object = None
    has_value: bool = False

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        got = f" (got {_short(self.value)})" if self.has_value else ""
        field = f"{self.field}: " if self.field else ""
        return f"{where}: {field}{self.message}{got}"


def _short(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class RealpolitikError(Exception):
    """Base class of the errors realpolitik reports to users without a traceback.

    Messages name Python parameters, never command-line flags. ``options`` lists the parameters
    (as in the Python API: ``target_band``) that the message asks the user to change, so that an
    interface can name its own spelling of them (the CLI adds ``--target-band``).
    """

    def __init__(self, *args: object, options: tuple[str, ...] = ()) -> None:
        super().__init__(*args)
        self.options = tuple(options)


class ScenarioError(RealpolitikError):
    """A scenario (or other input file) has one or more problems; all are listed."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} found:" if n > 1 else "invalid input:"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


class ModelError(RealpolitikError):
    """A model was asked for something it cannot do (unknown name, unsupported option)."""


class Cancelled(RealpolitikError):
    """A run was cancelled before it finished."""
