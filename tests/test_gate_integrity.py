"""Issue 17 item 5: never a green gate by accident.

Nothing checked is not a PASS; too little vendor identity can be made an error; every requested report is
written even when no input could be read; hidden files in a folder are read or listed, never dropped.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from conftest import REPO, cdx, run_cli
from lxml import etree

from compliance.formats.json_report import report_schema

AS_OF = ("--as-of", "2026-01-01")
SCHEMAS = Path(__file__).parent / "schemas"
SARIF_SCHEMA = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
JUNIT_XSD = etree.XMLSchema(etree.parse(str(SCHEMAS / "junit.xsd")))
REPORT_VALIDATOR = jsonschema.Draft202012Validator(report_schema())

KASPERSKY = {"type": "application", "name": "Kaspersky Anti-Virus", "version": "21.3", "bom-ref": "kav",
             "supplier": {"name": "AO Kaspersky Lab"}}
# A CycloneDX SBOM of a Python environment: PyPI purls have no namespace, so no component says who made it.
PYTHON_ENV = [{"type": "library", "name": n, "version": "1.0", "purl": f"pkg:pypi/{n}@1.0"}
              for n in ("requests", "urllib3", "idna", "certifi")]
VEX = {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
       "vulnerabilities": [{"id": "CVE-2024-0001", "analysis": {"state": "not_affected"},
                            "affects": [{"ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg"}]}]}
SPDX3_NO_PACKAGES = {
    "@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld",
    "@graph": [
        {"type": "CreationInfo", "@id": "_:creationinfo", "specVersion": "3.0.1", "created": "2024-09-30T08:00:00Z",
         "createdBy": ["https://sbom.corp.example/agent/tool"]},
        {"type": "Organization", "spdxId": "https://sbom.corp.example/agent/tool", "creationInfo": "_:creationinfo",
         "name": "Example Corp IT"},
    ],
}


def _write(path: Path, doc: object) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


# -- nothing checked -----------------------------------------------------------------------------


@pytest.mark.parametrize("doc", [VEX, SPDX3_NO_PACKAGES], ids=["cyclonedx-vex", "spdx3-no-packages"])
def test_a_document_with_no_component_is_an_error_not_a_pass(tmp_path: Path, doc: dict) -> None:
    path = _write(tmp_path / "given-instead-of-the-sbom.json", doc)
    proc = run_cli("scan", str(path), "-j", "US", "--fail-on", "warn", *AS_OF)
    assert proc.returncode == 2, proc.stdout
    assert "VERDICT: ERROR" in proc.stdout and "VERDICT: PASS" not in proc.stdout
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("complycheck: error:")]
    assert len(errors) == 1 and str(path) in errors[0] and "0 components" in errors[0] and "--allow-empty" in errors[0]


def test_allow_empty_flag_and_policy_key_let_a_truly_empty_sbom_pass(tmp_path: Path) -> None:
    path = _write(tmp_path / "empty.cdx.json", cdx([]))
    assert run_cli("scan", str(path), "-j", "US", *AS_OF).returncode == 2
    flag = run_cli("scan", str(path), "-j", "US", "--allow-empty", *AS_OF)
    assert flag.returncode == 0 and "VERDICT: PASS" in flag.stdout, flag.stderr
    policy = tmp_path / "policy.yaml"
    policy.write_text("jurisdictions: [US]\nallow_empty: true\n", encoding="utf-8")
    assert run_cli("scan", str(path), "--config", str(policy), *AS_OF).returncode == 0
    policy.write_text("jurisdictions: [US]\nallow_empty: yes-please\n", encoding="utf-8")
    bad = run_cli("scan", str(path), "--config", str(policy), *AS_OF)
    assert bad.returncode == 2 and re.search(r"policy\.yaml: line 2: 'allow_empty'", bad.stderr), bad.stderr


def test_nothing_checked_in_one_input_of_a_fleet_keeps_the_others(tmp_path: Path, write_bom) -> None:
    good = write_bom([KASPERSKY])
    vex = _write(tmp_path / "vex.json", VEX)
    proc = run_cli("scan", str(good), str(vex), "-j", "US", "-f", "json", "--jobs", "1", *AS_OF)
    report = json.loads(proc.stdout)
    assert proc.returncode == 2 and report["verdict"] == "error"
    assert [("error" in i) for i in report["inputs"]] == [False, True]
    assert [f["rule_id"] for f in report["findings"] if f["severity"] == "fail"] == ["US-ICTS-KASPERSKY-2024"]


# -- vendor-identity coverage ------------------------------------------------------------------------


def test_min_vendor_coverage_is_an_error_that_keeps_the_findings(tmp_path: Path, write_bom) -> None:
    path = write_bom([*PYTHON_ENV, KASPERSKY])  # 1 of 5 components (20%) says who made it
    assert run_cli("scan", str(path), "-j", "US", *AS_OF).returncode == 1  # off by default
    assert run_cli("scan", str(path), "-j", "US", "--min-vendor-coverage", "20", *AS_OF).returncode == 1
    proc = run_cli("scan", str(path), "-j", "US", "--min-vendor-coverage", "20.5", "-f", "json", *AS_OF)
    assert proc.returncode == 2
    report = json.loads(proc.stdout)
    REPORT_VALIDATOR.validate(report)
    inp = report["inputs"][0]
    assert report["verdict"] == "error" and inp["format"] == "cyclonedx-json"
    assert "vendor identity on 1 of 5 components (20.0%), below the required 20.5%" in inp["error"]
    # Recall first: the Kaspersky violation is still reported.
    assert [f["rule_id"] for f in report["findings"] if f["severity"] == "fail"] == ["US-ICTS-KASPERSKY-2024"]
    errors = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(errors) == 1 and "--min-vendor-coverage" in errors[0]


def test_min_vendor_coverage_policy_key_and_its_bounds(tmp_path: Path, write_bom) -> None:
    path = write_bom(PYTHON_ENV)
    policy = tmp_path / ".complycheck.yaml"
    policy.write_text("jurisdictions: [US]\nmin_vendor_coverage: 50\n", encoding="utf-8")
    proc = run_cli("scan", str(path), "--config", str(policy), *AS_OF)
    assert proc.returncode == 2 and "(0.0%), below the required 50%" in proc.stderr
    # The flag overrides the file.
    assert run_cli("scan", str(path), "--config", str(policy), "--min-vendor-coverage", "0", *AS_OF).returncode == 0
    for value in ("150", "-1", "true", "lots"):
        policy.write_text(f"jurisdictions: [US]\nmin_vendor_coverage: {value}\n", encoding="utf-8")
        bad = run_cli("scan", str(path), "--config", str(policy), *AS_OF)
        assert bad.returncode == 2 and "line 2: 'min_vendor_coverage'" in bad.stderr, (value, bad.stderr)
    flag = run_cli("scan", str(path), "-j", "US", "--min-vendor-coverage", "101", *AS_OF)
    assert flag.returncode == 2 and "--min-vendor-coverage" in flag.stderr


def test_coverage_error_is_shown_in_every_format(tmp_path: Path, write_bom) -> None:
    path = write_bom([*PYTHON_ENV, KASPERSKY], name="python-env.cdx.json")
    out = {name: tmp_path / f"r.{name}" for name in ("sarif", "junit", "markdown", "html", "csv", "github", "text")}
    args = [a for name, p in out.items() for a in ("-o", f"{name}={p}")]
    proc = run_cli("scan", str(path), "-j", "US", "--min-vendor-coverage", "80", "-f", "json", *args, *AS_OF)
    assert proc.returncode == 2
    texts = {name: p.read_text(encoding="utf-8") for name, p in out.items()}
    needle = "below the required 80%"
    for name in ("junit", "markdown", "html", "github", "text"):
        assert needle in texts[name], name
    for name in ("junit", "markdown", "html", "github", "text", "csv"):
        assert "Kaspersky Anti-Virus" in texts[name], name  # the finding is kept everywhere
    sarif = json.loads(texts["sarif"])
    jsonschema.validate(sarif, SARIF_SCHEMA)
    invocation = sarif["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False and invocation["exitCode"] == 2
    assert any(needle in n["message"]["text"] for n in invocation["toolExecutionNotifications"])
    assert [r["ruleId"] for r in sarif["runs"][0]["results"] if r["level"] == "error"] == ["US/US-ICTS-KASPERSKY-2024"]
    junit = etree.fromstring(texts["junit"].encode("utf-8"))
    assert JUNIT_XSD.validate(junit), JUNIT_XSD.error_log
    assert junit.get("errors") == "1" and junit.get("failures") == "1"
    assert "VERDICT: ERROR" in texts["text"] and "NOT CHECKED" in texts["html"]


# -- every requested report, whatever happens -------------------------------------------------------


def _all_reports(tmp_path: Path, *inputs: str) -> tuple[int, dict[str, str], str]:
    out = {name: tmp_path / f"report.{name}" for name in ("sarif", "junit", "markdown", "html", "csv", "github", "text")}
    args = [a for name, p in out.items() for a in ("-o", f"{name}={p}")]
    proc = run_cli("scan", *inputs, "-j", "US", "-f", "json", *args, *AS_OF)
    missing = [name for name, p in out.items() if not p.is_file()]
    assert not missing, (missing, proc.stderr)
    texts = {name: p.read_text(encoding="utf-8") for name, p in out.items()}
    texts["json"] = proc.stdout
    return proc.returncode, texts, proc.stderr


def _assert_error_reports(texts: dict[str, str], needle: str) -> None:
    report = json.loads(texts["json"])
    REPORT_VALIDATOR.validate(report)
    assert report["verdict"] == "error" and report["exit_code"] == 2
    assert any(needle in (i.get("error") or "") for i in report["inputs"])
    sarif = json.loads(texts["sarif"])
    jsonschema.validate(sarif, SARIF_SCHEMA)
    invocation = sarif["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False and invocation["exitCode"] == 2
    junit = etree.fromstring(texts["junit"].encode("utf-8"))
    assert JUNIT_XSD.validate(junit), JUNIT_XSD.error_log
    assert int(junit.get("errors")) >= 1
    for name in ("markdown", "html", "github", "text"):
        assert needle in texts[name], name
    assert "VERDICT: ERROR" in texts["text"]


def test_a_single_unreadable_input_still_writes_every_requested_report(tmp_path: Path) -> None:
    bad = tmp_path / "sbom.json"
    bad.write_text('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [', encoding="utf-8")
    code, texts, stderr = _all_reports(tmp_path, str(bad))
    assert code == 2 and len(stderr.splitlines()) == 1 and "sbom.json" in stderr
    _assert_error_reports(texts, "truncated JSON")


def test_a_missing_input_still_writes_every_requested_report(tmp_path: Path) -> None:
    code, texts, _stderr = _all_reports(tmp_path, str(tmp_path / "no-such-sbom.json"))
    assert code == 2
    _assert_error_reports(texts, "no such file")


def test_a_folder_of_non_inventories_still_writes_every_requested_report(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "README.md").write_text("# nothing here\n", encoding="utf-8")
    code, texts, _stderr = _all_reports(tmp_path, str(docs))
    assert code == 2
    _assert_error_reports(texts, "no inventory to scan")
    assert json.loads(texts["json"])["skipped"][0]["path"].endswith("README.md")
    empty = tmp_path / "empty"
    empty.mkdir()
    code, texts, _stderr = _all_reports(tmp_path, str(empty))
    assert code == 2
    _assert_error_reports(texts, "directory contains no input files")


# -- hidden files ------------------------------------------------------------------------------------

BITNAMI_SPDX = """SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: bitnami-app
DocumentNamespace: https://bitnami.com/spdx/app-1.0.0
Creator: Organization: VMware, Inc.
Created: 2024-09-30T08:00:00Z

