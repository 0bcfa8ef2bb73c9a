"""Ids as people type them: any case, with "did you mean" for a near miss.

Rule ids (``us-icts-kaspersky-2024``), vendor ids, names and aliases (``Kaspersky``, ``"AO Kaspersky Lab"``),
jurisdiction codes (``uk`` suggests ``GB``) and contexts are looked up here. Names go through the same
normaliser and vendor index a scan uses, so ``vendors show "AO Kaspersky Lab"`` finds exactly the vendor a
scan would tie that publisher to. Only the error paths import ``difflib``: a scan with correct codes never
loads it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from compliance.errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    from compliance.matching import VendorIndex
    from compliance.rulepack.model import Rule, RulePack, Vendor

# Codes people write for a jurisdiction that are not its ISO 3166 code: (ISO code, what the alias is).
# Only these and ISO alpha-3 codes of countries; a sub-national abbreviation ("CA") is ambiguous and never guessed.
JURISDICTION_ALIASES: dict[str, tuple[str, str]] = {
    "UK": ("GB", "the United Kingdom"),
    "EL": ("GR", "the EU's code for Greece"),
    "USA": ("US", "the United States"),
    "GBR": ("GB", "the United Kingdom"),
    "CAN": ("CA", "Canada"),
    "AUS": ("AU", "Australia"),
    "NZL": ("NZ", "New Zealand"),
    "BEL": ("BE", "Belgium"),
    "DNK": ("DK", "Denmark"),
    "DEU": ("DE", "Germany"),
    "GER": ("DE", "Germany"),
    "FRA": ("FR", "France"),
    "ITA": ("IT", "Italy"),
    "NLD": ("NL", "the Netherlands"),
    "LTU": ("LT", "Lithuania"),
    "NOR": ("NO", "Norway"),
    "CZE": ("CZ", "Czechia"),
    "UKR": ("UA", "Ukraine"),
    "IND": ("IN", "India"),
    "TWN": ("TW", "Taiwan"),
    "KOR": ("KR", "South Korea"),
    "RUS": ("RU", "Russia"),
    "CHN": ("CN", "China"),
    "EST": ("EE", "Estonia"),
    "GRC": ("GR", "Greece"),
}


def close_matches(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Candidates spelt like ``word`` (any case), best first, as the candidates spell them."""
    import difflib

    by_fold: dict[str, str] = {}
    for c in candidates:
        by_fold.setdefault(c.casefold(), c)
    found = difflib.get_close_matches(word.strip().casefold(), list(by_fold), n=n, cutoff=0.6)
    return [by_fold[f] for f in found]


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """``" (did you mean X?)"`` or ``" (did you mean X or Y?)"``; "" when nothing is close."""
    found = close_matches(word, candidates)
    return f" (did you mean {either(found)}?)" if found else ""


def either(words: list[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return " or ".join(words) if len(words) < 3 else f"{', '.join(words[:-1])} or {words[-1]}"


def jurisdiction_hint(code: str, known: Iterable[str]) -> str:
    """Why an unknown code may have been meant as another: the alias table first, then spelling."""
    known = list(known)
    alias = JURISDICTION_ALIASES.get(code.strip().upper())
    if alias is not None:
        iso, what = alias
        if iso in known:
            return f" (did you mean {iso}? {code.strip()} is {what}, whose ISO 3166 code is {iso})"
        return f" ({code.strip()} is {what}, whose ISO 3166 code {iso} the rule pack has no rules for)"
    return did_you_mean(code, known)


def unknown_names_message(unknown: list[str], known: list[str], what: str, plural: str) -> str:
    """One line for unknown jurisdiction codes or contexts, each with its suggestion, then the known ones."""
    hint = jurisdiction_hint if what == "jurisdiction" else did_you_mean
    named = ", ".join(name + hint(name, known) for name in unknown)
    return f"unknown {what} {named}; known {plural}: {', '.join(sorted(known))}"


def complete(kind: str, incomplete: str) -> list[str]:
    """Shell completion of jurisdiction codes (``kind`` "jurisdictions", with ALL) or contexts from the
    built-in pack (cached), for what the user has typed so far, any case. Nothing on any error: a completion
    must never print one."""
    try:
        from compliance.rulepack.cache import load_rule_pack_and_index

        pack = load_rule_pack_and_index([])[0]
    except Exception:  # noqa: BLE001 - the shell shows no completion rather than an error
        return []
    names = [*sorted(pack.jurisdictions), "ALL"] if kind == "jurisdictions" else sorted(pack.contexts)
    return [n for n in names if n.casefold().startswith(incomplete.casefold())]


# -- rules ---------------------------------------------------------------------------------------


def find_rule(pack: RulePack, text: str) -> Rule:
    """The rule with this id in any case; else a ``UsageError`` with the closest ids."""
    wanted = text.strip().casefold()
    for rule in pack.rules:
        if rule.id.casefold() == wanted:
            return rule
    hint = did_you_mean(text, [r.id for r in pack.rules])
    raise UsageError(f"no rule {text!r}{hint}; see 'complycheck rules list'")


# -- vendors -------------------------------------------------------------------------------------


def find_vendor(pack: RulePack, index: VendorIndex, text: str) -> Vendor:
    """The vendor an id, a name, a brand or a product name designates; else a ``UsageError``.

    In order: a vendor id in any case; then the text as a scan would read it in a vendor field
    (publisher, supplier: legal names, former names, brands) and as a component name (catalog product
    names), through ``VendorIndex`` itself. Only strong and broad evidence names a vendor here: a brand
    that merely leads a longer text (weak) is offered as a suggestion, never taken.
    """
    wanted = text.strip().casefold()
    for vendor in pack.vendors.values():
        if vendor.id.casefold() == wanted:
            return vendor
    from compliance.model import Component

    comp = Component(name=text, vendor_fields=[("name", text)])
    matches = index.match_unmemoised(comp)
    sure = sorted({m.vendor.id for m in matches if m.strength != "weak"})
    if len(sure) == 1:
        return pack.vendors[sure[0]]
    if len(sure) > 1:
        raise UsageError(f"{text!r} names several vendors: {', '.join(sure)}; give one of these ids")
    weak = sorted({m.vendor.id for m in matches})
    hint = (
        f" (did you mean {either(weak)}? {text!r} only starts with its brand)"
        if weak
        else did_you_mean(text, [*pack.vendors, *(v.name for v in pack.vendors.values())])
    )
    raise UsageError(f"no vendor {text!r}{hint}; see 'complycheck vendors list'")
