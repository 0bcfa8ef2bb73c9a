"""complycheck collect: real run on this Linux machine, recorded macOS/Windows/rpm outputs, CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from compliance.collect import CollectError, collect, collect_windows, parse_dpkg, parse_rpm
from compliance.scan import ScanOptions, scan

FIX = Path(__file__).parent / "fixtures"
HAS_DPKG = shutil.which("dpkg-query") is not None


class FakeKey:
    def __init__(self, path: str) -> None:
        self.path = path

    def __enter__(self) -> FakeKey:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class FakeWinreg:
    """Just the winreg calls collect uses, over a recorded dump of the Uninstall keys."""

    HKEY_LOCAL_MACHINE = "HKEY_LOCAL_MACHINE"
    HKEY_CURRENT_USER = "HKEY_CURRENT_USER"

    def __init__(self, dump: dict[str, Any]) -> None:
        self.dump = dump

    def OpenKey(self, parent: Any, sub: str) -> FakeKey:  # noqa: N802 - winreg's name
        path = f"{parent.path if isinstance(parent, FakeKey) else parent}\\{sub}"
        if path in self.dump or self._node(path) is not None:
            return FakeKey(path)
        raise OSError(2, "not found")

    def _node(self, path: str) -> Any:
        root, _, sub = path.rpartition("\\")
        return self.dump.get(root, {}).get(sub)

    def EnumKey(self, key: FakeKey, i: int) -> str:  # noqa: N802
        subs = list(self.dump[key.path])
        if i >= len(subs):
            raise OSError(259, "no more data")
        return subs[i]

    def QueryValueEx(self, key: FakeKey, name: str) -> tuple[Any, int]:  # noqa: N802
        values = self._node(key.path) or {}
        if name not in values:
            raise OSError(2, "not found")
        return values[name], 1


def _bom(text: str) -> dict[str, Any]:
    doc = json.loads(text)
    assert doc["bomFormat"] == "CycloneDX" and doc["specVersion"] == "1.6"
    return doc


def _scan_text(tmp_path: Path, text: str, j: str, as_of: date, contexts: tuple[str, ...] = ()) -> set[tuple[str, str]]:
    p = tmp_path / "bom.json"
    p.write_text(text, encoding="utf-8")
    report = scan([str(p)], ScanOptions(jurisdictions=[j], contexts=list(contexts), as_of=as_of))
    assert not report.has_errors, report.inputs
    return {(f.rule_id, f.component.name) for f in report.findings if f.severity in ("fail", "warn")}


@pytest.mark.skipif(not HAS_DPKG, reason="needs dpkg-query")
def test_linux_real_run_matches_dpkg_query() -> None:
    doc = _bom(collect(include_python=False, hostname="testhost"))
    got = {(c["name"], c["version"]) for c in doc["components"] if c["purl"].startswith("pkg:deb/")}
    out = subprocess.run(
        ["dpkg-query", "-W", "-f", "${db:Status-Abbrev}\t${Package}\t${Version}\n"], capture_output=True, text=True, check=True
    ).stdout
    want = {(p, v) for s, p, v in (line.split("\t") for line in out.splitlines()) if s[1:2] == "i"}
    assert got == want and len(got) > 10
    props = {p["name"]: p["value"] for p in doc["metadata"]["properties"]}
    assert props["complycheck:collect:hostname"] == "testhost"
    assert props["complycheck:collect:platform"].startswith("linux")
    assert "timestamp" not in doc["metadata"]
    assert doc["metadata"]["tools"]["components"][0]["name"] == "complycheck"


@pytest.mark.skipif(not HAS_DPKG, reason="needs dpkg-query")
def test_linux_python_distributions_and_determinism() -> None:
    a = collect(hostname="h")
    assert a == collect(hostname="h")
    doc = _bom(a)
    pypi = {c["name"].lower(): c for c in doc["components"] if c.get("purl", "").startswith("pkg:pypi/")}
    assert "pytest" in pypi and pypi["pytest"]["purl"].startswith("pkg:pypi/pytest@")
    assert pypi["pytest"]["authors"][0]["name"]
    assert "timestamp" in _bom(collect(hostname="h", include_python=False, timestamp=True))["metadata"]


def test_parse_dpkg_skips_removed_and_strips_email() -> None:
    out = "bash\t5.2.15-2+b7\tamd64\tMatthias Klose <doko@debian.org>\tii \nold\t1.0\tamd64\tX <x@y>\trc \n"
    found = parse_dpkg(out, "debian")
    assert [(f.name, f.version, f.supplier, f.purl) for f in found] == [
        ("bash", "5.2.15-2+b7", "Matthias Klose", "pkg:deb/debian/bash@5.2.15-2+b7?arch=amd64")
    ]


def test_rpm_recorded_output(tmp_path: Path) -> None:
    recorded = (FIX / "collect" / "rpm_qa.txt").read_text()
    found = parse_rpm(recorded, "fedora")
    assert found[2].name == "gpg-pubkey" and found[2].supplier == ""
    calls: list[list[str]] = []

    def run(argv: list[str]) -> str:
        calls.append(argv)
        return recorded

    text = collect("linux", run=run, which=lambda c: "/usr/bin/rpm" if c == "rpm" else None, include_python=False, hostname="f40")
    assert calls[0][:2] == ["rpm", "-qa"]
    doc = _bom(text)
    kesl = next(c for c in doc["components"] if c["name"] == "kesl")
    assert kesl["supplier"]["name"] == "AO Kaspersky Lab" and kesl["version"] == "12.1.0-1297"
    assert ("US-ICTS-KASPERSKY-2024", "kesl") in _scan_text(tmp_path, text, "US", date(2024, 10, 1))
    assert _scan_text(tmp_path, text, "US", date(2024, 6, 1)) == set()


def test_linux_without_package_manager() -> None:
    with pytest.raises(CollectError, match="neither dpkg-query nor rpm"):
        collect("linux", run=lambda argv: "", which=lambda c: None)


def test_macos_recorded_system_profiler(tmp_path: Path) -> None:
    recorded = (FIX / "inventories" / "system_profiler" / "applications.json").read_text(encoding="utf-8")
    calls: list[list[str]] = []

    def run(argv: list[str]) -> str:
        calls.append(argv)
        return recorded

    text = collect("darwin", run=run, hostname="mac-alex")
    assert calls == [["system_profiler", "SPApplicationsDataType", "-json"]]
    doc = _bom(text)
    wechat = next(c for c in doc["components"] if c["name"] == "WeChat")
    assert wechat["supplier"]["name"] == "Tencent Technology (Shenzhen) Company Limited"
    props = {p["name"]: p["value"] for p in wechat["properties"]}
    assert props["complycheck:apple:team_id"] == "5A4RE8SF68"
    ctx = ("government", "mobile")
    assert _scan_text(tmp_path, text, "CA", date(2022, 10, 1), ctx) == set()
    after = _scan_text(tmp_path, text, "CA", date(2023, 11, 1), ctx)
    assert ("CA-TBS-WECHAT-KASPERSKY-2023", "WeChat") in after
    assert ("CA-TBS-TIKTOK-2023", "TikTok") in after
    assert not any(n in ("QQ", "抖音") for _, n in after)


def test_windows_recorded_registry(tmp_path: Path) -> None:
    dump = json.loads((FIX / "collect" / "windows_uninstall.json").read_text(encoding="utf-8"))
    dump.pop("_comment")
    found = collect_windows(FakeWinreg(dump))
    names = [f.name for f in found]
    assert names == ["7-Zip 24.08 (x64)", "Kaspersky Standard", "UltraAV", "WeChat", "Microsoft Visual Studio Code (User)"]
    text = collect("win32", winreg=FakeWinreg(dump), hostname="WIN-7Q2K9")
    doc = _bom(text)
    wechat = next(c for c in doc["components"] if c["name"] == "WeChat")
    assert wechat["publisher"] == "腾讯科技(深圳)有限公司"
    assert _scan_text(tmp_path, text, "US", date(2024, 10, 1)) == {("US-ICTS-KASPERSKY-2024", "Kaspersky Standard")}
    assert _scan_text(tmp_path, text, "US", date(2024, 6, 1)) == set()
    ca = _scan_text(tmp_path, text, "CA", date(2023, 11, 1), ("government", "mobile"))
    assert ca == {("CA-TBS-WECHAT-KASPERSKY-2023", "WeChat"), ("CA-TBS-WECHAT-KASPERSKY-2023", "Kaspersky Standard")}


def test_windows_without_winreg() -> None:
    if sys.platform == "win32":
        pytest.skip("winreg exists here")
    with pytest.raises(CollectError, match="winreg"):
        collect("win32")


def _cli(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "compliance", *args], capture_output=True, text=True, env=env, input=stdin)


@pytest.mark.skipif(not HAS_DPKG, reason="needs dpkg-query")
def test_cli_collect_pipes_into_scan(tmp_path: Path) -> None:
    r = _cli("collect")
    assert r.returncode == 0 and "Traceback" not in r.stderr
    s = _cli("scan", "-", "--jurisdiction", "US", stdin=r.stdout)
    assert s.returncode in (0, 1) and "Traceback" not in s.stderr and "cyclonedx-json" in s.stdout
    out = tmp_path / "host.cdx.json"
    r = _cli("collect", "-o", str(out), "--no-python")
    assert r.returncode == 0 and _bom(out.read_text())["components"]


def test_cli_collect_missing_command_exit_2() -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("Linux path")
    env = dict(os.environ, PATH="/nonexistent")
    r = _cli("collect", env=env)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "dpkg-query" in r.stderr