PackageName: kaspersky-endpoint-agent
SPDXID: SPDXRef-Package-kea
PackageVersion: 12.1
PackageSupplier: Organization: AO Kaspersky Lab
PackageDownloadLocation: NOASSERTION
FilesAnalyzed: false
"""


def test_hidden_inventories_are_read_and_other_hidden_entries_are_listed(tmp_path: Path) -> None:
    """Bitnami images ship their SBOMs as /opt/bitnami/<app>/.spdx-<app>.spdx."""
    app = tmp_path / "opt" / "bitnami" / "app"
    app.mkdir(parents=True)
    (app / ".spdx-app.spdx").write_text(BITNAMI_SPDX, encoding="utf-8")
    (app / ".gitignore").write_text("*.log\n", encoding="utf-8")
    (app / ".git").mkdir()
    (app / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    proc = run_cli("scan", str(tmp_path / "opt"), "-j", "US", "-f", "json", *AS_OF)
    report = json.loads(proc.stdout)
    assert proc.returncode == 1, proc.stderr
    assert [i["path"] for i in report["inputs"]] == [str(app / ".spdx-app.spdx")]
    assert [f["component"]["name"] for f in report["findings"] if f["severity"] == "fail"] == ["kaspersky-endpoint-agent"]
    skipped = {s["path"]: s["reason"] for s in report["skipped"]}
    assert set(skipped) == {str(app / ".git"), str(app / ".gitignore")}
    assert "hidden directory" in skipped[str(app / ".git")] and "hidden file" in skipped[str(app / ".gitignore")]
    assert "skipped" in proc.stderr and ".gitignore" in proc.stderr


def test_a_hidden_file_that_looks_like_an_inventory_but_is_broken_is_an_error(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    (fleet / ".host-1.cdx.json").write_text('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [',
                                            encoding="utf-8")
    proc = run_cli("scan", str(fleet), "-j", "US", *AS_OF)
    assert proc.returncode == 2 and ".host-1.cdx.json" in proc.stderr


def test_readme_example_sbom_still_passes_its_gate() -> None:
    """The docs' example (11 components, 10 with vendor identity) is unaffected by the default gate."""
    proc = run_cli("scan", str(REPO / "examples" / "sboms" / "endpoint-security-suite.cdx.json"), "-j", "US", *AS_OF)
    assert proc.returncode == 1 and "VERDICT: FAIL" in proc.stdout


