"""Data-driven checks over the WHOLE built-in pack: every rule, every action, dates and contexts.

For each rule a CycloneDX component is built from the catalog (a covered product by name with its vendor's
legal name as supplier, or just the vendor's legal name for vendor-wide rules), then scanned with a pack that
holds only that rule, so that the verdict is the rule's alone:

- the day before an action's effective date: the action is "upcoming" (not a violation);
- on the effective date and the day after: "violation" (binding) or "advisory" (not binding), given the
  action's contexts; "out-of-scope" (info, exit 0 when nothing else applies) without them;
- after an ``until`` date: the action no longer appears;
- a benign component, and a same-vendor product the rule does not cover: no finding.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest

from compliance.rulepack import load_rule_pack
from compliance.rulepack.model import Product, Rule, RulePack, Vendor
from compliance.scan import ScanOptions, scan

PACK = load_rule_pack()
RULES = {r.id: r for r in PACK.rules}
BENIGN = {"name": "requests", "version": "2.32.0", "purl": "pkg:pypi/requests@2.32.0"}


def _legal_name(vendor: Vendor) -> str:
    return vendor.names[0].value if vendor.names else vendor.name


def covered_component(pack: RulePack, rule: Rule) -> dict[str, Any]:
    """A component the rule covers: a covered product by name, or the vendor by its legal name (installed
    software or, for equipment rules, a device)."""
    for vid in rule.vendors:
        vendor = pack.vendors[vid]
        supplier = {"name": _legal_name(vendor)}
        if rule.covers(vid, None, vendor.software_kind):
            return {"name": "line-of-business-agent", "version": "1.0", "supplier": supplier}
        if rule.covers(vid, None, vendor.equipment_kind):
            return {"type": "device", "name": "edge-unit", "version": "1.0", "manufacturer": supplier}
        products = [p for p in vendor.products if rule.covers_product(vid, p)]
        if products:
            return {"name": products[0].name, "version": "1.0", "supplier": supplier}
    raise AssertionError(f"{rule.id}: no catalog product or vendor the rule covers")


def uncovered_products(pack: RulePack, rule: Rule) -> list[tuple[Vendor, Product]]:
    """Products of the rule's vendors that the rule does not cover (product-scoped rules, exclusions)."""
    return [(pack.vendors[v], p) for v in rule.vendors for p in pack.vendors[v].products if not rule.covers_product(v, p)]


def only(rule: Rule) -> RulePack:
    return msgspec.structs.replace(PACK, rules=[rule])


