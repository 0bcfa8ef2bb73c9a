"""CSV: one row per finding, for spreadsheets and procurement trackers.

Spreadsheet programs execute a cell that starts with ``=``, ``+``, ``-``, ``@``, tab or CR as a
formula, and SBOM strings are untrusted, so such cells get a leading ``'`` (the OWASP advice). A CSV
printed on a terminal must not act on it either, so cells show control characters as escapes.
"""

from __future__ import annotations

import csv
import io
from typing import Any, ClassVar

from compliance.formats.common import evidence_text, primary_source, relative_path, rules_by_id
from compliance.model import Report
from compliance.untrusted import for_terminal_text

COLUMNS = (
    "input",
    "component",
    "version",
    "purl",
    "bom_ref",
    "location",
    "rule_id",
    "jurisdiction",
    "title",
    "status",
    "severity",
    "effective",
    "binding",
    "vendor",
    "product",
    "evidence",
    "citation",
    "source",
    "verification",
    "waived",
    "waiver_reason",
    "waiver_approver",
    "waiver_expires",
    "message",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> str:
    """A cell a spreadsheet will show as text, never evaluate; a terminal (``-f csv`` on stdout) too:
    control and bidi characters other than tab and line feed become escapes (``for_terminal_text``)."""
    text = for_terminal_text("" if value is None else str(value))
    return "'" + text if text.startswith(_FORMULA_START) else text


class CsvFormat:
    name: ClassVar[str] = "csv"
    label: ClassVar[str] = "CSV, one row per finding (formula-safe)"
    extension: ClassVar[str] = ".csv"

    def render(self, report: Report) -> str:
        rules = rules_by_id(report)
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for f in report.findings:
            c = f.component
            w = f.waiver or {}
            row = (
                relative_path(f.input_path),
                c.name,
                c.version,
                c.purl,
                c.bom_ref,
                c.location,
                f.rule_id,
                f.jurisdiction,
                f.title,
                f.status,
                f.severity,
                f.effective,
                f.binding,
                f.vendor,
                f.product,
                evidence_text(f),
                f.citation,
                primary_source(rules.get(f.rule_id), f),
                f.verification,
                "yes" if f.waived else "no",
                w.get("reason"),
                w.get("approver"),
                w.get("expires"),
                f.message,
            )
            writer.writerow([neutralise(v) for v in row])
        # What a reader read past: one row each, status "problem", the problem in the message column.
        for inp in report.inputs:
            for problem in inp.problems:
                cells = dict.fromkeys(COLUMNS, "")
                cells.update(input=relative_path(inp.path), status="problem", message=problem)
                writer.writerow([neutralise(cells[c]) for c in COLUMNS])
        # What an applied rule names but complycheck cannot identify: one row per rule, status "coverage-limit".
        for limit in report.coverage_limits:
            cells = dict.fromkeys(COLUMNS, "")
            cells.update(
                rule_id=limit["rule_id"], jurisdiction=limit["jurisdiction"], title=limit["title"],
                status="coverage-limit", message=limit["message"],
            )
            writer.writerow([neutralise(cells[c]) for c in COLUMNS])
        return buf.getvalue()
