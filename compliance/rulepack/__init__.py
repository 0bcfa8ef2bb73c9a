"""The rule pack: a vendor catalog and jurisdiction rules, loaded from YAML and validated.

The names below are imported when first used: a scan whose pack comes from the cache needs the
records (``compliance.rulepack.model``) and the cache, never the YAML loader and its validation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from compliance.rulepack.loader import builtin_pack_dir, collect_problems, load_rule_pack
    from compliance.rulepack.model import Action, ContextDef, JurisdictionDef, Product, Rule, RulePack, Vendor

__all__ = [
    "Action",
    "ContextDef",
    "JurisdictionDef",
    "Product",
    "Rule",
    "RulePack",
    "Vendor",
    "builtin_pack_dir",
    "collect_problems",
    "load_rule_pack",
]

_LOADER = ("builtin_pack_dir", "collect_problems", "load_rule_pack")


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{'loader' if name in _LOADER else 'model'}"), name)
    globals()[name] = value  # found directly from now on
    return value
