"""Issue 21 item 5, lookups that explain, through the real CLI: ``vendors match``, ``explain``, ``config``,
``--no-config``, ids in any case with "did you mean", ``rules list`` at the terminal's width, and shell
completion. Every error is exit 2 with one line naming what is wrong."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import EXAMPLES, REPO, assert_clean_error, cli_env, run_cli

KASPERSKY = {"name": "Kaspersky Anti-Virus", "version": "21.3", "supplier": {"name": "AO Kaspersky Lab"},
             "bom-ref": "kav", "purl": "pkg:generic/kaspersky-anti-virus@21.3"}
WECHAT_SDK = {"name": "wechat-sdk-android", "version": "6.8.0", "bom-ref": "wx",
              "purl": "pkg:maven/com.tencent.mm.opensdk/wechat-sdk-android@6.8.0"}
CLEAN = {"name": "requests", "version": "2.32.3", "purl": "pkg:pypi/requests@2.32.3", "bom-ref": "rq"}
AS_OF = ("--as-of", "2026-11-22")
SUITE = str(EXAMPLES / "endpoint-security-suite.cdx.json")


def _json(proc: subprocess.CompletedProcess[str]) -> dict:
    assert "Traceback" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout)


# -- vendors match ---------------------------------------------------------------------------------


def test_vendors_match_a_legal_name_says_vendor_strength_and_normalised_form():
    proc = run_cli("vendors", "match", "AO Kaspersky Lab")
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.splitlines()[0]
    assert "free text" in first and "--as" in first  # what was guessed, and how to choose
    assert "words kaspersky lab; legal form AO" in proc.stdout
    assert "MATCH  Kaspersky (kaspersky): strong evidence" in proc.stdout
    doc = _json(run_cli("vendors", "match", "AO Kaspersky Lab", "--as", "vendor", "-f", "json"))
    (reading,) = doc["readings"]
    assert reading["as"] == "vendor" and reading["guessed_from"] is None
    (match,) = reading["matches"]
    assert (match["vendor"], match["strength"], match["evidence"][0]["method"]) == ("kaspersky", "strong", "legal-name")


@pytest.mark.parametrize(
    ("string", "role", "reason"),
    [
        ("AO", "vendor", "after removing the legal form AO, nothing distinctive is left"),
        ("Kasperskyi Ltd", "vendor", "'kasperskyi' is a lookalike of 'kaspersky'"),
        ("Acme Widgets", "vendor", "no catalog name or identifier has the words 'acme', 'widgets'"),
        ("Powered by Kaspersky", "vendor", "no catalog name or identifier has the words 'powered', 'by'"),
        ("com.kasperskyish.app", None, "starts with the catalog prefix 'com.kaspersky' but not at a '.' boundary"),
        ("cpe:2.3:a:kasperski:anti-virus:8:*:*:*:*:*:*:*", None, "'kasperski' is a lookalike of the catalog's 'kaspersky'"),
        ("pkg:npm/tiktoken@0.7.0", None, "no catalog package URL has the type 'npm'"),
        ("ABCDE12345", None, "no catalog vendor has the Apple Team ID ABCDE12345"),
        ("Pacific Networks Inc.", "vendor", "has the same words but another legal form (INC): a different company"),
    ],
)
def test_vendors_match_says_why_nothing_matched(string, role, reason):
    proc = run_cli("vendors", "match", string, *(("--as", role) if role else ()))
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "NO MATCH" in proc.stdout and reason in proc.stdout, proc.stdout
    assert proc.stderr == ""


@pytest.mark.parametrize(
    ("string", "guessed", "vendor", "product", "strength"),
    [
        ("pkg:maven/com.tencent.mm.opensdk/wechat-sdk-android@6.8.0", "purl", "tencent", "wechat-open-sdk", "strong"),
        ("com.tencent.mm", "app-id", "tencent", "wechat", "strong"),
        ("Tencent.WeChat", "winget", "tencent", "wechat", "strong"),
        ("5A4RE8SF68", "team-id", "tencent", None, "strong"),
        ("cpe:2.3:a:kaspersky:anti-virus:8:*:*:*:*:*:*:*", "cpe", "kaspersky", None, "broad"),
    ],
)
def test_vendors_match_guesses_identifiers_from_their_shape(string, guessed, vendor, product, strength):
    doc = _json(run_cli("vendors", "match", string, "-f", "json"))
    (reading,) = doc["readings"]
    assert reading["as"] == guessed and reading["guessed_from"]
    match = reading["matches"][0]
    assert (match["vendor"], match["product"], match["strength"]) == (vendor, product, strength)


@pytest.mark.parametrize(
    ("component", "string", "role"),
    [
        (KASPERSKY, "AO Kaspersky Lab", "vendor"),
        (WECHAT_SDK, "pkg:maven/com.tencent.mm.opensdk/wechat-sdk-android@6.8.0", "purl"),
        ({"name": "Autel MaxiSys", "version": "2.0", "publisher": "Autel Intelligent Technology Corp., Ltd."},
         "Autel Intelligent Technology Corp., Ltd.", "vendor"),
    ],
)
def test_vendors_match_answers_what_a_scan_decides(write_bom, component, string, role):
    """The lookup is the scan's own matching: same vendor, product, strength and evidence method."""
    report = _json(run_cli("scan", str(write_bom([component])), "-j", "ALL", *AS_OF, "-f", "json"))
    finding = report["findings"][0]
    (reading,) = _json(run_cli("vendors", "match", string, "--as", role, "-f", "json"))["readings"]
    (match,) = reading["matches"]

    def seen(e: dict) -> tuple:  # the why less its field name (supplier.name in the SBOM, publisher here)
        return e["vendor"], e.get("product"), e["method"], e["strength"], e["why"][len(e["field"]):]

    scanned = {seen(e) for e in finding["evidence"] if e["value"] == string}
    assert scanned and scanned == {seen(e) for e in match["evidence"]}


