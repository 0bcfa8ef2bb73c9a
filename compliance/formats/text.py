"""The terminal report: a verdict, each finding with its evidence and citation, and coverage counts."""

from __future__ import annotations

from typing import ClassVar

from compliance.formats.common import (
    COVERAGE_LIMIT_HEADING,
    coverage_limit_lines,
    evidence_basis,
    integration_text,
    pack_basis,
    policy_basis,
    problem_count,
    scope_hint,
)
from compliance.model import Finding, Report
from compliance.untrusted import for_terminal

# Input strings are untrusted: show control and bidi characters as escapes, never execute them.
clean = for_terminal


def verdict_line(report: Report) -> str:
    s = report.summary()
    counts = f"{s['fail']} fail, {s['warn']} warn, {s['info']} info, {s['waived']} waived"
    if report.verdict == "error":
        bad = sum(1 for i in report.inputs if i.error)
        return f"VERDICT: ERROR - {bad} of {len(report.inputs)} input(s) could not be read or checked ({counts})"
    gate = report.gate_threshold
    if report.verdict == "fail":
        n = len(report.failing_findings())
        tail = " (--fail-on never: exit 0)" if report.fail_on == "never" else ""
        return f"VERDICT: FAIL - {n} finding(s) at or above '{gate}' ({counts}){tail}"
    return f"VERDICT: PASS - no finding at or above '{gate}' ({counts})"


def _finding_lines(f: Finding) -> list[str]:
    c = f.component
    label = clean(f"{c.name} {c.version}".strip())
    ident = clean(c.purl or c.bom_ref)
    # A waived finding is headed WAIVED, not FAIL: it does not fail the scan.
    head = "WAIVED" if f.waived else f.severity.upper()
    marker = "  (unverified rule: warns unless --fail-on-unverified)" if _unverified_warning(f) else ""
    lines = [
        f"  {head:<5} {f.status.upper():<12} {f.jurisdiction:<6} {f.rule_id}{marker}",
        f"        {clean(f.title)}",
        f"        Component: {label}" + (f" ({ident})" if ident else "") + (f" at {clean(c.location)}" if c.location else ""),
    ]
    for e in f.evidence:
        lines.append(f"        Evidence:  {clean(e.field)} = {clean(e.value)!r} matched {clean(e.matched)!r} ({clean(evidence_basis(e))})")
    if f.integrated_into:
        lines.append(f"        Integrated: {clean(integration_text(f))}")
    lines.append(f"        Effective: {f.effective}   Binding: {f.binding}   Verification: {f.verification}")
    lines.append(f"        Why:       {clean(f.message)}")
    lines.append(f"        Citation:  {f.citation}")
    if f.sources:
        lines.append(f"        Source:    {f.sources[0]}")
    if f.waiver is not None:
        w = f.waiver
        lines.append(f"        WAIVED:    {clean(str(w.get('reason', '')))} (expires {w.get('expires') or 'never'})")
    return lines


def _unverified_warning(f: Finding) -> bool:
    return f.verification == "unverified" and f.status == "violation" and f.severity == "warn"


def _out_of_scope_lines(items: list[Finding]) -> list[str]:
    """One line per rule: which components, and the contexts that would make it apply."""
    by_rule: dict[str, list[Finding]] = {}
    for f in items:
        by_rule.setdefault(f.rule_id, []).append(f)
    lines = []
    for rule_id, group in by_rule.items():
        names = sorted({clean(f.component.name) for f in group}, key=str.casefold)
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        f = group[0]
        count = f"{len(group)} finding" + ("s" if len(group) != 1 else "")
        lines.append(
            f"  INFO  OUT-OF-SCOPE {f.jurisdiction:<6} {rule_id} would apply {scope_hint(f)} ({count}: {shown})"
        )
    return lines


