"""``complycheck explain FILE COMPONENT``: one component of an input, why it is (or is not) tied to a vendor,
and what each rule on that vendor says about it, in which contexts and from which date.

Everything comes from a real scan of FILE: ``scan()`` with the caller's settings runs the same reader,
vendor index, ``Evaluator`` and waivers as ``complycheck scan``, and the findings shown are its findings
for this component. This module finds the component, and lays out per field what the index made of it
(``compliance.match_explain``) and per rule what the scan decided; it decides nothing itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from compliance.errors import UsageError
from compliance.match_explain import evidence_dict, evidence_line, match_dict, match_lines, why_not

if TYPE_CHECKING:  # pragma: no cover
    from compliance.matching import Match, VendorIndex
    from compliance.model import Component, Finding, Inventory, Report
    from compliance.rulepack.model import Rule, RulePack

# identifier kind -> the --as role ``match_explain`` reads it as
_ROLE = {"purl": "purl", "cpe": "cpe", "android": "android", "bundle": "bundle", "team_id": "team-id",
         "winget": "winget", "swid": "swid", "namespace": "namespace"}
_STATUS = {"violation": "FAIL", "unconfirmed": "WARN", "upcoming": "WARN", "advisory": "WARN", "out-of-scope": "INFO"}


# -- finding the component -------------------------------------------------------------------------


def _label(c: Component) -> str:
    text = f"{c.name} {c.version}".strip() or "(no name)"
    where = [f"bom-ref {c.bom_ref}"] if c.bom_ref else []
    where.append(f"at {c.location}")
    return f"{text} ({', '.join(where)})"


def _identity(c: Component) -> tuple:
    return (c.name, c.version, c.purl, tuple(c.vendor_fields), tuple(c.identifiers), c.type)


def find_component(inventories: list[Inventory], wanted: str, shown: str) -> tuple[Component, list[Component]]:
    """The component ``wanted`` names (bom-ref, location or row/line number, purl, name, or "name version"),
    and the other components with the same identity (a fleet export repeats a title on many rows)."""
    components = [c for inv in inventories for c in inv.components]
    text = wanted.strip()
    fold = text.casefold()
    places = {text, f"row {text}", f"line {text}"} if text.isdigit() else {text}
    tests = (
        lambda c: bool(c.bom_ref) and c.bom_ref == text,
        lambda c: str(c.location) in places,
        lambda c: bool(c.purl) and c.purl.casefold() == fold,
        lambda c: c.name.casefold() == fold,
        lambda c: f"{c.name} {c.version}".strip().casefold() == fold,
    )
    for test in tests:
        found = [c for c in components if test(c)]
        if not found:
            continue
        first = found[0]
        if all(_identity(c) == _identity(first) for c in found):
            return first, found[1:]
        listed = "; ".join(_label(c) for c in found[:5]) + (f"; and {len(found) - 5} more" if len(found) > 5 else "")
        raise UsageError(f"{shown}: {wanted!r} names {len(found)} different components: {listed}; "
                         "give a bom-ref or a row/line number")
    from compliance.lookup import did_you_mean, either

    names = sorted({c.name for c in components if c.name})
    holding = [n for n in names if fold in n.casefold()][:3]
    hint = f" (did you mean {either(holding)}?)" if holding else did_you_mean(text, names)
    raise UsageError(f"{shown}: no component {wanted!r}{hint} among its {len(components)} components; give a "
                     "bom-ref, a name, a purl or a row/line number")


# -- the explanation ---------------------------------------------------------------------------------


@dataclass
class FieldLine:
    """One field of the component: the evidence it gave, or why it gave none."""

    field: str
    value: str
    read_as: str  # the match_explain role
    evidence: list[Any] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "value": self.value, "read_as": self.read_as, "used": bool(self.evidence),
                "evidence": [evidence_dict(e) for e in self.evidence], "reasons": list(self.reasons)}


@dataclass
class RuleLine:
    """A rule on a matched vendor: its finding for this component, or why it gives none."""

    rule_id: str
    jurisdiction: str
    title: str
    finding: Finding | None = None
    reason: str = ""  # when there is no finding
    actions: list[dict[str, Any]] = field(default_factory=list)  # per action: effective, until, contexts, status

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rule_id": self.rule_id, "jurisdiction": self.jurisdiction, "title": self.title,
                               "status": self.finding.status if self.finding else None,
                               "severity": self.finding.severity if self.finding else None,
                               "waived": bool(self.finding and self.finding.waived), "actions": self.actions}
        if self.finding is None:
            out["why_no_finding"] = self.reason
        else:
            out["message"] = self.finding.message
        return out


@dataclass
class Explanation:
    input: str
    format: str | None
    component: Component
    same_identity: list[Component]
    as_of: str
    jurisdictions: list[str]
    contexts: list[str]
    fields: list[FieldLine]
    matches: list[Match]
    rules: list[RuleLine]
    other_jurisdictions: dict[str, list[str]]  # code -> rule ids on the matched vendors, not selected


def _fields(index: VendorIndex, comp: Component, matches: list[Match]) -> list[FieldLine]:
    from compliance.model import Component as Comp

    used: dict[tuple[str, str], list[Any]] = {}
    for m in matches:
        for e in m.evidence:
            used.setdefault((e.field, e.value), []).append(e)
    identifiers = list(comp.identifiers)
    if comp.purl and not any(kind == "purl" for kind, _v, _f in identifiers):
        identifiers.append(("purl", comp.purl, "purl"))
    items: list[tuple[str, str, str, Comp]] = [
        (f, v, "vendor", Comp(name="", vendor_fields=[(f, v)])) for f, v in comp.vendor_fields
    ]
    items += [(f, v, _ROLE.get(kind, "namespace"), Comp(name="", identifiers=[(kind, v, f)])) for kind, v, f in identifiers]
    if comp.name:
        items.append(("name", comp.name, "name", Comp(name=comp.name)))
    registry = any(m.kind == "library" for m in matches) or _registry_purl(comp)
    out = []
    for f, v, role, alone in items:
        line = FieldLine(f, v, role, used.get((f, v), []))
        if not line.evidence:
            alone_matches = index.match_unmemoised(alone)
            if alone_matches:
                line.reasons = [_unused_reason(role, alone_matches[0], matches, registry)]
            else:
                line.reasons = why_not(index, role, v)
        out.append(line)
    return out


def _unused_reason(role: str, alone: Match, matches: list[Match], registry: bool) -> str:
    """Why a field that matches on its own gave no evidence in the component's match."""
    if role != "name":
        return "alone it would match, but not together with this component's other fields"
    if registry:
        return "a registry package's name is never matched: anyone can publish under any name"
    e = alone.evidence[0]
    others = ", ".join(sorted({m.vendor.id for m in matches})) or "a vendor"
    if e.method == "brand-in-name":
        return (f"it only starts with the brand {e.matched} (weak), which counts only when no identifier or vendor "
                f"field names a vendor; here they name {others}")
    return f"it equals {e.matched}, a product of {alone.vendor.id}, but the identity evidence names {others}"


