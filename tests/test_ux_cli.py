"""Issue 11 as a new user meets it, through the real CLI: the policy file, a required jurisdiction,
unverified rules that warn, out-of-scope summaries, -o format inference, fleet folders with a README,
and the smaller edges (formats command, waived heading, aligned rules list, contexts hint)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import REPO, assert_clean_error, run_cli

from compliance.errors import UsageError
from compliance.scan import ScanOptions, scan

KASPERSKY = [{"name": "Kaspersky Anti-Virus", "version": "21.3", "supplier": {"name": "AO Kaspersky Lab"},
              "bom-ref": "kav", "purl": "pkg:generic/kaspersky-anti-virus@21.3"}]
CLEAN = [{"name": "requests", "version": "2.32.3", "purl": "pkg:pypi/requests@2.32.3"}]
TENCENT_SDK = [{"name": "wechat-sdk-android", "version": "6.8.0",
                "purl": "pkg:maven/com.tencent.mm.opensdk/wechat-sdk-android@6.8.0"}]
AS_OF = ("--as-of", "2026-11-22")


# -- item 2: a jurisdiction is required; codes are case-insensitive; ALL is explicit ----------


def test_scan_without_jurisdiction_is_a_usage_error_naming_the_flag_and_the_config_file(write_bom, tmp_path):
    proc = run_cli("scan", str(write_bom(KASPERSKY)), *AS_OF, cwd=tmp_path)
    assert_clean_error(proc, "-j/--jurisdiction", ".complycheck.yaml", "complycheck init")
    assert proc.stdout == ""


def test_jurisdiction_and_context_codes_are_case_insensitive(write_bom):
    bom = str(write_bom(KASPERSKY))
    upper = run_cli("scan", bom, "-j", "US", "-c", "procurement", *AS_OF, "-f", "json")
    lower = run_cli("scan", bom, "-j", "us", "-c", "Procurement", *AS_OF, "-f", "json")
    assert upper.returncode == lower.returncode == 1
    a, b = json.loads(upper.stdout), json.loads(lower.stdout)
    assert a.pop("command") != b.pop("command")
    assert a == b
    listed = run_cli("rules", "list", "-j", "us-tx", "-c", "STATE-GOVERNMENT")
    assert listed.returncode == 0 and "US-TX-TIKTOK-2022" in listed.stdout


def test_all_jurisdictions_is_explicit_and_said_on_the_first_line(write_bom):
    proc = run_cli("scan", str(write_bom(CLEAN)), "-j", "ALL", *AS_OF)
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.splitlines()[0]
    assert first.startswith("ALL JURISDICTIONS (-j ALL)")
    data = json.loads(run_cli("scan", str(write_bom(CLEAN)), "-j", "all", *AS_OF, "-f", "json").stdout)
    assert data["all_jurisdictions"] is True and {"IN", "UA", "US"} <= set(data["jurisdictions"])
    only_us = json.loads(run_cli("scan", str(write_bom(CLEAN)), "-j", "US", *AS_OF, "-f", "json").stdout)
    assert only_us["all_jurisdictions"] is False
    assert not run_cli("scan", str(write_bom(CLEAN)), "-j", "US", *AS_OF).stdout.startswith("ALL")


def test_library_scan_requires_a_jurisdiction_unless_told_all(write_bom):
    bom = str(write_bom(KASPERSKY))
    with pytest.raises(UsageError, match="no jurisdiction given"):
        scan([bom], ScanOptions(as_of=date(2026, 11, 22)))
    report = scan([bom], ScanOptions(jurisdictions=["ALL"], as_of=date(2026, 11, 22)))
    assert report.all_jurisdictions and "UA" in report.jurisdictions
    assert scan([bom], ScanOptions(jurisdictions=["us"], as_of=date(2026, 11, 22))).jurisdictions == ["US"]


# -- item 2: unverified rules warn unless opted in; --require-verified excludes them by name ----


def test_unverified_rule_warns_and_fails_only_when_opted_in(write_bom, tmp_path):
    # UA-NSDC-133-2017 (Kaspersky, any context, 2017 to 2023) rests on unverified facts.
    bom = str(write_bom(KASPERSKY))
    args = ("scan", bom, "-j", "UA", "--as-of", "2021-06-01")
    proc = run_cli(*args)
    assert proc.returncode == 0, proc.stdout
    assert re.search(r"WARN\s+VIOLATION\s+UA\s+UA-NSDC-133-2017\s+\(unverified rule", proc.stdout)
    finding = next(f for f in json.loads(run_cli(*args, "-f", "json").stdout)["findings"]
                   if f["rule_id"] == "UA-NSDC-133-2017")
    assert finding["severity"] == "warn" and finding["verification"] == "unverified"
    assert "--fail-on-unverified" in finding["message"]
    opted = run_cli(*args, "--fail-on-unverified")
    assert opted.returncode == 1 and re.search(r"FAIL\s+VIOLATION\s+UA\s+UA-NSDC-133-2017", opted.stdout)
    (tmp_path / ".complycheck.yaml").write_text("unverified: fail\n", encoding="utf-8")
    assert run_cli(*args, cwd=tmp_path).returncode == 1


def test_require_verified_leaves_out_unverified_rules_and_names_them(write_bom):
    bom = str(write_bom(KASPERSKY))
    proc = run_cli("scan", bom, "-j", "UA", "--require-verified", *AS_OF)
    assert proc.returncode == 0, proc.stderr
    assert "complycheck: note: --require-verified leaves out UA-NSDC-133-2017 (unverified facts)" in proc.stderr
    assert "Left out by --require-verified: UA-NSDC-133-2017" in proc.stdout
    assert "UA-NSDC-133-2017" not in proc.stdout.split("Left out by")[0]
    data = json.loads(run_cli("scan", bom, "-j", "UA", "--require-verified", *AS_OF, "-f", "json").stdout)
    from compliance.rulepack import load_rule_pack

    unverified_ua = sorted(r.id for r in load_rule_pack([]).rules
                           if r.jurisdiction == "UA" and r.verification_status == "unverified")
    assert "UA-NSDC-133-2017" in unverified_ua
    assert sorted(r["rule_id"] for r in data["excluded_rules"]) == unverified_ua
    assert not {r["rule_id"] for r in data["rules_evaluated"]} & set(unverified_ua)
    assert data["verdict"] == "pass" and all(f["verification"] != "unverified" for f in data["findings"])


# -- item 1: the policy file ----------------------------------------------------------------------


def test_config_file_in_working_directory_sets_the_policy_and_flags_override_it(write_bom, tmp_path):
    bom = str(write_bom(KASPERSKY))
    (tmp_path / ".complycheck.yaml").write_text(
        "jurisdictions: [US]\ncontexts: [federal]\nfail_on: warn\nhorizon: 30\n", encoding="utf-8")
    data = json.loads(run_cli("scan", bom, *AS_OF, "-f", "json", cwd=tmp_path).stdout)
    assert data["jurisdictions"] == ["US"] and "federal" in data["contexts"]
    assert data["fail_on"] == "warn" and data["horizon_days"] == 30
    over = json.loads(run_cli("scan", bom, "-j", "CA", "--fail-on", "never", "--horizon", "5", *AS_OF, "-f", "json",
                              cwd=tmp_path).stdout)
    assert over["jurisdictions"] == ["CA"] and over["fail_on"] == "never" and over["horizon_days"] == 5
    assert "federal" in over["contexts"]  # not overridden: still from the file


def test_config_flag_points_at_a_file_and_resolves_rule_packs_relative_to_it(write_bom, tmp_path):
    policy = tmp_path / "policy"
    policy.mkdir()
    (policy / "complycheck.yaml").write_text(
        f"jurisdictions: [ORG]\ncontexts: [product-release]\nrules: [{Path('packs') / 'org'}]\n", encoding="utf-8")
    import shutil

    shutil.copytree(REPO / "examples" / "org-policy", policy / "packs" / "org")
    # Run from elsewhere: the pack is found next to the policy file, not in the working directory.
    proc = run_cli("scan", str(write_bom(TENCENT_SDK)), "--config", str(policy / "complycheck.yaml"), *AS_OF)
    assert proc.returncode == 1, proc.stderr
    assert "ORG-NO-TENCENT-SDKS" in proc.stdout


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("jurisdictions: [US]\nfailon: warn\n", ["line 2", "unknown key 'failon'", "fail_on"]),
        ("jurisdictions: [US]\n\nfail_on: sometimes\n", ["line 3", "'fail_on'", "fail, warn, never"]),
        ("horizon: -3\n", ["line 1", "'horizon'"]),
        ("jurisdictions: [US]\nrequire_verified: maybe\n", ["line 2", "'require_verified'", "true or false"]),
        ("jurisdictions: [US]\nwaivers:\n  - rule: X\n", ["waiver 1", "'reason' is required"]),
        ("jurisdictions: [US\n", ["line 2"]),
        ("- just\n- a list\n", ["waiver 1", "mapping"]),
        ("just a string\n", ["mapping of settings"]),
        ("jurisdictions: &j [US]\ncontexts: *j\n", ["line 1", "anchors and aliases"]),
    ],
)
def test_bad_config_file_is_one_line_naming_the_file_and_line(write_bom, tmp_path, text, needles):
    (tmp_path / ".complycheck.yaml").write_text(text, encoding="utf-8")
    proc = run_cli("scan", str(write_bom(CLEAN)), *AS_OF, cwd=tmp_path)
    assert_clean_error(proc, ".complycheck.yaml", *needles)


def test_config_waivers_and_outputs_apply(write_bom, tmp_path):
    (tmp_path / ".complycheck.yaml").write_text(
        "jurisdictions: [US]\ncontexts: [procurement]\noutputs: [sarif=out.sarif]\n"
        "waivers:\n  - rule: US-ICTS-KASPERSKY-2024\n    bom-ref: kav\n    reason: decommissioning CHG-1\n",
        encoding="utf-8")
    proc = run_cli("scan", str(write_bom(KASPERSKY)), *AS_OF, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert "WAIVED" in proc.stdout and (tmp_path / "out.sarif").exists()


def test_a_bare_list_of_waivers_still_works_as_the_project_file(write_bom, tmp_path):
    (tmp_path / ".complycheck.yaml").write_text(
        "- rule: US-ICTS-KASPERSKY-2024\n  bom-ref: kav\n  reason: decommissioning CHG-1\n", encoding="utf-8")
    proc = run_cli("scan", str(write_bom(KASPERSKY)), "-j", "US", *AS_OF, cwd=tmp_path)
    assert proc.returncode == 0 and "WAIVED" in proc.stdout


def test_init_writes_a_commented_file_that_scan_uses_and_refuses_to_overwrite(write_bom, tmp_path):
    proc = run_cli("init", "-j", "us", "-c", "procurement", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / ".complycheck.yaml").read_text(encoding="utf-8")
    assert text.startswith("#") and "jurisdictions: [US]" in text and "contexts: [procurement]" in text
    assert text.count("\n#") > 10  # commented
    scanned = run_cli("scan", str(write_bom(KASPERSKY)), *AS_OF, cwd=tmp_path)
    assert scanned.returncode == 1 and "jurisdictions: US; contexts: procurement" in scanned.stdout
    again = run_cli("init", cwd=tmp_path)
    assert_clean_error(again, ".complycheck.yaml", "--force")
    assert (tmp_path / ".complycheck.yaml").read_text(encoding="utf-8") == text
    forced = run_cli("init", "--force", cwd=tmp_path)
    assert forced.returncode == 0 and "jurisdictions: []" in (tmp_path / ".complycheck.yaml").read_text()
    empty = run_cli("scan", str(write_bom(KASPERSKY)), *AS_OF, cwd=tmp_path)
    assert_clean_error(empty, "no jurisdiction given", ".complycheck.yaml")


# -- item 3: out-of-scope findings --------------------------------------------------------------


def test_out_of_scope_is_one_summary_line_per_rule_in_text(write_bom):
    bom = str(write_bom(KASPERSKY + [{"name": "Kaspersky Endpoint Security", "version": "12",
                                       "supplier": {"name": "AO Kaspersky Lab"}, "bom-ref": "kes"}]))
    proc = run_cli("scan", bom, "-j", "US", *AS_OF)
    lines = [ln for ln in proc.stdout.splitlines() if "OUT-OF-SCOPE" in ln]
    rules = [ln.split()[3] for ln in lines]
    assert len(rules) == len(set(rules)) >= 3  # one line per rule although two components match
    ndaa = next(ln for ln in lines if "US-NDAA18-1634" in ln)
    assert "would apply with --context federal, or with --context contractor" in ndaa
    assert "2 findings" in ndaa
    detailed = run_cli("scan", bom, "-j", "US", *AS_OF, "--show-out-of-scope")
    assert detailed.stdout.count("OUT-OF-SCOPE US     US-NDAA18-1634") == 2


def test_context_lists_name_each_context_once(write_bom):
    # US-DHS-BOD-17-01 has three actions, each needing federal: the message names --context federal once.
    proc = run_cli("scan", str(write_bom(KASPERSKY)), "-j", "US", *AS_OF, "-f", "json")
    findings = json.loads(proc.stdout)["findings"]
    bod = next(f for f in findings if f["rule_id"] == "US-DHS-BOD-17-01")
    assert bod["status"] == "out-of-scope" and len(bod["actions"]) == 3
    assert bod["message"].count("--context federal") == 1, bod["message"]
    for f in findings:
        if f["status"] == "out-of-scope":
            ways = re.findall(r"with ((?:--context [a-z-]+ ?)+):", f["message"])
            assert len(ways) == len(set(ways)), f["message"]
    text = run_cli("scan", str(write_bom(KASPERSKY)), "-j", "US", *AS_OF).stdout
    line = next(ln for ln in text.splitlines() if "US-DHS-BOD-17-01" in ln)
    assert line.count("--context federal") == 1


def test_out_of_scope_left_out_of_sarif_and_github_unless_asked_but_kept_in_json(write_bom):
    bom = str(write_bom(KASPERSKY))
    sarif = json.loads(run_cli("scan", bom, "-j", "US", *AS_OF, "-f", "sarif").stdout)
    levels = [r["level"] for r in sarif["runs"][0]["results"]]
    assert levels and "note" not in levels
    shown = json.loads(run_cli("scan", bom, "-j", "US", *AS_OF, "-f", "sarif", "--show-out-of-scope").stdout)
    assert "note" in [r["level"] for r in shown["runs"][0]["results"]]
    github = run_cli("scan", bom, "-j", "US", *AS_OF, "-f", "github").stdout
    assert "::error" in github and "::notice" not in github
    assert "::notice" in run_cli("scan", bom, "-j", "US", *AS_OF, "-f", "github", "--show-out-of-scope").stdout
    data = json.loads(run_cli("scan", bom, "-j", "US", *AS_OF, "-f", "json").stdout)
    assert any(f["status"] == "out-of-scope" for f in data["findings"])


# -- item 5: -o FILE infers the format from the extension --------------------------------------


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("report.json", lambda t: json.loads(t)["verdict"] == "fail"),
        ("report.sarif", lambda t: json.loads(t)["version"] == "2.1.0"),
        ("results.sarif.json", lambda t: json.loads(t)["version"] == "2.1.0"),
        ("junit.xml", lambda t: t.startswith("<?xml") and "<testsuite" in t),
        ("report.md", lambda t: "US-ICTS-KASPERSKY-2024" in t and "VERDICT" not in t.splitlines()[0]),
        ("review.html", lambda t: t.lstrip().lower().startswith("<!doctype html")),
        ("findings.csv", lambda t: t.splitlines()[0].count(",") > 3),
        ("report.out", lambda t: "VERDICT: FAIL" in t),  # unknown extension: the default text format
    ],
)
def test_output_format_follows_the_extension(write_bom, tmp_path, name, check):
    out = tmp_path / name
    proc = run_cli("scan", str(write_bom(KASPERSKY)), "-j", "US", *AS_OF, "-o", str(out))
    assert proc.returncode == 1 and proc.stdout == "", proc.stderr
    assert check(out.read_text(encoding="utf-8"))


def test_explicit_format_beats_the_extension(write_bom, tmp_path):
    out = tmp_path / "report.json"
    run_cli("scan", str(write_bom(KASPERSKY)), "-j", "US", *AS_OF, "-f", "text", "-o", str(out))
    assert out.read_text(encoding="utf-8").startswith("complycheck ")


# -- item 6: fleet folders with non-inventory files --------------------------------------------


def test_fleet_folder_skips_readme_and_other_non_inventories_with_a_note(write_bom, tmp_path):
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    write_bom(KASPERSKY, name="fleet/host-1.cdx.json")
    write_bom(CLEAN, name="fleet/host-2.cdx.json")
    (fleet / "README.md").write_text("# Fleet exports\n\nOne file per device, exported weekly.\n", encoding="utf-8")
    (fleet / "LICENSE").write_text("Copyright the fleet team\n", encoding="utf-8")
    (fleet / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    (fleet / "blob.bin").write_bytes(bytes(range(256)) * 4)
    proc = run_cli("scan", str(fleet), "-j", "US", *AS_OF)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    notes = [ln for ln in proc.stderr.splitlines() if ln.startswith("complycheck: note: skipped")]
    assert len(notes) == 4
    assert any("README.md: documentation (.md), not an inventory" in n for n in notes)
    assert any("blob.bin: binary data" in n for n in notes)
    assert "VERDICT: FAIL" in proc.stdout and "Skipped " in proc.stdout
    data = json.loads(run_cli("scan", str(fleet), "-j", "US", *AS_OF, "-f", "json").stdout)
    assert len(data["inputs"]) == 2 and len(data["skipped"]) == 4


def test_fleet_folder_still_fails_on_files_that_look_like_inventories(write_bom, tmp_path):
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    write_bom(CLEAN, name="fleet/host-1.cdx.json")
    (fleet / "README.md").write_text("# notes\n", encoding="utf-8")
    (fleet / "host-2.cdx.json").write_text('{"bomFormat": "CycloneDX", "components": [', encoding="utf-8")
    proc = run_cli("scan", str(fleet), "-j", "US", *AS_OF)
    assert proc.returncode == 2 and "VERDICT: ERROR" in proc.stdout
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("complycheck: error:")]
    assert len(errors) == 1 and "host-2.cdx.json" in errors[0]
    assert "README.md: documentation" in proc.stderr
    # A non-inventory named on the command line is read, and is an error.
    named = run_cli("scan", str(fleet / "README.md"), "-j", "US", *AS_OF)
    assert_clean_error(named, "README.md", "format not recognised")
    # A folder holding nothing but documentation is an error, not a silent pass.
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "README.md").write_text("# nothing here\n", encoding="utf-8")
    empty = run_cli("scan", str(docs), "-j", "US", *AS_OF)
    assert empty.returncode == 2 and "no inventory to scan" in empty.stderr


def test_a_sbom_with_a_doc_extension_is_still_scanned(tmp_path, write_bom):
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    src = write_bom(KASPERSKY)
    (fleet / "export.txt.html").write_bytes(src.read_bytes())  # misnamed, but a reader recognises it
    proc = run_cli("scan", str(fleet), "-j", "US", *AS_OF)
    assert proc.returncode == 1 and "skipped" not in proc.stderr


# -- item 10: smaller edges ---------------------------------------------------------------------


def test_format_not_recognised_is_short_and_points_at_formats_command(tmp_path):
    bad = tmp_path / "data.json"
    bad.write_text('{"hello": "world"}', encoding="utf-8")
    proc = run_cli("scan", str(bad), "-j", "US", *AS_OF)
    assert_clean_error(proc, "format not recognised", "complycheck formats", "--input-format")
    assert len(proc.stderr.strip()) < 200
    listing = run_cli("formats")
    assert listing.returncode == 0
    for name in ("cyclonedx-json", "spdx-json", "windows-uninstall-csv", "android-pm-list", "csv"):
        line = next(ln for ln in listing.stdout.splitlines() if ln.split()[:1] == [name])
        assert len(line.split(None, 1)[1]) > 5  # a one-line description


def test_waived_finding_is_headed_waived_not_fail(write_bom, tmp_path):
    waivers = tmp_path / "w.yaml"
    waivers.write_text("waivers:\n  - rule: US-ICTS-KASPERSKY-2024\n    bom-ref: kav\n    reason: decommissioning\n",
                       encoding="utf-8")
    proc = run_cli("scan", str(write_bom(KASPERSKY)), "-j", "US", *AS_OF, "--waivers", str(waivers))
    assert proc.returncode == 0
    assert re.search(r"WAIVED VIOLATION\s+US\s+US-ICTS-KASPERSKY-2024", proc.stdout)
    assert "FAIL  VIOLATION" not in proc.stdout


def test_org_policy_example_fails_as_documented_with_its_context(write_bom):
    org = str(REPO / "examples" / "org-policy")
    bom = str(write_bom(TENCENT_SDK))
    proc = run_cli("scan", bom, "--rules", org, "-j", "ORG", "-c", "product-release", *AS_OF)
    assert proc.returncode == 1 and "ORG-NO-TENCENT-SDKS" in proc.stdout
    without = run_cli("scan", bom, "--rules", org, "-j", "ORG", *AS_OF)
    assert without.returncode == 0 and "would apply with --context product-release" in without.stdout
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "--rules examples/org-policy -j ORG -c product-release" in readme


def test_contexts_explains_that_state_rules_need_state_government():
    proc = run_cli("contexts")
    assert proc.returncode == 0
    note = [ln for ln in proc.stdout.splitlines() if "US-TX" in ln]
    assert note and "state-government" in note[0] and "government" in note[0]


# -- item 9: install paths that work on a fresh runner ----------------------------------------


def test_action_installs_into_its_own_virtual_environment():
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    steps = action["runs"]["steps"]
    install = next(s for s in steps if s.get("name", "").startswith("Install"))
    script = install["run"]
    assert 'python3 -m venv "$CC_VENV"' in script
    pip_lines = [ln.strip() for ln in script.splitlines() if "pip install" in ln]
    assert pip_lines and all(ln.startswith('"$bin/python" -m pip install') for ln in pip_lines)
    scan_step = next(s for s in steps if s.get("id") == "scan")
    assert "python3 -m compliance" not in scan_step["run"]
    assert '"$CC_VENV_BIN/complycheck"' in scan_step["run"]
    assert scan_step["env"]["CC_VENV_BIN"] == "${{ steps.install.outputs.bin }}"
    assert "config" in action["inputs"] and '--config "$CC_CONFIG"' in scan_step["run"]


def _gitlab() -> dict:
    return yaml.safe_load((REPO / "ci" / "gitlab" / "complycheck.gitlab-ci.yml").read_text(encoding="utf-8"))


def test_gitlab_template_installs_into_a_venv_from_a_spec_that_resolves():
    template = _gitlab()
    spec = template["variables"]["COMPLYCHECK_PIP_SPEC"]
    assert spec == "." and (REPO / spec / "pyproject.toml").is_file()  # this checkout, not the package index
    script = template["complycheck"]["script"]
    assert any(line.startswith("python -m venv ") for line in script)
    pip = [line for line in script if "pip install" in line]
    assert pip and all("complycheck-venv/bin/python" in line for line in pip)
    assert "COMPLYCHECK_CONFIG" in template["variables"] and '--config "$COMPLYCHECK_CONFIG"' in script[-1]


def test_gitlab_template_refuses_a_spec_that_is_not_a_complycheck_checkout(tmp_path):
    import subprocess

    guard = _gitlab()["complycheck"]["script"][0]
    env = {"PATH": "/usr/bin:/bin", "COMPLYCHECK_PIP_SPEC": "."}
    ok = subprocess.run(["sh", "-c", guard], cwd=REPO, env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run(["sh", "-c", guard], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and "COMPLYCHECK_PIP_SPEC '.' is not a complycheck checkout" in bad.stderr
    git = subprocess.run(["sh", "-c", guard], cwd=tmp_path, capture_output=True, text=True,
                         env={**env, "COMPLYCHECK_PIP_SPEC": "git+https://example.org/complycheck.git@v0.2.0"})
    assert git.returncode == 0
