"""winget export JSON: detection, fields, verdicts, malformed input, real CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import run_cli
from inventory_support import hits, read

from compliance.errors import InputError
from compliance.readers import detect, load_source

FIX = Path(__file__).parent / "fixtures" / "inventories" / "winget"






@pytest.mark.parametrize("name", ["export.json", "export-utf16le.json"])
def test_detect_and_fields(name: str) -> None:
    src = load_source(str(FIX / name))
    assert detect(src).name == "winget-export"
    inv = read(FIX / name)
    by = {c.name: c for c in inv.components}
    assert by["Tencent.WeChat"].identifiers == [("winget", "Tencent.WeChat", "PackageIdentifier")]
    assert by["Tencent.WeChat"].version == "3.9.12.17"
    assert by["Kaspersky.Kaspersky"].version == ""
    assert by["Kaspersky.Kaspersky"].location == "/Sources/0/Packages/2"
    assert inv.metadata["wingetVersion"] == "1.8.1911"
    assert inv.metadata["sources"] == ["winget"]


def test_us_kaspersky_before_and_after_cutoff() -> None:
    assert hits(FIX / "export.json", "US", date(2024, 6, 1)) == set()
    assert ("US-ICTS-KASPERSKY-2024", "Kaspersky.Kaspersky") in hits(FIX / "export.json", "US", date(2024, 10, 1))


def test_ca_wechat_kaspersky_government_mobile() -> None:
    ctx = ("government", "mobile")
    assert hits(FIX / "export.json", "CA", date(2023, 6, 1), ctx) == set()
    after = hits(FIX / "export.json", "CA", date(2023, 11, 1), ctx)
    assert after == {
        ("CA-TBS-WECHAT-KASPERSKY-2023", "Tencent.WeChat"),
        ("CA-TBS-WECHAT-KASPERSKY-2023", "Kaspersky.Kaspersky"),
    }
    assert hits(FIX / "export.json", "CA", date(2023, 11, 1)) == set()  # desktop, no contexts


def test_traps_qq_and_capcut_pass() -> None:
    for j in ("US", "CA"):
        assert hits(FIX / "benign.json", j, date(2024, 10, 1), ("government", "mobile")) == set()


@pytest.mark.parametrize(
    ("doc", "where"),
    [
        ({"Sources": {}}, "/Sources"),
        ({"Sources": [{"Packages": [{"PackageIdentifier": 5}]}]}, "/Sources/0/Packages/0/PackageIdentifier"),
        ({"Sources": [{"Packages": [{"Version": "1"}]}]}, "/Sources/0/Packages/0"),
        ({"Sources": [{"Packages": [{"PackageIdentifier": "A.B", "Version": ["1"]}]}]}, "/Sources/0/Packages/0/Version"),
        ({"Sources": [{"SourceDetails": {}, "Packages": "x"}]}, "/Sources/0/Packages"),
        ({"Sources": ["x"]}, "/Sources/0"),
    ],
)
def test_malformed(tmp_path: Path, doc: dict, where: str) -> None:
    doc = {"$schema": "https://aka.ms/winget-packages.schema.2.0.json", **doc}
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(doc))
    with pytest.raises(InputError) as exc:
        read(p)
    assert exc.value.where == where
    assert str(p) in str(exc.value)


def test_truncated(tmp_path: Path) -> None:
    p = tmp_path / "cut.json"
    p.write_bytes((FIX / "export.json").read_bytes()[:300])
    with pytest.raises(InputError) as exc:
        read(p)
    assert exc.value.where and exc.value.where.startswith("line ")


def test_cli_exit_codes(tmp_path: Path) -> None:
    r = run_cli("scan", str(FIX / "export-utf16le.json"), "-j", "US", "--as-of", "2024-10-01")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    r = run_cli("scan", str(FIX / "benign.json"), "-j", "US", "--as-of", "2024-10-01")
    assert r.returncode == 0 and "Traceback" not in r.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"$schema": "https://aka.ms/winget-packages.schema.2.0.json", "Sources": 3}')
    r = run_cli("scan", str(bad), "-j", "US")
    assert r.returncode == 2 and "Traceback" not in r.stderr and "/Sources" in r.stderr