def _registry_purl(comp: Component) -> bool:
    from compliance.matching import REGISTRY_PURL_TYPES

    purls = [comp.purl, *(v for kind, v, _f in comp.identifiers if kind == "purl")]
    return any(p.lower().startswith("pkg:") and p[4:].split("/", 1)[0].lower() in REGISTRY_PURL_TYPES for p in purls if p)


def _no_finding_reason(rule: Rule, summary: dict[str, Any] | None, matches: list[Match], as_of: str,
                       horizon: int) -> str:
    """Why a rule on a matched vendor gave no finding: left out, not in force, or not covering this component."""
    if summary is None:
        return "left out: it rests on unverified facts (--require-verified)"
    if summary["status_if_present"] == "not-in-force":
        untils = [a["until"] for a in summary["actions"]]
        if untils and all(u is not None and u < as_of for u in untils):
            return f"no longer in force as of {as_of} (its last action ended {max(untils)})"
        return f"not in force as of {as_of}: from {summary['effective']}, beyond the {horizon}-day look-ahead"
    for m in matches:
        if m.vendor.id not in rule.vendors:
            continue
        if m.product is not None and m.product.id in rule.exclude_products:
            return f"it excludes {m.product.name} ({m.product.id})"
        if m.vendor.id in rule.scoped_vendors:
            what = f"{m.product.name} ({m.product.id})" if m.product else "no catalog product identified"
            return f"it covers only the products {', '.join(rule.products)} of {m.vendor.id}; this is {what}"
        if rule.kinds and m.kind is not None and m.kind not in rule.kinds:
            return f"it covers kinds {', '.join(sorted(rule.kinds))}; this component is taken as {m.kind}"
        if rule.categories:
            return f"it covers the categories {', '.join(rule.categories)} only"
    return "it does not cover this component"


