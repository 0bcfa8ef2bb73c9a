"""Tie components to catalog vendors and products through an index built once per scan.

Every lookup is a dict probe (exact key, or a handful of prefixes at token, dot or slash
boundaries), so the cost per component does not depend on how many vendors or rules exist.

Every piece of evidence has a strength (see ``STRENGTHS``), and every match is decided once per
component: its vendor, the product if a catalog product is identified, the product kind that rules'
``covers.kinds`` are checked against, and the strength of its best evidence.

- *strong*: a product identifier (Android/Apple/winget id, CPE product, product purl), an Apple Team
  ID, or the vendor's legal name with a compatible legal form in a vendor field of non-registry software.
- *broad*: identity of the vendor but not of a product or legal entity: a vendor-wide prefix
  (``com.tencent``, ``pkg:golang/github.com/bytedance``), a CPE vendor, a winget publisher, the bare brand,
  a catalog name without legal form, any vendor name in a registry package's self-declared metadata, or
  the component's own name equal to a catalog product name (non-registry software only).
- *weak*: a brand as the leading words of a longer vendor string ("Huawei fan", "Autel Intelligent
  Technology") or of the component's name. Weak evidence alone never fails a binding rule.
"""

from __future__ import annotations

from itertools import compress, count, repeat
from operator import and_, itemgetter, not_, or_
from typing import TYPE_CHECKING, NamedTuple

import msgspec

from compliance.identifiers import (
    cpe_vendor_product,
    path_prefixes_in,
    purl_key,
    swid_namespace,
    winget_publisher,
)
from compliance.model import Component, Evidence
from compliance.normalize import (
    _DOTTED,
    ASCII_LINES,
    ASCII_WORDS,
    FOLD_INVISIBLE,
    FOLD_PLACE,
    FOLD_SPLIT,
    ascii_equivalents,
    confusable_org_name,
    confusable_product_tokens,
    display_order,
    forms_conflict,
    has_format_characters,
    identifier_text,
    is_distinctive,
    joined_tokens,
    legal_form_spellings,
    org_name,
    org_tokens,
    person_address,
    product_tokens,
    registered_place_cut,
    screen_words,
    trimmable,
    unspaced,
)
from compliance.rulepack.model import Product, RulePack, Vendor

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable

# purl types whose names are picked by publishers or packagers, not proven by the vendor.
REGISTRY_PURL_TYPES = frozenset(
    ["npm", "pypi", "maven", "gradle", "golang", "cargo", "gem", "nuget", "composer", "cocoapods", "swift", "pub", "hex", "conda", "cran", "hackage", "github", "bitbucket", "gitlab", "deb", "rpm", "apk", "alpm", "bower", "clojars", "conan", "cpan", "luarocks", "opam", "pypi", "swid", "oci", "docker", "huggingface", "mlflow", "qpkg", "bitnami"]
)


# Other purl types seen in SBOMs (purl-spec); with the registry types, the ones ``purl_miss_types`` is built from.
COMMON_PURL_TYPES = frozenset({"generic", "github", "bitbucket", "hex", "pub", "swift", "vscode-extension", "cpan"})

# purl types whose name is an installed app's id: ``pkg:android/<application id>`` and ``pkg:ios/<bundle id>``
# (owasp-dep-scan/blint's APK and IPA SBOMs), ``pkg:apple/ios/<bundle id>`` (spice-labs-inc/goatrodeo's
# provisional IPA purl). They are looked up as the app id, like the same id in ``group`` or ``swid.tagId``.
APP_PURL_TYPES = {"android": "android", "ios": "bundle", "apple": "bundle"}

# purl types whose namespace names a Linux distribution rather than a publisher.
OS_PACKAGE_TYPES = frozenset({"deb", "rpm", "apk", "alpm"})

# Registry packages that are libraries for coverage: a rule covers them only if it names kind "library",
# unless a catalog product identifier names the package. OS packages and images are installed software.
LIBRARY_PURL_TYPES = REGISTRY_PURL_TYPES - OS_PACKAGE_TYPES - {"swid", "oci", "docker", "bitnami", "qpkg"}

# CycloneDX component types that are hardware or its firmware: a vendor-level match takes the vendor's
# equipment kind (a Huawei router's firmware is telecom equipment, a Huawei PC app is not).
EQUIPMENT_TYPES = frozenset({"device", "firmware", "device-driver"})


STRENGTHS = ("weak", "broad", "strong")
_NO_HITS: tuple[()] = ()
_UNSEEN = object()  # not in the name cache (None there is a cached miss)
STRENGTH_RANK = {s: i for i, s in enumerate(STRENGTHS)}

# Why a method has its strength, completing "<field> '<value>' ...". ``{m}`` is the catalog entry.
_WHY = {
    "product-identifier": "is the catalog identifier {m} of this product",
    "team-id": "is the vendor's {m}",
    "vendor-prefix": "falls under the vendor-wide prefix {m}, which names the vendor, not a product",
    "cpe-vendor": "names the {m}, not a catalog product",
    "winget-publisher": "names the {m}, not a catalog product",
    "legal-name": "is the legal name {m}",
    "name": "is the catalog name {m} without a legal form to confirm the entity",
    "registry-name": "names {m} in self-declared registry metadata, which proves no product",
    "brand": "is the brand {m}, not a legal name",
    "brand-prefix": "only starts with the brand {m}",
    "product-name": "equals the catalog product name {m}, with no identifier to confirm it",
    "brand-in-name": "only starts with the brand {m}",
    "email-domain": "is an address at {m}, the vendor's own domain, which names the vendor, not a product",
}


