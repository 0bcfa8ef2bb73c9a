"""The rule-pack commands end to end: rules list/show, vendors, jurisdictions, contexts, org packs,
--require-verified, the pack version in reports, and the README rule table."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

from conftest import REPO, run_cli

from compliance.rulepack import load_rule_pack
from compliance.rulepack.readme_table import README, current_block, render_table, splice
from compliance.scan import ScanOptions, scan

ORG = REPO / "examples" / "org-policy"
PACK = load_rule_pack()


def test_rules_list_text_json_csv() -> None:
    text = run_cli("rules", "list")
    assert text.returncode == 0, text.stderr
    assert text.stdout.splitlines()[0].split()[:6] == ["ID", "JUR", "BINDING", "EFFECTIVE", "CONTEXTS", "VERIFIED"]
    # one line per rule (continuation lines of a multi-action condition start with blanks)
    assert len([line for line in text.stdout.splitlines() if line[:1].strip()]) == len(PACK.rules) + 1
    rows = json.loads(run_cli("rules", "list", "--format", "json").stdout)
    assert {r["id"] for r in rows} == {r.id for r in PACK.rules}
    bod = next(r for r in rows if r["id"] == "US-DHS-BOD-17-01")
    assert bod["effective"] == ["2017-10-13", "2017-11-12", "2017-12-12"]
    assert bod["contexts"] == ["federal"] and bod["verification"] == "verified"
    table = list(csv.DictReader(io.StringIO(run_cli("rules", "list", "-f", "csv", "-j", "NZ").stdout)))
    assert [(r["id"], r["contexts"]) for r in table] == [("NZ-PARLIAMENT-TIKTOK-2023", "parliament")]
    us = {r["id"]: r for r in csv.DictReader(io.StringIO(run_cli("rules", "list", "-f", "csv", "-j", "US").stdout))}
    assert us["US-NDAA19-889-HUAWEI-ZTE"]["applies_when"] == (
        "(federal and procurement) [part-a-procurement] or contractor [part-b-contractor-use]"
    )
    assert "conditions" not in us["US-NDAA19-889-HUAWEI-ZTE"]


def test_rules_list_filters() -> None:
    tx = json.loads(run_cli("rules", "list", "-j", "US-TX", "-f", "json").stdout)
    assert {r["jurisdiction"] for r in tx} == {"US", "US-TX"}  # US-TX includes US
    eu = json.loads(run_cli("rules", "list", "-c", "eu-institution", "-f", "json").stdout)
    assert {r["id"] for r in eu} == {"EU-COMMISSION-TIKTOK-2023", "EU-PARLIAMENT-TIKTOK-2023", "EU-COUNCIL-TIKTOK-2023"}
    fed = json.loads(run_cli("rules", "list", "-c", "federal", "-j", "US", "-f", "json").stdout)
    assert "US-NDAA18-1634" in {r["id"] for r in fed}
    bad = run_cli("rules", "list", "-j", "XX")
    assert bad.returncode == 2 and "unknown jurisdiction XX" in bad.stderr


def test_rules_list_stale_is_relative_to_as_of() -> None:
    none_stale = json.loads(run_cli("rules", "list", "--stale", "30", "--as-of", "2026-11-22", "-f", "json").stdout)
    assert none_stale == []
    all_stale = json.loads(run_cli("rules", "list", "--stale", "30", "--as-of", "2027-06-01", "-f", "json").stdout)
    assert len(all_stale) == len(PACK.rules)


def test_rules_show_in_plain_words() -> None:
    proc = run_cli("rules", "show", "US-ENTITYLIST-KASPERSKY-2024")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for needle in ("export control", "does not ban", "--context export", "AO Kaspersky Lab",
                   "Matched through:", "cpe_vendor: kaspersky", "Verification: secondary", "89 FR 52362"):
        assert needle in out, needle
    missing = run_cli("rules", "show", "NOPE")
    assert missing.returncode == 2 and "no rule 'NOPE'" in missing.stderr


def test_vendors_jurisdictions_contexts() -> None:
    vendors = json.loads(run_cli("vendors", "list", "-f", "json").stdout)
    deepseek = next(v for v in vendors if v["id"] == "deepseek")
    assert "deepseek-app" in deepseek["products"] and "IT-GARANTE-DEEPSEEK-2025" in deepseek["rules"]
    show = run_cli("vendors", "show", "deepseek").stdout
    assert "com.deepseek.chat" in show and "CZ-GOV-DEEPSEEK-2025" in show
    assert run_cli("vendors", "show", "nobody").returncode == 2
    jur = {j["code"]: j for j in json.loads(run_cli("jurisdictions", "-f", "json").stdout)}
    assert jur["US-TX"]["includes"] == ["US"] and jur["AU-SA"]["includes"] == ["AU"]
    assert jur["DE"]["includes"] == [] and jur["EU"]["included_by"] == []
    assert jur["US"]["rules"] == sum(1 for r in PACK.rules if r.jurisdiction == "US")
    ctx = {c["id"]: c for c in json.loads(run_cli("contexts", "-f", "json").stdout)}
    assert ctx["federal"]["implies"] == ["government"]
    assert ctx["parliament"]["rules"] == sorted(r.id for r in PACK.rules if "parliament" in r.contexts)
    assert {"NZ-PARLIAMENT-TIKTOK-2023", "CA-HOC-TIKTOK-2023", "NO-STORTING-TIKTOK-2023"} <= set(ctx["parliament"]["rules"])
    assert ctx["eu-commission"]["implies"] == ["eu-institution"]
    assert all(c["description"] for c in ctx.values())


def test_org_pack_with_builtin_catalog(write_bom) -> None:
    assert run_cli("rules", "validate", "--with-builtin", str(ORG)).returncode == 0
    alone = run_cli("rules", "validate", str(ORG))
    assert alone.returncode == 2 and "covers.vendors: unknown vendor 'tencent'" in alone.stderr
    listed = json.loads(run_cli("rules", "list", "--rules", str(ORG), "-j", "ORG", "-f", "json").stdout)
    assert [r["id"] for r in listed] == ["ORG-NO-TENCENT-SDKS"]
    assert run_cli("rules", "list", "--rules", str(ORG), "--no-builtin-rules").returncode == 2
    assert "ORG-NO-TENCENT-SDKS" in run_cli("rules", "show", "ORG-NO-TENCENT-SDKS", "--rules", str(ORG)).stdout

    path = write_bom([
        {"name": "wechat-sdk-android", "version": "6.8.0", "purl": "pkg:maven/com.tencent.mm.opensdk/wechat-sdk-android@6.8.0"},
        {"name": "tencentcloud-sdk-python", "version": "3.0.1", "purl": "pkg:pypi/tencentcloud-sdk-python@3.0.1"},
        {"name": "WeChat", "version": "8.0", "supplier": {"name": "Tencent Technology (Shenzhen) Company Limited"}},
    ])
    options = ScanOptions(jurisdictions=["ORG"], contexts=["product-release"], as_of=date(2026, 11, 22), rule_dirs=[str(ORG)])
    report = scan([str(path)], options)
    hits = sorted((f.component.name, f.status) for f in report.findings)
    assert hits == [("tencentcloud-sdk-python", "violation"), ("wechat-sdk-android", "violation")]  # the WeChat app is not an SDK
    assert report.exit_code == 1
    assert report.rulepack["version"] == f"{PACK.version.split(' + ')[0]} + example-org-policy 2026.1"
    proc = run_cli("scan", str(path), "--rules", str(ORG), "-j", "ORG", "-c", "product-release", "--as-of", "2025-12-01", "-f", "json")
    assert proc.returncode == 0  # both actions still upcoming
    assert {f["status"] for f in json.loads(proc.stdout)["findings"]} == {"upcoming"}


def test_require_verified_names_the_unverified_rules(write_bom) -> None:
    path = write_bom([{"name": "Kaspersky Anti-Virus", "version": "21", "supplier": {"name": "AO Kaspersky Lab"}}])
    proc = run_cli("scan", str(path), "-j", "UA", "--require-verified", "--as-of", "2026-11-22")
    assert proc.returncode == 0, proc.stderr  # the unverified rules are left out, not a reason to abort
    assert "UA-NSDC-133-2017" in proc.stderr and "unverified" in proc.stderr
    ok = run_cli("scan", str(path), "-j", "GB", "--require-verified", "--as-of", "2026-11-22")
    assert ok.returncode == 0, ok.stderr
    assert "leaves out" not in ok.stderr  # GB has no unverified rule


def test_pack_version_appears_in_every_report(write_bom) -> None:
    path = write_bom([{"name": "requests", "version": "2", "purl": "pkg:pypi/requests@2"}])
    version = PACK.version
    text = run_cli("scan", "-j", "US", str(path), "--as-of", "2026-11-22")
    assert f"rule pack {version}" in text.stdout
    data = json.loads(run_cli("scan", "-j", "US", str(path), "--as-of", "2026-11-22", "-f", "json").stdout)
    assert version in json.dumps(data)


def test_pack_version_was_bumped() -> None:
    assert PACK.version != "complycheck-builtin 2026.11.22"


def test_readme_rule_table_is_in_sync() -> None:
    text = README.read_text("utf-8")
    expected = render_table(PACK)
    assert current_block(text) == expected, "README rule table is stale: run python -m compliance.rulepack.readme_table --write"
    assert splice(text, expected) == text


def test_readme_table_lists_every_rule_and_jurisdiction() -> None:
    table = render_table(PACK)
    for r in PACK.rules:
        assert f"| `{r.id}` | {r.jurisdiction} | {r.binding} |" in table
    for code in PACK.jurisdictions:
        assert f"| {code} |" in table


def test_readme_table_check_mode(tmp_path: Path) -> None:
    stale = tmp_path / "README.md"
    stale.write_text("# x\n\n<!-- rules-table:start -->\nold\n<!-- rules-table:end -->\ntail\n")
    proc = run_cli_module("--check", "--readme", str(stale))
    assert proc.returncode == 1
    assert run_cli_module("--write", "--readme", str(stale)).returncode == 0
    assert stale.read_text().endswith("<!-- rules-table:end -->\ntail\n")
    assert run_cli_module("--check", "--readme", str(stale)).returncode == 0


def run_cli_module(*args: str):
    import os
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "compliance.rulepack.readme_table", *args], capture_output=True, text=True, env=env, cwd=str(REPO))


def test_context_column_shows_per_action_conditions() -> None:
    """Issue 11 item 4: a rule whose actions need different contexts is not shown as needing all of them."""
    rows = {r["id"]: r for r in json.loads(run_cli("rules", "list", "-j", "US", "-f", "json").stdout)}
    icts = rows["US-ICTS-KASPERSKY-2024"]
    assert icts["applies_when"] == "procurement [new-agreements] or any [updates-resale-integration]"
    assert icts["conditions"] == [
        {"contexts": ["procurement"], "actions": ["new-agreements"]},
        {"contexts": [], "actions": ["updates-resale-integration"]},
    ]
    ndaa = rows["US-NDAA19-889-HUAWEI-ZTE"]
    assert ndaa["applies_when"] == "(federal and procurement) [part-a-procurement] or contractor [part-b-contractor-use]"
    assert rows["US-DHS-BOD-17-01"]["applies_when"] == "federal"  # one condition: no action labels
    ca = json.loads(run_cli("rules", "list", "-j", "CA", "-f", "json").stdout)
    own = {"CA-HOC-TIKTOK-2023", "CA-HIKVISION-FEDERAL-2025"}
    assert {r["applies_when"] for r in ca if r["jurisdiction"] == "CA" and r["id"] not in own} == {"government and mobile"}
    assert {r["id"]: r["applies_when"] for r in ca}["CA-HOC-TIKTOK-2023"] == "parliament"
    assert {r["id"]: r["applies_when"] for r in ca}["CA-HIKVISION-FEDERAL-2025"] == "government"  # cameras, not phones

    text = run_cli("rules", "list", "-j", "US").stdout.splitlines()
    start = text[0].index("CONTEXTS")
    verified = text[0].index("VERIFIED")
    icts_lines = [i for i, line in enumerate(text) if line.startswith("US-ICTS-KASPERSKY-2024 ")]
    assert len(icts_lines) == 1
    first, second = text[icts_lines[0]], text[icts_lines[0] + 1]
    assert first[start:].startswith("procurement [new-agreements] ")
    assert second.strip() == "or any [updates-resale-integration]" and second.index("or any") == start
    # columns line up however long a condition is
    for line in text[1:]:
        if line[:1].strip():
            assert line[verified - 1] == " " and line[verified:].split()[0] in ("verified", "secondary", "unverified")

    show = run_cli("rules", "show", "US-ICTS-KASPERSKY-2024").stdout
    assert "--context procurement: new-agreements" in show
    assert "always (no context needed): updates-resale-integration" in show
    assert "Applies when: --context government and --context mobile" in run_cli("rules", "show", "CA-TBS-TIKTOK-2023").stdout

    table = render_table(PACK)
    assert "| (federal and procurement) [part-a-procurement] or contractor [part-b-contractor-use] |" in table
    assert "| procurement [new-agreements] or any [updates-resale-integration] |" in table


def test_displayed_conditions_are_what_the_engine_applies() -> None:
    """For every rule and action: the displayed contexts bring the action into scope, and without them it is out."""
    from compliance.engine import evaluate_rule
    from compliance.rulepack.listing import action_conditions

    for rule in PACK.rules:
        for needed, actions in action_conditions(rule):
            for action in (a for a in rule.actions if a.id in actions):
                with_ctx = evaluate_rule(rule, action.effective, PACK.expand_contexts(list(needed)), 0)
                result = next(r for r in with_ctx.actions if r.action == action.id)
                assert result.missing_contexts == [], (rule.id, action.id)
                without = evaluate_rule(rule, action.effective, set(), 0)
                result = next(r for r in without.actions if r.action == action.id)
                assert result.missing_contexts == list(needed), (rule.id, action.id)
