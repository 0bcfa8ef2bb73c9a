"""Jamf Pro Classic API mobile device records (JSON and XML): detection, fields, verdicts, errors, CLI."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import assert_clean_error, run_cli
from inventory_support import GOV_MOBILE, INV, bad, detected, hits, read, write

FIX = INV / "jamf"
BOTH = ["mobiledevice-77.json", "mobiledevice-77.xml"]


@pytest.mark.parametrize("name", BOTH)
def test_detect_and_fields(name: str) -> None:
    assert detected(FIX / name) == "jamf-mobile-device"
    inv = read(FIX / name)
    by = {c.name: c for c in inv.components}
    assert by["WeChat"].identifiers == [("bundle", "com.tencent.xin", "identifier")]
    assert by["WeChat"].version == "8.0.50"  # application_short_version, the version users see
    assert by["Self Service"].type == "ios-app (managed)"
    assert inv.metadata["device"] == "GC-IPAD-0077" and inv.metadata["os_type"] == "iOS"
    assert len(inv.components) == 6


@pytest.mark.parametrize("name", BOTH)
def test_ca_government_mobile(name: str) -> None:
    f = FIX / name
    assert hits(f, "CA", date(2022, 10, 1), GOV_MOBILE) == set()
    assert hits(f, "CA", date(2023, 11, 1), GOV_MOBILE) == {
        ("CA-TBS-WECHAT-KASPERSKY-2023", "WeChat"),
        ("CA-TBS-WECHAT-KASPERSKY-2023", "Kaspersky Password Manager"),
        ("CA-TBS-TIKTOK-2023", "TikTok"),
    }  # Douyin and QQ are traps


def test_us_cutoff() -> None:
    f = FIX / "mobiledevice-77.json"
    assert hits(f, "US", date(2024, 6, 1)) == set()
    assert ("US-ICTS-KASPERSKY-2024", "Kaspersky Password Manager") in hits(f, "US", date(2024, 10, 1))


@pytest.mark.parametrize(
    ("name", "text", "needle"),
    [
        ("a.json", '{"mobile_device": {"applications": {"application_name": "x"}}}', "/mobile_device/applications"),
        ("b.json", '{"mobile_device": {"applications": [{"application_name": 3.5, "identifier": ["x"]}]}}', "/mobile_device/applications/0/identifier"),
        ("c.json", '{"mobile_device": {"applications": [{}]}}', "neither"),
        ("d.xml", "<mobile_device><applications><application><application_name>x", "truncated XML"),
        ("e.xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><mobile_device/>', "refused"),
    ],
)
def test_malformed(tmp_path: Path, name: str, text: str, needle: str) -> None:
    assert needle in bad(write(tmp_path, name, text), input_format="jamf-mobile-device")


def test_record_without_applications_is_empty_not_error(tmp_path: Path) -> None:
    inv = read(write(tmp_path, "general.json", '{"mobile_device": {"general": {"name": "x", "os_type": "iOS"}}}'))
    assert inv.components == [] and inv.metadata["applications_section"] is False


def test_cli(tmp_path: Path) -> None:
    f = str(FIX / "mobiledevice-77.xml")
    proc = run_cli("scan", f, "-j", "CA", "-c", "government", "-c", "mobile", "--as-of", "2023-11-01")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert run_cli("scan", f, "-j", "CA", "--as-of", "2023-11-01").returncode == 0
    broken = write(tmp_path, "dev.json", '{"mobile_device": {"applications": [')
    assert_clean_error(run_cli("scan", "-j", "US", str(broken)), "dev.json", "truncated JSON")
