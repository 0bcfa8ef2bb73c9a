"""Evaluate rules for a date and a set of contexts, then apply them to matched components.

A rule's status depends only on the scan's date, contexts and jurisdictions, never on the
component, so it is decided once per rule when the ``Evaluator`` is built. Per component the work is
one index match plus a look at the few rules of the matched vendor.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

import msgspec

from compliance.matching import Match, NameScreen, VendorIndex
from compliance.model import (
    SEVERITY_RANK,
    UNFLAGGED_LISTED,
    ActionResult,
    Component,
    Finding,
    InputResult,
    Inventory,
)
from compliance.readers.base import MAX_FIELD_CHARS, cut_fields, longest_field
from compliance.rulepack.model import Rule, RulePack


class RuleOutcome(msgspec.Struct):
    """What a rule means for this scan if a covered component is present."""

    status: str | None  # None: not in force and outside the look-ahead window, or lapsed
    severity: str | None
    effective: str
    actions: list[ActionResult]
    missing_contexts: list[str]
    reason: str = ""  # the rule's part of every finding message, decided once per scan
    weak_reason: str = ""  # the same for a violation whose only evidence is weak (status "unconfirmed")


# Formats whose components are distinct (an SBOM lists each component once): the match memo cannot hit.
UNIQUE_COMPONENT_FORMATS = frozenset({"cyclonedx-json", "cyclonedx-xml", "spdx-json", "spdx-tag-value"})


def evaluate_rule(rule: Rule, as_of: date, contexts: set[str], horizon_days: int) -> RuleOutcome:
    """The worst status over a rule's actions. Contexts gate scope; dates gate force."""
    results: list[ActionResult] = []
    for action in rule.actions:
        required = set(rule.contexts) | set(action.contexts)
        missing = sorted(required - contexts)
        until = action.until.isoformat() if action.until else None
        if action.until is not None and as_of > action.until:
            continue  # lapsed: no longer restricts anything
        if as_of < action.effective:
            if (action.effective - as_of).days > horizon_days:
                continue
            status = "out-of-scope" if missing else "upcoming"
        elif missing:
            status = "out-of-scope"
        else:
            status = "violation" if rule.is_binding else "advisory"
        severity = {"violation": "fail", "upcoming": "warn", "advisory": "warn", "out-of-scope": "info"}[status]
        results.append(
            ActionResult(action.id, action.description, action.effective.isoformat(), until, status, severity, missing)
        )
    if not results:
        return RuleOutcome(None, None, rule.first_effective.isoformat(), [], [])
    worst = max(results, key=lambda a: (SEVERITY_RANK[a.severity], a.status != "upcoming", _neg_date(a.effective)))
    missing_all = sorted({c for a in results if a.status == "out-of-scope" for c in a.missing_contexts})
    weak = ""
    if worst.status == "violation":
        weak = (
            f"{rule.jurisdiction} would bar it ({worst.description}, in force since {worst.effective}), but only weak "
            "evidence ties it to the vendor, so this is a warning to confirm, not a failure."
        )
    reason = _reason(rule, worst, results)
    return RuleOutcome(worst.status, worst.severity, worst.effective, results, missing_all, reason, weak)


def _reason(rule: Rule, worst: ActionResult, results: list[ActionResult]) -> str:
    """Why the rule has this status, in words that complete "<component> is <vendor> software; ..."."""
    j = rule.jurisdiction
    if worst.status == "violation":
        return f"{j} bars it: {worst.description} (in force since {worst.effective})."
    if worst.status == "upcoming":
        return f"from {worst.effective} {j} bars it: {worst.description}."
    if worst.status == "advisory":
        return f"{j} advisory/withdrawal since {worst.effective}: {worst.description}."
    ways: dict[tuple[str, ...], list[str]] = {}
    for a in results:
        if a.status == "out-of-scope" and a.description not in ways.setdefault(tuple(a.missing_contexts), []):
            ways[tuple(a.missing_contexts)].append(a.description)
    text = "; or ".join(
        "with " + " ".join(f"--context {c}" for c in missing) + ": " + "; ".join(descriptions)
        for missing, descriptions in ways.items()
    )
    return f"this {j} rule applies only {text}."


