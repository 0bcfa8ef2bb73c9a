"""JUnit XML for Jenkins, GitLab and Azure Pipelines test dashboards.

One ``<testsuite>`` per input and one ``<testcase>`` per (input, evaluated rule), so passes show
up as passes (the Conftest layout) and the dashboard's pass count means "rules checked and clean".

A testcase fails only when the report's own gate counts a finding of that rule in that input
(severity ``fail``, and ``warn`` under ``--fail-on warn``; waived findings never fail). Findings
that do not fail the gate (upcoming, advisory, out-of-scope, waived) leave the testcase passing
with the details in ``<system-out>``: JUnit has no "warning" state, and marking them ``skipped``
would hide that the rule *was* checked. An unreadable input is one testcase with ``<error>``; an input
that was read but does not count as checked (nothing in it, too little vendor identity) has that
``<error>`` testcase ("check input") beside its rule testcases.

Large fleets switch to one testcase per rule (``--junit-per-rule``, automatic above
``PER_RULE_THRESHOLD`` readable inputs × rules): 2,000 devices × 495 rules would otherwise be
990,000 testcases and hundreds of megabytes. Each rule's testcase fails when any input fails it,
and lists the failing inputs with their components; unreadable inputs keep a testcase each.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any, ClassVar

from compliance.formats.common import (
    STATUS_WORDS,
    component_label,
    coverage_limit_lines,
    coverage_text,
    evidence_text,
    failing_ids,
    primary_source,
    problem_count,
)
from compliance.model import Finding, Report

# Above this many (readable input, rule) pairs the report has one testcase per rule, not per pair.
PER_RULE_THRESHOLD = 10_000

# Characters XML 1.0 cannot carry at all, even escaped; shown as \xNN instead.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def x(text: Any) -> str:
    """Make any input string safe for XML; ElementTree escapes markup, this removes the unencodable."""
    s = "" if text is None else str(text)
    if s.isascii() and s.isprintable():  # the usual line: nothing to remove, no pattern to run
        return s
    return _XML_ILLEGAL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", s)


def _finding_block(f: Finding, made: dict[Any, str] | None = None) -> str:
    """A finding's lines, already made safe for XML (``x`` line by line: the same text as ``x`` of the
    whole). ``made`` keeps the lines findings share (an evidence list's, a rule's citation and source)."""
    made = {} if made is None else made
    c = f.component
    ev = made.get(id(f.evidence))
    if ev is None:
        ev = made[id(f.evidence)] = x(f"  Evidence: {evidence_text(f) or '-'}")
    key = (f.citation, id(f.sources))
    cited = made.get(key)
    if cited is None:
        cited = made[key] = x(f"  Citation: {f.citation}") + (x(f"\n  Source: {f.sources[0]}") if f.sources else "")
    lines = [
        x(f"[{f.severity.upper()}] {f.status} {f.rule_id}: {component_label(f)}"),
        x(f"  Identity: {c.purl or c.bom_ref or '-'} at {c.location or '-'}"),
        ev,
        x(f"  Why: {f.message}"),
        cited,
    ]
    if f.waiver is not None:
        w = f.waiver
        lines.append(x(f"  WAIVED ({w.get('id')}): {w.get('reason')} (expires {w.get('expires') or 'never'})"))
    return "\n".join(lines)


class JUnitFormat:
    name: ClassVar[str] = "junit"
    label: ClassVar[str] = "JUnit XML (Jenkins, GitLab, Azure Pipelines)"
    extension: ClassVar[str] = ".xml"

    # None: per (input, rule) up to PER_RULE_THRESHOLD pairs, per rule above; True/False force a layout.
    per_rule: bool | None = None

    def __init__(self, per_rule: bool | None = None) -> None:
        if per_rule is not None:
            self.per_rule = per_rule

    def uses_per_rule(self, report: Report) -> bool:
        if self.per_rule is not None:
            return self.per_rule
        readable = sum(1 for i in report.inputs if not i.error)
        return readable * len(report.rules_evaluated) > PER_RULE_THRESHOLD

    def render(self, report: Report) -> str:
        from compliance.readers.base import paused_gc

        with paused_gc():  # a tree of many small elements: the collector would only rescan it
            root = self._per_rule(report) if self.uses_per_rule(report) else self._per_input(report)
            ET.indent(root)
            return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

    def _per_input(self, report: Report) -> ET.Element:
        failing = failing_ids(report)
        made: dict[Any, str] = {}  # lines findings share, made once (see _finding_block)
        by_key: dict[tuple[str, str], list[Finding]] = {}
        for f in report.findings:
            by_key.setdefault((f.input_path, f.rule_id), []).append(f)
        root = ET.Element("testsuites", name="complycheck")
        totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        verdicts = {v.input.path: v for v in report.input_verdicts()}
        for inp in report.inputs:
            suite = ET.SubElement(root, "testsuite", name=x(inp.path))
            props = ET.SubElement(suite, "properties")
            verdict = verdicts[inp.path]
            for key, value in (
                *_scan_properties(report),
                ("verdict", verdict.verdict),
                ("failing_rules", ",".join(verdict.failing_rules)),
                ("vendor_identity", coverage_text(inp)),
                ("format", inp.format or ""),
                ("components", str(inp.components)),
                ("components_with_vendor_identity", str(inp.components_with_vendor_identity)),
                ("problems", str(len(inp.problems))),
            ):
                ET.SubElement(props, "property", name=key, value=x(value))
            if inp.problems:
                ET.SubElement(suite, "system-out").text = x(
                    f"{problem_count(inp)}:\n" + "\n".join(inp.problems)
                )
            counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
            if inp.error:
                name = "check input" if inp.was_read else "read input"
                case = ET.SubElement(suite, "testcase", classname="complycheck.input", name=name, file=x(inp.path))
                err = ET.SubElement(case, "error", message=x(inp.error), type="InputError")
                err.text = x(inp.error)
                counts["tests"] += 1
                counts["errors"] += 1
            if inp.was_read:  # an input that was read keeps its rule testcases, even when it is in error
                for rule in report.rules_evaluated:
                    counts["tests"] += 1
                    rid = rule["rule_id"]
                    case = ET.SubElement(
                        suite,
                        "testcase",
                        classname=x(f"complycheck.{rule['jurisdiction']}"),
                        name=x(f"{rid}: {rule.get('title', '')}"),
                        file=x(inp.path),
                    )
                    found = by_key.get((inp.path, rid), [])
                    bad = [f for f in found if id(f) in failing]
                    if bad:
                        counts["failures"] += 1
                        names = ", ".join(component_label(f) for f in bad)
                        fail = ET.SubElement(
                            case, "failure", message=x(f"{len(bad)} component(s) barred: {names}"), type=x(bad[0].status)
                        )
                        fail.text = "\n\n".join(_finding_block(f, made) for f in bad)
                    rest = [f for f in found if id(f) not in failing]
                    if rest:
                        out = ET.SubElement(case, "system-out")
                        out.text = "\n\n".join(_finding_block(f, made) for f in rest)
                    elif not found:
                        ET.SubElement(case, "system-out").text = x(_not_covered(rule, "this input"))
            for key, value in counts.items():
                suite.set(key, str(value))
                totals[key] += value
        for key, value in totals.items():
            root.set(key, str(value))
        return root

    def _per_rule(self, report: Report) -> ET.Element:
        """One suite of rule testcases for the whole fleet, plus one error testcase per unreadable input."""
        failing = failing_ids(report)
        by_rule: dict[str, list[Finding]] = {}
        for f in report.findings:
            by_rule.setdefault(f.rule_id, []).append(f)
        readable = [i for i in report.inputs if i.was_read]
        root = ET.Element("testsuites", name="complycheck")
        totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        suite = ET.SubElement(root, "testsuite", name=x(f"complycheck rules ({len(readable)} inputs)"))
        props = ET.SubElement(suite, "properties")
        for key, value in (
            *_scan_properties(report),
            ("layout", "per-rule"),
            ("inputs", str(len(report.inputs))),
            ("inputs_failing", str(sum(1 for v in report.input_verdicts() if v.verdict == "fail"))),
            ("inputs_unreadable", str(len(report.inputs) - len(readable))),
            ("problems", str(sum(len(i.problems) for i in report.inputs))),
        ):
            ET.SubElement(props, "property", name=key, value=x(value))
        for inp in report.inputs:
            if inp.error:
                verb = "check" if inp.was_read else "read"
                case = ET.SubElement(suite, "testcase", classname="complycheck.input", name=x(f"{verb} input {inp.path}"),
                                     file=x(inp.path))
                err = ET.SubElement(case, "error", message=x(inp.error), type="InputError")
                err.text = x(inp.error)
                totals["tests"] += 1
                totals["errors"] += 1
        for rule in report.rules_evaluated:
            rid = rule["rule_id"]
            totals["tests"] += 1
            case = ET.SubElement(suite, "testcase", classname=x(f"complycheck.{rule['jurisdiction']}"),
                                 name=x(f"{rid}: {rule.get('title', '')}"))
            found = by_rule.get(rid, [])
            bad = _by_input(f for f in found if id(f) in failing)
            if bad:
                totals["failures"] += 1
                fail = ET.SubElement(case, "failure", type=x(next(iter(bad.values()))[0].status),
                                     message=x(f"{len(bad)} of {len(readable)} input(s) fail this rule"))
                fail.text = x(f"Citation: {rule.get('citation', '')}\n"
                              + "\n".join(_input_line(path, fs) for path, fs in bad.items()))
            rest = _by_input(f for f in found if id(f) not in failing)
            if rest:
                out = ET.SubElement(case, "system-out")
                out.text = x(f"{len(rest)} input(s) with findings that do not fail the gate:\n"
                             + "\n".join(_input_line(path, fs) for path, fs in rest.items()))
            elif not found:
                text = _not_covered(rule, f"any of the {len(readable)} readable input(s)")
                ET.SubElement(case, "system-out").text = x(text)
        for key, value in totals.items():
            suite.set(key, str(value))
            root.set(key, str(value))
        return root


def _by_input(findings: Any) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in findings:
        out.setdefault(f.input_path, []).append(f)
    return out


def _input_line(path: str, findings: list[Finding]) -> str:
    """``path: [SEVERITY status] component (waived)...`` for one input, one line."""
    parts = [
        f"[{f.severity.upper()} {STATUS_WORDS.get(f.status, f.status)}] {component_label(f)}"
        + (f" (waived: {f.waiver.get('id')})" if f.waiver is not None else "")
        for f in findings
    ]
    return f"{path}: {'; '.join(parts)}"


def _scan_properties(report: Report) -> tuple[tuple[str, str], ...]:
    """What every suite records about the scan itself, in both layouts."""
    return (
        ("as_of", report.as_of),
        ("jurisdictions", ",".join(report.jurisdictions)),
        ("contexts", ",".join(report.contexts)),
        ("fail_on", report.fail_on),
        ("rulepack", report.rulepack.get("version", "")),
        ("rulepack_digest", ",".join(str(p.get("digest") or "") for p in report.rulepack.get("packs") or [])),
        ("policy_sha256", (report.policy or {}).get("sha256") or ""),
        *(("coverage_limit", line) for line in coverage_limit_lines(report)),
    )


def _not_covered(rule: dict[str, Any], where: str) -> str:
    """A passing rule's note, in either layout: what it would have said, and where to read the rule."""
    src = primary_source(rule)
    return (
        f"No component of {where} is covered (rule status if present: {rule.get('status_if_present')})."
        f" Citation: {rule.get('citation', '')}" + (f" Source: {src}" if src else "")
    )
