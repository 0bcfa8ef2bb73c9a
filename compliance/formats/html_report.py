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
from functools import lru_cache
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
    failing_ids,
    findings_by_rule,
    flagged_text,
    input_label,
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
    shared_integration,
    source_line,
    subject_text,
    verdict_word,
)
from compliance.model import Finding, InputVerdict, Report
from compliance.untrusted import for_terminal_text

_SAFE_URL = re.compile(r"^https?://[^\s<>\"']+$")


def e(value: Any) -> str:
    """Escape for text and quoted attributes; control and bidi characters are shown, not obeyed."""
    return _escaped("" if value is None else str(value))


@lru_cache(maxsize=8192)
def _escaped(text: str) -> str:
    # Memoised: a findings-heavy review repeats the same rule, status and component texts thousands of times.
    return html.escape(for_terminal_text(text), quote=True)


def a(url: str | None, label: str | None = None, cls: str | None = None) -> str:
    if url and _SAFE_URL.match(url):
        klass = f' class="{e(cls)}"' if cls else ""
        return f'<a href="{e(url)}"{klass} rel="noopener noreferrer">{e(label or url)}</a>'
    return e(label or url or "")


CSS = """
:root { --ink:#1b1f24; --muted:#57606a; --line:#d0d7de; --bg:#f6f8fa; --fail:#b42318; --warn:#9a6700;
        --pass:#1a7f37; --info:#0969da; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 20px; margin: 28px 0 8px; border-bottom: 1px solid var(--line);
     padding-bottom: 4px; } h3 { font-size: 16px; margin: 16px 0 6px; } h4 { font-size: 15px; margin: 0 0 4px; }
p { margin: 6px 0; }
.muted { color: var(--muted); } .small { font-size: 13px; }
.verdict { border-radius: 8px; padding: 12px 20px; margin: 12px 0; color: #fff; }
.verdict strong { font-size: 22px; display: block; }
.v-pass { background: var(--pass); } .v-fail { background: var(--fail); } .v-error { background: var(--warn); }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
td { overflow-wrap: anywhere; }
dl.scope { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.scope dt { font-weight: 600; } dl.scope dd { margin: 0; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600;
         border: 1px solid currentColor; white-space: nowrap; }
.s-fail { color: var(--fail); } .s-warn { color: var(--warn); } .s-info { color: var(--info); }
.s-pass { color: var(--pass); } .s-waived, .s-error { color: var(--muted); }
ul { margin: 2px 0; padding-left: 18px; }
ul.rules { list-style: none; padding: 0; } ul.rules > li { margin: 0 0 6px; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--bg); padding: 0 3px;
       overflow-wrap: anywhere; }
code.digest { font-size: 12px; }
table.flagged td:nth-child(1) { width: 40%; } table.overview code { white-space: nowrap; }
table.rest td:nth-child(1) { width: 50%; } table.rest td:nth-child(2) { width: 22%; }
.rule { border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; margin: 10px 0; break-inside: avoid; }
.rule dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 6px 0 0; font-size: 13px; }
.rule dt { font-weight: 600; } .rule dd { margin: 0; }
.facts { border-left: 4px solid var(--warn); background: #fff8c5; padding: 2px 8px; margin: 4px 0; font-size: 13px; }
.facts.unverified { border-left-color: var(--fail); background: #ffebe9; }
.decision { border: 2px solid var(--ink); border-radius: 8px; padding: 10px 20px; margin: 12px 0; break-inside: avoid; }
.decision .choice { font-size: 17px; margin: 4px 0; }
.decision .box { display: inline-block; width: 16px; height: 16px; border: 2px solid var(--ink); margin-right: 8px;
                 vertical-align: -2px; }
.decision dl { display: grid; grid-template-columns: max-content 1fr; gap: 16px 16px; margin: 14px 0 4px; }
.decision dt { font-weight: 600; } .decision dd { margin: 0; border-bottom: 1px solid var(--ink); min-height: 24px; }
.decision dd.tall { min-height: 56px; }
footer { margin-top: 28px; border-top: 1px solid var(--line); padding-top: 6px; }
@page { margin: 10mm 10mm 11mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 9pt; line-height: 1.35; }
  h1 { font-size: 16pt; } h2 { font-size: 12.5pt; margin-top: 12pt; } h3 { font-size: 10.5pt; } h4 { font-size: 9.5pt; }
  .small, .rule dl, .facts { font-size: 8pt; } code { font-size: 8pt; } code.digest { font-size: 7pt; }
  th, td { padding: 3px 5px; }
  .verdict, .badge, .facts { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .verdict strong { font-size: 15pt; }
  a { color: inherit; text-decoration: none; }
  .rule a.primary[href^="http"]::after { content: " <" attr(href) ">"; font-size: 7pt; color: var(--muted); overflow-wrap: anywhere; }
  table.rest { font-size: 7.5pt; } table.rest td { padding: 2px 4px; }
  ul.sources li.secondary { display: inline; } ul.sources li.secondary::after { content: " ·"; }
  h2, h3, h4 { break-after: avoid; } tr, .decision { break-inside: avoid; }
  .decision .choice { display: inline-block; margin: 2px 28px 2px 0; font-size: 11pt; }
  .decision dl { gap: 14px 16px; margin-top: 10px; } .decision dd.tall { min-height: 40px; }
  .rule, table.flagged tr { break-inside: auto; } .rule dd, .rule li, ul.rules > li { break-inside: avoid; }
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


VERDICT_KINDS = {"fail": "fail", "pass": "pass", "error": "error"}


class HtmlFormat:
    name: ClassVar[str] = "html"
    label: ClassVar[str] = "HTML procurement review (self-contained, printable)"
    extension: ClassVar[str] = ".html"

    def render(self, report: Report) -> str:
        rules = rules_by_id(report)
        verdicts = report.overview()
        anchors = {v.input.path: f"input-{n}" for n, v in enumerate(report.input_verdicts(), 1)}
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
        parts += self._overview(report, verdicts, anchors)
        parts += self._under_review(report)
        parts += self._scope(report)
        parts += self._details(report, rules, verdicts, anchors)
        parts += self._limits(report)
        parts += self._upcoming(report)
        parts += self._coverage(report)
        parts += self._waivers(report)
        parts += self._decision(report)
        parts += self._rules(report, rules)
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

    def _overview(self, report: Report, verdicts: list[InputVerdict], anchors: dict[str, str]) -> list[str]:
        """One row per input, failures first, each linking to its details; then the failing rules' counts."""
        n = len(verdicts)
        out = [
            '<h2 id="overview">Overview</h2>',
            f'<p class="small muted">{n} input{"s" if n != 1 else ""}, failures first. Vendor identity: how many '
            "components say who made them (a low share makes a PASS weak).</p>",
            '<table class="overview"><thead><tr><th>Input</th><th>Verdict</th><th>Failing rules</th><th>Flagged components</th>'
            "<th>Vendor identity</th></tr></thead><tbody>",
        ]
        for v in verdicts:
            kind, word = VERDICT_KINDS[v.verdict], verdict_word(v)
            if v.verdict == "pass" and v.summary["warn"]:
                word += f" ({v.summary['warn']} warning{'s' if v.summary['warn'] != 1 else ''})"
            rules = ", ".join(f'<a href="#rule-{e(r)}"><code>{e(r)}</code></a>' for r in v.failing_rules) or "—"
            flagged = e(flagged_text(v.flagged, limit=6)) if v.flagged else "—"
            out.append(
                f'<tr><td><a href="#{anchors[v.input.path]}">{e(input_label(v.input))}</a></td>'
                f"<td>{_badge(kind, word)}</td><td>{rules}</td><td>{flagged}</td><td>{e(coverage_text(v.input))}</td></tr>"
            )
        out.append("</tbody></table>")
        fleet = report.fleet_summary()
        if n > 1 and fleet["rules"]:
            titles = {r["rule_id"]: r.get("title") for r in report.rules_evaluated}
            out.append("<h3>Failing rules</h3>")
            out.append("<table><thead><tr><th>Rule</th><th>Inputs</th><th>Components</th></tr></thead><tbody>")
            out += [
                f'<tr><td><a href="#rule-{e(r["rule_id"])}"><code>{e(r["rule_id"])}</code></a> '
                f"{e(titles.get(r['rule_id']) or '')}</td><td>{r['inputs']} of {n}</td><td>{r['components']}</td></tr>"
                for r in fleet["rules"]
            ]
            out.append("</tbody></table>")
        return out

    def _under_review(self, report: Report) -> list[str]:
        """Exactly what was judged: each document's product, serial number and digest, the packs and command.

        Columns no input fills (product, supplier, serial number) are left out rather than filled with
        "not stated" once per input.
        """
        subjects = [subject_text(i.subject) for i in report.inputs]
        cols = [
            ("Product (version)", any(p for p, _s in subjects)),
            ("Supplier", any(s for _p, s in subjects)),
            ("Serial number", any(i.serial_number for i in report.inputs)),
        ]
        out = [
            '<h2 id="under-review">What is under review</h2>',
            '<p class="small">The decision below applies to these files only: a file whose SHA-256 differs is a '
            "different file.</p>",
            "<table><thead><tr><th>Input</th>" + "".join(f"<th>{e(c)}</th>" for c, shown in cols if shown)
            + "<th>SHA-256</th></tr></thead><tbody>",
        ]
        for i, (product, supplier) in zip(report.inputs, subjects, strict=True):
            if i.error and not i.was_read:
                product = "unreadable: not reviewed"
            cells = [product, supplier, i.serial_number or ""]
            digest = f'<code class="digest">{e(i.sha256)}</code>' if i.sha256 else "not read"
            out.append(
                f"<tr><td>{e(relative_path(i.path))}</td>"
                + "".join(f"<td>{e(cell) or '—'}</td>" for cell, (_c, shown) in zip(cells, cols, strict=True) if shown)
                + f"<td>{digest}</td></tr>"
            )
        out.append("</tbody></table>")
        command = command_line(report)
        rows = [
            ("Rule packs", "; ".join(pack_basis(report))),
            ("Policy file", policy_basis(report)),
            *(("Warning", w) for w in report.rulepack.get("warnings") or []),
            ("Tool", f"complycheck {report.tool_version}"),
        ]
        out.append('<dl class="scope small">')
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

    def _details(
        self, report: Report, rules: dict[str, dict[str, Any]], verdicts: list[InputVerdict], anchors: dict[str, str]
    ) -> list[str]:
        """Per input (in overview order): its flagged components, one row each with all their rules; then
        the findings for information only, one row per rule."""
        fleet = len(report.inputs) > 1
        out = ['<h2 id="flagged">' + ("Details per input" if fleet else "Flagged components") + "</h2>"]
        by_input: dict[str, list[Finding]] = {}
        for f in report.findings:
            by_input.setdefault(f.input_path, []).append(f)
        failing = failing_ids(report)
        for v in verdicts:
            inp = v.input
            items = by_input.get(inp.path, [])
            if fleet:
                kind, word = VERDICT_KINDS[v.verdict], verdict_word(v)
                out.append(
                    f'<h3 id="{anchors[inp.path]}">{e(input_label(inp))} {_badge(kind, word)}</h3>'
                    + (f'<p class="small muted">{e(relative_path(inp.path))}</p>' if (inp.subject or {}).get("name") else "")
                )
            else:
                out.append(f'<div id="{anchors[inp.path]}"></div>')
            if inp.error:
                out.append(f"<p>{_badge('fail', verdict_word(v))} {e(inp.error)}</p>")
                if not inp.was_read:
                    continue
            main = [f for f in items if f.severity != "info" or f.waived]
            info = [f for f in items if f.severity == "info" and not f.waived]
            if not items:
                out.append("<p>No component is covered by any rule of the selected jurisdictions.</p>")
            elif main:
                groups = component_groups(main)
                shared = shared_integration(groups)
                if shared:
                    out.append(f'<p class="small"><strong>Integrated:</strong> {e(shared)}.</p>')
                out.append(
                    '<table class="flagged"><thead><tr><th>Component, and why it is the vendor\'s</th>'
                    "<th>Rules that cover it</th></tr></thead><tbody>"
                )
                out += [self._group_row(g, failing, rules, bool(shared)) for g in groups]
                out.append("</tbody></table>")
            else:
                out.append("<p>No finding fails or warns.</p>")
            if info:
                out += self._for_information(info, fleet)
        return out

    def _group_row(
        self, group: ComponentGroup, failing: set[int], rules: dict[str, dict[str, Any]], integration_said: bool = False
    ) -> str:
        f = group.first
        c = f.component
        head = group.head
        gate = any(id(x) in failing for x in group.findings)
        result = _badge(head.lower(), head + (" (gate)" if gate else ""))
        ident = "".join(
            f'<div class="small">{e(k)}: <code>{e(v)}</code></div>' for k, v in (("purl", c.purl), ("bom-ref", c.bom_ref)) if v
        )
        where = f'<div class="small muted">{e(relative_path(f.input_path))} {e(c.location)}</div>'
        why = "".join(f'<div class="small">{e(w)}</div>' for w in group.identities)
        if f.integrated_into and not integration_said:
            why += f'<div class="small"><strong>Integrated:</strong> {e(integration_text(f))}</div>'
        evidence = '<ul class="small">' + "".join(
            f"<li>{e(ev.field)} = <code>{e(ev.value)}</code> matched <code>{e(ev.matched)}</code> "
            f"({e(evidence_basis(ev))})</li>"
            for ev in group.evidence
        ) + "</ul>"
        component = f"{result} <strong>{e(component_label(f))}</strong>{ident}{where}{why}{evidence}"
        items = "".join(self._rule_item(x, id(x) in failing, rules.get(x.rule_id)) for x in group.findings)
        return f'<tr><td>{component}</td><td><ul class="rules">{items}</ul></td></tr>'

    def _rule_item(self, f: Finding, failing: bool, rule: dict[str, Any] | None) -> str:
        badge = _badge("waived", "WAIVED") if f.waived else _badge(f.severity, SEVERITY_WORD[f.severity] + (" (gate)" if failing else ""))
        src = primary_source(rule, f)
        text = (
            f'<li>{badge} <a href="#rule-{e(f.rule_id)}"><code>{e(f.rule_id)}</code></a> {e(f.title)}'
            f'<div class="small">{e(STATUS_WORDS.get(f.status, f.status))}: {e(f.reason or f.message)} '
            f'<span class="muted">{e(f.citation)}</span>' + (f" · {a(src, 'source')}" if src else "") + "</div>"
            + _fact_warning(fact_flag(rule, f.verification if rule is None else None), rule_id=f.rule_id)
        )
        if f.waiver is not None:
            w = f.waiver
            text += (
                f'<div class="small"><strong>Waiver {e(w.get("id"))}:</strong> {e(w.get("reason"))}; approver '
                f'{e(w.get("approver") or "not given")}; expires {e(w.get("expires") or "never")}</div>'
            )
        return text + "</li>"

    def _for_information(self, info: list[Finding], fleet: bool) -> list[str]:
        """Findings under rules outside this review's contexts: one row per rule with its components."""
        by_rule = findings_by_rule(info)
        if fleet:  # one paragraph per input: the appendix says which contexts would make each rule apply
            items = "; ".join(
                f'<a href="#rule-{e(rule_id)}"><code>{e(rule_id)}</code></a> '
                f"({e(flagged_text([(n, '') for n in dict.fromkeys(component_label(x) for x in group)], limit=2))})"
                for rule_id, group in by_rule.items()
            )
            return [f'<p class="small"><strong>For information</strong>, rules outside this scope also cover: {items}.</p>']
        out = [
            f'<{"h4" if fleet else "h3"} id="for-information">For information: covered components under rules '
            f'outside this scope</{"h4" if fleet else "h3"}>',
            "<table><thead><tr><th>Rule</th><th>Components</th><th>Would apply with context</th></tr></thead><tbody>",
        ]
        for rule_id, group in by_rule.items():
            f = group[0]
            ways = missing_conditions((act.action, act.missing_contexts) for act in f.actions if act.status == "out-of-scope")
            names = list(dict.fromkeys(component_label(x) for x in group))
            out.append(
                f'<tr><td><a href="#rule-{e(rule_id)}"><code>{e(rule_id)}</code></a> {e(f.title)}</td>'
                f"<td>{e(flagged_text([(n, '') for n in names], limit=4))}</td>"
                f"<td>{e(ways or STATUS_WORDS.get(f.status, f.status))}</td></tr>"
            )
        out.append("</tbody></table>")
        return out

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

    def _rules(self, report: Report, rules: dict[str, dict[str, Any]]) -> list[str]:
        """The appendix: every rule that flagged a component in full; the others in one compact table."""
        out = ['<h2 id="rules">Appendix: rules checked</h2>']
        if not report.rules_evaluated:
            out.append("<p>No rule was selected.</p>")
            return out
        flagged = {f.rule_id for f in report.findings if f.severity != "info" or f.waived}
        full = [r for r in report.rules_evaluated if r["rule_id"] in flagged]
        rest = [r for r in report.rules_evaluated if r["rule_id"] not in flagged]
        out.append(
            f'<p class="small">{len(report.rules_evaluated)} rules checked: the {len(full)} that flagged a component '
            f"are explained in full, the other {len(rest)} are listed below them.</p>"
        )
        for r in full:
            out += self._rule_section(r)
        if rest:
            out += self._rest_table(report, rest)
        return [p for p in out if p]

    def _rule_section(self, r: dict[str, Any]) -> list[str]:
        v = r.get("verification") or {}
        status = r.get("status_if_present") or "not-in-force"
        sources = "".join(
            f'<li class="{e(s.get("kind"))}">{a(s.get("url"), s.get("title") or s.get("url"), cls=s.get("kind"))} '
            f'<span class="muted">({e(s.get("kind"))} source)</span></li>'
            for s in ranked_sources(r)
        )
        actions = "".join(
            f"<li>From {e(act.get('effective'))}"
            + (f" until {e(act.get('until'))}" if act.get("until") else "")
            + f": {e(act.get('description'))}"
            + (f" <span class=\"muted\">(contexts: {e(', '.join(act.get('contexts') or []))})</span>"
               if act.get("contexts") else "")
            + "</li>"
            for act in r.get("actions") or []
        )
        rows = [
            ("Authority", e(r.get("authority"))),
            ("Instrument", e(r.get("instrument")) if r.get("instrument") else ""),
            ("Citation", f"{e(r.get('citation'))} · binding: {e(r.get('binding'))}"),
            ("Rests on", e(source_line(r))),
            ("Dates", f"<ul>{actions}</ul>" if actions else ""),
            ("Not covered", e(r.get("exclusions")) if r.get("exclusions") else ""),
            (
                "Named but not identifiable by complycheck",
                "; ".join(f"{e(u['name'])} ({e(u['reason'])})" for u in r.get("unidentifiable") or []),
            ),
            ("Sources", f'<ul class="sources">{sources}</ul>' if sources else ""),
            (
                "Verification",
                f"{e(v.get('status'))}, last verified {e(v.get('last_verified'))}."
                + (f" {e(v.get('notes'))}" if v.get("notes") else ""),
            ),
        ]
        return [
            f'<section class="rule" id="rule-{e(r["rule_id"])}">',
            f"<h4>{e(r.get('title'))} <span class=\"small muted\"><code>{e(r['rule_id'])}</code> · {e(r['jurisdiction'])}</span></h4>",
            f"<p class=\"small\">{_badge(_status_kind(status), STATUS_WORDS.get(status, status))} {e(RULE_STATUS_TEXT.get(status, ''))}</p>",
            _fact_warning(fact_flag(r)),
            f"<p>{e(r.get('summary'))}</p>",
            "<dl>" + "".join(f"<dt>{e(k)}</dt><dd>{val}</dd>" for k, val in rows if val) + "</dl>",
            "</section>",
        ]

    def _rest_table(self, report: Report, rest: list[dict[str, Any]]) -> list[str]:
        """Rules that flagged nothing here: status for this review (and the contexts that would make an
        out-of-scope rule apply), citation, what they rest on, verification. One row each."""
        given = set(report.contexts)
        horizon_end = (date.fromisoformat(report.as_of) + timedelta(days=report.horizon_days)).isoformat()
        out = [
            '<h3 id="other-rules">Other rules checked</h3>',
            '<p class="small muted">They flagged no component of this review: outside its contexts (with the '
            "contexts that would make them apply), not in force, or covering nothing listed.</p>",
            '<table class="small rest"><thead><tr><th>Rule</th><th>For this review</th><th>Citation · verification</th>'
            "</tr></thead><tbody>",
        ]
        for r in rest:
            status = r.get("status_if_present") or "not-in-force"
            here = STATUS_WORDS.get(status, status)
            if status == "out-of-scope":
                live = [
                    (act["action"], sorted(set(act.get("contexts") or []) - given))
                    for act in r.get("actions") or []
                    if act["effective"] <= horizon_end and (act.get("until") is None or act["until"] >= report.as_of)
                ]
                ways = missing_conditions(live) or ", ".join(r.get("missing_contexts") or [])
                here = f"would apply with {ways}" if ways else here
            v = r.get("verification") or {}
            src = primary_source(r)
            out.append(
                f'<tr id="rule-{e(r["rule_id"])}"><td><code>{e(r["rule_id"])}</code> {e(r.get("title"))}</td>'
                f"<td>{e(here)}</td><td>{a(src, r.get('citation')) if src else e(r.get('citation'))} · {e(v.get('status'))}"
                + (f" <strong>⚠ {e(FLAG_WORDS[flag])}</strong>" if (flag := fact_flag(r)) else "") + "</td></tr>"
            )
        out.append("</tbody></table>")
        return out

    def _coverage(self, report: Report) -> list[str]:
        out = [
            '<h2 id="coverage">SBOM coverage</h2>',
            '<p class="small">A component can only be tied to a vendor when the SBOM says who made it (supplier, '
            "publisher, package namespace, CPE...). Components without vendor identity were matched on product "
            "names only.</p>",
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
            unflagged = ""
            if i.matched_without_findings:
                names = ", ".join(
                    f"{u['name']} {u.get('version') or ''}".strip() + f" ({u['vendor']})" for u in i.unflagged
                )
                more = i.matched_without_findings - len(i.unflagged)
                unflagged = (
                    f'<div class="small muted">{i.matched_without_findings} without a finding: {e(names)}'
                    + (f" and {more} more" if more > 0 else "") + "</div>"
                )
            out.append(
                f"<tr><td>{e(relative_path(i.path))}</td><td>{e(i.format)}</td><td>{i.components}</td>"
                f"<td>{i.components_with_vendor_identity}{e(pct)}</td><td>{i.components_matched}{unflagged}</td></tr>"
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
        legend = "; ".join(
            f"<strong>{e(title)} ({len(report.waivers.get(key) or [])})</strong>: {e(desc)}"
            for key, title, desc in groups
            if report.waivers.get(key)
        )
        out.append(f'<p class="small">{legend}</p>')
        out.append(
            '<table class="small"><thead><tr><th>Waiver</th><th>Applies to</th><th>Reason</th><th>Expires</th>'
            "<th>Findings</th></tr></thead><tbody>"
        )
        for key, title, _desc in groups:
            for w in report.waivers.get(key) or []:
                hits = w.get("findings", w.get("findings_now_unwaived", 0))
                sel = w.get("selector") or {}
                sel_text = "; ".join(f"{k}: {v}" for k, v in sel.items())
                approver = f' <span class="muted">(approver {e(w.get("approver"))})</span>' if w.get("approver") else ""
                out.append(
                    f"<tr><td><strong>{e(title)}</strong> {e(w.get('id'))}</td>"
                    f"<td><code>{e(w.get('rule'))}</code> {e(sel_text)}</td><td>{e(w.get('reason'))}{approver}</td>"
                    f"<td>{e(w.get('expires') or 'never')}</td><td>{e(hits)}</td></tr>"
                )
        out.append("</tbody></table>")
        return out


FLAG_WORDS = {"secondary": "no primary source", "unverified": "unverified facts"}


def _fact_warning(flag: str | None, *, rule_id: str | None = None) -> str:
    """A marker a reviewer cannot miss when a rule rests on no primary text (``secondary``) or on
    unverified facts (``common.fact_flag``).

    With ``rule_id`` (a findings row) only the label and a link to the rule's explanation.
    """
    text = FACT_WARNINGS.get(flag or "")
    if text is None:
        return ""
    label = "UNVERIFIED FACTS" if flag == "unverified" else "SECONDARY SOURCES"
    body = f'<a href="#rule-{e(rule_id)}">why this matters</a>' if rule_id is not None else e(text)
    return f'<div class="facts {e(flag)}"><strong>⚠ {e(label)}</strong> {body}</div>'


def _status_kind(status: str) -> str:
    return {"violation": "fail", "unconfirmed": "warn", "advisory": "warn", "upcoming": "warn", "out-of-scope": "info"}.get(status, "pass")
