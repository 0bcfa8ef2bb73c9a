"""Markdown for a pull-request comment or a GitHub job summary.

Verdict first (reviewers read the top line), then a findings table, then the details in a
collapsed ``<details>`` block. Component names come from untrusted SBOMs, so every input string
is escaped: HTML-significant characters become entities, Markdown punctuation is backslash-escaped,
line breaks are flattened and ``@`` gets a zero-width space so nobody is mentioned. GitHub rejects
comments over 65,536 characters; longer reports are cut at a row boundary with a note, and rows
and details past the cut are never rendered.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain
from typing import Any, ClassVar

from compliance.formats.common import (
    COVERAGE_LIMIT_HEADING,
    FACT_WARNINGS,
    STATUS_WORDS,
    ComponentGroup,
    command_line,
    component_groups,
    component_label,
    coverage_text,
    evidence_basis,
    fact_flag,
    findings_by_rule,
    flagged_text,
    input_label,
    integration_text,
    pack_basis,
    policy_basis,
    primary_source,
    problem_count,
    ranked_sources,
    relative_path,
    rules_by_id,
    scope_hint,
    source_line,
    subject_text,
    verdict_word,
)
from compliance.model import Finding, Report
from compliance.untrusted import for_terminal

GITHUB_COMMENT_LIMIT = 65_536
_MD_PUNCT = re.compile(r"([\\`*_{}\[\]()#!|~])")
_BREAKS = re.compile("[\t\n\r\u2028\u2029]")
ICONS = {"pass": "✅", "fail": "❌", "error": "⚠️"}
FACT_MARKS = {"secondary": "⚠️ secondary sources", "unverified": "⚠️ unverified facts"}
DECISION = [
    "### Decision",
    "",
    "- [ ] Approved",
    "- [ ] Approved with conditions",
    "- [ ] Rejected",
    "",
    "Conditions or reasons: ______________________________",
    "",
    "Reviewer (name, role): ______________________________",
    "",
    "Date: ____________ Signature: ______________________________",
    "",
]


def md(text: Any) -> str:
    """Inert inline text: safe in a table cell, a list item or a summary line."""
    s = "" if text is None else str(text)
    s = for_terminal(_BREAKS.sub(" ", s))  # one line; other control and bidi characters shown as escapes
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    s = _MD_PUNCT.sub(r"\\\1", s)
    return s.replace("@", "@&#8203;")


def md_code(text: Any) -> str:
    """A value shown as code: an inline code span cannot be broken out of, so use escaped text."""
    return f"<code>{md(text)}</code>"


def link(url: str | None, label: str) -> str:
    """Only http(s) URLs become links; anything else is shown as text."""
    if url and re.match(r"^https?://[^\s<>()\"']+$", url):
        return f"[{md(label)}]({url})"
    return md(label if not url else f"{label} ({url})")


def verdict_heading(report: Report) -> str:
    s = report.summary()
    counts = f"{s['fail']} fail, {s['warn']} warn, {s['info']} info, {s['waived']} waived"
    icon = ICONS.get(report.verdict, "")
    if report.verdict == "error":
        bad = sum(1 for i in report.inputs if i.error)
        return f"## {icon} complycheck: ERROR — {bad} of {len(report.inputs)} input(s) could not be read or checked ({counts})"
    if report.verdict == "fail":
        n = len(report.failing_findings())
        tail = " — `--fail-on never`: exit 0" if report.fail_on == "never" else ""
        return f"## {icon} complycheck: FAIL — {n} finding(s) at or above `{report.gate_threshold}` ({counts}){tail}"
    return f"## {icon} complycheck: PASS — no finding at or above `{report.gate_threshold}` ({counts})"


# A pull-request comment has room for a fleet's worst inputs, not for every device: the overview lists the
# first OVERVIEW_ROWS (failures first) and counts the rest; inputs are described one by one (product,
# serial number, digest) only up to INPUT_LINES, unreadable ones always (up to OVERVIEW_ROWS).
OVERVIEW_ROWS = 50
INPUT_LINES = 10


def _overview(report: Report) -> list[str]:
    """One row per input, failures first; then, for a fleet, the failing rules with their counts."""
    verdicts = report.overview()
    out = [
        "| Input | Verdict | Failing rules | Flagged components | Vendor identity |",
        "|---|---|---|---|---|",
    ]
    rest = verdicts[OVERVIEW_ROWS:]
    for v in verdicts[:OVERVIEW_ROWS]:
        word = verdict_word(v)
        if v.verdict == "pass" and v.summary["warn"]:
            word += f" ({v.summary['warn']} warn)"
        rules = ", ".join(md_code(r) for r in v.failing_rules) or "—"
        out.append(
            f"| {md(input_label(v.input))} | {ICONS.get(v.verdict, '')} {word} | {rules} | "
            f"{md(flagged_text(v.flagged, limit=5)) if v.flagged else '—'} | {md(coverage_text(v.input))} |"
        )
    if rest:
        counts = {k: sum(1 for v in rest if v.verdict == k) for k in ("fail", "error", "pass")}
        out.append("")
        out.append(
            f"… and {len(rest)} more inputs ({counts['fail']} failing, {counts['error']} unreadable or not checked, "
            f"{counts['pass']} passing): the JSON, HTML and SARIF reports list every input."
        )
    fleet = report.fleet_summary()
    if len(verdicts) > 1 and fleet["rules"]:
        out.append("")
        out.append(
            "Failing rules: "
            + "; ".join(
                f"{md_code(r['rule_id'])} {r['inputs']} of {len(verdicts)} inputs ({r['components']} components)"
                for r in fleet["rules"]
            )
        )
    return [*out, ""]


def _group_row(group: ComponentGroup, rules: dict[str, dict[str, Any]]) -> str:
    f = group.first
    c = f.component
    ident = c.purl or c.bom_ref
    comp = md(component_label(f)) + (f"<br>{md_code(ident)}" if ident else "")
    lines = []
    for x in group.findings:
        head = "WAIVED" if x.waived else x.severity.upper()
        flag = fact_flag(rules.get(x.rule_id), None if x.rule_id in rules else x.verification)
        mark = f" {FACT_MARKS[flag]}" if flag else ""
        lines.append(f"{head} {md_code(x.rule_id)} {md(STATUS_WORDS.get(x.status, x.status))}{mark}")
    evidence = "<br>".join(f"{md(e.field)}: {md(e.value)}" for e in group.evidence) or "—"
    return f"| {group.head} | {comp} | {'<br>'.join(lines)} | {md(relative_path(f.input_path))} | {evidence} |"


def _out_of_scope_lines(items: list[Finding]) -> list[str]:
    """One line per rule, as the text report: which components, and the contexts that would make it apply."""
    by_rule = findings_by_rule(items)
    out = []
    for rule_id, group in by_rule.items():
        names = list(dict.fromkeys(f.component.name for f in group))
        count = f"{len(group)} finding" + ("s" if len(group) != 1 else "")
        out.append(
            f"- ℹ️ {md_code(rule_id)} is out of scope: it would apply {md(scope_hint(group[0]))} "
            f"({count}: {md(flagged_text([(n, '') for n in names]))})"
        )
    return out


def _detail(group: ComponentGroup, rules: dict[str, dict[str, Any]]) -> str:
    f = group.first
    c = f.component
    lines = [
        f"#### {md(component_label(f))} — {md(', '.join(x.rule_id for x in group.findings))}",
        "",
        f"- **Where:** {md(relative_path(f.input_path))} {md(c.location or '')}",
    ]
    lines.extend(f"- **Why:** {md(w)}" for w in group.identities)
    for e in group.evidence:
        lines.append(f"- **Evidence:** {md(e.field)} = {md(e.value)} matched {md(e.matched)} ({md(evidence_basis(e))})")
    if f.integrated_into:
        lines.append(f"- **Integrated:** {md(integration_text(f))}")
    for x in group.findings:
        rule = rules.get(x.rule_id)
        src = primary_source(rule, x)
        lines.append(
            f"- **{md(x.rule_id)}** ({md(STATUS_WORDS.get(x.status, x.status))}): {md(x.reason or x.message)} "
            f"Citation: {md(x.citation)}" + (f"; {link(src, source_line(rule) if rule else 'source')}" if src else "")
            + f". Effective {md(x.effective)} · binding {md(x.binding)} · verification {md(x.verification)}"
        )
        flag = fact_flag(rule, None if rule else x.verification)
        if flag:
            lines.append(f"  - {FACT_MARKS[flag]}: {md(FACT_WARNINGS[flag])}")
        if x.waiver is not None:
            w = x.waiver
            lines.append(
                f"  - **Waived** ({md(w.get('id'))}): {md(w.get('reason'))}; approver {md(w.get('approver') or '—')}; "
                f"expires {md(w.get('expires') or 'never')}"
            )
    return "\n".join(lines) + "\n"


class MarkdownFormat:
    name: ClassVar[str] = "markdown"
    label: ClassVar[str] = "Markdown (pull-request comment, job summary)"
    extension: ClassVar[str] = ".md"

    limit: int = GITHUB_COMMENT_LIMIT

    def render(self, report: Report) -> str:
        rules = rules_by_id(report)
        head = [verdict_heading(report), ""]
        ctx = ", ".join(report.contexts) or "none"
        head.append(
            f"As of **{md(report.as_of)}** · jurisdictions **{md(', '.join(report.jurisdictions))}** · "
            f"contexts **{md(ctx)}** · fail on **{md(report.fail_on)}** · rule pack {md(report.rulepack.get('version', ''))}"
        )
        head.append("")
        head.extend(_overview(report))
        described = report.inputs
        if len(described) > INPUT_LINES:
            described = [i for i in report.inputs if i.error][:OVERVIEW_ROWS]
            head.append(
                f"- {len(report.inputs)} inputs: each one's product, serial number and SHA-256 are in the HTML and "
                "JSON reports" + ("; the unreadable ones:" if described else ".")
            )
        for inp in described:
            digest = f"SHA-256 {md_code(inp.sha256)}" if inp.sha256 else "not read"
            if inp.error and not inp.was_read:
                head.append(f"- ⚠️ {md(relative_path(inp.path))}: **unreadable** — {md(inp.error)} ({digest})")
                continue
            if inp.error:
                head.append(f"- ⚠️ {md(relative_path(inp.path))}: **not checked** — {md(inp.error)}")
            product, supplier = subject_text(inp.subject)
            what = [f"product **{md(product)}**"] if product else []
            what += [f"supplier {md(supplier)}"] if supplier else []
            what += [f"serial number {md_code(inp.serial_number)}"] if inp.serial_number else []
            head.append(
                f"- {md(relative_path(inp.path))}: {inp.components} components, "
                f"{inp.components_with_vendor_identity} with vendor identity, {inp.components_matched} matched"
                + (f" ({inp.matched_without_findings} without a finding)" if inp.matched_without_findings else "")
                + (f", {problem_count(inp)}" if inp.problems else "")
                + "<br>" + ", ".join([*what, digest])
            )
            head.extend(f"  - problem: {md(p)}" for p in inp.problems)
        command = command_line(report)
        head.append(f"- Rule packs: {md('; '.join(pack_basis(report)))}")
        head.append(f"- Policy file: {md(policy_basis(report))}")
        head.extend(f"- ⚠️ {md(w)}" for w in report.rulepack.get("warnings") or [])
        head.append(f"- Command: {md_code(command) if command is not None else 'not recorded (library call)'}")
        if report.coverage_limits:
            head.append(f"- ⚠️ {md(COVERAGE_LIMIT_HEADING)}:")
            head.extend(
                f"  - {md_code(c['rule_id'])} ({md(c['jurisdiction'])}): {md(c['message'])}" for c in report.coverage_limits
            )
        head.append("")
        if report.show_out_of_scope:
            detailed, summarised = report.findings, []
        else:
            detailed = [f for f in report.findings if f.status != "out-of-scope"]
            summarised = [f for f in report.findings if f.status == "out-of-scope"]
        groups = component_groups(detailed)
        if groups:
            header = ["| Result | Component | Rules | Input | Evidence |", "|---|---|---|---|---|"]
        elif report.findings:
            header = ["No finding fails or warns."]
        else:
            header = ["No rule of the selected jurisdictions applies to any component."]
        after = _out_of_scope_lines(summarised)
        after = ["", *after] if after else []
        rows = (_group_row(g, rules) for g in groups)
        return self._fit(head, header, rows, len(groups), self._details(report, rules, groups), DECISION, after)

    def _details(self, report: Report, rules: dict[str, dict[str, Any]], groups: list[ComponentGroup]) -> Iterator[str]:
        """The collapsed block, line by line: rendered only as far as the size limit lets it show."""
        yield from ("", "<details><summary>Details: flagged components, rules checked, waivers</summary>", "")
        for group in groups:
            yield _detail(group, rules)
        yield from ("#### Rules checked", "")
        for r in report.rules_evaluated:
            sources = ", ".join(
                link(s.get("url"), f"{s.get('kind')} source") for s in ranked_sources(r) if s.get("url")
            )
            flag = fact_flag(r)
            yield (
                f"- {md(r['rule_id'])} ({md(r['jurisdiction'])}): {md(r.get('title'))} — if present: "
                f"{md(STATUS_WORDS.get(r.get('status_if_present', ''), r.get('status_if_present')))}; "
                f"{md(r.get('citation'))}; {md(source_line(r))}" + (f"; {sources}" if sources else "")
                + (f" — {FACT_MARKS[flag]}" if flag else "")
            )
        for kind in ("applied", "lapsed", "unused"):
            for w in report.waivers.get(kind) or []:
                yield f"- Waiver {kind}: {md(str(w))}"
        yield from ("", "</details>", "")

    def _fit(
        self, head: list[str], header: list[str], rows: Iterator[str], n_rows: int, details: Iterator[str],
        tail: list[str], after: list[str] = (),  # type: ignore[assignment]
    ) -> str:
        """Everything if it fits; else drop the details, then table rows, and say so. ``after`` (the
        out-of-scope lines, one per rule) and ``tail`` are always kept.

        Rows and details are rendered lazily and rendering stops at the limit, so a report of a
        million findings costs what the ~65 KB that is shown costs, not a million rows.
        """
        after = list(after)
        size = sum(len(line) + 1 for line in (*head, *header, *after, *tail))
        shown: list[str] = []
        fits = size <= self.limit
        if fits:
            size, fits = _take(rows, shown, size, self.limit)
        if fits:
            more: list[str] = []
            size, fits = _take(details, more, size, self.limit)
            if fits:
                return "\n".join(head + header + shown + after + more + tail) + "\n"
        note_room = 300 + sum(len(line) + 1 for line in (*after, *tail))
        out = list(head)
        size = len("\n".join(out)) + 1
        kept = 0
        out += header
        size += sum(len(line) + 1 for line in header)
        for line in chain(shown, rows):
            if size + len(line) + 1 > self.limit - note_room:
                break
            out.append(line)
            size += len(line) + 1
            kept += 1
        omitted = n_rows - kept
        note = "\n> **Report truncated** to fit GitHub's 65,536-character comment limit"
        note += f": {omitted} more flagged-component row(s) and the details are omitted." if omitted else ": the details are omitted."
        note += " See the full report (HTML, SARIF or JSON artifact)."
        return "\n".join(out + after) + "\n" + note + "\n\n" + "\n".join(tail) + "\n"


def _take(lines: Iterator[str], into: list[str], size: int, limit: int) -> tuple[int, bool]:
    """Move lines into ``into`` until the size passes ``limit``: the new size, and whether all fitted.

    The line that passes the limit is kept in ``into`` so the truncating pass can still show it.
    """
    for line in lines:
        into.append(line)
        size += len(line) + 1
        if size > limit:
            return size, False
    return size, True