class _Hit(NamedTuple):
    """A NamedTuple, not a dataclass: match memo keys hash several of these per component, and a
    tuple hashes in C."""

    vendor: str
    product: str | None
    label: str  # what in the catalog matched, for the evidence record
    method: str
    strength: str = "broad"
    folded: tuple[str, ...] = ()  # what the value needed before it matched (normalize.FOLD_*, a legal form)


class Match(msgspec.Struct, frozen=True, gc=False):
    vendor: Vendor
    product: Product | None
    evidence: tuple[Evidence, ...]
    kind: str | None = None  # product kind decided once per component match; None: undecided
    strength: str = "broad"  # of the best evidence
    why: str = ""  # one sentence: why it matched at that strength, for finding messages


def decide_kind(vendor: Vendor, product: Product | None, library: bool, comp_type: str) -> str | None:
    """What the matched component is, for ``covers.kinds``: the product's kind when a catalog product
    identifies it; ``library`` for any other registry package; else what the vendor declares for
    its equipment or installed software (None when it declares nothing)."""
    if product is not None:
        return product.kind
    if library:
        return "library"
    if comp_type == "operating-system":
        return "operating-system"
    if comp_type in EQUIPMENT_TYPES:
        return vendor.equipment_kind or vendor.software_kind or None
    return vendor.software_kind or None


def _norm_purl_entry(value: str) -> str:
    """Catalog purl entries are prefixes at path boundaries: ``pkg:golang/github.com/bytedance``."""
    key = purl_key(value.rstrip("/"))
    if key is None:
        raise ValueError(f"not a package URL: {value!r}")
    return key


