"""Intune Discovered apps exports (AppInvAggregate, AppInvRawData): detection, fields, verdicts, CLI."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import assert_clean_error, run_cli
from inventory_support import GOV_MOBILE, INV, bad, detected, hits, read, write

FIX = INV / "intune"


@pytest.mark.parametrize("name", ["AppInvAggregate.csv", "AppInvRawData.csv"])
def test_detect(name: str) -> None:
    assert detected(FIX / name) == "intune-discovered-apps"


def test_aggregate_fields() -> None:
    inv = read(FIX / "AppInvAggregate.csv")
    assert inv.metadata["report"] == "AppInvAggregate"
    rows = {(c.name, c.type): c for c in inv.components}
    kes = rows[("Kaspersky Endpoint Security for Windows", "application (Windows)")]
    assert kes.vendor_fields == [("ApplicationPublisher", "AO Kaspersky Lab")]
    assert kes.location == "row 2" and kes.bom_ref.startswith("0000a1f3")
    wechat_ios = rows[("WeChat", "application (iOS)")]
    assert wechat_ios.vendor_fields == [] and wechat_ios.version == "8.0.50.30"
    # A reverse-DNS name on an Android row is the package id itself.
    tiktok = rows[("com.zhiliaoapp.musically", "application (AndroidWorkProfile)")]
    assert tiktok.identifiers == [("android", "com.zhiliaoapp.musically", "ApplicationName")]
    assert inv.metadata["platforms"]["iOS"] == 3


def test_raw_data_fields() -> None:
    inv = read(FIX / "AppInvRawData.csv")
    assert inv.metadata["report"] == "AppInvRawData" and inv.metadata["devices"] == 2
    assert [c.name for c in inv.components] == ["WeChat", "Kaspersky: Antivirus & VPN", "Outlook"]


def test_ca_government_mobile() -> None:
    f = FIX / "AppInvAggregate.csv"
    assert hits(f, "CA", date(2022, 10, 1), GOV_MOBILE) == set()
    got = hits(f, "CA", date(2023, 11, 1), GOV_MOBILE)
    assert got == {
        ("CA-TBS-WECHAT-KASPERSKY-2023", "WeChat"),
        ("CA-TBS-WECHAT-KASPERSKY-2023", "Kaspersky Endpoint Security for Windows"),
        ("CA-TBS-TIKTOK-2023", "TikTok"),
        ("CA-TBS-TIKTOK-2023", "com.zhiliaoapp.musically"),
    }  # WeCom, QQ (com.tencent.mobileqq) and UltraAV are traps


def test_us_cutoff() -> None:
    f = FIX / "AppInvAggregate.csv"
    assert hits(f, "US", date(2024, 6, 1)) == set()
    assert hits(f, "US", date(2024, 10, 1), severities=("fail",)) == {
        ("US-ICTS-KASPERSKY-2024", "Kaspersky Endpoint Security for Windows")
    }


def test_kaspersky_android_name_in_raw_data() -> None:
    got = hits(FIX / "AppInvRawData.csv", "CA", date(2023, 11, 1), GOV_MOBILE)
    assert ("CA-TBS-WECHAT-KASPERSKY-2023", "WeChat") in got


def test_malformed(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "AppInvAggregate.csv",
        '"ApplicationKey","ApplicationName","ApplicationPublisher","DeviceCount"\n"k","WeChat","Tencent"\n',
    )
    assert "row 2" in bad(p) and "3 fields" in bad(p)
    assert_clean_error(run_cli("scan", str(p), "-j", "CA"), "AppInvAggregate.csv", "row 2")


def test_cli() -> None:
    f = str(FIX / "AppInvAggregate.csv")
    proc = run_cli("scan", f, "-j", "CA", "-c", "government", "-c", "mobile", "--as-of", "2023-11-01")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    proc = run_cli("scan", f, "-j", "CA", "--as-of", "2023-11-01")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
