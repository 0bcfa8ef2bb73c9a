"""Plain-language descriptions of rules and vendors for ``rules show`` and ``vendors show``."""

from __future__ import annotations

import textwrap

from compliance.rulepack.listing import action_conditions
from compliance.rulepack.model import Product, Rule, RulePack, Vendor


def _wrap(label: str, text: str) -> list[str]:
    body = textwrap.wrap(text, width=88) or [""]
    lines = [f"{label:<14}{body[0]}"]
    lines.extend(f"{'':<14}{b}" for b in body[1:])
    return lines


def _identifier_lines(identifiers: dict, indent: str) -> list[str]:
    out = []
    for kind in sorted(identifiers):
        values = ", ".join(f"{i.value}" + (f" [{i.status}]" if i.status != "secondary" else "") for i in identifiers[kind])
        out.append(f"{indent}{kind}: {values}")
    return out


def describe_vendor(vendor: Vendor) -> str:
    lines = [f"{vendor.id}: {vendor.name}" + (f" ({vendor.country})" if vendor.country else "")]
    if vendor.summary:
        lines.extend(_wrap("About:", vendor.summary))
    if vendor.names:
        lines.extend(_wrap("Names:", "; ".join(n.value for n in vendor.names)))
    if vendor.brands:
        lines.extend(_wrap("Brands:", "; ".join(n.value for n in vendor.brands) + " (also match as leading words)"))
    if vendor.identifiers:
        lines.append("Identifiers:")
        lines.extend(_identifier_lines(vendor.identifiers, "  "))
    taken = [f"installed software as {vendor.software_kind}"] if vendor.software_kind else []
    if vendor.equipment_kind:
        taken.append(f"devices and firmware as {vendor.equipment_kind}")
    lines.extend(_wrap("No product:", "; ".join(taken) or "kind not declared (covered by every rule on the vendor)"))
    for p in vendor.products:
        lines.append(f"Product {p.id}: {p.name} [kind {p.kind or 'not declared'}; {p.category}]")
        if p.names:
            lines.append("  names: " + "; ".join(n.value for n in p.names))
        lines.extend(_identifier_lines(p.identifiers, "  "))
    for s in vendor.sources:
        lines.append(f"Source:       {s}")
    return "\n".join(lines)


def _product_label(pack: RulePack, pid: str) -> str:
    p: Product | None = pack.products.get(pid)
    return f"{p.name} ({pid})" if p else pid


BINDING_WORDS = {
    "ban": "a legally binding prohibition",
    "gov-device-ban": "binding, but only on government IT or devices",
    "procurement-ban": "binding on buying, contracting or funding",
    "sanction": "a binding sanction",
    "export-control": "a binding export control (on sending items to the party, not on using its software)",
    "advisory": "a warning or recommendation, not binding (findings are advisories)",
    "vendor-withdrawal": "a company decision, not law (findings are advisories)",
}

STATUS_WORDS = {
    "verified": "the key facts were confirmed in primary sources",
    "secondary": "some key facts rest only on secondary sources (news, law-firm alerts)",
    "unverified": "some key facts are not confirmed; --require-verified refuses scans that select this rule",
}


