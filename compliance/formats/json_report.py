"""The JSON report: the stable machine contract every other consumer can build on."""

from __future__ import annotations

import json
from typing import Any, ClassVar

import orjson

from compliance.model import Report


def report_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of this report, shipped in the package as ``schemas/report.schema.json``."""
    from importlib import resources  # only when the schema is asked for: not on every scan's import path

    text = (resources.files("compliance.formats") / "schemas" / "report.schema.json").read_text("utf-8")
    return json.loads(text)


class JSONFormat:
    name: ClassVar[str] = "json"
    label: ClassVar[str] = "JSON report (stable contract)"
    extension: ClassVar[str] = ".json"

    def render(self, report: Report) -> str:
        return self.render_bytes(report).decode("utf-8")

    def render_bytes(self, report: Report) -> bytes:
        return orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
