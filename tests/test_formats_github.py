"""GitHub Actions workflow commands: one annotation per finding, escaped so nothing else runs."""

from __future__ import annotations

from format_support import HOSTILE, KASPERSKY, make_report

from compliance.formats import get_format
from compliance.formats.github import command, escape_data, escape_property


def lines(report) -> list[str]:
    return get_format("github").render(report).splitlines()


def test_annotations_and_verdict() -> None:
    out = lines(make_report(KASPERSKY))
    assert out[0].startswith("::error file=")
    assert "kaspersky.cdx.json,line=1,title=US/US-ICTS-KASPERSKY-2024%3A Kaspersky Anti-Virus 21.3::" in out[0]
    assert "%0AEvidence: supplier.name = 'AO Kaspersky Lab'" in out[0]
    # out of scope without --context federal: not an annotation unless asked for
    assert not any("title=US/US-NDAA18-1634%3A" in line for line in out)
    assert out[-1].startswith("VERDICT: FAIL")
    report = make_report(KASPERSKY)
    assert len(out) == len([f for f in report.findings if f.status != "out-of-scope"]) + 1
    shown = lines(make_report(KASPERSKY, show_out_of_scope=True))
    ndaa = next(line for line in shown if "title=US/US-NDAA18-1634%3A" in line)
    assert ndaa.startswith("::notice ")  # information
    assert len(shown) == len(report.findings) + 1


def test_waived_finding_is_a_notice() -> None:
    report = make_report(KASPERSKY, waivers=[{"rule": "US-ICTS-*", "bom-ref": "kav-21", "reason": "CHG-2"}])
    first = next(line for line in lines(report) if "US-ICTS-KASPERSKY-2024" in line)
    assert first.startswith("::notice ") and "title=WAIVED US/" in first and "Waiver #1: CHG-2" in first


def test_hostile_name_cannot_start_a_command() -> None:
    out = lines(make_report(HOSTILE, show_out_of_scope=True))
    # One line per finding plus the verdict: the embedded newlines did not split any command.
    assert len(out) == len(make_report(HOSTILE).findings) + 1
    for line in out[:-1]:
        assert line.startswith(("::error ", "::notice ", "::warning "))
        props, _sep, message = line[2:].partition("::")
        assert "\n" not in line and "\r" not in line
        assert "::error::owned" not in props
        assert "%0A::error::owned %250A 100%25" in line
    title = out[0].split("title=", 1)[1].split("::", 1)[0]
    assert "," not in title and ":" not in title


def test_escaping_rules() -> None:
    assert escape_data("a%b\r\nc") == "a%25b%0D%0Ac"
    assert escape_property("x:y,z%") == "x%3Ay%2Cz%25"
    assert command("error", "m:1", file="a,b.json", title="t:1") == "::error file=a%2Cb.json,title=t%3A1::m:1"
