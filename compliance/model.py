"""Records that flow between readers, the engine and the report formats.

Readers produce ``Inventory`` objects made of ``Component`` records; the engine turns them into
``Finding`` records inside a ``Report``; formats only render a ``Report``.

Records are msgspec ``Struct``s: ``__init__``, ``__repr__``, ``__eq__`` (and ``__hash__`` for the frozen
ones) are made in C as each class is created, and pickle as constructor calls for worker processes.
Those that a scan makes by the thousand and that never take part in a reference cycle are ``gc=False``:
the cyclic collector never looks at them.
"""

from collections.abc import Sequence
from typing import Any

import msgspec

# Severity order used by the gate: a higher number is worse.
SEVERITY_RANK = {"info": 0, "warn": 1, "fail": 2}

# Identifier kinds a reader may emit. The catalog uses the same names.
IDENTIFIER_KINDS = (
    "purl",  # package URL, e.g. pkg:maven/com.tencent.mm.opensdk/wechat-sdk-android@6.8.0
    "cpe",  # CPE 2.2 or 2.3 string
    "android",  # Android application id, e.g. com.tencent.mm
    "bundle",  # Apple bundle id (iOS, iPadOS, macOS), e.g. com.tencent.xin
    "team_id",  # Apple Developer Team ID, e.g. 5A4RE8SF68
    "winget",  # winget PackageIdentifier, e.g. Tencent.WeChat
    "swid",  # SWID tagId (a regid inside it is used as a reverse domain)
    "namespace",  # reverse-DNS namespace such as a Maven groupId
)


class Location:
    """A location kept as its parent's location plus one step, turned into text on demand.

    Components nested 10,000 levels deep would each carry the whole path as a string, which needs
    memory quadratic in the depth; a chain of steps needs linear memory. The text is made only for
    components that end up in a finding (``Finding`` resolves it) or when pickled.
    """

    __slots__ = ("parent", "step")

    def __init__(self, parent: "str | Location", step: str) -> None:
        self.parent = parent
        self.step = step

    def __str__(self) -> str:
        steps = [self.step]
        node = self.parent
        while isinstance(node, Location):
            steps.append(node.step)
            node = node.parent
        steps.append(node)
        return "".join(reversed(steps))

    def __repr__(self) -> str:
        return f"Location({str(self)!r})"

    def __reduce__(self) -> tuple[type[str], tuple[str]]:
        return (str, (str(self),))


class Component(msgspec.Struct, gc=False):
    """One piece of software found in an input, with every vendor-bearing string the reader saw.

    ``vendor_fields`` holds ``(field, value)`` pairs such as ``("supplier.name", "AO Kaspersky Lab")``.
    ``identifiers`` holds ``(kind, value, field)`` triples; ``kind`` is one of ``IDENTIFIER_KINDS``.
    ``location`` points back into the input: a JSON pointer, ``line N`` or ``row N`` (a ``Location``
    for deeply nested XML components, made a string when a finding refers to the component).
    """

    name: str
    version: str = ""
    vendor_fields: list[tuple[str, str]] = []
    identifiers: list[tuple[str, str, str]] = []
    purl: str = ""
    bom_ref: str = ""
    location: str | Location = ""
    type: str = ""

    @property
    def has_vendor_identity(self) -> bool:
        """True when anything beyond a bare package name says who made this component."""
        if self.vendor_fields:
            return True
        for kind, value, _field in self.identifiers:
            if kind != "purl":
                return True
            # A purl only names a vendor when it has a namespace (pkg:type/namespace/name), or when its name is
            # an app id (pkg:android/com.tencent.mm, pkg:ios/..., compliance.matching.APP_PURL_TYPES).
            body = value.split("?", 1)[0].split("#", 1)[0]
            if body.count("/") >= 2 or body[:12].lower().startswith(("pkg:android/", "pkg:ios/", "pkg:apple/")):
                return True
        return False


