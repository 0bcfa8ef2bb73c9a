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

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from compliance.identifiers import purl_key
from compliance.normalize import org_tokens, product_tokens
from compliance.rulepack.model import Product, Rule, RulePack, Vendor
from compliance.untrusted import quoted

_DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}")


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
        for it in v.identifiers.get("email_domain", []):
            if not _DOMAIN.fullmatch(it.value):
                problems.append(f"{where}: identifiers.email_domain: {quoted(it.value)} must be a bare domain (kaspersky.com)")
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


def _reversed_domain(domain: str) -> str:
    """A domain as the namespace it is (``kaspersky.com`` -> ``com.kaspersky``): the matcher takes an
    address's longest catalog domain, so a subdomain is nested inside its domain as a namespace is."""
    return ".".join(reversed(domain.lower().split(".")))


def identity_overlap_problems(vendors: Iterable[Vendor]) -> list[str]:
    """Identifiers of one vendor that lie inside another vendor's identity space.

    The matcher prefers the more specific entry (a product CPE over a CPE vendor, the longest namespace or
    purl prefix), so a vendor claiming ``kaspersky:anti-virus`` or ``com.kaspersky.kes`` would take those
    components away from Kaspersky and its rules: an add-on pack (``--rules``, ``rules:`` in a policy file)
    could turn a FAIL into a PASS while every name in it looked harmless. Exact duplicates are caught by the
    loader's collision check; this catches nesting, either way round: a namespace, an app id, a purl (or a
    Maven group), an e-mail domain (read as the namespace it reverses to) and another vendor's namespace
    or purl prefix; a product CPE and another vendor's CPE
    vendor; a winget id and another vendor's winget publisher; a name, brand or product name that starts
    with another vendor's brand ("Kaspersky Endpoint Security Cloud Plus"). The vendor read later (an add-on pack's,
    since packs load in order) is the one named.
    """
    vendors = list(vendors)
    order = {v.id: i for i, v in enumerate(vendors)}
    seps = {"namespace": ".", "cpe": ":", "winget": ".", "purl": "/"}
    # kind -> key -> (owner, what); kind -> every proper prefix of a key -> (owner, what) of a key below it
    exact: dict[str, dict[str, tuple[str, str]]] = {k: {} for k in seps}
    below: dict[str, dict[str, tuple[str, str]]] = {k: {} for k in seps}

    def space(owner: str, kind: str, key: str, what: str) -> None:
        exact[kind].setdefault(key, (owner, what))
        sep, cut = seps[kind], key.rfind(seps[kind])
        while cut > 0:
            below[kind].setdefault(key[:cut], (owner, what))
            cut = key.rfind(sep, 0, cut)

    for v in vendors:
        for it in v.identifiers.get("namespace", []):
            space(v.id, "namespace", it.value.lower(), f"namespace {it.value}")
        for it in v.identifiers.get("cpe_vendor", []):
            space(v.id, "cpe", it.value.lower(), f"CPE vendor {it.value}")
        for it in v.identifiers.get("winget_publisher", []):
            space(v.id, "winget", it.value.lower(), f"winget publisher {it.value}")
        for it in v.identifiers.get("email_domain", []):  # kaspersky.com is the namespace com.kaspersky
            space(v.id, "namespace", _reversed_domain(it.value), f"e-mail domain {it.value}")
        for it in [*v.identifiers.get("purl", []), *(i for p in v.products for i in p.identifiers.get("purl", []))]:
            key = purl_key(it.value.rstrip("/"))
            if key is not None:
                space(v.id, "purl", key, f"purl {it.value}")
    problems: list[str] = []

    def check(v: Vendor, field: str, value: str, kind: str, key: str) -> None:
        sep = seps[kind]
        found = [exact[kind].get(key[:cut]) for cut in [i for i, ch in enumerate(key) if ch == sep] + [len(key)]]
        found.append(below[kind].get(key))
        for hit in found:
            if hit is not None and order.get(hit[0], -1) < order[v.id]:
                problems.append(
                    f"{v.file}: vendor {v.id}: {field}: {quoted(value)} overlaps vendor {hit[0]}'s {hit[1]}: "
                    "a vendor may not claim another vendor's identifiers"
                )
                return

    for v in vendors:
        for it in v.identifiers.get("namespace", []):
            check(v, "identifiers.namespace", it.value, "namespace", it.value.lower())
        for it in v.identifiers.get("cpe_vendor", []):
            check(v, "identifiers.cpe_vendor", it.value, "cpe", it.value.lower())
        for it in v.identifiers.get("winget_publisher", []):
            check(v, "identifiers.winget_publisher", it.value, "winget", it.value.lower())
        for it in v.identifiers.get("email_domain", []):
            check(v, "identifiers.email_domain", it.value, "namespace", _reversed_domain(it.value))
        for field, it in [("identifiers.purl", i) for i in v.identifiers.get("purl", [])] + [
            (f"products.{p.id}.identifiers.purl", i) for p in v.products for i in p.identifiers.get("purl", [])
        ]:
            key = purl_key(it.value.rstrip("/"))
            if key is None:
                continue
            check(v, field, it.value, "purl", key)
            parts = key.split("/")
            if parts[0] in ("maven", "gradle") and len(parts) >= 2:
                check(v, field, it.value, "namespace", parts[1])
        for p in v.products:
            for kind in ("android", "bundle", "swid"):
                for it in p.identifiers.get(kind, []):
                    check(v, f"products.{p.id}.identifiers.{kind}", it.value, "namespace", it.value.lower())
            for it in p.identifiers.get("cpe", []):
                check(v, f"products.{p.id}.identifiers.cpe", it.value, "cpe", it.value.lower())
            for it in p.identifiers.get("winget", []):
                check(v, f"products.{p.id}.identifiers.winget", it.value, "winget", it.value.lower())
    brands: dict[tuple[str, ...], str] = {}
    for v in vendors:
        for b in v.brands:
            brands.setdefault(org_tokens(b.value), v.id)
    for v in vendors:
        names = [("names", n.value, org_tokens(n.value)) for n in v.names]
        names += [("brands", b.value, org_tokens(b.value)) for b in v.brands]
        names += [(f"products.{p.id}.names", n, product_tokens(n)) for p in v.products for n in (p.name, *(i.value for i in p.names))]
        for field, value, toks in names:
            owner = next((brands[toks[:k]] for k in range(1, len(toks) + 1) if toks[:k] in brands), None)
            if owner is not None and order[owner] < order[v.id]:
                problems.append(
                    f"{v.file}: vendor {v.id}: {field}: {quoted(value)} starts with vendor {owner}'s brand: "
                    "a vendor may not claim another vendor's identifiers"
                )
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