class VendorIndex:
    """Dictionaries from normalised names and identifiers to catalog vendors and products.

    Every attribute is annotated here: the rule-pack cache stores an index by these annotations
    (``compliance.rulepack.cache``), and does not store one with an attribute they do not name.
    """

    vendors: dict[str, Vendor]  # the pack's own
    products: dict[str, Product]
    # Names by tokens, each with its legal forms: several entries can share tokens ("AO Kaspersky Lab",
    # "Kaspersky Lab, Inc.") and the legal form decides which one, if any, a value names.
    org_exact: dict[tuple[str, ...], list[tuple[_Hit, frozenset[str]]]]
    brand_prefix: dict[tuple[str, ...], _Hit]
    max_brand: int
    namespace: dict[str, _Hit]
    purl: dict[str, _Hit]
    cpe_vendor: dict[str, _Hit]
    cpe_product: dict[tuple[str, str], _Hit]
    team_id: dict[str, _Hit]
    winget_pub: dict[str, _Hit]
    email_domain: dict[str, _Hit]  # the domain of a 'Name <address>' vendor field
    exact: dict[tuple[str, str], _Hit]
    product_name: dict[tuple[str, ...], _Hit]
    _org_cache: dict[str, _Hit | None]  # the memos: empty in a new index
    _memo: dict[tuple, list[Match]]
    _match_memo: dict[tuple, Match]
    _registry_hits: dict[_Hit, _Hit]
    purl_known: frozenset[str]
    ns_known: frozenset[str]
    app_ids: frozenset[str]
    cpe_vendors: frozenset[str]
    purl_heads: dict[str, set[str]]
    purl_miss_types: frozenset[str]
    purl_types: dict[str, tuple[str, bool, bool, bool, int]]
    split_words: frozenset[str]  # catalog words a split name may be joined back into (normalize.joined_tokens)
    unspaced_brands: tuple[tuple[str, _Hit], ...]  # brands written in CJK script, matched as leading characters

    def __init__(self, pack: RulePack) -> None:
        self.vendors = pack.vendors
        self.products = pack.products
        self.org_exact = {}
        self.brand_prefix = {}
        self.max_brand = 1
        self.namespace = {}
        self.purl = {}
        self.cpe_vendor = {}
        self.cpe_product = {}
        self.team_id = {}
        self.winget_pub = {}
        self.email_domain = {}
        self.exact = {}
        self.product_name = {}
        self._org_cache = {}
        self._memo = {}
        self._match_memo = {}
        self._registry_hits = {}
        for v in pack.vendors.values():
            self._add_vendor(v)
        # Words of catalog names that belong to one vendor only, of 5 letters or more: a value whose plain
        # tokens name nothing is tried once more with such a word's split pieces joined ("Kas persky").
        owners: dict[str, set[str]] = {}
        for toks, entries in self.org_exact.items():
            for t in toks:
                owners.setdefault(t, set()).update(hit.vendor for hit, _forms in entries)
        for toks, hit in self.product_name.items():
            for t in toks:
                owners.setdefault(t, set()).add(hit.vendor)
        self.split_words = frozenset(t for t, vs in owners.items() if len(vs) == 1 and len(t) >= 5 and t.isalpha())
        self.unspaced_brands = tuple(
            (b[0], hit) for b, hit in self.brand_prefix.items() if len(b) == 1 and len(b[0]) > 1 and unspaced(b[0][0])
        )
        # Every prefix of every catalog key, so that a walk over a component's key stops at the first miss.
        self.purl_known = frozenset(k[:i] for k in self.purl for i in _cuts(k, "/"))
        self.ns_known = frozenset(k[:i] for k in self.namespace for i in _cuts(k, "."))
        self.app_ids = frozenset(v for k, v in self.exact if k in ("android", "bundle"))
        # Every vendor a CPE can hit through: a CPE naming another vendor is a miss without parsing it.
        self.cpe_vendors = frozenset(self.cpe_vendor) | {vend for vend, _ in self.cpe_product}
        # "type/segment" prefixes of catalog purls by type: the purl fast path's test without building a key.
        self.purl_heads = {}
        for prefix in self.purl_known:
            ptype, sep, seg = prefix.partition("/")
            if sep and "/" not in seg:
                self.purl_heads.setdefault(ptype, set()).add(seg)
        # purl types no catalog purl starts with and without the maven/gradle namespace probe: a purl of
        # one of these types matches nothing, which the engine sees without a lookup.
        self.purl_miss_types = frozenset(
            t for t in (REGISTRY_PURL_TYPES | COMMON_PURL_TYPES) if t not in self.purl_known and t not in ("maven", "gradle")
        )
        # ``_purl_type``'s answers for every lower-case "pkg:type" of a type the catalog or SBOMs use:
        # one dictionary lookup per purl instead of cutting and testing the type.
        self.purl_types = {
            f"pkg:{t}": (t, t in REGISTRY_PURL_TYPES, t in LIBRARY_PURL_TYPES, t in self.purl_miss_types, 4 + len(t))
            for t in REGISTRY_PURL_TYPES | COMMON_PURL_TYPES | set(APP_PURL_TYPES) | {k.partition("/")[0] for k in self.purl}
            if t and t == t.lower() and "/" not in t
        }

    def _add_vendor(self, v: Vendor) -> None:
        for n in v.names:
            toks, forms = org_name(n.value)
            self.org_exact.setdefault(toks, []).append((_Hit(v.id, None, n.value, "legal-name", "strong"), forms))
        for b in v.brands:
            toks = org_tokens(b.value)
            self.org_exact.setdefault(toks, []).append((_Hit(v.id, None, b.value, "brand"), frozenset()))
            self.brand_prefix.setdefault(toks, _Hit(v.id, None, b.value, "brand-prefix", "weak"))
            self.max_brand = max(self.max_brand, len(toks))
        ids = v.identifiers
        for it in ids.get("namespace", []):
            self.namespace.setdefault(it.value.lower(), _Hit(v.id, None, f"{it.value}.*", "vendor-prefix"))
        for it in ids.get("purl", []):
            self.purl.setdefault(_norm_purl_entry(it.value), _Hit(v.id, None, f"{it.value}/*", "vendor-prefix"))
        for it in ids.get("cpe_vendor", []):
            self.cpe_vendor.setdefault(it.value.lower(), _Hit(v.id, None, f"cpe vendor {it.value}", "cpe-vendor"))
        for it in ids.get("team_id", []):
            self.team_id.setdefault(it.value.upper(), _Hit(v.id, None, f"Apple Team ID {it.value}", "team-id", "strong"))
        for it in ids.get("winget_publisher", []):
            self.winget_pub.setdefault(
                it.value.lower(), _Hit(v.id, None, f"winget publisher {it.value}", "winget-publisher")
            )
        for it in ids.get("email_domain", []):
            self.email_domain.setdefault(it.value.lower(), _Hit(v.id, None, f"e-mail domain {it.value}", "email-domain"))
        for p in v.products:
            pids = p.identifiers
            for kind in ("android", "bundle", "winget", "swid"):
                for it in pids.get(kind, []):
                    hit = _Hit(v.id, p.id, f"{kind} {it.value}", "product-identifier", "strong")
                    self.exact.setdefault((kind, it.value.lower()), hit)
            for it in pids.get("purl", []):
                hit = _Hit(v.id, p.id, it.value, "product-identifier", "strong")
                self.purl.setdefault(_norm_purl_entry(it.value), hit)
            for it in pids.get("cpe", []):
                vend, _, prod = it.value.lower().partition(":")
                self.cpe_product.setdefault((vend, prod), _Hit(v.id, p.id, f"cpe {it.value}", "product-identifier", "strong"))
            for n in [p.name, *(i.value for i in p.names)]:
                toks = product_tokens(n)
                if is_distinctive(toks):
                    self.product_name.setdefault(toks, _Hit(v.id, p.id, n, "product-name"))

    # -- lookups ---------------------------------------------------------------------------

    def lookup_org(self, value: str) -> _Hit | None:
        """A vendor-bearing string: a catalog name or brand, or a catalog brand as its leading tokens.

        Legal forms count: a name with the catalog's legal form (or a compatible one, "Co." within
        "Co., Ltd."; "JSC" is "AO") is strong; a name where either side gives no legal form, or the bare
        brand, is broad; a different legal form is a different company and no name match. A brand leading a
        longer string is weak. A value whose plain tokens match nothing is tried once more with its
        confusable characters read as ASCII (``normalize.confusable_org_name``); the hit then records the fold,
        as it records invisible characters and a legal form read as another spelling of itself.
        """
        cache = self._org_cache
        if value in cache:
            return cache[value]
        if ">" in value:  # "Name <address>": the name alone, looked up (and cached) as such
            person = person_address(value)
            if person is not None:
                return self.lookup_org(person[0])
        toks, forms = org_name(value)
        hit = self._org_hit(toks, forms)
        folded: tuple[str, ...] = ()
        if not value.isascii():
            folded = (FOLD_INVISIBLE,) if has_format_characters(value) else ()
            if hit is None:
                variant = confusable_org_name(value)
                if variant is not None:
                    hit = self._org_hit(variant[0], variant[1])
                    folded += (variant[2],)
                    toks = variant[0] if hit is None else toks
        if hit is None and len(toks) > 1:
            joined = joined_tokens(toks, self.split_words)
            if joined is not None:
                hit = self._org_hit(joined, forms)
                folded += (FOLD_SPLIT,)
                # A split word may be a dodge or two real words ("Kasper Sky", a person): only a legal name
                # with its legal form keeps its strength; anything less is weak (a warning to look at).
                if hit is not None and hit.strength != "strong":
                    hit = hit._replace(strength="weak")
        if hit is not None and folded:
            hit = hit._replace(folded=folded)
        if hit is None and not value.isascii():
            shown = display_order(value)  # stored backwards inside a right-to-left override, shown forwards
            if shown is not None:
                hit = self.lookup_org(shown)
                hit = None if hit is None else _invisible_fold(hit)
        if hit is None and (forms or not value.isascii()):
            hit = self._registered_lead(toks, forms)
        if hit is not None and hit.method == "legal-name":
            note = _form_note(value, hit.label)
            if note:
                hit = hit._replace(folded=(*hit.folded, note))
        if len(cache) < 200_000:
            cache[value] = hit
        return hit

    def lookup_address(self, value: str) -> _Hit | None:
        """The catalog vendor whose e-mail domain (or a subdomain of it) a "Name <address>" value's address
        is at: broad evidence, as a CPE vendor is; None when the value has no address or the catalog no such
        domain. Consumer mail services are never catalog domains."""
        person = person_address(value)
        return None if person is None else self._domain_hit(person[1])

    def _domain_hit(self, domain: str) -> _Hit | None:
        """``lookup_address`` for the address's domain (lower-cased)."""
        folded: tuple[str, ...] = ()
        if not domain.isascii():
            domain, folded = identifier_text(domain)
            domain = domain.lower()
        while True:
            hit = self.email_domain.get(domain)
            if hit is not None:
                return hit._replace(folded=folded) if folded else hit
            cut = domain.find(".")
            if cut < 0:
                return None
            domain = domain[cut + 1 :]

    def _org_hit(self, toks: tuple[str, ...], forms: frozenset[str]) -> _Hit | None:
        """``lookup_org`` for a name's tokens and legal forms."""
        if not is_distinctive(toks):
            return None
        hit = None
        best = -1
        for cand, cand_forms in self.org_exact.get(toks, ()):
            if forms_conflict(forms, cand_forms):
                continue
            if cand.method == "legal-name" and not (forms and cand_forms):
                cand = _Hit(cand.vendor, None, cand.label, "name")
            rank = STRENGTH_RANK[cand.strength]
            if rank > best:
                hit, best = cand, rank
        if hit is None:
            for k in range(min(len(toks), self.max_brand), 0, -1):
                hit = self.brand_prefix.get(toks[:k])
                if hit is not None:
                    break
        return hit

    def _registered_lead(self, toks: tuple[str, ...], forms: frozenset[str]) -> _Hit | None:
        """The last resort of ``lookup_org``, after every other reading: a brand leading a name written
        without spaces (腾讯音乐娱乐集团), or the trade name after the mainland-Chinese place a company name
        leads with ("Beijing ByteDance Technology Co., Ltd.", 北京字节跳动科技有限公司). Weak, as any brand
        leading a longer name is."""
        hit = self._unspaced_lead(toks)
        if hit is None and forms:
            rest = registered_place_cut(toks)
            if rest is not None:
                hit = self._org_hit(rest, frozenset()) or self._unspaced_lead(rest)
                if hit is not None:
                    hit = hit._replace(strength="weak", folded=(*hit.folded, FOLD_PLACE))
        return hit

    def _unspaced_lead(self, toks: tuple[str, ...]) -> _Hit | None:
        """The catalog brand written in Chinese or Japanese script that leads the first token's characters."""
        first = toks[0] if toks else ""
        if first.isascii() or not unspaced(first[0]):
            return None
        return next((hit for brand, hit in self.unspaced_brands if first.startswith(brand)), None)

    def _namespace(self, value: str) -> _Hit | None:
        low = value.lower()
        cut = low.find(".")
        head = low if cut < 0 else low[:cut]
        if head not in self.ns_known:
            return None  # the usual case, decided without the walk
        if cut >= 0:
            # A known first label ("org" of a catalog "org.example") with an unknown second one: the
            # walk would stop there, so the first label is the only candidate.
            cut = low.find(".", cut + 1)
            if (low if cut < 0 else low[:cut]) not in self.ns_known:
                return self.namespace.get(head)
        for prefix in path_prefixes_in(low, ".", self.ns_known):
            hit = self.namespace.get(prefix)
            if hit is not None:
                return hit
        return None

    def lookup_identifier(self, kind: str, value: str) -> list[_Hit] | tuple[()]:
        """Catalog entries an identifier of ``kind`` hits; the shared empty tuple for the usual miss."""
        if not value.isascii():
            shown = display_order(value)  # stored backwards inside a right-to-left override, shown forwards
            if shown is not None:
                return self.lookup_identifier(kind, value.replace("\u202e", "")) or self.lookup_identifier(kind, shown)
            value = identifier_text(value)[0]
        value = value.strip()
        if not value:
            return _NO_HITS
        hits: list[_Hit] = []
        if kind == "purl":
            if self._purl_misses(value):
                return _NO_HITS
            key = purl_key(value)
            if key is None:
                return _NO_HITS
            parts = key.split("/")
            app = _app_id(parts)
            if app is not None:
                return self.lookup_identifier(*app)
            if parts[0] in OS_PACKAGE_TYPES and len(parts) >= 3:
                # The namespace of a deb/rpm purl is the distribution (debian, ubuntu, rhel...), not
                # the vendor: the same package is identified by type and name on every distribution.
                key = f"{parts[0]}/{parts[-1]}"
            for prefix in path_prefixes_in(key, "/", self.purl_known):
                hit = self.purl.get(prefix)
                if hit is not None:
                    hits.append(hit)
                    break
            if parts[0] in ("maven", "gradle") and len(parts) >= 3:
                hit = self._namespace(parts[1])
                if hit is not None:
                    hits.append(hit)
        elif kind == "cpe":
            vp = cpe_vendor_product(value)
            if vp is not None:
                hit = self.cpe_product.get(vp) or self.cpe_vendor.get(vp[0])
                if hit is not None:
                    hits.append(hit)
        elif kind in ("android", "bundle"):
            hit = self.exact.get((kind, value.lower()))
            if hit is not None:
                hits.append(hit)
            hit = self._namespace(value)
            if hit is not None:
                hits.append(hit)
        elif kind == "team_id":
            hit = self.team_id.get(value.upper())
            if hit is not None:
                hits.append(hit)
        elif kind == "winget":
            hit = self.exact.get(("winget", value.lower()))
            if hit is None:
                hit = self.winget_pub.get(winget_publisher(value))
            if hit is not None:
                hits.append(hit)
        elif kind == "swid":
            low = value.lower()
            hit = self.exact.get(("swid", low)) or self.exact.get(("bundle", low)) or self.exact.get(("android", low))
            if hit is not None:
                hits.append(hit)
            ns = swid_namespace(value)
            if ns:
                hit = self._namespace(ns)
                if hit is not None:
                    hits.append(hit)
        elif kind == "namespace" and "." in value and " " not in value:
            # A group equal to a known app id is that app (MDM exports put the bundle id there).
            low = value.lower()
            if low in self.app_ids:
                hit = self.exact.get(("android", low)) or self.exact.get(("bundle", low))
                if hit is not None:
                    hits.append(hit)
            hit = self._namespace(value)
            if hit is not None:
                hits.append(hit)
        return hits

    def _purl_type(self, value: str) -> tuple[str, bool, bool, bool, int]:
        """What ``_match`` needs of a purl's type: the type lower-cased, whether it is a registry type
        and a library type, whether no purl of it can hit (``purl_miss_types``), and where it ends (the
        first "/" after "pkg:", or -1). ``purl_types`` holds the answers for the usual spellings."""
        slash = value.find("/", 4)
        ptype = value[4:slash].lower()
        return ptype, ptype in REGISTRY_PURL_TYPES, ptype in LIBRARY_PURL_TYPES, ptype in self.purl_miss_types, slash

    def _purl_misses(self, value: str) -> bool:
        """True when a purl surely hits nothing, decided without parsing it whole.

        A type no catalog purl starts with can match only through the maven/gradle namespace probe.
        Catalog purls are prefixes at "/" boundaries, so when "type/first-segment" starts none, nothing
        longer does. Only plain spellings are decided here (no "pkg://", no @ ? # % in the segment, an
        OS package's distribution namespace aside); False sends the rest to ``purl_key``, and
        ``tests/test_matching.py`` holds the two to the same answers.
        """
        slash = value.find("/", 4)
        if slash <= 4 or not value.startswith("pkg:"):
            return False
        return self._purl_head_misses(value, slash, value[4:slash].lower())

    def _purl_head_misses(self, value: str, slash: int, ptype: str) -> bool:
        """``_purl_misses`` once the type is cut out: ``slash`` ends it, ``ptype`` is it lower-cased."""
        if "%" in ptype or "?" in ptype or "#" in ptype or ptype in APP_PURL_TYPES:
            return False
        if ptype not in self.purl_known and ptype not in ("maven", "gradle"):
            return True
        if ptype in OS_PACKAGE_TYPES:
            # Keyed by type and name, the distribution namespace dropped (``lookup_identifier``): the name is
            # the last segment, cut as ``purl_key`` cuts it; unusual spellings go to the full parse.
            body = value[slash + 1 :].split("#", 1)[0].split("?", 1)[0]
            if "%" in body or "//" in body or body.startswith("/"):
                return False
            last = body.rfind("/")
            at = body.rfind("@")
            name = body[last + 1 : at] if at > last else body[last + 1 :]
            return bool(name) and f"{ptype}/{name.lower()}" not in self.purl_known
        start = slash + 1
        nxt = value.find("/", start)
        if nxt < 0:  # pkg:type/name@version: no namespace (purl_key cuts at the last "@")
            plain = "?" not in value and "#" not in value
            at = value.rfind("@", start)
            seg = value[start:at] if at >= 0 else value[start:]
        else:
            seg = value[start:nxt]
            plain = "@" not in seg and "?" not in seg and "#" not in seg
        if not plain or not seg or "%" in seg:
            return False
        seg = seg.lower()
        if seg in self.purl_heads.get(ptype, ()):
            return False
        # A maven group under a catalog namespace: the full parse decides (the malformed
        # "pkg:maven/com.tencent.x/" names nothing).
        return nxt < 0 or ptype not in ("maven", "gradle") or self._namespace(seg) is None

    # -- the one call the engine makes per component --------------------------------------

    def match(self, comp: Component) -> list[Match]:
        """Matches for one component, memoised: inventories repeat the same title on many rows."""
        key = (comp.name, comp.purl, comp.type, *comp.vendor_fields, *comp.identifiers)
        memo = self._memo
        found = memo.get(key)
        if found is None:
            found = self._match(comp)
            if len(memo) < 100_000:
                memo[key] = found
        return found

    def _match(self, comp: Component) -> list[Match]:
        hits: list[tuple[_Hit, str, str]] = []
        registry = library = False
        identifiers = comp.identifiers
        purl = comp.purl
        if purl:
            # comp.purl counts as an identifier unless the reader listed a purl itself.
            for kind, _, _ in identifiers:
                if kind == "purl":
                    break
            else:
                identifiers = [*identifiers, ("purl", purl, "purl")]
        lookup = self.lookup_identifier
        # The usual identifiers hit nothing; the tests below decide those misses as lookup_identifier
        # would (tests/test_matching.py holds the two to the same answers), without the call.
        purl_types = self.purl_types
        if any("\u202e" in value for _, value, _ in identifiers):
            # Stored backwards inside a right-to-left override and shown forwards: both readings count.
            for kind, value, field in identifiers:
                shown_order = display_order(value)
                if shown_order is not None:
                    for hit in lookup(kind, identifier_text(shown_order)[0]):
                        hits.append((_invisible_fold(hit), field, value))
        for kind, value, field in identifiers:
            shown = value
            folded: tuple[str, ...] = ()
            if not value.isascii():
                value, folded = identifier_text(value)
            if kind == "purl":
                head, sep, _ = value.partition("/")
                known = purl_types.get(head) if sep else None
                if known is None and value.startswith("pkg:"):
                    known = self._purl_type(value)
                if known is not None:
                    ptype, in_registry, is_library, misses, slash = known
                    if in_registry:
                        registry = True
                        library = library or is_library
                    if slash > 4 and (misses or self._purl_head_misses(value.strip(), slash, ptype)):
                        continue
            elif kind == "cpe" and value.startswith("cpe:2.3:") and "\\" not in value:
                parts = value.split(":", 5)
                if len(parts) < 5 or parts[3].lower() not in self.cpe_vendors:
                    continue
            elif kind == "namespace":
                low = value.strip().lower()
                if low not in self.app_ids and self._namespace(low) is None:
                    continue
            for hit in lookup(kind, value):
                hits.append((hit._replace(folded=folded) if folded else hit, field, shown))
        org_seen = self._org_cache.get
        for field, value in comp.vendor_fields:
            hit = org_seen(value, _UNSEEN)
            domain = None
            if hit is _UNSEEN:
                person = person_address(value) if ">" in value else None
                if person is None:
                    hit = self.lookup_org(value)
                else:  # "Name <address>": the name looked up (and cached) alone, the address's domain besides
                    hit = org_seen(person[0], _UNSEEN)
                    if hit is _UNSEEN:
                        hit = self.lookup_org(person[0])
                    if self.email_domain:
                        domain = self._domain_hit(person[1])
            if hit is not None:
                if registry and hit.strength == "strong":
                    # Whoever publishes a registry package writes its author and supplier fields.
                    hit = self._registry_hit(hit)
                hits.append((hit, field, value))
            if domain is not None:
                hits.append((domain, field, value))
        if comp.name and not registry:
            self._match_name(comp.name, hits)
        if not hits:
            return []
        groups: Iterable[tuple[str, list[tuple[_Hit, str, str]]]]
        if len(hits) == 1:  # the usual match: one name or one identifier
            groups = ((hits[0][0].vendor, hits),)
        else:
            by_vendor: dict[str, list[tuple[_Hit, str, str]]] = {}
            for item in hits:
                by_vendor.setdefault(item[0].vendor, []).append(item)
            groups = by_vendor.items()
        # The same evidence (a supplier name on thousands of packages) gives the same Match: build it once.
        memo = self._match_memo
        out = []
        for vid, items in groups:
            key = (library, comp.type, *items)
            found = memo.get(key)
            if found is None:
                found = self._build_match(vid, items, library, comp.type)
                if len(memo) < 100_000:
                    memo[key] = found
            out.append(found)
        return out

    def _registry_hit(self, hit: _Hit) -> _Hit:
        """A strong name hit as a registry package's author or supplier: made once per catalog name."""
        demoted = self._registry_hits.get(hit)
        if demoted is None:
            demoted = self._registry_hits[hit] = _Hit(hit.vendor, None, hit.label, "registry-name", "broad", hit.folded)
        return demoted

    # Matches without the memo: SBOM components are unique, so a memo would only miss and grow. The
    # same function, not a wrapper: it runs once per component.
    match_unmemoised = _match

    def _build_match(self, vid: str, items: list[tuple[_Hit, str, str]], library: bool, ctype: str) -> Match:
        """One vendor's Match from its evidence items; depends on nothing else of the component."""
        product_id = next((h.product for h, _, _ in items if h.product), None)
        evidence = tuple(
            Evidence(
                field=f,
                value=v,
                matched=h.label,
                method=h.method,
                vendor=vid,
                product=h.product,
                strength=h.strength,
                why=f"{f} {v!r} " + _WHY[h.method].format(m=h.label) + _folded_why(h.folded),
                folded=h.folded,
            )
            for h, f, v in items
        )
        vendor = self.vendors[vid]
        product = self.products.get(product_id) if product_id else None
        best = max(evidence, key=lambda e: STRENGTH_RANK[e.strength])
        kind = decide_kind(vendor, product, library, ctype)
        why = _why(best, kind, library, product, ctype in EQUIPMENT_TYPES)
        return Match(vendor, product, evidence, kind, best.strength, why)

    def _match_name(self, name: str, hits: list[tuple[_Hit, str, str]]) -> None:
        """Name evidence: a catalog product name, or a brand as the name's leading words.

        It counts only when no identity evidence names a different vendor.
        """
        identity_vendors = {h.vendor for h, _, _ in hits}
        toks = product_tokens(name)
        hit = self.product_name.get(toks)
        folded: tuple[str, ...] = ()
        if hit is None and not name.isascii():
            variant = confusable_product_tokens(name)
            if variant is not None:
                hit = self.product_name.get(variant[0])
                if hit is not None:
                    folded = (variant[1],)
                else:
                    toks = variant[0]
        if hit is None and len(toks) > 1:
            joined = joined_tokens(toks, self.split_words)
            if joined is not None:
                hit = self.product_name.get(joined)  # the exact product name only, never a brand in a longer one
                if hit is not None:
                    folded += (FOLD_SPLIT,)
                    hit = hit._replace(strength="weak")  # "Tik Tok" may be a clock app's name: a warning
        if hit is None and not identity_vendors:
            hit = self._brand_in_name(org_tokens(name))
            if hit is None and not name.isascii():
                variant_org = confusable_org_name(name)
                if variant_org is not None:
                    hit = self._brand_in_name(variant_org[0])
                    folded = (variant_org[2],)
        if hit is not None and not name.isascii():
            folded = ((FOLD_INVISIBLE,) if has_format_characters(name) else ()) + folded
            if folded:
                hit = hit._replace(folded=folded)
        if hit is None and not name.isascii():
            shown = display_order(name)  # stored backwards inside a right-to-left override, shown forwards
            if shown is not None:
                found: list[tuple[_Hit, str, str]] = []
                self._match_name(shown, found)
                hits.extend((_invisible_fold(h), f, name) for h, f, _ in found)
                return
        if hit is not None and (not identity_vendors or hit.vendor in identity_vendors):
            hits.append((hit, "name", name))

    def _brand_in_name(self, toks: tuple[str, ...]) -> _Hit | None:
        """A catalog brand as the leading tokens of a component's name (weak)."""
        for k in range(min(len(toks), self.max_brand), 0, -1):
            brand = self.brand_prefix.get(toks[:k])
            if brand is not None:
                return _Hit(brand.vendor, None, brand.label, "brand-in-name", "weak")
        return None


