"""Small helpers shared by the CI and review formats, so they describe findings the same way."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

from compliance.model import SEVERITY_RANK, Evidence, Finding, InputResult, InputVerdict, Report

_LINE = re.compile(r"^\s*(?:line|row)\s+(\d+)\s*$", re.IGNORECASE)

STATUS_WORDS = {
    "violation": "violation",
    "unconfirmed": "unconfirmed (weak evidence)",
    "upcoming": "upcoming",
    "advisory": "advisory",
    "out-of-scope": "out of scope",
    "not-in-force": "not in force",
}


def line_of(finding: Finding) -> int | None:
    """The line when the reader recorded ``line N`` or ``row N``; JSON pointers have none."""
    m = _LINE.match(finding.component.location or "")
    return int(m.group(1)) if m and int(m.group(1)) > 0 else None


def component_label(finding: Finding) -> str:
    c = finding.component
    return f"{c.name} {c.version}".strip() or "(unnamed component)"


def component_identity(finding: Finding) -> str:
    """The most stable handle on a component: bom-ref, then purl, then where it sits in the input."""
    c = finding.component
    return c.bom_ref or c.purl or c.location or f"{c.name}@{c.version}"


def evidence_basis(e: Evidence) -> str:
    """"strong, legal-name" and what the value needed before it matched ("; contains invisible characters")."""
    return f"{e.strength}, {e.method}" + "".join(f"; {fold}" for fold in e.folded)


def evidence_text(finding: Finding) -> str:
    parts = [f"{e.field} = '{e.value}' matched '{e.matched}' ({evidence_basis(e)})" for e in finding.evidence]
    return "; ".join(parts)


def evidence_item(e: Any) -> str:
    """One piece of evidence: ``supplier.name = 'AO Kaspersky Lab' matched 'AO Kaspersky Lab' (strong, legal-name)``."""
    return f"{e.field} = {e.value!r} matched {e.matched!r} ({evidence_basis(e)})"


def identity_text(finding: Finding) -> str:
    """Why the component is the vendor's software: the part of the message every rule it matched shares."""
    return finding.identity or finding.message


class ComponentGroup:
    """One flagged component of one input with its findings (one per rule), as grouped reports show it."""

    __slots__ = ("findings",)

    def __init__(self, first: Finding) -> None:
        self.findings = [first]

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def head(self) -> str:
        """``FAIL``, ``WARN``, ``INFO`` by the worst unwaived finding; ``WAIVED`` when every one is waived."""
        live = [f for f in self.findings if not f.waived]
        if not live:
            return "WAIVED"
        return max(live, key=lambda f: SEVERITY_RANK[f.severity]).severity.upper()

    @property
    def evidence(self) -> list[Any]:
        """Each distinct piece of evidence once, in the order the findings give them."""
        seen: dict[tuple[str, str, str, str], Any] = {}
        for f in self.findings:
            for e in f.evidence:
                seen.setdefault((e.field, e.value, e.matched, e.method), e)
        return list(seen.values())

    @property
    def identities(self) -> list[str]:
        """The distinct "why it is the vendor's software" sentences (one, unless two vendors matched)."""
        return list(dict.fromkeys(identity_text(f) for f in self.findings))


def component_groups(findings: Iterable[Finding]) -> list[ComponentGroup]:
    """Findings grouped by (input, component), in the order of each group's first finding.

    Findings come sorted worst first (``Finding.sort_key``), so groups come worst first too.
    """
    groups: dict[tuple[str, str, str, str, str], ComponentGroup] = {}
    for f in findings:
        c = f.component
        key = (f.input_path, str(c.location), c.name, c.version, c.bom_ref)
        group = groups.get(key)
        if group is None:
            groups[key] = ComponentGroup(f)
        else:
            group.findings.append(f)
    return list(groups.values())


def shared_integration(groups: Sequence[ComponentGroup]) -> str:
    """When the product under review integrates every one of several flagged components, the white-label
    sentence once for all of them (``...integrates each flagged component below``); else ""."""
    subjects = {repr(g.first.integrated_into) for g in groups}
    if len(groups) < 2 or len(subjects) != 1 or not groups[0].first.integrated_into:
        return ""
    return integration_text(groups[0].first).removesuffix("this component") + "each flagged component below"


