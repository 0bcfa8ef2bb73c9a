"""Issue 18 sections 3 and 6 through the real CLI: the corrected dates of the rules, and the two context
decisions (``-c government`` in a US scan; India's section 69A orders need ``-c distribution``), each on its
pass side and its fail side."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from conftest import run_cli

TIKTOK = {"name": "TikTok", "version": "30.1", "publisher": "ByteDance Ltd."}
KASPERSKY = {"name": "Kaspersky Endpoint Security", "version": "12", "supplier": {"name": "AO Kaspersky Lab"}}
WECHAT = {"name": "WeChat", "version": "8.0.49", "supplier": {"name": "Tencent Technology (Shenzhen) Company Limited"}}
CLEAN = {"name": "requests", "version": "2.32.3", "purl": "pkg:pypi/requests@2.32.3"}


def scan_json(bom, *args: str) -> tuple[int, dict]:
    proc = run_cli("scan", str(bom), "-f", "json", *args)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def statuses(report: dict) -> dict[str, str]:
    return {f["rule_id"]: f["status"] for f in report["findings"]}


# -- section 6: in a US scan, --context government is the federal government -------------------------------


def test_us_government_context_applies_the_federal_device_bans(write_bom):
    bom = write_bom([TIKTOK, KASPERSKY])
    code, report = scan_json(bom, "-j", "US", "-c", "government", "--as-of", "2026-12-07")
    assert code == 1
    got = statuses(report)
    assert got["US-NOTIKTOK-GOVDEVICES"] == "violation"
    assert got["US-NDAA18-1634"] == "violation"
    assert got["US-DHS-BOD-17-01"] == "violation"
    assert "federal" in report["contexts"]  # the report says which contexts were applied
    text = run_cli("scan", str(bom), "-j", "US", "-c", "government", "--as-of", "2026-12-07")
    assert text.returncode == 1
    header = next(ln for ln in text.stdout.splitlines() if ln.startswith("As of "))
    assert "contexts: federal, government;" in header


def test_us_government_context_through_a_state_code_also_selects_federal_rules(write_bom):
    code, report = scan_json(write_bom([TIKTOK]), "-j", "US-TX", "-c", "government", "--as-of", "2026-12-07")
    assert code == 1 and statuses(report)["US-NOTIKTOK-GOVDEVICES"] == "violation"


@pytest.mark.parametrize(
    "args",
    [
        ("-j", "US", "-c", "state-government"),  # a state agency is not the federal government
        ("-j", "US"),  # no context: the device bans stay out of scope
        ("-j", "GB", "-c", "government"),  # government outside a US scan never gives federal
    ],
)
def test_federal_device_ban_stays_out_of_scope_without_a_national_us_context(write_bom, args):
    code, report = scan_json(write_bom([TIKTOK]), *args, "--as-of", "2026-12-07")
    assert statuses(report).get("US-NOTIKTOK-GOVDEVICES") in (None, "out-of-scope")
    assert "federal" not in report["contexts"]
    if args[1] == "US":
        assert code == 0


def test_us_government_context_date_boundary_of_the_omb_deadline(write_bom):
    bom = write_bom([TIKTOK])
    _, before = scan_json(bom, "-j", "US", "-c", "government", "--as-of", "2023-03-28")
    assert statuses(before)["US-NOTIKTOK-GOVDEVICES"] == "upcoming"
    code, on = scan_json(bom, "-j", "US", "-c", "government", "--as-of", "2023-03-29")
    assert code == 1 and statuses(on)["US-NOTIKTOK-GOVDEVICES"] == "violation"


def test_rules_list_and_show_say_that_government_gives_federal_in_the_us():
    listed = run_cli("rules", "list", "-j", "US", "-c", "government")
    assert listed.returncode == 0
    assert "US-NOTIKTOK-GOVDEVICES" in listed.stdout and "US-NDAA18-1634" in listed.stdout
    shown = run_cli("rules", "show", "US-NOTIKTOK-GOVDEVICES")
    assert "In a scan that selects US, --context government gives it too." in " ".join(shown.stdout.split())
    contexts = json.loads(run_cli("contexts", "-f", "json").stdout)
    government = next(c for c in contexts if c["id"] == "government")
    assert government["implies_in"] == {"US": ["federal"]}


# -- section 6: India's section 69A orders bind intermediaries, like PAFACA: --context distribution ------------


def test_installed_wechat_does_not_fail_an_all_jurisdictions_scan_without_distribution(write_bom):
    code, report = scan_json(write_bom([WECHAT]), "-j", "ALL", "--as-of", "2026-12-07")
    assert code == 0, statuses(report)
    assert statuses(report)["IN-MEITY-69A-2020-06"] == "out-of-scope"
    text = run_cli("scan", str(write_bom([WECHAT])), "-j", "IN", "--as-of", "2026-12-07")
    assert text.returncode == 0
    assert "IN-MEITY-69A-2020-06 would apply with --context distribution" in text.stdout


@pytest.mark.parametrize("component, rule", [(WECHAT, "IN-MEITY-69A-2020-06"), (TIKTOK, "IN-MEITY-69A-2020-06")])
def test_section_69a_order_fails_distribution_from_its_date(write_bom, component, rule):
    bom = write_bom([component])
    _, before = scan_json(bom, "-j", "IN", "-c", "distribution", "--as-of", "2020-06-28")
    assert statuses(before)[rule] == "upcoming"
    for day in ("2020-06-29", "2021-01-26", "2026-12-07"):  # interim, then permanent: no end date
        code, report = scan_json(bom, "-j", "IN", "-c", "distribution", "--as-of", day)
        assert code == 1 and statuses(report)[rule] == "violation", day


def test_pafaca_and_section_69a_need_the_same_context():
    for rule in ("IN-MEITY-69A-2020-06", "IN-MEITY-69A-2020-09", "US-PAFACA-TIKTOK"):
        shown = run_cli("rules", "show", rule)
        assert shown.returncode == 0
        assert "Applies when: --context distribution" in shown.stdout, rule
    shown = " ".join(run_cli("rules", "show", "IN-MEITY-69A-2020-06").stdout.split())
    assert "binds the intermediaries" in shown and "permanent" in shown


# -- section 3: corrected dates and measures, each on both sides of its boundary -------------------------------

CISCO = {"name": "Cisco Webex", "version": "44.6", "supplier": {"name": "Cisco Systems, Inc."}}
HIKVISION_CAMERA = {
    "type": "device", "name": "DS-2CD2387G2-LU", "version": "V5.7.15",
    "manufacturer": {"name": "Hangzhou Hikvision Digital Technology Co., Ltd."},
}
SAP = {"name": "SAP GUI for Windows", "version": "8.00", "supplier": {"name": "SAP SE"}}
BAIDU_NETDISK = {"name": "百度网盘", "version": "12.10.5", "purl": "pkg:android/com.baidu.netdisk@12.10.5"}
DOUYIN = {"name": "Douyin", "version": "30.0.0", "purl": "pkg:android/com.ss.android.ugc.aweme@30.0.0"}
WEIBO = {"name": "微博", "version": "14.0.0", "publisher": "微梦创科网络科技（中国）有限公司"}


def rule_status(bom, rule: str, *args: str) -> tuple[int, str | None, dict]:
    code, report = scan_json(bom, *args)
    finding = next((f for f in report["findings"] if f["rule_id"] == rule), None)
    return code, (finding["status"] if finding else None), finding or {}


def assert_starts_on(bom, rule: str, args: tuple[str, ...], day: str, status: str = "violation", code: int = 1) -> dict:
    """The rule is upcoming the day before ``day`` and has ``status`` (exit ``code``) on it; returns the finding."""
    before = (date.fromisoformat(day) - timedelta(days=1)).isoformat()
    assert rule_status(bom, rule, *args, "--as-of", before)[1] == "upcoming", (rule, before)
    got_code, got_status, finding = rule_status(bom, rule, *args, "--as-of", day)
    assert (got_code, got_status) == (code, status), (rule, day)
    return finding


def test_bc_temporary_ban_took_effect_on_the_evening_of_2023_02_27(write_bom):
    bom = write_bom([TIKTOK])
    assert_starts_on(bom, "CA-BC-TIKTOK-2023", ("-j", "CA-BC", "-c", "state-government", "-c", "mobile"), "2023-02-27")
    assert "temporar" in run_cli("rules", "show", "CA-BC-TIKTOK-2023").stdout.lower()


def test_cisco_stopped_operations_on_2022_03_03(write_bom):
    bom = write_bom([CISCO])
    # a vendor decision warns, never fails
    assert_starts_on(bom, "RU-CISCO-SUSPENSION-2022", ("-j", "RU", "-c", "procurement"), "2022-03-03", "advisory", 0)


def test_sap_exit_is_modelled_after_the_sales_pause(write_bom):
    bom = write_bom([SAP])
    ctx = ("-j", "RU", "-c", "procurement")
    _, status, finding = rule_status(bom, "RU-SAP-SUSPENSION-2022", *ctx, "--as-of", "2022-04-18")
    assert status == "advisory"
    actions = {a["action"]: a["status"] for a in finding["actions"]}
    assert actions["sales-paused"] == "advisory" and actions["orderly-exit"] == "upcoming"
    _, _, finding = rule_status(bom, "RU-SAP-SUSPENSION-2022", *ctx, "--as-of", "2022-04-19")
    assert {a["action"]: a["status"] for a in finding["actions"]}["orderly-exit"] == "advisory"
    shown = run_cli("rules", "show", "RU-SAP-SUSPENSION-2022").stdout
    assert "news.sap.com" in shown and "existing customers would be served" not in shown


def test_taiwan_public_sector_ban_dates_from_the_2020_letter(write_bom):
    bom = write_bom([TIKTOK])
    ctx = ("-j", "TW", "-c", "government")
    assert_starts_on(bom, "TW-MODA-TIKTOK-2022", ctx, "2020-12-18")
    # local agencies are bound too
    assert rule_status(bom, "TW-MODA-TIKTOK-2022", "-j", "TW", "-c", "state-government", "--as-of", "2021-06-01")[1] == "violation"
    # the principles stopped applying on 2026-01-15; the amended Cyber Security Management Act bars TikTok since
    code, status, _ = rule_status(bom, "TW-MODA-TIKTOK-2022", *ctx, "--as-of", "2026-12-07")
    assert status is None
    code, status, _ = rule_status(bom, "TW-CSMA-PRC-APPS-2025", *ctx, "--as-of", "2026-12-07")
    assert (code, status) == (1, "violation")


@pytest.mark.parametrize("component", [WECHAT, BAIDU_NETDISK, DOUYIN, WEIBO], ids=["wechat", "baidu-netdisk", "douyin", "weibo"])
def test_taiwan_cyber_security_management_act_names_five_apps_from_2025_12_03(write_bom, component):
    bom = write_bom([component])
    assert_starts_on(bom, "TW-CSMA-PRC-APPS-2025", ("-j", "TW", "-c", "government"), "2025-12-03")
    code, status, _ = rule_status(bom, "TW-CSMA-PRC-APPS-2025", "-j", "TW", "--as-of", "2025-12-03")
    assert (code, status) == (0, "out-of-scope")  # a private phone in Taiwan is not barred


UNICOM = {"name": "intl-transit", "version": "1", "supplier": {"name": "China Unicom (Americas) Operations Limited"}}
PACNET = {"name": "intl-transit", "version": "1", "supplier": {"name": "Pacific Network Corp."}}
CHINA_MOBILE = {"name": "intl-transit", "version": "1", "supplier": {"name": "China Mobile International USA Inc."}}


@pytest.mark.parametrize("component", [UNICOM, PACNET], ids=["china-unicom", "pacific-network"])
def test_fcc_added_china_unicom_and_pacnet_on_2022_09_20(write_bom, component):
    bom = write_bom([component])
    ctx = ("-j", "US", "-c", "fcc-funds")
    assert_starts_on(bom, "US-FCC-COVERED-UNICOM-PACNET-2022", ctx, "2022-09-20")
    # not under the March 2022 date any more
    _, report = scan_json(bom, *ctx, "--as-of", "2022-04-01")
    assert "US-FCC-COVERED-CARRIERS-2022" not in statuses(report)


def test_fcc_march_2022_carriers_keep_their_date(write_bom):
    bom = write_bom([CHINA_MOBILE])
    assert_starts_on(bom, "US-FCC-COVERED-CARRIERS-2022", ("-j", "US", "-c", "fcc-funds"), "2022-03-25")


def test_eu_council_announcement_warns_and_never_fails(write_bom):
    bom = write_bom([TIKTOK])
    code, status, finding = rule_status(bom, "EU-COUNCIL-TIKTOK-2023", "-j", "EU", "-c", "eu-council", "--as-of", "2024-01-01")
    assert (code, status, finding["severity"]) == (0, "violation", "warn")
    assert finding["verification"] == "unverified"
    shown = " ".join(run_cli("rules", "show", "EU-COUNCIL-TIKTOK-2023").stdout.split())
    assert "not an effective date" in shown


def test_virginia_sb1459_binds_every_public_body_from_2023_07_01(write_bom):
    qq_music = {"name": "QQ Music", "version": "12.0", "supplier": {"name": "Tencent Technology (Shenzhen) Company Limited"}}
    bom = write_bom([WECHAT, qq_music])
    ctx = ("-j", "US-VA", "-c", "state-government")
    code, report = scan_json(bom, *ctx, "--as-of", "2023-06-30")
    assert {f["status"] for f in report["findings"] if f["rule_id"] == "US-VA-SB1459-2023"} == {"upcoming"}
    code, report = scan_json(bom, *ctx, "--as-of", "2023-07-01")
    hits = {f["component"]["name"] for f in report["findings"]
            if f["rule_id"] == "US-VA-SB1459-2023" and f["status"] == "violation"}
    assert code == 1 and hits == {"WeChat", "QQ Music"}  # any Tencent application, not only the named ones
    assert {f["component"]["name"] for f in report["findings"] if f["rule_id"] == "US-VA-EO24-2022"} == {"WeChat"}
    contractor = run_cli("rules", "show", "US-VA-SB1459-2023").stdout
    assert "--context contractor and --context state-government: contractors" in " ".join(contractor.split())


def test_belgian_federal_ban_is_verified_and_has_no_end(write_bom):
    bom = write_bom([TIKTOK])
    ctx = ("-j", "BE", "-c", "government")
    finding = assert_starts_on(bom, "BE-FED-TIKTOK-2023", ctx, "2023-03-10")
    assert {a["action"]: a["status"] for a in finding["actions"]}["removal-deadline"] == "upcoming"
    code, status, finding = rule_status(bom, "BE-FED-TIKTOK-2023", *ctx, "--as-of", "2026-12-07")
    assert (code, status, finding["severity"], finding["verification"]) == (1, "violation", "fail", "verified")


def test_ukrainian_2020_extension_ends_after_its_three_years(write_bom):
    bom = write_bom([KASPERSKY])
    assert rule_status(bom, "UA-NSDC-133-2017", "-j", "UA", "--as-of", "2023-05-14")[1] == "violation"
    assert rule_status(bom, "UA-NSDC-133-2017", "-j", "UA", "--as-of", "2023-05-15")[1] is None


def test_quebec_extension_reaches_every_public_body_device_from_2023_03_02(write_bom):
    bom = write_bom([TIKTOK])
    laptop = ("-j", "CA-QC", "-c", "state-government")  # a public body's laptop: not a mobile device
    assert_starts_on(bom, "CA-QC-TIKTOK-2023", laptop, "2023-03-02")
    code, status, _ = rule_status(bom, "CA-QC-TIKTOK-2023", *laptop, "-c", "mobile", "--as-of", "2023-02-28")
    assert (code, status) == (1, "violation")  # the first directive: government mobile devices


def test_utah_rule_states_its_exemptions():
    shown = " ".join(run_cli("rules", "show", "US-UT-TIKTOK-2022").stdout.split())
    assert "attorney general's office" in shown and "Board of Higher Education" in shown


def test_dutch_app_policy_stays_advice_and_says_why(write_bom):
    bom = write_bom([WECHAT])
    code, status, finding = rule_status(bom, "NL-GOV-APP-POLICY-2023", "-j", "NL", "-c", "government", "-c", "mobile",
                                        "--as-of", "2026-12-07")
    assert (code, status) == (0, "advisory")
    assert "allow-list" in " ".join(run_cli("rules", "show", "NL-GOV-APP-POLICY-2023").stdout.split())


@pytest.mark.parametrize("supplier", ["Nuctech Company Limited", "RoboSense LiDAR", "StepFun", "Wuhan Geosun LiDAR",
                                      "Gotion High Tech", "Yitu", "Baichuan"])
def test_texas_2026_list_names_the_companies_the_summary_left_out(write_bom, supplier):
    bom = write_bom([{"name": "agent", "version": "1.0", "supplier": {"name": supplier}}])
    assert_starts_on(bom, "US-TX-TXCC-2026", ("-j", "US-TX", "-c", "state-government"), "2026-01-26")


# -- issue 18 section 5 follow-ups: NSW's TikTok circular, the two rules verified on primary texts -----------


def test_nsw_tiktok_circular_binds_state_agencies_from_april_2023_and_only_warns_while_its_day_is_unknown(write_bom):
    bom = write_bom([TIKTOK])
    nsw = ("-j", "AU-NSW", "-c", "state-government")
    finding = assert_starts_on(bom, "AU-NSW-DCS-2023-01-TIKTOK", nsw, "2023-04-30", code=0)  # unverified: a warning
    assert (finding["severity"], finding["verification"]) == ("warn", "unverified")
    code, status, _ = rule_status(bom, "AU-NSW-DCS-2023-01-TIKTOK", *nsw, "--as-of", "2026-12-07", "--fail-on-unverified")
    assert (code, status) == (1, "violation")
    # A Commonwealth entity (government) or a scan without a context is not an NSW agency.
    for ctx in (("-c", "government"), ()):
        code, status, _ = rule_status(bom, "AU-NSW-DCS-2023-01-TIKTOK", "-j", "AU-NSW", *ctx, "--as-of", "2026-12-07")
        assert status in (None, "out-of-scope"), ctx
    # The circular names TikTok only: another ByteDance app passes it.
    lemon8 = write_bom([{"name": "Lemon8", "version": "7.1.0", "publisher": "ByteDance Ltd."}])
    assert rule_status(lemon8, "AU-NSW-DCS-2023-01-TIKTOK", *nsw, "--as-of", "2026-12-07")[1] is None


HUAWEI_ROUTER = {"type": "firmware", "name": "AR6121E firmware", "version": "V300R022C10",
                 "manufacturer": {"name": "Huawei Technologies Co., Ltd."}}
DAHUA_CAMERA = {"type": "device", "name": "IPC-HFW2431S-S-S2", "version": "V2.800.0000000.16.R",
                "manufacturer": {"name": "Zhejiang Dahua Technology Co., Ltd."}}
FEDERAL_BUYER = ("-j", "US", "-c", "federal", "-c", "procurement")


@pytest.mark.parametrize(
    "rule, component, args, day",
    [
        ("US-DHS-BOD-17-01", KASPERSKY, ("-j", "US", "-c", "federal"), "2017-10-13"),  # 30 days after 2017-09-13
        ("GB-CDL-SURVEILLANCE-2022", HIKVISION_CAMERA, ("-j", "GB", "-c", "government"), "2022-11-24"),
        ("US-NDAA19-889-HUAWEI-ZTE", HUAWEI_ROUTER, FEDERAL_BUYER, "2019-08-13"),  # Part A
        ("US-NDAA19-889-HUAWEI-ZTE", HUAWEI_ROUTER, ("-j", "US", "-c", "contractor"), "2020-08-13"),  # Part B
        ("US-NDAA19-889-SURVEILLANCE", DAHUA_CAMERA, (*FEDERAL_BUYER, "-c", "security-surveillance"), "2019-08-13"),
    ],
)
def test_rules_verified_on_primary_texts_fail_from_their_first_day(write_bom, rule, component, args, day):
    finding = assert_starts_on(write_bom([component]), rule, args, day)
    assert (finding["severity"], finding["verification"]) == ("fail", "verified")