# ASCII letters as "a", the dot kept, anything else a space: where b"a.a." occurs no dotted abbreviation can.
_LETTER_DOT = bytes(97 if 65 <= b <= 90 or 97 <= b <= 122 else 46 if b == 46 else 32 for b in range(256))


class NameScreen:
    """Which names of a batch ``VendorIndex._match_name`` may find anything in, told cheaply.

    A merged fleet export has a million distinct titles, and almost none names a catalog product or
    leads with a brand. A name's words are cut once, at C speed (``ASCII_WORDS``), and only names that
    pass one of these tests go the whole way; the others add nothing to what their vendor field matched:

    - a catalog product name (``product_name``) is the name's words less trailing qualifiers and versions,
      or those words with a word split apart joined back (``joined_tokens``): the first word is a
      product's first word or the start of one (a catalog word split apart); a product of one word is
      followed by nothing or by a qualifier or version; a product of several words has its first two
      words (or the start of its second) first;
    - a brand is looked for only when no vendor field matched (``vendor_hit``): it is one of the name's
      words, or the name holds a dotted abbreviation that collapses into one;
    - a name outside ASCII is read as its ASCII equivalent where it has one ("é", "™", "®", invisible
      characters: ``normalize.ascii_equivalents``); else it is folded as the matcher folds it
      (``normalize.screen_words``: native scripts, CJK legal forms) and put to the same tests; one whose
      confusable or display-order reading may differ (a homoglyph, a right-to-left override) always goes
      the whole way.

    ``tests/test_inventory_rows.py`` holds the screen to ``_match_name`` on names built to trip it.
    """

    def __init__(self, index: VendorIndex) -> None:
        split = index.split_words

        def starts(word: str) -> set[str]:  # a catalog word split apart begins with one of these
            return {word[:i] for i in range(1, len(word))} if word in split else set()

        keys = list(index.product_name)
        self.one = frozenset(k[0] for k in keys if len(k) == 1)
        self.pairs = frozenset(f"{k[0]} {second}" for k in keys if len(k) > 1 for second in {k[1], *starts(k[1])})
        self.starts = frozenset(s for k in keys for s in starts(k[0]))
        self.brands = frozenset(k[0] for k in index.brand_prefix)
        self.firsts = frozenset(k[0] for k in keys) | self.starts
        # The same in ASCII, as bytes (an ASCII name's words are cut as bytes: ``ASCII_WORDS``), and the
        # first word or two of a name that are a product's first two, or a one-word product alone.
        self.ascii = tuple(
            frozenset(w.encode() for w in words if w.isascii())
            for words in (self.one, self.pairs, self.starts, self.brands, self.firsts)
        )
        self.heads = self.ascii[0] | self.ascii[1]
        self._trim = _Trimmable()

    def candidates(self, names: list[str], vendor_hit: list) -> list[int]:  # type: ignore[type-arg]
        """Positions (in order) of the ``names`` whose own words may match; ``vendor_hit[i]`` is true when
        the vendor fields of name ``i`` matched (then no brand is looked for in the name)."""
        sure: set[int] = set()
        plain = names
        if not all(map(str.isascii, names)):
            plain = list(names)
            others = list(compress(count(), map(not_, map(str.isascii, names))))
            for i, same in zip(others, ascii_equivalents(list(map(names.__getitem__, others))), strict=True):
                if same:
                    plain[i] = same  # read as ASCII, with the others
                    continue
                plain[i] = ""
                words = screen_words(names[i])
                if words is None or self._may_name(words[0], bool(vendor_hit[i]), words[1]):
                    sure.add(i)
        one, _pairs, starts, brands, firsts = self.ascii
        text = "\n".join(plain).encode()
        if text.count(b"\n") == len(plain) - 1:  # no name holds a line break: cut all at once
            lines = text.translate(ASCII_LINES).split(b"\n")
        else:
            lines = list(map(bytes.translate, map(str.encode, plain), repeat(ASCII_WORDS)))
        words = list(map(bytes.split, lines))
        firsts_in = map(firsts.__contains__, map(next, map(iter, words), repeat(b"")))
        branded = map(not_, map(brands.isdisjoint, words))
        maybe = list(compress(count(), list(map(or_, firsts_in, map(and_, map(not_, vendor_hit), branded)))))
        if maybe:  # the tests of ``_may_name``, a map each over the names that passed the first ones
            picked = list(map(words.__getitem__, maybe))
            first = list(map(itemgetter(0), picked))
            heads = map(bytes.join, repeat(b" "), map(itemgetter(slice(0, 2)), picked))
            seconds = map(bytes.join, repeat(b""), map(itemgetter(slice(1, 2)), picked))
            free = map(not_, map(vendor_hit.__getitem__, maybe))
            named = map(or_, map(starts.__contains__, first), map(self.heads.__contains__, heads))
            qualified = map(and_, map(one.__contains__, first), map(self._trim.__getitem__, seconds))
            branded = map(and_, free, map(not_, map(brands.isdisjoint, picked)))
            sure.update(compress(maybe, list(map(or_, map(or_, named, qualified), branded))))
        if text.translate(_LETTER_DOT).find(b"a.a.") >= 0:  # a dotted abbreviation, perhaps
            sure.update(i for i, name in enumerate(plain) if not vendor_hit[i] and _DOTTED.search(name.lower()))
        return sorted(sure)

    def _may_name(self, w: list[str], vendor_hit: bool, org: set[str]) -> bool:
        """The tests above for a name outside ASCII: its words ``w`` and organisation words ``org``
        (``normalize.screen_words``); ``candidates`` makes the same tests of ASCII names with ``map``s."""
        if not w:
            return False
        first = w[0]
        if first in self.starts or (len(w) > 1 and f"{first} {w[1]}" in self.pairs):
            return True
        if first in self.one and (len(w) == 1 or self._trim[w[1]]):
            return True
        return not vendor_hit and not self.brands.isdisjoint(org)


