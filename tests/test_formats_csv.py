"""CSV parsed with the csv module: one row per finding, formula injection neutralised."""

from __future__ import annotations

import csv
import io

from format_support import CLEAN, HOSTILE, HOSTILE_NAME, KASPERSKY, make_report

from compliance.formats import get_format
from compliance.formats.csv_report import COLUMNS, neutralise


def rows(report) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(get_format("csv").render(report), newline="")))


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
