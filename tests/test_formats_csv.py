"""CSV parsed with the csv module: one row per finding, formula injection neutralised."""

from __future__ import annotations

import csv
import io

from format_support import CLEAN, HOSTILE, HOSTILE_NAME, KASPERSKY, make_report

from compliance.formats import get_format
from compliance.formats.csv_report import COLUMNS, neutralise


def all_rows(report) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(get_format("csv").render(report), newline="")))


def rows(report) -> list[dict[str, str]]:
    """The finding rows (after the overview's one row per input)."""
    return [r for r in all_rows(report) if r["status"] != "input"]


def test_overview_rows_first_failures_first() -> None:
    report = make_report(CLEAN, KASPERSKY)
    got = all_rows(report)
    inputs = [r for r in got if r["status"] == "input"]
    assert got[: len(inputs)] == inputs and len(inputs) == 2
    assert [(r["input"].rsplit("/", 1)[-1], r["severity"]) for r in inputs] == [
        ("kaspersky.cdx.json", "fail"), ("clean.cdx.json", "pass")
    ]
    assert inputs[0]["rule_id"] == "US-ICTS-KASPERSKY-2024"
    assert "flagged: Kaspersky Anti-Virus 21.3" in inputs[0]["message"] and "vendor identity 1 of 2 (50%)" in inputs[0]["message"]


def test_one_row_per_finding_with_evidence() -> None:
    report = make_report(KASPERSKY)
    got = rows(report)
    assert len(got) == len(report.findings) >= 2
    assert list(got[0]) == list(COLUMNS)
    assert [r["rule_id"] for r in got] == [f.rule_id for f in report.findings]
    first = got[0]  # findings are sorted worst first
    assert first["component"] == "Kaspersky Anti-Virus" and first["rule_id"] == "US-ICTS-KASPERSKY-2024"
    assert first["severity"] == "fail" and first["waived"] == "no"
    assert "supplier.name = 'AO Kaspersky Lab'" in first["evidence"]
    assert first["source"].startswith("https://regulations.justia.com/")


def test_header_only_when_clean() -> None:
    assert rows(make_report(CLEAN)) == []


def test_waiver_columns() -> None:
    report = make_report(
        KASPERSKY, waivers=[{"rule": "US-ICTS-KASPERSKY-2024", "name": "kaspersky anti-virus", "reason": "CHG-7",
                             "approver": "ciso", "expires": "2024-12-31"}]
    )
    first = next(r for r in rows(report) if r["rule_id"] == "US-ICTS-KASPERSKY-2024")
    assert (first["waived"], first["waiver_reason"], first["waiver_approver"], first["waiver_expires"]) == (
        "yes", "CHG-7", "ciso", "2024-12-31"
    )


def test_formula_cells_are_neutralised() -> None:
    row = rows(make_report(HOSTILE))[0]
    assert all_rows(make_report(HOSTILE))[0]["status"] == "input"
    assert row["bom_ref"] == "'=cmd|' /C calc'!A0"
    # starts with '<', stays as is, newline kept inside quotes; the bidi override is shown, not obeyed
    assert row["component"] == HOSTILE_NAME.replace("\u202e", "\\u202e")
    for value in row.values():
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_neutralise() -> None:
    assert neutralise('=HYPERLINK("http://x")') == "'=HYPERLINK(\"http://x\")"
    assert [neutralise(v) for v in ("+1", "-1", "@a", "\tx", "\rx")] == ["'+1", "'-1", "'@a", "'\tx", "\\x0dx"]
    assert neutralise("Kaspersky\x1b]0;title\x07") == "Kaspersky\\x1b]0;title\\x07"
    assert neutralise("safe=1") == "safe=1" and neutralise(None) == ""