def test_vendors_match_reports_the_normalisers_folding():
    hidden = _json(run_cli("vendors", "match", "AO Kasper\u200bsky Lab", "--as", "vendor", "-f", "json"))
    (evidence,) = hidden["readings"][0]["matches"][0]["evidence"]
    assert evidence["folded"] == ["contains invisible characters"] and evidence["strength"] == "strong"
    mixed = run_cli("vendors", "match", "K\u0430sperskyi Lab", "--as", "vendor")
    assert mixed.returncode == 1
    assert "mixed-script: read as 'kasperskyi lab'" in mixed.stdout
    assert "'kasperskyi' is a lookalike of 'kaspersky'" in mixed.stdout
    app = _json(run_cli("vendors", "match", "\u0441om.tencent.mm", "-f", "json"))  # Cyrillic es
    assert app["readings"][0]["as"] == "app-id" and app["readings"][0]["matches"][0]["product"] == "wechat"


def test_vendors_match_unknown_kind_is_one_line():
    assert_clean_error(run_cli("vendors", "match", "x", "--as", "purll"), "--as 'purll'", "did you mean purl?")


# -- explain ---------------------------------------------------------------------------------------


def test_explain_a_component_by_bom_ref_shows_fields_match_and_rules_in_context():
    proc = run_cli("explain", SUITE, "kav-sdk", "-j", "US", *AS_OF)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("Component: Kaspersky Anti-Virus SDK 8.9.3.1122")
    assert "+ supplier.name 'AO Kaspersky Lab' is the legal name AO Kaspersky Lab [strong, legal-name]" in out
    assert "MATCH  Kaspersky (kaspersky): strong evidence" in out
    assert "FAIL   US-ICTS-KASPERSKY-2024 [US] violation" in out
    # out of scope: the context that would make it apply, per action, with its date
    assert "federal-use (from 2018-10-01; federal): out of scope, applies with --context federal" in out
    assert "jurisdictions not selected:" in out