def _actions(summary: dict[str, Any] | None, finding: Finding | None) -> list[dict[str, Any]]:
    """Per action: when and in which contexts it applies, and (with a finding) its status in this scan."""
    results = {a.action: a for a in finding.actions} if finding is not None else {}
    out = []
    for a in (summary or {}).get("actions", []):
        result = results.get(a["action"])
        out.append({
            "action": a["action"], "description": a["description"], "effective": a["effective"], "until": a["until"],
            "contexts": a["contexts"],
            "status": result.status if result else None,
            "missing_contexts": list(result.missing_contexts) if result else [],
        })
    return out


def explain(report: Report, pack: RulePack, index: VendorIndex, inventories: list[Inventory], wanted: str,
            horizon: int) -> Explanation:
    """The explanation of component ``wanted`` from a finished scan of one input (``report``) and its inventory."""
    section = report.inputs[0]
    comp, same = find_component(inventories, wanted, section.path)
    matches = index.match_unmemoised(comp)
    findings = [f for f in report.findings if str(f.component.location) == str(comp.location)
                and f.component.name == comp.name and f.component.bom_ref == comp.bom_ref]
    summaries = {r["rule_id"]: r for r in report.rules_evaluated}
    excluded = {r["rule_id"] for r in report.excluded_rules}
    by_rule = {f.rule_id: f for f in findings}
    selected = set(report.jurisdictions)
    vendors = {m.vendor.id for m in matches}
    rules: list[RuleLine] = []
    others: dict[str, list[str]] = {}
    for rule in pack.rules:
        if not vendors & set(rule.vendors):
            continue
        if rule.jurisdiction not in selected:
            others.setdefault(rule.jurisdiction, []).append(rule.id)
            continue
        summary = summaries.get(rule.id)
        finding = by_rule.get(rule.id)
        line = RuleLine(rule.id, rule.jurisdiction, rule.title, finding, actions=_actions(summary, finding))
        if finding is None:
            line.reason = _no_finding_reason(rule, None if rule.id in excluded else summary, matches, report.as_of,
                                             horizon)
        rules.append(line)
    order = {"fail": 0, "warn": 1, "info": 2}
    rules.sort(key=lambda r: (order.get(r.finding.severity, 3) if r.finding else 4, r.rule_id))
    return Explanation(
        input=section.path, format=section.format, component=comp, same_identity=same, as_of=report.as_of,
        jurisdictions=list(report.jurisdictions), contexts=list(report.contexts),
        fields=_fields(index, comp, matches), matches=matches, rules=rules, other_jurisdictions=dict(sorted(others.items())),
    )


# -- output ------------------------------------------------------------------------------------------


def _when(a: dict[str, Any]) -> str:
    span = f"from {a['effective']}" + (f" until {a['until']}" if a["until"] else "")
    ctx = " and ".join(a["contexts"]) if a["contexts"] else "any context"
    return f"{span}; {ctx}"


