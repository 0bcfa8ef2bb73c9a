"""``complycheck rules validate``: schema and semantic checks of rule packs, one line per problem.

The loader (``compliance.rulepack.loader``) runs the schema checks and the cross-file checks (unknown
vendors, products and contexts, duplicate ids, dates out of order, identifier collisions). This module adds
the checks that need parsing of identifier values or a look across a rule's own fields, and is called by the
loader so that a pack that fails them can never be used for a scan either:

- catalog purl entries that are not package URLs (the matcher could not index them);
- CPE entries that are not ``vendor:product`` pairs;
- a rule marked ``verified`` without a primary source;
- a product both covered and excluded by the same rule;
- two actions of one rule with the same id;
- a ``last_verified`` date after the pack is checked (a date in the future).

Every line names the file, the rule or vendor, and the field: ``FILE: rule ID: FIELD: message``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from compliance.identifiers import purl_key
from compliance.rulepack.model import Rule, RulePack, Vendor
from compliance.untrusted import quoted


def catalog_problems(vendors: Iterable[Vendor]) -> list[str]:
    """Identifier values in the vendor catalog that the matcher cannot use."""
    problems: list[str] = []
    for v in vendors:
        where = f"{v.file}: vendor {v.id}"
        for it in v.identifiers.get("purl", []):
            if purl_key(it.value.rstrip("/")) is None:
                problems.append(f"{where}: identifiers.purl: {quoted(it.value)} is not a package URL (pkg:type/namespace...)")
        for it in v.identifiers.get("cpe_vendor", []):
            if ":" in it.value or not it.value.strip():
                problems.append(f"{where}: identifiers.cpe_vendor: {quoted(it.value)} must be a bare CPE vendor name")
        for p in v.products:
            for it in p.identifiers.get("purl", []):
                if purl_key(it.value.rstrip("/")) is None:
                    problems.append(
                        f"{where}: products.{p.id}.identifiers.purl: {quoted(it.value)} is not a package URL (pkg:type/namespace...)"
                    )
            for it in p.identifiers.get("cpe", []):
                vend, sep, prod = it.value.partition(":")
                if not sep or not vend.strip() or not prod.strip() or ":" in prod:
                    problems.append(f"{where}: products.{p.id}.identifiers.cpe: {quoted(it.value)} is not a vendor:product pair")
    return problems


def rule_problems(rules: Iterable[Rule], today: date | None = None) -> list[str]:
    """Problems inside single rules that the schema cannot express."""
    today = today or date.today()
    problems: list[str] = []
    for r in rules:
        where = f"{r.file}: rule {r.id}"
        if r.verification_status == "verified" and not any(s.kind == "primary" for s in r.sources):
            problems.append(f"{where}: verification.status: 'verified' needs at least one primary source")
        both = sorted(set(r.products) & set(r.exclude_products))
        if both:
            problems.append(f"{where}: covers.exclude_products: {', '.join(both)} also listed in covers.products")
        seen: set[str] = set()
        for i, a in enumerate(r.actions):
            if a.id in seen:
                problems.append(f"{where}: actions.{i}.id: duplicate action id {a.id!r}")
            seen.add(a.id)
        if r.last_verified > today:
            problems.append(f"{where}: verification.last_verified: {r.last_verified.isoformat()} is in the future")
    return problems


@dataclass
class ValidationResult:
    problems: list[str]
    pack: RulePack | None
    paths: list[Path]

    @property
    def ok(self) -> bool:
        return not self.problems and self.pack is not None

    def summary(self) -> str:
        """The one-line OK summary (only meaningful when ``ok``)."""
        assert self.pack is not None
        pack = self.pack
        statuses = {s: sum(1 for r in pack.rules if r.verification_status == s) for s in ("verified", "secondary", "unverified")}
        return (
            f"OK: {pack.version}: {len(pack.rules)} rules in {len({r.jurisdiction for r in pack.rules})} jurisdictions "
            f"({statuses['verified']} verified, {statuses['secondary']} secondary, {statuses['unverified']} unverified), "
            f"{len(pack.vendors)} vendors, {len(pack.products)} products, {len(pack.contexts)} contexts"
        )


def validate(paths: Iterable[str | Path] | None = None) -> ValidationResult:
    """Validate the given pack directories together (default: the built-in pack)."""
    from compliance.rulepack.loader import builtin_pack_dir, collect_problems

    dirs = [Path(p) for p in paths] if paths else [builtin_pack_dir()]
    problems, pack = collect_problems(dirs)
    return ValidationResult(problems, pack, dirs)