def test_explain_json_agrees_with_the_scan_report(write_bom):
    bom = str(write_bom([CLEAN, KASPERSKY, WECHAT_SDK]))
    args = ("-j", "US", "-j", "CA", "-c", "government", *AS_OF)
    report = _json(run_cli("scan", bom, *args, "-f", "json"))
    for ref in ("kav", "wx"):
        doc = _json(run_cli("explain", bom, ref, *args, "-f", "json"))
        scanned = {f["rule_id"]: f["status"] for f in report["findings"] if f["component"]["bom_ref"] == ref}
        explained = {r["rule_id"]: r["status"] for r in doc["rules"] if r["status"] is not None}
        assert explained == scanned and (scanned or ref == "wx")
        assert doc["component"]["bom_ref"] == ref
    wx = _json(run_cli("explain", bom, "wx", *args, "-f", "json"))
    assert wx["matches"][0]["product"] == "wechat-open-sdk"
    assert any(r["why_no_finding"].startswith("it covers only the products") for r in wx["rules"] if not r["status"])
    clean = _json(run_cli("explain", bom, "requests", *args, "-f", "json"))
    assert clean["matches"] == [] and clean["rules"] == []
    (purl_field,) = [f for f in clean["fields"] if f["field"] == "purl"]
    assert purl_field["used"] is False and purl_field["reasons"]


def test_explain_says_when_a_rule_is_not_yet_in_force(write_bom):
    bom = str(write_bom([KASPERSKY]))
    doc = _json(run_cli("explain", bom, "kav", "-j", "US", "--as-of", "2024-01-01", "--horizon", "0", "-f", "json"))
    icts = next(r for r in doc["rules"] if r["rule_id"] == "US-ICTS-KASPERSKY-2024")
    assert icts["status"] is None and "not in force as of 2024-01-01: from 2024-07-20" in icts["why_no_finding"]
    upcoming = _json(run_cli("explain", bom, "kav", "-j", "US", "--as-of", "2024-07-01", "-f", "json"))
    icts = next(r for r in upcoming["rules"] if r["rule_id"] == "US-ICTS-KASPERSKY-2024")
    assert icts["status"] == "upcoming"


def test_explain_finds_a_row_of_an_inventory_by_number():
    proc = run_cli("explain", str(REPO / "examples" / "inventories" / "android-pm-list-packages.txt"), "2",
                   "-j", "CA", "-c", "government", "-c", "mobile", *AS_OF)
    assert proc.returncode == 0, proc.stderr
    assert "at line 2" in proc.stdout and "product WeChat (wechat)" in proc.stdout
    assert "FAIL   CA-TBS-WECHAT-KASPERSKY-2023 [CA] violation" in proc.stdout


def test_explain_errors_are_one_line(write_bom, tmp_path):
    bom = str(write_bom([KASPERSKY, {**KASPERSKY, "version": "22.0", "bom-ref": "kav2"}]))
    assert_clean_error(run_cli("explain", bom, "kaspersky", "-j", "US"), bom, "did you mean Kaspersky Anti-Virus?")
    assert_clean_error(run_cli("explain", bom, "Kaspersky Anti-Virus", "-j", "US"), "names 2 different components",
                       "bom-ref kav2")
    assert_clean_error(run_cli("explain", bom, "kav", cwd=tmp_path), "no jurisdiction given")
    assert_clean_error(run_cli("explain", str(tmp_path), "kav", "-j", "US"), "is a directory")
    bad = tmp_path / "bad.cdx.json"
    bad.write_text('{"bomFormat": "CycloneDX", "components": [', encoding="utf-8")
    assert_clean_error(run_cli("explain", str(bad), "kav", "-j", "US"), "bad.cdx.json")
    assert_clean_error(run_cli("explain", bom, "kav", "-j", "UK"), "did you mean GB?")


# -- config and --no-config ------------------------------------------------------------------------


POLICY = """\
jurisdictions: [US]
contexts: [procurement]
fail-on: warn
horizon: 30
waivers:
  - {id: KAV-OK, rule: us-icts-kaspersky-2024, bom-ref: kav, reason: test, expires: 2099-01-01}
"""


