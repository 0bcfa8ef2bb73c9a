"""Per-input problems (issue 9 item 13) reach every report format, and never change the verdict."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from conftest import REPO, cdx, run_cli

from compliance.formats.json_report import report_schema

PROBLEM = "/components/0/authors: expected an array, found a string; read as one author's name"
SCAN = ("scan", "-j", "US", "--as-of", "2026-01-01")


@pytest.fixture
def offspec(tmp_path: Path) -> Path:
    path = tmp_path / "offspec.cdx.json"
    path.write_text(json.dumps(cdx([{"name": "Kaspersky Endpoint Security", "authors": "AO Kaspersky Lab"}])))
    return path


def test_problems_in_text_json_markdown_html(offspec: Path) -> None:
    text = run_cli(*SCAN, str(offspec))
    assert text.returncode == 1, text.stderr
    assert "1 matched a catalog vendor, 1 problem\n" in text.stdout and f"  PROBLEM {PROBLEM}\n" in text.stdout
    report = json.loads(run_cli(*SCAN, "-f", "json", str(offspec)).stdout)
    assert report["inputs"][0]["problems"] == [PROBLEM] and report["verdict"] == "fail"
    jsonschema.validate(report, report_schema())
    markdown = run_cli(*SCAN, "-f", "markdown", str(offspec)).stdout
    assert "1 matched, 1 problem" in markdown and "  - problem: " in markdown
    html = run_cli(*SCAN, "-f", "html", str(offspec)).stdout
    assert "1 problem:<ul><li>/components/0/authors: expected an array, found a string; read as one author&#x27;s name" in html


def test_problems_in_sarif_junit_csv(offspec: Path) -> None:
    sarif = json.loads(run_cli(*SCAN, "-f", "sarif", str(offspec)).stdout)
    invocation = sarif["runs"][0]["invocations"][0]
    notes = invocation["toolExecutionNotifications"]
    assert [(n["level"], n["message"]["text"]) for n in notes] == [("warning", f"{offspec}: {PROBLEM}")]
    assert invocation["executionSuccessful"] is True
    junit = ET.fromstring(run_cli(*SCAN, "-f", "junit", str(offspec)).stdout)
    suite = junit.find("testsuite")
    assert suite is not None
    assert {p.get("name"): p.get("value") for p in suite.iter("property")}["problems"] == "1"
    assert suite.findtext("system-out") == f"1 problem:\n{PROBLEM}"
    rows = list(csv.DictReader(io.StringIO(run_cli(*SCAN, "-f", "csv", str(offspec)).stdout)))
    problem_rows = [r for r in rows if r["status"] == "problem"]
    assert [(r["input"].endswith("offspec.cdx.json"), r["message"]) for r in problem_rows] == [(True, PROBLEM)]


def test_sarif_with_problems_is_schema_valid(offspec: Path) -> None:
    schema = json.loads((REPO / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(json.loads(run_cli(*SCAN, "-f", "sarif", str(offspec)).stdout), schema)