def run(tmp_path: Path, rule: Rule, component: dict[str, Any], contexts: list[str], as_of: date):
    path = tmp_path / "bom.cdx.json"
    path.write_text(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": [component]}))
    options = ScanOptions(jurisdictions=[rule.jurisdiction], contexts=contexts, as_of=as_of, horizon_days=90)
    return scan([str(path)], options, pack=only(rule))


def action_status(report, rule: Rule, action_id: str) -> str | None:
    found = [f for f in report.findings if f.rule_id == rule.id]
    if not found:
        return None
    for a in found[0].actions:
        if a.action == action_id:
            return a.status
    return None


CASES = [(r.id, a.id) for r in PACK.rules for a in r.actions]


@pytest.mark.parametrize(("rule_id", "action_id"), CASES)
def test_every_action_by_date_and_context(tmp_path: Path, rule_id: str, action_id: str) -> None:
    rule = RULES[rule_id]
    action = next(a for a in rule.actions if a.id == action_id)
    needed = sorted(set(rule.contexts) | set(action.contexts))
    component = covered_component(PACK, rule)
    in_force = "violation" if rule.is_binding else "advisory"

    before = run(tmp_path, rule, component, needed, action.effective - timedelta(days=1))
    assert action_status(before, rule, action_id) == "upcoming", (rule_id, action_id)

    for day in (action.effective, action.effective + timedelta(days=1)):
        if action.until is not None and day > action.until:
            continue
        report = run(tmp_path, rule, component, needed, day)
        assert action_status(report, rule, action_id) == in_force, (rule_id, action_id, day)
        if all(set(rule.contexts) | set(a.contexts) <= set(PACK.expand_contexts(needed)) for a in rule.actions):
            # a rule resting on unverified facts warns instead of failing (--fail-on-unverified opts in)
            fails = rule.is_binding and rule.verification_status != "unverified"
            assert report.exit_code == (1 if fails else 0)

    if needed:
        report = run(tmp_path, rule, component, [], action.effective + timedelta(days=1))
        assert action_status(report, rule, action_id) == "out-of-scope", (rule_id, action_id)
        if all(set(rule.contexts) | set(a.contexts) for a in rule.actions):
            # every action needs a context: the rule alone can only report info, and the scan passes
            assert {f.severity for f in report.findings} <= {"info"}
            assert report.exit_code == 0

    if action.until is not None:
        after = run(tmp_path, rule, component, needed, action.until + timedelta(days=1))
        assert action_status(after, rule, action_id) is None, (rule_id, action_id, "lapsed")


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_benign_and_uncovered_components_give_no_finding(tmp_path: Path, rule_id: str) -> None:
    rule = RULES[rule_id]
    contexts = sorted(set(rule.contexts).union(*(a.contexts for a in rule.actions)))
    last = max(a.effective for a in rule.actions) + timedelta(days=1)
    report = run(tmp_path, rule, BENIGN, contexts, last)
    assert report.findings == []
    for vendor, product in uncovered_products(PACK, rule):
        comp = {"name": product.name, "version": "1.0", "supplier": {"name": _legal_name(vendor)}}
        report = run(tmp_path, rule, comp, contexts, last)
        assert [f.rule_id for f in report.findings] == [], (rule_id, product.id)


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_is_sourced_and_has_a_status(rule_id: str) -> None:
    rule = RULES[rule_id]
    assert rule.sources and all(s.url.startswith(("http://", "https://")) for s in rule.sources)
    assert rule.verification_status in {"verified", "secondary", "unverified"}
    if rule.verification_status == "verified":
        assert any(s.kind == "primary" for s in rule.sources)
    assert rule.last_verified <= date.today()
    assert rule.jurisdiction in PACK.jurisdictions


def test_the_whole_pack_validates() -> None:
    from compliance.rulepack.validate import validate

    result = validate()
    assert result.ok, result.problems
    assert result.summary().startswith("OK: complycheck-builtin ")


def test_subdivisions_include_their_country_and_no_member_state_includes_eu() -> None:
    for code, j in PACK.jurisdictions.items():
        if "-" in code:
            assert code.split("-")[0] in j.includes, code
        assert "EU" not in j.includes, code
    assert "US" in PACK.expand_jurisdictions(["US-TX"])
    assert PACK.expand_contexts(["federal"]) == {"federal", "government"}


def test_wind_up_order_is_not_an_app_finding() -> None:
    # The Canadian Investment Canada Act order against TikTok Technology Canada does not restrict app use.
    assert not any("WINDUP" in r.id for r in PACK.rules)


# Look-alikes and vendor-authored tools must stay quiet everywhere, in every context.
QUIET_EVERYWHERE = {
    "tiktoken": {"name": "tiktoken", "purl": "pkg:pypi/tiktoken@0.7.0"},
    "deepspeed": {"name": "deepspeed", "purl": "pkg:pypi/deepspeed@0.15.1"},
    "wechatpy": {"name": "wechatpy", "purl": "pkg:pypi/wechatpy@1.8.18"},
    "UltraAV": {"name": "UltraAV", "supplier": {"name": "Pango Group"}},
    "kasperskyish": {"name": "kasperskyish-utils", "purl": "pkg:npm/kasperskyish-utils@0.1.0"},
    "sonic": {"name": "sonic", "purl": "pkg:golang/github.com/bytedance/sonic@v1.12.3"},
    "DeepSeek weights": {"name": "DeepSeek-R1", "purl": "pkg:huggingface/deepseek-ai/DeepSeek-R1"},
}
ALL_CONTEXTS_BUT_FEDERAL_AND_DISTRIBUTION = sorted(set(PACK.contexts) - {"federal", "contractor", "distribution"})


@pytest.mark.parametrize("trap", sorted(QUIET_EVERYWHERE))
def test_look_alikes_stay_quiet_in_every_jurisdiction(write_bom, trap: str) -> None:
    path = write_bom([QUIET_EVERYWHERE[trap]])
    report = scan([str(path)], ScanOptions(jurisdictions=["ALL"], contexts=ALL_CONTEXTS_BUT_FEDERAL_AND_DISTRIBUTION,
                                           as_of=date(2026, 11, 22)))
    loud = [(f.rule_id, f.severity) for f in report.findings if f.severity != "info"]
    assert loud == [], (trap, loud)


def test_deepseek_app_is_flagged_where_banned(write_bom) -> None:
    path = write_bom([{"name": "DeepSeek", "version": "1.0.8", "supplier": {"name": "Hangzhou DeepSeek Artificial Intelligence Co., Ltd."}}])
    report = scan([str(path)], ScanOptions(jurisdictions=["IT"], as_of=date(2026, 11, 22)))
    assert [(f.rule_id, f.status) for f in report.findings] == [("IT-GARANTE-DEEPSEEK-2025", "violation")]
    report = scan([str(path)], ScanOptions(jurisdictions=["AU-SA"], contexts=["state-government"], as_of=date(2026, 11, 22)))
    assert {f.rule_id for f in report.findings if f.status == "violation"} == {"AU-SA-SACSF-RULING-4-DEEPSEEK"}


def test_entity_list_and_ofac_never_make_kaspersky_use_a_violation(write_bom) -> None:
    path = write_bom([{"name": "Kaspersky Endpoint Security", "version": "12", "supplier": {"name": "AO Kaspersky Lab"}}])
    report = scan([str(path)], ScanOptions(jurisdictions=["US"], contexts=["procurement"], as_of=date(2026, 11, 22)))
    by_rule = {f.rule_id: f.status for f in report.findings}
    assert by_rule["US-OFAC-KASPERSKY-EXECS-2024"] == "advisory"
    assert by_rule["US-ENTITYLIST-KASPERSKY-2024"] == "out-of-scope"
