"""SARIF output validated against the official 2.1.0 schema, and its GitHub-facing fields."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from format_support import HOSTILE, HOSTILE_NAME, KASPERSKY, make_report

from compliance.formats import get_format

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def sarif(report) -> dict:
    doc = json.loads(get_format("sarif").render(report))
    cls = jsonschema.validators.validator_for(SCHEMA)
    cls(SCHEMA).validate(doc)
    return doc


def test_schema_valid_with_rules_results_and_invocation() -> None:
    report = make_report(KASPERSKY)
    run = sarif(report)["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(rules) == {f"{r['jurisdiction']}/{r['rule_id']}" for r in report.rules_evaluated}
    icts = rules["US/US-ICTS-KASPERSKY-2024"]
    assert icts["shortDescription"]["text"].startswith("Kaspersky software barred")
    summary = next(r["summary"] for r in report.rules_evaluated if r["rule_id"] == "US-ICTS-KASPERSKY-2024")
    assert icts["fullDescription"]["text"] == summary
    assert icts["helpUri"] == "https://regulations.justia.com/regulations/fedreg/2024/06/24/2024-13532.html"
    props = icts["properties"]
    assert props["authority"].startswith("U.S. Department of Commerce")
    assert props["citation"].startswith("89 FR 52434")
    assert props["binding"] == "ban" and props["verification"] == "secondary"
    assert {a["effective"] for a in props["actions"]} == {"2024-07-20", "2024-09-29"}
    assert run["invocations"][0] == {
        "executionSuccessful": True,
        "exitCode": 1,
        "exitCodeDescription": "Findings at or above the --fail-on severity",
    }
    levels = {(r["ruleId"], r["level"]) for r in run["results"]}
    assert ("US/US-ICTS-KASPERSKY-2024", "error") in levels
    assert not any(level == "note" for _rule, level in levels)  # out of scope: no alert by default
    shown = sarif(make_report(KASPERSKY, show_out_of_scope=True))["runs"][0]
    assert ("US/US-NDAA18-1634", "note") in {(r["ruleId"], r["level"]) for r in shown["results"]}


def test_result_location_message_and_ruleindex() -> None:
    run = sarif(make_report(KASPERSKY))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    res = next(r for r in run["results"] if r["ruleId"] == "US/US-ICTS-KASPERSKY-2024")
    assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    assert "Kaspersky Anti-Virus 21.3" in res["message"]["text"]
    assert "supplier.name = 'AO Kaspersky Lab'" in res["message"]["text"]
    loc = res["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == "tests/fixtures/formats/kaspersky.cdx.json" or loc[
        "physicalLocation"
    ]["artifactLocation"]["uri"].endswith("/tests/fixtures/formats/kaspersky.cdx.json")
    assert loc["physicalLocation"]["region"] == {"startLine": 1}
    assert loc["logicalLocations"] == [{"fullyQualifiedName": "kav-21"}]
    assert res["properties"]["bom-ref"] == "kav-21"


def test_row_location_becomes_start_line() -> None:
    report = make_report(KASPERSKY)
    report.findings[0].component.location = "row 7"
    res = sarif(report)["runs"][0]["results"][0]
    assert res["locations"][0]["physicalLocation"]["region"] == {"startLine": 7}


def test_fingerprints_stable_across_runs_and_dates() -> None:
    a = sarif(make_report(KASPERSKY, as_of="2024-10-01"))["runs"][0]["results"]
    b = sarif(make_report(KASPERSKY, as_of="2025-06-30"))["runs"][0]["results"]
    fa = {r["ruleId"]: r["partialFingerprints"] for r in a}
    fb = {r["ruleId"]: r["partialFingerprints"] for r in b}
    assert fa == fb
    assert len({v["complycheck/v1"] for v in fa.values()}) == len(fa)


def test_waived_finding_is_kept_with_external_suppression() -> None:
    report = make_report(
        KASPERSKY,
        waivers=[{"rule": "US-ICTS-*", "bom-ref": "kav-21", "reason": "Removal in CHG-9", "approver": "ciso"}],
    )
    run = sarif(report)["runs"][0]
    res = next(r for r in run["results"] if r["ruleId"] == "US/US-ICTS-KASPERSKY-2024")
    assert res["suppressions"][0]["kind"] == "external"
    assert res["suppressions"][0]["justification"] == "Removal in CHG-9"
    assert run["invocations"][0]["exitCode"] == 0


def test_unreadable_input_marks_execution_failed(tmp_path: Path) -> None:
    bad = tmp_path / "broken.cdx.json"
    bad.write_text('{"bomFormat": "CycloneDX", "components": [', encoding="utf-8")
    run = sarif(make_report(KASPERSKY, str(bad)))["runs"][0]
    inv = run["invocations"][0]
    assert inv["executionSuccessful"] is False and inv["exitCode"] == 2
    assert "broken.cdx.json" in inv["toolExecutionNotifications"][0]["message"]["text"]


def test_hostile_name_is_data_not_structure() -> None:
    run = sarif(make_report(HOSTILE))["runs"][0]
    res = run["results"][0]
    assert HOSTILE_NAME in res["message"]["text"]
    assert res["properties"]["component"] == HOSTILE_NAME
    assert res["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "=cmd|' /C calc'!A0"
