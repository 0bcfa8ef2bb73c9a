"""Windows Uninstall registry exports (Export-Csv / ConvertTo-Json): detection, fields, verdicts, errors."""

from __future__ import annotations

import codecs
from datetime import date
from pathlib import Path

import pytest
from conftest import assert_clean_error, run_cli
from inventory_support import GOV_MOBILE, INV, bad, detected, hits, read, write

from compliance.errors import InputError

FIX = INV / "windows-uninstall"
CSVS = ["uninstall-ps51-utf16.csv", "uninstall-utf8bom-notype.csv"]


@pytest.mark.parametrize("name", CSVS)
def test_csv_detect_and_fields(name: str) -> None:
    assert detected(FIX / name) == "windows-uninstall-csv"
    inv = read(FIX / name)
    by = {c.name: c for c in inv.components}
    kes = by["Kaspersky Endpoint Security for Windows"]
    assert kes.version == "12.5.0.538"
    assert kes.vendor_fields == [("publisher", "AO Kaspersky Lab")]
    assert kes.bom_ref == "{6B3C7B1E-2C1F-4D55-9A6B-3F3E1C6A8D42}"
    assert by["WeChat"].vendor_fields == [("publisher", "腾讯科技(深圳)有限公司")]
    # "AddressBook" has no DisplayName: not an installed program, but counted.
    assert inv.metadata["skipped_without_displayname"] == 1
    assert "AddressBook" not in by
    # Spreadsheet rows: #TYPE (if any) is row 1, the header the next row.
    first_data = 3 if name.endswith("utf16.csv") else 2
    assert inv.components[0].location == f"row {first_data}"
    assert kes.location == f"row {first_data + 2}"


def test_csv_type_line_and_encoding_recorded() -> None:
    inv = read(FIX / "uninstall-ps51-utf16.csv")
    assert inv.metadata["type_line"] == "#TYPE System.Management.Automation.PSCustomObject"
    assert inv.metadata["encoding"] == "utf-16-le"


def test_ascii_export_is_read_but_lossy_values_counted() -> None:
    inv = read(FIX / "uninstall-select-ascii.csv")
    by = {c.name: c for c in inv.components}
    assert by["WeChat"].vendor_fields == [("publisher", "????(??)????")]
    assert inv.metadata["ascii_lossy_values"] == 1


@pytest.mark.parametrize("name", ["uninstall.json"])
def test_json_array(name: str) -> None:
    assert detected(FIX / name) == "windows-uninstall-json"
    inv = read(FIX / name)
    by = {c.name: c for c in inv.components}
    assert by["WeChat"].vendor_fields == [("publisher", "腾讯科技(深圳)有限公司")]
    assert by["WeChat"].location == "/3"
    assert by["WeChat"].bom_ref == "WeChat"
    assert inv.metadata == {"skipped_without_displayname": 1, "entries": 7}


def test_json_single_object() -> None:
    inv = read(FIX / "uninstall-single.json")
    assert [c.name for c in inv.components] == ["Kaspersky Endpoint Security for Windows"]
    assert inv.components[0].location == "/"


@pytest.mark.parametrize("name", [*CSVS, "uninstall.json"])
def test_us_kaspersky_cutoff(name: str) -> None:
    key = ("US-ICTS-KASPERSKY-2024", "Kaspersky Endpoint Security for Windows")
    assert hits(FIX / name, "US", date(2024, 6, 1)) == set()
    assert key in hits(FIX / name, "US", date(2024, 9, 28), severities=("warn",))  # upcoming
    assert key not in hits(FIX / name, "US", date(2024, 9, 28), severities=("fail",))
    after = hits(FIX / name, "US", date(2024, 10, 1))
    assert key in hits(FIX / name, "US", date(2024, 10, 1), severities=("fail",))
    # Traps: UltraAV (Pango), Kaspresso, Firefox, VC++ never fail or warn.
    names = {n for _, n in after}
    assert names == {"Kaspersky Endpoint Security for Windows"}


