"""The restrictions and catalog entries added for issue 18: each rule on both sides of its dates, in and out of
its contexts, and the products it must not reach; the Texas apps and RedNote identified in real export shapes."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from conftest import run_cli

from compliance.readers.cyclonedx_json import IDENTIFIER_PROPERTIES
from compliance.rulepack.loader import load_rule_pack
from compliance.scan import ScanOptions, scan

PACK = load_rule_pack()
DAY = timedelta(days=1)


def props(**identifiers: str) -> list[dict[str, str]]:
    """Identifiers CycloneDX has no field for, as the properties complycheck reads (readers.cyclonedx_json)."""
    names = {kind: name for name, kind in IDENTIFIER_PROPERTIES.items()}
    return [{"name": names[k], "value": v} for k, v in identifiers.items()]


TIKTOK = {"name": "TikTok", "version": "37.1.0", "properties": props(android="com.zhiliaoapp.musically")}
DOUYIN = {"name": "抖音", "version": "30.0.0", "properties": props(android="com.ss.android.ugc.aweme")}
CAPCUT = {"name": "CapCut", "version": "4.0.0", "properties": props(winget="ByteDance.CapCut")}
LEMON8 = {"name": "Lemon8", "version": "5.9.0", "properties": props(android="com.bd.nproject")}
REDNOTE_IOS = {"name": "小红书", "version": "8.69.1", "properties": props(bundle="com.xingin.discover")}
REDNOTE_ANDROID = {"name": "RedNote", "version": "8.69.0", "properties": props(android="com.xingin.xhs")}
WEIBO = {"name": "微博", "version": "15.1.0", "properties": props(android="com.sina.weibo")}
TELEGRAM = {"name": "Telegram Desktop", "version": "5.8.3", "publisher": "Telegram FZ-LLC", "properties": props(winget="Telegram.TelegramDesktop")}
TELEGRAM_BOT_LIBRARY = {"name": "telegrambots", "version": "6.9.7.1", "purl": "pkg:maven/org.telegram/telegrambots@6.9.7.1"}
KASPERSKY = {"name": "Kaspersky", "version": "21.9.6.465", "publisher": "AO Kaspersky Lab", "properties": props(winget="Kaspersky.Kaspersky")}
KASPRESSO = {"name": "kaspresso", "version": "1.5.5", "purl": "pkg:maven/com.kaspersky.android-components/kaspresso@1.5.5"}
HIKVISION = {"type": "device", "name": "DS-2CD2387G2-LU", "version": "V5.7.15", "manufacturer": {"name": "Hangzhou Hikvision Digital Technology Co., Ltd."}}
HUAWEI_ROUTER = {"type": "firmware", "name": "AR6121E firmware", "version": "V300R022C10", "manufacturer": {"name": "Huawei Technologies Co., Ltd."}}
DJI_DRONE = {"type": "device", "name": "Mavic 3 Enterprise", "version": "07.01.0000", "manufacturer": {"name": "SZ DJI Technology Co., Ltd."}}
AUTEL_DIAGNOSTICS = {"name": "MaxiSys", "version": "2.0", "publisher": "Autel Intelligent Technology Corp., Ltd."}
MICRON_SSD = {"type": "firmware", "name": "7450 PRO NVMe SSD firmware", "version": "E2MU200", "manufacturer": {"name": "Micron Technology, Inc."}}
OFFICE = {"name": "Microsoft 365 Apps for enterprise", "version": "16.0", "publisher": "Microsoft Corporation"}
TYPESCRIPT = {"name": "typescript", "version": "5.6.3", "author": "Microsoft Corp.", "purl": "pkg:npm/typescript@5.6.3"}
WINDOWS_8 = {"type": "operating-system", "name": "Windows", "version": "6.2", "cpe": "cpe:2.3:o:microsoft:windows_8:-:*:*:*:*:*:x64:*"}
WINDOWS_81 = {"type": "operating-system", "name": "Windows", "version": "6.3", "cpe": "cpe:2.3:o:microsoft:windows_8.1:-:*:*:*:*:*:x64:*"}
SYMANTEC = {"name": "Symantec Endpoint Protection", "version": "14.3", "publisher": "Symantec Corp"}
DEEPSEEK = {"name": "DeepSeek", "version": "1.0.9", "properties": props(android="com.deepseek.chat")}
DEEPSEEK_WEIGHTS = {"name": "DeepSeek-R1", "purl": "pkg:huggingface/deepseek-ai/DeepSeek-R1"}
WEBULL = {"name": "Webull", "version": "10.2.0", "properties": props(android="org.dayup.stocks")}
TIGER = {"name": "Tiger Trade", "version": "9.4.0", "properties": props(android="com.tigerbrokers.stock")}
MOOMOO = {"name": "moomoo", "version": "14.20.0", "properties": props(android="com.moomoo.trade")}
WECHAT = {"name": "WeChat", "version": "8.0.50", "properties": props(android="com.tencent.mm")}
BAIDU_NETDISK = {"name": "百度网盘", "version": "12.1.0", "properties": props(android="com.baidu.netdisk")}


def statuses(write_bom, component, rule_id, jurisdiction, contexts, as_of) -> list[str]:
    path = write_bom([component])
    report = scan([str(path)], ScanOptions(jurisdictions=[jurisdiction], contexts=list(contexts), as_of=as_of))
    return [f.status for f in report.findings if f.rule_id == rule_id]


# (rule, component, jurisdiction, contexts, the day it applies, the status it has then)
BOUNDARIES = [
    ("US-TX-PRC-APPS-2025", REDNOTE_IOS, "US-TX", ["state-government"], date(2025, 1, 31), "violation"),
    ("US-TX-PRC-APPS-2025", WEBULL, "US-TX", ["state-government"], date(2025, 1, 31), "violation"),
    ("US-TX-PRC-APPS-2025", TIGER, "US-TX", ["state-government"], date(2025, 1, 31), "violation"),
    ("US-TX-PRC-APPS-2025", MOOMOO, "US-TX", ["state-government"], date(2025, 1, 31), "violation"),
    ("AU-PSPF-002-2025-KASPERSKY", KASPERSKY, "AU", ["government"], date(2025, 2, 21), "violation"),
    ("RU-DECREE-166-2022", OFFICE, "RU", ["critical-infrastructure"], date(2025, 1, 1), "violation"),
    ("RU-DECREE-166-2022", BAIDU_NETDISK, "RU", ["critical-infrastructure"], date(2025, 1, 1), "violation"),
    ("US-ASDA-2023-DRONES", DJI_DRONE, "US", ["federal"], date(2025, 12, 22), "violation"),
    ("GB-CDL-SURVEILLANCE-2022", HIKVISION, "GB", ["government"], date(2022, 11, 24), "violation"),
    ("CA-HIKVISION-FEDERAL-2025", HIKVISION, "CA", ["government"], date(2025, 6, 27), "violation"),
    ("CN-CAC-MICRON-2023", MICRON_SSD, "CN", ["critical-infrastructure", "procurement"], date(2023, 5, 21), "violation"),
    ("CN-CGPC-ANTIVIRUS-2014", SYMANTEC, "CN", ["government", "procurement"], date(2014, 8, 3), "violation"),
    ("CN-CGPC-WINDOWS8-2014", WINDOWS_8, "CN", ["government", "procurement"], date(2014, 5, 16), "violation"),
    ("DE-BLNBDI-DEEPSEEK-2025", DEEPSEEK, "DE", ["distribution"], date(2025, 6, 27), "advisory"),
    ("EE-STATE-PHONES-TIKTOK-2023", TIKTOK, "EE", ["government", "mobile"], date(2023, 3, 31), "violation"),
    ("DK-CFCS-TIKTOK-2023", TIKTOK, "DK", ["government"], date(2023, 2, 24), "advisory"),
    ("DK-MOD-TIKTOK-2023", TIKTOK, "DK", ["government"], date(2023, 3, 6), "advisory"),
    ("NO-NSM-TIKTOK-TELEGRAM-2023", TELEGRAM, "NO", ["government"], date(2023, 3, 21), "advisory"),
    ("NO-NSM-TIKTOK-TELEGRAM-2023", TIKTOK, "NO", ["critical-infrastructure"], date(2023, 3, 21), "advisory"),
    ("NO-GOV-TIKTOK-2023", TELEGRAM, "NO", ["government"], date(2023, 3, 21), "advisory"),
    ("TW-MOI-XIAOHONGSHU-2025", REDNOTE_ANDROID, "TW", ["distribution"], date(2025, 12, 4), "violation"),
    ("US-GA-TIKTOK-WECHAT-TELEGRAM-2022", TELEGRAM, "US-GA", ["state-government"], date(2022, 12, 15), "violation"),
    ("US-GA-TIKTOK-WECHAT-TELEGRAM-2022", WECHAT, "US-GA", ["state-government"], date(2022, 12, 15), "violation"),
    ("US-NH-EO-2022-TIKTOK", HIKVISION, "US-NH", ["state-government"], date(2022, 12, 15), "violation"),
    ("US-IA-TIKTOK-2022", TIKTOK, "US-IA", ["state-government"], date(2022, 12, 13), "violation"),
    ("US-MT-TIKTOK-2022", TIKTOK, "US-MT", ["state-government"], date(2022, 12, 16), "violation"),
    ("US-MT-FOREIGN-ADVERSARY-APPS-2023", LEMON8, "US-MT", ["state-government"], date(2023, 6, 1), "violation"),
    ("US-MT-FOREIGN-ADVERSARY-APPS-2023", TELEGRAM, "US-MT", ["state-government"], date(2023, 6, 1), "violation"),
    ("US-OH-EO-2023-03D", WEIBO, "US-OH", ["state-government"], date(2023, 1, 8), "violation"),
    ("US-OH-EO-2023-03D", REDNOTE_ANDROID, "US-OH", ["state-government"], date(2023, 1, 8), "violation"),
]


@pytest.mark.parametrize("rule_id, component, jurisdiction, contexts, day, status", BOUNDARIES,
                         ids=[f"{b[0]}-{b[1]['name']}-{'+'.join(b[3])}" for b in BOUNDARIES])
def test_rule_applies_from_its_day_and_only_in_its_contexts(write_bom, rule_id, component, jurisdiction, contexts, day, status):
    assert PACK.rule(rule_id) is not None
    assert statuses(write_bom, component, rule_id, jurisdiction, contexts, day) == [status]
    assert statuses(write_bom, component, rule_id, jurisdiction, contexts, day + DAY) == [status]
    # The day before: not yet in force (upcoming inside the look-ahead window), never a violation.
    assert statuses(write_bom, component, rule_id, jurisdiction, contexts, day - DAY) in ([], ["upcoming"])
    # Without the rule's contexts it is out of scope, never a violation.
    assert statuses(write_bom, component, rule_id, jurisdiction, [], day) == ["out-of-scope"]


# (rule, a component the rule must not reach, jurisdiction, contexts, a day the rule is in force)
NOT_REACHED = [
    ("US-TX-PRC-APPS-2025", TIKTOK, "US-TX", ["state-government"], date(2025, 6, 1)),  # other Texas rules cover it
    ("AU-PSPF-002-2025-KASPERSKY", KASPRESSO, "AU", ["government"], date(2025, 6, 1)),
    ("RU-DECREE-166-2022", KASPERSKY, "RU", ["critical-infrastructure"], date(2025, 6, 1)),  # Russian
    ("RU-DECREE-166-2022", TYPESCRIPT, "RU", ["critical-infrastructure"], date(2025, 6, 1)),  # a library
    ("US-ASDA-2023-DRONES", AUTEL_DIAGNOSTICS, "US", ["federal"], date(2026, 1, 1)),  # not a drone
    ("GB-CDL-SURVEILLANCE-2022", HUAWEI_ROUTER, "GB", ["government"], date(2023, 1, 1)),
    ("CN-CGPC-WINDOWS8-2014", WINDOWS_81, "CN", ["government", "procurement"], date(2015, 1, 1)),
    ("DE-BLNBDI-DEEPSEEK-2025", DEEPSEEK_WEIGHTS, "DE", ["distribution"], date(2025, 7, 1)),
    ("EE-STATE-PHONES-TIKTOK-2023", DOUYIN, "EE", ["government", "mobile"], date(2023, 6, 1)),
    ("DK-MOD-TIKTOK-2023", CAPCUT, "DK", ["government"], date(2023, 6, 1)),
    ("NO-NSM-TIKTOK-TELEGRAM-2023", TELEGRAM_BOT_LIBRARY, "NO", ["government"], date(2023, 6, 1)),
    ("US-IA-TIKTOK-2022", LEMON8, "US-IA", ["state-government"], date(2023, 6, 1)),
    ("US-MT-TIKTOK-2022", CAPCUT, "US-MT", ["state-government"], date(2023, 1, 1)),
    ("US-OH-EO-2023-03D", CAPCUT, "US-OH", ["state-government"], date(2023, 6, 1)),
]


@pytest.mark.parametrize("rule_id, component, jurisdiction, contexts, day", NOT_REACHED,
                         ids=[f"{n[0]}-{n[1]['name']}" for n in NOT_REACHED])
def test_rule_does_not_reach_other_products(write_bom, rule_id, component, jurisdiction, contexts, day):
    assert statuses(write_bom, component, rule_id, jurisdiction, contexts, day) == []


def test_montana_foreign_adversary_apps_are_upcoming_the_day_before_june_first(write_bom):
    rule = "US-MT-FOREIGN-ADVERSARY-APPS-2023"
    assert statuses(write_bom, LEMON8, rule, "US-MT", ["state-government"], date(2023, 5, 31)) == ["upcoming"]


def test_taiwan_xiaohongshu_block_lapses_after_its_year(write_bom):
    rule = "TW-MOI-XIAOHONGSHU-2025"
    assert statuses(write_bom, REDNOTE_ANDROID, rule, "TW", ["distribution"], date(2026, 12, 3)) == ["violation"]
    assert statuses(write_bom, REDNOTE_ANDROID, rule, "TW", ["distribution"], date(2026, 12, 4)) == []


def test_asda_operation_ban_and_sunset(write_bom):
    rule = "US-ASDA-2023-DRONES"
    # Before 2025-12-22 only procurement is barred: without --context procurement the operation ban is upcoming.
    assert statuses(write_bom, DJI_DRONE, rule, "US", ["federal"], date(2025, 12, 1)) == ["upcoming"]
    assert statuses(write_bom, DJI_DRONE, rule, "US", ["federal", "procurement"], date(2024, 1, 1)) == ["violation"]
    assert statuses(write_bom, DJI_DRONE, rule, "US", ["federal", "procurement"], date(2028, 12, 22)) == ["violation"]
    assert statuses(write_bom, DJI_DRONE, rule, "US", ["federal", "procurement"], date(2028, 12, 23)) == []


def test_decree_166_procurement_approval_from_march_2022(write_bom):
    rule = "RU-DECREE-166-2022"
    contexts = ["critical-infrastructure", "procurement"]
    assert statuses(write_bom, OFFICE, rule, "RU", contexts, date(2022, 3, 31)) == ["violation"]
    assert statuses(write_bom, OFFICE, rule, "RU", contexts, date(2022, 3, 30)) in ([], ["upcoming"])


def test_decree_166_states_its_coverage_limit_in_the_report(write_bom):
    path = write_bom([OFFICE])
    proc = run_cli("scan", str(path), "-j", "RU", "-c", "critical-infrastructure", "--as-of", "2026-11-22", "-f", "json")
    assert proc.returncode == 1, proc.stderr
    limits = {c["rule_id"]: c for c in json.loads(proc.stdout)["coverage_limits"]}
    assert limits["RU-DECREE-166-2022"]["unidentifiable"][0]["name"] == "Any other foreign software"
    assert "cannot identify" in limits["RU-DECREE-166-2022"]["message"]


def test_decree_166_covers_no_russian_vendor():
    rule = PACK.rule("RU-DECREE-166-2022")
    assert rule is not None
    assert all(PACK.vendors[v].country not in ("RU", "") for v in rule.vendors if v not in ("futu", "up-fintech", "webull"))
    assert {"kaspersky", "group-ib", "positive-technologies"}.isdisjoint(rule.vendors)


def test_jamf_ios_record_with_xiaohongshu_is_rednote(tmp_path):
    """A Jamf iOS export naming 小红书 is identified as RedNote by its bundle id and fails the Texas list."""
    record = {
        "mobile_device": {
            "general": {"id": 12, "name": "TX-IPAD-0012", "os_type": "iOS", "os_version": "17.6.1"},
            "applications": [
                {"application_name": "小红书", "application_version": "8.69.1", "identifier": "com.xingin.discover"},
                {"application_name": "微博", "application_version": "15.1.0", "identifier": "com.sina.weibo"},
            ],
        }
    }
    path = tmp_path / "jamf-ipad.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    proc = run_cli("scan", str(path), "-j", "US-TX", "-c", "state-government", "--as-of", "2026-11-22", "-f", "json")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    rednote = [f for f in findings if f["component"]["name"] == "小红书"]
    assert {(f["rule_id"], f["vendor"], f["product"], f["status"]) for f in rednote} >= {
        ("US-TX-PRC-APPS-2025", "xiaohongshu", "rednote", "violation")
    }
    # Weibo is not on the Texas list: identified, but no Texas rule reaches it.
    assert [f for f in findings if f["component"]["name"] == "微博" and f["severity"] != "info"] == []
