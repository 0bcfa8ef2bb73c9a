"""The terminal report: the verdict, a fleet overview, then one block per flagged component.

A component matched by several rules is shown once: its name and place, why it is the vendor's
software and the evidence, then one line per rule. Each rule's citation and primary source follow
once, after the inputs, and ``--verbose`` adds each rule's reason, dates and source under the
component and lists the components that matched a catalog vendor without a finding. Out-of-scope
findings are one line per rule unless ``--show-out-of-scope``.
"""

from __future__ import annotations

from typing import ClassVar

from compliance.formats.common import (
    COVERAGE_LIMIT_HEADING,
    ComponentGroup,
    component_groups,
    coverage_limit_lines,
    coverage_text,
    evidence_item,
    findings_by_rule,
    flagged_text,
    input_label,
    integration_text,
    pack_basis,
    policy_basis,
    problem_count,
    relative_path,
    rules_by_id,
    scope_hint,
    shared_integration,
    source_line,
    verdict_word,
)
from compliance.model import Finding, InputVerdict, Report
from compliance.untrusted import for_terminal

# Input strings are untrusted: show control and bidi characters as escapes, never execute them.
clean = for_terminal
INDENT = "        "


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


def _unverified_warning(f: Finding) -> bool:
    return f.verification == "unverified" and f.status == "violation" and f.severity == "warn"


def _rule_line(f: Finding, width: int) -> str:
    """``FAIL  VIOLATION    US     US-ICTS-KASPERSKY-2024  since 2024-09-29  <title>``."""
    head = "WAIVED" if f.waived else f.severity.upper()
    marker = "  (unverified rule: warns unless --fail-on-unverified)" if _unverified_warning(f) else ""
    when = "from" if f.status == "upcoming" else "since"
    return (
        f"{INDENT}{head:<5} {f.status.upper():<12} {f.jurisdiction:<6} {f.rule_id:<{width}}{marker}  "
        f"{when} {f.effective}  {clean(f.title)}"
    )


def _group_lines(group: ComponentGroup, verbose: bool, integration_said: bool = False) -> list[str]:
    f = group.first
    c = f.component
    label = clean(f"{c.name} {c.version}".strip())
    ident = clean(c.purl or c.bom_ref)
    lines = [
        f"  {group.head:<6}{label}" + (f" ({ident})" if ident else "") + (f" at {clean(c.location)}" if c.location else "")
    ]
    lines.extend(f"{INDENT}Why:       {clean(why)}" for why in group.identities)
    lines.extend(f"{INDENT}Evidence:  {clean(evidence_item(e))}" for e in group.evidence)
    if f.integrated_into and not integration_said:
        lines.append(f"{INDENT}Integrated: {clean(integration_text(f))}")
    width = max(len(x.rule_id) for x in group.findings)
    for finding in group.findings:
        lines.append(_rule_line(finding, width))
        if verbose:
            lines.append(f"{INDENT}      Reason:    {clean(finding.reason or finding.message)}")
            lines.append(
                f"{INDENT}      Effective: {finding.effective}   Binding: {finding.binding}   "
                f"Verification: {finding.verification}"
            )
            lines.append(f"{INDENT}      Citation:  {clean(finding.citation)}")
            if finding.sources:
                lines.append(f"{INDENT}      Source:    {clean(finding.sources[0])}")
        if finding.waiver is not None:
            w = finding.waiver
            lines.append(
                f"{INDENT}      WAIVED:    {clean(str(w.get('reason', '')))} (expires {w.get('expires') or 'never'})"
            )
    return lines


def _out_of_scope_lines(items: list[Finding]) -> list[str]:
    """One line per rule: which components, and the contexts that would make it apply."""
    by_rule = findings_by_rule(items)
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


def _overview_lines(report: Report, verdicts: list[InputVerdict]) -> list[str]:
    """The fleet at a glance: one line per input, failures first, then the failing rules with their counts."""
    rows = [
        (
            verdict_word(v),
            clean(input_label(v.input)),
            ", ".join(v.failing_rules) or "-",
            clean(flagged_text(v.flagged)),
            coverage_text(v.input),
        )
        for v in verdicts
    ]
    head = ("VERDICT", "INPUT", "FAILING RULES", "FLAGGED", "VENDOR IDENTITY")
    paths = {clean(relative_path(v.input.path)) for v in verdicts}
    widths = [min(max(len(r[i]) for r in (head, *rows)), cap) for i, cap in enumerate((11, 40, 40, 48, 20))]

    def fit(cells: tuple[str, ...]) -> str:
        out = []
        for n, (cell, width) in enumerate(zip(cells[:-1], widths[:-1], strict=True)):
            if len(cell) > width:  # a file name keeps its end, anything else its start
                cell = "..." + cell[3 - width:] if n == 1 and cell in paths else cell[: width - 3] + "..."
            out.append(cell.ljust(width))
        return "  " + "  ".join([*out, cells[-1]]).rstrip()

    fleet = report.fleet_summary()
    lines = [
        f"Overview: {len(verdicts)} inputs, {fleet['inputs_failing']} failing, {fleet['inputs_unreadable']} unreadable "
        "or not checked (failures first)",
        fit(head),
        *(fit(r) for r in rows),
    ]
    if fleet["rules"]:
        lines.append("Failing rules:")
        lines.extend(
            f"  {row['rule_id']}: {row['inputs']} input(s), {row['components']} component(s)" for row in fleet["rules"]
        )
    return lines


