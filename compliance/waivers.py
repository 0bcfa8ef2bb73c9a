"""Waivers: documented, expiring exceptions that keep a known finding from failing the scan.

A waivers file is YAML: either a list of entries or a mapping with a ``waivers:`` list (so the
same file can be a ``.complycheck.yaml`` project file). Each entry names a rule (id or fnmatch
pattern), selects components, and must give a reason::

    waivers:
      - rule: US-ICTS-KASPERSKY-2024        # any case, or a pattern such as "US-*"
        purl: pkg:generic/kaspersky/endpoint-security   # with or without @version
        name: Kaspersky Endpoint Security    # optional, case-insensitive
        bom-ref: kes-11                      # optional
        vendor: kaspersky                    # optional, catalog vendor id
        reason: Decommissioning tracked in CHG-1234
        approver: ciso@example.org           # optional
        expires: 2025-01-31                  # optional, inclusive
        id: KES-DECOM                        # optional, shown in reports

Every selector given must match (they combine with AND) and at least one is required, so an
entry can never waive a whole rule by accident. Unknown keys are errors: a misspelt ``expiry``
must not turn a temporary waiver into a permanent one. Expiry is judged against the scan's
as-of date, never the wall clock, so reports stay reproducible.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
from dataclasses import dataclass, field
from typing import Any

# The project file is the policy file: ``compliance.config`` names and finds it (kept importable from here).
from compliance.config import DEFAULT_FILE, discover  # noqa: F401
from compliance.errors import UsageError
from compliance.model import Finding, Report
from compliance.untrusted import QUOTE_LIMIT, capped, path_text, quoted

_SELECTORS = ("purl", "name", "bom-ref", "vendor")
_ALIASES = {"bom_ref": "bom-ref", "bomref": "bom-ref", "vendor_id": "vendor", "vendor-id": "vendor"}
_KEYS = {"rule", "reason", "approver", "expires", "id", *(_SELECTORS)}


class WaiverRecord(dict):  # type: ignore[type-arg]
    """A plain dict for the JSON report whose ``str()`` is a readable line for the text report."""

    def __str__(self) -> str:
        sel = ", ".join(f"{k}={v}" for k, v in self.get("selector", {}).items())
        expires = self.get("expires") or "never"
        line = f"{self.get('id')} rule {self.get('rule')} [{sel}] expires {expires}: {self.get('reason')}"
        if self.get("file"):
            line += f" ({self.get('file')})"
        return line


def _split_purl(purl: str) -> tuple[str, str]:
    """``pkg:type/ns/name@ver?q#s`` -> (``pkg:type/ns/name`` lower-cased, ``ver``)."""
    body = purl.strip().split("#", 1)[0].split("?", 1)[0]
    base, _sep, version = body.rpartition("@") if "@" in body.split("/")[-1] else (body, "", "")
    return base.lower(), version


@dataclass(slots=True)
class Waiver:
    """One validated entry. ``index`` is its 1-based position in the file."""

    index: int
    rule: str
    reason: str
    file: str
    purl: str | None = None
    name: str | None = None
    bom_ref: str | None = None
    vendor: str | None = None
    approver: str | None = None
    expires: _dt.date | None = None
    id: str | None = None

    @property
    def label(self) -> str:
        return self.id or f"#{self.index}"

    def selector(self) -> dict[str, str]:
        out = {"purl": self.purl, "name": self.name, "bom-ref": self.bom_ref, "vendor": self.vendor}
        return {k: v for k, v in out.items() if v is not None}

    def expired(self, as_of: _dt.date) -> bool:
        """Inclusive: a waiver expiring on 2025-01-31 still applies on that day."""
        return self.expires is not None and as_of > self.expires

    def matches(self, finding: Finding) -> bool:
        # Rule ids are written in capitals; a waiver may name one in any case (``us-icts-kaspersky-2024``).
        if not fnmatch.fnmatchcase(finding.rule_id.upper(), self.rule.upper()):
            return False
        comp = finding.component
        if self.name is not None and comp.name.casefold() != self.name.casefold():
            return False
        if self.bom_ref is not None and comp.bom_ref != self.bom_ref:
            return False
        if self.vendor is not None and finding.vendor.casefold() != self.vendor.casefold():
            return False
        if self.purl is not None:
            want_base, want_version = _split_purl(self.purl)
            purls = [comp.purl] if comp.purl else []
            purls += [value for kind, value, _f in comp.identifiers if kind == "purl" and value not in purls]
            if not any(
                base == want_base and (not want_version or version == want_version)
                for base, version in map(_split_purl, purls)
            ):
                return False
        return True

    def record(self, **extra: Any) -> WaiverRecord:
        rec = WaiverRecord(
            id=self.label,
            index=self.index,
            file=self.file,
            rule=self.rule,
            selector=self.selector(),
            reason=self.reason,
            approver=self.approver,
            expires=self.expires.isoformat() if self.expires else None,
        )
        rec.update(extra)
        return rec


