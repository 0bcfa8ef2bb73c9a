"""Markdown for PR comments: verdict first, a table that hostile names cannot break, a size cap."""

from __future__ import annotations

import hashlib
import json
import re
import shlex
from pathlib import Path

from format_support import CLEAN, HOSTILE, KASPERSKY, make_report, procurement_review

from compliance.formats import get_format
from compliance.formats.markdown import GITHUB_COMMENT_LIMIT, md

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def render(report) -> str:
    return get_format("markdown").render(report)


def table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| Severity")]


def test_verdict_first_then_table_then_details() -> None:
    text = render(make_report(KASPERSKY))
    lines = text.splitlines()
    assert lines[0].startswith("## ❌ complycheck: FAIL — 1 finding(s)")
    table_at = lines.index("| Severity | Status | Rule | Component | Input | Evidence |")
    details_at = next(i for i, line in enumerate(lines) if line.startswith("<details>"))
    assert 0 < table_at < details_at
    assert lines.index("</details>") > details_at
    rows = table_rows(text)
    assert len(rows) == len(make_report(KASPERSKY).findings) and rows[0].startswith("| FAIL | violation |")
    assert "[primary source](https://regulations.justia.com/" in text


def test_pass_verdict() -> None:
    assert render(make_report(CLEAN)).startswith("## ✅ complycheck: PASS")


def test_hostile_name_cannot_inject_markup() -> None:
    text = render(make_report(HOSTILE))
    assert "<script>" not in text and "&lt;script&gt;" in text
    rows = table_rows(text)
    assert rows
    for row in rows:
        assert len(UNESCAPED_PIPE.findall(row)) == 7, row  # exactly the six columns' borders
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
    assert "Report truncated" in text and "more finding row(s)" in text
    assert "<details>" not in text
    assert 0 < len(table_rows(text)) < len(report.findings)
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
    # a rule resting on secondary sources is marked where it fails, and sources are ranked primary first
    icts_row = next(line for line in table_rows(text) if "US-ICTS-KASPERSKY-2024" in line)
    assert "⚠️ secondary sources" in icts_row
    icts_rule = next(line for line in text.splitlines() if line.startswith("- US-ICTS-KASPERSKY-2024 (US)"))
    kinds = re.findall(r"\[(primary|secondary) source\]", icts_rule)
    assert kinds and kinds == sorted(kinds) and kinds[0] == "primary"
    verified = next(line for line in text.splitlines() if line.startswith("- US-NDAA18-1634 (US)"))
    assert "⚠️" not in verified  # a verified rule carries no marker


def test_library_report_without_command() -> None:
    text = render(make_report(KASPERSKY))
    assert "- Command: not recorded (library call)" in text
    assert "product **not named in the document**" in text
