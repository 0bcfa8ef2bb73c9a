"""The inventory examples get exactly the verdicts docs/inventories.md shows (through the real CLI)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO, run_cli

EX = REPO / "examples" / "inventories"
CA_MOBILE = ("-j", "CA", "-c", "government", "-c", "mobile", "--as-of", "2023-11-01")
US_AFTER = ("-j", "US", "--as-of", "2024-10-01")

CASES = [
    ("windows-uninstall.csv", US_AFTER, "windows-uninstall-csv", "(1 fail, 0 warn, 5 info, 0 waived)", 1),
    ("windows-uninstall.json", US_AFTER, "windows-uninstall-json", "(1 fail, 0 warn, 5 info, 0 waived)", 1),
    ("windows-uninstall.csv", ("-j", "US", "--as-of", "2024-06-01"), "windows-uninstall-csv", "(0 fail, 0 warn, 6 info, 0 waived)", 0),
    ("intune-AppInvAggregate.csv", CA_MOBILE, "intune-discovered-apps", "(5 fail, 0 warn, 2 info, 0 waived)", 1),
    ("jamf-mobile-device.json", CA_MOBILE, "jamf-mobile-device", "(3 fail, 0 warn, 1 info, 0 waived)", 1),
    ("android-pm-list-packages.txt", CA_MOBILE, "android-pm-list", "(3 fail, 0 warn, 1 info, 0 waived)", 1),
    ("dpkg-query.tsv", US_AFTER, "dpkg-query", "(1 fail, 0 warn, 5 info, 0 waived)", 1),
    ("dpkg-l.txt", US_AFTER, "dpkg-list", "(1 fail, 0 warn, 5 info, 0 waived)", 1),
    ("rpm-qa-qf.tsv", US_AFTER, "rpm-query", "(2 fail, 0 warn, 10 info, 0 waived)", 1),
    ("rpm-qa.txt", US_AFTER, "rpm-qa", "(2 fail, 0 warn, 10 info, 0 waived)", 1),
    ("mobile-apps.csv", CA_MOBILE, "mobile-apps-csv", "(3 fail, 0 warn, 1 info, 0 waived)", 1),
    ("software-inventory.csv", US_AFTER, "csv", "(1 fail, 0 warn, 6 info, 0 waived)", 1),
]


@pytest.mark.parametrize(("name", "args", "fmt", "counts", "code"), CASES)
def test_documented_verdict(name: str, args: tuple[str, ...], fmt: str, counts: str, code: int) -> None:
    path: Path = EX / name
    proc = run_cli("scan", str(path), *args)
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"({fmt})" in proc.stdout
    assert counts in proc.stdout.splitlines()[-1]
    assert counts in (REPO / "docs" / "inventories.md").read_text(encoding="utf-8")