def _unverified_warns(outcome: RuleOutcome) -> RuleOutcome:
    """A rule resting on unverified facts warns where it would fail: a gate should not break on a rumour."""
    if outcome.severity != "fail":
        return outcome
    actions = [
        ActionResult(a.action, a.description, a.effective, a.until, a.status, "warn", a.missing_contexts)
        if a.severity == "fail" else a
        for a in outcome.actions
    ]
    reason = outcome.reason + " The rule rests on unverified facts, so this is a warning (--fail-on-unverified makes it fail)."
    return RuleOutcome(
        outcome.status, "warn", outcome.effective, actions, outcome.missing_contexts, reason, outcome.weak_reason
    )


def _integration_sentence(subject: dict[str, Any], label: str) -> str:
    """The white-label sentence of a finding message: the product under review integrates the component."""
    product = f"{subject.get('name') or 'the SBOM subject'} {subject.get('version') or ''}".strip()
    supplier = f", supplied by {subject['supplier']}," if subject.get("supplier") else ""
    return (
        f" The product under review, {product}{supplier} integrates {label}: the finding concerns that product,"
        " not only this component."
    )


def _unflagged(comp: Component, m: Match) -> dict[str, Any]:
    """A component that matched a catalog vendor but no selected rule covers, as reports list it."""
    return {
        "name": comp.name,
        "version": comp.version or None,
        "location": str(comp.location) or None,
        "vendor": m.vendor.id,
        "product": m.product.id if m.product else None,
        "strength": m.strength,
        "why": m.why,
    }


def selected_jurisdictions(pack: RulePack, jurisdictions: list[str]) -> set[str]:
    """The jurisdictions whose rules apply: those named and the ones they include; none named, all."""
    return pack.expand_jurisdictions(jurisdictions) if jurisdictions else set(pack.jurisdictions)


def _neg_date(iso: str) -> int:
    return -date.fromisoformat(iso).toordinal()


