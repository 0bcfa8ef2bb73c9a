"""Report formats. Add one by writing a module with a ``Format`` class and listing it here."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from compliance.errors import UsageError

if TYPE_CHECKING:
    from compliance.formats.base import Format
    from compliance.model import Report

# Name -> (module, class), in listing order. A scan imports only the format it writes: importing
# all of them (HTML, SARIF, the rule-listing helpers behind them) cost a small scan ~75 ms of start-up.
_FORMAT_CLASSES: dict[str, tuple[str, str]] = {
    "text": ("compliance.formats.text", "TextFormat"),
    "json": ("compliance.formats.json_report", "JSONFormat"),
    "sarif": ("compliance.formats.sarif", "SarifFormat"),
    "junit": ("compliance.formats.junit", "JUnitFormat"),
    "markdown": ("compliance.formats.markdown", "MarkdownFormat"),
    "html": ("compliance.formats.html_report", "HtmlFormat"),
    "csv": ("compliance.formats.csv_report", "CsvFormat"),
    "github": ("compliance.formats.github", "GithubFormat"),
}


class _LazyFormats(Mapping[str, "type[Format]"]):
    """``FORMATS[name]`` imports that format's module on first use; iteration needs no import."""

    def __getitem__(self, name: str) -> type[Format]:
        module, cls = _FORMAT_CLASSES[name]
        return getattr(importlib.import_module(module), cls)

    def __iter__(self) -> Iterator[str]:
        return iter(_FORMAT_CLASSES)

    def __len__(self) -> int:
        return len(_FORMAT_CLASSES)


FORMATS: Mapping[str, type[Format]] = _LazyFormats()


# Report file extensions a plain ``-o FILE`` infers its format from (when -f is not given).
EXTENSIONS = {
    ".sarif.json": "sarif",
    ".sarif": "sarif",
    ".json": "json",
    ".xml": "junit",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".csv": "csv",
    ".txt": "text",
}


def format_for_path(path: str) -> str | None:
    """``report.json`` -> ``json``; None for an unknown extension (the -f or default format applies)."""
    lower = path.lower()
    for ext, name in EXTENSIONS.items():
        if lower.endswith(ext):
            return name
    return None


def format_names() -> list[str]:
    return list(FORMATS)


def get_format(name: str) -> Format:
    try:
        return FORMATS[name]()
    except KeyError:
        raise UsageError(f"unknown format '{name}'; known formats: {', '.join(FORMATS)}") from None


def render(report: Report, name: str) -> str:
    return get_format(name).render(report)
