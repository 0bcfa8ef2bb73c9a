"""Findings-heavy reports (issue 20): the shortcuts the renderers take write exactly what the plain way writes.

A scan with half its components restricted has one finding per component and rule; the CSV and JUnit
renderers make what findings share once, the CSV rows are joined without ``csv.writer`` and the HTML
report memoises its escaping.
Each shortcut is held here to the straightforward rendering it replaced.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from format_support import HOSTILE, KASPERSKY, make_report
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.formats import get_format
from compliance.formats.common import evidence_text, primary_source, relative_path, rules_by_id
from compliance.formats.csv_report import COLUMNS, cell, neutralise, overview_cells, row
from compliance.formats.junit import _XML_ILLEGAL, _finding_block, x
from compliance.model import Report

CELLS = st.one_of(
    st.none(),
    st.integers(),
    st.text(),
    st.text(alphabet=st.sampled_from('ab ,"\r\n\t=+-@\x1b\u202e\u00e9\u2028;')),
)


def written(values: list[object]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow([neutralise(v) for v in values])
    return buf.getvalue()


@given(st.lists(CELLS, min_size=2, max_size=6))
@settings(max_examples=400, derandomize=True)
def test_csv_cells_are_what_csv_writer_writes(values: list[object]) -> None:
    assert row(values) == written(values)
    assert ",".join(map(cell, values)) + "\r\n" == written(values)


def many_restricted(tmp_path: Path) -> str:
    """A findings-heavy SBOM: hostile names, Kaspersky components by name, CPE and purl, shared and not."""
    comps = []
    for i in range(60):
        comps.append({"type": "application", "name": f"Kaspersky Endpoint Security {i % 3}", "version": f"12.{i}",
                      "publisher": "AO Kaspersky Lab", "bom-ref": f"kes-{i}"})
        comps.append({"type": "library", "name": f'kav"sdk,{i}', "version": f"8.9.{i}",
                      "cpe": f"cpe:2.3:a:kaspersky:anti-virus:8.9.{i}:*:*:*:*:*:*:*", "bom-ref": f"=cmd|{i}"})
        comps.append({"type": "application", "name": f"Kaspersky Fan Tool {i}"})  # weak: the same rules, unconfirmed
    comps += json.loads(Path(HOSTILE).read_text(encoding="utf-8"))["components"]
    path = tmp_path / "heavy.cdx.json"
    path.write_text(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": comps}), encoding="utf-8")
    return str(path)


def heavy_reports(tmp_path: Path) -> list[Report]:
    heavy = many_restricted(tmp_path)
    waived = [{"rule": "US-NDAA18-1634", "name": "kaspersky endpoint security 1", "reason": "CHG-9, \"legacy\"",
               "approver": "=ciso", "expires": "2030-01-01"}]
    return [
        make_report(heavy, KASPERSKY, as_of="2026-11-22"),
        make_report(heavy, as_of="2026-11-22", contexts=("federal",), waivers=waived),
        make_report(heavy, as_of="2026-11-22", jurisdictions=("ALL",), show_out_of_scope=True),
    ]


def plain_csv(report: Report) -> str:
    """The CSV report as csv.writer wrote it, cell by cell, before issue 20."""
    rules = rules_by_id(report)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for v in report.overview():
        writer.writerow([neutralise(x) for x in overview_cells(v)])
    for f in report.findings:
        c, w = f.component, f.waiver or {}
        writer.writerow([neutralise(v) for v in (
            relative_path(f.input_path), c.name, c.version, c.purl, c.bom_ref, c.location, f.rule_id,
            f.jurisdiction, f.title, f.status, f.severity, f.effective, f.binding, f.vendor, f.product,
            evidence_text(f), f.citation, primary_source(rules.get(f.rule_id), f), f.verification,
            "yes" if f.waived else "no", w.get("reason"), w.get("approver"), w.get("expires"), f.message,
        )])
    for inp in report.inputs:
        for problem in inp.problems:
            cells = dict.fromkeys(COLUMNS, "")
            cells.update(input=relative_path(inp.path), status="problem", message=problem)
            writer.writerow([neutralise(cells[c]) for c in COLUMNS])
    for limit in report.coverage_limits:
        cells = dict.fromkeys(COLUMNS, "")
        cells.update(rule_id=limit["rule_id"], jurisdiction=limit["jurisdiction"], title=limit["title"],
                     status="coverage-limit", message=limit["message"])
        writer.writerow([neutralise(cells[c]) for c in COLUMNS])
    return buf.getvalue()


def test_csv_report_of_a_findings_heavy_scan_is_what_csv_writer_wrote(tmp_path: Path) -> None:
    for report in heavy_reports(tmp_path):
        assert len(report.findings) > 100
        assert get_format("csv").render(report) == plain_csv(report)


@given(st.text(), st.text())
@settings(max_examples=300, derandomize=True)
def test_junit_text_made_safe_line_by_line_is_the_whole_made_safe(a: str, b: str) -> None:
    whole = _XML_ILLEGAL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", a + "\n" + b)
    assert x(a) + "\n" + x(b) == whole


def test_junit_blocks_sharing_lines_are_the_blocks_made_alone(tmp_path: Path) -> None:
    for report in heavy_reports(tmp_path):
        made: dict = {}
        assert [_finding_block(f, made) for f in report.findings] == [_finding_block(f) for f in report.findings]


def test_verdict_stops_at_the_first_failing_finding_and_agrees_with_the_list(tmp_path: Path) -> None:
    for report in heavy_reports(tmp_path):
        for fail_on in ("fail", "warn", "never"):
            report.fail_on = fail_on
            failing = bool(report.failing_findings())
            assert report.verdict == ("fail" if failing else "pass")
            assert report.exit_code == (0 if fail_on == "never" or not failing else 1)


@given(st.one_of(st.none(), st.integers(), st.text(), st.text(alphabet=st.sampled_from('<>&"\'a \x1b\u202e\u2028\udc80'))))
@settings(max_examples=300, derandomize=True)
def test_html_escaping_memoised_is_the_escaping_made_alone(value: object) -> None:
    import html

    from compliance.formats.html_report import e
    from compliance.untrusted import for_terminal_text

    plain = html.escape(for_terminal_text("" if value is None else str(value)), quote=True)
    assert e(value) == plain
    assert e(value) == plain  # the second time from the memo