class _Trimmable(dict):  # type: ignore[type-arg]
    """Word (str, or ASCII bytes) -> whether ``product_tokens`` trims it from a name's end
    (``normalize.trimmable``): a dictionary, so a batch of words is looked up in one ``map``."""

    def __missing__(self, word: str | bytes) -> bool:
        trim = trimmable(word.decode() if isinstance(word, bytes) else word)
        if len(self) < 65536:  # a fleet's second words are few; versions are many
            self[word] = trim
        return trim


def _why(best: Evidence, kind: str | None, library: bool, product: Product | None, equipment: bool) -> str:
    """The sentence a finding gives for its match: the best evidence, its strength and the kind."""
    if product is not None:
        what = f"the catalog product is of kind {kind}" if kind else "the catalog product declares no kind"
    elif library:
        what = "a registry package no catalog product names is a library"
    elif kind:
        things = "devices and firmware are" if equipment else "software is"
        what = f"with no product identified the vendor's {things} taken as {kind}"
    else:
        what = "the vendor declares no kind"
    return f"{best.strength.capitalize()} evidence: {best.why}; {what}."


def _invisible_fold(hit: _Hit) -> _Hit:
    """A hit found by reading a right-to-left override in display order: it needed invisible characters read."""
    if FOLD_INVISIBLE in hit.folded:
        return hit
    return hit._replace(folded=(FOLD_INVISIBLE, *hit.folded))


