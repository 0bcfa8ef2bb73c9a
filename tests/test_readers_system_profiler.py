"""macOS system_profiler SPApplicationsDataType -json: signer parsing, verdicts, traps, errors."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import run_cli
from inventory_support import hits, read

from compliance.errors import InputError
from compliance.readers import detect, load_source
from compliance.readers.system_profiler import parse_signer

FIX = Path(__file__).parent / "fixtures" / "inventories" / "system_profiler"






@pytest.mark.parametrize(
    ("leaf", "expected"),
    [
        ("Developer ID Application: Tencent Technology (Shenzhen) Company Limited (5A4RE8SF68)",
         ("Tencent Technology (Shenzhen) Company Limited", "5A4RE8SF68")),
        ("Developer ID Application: Microsoft Corporation (UBF8T346G9)", ("Microsoft Corporation", "UBF8T346G9")),
        ("Apple Mac OS Application Signing", ("", "")),
        ("Software Signing", ("", "")),
        ("Apple Development: Jane Doe (AB12CD34EF)", ("Jane Doe", "")),
        ("", ("", "")),
    ],
)
def test_parse_signer(leaf: str, expected: tuple[str, str]) -> None:
    assert parse_signer(leaf) == expected


def test_detect_and_fields() -> None:
    src = load_source(str(FIX / "applications.json"))
    assert detect(src).name == "system-profiler"
    by = {c.name: c for c in read(FIX / "applications.json").components}
    wechat = by["WeChat"]
    assert wechat.version == "3.8.9"
    assert wechat.vendor_fields == [("signed_by", "Tencent Technology (Shenzhen) Company Limited")]
    assert wechat.identifiers == [("team_id", "5A4RE8SF68", "signed_by")]
    assert wechat.location == "/SPApplicationsDataType/1"
    assert by["TikTok"].identifiers == [] and by["TikTok"].vendor_fields == []  # App Store: Apple re-signs
    assert by["Automator Application Stub"].identifiers == []
    assert not any(kind == "bundle" for c in by.values() for kind, _, _ in c.identifiers)


def test_verdicts_us_and_ca() -> None:
    f = FIX / "applications.json"
    assert hits(f, "US", date(2024, 6, 1)) == set()
    assert ("US-ICTS-KASPERSKY-2024", "Kaspersky VPN Secure Connection") in hits(f, "US", date(2024, 10, 1))
    ctx = ("government", "mobile")
    assert hits(f, "CA", date(2022, 10, 1), ctx) == set()
    assert hits(f, "CA", date(2023, 3, 1), ctx) == {("CA-TBS-TIKTOK-2023", "TikTok")}
    assert hits(f, "CA", date(2023, 11, 1), ctx) == {
        ("CA-TBS-TIKTOK-2023", "TikTok"),
        ("CA-TBS-WECHAT-KASPERSKY-2023", "WeChat"),
        ("CA-TBS-WECHAT-KASPERSKY-2023", "Kaspersky VPN Secure Connection"),
    }


def test_qq_same_team_and_douyin_are_not_flagged() -> None:
    for j in ("US", "CA"):
        assert hits(FIX / "traps.json", j, date(2024, 10, 1), ("government", "mobile")) == set()


@pytest.mark.parametrize(
    ("doc", "where"),
    [
        ({"SPApplicationsDataType": {}}, "/SPApplicationsDataType"),
        ({"SPApplicationsDataType": [{"version": "1"}]}, "/SPApplicationsDataType/0"),
        ({"SPApplicationsDataType": [{"_name": 3}]}, "/SPApplicationsDataType/0/_name"),
        ({"SPApplicationsDataType": [{"_name": "A", "signed_by": "x"}]}, "/SPApplicationsDataType/0/signed_by"),
        ({"SPApplicationsDataType": [{"_name": "A", "signed_by": [1]}]}, "/SPApplicationsDataType/0/signed_by/0"),
        ({"SPApplicationsDataType": [{"_name": "A", "version": 2.0}]}, "/SPApplicationsDataType/0/version"),
    ],
)
def test_malformed(tmp_path: Path, doc: dict, where: str) -> None:
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(doc))
    with pytest.raises(InputError) as exc:
        read(p)
    assert exc.value.where == where


def test_cli(tmp_path: Path) -> None:
    r = run_cli("scan", str(FIX / "applications.json"), "-j", "CA", "-c", "government", "-c", "mobile", "--as-of", "2024-10-01")
    assert r.returncode == 1 and "Traceback" not in r.stderr and "WeChat" in r.stdout
    r = run_cli("scan", str(FIX / "traps.json"), "-j", "CA", "-c", "government", "-c", "mobile", "--as-of", "2024-10-01")
    assert r.returncode == 0 and "Traceback" not in r.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"SPApplicationsDataType": [{"_name": null}]}')
    r = run_cli("scan", "-j", "US", str(bad))
    assert r.returncode == 2 and "Traceback" not in r.stderr and "/SPApplicationsDataType/0" in r.stderr
