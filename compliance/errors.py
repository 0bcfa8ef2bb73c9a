"""Errors that map to exit code 2. Each renders as one line naming the file and the place."""

from __future__ import annotations


class ComplyCheckError(Exception):
    """Base class: anything the CLI turns into a one-line message and exit code 2."""


class InputError(ComplyCheckError):
    """An input file cannot be used. ``where`` is a JSON pointer, ``line N`` or ``byte N``."""

    def __init__(self, path: str, message: str, where: str | None = None) -> None:
        self.path = path
        self.where = where
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        place = f" at {self.where}" if self.where else ""
        return f"{self.path}{place}: {self.message}"


class RulePackError(ComplyCheckError):
    """The rule pack (built-in or organisation) is invalid. Carries one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class UsageError(ComplyCheckError):
    """A flag value or combination the user must fix."""


# Longest exception text quoted in an internal-error line: the rest of the line must stay readable.
MAX_QUOTED = 200


def internal_error(path: str, exc: BaseException) -> str:
    """The one line for an unexpected exception while reading ``path``: it is a bug, and says so."""
    text = " ".join(str(exc).split())
    if len(text) > MAX_QUOTED:
        text = text[:MAX_QUOTED] + "..."
    detail = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return f"internal error reading {path} ({detail}): this is a bug, please report it"