def test_config_prints_each_setting_with_where_it_came_from(tmp_path):
    (tmp_path / ".complycheck.yaml").write_text(POLICY, encoding="utf-8")
    proc = run_cli("config", "-j", "ca", "--horizon", "10", "-o", "report.sarif", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = {line.split()[0]: line for line in proc.stdout.splitlines()[2:]}
    assert proc.stdout.startswith("Policy file: .complycheck.yaml (sha256 ")
    assert rows["jurisdictions"].split()[1] == "CA"  # canonical, as the scan would use it
    assert "flag -j/--jurisdiction (overrides .complycheck.yaml line 1)" in rows["jurisdictions"]
    assert rows["contexts"].endswith(".complycheck.yaml line 2")
    assert rows["fail_on"].split()[1] == "warn" and rows["fail_on"].endswith("line 3")
    assert rows["horizon"].split()[1] == "10" and "overrides .complycheck.yaml line 4" in rows["horizon"]
    assert rows["format"].split()[1] == "sarif" and "report.sarif (its extension)" in rows["format"]
    assert rows["waivers"].split()[1] == "KAV-OK" and rows["waivers"].endswith("line 5")
    assert rows["unverified"].endswith("default") and rows["max_input_size"].split()[1:] == ["4G", "default"]
    doc = _json(run_cli("config", "-f", "json", cwd=tmp_path))
    assert doc["policy_file"]["path"] == ".complycheck.yaml"
    assert doc["settings"]["horizon"] == {"value": 30, "from": ".complycheck.yaml line 4"}


def test_config_shows_every_scan_flag_and_checks_codes(tmp_path):
    scan_help = run_cli("scan", "--help").stdout
    config_help = run_cli("config", "--help").stdout
    flags = {w.rstrip(",") for w in scan_help.split() if w.startswith("--")}
    assert flags and flags <= {w.rstrip(",") for w in config_help.split() if w.startswith("--")}
    (tmp_path / ".complycheck.yaml").write_text("jurisdictions: [UK]\n", encoding="utf-8")
    assert_clean_error(run_cli("config", cwd=tmp_path), "unknown jurisdiction UK", "did you mean GB?")
    none = run_cli("config", "--no-config", cwd=tmp_path)
    assert none.returncode == 0 and none.stdout.startswith("Policy file: none (--no-config)")
    assert "scan refuses to run without one" in none.stdout


def test_no_config_ignores_the_policy_file(write_bom, tmp_path):
    bom = str(write_bom([KASPERSKY]))
    (tmp_path / ".complycheck.yaml").write_text(POLICY, encoding="utf-8")
    with_file = _json(run_cli("scan", bom, *AS_OF, "-f", "json", cwd=tmp_path))
    assert with_file["policy"]["path"] == ".complycheck.yaml"
    assert all(f["waived"] for f in with_file["findings"] if f["rule_id"] == "US-ICTS-KASPERSKY-2024")
    without = run_cli("scan", bom, "-j", "US", *AS_OF, "-f", "json", "--no-config", cwd=tmp_path)
    assert without.returncode == 1
    doc = _json(without)
    assert doc["policy"] is None and doc["contexts"] == []
    assert not any(f["waived"] for f in doc["findings"])
    assert_clean_error(run_cli("scan", bom, "--no-config", cwd=tmp_path), "no jurisdiction given")
    assert_clean_error(run_cli("scan", bom, "--no-config", "--config", ".complycheck.yaml", "-j", "US", cwd=tmp_path),
                       "--config FILE and --no-config exclude each other")


def test_a_waiver_names_its_rule_in_any_case(write_bom, tmp_path):
    bom = str(write_bom([KASPERSKY]))
    (tmp_path / "w.yaml").write_text(
        "- {rule: us-icts-*, bom-ref: kav, reason: lower-case pattern}\n", encoding="utf-8")
    doc = _json(run_cli("scan", bom, "-j", "US", *AS_OF, "--waivers", str(tmp_path / "w.yaml"), "-f", "json"))
    icts = [f for f in doc["findings"] if f["rule_id"] == "US-ICTS-KASPERSKY-2024"]
    assert icts and all(f["waived"] for f in icts)


# -- ids in any case, and "did you mean" -----------------------------------------------------------


@pytest.mark.parametrize("text", ["Kaspersky", "kaspersky", "AO Kaspersky Lab", "KASPERSKY LAB, INC."])
def test_vendors_show_by_id_name_or_alias(text):
    proc = run_cli("vendors", "show", text)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("kaspersky: Kaspersky")


def test_vendors_show_by_product_name_and_errors():
    assert run_cli("vendors", "show", "WeChat").stdout.startswith("tencent: Tencent")
    assert_clean_error(run_cli("vendors", "show", "Kaspersky fan club"), "did you mean kaspersky?",
                       "only starts with its brand")
    assert_clean_error(run_cli("vendors", "show", "kasperski"), "no vendor 'kasperski'", "did you mean kaspersky?")


def test_rule_ids_are_case_insensitive_with_suggestions():
    proc = run_cli("rules", "show", "us-icts-kaspersky-2024")
    assert proc.returncode == 0 and proc.stdout.startswith("US-ICTS-KASPERSKY-2024  [US]")
    assert_clean_error(run_cli("rules", "show", "US-ICTS-KASPERSKI-2024"), "no rule", "did you mean US-ICTS-KASPERSKY-2024")


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (("-j", "UK"), ("unknown jurisdiction UK", "did you mean GB?")),
        (("-j", "usa"), ("did you mean US?",)),
        (("-j", "EL"), ("Greece", "GR")),
        (("-j", "US-TEX"), ("did you mean US-TX",)),
        (("-j", "US", "-c", "goverment"), ("unknown context goverment", "did you mean government")),
    ],
)
def test_unknown_codes_suggest_the_known_one(write_bom, args, needles):
    assert_clean_error(run_cli("scan", str(write_bom([CLEAN])), *args), *needles)
    assert_clean_error(run_cli("rules", "list", *args), *needles)


