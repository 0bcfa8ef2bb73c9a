"""Why a string ties to a catalog vendor or product, or why it does not (``vendors match``, ``explain``).

The verdict always comes from ``VendorIndex.match_unmemoised``, the call a scan makes per component: the
string is put into a component exactly where a reader would put it (a publisher field, a purl, an Android
id...) and matched. Nothing here decides a match. What this module adds is the account of the
normalised form and, when nothing matched, the reason, found by looking up the same dictionaries the
index probes (a legal form that left nothing distinctive, a word no catalog name has, a lookalike of a
catalog word, a prefix that does not end at a boundary).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from compliance.identifiers import cpe_vendor_product, purl_key, swid_namespace, winget_publisher
from compliance.matching import OS_PACKAGE_TYPES, REGISTRY_PURL_TYPES, Match, VendorIndex
from compliance.model import Component
from compliance.normalize import (
    confusable_org_name,
    confusable_product_tokens,
    folds,
    identifier_text,
    is_distinctive,
    org_name,
    org_tokens,
    product_tokens,
)

if TYPE_CHECKING:  # pragma: no cover
    from compliance.model import Evidence

# --as value -> (identifier kind(s) or role, the field name evidence shows, what the string is read as).
ROLES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "vendor": (("vendor",), "publisher", "a vendor name (publisher, supplier, manufacturer, author, signer)"),
    "name": (("name",), "name", "a component name"),
    "purl": (("purl",), "purl", "a package URL"),
    "cpe": (("cpe",), "cpe", "a CPE"),
    "app-id": (("android", "bundle"), "app id", "an app id (Android package name and Apple bundle id)"),
    "android": (("android",), "Android id", "an Android package name"),
    "bundle": (("bundle",), "bundle id", "an Apple bundle id (iOS, iPadOS, macOS)"),
    "team-id": (("team_id",), "Apple Team ID", "an Apple Developer Team ID"),
    "winget": (("winget",), "winget id", "a winget package id"),
    "swid": (("swid",), "SWID tag id", "a SWID tag id"),
    "namespace": (("namespace",), "namespace", "a reverse-DNS namespace (Maven group, MDM group)"),
}
ROLE_NAMES = tuple(ROLES)

_FIELD = {"android": "Android id", "bundle": "bundle id"}
_TEAM_ID = re.compile(r"[A-Z0-9]{10}")
_DOTTED = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+")


def guess_roles(value: str) -> tuple[list[str], str]:
    """What a string most likely is, from its shape alone (after the identifier folding), and that shape."""
    text = identifier_text(value)[0].strip()
    low = text.lower()
    if low.startswith("pkg:"):
        return ["purl"], "it starts with pkg:"
    if low.startswith("cpe:"):
        return ["cpe"], "it starts with cpe:"
    if "regid." in low:
        return ["swid"], "it holds a regid"
    if _TEAM_ID.fullmatch(text) and any(c.isdigit() for c in text) and any(c.isalpha() for c in text):
        return ["team-id"], "10 capital letters and digits"
    if _DOTTED.fullmatch(text):
        if text[:1].isupper():
            return ["winget"], "Publisher.Package form"
        return ["app-id"], "reverse-DNS form"
    return ["vendor", "name"], "free text"


def component_for(role: str, value: str) -> Component:
    """The component a reader would make for ``value`` found in the place ``role`` names."""
    kinds, field_name, _what = ROLES[role]
    if role == "vendor":
        return Component(name="", vendor_fields=[(field_name, value)])
    if role == "name":
        return Component(name=value)
    return Component(name="", identifiers=[(k, value, _FIELD.get(k, field_name)) for k in kinds])


@dataclass
class Reading:
    """One way of reading the string: what it was read as, its normalised form, and what it matched or why not."""

    role: str
    value: str
    guessed: str = ""  # the shape that decided the role when --as was not given
    normalised: list[tuple[str, str]] = field(default_factory=list)  # (label, text)
    matches: list[Match] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why nothing matched
    notes: list[str] = field(default_factory=list)

    @property
    def what(self) -> str:
        return ROLES[self.role][2]

    def to_dict(self) -> dict[str, Any]:
        return {
            "as": self.role,
            "read_as": self.what,
            "guessed_from": self.guessed or None,
            "normalised": {label: text for label, text in self.normalised},
            "matched": bool(self.matches),
            "matches": [match_dict(m) for m in self.matches],
            "reasons": list(self.reasons),
            "notes": list(self.notes),
        }


def match_dict(m: Match) -> dict[str, Any]:
    return {
        "vendor": m.vendor.id,
        "vendor_name": m.vendor.name,
        "product": m.product.id if m.product else None,
        "product_name": m.product.name if m.product else None,
        "kind": m.kind,
        "strength": m.strength,
        "why": m.why,
        "evidence": [evidence_dict(e) for e in m.evidence],
    }


def evidence_dict(e: Evidence) -> dict[str, Any]:
    out = e.to_dict()
    out.setdefault("folded", [])
    return out


def read(index: VendorIndex, value: str, role: str, guessed: str = "") -> Reading:
    """``value`` read as ``role``: matched through the index, its normalised form, and why not if it missed."""
    reading = Reading(role, value, guessed)
    reading.normalised = normalised_form(role, value)
    reading.matches = index.match_unmemoised(component_for(role, value))
    if not reading.matches:
        reading.notes = text_notes(role, value)  # a match's evidence says what was folded itself
        reading.reasons = why_not(index, role, value)
    else:
        reading.notes = match_notes(role, reading.matches)
    return reading


def read_all(index: VendorIndex, value: str, role: str | None = None) -> list[Reading]:
    """``value`` read as ``role``, or as every role its shape suggests (``guess_roles``)."""
    if role is not None:
        return [read(index, value, role)]
    roles, shape = guess_roles(value)
    return [read(index, value, r, shape) for r in roles]


# -- the normalised form ---------------------------------------------------------------------------


def _words(toks: Iterable[str]) -> str:
    text = " ".join(toks)
    return text if text else "(nothing)"


def normalised_form(role: str, value: str) -> list[tuple[str, str]]:
    """The form the index compares, as (label, text) pairs."""
    text = identifier_text(value)[0].strip() if role not in ("vendor", "name") else value.strip()
    if role == "vendor":
        toks, forms = org_name(value)
        out = [("words", _words(toks))]
        if forms:
            out.append(("legal form", ", ".join(sorted(f.upper() for f in forms))))
        return out
    if role == "name":
        return [("product words", _words(product_tokens(value))), ("brand words", _words(org_tokens(value)))]
    if role == "purl":
        key = purl_key(text)
        if key is None:
            return [("package", "(not a package URL)")]
        parts = key.split("/")
        if parts[0] in OS_PACKAGE_TYPES and len(parts) >= 3:
            return [("package", key), ("compared as", f"{parts[0]}/{parts[-1]} (the distribution is not the vendor)")]
        return [("package", key)]
    if role == "cpe":
        vp = cpe_vendor_product(text)
        return [("vendor:product", f"{vp[0]}:{vp[1]}" if vp else "(not a CPE 2.3 string or 2.2 URI)")]
    if role == "team-id":
        return [("Team ID", text.upper())]
    if role == "winget":
        return [("id", text.lower()), ("publisher", winget_publisher(text))]
    if role == "swid":
        return [("tag id", text.lower()), ("regid domain", swid_namespace(text) or "(none)")]
    return [("id", text.lower())]


def text_notes(role: str, value: str) -> list[str]:
    """The folding the normaliser applies to the value (``compliance.normalize``): invisible characters
    dropped, and confusable letters read as their ASCII prototypes when the plain form matches nothing."""
    if value.isascii():
        return []
    if role not in ("vendor", "name"):
        shown, folded = identifier_text(value)
        return [f"{'; '.join(folded)}: looked up as {shown.strip()!r}"] if folded else []
    notes = [f"{f}: dropped before comparing" for f in folds(value)]
    if role == "vendor":
        variant = confusable_org_name(value)
        if variant is not None:
            notes.append(f"{variant[2]}: read as '{' '.join(variant[0])}' when the words as written match nothing")
    else:
        product = confusable_product_tokens(value)
        if product is not None:
            notes.append(f"{product[1]}: read as '{' '.join(product[0])}' when the words as written match nothing")
    return notes


def match_notes(role: str, matches: list[Match]) -> list[str]:
    notes = []
    if any(m.strength == "weak" for m in matches):
        notes.append("weak evidence alone never fails a binding rule: its findings are 'unconfirmed' warnings")
    if role == "vendor" and any(e.method == "legal-name" for m in matches for e in m.evidence):
        notes.append("in a registry package's own metadata (npm author, PyPI maintainer...) the same name is broad "
                     "evidence: whoever publishes a package writes those fields")
    if role == "name":
        notes.append("a component's name counts only for software that is not a registry package, and only when "
                     "no identifier of the component names another vendor")
    return notes


# -- why nothing matched ---------------------------------------------------------------------------


def _vocabulary(index: VendorIndex) -> dict[str, set[str]]:
    """Every word of a catalog name, brand or product name, with the vendors whose names hold it."""
    cached = getattr(index, "_explain_vocabulary", None)
    if cached is not None:
        return cached
    vocab: dict[str, set[str]] = {}
    for toks, entries in index.org_exact.items():
        for hit, _forms in entries:
            for t in toks:
                vocab.setdefault(t, set()).add(hit.vendor)
    for toks, hit in index.product_name.items():
        for t in toks:
            vocab.setdefault(t, set()).add(hit.vendor)
    index._explain_vocabulary = vocab  # type: ignore[attr-defined]
    return vocab


def _lookalike(word: str, candidates: Iterable[str], cutoff: float = 0.8) -> str | None:
    """The catalog word or id ``word`` is closest to, if it is close enough to be mistaken for it."""
    import difflib

    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=cutoff)
    return found[0] if found else None


def _vendors(ids: Iterable[str]) -> str:
    ids = sorted(ids)
    return ", ".join(ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")


def _word_reasons(index: VendorIndex, toks: tuple[str, ...], what: str) -> list[str]:
    """Reasons in terms of the words: unknown words, lookalikes of catalog words, a brand not leading."""
    vocab = _vocabulary(index)
    unknown = [t for t in toks if t not in vocab]
    out = []
    for t in unknown:
        look = _lookalike(t, vocab) if len(t) >= 5 else None
        if look is not None:
            out.append(f"'{t}' is a lookalike of '{look}' ({_vendors(vocab[look])}) but a different word: "
                       "names are compared word by word, never by resemblance")
    plain = [t for t in unknown if not any(r.startswith(f"'{t}'") for r in out)]
    if plain:
        out.append(f"no catalog name or identifier has the word{'s' if len(plain) > 1 else ''} "
                   f"{', '.join(repr(t) for t in plain)}")
    if not unknown:
        brands = [t for t in toks[1:] if (t,) in index.brand_prefix]
        if brands:
            vendor = index.brand_prefix[(brands[0],)].vendor
            out.append(f"'{brands[0]}' is a brand of {vendor} but does not lead the {what}: a brand counts only as the "
                       "leading words, never inside other text")
        else:
            out.append(f"every word is in some catalog name, but no catalog name, brand or product name is "
                       f"'{' '.join(toks)}'")
    return out


def _vendor_reasons(index: VendorIndex, value: str) -> list[str]:
    variant = confusable_org_name(value)  # what the index tried last: confusables read as ASCII
    toks, forms = variant[:2] if variant is not None else org_name(value)
    forms_text = ", ".join(sorted(f.upper() for f in forms))
    if not is_distinctive(toks):
        if not toks and forms:
            return [f"after removing the legal form{'s' if len(forms) > 1 else ''} {forms_text}, nothing distinctive "
                    "is left: such a name never matches anything"]
        if not toks:
            return ["nothing is left after folding case, accents and punctuation"]
        return [f"only '{' '.join(toks)}' is left after removing legal forms: single letters and digits are not "
                "distinctive, so such a name never matches anything"]
    same = index.org_exact.get(toks, [])
    if same:
        labels = ", ".join(sorted({f"'{hit.label}' ({hit.vendor})" for hit, _f in same}))
        return [f"the catalog name {labels} has the same words but another legal form ({forms_text}): "
                "a different company"]
    return _word_reasons(index, toks, "vendor name")


def _name_reasons(index: VendorIndex, value: str) -> list[str]:
    ptoks = product_tokens(value)
    otoks = org_tokens(value)
    if not is_distinctive(ptoks) and not is_distinctive(otoks):
        return ["nothing distinctive is left after removing versions, platform words and legal forms"]
    if otoks in index.org_exact:
        return [f"'{' '.join(otoks)}' is a catalog vendor name, but a component's name is compared with product "
                "names and brands only (--as vendor reads it as a publisher)"]
    return _word_reasons(index, otoks or ptoks, "name")


def _boundary_reason(key: str, prefixes: Iterable[str], sep: str, shown: str) -> str | None:
    """A catalog prefix the key starts with, but not at a ``sep`` boundary (``com.kasperskyish``)."""
    for p in sorted(prefixes, key=len, reverse=True):
        if len(key) > len(p) and key.startswith(p) and key[len(p)] != sep:
            return (f"'{key}' starts with the catalog {shown} '{p}' but not at a '{sep}' boundary: it names "
                    "something else (prefixes match whole segments only)")
    return None


def _namespace_reasons(index: VendorIndex, value: str, what: str) -> list[str]:
    low = value.strip().lower()
    if " " in low or "." not in low:
        return [f"{what} is written as dot-separated labels (com.example.app); this is not"]
    known = set(index.namespace) | set(index.app_ids)
    reason = _boundary_reason(low, known, ".", "prefix")
    if reason:
        return [reason]
    look = _lookalike(low, known, cutoff=0.85)
    if look is not None:
        return [f"'{low}' is a lookalike of the catalog id '{look}' but a different id: ids are compared exactly "
                "or by whole-label prefix"]
    return [f"no catalog app id is '{low}' and no vendor prefix covers it"]


def _purl_reasons(index: VendorIndex, value: str) -> list[str]:
    key = purl_key(value.strip())
    if key is None:
        return ["not a package URL: expected pkg:TYPE/NAMESPACE/NAME[@VERSION]"]
    parts = key.split("/")
    ptype = parts[0]
    if ptype in OS_PACKAGE_TYPES and len(parts) >= 3:
        key = f"{ptype}/{parts[-1]}"
    out = []
    reason = _boundary_reason(key, index.purl, "/", "package URL prefix")
    if reason:
        out.append(reason)
    elif ptype not in {k.partition("/")[0] for k in index.purl} and ptype not in ("maven", "gradle"):
        out.append(f"no catalog package URL has the type '{ptype}'")
    else:
        heads = index.purl_heads.get(ptype, set())
        look = _lookalike(parts[1], heads, cutoff=0.8) if len(parts) > 1 else None
        if look is not None and look != parts[1]:
            out.append(f"'{parts[1]}' is a lookalike of the catalog's '{ptype}/{look}' but a different name")
        else:
            out.append(f"no catalog package URL covers '{key}'")
    if ptype in ("maven", "gradle") and len(parts) >= 3:
        out += [f"its group: {r}" for r in _namespace_reasons(index, parts[1], "a Maven group")]
    if ptype in REGISTRY_PURL_TYPES:
        out.append(f"'{ptype}' is a package registry: names there are chosen by whoever publishes, so only catalog "
                   "package URLs and vendor prefixes identify a vendor")
    return out


def _cpe_reasons(index: VendorIndex, value: str) -> list[str]:
    vp = cpe_vendor_product(value)
    if vp is None:
        return ["not a CPE 2.3 string (cpe:2.3:a:VENDOR:PRODUCT:...) or 2.2 URI, or its vendor is * or -"]
    vendor, product = vp
    if vendor not in index.cpe_vendors:
        look = _lookalike(vendor, index.cpe_vendors, cutoff=0.8)
        if look is not None:
            return [f"the CPE vendor '{vendor}' is a lookalike of the catalog's '{look}' but a different vendor"]
        return [f"no catalog vendor has the CPE vendor '{vendor}'"]
    products = sorted(p for v, p in index.cpe_product if v == vendor)
    return [f"the CPE vendor '{vendor}' is in the catalog only with the products {', '.join(products)}; "
            f"'{product}' is not one of them"]


def _winget_reasons(index: VendorIndex, value: str) -> list[str]:
    low = value.strip().lower()
    pub = winget_publisher(value)
    ids = {v for k, v in index.exact if k == "winget"}
    look = _lookalike(low, ids, cutoff=0.85) or _lookalike(pub, index.winget_pub, cutoff=0.8)
    out = [f"no catalog winget id is '{low}' and '{pub}' is no catalog winget publisher"]
    if look is not None:
        out.append(f"a lookalike of the catalog's '{look}', but ids are compared exactly")
    return out


def why_not(index: VendorIndex, role: str, value: str) -> list[str]:
    """Why ``value`` read as ``role`` matched nothing, in the terms the index compares."""
    if role not in ("vendor", "name"):
        value = identifier_text(value)[0]  # as the index looks it up (invisible characters, confusables folded)
    if not value.strip():
        return ["the value is empty"]
    if role == "vendor":
        return _vendor_reasons(index, value)
    if role == "name":
        return _name_reasons(index, value)
    if role == "purl":
        return _purl_reasons(index, value)
    if role == "cpe":
        return _cpe_reasons(index, value)
    if role == "team-id":
        text = value.strip().upper()
        if not _TEAM_ID.fullmatch(text):
            return [f"'{value.strip()}' is not an Apple Team ID (10 letters and digits)"]
        return [f"no catalog vendor has the Apple Team ID {text}"]
    if role == "winget":
        return _winget_reasons(index, value)
    if role == "swid":
        ns = swid_namespace(value)
        out = [f"no catalog SWID tag id is '{value.strip().lower()}'"]
        out += [f"its regid domain: {r}" for r in _namespace_reasons(index, ns, "a regid domain")] if ns else [
            "it holds no regid (regid.YYYY-MM.domain) to take a vendor domain from"]
        return out
    what = {"namespace": "a namespace"}.get(role, "an app id")
    return _namespace_reasons(index, value, what)


# -- text ------------------------------------------------------------------------------------------


def evidence_line(e: Evidence) -> str:
    """``publisher 'AO Kaspersky Lab' is the legal name AO Kaspersky Lab [strong, legal-name]``."""
    return f"{e.why} [{e.strength}, {e.method}]"  # the why says what was folded (matching._folded_why)


def match_lines(m: Match, indent: str = "  ") -> list[str]:
    """A match as lines: the vendor (and product), the strength and kind, and each piece of evidence."""
    what = f"{m.vendor.name} ({m.vendor.id})"
    if m.product is not None:
        what += f", product {m.product.name} ({m.product.id})"
    lines = [f"{indent}MATCH  {what}: {m.strength} evidence; kind {m.kind or 'not declared'}"]
    lines.extend(f"{indent}  - {evidence_line(e)}" for e in m.evidence)
    return lines


def render_text(readings: list[Reading]) -> str:
    lines: list[str] = []
    if readings and readings[0].guessed:
        kinds = " and as ".join(r.what.split(" (")[0] for r in readings)
        lines += [f"{readings[0].value!r}: {readings[0].guessed}, so read as {kinds} (--as KIND chooses)", ""]
    for n, r in enumerate(readings):
        if n:
            lines.append("")
        lines.append(f"As {r.what}:" if r.guessed else f"{r.value!r} as {r.what}:")
        form = "; ".join(f"{label} {text}" for label, text in r.normalised)
        lines.append(f"  normalised: {form}")
        if r.matches:
            for m in r.matches:
                lines.extend(match_lines(m))
        else:
            lines.append("  NO MATCH")
            lines.extend(f"  - {reason}" for reason in r.reasons)
        lines.extend(f"  note: {note}" for note in r.notes)
    return "\n".join(lines) + "\n"


def render_json(value: str, readings: list[Reading]) -> bytes:
    import orjson

    doc = {"input": value, "matched": any(r.matches for r in readings), "readings": [r.to_dict() for r in readings]}
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"
