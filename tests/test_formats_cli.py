"""Every format through the real CLI: -f, -o FILE, repeatable -o FORMAT=FILE, --quiet, --fail-on,
and byte-identical output across runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from format_support import CLEAN, HOSTILE, KASPERSKY, make_report, run_cli

from compliance.formats import FORMATS, get_format

NEW_FORMATS = ["sarif", "junit", "markdown", "html", "csv", "github"]
SCAN = ("scan", "--as-of", "2024-10-01", "-j", "US")


def test_registry_has_every_format_with_interface() -> None:
    for name in NEW_FORMATS:
        cls = FORMATS[name]
        assert cls.name == name and cls.label and cls.extension.startswith(".")


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_deterministic_across_runs(name: str) -> None:
    a = get_format(name).render(make_report(KASPERSKY, HOSTILE))
    b = get_format(name).render(make_report(KASPERSKY, HOSTILE))
    assert a == b and a


@pytest.mark.parametrize("name", NEW_FORMATS)
def test_cli_stdout_format_and_exit_codes(name: str, tmp_path: Path) -> None:
    res = run_cli(*SCAN, KASPERSKY, "-f", name, cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    assert "Kaspersky Anti-Virus" in res.stdout
    again = run_cli(*SCAN, KASPERSKY, "-f", name, cwd=tmp_path)
    assert again.stdout == res.stdout  # byte-identical through the CLI too
    assert run_cli(*SCAN, CLEAN, "-f", name, cwd=tmp_path).returncode == 0
    assert run_cli(*SCAN, KASPERSKY, "-f", name, "--fail-on", "never", cwd=tmp_path).returncode == 0


def test_extra_outputs_while_text_goes_to_terminal(tmp_path: Path) -> None:
    files = {"sarif": "out.sarif", "junit": "out.xml", "markdown": "out.md", "html": "out.html",
             "csv": "out.csv", "github": "out.github.txt"}
    args = [f"--output={name}={file}" for name, file in files.items()]
    res = run_cli(*SCAN, KASPERSKY, *args, cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    assert res.stdout.startswith("complycheck ") and "VERDICT: FAIL" in res.stdout
    sarif = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["invocations"][0]["exitCode"] == 1
    assert (tmp_path / "out.xml").read_text(encoding="utf-8").startswith("<?xml")
    assert (tmp_path / "out.md").read_text(encoding="utf-8").startswith("## ❌")
    assert (tmp_path / "out.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").startswith("input,component,")
    assert (tmp_path / "out.github.txt").read_text(encoding="utf-8").startswith("::error ")


def test_plain_output_file_and_quiet(tmp_path: Path) -> None:
    res = run_cli(*SCAN, KASPERSKY, "-f", "sarif", "-o", "r.sarif", "-q", cwd=tmp_path)
    assert res.returncode == 1
    assert res.stdout.startswith("VERDICT: FAIL") and res.stdout.count("\n") == 1
    assert json.loads((tmp_path / "r.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_fail_on_warn_fails_on_upcoming(tmp_path: Path) -> None:
    early = ("scan", "--as-of", "2024-09-01", "-j", "US", KASPERSKY)
    assert run_cli(*early, "-f", "junit", cwd=tmp_path).returncode == 0
    res = run_cli(*early, "-f", "junit", "--fail-on", "warn", cwd=tmp_path)
    assert res.returncode == 1 and "<failure" in res.stdout


def test_unknown_format_is_usage_error(tmp_path: Path) -> None:
    res = run_cli(*SCAN, KASPERSKY, "-f", "pdf", cwd=tmp_path)
    assert res.returncode == 2 and "unknown format 'pdf'" in res.stderr
    res = run_cli(*SCAN, KASPERSKY, "-o", "pdf=x.pdf", cwd=tmp_path)
    assert res.returncode == 2 and "unknown format" in res.stderr