class TextFormat:
    name: ClassVar[str] = "text"
    label: ClassVar[str] = "readable terminal report"
    extension: ClassVar[str] = ".txt"

    def render(self, report: Report) -> str:
        out: list[str] = []
        if report.all_jurisdictions:
            out.append(f"ALL JURISDICTIONS (-j ALL): every one of the {len(report.jurisdictions)} jurisdictions in the rule pack applies")
        out.append(f"complycheck {report.tool_version} - rule pack {report.rulepack.get('version', '')}")
        out.extend(f"Rule pack: {clean(basis)}" for basis in pack_basis(report))
        if report.policy:
            out.append(f"Policy file: {clean(policy_basis(report))}")
        out.extend(f"WARNING: {clean(w)}" for w in report.rulepack.get("warnings") or [])
        ctx = ", ".join(report.contexts) or "(none)"
        out.append(
            f"As of {report.as_of}; jurisdictions: {', '.join(report.jurisdictions)}; contexts: {ctx}; "
            f"fail on: {report.fail_on}; look-ahead: {report.horizon_days} days"
        )
        by_input: dict[str, list[Finding]] = {}
        for f in report.findings:
            by_input.setdefault(f.input_path, []).append(f)
        for inp in report.inputs:
            out.append("")
            if inp.error and not inp.was_read:
                out.append(f"== {clean(inp.path)}: UNREADABLE")
                out.append(f"  ERROR {clean(inp.error)}")
                continue
            out.append(
                f"== {clean(inp.path)} ({inp.format}): {inp.components} components, "
                f"{inp.components_with_vendor_identity} with vendor identity, {inp.components_matched} matched a catalog vendor"
                + (f", {problem_count(inp)}" if inp.problems else "")
            )
            if inp.error:  # read, but it does not count as checked; its findings follow
                out.append(f"  ERROR {clean(inp.error)}")
            out.extend(f"  PROBLEM {clean(p)}" for p in inp.problems)
            items = by_input.get(inp.path, [])
            if not items:
                out.append("  No rule of the selected jurisdictions applies to any component.")
            if report.show_out_of_scope:
                detailed, summarised = items, []
            else:
                detailed = [f for f in items if f.status != "out-of-scope"]
                summarised = [f for f in items if f.status == "out-of-scope"]
            for f in detailed:
                out.extend(_finding_lines(f))
            out.extend(_out_of_scope_lines(summarised))
            if inp.components == 0:
                if not inp.error:
                    out.append("  WARNING: this input lists no components, so nothing could be checked.")
            elif inp.components_with_vendor_identity == 0:
                out.append("  WARNING: no component carries vendor data (supplier, publisher, purl namespace, CPE...);")
                out.append("           matching fell back to product names only.")
        if report.skipped:
            out.append("")
            for skip in report.skipped:
                out.append(f"Skipped {clean(skip['path'])}: {clean(skip['reason'])}")
        if report.excluded_rules:
            out.append("")
            for rule in report.excluded_rules:
                out.append(f"Left out by --require-verified: {rule['rule_id']} ({rule['reason']})")
        if report.coverage_limits:
            out.append("")
            out.append(COVERAGE_LIMIT_HEADING + ":")
            out.extend(f"  LIMIT {line}" for line in coverage_limit_lines(report))
        unused = report.waivers.get("unused") or []
        lapsed = report.waivers.get("lapsed") or []
        if unused or lapsed:
            out.append("")
            for w in lapsed:
                out.append(f"Waiver lapsed: {clean(str(w))}")
            for w in unused:
                out.append(f"Waiver unused: {clean(str(w))}")
        if len(report.inputs) > 1:
            fleet = report.fleet_summary()
            out.append("")
            out.append(
                f"Fleet: {fleet['inputs_scanned']} input(s) scanned, {fleet['inputs_failing']} failing, "
                f"{fleet['inputs_unreadable']} unreadable"
            )
            for row in fleet["rules"]:
                out.append(f"  {row['rule_id']}: {row['inputs']} input(s)")
        total = sum(i.components for i in report.inputs)
        ident = sum(i.components_with_vendor_identity for i in report.inputs)
        pct = f" ({100 * ident / total:.0f}%)" if total else ""
        out.append("")
        out.append(f"Inputs: {len(report.inputs)}; components: {total}; with vendor identity: {ident}{pct}")
        out.append(verdict_line(report))
        # Every line once more: rule titles and citations of organisation packs are untrusted too.
        return "\n".join(map(for_terminal, out)) + "\n"