def findings_by_rule(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """Findings grouped by rule id, rules in the order of their first finding."""
    out: dict[str, list[Finding]] = {}
    for f in findings:
        out.setdefault(f.rule_id, []).append(f)
    return out


def input_label(inp: InputResult) -> str:
    """What an overview calls an input: the product the document names, else its file name."""
    name = (inp.subject or {}).get("name")
    if name:
        return f"{name} {(inp.subject or {}).get('version') or ''}".strip()
    return relative_path(inp.path)


def verdict_word(v: InputVerdict) -> str:
    """An input's verdict as an overview shows it: ``FAIL``, ``PASS``, and for ``error`` ``UNREADABLE`` or,
    when it was read but does not count as checked (nothing in it, too little vendor identity), ``NOT CHECKED``."""
    if v.verdict == "error":
        return "NOT CHECKED" if v.input.was_read else "UNREADABLE"
    return v.verdict.upper()


def coverage_text(inp: InputResult) -> str:
    """Vendor-identity coverage of one input: ``10 of 11 (91%)``; ``no components``; ``unreadable``."""
    if not inp.was_read:
        return "unreadable"
    if not inp.components:
        return "no components"
    return f"{inp.components_with_vendor_identity} of {inp.components} ({100 * inp.components_with_vendor_identity / inp.components:.0f}%)"


def flagged_text(flagged: Sequence[tuple[str, str]], limit: int = 3) -> str:
    """``Kaspersky Anti-Virus 21.3, WeChat and 2 more`` (``-`` for none)."""
    names = [f"{n} {v}".strip() for n, v in flagged]
    if not names:
        return "-"
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def has_primary(rule: dict[str, Any] | None) -> bool:
    return any(s.get("kind") == "primary" for s in (rule or {}).get("sources") or [])


def fact_flag(rule: dict[str, Any] | None, verification: str | None = None) -> str | None:
    """The warning a reviewer must see, if any: ``unverified``, or ``secondary`` when no source is primary.

    A rule with a primary text whose status is ``secondary`` (some dates read only in secondary sources)
    is not flagged: its source line names the primary text and its verification notes say which facts
    rest on secondary sources.
    """
    status = verification or ((rule or {}).get("verification") or {}).get("status")
    if status == "unverified":
        return "unverified"
    if status == "secondary" and not has_primary(rule):
        return "secondary"
    return None


def source_line(rule: dict[str, Any] | None) -> str:
    """What the rule rests on, by name: ``primary: Federal Register 89 FR 52434``, else ``secondary only: ...``."""
    sources = (rule or {}).get("sources") or []
    if not sources:
        return "no source listed"
    primary = [s for s in sources if s.get("kind") == "primary"]
    if primary:
        more = f" (+{len(primary) - 1} more primary)" if len(primary) > 1 else ""
        return f"primary: {primary[0].get('title') or primary[0].get('url')}{more}"
    first = sources[0]
    return f"{first.get('kind') or 'source'} only: {first.get('title') or first.get('url')}"


def integration_text(finding: Finding) -> str:
    """The white-label line: which product under review integrates the finding's component; "" if none."""
    subject = finding.integrated_into
    if not subject:
        return ""
    product, supplier = subject_text(subject)
    by = f" (supplier: {supplier})" if subject.get("supplier") else ""
    return f"{product}{by}, the product under review, integrates this component"


def primary_source(rule: dict[str, Any] | None, finding: Finding | None = None) -> str | None:
    """The first source of kind primary, else the first source at all."""
    sources = (rule or {}).get("sources") or []
    for s in sources:
        if s.get("kind") == "primary" and s.get("url"):
            return str(s["url"])
    if sources and sources[0].get("url"):
        return str(sources[0]["url"])
    if finding is not None and finding.sources:
        return finding.sources[0]
    return None


SOURCE_RANK = {"primary": 0, "secondary": 1}

# What a reviewer must know when a rule's key facts are not confirmed by primary sources.
FACT_WARNINGS = {
    "secondary": "Rests on secondary sources: some key facts are confirmed only by news or law-firm reports; "
    "have counsel confirm them against the primary text.",
    "unverified": "Rests on unverified facts: some key facts could not be confirmed at all; "
    "do not rely on this rule without checking it.",
}


def ranked_sources(rule: dict[str, Any] | None) -> list[dict[str, Any]]:
    """A rule's sources, primary ones first (the pack's order kept within each kind)."""
    sources = (rule or {}).get("sources") or []
    return sorted(sources, key=lambda s: SOURCE_RANK.get(s.get("kind") or "", len(SOURCE_RANK)))


def command_line(report: Report) -> str | None:
    """The command that produced the report, shell-quoted so it can be pasted back; None when not recorded."""
    return shlex.join(report.command) if report.command is not None else None


def pack_labels(report: Report) -> list[str]:
    """Each rule pack as "name version", in load order (older reports without ``packs``: the combined label)."""
    packs = report.rulepack.get("packs") or []
    if packs:
        return [f"{p.get('name', '')} {p.get('version', '')}".strip() for p in packs]
    return [str(report.rulepack.get("version", ""))]


def pack_basis(report: Report) -> list[str]:
    """Each rule pack with what proves it: digest, signer (or why there is none), source and age."""
    out = []
    for p in report.rulepack.get("packs") or []:
        signer = p.get("signer")
        if signer:
            signed = f"signed by key {signer[:16]}"
        elif p.get("source") == "built-in":
            signed = "built-in, covered by the installed complycheck package"
        else:
            signed = "unsigned local pack"
        age = p.get("age_days")
        built = f"; built {p['built']}" + (f" ({age} days before the as-of date)" if age is not None and age >= 0 else "") if p.get("built") else ""
        out.append(f"{p.get('name', '')} {p.get('version', '')}, {p.get('digest') or 'digest unknown'} ({signed}{built})")
    return out or pack_labels(report)


def policy_basis(report: Report) -> str:
    """The policy file with its digest, or that none was read."""
    policy = getattr(report, "policy", None)
    if not policy:
        return "none (flags only)"
    return f"{policy.get('path')}, sha256:{policy.get('sha256')}"


def subject_text(subject: dict[str, Any] | None) -> tuple[str, str]:
    """(product and version, supplier) of a document's subject, in words a reviewer can sign off;
    ``""`` for what the document does not state (reports show the file name or leave the cell empty)."""
    subject = subject or {}
    supplier = subject.get("supplier") or ""
    if not subject.get("name"):
        return "", supplier
    return f"{subject['name']} {subject.get('version') or ''}".strip(), supplier


def missing_conditions(actions: Iterable[tuple[str, Sequence[str]]]) -> str:
    """The contexts still missing, per action: ``(federal and procurement) [part-a] or contractor [part-b]``.

    ``actions`` are ``(action id, missing contexts)`` pairs; actions missing nothing are left out. Merging
    every missing context into one list would claim a rule needs all of them, or any one of them.
    """
    from compliance.rulepack.listing import format_conditions  # the rule lister: not on every scan's imports

    groups: dict[tuple[str, ...], list[str]] = {}
    for action, missing in actions:
        if missing:
            groups.setdefault(tuple(sorted(missing)), []).append(action)
    return format_conditions(list(groups.items())) if groups else ""


def coverage_limit_lines(report: Report) -> list[str]:
    """One line per applied rule that names what complycheck cannot identify (``Report.coverage_limits``):
    ``RULE-ID (J): this rule also names 2 products complycheck cannot identify: A, B``."""
    return [f"{c['rule_id']} ({c['jurisdiction']}): {c['message']}" for c in report.coverage_limits]


COVERAGE_LIMIT_HEADING = "Coverage limits: the rules applied also name products complycheck cannot identify (a PASS does not cover them)"


def rules_by_id(report: Report) -> dict[str, dict[str, Any]]:
    return {r["rule_id"]: r for r in report.rules_evaluated}


def relative_path(path: str) -> str:
    """The input path relative to the working directory when it lies inside it, in POSIX form.

    Reports ask this once per finding for a handful of distinct inputs, so the answer is memoised
    per (working directory, path): without it SARIF spent most of its time in ``os.path.relpath``.
    """
    if path in ("-", "<stdin>") or not os.path.isabs(path):
        return path.replace(os.sep, "/")
    return _relative_to(path, os.getcwd())


@lru_cache(maxsize=65_536)
def _relative_to(path: str, cwd: str) -> str:
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:  # another drive on Windows
        return path.replace(os.sep, "/")
    return path.replace(os.sep, "/") if rel.startswith("..") else rel.replace(os.sep, "/")


@lru_cache(maxsize=65_536)
def _uri(rel: str) -> str:
    # Imported here: the text format uses this module too, and urllib.parse brings ipaddress (~2 ms).
    from urllib.parse import quote

    if os.path.isabs(rel):
        return "file://" + quote(rel if rel.startswith("/") else "/" + rel, safe="/:")
    return quote(rel, safe="/")


def artifact_uri(path: str) -> str:
    """A URI reference for SARIF: relative paths percent-encoded, absolute ones as file URIs."""
    return _uri(relative_path(path))


@lru_cache(maxsize=1)
def _sha256() -> Callable[[bytes], Any]:
    """``hashlib.sha256``, imported on first use: text and JSON reports never load OpenSSL (~5 ms)."""
    import hashlib

    return hashlib.sha256


def fingerprint(path: str, finding: Finding) -> str:
    """Stable across runs and machines: input path, rule and component identity, nothing else."""
    key = "\x1f".join((relative_path(path), finding.rule_id, component_identity(finding)))
    return _sha256()(key.encode("utf-8")).hexdigest()[:32]


def failing_ids(report: Report) -> set[int]:
    """Identities of the findings the report's own gate counts (the report decides, not the format)."""
    return {id(f) for f in report.failing_findings()}


def problem_count(inp: InputResult) -> str:
    """``"3 problems"``: what the reader read past in one input (``InputResult.problems``)."""
    n = len(inp.problems)
    return f"{n} problem{'s' if n != 1 else ''}"


def scope_hint(finding: Finding) -> str:
    """What would bring an out-of-scope finding into scope, each set of contexts named once:
    ``with --context federal, or with --context contractor``."""
    ways: list[tuple[str, ...]] = []
    for a in finding.actions:
        missing = tuple(a.missing_contexts)
        if a.status == "out-of-scope" and missing and missing not in ways:
            ways.append(missing)
    return ", or ".join("with " + " ".join(f"--context {c}" for c in way) for way in ways)


def shown_findings(report: Report) -> list[Finding]:
    """What CI formats (SARIF, GitHub annotations) list: out-of-scope findings only when asked for.

    Each out-of-scope finding would otherwise become a code-scanning alert for a rule that cannot
    fail the gate; JSON and HTML keep them all.
    """
    if report.show_out_of_scope:
        return report.findings
    return [f for f in report.findings if f.status != "out-of-scope"]
