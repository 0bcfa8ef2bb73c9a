"""Regression corpora: open-source packages of catalog vendors stay clean, restricted products fail.

The data lives in tests/corpus/*.yaml with the identifiers each package or product really carries and
where they were seen; this module only turns entries into CycloneDX components and scans them.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from compliance.matching import VendorIndex
from compliance.readers import load_source, read_source
from compliance.readers.cyclonedx_json import IDENTIFIER_PROPERTIES
from compliance.rulepack import load_rule_pack
from compliance.scan import ScanOptions, scan
from tests.conftest import cdx, run_cli

CORPUS = Path(__file__).parent / "corpus"
CLEAN = yaml.safe_load((CORPUS / "clean.yaml").read_text("utf-8"))["packages"]
RESTRICTED = yaml.safe_load((CORPUS / "restricted.yaml").read_text("utf-8"))["products"]
# Restricted products as CycloneDX components, and whole export files (the dodges of issue 18) scanned by the CLI.
RESTRICTED_COMPONENTS = [e for e in RESTRICTED if "component" in e]
RESTRICTED_EXPORTS = [e for e in RESTRICTED if "export" in e]
PACK = load_rule_pack()
CLEAN_CONTEXTS = ["government", "mobile", "federal", "procurement"]
AS_OF = date(2026, 11, 22)
_PROPERTY = {kind: name for name, kind in IDENTIFIER_PROPERTIES.items()}


def component(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry's CycloneDX component, with identifiers CycloneDX has no field for as properties."""
    comp = dict(entry["component"])
    props = [{"name": _PROPERTY[k], "value": v} for ident in entry.get("identifiers", []) for k, v in ident.items()]
    if props:
        comp["properties"] = props
    return comp


def test_corpora_are_large_enough_and_name_real_vendors():
    assert len(CLEAN) >= 100 and len(RESTRICTED) >= 40
    assert all(("component" in e) != ("export" in e) for e in RESTRICTED)
    assert all(e.get("lookalike") for e in RESTRICTED_EXPORTS)
    assert {e["vendor"] for e in CLEAN} <= set(PACK.vendors)
    assert all(e.get("seen") for e in CLEAN + RESTRICTED)


def test_clean_entries_reach_their_vendor_exactly_when_marked(tmp_path):
    """Guards the corpus itself: the entries marked ``matches`` test coverage by kind, not a matcher that
    never fires, and the others really are out of the catalog's reach."""
    path = tmp_path / "clean.cdx.json"
    path.write_text(json.dumps(cdx([component(e) for e in CLEAN])), encoding="utf-8")
    inventory = read_source(load_source(str(path)))
    index = VendorIndex(PACK)
    for entry, comp in zip(CLEAN, inventory.components, strict=True):
        vendors = {m.vendor.id for m in index.match(comp)}
        assert (entry["vendor"] in vendors) == entry["matches"], (entry["component"], vendors)


@pytest.mark.parametrize("jurisdiction", sorted(PACK.jurisdictions))
def test_clean_corpus_never_fails_or_warns(tmp_path, jurisdiction):
    path = tmp_path / "clean.cdx.json"
    path.write_text(json.dumps(cdx([component(e) for e in CLEAN])), encoding="utf-8")
    report = scan([str(path)], ScanOptions(jurisdictions=[jurisdiction], contexts=CLEAN_CONTEXTS, as_of=AS_OF))
    loud = [(f.rule_id, f.component.name, f.status) for f in report.findings if f.severity != "info"]
    assert loud == []


def test_clean_corpus_through_the_cli_in_every_jurisdiction(tmp_path):
    path = tmp_path / "clean.cdx.json"
    path.write_text(json.dumps(cdx([component(e) for e in CLEAN])), encoding="utf-8")
    args = [a for j in sorted(PACK.jurisdictions) for a in ("-j", j)]
    args += [a for c in CLEAN_CONTEXTS + ["state-government"] for a in ("--context", c)]
    proc = run_cli("scan", str(path), *args, "--as-of", AS_OF.isoformat(), "--fail-on", "fail", "--format", "json")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    assert [f for f in findings if f["severity"] == "fail"] == []


def _run(tmp_path: Path, entry: dict[str, Any], as_of: date, contexts: list[str]):
    path = tmp_path / f"{entry['id']}.cdx.json"
    path.write_text(json.dumps(cdx([component(entry)])), encoding="utf-8")
    # unverified="fail": the corpus tests matching, so a rule resting on unverified facts (UA) fails too
    options = ScanOptions(jurisdictions=[entry["expect"]["jurisdiction"]], contexts=contexts, as_of=as_of,
                          unverified="fail")
    return scan([str(path)], options)


@pytest.mark.parametrize("entry", RESTRICTED_COMPONENTS, ids=lambda e: e["id"])
def test_restricted_product_fails_its_rule_in_scope_and_in_force(tmp_path, entry):
    expect = entry["expect"]
    rule = PACK.rule(expect["rule"])
    assert rule is not None, expect["rule"]
    as_of = date.fromisoformat(expect["as_of"])

    report = _run(tmp_path, entry, as_of, expect["contexts"])
    hits = [f for f in report.findings if f.rule_id == rule.id]
    assert [(f.status, f.severity) for f in hits] == [("violation", "fail")], report.findings
    assert hits[0].strength == expect["strength"]
    assert report.exit_code == 1

    before = _run(tmp_path, entry, rule.first_effective - timedelta(days=1), expect["contexts"])
    assert all(f.severity != "fail" for f in before.findings if f.rule_id == rule.id)
    if expect["contexts"]:
        outside = _run(tmp_path, entry, as_of, [])
        assert all(f.severity != "fail" for f in outside.findings if f.rule_id == rule.id)


def _scan_export(tmp_path: Path, name: str, text: str, expect: dict[str, Any]):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    args = ["-j", expect["jurisdiction"], *(a for c in expect["contexts"] for a in ("-c", c))]
    return run_cli("scan", str(path), *args, "--as-of", expect["as_of"], "--fail-on-unverified", "-f", "json")


@pytest.mark.parametrize("entry", RESTRICTED_EXPORTS, ids=lambda e: e["id"])
def test_dodged_identity_fails_through_the_cli_and_its_lookalike_passes(tmp_path, entry):
    """Issue 18 section 1: each dodge in the shape its tool writes fails its rule with evidence that says
    what was folded, at no less than the expected strength; the same shape with a look-alike passes."""
    expect = entry["expect"]
    proc = _scan_export(tmp_path, entry["export"]["name"], entry["export"]["text"], expect)
    assert proc.returncode == 1, proc.stdout[-1500:] + proc.stderr
    report = json.loads(proc.stdout)
    hits = [f for f in report["findings"] if f["rule_id"] == expect["rule"] and f["severity"] == "fail"]
    assert hits, [(f["rule_id"], f["severity"]) for f in report["findings"]]
    assert hits[0]["strength"] == expect["strength"]
    folded = [fold for f in hits for e in f["evidence"] for fold in e.get("folded", [])]
    if expect["folded"]:
        assert expect["folded"] in folded, hits[0]["evidence"]
    else:
        assert folded == []

    (tmp_path / "lookalike").mkdir()
    lookalike = _scan_export(tmp_path / "lookalike", entry["export"]["name"], entry["lookalike"], expect)
    assert lookalike.returncode == 0, lookalike.stdout[-1500:] + lookalike.stderr
    assert [f for f in json.loads(lookalike.stdout)["findings"] if f["severity"] != "info"] == []
