"""osquery JSON: osqueryi --json tables and osqueryd results logs (differential, snapshot, batch)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import run_cli
from inventory_support import hits, read

from compliance.errors import InputError
from compliance.readers import detect, load_source, read_source
from compliance.readers.osquery import detect_table

FIX = Path(__file__).parent / "fixtures" / "inventories" / "osquery"






@pytest.mark.parametrize(
    ("name", "table"),
    [("apps.json", "apps"), ("programs.json", "programs"), ("python_packages.json", "python_packages"),
     ("deb_packages.json", "deb_packages")],
)
def test_detect_table(name: str, table: str) -> None:
    src = load_source(str(FIX / name))
    assert detect(src).name == "osquery"
    assert read(FIX / name).metadata["table"] == table


def test_detect_table_columns() -> None:
    assert detect_table({"name", "version", "release", "vendor", "arch", "epoch"}) == "rpm_packages"
    assert detect_table({"name", "identifier", "version", "author", "update_url"}) == "chrome_extensions"
    assert detect_table({"name", "path", "version"}) == "homebrew_packages"
    assert detect_table({"name", "path", "pid"}, "pack_monitoring_processes") is None
    assert detect_table({"name", "version"}, "pack_inventory_rpm_packages") == "rpm_packages"


def test_apps_fields() -> None:
    by = {c.name: c for c in read(FIX / "apps.json").components}
    assert by["WeChat"].identifiers == [("bundle", "com.tencent.xinWeChat", "bundle_identifier")]
    assert by["WeChat"].version == "3.8.9"
    assert by["Kaspersky Internet Security"].identifiers[0][1] == "com.kaspersky.kav"


def test_programs_python_deb_fields() -> None:
    by = {c.name: c for c in read(FIX / "programs.json").components}
    assert by["WeChat"].vendor_fields == [("publisher", "腾讯科技(深圳)有限公司")]
    py = {c.name: c for c in read(FIX / "python_packages.json").components}
    assert py["tiktoken"].purl == "pkg:pypi/tiktoken@0.7.0"
    assert py["tencentcloud-sdk-python"].vendor_fields == [("author", "Tencent Cloud")]
    deb = {c.name: c for c in read(FIX / "deb_packages.json").components}
    assert deb["bash"].purl == "pkg:deb/bash@5.2.21-2ubuntu4"
    assert deb["bash"].vendor_fields[0][0] == "maintainer"


def test_results_log_replays_differential_and_snapshot() -> None:
    inv = read(FIX / "osqueryd.results.log")
    names = sorted(c.name for c in inv.components)
    # Kaspersky Internet Security was added then removed on the Mac: not installed.
    assert names == ["7-Zip 24.08 (x64)", "Kaspersky Standard", "TikTok", "WeChat", "WeChat"]
    assert inv.metadata["hosts"] == ["mac-alex.corp.example", "WIN-7Q2K9"]
    assert inv.metadata["skipped_queries"] == ["pack_monitoring_processes"]
    assert inv.metadata["queries"] == {"pack_software_apps": "apps", "pack_software_programs": "programs"}
    assert all(c.location.startswith("line ") for c in inv.components)


def test_verdicts() -> None:
    apps = FIX / "apps.json"
    assert hits(apps, "US", date(2024, 6, 1)) == set()
    assert ("US-ICTS-KASPERSKY-2024", "Kaspersky Internet Security") in hits(apps, "US", date(2024, 10, 1))
    ctx = ("government", "mobile")
    assert hits(apps, "CA", date(2022, 10, 1), ctx) == set()
    assert hits(apps, "CA", date(2023, 11, 1), ctx) == {
        ("CA-TBS-TIKTOK-2023", "TikTok"),
        ("CA-TBS-WECHAT-KASPERSKY-2023", "WeChat"),
        ("CA-TBS-WECHAT-KASPERSKY-2023", "Kaspersky Internet Security"),
    }
    log = hits(FIX / "osqueryd.results.log", "US", date(2024, 10, 1))
    assert log == {("US-ICTS-KASPERSKY-2024", "Kaspersky Standard")}


def test_traps_pass() -> None:
    for j in ("US", "CA"):
        assert hits(FIX / "python_packages.json", j, date(2024, 10, 1), ("government", "mobile")) == set()
    programs = hits(FIX / "programs.json", "US", date(2024, 10, 1))
    assert not any(name == "UltraAV" for _, name in programs)
    apps = hits(FIX / "apps.json", "CA", date(2024, 10, 1), ("government", "mobile"))
    assert not any(name in ("QQ", "Kasperskyish Notes") for _, name in apps)


def test_batch_format(tmp_path: Path) -> None:
    p = tmp_path / "batch.log"
    added = {"name": "WeChat.app", "bundle_identifier": "com.tencent.xinWeChat", "bundle_short_version": "3.8.9"}
    gone = {"name": "TikTok.app", "bundle_identifier": "com.zhiliaoapp.musically", "bundle_short_version": "36.5.0"}
    lines = [
        {"name": "apps", "hostIdentifier": "h", "unixTime": 1, "diffResults": {"added": [added, gone], "removed": []}},
        {"name": "apps", "hostIdentifier": "h", "unixTime": 2, "diffResults": {"added": [], "removed": [gone]}},
    ]
    p.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    assert detect(load_source(str(p))).name == "osquery"
    assert [c.name for c in read(p).components] == ["WeChat"]


def test_unrelated_log_is_an_error(tmp_path: Path) -> None:
    p = tmp_path / "procs.log"
    p.write_text(json.dumps({"name": "processes", "hostIdentifier": "h", "unixTime": 1, "action": "added",
                             "columns": {"name": "osqueryd", "pid": "1", "path": "/x"}}) + "\n")
    with pytest.raises(InputError, match="no software-inventory query"):
        read(p)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"name":"apps","hostIdentifier":"h","unixTime":1,"action":"added","columns":{"name":"A.app"}}\n{"name": \n', "line 2"),
        ('{"name":"apps","hostIdentifier":"h","unixTime":1,"action":"moved","columns":{"name":"A.app"}}\n', "line 1 /action"),
        ('{"name":"apps","hostIdentifier":"h","unixTime":1,"action":"snapshot","snapshot":{}}\n', "line 1 /snapshot"),
        ('{"name":"apps","hostIdentifier":"h","unixTime":1,"action":"added","columns":{"name":7}}\n', "line 1 /columns/name"),
        ('{"name":"apps","hostIdentifier":"h","unixTime":1,"action":"added","columns":{"name":"A","bundle_identifier":["x"]}}\n',
         "line 1 /columns/bundle_identifier"),
    ],
)
def test_malformed_log(tmp_path: Path, text: str, where: str) -> None:
    p = tmp_path / "bad.log"
    p.write_text(text)
    with pytest.raises(InputError) as exc:
        read(p)
    assert exc.value.where == where


@pytest.mark.parametrize(
    ("rows", "where"),
    [
        ([{"name": "A", "publisher": 3}], "/0/publisher"),
        ([{"name": "A", "publisher": "x"}, "oops"], "/1"),
        ([{"publisher": "x", "version": "1"}], "/0"),
    ],
)
def test_malformed_rows(tmp_path: Path, rows: list, where: str) -> None:
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(rows))
    with pytest.raises(InputError) as exc:
        read_source(load_source(str(p)), "osquery")
    assert exc.value.where == where


def test_cli(tmp_path: Path) -> None:
    r = run_cli("scan", str(FIX / "osqueryd.results.log"), "-j", "US", "--as-of", "2024-10-01")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    r = run_cli("scan", str(FIX / "python_packages.json"), "-j", "US", "--as-of", "2024-10-01")
    assert r.returncode == 0 and "Traceback" not in r.stderr
    bad = tmp_path / "bad.log"
    bad.write_text('{"name":"apps","hostIdentifier":"h","unixTime":1,"action":"added","columns":{"name":"A.app"}}\n{oops\n')
    r = run_cli("scan", "-j", "US", str(bad))
    assert r.returncode == 2 and "Traceback" not in r.stderr and "line 2" in r.stderr


def test_programs_with_an_msi_product_code_in_the_first_row_are_recognised(tmp_path: Path) -> None:
    """The usual Windows row: ``identifying_number`` is an MSI product code in braces."""
    rows = [
        {"identifying_number": "{3B9C5F4A-1F2E-4B8C-9D7A-0E6F1A2B3C4D}", "install_date": "20240801",
         "install_location": "C:\\Program Files (x86)\\Kaspersky Lab\\", "install_source": "", "language": "1033",
         "name": "Kaspersky Endpoint Security for Windows", "publisher": "AO Kaspersky Lab",
         "uninstall_string": "MsiExec.exe /X{3B9C5F4A-1F2E-4B8C-9D7A-0E6F1A2B3C4D}", "version": "12.1.0.506"},
    ]
    path = tmp_path / "programs.json"
    path.write_text(json.dumps(rows, indent=1))
    assert detect(load_source(str(path))).name == "osquery"
    proc = run_cli("scan", "-j", "US", "--as-of", "2026-01-01", "-f", "json", str(path))
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["inputs"][0]["format"] == "osquery" and report["inputs"][0]["components"] == 1
    assert report["findings"][0]["component"]["name"] == "Kaspersky Endpoint Security for Windows"
