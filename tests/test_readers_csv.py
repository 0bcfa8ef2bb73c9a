"""Generic CSV/TSV and mobile-app CSV readers, --columns, delimiter sniffing and conservative detection."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import assert_clean_error, run_cli
from inventory_support import GOV_MOBILE, INV, bad, detected, hits, read, write

from compliance.errors import InputError

CSV = INV / "csv"
MOB = INV / "mobile-apps"


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        (CSV / "asset-export.csv", "csv"),
        (CSV / "semicolon.csv", "csv"),
        (CSV / "custom-columns.tsv", "csv"),
        (CSV / "portal-discovered-apps.csv", "csv"),
        (MOB / "ios-apps.csv", "mobile-apps-csv"),
        (MOB / "mixed-fleet.csv", "mobile-apps-csv"),
    ],
)
def test_detect(path: Path, fmt: str) -> None:
    assert detected(path) == fmt


def test_generic_fields_and_delimiters() -> None:
    inv = read(CSV / "asset-export.csv")
    c = inv.components[0]
    assert (c.name, c.version, c.vendor_fields, c.location) == (
        "Kaspersky Small Office Security",
        "21.3.10.391",
        [("Manufacturer", "AO Kaspersky Lab")],
        "row 2",
    )
    assert inv.metadata["columns"] == {"name": "Software", "vendor": "Manufacturer", "version": "Version"}
    semi = read(CSV / "semicolon.csv")
    assert semi.metadata["delimiter"] == "semicolon"
    assert semi.components[1].vendor_fields == [("Publisher", "Tencent; Weixin")]  # quoted delimiter kept
    assert read(CSV / "custom-columns.tsv").metadata["delimiter"] == "tab"


def test_mobile_kinds_follow_header_and_platform() -> None:
    ios = {c.name: c for c in read(MOB / "ios-apps.csv").components}
    assert ios["WeChat"].identifiers == [("bundle", "com.tencent.xin", "Bundle Identifier")]
    mixed = {c.name: c for c in read(MOB / "mixed-fleet.csv").components}
    assert mixed["WeChat"].identifiers == [("android", "com.tencent.mm", "package_name")]
    # A package_name column on an iOS row holds an Apple bundle id.
    assert mixed["TikTok"].identifiers == [("bundle", "com.zhiliaoapp.musically", "package_name")]
    assert mixed["WeChat"].type == "application (Android)"


def test_columns_option_maps_unusual_headers() -> None:
    f = CSV / "german-columns.csv"
    assert "format not recognised" in bad(f)
    opts = {"columns": {"name": "Produkt", "vendor": "Hersteller"}}
    assert detected(f, **opts) == "csv"
    inv = read(f, **opts)
    assert inv.components[0].vendor_fields == [("Hersteller", "AO Kaspersky Lab")]
    assert inv.components[0].version == "12.5.0.538"  # "Version" still found by its header


def test_columns_unknown_column_lists_header() -> None:
    msg = bad(CSV / "german-columns.csv", columns={"name": "Software"})
    assert "no column named 'Software'" in msg and "Produkt, Hersteller, Version" in msg
    msg = bad(CSV / "german-columns.csv", columns={"colour": "Produkt"})
    assert "unknown role 'colour'" in msg


def test_columns_override_specific_readers() -> None:
    """--columns on a Windows export hands it to the generic reader, which honours the mapping."""
    f = INV / "windows-uninstall" / "uninstall-utf8bom-notype.csv"
    assert detected(f, columns={"name": "PSChildName"}) in ("mobile-apps-csv", "csv")
    assert read(f, columns={"name": "PSChildName"}).components[0].name.startswith("{0E9C6B82")


def test_verdicts_mobile_and_generic() -> None:
    f = MOB / "mixed-fleet.csv"
    assert hits(f, "CA", date(2022, 10, 1), GOV_MOBILE) == set()
    assert hits(f, "CA", date(2023, 11, 1), GOV_MOBILE) == {
        ("CA-TBS-WECHAT-KASPERSKY-2023", "Kaspersky: Antivirus & VPN"),
        ("CA-TBS-WECHAT-KASPERSKY-2023", "WeChat"),
        ("CA-TBS-TIKTOK-2023", "TikTok"),
    }  # QQ, WeCom, Douyin are traps
    a = CSV / "asset-export.csv"
    assert hits(a, "US", date(2024, 6, 1)) == set()
    assert hits(a, "US", date(2024, 10, 1), severities=("fail",)) == {
        ("US-ICTS-KASPERSKY-2024", "Kaspersky Small Office Security")
    }  # UltraAV (Pango) and Kaspresso are traps
    p = CSV / "portal-discovered-apps.csv"
    assert ("CA-TBS-WECHAT-KASPERSKY-2023", "com.kms.free") in hits(p, "CA", date(2023, 11, 1), GOV_MOBILE)


@pytest.mark.parametrize(
    "text",
    [
        "The quick brown fox jumps over the lazy dog.\nNothing here is a table.\n",
        "hello, world\n1, 2\n",
        "Kaspersky Endpoint Security\nWeChat\n",
        "12,34,56\n1,2,3\n",
        "",
    ],
)
def test_random_text_is_not_recognised(tmp_path: Path, text: str) -> None:
    msg = bad(write(tmp_path, "x.txt", text or "   \n"))
    assert "format not recognised" in msg or "empty" in msg


def test_header_only_is_recognised_and_empty(tmp_path: Path) -> None:
    inv = read(write(tmp_path, "apps.csv", "Name,Publisher,Version\n"))
    assert inv.components == [] and inv.format == "csv"


@pytest.mark.parametrize(
    ("text", "where", "needle"),
    [
        ('Name,Publisher\n"WeChat,Tencent\n', "row 2", "unterminated"),
        ("Name,Publisher\nWeChat,Tencent,extra\n", "row 2", "3 fields"),
        ('Name,Publisher\nA,B\n"multi\nline",C\nD\n', "row 5", "1 fields"),
    ],
)
def test_malformed(tmp_path: Path, text: str, where: str, needle: str) -> None:
    p = write(tmp_path, "apps.csv", text)
    with pytest.raises(InputError) as err:
        read(p)
    assert err.value.where == where and needle in err.value.message


def test_cli_columns_and_errors(tmp_path: Path) -> None:
    f = str(CSV / "german-columns.csv")
    proc = run_cli("scan", f, "-j", "US", "--as-of", "2024-10-01", "--columns", "name=Produkt,vendor=Hersteller")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    proc = run_cli("scan", f, "-j", "US", "--as-of", "2024-06-01", "--columns", "name=Produkt,vendor=Hersteller")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert_clean_error(run_cli("scan", "-j", "US", f, "--columns", "name=Nope"), "german-columns.csv", "Produkt, Hersteller")
    assert_clean_error(run_cli("scan", "-j", "US", f), "german-columns.csv", "format not recognised")
    proc = run_cli("scan", str(MOB / "ios-apps.csv"), "-j", "CA", "-c", "government", "-c", "mobile", "--as-of", "2023-11-01")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
