"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

``ruleId`` is ``<JURISDICTION>/<rule-id>`` and ``helpUri`` the rule's primary legal source, as
cbomctl does; waived findings stay in the log with an external suppression so the audit trail
survives; ``partialFingerprints`` hash only the input path, rule and component identity so code
scanning tracks a finding across runs instead of opening a new alert each time. Out-of-scope
findings (info: a rule that would apply in another context) are left out unless the scan was run
with ``--show-out-of-scope``: each would be an alert about something that cannot fail the gate.
"""

from __future__ import annotations

from typing import Any, ClassVar

import orjson

from compliance.formats.common import (
    artifact_uri,
    component_identity,
    component_label,
    evidence_text,
    fingerprint,
    line_of,
    primary_source,
    rules_by_id,
    shown_findings,
)
from compliance.model import Finding, Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"fail": "error", "warn": "warning", "info": "note"}
EXIT_DESCRIPTIONS = {
    0: "No finding at or above the --fail-on severity",
    1: "Findings at or above the --fail-on severity",
    2: "An input could not be read",
}


# GitHub code scanning ranks alerts by ``properties.security-severity`` (a CVSS-like score: above 9.0
# critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low). complycheck's score says how hard the rule
# binds in this scan, from the rule's binding kind and its status for the scan's date and contexts:
# a ban or sanction in force is critical; a procurement, government-device or export ban in force is
# high; a rule coming into force within the look-ahead window or a binding rule matched only on weak
# evidence is medium; an advisory or vendor withdrawal is low, and so is a rule outside the scan's
# contexts or not in force. docs/reports.md has the table.
IN_FORCE_SEVERITY = {
    "ban": "9.5",
    "sanction": "9.5",
    "procurement-ban": "8.0",
    "gov-device-ban": "8.0",
    "export-control": "7.5",
    "advisory": "3.5",
    "vendor-withdrawal": "2.0",
}
STATUS_SEVERITY = {"upcoming": "5.0", "unconfirmed": "5.0", "out-of-scope": "1.0", "not-in-force": "0.5"}


def security_severity(binding: str | None, status: str | None) -> str:
    """``properties.security-severity`` of a rule with this binding kind and status (the table above)."""
    if status in ("violation", "advisory"):
        return IN_FORCE_SEVERITY.get(binding or "", "5.0")
    return STATUS_SEVERITY.get(status or "", "0.5")


def information_uri() -> str | None:
    """``driver.informationUri``: where to read about complycheck. Never made up: the URL the policy file
    gives (``information_uri``, set on ``SarifFormat``), else the home page the installed package declares
    (``project.urls``), else none (the property is left out)."""
    if SarifFormat.information_uri:
        return SarifFormat.information_uri
    from importlib import metadata

    try:
        urls = metadata.metadata("complycheck").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    by_label = {label.strip().casefold(): url.strip() for label, _, url in (u.partition(",") for u in urls)}
    for label in ("homepage", "documentation", "source", "repository"):
        url = by_label.get(label, "")
        if url.startswith(("https://", "http://")):
            return url
    return None


def sarif_rule_id(jurisdiction: str, rule_id: str) -> str:
    return f"{jurisdiction}/{rule_id}"


def _help_markdown(rule: dict[str, Any]) -> str:
    """The rule's help as GitHub shows it beside an alert: what it bars, the citation, what it rests on
    (primary text named), every source with its kind, and its verification. Rule text is escaped."""
    from compliance.formats.common import FACT_WARNINGS, fact_flag, ranked_sources, source_line
    from compliance.formats.markdown import link, md

    verification = rule.get("verification") or {}
    lines = [
        f"**{md(rule.get('title') or rule['rule_id'])}** ({md(rule['jurisdiction'])}, binding: {md(rule.get('binding'))})",
        "",
        md(rule.get("summary") or ""),
        "",
        f"- **Citation:** {md(rule.get('citation', ''))}",
        f"- **Authority:** {md(rule.get('authority') or '')}",
        f"- **Rests on:** {md(source_line(rule))}",
    ]
    if rule.get("exclusions"):
        lines.append(f"- **Not covered:** {md(rule['exclusions'])}")
    if rule.get("unidentifiable"):  # the rule's stated coverage limit
        lines.append(
            "- **Named but not identifiable by complycheck:** "
            + "; ".join(f"{md(u['name'])} ({md(u['reason'])})" for u in rule["unidentifiable"])
        )
    lines.append(
        f"- **Verification:** {md(verification.get('status'))}, last verified {md(verification.get('last_verified'))}"
        + (f". {md(verification['notes'])}" if verification.get("notes") else "")
    )
    flag = fact_flag(rule)
    if flag:
        lines.append(f"- ⚠️ {md(FACT_WARNINGS[flag])}")
    lines += ["", "**Sources**", ""]
    lines += [f"- {link(s.get('url'), s.get('title') or s.get('url') or '')} ({md(s.get('kind'))})" for s in ranked_sources(rule)]
    return "\n".join(lines).strip()


def _rule_descriptor(rule: dict[str, Any]) -> dict[str, Any]:
    verification = rule.get("verification") or {}
    sources = rule.get("sources") or []
    help_lines = [rule.get("summary") or rule.get("title") or "", "", f"Citation: {rule.get('citation', '')}"]
    for s in sources:
        help_lines.append(f"Source ({s.get('kind')}): {s.get('url')}")
    out: dict[str, Any] = {
        "id": sarif_rule_id(rule["jurisdiction"], rule["rule_id"]),
        "name": rule["rule_id"],
        "shortDescription": {"text": rule.get("title") or rule["rule_id"]},
        "fullDescription": {"text": rule.get("summary") or rule.get("title") or rule["rule_id"]},
        "help": {"text": "\n".join(help_lines).strip(), "markdown": _help_markdown(rule)},
        "defaultConfiguration": {"level": LEVELS.get(rule.get("severity_if_present") or "", "none")},
        "properties": {
            "tags": ["security", "compliance", "government-ban", rule["jurisdiction"]],
            "security-severity": security_severity(rule.get("binding"), rule.get("status_if_present")),
            "jurisdiction": rule["jurisdiction"],
            "authority": rule.get("authority"),
            "instrument": rule.get("instrument"),
            "citation": rule.get("citation"),
            "binding": rule.get("binding"),
            "contexts": list(rule.get("contexts") or []),
            "statusIfPresent": rule.get("status_if_present"),
            "effective": rule.get("effective"),
            "actions": [
                {"action": a.get("action"), "effective": a.get("effective"), "until": a.get("until"),
                 "contexts": a.get("contexts")}
                for a in rule.get("actions") or []
            ],
            "sources": [s.get("url") for s in sources],
            "verification": verification.get("status"),
            "lastVerified": verification.get("last_verified"),
            "unidentifiable": [dict(u) for u in rule.get("unidentifiable") or []],
        },
    }
    uri = primary_source(rule)
    if uri:
        out["helpUri"] = uri
    return out


def _fallback_rule(f: Finding) -> dict[str, Any]:
    """A descriptor built from the finding itself, for a rule missing from rules_evaluated."""
    return {
        "rule_id": f.rule_id,
        "jurisdiction": f.jurisdiction,
        "title": f.title,
        "summary": f.title,
        "citation": f.citation,
        "binding": f.binding,
        "effective": f.effective,
        "severity_if_present": f.severity,
        "status_if_present": f.status,
        "sources": [{"url": u, "kind": "source"} for u in f.sources],
        "verification": {"status": f.verification},
    }


def _result(f: Finding, index: int, evidence_dicts: dict[int, list[dict[str, Any]]] | None = None) -> dict[str, Any]:
    comp = f.component
    label = component_label(f)
    ident = comp.purl or comp.bom_ref
    text = f"{label}" + (f" ({ident})" if ident else "") + f": {f.message}"
    evidence = evidence_text(f)
    if evidence:
        text += f" Evidence: {evidence}."
    text += f" Citation: {f.citation}."
    if f.verification != "verified":
        text += f" Rule verification: {f.verification}."
    region = {"startLine": line_of(f) or 1}
    location: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": {"uri": artifact_uri(f.input_path)}, "region": region},
        "logicalLocations": [{"fullyQualifiedName": comp.bom_ref or comp.purl or comp.location or comp.name}],
    }
    out: dict[str, Any] = {
        "ruleId": sarif_rule_id(f.jurisdiction, f.rule_id),
        "ruleIndex": index,
        "level": LEVELS[f.severity],
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {"complycheck/v1": fingerprint(f.input_path, f)},
        "properties": {
            "status": f.status,
            "severity": f.severity,
            "effective": f.effective,
            "binding": f.binding,
            "component": comp.name,
            "version": comp.version or None,
            "purl": comp.purl or None,
            "bom-ref": comp.bom_ref or None,
            "componentIdentity": component_identity(f),
            "vendor": f.vendor,
            "product": f.product,
            "evidence": _evidence(f, evidence_dicts if evidence_dicts is not None else {}),
            "citation": f.citation,
            "verification": f.verification,
        },
    }
    if f.integrated_into:
        out["properties"]["integratedInto"] = dict(f.integrated_into)
    if f.waiver is not None:
        w = f.waiver
        out["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": str(w.get("reason") or ""),
                "properties": {k: w.get(k) for k in ("id", "approver", "expires", "file") if w.get(k) is not None},
            }
        ]
    return out


def _evidence(f: Finding, rendered: dict[int, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Evidence as dicts, rendered once per evidence tuple: matches of repeated rows share theirs."""
    key = id(f.evidence)
    out = rendered.get(key)
    if out is None:
        out = rendered[key] = [e.to_dict() for e in f.evidence]
    return out