def _rules_lines(report: Report, shown: list[Finding]) -> list[str]:
    """Each rule the shown findings name, once: its title, citation and what its primary source is."""
    rules = rules_by_id(report)
    seen: dict[str, Finding] = {}
    for f in shown:
        seen.setdefault(f.rule_id, f)
    if not seen:
        return []
    width = max(len(r) for r in seen)
    out = ["", "Rules (citation; source; verification):"]
    for rule_id in sorted(seen):
        f = seen[rule_id]
        rule = rules.get(rule_id)
        src = source_line(rule) if rule else (f.sources[0] if f.sources else "no source listed")
        url = next((s.get("url") for s in (rule or {}).get("sources") or [] if s.get("kind") == "primary"), None)
        url = url or (f.sources[0] if f.sources else "")
        out.append(f"  {rule_id:<{width}}  {clean(f.citation)}")
        out.append(f"  {'':<{width}}  {clean(src)}" + (f" <{clean(url)}>" if url else "") + f"; verification: {f.verification}")
    return out


class TextFormat:
    name: ClassVar[str] = "text"
    label: ClassVar[str] = "readable terminal report"
    extension: ClassVar[str] = ".txt"

    # --verbose: each rule's reason, dates and source under its component, and the components that
    # matched a catalog vendor without a finding.
    verbose: bool = False

    def __init__(self, verbose: bool | None = None) -> None:
        if verbose is not None:
            self.verbose = verbose

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
        if len(report.inputs) > 1:
            out.append("")
            out.extend(_overview_lines(report, report.overview()))
        by_input: dict[str, list[Finding]] = {}
        for f in report.findings:
            by_input.setdefault(f.input_path, []).append(f)
        detailed_all: list[Finding] = []
        for inp in report.inputs:
            out.append("")
            if inp.error and not inp.was_read:
                out.append(f"== {clean(inp.path)}: UNREADABLE")
                out.append(f"  ERROR {clean(inp.error)}")
                continue
            out.append(
                f"== {clean(inp.path)} ({inp.format}): {inp.components} components, "
                f"{inp.components_with_vendor_identity} with vendor identity, {inp.components_matched} matched a catalog vendor"
                + (f" ({inp.matched_without_findings} without a finding{'' if self.verbose else ': --verbose lists them'})"
                   if inp.matched_without_findings else "")
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
            detailed_all.extend(detailed)
            groups = component_groups(detailed)
            shared = shared_integration(groups)  # white-label: said once when it holds for every component
            if shared:
                out.append(f"  Integrated: {clean(shared)}")
            for group in groups:
                out.extend(_group_lines(group, self.verbose, bool(shared)))
            out.extend(_out_of_scope_lines(summarised))
            if self.verbose and inp.unflagged:
                out.append(f"  Matched a catalog vendor, no selected rule applies ({inp.matched_without_findings}):")
                for u in inp.unflagged:
                    what = u["vendor"] + (f"/{u['product']}" if u.get("product") else "")
                    label = clean(f"{u['name']} {u.get('version') or ''}".strip())
                    out.append(f"    {label} -> {clean(what)} ({u['strength']}): {clean(u['why'])}")
                if inp.matched_without_findings > len(inp.unflagged):
                    out.append(f"    ... and {inp.matched_without_findings - len(inp.unflagged)} more (JSON lists the first 50)")
            if inp.components == 0:
                if not inp.error:
                    out.append("  WARNING: this input lists no components, so nothing could be checked.")
            elif inp.components_with_vendor_identity == 0:
                out.append("  WARNING: no component carries vendor data (supplier, publisher, purl namespace, CPE...);")
                out.append("           matching fell back to product names only.")
        out.extend(_rules_lines(report, detailed_all))
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
        total = sum(i.components for i in report.inputs)
        ident = sum(i.components_with_vendor_identity for i in report.inputs)
        pct = f" ({100 * ident / total:.0f}%)" if total else ""
        out.append("")
        out.append(f"Inputs: {len(report.inputs)}; components: {total}; with vendor identity: {ident}{pct}")
        out.append(verdict_line(report))
        # Every line once more: rule titles and citations of organisation packs are untrusted too.
        return "\n".join(map(for_terminal, out)) + "\n"
