"""Rule pack records: a vendor catalog (who a vendor is) kept apart from rules (what is barred).

msgspec ``Struct``s, ``array_like`` so that the rule-pack cache stores each as a msgpack array of its
fields in order (``compliance.rulepack.cache``). No ``from __future__ import annotations``: msgspec
reads real annotations faster than strings when a warm scan makes the cache's decoder.
"""

from collections.abc import Collection
from datetime import date

import msgspec

NON_BINDING = frozenset({"advisory", "vendor-withdrawal"})

# What a piece of software or equipment is, as far as a rule's scope is concerned. Rules say which kinds they
# cover (``covers.kinds``); every catalog product has one kind; a registry package that no catalog product
# identifier names is a ``library``. The names are a fixed vocabulary shared by every pack.
KINDS = (
    "app",
    "security-software",
    "service",
    "sdk",
    "library",
    "developer-tool",
    "operating-system",
    "telecom-equipment",
    "surveillance-equipment",
    "drone",
    "vehicle-software",
    "hardware",
)


class Ident(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """A catalog identifier with how well it is sourced (primary, secondary, unverified)."""

    value: str
    status: str = "secondary"
    note: str = ""


class Product(msgspec.Struct, array_like=True, gc=False):
    """A catalog product of one vendor: its names and identifiers, and the kind of software it is."""

    id: str
    vendor: str
    name: str
    category: str
    kind: str | None = None  # None only in packs that do not declare kinds yet
    summary: str = ""
    names: list[Ident] = []
    identifiers: dict[str, list[Ident]] = {}


class Vendor(msgspec.Struct, array_like=True, gc=False):
    """A catalog vendor: who it is (names, brands, identifiers) and its products; rules name vendors by ``id``."""

    id: str
    name: str
    country: str = ""
    summary: str = ""
    names: list[Ident] = []
    brands: list[Ident] = []
    identifiers: dict[str, list[Ident]] = {}
    products: list[Product] = []
    sources: list[str] = []
    file: str = ""
    # What a vendor-level match (no product identified) of non-registry software is taken as: installed
    # software (``software_kind``) and devices or firmware (``equipment_kind``). Empty: not declared.
    software_kind: str = ""
    equipment_kind: str = ""


class Action(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """One dated obligation of a rule (identify, remove, stop buying...), in force from ``effective``."""

    id: str
    description: str
    effective: date
    until: date | None = None
    contexts: tuple[str, ...] = ()
    note: str = ""


class Source(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """Where a rule's facts come from: a URL and whether it is a primary or secondary source."""

    url: str
    kind: str
    title: str = ""


class Unidentifiable(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """Something a rule names that complycheck cannot identify (a web site, an app with no known id), and why.

    Declared on the rule (``covers.unidentifiable``) so that ``rules show`` and every report that applies
    the rule state it as a coverage limit, instead of leaving a silent miss in prose.
    """

    name: str
    reason: str


def coverage_limit_text(names: list[str] | tuple[str, ...]) -> str:
    """The stated limit in words: ``this rule also names 3 products complycheck cannot identify: a, b, c``."""
    count = len(names)
    noun = "product" if count == 1 else "products"
    return f"this rule also names {count} {noun} complycheck cannot identify: {', '.join(names)}"


class Rule(msgspec.Struct, array_like=True, gc=False):
    """One government measure: what it covers (vendors, products, kinds), where, when and for which contexts."""

    id: str
    title: str
    jurisdiction: str
    authority: str
    instrument: str
    citation: str
    binding: str
    summary: str
    vendors: tuple[str, ...]
    products: tuple[str, ...]
    categories: tuple[str, ...]
    exclude_products: tuple[str, ...]
    exclusions: str
    contexts: tuple[str, ...]
    actions: tuple[Action, ...]
    sources: tuple[Source, ...]
    verification_status: str
    last_verified: date
    verification_notes: str = ""
    notes: str = ""
    file: str = ""
    pack: str = ""
    # Vendors whose coverage is narrowed to ``products``; set by the loader from the catalog.
    scoped_vendors: frozenset[str] = frozenset()
    # Product kinds the rule covers (``covers.kinds``). Empty only in packs that do not declare it yet.
    kinds: frozenset[str] = frozenset()
    # What the rule names but no catalog product can identify (``covers.unidentifiable``): a stated limit.
    unidentifiable: tuple[Unidentifiable, ...] = ()

    @property
    def coverage_limit(self) -> str:
        """The stated coverage limit of ``unidentifiable``, or "" when the rule declares none."""
        return coverage_limit_text([u.name for u in self.unidentifiable]) if self.unidentifiable else ""

    @property
    def is_binding(self) -> bool:
        return self.binding not in NON_BINDING

    @property
    def first_effective(self) -> date:
        return min(a.effective for a in self.actions)

    def covers(self, vendor: str, product: Product | None, kind: str | None) -> bool:
        """Whether a component of ``vendor``, identified as ``product`` (or not) of ``kind``, is in scope.

        ``products`` narrows only the vendors those products belong to: a rule on "WeChat and the
        Kaspersky suite" lists WeChat, so Tencent is narrowed to WeChat while all of Kaspersky stays
        covered. Anything else must be of a kind
        the rule covers (``kind`` None, undecided because the vendor declares no kinds, is covered).
        ``categories`` narrows every vendor of the rule.
        """
        if product is not None and product.id in self.exclude_products:
            return False
        if vendor in self.scoped_vendors:
            return product is not None and product.id in self.products
        if self.kinds and kind is not None and kind not in self.kinds:
            return False
        if self.categories:
            return product is not None and product.category in self.categories
        return True

    def covers_product(self, vendor: str, product: Product | None) -> bool:
        """``covers`` for a catalog product (its own kind) or the vendor with no product and no kind."""
        return self.covers(vendor, product, product.kind if product is not None else None)


class ContextDef(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """A context of use (``federal``, ``mobile``...) and the contexts it implies."""

    id: str
    description: str
    implies: tuple[str, ...] = ()
    # Implications that hold only for the rules of some jurisdictions: ``(("US", ("federal",)),)`` makes
    # ``government`` give ``federal`` for US rules (the US national government is the federal government).
    implies_in: tuple[tuple[str, tuple[str, ...]], ...] = ()


class JurisdictionDef(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """A jurisdiction code and the codes it includes (``US-TX`` includes ``US``)."""

    code: str
    name: str
    description: str = ""
    includes: tuple[str, ...] = ()


class RulePack(msgspec.Struct, array_like=True):
    """One or more packs merged: the built-in pack plus any ``--rules DIR`` packs."""

    name: str
    version: str
    contexts: dict[str, ContextDef]
    jurisdictions: dict[str, JurisdictionDef]
    vendors: dict[str, Vendor]
    products: dict[str, Product]
    rules: list[Rule]
    packs: list[dict[str, str]] = []
    # None: every rule of the pack is in ``rules``. Else only these jurisdictions' rules were loaded
    # (a scan's own pack from the cache: ``compliance.rulepack.cache.load_entry``).
    loaded_jurisdictions: frozenset[str] | None = None

    def rule(self, rule_id: str) -> Rule | None:
        for r in self.rules:
            if r.id == rule_id:
                return r
        return None

    def expand_contexts(self, contexts: list[str], jurisdictions: Collection[str] = ()) -> set[str]:
        """The contexts given plus everything they imply (``federal`` implies ``government``), and what they
        imply only in one of ``jurisdictions`` (the codes a scan selects): with US, ``government`` gives
        ``federal``, because the national government of the US is its federal government."""
        edges = {
            c.id: c.implies + tuple(i for code, implied in c.implies_in if code in jurisdictions for i in implied)
            for c in self.contexts.values()
        }
        return _closure(contexts, edges)

    def expand_jurisdictions(self, codes: list[str]) -> set[str]:
        """Codes plus the codes they include (``US-TX`` includes ``US``)."""
        return _closure(codes, {j.code: j.includes for j in self.jurisdictions.values()})


def _closure(start: list[str], edges: dict[str, tuple[str, ...]]) -> set[str]:
    """Everything reachable from ``start`` along ``edges`` (cycles are harmless)."""
    out: set[str] = set()
    todo = list(start)
    while todo:
        item = todo.pop()
        if item not in out:
            out.add(item)
            todo.extend(edges.get(item, ()))
    return out