# -- rules list fits the terminal ------------------------------------------------------------------


def _list(*args: str, columns: str | None) -> str:
    env = cli_env()
    env.pop("COLUMNS", None)
    if columns is not None:
        env["COLUMNS"] = columns
    proc = subprocess.run([sys.executable, "-m", "compliance", "rules", "list", *args], capture_output=True, text=True,
                          env=env, cwd=str(REPO), timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("columns", [80, 100, 140])
def test_rules_list_fits_columns_and_keeps_every_id_and_title(columns):
    out = _list(columns=str(columns))
    assert max(len(line) for line in out.splitlines()) <= columns
    rules = json.loads(run_cli("rules", "list", "-f", "json").stdout)
    flat = " ".join(out.split())
    for rule in rules:
        assert f"\n{rule['id']} " in out  # ids are never cut or wrapped
        assert " ".join(rule["title"].split()) in flat.replace("- ", "-") or all(
            word in flat for word in rule["title"].split())


def test_rules_list_is_full_width_in_a_pipe_or_with_wide():
    piped = _list(columns=None)
    assert max(len(line) for line in piped.splitlines()) > 200  # one row per rule: grep finds a rule's whole line
    assert len(piped.splitlines()) == len(_list("--wide", columns="80").splitlines())
    assert _list("--wide", columns="80") == piped


# -- shell completion ------------------------------------------------------------------------------


@pytest.mark.parametrize(("shell", "marker"), [("bash", "complete -o nosort -F _complycheck_completion complycheck"),
                                               ("zsh", "#compdef complycheck"),
                                               ("fish", "complete --no-files --command complycheck")])
def test_shell_completion_scripts_are_produced(shell, marker):
    env = {**cli_env(), "_COMPLYCHECK_COMPLETE": f"{shell}_source"}
    code = "from compliance.cli import main; main(prog_name='complycheck')"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0 and marker in proc.stdout, proc.stdout + proc.stderr


def _complete(words: str) -> list[str]:
    env = {**cli_env(), "_COMPLYCHECK_COMPLETE": "bash_complete", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split()) - 1)}
    code = "from compliance.cli import main; main(prog_name='complycheck')"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    return proc.stdout.split()


def test_completion_offers_the_new_commands_and_the_pack_codes():
    assert "plain,match" in _complete("complycheck vendors m")
    assert {"plain,explain"} <= set(_complete("complycheck ex"))
    assert {"plain,US", "plain,US-TX"} <= set(_complete("complycheck scan sbom.json -j us"))
    assert "plain,CA" not in _complete("complycheck scan sbom.json -j us")
    assert _complete("complycheck config -c fed") == ["plain,federal"]
