"""The committed example reports are exactly what the current code produces (they never drift)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import jsonschema
from conftest import REPO

from compliance.formats.json_report import report_schema

SCRIPT = REPO / "examples" / "reports" / "regenerate.py"


def test_committed_example_reports_are_current() -> None:
    proc = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr


def test_check_names_a_stale_report(tmp_path) -> None:
    """The check is not vacuous: a changed byte in a committed report is named."""
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import regenerate
    finally:
        sys.path.remove(str(SCRIPT.parent))
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    target = tmp_path / "examples" / "reports" / "endpoint-security-suite.review.md"
    target.write_bytes(target.read_bytes() + b"\n")
    assert regenerate.check(tmp_path) == ["examples/reports/endpoint-security-suite.review.md"]


def test_example_json_report_matches_the_schema() -> None:
    report = json.loads((REPO / "examples" / "reports" / "endpoint-security-suite.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(report_schema()).validate(report)
    assert report["command"][:2] == ["complycheck", "scan"] and report["waivers"]["applied"]
