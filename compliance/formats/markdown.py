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
    command_line,
    component_label,
    evidence_basis,
    integration_text,
    pack_basis,
    policy_basis,
    primary_source,
    problem_count,
    ranked_sources,
    relative_path,
    rules_by_id,
    subject_text,
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


def _row(f: Finding) -> str:
    c = f.component
    ident = c.purl or c.bom_ref
    comp = md(component_label(f)) + (f"<br>{md_code(ident)}" if ident else "")
    sev = f.severity.upper() + (" (waived)" if f.waived else "")
    evidence = "<br>".join(f"{md(e.field)}: {md(e.value)}" for e in f.evidence) or "—"
    mark = f"<br>{FACT_MARKS[f.verification]}" if f.verification in FACT_MARKS else ""
    return (
        f"| {sev} | {md(STATUS_WORDS.get(f.status, f.status))} | {md(f.jurisdiction)} {md_code(f.rule_id)}{mark} "
        f"| {comp} | {md(relative_path(f.input_path))} | {evidence} |"
    )


def _detail(f: Finding, rule: dict[str, Any] | None) -> str:
    c = f.component
    lines = [
        f"#### {md(f.rule_id)} — {md(component_label(f))}",
        "",
        f"- **Why:** {md(f.message)}",
        f"- **Where:** {md(relative_path(f.input_path))} {md(c.location or '')}",
    ]
    for e in f.evidence:
        lines.append(f"- **Evidence:** {md(e.field)} = {md(e.value)} matched {md(e.matched)} ({md(evidence_basis(e))})")
    if f.integrated_into:
        lines.append(f"- **Integrated:** {md(integration_text(f))}")
    lines.append(f"- **Citation:** {md(f.citation)}")
    src = primary_source(rule, f)
    if src:
        lines.append(f"- **Source:** {link(src, src)}")
    lines.append(f"- **Effective:** {md(f.effective)} · **Binding:** {md(f.binding)} · **Verification:** {md(f.verification)}")
    if f.verification in FACT_WARNINGS:
        lines.append(f"- {FACT_MARKS[f.verification]}: {md(FACT_WARNINGS[f.verification])}")
    if f.waiver is not None:
        w = f.waiver
        lines.append(
            f"- **Waived** ({md(w.get('id'))}): {md(w.get('reason'))}; approver {md(w.get('approver') or '—')}; "
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
        for inp in report.inputs:
            digest = f"SHA-256 {md_code(inp.sha256)}" if inp.sha256 else "not read"
            if inp.error and not inp.was_read:
                head.append(f"- ⚠️ {md(relative_path(inp.path))}: **unreadable** — {md(inp.error)} ({digest})")
                continue
            if inp.error:
                head.append(f"- ⚠️ {md(relative_path(inp.path))}: **not checked** — {md(inp.error)}")
            product, supplier = subject_text(inp.subject)
            head.append(
                f"- {md(relative_path(inp.path))}: {inp.components} components, "
                f"{inp.components_with_vendor_identity} with vendor identity, {inp.components_matched} matched"
                + (f", {problem_count(inp)}" if inp.problems else "")
                + f"<br>product **{md(product)}**, supplier {md(supplier)}, serial number "
                f"{md_code(inp.serial_number) if inp.serial_number else 'none'}, {digest}"
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
        if report.findings:
            header = ["| Severity | Status | Rule | Component | Input | Evidence |", "|---|---|---|---|---|---|"]
        else:
            header = ["No rule of the selected jurisdictions applies to any component."]
        rows = (_row(f) for f in report.findings)
        return self._fit(head, header, rows, len(report.findings), self._details(report, rules), DECISION)

    def _details(self, report: Report, rules: dict[str, dict[str, Any]]) -> Iterator[str]:
        """The collapsed block, line by line: rendered only as far as the size limit lets it show."""
        yield from ("", "<details><summary>Details: findings, rules checked, waivers</summary>", "")
        for f in report.findings:
            yield _detail(f, rules.get(f.rule_id))
        yield from ("#### Rules checked", "")
        for r in report.rules_evaluated:
            sources = ", ".join(
                link(s.get("url"), f"{s.get('kind')} source") for s in ranked_sources(r) if s.get("url")
            )
            status = (r.get("verification") or {}).get("status")
            yield (
                f"- {md(r['rule_id'])} ({md(r['jurisdiction'])}): {md(r.get('title'))} — if present: "
                f"{md(STATUS_WORDS.get(r.get('status_if_present', ''), r.get('status_if_present')))}; "
                f"{md(r.get('citation'))}" + (f"; {sources}" if sources else "")
                + (f" — {FACT_MARKS[status]}" if status in FACT_MARKS else "")
            )
        for kind in ("applied", "lapsed", "unused"):
            for w in report.waivers.get(kind) or []:
                yield f"- Waiver {kind}: {md(str(w))}"
        yield from ("", "</details>", "")

    def _fit(
        self, head: list[str], header: list[str], rows: Iterator[str], n_rows: int, details: Iterator[str],
        tail: list[str],
    ) -> str:
        """Everything if it fits; else drop the details, then table rows, and say so. ``tail`` is always kept.

        Rows and details are rendered lazily and rendering stops at the limit, so a report of a
        million findings costs what the ~65 KB that is shown costs, not a million rows.
        """
        size = sum(len(line) + 1 for line in (*head, *header, *tail))
        shown: list[str] = []
        fits = size <= self.limit
        if fits:
            size, fits = _take(rows, shown, size, self.limit)
        if fits:
            more: list[str] = []
            size, fits = _take(details, more, size, self.limit)
            if fits:
                return "\n".join(head + header + shown + more + tail) + "\n"
        note_room = 300 + sum(len(line) + 1 for line in tail)
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
        note += f": {omitted} more finding row(s) and the details are omitted." if omitted else ": the details are omitted."
        note += " See the full report (HTML, SARIF or JSON artifact)."
        return "\n".join(out) + "\n" + note + "\n\n" + "\n".join(tail) + "\n"


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
