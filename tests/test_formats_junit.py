"""JUnit XML parsed with ElementTree: one testcase per (input, rule), failures only at the gate."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from format_support import CLEAN, HOSTILE, HOSTILE_NAME, KASPERSKY, make_report

from compliance.formats import get_format


def junit(report) -> ET.Element:
    return ET.fromstring(get_format("junit").render(report).encode("utf-8"))


def cases(root: ET.Element) -> dict[tuple[str, str], ET.Element]:
    out = {}
    for suite in root.iter("testsuite"):
        for case in suite.iter("testcase"):
            out[(suite.get("name"), case.get("name").split(":")[0])] = case
    return out


def test_one_testcase_per_input_and_rule_with_passes_visible() -> None:
    report = make_report(KASPERSKY, CLEAN)
    root = junit(report)
    suites = root.findall("testsuite")
    assert len(suites) == 2
    n_rules = len(report.rules_evaluated)
    assert all(len(s.findall("testcase")) == n_rules for s in suites)
    assert root.get("tests") == str(2 * n_rules)
    assert root.get("failures") == "1" and root.get("errors") == "0"
    by = cases(root)
    kav = next(k for k in by if k[0].endswith("kaspersky.cdx.json") and k[1] == "US-ICTS-KASPERSKY-2024")
    failure = by[kav].find("failure")
    assert failure is not None
    assert "Kaspersky Anti-Virus 21.3" in failure.get("message")
    assert "supplier.name = 'AO Kaspersky Lab'" in failure.text
    assert "89 FR 52434" in failure.text
    clean = [c for k, c in by.items() if k[0].endswith("clean.cdx.json")]
    assert clean and all(c.find("failure") is None and c.find("error") is None for c in clean)


def test_out_of_scope_passes_with_system_out() -> None:
    by = cases(junit(make_report(KASPERSKY)))
    case = next(c for k, c in by.items() if k[1] == "US-NDAA18-1634")
    assert case.find("failure") is None and case.find("skipped") is None
    assert "out-of-scope" in case.find("system-out").text


def test_upcoming_warn_fails_only_under_fail_on_warn() -> None:
    # On 2024-09-01 the ICTS update ban (2024-09-29) is upcoming: a warning.
    plain = cases(junit(make_report(KASPERSKY, as_of="2024-09-01")))
    strict = cases(junit(make_report(KASPERSKY, as_of="2024-09-01", fail_on="warn")))
    key = next(k for k in plain if k[1] == "US-ICTS-KASPERSKY-2024")
    assert plain[key].find("failure") is None
    assert "upcoming" in plain[key].find("system-out").text
    assert strict[key].find("failure") is not None


def test_waived_finding_does_not_fail() -> None:
    report = make_report(KASPERSKY, waivers=[{"rule": "US-*", "name": "Kaspersky Anti-Virus", "reason": "CHG-1"}])
    root = junit(report)
    assert root.get("failures") == "0"
    assert any("WAIVED" in (c.findtext("system-out") or "") for c in root.iter("testcase"))


def test_unreadable_input_is_an_error_testcase(tmp_path: Path) -> None:
    bad = tmp_path / "bad.cdx.json"
    bad.write_text("not json at all {", encoding="utf-8")
    root = junit(make_report(KASPERSKY, str(bad)))
    assert root.get("errors") == "1"
    suite = next(s for s in root.findall("testsuite") if s.get("name").endswith("bad.cdx.json"))
    err = suite.find("testcase/error")
    assert err is not None and "bad.cdx.json" in err.get("message")


def test_hostile_name_survives_as_text() -> None:
    root = junit(make_report(HOSTILE))
    failure = next(root.iter("failure"))
    assert "<script>alert(1)</script>" in failure.get("message")
    assert HOSTILE_NAME.split("\n")[0] in failure.text
    assert root.find(".//script") is None