class SarifFormat:
    name: ClassVar[str] = "sarif"
    label: ClassVar[str] = "SARIF 2.1.0 (GitHub code scanning)"
    extension: ClassVar[str] = ".sarif"

    # driver.informationUri from the policy file (``information_uri``); see ``information_uri()``.
    information_uri: ClassVar[str | None] = None

    def render(self, report: Report) -> str:
        return self.render_bytes(report).decode("utf-8")

    def render_bytes(self, report: Report) -> bytes:
        from compliance.readers.base import paused_gc

        # Millions of small dicts, none of them cyclic: with the collector on, each collection rescans
        # the growing document and rendering grows faster than the number of findings.
        with paused_gc():
            return orjson.dumps(self.document(report), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)

    def document(self, report: Report) -> dict[str, Any]:
        known = rules_by_id(report)
        descriptors: list[dict[str, Any]] = []
        index: dict[str, int] = {}
        for rule in report.rules_evaluated:
            index[rule["rule_id"]] = len(descriptors)
            descriptors.append(_rule_descriptor(rule))
        results = []
        evidence_dicts: dict[int, list[dict[str, Any]]] = {}
        for f in shown_findings(report):
            if f.rule_id not in index:
                index[f.rule_id] = len(descriptors)
                descriptors.append(_rule_descriptor(known.get(f.rule_id) or _fallback_rule(f)))
            results.append(_result(f, index[f.rule_id], evidence_dicts))
        notifications = [
            {
                "level": "error",
                "message": {"text": inp.error},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(inp.path)}}}],
            }
            for inp in report.inputs
            if inp.error
        ]
        # What a reader read past (an off-spec field that hides no vendor identity): a warning each.
        notifications.extend(
            {
                "level": "warning",
                "message": {"text": f"{inp.path}: {problem}"},
                "descriptor": {"id": "input-problem"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(inp.path)}}}],
            }
            for inp in report.inputs
            for problem in inp.problems
        )
        # A stated coverage limit of each applied rule: what it names but complycheck cannot identify.
        notifications.extend(
            {
                "level": "note",
                "message": {"text": f"{c['rule_id']}: {c['message']}"},
                "descriptor": {"id": "coverage-limit"},
                "associatedRule": {"id": sarif_rule_id(c["jurisdiction"], c["rule_id"]), "index": index[c["rule_id"]]},
            }
            for c in report.coverage_limits
            if c["rule_id"] in index
        )
        invocation: dict[str, Any] = {
            "executionSuccessful": not report.has_errors,
            "exitCode": report.exit_code,
            "exitCodeDescription": EXIT_DESCRIPTIONS.get(report.exit_code, ""),
        }
        if notifications:
            invocation["toolExecutionNotifications"] = notifications
        summary = report.summary()
        driver: dict[str, Any] = {"name": "complycheck", "version": report.tool_version}
        uri = information_uri()
        if uri:
            driver["informationUri"] = uri
        driver["rules"] = descriptors
        driver["properties"] = {"rulepack": dict(report.rulepack)}
        return {
            "$schema": SCHEMA_URI,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {"driver": driver},
                    "invocations": [invocation],
                    "artifacts": [
                        {"location": {"uri": artifact_uri(inp.path)}} for inp in report.inputs
                    ],
                    "results": results,
                    "properties": {
                        "asOf": report.as_of,
                        "jurisdictions": list(report.jurisdictions),
                        "contexts": list(report.contexts),
                        "failOn": report.fail_on,
                        "verdict": report.verdict,
                        "rulePacks": [dict(pk) for pk in report.rulepack.get("packs") or []],
                        "policyFile": dict(report.policy) if report.policy else None,
                        "summary": summary,
                        # The fleet overview: each input's verdict, failures first, and the failing rules.
                        "inputs": [
                            {"uri": artifact_uri(v.input.path), **v.to_dict()} for v in report.overview()
                        ],
                        "failingRules": report.fleet_summary()["rules"],
                        "coverageLimits": [
                            {**c, "unidentifiable": [dict(u) for u in c["unidentifiable"]]} for c in report.coverage_limits
                        ],
                    },
                }
            ],
        }
