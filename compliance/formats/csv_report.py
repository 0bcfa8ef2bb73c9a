"""CSV: one row per input (the overview, status ``input``), then one row per finding, for spreadsheets
and procurement trackers.

Spreadsheet programs execute a cell that starts with ``=``, ``+``, ``-``, ``@``, tab or CR as a
formula, and SBOM strings are untrusted, so such cells get a leading ``'`` (the OWASP advice). A CSV
printed on a terminal must not act on it either, so cells show control characters as escapes.
"""

from __future__ import annotations

from typing import Any, ClassVar

from compliance.formats.common import (
    coverage_text,
    evidence_text,
    flagged_text,
    input_label,
    primary_source,
    relative_path,
    rules_by_id,
)
from compliance.model import InputVerdict, Report
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
        # A findings-heavy report has one row per component and rule: what a row shares with others
        # (its input; the thirteen cells from rule_id to verification, fixed by the rule, the match and
        # the status) is made once, and rows are joined here rather than by csv.writer, which writes a
        # character at a time (``cell`` and ``row`` write exactly what it writes; tested).
        inputs: dict[str, str] = {}
        middles: dict[tuple[Any, ...], str] = {}
        lines = [row(COLUMNS)]
        append = lines.append
        # The overview first: one row per input, failures first, status "input", its verdict (pass, fail,
        # error) in the severity column and its failing rules in rule_id.
        for v in report.overview():
            append(row(overview_cells(v)))
        for f in report.findings:
            c = f.component
            where = inputs.get(f.input_path)
            if where is None:
                where = inputs[f.input_path] = cell(relative_path(f.input_path))
            key = (f.rule_id, f.jurisdiction, f.title, f.status, f.severity, f.effective, f.binding, f.vendor,
                   f.product, id(f.evidence), f.citation, id(f.sources), f.verification)
            middle = middles.get(key)
            if middle is None:
                middle = middles[key] = ",".join(map(cell, (
                    f.rule_id, f.jurisdiction, f.title, f.status, f.severity, f.effective, f.binding, f.vendor,
                    f.product, evidence_text(f), f.citation, primary_source(rules.get(f.rule_id), f), f.verification,
                )))
            w = f.waiver
            waived = _NOT_WAIVED if w is None else ",".join(
                ("yes", cell(w.get("reason")), cell(w.get("approver")), cell(w.get("expires"))))
            append(f"{where},{cell(c.name)},{cell(c.version)},{cell(c.purl)},{cell(c.bom_ref)},{cell(c.location)},"
                   f"{middle},{waived},{cell(f.message)}\r\n")
        # What a reader read past: one row each, status "problem", the problem in the message column.
        for inp in report.inputs:
            for problem in inp.problems:
                cells = dict.fromkeys(COLUMNS, "")
                cells.update(input=relative_path(inp.path), status="problem", message=problem)
                append(row([cells[c] for c in COLUMNS]))
        # What an applied rule names but complycheck cannot identify: one row per rule, status "coverage-limit".
        for limit in report.coverage_limits:
            cells = dict.fromkeys(COLUMNS, "")
            cells.update(
                rule_id=limit["rule_id"], jurisdiction=limit["jurisdiction"], title=limit["title"],
                status="coverage-limit", message=limit["message"],
            )
            append(row([cells[c] for c in COLUMNS]))
        return "".join(lines)


def overview_cells(v: InputVerdict) -> list[str]:
    """An input's overview row (unescaped): status "input", its verdict (pass, fail, error) in the
    severity column and its failing rules in rule_id."""
    inp = v.input
    cells = dict.fromkeys(COLUMNS, "")
    cells.update(
        input=relative_path(inp.path), title=input_label(inp), status="input", severity=v.verdict,
        rule_id=" ".join(v.failing_rules),
        message=inp.error or (
            f"vendor identity {coverage_text(inp)}; {inp.components_matched} matched a catalog vendor"
            + (f"; flagged: {flagged_text(v.flagged, limit=20)}" if v.flagged else "")
        ),
    )
    return [cells[c] for c in COLUMNS]


_NOT_WAIVED = "no,,,"
_FORMULA_FIRST = frozenset(_FORMULA_START)


def cell(value: Any) -> str:
    """``neutralise(value)`` as ``csv.writer`` (comma, double quotes, QUOTE_MINIMAL) writes it: quoted,
    with quotes doubled, when it holds a comma, a quote or a line break. Runs for most cells of a
    findings-heavy report, so ``neutralise`` is written out for the usual printable ASCII text."""
    text = "" if value is None else value if type(value) is str else str(value)
    if not (text.isascii() and text.isprintable()):  # printable ASCII: nothing for_terminal_text escapes
        text = for_terminal_text(text)
    if text[:1] in _FORMULA_FIRST:
        text = "'" + text
    if '"' in text or "," in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def row(values: Any) -> str:
    """A whole line as ``csv.writer(lineterminator="\\r\\n").writerow`` writes it (for rows of two
    or more cells: a lone empty cell it would write as ``""``)."""
    return ",".join(map(cell, values)) + "\r\n"