class Evaluator:
    """Rules of the selected jurisdictions, grouped by vendor, with their status decided up front."""

    def __init__(
        self,
        pack: RulePack,
        *,
        jurisdictions: list[str],
        contexts: list[str],
        as_of: date,
        horizon_days: int = 90,
        require_verified: bool = False,
        fail_unverified: bool = False,
        index: VendorIndex | None = None,
    ) -> None:
        """``require_verified`` leaves rules resting on unverified facts out (listed in ``excluded_rules``);
        otherwise their would-be failures are warnings unless ``fail_unverified``. ``index``: the pack's
        vendor index as the rule-pack cache stored it (built here when None)."""
        self.pack = pack
        self.as_of = as_of
        self.selected = selected_jurisdictions(pack, jurisdictions)
        # what the contexts imply, in general and in the selected jurisdictions (US: government gives federal)
        self.contexts = pack.expand_contexts(contexts, self.selected)
        if pack.loaded_jurisdictions is not None and not self.selected <= pack.loaded_jurisdictions:
            missing = ", ".join(sorted(self.selected - pack.loaded_jurisdictions))
            raise ValueError(f"the rule pack was loaded without the rules of {missing}")
        self.index = index if index is not None else VendorIndex(pack)
        self._screen: NameScreen | None = None
        self._sources: dict[str, list[str]] = {}  # per rule, the source URLs its findings carry
        self.rules_by_vendor: dict[str, list[tuple[Rule, RuleOutcome]]] = defaultdict(list)
        self.outcomes: dict[str, RuleOutcome] = {}
        self.selected_rules: list[Rule] = []
        self.excluded_rules: list[Rule] = []
        for rule in pack.rules:
            if rule.jurisdiction not in self.selected:
                continue
            unverified = rule.verification_status == "unverified"
            if unverified and require_verified:
                self.excluded_rules.append(rule)
                continue
            self.selected_rules.append(rule)
            outcome = evaluate_rule(rule, as_of, self.contexts, horizon_days)
            if unverified and not fail_unverified:
                outcome = _unverified_warns(outcome)
            self.outcomes[rule.id] = outcome
            if outcome.status is None:
                continue
            for vid in rule.vendors:
                self.rules_by_vendor[vid].append((rule, outcome))

    @property
    def screen(self) -> NameScreen:
        """The index's ``NameScreen``, made when an inventory table first needs it."""
        if self._screen is None:
            self._screen = NameScreen(self.index)
        return self._screen

    def evaluate(self, inventory: Inventory) -> tuple[InputResult, list[Finding]]:
        findings: list[Finding] = []
        with_identity = 0
        matched = 0
        unflagged: list[dict[str, Any]] = []  # the first UNFLAGGED_LISTED matches no selected rule covers
        no_rule = 0
        # Inventories repeat the same title on many rows (the memo hits); SBOM components are unique.
        match = self.index.match_unmemoised if inventory.format in UNIQUE_COMPONENT_FORMATS else self.index.match
        components = inventory.components
        if isinstance(components, Tally):  # matched as the reader made them
            with_identity, matched = components.with_identity, components.matched
            no_rule = components.findings(inventory.metadata.get("subject"), findings, unflagged)
        else:
            subject, first_party = self._subject(inventory, match)
            for comp in components:
                if comp.vendor_fields or comp.has_vendor_identity:  # the property's first test, without the call
                    with_identity += 1
                matches = match(comp)
                if not matches:
                    continue
                matched += 1
                before = len(findings)
                if subject is None or comp is subject[0]:
                    self._findings_for(comp, matches, inventory.path, findings)
                else:
                    self._findings_for(comp, matches, inventory.path, findings, subject[1], first_party)
                if len(findings) == before:
                    no_rule += 1
                    if len(unflagged) < UNFLAGGED_LISTED:
                        unflagged.append(_unflagged(comp, matches[0]))
        result = InputResult(
            path=inventory.path,
            format=inventory.format,
            components=len(inventory.components),
            components_with_vendor_identity=with_identity,
            components_matched=matched,
            subject=inventory.metadata.get("subject"),
            serial_number=inventory.metadata.get("serialNumber"),
            matched_without_findings=no_rule,
            unflagged=unflagged,
        )
        return result, findings

    def _subject(self, inventory: Inventory, match: Any) -> tuple[tuple[Component, dict[str, Any]] | None, frozenset[str]]:
        """The SBOM's subject (its ``metadata.component``, which the CycloneDX readers list first) with what a
        report says of it, and the vendors it is itself identified as (their own components are first-party,
        not integrated). None when the input names no subject."""
        subject = inventory.metadata.get("subject")
        components = inventory.components
        if not subject or not isinstance(components, list) or not components:
            return None, frozenset()
        first = components[0]
        if not str(first.location).endswith("metadata/component"):
            return None, frozenset()
        return (first, subject), frozenset(m.vendor.id for m in match(first))

    def _findings_for(
        self,
        comp: Component,
        matches: list[Match],
        path: str,
        findings: list[Finding],
        subject: dict[str, Any] | None = None,
        first_party: frozenset[str] = frozenset(),
    ) -> None:
        """Findings for one matched component. ``subject``: the product under review that contains it; a
        vendor's component in another vendor's product is integrated there (white-label, OEM)."""
        for m in matches:
            integrated = subject if subject is not None and m.vendor.id not in first_party else None
            for rule, outcome in self.rules_by_vendor.get(m.vendor.id, ()):
                if rule.covers(m.vendor.id, m.product, m.kind):
                    findings.append(self._finding(rule, outcome, m, comp, path, integrated))

    def _finding(
        self, rule: Rule, outcome: RuleOutcome, m: Match, comp: Component, path: str,
        integrated: dict[str, Any] | None = None,
    ) -> Finding:
        """A finding; weak evidence alone never fails a binding rule: it becomes "unconfirmed" (warn).
        ``integrated``: the product under review that integrates the component, said in the message too."""
        assert outcome.status is not None and outcome.severity is not None
        what = m.product.name if m.product else m.vendor.name
        label = f"{comp.name} {comp.version}".strip()
        status, severity, reason = outcome.status, outcome.severity, outcome.reason
        if m.strength == "weak" and status == "violation":
            status, severity, reason = "unconfirmed", "warn", outcome.weak_reason
        sources = self._sources.get(rule.id)
        if sources is None:  # one list per rule, shared by its findings (nothing changes it)
            sources = self._sources[rule.id] = [s.url for s in rule.sources]
        weak = m.strength == "weak"
        # Positional: a findings-heavy scan makes one per component and rule (fields in declaration order).
        return Finding(
            rule.id, rule.jurisdiction, rule.title, status, severity, outcome.effective, rule.binding, comp, path,
            m.vendor.id, m.product.id if m.product else None, m.evidence, rule.citation, sources,
            f"{label} {'may be' if weak else 'is'} {what} software; {reason} {m.why}"
            + (_integration_sentence(integrated, label) if integrated is not None else ""),
            outcome.actions, rule.verification_status, None, m.kind, m.strength, integrated,
            f"{'Possibly ' if weak else ''}{what} software. {m.why}", reason,
        )

    def rules_summary(self) -> list[dict[str, Any]]:
        """Every selected rule with what it means for this scan, for reports that show passes too."""
        out = []
        for rule in self.selected_rules:
            o = self.outcomes[rule.id]
            out.append(
                {
                    "rule_id": rule.id,
                    "jurisdiction": rule.jurisdiction,
                    "title": rule.title,
                    "summary": rule.summary,
                    "authority": rule.authority,
                    "instrument": rule.instrument,
                    "citation": rule.citation,
                    "binding": rule.binding,
                    "vendors": list(rule.vendors),
                    "products": list(rule.products),
                    "exclude_products": list(rule.exclude_products),
                    "exclusions": rule.exclusions,
                    "unidentifiable": [{"name": u.name, "reason": u.reason} for u in rule.unidentifiable],
                    "contexts": list(rule.contexts),
                    "status_if_present": o.status or "not-in-force",
                    "severity_if_present": o.severity,
                    "effective": o.effective,
                    "missing_contexts": o.missing_contexts,
                    "actions": [
                        {
                            "action": a.id,
                            "description": a.description,
                            "effective": a.effective.isoformat(),
                            "until": a.until.isoformat() if a.until else None,
                            "contexts": sorted(set(rule.contexts) | set(a.contexts)),
                        }
                        for a in rule.actions
                    ],
                    "sources": [{"url": s.url, "kind": s.kind, "title": s.title} for s in rule.sources],
                    "verification": {
                        "status": rule.verification_status,
                        "last_verified": rule.last_verified.isoformat(),
                        "notes": rule.verification_notes,
                    },
                }
            )
        return out

    def coverage_limits(self) -> list[dict[str, Any]]:
        """What the rules this scan applies name but cannot identify: one stated limit per rule.

        A rule applies when it would give a finding in this scan's contexts (a violation, an advisory or
        an upcoming action); rules out of scope or not in force are left out, as they judge nothing here.
        """
        out = []
        for rule in self.selected_rules:
            status = self.outcomes[rule.id].status
            if not rule.unidentifiable or status is None or status == "out-of-scope":
                continue
            out.append(
                {
                    "rule_id": rule.id,
                    "jurisdiction": rule.jurisdiction,
                    "title": rule.title,
                    "message": rule.coverage_limit,
                    "unidentifiable": [{"name": u.name, "reason": u.reason} for u in rule.unidentifiable],
                }
            )
        return out