class Inventory(msgspec.Struct):
    """What one reader found in one input.

    ``problems`` are off-spec fields the reader decided it could read past without hiding who made
    anything (a metadata component without a name, ``authors`` written as a string): one line each,
    ``PLACE: what was wrong and what was done``. Anything that could hide vendor identity is an
    ``InputError`` instead.

    ``metadata["sections"]``, when a reader sets it, splits one file into several report sections
    (an osquery results log from many hosts: one ``Inventory`` per host); they are evaluated instead
    of the whole.
    """

    path: str
    format: str
    components: list[Component] | Any  # or the scan's Tally (compliance.engine), which matched them as read
    metadata: dict[str, Any] = {}
    problems: list[str] = []
    # The longest name, version, purl, vendor or identifier string of any component, when the reader
    # measured it as it made them (cheap then); None: unknown, and ``bound_fields`` looks at each.
    longest_field: int | None = None


class Evidence(msgspec.Struct, frozen=True, gc=False):
    """Why a component was tied to a vendor: the field, its value, and what in the catalog it hit."""

    field: str
    value: str
    matched: str
    method: str  # "product-identifier", "legal-name", "vendor-prefix", "brand-prefix"... (compliance.matching)
    vendor: str
    product: str | None = None
    strength: str = "broad"  # strong | broad | weak
    why: str = ""  # "<field> '<value>' <why this method has this strength>"
    # What the value needed before it matched: "contains invisible characters", "mixed-script", "legal form
    # JSC read as AO"... (compliance.normalize). Folding never makes evidence weaker.
    folded: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "field": self.field,
            "value": self.value,
            "matched": self.matched,
            "method": self.method,
            "strength": self.strength,
            "why": self.why,
            "vendor": self.vendor,
        }
        if self.product:
            out["product"] = self.product
        if self.folded:
            out["folded"] = list(self.folded)
        return out


class ActionResult(msgspec.Struct, gc=False):
    """The status of one prohibited action of a rule, as of the scan date and in the scan's contexts."""

    action: str
    description: str
    effective: str
    until: str | None
    status: str  # violation | upcoming | advisory | out-of-scope
    severity: str
    missing_contexts: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "description": self.description,
            "effective": self.effective,
            "until": self.until,
            "status": self.status,
            "severity": self.severity,
            "missing_contexts": list(self.missing_contexts),
        }


class Finding(msgspec.Struct, gc=False):
    """A rule that applies to a component, with the action that decided its status."""

    rule_id: str
    jurisdiction: str
    title: str
    status: str
    severity: str
    effective: str
    binding: str
    component: Component
    input_path: str
    vendor: str
    product: str | None
    evidence: Sequence[Evidence]
    citation: str
    sources: list[str]
    message: str
    actions: list[ActionResult]
    verification: str
    waiver: dict[str, Any] | None = None
    kind: str | None = None  # the product kind the rule's covers.kinds was checked against
    strength: str = "broad"  # of the best evidence: strong | broad | weak
    # The SBOM's subject (metadata.component: name, version, supplier) when it is a product of another vendor
    # that integrates this component (white-label, OEM): the finding concerns that product.
    integrated_into: dict[str, str | None] | None = None
    # The two halves of ``message``, so a report can say the component's part once for all its rules:
    # ``identity`` why the component is the vendor's software ("Kaspersky software. Strong evidence: ...",
    # the same for every rule it matched), ``reason`` what this rule does to it. Empty on findings made
    # without them: formats then use ``message``.
    identity: str = ""
    reason: str = ""

    def __post_init__(self) -> None:
        if type(self.component.location) is not str:  # a Location chain becomes text once, here
            self.component.location = str(self.component.location)

    @property
    def waived(self) -> bool:
        return self.waiver is not None

    def sort_key(self) -> tuple:
        return (
            self.input_path,
            -SEVERITY_RANK[self.severity],
            self.rule_id,
            self.component.name.casefold(),
            self.component.version,
            self.component.location,
        )

    def to_dict(self, shared: dict[int, Any] | None = None) -> dict[str, Any]:
        """``shared`` lets findings that share evidence or action lists share their rendering too."""
        comp = self.component
        if shared is None:
            shared = {}
        evidence = shared.get(id(self.evidence))
        if evidence is None:
            evidence = shared[id(self.evidence)] = [e.to_dict() for e in self.evidence]
        actions = shared.get(id(self.actions))
        if actions is None:
            actions = shared[id(self.actions)] = [a.to_dict() for a in self.actions]
        out: dict[str, Any] = {
            "rule_id": self.rule_id,
            "jurisdiction": self.jurisdiction,
            "title": self.title,
            "status": self.status,
            "severity": self.severity,
            "effective": self.effective,
            "binding": self.binding,
            "component": {
                "name": comp.name,
                "version": comp.version or None,
                "purl": comp.purl or None,
                "bom_ref": comp.bom_ref or None,
                "input": self.input_path,
                "location": comp.location or None,
            },
            "vendor": self.vendor,
            "product": self.product,
            "kind": self.kind,
            "strength": self.strength,
            "evidence": evidence,
            "citation": self.citation,
            "sources": list(self.sources),
            "message": self.message,
            "actions": actions,
            "verification": self.verification,
            "waived": self.waiver is not None,
            "integrated_into": dict(self.integrated_into) if self.integrated_into is not None else None,
        }
        if self.waiver is not None:
            out["waiver"] = dict(self.waiver)
        return out