def _action_status(a: dict[str, Any]) -> str:
    if a["status"] is None:
        return ""
    if a["status"] == "out-of-scope":
        return ": out of scope, applies with " + " ".join(f"--context {c}" for c in a["missing_contexts"])
    return f": {a['status']}"


def render_text(x: Explanation) -> str:
    c = x.component
    lines = [f"Component: {f'{c.name} {c.version}'.strip() or '(no name)'}"]
    where = [f"in {x.input}" + (f" ({x.format})" if x.format else ""), f"at {c.location}"]
    if c.bom_ref:
        where.append(f"bom-ref {c.bom_ref}")
    if c.type:
        where.append(f"type {c.type}")
    lines.append("  " + ", ".join(where))
    if x.same_identity:
        more = ", ".join(str(o.location) for o in x.same_identity[:5]) + (" ..." if len(x.same_identity) > 5 else "")
        lines.append(f"  the same software is also at {more} ({len(x.same_identity)} more)")
    lines.append(f"As of {x.as_of}; jurisdictions: {', '.join(x.jurisdictions)}; contexts: "
                 f"{', '.join(x.contexts) or '(none)'}")
    lines += ["", "Identity, field by field:"]
    for f in x.fields:
        if f.evidence:
            lines.extend(f"  + {evidence_line(e)} -> {e.vendor}" for e in f.evidence)
        else:
            lines.append(f"  - {f.field} {f.value!r}: no evidence")
            lines.extend(f"      {r}" for r in f.reasons)
    if not x.fields:
        lines.append("  (the component carries no name, vendor field or identifier)")
    lines += ["", "Match:"]
    if not x.matches:
        lines.append("  none: no catalog vendor, so no rule applies to this component")
    for m in x.matches:
        lines.extend(match_lines(m)[:1])
        lines.append(f"    {m.why}")
    if x.matches:
        lines += ["", "Rules on the matched vendor" + (" (none in these jurisdictions)" if not x.rules else "") + ":"]
    for r in x.rules:
        if r.finding is not None:
            f = r.finding
            tag = "WAIVED" if f.waived else _STATUS.get(f.status, f.severity.upper())
            lines.append(f"  {tag:<6} {r.rule_id} [{r.jurisdiction}] {f.status}: {r.title}")
        else:
            lines.append(f"  {'--':<6} {r.rule_id} [{r.jurisdiction}] no finding: {r.reason}")
        lines.extend(f"         - {a['action']} ({_when(a)}){_action_status(a)}" for a in r.actions)
        if r.finding is not None and r.finding.waived:
            w = r.finding.waiver or {}
            lines.append(f"         waived by {w.get('id')}: {w.get('reason')}")
    if x.other_jurisdictions:
        listed = ", ".join(f"{code} ({len(ids)})" for code, ids in x.other_jurisdictions.items())
        lines += ["", f"Rules on the matched vendor in jurisdictions not selected: {listed}; -j CODE applies them."]
    return "\n".join(lines) + "\n"


def render_json(x: Explanation) -> bytes:
    import orjson

    c = x.component
    doc = {
        "input": x.input,
        "format": x.format,
        "component": {"name": c.name, "version": c.version, "bom_ref": c.bom_ref or None, "location": str(c.location),
                      "type": c.type or None, "purl": c.purl or None,
                      "vendor_fields": [list(v) for v in c.vendor_fields],
                      "identifiers": [list(i) for i in c.identifiers]},
        "same_identity_at": [str(o.location) for o in x.same_identity],
        "as_of": x.as_of,
        "jurisdictions": x.jurisdictions,
        "contexts": x.contexts,
        "fields": [f.to_dict() for f in x.fields],
        "matches": [match_dict(m) for m in x.matches],
        "rules": [r.to_dict() for r in x.rules],
        "other_jurisdictions": x.other_jurisdictions,
    }
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"
