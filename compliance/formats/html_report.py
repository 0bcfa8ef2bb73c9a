"""A self-contained HTML procurement review for a compliance officer who has never seen the tool.

One file: inline CSS, no scripts, no external fetches (a Content-Security-Policy forbids them),
printable. It answers, in order: what is the verdict and for what scope; which components are
flagged and why; what each rule checked says in plain words, with its authority, citation and
sources; what is coming into force; what would apply in another context; how much of the SBOM
carried vendor data; which waivers were used. Every value from the input or the rule pack goes
through ``html.escape``, and only http(s) URLs become links.
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from typing import Any, ClassVar

from compliance.formats.common import (
    COVERAGE_LIMIT_HEADING,
    FACT_WARNINGS,
    STATUS_WORDS,
    command_line,
    component_label,
    evidence_basis,
    failing_ids,
    integration_text,
    missing_conditions,
    pack_basis,
    pack_labels,
    policy_basis,
    primary_source,
    problem_count,
    ranked_sources,
    relative_path,
    rules_by_id,
    subject_text,
)
from compliance.model import Finding, Report
from compliance.untrusted import for_terminal_text

_SAFE_URL = re.compile(r"^https?://[^\s<>\"']+$")


def e(value: Any) -> str:
    """Escape for text and quoted attributes; control and bidi characters are shown, not obeyed."""
    return html.escape(for_terminal_text("" if value is None else str(value)), quote=True)


def a(url: str | None, label: str | None = None) -> str:
    if url and _SAFE_URL.match(url):
        return f'<a href="{e(url)}" rel="noopener noreferrer">{e(label or url)}</a>'
    return e(label or url or "")


CSS = """
:root { --ink:#1b1f24; --muted:#57606a; --line:#d0d7de; --bg:#f6f8fa; --fail:#b42318; --warn:#9a6700;
        --pass:#1a7f37; --info:#0969da; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 20px; margin: 32px 0 8px; border-bottom: 1px solid var(--line);
     padding-bottom: 4px; } h3 { font-size: 16px; margin: 0 0 6px; }
