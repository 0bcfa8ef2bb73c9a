"""Completeness of the catalog for its rules, and the coverage limits a rule declares.

A product a rule names must be a catalog product with at least one identifier, or ``rules validate``
fails with one line ``FILE: rule ID: FIELD: message``. What a rule names but cannot identify is declared in
``covers.unidentifiable``; ``rules show`` and every report format that applies the rule state it as a
coverage limit ("this rule also names N products complycheck cannot identify: ...").
"""

from __future__ import annotations

import copy
import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import run_cli
from test_rules_validate import RULE, VENDORS, problems_of, rule, write_pack

from compliance.formats.json_report import report_schema
from compliance.rulepack.validate import validate

GAPS = [
    {"name": "acme.example (web site)", "reason": "A web service: nothing is installed."},
    {"name": "Acme Lite", "reason": "No app id found in public sources."},
]


def vendors_with_sdk_identifier() -> dict[str, Any]:
    v = copy.deepcopy(VENDORS)
    v["vendors"][0]["products"][1]["identifiers"] = {"purl": ["pkg:maven/com.acme/acme-sdk"]}
    return v


def covering(products: list[str], kinds: list[str], gaps: list[dict[str, str]] | None = None) -> dict[str, Any]:
    covers: dict[str, Any] = {"vendors": ["acme"], "kinds": kinds, "products": products}
    if gaps is not None:
        covers["unidentifiable"] = gaps
    return rule(covers=covers)


def test_a_named_product_without_identifiers_fails_validation(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "p", rules=[covering(["acme-sdk"], ["sdk"])])
    problems = problems_of(root)
    assert problems == [
        f"{root / 'jurisdictions' / 'XX.yaml'}: rule XX-ACME-2024: covers.products: product 'acme-sdk' ('Acme SDK') has "
        "no identifier (android, bundle, winget, purl, cpe, swid), so complycheck cannot identify it: add a sourced "
        "identifier to the catalog, or declare it by that name in covers.unidentifiable with the reason"
    ]
    proc = run_cli("rules", "validate", str(root))
    assert proc.returncode == 2
    assert proc.stderr.count("covers.products: product 'acme-sdk'") == 1


def test_the_same_product_with_an_identifier_passes(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "p", vendors=vendors_with_sdk_identifier(), rules=[covering(["acme-sdk"], ["sdk"])])
    assert validate([root]).ok


def test_a_declared_product_without_identifiers_passes(tmp_path: Path) -> None:
    """A catalog product known only by its name may stay covered when the rule states the limit."""
    gaps = [{"name": "Acme SDK", "reason": "No package id is published."}]
    root = write_pack(tmp_path / "p", rules=[covering(["acme-sdk"], ["sdk"], gaps)])
    assert validate([root]).ok


def test_a_declared_gap_that_is_a_catalog_product_with_identifiers_fails(tmp_path: Path) -> None:
    gaps = [*GAPS, {"name": "ACME chat", "reason": "thought to be unidentifiable"}]
    root = write_pack(tmp_path / "p", rules=[covering(["acme-chat"], ["app"], gaps)])
    (line,) = problems_of(root)
    assert line.startswith(f"{root / 'jurisdictions' / 'XX.yaml'}: rule XX-ACME-2024: covers.unidentifiable.2.name: ")
    assert "is catalog product 'acme-chat' (vendor 'acme'), which has identifiers" in line


def test_a_gap_listed_twice_fails(tmp_path: Path) -> None:
    gaps = [*GAPS, {"name": "Acme  lite", "reason": "again"}]
    (line,) = problems_of(write_pack(tmp_path / "p", rules=[covering(["acme-chat"], ["app"], gaps)]))
    assert "rule XX-ACME-2024: covers.unidentifiable.2.name: 'Acme lite' is listed twice" in line


@pytest.mark.parametrize("entry", [{"name": "Acme Lite"}, {"name": " ", "reason": "blank name"}, {"name": "x", "reason": "y", "id": "z"}])
def test_a_malformed_gap_is_a_schema_problem(tmp_path: Path, entry: dict[str, str]) -> None:
    problems = problems_of(write_pack(tmp_path / "p", rules=[covering(["acme-chat"], ["app"], [entry])]))
    assert problems and all("rule XX-ACME-2024: covers.unidentifiable.0" in p for p in problems)


def test_the_builtin_pack_is_complete() -> None:
    """Every product a built-in rule names has an identifier or is declared as a coverage limit."""
    result = validate()
    assert result.ok, result.problems
    assert result.pack is not None
    declared = [r for r in result.pack.rules if r.unidentifiable]
    assert declared, "the built-in pack states its coverage limits"


def test_rules_show_states_the_limit(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "p", rules=[covering(["acme-chat"], ["app"], GAPS)])
    proc = run_cli("rules", "show", "XX-ACME-2024", "--no-builtin-rules", "--rules", str(root))
    assert proc.returncode == 0, proc.stderr
    text = " ".join(proc.stdout.split())
    assert "Limit: This rule also names 2 products complycheck cannot identify: acme.example (web site), Acme Lite." in text
    assert "- Acme Lite: No app id found in public sources." in text