# -- identity hidden by the parser -------------------------------------------------------------------

KAV_SUPPLIER = '{"name": "AO Kaspersky Lab"}'
BENIGN_SUPPLIER = '{"name": "Example Corp"}'


def _cdx_text(component_json: str, *, before: str = "", top: str = "") -> str:
    return ('{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1' + top + ', "components": ['
            + before + component_json + "]}")


def _scan_text(tmp_path: Path, text: str, name: str = "sbom.cdx.json", *extra: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    proc = run_cli("scan", str(path), "-j", "US", "-f", "json", *AS_OF, *extra)
    return proc, (json.loads(proc.stdout) if proc.stdout.strip() else None)


def _failing(report: dict) -> list[tuple[str, str]]:
    return [(f["component"]["name"], f["rule_id"]) for f in report["findings"] if f["severity"] == "fail"]


@pytest.mark.parametrize("component", [
    '{"type": "application", "name": "Endpoint Agent", "supplier": ' + KAV_SUPPLIER + ', "supplier": ' + BENIGN_SUPPLIER + "}",
    '{"type": "application", "name": "Endpoint Agent", "supplier": {"name": "AO Kaspersky Lab", "name": "Example Corp"}}',
    # The repeat written with an escaped member name, and a colon escaped inside a string.
    '{"type": "application", "name": "Endpoint Agent", "supplier": ' + KAV_SUPPLIER
    + ', "supp\\u006cier": {"name": "Example\\u003a Corp"}}',
], ids=["two-suppliers", "two-names-in-supplier", "escaped-member-name"])
def test_a_repeated_supplier_is_read_with_every_value(tmp_path: Path, component: str) -> None:
    proc, report = _scan_text(tmp_path, _cdx_text(component))
    assert proc.returncode == 1, proc.stderr
    assert _failing(report) == [("Endpoint Agent", "US-ICTS-KASPERSKY-2024")]
    problems = report["inputs"][0]["problems"]
    assert len(problems) == 1 and "appears 2 times; every value is read as evidence" in problems[0]
    assert problems[0].startswith("/components/0")


def test_a_repeated_name_gives_a_component_per_name(tmp_path: Path) -> None:
    component = '{"type": "application", "name": "Kaspersky Anti-Virus", "name": "notepad", "version": "21.3"}'
    proc, report = _scan_text(tmp_path, _cdx_text(component))
    assert proc.returncode == 1, proc.stderr
    assert report["inputs"][0]["components"] == 2
    assert ("Kaspersky Anti-Virus", "US-ICTS-KASPERSKY-2024") in _failing(report)


def test_a_repeat_elsewhere_that_changes_meaning_is_an_error(tmp_path: Path) -> None:
    text = ('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": "Kaspersky Anti-Virus", '
            '"supplier": ' + KAV_SUPPLIER + '}], "components": []}')
    path = tmp_path / "sbom.cdx.json"
    path.write_text(text, encoding="utf-8")
    proc = run_cli("scan", str(path), "-j", "US", *AS_OF)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "sbom.cdx.json at /:" in lines[0] and "'components' appears 2 times" in lines[0]


def test_a_repeat_with_the_same_value_is_a_problem(tmp_path: Path) -> None:
    text = _cdx_text('{"name": "Kaspersky Anti-Virus", "supplier": ' + KAV_SUPPLIER + "}",
                     top=', "bomFormat": "CycloneDX"')
    proc, report = _scan_text(tmp_path, text)
    assert proc.returncode == 1
    assert report["inputs"][0]["problems"] == ["/: member 'bomFormat' appears 2 times with the same value"]


def test_a_repeat_in_a_large_sbom_leaves_the_typed_path(tmp_path: Path) -> None:
    """Above 1 MB CycloneDX is decoded by msgspec, which keeps the last value silently too."""
    from compliance.readers.base import Source
    from compliance.readers.cyclonedx_typed import read_typed

    filler = ",".join(
        json.dumps({"type": "library", "name": f"lib{i}", "version": "1.0", "purl": f"pkg:npm/lib{i}@1.0",
                    "description": "a: b", "licenses": [{"license": {"id": "MIT"}}]})
        for i in range(12_000)
    ) + ","
    clean = _cdx_text('{"type": "application", "name": "Endpoint Agent", "supplier": ' + BENIGN_SUPPLIER + "}", before=filler)
    assert len(clean) > 1024 * 1024
    assert read_typed(Source("x", clean.encode())) is not None  # the fast path still takes a clean document
    text = _cdx_text('{"type": "application", "name": "Endpoint Agent", "supplier": ' + KAV_SUPPLIER
                     + ', "supplier": ' + BENIGN_SUPPLIER + "}", before=filler)
    assert read_typed(Source("x", text.encode())) is None
    proc, report = _scan_text(tmp_path, text)
    assert proc.returncode == 1, proc.stderr
    assert _failing(report) == [("Endpoint Agent", "US-ICTS-KASPERSKY-2024")]
    assert report["inputs"][0]["problems"] == [
        "/components/12000: member 'supplier' appears 2 times; every value is read as evidence"
    ]


def test_a_repeat_in_a_streamed_sbom_is_read_with_every_value(monkeypatch: pytest.MonkeyPatch) -> None:
    from compliance.readers import cyclonedx_json, read_source
    from compliance.readers.base import Source

    monkeypatch.setattr(cyclonedx_json, "TYPED_ABOVE", 1 << 40)  # straight to the streaming reader
    monkeypatch.setattr(cyclonedx_json, "STREAM_ABOVE", 10)
    text = _cdx_text('{"type": "application", "name": "Endpoint Agent", "supplier": ' + KAV_SUPPLIER
                     + ', "supplier": ' + BENIGN_SUPPLIER + "}")
    inventory = read_source(Source("big.cdx.json", text.encode()))
    assert ("supplier.name", "AO Kaspersky Lab") in inventory.components[0].vendor_fields
    assert ("supplier.name", "Example Corp") in inventory.components[0].vendor_fields
    assert len(inventory.problems) == 1


def test_spdx_repeated_supplier_and_agent_name_keep_every_value(tmp_path: Path) -> None:
    spdx2 = ('{"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "name": "x", "packages": [{"SPDXID": '
             '"SPDXRef-a", "name": "endpoint-agent", "supplier": "Organization: AO Kaspersky Lab", '
             '"supplier": "Organization: Example Corp"}]}')
    proc, report = _scan_text(tmp_path, spdx2, "x.spdx.json")
    assert proc.returncode == 1 and _failing(report) == [("endpoint-agent", "US-ICTS-KASPERSKY-2024")]
    assert report["inputs"][0]["problems"][0].startswith("/packages/0: member 'supplier' appears 2 times")
    graph = dict(SPDX3_NO_PACKAGES)
    spdx3 = json.dumps(graph)[:-2] + (
        ', {"type": "Organization", "spdxId": "urn:org:1", "creationInfo": "_:creationinfo", '
        '"name": "AO Kaspersky Lab", "name": "Example Corp"}, {"type": "software_Package", "spdxId": "urn:pkg:1", '
        '"creationInfo": "_:creationinfo", "name": "endpoint-agent", "suppliedBy": "urn:org:1"}]}')
    proc, report = _scan_text(tmp_path, spdx3, "y.spdx.json")
    assert proc.returncode == 1, proc.stderr
    assert _failing(report) == [("endpoint-agent", "US-ICTS-KASPERSKY-2024")]


def test_spdx3_supplier_missing_from_the_document_is_a_listed_problem(tmp_path: Path) -> None:
    graph = json.loads(json.dumps(SPDX3_NO_PACKAGES))
    graph["@graph"].append({"type": "software_Package", "spdxId": "https://sbom.example/pkg/1",
                            "creationInfo": "_:creationinfo", "name": "endpoint-agent",
                            "suppliedBy": "https://sbom.example/agent/AO-Kaspersky-Lab"})
    proc, report = _scan_text(tmp_path, json.dumps(graph), "z.spdx.json")
    assert report["inputs"][0]["problems"] == [
        "/@graph/2/suppliedBy: suppliedBy 'https://sbom.example/agent/AO-Kaspersky-Lab' is no element of this "
        "document; the reference is kept as evidence"
    ]
    # The reference's last segment is evidence, and here it names the vendor.
    assert proc.returncode == 1 and _failing(report) == [("endpoint-agent", "US-ICTS-KASPERSKY-2024")]
    evidence = next(f["evidence"][0] for f in report["findings"] if f["severity"] == "fail")
    assert evidence["field"] == "suppliedBy (unresolved)" and evidence["value"] == "AO-Kaspersky-Lab"


def test_osquery_line_repeating_a_member_with_different_values_is_an_error(tmp_path: Path) -> None:
    line = ('{"name": "pack_software_programs", "hostIdentifier": "pc-1", "unixTime": 1, "calendarTime": "x", '
            '"action": "added", "columns": {"name": "Endpoint Agent", "version": "1", '
            '"publisher": "AO Kaspersky Lab", "publisher": "Example Corp"}}')
    ok = ('{"name": "pack_software_programs", "hostIdentifier": "pc-1", "unixTime": 1, "calendarTime": "x", '
          '"action": "added", "columns": {"name": "7-Zip", "version": "24.08", "publisher": "Igor Pavlov"}}')
    path = tmp_path / "osqueryd.results.log"
    path.write_text(ok + "\n" + line + "\n", encoding="utf-8")
    proc = run_cli("scan", str(path), "-j", "US", *AS_OF)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "line 2" in lines[0] and "'publisher' appears 2 times" in lines[0]


def test_nul_in_the_xml_encoding_name_is_a_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "bom.xml"
    path.write_bytes(b'<?xml version="1.0" encoding="utf\x00-8"?>\n'
                     b'<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components/></bom>')
    proc = run_cli("scan", str(path), "-j", "US", *AS_OF)
    assert proc.returncode == 2 and "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "bom.xml" in lines[0] and "line 1" in lines[0] and "encoding" in lines[0]


def test_typed_records_hold_every_member_the_cyclonedx_schemas_define() -> None:
    """The typed path refuses unknown members (so that a repeated one shows in the colon count): every
    member of a valid CycloneDX 1.2-1.7 document must be known, or valid SBOMs would lose the fast path."""
    import msgspec
    from cyclonedx.schema import _res

    from compliance.readers import cyclonedx_typed as typed

    def names(cls: type) -> set[str]:
        return {f.encode_name for f in msgspec.structs.fields(cls)}

    schemas = Path(_res.__file__).parent
    # Every schema the installed cyclonedx-python-lib ships: 1.2-1.6 in all it allows (>=8), 1.7 from 11.
    shipped = [v for v in ("1.2", "1.3", "1.4", "1.5", "1.6", "1.7") if (schemas / f"bom-{v}.SNAPSHOT.schema.json").is_file()]
    assert shipped[:5] == ["1.2", "1.3", "1.4", "1.5", "1.6"], shipped
    for version in shipped:
        schema = json.loads((schemas / f"bom-{version}.SNAPSHOT.schema.json").read_text(encoding="utf-8"))
        defs = schema.get("definitions") or schema["$defs"]
        assert set(schema["properties"]) <= names(typed._Bom), version
        assert set(defs["component"]["properties"]) <= names(typed._Component), version
        assert set(defs["organizationalEntity"]["properties"]) <= names(typed._Org), version
        assert set(defs["organizationalContact"]["properties"]) <= names(typed._Org), version
        assert set(defs["swid"]["properties"]) <= names(typed._Swid), version
        if "property" in defs:
            assert set(defs["property"]["properties"]) <= names(typed._Property), version