.muted { color: var(--muted); } .small { font-size: 13px; }
.verdict { border-radius: 8px; padding: 16px 20px; margin: 16px 0; color: #fff; }
.verdict strong { font-size: 22px; display: block; }
.v-pass { background: var(--pass); } .v-fail { background: var(--fail); } .v-error { background: var(--warn); }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { border: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
dl.scope { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.scope dt { font-weight: 600; } dl.scope dd { margin: 0; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600;
         border: 1px solid currentColor; white-space: nowrap; }
.s-fail { color: var(--fail); } .s-warn { color: var(--warn); } .s-info { color: var(--info); }
.s-pass { color: var(--pass); } .s-waived { color: var(--muted); }
.rule { border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; margin: 12px 0; break-inside: avoid; }
.rule p { margin: 6px 0; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--bg); padding: 0 3px;
       overflow-wrap: anywhere; }
td { overflow-wrap: anywhere; }
table.findings td:nth-child(1) { width: 7em; } table.findings td:nth-child(3) { width: 17em; }
table.findings td:nth-child(5) { width: 19em; }
ul { margin: 4px 0; padding-left: 20px; }
.facts { border-left: 4px solid var(--warn); background: #fff8c5; padding: 4px 8px; margin: 6px 0; font-size: 13px; }
.facts.unverified { border-left-color: var(--fail); background: #ffebe9; }
code.digest { font-size: 12px; }
.decision { border: 2px solid var(--ink); border-radius: 8px; padding: 12px 20px; margin: 16px 0; break-inside: avoid; }
.decision .choice { font-size: 17px; margin: 6px 0; }
.decision .box { display: inline-block; width: 16px; height: 16px; border: 2px solid var(--ink); margin-right: 8px;
                 vertical-align: -2px; }
.decision dl { display: grid; grid-template-columns: max-content 1fr; gap: 18px 16px; margin: 16px 0 4px; }
.decision dt { font-weight: 600; } .decision dd { margin: 0; border-bottom: 1px solid var(--ink); min-height: 24px; }
.decision dd.tall { min-height: 64px; }
footer { margin-top: 40px; border-top: 1px solid var(--line); padding-top: 8px; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  .verdict { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; } a[href]::after { content: " <" attr(href) ">"; font-size: 9pt; color: var(--muted); }
  h2 { break-after: avoid; } tr, .rule { break-inside: avoid; }
}
"""

RULE_STATUS_TEXT = {
    "violation": "In force for this scope: a covered component fails the review.",
    "unconfirmed": "The rule would bar it, but only weak evidence ties it to the vendor: confirm, not a failure.",
    "advisory": "Advisory or withdrawal notice in force: a covered component is flagged as a warning.",
    "upcoming": "Not yet in force; comes into force within the look-ahead window (a warning).",
    "out-of-scope": "Does not apply to the contexts of this review; shown for information.",
    "not-in-force": "Not in force on the review date and not within the look-ahead window.",
}
SEVERITY_WORD = {"fail": "FAIL", "warn": "WARN", "info": "INFO"}


def _badge(kind: str, text: str) -> str:
    return f'<span class="badge s-{e(kind)}">{e(text)}</span>'


class HtmlFormat:
    name: ClassVar[str] = "html"
    label: ClassVar[str] = "HTML procurement review (self-contained, printable)"
    extension: ClassVar[str] = ".html"

    def render(self, report: Report) -> str:
        rules = rules_by_id(report)
        parts: list[str] = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="referrer" content="no-referrer">',
            f"<title>Software compliance review — {e(report.verdict.upper())} — as of {e(report.as_of)}</title>",
            f"<style>{CSS}</style>",
            "</head>",
            "<body>",
            "<h1>Software compliance review</h1>",
            '<p class="muted">Checks the listed software against government bans and restrictions on named '
            "vendors and products, as of a date and for the contexts in which the software will be used.</p>",
        ]
        parts += self._verdict(report)
        parts += self._under_review(report)
        parts += self._scope(report)
        parts += self._flagged(report, rules)
        parts += self._limits(report)
        parts += self._upcoming(report)
        parts += self._out_of_scope(report)
        parts += self._rules(report)
        parts += self._coverage(report)
        parts += self._waivers(report)
        parts += self._decision(report)
        parts += [
            "<footer class=\"small muted\">",
            f"<p>Generated by complycheck {e(report.tool_version)} with rule pack(s) {e('; '.join(pack_labels(report)))}, "
            f"evaluated as of {e(report.as_of)}. The rule pack summarises public legal sources; each rule shows "
            "its verification status. This report is an aid to review, not legal advice.</p>",
            "</footer>",
            "</body>",
            "</html>",
        ]
        return "\n".join(parts) + "\n"

    # -- sections ---------------------------------------------------------------------------

    def _verdict(self, report: Report) -> list[str]:
        s = report.summary()
        failing = len(report.failing_findings())
        if report.verdict == "error":
            bad = [i for i in report.inputs if i.error]
            head = "ERROR — the review is incomplete"
            text = (
                f"{len(bad)} of {len(report.inputs)} input file(s) could not be read or do not count as checked "
                "(nothing in them, or too little vendor identity), so their software was not fully checked."
            )
        elif report.verdict == "fail":
            head = "FAIL — barred software found"
            text = (
                f"{failing} finding(s) reach the '{report.gate_threshold}' threshold: software covered by a rule "
                "that applies to this review."
            )
            if report.fail_on == "never":
                text += " (Run with --fail-on never: the command still exits 0.)"
        else:
            head = "PASS — no barred software found"
            text = f"No finding reaches the '{report.gate_threshold}' threshold."
        counts = f"{s['fail']} fail · {s['warn']} warning · {s['info']} for information · {s['waived']} waived"
        return [
            f'<section class="verdict v-{e(report.verdict)}" id="verdict">',
            f"<strong>{e(head)}</strong>",
            f"<div>{e(text)}</div>",
            f'<div class="small">{e(counts)}</div>',
            "</section>",
        ]

    def _under_review(self, report: Report) -> list[str]:
        """Exactly what was judged: each document's product, serial number and digest, the packs and command."""
        out = [
            '<h2 id="under-review">What is under review</h2>',
            "<p>The decision below applies to these files only: a file whose SHA-256 differs is a different file.</p>",
            "<table><thead><tr><th>Input</th><th>Product (version)</th><th>Supplier</th><th>Serial number</th>"
            "<th>SHA-256</th></tr></thead><tbody>",
        ]
        for i in report.inputs:
            product, supplier = subject_text(i.subject)
            if i.error and not i.was_read:
                product = "unreadable: not reviewed"
            digest = f'<code class="digest">{e(i.sha256)}</code>' if i.sha256 else "not read"
            out.append(
                f"<tr><td>{e(relative_path(i.path))}</td><td>{e(product)}</td><td>{e(supplier)}</td>"
                f"<td>{e(i.serial_number or 'none')}</td><td>{digest}</td></tr>"
            )
        out.append("</tbody></table>")
        command = command_line(report)
        rows = [
            ("Rule packs", "; ".join(pack_basis(report))),
            ("Policy file", policy_basis(report)),
            *(("Warning", w) for w in report.rulepack.get("warnings") or []),
            ("Tool", f"complycheck {report.tool_version}"),
        ]
        out.append('<dl class="scope">')
        out += [f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in rows]
        out.append(
            "<dt>Command</dt><dd>"
            + (f"<code>{e(command)}</code>" if command is not None else "not recorded (produced through the library)")
            + "</dd>"
        )
        out.append("</dl>")
        return out

    def _scope(self, report: Report) -> list[str]:
        ctx = ", ".join(report.contexts) or "none (only rules that apply everywhere can fail)"
        rows = [
            ("Review date (as of)", report.as_of),
            ("Jurisdictions", ", ".join(report.jurisdictions)),
            ("Contexts of use", ctx),
            ("Look-ahead", f"{report.horizon_days} days (rules coming into force within this window are warnings)"),
            ("Fails on", report.fail_on),
        ]
        out = ['<h2 id="scope">Scope of this review</h2>', '<dl class="scope">']
        out += [f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in rows]
        out.append("</dl>")
        return out

    def _decision(self, report: Report) -> list[str]:
        """A block the reviewer fills in by hand or in a PDF editor, then signs."""
        choices = ("Approved", "Approved with conditions", "Rejected")
        return [
            '<h2 id="decision">Decision</h2>',
            '<section class="decision">',
            f'<p class="small muted">Tool verdict: {e(report.verdict.upper())}. The reviewer decides; '
            "tick one and sign.</p>",
            *(f'<div class="choice"><span class="box"></span>{e(c)}</div>' for c in choices),
            "<dl>",
            '<dt>Conditions or reasons</dt><dd class="tall"></dd>',
            "<dt>Reviewer (name, role)</dt><dd></dd>",
            "<dt>Date</dt><dd></dd>",
            "<dt>Signature</dt><dd></dd>",
            "</dl>",
            "</section>",
        ]

    def _flagged(self, report: Report, rules: dict[str, dict[str, Any]]) -> list[str]:
        """Failing, warning and waived findings in full; information-only ones in a compact table."""
        out = ['<h2 id="flagged">Flagged components</h2>']
        if not report.findings:
            out.append("<p>No component is covered by any rule of the selected jurisdictions.</p>")
            return out
        failing = failing_ids(report)
        main = [f for f in report.findings if f.severity != "info" or f.waived]
        info = [f for f in report.findings if f.severity == "info" and not f.waived]
        if main:
            out.append(
                '<table class="findings"><thead><tr><th>Result</th><th>Component</th><th>Rule</th><th>Why</th>'
                "<th>Evidence</th></tr></thead><tbody>"
            )
            out += [self._finding_row(f, id(f) in failing, rules.get(f.rule_id)) for f in main]
            out.append("</tbody></table>")
        else:
            out.append("<p>No finding fails or warns.</p>")
        if info:
            out.append('<h3 id="for-information">For information: covered components under rules outside this scope</h3>')
            out.append(
                "<table><thead><tr><th>Component</th><th>Rule</th><th>Would apply with context</th></tr></thead><tbody>"
            )
            for f in info:
                ways = missing_conditions((act.action, act.missing_contexts) for act in f.actions if act.status == "out-of-scope")
                out.append(
                    f"<tr><td>{e(component_label(f))}</td><td><code>{e(f.rule_id)}</code> {e(f.title)}</td>"
                    f"<td>{e(ways or STATUS_WORDS.get(f.status, f.status))}</td></tr>"
                )
            out.append("</tbody></table>")
        return out

    def _finding_row(self, f: Finding, failing: bool, rule: dict[str, Any] | None) -> str:
        c = f.component
        if f.waived:
            result = _badge("waived", "WAIVED")
        else:
            result = _badge(f.severity, SEVERITY_WORD[f.severity] + (" (gate)" if failing else ""))
        result += f'<div class="small">{e(STATUS_WORDS.get(f.status, f.status))}</div>'
        ident = "".join(
            f'<div class="small">{e(k)}: <code>{e(v)}</code></div>'
            for k, v in (("purl", c.purl), ("bom-ref", c.bom_ref))
            if v
        )
        where = f'<div class="small muted">{e(relative_path(f.input_path))} {e(c.location)}</div>'
        component = f"<strong>{e(component_label(f))}</strong>{ident}{where}"
        src = primary_source(rule, f)
        rule_cell = (
            f"<code>{e(f.rule_id)}</code><div>{e(f.title)}</div>"
            f'<div class="small">{e(f.citation)}</div>' + (f'<div class="small">{a(src, "Source")}</div>' if src else "")
            + _fact_warning(f.verification, rule_id=f.rule_id)
        )
        why = f"<div>{e(f.message)}</div>"
        if f.integrated_into:
            why += f'<div class="small"><strong>Integrated:</strong> {e(integration_text(f))}</div>'
        if f.waiver is not None:
            w = f.waiver
            why += (
                f'<div class="small"><strong>Waiver {e(w.get("id"))}:</strong> {e(w.get("reason"))}; approver '
                f'{e(w.get("approver") or "not given")}; expires {e(w.get("expires") or "never")}</div>'
            )
        evidence = "<ul>" + "".join(
            f"<li>{e(ev.field)} = <code>{e(ev.value)}</code> matched <code>{e(ev.matched)}</code> ({e(evidence_basis(ev))})</li>"
            for ev in f.evidence
        ) + "</ul>"
        return f"<tr><td>{result}</td><td>{component}</td><td>{rule_cell}</td><td>{why}</td><td>{evidence}</td></tr>"

    def _limits(self, report: Report) -> list[str]:
        """What the applied rules name but complycheck cannot identify: a reviewer must check these by hand."""
        if not report.coverage_limits:
            return []
        out = [
            '<h2 id="coverage-limits">Coverage limits</h2>',
            f"<p>{e(COVERAGE_LIMIT_HEADING)}. Check the software under review for them by hand.</p>",
            "<table><thead><tr><th>Rule</th><th>Named but not identifiable</th></tr></thead><tbody>",
        ]
        for c in report.coverage_limits:
            names = "".join(f"<li><strong>{e(u['name'])}</strong>: {e(u['reason'])}</li>" for u in c["unidentifiable"])
            out.append(
                f"<tr><td><code>{e(c['rule_id'])}</code> {e(c['title'])}<div class=\"small\">{e(c['message'])}</div></td>"
                f"<td><ul>{names}</ul></td></tr>"
            )
        out.append("</tbody></table>")
        return out

    def _upcoming(self, report: Report) -> list[str]:
        rows = []
        for r in report.rules_evaluated:
            for act in r.get("actions") or []:
                if act.get("effective") and act["effective"] > report.as_of:
                    rows.append((act["effective"], r, act))
        out = ['<h2 id="upcoming">Upcoming rules</h2>']
        if not rows:
            out.append(f"<p>No rule of the selected jurisdictions comes into force after {e(report.as_of)}.</p>")
            return out
        out.append("<table><thead><tr><th>From</th><th>Rule</th><th>What changes</th><th>Contexts</th></tr></thead><tbody>")
        for effective, r, act in sorted(rows, key=lambda t: (t[0], t[1]["rule_id"], t[2].get("action") or "")):
            ctx = ", ".join(act.get("contexts") or []) or "all"
            out.append(
                f"<tr><td>{e(effective)}</td><td><code>{e(r['rule_id'])}</code> {e(r.get('title'))}</td>"
                f"<td>{e(act.get('description'))}</td><td>{e(ctx)}</td></tr>"
            )
        out.append("</tbody></table>")
        return out

    def _out_of_scope(self, report: Report) -> list[str]:
        rows = [r for r in report.rules_evaluated if r.get("status_if_present") == "out-of-scope"]
        out = ['<h2 id="out-of-scope">Rules outside this review\'s contexts</h2>']
        if not rows:
            out.append("<p>Every rule checked applies to the contexts of this review.</p>")
            return out
        out.append(
            "<p>These rules were checked but apply only in other contexts of use. Run the review with the "
            "listed context(s) if the software will be used there.</p>"
        )
        out.append("<table><thead><tr><th>Rule</th><th>Would apply with context</th></tr></thead><tbody>")
        given = set(report.contexts)
        horizon_end = (date.fromisoformat(report.as_of) + timedelta(days=report.horizon_days)).isoformat()
        for r in rows:
            live = [
                (act["action"], sorted(set(act.get("contexts") or []) - given))
                for act in r.get("actions") or []
                if act["effective"] <= horizon_end and (act.get("until") is None or act["until"] >= report.as_of)
            ]
            ways = missing_conditions(live) or ", ".join(r.get("missing_contexts") or [])
            out.append(f"<tr><td><code>{e(r['rule_id'])}</code> {e(r.get('title'))}</td><td>{e(ways)}</td></tr>")
        out.append("</tbody></table>")
        return out

    def _rules(self, report: Report) -> list[str]:
        out = ['<h2 id="rules">Rules checked</h2>']
        if not report.rules_evaluated:
            out.append("<p>No rule was selected.</p>")
            return out
        for r in report.rules_evaluated:
            v = r.get("verification") or {}
            status = r.get("status_if_present") or "not-in-force"
            sources = "".join(
                f"<li>{a(s.get('url'), s.get('title') or s.get('url'))} <span class=\"small muted\">({e(s.get('kind'))} source)</span></li>"
                for s in ranked_sources(r)
            )
            actions = "".join(
                f"<li>From {e(act.get('effective'))}"
                + (f" until {e(act.get('until'))}" if act.get("until") else "")
                + f": {e(act.get('description'))}"
                + (f" <span class=\"small muted\">(contexts: {e(', '.join(act.get('contexts') or []))})</span>"
                   if act.get("contexts") else "")
                + "</li>"
                for act in r.get("actions") or []
            )
            out += [
                f'<section class="rule" id="rule-{e(r["rule_id"])}">',
                f"<h3>{e(r.get('title'))} <span class=\"small muted\"><code>{e(r['rule_id'])}</code> · {e(r['jurisdiction'])}</span></h3>",
                f"<p>{_badge(_status_kind(status), STATUS_WORDS.get(status, status))} {e(RULE_STATUS_TEXT.get(status, ''))}</p>",
                _fact_warning(v.get("status")),
                f"<p>{e(r.get('summary'))}</p>",
                f"<p><strong>Authority:</strong> {e(r.get('authority'))}</p>",
                f"<p><strong>Instrument:</strong> {e(r.get('instrument'))}</p>" if r.get("instrument") else "",
                f"<p><strong>Citation:</strong> {e(r.get('citation'))} · <strong>Binding:</strong> {e(r.get('binding'))}</p>",
                f"<p><strong>Dates:</strong></p><ul>{actions}</ul>" if actions else "",
                f"<p><strong>Not covered:</strong> {e(r.get('exclusions'))}</p>" if r.get("exclusions") else "",
                (
                    "<p><strong>Named but not identifiable by complycheck:</strong> "
                    + "; ".join(f"{e(u['name'])} ({e(u['reason'])})" for u in r["unidentifiable"]) + "</p>"
                ) if r.get("unidentifiable") else "",
                f"<p><strong>Sources</strong> (primary first):</p><ul>{sources}</ul>" if sources else "",
                f"<p><strong>Verification:</strong> {e(v.get('status'))}, last verified {e(v.get('last_verified'))}."
                + (f" {e(v.get('notes'))}" if v.get("notes") else "") + "</p>",
                "</section>",
            ]
        return [p for p in out if p]

    def _coverage(self, report: Report) -> list[str]:
        out = [
            '<h2 id="coverage">SBOM coverage</h2>',
            "<p>A component can only be tied to a vendor when the SBOM says who made it (supplier, publisher, "
            "package namespace, CPE...). Components without vendor identity were matched on product names only.</p>",
            "<table><thead><tr><th>Input</th><th>Format</th><th>Components</th><th>With vendor identity</th>"
            "<th>Matched a listed vendor</th></tr></thead><tbody>",
        ]
        for i in report.inputs:
            if i.error and not i.was_read:
                out.append(
                    f"<tr><td>{e(relative_path(i.path))}</td><td colspan=\"4\">"
                    f"{_badge('fail', 'UNREADABLE')} {e(i.error)}</td></tr>"
                )
                continue
            if i.error:
                out.append(
                    f"<tr><td>{e(relative_path(i.path))}</td><td colspan=\"4\">"
                    f"{_badge('fail', 'NOT CHECKED')} {e(i.error)}</td></tr>"
                )
            pct = f" ({100 * i.components_with_vendor_identity / i.components:.0f}%)" if i.components else ""
            out.append(
                f"<tr><td>{e(relative_path(i.path))}</td><td>{e(i.format)}</td><td>{i.components}</td>"
                f"<td>{i.components_with_vendor_identity}{e(pct)}</td><td>{i.components_matched}</td></tr>"
            )
            if i.problems:
                items = "".join(f"<li>{e(p)}</li>" for p in i.problems)
                out.append(f'<tr><td></td><td colspan="4">{e(problem_count(i))}:<ul>{items}</ul></td></tr>')
        out.append("</tbody></table>")
        return out

    def _waivers(self, report: Report) -> list[str]:
        out = ['<h2 id="waivers">Waivers</h2>']
        groups = [
            ("applied", "Applied", "These documented exceptions stopped findings from failing the review."),
            ("lapsed", "Lapsed", "Expired before the review date: they no longer waive anything, and their findings count again."),
            ("unused", "Unused", "Matched no finding in this review; consider removing them."),
        ]
        if not any(report.waivers.get(k) for k, _t, _d in groups):
            out.append("<p>No waivers were used.</p>")
            return out
        for key, title, desc in groups:
            items = report.waivers.get(key) or []
            if not items:
                continue
            out.append(f"<h3>{e(title)} ({len(items)})</h3><p class=\"small muted\">{e(desc)}</p>")
            out.append(
                "<table><thead><tr><th>Waiver</th><th>Rule</th><th>Component</th><th>Reason</th><th>Approver</th>"
                "<th>Expires</th><th>Findings</th></tr></thead><tbody>"
            )
            for w in items:
                hits = w.get("findings", w.get("findings_now_unwaived", 0))
                sel = w.get("selector") or {}
                sel_text = "; ".join(f"{k}: {v}" for k, v in sel.items())
                out.append(
                    f"<tr><td>{e(w.get('id'))}</td><td><code>{e(w.get('rule'))}</code></td><td>{e(sel_text)}</td>"
                    f"<td>{e(w.get('reason'))}</td><td>{e(w.get('approver') or '')}</td>"
                    f"<td>{e(w.get('expires') or 'never')}</td><td>{e(hits)}</td></tr>"
                )
            out.append("</tbody></table>")
        return out


def _fact_warning(verification: str | None, *, rule_id: str | None = None) -> str:
    """A marker a reviewer cannot miss when a rule's key facts are not confirmed by primary sources.

    With ``rule_id`` (a findings row) only the label and a link to the rule's full explanation.
    """
    text = FACT_WARNINGS.get(verification or "")
    if text is None:
        return ""
    label = "UNVERIFIED FACTS" if verification == "unverified" else "SECONDARY SOURCES"
    body = f'<a href="#rule-{e(rule_id)}">why this matters</a>' if rule_id is not None else e(text)
    return f'<div class="facts {e(verification)}"><strong>⚠ {e(label)}</strong> {body}</div>'


def _status_kind(status: str) -> str:
    return {"violation": "fail", "unconfirmed": "warn", "advisory": "warn", "upcoming": "warn", "out-of-scope": "info"}.get(status, "pass")
