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


def sarif_rule_id(jurisdiction: str, rule_id: str) -> str:
    return f"{jurisdiction}/{rule_id}"


def _rule_descriptor(rule: dict[str, Any]) -> dict[str, Any]:
    verification = rule.get("verification") or {}
    sources = rule.get("sources") or []
    help_lines = [rule.get("summary") or rule.get("title") or "", "", f"Citation: {rule.get('citation', '')}"]
    help_md = [rule.get("summary") or rule.get("title") or "", "", f"**Citation:** {rule.get('citation', '')}", ""]
    for s in sources:
        help_lines.append(f"Source ({s.get('kind')}): {s.get('url')}")
        help_md.append(f"- [{s.get('title') or s.get('url')}]({s.get('url')}) ({s.get('kind')})")
    out: dict[str, Any] = {
        "id": sarif_rule_id(rule["jurisdiction"], rule["rule_id"]),
        "name": rule["rule_id"],
        "shortDescription": {"text": rule.get("title") or rule["rule_id"]},
        "fullDescription": {"text": rule.get("summary") or rule.get("title") or rule["rule_id"]},
        "help": {"text": "\n".join(help_lines).strip(), "markdown": "\n".join(help_md).strip()},
        "defaultConfiguration": {"level": LEVELS.get(rule.get("severity_if_present") or "", "none")},
        "properties": {
            "tags": ["compliance", "government-ban", rule["jurisdiction"]],
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
        return {
            "$schema": SCHEMA_URI,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "complycheck",
                            "version": report.tool_version,
                            "rules": descriptors,
                            "properties": {"rulepack": dict(report.rulepack)},
                        }
                    },
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
                        "coverageLimits": [
                            {**c, "unidentifiable": [dict(u) for u in c["unidentifiable"]]} for c in report.coverage_limits
                        ],
                    },
                }
            ],
        }
