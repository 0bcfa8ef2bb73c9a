"""The JSON report against the JSON Schema shipped in the package, on real reports of every kind."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import EXAMPLES, REPO, run_cli

from compliance.formats.json_report import report_schema

SCHEMA = report_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


def scan_json(*args: str, stdin: bytes | None = None, expect: int | None = None) -> dict[str, Any]:
    proc = run_cli("scan", *args, "--as-of", "2026-11-22", "-f", "json", stdin=stdin)
    if expect is not None:
        assert proc.returncode == expect, proc.stderr
    report = json.loads(proc.stdout)
    errors = [f"{e.json_path}: {e.message}" for e in VALIDATOR.iter_errors(report)]
    assert not errors, errors[:5]
    return report


def test_schema_is_valid_and_ships_in_the_package() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert (REPO / "compliance" / "formats" / "schemas" / "report.schema.json").is_file()


def test_pass_report() -> None:
    r = scan_json(str(EXAMPLES / "clean-web-app.cdx.json"), "-j", "US", expect=0)
    assert r["verdict"] == "pass" and r["findings"] == []
    assert r["waivers"] == {"file": None, "applied": [], "lapsed": [], "unused": []}  # same shape without waivers


def test_fail_report_names_what_was_reviewed() -> None:
    path = EXAMPLES / "endpoint-security-suite.cdx.json"
    r = scan_json(str(path), "-j", "US", expect=1)
    assert r["verdict"] == "fail"
    doc = json.loads(path.read_text("utf-8"))
    (inp,) = r["inputs"]
    assert inp["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert inp["serial_number"] == doc["serialNumber"]
    mc = doc["metadata"]["component"]
    supplier = doc["metadata"]["supplier"]["name"]  # the document's supplier when the component names none
    assert inp["subject"] == {"name": mc["name"], "version": mc["version"], "supplier": supplier, "purl": mc.get("purl")}
    assert r["command"] == ["complycheck", "scan", str(path), "-j", "US", "--as-of", "2026-11-22", "-f", "json"]
    [pack] = r["rulepack"]["packs"]
    from compliance.rulepack.cache import builtin_pack_root
    from compliance.rulepack.digest import pack_digest

    assert pack["name"] == "complycheck-builtin"
    assert pack["digest"] == "sha256:" + pack_digest(builtin_pack_root())  # what the report rests on
    assert (pack["signer"], pack["source"]) == (None, "built-in")
    assert r["rulepack"]["version"] == f"complycheck-builtin {r['rulepack']['packs'][0]['version']}"


def test_xml_and_stdin_inputs() -> None:
    xml = EXAMPLES / "mobile-fleet-apps.cdx.xml"
    r = scan_json(str(xml), "-j", "CA", "-c", "government", "-c", "mobile", expect=1)
    assert r["inputs"][0]["subject"]["name"] and r["inputs"][0]["serial_number"].startswith("urn:uuid:")
    data = (EXAMPLES / "clean-web-app.cdx.json").read_bytes()
    r = scan_json("-", "-j", "US", stdin=data, expect=0)
    assert r["inputs"][0]["sha256"] == hashlib.sha256(data).hexdigest()


def test_error_report(tmp_path: Path) -> None:
    bad = tmp_path / "truncated.cdx.json"
    bad.write_bytes(b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [')
    r = scan_json(str(bad), str(tmp_path / "missing.json"), str(EXAMPLES / "clean-web-app.cdx.json"), "-j", "US", expect=2)
    assert r["verdict"] == "error"
    by_path = {Path(i["path"]).name: i for i in r["inputs"]}
    assert by_path["truncated.cdx.json"]["sha256"] == hashlib.sha256(bad.read_bytes()).hexdigest()
    assert by_path["truncated.cdx.json"]["error"] and by_path["truncated.cdx.json"]["format"] is None
    assert by_path["missing.json"]["sha256"] is None and "no such file" in by_path["missing.json"]["error"]


def test_waivers_report() -> None:
    r = scan_json(
        str(EXAMPLES / "endpoint-security-suite.cdx.json"), "-j", "US", "-c", "procurement",
        "--waivers", str(REPO / "examples" / "reports" / "waivers.yaml"), expect=1,
    )
    w = r["waivers"]
    assert [x["id"] for x in w["applied"]] == ["KSN-OFF"] and w["applied"][0]["findings"] == 1
    assert [x["id"] for x in w["lapsed"]] == ["OLD-PILOT"] and w["lapsed"][0]["findings_now_unwaived"] > 0
    assert [x["id"] for x in w["unused"]] == ["WECHAT-SDK"] and w["unused"][0]["findings"] == 0
    assert any(f["waived"] and f["waiver"]["id"] == "KSN-OFF" for f in r["findings"])


def test_fleet_report() -> None:
    r = scan_json(str(REPO / "examples" / "inventories"), "-j", "US", "-j", "CA", "-c", "government", "-c", "mobile")
    assert len(r["inputs"]) >= 10 and r["fleet"]["inputs_scanned"] == len(r["inputs"])
    assert all(i["sha256"] for i in r["inputs"])


def test_organisation_pack_is_listed_separately() -> None:
    r = scan_json(str(EXAMPLES / "clean-web-app.cdx.json"), "--rules", str(REPO / "examples" / "org-policy"), "-j", "ORG")
    names = [p["name"] for p in r["rulepack"]["packs"]]
    assert names[0] == "complycheck-builtin" and len(names) == 2
    assert " + " in r["rulepack"]["version"]


@pytest.mark.parametrize(
    "mutate",
    [
        lambda r: r["inputs"][0].update(unexpected=1),
        lambda r: r["findings"][0]["evidence"][0].update(unexpected=1),
        lambda r: r.update(unexpected=1),
        lambda r: r["waivers"].pop("lapsed"),
        lambda r: r["rulepack"].pop("packs"),
    ],
)
def test_schema_rejects_unlisted_fields_and_missing_keys(mutate) -> None:
    """A field added in code but not in the schema fails here: additions to the contract are explicit."""
    r = scan_json(str(EXAMPLES / "endpoint-security-suite.cdx.json"), "-j", "US")
    bad = copy.deepcopy(r)
    mutate(bad)
    assert not VALIDATOR.is_valid(bad)


def test_subject_prefers_the_component_supplier_and_tolerates_none(write_bom) -> None:
    """metadata.component's own supplier names the product's supplier; the document's is the fallback."""
    meta = {
        "component": {"type": "application", "name": "Gadget", "version": "2.0", "supplier": {"name": "Maker Ltd"}},
        "supplier": {"name": "Reseller Inc."},
    }
    path = write_bom([{"name": "left-pad", "version": "1.3.0"}], metadata=meta, serialNumber="urn:uuid:1")
    (inp,) = scan_json(str(path), "-j", "US", expect=0)["inputs"]
    assert inp["subject"] == {"name": "Gadget", "version": "2.0", "supplier": "Maker Ltd", "purl": None}
    assert inp["serial_number"] == "urn:uuid:1"
    bare = write_bom([{"name": "left-pad", "version": "1.3.0"}])
    (inp,) = scan_json(str(bare), "-j", "US", expect=0)["inputs"]
    assert inp["subject"] is None and inp["serial_number"] is None