@pytest.fixture(scope="module")
def gap_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gaps") / "p"
    late = rule(id="XX-ACME-LATE", covers={"vendors": ["acme"], "kinds": ["app"], "products": ["acme-chat"],
                                          "unidentifiable": [{"name": "Acme Beta", "reason": "No id."}]},
                actions=[{"id": "ban", "description": "later", "effective": "2030-01-01"}])
    return write_pack(root, rules=[covering(["acme-chat"], ["app"], GAPS), late])


@pytest.fixture(scope="module")
def clean_sbom(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sbom") / "app.cdx.json"
    path.write_text(json.dumps({
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "components": [{"type": "library", "name": "left-pad", "version": "1.3.0", "purl": "pkg:npm/left-pad@1.3.0"}],
    }))
    return path


def scan(pack: Path, sbom: Path, fmt: str, *extra: str) -> tuple[int, str]:
    proc = run_cli("scan", str(sbom), "--no-builtin-rules", "--rules", str(pack), "-j", "XX", "-c", "government",
                   "--as-of", "2025-01-01", "-f", fmt, *extra)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, proc.stdout


MESSAGE = "this rule also names 2 products complycheck cannot identify: acme.example (web site), Acme Lite"


def test_json_report_carries_the_limit_and_matches_its_schema(gap_pack: Path, clean_sbom: Path) -> None:
    code, out = scan(gap_pack, clean_sbom, "json")
    report = json.loads(out)
    jsonschema.Draft202012Validator(report_schema()).validate(report)
    assert code == 0 and report["verdict"] == "pass"
    assert report["coverage_limits"] == [
        {"rule_id": "XX-ACME-2024", "jurisdiction": "XX", "title": RULE["title"], "message": MESSAGE, "unidentifiable": GAPS}
    ]
    by_id = {r["rule_id"]: r for r in report["rules_evaluated"]}
    assert by_id["XX-ACME-2024"]["unidentifiable"] == GAPS
    # A rule not in force at the scan date does not apply: it has no limit in the report (but keeps its list).
    assert by_id["XX-ACME-LATE"]["unidentifiable"] == [{"name": "Acme Beta", "reason": "No id."}]


def test_a_rule_outside_the_scan_contexts_states_no_limit(gap_pack: Path, clean_sbom: Path) -> None:
    proc = run_cli("scan", str(clean_sbom), "--no-builtin-rules", "--rules", str(gap_pack), "-j", "XX",
                   "--as-of", "2025-01-01", "-f", "json")
    assert json.loads(proc.stdout)["coverage_limits"] == []


def test_text_report_states_the_limit(gap_pack: Path, clean_sbom: Path) -> None:
    _, out = scan(gap_pack, clean_sbom, "text")
    assert f"  LIMIT XX-ACME-2024 (XX): {MESSAGE}" in out.splitlines()
    assert "Acme Beta" not in out


def test_markdown_report_states_the_limit(gap_pack: Path, clean_sbom: Path) -> None:
    _, out = scan(gap_pack, clean_sbom, "markdown")
    assert "Coverage limits" in out and "acme.example" in out and "Acme Lite" in out


def test_html_report_states_the_limit_with_reasons(gap_pack: Path, clean_sbom: Path) -> None:
    _, out = scan(gap_pack, clean_sbom, "html")
    assert 'id="coverage-limits"' in out
    assert "<strong>Acme Lite</strong>: No app id found in public sources." in out


def test_sarif_report_states_the_limit(gap_pack: Path, clean_sbom: Path) -> None:
    _, out = scan(gap_pack, clean_sbom, "sarif")
    run = json.loads(out)["runs"][0]
    assert run["properties"]["coverageLimits"][0]["message"] == MESSAGE
    notes = [n for n in run["invocations"][0]["toolExecutionNotifications"] if n["descriptor"]["id"] == "coverage-limit"]
    assert [n["message"]["text"] for n in notes] == [f"XX-ACME-2024: {MESSAGE}"]
    rules = run["tool"]["driver"]["rules"]
    assert notes[0]["associatedRule"]["index"] == [r["name"] for r in rules].index("XX-ACME-2024")


def test_junit_report_states_the_limit(gap_pack: Path, clean_sbom: Path) -> None:
    _, out = scan(gap_pack, clean_sbom, "junit")
    root = ET.fromstring(out)
    values = [p.get("value") for p in root.iter("property") if p.get("name") == "coverage_limit"]
    assert values == [f"XX-ACME-2024 (XX): {MESSAGE}"]


def test_csv_report_states_the_limit(gap_pack: Path, clean_sbom: Path) -> None:
    _, out = scan(gap_pack, clean_sbom, "csv")
    rows = [r for r in csv.DictReader(io.StringIO(out)) if r["status"] == "coverage-limit"]
    assert [(r["rule_id"], r["message"]) for r in rows] == [("XX-ACME-2024", MESSAGE)]


def test_github_annotations_state_the_limit(gap_pack: Path, clean_sbom: Path) -> None:
    _, out = scan(gap_pack, clean_sbom, "github")
    assert any(line.startswith("::notice title=complycheck coverage limit%3A XX/XX-ACME-2024::") and "Acme Lite" in line
               for line in out.splitlines())
