"""The terminal report shows hostile input as escapes: it must not start lines or drive the terminal."""

from __future__ import annotations

from conftest import REPO, run_cli

HOSTILE = REPO / "tests" / "fixtures" / "formats" / "hostile.cdx.json"


def test_hostile_names_cannot_inject_lines_or_escape_sequences(write_bom):
    path = write_bom([{"name": "x\n::error::owned\x1b[31m", "supplier": {"name": "AO Kaspersky Lab"}}])
    proc = run_cli("scan", str(path), "-j", "US", "--as-of", "2024-10-01")
    assert proc.returncode == 1
    assert not any(line.startswith("::") for line in proc.stdout.splitlines())
    assert "\x1b" not in proc.stdout
    assert "x\\x0a::error::owned\\x1b[31m" in proc.stdout


def test_shared_hostile_fixture_stays_inert():
    proc = run_cli("scan", str(HOSTILE), "-j", "US", "--as-of", "2024-10-01")
    assert proc.returncode in (0, 1)
    assert not any(line.startswith("::") for line in proc.stdout.splitlines())
