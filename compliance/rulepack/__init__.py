"""The rule pack: a vendor catalog and jurisdiction rules, loaded from YAML and validated."""

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
