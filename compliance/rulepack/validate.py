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
- a ``last_verified`` date after the pack is checked (a date in the future);
- completeness: a product a rule names (``covers.products``) that has no identifier, so the catalog could
  never identify it; what a rule names but cannot identify belongs in ``covers.unidentifiable`` (a stated
  coverage limit), and an entry there that is in fact a catalog product with identifiers is refused too.

Every line names the file, the rule or vendor, and the field: ``FILE: rule ID: FIELD: message``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from compliance.identifiers import purl_key
from compliance.rulepack.model import Product, Rule, RulePack, Vendor
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


# The product identifiers that identify a product by itself (``Product.identifiers`` keys).
PRODUCT_IDENTIFIER_KINDS = ("android", "bundle", "winget", "purl", "cpe", "swid")


def has_identifier(product: Product) -> bool:
    """Whether the catalog can identify the product by an identifier of its own (not by its name alone)."""
    return any(product.identifiers.get(kind) for kind in PRODUCT_IDENTIFIER_KINDS)


def completeness_problems(rules: Iterable[Rule], products: dict[str, Product]) -> list[str]:
    """Products a rule names that the catalog cannot identify, and declared gaps that are not gaps.

    A rule's named products must all be catalog products with at least one identifier: a product known
    only by its display name fails nothing that reports it under another name, a silent miss. What a rule
    names but nothing can identify (a web site, an app with no known id) is declared in
    ``covers.unidentifiable`` and shown as a stated coverage limit; a catalog product without identifiers
    may stay in ``covers.products`` (its exact name still matches) only when it is declared there too.
    """
    from compliance.normalize import product_tokens

    by_name: dict[str, Product] = {}
    for p in products.values():
        if has_identifier(p):
            for text in (p.name, *(n.value for n in p.names)):
                by_name.setdefault(" ".join(product_tokens(text)), p)
    kinds = ", ".join(PRODUCT_IDENTIFIER_KINDS)
    problems: list[str] = []
    for r in rules:
        where = f"{r.file}: rule {r.id}"
        declared = {" ".join(product_tokens(u.name)) for u in r.unidentifiable}
        for pid in r.products:
            p = products.get(pid)
            # A product known only by its display name may stay covered (an inventory that shows that exact
            # name still matches), but only when the rule declares the limit.
            if p is not None and not has_identifier(p) and " ".join(product_tokens(p.name)) not in declared:
                problems.append(
                    f"{where}: covers.products: product {pid!r} ({quoted(p.name)}) has no identifier ({kinds}), so "
                    "complycheck cannot identify it: add a sourced identifier to the catalog, or declare it by that "
                    "name in covers.unidentifiable with the reason"
                )
        seen: set[str] = set()
        for i, u in enumerate(r.unidentifiable):
            key = " ".join(product_tokens(u.name))
            if key in seen:
                problems.append(f"{where}: covers.unidentifiable.{i}.name: {quoted(u.name)} is listed twice")
            seen.add(key)
            known = by_name.get(key)
            if known is not None:
                problems.append(
                    f"{where}: covers.unidentifiable.{i}.name: {quoted(u.name)} is catalog product {known.id!r} "
                    f"(vendor {known.vendor!r}), which has identifiers: cover it in covers.vendors and covers.products instead"
                )
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
