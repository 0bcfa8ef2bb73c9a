"""Report formats. Add one by writing a module with a ``Format`` class and listing it here."""

from __future__ import annotations

from compliance.errors import UsageError
from compliance.formats.base import Format
from compliance.formats.csv_report import CsvFormat
from compliance.formats.github import GithubFormat
from compliance.formats.html_report import HtmlFormat
from compliance.formats.json_report import JSONFormat
from compliance.formats.junit import JUnitFormat
from compliance.formats.markdown import MarkdownFormat
from compliance.formats.sarif import SarifFormat
from compliance.formats.text import TextFormat
from compliance.model import Report

FORMATS: dict[str, type[Format]] = {
    cls.name: cls
    for cls in (
        TextFormat,
        JSONFormat,
        SarifFormat,
        JUnitFormat,
        MarkdownFormat,
        HtmlFormat,
        CsvFormat,
        GithubFormat,
    )
}


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
