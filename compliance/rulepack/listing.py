"""Tables for ``rules list``, ``vendors list``, ``jurisdictions`` and ``contexts``: rows, then text, JSON or CSV.

Rows are plain dicts so that every format renders the same data; the CLI only picks the filter and the format.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from compliance.errors import UsageError
from compliance.rulepack.model import Rule, RulePack

FORMATS = ("text", "json", "csv")


# -- rows -------------------------------------------------------------------------------------


def action_conditions(rule: Rule) -> list[tuple[tuple[str, ...], list[str]]]:
    """The distinct context conditions of a rule's actions, each with the actions it gates.

    An action needs every context of the rule plus its own; actions needing the same set are grouped.
    Ordered by the earliest effective date among each group's actions, so the list reads in time order.
    """
    groups: dict[tuple[str, ...], list[str]] = {}
    first: dict[tuple[str, ...], tuple[date, str]] = {}
    for a in rule.actions:
        needed = tuple(sorted(set(rule.contexts) | set(a.contexts)))
        groups.setdefault(needed, []).append(a.id)
        key = (a.effective, a.id)
        if needed not in first or key < first[needed]:
            first[needed] = key
    return sorted(groups.items(), key=lambda kv: (first[kv[0]], kv[0]))


def applies_when(rule: Rule) -> str:
    """The contexts a rule needs, as a condition: "government and mobile", or per action when they differ.

    ``(federal and procurement) [part-a] or contractor [part-b]``: each alternative is one way the rule
    applies, with the actions it covers, so a rule whose actions need different contexts is not shown as
    needing all of them (or any one of them) for everything.
    """
    return format_conditions(action_conditions(rule))


def format_conditions(conditions: Sequence[tuple[Sequence[str], Sequence[str]]]) -> str:
    """``[(contexts, action ids), ...]`` as ``a and b`` or ``(a and b) [x] or c [y]`` (see ``applies_when``)."""
    if not conditions:
        return "any"
    several = len(conditions) > 1
    terms = []
    for needed, actions in conditions:
        term = " and ".join(needed) or "any"
        if several:
            if len(needed) > 1:
                term = f"({term})"
            term += f" [{', '.join(actions)}]"
        terms.append(term)
    return " or ".join(terms)


def rule_row(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "jurisdiction": rule.jurisdiction,
        "title": rule.title,
        "binding": rule.binding,
        "effective": sorted({a.effective.isoformat() for a in rule.actions}),
        "until": sorted({a.until.isoformat() for a in rule.actions if a.until}),
        "applies_when": applies_when(rule),
        "conditions": [{"contexts": list(needed), "actions": actions} for needed, actions in action_conditions(rule)],
        # every context the rule or any action names (what ``rules list -c`` filters on); see applies_when
        "contexts": sorted(set(rule.contexts).union(*(a.contexts for a in rule.actions))),
        "verification": rule.verification_status,
        "last_verified": rule.last_verified.isoformat(),
        "pack": rule.pack,
    }


def select_rules(
    pack: RulePack,
    *,
    jurisdictions: Sequence[str] = (),
    contexts: Sequence[str] = (),
    stale_days: int | None = None,
    as_of: date | None = None,
) -> list[Rule]:
    """Rules of the jurisdictions (with what they include), needing any of the contexts, or gone stale.

    ``contexts``: a rule is kept when it (or one of its actions) names one of the given contexts, a context
    they imply, or a narrower context that implies one of them. ``stale_days``: keep rules whose ``last_verified`` is more than that many days
    before ``as_of`` (default today).
    """
    unknown_j = [j for j in jurisdictions if j not in pack.jurisdictions]
    if unknown_j:
        raise UsageError(f"unknown jurisdiction {', '.join(unknown_j)}; known codes: {', '.join(sorted(pack.jurisdictions))}")
    unknown_c = [c for c in contexts if c not in pack.contexts]
    if unknown_c:
        raise UsageError(f"unknown context {', '.join(unknown_c)}; known contexts: {', '.join(sorted(pack.contexts))}")
    wanted_j = pack.expand_jurisdictions(list(jurisdictions)) if jurisdictions else None
    cutoff = (as_of or date.today()) - timedelta(days=stale_days) if stale_days is not None else None
    out = []
    for r in pack.rules:
        if wanted_j is not None and r.jurisdiction not in wanted_j:
            continue
        if contexts:
            wanted_c = pack.expand_contexts(list(contexts), {r.jurisdiction})  # US: government gives federal
            needed = set(r.contexts).union(*(a.contexts for a in r.actions))
            # a given context or one it implies (federal -> government), or a narrower context that
            # implies a given one (eu-commission -> eu-institution)
            if not any(c in wanted_c or pack.expand_contexts([c]) & set(contexts) for c in needed):
                continue
        if cutoff is not None and r.last_verified >= cutoff:
            continue
        out.append(r)
    return out


def rules_by_context(pack: RulePack) -> dict[str, list[str]]:
    """Which rules need each context (in the rule itself or in one of its actions)."""
    out: dict[str, list[str]] = {c: [] for c in pack.contexts}
    for r in pack.rules:
        for c in sorted(set(r.contexts).union(*(a.contexts for a in r.actions))):
            out.setdefault(c, []).append(r.id)
    return out


def context_rows(pack: RulePack) -> list[dict[str, Any]]:
    users = rules_by_context(pack)
    implied_by = {c: sorted(o.id for o in pack.contexts.values() if c in o.implies) for c in pack.contexts}
    return [
        {
            "id": c.id,
            "description": " ".join(c.description.split()),
            "implies": list(c.implies),
            "implies_in": {code: list(implied) for code, implied in c.implies_in},
            "implied_by": implied_by.get(c.id, []),
            "rules": users.get(c.id, []),
        }
        for c in pack.contexts.values()
    ]


def jurisdiction_rows(pack: RulePack) -> list[dict[str, Any]]:
    counts: dict[str, int] = {}
    for r in pack.rules:
        counts[r.jurisdiction] = counts.get(r.jurisdiction, 0) + 1
    included_by = {j: sorted(o.code for o in pack.jurisdictions.values() if j in o.includes) for j in pack.jurisdictions}
    return [
        {
            "code": j.code,
            "name": j.name,
            "includes": list(j.includes),
            "included_by": included_by.get(j.code, []),
            "rules": counts.get(j.code, 0),
            "rules_with_included": sum(counts.get(c, 0) for c in pack.expand_jurisdictions([j.code])),
            "description": " ".join(j.description.split()),
        }
        for j in sorted(pack.jurisdictions.values(), key=lambda j: j.code)
    ]


def vendor_rows(pack: RulePack) -> list[dict[str, Any]]:
    rules_of: dict[str, list[str]] = {}
    for r in pack.rules:
        for v in r.vendors:
            rules_of.setdefault(v, []).append(r.id)
    return [
        {
            "id": v.id,
            "name": v.name,
            "country": v.country,
            "products": [p.id for p in v.products],
            "identifier_kinds": sorted(v.identifiers),
            "rules": rules_of.get(v.id, []),
        }
        for v in sorted(pack.vendors.values(), key=lambda v: v.id)
    ]


# -- rendering --------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def render(
    rows: list[dict[str, Any]],
    fmt: str,
    columns: Sequence[tuple[str, str, int]],
    width: int | None = None,
    wrapping: Sequence[str] = (),
) -> str:
    """Rows as text (aligned columns; the last column unpadded), JSON (a list) or CSV (lists joined by "; ").

    ``width``: fit the text to this many columns (``compliance.termtable``): the columns named in
    ``wrapping`` wrap, or move under their row when too narrow; None: as wide as the widest cells.
    """
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        keys = list(rows[0]) if rows else [c[0] for c in columns]
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(keys)
        for row in rows:
            w.writerow(["; ".join(map(str, row[k])) if isinstance(row[k], list) else _cell(row[k]) for k in keys])
        return buf.getvalue()
    if fmt != "text":
        raise UsageError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    # A column is as wide as its widest cell (at least its nominal width), so columns always line up;
    # a cell may hold several lines (continuation lines leave the other columns blank).
    cells = [[_cell(row[key]).split("\n") for key, _label, _width in columns] for row in rows]
    widths = [
        max([width, len(label), *(len(part) for row in cells for part in row[i])])
        for i, (_key, label, width) in enumerate(columns)
    ]
    moved: list[int] = []
    if width is not None:
        from compliance.termtable import fit

        keys = [key for key, _label, _width in columns]
        labels = [label for _key, label, _width in columns]
        widths, cells, moved = fit(labels, cells, widths, width, [keys.index(k) for k in wrapping if k in keys])
    shown = [i for i in range(len(columns)) if i not in moved]
    last = shown[-1]

    def line(parts: Sequence[str]) -> str:
        return " ".join(parts[i] if i == last else f"{parts[i]:<{widths[i]}}" for i in shown).rstrip()

    lines = [line([label for _key, label, _width in columns])]
    for row_cells in cells:
        height = max(len(row_cells[i]) for i in shown)
        for n in range(height):
            lines.append(line([c[n] if n < len(c) else "" for c in row_cells]))
        lines.extend("    " + part for i in moved for part in row_cells[i])  # termtable.INDENT
    return "\n".join(lines) + "\n"


RULE_COLUMNS = (
    ("id", "ID", 30),
    ("jurisdiction", "JUR", 6),
    ("binding", "BINDING", 7),
    ("effective", "EFFECTIVE", 10),
    ("applies_when", "CONTEXTS", 8),
    ("verification", "VERIFIED", 8),
    ("title", "TITLE", 0),
)
VENDOR_COLUMNS = (
    ("id", "ID", 18),
    ("name", "NAME", 30),
    ("country", "CC", 3),
    ("products", "PRODUCTS", 4),
    ("rules", "RULES", 0),
)
JURISDICTION_COLUMNS = (
    ("code", "CODE", 6),
    ("includes", "INCLUDES", 9),
    ("rules", "RULES", 6),
    ("name", "NAME", 0),
)
CONTEXT_COLUMNS = (
    ("id", "CONTEXT", 24),
    ("implies", "IMPLIES", 15),
    ("rules", "RULES", 6),
    ("description", "MEANING", 0),
)


def render_rules(rules: Iterable[Rule], fmt: str, width: int | None = None) -> str:
    """``width``: fit the text table to it (titles and conditions wrap, or move under the row); None: full width."""
    rows = [rule_row(r) for r in rules]
    if fmt == "text":  # one alternative per line keeps the table narrow
        rows = [{**r, "applies_when": r["applies_when"].replace(" or ", "\nor ")} for r in rows]
        if width is not None:  # and one date per line
            rows = [{**r, "effective": "\n".join(r["effective"])} for r in rows]
    elif fmt == "csv":  # a cell holds text: applies_when already says what conditions holds
        rows = [{k: v for k, v in r.items() if k != "conditions"} for r in rows]
    return render(rows, fmt, RULE_COLUMNS, width, ("applies_when", "title"))


def render_vendors(pack: RulePack, fmt: str, width: int | None = None) -> str:
    rows = vendor_rows(pack)
    if fmt == "text":
        rows = [{**r, "products": str(len(r["products"])), "rules": str(len(r["rules"]))} for r in rows]
    return render(rows, fmt, VENDOR_COLUMNS, width, ("name", "rules"))


def render_jurisdictions(pack: RulePack, fmt: str, width: int | None = None) -> str:
    return render(jurisdiction_rows(pack), fmt, JURISDICTION_COLUMNS, width, ("name",))


def render_contexts(pack: RulePack, fmt: str, width: int | None = None) -> str:
    rows = context_rows(pack)
    if fmt != "text":
        return render(rows, fmt, CONTEXT_COLUMNS)
    rows = [
        {
            **r,
            "rules": str(len(r["rules"])),
            "implies": ", ".join(
                [*r["implies"], *(f"{c} (in {code})" for code, implied in r["implies_in"].items() for c in implied)]
            ),
        }
        for r in rows
    ]
    table = render(rows, fmt, CONTEXT_COLUMNS, width, ("implies", "description"))
    return table + "\n" + "\n".join(jurisdiction_context_lines(pack)) + "\n"


def jurisdiction_context_lines(pack: RulePack) -> list[str]:
    """Per jurisdiction, the contexts its rules need, warning where a similar context does not stand in.

    ``rules list -j US-TX -c government`` shows no Texas rule because Texas rules need
    ``state-government``, which ``government`` does not imply; this says so where users look.
    """
    needed: dict[str, set[str]] = {}
    for r in pack.rules:
        needed.setdefault(r.jurisdiction, set()).update(set(r.contexts).union(*(a.contexts for a in r.actions)))
    lines = ["Contexts named by the rules of each jurisdiction (a rule applies only when all of its own are given):"]
    width = max((len(j) for j in needed), default=0) + 2
    for code in sorted(needed):
        contexts = sorted(needed[code])
        implied_by_government = pack.expand_contexts(["government"], {code}) if "government" in pack.contexts else set()
        line = f"  {code:<{width}}{', '.join(contexts) or '(none: its rules apply in any context)'}"
        lookalikes = [c for c in contexts if "government" in c and implied_by_government and c not in implied_by_government]
        if lookalikes:
            line += f"  (-c government does not select these rules: give -c {lookalikes[0]})"
        lines.append(line)
    return lines