def _folded_why(folded: tuple[str, ...]) -> str:
    return f" (read after folding: {'; '.join(folded)})" if folded else ""


def _app_id(parts: list[str]) -> tuple[str, str] | None:
    """The app-id lookup an app purl stands for (``APP_PURL_TYPES``), from its key's parts, or None."""
    kind = APP_PURL_TYPES.get(parts[0])
    if kind is None:
        return None
    if parts[0] == "apple":  # pkg:apple/ios/<bundle id>
        return (kind, parts[2]) if len(parts) == 3 and parts[1] == "ios" else None
    return (kind, parts[1]) if len(parts) == 2 else None


def _form_note(value: str, label: str) -> str:
    """"legal form JSC read as AO" when a value's legal form is another spelling of the catalog's; else ""."""
    spelt = legal_form_spellings(value)
    catalog = legal_form_spellings(label)
    if not spelt or not catalog or spelt <= catalog:
        return ""
    return f"legal form {' '.join(sorted(f.upper() for f in spelt))} read as {' '.join(sorted(f.upper() for f in catalog))}"


def _cuts(key: str, sep: str) -> list[int]:
    """End offsets of every prefix of ``key`` at ``sep`` boundaries, including the whole key."""
    return [i for i, ch in enumerate(key) if ch == sep] + [len(key)]