@dataclass(slots=True)
class WaiverSet:
    """All waivers of one file. ``apply`` marks findings and fills ``report.waivers``."""

    waivers: list[Waiver] = field(default_factory=list)
    path: str = ""

    def apply(self, report: Report, as_of: _dt.date) -> None:
        """First live waiver in file order wins; expired ones only record what they would have hit."""
        live = [w for w in self.waivers if not w.expired(as_of)]
        applied: dict[int, int] = {}
        would: dict[int, int] = {}
        for finding in report.findings:
            for w in self.waivers:
                if w.expired(as_of) and w.matches(finding):
                    would[w.index] = would.get(w.index, 0) + 1
            for w in live:
                if w.matches(finding):
                    finding.waiver = {
                        "id": w.label,
                        "index": w.index,
                        "file": w.file,
                        "rule": w.rule,
                        "reason": w.reason,
                        "approver": w.approver,
                        "expires": w.expires.isoformat() if w.expires else None,
                    }
                    applied[w.index] = applied.get(w.index, 0) + 1
                    break
        report.waivers = {
            "file": self.path or None,
            "applied": [w.record(findings=applied[w.index]) for w in live if w.index in applied],
            "lapsed": [w.record(findings_now_unwaived=would.get(w.index, 0)) for w in self.waivers if w.expired(as_of)],
            "unused": [w.record(findings=0) for w in live if w.index not in applied],
        }


def _fail(path: str, where: str, message: str) -> UsageError:
    return UsageError(f"{path}: {where}: {message}")


def _text(path: str, where: str, key: str, value: Any, *, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise _fail(path, where, f"'{key}' is required")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _fail(path, where, f"'{key}' must be a string")
    text = str(value).strip()
    if not text:
        if required:
            raise _fail(path, where, f"'{key}' must not be empty")
        return None
    return text


def _date(path: str, where: str, value: Any) -> _dt.date | None:
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        raise _fail(path, where, f"'expires' {quoted(value.isoformat())} must be a date in YYYY-MM-DD form, without a time")
    if isinstance(value, _dt.date):
        return value
    try:
        if not isinstance(value, str) or len(value.strip()) != 10:
            raise ValueError
        return _dt.date.fromisoformat(value.strip())
    except ValueError:
        raise _fail(path, where, f"'expires' {quoted(str(value))} is not a date in YYYY-MM-DD form") from None


def parse_waivers(data: Any, path: str) -> WaiverSet:
    """Validate loaded YAML; any problem is a ``UsageError`` naming the file and the entry."""
    if isinstance(data, dict):
        if "waivers" not in data:
            raise UsageError(f"{path}: no 'waivers:' list found")
        data = data["waivers"]
    if data is None:
        data = []
    if not isinstance(data, list):
        raise UsageError(f"{path}: 'waivers' must be a list of entries")
    out: list[Waiver] = []
    for n, raw in enumerate(data, start=1):
        where = f"waiver {n}"
        if not isinstance(raw, dict):
            raise _fail(path, where, "each waiver must be a mapping with rule, a component selector and reason")
        entry: dict[str, Any] = {}
        spelt: dict[str, str] = {}
        for k, v in raw.items():
            key = _ALIASES.get(str(k), str(k))
            if key in entry:  # bom_ref and bom-ref: one key twice, and only one of the values would count
                raise _fail(path, where, f"key {quoted(key)} given twice (as {quoted(spelt[key])} and {quoted(str(k))})")
            entry[key], spelt[key] = v, str(k)
        if isinstance(entry.get("rule"), str):
            where = f"waiver {n} (rule {capped(entry['rule'], QUOTE_LIMIT)})"
        unknown = sorted(set(entry) - _KEYS)
        if unknown:
            raise _fail(path, where, f"unknown key(s) {capped(', '.join(unknown), QUOTE_LIMIT)}; allowed: {', '.join(sorted(_KEYS))}")
        rule = _text(path, where, "rule", entry.get("rule"), required=True)
        reason = _text(path, where, "reason", entry.get("reason"), required=True)
        selectors = {k: _text(path, where, k, entry.get(k)) for k in _SELECTORS}
        if not any(selectors.values()):
            raise _fail(path, where, f"needs at least one component selector ({', '.join(_SELECTORS)})")
        if selectors["purl"] and not selectors["purl"].startswith("pkg:"):
            raise _fail(path, where, f"'purl' {quoted(selectors['purl'])} is not a package URL (pkg:type/...)")
        assert rule is not None and reason is not None
        out.append(
            Waiver(
                index=n,
                rule=rule,
                reason=reason,
                file=path,
                purl=selectors["purl"],
                name=selectors["name"],
                bom_ref=selectors["bom-ref"],
                vendor=selectors["vendor"],
                approver=_text(path, where, "approver", entry.get("approver")),
                expires=_date(path, where, entry.get("expires")),
                id=_text(path, where, "id", entry.get("id")),
            )
        )
    return WaiverSet(out, path)


def load_waivers(path: str) -> WaiverSet:
    """Read and validate a waivers file. Unreadable or malformed files are errors, never ignored.

    The file is untrusted YAML: ``compliance.yamlsafe`` bounds its size and refuses aliases, special
    files and values no tag can build, each as ``FILE: line N: message``.
    """
    from compliance.yamlsafe import load_yaml

    return parse_waivers(load_yaml(path, what="waivers file"), path_text(path))

