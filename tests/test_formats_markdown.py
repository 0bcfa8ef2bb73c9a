"""Markdown for PR comments: verdict first, a table that hostile names cannot break, a size cap."""

from __future__ import annotations

import hashlib
import json
import re
import shlex
from pathlib import Path

from format_support import CLEAN, HOSTILE, KASPERSKY, ROOT, make_report, procurement_review

from compliance.formats import get_format
from compliance.formats.markdown import GITHUB_COMMENT_LIMIT, md

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
EXAMPLE = ROOT / "examples" / "sboms" / "endpoint-security-suite.cdx.json"


def render(report) -> str:
    return get_format("markdown").render(report)


FINDINGS_HEADER = "| Result | Component | Rules | Input | Evidence |"


def table_rows(text: str) -> list[str]:
    """The rows of the findings table (one per flagged component)."""
    lines = text.splitlines()
    if FINDINGS_HEADER not in lines:
        return []
    start = lines.index(FINDINGS_HEADER) + 2
    return [line for line in lines[start:] if line.startswith("| ")] if start < len(lines) else []


def overview_rows(text: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index("| Input | Verdict | Failing rules | Flagged components | Vendor identity |") + 2
    out = []
    for line in lines[start:]:
        if not line.startswith("| "):
            break
        out.append(line)
    return out


def test_verdict_first_then_overview_then_table_then_details() -> None:
    report = make_report(KASPERSKY)
    text = render(report)
    lines = text.splitlines()
    assert lines[0].startswith("## ❌ complycheck: FAIL — 1 finding(s)")
    overview_at = lines.index("| Input | Verdict | Failing rules | Flagged components | Vendor identity |")
    table_at = lines.index(FINDINGS_HEADER)
    details_at = next(i for i, line in enumerate(lines) if line.startswith("<details>"))
    assert 0 < overview_at < table_at < details_at
    assert lines.index("</details>") > details_at
    [row] = overview_rows(text)
    assert row.endswith(
        "kaspersky.cdx.json | ❌ FAIL | <code>US-ICTS-KASPERSKY-2024</code> | Kaspersky Anti-Virus 21.3 | 1 of 2 \\(50%\\) |"
    )
    rows = table_rows(text)
    # one row per flagged component, its rules as lines in one cell; out-of-scope rules one line each below
    assert len(rows) == 1 and rows[0].startswith("| FAIL | Kaspersky Anti-Virus 21.3")
    assert "FAIL <code>US-ICTS-KASPERSKY-2024</code> violation" in rows[0]
    out_of_scope = [f for f in report.findings if f.status == "out-of-scope"]
    assert out_of_scope
    for rule_id in {f.rule_id for f in out_of_scope}:
        assert sum(1 for line in lines if line.startswith(f"- ℹ️ <code>{rule_id}</code> is out of scope")) == 1
    assert "[primary source](https://regulations.justia.com/" in text


def test_out_of_scope_rows_collapse_unless_asked() -> None:
    """Issue 21 item 4: the example review's 18 table rows (12 out of scope) become one row per component."""
    report = make_report(str(EXAMPLE), as_of="2026-11-22", contexts=("procurement",))
    text = render(report)
    rows = table_rows(text)
    components = {(f.component.name, f.component.location) for f in report.findings if f.status != "out-of-scope"}
    assert len(rows) == len(components) == 3
    assert not any("out of scope" in row for row in rows)
    shown = render(make_report(str(EXAMPLE), as_of="2026-11-22", contexts=("procurement",), show_out_of_scope=True))
    assert "is out of scope: it would apply" not in shown and "out of scope" in "".join(table_rows(shown))


def test_pass_verdict() -> None:
    assert render(make_report(CLEAN)).startswith("## ✅ complycheck: PASS")


def test_hostile_name_cannot_inject_markup() -> None:
    text = render(make_report(HOSTILE))
    assert "<script>" not in text and "&lt;script&gt;" in text
    rows = table_rows(text)
    assert rows
    for row in rows:
        assert len(UNESCAPED_PIPE.findall(row)) == 6, row  # exactly the five columns' borders
    assert "`" not in "".join(rows).replace("\\`", "")
    assert "@admin" not in text and "@&#8203;admin" in text
    assert "](javascript:" not in text
    assert "\n::error::" not in text


def test_truncated_under_github_limit(tmp_path: Path) -> None:
    comps = [
        {"type": "application", "name": f"Kaspersky Endpoint Security {i}", "version": str(i),
         "bom-ref": f"kes-{i}", "supplier": {"name": "AO Kaspersky Lab"}}
        for i in range(1500)
    ]
    big = tmp_path / "big.cdx.json"
    big.write_text(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": comps}), encoding="utf-8")
    report = make_report(str(big))
    text = render(report)
    assert len(text) <= GITHUB_COMMENT_LIMIT
    assert text.startswith("## ❌ complycheck: FAIL")
    assert "Report truncated" in text and "more flagged-component row(s)" in text
    assert "<details>" not in text
    assert 0 < len(table_rows(text)) < 1500
    assert text.rstrip().endswith("Date: ____________ Signature: ______________________________")  # decision kept


def test_procurement_review_names_the_product_digest_command_and_decision(tmp_path: Path) -> None:
    """Issue 11 item 7 through the CLI: what is under review, the exact command, a decision block."""
    sbom, out = procurement_review(tmp_path, "vendor sbom.cdx.json", "markdown")  # a space: shell-quoted
    text = out.read_text("utf-8")
    digest = hashlib.sha256(sbom.read_bytes()).hexdigest()
    assert f"SHA-256 <code>{digest}</code>" in text
    assert "product **Northwind SecureEdge Endpoint Protection 7.4.2**, supplier Northwind Security Systems, Inc." in text
    assert "serial number <code>urn:uuid:8c1f2a5e-4a2b-4d8e-9a57-1f0c2b6d7e11</code>" in text
    assert f"- Command: <code>{md(f'complycheck scan {shlex.quote(str(sbom))} -j US -c procurement')}" in text
    assert re.search(r"- Rule packs: complycheck-builtin \d{4}\.", text)
    for line in ("### Decision", "- [ ] Approved", "- [ ] Approved with conditions", "- [ ] Rejected"):
        assert line + "\n" in text
    assert "Reviewer (name, role):" in text and "Signature:" in text
    # a rule with no primary source is marked where it flags a component; one with a primary text is not,
    # and sources are ranked primary first
    row = next(line for line in table_rows(text) if "US-ICTS-KASPERSKY-2024" in line)
    rules_cell = row.split(" | ")[2].split("<br>")
    icts = next(part for part in rules_cell if "US-ICTS-KASPERSKY-2024" in part)
    ofac = next(part for part in rules_cell if "US-OFAC-KASPERSKY-EXECS-2024" in part)
    assert "⚠️" not in icts and "⚠️ secondary sources" in ofac
    assert "primary: " in next(line for line in text.splitlines() if line.startswith("- US-ICTS-KASPERSKY-2024 (US)"))
    icts_rule = next(line for line in text.splitlines() if line.startswith("- US-ICTS-KASPERSKY-2024 (US)"))
    kinds = re.findall(r"\[(primary|secondary) source\]", icts_rule)
    assert kinds and kinds == sorted(kinds) and kinds[0] == "primary"
    verified = next(line for line in text.splitlines() if line.startswith("- US-NDAA18-1634 (US)"))
    assert "⚠️" not in verified  # a verified rule carries no marker


def test_library_report_without_command() -> None:
    text = render(make_report(KASPERSKY))
    assert "- Command: not recorded (library call)" in text
    # an input whose document names no product is shown by its file name, without filler
    assert "not named" not in text and "not stated" not in text
    assert re.match(r"\| \S*kaspersky\.cdx\.json \| ❌ FAIL \|", overview_rows(text)[0])
