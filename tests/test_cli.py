"""The CLI through its real entry point: exit codes, the JSON contract, files, usage errors, determinism."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, assert_clean_error, run_cli

KASPERSKY = [{"name": "Kaspersky Anti-Virus", "version": "21.3", "supplier": {"name": "AO Kaspersky Lab"},
              "bom-ref": "kav", "purl": "pkg:generic/kaspersky-anti-virus@21.3"}]
CLEAN = [{"name": "requests", "version": "2.32.3", "purl": "pkg:pypi/requests@2.32.3"}]


def test_exit_0_on_pass_and_1_on_violation(write_bom):
    assert run_cli("scan", str(write_bom(CLEAN)), "-j", "US", "--as-of", "2024-10-01").returncode == 0
    proc = run_cli("scan", str(write_bom(KASPERSKY)), "-j", "US", "--as-of", "2024-10-01")
    assert proc.returncode == 1
    assert "VERDICT: FAIL" in proc.stdout and "US-ICTS-KASPERSKY-2024" in proc.stdout
    assert "89 FR 52434" in proc.stdout  # the citation is in the terminal report


def test_json_contract(write_bom):
    proc = run_cli("scan", str(write_bom(KASPERSKY)), "-j", "US", "-j", "CA", "--as-of", "2024-10-01", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    r = json.loads(proc.stdout)
    assert r["tool"]["name"] == "complycheck" and r["tool"]["version"]
    assert r["as_of"] == "2024-10-01" and r["jurisdictions"] == ["CA", "US"] and r["contexts"] == []
    assert r["verdict"] == "fail" and r["rulepack"]["version"]
    (inp,) = r["inputs"]
    assert set(inp) >= {"path", "format", "components", "components_with_vendor_identity"}
    assert inp["format"] == "cyclonedx-json" and inp["components"] == 1 and inp["components_with_vendor_identity"] == 1
    assert set(r["summary"]) >= {"fail", "warn", "info"}
    f = next(f for f in r["findings"] if f["severity"] == "fail")
    assert set(f) >= {"rule_id", "jurisdiction", "title", "status", "severity", "effective", "component", "evidence",
                      "citation", "sources", "message"}
    assert f["status"] == "violation" and f["effective"] == "2024-09-29" and f["jurisdiction"] == "US"
    assert f["component"] == {"name": "Kaspersky Anti-Virus", "version": "21.3", "purl": "pkg:generic/kaspersky-anti-virus@21.3",
                              "bom_ref": "kav", "input": inp["path"], "location": "/components/0"}
    assert f["evidence"][0]["field"] == "supplier.name" and f["evidence"][0]["value"] == "AO Kaspersky Lab"
    assert f["evidence"][0]["matched"] == "AO Kaspersky Lab"
    assert f["sources"] and all(s.startswith("https://") for s in f["sources"])
    statuses = {x["status"] for x in r["findings"]}
    assert statuses <= {"violation", "upcoming", "advisory", "out-of-scope"}


def test_output_file_and_extra_formats(write_bom, tmp_path):
    out = tmp_path / "report.json"
    proc = run_cli("scan", "-j", "US", str(write_bom(KASPERSKY)), "--as-of", "2024-10-01", "--format", "json", "-o", str(out))
    assert proc.returncode == 1 and proc.stdout == ""
    assert json.loads(out.read_text())["verdict"] == "fail"
    extra = tmp_path / "extra.json"
    proc = run_cli("scan", "-j", "US", str(write_bom(KASPERSKY)), "--as-of", "2024-10-01", "-o", f"json={extra}")
    assert "VERDICT: FAIL" in proc.stdout  # text still goes to the terminal
    assert json.loads(extra.read_text())["verdict"] == "fail"


def test_quiet_prints_only_the_verdict(write_bom):
    proc = run_cli("scan", "-j", "US", str(write_bom(KASPERSKY)), "--as-of", "2024-10-01", "-q")
    assert proc.stdout.strip().splitlines() == [proc.stdout.strip()] and proc.stdout.startswith("VERDICT: FAIL")


def test_output_is_byte_identical_across_runs(write_bom):
    path = str(write_bom(KASPERSKY + CLEAN))
    for fmt in ("text", "json"):
        a = run_cli("scan", "-j", "US", path, "--as-of", "2024-10-01", "--format", fmt).stdout
        b = run_cli("scan", "-j", "US", path, "--as-of", "2024-10-01", "--format", fmt).stdout
        assert a == b and a


def test_several_inputs_each_get_a_section_and_the_worst_exit_code(write_bom, tmp_path):
    clean, bad = write_bom(CLEAN), write_bom(KASPERSKY)
    proc = run_cli("scan", "-j", "US", str(clean), str(bad), "--as-of", "2024-10-01", "-f", "json")
    r = json.loads(proc.stdout)
    assert proc.returncode == 1 and [i["path"] for i in r["inputs"]] == [str(clean), str(bad)]
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    proc = run_cli("scan", "-j", "US", str(clean), str(broken), "--as-of", "2024-10-01", "-f", "json")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    r = json.loads(proc.stdout)
    assert r["verdict"] == "error" and r["inputs"][1]["error"].startswith(str(broken))
    assert r["inputs"][0]["components"] == 1  # the good file was still scanned
    assert proc.stderr.count("\n") == 1 and "broken.json" in proc.stderr


def test_directory_of_inputs(write_bom, tmp_path):
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    shutil.copy(write_bom(CLEAN), fleet / "device-a.json")
    shutil.copy(write_bom(KASPERSKY), fleet / "device-b.json")
    (fleet / ".hidden").write_text("ignored", encoding="utf-8")
    proc = run_cli("scan", str(fleet), "--as-of", "2024-10-01", "-j", "US", "-f", "json")
    r = json.loads(proc.stdout)
    assert proc.returncode == 1 and [Path(i["path"]).name for i in r["inputs"]] == ["device-a.json", "device-b.json"]
    assert r["fleet"] == {"inputs_scanned": 2, "inputs_unreadable": 0, "inputs_failing": 1,
                          "rules": [{"rule_id": "US-ICTS-KASPERSKY-2024", "inputs": 1, "components": 1}]}
    text = run_cli("scan", str(fleet), "--as-of", "2024-10-01", "-j", "US").stdout
    assert "Overview: 2 inputs, 1 failing, 0 unreadable or not checked (failures first)" in text
    assert re.search(r"^  FAIL +\S*device-b\.json +US-ICTS-KASPERSKY-2024 +Kaspersky Anti-Virus 21\.3 +1 of 1 \(100%\)$", text, re.M)


@pytest.mark.parametrize(
    "args, needles",
    [
        (["-j", "XX"], ["unknown jurisdiction XX", "known codes:", "US"]),
        (["-c", "spaceship"], ["unknown context spaceship", "known contexts:", "government"]),
        (["--as-of", "2024-13-01"], ["--as-of"]),
        (["--as-of", "yesterday"], ["--as-of"]),
        (["--fail-on", "sometimes"], ["--fail-on"]),
        (["--format", "pdf"], ["unknown format 'pdf'"]),
        (["--horizon", "-5"], ["--horizon"]),
        (["--input-format", "nope"], ["--input-format"]),
        (["--max-input-size", "lots"], ["--max-input-size"]),
    ],
)
def test_usage_errors_exit_2_with_one_line(write_bom, args, needles):
    proc = run_cli("scan", str(write_bom(CLEAN)), *(args if "-j" in args else ["-j", "US", *args]))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    for n in needles:
        assert n in proc.stderr, (n, proc.stderr)


def test_no_inputs_is_a_usage_error():
    proc = run_cli("scan")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_rules_list_and_show():
    proc = run_cli("rules", "list", "--jurisdiction", "CA")
    assert proc.returncode == 0
    assert "CA-TBS-WECHAT-KASPERSKY-2023" in proc.stdout and "US-ICTS-KASPERSKY-2024" not in proc.stdout
    proc = run_cli("rules", "show", "US-ICTS-KASPERSKY-2024")
    assert proc.returncode == 0
    for needle in ("89 FR 52434", "2024-07-20", "2024-09-29", "Threat Intelligence", "procurement", "AO Kaspersky Lab"):
        assert needle in proc.stdout, needle
    assert_clean_error(run_cli("rules", "show", "NO-SUCH-RULE"), "NO-SUCH-RULE")


def test_version_and_module_entry_point():
    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("complycheck, version ")


def test_help_lists_commands():
    proc = run_cli("--help")
    assert proc.returncode == 0 and "scan" in proc.stdout and "rules" in proc.stdout


def test_examples_get_their_documented_verdicts():
    cases = [
        (["endpoint-security-suite.cdx.json", "-j", "US"], 1),
        (["clean-web-app.cdx.json", "-j", "US", "-j", "CA"], 0),
        (["lookalikes.cdx.json", "-j", "US", "-j", "CA", "-c", "government", "-c", "mobile"], 0),
        (["mobile-fleet-apps.cdx.xml", "-j", "CA", "-c", "government", "-c", "mobile", "--as-of", "2024-01-15"], 1),
        (["mobile-fleet-apps.cdx.xml", "-j", "CA", "--as-of", "2024-01-15"], 0),
    ]
    for (name, *args), code in cases:
        if "--as-of" not in args:
            args += ["--as-of", "2026-11-22"]
        proc = run_cli("scan", str(EXAMPLES / name), *args)
        assert proc.returncode == code, (name, args, proc.stdout[-400:], proc.stderr)


def test_installed_console_script_finds_the_rule_pack_from_elsewhere(tmp_path):
    """The wheel carries the rule pack: the installed command works outside the source tree."""
    script = Path(sys.executable).with_name("complycheck")
    if not script.exists():
        pytest.skip("complycheck is not installed in this environment (pip install .)")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([str(script), "rules", "list"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "US-ICTS-KASPERSKY-2024" in proc.stdout


def test_progress_line_on_a_terminal_only(write_bom, tmp_path):
    """Several inputs: a progress line on a terminal's stderr, nothing when stderr is not a terminal."""
    import pty

    fleet = tmp_path / "fleet"
    fleet.mkdir()
    for i in range(3):
        shutil.copy(write_bom(CLEAN), fleet / f"device-{i}.json")
    quiet = run_cli("scan", "-j", "US", str(fleet), "--as-of", "2024-10-01", "-q")
    assert quiet.returncode == 0 and quiet.stderr == ""
    master, slave = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    proc = subprocess.run([sys.executable, "-m", "compliance", "scan", "-j", "US", str(fleet), "--as-of", "2024-10-01", "-q"],
                          stdout=subprocess.PIPE, stderr=slave, env=env, timeout=120)
    os.close(slave)
    seen = b""
    try:
        while True:
            chunk = os.read(master, 4096)
            if not chunk:
                break
            seen += chunk
    except OSError:
        pass
    os.close(master)
    assert proc.returncode == 0
    assert b"3/3" in seen and b"[###" in seen