class InputResult(msgspec.Struct, gc=False):
    """One input's section of the report. ``error`` is set when the input could not be used;
    ``problems`` lists what the reader read past (see ``Inventory.problems``).

    ``sha256`` is the digest of the bytes read (None when nothing could be read), so a signed review
    names exactly which file it judged. ``subject`` is what the document describes (a CycloneDX
    ``metadata.component``: name, version, supplier) and ``serial_number`` its serial number, when given.
    """

    path: str
    format: str | None
    components: int = 0
    components_with_vendor_identity: int = 0
    components_matched: int = 0
    error: str | None = None
    skipped: str | None = None  # why a file found in a folder is not an inventory (never in a report's inputs)
    sha256: str | None = None
    subject: dict[str, str | None] | None = None
    serial_number: str | None = None
    problems: list[str] = []
    # Components that matched a catalog vendor but no selected rule covers (another jurisdiction's vendor,
    # an excluded product): how many, and the first ``UNFLAGGED_LISTED`` of them, so "4 matched a catalog
    # vendor" can be explored. Each: name, version, location, vendor, product, strength, why.
    matched_without_findings: int = 0
    unflagged: list[dict[str, Any]] = []


    @property
    def was_read(self) -> bool:
        """True when a reader read the input: an error then says why it does not count as checked
        (nothing in it, too little vendor identity), and its findings are still reported."""
        return self.format is not None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path,
            "format": self.format,
            "sha256": self.sha256,
            "subject": dict(self.subject) if self.subject is not None else None,
            "serial_number": self.serial_number,
            "components": self.components,
            "components_with_vendor_identity": self.components_with_vendor_identity,
            "components_matched": self.components_matched,
            "matched_without_findings": {
                "count": self.matched_without_findings,
                "components": [dict(u) for u in self.unflagged],
            },
        }
        if self.error is not None:
            out["error"] = self.error
        if self.problems:
            out["problems"] = list(self.problems)
        return out


# The severities that fail the gate at each threshold (``SEVERITY_RANK`` at or above it).
_FAILING = {gate: frozenset(s for s, r in SEVERITY_RANK.items() if r >= SEVERITY_RANK[gate]) for gate in SEVERITY_RANK}

# How many matched-but-unflagged components an input lists by name (the count is always exact).
UNFLAGGED_LISTED = 50

# Per-input verdicts in the order an overview lists them: failures first, then unreadable inputs,
# then passes with warnings, then clean passes.
VERDICT_ORDER = {"fail": 0, "error": 1, "pass": 2}


class InputVerdict(msgspec.Struct):
    """One input's line in a fleet overview, decided by the report (formats only show it).

    ``verdict``: ``error`` (unreadable), ``fail`` (an unwaived finding at or above the gate) or ``pass``;
    ``summary``: the input's finding counts; ``failing_rules``: the rules that fail it, sorted;
    ``flagged``: each component with an unwaived fail or warn finding, as (name, version), in report order.
    """

    input: InputResult
    verdict: str
    summary: dict[str, int]
    failing_rules: list[str]
    flagged: list[tuple[str, str]]

    def sort_key(self) -> tuple[int, int]:
        """Failures first, then unreadable inputs, then passes with warnings, then clean passes."""
        return (VERDICT_ORDER[self.verdict], 0 if self.verdict == "pass" and self.summary["warn"] else 1)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "summary": dict(self.summary),
            "failing_rules": list(self.failing_rules),
            "flagged_components": [{"name": n, "version": v or None} for n, v in self.flagged],
        }