class Tally:
    """One input's components evaluated as its reader makes them: only counts and matches are kept.

    A scan hands one to the reader as ``Source.sink``. A reader that supports it calls it with each
    component instead of keeping a list, and returns it as the inventory's components; ``evaluate``
    then takes its counts and makes the findings of the matched components. A million-component SBOM
    is so never a million ``Component`` records at once: memory grows with what matched, not with the
    input. Each component is matched exactly as ``evaluate`` matches a list (fields over
    ``MAX_FIELD_CHARS`` cut first, the cut noted in ``cut_notes`` for ``read_source`` to list after the
    reader's own problems, as ``bound_fields`` does). Findings wait for the end: the SBOM's subject (its
    metadata component), which decides which findings concern an integrating product, may come last.
    The order of findings does not matter, as the report sorts them.

    An inventory table (``compliance.readers.tabular.tally_rows``) counts its rows itself and hands on
    only the rows that matched (``row``): those a selected rule covers are kept for their findings, the
    others counted and listed as ``evaluate`` lists them, so a fleet's matches without a finding (a
    Microsoft title on a fifth of the rows) are not kept either.
    """

    __slots__ = (
        "count", "cut_notes", "evaluator", "kept", "listed", "listed_keys", "matched", "no_rule", "path", "subject",
        "with_identity",
    )

    def __init__(self, evaluator: Evaluator, path: str) -> None:
        self.evaluator = evaluator
        self.path = path
        self.clear()

    def clear(self) -> None:
        """Nothing counted yet (a table read again from its start)."""
        self.count = self.with_identity = self.matched = self.no_rule = 0
        self.kept: list[tuple[Component, list[Match]]] = []  # matched components, made findings at the end
        self.subject: tuple[Component, list[Match]] | None = None  # the metadata component, when one came
        self.cut_notes: list[str] = []
        self.listed: list[dict[str, Any]] = []  # table rows matched that no selected rule covers, as listed
        self.listed_keys: set[Any] = set()

    def __len__(self) -> int:
        return self.count

    def __call__(self, comp: Component) -> None:
        """A component whose fields may be over the limit (they are cut here, as ``bound_fields`` cuts)."""
        if longest_field(comp) > MAX_FIELD_CHARS:
            cut_fields(comp, self.cut_notes)
        self.bounded(comp)

    def bounded(self, comp: Component) -> None:
        """A component whose reader knows every field to be within ``MAX_FIELD_CHARS``."""
        self.count += 1
        if comp.vendor_fields or comp.has_vendor_identity:
            self.with_identity += 1
        matches = self.evaluator.index.match_unmemoised(comp)
        if type(comp.location) is str and comp.location.endswith("metadata/component"):
            self.subject = (comp, matches)
        if matches:
            self.matched += 1
            self.kept.append((comp, matches))

    def covered(self, matches: list[Match]) -> bool:
        """Whether a selected rule covers one of ``matches``: only then do they make a finding."""
        rules = self.evaluator.rules_by_vendor
        return any(rule.covers(m.vendor.id, m.product, m.kind) for m in matches for rule, _ in rules.get(m.vendor.id, ()))

    def row(self, comp: Component, matches: list[Match], covered: bool, key: Any = None) -> None:
        """A table row that matched (already counted among the components); ``covered``: ``covered(matches)``.
        ``key``: list a match without a finding once per key (a table's distinct rows), not once per row."""
        self.matched += 1
        if covered:
            self.kept.append((comp, matches))
            return
        self.no_rule += 1
        if len(self.listed) < UNFLAGGED_LISTED and (key is None or key not in self.listed_keys):
            if key is not None:
                self.listed_keys.add(key)
            self.listed.append(_unflagged(comp, matches[0]))

    def findings(self, subject: dict[str, Any] | None, found: list[Finding], unflagged: list[dict[str, Any]]) -> int:
        """The findings of the matched components, as ``evaluate`` makes them for a list, added to
        ``found`` (``subject``: what the input's metadata says of its subject, when it names one); the
        first matches no selected rule covers go into ``unflagged``. Returns how many such matches there were.
        """
        whose = self.subject[0] if subject and self.subject is not None else None
        first_party = frozenset(m.vendor.id for m in self.subject[1]) if whose is not None else frozenset()
        no_rule = self.no_rule
        unflagged.extend(self.listed)
        for comp, matches in self.kept:
            before = len(found)
            if whose is None or comp is whose:
                self.evaluator._findings_for(comp, matches, self.path, found)
            else:
                self.evaluator._findings_for(comp, matches, self.path, found, subject, first_party)
            if len(found) == before:
                no_rule += 1
                if len(unflagged) < UNFLAGGED_LISTED:
                    unflagged.append(_unflagged(comp, matches[0]))
        return no_rule