def describe_rule(pack: RulePack, rule: Rule) -> str:
    lines = [f"{rule.id}  [{rule.jurisdiction}]  {rule.title}", ""]
    lines.extend(_wrap("In short:", rule.summary))
    jdef = pack.jurisdictions.get(rule.jurisdiction)
    if jdef is not None:
        where = jdef.name
        included_by = sorted(j.code for j in pack.jurisdictions.values() if rule.jurisdiction in j.includes)
        if included_by:
            where += f"; also selected by {', '.join(included_by)}"
        lines.extend(_wrap("Where:", where))
    kind = "binding" if rule.is_binding else "not binding"
    lines.extend(_wrap("Binding:", f"{rule.binding} ({kind}): {BINDING_WORDS.get(rule.binding, rule.binding)}"))
    lines.extend(_wrap("Authority:", rule.authority))
    lines.extend(_wrap("Instrument:", rule.instrument))
    lines.extend(_wrap("Citation:", rule.citation))
    vendors = ", ".join(f"{pack.vendors[v].name} ({v})" for v in rule.vendors if v in pack.vendors)
    lines.extend(_wrap("Covers:", vendors))
    lines.extend(_wrap("Kinds:", ", ".join(sorted(rule.kinds)) or "not declared (every kind)"))
    if rule.products:
        lines.extend(_wrap("Only:", ", ".join(_product_label(pack, p) for p in rule.products)))
    if rule.categories:
        lines.extend(_wrap("Categories:", ", ".join(rule.categories)))
    if rule.exclude_products:
        lines.extend(_wrap("Except:", ", ".join(_product_label(pack, p) for p in rule.exclude_products)))
    if rule.exclusions:
        lines.extend(_wrap("Exclusions:", rule.exclusions))
    if rule.unidentifiable:
        lines.extend(_wrap("Limit:", rule.coverage_limit[0].upper() + rule.coverage_limit[1:] + "."))
        for u in rule.unidentifiable:
            lines.extend(_wrap("", f"- {u.name}: {u.reason}"))
    conditions = action_conditions(rule)
    if len(conditions) == 1:
        needed = conditions[0][0]
        lines.extend(_wrap("Applies when:", " and ".join(f"--context {c}" for c in needed) or "always (no context needed)"))
    else:
        lines.append("Applies when: any of these (each for the actions named):")
        for needed, actions in conditions:
            cond = " and ".join(f"--context {c}" for c in needed) or "always (no context needed)"
            lines.extend(_wrap("", f"{cond}: {', '.join(actions)}"))
    label = "Contexts:"
    for c in sorted(set(rule.contexts).union(*(a.contexts for a in rule.actions))):
        cdef = pack.contexts.get(c)
        if cdef is not None:
            givers = sorted(
                o.id for o in pack.contexts.values() for code, implied in o.implies_in if code == rule.jurisdiction and c in implied
            )
            also = "".join(f" In a scan that selects {rule.jurisdiction}, --context {g} gives it too." for g in givers)
            lines.extend(_wrap(label, f"--context {c}: {' '.join(cdef.description.split())}{also}"))
            label = ""
    lines.append("Actions:")
    for a in rule.actions:
        span = f"from {a.effective.isoformat()}" + (f" until {a.until.isoformat()}" if a.until else "")
        ctx = sorted(set(rule.contexts) | set(a.contexts))
        lines.append(f"  - {a.id}: {a.description}")
        lines.append(f"    {span}; contexts: {', '.join(ctx) or 'any'}")
        if a.note:
            lines.extend("    " + t for t in textwrap.wrap(a.note, 84))
    lines.append("Sources:")
    for s in rule.sources:
        lines.append(f"  - [{s.kind}] {s.url}" + (f" ({s.title})" if s.title else ""))
    lines.extend(
        _wrap(
            "Verification:",
            f"{rule.verification_status} ({STATUS_WORDS.get(rule.verification_status, '')}), "
            f"last verified {rule.last_verified.isoformat()}",
        )
    )
    if rule.verification_notes:
        lines.extend(_wrap("", rule.verification_notes))
    if rule.notes:
        lines.extend(_wrap("Notes:", rule.notes))
    lines.extend(_wrap("Pack:", f"{rule.pack} ({rule.file})"))
    lines.append("Matched through:")
    for vid in rule.vendors:
        v = pack.vendors.get(vid)
        if v is None:
            continue
        names = "; ".join(n.value for n in [*v.names, *v.brands])
        # A vendor known only by its products' ids (the India app publishers) has no names to list.
        lines.append(f"  {v.name}: names {names}" if names else f"  {v.name}: no names (products only)")
        lines.extend(_identifier_lines(v.identifiers, "    "))
        for p in v.products:
            if rule.covers_product(vid, p):
                ids = "; ".join(f"{k} {', '.join(i.value for i in vals)}" for k, vals in sorted(p.identifiers.items()))
                lines.append(f"    product {p.name}" + (f": {ids}" if ids else ""))
    return "\n".join(lines)
