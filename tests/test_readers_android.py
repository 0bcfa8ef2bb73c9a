"""Android 'pm list packages' (plain, -f -i, -U): detection, fields, verdicts, errors, CLI."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import assert_clean_error, run_cli
from inventory_support import GOV_MOBILE, INV, bad, detected, hits, read, write

from compliance.errors import InputError

FIX = INV / "android"
ALL = ["pm-list-packages.txt", "pm-list-packages-f-i.txt", "pm-list-packages-U.txt"]


@pytest.mark.parametrize("name", ALL)
def test_detect(name: str) -> None:
    assert detected(FIX / name) == "android-pm-list"


def test_plain_crlf() -> None:
    inv = read(FIX / "pm-list-packages.txt")
    by = {c.name: c for c in inv.components}
    assert by["com.tencent.mm"].identifiers == [("android", "com.tencent.mm", "package")]
    assert by["com.kms.free"].location == "line 2"
    assert by["com.kms.free"].type == "android-app"
    assert len(inv.components) == 8


def test_f_and_i() -> None:
    inv = read(FIX / "pm-list-packages-f-i.txt")
    names = [c.name for c in inv.components]
    # The APK path holds '=' characters itself; the package is what follows the last one.
    assert names[:3] == ["com.kms.free", "com.tencent.mm", "com.zhiliaoapp.musically"]
    assert "com.android.vending" in names
    assert inv.metadata["installer_by_package"]["com.tencent.mobileqq"] == "null"
    assert inv.metadata["installer_by_package"]["com.ss.android.ugc.aweme"] == "com.android.packageinstaller"
    assert inv.metadata["installers"]["com.android.vending"] == 5


def test_uid_and_versioncode(tmp_path: Path) -> None:
    inv = read(FIX / "pm-list-packages-U.txt")
    assert [c.name for c in inv.components] == ["com.kms.free", "com.tencent.mm", "com.android.chrome"]
    p = write(tmp_path, "pm.txt", "package:com.tencent.mm versionCode:2760  installer=com.android.vending uid:10211\n")
    c = read(p).components[0]
    assert (c.name, c.version) == ("com.tencent.mm", "2760")


def test_ca_government_mobile() -> None:
    f = FIX / "pm-list-packages-f-i.txt"
    assert hits(f, "CA", date(2022, 10, 1), GOV_MOBILE) == set()
    # TikTok applies from 2023-02-28, WeChat and Kaspersky from 2023-10-30.
    assert hits(f, "CA", date(2023, 3, 1), GOV_MOBILE, severities=("fail",)) == {
        ("CA-TBS-TIKTOK-2023", "com.zhiliaoapp.musically")
    }
    assert hits(f, "CA", date(2023, 11, 1), GOV_MOBILE) == {
        ("CA-TBS-TIKTOK-2023", "com.zhiliaoapp.musically"),
        ("CA-TBS-WECHAT-KASPERSKY-2023", "com.tencent.mm"),
        ("CA-TBS-WECHAT-KASPERSKY-2023", "com.kms.free"),
    }  # QQ, WeCom and Douyin are traps: no finding


def test_us_kaspersky() -> None:
    f = FIX / "pm-list-packages.txt"
    assert hits(f, "US", date(2024, 6, 1)) == set()
    assert hits(f, "US", date(2024, 10, 1), severities=("fail",)) == {("US-ICTS-KASPERSKY-2024", "com.kms.free")}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("package:com.tencent.mm\npackage:com.kms.free\nhello world\n", "line 3"),
        ("package:com.tencent.mm\npackage:\n", "line 2"),
        ("package:com.tencent.mm\npackage:com.kms.free  installer=\n", "line 2"),
    ],
)
def test_malformed(tmp_path: Path, text: str, where: str) -> None:
    p = write(tmp_path, "pm.txt", text)
    with pytest.raises(InputError) as err:
        read(p) if detected(p) == "android-pm-list" else None
    assert err.value.where == where


def test_not_recognised_is_not_android(tmp_path: Path) -> None:
    p = write(tmp_path, "notes.txt", "package: delivered on Monday\nplease sign\n")
    assert "format not recognised" in bad(p)


def test_cli(tmp_path: Path) -> None:
    f = str(FIX / "pm-list-packages.txt")
    proc = run_cli("scan", f, "-j", "CA", "-c", "government", "-c", "mobile", "--as-of", "2023-11-01")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    proc = run_cli("scan", f, "-j", "CA", "--as-of", "2023-11-01")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    broken = write(tmp_path, "pm.txt", "package:com.tencent.mm\npackage:com.kms.free\ngarbage line\n")
    assert_clean_error(run_cli("scan", "-j", "US", str(broken), "--input-format", "android-pm-list"), "pm.txt", "line 3")
