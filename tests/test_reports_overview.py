"""Issue 21: reports people read. The fleet overview in every format, text grouped by component, the
out-of-scope collapse, and SARIF ranking (the HTML page count is in test_formats_html.py)."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import orjson
from format_support import CLEAN, KASPERSKY, ROOT, make_report, run_cli

from compliance.formats import get_format
from compliance.formats.json_report import report_schema
from compliance.formats.markdown import md
from compliance.formats.sarif import IN_FORCE_SEVERITY, security_severity

EXAMPLE = str(ROOT / "examples" / "sboms" / "endpoint-security-suite.cdx.json")
SARIF_SCHEMA = json.loads((ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text("utf-8"))


def fleet(tmp_path: Path):
    """A clean SBOM, an unreadable one, and a failing one, in that order."""
    bad = tmp_path / "broken.cdx.json"
    bad.write_text('{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [', encoding="utf-8")
    return make_report(CLEAN, str(bad), KASPERSKY)


# -- item 1: the fleet overview, decided by the report ---------------------------------------------


def test_input_verdicts_are_decided_by_the_report_and_sorted_failures_first(tmp_path: Path) -> None:
    report = fleet(tmp_path)
    in_order = report.input_verdicts()
    assert [v.verdict for v in in_order] == ["pass", "error", "fail"]
    overview = report.overview()
    assert [v.verdict for v in overview] == ["fail", "error", "pass"]
    failing = overview[0]
    assert failing.failing_rules == ["US-ICTS-KASPERSKY-2024"]
    assert failing.flagged == [("Kaspersky Anti-Virus", "21.3")]
    assert failing.summary["fail"] == 1 and failing.summary["info"] >= 1
    # the per-input verdicts agree with the report's gate: --fail-on warn can only add failures
    warn = make_report(CLEAN, KASPERSKY, fail_on="warn", as_of="2024-09-01")
    assert [v.verdict for v in warn.input_verdicts()] == ["pass", "fail"]
    # a pass with warnings (the 2024-09-29 update ban is upcoming) comes before a clean pass
    upcoming = make_report(CLEAN, KASPERSKY, as_of="2024-09-01").overview()
    assert [(Path(v.input.path).name, v.verdict, v.summary["warn"] > 0) for v in upcoming] == [
        ("kaspersky.cdx.json", "pass", True), ("clean.cdx.json", "pass", False)
    ]


def test_an_input_read_but_not_checked_is_named_so_in_the_overview(tmp_path: Path) -> None:
    empty = tmp_path / "empty.cdx.json"
    empty.write_text('{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": []}', encoding="utf-8")
    report = make_report(str(empty), KASPERSKY)
    assert [v.verdict for v in report.overview()] == ["fail", "error"]
    text = get_format("text").render(report)
    assert re.search(r"^  NOT CHECKED +\S*empty\.cdx\.json +- +- +no components$", text, re.M)
    html = get_format("html").render(report)
    assert '<span class="badge s-error">NOT CHECKED</span>' in html
    assert "| ⚠️ NOT CHECKED |" in get_format("markdown").render(report)


def test_json_inputs_carry_verdict_summary_and_match_the_schema(tmp_path: Path) -> None:
    report = fleet(tmp_path)
    doc = json.loads(get_format("json").render(report))
    jsonschema.Draft202012Validator(report_schema()).validate(doc)
    by_name = {Path(i["path"]).name: i for i in doc["inputs"]}
    assert by_name["kaspersky.cdx.json"]["verdict"] == "fail"
    assert by_name["kaspersky.cdx.json"]["failing_rules"] == ["US-ICTS-KASPERSKY-2024"]
    assert by_name["kaspersky.cdx.json"]["flagged_components"] == [{"name": "Kaspersky Anti-Virus", "version": "21.3"}]
    assert by_name["broken.cdx.json"]["verdict"] == "error" and by_name["clean.cdx.json"]["verdict"] == "pass"
    assert sum(i["summary"]["fail"] for i in doc["inputs"]) == doc["summary"]["fail"]
    assert doc["fleet"]["rules"] == [{"rule_id": "US-ICTS-KASPERSKY-2024", "inputs": 1, "components": 1}]


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"] or "")
        if tag == "a" and (a.get("href") or "").startswith("#"):
            self.hrefs.append(a["href"] or "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_overview_links_every_input_to_its_details(tmp_path: Path) -> None:
    report = fleet(tmp_path)
    html = get_format("html").render(report)
    page = Links()
    page.feed(html)
    text = "".join(page.text)
    overview = html[html.index('<h2 id="overview">'):html.index('<h2 id="under-review">')]
    targets = re.findall(r'href="#(input-\d+)"', overview)
    assert len(targets) == 3 and all(t in page.ids for t in targets)
    assert all(h[1:] in page.ids for h in page.hrefs), [h for h in page.hrefs if h[1:] not in page.ids]
    rows = re.findall(r"<tr><td><a href=\"#input-\d+\">([^<]*)</a></td><td><span class=\"badge s-(\w+)\"", overview)
    assert [(Path(name).name, kind) for name, kind in rows] == [
        ("kaspersky.cdx.json", "fail"), ("broken.cdx.json", "error"), ("clean.cdx.json", "pass")
    ]
    assert "Details per input" in text and "not named" not in text


def test_example_fleet_overview_in_text_markdown_sarif_junit_csv(tmp_path: Path) -> None:
    report = make_report(str(ROOT / "examples" / "sboms"), KASPERSKY, jurisdictions=("US", "CA"), as_of="2026-11-22")
    text = get_format("text").render(report)
    block = text[text.index("Overview:"):text.index("\n== ")]
    verdicts = re.findall(r"^  (FAIL|PASS|ERROR) ", block, re.M)
    assert verdicts == sorted(verdicts, key=["FAIL", "ERROR", "PASS"].index) and verdicts.count("FAIL") == 3
    assert "Northwind SecureEdge Endpoint Protect" in block  # the product the SBOM names
    assert re.search(r"US-ICTS-KASPERSKY-2024: 3 input\(s\), 5 component\(s\)", block)
    markdown = get_format("markdown").render(report)
    assert markdown.index("| Input | Verdict |") < markdown.index("| Result | Component |")
    assert "`US-ICTS-KASPERSKY-2024`" not in markdown and "Failing rules: <code>US-ICTS-KASPERSKY-2024</code> 3 of 5" in markdown
    sarif = orjson.loads(get_format("sarif").render_bytes(report))
    props = sarif["runs"][0]["properties"]
    assert [i["verdict"] for i in props["inputs"]][:3] == ["fail"] * 3 and props["failingRules"][0]["inputs"] == 3
    junit = get_format("junit").render(report)
    assert junit.count('<property name="verdict" value="fail"') == 3
    rows = list(csv.DictReader(io.StringIO(get_format("csv").render(report))))
    assert [r["severity"] for r in rows if r["status"] == "input"] == ["fail"] * 3 + ["pass"] * 2


def test_markdown_overview_of_a_large_fleet_stays_a_comment(tmp_path: Path) -> None:
    """A 60-device fleet: the worst 50 inputs in the table, the rest counted; no per-device digest lines."""
    from compliance.formats import markdown

    paths = []
    for n in range(60):
        path = tmp_path / f"device-{n:02d}.cdx.json"
        path.write_bytes(Path(KASPERSKY if n % 20 == 7 else CLEAN).read_bytes())
        paths.append(str(path))
    text = get_format("markdown").render(make_report(*paths))
    lines = text.splitlines()
    start = lines.index("| Input | Verdict | Failing rules | Flagged components | Vendor identity |") + 2
    rows = [ln for ln in lines[start:start + markdown.OVERVIEW_ROWS + 1] if ln.startswith("| ")]
    assert len(rows) == markdown.OVERVIEW_ROWS and all("FAIL" in r for r in rows[:3]) and "PASS" in rows[3]
    assert "… and 10 more inputs (0 failing, 0 unreadable or not checked, 10 passing)" in text
    assert "- 60 inputs: each one's product, serial number and SHA-256 are in the HTML and JSON reports." in text
    assert "SHA-256 <code>" not in text


# -- item 2: text grouped by component ------------------------------------------------------------


def test_text_groups_rules_under_each_component_and_halves_the_lines() -> None:
    """The example SBOM under -c federal: 9 FAIL findings on 3 Kaspersky components. Before issue 21 the
    text report printed a block of 7-9 lines per finding: 85 lines in all, 98 once the pack line, the
    white-label line and the coverage limits came (measured with that renderer); now a block per component."""
    proc = run_cli("scan", EXAMPLE, "-j", "US", "-c", "federal", "--as-of", "2026-11-22")
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) <= 98 // 2, proc.stdout
    # the flagged components take at most half the lines of the smallest block per finding (7 each)
    first = next(i for i, ln in enumerate(lines) if re.match(r"  FAIL  Kaspersky", ln))
    last = max(i for i, ln in enumerate(lines) if re.match(r"\s+FAIL\s+VIOLATION", ln))
    assert last - first + 1 <= 9 * 7 // 2
    heads = [ln for ln in lines if re.match(r"  FAIL  Kaspersky", ln)]
    assert len(heads) == 3  # one block per component
    for rule in ("US-DHS-BOD-17-01", "US-ICTS-KASPERSKY-2024", "US-NDAA18-1634"):
        assert len(re.findall(rf"^\s+FAIL\s+VIOLATION\s+US\s+{rule}\s+since ", proc.stdout, re.M)) == 3
        # the citation once per rule, not once per finding
        assert sum(1 for ln in lines if ln.startswith(f"  {rule} ")) == 1
    assert proc.stdout.count("Why:") == 3
    # nothing lost in JSON: every finding with its evidence, message and citation
    doc = json.loads(run_cli("scan", EXAMPLE, "-j", "US", "-c", "federal", "--as-of", "2026-11-22", "-f", "json").stdout)
    failing = [f for f in doc["findings"] if f["severity"] == "fail"]
    assert len(failing) == 9
    assert all(f["evidence"] and f["citation"] and "Kaspersky software" in f["message"] for f in failing)


def test_verbose_gives_each_rule_in_full_and_lists_matches_without_a_finding() -> None:
    plain = run_cli("scan", EXAMPLE, "-j", "US", "--as-of", "2026-11-22")
    assert "4 matched a catalog vendor (1 without a finding: --verbose lists them)" in plain.stdout
    assert "Microsoft.Extensions.Logging" not in plain.stdout and "Citation:" not in plain.stdout
    verbose = run_cli("scan", EXAMPLE, "-j", "US", "--as-of", "2026-11-22", "--verbose")
    assert verbose.returncode == plain.returncode == 1
    assert "Matched a catalog vendor, no selected rule applies (1):" in verbose.stdout
    assert re.search(r"Microsoft\.Extensions\.Logging 8\.0\.0 -> microsoft \((strong|broad)\)", verbose.stdout)
    assert verbose.stdout.count("Citation:  89 FR 52434") == 3 and "Reason:" in verbose.stdout
    doc = json.loads(run_cli("scan", EXAMPLE, "-j", "US", "--as-of", "2026-11-22", "-f", "json").stdout)
    unflagged = doc["inputs"][0]["matched_without_findings"]
    assert unflagged["count"] == 1 and unflagged["components"][0]["vendor"] == "microsoft"


# -- item 6: SARIF ranking ------------------------------------------------------------------------


def test_sarif_rules_carry_security_severity_help_markdown_and_validate(tmp_path: Path) -> None:
    report = make_report(EXAMPLE, contexts=("procurement",), as_of="2026-11-22")
    doc = orjson.loads(get_format("sarif").render_bytes(report))
    jsonschema.Draft7Validator(SARIF_SCHEMA).validate(doc)
    rules = {r["name"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    icts = rules["US-ICTS-KASPERSKY-2024"]
    assert icts["properties"]["security-severity"] == "9.5" and "security" in icts["properties"]["tags"]
    assert rules["US-OFAC-KASPERSKY-EXECS-2024"]["properties"]["security-severity"] == "3.5"  # advisory
    assert rules["US-NDAA18-1634"]["properties"]["security-severity"] == "1.0"  # out of scope here
    for rule in rules.values():
        assert 0.0 < float(rule["properties"]["security-severity"]) <= 10.0
    help_md = icts["help"]["markdown"]
    assert "**Citation:** 89 FR 52434" in help_md and "**Rests on:** primary: Federal Register 89 FR 52434" in help_md
    primary = next(s for s in next(r for r in report.rules_evaluated if r["rule_id"] == "US-ICTS-KASPERSKY-2024")["sources"]
                   if s["kind"] == "primary")
    assert f"- [{md(primary['title'])}]({primary['url']}) (primary)" in help_md


def test_security_severity_mapping() -> None:
    assert security_severity("ban", "violation") == "9.5"  # critical in GitHub's bands (over 9.0)
    assert security_severity("procurement-ban", "violation") == "8.0"  # high
    assert security_severity("ban", "upcoming") == "5.0" and security_severity("ban", "unconfirmed") == "5.0"
    assert security_severity("vendor-withdrawal", "advisory") == "2.0"
    assert security_severity("ban", "out-of-scope") == "1.0"
    assert set(IN_FORCE_SEVERITY) == {"ban", "gov-device-ban", "procurement-ban", "sanction", "export-control",
                                      "advisory", "vendor-withdrawal"}


def test_sarif_information_uri_is_only_what_someone_configured(tmp_path: Path) -> None:
    sbom = tmp_path / "sbom.cdx.json"
    sbom.write_bytes(Path(KASPERSKY).read_bytes())
    out = tmp_path / "r.sarif"
    proc = run_cli("scan", str(sbom), "-j", "US", "-q", "--output", f"sarif={out}", cwd=tmp_path)
    driver = json.loads(out.read_text("utf-8"))["runs"][0]["tool"]["driver"]
    assert proc.returncode == 1 and "informationUri" not in driver  # the package declares no home page
    policy = tmp_path / ".complycheck.yaml"
    policy.write_text("information_uri: https://git.example.org/tools/complycheck\n", encoding="utf-8")
    proc = run_cli("scan", str(sbom), "-j", "US", "-q", "--output", f"sarif={out}", cwd=tmp_path)
    doc = json.loads(out.read_text("utf-8"))
    jsonschema.Draft7Validator(SARIF_SCHEMA).validate(doc)
    assert proc.returncode == 1 and doc["runs"][0]["tool"]["driver"]["informationUri"] == "https://git.example.org/tools/complycheck"
    policy.write_text("information_uri: javascript:alert(1)\n", encoding="utf-8")
    bad = run_cli("scan", str(sbom), "-j", "US", "-q", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.strip().endswith(
        ".complycheck.yaml: line 1: 'information_uri' must be an http(s) URL where readers of the SARIF report "
        "learn about complycheck"
    )
