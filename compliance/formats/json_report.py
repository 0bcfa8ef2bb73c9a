"""The JSON report: the stable machine contract every other consumer can build on."""

from __future__ import annotations

from typing import ClassVar

import orjson

from compliance.model import Report


class JSONFormat:
    name: ClassVar[str] = "json"
    label: ClassVar[str] = "JSON report (stable contract)"
    extension: ClassVar[str] = ".json"

    def render(self, report: Report) -> str:
        return orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"
