"""Reports that stay linear: Markdown renders only what fits, JUnit aggregates per rule for large fleets."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from conftest import REPO, run_cli

from compliance.formats import junit as junit_mod
from compliance.formats import markdown as md_mod
from compliance.formats.junit import JUnitFormat
from compliance.formats.markdown import MarkdownFormat
from compliance.scan import ScanOptions, scan

XSD = Path(__file__).parent / "schemas" / "junit.xsd"
KAV = {"type": "application", "name": "Kaspersky Endpoint Security", "version": "12", "supplier": {"name": "AO Kaspersky Lab"}}
OK = {"type": "library", "name": "requests", "version": "2.32.3", "purl": "pkg:pypi/requests@2.32.3"}


def _fleet(root: Path, n: int, bad_every: int = 3) -> Path:
    root.mkdir()
    for i in range(n):
        comps = [dict(KAV, **{"bom-ref": f"kav-{i}"})] if i % bad_every == 0 else [OK]
        doc = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": comps}
        (root / f"device-{i:03d}.cdx.json").write_text(json.dumps(doc), encoding="utf-8")
    (root / "device-zzz-broken.cdx.json").write_text("{", encoding="utf-8")
    return root


def _report(paths: list[str]):
    return scan(paths, ScanOptions(jurisdictions=["US", "CA"], as_of=date(2025, 6, 1), jobs=1))


def _schema_valid(xml_text: str) -> ET.Element:
    etree = pytest.importorskip("lxml.etree")
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    doc = etree.fromstring(xml_text.encode("utf-8"))
    assert schema.validate(doc), schema.error_log
    return ET.fromstring(xml_text.encode("utf-8"))


def test_markdown_stops_rendering_at_its_cap(tmp_path, monkeypatch):
    big = [dict(KAV, name=f"Kaspersky Tool {i}", **{"bom-ref": f"k{i}"}) for i in range(3000)]
    sbom = tmp_path / "big.cdx.json"
    sbom.write_text(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": big}))
    report = _report([str(sbom)])
    calls = {"row": 0, "detail": 0}
    real_row, real_detail = md_mod._group_row, md_mod._detail

    def row(group, rules):
        calls["row"] += 1
        return real_row(group, rules)

    def detail(group, rules):
        calls["detail"] += 1
        return real_detail(group, rules)

    monkeypatch.setattr(md_mod, "_group_row", row)
    monkeypatch.setattr(md_mod, "_detail", detail)
    text = MarkdownFormat().render(report)
    assert len(text) <= md_mod.GITHUB_COMMENT_LIMIT
    shown = sum(1 for line in text.splitlines() if line.startswith(("| FAIL | Kaspersky", "| WARN | Kaspersky")))
    flagged = {(f.component.name, f.component.location) for f in report.findings if f.status != "out-of-scope"}
    assert f"{len(flagged) - shown} more flagged-component row(s)" in text
    # rendering stops at the cap: past the rows shown, only those that fitted before the truncation
    # note's 300 characters were reserved (a few short rows)
    assert len(report.findings) > 3000 and calls["row"] <= shown + 5 and calls["detail"] == 0


def test_junit_per_rule_lists_the_failing_inputs(tmp_path):
    fleet = _fleet(tmp_path / "fleet", 12)
    report = _report([str(fleet)])
    root = _schema_valid(JUnitFormat(per_rule=True).render(report))
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    rules = [c for c in cases if c.get("classname") != "complycheck.input"]
    errors = [c for c in cases if c.get("classname") == "complycheck.input"]
    assert len(rules) == len(report.rules_evaluated) and len(errors) == 1
    assert "device-zzz-broken" in errors[0].find("error").get("message")
    kav = next(c for c in rules if c.get("name").startswith("US-ICTS-KASPERSKY-2024"))
    failure = kav.find("failure")
    assert failure.get("message") == "4 of 12 input(s) fail this rule"
    listed = [line.split(": ", 1)[0].rsplit("/", 1)[1] for line in failure.text.splitlines()[1:]]
    assert listed == ["device-000.cdx.json", "device-003.cdx.json", "device-006.cdx.json", "device-009.cdx.json"]
    assert "Kaspersky Endpoint Security 12" in failure.text
    assert root.get("tests") == str(len(cases)) and root.get("errors") == "1"
    assert root.get("failures") == str(sum(1 for c in rules if c.find("failure") is not None))


def test_junit_per_input_layout_is_schema_shaped_too(tmp_path):
    fleet = _fleet(tmp_path / "fleet", 3)
    report = _report([str(fleet)])
    root = _schema_valid(JUnitFormat().render(report))
    assert len(root.findall("testsuite")) == 4  # one per input below the threshold


def test_junit_switches_to_per_rule_above_the_threshold(tmp_path, monkeypatch):
    fleet = _fleet(tmp_path / "fleet", 6)
    report = _report([str(fleet)])
    pairs = 6 * len(report.rules_evaluated)
    monkeypatch.setattr(junit_mod, "PER_RULE_THRESHOLD", pairs)
    assert len(ET.fromstring(JUnitFormat().render(report)).findall("testsuite")) == 7
    monkeypatch.setattr(junit_mod, "PER_RULE_THRESHOLD", pairs - 1)
    assert len(ET.fromstring(JUnitFormat().render(report)).findall("testsuite")) == 1


def test_cli_junit_per_rule_flag(tmp_path):
    fleet = _fleet(tmp_path / "fleet", 4)
    out = tmp_path / "junit.xml"
    proc = run_cli("scan", str(fleet), "-j", "US", "--as-of", "2025-06-01", "--junit-per-rule", "-o", f"junit={out}")
    assert proc.returncode == 2  # the broken device
    root = _schema_valid(out.read_text(encoding="utf-8"))
    (suite,) = root.findall("testsuite")
    assert {p.get("name"): p.get("value") for p in suite.iter("property")}["layout"] == "per-rule"


def test_sboms_skip_the_match_memo_inventories_use_it():
    from compliance.engine import Evaluator
    from compliance.readers import load_source, read_source
    from compliance.rulepack import load_rule_pack

    ev = Evaluator(load_rule_pack([]), jurisdictions=["US"], contexts=[], as_of=date(2025, 6, 1))
    sbom = read_source(load_source(str(REPO / "examples" / "sboms" / "endpoint-security-suite.cdx.json")))
    _, found = ev.evaluate(sbom)
    assert found and ev.index._memo == {}
    inventory = read_source(load_source(str(REPO / "examples" / "inventories" / "windows-uninstall.csv")))
    _, found_inv = ev.evaluate(inventory)
    assert found_inv and len(ev.index._memo) > 0