@pytest.mark.parametrize("name", [*CSVS, "uninstall.json"])
def test_ca_government_mobile(name: str) -> None:
    assert hits(FIX / name, "CA", date(2023, 6, 1), GOV_MOBILE) == set()
    assert hits(FIX / name, "CA", date(2023, 11, 1), GOV_MOBILE) == {
        ("CA-TBS-WECHAT-KASPERSKY-2023", "Kaspersky Endpoint Security for Windows"),
        ("CA-TBS-WECHAT-KASPERSKY-2023", "WeChat"),
    }
    assert hits(FIX / name, "CA", date(2023, 11, 1)) == set()  # no mobile/government context claimed


HEADER = '"DisplayName","DisplayVersion","Publisher"\r\n'


@pytest.mark.parametrize(
    ("body", "where", "needle"),
    [
        (HEADER + '"Kaspersky","1","AO Kaspersky Lab\r\n', "row 2", "unterminated"),
        (HEADER + '"A","1","B"\r\n"C","2","D","E"\r\n', "row 3", "4 fields"),
        (HEADER + '"A","1"\r\n', "row 2", "2 fields"),
        (HEADER + '"A","1","B"\r\n' * 600 + '"C\x00","2","D"\r\n', "row 602", "NUL"),
        (HEADER + '"' + "x" * 200_000 + '","1","B"\r\n', "row 2", "longer than"),
        (HEADER + '"A"x,"1","B"\r\n', "row 2", "malformed"),
    ],
)
def test_malformed_csv(tmp_path: Path, body: str, where: str, needle: str) -> None:
    p = write(tmp_path, "apps.csv", body)
    with pytest.raises(InputError) as err:
        read(p)
    assert err.value.where == where
    assert needle in err.value.message
    assert needle in bad(p)


def test_nul_at_start_is_binary(tmp_path: Path) -> None:
    p = write(tmp_path, "apps.csv", HEADER + '"A\x00","1","B"\r\n')
    assert "NUL" in bad(p, input_format="windows-uninstall-csv")


def test_wrong_encoding(tmp_path: Path) -> None:
    p = write(tmp_path, "apps.csv", HEADER.encode() + "\"WeChat\",\"1\",\"腾讯\"\r\n".encode("gb18030"))
    assert "not valid UTF-8" in bad(p)


def test_json_bad_shapes(tmp_path: Path) -> None:
    p = write(tmp_path, "a.json", '[{"DisplayName": "A", "PSChildName": "x", "Publisher": ["x"]}]')
    with pytest.raises(InputError) as err:
        read(p)
    assert err.value.where == "/0/Publisher"
    p = write(tmp_path, "b.json", '[{"DisplayName": "A", "PSChildName": "x"}, 3]')
    with pytest.raises(InputError) as err:
        read(p)
    assert err.value.where == "/1"
    p = write(tmp_path, "c.json", '[{"DisplayName": "A", "PSChildName": "x"')
    assert "truncated JSON" in bad(p)


def test_empty_but_recognised(tmp_path: Path) -> None:
    p = write(tmp_path, "apps.csv", codecs.BOM_UTF8 + b'"DisplayName","DisplayVersion","Publisher"\r\n"","1.0",""\r\n')
    inv = read(p)
    assert inv.components == [] and inv.metadata["skipped_without_displayname"] == 1


def test_cli_exit_codes(tmp_path: Path) -> None:
    f = str(FIX / "uninstall-ps51-utf16.csv")
    proc = run_cli("scan", f, "-j", "US", "--as-of", "2024-10-01")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "Kaspersky Endpoint Security for Windows" in proc.stdout
    proc = run_cli("scan", f, "-j", "US", "--as-of", "2024-09-01")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    broken = write(tmp_path, "broken.csv", HEADER + '"Kaspersky","1","AO Kaspersky Lab\r\n')
    assert_clean_error(run_cli("scan", str(broken), "-j", "US"), "broken.csv", "row 2")
