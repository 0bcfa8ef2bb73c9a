"""Coverage by product kind and evidence strength, through the CLI: one failing and one passing case per
false failure reported in issue 8, section 1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from compliance.matching import VendorIndex
from compliance.model import Component
from compliance.normalize import forms_conflict, org_name
from compliance.rulepack import load_rule_pack
from tests.conftest import assert_clean_error, run_cli

PACK = load_rule_pack()
ALL_CONTEXTS = ["government", "mobile", "federal", "procurement", "state-government", "fcc-funds", "security-surveillance"]


def scan_json(path: Path, jurisdiction: str, *contexts: str, as_of: str = "2026-11-22") -> tuple[int, list[dict[str, Any]]]:
    args = [a for c in contexts for a in ("--context", c)]
    proc = run_cli("scan", str(path), "-j", jurisdiction, *args, "--as-of", as_of, "-f", "json")
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)["findings"]


def loud(findings: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return sorted((f["component"]["name"], f["rule_id"], f["status"]) for f in findings if f["severity"] != "info")


KASPRESSO_ADDONS = [
    {"name": "kaspresso-allure-support", "version": "1.5.3", "group": "com.kaspersky.android-components",
     "purl": "pkg:maven/com.kaspersky.android-components/kaspresso-allure-support@1.5.3"},
    {"name": "adb-server-device", "version": "1.5.3", "group": "com.kaspersky.android-components",
     "purl": "pkg:maven/com.kaspersky.android-components/adb-server-device@1.5.3"},
]


@pytest.mark.parametrize("jurisdiction, contexts", [("US", ()), ("US-TX", ("state-government",)), ("CA", ("government", "mobile"))])
def test_kaspresso_addons_pass_where_kesl_fails(write_bom, jurisdiction, contexts):
    code, findings = scan_json(write_bom(KASPRESSO_ADDONS), jurisdiction, *contexts)
    assert (code, loud(findings)) == (0, [])
    kesl = write_bom([{"name": "kesl", "version": "12.1.0", "purl": "pkg:deb/kesl@12.1.0"}])
    code, findings = scan_json(kesl, "US")
    assert code == 1 and ("kesl", "US-ICTS-KASPERSKY-2024", "violation") in loud(findings)


def test_vendor_libraries_pass_texas_where_the_vendors_apps_fail(write_bom):
    libraries = write_bom([
        {"name": "github.com/bytedance/gopkg", "version": "v0.1.1", "purl": "pkg:golang/github.com/bytedance/gopkg@v0.1.1"},
        {"name": "rapidjson", "version": "1.1.0", "supplier": {"name": "Tencent"}, "purl": "pkg:github/Tencent/rapidjson@v1.1.0"},
        *({"name": n, "version": "1", "group": g, "purl": f"pkg:maven/{g}/{n}@1"} for g, n in [
            ("com.tencent", "mmkv-static"), ("com.tencent", "mmkv-kmp"), ("com.tencent.tinker", "tinker-android-lib"),
            ("com.tencent.mars", "mars-xlog")]),
    ])
    assert scan_json(libraries, "US-TX", "state-government") == (0, [])
    app = write_bom([{"name": "WeChat", "version": "3.9", "publisher": "Tencent Technology (Shenzhen) Company Limited"}])
    code, findings = scan_json(app, "US-TX", "state-government")
    assert code == 1 and ("WeChat", "US-TX-PROHIBITED-TECH-2023", "violation") in loud(findings)
    # The vendor SDKs the Texas list reaches stay covered: a product identifier names them as kind sdk.
    sdk = write_bom([{"name": "wechat-sdk-android", "version": "6.8.0", "purl": "pkg:maven/com.tencent.mm.opensdk/wechat-sdk-android@6.8.0"}])
    code, findings = scan_json(sdk, "US-TX", "state-government")
    assert code == 1 and findings[0]["kind"] == "sdk" and findings[0]["strength"] == "strong"


def test_a_brand_in_a_registry_author_is_weak_and_not_a_huawei_product(write_bom):
    fan = write_bom([{"name": "huawei-theme-helper", "version": "1.0.0", "author": "Huawei fan", "purl": "pkg:npm/huawei-theme-helper@1.0.0"}])
    for j, ctx in (("US", ALL_CONTEXTS), ("US-TX", ALL_CONTEXTS)):
        assert scan_json(fan, j, *ctx) == (0, [])
    router = write_bom([{"type": "firmware", "name": "AR6121E firmware", "version": "V300R022",
                         "manufacturer": {"name": "Huawei Technologies Co., Ltd."}}])
    code, findings = scan_json(router, "US", "federal", "procurement")
    assert code == 1 and ("AR6121E firmware", "US-NDAA19-889-HUAWEI-ZTE", "violation") in loud(findings)
    assert findings[0]["kind"] == "telecom-equipment"


def test_huawei_mobile_and_cloud_sdks_are_not_telecom_equipment(write_bom):
    sdks = write_bom([
        {"name": "push", "group": "com.huawei.hms", "version": "6.12.0.300", "supplier": {"name": "Huawei Technologies Co., Ltd."},
         "purl": "pkg:maven/com.huawei.hms/push@6.12.0.300"},
        {"name": "github.com/huaweicloud/huaweicloud-sdk-go-v3", "version": "v0.1.120", "supplier": {"name": "Huawei"},
         "purl": "pkg:golang/github.com/huaweicloud/huaweicloud-sdk-go-v3@v0.1.120"},
    ])
    for j in ("US", "US-TX"):
        assert scan_json(sdks, j, *ALL_CONTEXTS) == (0, [])


def test_autel_intelligent_software_is_unconfirmed_not_a_drone(write_bom):
    diag = write_bom([{"name": "MaxiSys", "version": "2.0", "publisher": "Autel Intelligent Technology Corp., Ltd."}])
    assert scan_json(diag, "US", "fcc-funds") == (0, [])  # the FCC drone entry covers drones only
    code, findings = scan_json(diag, "US-TX", "state-government")
    assert code == 0
    assert [(f["rule_id"], f["status"], f["severity"], f["strength"]) for f in findings] == [
        ("US-TX-TXCC-2026", "unconfirmed", "warn", "weak")
    ]
    assert "only weak evidence" in findings[0]["message"] and "may be Autel Robotics software" in findings[0]["message"]
    assert findings[0]["evidence"][0]["why"] == (
        "publisher 'Autel Intelligent Technology Corp., Ltd.' only starts with the brand Autel"
    )
    # --fail-on warn still stops a build on it.
    proc = run_cli("scan", str(diag), "-j", "US-TX", "--context", "state-government", "--as-of", "2026-11-22", "--fail-on", "warn")
    assert proc.returncode == 1 and "UNCONFIRMED" in proc.stdout and "(weak, brand-prefix)" in proc.stdout
    drone = write_bom([{"type": "device", "name": "EVO II Pro", "version": "1", "manufacturer": {"name": "Autel Robotics"}}])
    code, findings = scan_json(drone, "US", "fcc-funds")
    assert code == 1 and ("EVO II Pro", "US-FCC-COVERED-UAS-2025", "violation") in loud(findings)


def test_a_different_legal_form_is_a_different_company(write_bom):
    other = write_bom([{"name": "netmgr", "version": "1", "supplier": {"name": "Pacific Networks Inc."}}])
    assert scan_json(other, "US", "fcc-funds") == (0, [])
    listed = write_bom([{"name": "netmgr", "version": "1", "supplier": {"name": "Pacific Networks Corp."}}])
    code, findings = scan_json(listed, "US", "fcc-funds")
    assert code == 1 and ("netmgr", "US-FCC-COVERED-UNICOM-PACNET-2022", "violation") in loud(findings)
    assert findings[0]["strength"] == "strong" and findings[0]["kind"] == "service"


def test_microsoft_libraries_are_not_withdrawn_products(write_bom):
    libs = write_bom([
        {"name": "typescript", "version": "5.6.3", "author": "Microsoft Corp.", "purl": "pkg:npm/typescript@5.6.3"},
        {"name": "tslib", "version": "2.8.1", "author": "Microsoft Corp.", "purl": "pkg:npm/tslib@2.8.1"},
    ])
    assert scan_json(libs, "RU", "procurement") == (0, [])
    office = write_bom([{"name": "Microsoft 365 Apps for enterprise", "version": "16.0", "publisher": "Microsoft Corporation"}])
    code, findings = scan_json(office, "RU", "procurement")
    assert code == 0 and [(f["status"], f["kind"], f["strength"]) for f in findings if f["status"] != "out-of-scope"] == [
        ("advisory", "app", "strong")
    ]
    # Decree 166 (no foreign software on significant critical information infrastructure) needs that context.
    assert [f["rule_id"] for f in findings if f["status"] == "out-of-scope"] == ["RU-DECREE-166-2022"]


def test_legal_forms_fold_spellings_but_keep_companies_apart():
    assert org_name("Tencent Technology (Shenzhen) Company Limited") == org_name("Tencent Technology (Shenzhen) Co., Ltd.")
    assert org_name("腾讯科技(深圳)有限公司")[1] == frozenset({"co", "ltd"})
    assert forms_conflict(org_name("Pacific Networks Inc.")[1], org_name("Pacific Networks Corp.")[1])
    assert not forms_conflict(org_name("Hikvision Co.")[1], org_name("Hikvision Co., Ltd.")[1])
    assert not forms_conflict(frozenset(), frozenset({"corp"}))
    index = VendorIndex(PACK)
    strengths = {
        value: index.lookup_org(value).strength if index.lookup_org(value) else None
        for value in ("AO Kaspersky Lab", "Kaspersky Lab", "Kaspersky", "Kaspersky Lab Japan", "Kaspersky Lab GmbH")
    }
    assert strengths == {
        "AO Kaspersky Lab": "strong", "Kaspersky Lab": "broad", "Kaspersky": "broad",
        "Kaspersky Lab Japan": "weak", "Kaspersky Lab GmbH": "weak",
    }


def test_kind_is_decided_once_per_component_match():
    index = VendorIndex(PACK)
    comp = Component(name="tinker-android-lib", purl="pkg:maven/com.tencent.tinker/tinker-android-lib@1",
                     identifiers=[("namespace", "com.tencent.tinker", "group")])
    (m,) = index.match(comp)
    assert (m.vendor.id, m.product, m.kind, m.strength) == ("tencent", None, "library", "broad")
    assert index.match(comp) is index.match(comp)  # memoised: rules never re-decide it


def test_rules_show_and_vendors_show_print_kinds():
    show = run_cli("rules", "show", "US-FCC-COVERED-UAS-2025")
    assert show.returncode == 0 and "Kinds:        drone" in show.stdout
    vendor = run_cli("vendors", "show", "huawei")
    assert "installed software as app; devices and firmware as telecom-equipment" in vendor.stdout
    kaspersky = run_cli("vendors", "show", "kaspersky")
    assert "Product kaspresso: Kaspresso [kind developer-tool; developer-tool]" in kaspersky.stdout


def test_every_rule_must_state_its_kinds(tmp_path):
    root = Path(__file__).resolve().parent.parent / "examples" / "org-policy"
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "pack.yaml").write_text((root / "pack.yaml").read_text("utf-8"), "utf-8")
    (pack / "jurisdictions").mkdir()
    doc = yaml.safe_load((root / "jurisdictions" / "ORG.yaml").read_text("utf-8"))
    del doc["rules"][0]["covers"]["kinds"]
    (pack / "jurisdictions" / "ORG.yaml").write_text(yaml.safe_dump(doc), "utf-8")
    proc = run_cli("rules", "validate", "--with-builtin", str(pack))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    # The file, the rule, the field and the missing key: ours. The rest of the line is jsonschema's wording.
    assert any(line.startswith(f"{pack}/jurisdictions/ORG.yaml: rule ORG-NO-TENCENT-SDKS: covers: ") and "'kinds'" in line
               for line in proc.stderr.splitlines()), proc.stderr
    doc["rules"][0]["covers"]["kinds"] = ["apps"]
    (pack / "jurisdictions" / "ORG.yaml").write_text(yaml.safe_dump(doc), "utf-8")
    scan = run_cli("scan", "-", "--rules", str(pack), "-j", "ORG", stdin=b'{"bomFormat": "CycloneDX", "specVersion": "1.6"}')
    assert_clean_error(scan, "rule ORG-NO-TENCENT-SDKS: covers.kinds.0: 'apps' is not one of")
