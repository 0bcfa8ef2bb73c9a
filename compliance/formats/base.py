"""The format interface: a format turns a finished ``Report`` into text. It never decides a verdict."""

from __future__ import annotations

from typing import ClassVar, Protocol

from compliance.model import Report


class Format(Protocol):
    name: ClassVar[str]
    label: ClassVar[str]
    extension: ClassVar[str]

    def render(self, report: Report) -> str:
        """The whole document, deterministic for the same report."""
        ...
