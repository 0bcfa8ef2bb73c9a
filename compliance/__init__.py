"""complycheck: is this software allowed where we operate?

The public API is imported lazily so that ``complycheck --version`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.3.0"

__all__ = ["__version__", "scan", "load_rule_pack", "ScanOptions", "Report"]

if TYPE_CHECKING:  # pragma: no cover
    from compliance.model import Report
    from compliance.rulepack import load_rule_pack
    from compliance.scan import ScanOptions, scan


def __getattr__(name: str) -> Any:
    if name in ("scan", "ScanOptions"):
        from compliance import scan as _scan

        return getattr(_scan, name)
    if name == "load_rule_pack":
        from compliance.rulepack import load_rule_pack

        return load_rule_pack
    if name == "Report":
        from compliance.model import Report

        return Report
    raise AttributeError(name)
