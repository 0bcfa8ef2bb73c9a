"""``complycheck rules validate``: one test per kind of problem, on broken packs written under tmp_path.

Every problem line must name the file, the rule (or vendor) and the field; the command exits 2 on any
problem and 0 with a one-line OK summary otherwise.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import run_cli

from compliance.rulepack.validate import validate

MANIFEST: dict[str, Any] = {
    "name": "test-pack",
    "version": "1",
    "contexts": [{"id": "government", "description": "Government devices."}],
    "jurisdictions": [{"code": "XX", "name": "Testland"}, {"code": "XX-AB", "name": "Province", "includes": ["XX"]}],
}
VENDORS: dict[str, Any] = {
    "vendors": [
        {
            "id": "acme",
            "name": "Acme",
            "names": [{"name": "Acme Widgets Ltd.", "kind": "legal"}],
            "identifiers": {"purl": ["pkg:github/acme"]},
            "products": [
                {"id": "acme-chat", "name": "Acme Chat", "category": "messaging", "kind": "app", "identifiers": {"cpe": ["acme:chat"]}},
                {"id": "acme-sdk", "name": "Acme SDK", "category": "sdk", "kind": "sdk"},
            ],
            "sources": ["https://example.org/acme"],
        }
    ]
}
RULE: dict[str, Any] = {
    "id": "XX-ACME-2024",
    "title": "Acme Chat banned on government devices",
    "jurisdiction": "XX",
    "authority": "Ministry of Testing",
    "instrument": "Order 1/2024",
    "citation": "Order 1/2024",
    "binding": "gov-device-ban",
    "summary": "Acme Chat may not be used on government devices.",
    "covers": {"vendors": ["acme"], "kinds": ["app"], "products": ["acme-chat"]},
    "contexts": ["government"],
    "actions": [{"id": "ban", "description": "Acme Chat is banned", "effective": "2024-01-01"}],
    "sources": [{"url": "https://example.org/order", "kind": "primary"}],
    "verification": {"status": "verified", "last_verified": "2024-06-01"},
}


def write_pack(root: Path, *, manifest=None, vendors=None, rules=None, extra_rules=None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "vendors").mkdir(exist_ok=True)
    (root / "jurisdictions").mkdir(exist_ok=True)
    if manifest is not False:
        (root / "pack.yaml").write_text(yaml.safe_dump(manifest or MANIFEST, sort_keys=False))
    (root / "vendors" / "acme.yaml").write_text(yaml.safe_dump(vendors or VENDORS, sort_keys=False))
    (root / "jurisdictions" / "XX.yaml").write_text(yaml.safe_dump({"rules": rules or [RULE]}, sort_keys=False))
    if extra_rules:
        (root / "jurisdictions" / "XX-extra.yaml").write_text(yaml.safe_dump({"rules": extra_rules}, sort_keys=False))
    return root


def rule(**changes: Any) -> dict[str, Any]:
    r = copy.deepcopy(RULE)
    for key, value in changes.items():
        r[key] = value
    return r


def problems_of(root: Path) -> list[str]:
    result = validate([root])
    assert not result.ok
    return result.problems


def test_a_valid_pack_passes(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "pack")
    result = validate([root])
    assert result.ok, result.problems
    assert result.summary() == "OK: test-pack 1: 1 rules in 1 jurisdictions (1 verified, 0 secondary, 0 unverified), 1 vendors, 2 products, 1 contexts"


def test_cli_exit_codes(tmp_path: Path) -> None:
    good = write_pack(tmp_path / "good")
    proc = run_cli("rules", "validate", str(good))
    assert proc.returncode == 0 and proc.stdout.startswith("OK: test-pack 1:"), proc.stderr
    bad = write_pack(tmp_path / "bad", rules=[rule(covers={"vendors": ["nobody"], "kinds": ["app"]})])
    proc = run_cli("rules", "validate", str(bad))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert f"{bad}/jurisdictions/XX.yaml: rule XX-ACME-2024: covers.vendors: unknown vendor 'nobody'" in proc.stderr


def test_builtin_pack_validates_by_default() -> None:
    proc = run_cli("rules", "validate")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("OK: complycheck-builtin ") and proc.stdout.count("\n") == 1


# An expected problem is one string, or, where the rest of the line is jsonschema's own wording (which
# changes between its versions), the parts that are ours: the rule or vendor, the field and the value.
Expected = str | tuple[str, ...]


def _has(problem: str, expected: Expected) -> bool:
    return all(part in problem for part in ((expected,) if isinstance(expected, str) else expected))


CASES: list[tuple[str, dict[str, Any], Expected]] = [
    ("unknown vendor", {"rules": [rule(covers={"vendors": ["nobody"], "kinds": ["app"]})]}, "rule XX-ACME-2024: covers.vendors: unknown vendor 'nobody'"),
    ("unknown product", {"rules": [rule(covers={"vendors": ["acme"], "kinds": ["app"], "products": ["nothing"]})]}, "rule XX-ACME-2024: covers.products: unknown product 'nothing'"),
    ("missing kinds", {"rules": [rule(covers={"vendors": ["acme"]})]}, ("rule XX-ACME-2024: covers: ", "'kinds'")),
    ("unknown kind", {"rules": [rule(covers={"vendors": ["acme"], "kinds": ["apps"]})]}, ("rule XX-ACME-2024: covers.kinds.0: ", "'apps'")),
    ("named product of an uncovered kind", {"rules": [rule(covers={"vendors": ["acme"], "kinds": ["app"], "products": ["acme-sdk"]})]}, "rule XX-ACME-2024: covers.products: product 'acme-sdk' is of kind 'sdk', which covers.kinds does not list"),
    ("end before start", {"rules": [rule(actions=[{"id": "ban", "description": "d", "effective": "2024-05-01", "until": "2024-04-01"}])]}, "rule XX-ACME-2024: actions.0.until: 2024-04-01 is before the effective date 2024-05-01"),
    ("impossible date", {"rules": [rule(actions=[{"id": "ban", "description": "d", "effective": "2023-02-30"}])]}, "rule XX-ACME-2024: actions.0.effective: '2023-02-30' is not a real calendar date"),
    ("badly formed date", {"rules": [rule(actions=[{"id": "ban", "description": "d", "effective": "30.01.2025"}])]}, ("rule XX-ACME-2024: actions.0.effective: ", "'30.01.2025'")),
    ("missing sources", {"rules": [rule(sources=[])]}, ("rule XX-ACME-2024: sources: ",)),
    ("source without url scheme", {"rules": [rule(sources=[{"url": "example.org/x", "kind": "primary"}])]}, ("rule XX-ACME-2024: sources.0.url: ", "'example.org/x'")),
    ("missing verification", {"rules": [{k: v for k, v in RULE.items() if k != "verification"}]}, ("rule XX-ACME-2024: (top level): ", "'verification'")),
    ("bad verification status", {"rules": [rule(verification={"status": "probably", "last_verified": "2024-06-01"})]}, ("rule XX-ACME-2024: verification.status: ", "'probably'")),
    ("unknown context", {"rules": [rule(contexts=["spaceship"])]}, "rule XX-ACME-2024: contexts: unknown context 'spaceship'"),
    ("unknown action context", {"rules": [rule(actions=[{"id": "ban", "description": "d", "effective": "2024-01-01", "contexts": ["spaceship"]}])]}, "rule XX-ACME-2024: actions.0.contexts: unknown context 'spaceship'"),
    ("unknown jurisdiction", {"rules": [rule(jurisdiction="YY")]}, "rule XX-ACME-2024: jurisdiction: unknown code 'YY' (declare it in pack.yaml)"),
    ("duplicate rule id", {"extra_rules": [rule()]}, "rule XX-ACME-2024: id: duplicate rule id"),
    ("duplicate action id", {"rules": [rule(actions=[{"id": "ban", "description": "d", "effective": "2024-01-01"}, {"id": "ban", "description": "e", "effective": "2024-02-01"}])]}, "rule XX-ACME-2024: actions.1.id: duplicate action id 'ban'"),
    ("covered and excluded", {"rules": [rule(covers={"vendors": ["acme"], "kinds": ["app"], "products": ["acme-chat"], "exclude_products": ["acme-chat"]})]}, "rule XX-ACME-2024: covers.exclude_products: acme-chat also listed in covers.products"),
    ("verified without primary", {"rules": [rule(sources=[{"url": "https://example.org/news", "kind": "secondary"}])]}, "rule XX-ACME-2024: verification.status: 'verified' needs at least one primary source"),
    ("last verified in the future", {"rules": [rule(verification={"status": "verified", "last_verified": "2999-01-01"})]}, "rule XX-ACME-2024: verification.last_verified: 2999-01-01 is in the future"),
    ("unknown binding", {"rules": [rule(binding="forbidden")]}, ("rule XX-ACME-2024: binding: ", "'forbidden'")),
]


@pytest.mark.parametrize(("kind", "change", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_problem_is_one_line_naming_file_rule_and_field(tmp_path: Path, kind: str, change: dict[str, Any], expected: Expected) -> None:
    root = write_pack(tmp_path / "pack", **change)
    problems = problems_of(root)
    matching = [p for p in problems if _has(p, expected)]
    assert matching, (kind, problems)
    assert all("\n" not in p for p in problems)
    assert matching[0].startswith(str(root / "jurisdictions")), matching[0]


def _vendors(**changes: Any) -> dict[str, Any]:
    v = copy.deepcopy(VENDORS)
    v["vendors"][0].update(changes)
    return v


VENDOR_CASES: list[tuple[str, dict[str, Any], Expected]] = [
    ("invalid purl entry", _vendors(identifiers={"purl": ["npm/acme"]}), "vendor acme: identifiers.purl: 'npm/acme' is not a package URL"),
    ("invalid product purl", _vendors(products=[{"id": "acme-chat", "name": "Acme Chat", "category": "messaging", "kind": "app", "identifiers": {"purl": ["pkg:npm"]}}]), "vendor acme: products.acme-chat.identifiers.purl: 'pkg:npm' is not a package URL"),
    ("invalid cpe entry", _vendors(products=[{"id": "acme-chat", "name": "Acme Chat", "category": "messaging", "kind": "app", "identifiers": {"cpe": ["acme_chat"]}}]), "vendor acme: products.acme-chat.identifiers.cpe: 'acme_chat' is not a vendor:product pair"),
    ("nothing distinctive", _vendors(names=[{"name": "Co., Ltd.", "kind": "legal"}]), "vendor acme: names: 'Co., Ltd.' has nothing distinctive"),
    ("bad category", _vendors(products=[{"id": "acme-chat", "name": "Acme Chat", "category": "chat", "kind": "app"}]), ("vendor acme: products.0.category: ", "'chat'")),
    ("product without kind", _vendors(products=[{"id": "acme-chat", "name": "Acme Chat", "category": "messaging"}]), ("vendor acme: products.0: ", "'kind'")),
    ("unknown product kind", _vendors(products=[{"id": "acme-chat", "name": "Acme Chat", "category": "messaging", "kind": "chat"}]), ("vendor acme: products.0.kind: ", "'chat'")),
    ("unknown vendor kind", _vendors(software_kind="firmware"), ("vendor acme: software_kind: ", "'firmware'")),
]


@pytest.mark.parametrize(("kind", "vendors", "expected"), VENDOR_CASES, ids=[c[0] for c in VENDOR_CASES])
def test_each_catalog_problem_names_file_vendor_and_field(tmp_path: Path, kind: str, vendors: dict[str, Any], expected: Expected) -> None:
    root = write_pack(tmp_path / "pack", vendors=vendors, rules=[rule(covers={"vendors": ["acme"], "kinds": ["app"]})])
    problems = problems_of(root)
    assert any(_has(p, expected) and p.startswith(str(root / "vendors" / "acme.yaml")) for p in problems), (kind, problems)


def test_identifier_claimed_by_two_vendors(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "pack")
    other = {"vendors": [{"id": "other", "name": "Other", "names": ["Acme Widgets Ltd"], "sources": ["https://example.org"]}]}
    (root / "vendors" / "other.yaml").write_text(yaml.safe_dump(other))
    problems = problems_of(root)
    assert any("vendor other: names: 'acme widgets' is also claimed by vendor acme" in p for p in problems), problems


def test_duplicate_vendor_id_across_packs(tmp_path: Path) -> None:
    a = write_pack(tmp_path / "a")
    b = write_pack(tmp_path / "b", manifest={**MANIFEST, "name": "b", "contexts": [], "jurisdictions": []}, rules=[rule(id="XX-OTHER-2024")])
    problems = validate([a, b]).problems
    assert any("vendor acme: id: duplicate vendor id" in p for p in problems), problems


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "pack")
    (root / "jurisdictions" / "XX.yaml").write_text("rules:\n  - id: [unclosed\n")
    problems = problems_of(root)
    assert any(p.startswith(f"{root}/jurisdictions/XX.yaml: line 3: invalid YAML") for p in problems), problems


def test_missing_manifest_and_bad_includes(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "pack", manifest=False)
    assert any("pack.yaml: missing" in p for p in problems_of(root))
    root2 = write_pack(tmp_path / "pack2", manifest={**MANIFEST, "jurisdictions": [{"code": "XX", "name": "T", "includes": ["ZZ"]}]})
    assert any("jurisdiction XX: includes: unknown code 'ZZ'" in p for p in problems_of(root2))


def test_missing_directory(tmp_path: Path) -> None:
    proc = run_cli("rules", "validate", str(tmp_path / "nope"))
    assert proc.returncode == 2
    assert f"{tmp_path / 'nope'}: rule pack directory not found" in proc.stderr


@pytest.mark.parametrize(
    "requires, needle",
    [(">=99", "needs complycheck >=99"), ("not a spec", "not a version specifier")],
)
def test_pack_needing_another_complycheck_is_refused(tmp_path: Path, requires: str, needle: str) -> None:
    manifest = copy.deepcopy(MANIFEST)
    manifest["requires"] = requires
    root = write_pack(tmp_path / "pack", manifest=manifest)
    found = problems_of(root)
    assert any("pack.yaml: requires:" in p and needle in p for p in found), found
    manifest["requires"] = ">=0.1"
    assert validate([write_pack(tmp_path / "ok", manifest=manifest)]).ok
