"""Waivers: matching, inclusive expiry against the scan date, validation, CLI wiring."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from format_support import KASPERSKY, make_report, run_cli

from compliance.errors import UsageError
from compliance.waivers import load_waivers, parse_waivers

ICTS = "US-ICTS-KASPERSKY-2024"


def waived(report, rule_id: str = ICTS) -> bool:
    return next(f for f in report.findings if f.rule_id == rule_id).waived


def entry(**kw) -> dict:
    base = {"rule": ICTS, "bom-ref": "kav-21", "reason": "Replacement in CHG-42"}
    base.update(kw)
    return base


def test_waived_finding_passes_and_records_waiver() -> None:
    report = make_report(KASPERSKY, waivers=[entry(approver="ciso@example.org", id="KAV")])
    f = next(f for f in report.findings if f.rule_id == ICTS)
    assert f.waiver == {"id": "KAV", "index": 1, "file": "waivers.yaml", "rule": ICTS,
                        "reason": "Replacement in CHG-42", "approver": "ciso@example.org", "expires": None}
    assert report.verdict == "pass" and report.exit_code == 0
    assert report.summary()["waived"] == 1
    assert [w["id"] for w in report.waivers["applied"]] == ["KAV"]
    assert report.waivers["applied"][0]["findings"] == 1
    assert report.waivers["lapsed"] == [] and report.waivers["unused"] == []


def test_expiry_day_is_inclusive() -> None:
    report = make_report(KASPERSKY, as_of="2025-01-31", waivers=[entry(expires="2025-01-31")])
    assert waived(report) and report.exit_code == 0


def test_day_after_expiry_lapses_and_fails() -> None:
    report = make_report(KASPERSKY, as_of="2025-02-01", waivers=[entry(expires="2025-01-31")])
    assert not waived(report) and report.exit_code == 1
    assert [w["expires"] for w in report.waivers["lapsed"]] == ["2025-01-31"]
    assert report.waivers["lapsed"][0]["findings_now_unwaived"] == 1
    assert report.waivers["applied"] == [] and report.waivers["unused"] == []


def test_unused_waiver_is_reported() -> None:
    report = make_report(KASPERSKY, waivers=[entry(), entry(rule="CA-*", vendor="tencent", reason="spare")])
    assert [w["rule"] for w in report.waivers["unused"]] == ["CA-*"]
    assert "CA-*" in str(report.waivers["unused"][0])  # the text format prints str(w)


@pytest.mark.parametrize(
    ("rule", "hit"),
    [("US-*", True), ("US-ICTS-*", True), ("us-icts-kaspersky-2024", True), ("us-icts-*", True), ("CA-*", False),
     ("ca-*", False), ("US-?CTS-*", True)],
)
def test_rule_patterns(rule: str, hit: bool) -> None:
    """Rule ids are case-insensitive everywhere (issue 21): a waiver may name one in any case."""
    assert waived(make_report(KASPERSKY, waivers=[entry(rule=rule)])) is hit


@pytest.mark.parametrize(
    ("selector", "hit"),
    [
        ({"name": "kaspersky anti-virus"}, True),
        ({"name": "Kaspersky"}, False),
        ({"vendor": "kaspersky"}, True),
        ({"vendor": "tencent"}, False),
        ({"bom-ref": "kav-21"}, True),
        ({"bom_ref": "kav-2"}, False),
        ({"name": "Kaspersky Anti-Virus", "vendor": "tencent"}, False),  # selectors combine with AND
    ],
)
def test_component_selectors(selector: dict, hit: bool) -> None:
    w = {"rule": ICTS, "reason": "r", **selector}
    assert waived(make_report(KASPERSKY, waivers=[w])) is hit


def _purl_sbom(tmp_path: Path) -> str:
    doc = {"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [
        {"type": "application", "name": "Kaspersky Endpoint Security", "version": "11.0",
         "purl": "pkg:generic/kaspersky/endpoint-security@11.0?arch=x64", "supplier": {"name": "AO Kaspersky Lab"}}]}
    path = tmp_path / "purl.cdx.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("purl", "hit"),
    [
        ("pkg:generic/kaspersky/endpoint-security", True),
        ("pkg:generic/kaspersky/endpoint-security@11.0", True),
        ("pkg:generic/kaspersky/endpoint-security@12.0", False),
        ("pkg:generic/kaspersky/endpoint", False),
    ],
)
def test_purl_with_and_without_version(tmp_path: Path, purl: str, hit: bool) -> None:
    report = make_report(_purl_sbom(tmp_path), waivers=[{"rule": ICTS, "purl": purl, "reason": "r"}])
    assert waived(report) is hit


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- rule: X\n  name: a\n", "waivers.yaml: waiver 1 (rule X): 'reason' is required"),
        ("- rule: X\n  name: a\n  reason: '  '\n", "waiver 1 (rule X): 'reason' must not be empty"),
        ("- rule: X\n  name: a\n  reason: r\n  expires: 2025-02-30\n", "'expires' '2025-02-30' is not a date"),
        ("- rule: X\n  name: a\n  reason: r\n  expires: 31/01/2025\n", "'expires' '31/01/2025' is not a date"),
        ("- rule: X\n  name: a\n  reason: r\n  expires: 2025-01-31T00:00:00\n", "is not a date in YYYY-MM-DD form"),
        ("- rule: X\n  name: a\n  reason: r\n  expiry: 2025-01-31\n", "unknown key(s) expiry"),
        ("- rule: X\n  reason: r\n", "needs at least one component selector"),
        ("- name: a\n  reason: r\n", "waiver 1: 'rule' is required"),
        ("- rule: X\n  purl: kaspersky\n  reason: r\n", "is not a package URL"),
        ("- just a string\n", "waiver 1: each waiver must be a mapping"),
        ("rules: []\n", "no 'waivers:' list found"),
        ("waivers: {a: 1}\n", "'waivers' must be a list"),
        ("waivers: [\n", "waivers.yaml: line 2"),
    ],
)
def test_malformed_files_are_usage_errors_naming_file_and_entry(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as exc:
        load_waivers(str(path))
    assert message in str(exc.value)
    assert str(path) in str(exc.value) and "\n" not in str(exc.value)


def test_first_live_waiver_wins_and_expired_ones_do_not_shadow() -> None:
    ws = parse_waivers([entry(expires="2020-01-01", id="OLD"), entry(id="NEW")], "w.yaml")
    report = make_report(KASPERSKY, waivers=ws)
    f = next(f for f in report.findings if f.rule_id == ICTS)
    assert f.waiver["id"] == "NEW"
    assert [w["id"] for w in report.waivers["lapsed"]] == ["OLD"]


WAIVERS_YAML = """\
waivers:
  - rule: US-ICTS-*
    bom-ref: kav-21
    reason: Lab machine, removal tracked in CHG-42
    approver: ciso@example.org
    expires: 2024-10-01