def no_waivers(file: str | None = None) -> dict[str, Any]:
    """The ``waivers`` section when nothing was applied, lapsed or unused: the same keys as always."""
    return {"file": file, "applied": [], "lapsed": [], "unused": []}


class Report(msgspec.Struct):
    """Everything a format needs. Formats render it; they never decide a verdict.

    ``rulepack`` holds ``packs`` (each pack's own name and version, in load order) besides the
    combined ``name``/``version`` label kept for existing consumers. ``command`` is the argument vector
    the caller reports having run (the CLI passes its own; the library leaves it None).
    """

    tool_version: str
    rulepack: dict[str, Any]
    as_of: str
    jurisdictions: list[str]
    contexts: list[str]
    horizon_days: int
    fail_on: str
    inputs: list[InputResult]
    findings: list[Finding]
    rules_evaluated: list[dict[str, Any]] = []
    waivers: dict[str, Any] = msgspec.field(default_factory=no_waivers)
    command: list[str] | None = None
    all_jurisdictions: bool = False  # chosen with -j ALL, so reports say so up front
    excluded_rules: list[dict[str, Any]] = []  # left out by --require-verified
    skipped: list[dict[str, str]] = []  # files in a folder that are not inventories
    show_out_of_scope: bool = False  # presentation only: SARIF and GitHub annotations list them when set
    policy: dict[str, Any] | None = None  # the policy file the scan read: {"path", "sha256"}
    # What the applied rules name but complycheck cannot identify (``covers.unidentifiable``), one entry per
    # rule: ``rule_id``, ``jurisdiction``, ``title``, ``message`` and the ``unidentifiable`` names with reasons.
    coverage_limits: list[dict[str, Any]] = []

    def __post_init__(self) -> None:
        """Paths come from the file system (and argv) and errors quote inputs: text every format can write.

        A file name that is not UTF-8 (lone surrogates after ``os.fsdecode``) gets ``\\xNN`` escapes;
        an error line is capped so that it never carries megabytes of input into a report.
        """
        from compliance.untrusted import capped, path_text

        for inp in self.inputs:
            inp.path = path_text(inp.path)
            if inp.error is not None:
                inp.error = capped(path_text(inp.error))
        for f in self.findings:
            if not f.input_path.isascii():
                f.input_path = path_text(f.input_path)
        if self.command is not None:  # file names given on the command line
            self.command = [path_text(arg) for arg in self.command]

    @property
    def has_errors(self) -> bool:
        return any(i.error is not None for i in self.inputs)

    @property
    def gate_threshold(self) -> str:
        """The severity that fails the verdict. ``never`` keeps the verdict honest but exits 0."""
        return "fail" if self.fail_on == "never" else self.fail_on

    def failing_findings(self) -> list[Finding]:
        failing = _FAILING[self.gate_threshold]
        return [f for f in self.findings if f.waiver is None and f.severity in failing]

    def _any_failing(self) -> bool:
        """Whether a finding fails the gate, stopping at the first (findings come worst first per input)."""
        failing = _FAILING[self.gate_threshold]
        return any(f.waiver is None and f.severity in failing for f in self.findings)

    @property
    def verdict(self) -> str:
        if self.has_errors:
            return "error"
        return "fail" if self._any_failing() else "pass"

    @property
    def exit_code(self) -> int:
        if self.has_errors:
            return 2
        if self.fail_on == "never":
            return 0
        return 1 if self._any_failing() else 0

    def summary(self) -> dict[str, int]:
        counts = {"fail": 0, "warn": 0, "info": 0, "waived": 0}
        for f in self.findings:
            counts["waived" if f.waiver is not None else f.severity] += 1
        return counts

    def input_verdicts(self) -> list[InputVerdict]:
        """Each input's verdict, counts, failing rules and flagged components, in input order.

        The report decides them, with the same gate as the whole report's verdict; ``overview`` sorts them.
        """
        failing = _FAILING[self.gate_threshold]
        per: dict[str, tuple[dict[str, int], set[str], dict[tuple[str, str], None]]] = {}
        for f in self.findings:
            entry = per.get(f.input_path)
            if entry is None:
                entry = per[f.input_path] = ({"fail": 0, "warn": 0, "info": 0, "waived": 0}, set(), {})
            counts, rules, flagged = entry
            if f.waiver is not None:
                counts["waived"] += 1
                continue
            counts[f.severity] += 1
            if f.severity in failing:
                rules.add(f.rule_id)
            if f.severity != "info":
                flagged.setdefault((f.component.name, f.component.version), None)
        out = []
        for inp in self.inputs:
            counts, rules, flagged = per.get(inp.path) or ({"fail": 0, "warn": 0, "info": 0, "waived": 0}, set(), {})
            verdict = "error" if inp.error is not None else ("fail" if rules else "pass")
            out.append(InputVerdict(inp, verdict, counts, sorted(rules), list(flagged)))
        return out

    def overview(self) -> list[InputVerdict]:
        """``input_verdicts`` as a fleet overview lists them: failures first (``InputVerdict.sort_key``),
        input order kept within each group."""
        return sorted(self.input_verdicts(), key=InputVerdict.sort_key)

    def fleet_summary(self) -> dict[str, Any]:
        """Per-device view of a multi-input scan: how many inputs fail, and which rules on how many
        inputs and components (most inputs first)."""
        failing = _FAILING[self.gate_threshold]
        failing_inputs: set[str] = set()
        per_rule: dict[str, set[str]] = {}
        components: dict[str, set[tuple[str, str]]] = {}
        for f in self.findings:
            if f.waiver is not None or f.severity not in failing:
                continue
            failing_inputs.add(f.input_path)
            per_rule.setdefault(f.rule_id, set()).add(f.input_path)
            components.setdefault(f.rule_id, set()).add((f.input_path, str(f.component.location), f.component.name))
        return {
            "inputs_scanned": sum(1 for i in self.inputs if i.error is None),
            "inputs_unreadable": sum(1 for i in self.inputs if i.error is not None),
            "inputs_failing": len(failing_inputs),
            "rules": [
                {"rule_id": rule_id, "inputs": len(paths), "components": len(components[rule_id])}
                for rule_id, paths in sorted(per_rule.items(), key=lambda kv: (-len(kv[1]), kv[0]))
            ],
        }

    def to_dict(self) -> dict[str, Any]:
        from compliance import __version__

        shared: dict[int, Any] = {}
        return {
            "tool": {"name": "complycheck", "version": self.tool_version or __version__},
            "command": list(self.command) if self.command is not None else None,
            "rulepack": {
                "name": self.rulepack.get("name"),
                "version": self.rulepack.get("version"),
                "packs": [dict(p) for p in self.rulepack.get("packs") or []],
                "warnings": list(self.rulepack.get("warnings") or []),
            },
            "policy": dict(self.policy) if self.policy is not None else None,
            "as_of": self.as_of,
            "jurisdictions": list(self.jurisdictions),
            "all_jurisdictions": self.all_jurisdictions,
            "contexts": list(self.contexts),
            "horizon_days": self.horizon_days,
            "fail_on": self.fail_on,
            "verdict": self.verdict,
            "exit_code": self.exit_code,
            "inputs": [{**v.input.to_dict(), **v.to_dict()} for v in self.input_verdicts()],
            "summary": self.summary(),
            "fleet": self.fleet_summary(),
            "findings": [f.to_dict(shared) for f in self.findings],
            "rules_evaluated": list(self.rules_evaluated),
            "excluded_rules": list(self.excluded_rules),
            "coverage_limits": [
                {**limit, "unidentifiable": [dict(u) for u in limit["unidentifiable"]]} for limit in self.coverage_limits
            ],
            "skipped": list(self.skipped),
            "waivers": {**no_waivers(), **self.waivers},
        }
