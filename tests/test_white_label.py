"""White-label integration (issue 18 section 6): when an SBOM's subject (metadata.component) is another
vendor's product that contains a barred engine or SDK, the finding says that the product under review
integrates it. The engine decides it (Finding.integrated_into); every format renders it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

FIXTURE = Path(__file__).parent / "fixtures" / "cyclonedx" / "white-label-kaspersky-sdk.cdx.json"
SUBJECT = {"name": "Contoso MailShield Gateway", "version": "5.1.0", "supplier": "Contoso Security Ltd", "purl": None}
SCAN = ("scan", str(FIXTURE), "-j", "US", "--as-of", "2026-11-22")


def _failing(report: dict) -> list[dict]:
    return [f for f in report["findings"] if f["rule_id"] == "US-ICTS-KASPERSKY-2024" and f["severity"] == "fail"]


def test_json_names_the_product_under_review_that_integrates_the_sdk():
    proc = run_cli(*SCAN, "-f", "json")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    [finding] = _failing(report)
    assert finding["component"]["name"] == "Kaspersky Anti-Virus SDK"
    assert finding["integrated_into"] == SUBJECT
    assert "The product under review, Contoso MailShield Gateway 5.1.0, supplied by Contoso Security Ltd, integrates" in finding["message"]
    # Findings of components that are not integrated say so with null.
    assert all(f["integrated_into"] is None for f in report["findings"] if f["component"]["name"] != "Kaspersky Anti-Virus SDK")


@pytest.mark.parametrize(
    ("fmt", "needle"),
    [
        ("text", "Integrated: Contoso MailShield Gateway 5.1.0 (supplier: Contoso Security Ltd), the product under review, integrates this component"),
        ("markdown", "**Integrated:** Contoso MailShield Gateway 5.1.0 \\(supplier: Contoso Security Ltd\\), the product under review"),
        ("html", "<strong>Integrated:</strong> Contoso MailShield Gateway 5.1.0 (supplier: Contoso Security Ltd), the product under review"),
        ("sarif", "The product under review, Contoso MailShield Gateway 5.1.0, supplied by Contoso Security Ltd, integrates Kaspersky Anti-Virus SDK"),
    ],
)
def test_every_format_says_the_product_integrates_it(fmt, needle):
    proc = run_cli(*SCAN, "-f", fmt)
    assert proc.returncode == 1, proc.stderr
    assert needle in proc.stdout


def test_sarif_result_carries_the_subject_as_a_property():
    report = json.loads(run_cli(*SCAN, "-f", "sarif").stdout)
    results = [r for r in report["runs"][0]["results"] if r["ruleId"] == "US/US-ICTS-KASPERSKY-2024"]
    assert [r["properties"].get("integratedInto") for r in results] == [SUBJECT]


def test_the_vendors_own_product_does_not_integrate_its_own_component(tmp_path):
    doc = json.loads(FIXTURE.read_text("utf-8"))
    doc["metadata"]["component"] = {"type": "application", "name": "Kaspersky Security for Mail Server", "version": "8.0",
                                    "supplier": {"name": "AO Kaspersky Lab"}}
    path = tmp_path / "kaspersky-own.cdx.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    report = json.loads(run_cli("scan", str(path), "-j", "US", "--as-of", "2026-11-22", "-f", "json").stdout)
    assert _failing(report) and all(f["integrated_into"] is None for f in report["findings"])


def test_an_sbom_without_a_subject_reports_components_only(tmp_path):
    doc = json.loads(FIXTURE.read_text("utf-8"))
    del doc["metadata"]["component"]
    path = tmp_path / "no-subject.cdx.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    report = json.loads(run_cli("scan", str(path), "-j", "US", "--as-of", "2026-11-22", "-f", "json").stdout)
    assert _failing(report) and all(f["integrated_into"] is None for f in report["findings"])