"""


def test_cli_waivers_flag_and_expiry_by_as_of(tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_text(WAIVERS_YAML, encoding="utf-8")
    on_day = run_cli("scan", "--as-of", "2024-10-01", "-j", "US", KASPERSKY, "--waivers", "w.yaml", "-f", "json",
                     cwd=tmp_path)
    assert on_day.returncode == 0, on_day.stderr
    doc = json.loads(on_day.stdout)
    f = next(f for f in doc["findings"] if f["rule_id"] == ICTS)
    assert f["waived"] is True and f["waiver"]["reason"].startswith("Lab machine")
    assert doc["waivers"]["applied"][0]["expires"] == "2024-10-01"
    after = run_cli("scan", "--as-of", "2024-10-02", "-j", "US", KASPERSKY, "--waivers", "w.yaml", cwd=tmp_path)
    assert after.returncode == 1
    assert "Waiver lapsed: #1 rule US-ICTS-*" in after.stdout


def test_cli_discovers_project_file(tmp_path: Path) -> None:
    (tmp_path / ".complycheck.yaml").write_text(WAIVERS_YAML, encoding="utf-8")
    res = run_cli("scan", "--as-of", "2024-10-01", "-j", "US", KASPERSKY, "-q", cwd=tmp_path)
    assert res.returncode == 0 and "1 waived" in res.stdout


def test_cli_malformed_waivers_exit_2_and_never_waive(tmp_path: Path) -> None:
    (tmp_path / ".complycheck.yaml").write_text(WAIVERS_YAML.replace("2024-10-01", "2024-10-32"), encoding="utf-8")
    res = run_cli("scan", "--as-of", "2024-10-01", "-j", "US", KASPERSKY, cwd=tmp_path)
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr.strip() == (
        "complycheck: error: .complycheck.yaml: waiver 1 (rule US-ICTS-*): 'expires' '2024-10-32' is not a date "
        "in YYYY-MM-DD form"
    )
    (tmp_path / ".complycheck.yaml").unlink()
    missing = run_cli("scan", "-j", "US", KASPERSKY, "--waivers", "nope.yaml", cwd=tmp_path)
    assert missing.returncode == 2 and "nope.yaml: cannot read waivers file" in missing.stderr
